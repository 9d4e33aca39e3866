//! Centralized root access: the organization and its features, read with
//! the caller's own credentials; a member account's root user credentials,
//! read and removed in a root session of that account (sts:AssumeRoot,
//! asked with the caller's credentials, scoped by an AWS task policy).

use crate::aws::client::{
    AwsBackend, CallError, Outcome, SendOp, bad_input, global_signing_region,
};
use crate::aws::iam::ops::{
    DeleteRootCredential, DisableRootCredentialsManagement, DisableRootSessions,
    EnableIamTrustedAccess, EnableRootCredentialsManagement, EnableRootSessions, RootCredentialRef,
};
use crate::aws::iam::root_access::{
    OrgRootAccess, RootAccess, RootCredential, RootCredentials, RootFeatures, RootTask,
    is_virtual_mfa,
};
use crate::aws::inventory::KeyStatus;
use crate::aws::op::OpKind;
use std::time::{Duration, Instant};

/// Organizations' answer to an account in no organization.
const NOT_IN_USE: &str = "AWSOrganizationsNotInUseException";
/// IAM's answer to a caller that is neither the management account nor the
/// delegated administrator (moat says the same of a caller in another organization).
pub(crate) const NOT_ADMIN: &str = "AccountNotManagementOrDelegatedAdministratorException";

/// The principal of IAM's trusted access in Organizations.
const IAM_PRINCIPAL: &str = "iam.amazonaws.com";

/// A root session lasts at most 15 minutes (AssumeRoot's DurationSeconds
/// cap); moat asks for all of it and opens a new one with this much left.
const ROOT_SESSION_SECONDS: i32 = 900;
const ROOT_SESSION_MARGIN: Duration = Duration::from_secs(120);

fn key_status(s: Option<&aws_sdk_iam::types::StatusType>) -> KeyStatus {
    match s {
        Some(aws_sdk_iam::types::StatusType::Inactive) => KeyStatus::Inactive,
        _ => KeyStatus::Active,
    }
}

impl AwsBackend {
    /// The organization as the caller sees it (organizations:
    /// DescribeOrganization, iam:ListOrganizationsFeatures) and, for a
    /// member account when both features are on, its root user's
    /// credentials through an audit session. Fails only for an unexpected
    /// error of the identity of the account itself; the organization's own
    /// errors are kept in the answer for the item that judges them.
    pub(crate) async fn collect_root_access(&self) -> Result<RootAccess, CallError> {
        const DESCRIBE: &str = "organizations:DescribeOrganization";
        // The account's own organization, asked with its own credentials
        // (every member may): the caller's could be another one, or none.
        let own: aws_sdk_organizations::Client = self.client(global_signing_region(self.region()));
        let described = match self
            .send(DESCRIBE, own.describe_organization().send())
            .await
        {
            Ok(d) => d,
            Err(e) if e.is_code(NOT_IN_USE) => return Ok(RootAccess::default()),
            Err(e) => {
                return Ok(RootAccess {
                    organization: None,
                    error: Some(e),
                });
            }
        };
        let org = described.organization();
        let id = org.and_then(|o| o.id()).unwrap_or_default().to_string();
        let management_account = org
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_string();
        let account = self.identity().account.clone();
        let caller_account = self.admin_identity().account.clone();
        // Only the management account or the delegated administrator of the
        // account's own organization can read its features and open root
        // sessions: a caller in another organization (or none) is told so.
        let features = match self
            .caller_organization(&caller_account, &account, &id)
            .await
        {
            Ok(true) => self.root_features().await,
            Ok(false) => Err(CallError::new(
                DESCRIBE,
                Some(NOT_ADMIN.to_string()),
                format!("the caller's account {caller_account} is not in organization {id}"),
            )),
            Err(e) => Err(e),
        };
        let audit = match &features {
            // AWS opens root sessions for the IAM tasks once both features
            // are on; before that the item fails on the features anyway.
            Ok(f) if f.all_on() && account != management_account => {
                Some(self.read_root_credentials().await)
            }
            _ => None,
        };
        Ok(RootAccess {
            organization: Some(OrgRootAccess {
                id,
                management_account,
                caller_account,
                account,
                features,
                audit,
            }),
            error: None,
        })
    }

