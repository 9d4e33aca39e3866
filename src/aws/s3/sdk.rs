//! S3's SDK calls: the requests each op sends, through a client of the
//! bucket's own region (S3 Control's for the account's public access block).

use super::MfaToken;
use super::ops::{
    CreateBucket, DeleteAccountPublicAccessBlock, DeleteBucket, DeleteBucketEncryption,
    DeleteBucketPolicy, DeleteBucketPublicAccessBlock, PutAccountPublicAccessBlock, PutBucketAcl,
    PutBucketEncryption, PutBucketPolicy, PutBucketPublicAccessBlock, PutBucketVersioning,
};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{Acl, Encryption, Grantee};
use crate::aws::op::OpKind;
use aws_sdk_s3::types::{
    AccessControlPolicy, BucketVersioningStatus, MfaDelete, Owner, Permission,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Type, VersioningConfiguration,
};
use tracing::Dispatch;
use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;

/// A public access block's four settings, in the builder of S3 (a
/// bucket's) or of S3 Control (the account's).
macro_rules! public_access_block {
    ($builder:ty, $config:expr) => {{
        let config = &$config;
        <$builder>::builder()
            .block_public_acls(config.block_public_acls)
            .ignore_public_acls(config.ignore_public_acls)
            .block_public_policy(config.block_public_policy)
            .restrict_public_buckets(config.restrict_public_buckets)
            .build()
    }};
}

