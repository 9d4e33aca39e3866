//! SDK errors → moat errors: keep the service error code (so AccessDenied can name
//! the missing permission), turn transport failures into one readable line.

use crate::aws::inventory::PartError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error;

/// A failed AWS call: one type for reads and changes (see [`PartError`]).
pub(crate) type CallError = PartError;

impl PartError {
    /// Map an SDK error for `action`.
    pub fn from_sdk<E>(action: &str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        match &err {
            SdkError::ServiceError(se) => match err.code() {
                Some(code) => {
                    let message = match err.message() {
                        Some(m) if !m.trim().is_empty() => m.to_string(),
                        _ => format!("the service answered {code}"),
                    };
                    Self::new(action, Some(code.to_string()), message)
                }
                None => Self::new(action, None, not_aws(se.raw())),
            },
            SdkError::TimeoutError(_) => Self::new(
                action,
                None,
                "timed out waiting for the AWS endpoint (is it reachable? check the network, proxy or --endpoint-url)",
            ),
            // Credentials could not be had (a role's session could not be
            // renewed, the caller's own credentials expired): the request
            // was never signed, so never sent.
            SdkError::DispatchFailure(_) if credentials_failed(&err) => Self::new(
                action,
                Some(NOT_SENT_NO_CREDENTIALS.to_string()),
                format!(
                    "not sent: no credentials to sign it with: {}",
                    error_chain(&err)
                ),
            ),
            SdkError::DispatchFailure(d) => {
                let what = if d.is_timeout() {
                    "timed out connecting to the AWS endpoint"
                } else if d.is_io() {
                    "could not reach the AWS endpoint"
                } else {
                    "the request could not be sent"
                };
                Self::new(action, None, format!("{what}: {}", error_chain(&err)))
            }
            SdkError::ResponseError(re) => Self::new(
                action,
                None,
                format!(
                    "the answer could not be read (HTTP {}): {}",
                    re.raw().status().as_u16(),
                    error_chain(&err)
                ),
            ),
            _ => Self::new(action, None, error_chain(&err)),
        }
    }
}

/// The code of a request moat could not sign (no credentials): not an AWS
/// code, and never sent, so a write with it was not applied.
pub(crate) const NOT_SENT_NO_CREDENTIALS: &str = "CredentialsNotLoaded";

