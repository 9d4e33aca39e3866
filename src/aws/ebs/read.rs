//! EBS reads (EC2 API): default encryption, volumes and snapshots of each region.

use crate::aws::client::{AwsBackend, CallError, to_chrono};
use crate::aws::ebs::sdk::DESCRIBE_SNAPSHOTS;
use crate::aws::ec2::read::{name_tag, tag_map};
use crate::aws::inventory::Fetched;
use crate::aws::inventory::{ByRegion, EbsRegion, Volume, VolumeAttachment};
use aws_sdk_ec2::types::SnapshotAttributeName;
use std::collections::BTreeSet;

pub(crate) const DESCRIBE_VOLUMES: &str = "ec2:DescribeVolumes";

pub(crate) const DESCRIBE_SNAPSHOT_ATTRIBUTE: &str = "ec2:DescribeSnapshotAttribute";

pub(crate) const GET_EBS_ENCRYPTION: &str = "ec2:GetEbsEncryptionByDefault";

impl AwsBackend {
    pub(crate) async fn collect_ebs_encryption(&self) -> Result<ByRegion<bool>, CallError> {
        self.per_region_part(|region| async move {
            let ec2 = self.ec2(&region);
            let out = self
                .send(
                    GET_EBS_ENCRYPTION,
                    ec2.get_ebs_encryption_by_default().send(),
                )
                .await?;
            Ok(out.ebs_encryption_by_default().unwrap_or(false))
        })
        .await
    }

    pub(crate) async fn collect_ebs(&self) -> Result<ByRegion<EbsRegion>, CallError> {
        self.per_region_part(|region| async move { self.ebs_region(&region).await })
            .await
    }

    pub(crate) async fn ebs_region(&self, region: &str) -> Result<EbsRegion, CallError> {
        let ec2 = self.ec2(region);
        let (volumes, snapshots) =
            futures::future::try_join(self.volumes(&ec2), self.snapshots(&ec2)).await?;
        Ok(EbsRegion { volumes, snapshots })
    }

    pub(crate) async fn volumes(
        &self,
        ec2: &aws_sdk_ec2::Client,
    ) -> Result<Vec<Volume>, CallError> {
        let mut out = vec![];
        let volumes = ec2.describe_volumes().max_results(500).into_paginator();
        for page in self
            .send(DESCRIBE_VOLUMES, volumes.send().try_collect())
            .await?
        {
            for v in page.volumes() {
                let Some(id) = v.volume_id() else { continue };
                let mut attachments: Vec<VolumeAttachment> = v
                    .attachments()
                    .iter()
                    .filter_map(|a| {
                        Some(VolumeAttachment {
                            instance_id: a.instance_id()?.to_string(),
                            device: a.device().unwrap_or_default().to_string(),
                        })
                    })
                    .collect();
                attachments.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
                out.push(Volume {
                    id: id.to_string(),
                    availability_zone: v.availability_zone().unwrap_or_default().to_string(),
                    size: v.size().unwrap_or_default(),
                    volume_type: v
                        .volume_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    encrypted: v.encrypted().unwrap_or(false),
                    kms_key_id: v.kms_key_id().map(str::to_string),
                    state: v
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    attachments,
                    name: name_tag(v.tags()),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The account's own snapshots (`OwnerIds=self`: with only an `owner-id`
    /// filter AWS searches every public snapshot of every account before
    /// filtering, which is slow and can time out). Which are public comes from
    /// a second list restricted to snapshots anyone may restore, confirmed
    /// per candidate with DescribeSnapshotAttribute: on AWS the candidates
    /// are exactly the public ones (usually none), so this costs one more
    /// request per public snapshot, not one per snapshot.
    pub(crate) async fn snapshots(
        &self,
        ec2: &aws_sdk_ec2::Client,
    ) -> Result<Vec<crate::aws::inventory::Snapshot>, CallError> {
        let mut snaps = vec![];
        let owned = ec2
            .describe_snapshots()
            .owner_ids("self")
            .max_results(1000)
            .into_paginator();
        for page in self
            .send(DESCRIBE_SNAPSHOTS, owned.send().try_collect())
            .await?
        {
            for s in page.snapshots() {
                let Some(id) = s.snapshot_id() else { continue };
                snaps.push(crate::aws::inventory::Snapshot {
                    id: id.to_string(),
                    volume_id: s
                        .volume_id()
                        .filter(|v| !v.is_empty() && *v != "vol-ffffffff")
                        .map(str::to_string),
                    description: s.description().unwrap_or_default().to_string(),
                    encrypted: s.encrypted().unwrap_or(false),
                    state: s
                        .state()
                        .map(|x| x.as_str().to_string())
                        .unwrap_or_default(),
                    start_time: s.start_time().and_then(to_chrono),
                    tags: tag_map(s.tags()),
                    public: Fetched::Ready(false),
                });
            }
        }
        let mut candidates: BTreeSet<String> = BTreeSet::new();
        let public = ec2
            .describe_snapshots()
            .owner_ids("self")
            .restorable_by_user_ids("all")
            .max_results(1000)
            .into_paginator();
        for page in self
            .send(DESCRIBE_SNAPSHOTS, public.send().try_collect())
            .await?
        {
            candidates.extend(
                page.snapshots()
                    .iter()
                    .filter_map(|s| s.snapshot_id().map(str::to_string)),
            );
        }
        let checks = snaps
            .iter()
            .filter(|s| candidates.contains(&s.id))
            .map(|s| async move {
                let out = self
                    .send(
                        DESCRIBE_SNAPSHOT_ATTRIBUTE,
                        ec2.describe_snapshot_attribute()
                            .snapshot_id(&s.id)
                            .attribute(SnapshotAttributeName::CreateVolumePermission)
                            .send(),
                    )
                    .await?;
                Ok::<_, CallError>(
                    out.create_volume_permissions()
                        .iter()
                        .any(|p| p.group().map(|g| g.as_str()) == Some("all")),
                )
            });
        let public: Vec<(String, Result<bool, CallError>)> = {
            let ids: Vec<String> = snaps
                .iter()
                .filter(|s| candidates.contains(&s.id))
                .map(|s| s.id.clone())
                .collect();
            ids.into_iter()
                .zip(self.join_bounded(checks).await)
                .collect()
        };
        for (id, p) in public {
            if let Some(s) = snaps.iter_mut().find(|s| s.id == id) {
                s.public = Fetched::from(p);
            }
        }
        snaps.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(snaps)
    }
}
