//! The live AWS backend: the [`Backend`] of the AWS client
//! ([`crate::aws::client`]): each part read by its service's collector, each
//! op sent by its service's SDK request.

mod apply;
#[cfg(test)]
mod moto_tests;

use crate::aws::client::{AwsBackend, CallError, Outcome};
use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{
    ApplyError, Identity, Inventory, PartError, PartId, PartValue, ResourceRef, S3, Versioning,
};
use crate::collect::{Applied, Backend, Mode, OpError};
use crate::plan::Op;
use futures::future::BoxFuture;

impl AwsBackend {
    async fn collect_part(&self, part: PartId) -> Result<PartValue, CallError> {
        Ok(match part {
            PartId::Identity => PartValue::Identity(self.identity().clone()),
            PartId::AccountSummary => PartValue::AccountSummary(self.account_summary().await?),
            PartId::Iam => PartValue::Iam(self.collect_iam().await?),
            PartId::CredentialReport => {
                PartValue::CredentialReport(self.credential_report().await?)
            }
            PartId::PasswordPolicy => PartValue::PasswordPolicy(self.password_policy().await?),
            PartId::AlternateContacts => {
                PartValue::AlternateContacts(self.alternate_contacts().await?)
            }
            PartId::RootAccess => PartValue::RootAccess(self.collect_root_access().await?),
            PartId::S3Buckets => PartValue::S3Buckets(self.collect_s3().await?),
            PartId::S3AccountPublicAccessBlock => {
                PartValue::S3AccountPublicAccessBlock(self.collect_account_pab().await?)
            }
            PartId::CloudFront => PartValue::CloudFront(self.collect_cloudfront().await?),
            PartId::Trails => PartValue::Trails(self.collect_trails().await?),
            PartId::Ec2Network => PartValue::Ec2Network(self.collect_ec2_network().await?),
            PartId::Ec2Instances => PartValue::Ec2Instances(self.collect_ec2_instances().await?),
            PartId::Ec2Images => PartValue::Ec2Images(self.collect_ec2_images().await?),
            PartId::EbsEncryption => PartValue::EbsEncryption(self.collect_ebs_encryption().await?),
            PartId::Ebs => PartValue::Ebs(self.collect_ebs().await?),
            PartId::VpcFlowLogs => PartValue::VpcFlowLogs(self.collect_vpc_flow_logs().await?),
            PartId::GuardDuty => PartValue::GuardDuty(self.collect_guardduty().await?),
            PartId::SessionRegions => {
                PartValue::SessionRegions(self.collect_session_regions().await?)
            }
            PartId::TrailBucketLifecycles => {
                PartValue::TrailBucketLifecycles(self.collect_trail_lifecycles().await?)
            }
            PartId::KmsKeys => PartValue::KmsKeys(self.collect_kms_keys().await?),
            PartId::SnsTopics => PartValue::SnsTopics(self.collect_sns_topics().await?),
            PartId::MetricAlarms => PartValue::MetricAlarms(self.collect_metric_alarms().await?),
            PartId::MetricFilters => PartValue::MetricFilters(self.collect_metric_filters().await?),
            PartId::BillingMetrics => {
                PartValue::BillingMetrics(self.collect_billing_metrics().await?)
            }

            PartId::Rds => PartValue::Rds(self.collect_rds().await?),
            PartId::Route53 => PartValue::Route53(self.collect_route53().await?),
            PartId::Elb => PartValue::Elb(self.collect_elb().await?),
            PartId::Inspector => PartValue::Inspector(self.collect_inspector().await?),
        })
    }
}

impl Backend for AwsBackend {
    fn mode(&self) -> Mode {
        Mode::Live
    }

    fn collect(&self, part: PartId) -> BoxFuture<'_, Result<PartValue, PartError>> {
        Box::pin(async move {
            let r = self.collect_part(part).await;
            if let Err(e) = &r {
                tracing::warn!(part = ?part, "collect failed: {e}");
            }
            r
        })
    }

    fn caller(&self) -> BoxFuture<'_, Result<Identity, PartError>> {
        Box::pin(self.reread_caller())
    }

    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a str,
        region: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, PartError>> {
        Box::pin(self.reread_bucket_policy(bucket, region))
    }

    fn bucket_versioning<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<Versioning, PartError>> {
        Box::pin(self.reread_bucket_versioning(bucket, region))
    }

    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>> {
        Box::pin(async move { Ok(self.apply_outcome(op).await?.0) })
    }

    fn apply_outcome<'a>(
        &'a self,
        op: &'a Op,
    ) -> BoxFuture<'a, Result<(Applied, Outcome), OpError>> {
        Box::pin(async move {
            tracing::info!(action = op.action(), "apply: {}", op.describe());
            let e = match self.apply_op(op).await {
                Ok(outcome) => return Ok((Applied::Sent, outcome)),
                Err(e) => e,
            };
            tracing::warn!(action = op.action(), code = ?e.code, "apply failed: {}", e.message);
            if !e.may_hide_an_applied_write() {
                return Err(e);
            }
            // An earlier attempt may have been applied with its answer lost:
            // the account tells (see the module docs).
            match self.effect_in_place(op).await {
                Ok(true) => {
                    tracing::warn!(
                        action = op.action(),
                        "the change is in place although the answer was an error (an earlier attempt was applied)"
                    );
                    Ok((Applied::Sent, Outcome::default()))
                }
                Ok(false) => Err(CallError::new(
                    e.action,
                    e.code,
                    format!(
                        "{}; re-reading the account shows the change was not applied",
                        e.message
                    ),
                )),
                Err(read) => Err(CallError::new(
                    e.action,
                    e.code,
                    format!(
                        "{}; the change may or may not have been applied (re-reading failed: {}); re-scan",
                        e.message,
                        read.summary()
                    ),
                )
                .with_unknown_outcome()),
            }
        })
    }
}

impl AwsBackend {
    /// Whether `op`'s effect is in the account now: the resource re-read, with
    /// `op` applied to it, is unchanged (for a create: the entity exists; for a
    /// delete: it is gone).
    async fn effect_in_place(&self, op: &Op) -> Result<bool, CallError> {
        let resource = op.resource();
        let mut inv = Inventory::default();
        inv.set(PartValue::Identity(self.identity().clone()));
        match &resource {
            // One bucket's settings, not every bucket of the account.
            ResourceRef::Bucket { name } => {
                let bucket = self
                    .read_bucket(name.clone(), op.region().map(str::to_string))
                    .await;
                inv.set(PartValue::S3Buckets(S3 {
                    buckets: bucket.into_iter().collect(),
                    owner_id: None,
                }));
            }
            _ => {
                for part in resource.parts() {
                    inv.set(self.collect_part(*part).await?);
                }
            }
        }
        let not_ready = |e: NotReady| {
            CallError::new(
                op.action(),
                None,
                format!("the {} part could not be read", e.0.label()),
            )
        };
        let now = inv.document(&resource).map_err(not_ready)?;
        let verb = op.action().rsplit(':').next().unwrap_or_default();
        let mut expected = inv.clone();
        match expected.apply(op) {
            Ok(()) => {}
            // A create whose entity exists, a delete whose entity is gone.
            Err(ApplyError::Exists(_)) if verb.starts_with("Create") => return Ok(true),
            Err(ApplyError::NoSuch(_)) if verb.starts_with("Delete") => return Ok(true),
            Err(e) => {
                return Err(CallError::new(
                    op.action(),
                    None,
                    format!("the re-read account does not take this change: {e}"),
                ));
            }
        }
        Ok(expected.document(&resource).map_err(not_ready)? == now)
    }
}
