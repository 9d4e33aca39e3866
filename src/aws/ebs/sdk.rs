//! EBS's SDK calls (EC2 API): the requests each op sends.

use super::ops::{
    CreateSnapshot, DeleteSnapshot, DisableEbsEncryptionByDefault, EnableEbsEncryptionByDefault,
    ModifySnapshotCreateVolumePermission,
};
use crate::aws::client::{AwsBackend, CallError, Created, Outcome, SendOp};
use crate::aws::ec2::read::filter;
use crate::aws::inventory::{CREATED_BY_TAG, CREATED_BY_VALUE, SnapshotPermissionChange};
use crate::aws::op::OpKind;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::types::{
    OperationType, ResourceType, SnapshotAttributeName, Tag, TagSpecification,
};

pub(crate) const DESCRIBE_SNAPSHOTS: &str = "ec2:DescribeSnapshots";

impl SendOp for EnableEbsEncryptionByDefault {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let ec2 = aws.ec2(&self.region);
        aws.send_write(Self::ACTION, ec2.enable_ebs_encryption_by_default().send())
            .await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DisableEbsEncryptionByDefault {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let ec2 = aws.ec2(&self.region);
        aws.send_write(Self::ACTION, ec2.disable_ebs_encryption_by_default().send())
            .await?;
        Ok(Outcome::default())
    }
}

impl SendOp for CreateSnapshot {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (volume_id, name) = (&self.volume_id, &self.name);
        let mut outcome = Outcome::default();
        let ec2 = aws.ec2(&self.region);
        // Tagged in the same call, so the snapshot is never untagged
        // (undo finds it by these tags).
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Snapshot)
            .tags(Tag::builder().key("Name").value(name).build())
            .tags(
                Tag::builder()
                    .key(CREATED_BY_TAG)
                    .value(CREATED_BY_VALUE)
                    .build(),
            )
            .build();
        // CreateSnapshot takes no client token: a retried request whose
        // first answer was lost would make a second snapshot. The Name
        // tag is unique to this change, so the account tells what the
        // lost attempt made (see `send_create_once`).
        let send = || {
            ec2.create_snapshot()
                .volume_id(volume_id)
                .description(&self.description)
                .tag_specifications(tags.clone())
                .customize()
                .config_override(
                    aws_sdk_ec2::config::Builder::default().retry_config(RetryConfig::disabled()),
                )
                .send()
        };
        let ec2 = &ec2;
        let find = move || async move {
            aws.moat_snapshots(ec2, volume_id, name)
                .await
                .map(|ids| ids.into_iter().next())
        };
        // The journal names the snapshot by the id AWS gave it: a Name tag
        // can be copied onto other snapshots.
        outcome.created = match aws.send_create_once(Self::ACTION, send, find).await? {
            Created::Answered(out) => out.snapshot_id().map(str::to_string),
            Created::Found(id) => Some(id),
        };
        Ok(outcome)
    }
}

impl SendOp for DeleteSnapshot {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let action = Self::ACTION;
        let (region, volume_id, name) = (&self.region, &self.volume_id, &self.name);
        let ec2 = aws.ec2(region);
        match &self.snapshot_id {
            Some(id) => {
                // Exactly the snapshot the create made (journaled by id).
                let found = aws
                    .send(
                        DESCRIBE_SNAPSHOTS,
                        ec2.describe_snapshots()
                            .owner_ids("self")
                            .filters(filter("snapshot-id", id))
                            .send(),
                    )
                    .await?;
                if !found
                    .snapshots()
                    .iter()
                    .any(|s| s.snapshot_id() == Some(id.as_str()))
                {
                    return Err(CallError::new(
                        action,
                        Some("InvalidSnapshot.NotFound".into()),
                        format!(
                            "snapshot {id} ({name}, of volume {volume_id}) is no longer in {region}"
                        ),
                    ));
                }
                aws.send_write(action, ec2.delete_snapshot().snapshot_id(id).send())
                    .await?;
            }
            None => {
                // A journal of an earlier version: found by its tags.
                let ids = aws.moat_snapshots(&ec2, volume_id, name).await?;
                let Some(id) = ids.first() else {
                    return Err(CallError::new(
                        action,
                        Some("InvalidSnapshot.NotFound".into()),
                        format!(
                            "no snapshot of {volume_id} tagged Name={name} by moat in {region}"
                        ),
                    ));
                };
                aws.send_write(action, ec2.delete_snapshot().snapshot_id(id).send())
                    .await?;
            }
        }
        Ok(Outcome::default())
    }
}

impl SendOp for ModifySnapshotCreateVolumePermission {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let ec2 = aws.ec2(&self.region);
        let id = aws.snapshot_id(&ec2, &self.snapshot_id).await?;
        let operation = match self.change {
            SnapshotPermissionChange::Add => OperationType::Add,
            SnapshotPermissionChange::Remove => OperationType::Remove,
        };
        let request = ec2
            .modify_snapshot_attribute()
            .snapshot_id(id)
            .attribute(SnapshotAttributeName::CreateVolumePermission)
            .operation_type(operation)
            .group_names("all");
        aws.write(Self::ACTION, request.send()).await
    }
}

impl AwsBackend {
    /// The ids (sorted) of the snapshots of `volume_id` moat made with the
    /// `Name` tag `name`: one, unless a create was repeated.
    async fn moat_snapshots(
        &self,
        ec2: &aws_sdk_ec2::Client,
        volume_id: &str,
        name: &str,
    ) -> Result<Vec<String>, CallError> {
        let found = self
            .send(
                DESCRIBE_SNAPSHOTS,
                ec2.describe_snapshots()
                    .owner_ids("self")
                    .filters(filter("volume-id", volume_id))
                    .filters(filter("tag:Name", name))
                    .filters(filter(&format!("tag:{CREATED_BY_TAG}"), CREATED_BY_VALUE))
                    .send(),
            )
            .await?;
        let mut ids: Vec<String> = found
            .snapshots()
            .iter()
            .filter_map(|s| s.snapshot_id().map(str::to_string))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// A snapshot's AWS id: `id` itself, or for a snapshot moat created
    /// (named by its `Name` tag in plans), the id it got.
    async fn snapshot_id(&self, ec2: &aws_sdk_ec2::Client, id: &str) -> Result<String, CallError> {
        if id.starts_with("snap-") {
            return Ok(id.to_string());
        }
        let found = self
            .send(
                DESCRIBE_SNAPSHOTS,
                ec2.describe_snapshots()
                    .owner_ids("self")
                    .filters(filter("tag:Name", id))
                    .filters(filter(&format!("tag:{CREATED_BY_TAG}"), CREATED_BY_VALUE))
                    .send(),
            )
            .await?;
        found
            .snapshots()
            .iter()
            .find_map(|s| s.snapshot_id().map(str::to_string))
            .ok_or_else(|| {
                CallError::new(
                    DESCRIBE_SNAPSHOTS,
                    Some("InvalidSnapshot.NotFound".into()),
                    format!("no snapshot named {id} made by moat"),
                )
            })
    }
}