impl SendOp for PutAccountPublicAccessBlock {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let c = public_access_block!(
            aws_sdk_s3control::types::PublicAccessBlockConfiguration,
            self.config
        );
        let request = aws
            .s3control()
            .put_public_access_block()
            .account_id(&aws.identity().account)
            .public_access_block_configuration(c);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteAccountPublicAccessBlock {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .s3control()
            .delete_public_access_block()
            .account_id(&aws.identity().account);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for PutBucketPublicAccessBlock {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let c = public_access_block!(
            aws_sdk_s3::types::PublicAccessBlockConfiguration,
            self.config
        );
        let request = aws
            .s3(&self.region)
            .put_public_access_block()
            .bucket(&self.bucket)
            .public_access_block_configuration(c);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteBucketPublicAccessBlock {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .s3(&self.region)
            .delete_public_access_block()
            .bucket(&self.bucket);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for PutBucketPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let document = serde_json::to_string(&self.policy).map_err(|e| {
            CallError::new(
                Self::ACTION,
                None,
                format!("the bucket policy could not be serialized: {e}"),
            )
        })?;
        let request = aws
            .s3(&self.region)
            .put_bucket_policy()
            .bucket(&self.bucket)
            .policy(document);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteBucketPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .s3(&self.region)
            .delete_bucket_policy()
            .bucket(&self.bucket);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for PutBucketAcl {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let policy = access_control_policy(&self.acl)
            .map_err(|m| CallError::new(Self::ACTION, None, format!("bad ACL: {m}")))?;
        let request = aws
            .s3(&self.region)
            .put_bucket_acl()
            .bucket(&self.bucket)
            .access_control_policy(policy);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for PutBucketEncryption {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let config = encryption_configuration(&self.encryption).map_err(|m| {
            CallError::new(Self::ACTION, None, format!("bad encryption setting: {m}"))
        })?;
        let request = aws
            .s3(&self.region)
            .put_bucket_encryption()
            .bucket(&self.bucket)
            .server_side_encryption_configuration(config);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteBucketEncryption {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .s3(&self.region)
            .delete_bucket_encryption()
            .bucket(&self.bucket);
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for PutBucketVersioning {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let header = mfa_header(Self::ACTION, self.mfa_delete, self.mfa.as_ref())?;
        let config = VersioningConfiguration::builder()
            .status(BucketVersioningStatus::from(self.status.as_str()))
            .set_mfa_delete(self.mfa_delete.map(|on| {
                if on {
                    MfaDelete::Enabled
                } else {
                    MfaDelete::Disabled
                }
            }))
            .build();
        // The SDK's own trace events (the request, the canonical request
        // it signs) would show the x-amz-mfa header: a request carrying
        // one is sent with no subscriber listening.
        let dispatch = if header.is_some() {
            Dispatch::new(NoSubscriber::default())
        } else {
            tracing::dispatcher::get_default(Dispatch::clone)
        };
        let request = aws
            .s3(&self.region)
            .put_bucket_versioning()
            .bucket(&self.bucket)
            .versioning_configuration(config)
            .set_mfa(header);
        aws.send_write(Self::ACTION, request.send().with_subscriber(dispatch))
            .await?;
        Ok(Outcome::default())
    }
}

impl SendOp for CreateBucket {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let region = &self.region;
        let mut request = aws
            .s3(region)
            .create_bucket()
            .bucket(&self.bucket)
            .object_ownership(aws_sdk_s3::types::ObjectOwnership::BucketOwnerEnforced);
        // us-east-1 is the one region that takes no location constraint.
        if region != "us-east-1" {
            request = request.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        region.as_str(),
                    ))
                    .build(),
            );
        }
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteBucket {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let bucket = &self.bucket;
        let request = aws.s3(&self.region).delete_bucket().bucket(bucket);
        match aws.send_write(Self::ACTION, request.send()).await {
            // A log bucket moat created has since received logs:
            // they are kept, and so is the bucket.
            Err(mut e) if e.code.as_deref() == Some("BucketNotEmpty") => {
                e.message = crate::guide::msg("plan", "bucket_kept", &[("bucket", bucket)]);
                Err(e)
            }
            r => r.map(|_| Outcome::default()),
        }
    }
}

/// The `x-amz-mfa` header for PutBucketVersioning: required when MFA Delete
/// changes. The token itself is never put in an error or a log line.
fn mfa_header(
    action: &str,
    mfa_delete: Option<bool>,
    mfa: Option<&MfaToken>,
) -> Result<Option<String>, CallError> {
    match (mfa_delete, mfa) {
        (Some(_), None) => Err(CallError::new(
            action,
            None,
            "changing MFA Delete needs the root user's MFA device serial number and its current code",
        )),
        (Some(_), Some(t)) if t.serial.trim().is_empty() || t.code.trim().is_empty() => {
            Err(CallError::new(
                action,
                None,
                "changing MFA Delete needs both the MFA device serial number and its current code",
            ))
        }
        (_, Some(t)) => Ok(Some(t.header())),
        (None, None) => Ok(None),
    }
}

/// The ACL as PutBucketAcl's AccessControlPolicy.
pub(crate) fn access_control_policy(acl: &Acl) -> Result<AccessControlPolicy, String> {
    let mut grants = Vec::with_capacity(acl.grants.len());
    for g in &acl.grants {
        let grantee = match &g.grantee {
            Grantee::CanonicalUser { id, display_name } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::CanonicalUser)
                .id(id)
                .set_display_name(display_name.clone()),
            Grantee::Group { uri } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::Group)
                .uri(uri),
            Grantee::Email { address } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::AmazonCustomerByEmail)
                .email_address(address),
        }
        .build()
        .map_err(|e| e.to_string())?;
        grants.push(
            aws_sdk_s3::types::Grant::builder()
                .grantee(grantee)
                .permission(Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    let owner = Owner::builder()
        .id(&acl.owner_id)
        .set_display_name(acl.owner_display_name.clone())
        .build();
    Ok(AccessControlPolicy::builder()
        .owner(owner)
        .set_grants(Some(grants))
        .build())
}

pub(crate) fn encryption_configuration(
    e: &Encryption,
) -> Result<ServerSideEncryptionConfiguration, String> {
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(e.algorithm.as_str()))
        .set_kms_master_key_id(e.kms_key.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(default)
        .set_bucket_key_enabled(e.bucket_key)
        .build();
    ServerSideEncryptionConfiguration::builder()
        .rules(rule)
        .build()
        .map_err(|e| e.to_string())
}

// Lifecycle and server access logging.

impl crate::aws::client::SendOp for super::ops::PutBucketLifecycle {
    async fn send(
        &self,
        aws: &crate::aws::client::AwsBackend,
    ) -> Result<crate::aws::client::Outcome, crate::aws::client::CallError> {
        use crate::aws::client::CallError;
        let action = <Self as crate::aws::op::OpKind>::ACTION;
        let bad = |e: String| CallError::new(action, None, e);
        let rules = self
            .rules
            .iter()
            .map(rule_to)
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad)?;
        let config = aws_sdk_s3::types::BucketLifecycleConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let r = aws
            .s3(&self.region)
            .put_bucket_lifecycle_configuration()
            .bucket(&self.bucket)
            .lifecycle_configuration(config)
            .set_transition_default_minimum_object_size(
                self.transition_default_minimum_object_size
                    .as_deref()
                    .map(aws_sdk_s3::types::TransitionDefaultMinimumObjectSize::from),
            );
        aws.send_write(action, r.send()).await?;
        Ok(crate::aws::client::Outcome::default())
    }
}

impl crate::aws::client::SendOp for super::ops::DeleteBucketLifecycle {
    async fn send(
        &self,
        aws: &crate::aws::client::AwsBackend,
    ) -> Result<crate::aws::client::Outcome, crate::aws::client::CallError> {
        let action = <Self as crate::aws::op::OpKind>::ACTION;
        let r = aws
            .s3(&self.region)
            .delete_bucket_lifecycle()
            .bucket(&self.bucket);
        aws.send_write(action, r.send()).await?;
        Ok(crate::aws::client::Outcome::default())
    }
}

impl crate::aws::client::SendOp for super::ops::PutBucketLogging {
    async fn send(
        &self,
        aws: &crate::aws::client::AwsBackend,
    ) -> Result<crate::aws::client::Outcome, crate::aws::client::CallError> {
        let action = <Self as crate::aws::op::OpKind>::ACTION;
        let mut status = aws_sdk_s3::types::BucketLoggingStatus::builder();
        if let Some(l) = &self.logging {
            status = status.logging_enabled(
                aws_sdk_s3::types::LoggingEnabled::builder()
                    .target_bucket(&l.target_bucket)
                    .target_prefix(&l.target_prefix)
                    .build()
                    .map_err(|e| crate::aws::client::CallError::new(action, None, e.to_string()))?,
            );
        }
        let r = aws
            .s3(&self.region)
            .put_bucket_logging()
            .bucket(&self.bucket)
            .bucket_logging_status(status.build());
        aws.send_write(action, r.send()).await?;
        Ok(crate::aws::client::Outcome::default())
    }
}

fn date_parse(s: &str) -> Result<aws_smithy_types::DateTime, String> {
    aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
        .map_err(|e| format!("date {s}: {e}"))
}

fn tag_to(t: &crate::aws::inventory::Tag) -> Result<aws_sdk_s3::types::Tag, String> {
    aws_sdk_s3::types::Tag::builder()
        .key(&t.key)
        .value(&t.value)
        .build()
        .map_err(|e| e.to_string())
}

/// A lifecycle rule as PutBucketLifecycleConfiguration takes it, every field
/// of the model's (the inverse of the rule read from S3).
#[allow(deprecated)]
pub(crate) fn rule_to(
    r: &crate::aws::inventory::LifecycleRule,
) -> Result<aws_sdk_s3::types::LifecycleRule, String> {
    use aws_sdk_s3::types as s;
    let mut b = s::LifecycleRule::builder()
        .set_id(r.id.clone())
        .status(s::ExpirationStatus::from(r.status.as_str()))
        .set_prefix(r.prefix.clone());
    if let Some(f) = &r.filter {
        let conditions = f.prefix.is_some() as usize
            + f.tags.len()
            + f.object_size_greater_than.is_some() as usize
            + f.object_size_less_than.is_some() as usize;
        let filter = if conditions > 1 {
            let mut and = s::LifecycleRuleAndOperator::builder()
                .set_prefix(f.prefix.clone())
                .set_object_size_greater_than(f.object_size_greater_than)
                .set_object_size_less_than(f.object_size_less_than);
            for t in &f.tags {
                and = and.tags(tag_to(t)?);
            }
            s::LifecycleRuleFilter::builder().and(and.build()).build()
        } else {
            let mut fb = s::LifecycleRuleFilter::builder()
                .set_prefix(f.prefix.clone())
                .set_object_size_greater_than(f.object_size_greater_than)
                .set_object_size_less_than(f.object_size_less_than);
            if let Some(t) = f.tags.first() {
                fb = fb.tag(tag_to(t)?);
            }
            // An empty filter is the whole bucket: an empty prefix says so.
            if conditions == 0 {
                fb = fb.prefix("");
            }
            fb.build()
        };
        b = b.filter(filter);
    }
    for t in &r.transitions {
        let mut tb = s::Transition::builder()
            .set_days(t.days)
            .storage_class(s::TransitionStorageClass::from(t.storage_class.as_str()));
        if let Some(d) = &t.date {
            tb = tb.date(date_parse(d)?);
        }
        b = b.transitions(tb.build());
    }
    if let Some(e) = &r.expiration {
        let mut eb = s::LifecycleExpiration::builder()
            .set_days(e.days)
            .set_expired_object_delete_marker(e.expired_object_delete_marker);
        if let Some(d) = &e.date {
            eb = eb.date(date_parse(d)?);
        }
        b = b.expiration(eb.build());
    }
    for t in &r.noncurrent_transitions {
        b = b.noncurrent_version_transitions(
            s::NoncurrentVersionTransition::builder()
                .set_noncurrent_days(t.noncurrent_days)
                .set_newer_noncurrent_versions(t.newer_noncurrent_versions)
                .storage_class(s::TransitionStorageClass::from(t.storage_class.as_str()))
                .build(),
        );
    }
    if let Some(e) = &r.noncurrent_expiration {
        b = b.noncurrent_version_expiration(
            s::NoncurrentVersionExpiration::builder()
                .set_noncurrent_days(e.noncurrent_days)
                .set_newer_noncurrent_versions(e.newer_noncurrent_versions)
                .build(),
        );
    }
    if let Some(d) = r.abort_incomplete_multipart_days {
        b = b.abort_incomplete_multipart_upload(
            s::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(d)
                .build(),
        );
    }
    b.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_delete_needs_a_token() {
        let e = mfa_header("s3:PutBucketVersioning", Some(true), None).expect_err("no token given");
        assert!(e.message.contains("serial"), "{}", e.message);
        let token = MfaToken {
            serial: "arn:aws:iam::123456789012:mfa/root".into(),
            code: "123456".into(),
        };
        assert_eq!(
            mfa_header("s3:PutBucketVersioning", Some(true), Some(&token)),
            Ok(Some(
                "arn:aws:iam::123456789012:mfa/root 123456".to_string()
            ))
        );
        let blank = MfaToken {
            serial: "SERIAL-42".into(),
            code: " ".into(),
        };
        let e = mfa_header("s3:PutBucketVersioning", Some(false), Some(&blank))
            .expect_err("blank code");
        assert!(!e.to_string().contains("SERIAL-42"), "{e}");
        assert_eq!(mfa_header("s3:PutBucketVersioning", None, None), Ok(None));
    }
}
