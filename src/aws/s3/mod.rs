//! Amazon S3: buckets and their settings, and the account's public access block (S3 Control).

pub mod ops;
pub(crate) mod sdk;

/// An MFA device serial and the code it shows now: what S3 needs to change
/// MFA Delete. Never serialized (the journal and plans skip it) and never
/// printed (its `Debug` hides the code).
#[derive(Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub serial: String,
    pub code: String,
}

impl MfaToken {
    /// The `x-amz-mfa` header value: serial, space, code.
    pub fn header(&self) -> String {
        format!("{} {}", self.serial, self.code)
    }
}

impl std::fmt::Debug for MfaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaToken(***)")
    }
}
