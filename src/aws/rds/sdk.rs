//! RDS's SDK calls: the regional client, the reads of the `Rds` part and the
//! requests each op sends. Regions are read concurrently; a region that fails
//! (an opt-in region answering AuthFailure) is recorded as that region's error.

use super::ops::{
    ModifyDbClusterSnapshotRestore, ModifyDbInstancePublicAccess, ModifyDbSnapshotRestore,
};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{DbInstance, DbSnapshot, Fetched, Rds, RdsRegion};
use crate::aws::op::OpKind;
use futures::future::join_all;
use std::collections::BTreeMap;

impl AwsBackend {
    pub(crate) async fn collect_rds(&self) -> Result<Rds, CallError> {
        Ok(Rds {
            regions: self
                .by_region(|r| async move { self.rds_region(&r).await })
                .await?,
        })
    }

    async fn rds_region(&self, region: &str) -> Result<RdsRegion, CallError> {
        let (instances, snapshots, cluster_snapshots) = futures::try_join!(
            self.db_instances(region),
            self.db_snapshots(region),
            self.db_cluster_snapshots(region)
        )?;
        Ok(RdsRegion {
            instances,
            snapshots,
            cluster_snapshots,
        })
    }

    async fn db_instances(&self, region: &str) -> Result<Vec<DbInstance>, CallError> {
        let rds = self.rds(region);
        let mut out = vec![];
        let pages = rds.describe_db_instances().into_paginator().send();
        let pages = self
            .send("rds:DescribeDBInstances", pages.try_collect())
            .await?;
        for page in pages {
            for i in page.db_instances() {
                let Some(id) = i.db_instance_identifier() else {
                    continue;
                };
                let mut groups: Vec<String> = i
                    .vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
                    .collect();
                groups.sort();
                out.push(DbInstance {
                    id: id.to_string(),
                    arn: i.db_instance_arn().unwrap_or_default().to_string(),
                    engine: i.engine().unwrap_or_default().to_string(),
                    engine_version: i.engine_version().unwrap_or_default().to_string(),
                    class: i.db_instance_class().unwrap_or_default().to_string(),
                    publicly_accessible: i.publicly_accessible().unwrap_or(false),
                    storage_encrypted: i.storage_encrypted().unwrap_or(false),
                    kms_key_id: i.kms_key_id().map(str::to_string),
                    cluster: i.db_cluster_identifier().map(str::to_string),
                    port: i.endpoint().and_then(|e| e.port()),
                    vpc_security_groups: groups,
                    allocated_storage: i.allocated_storage(),
                    multi_az: i.multi_az(),
                    storage_type: i.storage_type().map(str::to_string),
                    pending: i
                        .pending_modified_values()
                        .map(pending_values)
                        .unwrap_or_default(),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn db_snapshots(&self, region: &str) -> Result<Vec<DbSnapshot>, CallError> {
        let rds = self.rds(region);
        let manual = rds.describe_db_snapshots().snapshot_type("manual");
        let manual = manual.into_paginator().send().try_collect();
        let pages = self.send("rds:DescribeDBSnapshots", manual);
        let pages = pages.await?;
        let mut listed = vec![];
        for s in pages.iter().flat_map(|page| page.db_snapshots()) {
            let Some(id) = s.db_snapshot_identifier() else {
                continue;
            };
            listed.push(DbSnapshot {
                id: id.to_string(),
                source: s.db_instance_identifier().unwrap_or_default().to_string(),
                engine: s.engine().unwrap_or_default().to_string(),
                encrypted: s.encrypted().unwrap_or(false),
                restore: Fetched::Ready(vec![]),
            });
        }
        // No listing returns the attributes: one read per manual snapshot.
        let read = |id: String| {
            let rds = rds.clone();
            async move {
                let request = rds.describe_db_snapshot_attributes();
                let request = request.db_snapshot_identifier(&id);
                let out = self
                    .send("rds:DescribeDBSnapshotAttributes", request.send())
                    .await?;
                let attrs = out.db_snapshot_attributes_result().map(|r| {
                    let attrs = r.db_snapshot_attributes().iter();
                    attrs
                        .map(|a| (a.attribute_name(), a.attribute_values()))
                        .collect()
                });
                Ok(restore_values(attrs.unwrap_or_default()))
            }
        };
        Ok(with_restore(listed, read).await)
    }

    async fn db_cluster_snapshots(&self, region: &str) -> Result<Vec<DbSnapshot>, CallError> {
        let rds = self.rds(region);
        let manual = rds.describe_db_cluster_snapshots().snapshot_type("manual");
        let manual = manual.into_paginator().send().try_collect();
        let pages = self.send("rds:DescribeDBClusterSnapshots", manual);
        let pages = pages.await?;
        let snapshots = pages.iter().flat_map(|page| page.db_cluster_snapshots());
        let listed = snapshots
            .filter_map(|s| {
                Some(DbSnapshot {
                    id: s.db_cluster_snapshot_identifier()?.to_string(),
                    source: s.db_cluster_identifier().unwrap_or_default().to_string(),
                    engine: s.engine().unwrap_or_default().to_string(),
                    encrypted: s.storage_encrypted().unwrap_or(false),
                    restore: Fetched::Ready(vec![]),
                })
            })
            .collect();
        let read = |id: String| {
            let rds = rds.clone();
            async move {
                let out = self
                    .send(
                        "rds:DescribeDBClusterSnapshotAttributes",
                        rds.describe_db_cluster_snapshot_attributes()
                            .db_cluster_snapshot_identifier(&id)
                            .send(),
                    )
                    .await?;
                let result = out.db_cluster_snapshot_attributes_result();
                Ok(restore_values(result.map_or_else(Vec::new, |r| {
                    r.db_cluster_snapshot_attributes()
                        .iter()
                        .map(|a| (a.attribute_name(), a.attribute_values()))
                        .collect()
                })))
            }
        };
        Ok(with_restore(listed, read).await)
    }
}

/// Each snapshot with its restore attribute, read one snapshot at a time
/// (`read`, by id), sorted by id.
async fn with_restore<F, Fut>(mut listed: Vec<DbSnapshot>, read: F) -> Vec<DbSnapshot>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>, CallError>>,
{
    let attrs = join_all(listed.iter().map(|s| read(s.id.clone()))).await;
    for (s, a) in listed.iter_mut().zip(attrs) {
        s.restore = Fetched::from(a);
    }
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    listed
}

impl SendOp for ModifyDbInstancePublicAccess {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        // PubliclyAccessible takes effect at once either way;
        // ApplyImmediately=true would also apply every queued
        // modification (class, engine version, storage) now.
        let request = aws
            .rds(&self.region)
            .modify_db_instance()
            .db_instance_identifier(&self.instance)
            .publicly_accessible(self.publicly_accessible)
            .apply_immediately(self.apply_immediately);
        aws.write(Self::ACTION, request.send()).await
    }
}

/// Who may restore a snapshot (its `restore` attribute): the same request
/// for an instance's snapshot and a cluster's.
macro_rules! restore_ops {
    ($($op:ident => $modify:ident($id:ident)),* $(,)?) => {$(
        impl SendOp for $op {
            async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
                let request = aws
                    .rds(&self.region)
                    .$modify()
                    .$id(&self.snapshot)
                    .attribute_name("restore")
                    .set_values_to_add(non_empty(&self.add))
                    .set_values_to_remove(non_empty(&self.remove));
                aws.write(Self::ACTION, request.send()).await
            }
        }
    )*};
}

restore_ops! {
    ModifyDbSnapshotRestore => modify_db_snapshot_attribute(db_snapshot_identifier),
    ModifyDbClusterSnapshotRestore => modify_db_cluster_snapshot_attribute(db_cluster_snapshot_identifier),
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

/// The values of the `restore` attribute, sorted.
fn restore_values(attrs: Vec<(Option<&str>, &[String])>) -> Vec<String> {
    let mut out: Vec<String> = attrs
        .into_iter()
        .filter(|(name, _)| *name == Some("restore"))
        .flat_map(|(_, v)| v.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The queued modifications of a DB instance, by API member name. The
/// master password is never shown (RDS masks it anyway).
fn pending_values(p: &aws_sdk_rds::types::PendingModifiedValues) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(k.to_string(), v);
        }
    };
    put("DBInstanceClass", p.db_instance_class().map(str::to_string));
    put("EngineVersion", p.engine_version().map(str::to_string));
    put("Engine", p.engine().map(str::to_string));
    put(
        "AllocatedStorage",
        p.allocated_storage().map(|v| v.to_string()),
    );
    put("StorageType", p.storage_type().map(str::to_string));
    put("Iops", p.iops().map(|v| v.to_string()));
    put(
        "StorageThroughput",
        p.storage_throughput().map(|v| v.to_string()),
    );
    put("MultiAZ", p.multi_az().map(|v| v.to_string()));
    put("Port", p.port().map(|v| v.to_string()));
    put(
        "BackupRetentionPeriod",
        p.backup_retention_period().map(|v| v.to_string()),
    );
    put("LicenseModel", p.license_model().map(str::to_string));
    put(
        "CACertificateIdentifier",
        p.ca_certificate_identifier().map(str::to_string),
    );
    put(
        "DBInstanceIdentifier",
        p.db_instance_identifier().map(str::to_string),
    );
    put(
        "DBSubnetGroupName",
        p.db_subnet_group_name().map(str::to_string),
    );
    put(
        "IAMDatabaseAuthenticationEnabled",
        p.iam_database_authentication_enabled()
            .map(|v| v.to_string()),
    );
    put(
        "DedicatedLogVolume",
        p.dedicated_log_volume().map(|v| v.to_string()),
    );
    put("MultiTenant", p.multi_tenant().map(|v| v.to_string()));
    put(
        "MasterUserPassword",
        p.master_user_password().map(|_| "****".to_string()),
    );
    if !p.processor_features().is_empty() {
        let f: Vec<String> = p
            .processor_features()
            .iter()
            .map(|f| {
                format!(
                    "{}={}",
                    f.name().unwrap_or_default(),
                    f.value().unwrap_or_default()
                )
            })
            .collect();
        put("ProcessorFeatures", Some(f.join(",")));
    }
    if let Some(logs) = p.pending_cloudwatch_logs_exports() {
        let mut parts = vec![];
        if !logs.log_types_to_enable().is_empty() {
            parts.push(format!("enable {}", logs.log_types_to_enable().join(",")));
        }
        if !logs.log_types_to_disable().is_empty() {
            parts.push(format!("disable {}", logs.log_types_to_disable().join(",")));
        }
        if !parts.is_empty() {
            put("PendingCloudwatchLogsExports", Some(parts.join("; ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_values_take_only_the_restore_attribute() {
        let all = vec!["all".to_string(), "1234".to_string()];
        let other = vec!["x".to_string()];
        assert_eq!(
            restore_values(vec![(Some("restore"), &all), (Some("other"), &other)]),
            vec!["1234".to_string(), "all".to_string()]
        );
    }
}
