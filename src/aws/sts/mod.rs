//! AWS Security Token Service: who the caller is.

pub(crate) mod sdk;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Identity {
    /// The root user's ARN ends in `:root`.
    pub fn is_root(&self) -> bool {
        self.arn.ends_with(":root")
    }

    /// The AWS partition of the caller (`aws`, `aws-cn`, `aws-us-gov`, …),
    /// read from the caller's ARN (`arn:PARTITION:sts::ACCOUNT:…`). Every ARN
    /// moat builds names it: IAM and S3 refuse a policy whose ARNs name
    /// another partition. [`DEFAULT_PARTITION`] only when the ARN cannot be
    /// parsed.
    pub fn partition(&self) -> &str {
        arn_partition(&self.arn).unwrap_or(DEFAULT_PARTITION)
    }
}

/// The partition of the commercial AWS regions.
pub const DEFAULT_PARTITION: &str = "aws";

/// The partition an ARN names (`arn:PARTITION:service:…`), when it is one.
pub fn arn_partition(arn: &str) -> Option<&str> {
    let mut fields = arn.trim().splitn(3, ':');
    if fields.next() != Some("arn") {
        return None;
    }
    let partition = fields.next()?;
    fields.next()?;
    let valid = partition.starts_with("aws")
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then_some(partition)
}

/// What follows `arn:PARTITION:` + `prefix` in `arn`, whatever its partition
/// (`strip_arn_prefix("arn:aws-cn:iam::1:root", "iam::") == Some("1:root")`).
pub fn strip_arn_prefix<'a>(arn: &'a str, prefix: &str) -> Option<&'a str> {
    let partition = arn_partition(arn)?;
    arn.trim()
        .strip_prefix("arn:")?
        .strip_prefix(partition)?
        .strip_prefix(':')?
        .strip_prefix(prefix)
}

#[cfg(test)]
mod partition_tests {
    use super::*;

    fn identity(arn: &str) -> Identity {
        Identity {
            account: "111122223333".into(),
            arn: arn.into(),
            user_id: "AIDA".into(),
        }
    }

    #[test]
    fn partition_comes_from_the_caller_arn() {
        for (arn, partition) in [
            ("arn:aws:sts::111122223333:assumed-role/Admin/s", "aws"),
            (
                "arn:aws-cn:sts::111122223333:assumed-role/Admin/s",
                "aws-cn",
            ),
            ("arn:aws-us-gov:iam::111122223333:user/ops", "aws-us-gov"),
            ("arn:aws-iso-b:iam::111122223333:root", "aws-iso-b"),
            ("arn:aws-eusc:sts::111122223333:user/x", "aws-eusc"),
        ] {
            assert_eq!(identity(arn).partition(), partition, "{arn}");
        }
    }

    #[test]
    fn partition_defaults_to_aws_only_when_the_arn_cannot_be_parsed() {
        for arn in [
            "",
            "moto",
            "arn:",
            "arn::sts::1:user/x",
            "arn:AWS CN:sts::1:x",
            "urn:aws-cn:x",
        ] {
            assert_eq!(identity(arn).partition(), "aws", "{arn:?}");
        }
    }
}