    /// Whether the caller's account is in organization `id` (the account's).
    async fn caller_organization(
        &self,
        caller: &str,
        account: &str,
        id: &str,
    ) -> Result<bool, CallError> {
        if caller == account {
            return Ok(true);
        }
        let orgs: aws_sdk_organizations::Client = self.admin_client();
        match self
            .send(
                "organizations:DescribeOrganization",
                orgs.describe_organization().send(),
            )
            .await
        {
            Ok(d) => Ok(d.organization().and_then(|o| o.id()) == Some(id)),
            Err(e) if e.is_code(NOT_IN_USE) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// iam:ListOrganizationsFeatures with the caller's credentials. IAM
    /// answers ServiceAccessNotEnabledException while trusted access for
    /// IAM is off: then neither feature is on.
    async fn root_features(&self) -> Result<RootFeatures, CallError> {
        let iam: aws_sdk_iam::Client = self.admin_client();
        match self
            .send(
                "iam:ListOrganizationsFeatures",
                iam.list_organizations_features().send(),
            )
            .await
        {
            Ok(out) => {
                let on = |name: &str| out.enabled_features().iter().any(|f| f.as_str() == name);
                Ok(RootFeatures {
                    trusted_access: true,
                    credentials_management: on("RootCredentialsManagement"),
                    root_sessions: on("RootSessions"),
                })
            }
            Err(e) if e.is_code("ServiceAccessNotEnabledException") => Ok(RootFeatures::default()),
            Err(e) => Err(e),
        }
    }

    /// An IAM client in a root session of this account for `task`: asked
    /// with the caller's credentials (sts:AssumeRoot, TargetPrincipal this
    /// account), reused while it has more than a couple of minutes left.
    async fn root_session(&self, task: RootTask) -> Result<aws_sdk_iam::Client, CallError> {
        const ACTION: &str = "sts:AssumeRoot";
        let mut sessions = self.root_sessions().lock().await;
        if let Some((client, until)) = sessions.get(task.policy_name())
            && *until > Instant::now() + ROOT_SESSION_MARGIN
        {
            return Ok(client.clone());
        }
        let account = &self.identity().account;
        let partition = self.admin_identity().partition().to_string();
        let policy = aws_sdk_sts::types::PolicyDescriptorType::builder()
            .arn(task.policy_arn(&partition))
            .build();
        let asked = Instant::now();
        let out = self
            .send(
                ACTION,
                self.admin_sts()
                    .assume_root()
                    .target_principal(account)
                    .task_policy_arn(policy)
                    .duration_seconds(ROOT_SESSION_SECONDS)
                    .send(),
            )
            .await?;
        let Some(c) = out.credentials() else {
            return Err(bad_input(ACTION, "the answer held no credentials"));
        };
        // How long the session lasts, from AWS's expiry against our clock
        // (never more than asked for).
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let left = (c.expiration().secs() - now).clamp(0, i64::from(ROOT_SESSION_SECONDS));
        let credentials = aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "moat-assume-root",
        );
        let client = self.iam_with(credentials);
        sessions.insert(
            task.policy_name(),
            (client.clone(), asked + Duration::from_secs(left as u64)),
        );
        Ok(client)
    }

    /// The root user's password, access keys, signing certificates and MFA
    /// devices, read in an audit session (`IAMAuditRootUserCredentials`).
    /// With no user name, each call is about the session's user: the root user.
    async fn read_root_credentials(&self) -> Result<RootCredentials, CallError> {
        let iam = self.root_session(RootTask::Audit).await?;
        let password = match self
            .send("iam:GetLoginProfile", iam.get_login_profile().send())
            .await
        {
            Ok(_) => true,
            Err(e) if e.is_code("NoSuchEntity") => false,
            Err(e) => return Err(e),
        };
        let (keys, certs, mfa) = futures::future::try_join3(
            self.send("iam:ListAccessKeys", iam.list_access_keys().send()),
            self.send(
                "iam:ListSigningCertificates",
                iam.list_signing_certificates().send(),
            ),
            self.send("iam:ListMFADevices", iam.list_mfa_devices().send()),
        )
        .await?;
        // The root user has at most 2 keys, 2 certificates and 8 MFA devices:
        // one page each. A longer answer is not read as "nothing more".
        if keys.is_truncated() || certs.is_truncated() || mfa.is_truncated() {
            return Err(bad_input(
                "iam:ListAccessKeys",
                "the root user's credentials did not fit one page",
            ));
        }
        Ok(RootCredentials {
            password,
            access_keys: keys
                .access_key_metadata()
                .iter()
                .filter_map(|k| {
                    Some(RootCredential {
                        id: k.access_key_id()?.to_string(),
                        status: key_status(k.status()),
                    })
                })
                .collect(),
            signing_certificates: certs
                .certificates()
                .iter()
                .map(|c| RootCredential {
                    id: c.certificate_id().to_string(),
                    status: key_status(Some(c.status())),
                })
                .collect(),
            mfa_devices: mfa
                .mfa_devices()
                .iter()
                .map(|d| d.serial_number().to_string())
                .collect(),
        })
    }
}

impl AwsBackend {
    /// Refuse (nothing sent) unless the caller's organization is `id`: the
    /// organization's features are changed for the organization the plan was
    /// made for, never another the caller has since moved to.
    async fn same_organization(&self, action: &str, id: &str) -> Result<(), CallError> {
        let orgs: aws_sdk_organizations::Client = self.admin_client();
        let d = self
            .send(
                "organizations:DescribeOrganization",
                orgs.describe_organization().send(),
            )
            .await?;
        match d.organization().and_then(|o| o.id()) {
            Some(now) if now == id => Ok(()),
            now => Err(bad_input(
                action,
                format!(
                    "the plan is for organization {id}, but the caller's organization is {}",
                    now.unwrap_or("none")
                ),
            )),
        }
    }