/// Whether the error's chain holds a credentials provider's failure.
fn credentials_failed(err: &(dyn Error + 'static)) -> bool {
    use aws_credential_types::provider::error::CredentialsError;
    let mut cur: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<CredentialsError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Error codes of throttling or of a failure inside the service: the request
/// was retried and its last attempt failed; an earlier attempt may have been
/// applied (for throttling AWS says not, but the earlier attempts may have failed
/// differently).
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "BandwidthLimitExceeded",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "ServiceFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Error codes a write gets when an earlier attempt of the same request was
/// applied but its answer was lost (the SDK then retried): the entity now
/// exists, is already gone, or changed version.
const LOST_ANSWER_CODES: &[&str] = &[
    "EntityAlreadyExists",
    "OriginAccessControlAlreadyExists",
    "NoSuchEntity",
    "NoSuchOriginAccessControl",
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "ResourceNotFoundException",
    "PreconditionFailed",
    "InvalidIfMatchVersion",
    // S3: a created bucket is already ours; a deleted lifecycle already
    // gone. (Not NoSuchBucket: it also answers a change to a bucket that was
    // deleted by someone else, which must be reported as refused.)
    "BucketAlreadyOwnedByYou",
    "NoSuchLifecycleConfiguration",
    // EC2: a rule already authorized or revoked, a group or snapshot or flow
    // log already created or deleted.
    "InvalidPermission.Duplicate",
    "InvalidPermission.NotFound",
    "InvalidGroup.Duplicate",
    "InvalidGroup.NotFound",
    "InvalidSnapshot.NotFound",
    "FlowLogAlreadyExists",
    "InvalidFlowLogId.NotFound",
    // CloudTrail, CloudWatch Logs, KMS.
    "TrailAlreadyExistsException",
    "TrailNotFoundException",
    "ResourceAlreadyExistsException",
    "AlreadyExistsException",
    "NotFoundException",
];

impl PartError {
    /// Whether a failed write may nevertheless have been applied: no answer
    /// was read (connection lost, timeout, unreadable answer), the last
    /// attempt failed transiently, or the code is what a retry meets after
    /// an applied attempt whose answer was lost. Access, validation and
    /// other refusals are final.
    pub(crate) fn may_hide_an_applied_write(&self) -> bool {
        match self.code.as_deref() {
            None => true,
            Some(code) => TRANSIENT_CODES.contains(&code) || LOST_ANSWER_CODES.contains(&code),
        }
    }
}

/// An answer without an AWS error code: the HTTP status and the start of the body.
pub(crate) fn not_aws(raw: &HttpResponse) -> String {
    let status = raw.status().as_u16();
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .map(|b| one_line(&b))
        .unwrap_or_default();
    let snippet: String = body.chars().take(120).collect();
    let more = if body.chars().count() > 120 {
        "…"
    } else {
        ""
    };
    if snippet.is_empty() {
        format!(
            "HTTP {status} without an AWS error code (not an AWS endpoint, or a proxy in between?)"
        )
    } else {
        format!(
            "HTTP {status} without an AWS error code (not an AWS endpoint, or a proxy in between?): {snippet}{more}"
        )
    }
}

/// An error and its sources as one line (`a: b: c`), repeated texts dropped.
pub(crate) fn error_chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = one_line(&e.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Collapse whitespace runs (newlines included) so a message fits one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    type Err = SdkError<GetAccountPasswordPolicyError, HttpResponse>;

    fn service(code: &str, message: Option<&str>) -> Err {
        let mut meta = ErrorMetadata::builder().code(code);
        if let Some(m) = message {
            meta = meta.message(m);
        }
        let raw = HttpResponse::new(
            StatusCode::try_from(403u16).expect("valid status"),
            SdkBody::empty(),
        );
        SdkError::service_error(GetAccountPasswordPolicyError::generic(meta.build()), raw)
    }

    #[test]
    fn access_denied_keeps_code() {
        let e = CallError::from_sdk(
            "iam:GetAccountPasswordPolicy",
            service(
                "AccessDenied",
                Some("User: arn:aws:iam::1:user/x is not authorized"),
            ),
        );
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        assert_eq!(e.action, "iam:GetAccountPasswordPolicy");
        let p: PartError = e;
        assert!(p.is_access_denied());
        assert_eq!(
            p.summary(),
            "access denied: the credentials lack iam:GetAccountPasswordPolicy"
        );
    }

    #[test]
    fn service_error_without_message_names_code() {
        let e = CallError::from_sdk(
            "iam:GetAccountPasswordPolicy",
            service("NoSuchEntity", None),
        );
        assert!(e.is_code("NoSuchEntity"));
        assert!(e.message.contains("NoSuchEntity"));
    }

    #[test]
    fn answer_without_code_shows_status_and_body() {
        let raw = HttpResponse::new(
            StatusCode::try_from(403u16).expect("valid status"),
            SdkBody::from("resolve_deny:\ndenied destination"),
        );
        let err: Err = SdkError::service_error(
            GetAccountPasswordPolicyError::generic(ErrorMetadata::builder().build()),
            raw,
        );
        let e = CallError::from_sdk("iam:GetAccountPasswordPolicy", err);
        assert_eq!(e.code, None);
        assert!(
            e.message.starts_with("HTTP 403 without an AWS error code"),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with("resolve_deny: denied destination"),
            "{}",
            e.message
        );
    }

    #[test]
    fn timeout_has_no_code() {
        let err: Err = SdkError::timeout_error(
            "operation timeout (all attempts including retries) occurred after 20s",
        );
        let e = CallError::from_sdk("iam:GetAccountSummary", err);
        assert_eq!(e.code, None);
        assert!(e.message.contains("timed out"), "{}", e.message);
        assert!(
            e.to_string()
                .starts_with("iam:GetAccountSummary failed: timed out")
        );
    }

    #[test]
    fn dispatch_failure_is_one_line() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection\nrefused");
        let err: Err = SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let e = CallError::from_sdk("sts:GetCallerIdentity", err);
        assert_eq!(e.code, None);
        assert!(
            e.message.starts_with("could not reach the AWS endpoint"),
            "{}",
            e.message
        );
        assert!(e.message.contains("connection refused"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn which_failed_writes_are_rechecked() {
        let e = |code: Option<&str>| CallError::new("iam:CreateUser", code.map(String::from), "x");
        assert!(e(None).may_hide_an_applied_write(), "no answer");
        assert!(e(Some("EntityAlreadyExists")).may_hide_an_applied_write());
        assert!(e(Some("Throttling")).may_hide_an_applied_write());
        assert!(e(Some("ServiceUnavailable")).may_hide_an_applied_write());
        assert!(!e(Some("AccessDenied")).may_hide_an_applied_write());
        assert!(!e(Some("MalformedPolicyDocument")).may_hide_an_applied_write());
        assert!(!e(Some("LimitExceeded")).may_hide_an_applied_write());
        // EC2 answers a retried authorize or revoke so.
        assert!(e(Some("InvalidPermission.Duplicate")).may_hide_an_applied_write());
        assert!(e(Some("InvalidPermission.NotFound")).may_hide_an_applied_write());
        assert!(!e(Some("UnauthorizedOperation")).may_hide_an_applied_write());
    }

    /// A request whose credentials cannot be had is never sent: the SDK
    /// fails it before signing, and the error says so with a code that no
    /// write recheck takes for "maybe applied".
    #[tokio::test]
    async fn a_request_without_credentials_is_not_sent() {
        use aws_credential_types::provider::error::CredentialsError;
        use aws_credential_types::provider::{ProvideCredentials, future};
        #[derive(Debug)]
        struct Expired;
        impl ProvideCredentials for Expired {
            fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
                    "ExpiredToken: the security token included in the request is expired",
                )))
            }
        }
        let conf = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            // Nothing listens there: a request sent would fail to connect.
            .endpoint_url("http://127.0.0.1:9")
            .credentials_provider(Expired)
            .build();
        let err = aws_sdk_iam::Client::from_conf(conf)
            .delete_account_password_policy()
            .send()
            .await
            .expect_err("no credentials");
        let e = CallError::from_sdk("iam:DeleteAccountPasswordPolicy", err);
        assert_eq!(e.code.as_deref(), Some(NOT_SENT_NO_CREDENTIALS), "{e:?}");
        assert!(
            e.message.contains("not sent") && e.message.contains("ExpiredToken"),
            "{e:?}"
        );
        assert!(!e.may_hide_an_applied_write());
    }

    #[test]
    fn chain_drops_repeats() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "outer: {}", self.0)
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&e), "outer: inner");
    }
}
