//! The start-up checks: the home region, the named profile, the
//! credentials, and who they are (sts:GetCallerIdentity); each failure said
//! in one line ([`AwsInitError`]).

use super::error::{error_chain, one_line};
use super::{
    AwsOptions, CONNECT_TIMEOUT, CREDENTIALS_TIMEOUT, CallError, DEFAULT_REGION, IDENTITY_TIMEOUT,
    OPERATION_TIMEOUT, REGION_TIMEOUT,
};
use crate::aws::inventory::Identity;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use std::error::Error;
use thiserror::Error;

/// Why moat could not start a live session. Its `Display` is one line.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum AwsInitError {
    #[error("profile '{0}' is not in ~/.aws/config or ~/.aws/credentials")]
    UnknownProfile(String),
    #[error(
        "no AWS credentials found (looked in the environment, ~/.aws profiles, SSO, container and instance metadata); configure credentials or run `moat --demo` to try the built-in demo account"
    )]
    NoCredentials,
    #[error("could not load AWS credentials: {0}")]
    Credentials(String),
    #[error("the AWS config files could not be read: {0}")]
    ConfigFiles(String),
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("the AWS credentials were rejected ({code}): {message}")]
    InvalidCredentials { code: String, message: String },
    #[error("sts:GetCallerIdentity at {endpoint} failed: {message}")]
    Identity { endpoint: String, message: String },
    #[error("cannot assume {arn}: {reason}")]
    AssumeRole { arn: String, reason: String },
}

/// Why sts:AssumeRole of `arn` was refused, as one line. AWS answers
/// AccessDenied alike whether the role is missing, its trust policy does
/// not name the caller (or asks for another external id), or a service
/// control policy denies the call; the hint names all three.
pub(super) fn assume_role_failure(arn: &str, err: &CredentialsError) -> AwsInitError {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(sdk) = e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>()
            && let SdkError::ServiceError(ctx) = sdk
        {
            let code = ctx.err().code().unwrap_or("error");
            let message = one_line(ctx.err().message().unwrap_or_default());
            let hint = match code {
                "AccessDenied" => {
                    " (the role may be missing in that account or have another path, its trust \
                     policy may not allow this caller or external id, your own policies may not \
                     allow sts:AssumeRole on it, or a service or resource control policy may deny it)"
                }
                "RegionDisabledException" => {
                    " (STS is not active in this region for the account: activate it in IAM's \
                     account settings, or run moat with another home region)"
                }
                "ExpiredToken" | "ExpiredTokenException" => {
                    " (your own credentials have expired: renew them and run moat again)"
                }
                _ => "",
            };
            return AwsInitError::AssumeRole {
                arn: arn.to_string(),
                reason: format!("{code}: {message}{hint}"),
            };
        }
        source = e.source();
    }
    AwsInitError::AssumeRole {
        arn: arn.to_string(),
        reason: error_chain(err),
    }
}

pub(super) async fn resolve_region(opts: &AwsOptions) -> String {
    if let Some(r) = opts.regions.iter().find(|r| !r.trim().is_empty()) {
        return r.trim().to_string();
    }
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(p) = &opts.profile {
        chain = chain.profile_name(p);
    }
    let chain = chain.build();
    match tokio::time::timeout(REGION_TIMEOUT, chain.region()).await {
        Ok(Some(r)) => r.to_string(),
        _ => DEFAULT_REGION.to_string(),
    }
}

pub(super) async fn ensure_profile_exists(name: &str) -> Result<(), AwsInitError> {
    if profile_exists(name).await? {
        Ok(())
    } else {
        Err(AwsInitError::UnknownProfile(name.to_string()))
    }
}

#[allow(deprecated)]
async fn profile_exists(name: &str) -> Result<bool, AwsInitError> {
    use aws_config::profile::profile_file::ProfileFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &ProfileFiles::default(), None)
        .await
        .map_err(|e| AwsInitError::ConfigFiles(error_chain(&e)))?;
    Ok(set.get_profile(name).is_some())
}