    /// Send a feature change; right after trusted access for IAM is turned
    /// on, IAM may still answer ServiceAccessNotEnabledException for a
    /// moment: that answer is retried a few times before it is an error.
    async fn send_feature<T, E, F, Fut>(
        &self,
        action: &str,
        request: F,
    ) -> Result<Outcome, CallError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<
                Output = Result<
                    T,
                    aws_smithy_runtime_api::client::result::SdkError<
                        E,
                        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
                    >,
                >,
            >,
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut wait = Duration::from_secs(2);
        for _ in 0..3 {
            match self.write(action, request()).await {
                Err(e) if e.is_code("ServiceAccessNotEnabledException") => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                other => return other,
            }
        }
        self.write(action, request()).await
    }
}

impl SendOp for EnableIamTrustedAccess {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        aws.same_organization(Self::ACTION, &self.organization)
            .await?;
        let orgs: aws_sdk_organizations::Client = aws.admin_client();
        let request = orgs
            .enable_aws_service_access()
            .service_principal(IAM_PRINCIPAL);
        aws.write(Self::ACTION, request.send()).await
    }
}

/// The SDK request of each feature op: the organization checked, then sent
/// with the caller's credentials (the management account's).
macro_rules! send_feature {
    ($($op:ident => $call:ident,)*) => {
        $(
            impl SendOp for $op {
                async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
                    aws.same_organization(Self::ACTION, &self.organization).await?;
                    let iam: aws_sdk_iam::Client = aws.admin_client();
                    aws.send_feature(Self::ACTION, || iam.$call().send()).await
                }
            }
        )*
    };
}

send_feature! {
    EnableRootCredentialsManagement => enable_organizations_root_credentials_management,
    DisableRootCredentialsManagement => disable_organizations_root_credentials_management,
    EnableRootSessions => enable_organizations_root_sessions,
    DisableRootSessions => disable_organizations_root_sessions,
}

impl SendOp for DeleteRootCredential {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let action = self.call();
        // The op names its account: it is never sent to another.
        if self.account != aws.identity().account {
            return Err(bad_input(
                action,
                format!(
                    "this change is for account {}, not {}",
                    self.account,
                    aws.identity().account
                ),
            ));
        }
        let iam = aws.root_session(RootTask::Delete).await?;
        match &self.credential {
            RootCredentialRef::Password => {
                aws.write(action, iam.delete_login_profile().send()).await
            }
            RootCredentialRef::AccessKey { id } => {
                aws.write(action, iam.delete_access_key().access_key_id(id).send())
                    .await
            }
            RootCredentialRef::SigningCertificate { id } => {
                aws.write(
                    action,
                    iam.delete_signing_certificate().certificate_id(id).send(),
                )
                .await
            }
            RootCredentialRef::MfaDevice { serial } => {
                aws.write(
                    action,
                    iam.deactivate_mfa_device().serial_number(serial).send(),
                )
                .await?;
                // A virtual device left unassigned still exists (and keeps
                // its name taken): the same session deletes it.
                if !is_virtual_mfa(serial) {
                    return Ok(Outcome::default());
                }
                match aws
                    .send_write(
                        "iam:DeleteVirtualMFADevice",
                        iam.delete_virtual_mfa_device().serial_number(serial).send(),
                    )
                    .await
                {
                    Ok(_) => Ok(Outcome::default()),
                    Err(e) => Ok(Outcome {
                        warning: Some(format!(
                            "the device was deactivated, but deleting virtual MFA device {serial} failed: {}",
                            e.summary()
                        )),
                        ..Outcome::default()
                    }),
                }
            }
        }
    }
}
