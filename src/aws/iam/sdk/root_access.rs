//! Centralized root access: the organization and its features, read with
//! the caller's own credentials; a member account's root user credentials,
//! read and removed in a root session of that account (sts:AssumeRoot,
//! asked with the caller's credentials, scoped by an AWS task policy).

use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp, bad_input};
use crate::aws::iam::ops::{
    DeleteRootCredential, DisableRootCredentialsManagement, DisableRootSessions,
    EnableIamTrustedAccess, EnableRootCredentialsManagement, EnableRootSessions, RootCredentialRef,
};
use crate::aws::iam::root_access::{
    OrgRootAccess, RootAccess, RootCredential, RootCredentials, RootFeatures, RootTask,
};
use crate::aws::inventory::KeyStatus;
use crate::aws::op::OpKind;
use std::time::{Duration, Instant};

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
        let orgs: aws_sdk_organizations::Client = self.admin_client();
        let described = match self
            .send(
                "organizations:DescribeOrganization",
                orgs.describe_organization().send(),
            )
            .await
        {
            Ok(d) => d,
            Err(e) if e.is_code("AWSOrganizationsNotInUseException") => {
                return Ok(RootAccess::default());
            }
            Err(e) => {
                return Ok(RootAccess {
                    organization: None,
                    error: Some(e),
                });
            }
        };
        let org = described.organization();
        let management_account = org
            .and_then(|o| o.master_account_id())
            .unwrap_or_default()
            .to_string();
        let account = self.identity().account.clone();
        let features = self.root_features().await;
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
                id: org.and_then(|o| o.id()).unwrap_or_default().to_string(),
                management_account,
                caller_account: self.admin_identity().account.clone(),
                account,
                features,
                audit,
            }),
            error: None,
        })
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

impl SendOp for EnableIamTrustedAccess {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let orgs: aws_sdk_organizations::Client = aws.admin_client();
        let request = orgs
            .enable_aws_service_access()
            .service_principal(IAM_PRINCIPAL);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for EnableRootCredentialsManagement {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let iam: aws_sdk_iam::Client = aws.admin_client();
        let request = iam.enable_organizations_root_credentials_management();
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DisableRootCredentialsManagement {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let iam: aws_sdk_iam::Client = aws.admin_client();
        let request = iam.disable_organizations_root_credentials_management();
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for EnableRootSessions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let iam: aws_sdk_iam::Client = aws.admin_client();
        let request = iam.enable_organizations_root_sessions();
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DisableRootSessions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let iam: aws_sdk_iam::Client = aws.admin_client();
        let request = iam.disable_organizations_root_sessions();
        aws.write(Self::ACTION, request.send()).await
    }
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
                .await
            }
        }
    }
}