/// sts:GetCallerIdentity, with failures turned into one clear line.
pub(super) async fn caller_identity(
    sts: &aws_sdk_sts::Client,
    sdk: &SdkConfig,
    opts: &AwsOptions,
) -> Result<Identity, AwsInitError> {
    let endpoint = endpoint_label(opts, sdk);
    let out = match tokio::time::timeout(IDENTITY_TIMEOUT, sts.get_caller_identity().send()).await {
        Ok(Ok(out)) => out,
        Ok(Err(err)) => return Err(diagnose(err, sdk, opts, &endpoint).await),
        Err(_) => {
            // Maybe credentials are what hangs (e.g. an SSO or IMDS call); say so if so.
            return Err(match credentials_problem(sdk, opts).await {
                Some(e) => e,
                None => AwsInitError::Unreachable {
                    endpoint,
                    reason: format!("no answer within {} s", IDENTITY_TIMEOUT.as_secs()),
                },
            });
        }
    };
    let (Some(account), Some(arn)) = (out.account(), out.arn()) else {
        return Err(AwsInitError::Identity {
            endpoint,
            message: "the answer lacked the account id or the caller ARN".to_string(),
        });
    };
    Ok(Identity {
        account: account.to_string(),
        arn: arn.to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
    })
}

/// Service error codes that mean "these credentials are not accepted".
const REJECTED_CREDENTIAL_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "ExpiredToken",
    "ExpiredTokenException",
    "TokenRefreshRequired",
    "AuthFailure",
    "IncompleteSignature",
    "InvalidToken",
];

async fn diagnose<E>(
    err: SdkError<E, HttpResponse>,
    sdk: &SdkConfig,
    opts: &AwsOptions,
    endpoint: &str,
) -> AwsInitError
where
    E: ProvideErrorMetadata + Error + 'static,
{
    if let SdkError::ServiceError(_) | SdkError::ResponseError(_) = &err {
        // Something answered, so credentials were found: say what it said.
        return classify_answer(CallError::from_sdk("sts:GetCallerIdentity", err), endpoint);
    }
    // No answer: either there are no usable credentials, or the endpoint could not
    // be reached.
    if let Some(e) = credentials_problem(sdk, opts).await {
        return e;
    }
    let reason = match &err {
        SdkError::TimeoutError(_) => format!("timed out after {} s", OPERATION_TIMEOUT.as_secs()),
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            format!("connection timed out ({} s)", CONNECT_TIMEOUT.as_secs())
        }
        _ => error_chain(&err),
    };
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => AwsInitError::Unreachable {
            endpoint: endpoint.to_string(),
            reason,
        },
        _ => AwsInitError::Identity {
            endpoint: endpoint.to_string(),
            message: reason,
        },
    }
}

/// An answer to sts:GetCallerIdentity that was an error.
fn classify_answer(e: CallError, endpoint: &str) -> AwsInitError {
    match e.code {
        Some(code) if REJECTED_CREDENTIAL_CODES.contains(&code.as_str()) => {
            AwsInitError::InvalidCredentials {
                code,
                message: e.message,
            }
        }
        Some(code) => AwsInitError::Identity {
            endpoint: endpoint.to_string(),
            message: format!("{code}: {}", e.message),
        },
        None => AwsInitError::Identity {
            endpoint: endpoint.to_string(),
            message: e.message,
        },
    }
}

/// Resolve the credentials (once: the provider keeps them for every client).
pub(super) async fn resolve_credentials(
    sdk: &SdkConfig,
    opts: &AwsOptions,
) -> Result<(), AwsInitError> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(AwsInitError::NoCredentials);
    };
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(credentials_failure(e, opts).await),
        Err(_) => Err(AwsInitError::Credentials(format!(
            "the credential provider gave no answer within {} s",
            CREDENTIALS_TIMEOUT.as_secs()
        ))),
    }
}

