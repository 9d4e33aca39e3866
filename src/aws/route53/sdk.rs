//! Route 53's SDK calls: the client and the requests each op sends.

use super::ops::{DeleteRecordSet, UpsertRecordSet};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp, global_signing_region};
use crate::inventory::RecordSet;
use crate::plan::OpKind;

impl AwsBackend {
    /// Route 53 is global: one client, signed for the partition's home region.
    pub(crate) fn route53_client(&self) -> aws_sdk_route53::Client {
        let home = global_signing_region(self.region());
        self.client("route53", home, |sdk, region, partition| {
            aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }
}

impl SendOp for UpsertRecordSet {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        change_record_set(aws, Self::ACTION, &self.zone, &self.record, true).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteRecordSet {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        change_record_set(aws, Self::ACTION, &self.zone, &self.record, false).await?;
        Ok(Outcome::default())
    }
}

async fn change_record_set(
    aws: &AwsBackend,
    action: &str,
    zone: &str,
    record: &RecordSet,
    upsert: bool,
) -> Result<(), CallError> {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let bad = |e: aws_sdk_route53::error::BuildError| {
        CallError::new(action, None, format!("the change could not be built: {e}"))
    };
    let values = record
        .values
        .iter()
        .map(|v| ResourceRecord::builder().value(v).build().map_err(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let set = ResourceRecordSet::builder()
        .name(&record.name)
        .r#type(RrType::from(record.rtype.as_str()))
        .ttl(record.ttl)
        .set_resource_records(Some(values))
        .build()
        .map_err(bad)?;
    let change = Change::builder()
        // UPSERT, never CREATE: it replaces the whole set, and some
        // emulators duplicate a set on CREATE.
        .action(if upsert {
            ChangeAction::Upsert
        } else {
            ChangeAction::Delete
        })
        .resource_record_set(set)
        .build()
        .map_err(bad)?;
    let batch = ChangeBatch::builder()
        .comment("moat")
        .changes(change)
        .build()
        .map_err(bad)?;
    let request = aws
        .route53_client()
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch);
    aws.send_write(action, request.send()).await?;
    Ok(())
}
