//! RDS's SDK calls: the regional client and the requests each op sends.

use super::ops::{
    ModifyDbClusterSnapshotRestore, ModifyDbInstancePublicAccess, ModifyDbSnapshotRestore,
};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::plan::OpKind;

impl AwsBackend {
    pub(crate) fn rds_client(&self, region: &str) -> aws_sdk_rds::Client {
        self.client("rds", region, |sdk, region, partition| {
            aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }
}

impl SendOp for ModifyDbInstancePublicAccess {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        // PubliclyAccessible takes effect at once either way;
        // ApplyImmediately=true would also apply every queued
        // modification (class, engine version, storage) now.
        let request = aws
            .rds_client(&self.region)
            .modify_db_instance()
            .db_instance_identifier(&self.instance)
            .publicly_accessible(self.publicly_accessible)
            .apply_immediately(self.apply_immediately);
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for ModifyDbSnapshotRestore {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .rds_client(&self.region)
            .modify_db_snapshot_attribute()
            .db_snapshot_identifier(&self.snapshot)
            .attribute_name("restore")
            .set_values_to_add(non_empty(&self.add))
            .set_values_to_remove(non_empty(&self.remove));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for ModifyDbClusterSnapshotRestore {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .rds_client(&self.region)
            .modify_db_cluster_snapshot_attribute()
            .db_cluster_snapshot_identifier(&self.snapshot)
            .attribute_name("restore")
            .set_values_to_add(non_empty(&self.add))
            .set_values_to_remove(non_empty(&self.remove));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}