/// Resolve credentials (the provider's kept answer, when it has one); `Some`
/// when that is what fails.
async fn credentials_problem(sdk: &SdkConfig, opts: &AwsOptions) -> Option<AwsInitError> {
    let Some(provider) = sdk.credentials_provider() else {
        return Some(AwsInitError::NoCredentials);
    };
    let err = match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await
    {
        Ok(Ok(_)) => return None,
        Ok(Err(e)) => e,
        Err(_) => {
            return Some(AwsInitError::Credentials(format!(
                "the credential provider gave no answer within {} s",
                CREDENTIALS_TIMEOUT.as_secs()
            )));
        }
    };
    Some(credentials_failure(err, opts).await)
}

/// Why resolving credentials failed, as one clear line.
async fn credentials_failure(err: CredentialsError, opts: &AwsOptions) -> AwsInitError {
    // A profile named in AWS_PROFILE that does not exist explains a failure.
    if opts.profile.is_none()
        && let Some(p) = std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.trim().is_empty())
        && let Ok(false) = profile_exists(&p).await
    {
        return AwsInitError::UnknownProfile(p);
    }
    match &err {
        // Instance metadata was the last resort and refused: nothing else is configured.
        CredentialsError::ProviderError(_)
            if opts.profile.is_none() && error_chain(&err).contains("IMDS") =>
        {
            AwsInitError::NoCredentials
        }
        CredentialsError::CredentialsNotLoaded(_) => match &opts.profile {
            Some(p) => AwsInitError::Credentials(format!(
                "profile '{p}' has no usable credentials ({})",
                error_chain(&err)
            )),
            None => AwsInitError::NoCredentials,
        },
        _ => AwsInitError::Credentials(error_chain(&err)),
    }
}

/// Where requests go, for messages: the explicit endpoint, the env override, or STS.
fn endpoint_label(opts: &AwsOptions, sdk: &SdkConfig) -> String {
    if let Some(url) = &opts.endpoint_url {
        return one_line(url);
    }
    if let Some(url) = sdk.endpoint_url() {
        return one_line(url);
    }
    for var in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"] {
        if let Ok(url) = std::env::var(var)
            && !url.trim().is_empty()
        {
            return one_line(&url);
        }
    }
    "the AWS STS endpoint".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_errors_are_one_line() {
        let errors = [
            AwsInitError::UnknownProfile("x".into()),
            AwsInitError::NoCredentials,
            AwsInitError::Credentials("the SSO session has expired".into()),
            AwsInitError::Unreachable {
                endpoint: "http://127.0.0.1:1".into(),
                reason: "connection refused".into(),
            },
            AwsInitError::InvalidCredentials {
                code: "InvalidClientTokenId".into(),
                message: "bad token".into(),
            },
            AwsInitError::Identity {
                endpoint: "the AWS STS endpoint".into(),
                message: "x".into(),
            },
        ];
        for e in errors {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert_eq!(
            AwsInitError::UnknownProfile("x".into()).to_string(),
            "profile 'x' is not in ~/.aws/config or ~/.aws/credentials"
        );
        assert!(
            AwsInitError::NoCredentials
                .to_string()
                .contains("moat --demo")
        );
    }

    #[test]
    fn answers_are_classified() {
        let rejected = CallError::new(
            "sts:GetCallerIdentity",
            Some("InvalidClientTokenId".into()),
            "The security token included in the request is invalid.",
        );
        assert_eq!(
            classify_answer(rejected, "x").to_string(),
            "the AWS credentials were rejected (InvalidClientTokenId): The security token included in the request is invalid."
        );
        let expired = CallError::new(
            "sts:GetCallerIdentity",
            Some("ExpiredToken".into()),
            "expired",
        );
        assert!(matches!(
            classify_answer(expired, "x"),
            AwsInitError::InvalidCredentials { .. }
        ));
        let other = CallError::new(
            "sts:GetCallerIdentity",
            None,
            "HTTP 403 without an AWS error code",
        );
        assert_eq!(
            classify_answer(other, "http://127.0.0.1:1").to_string(),
            "sts:GetCallerIdentity at http://127.0.0.1:1 failed: HTTP 403 without an AWS error code"
        );
    }
}
