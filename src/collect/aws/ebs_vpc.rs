//! EBS, VPC flow logs and GuardDuty: collectors of the group's parts.
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.
//!
//! Each part covers every region of `AwsBackend::regions`, read concurrently
//! (the one semaphore bounds the requests). A region that fails (an opt-in
//! region answering AuthFailure, a throttled region that ran out of
//! retries…) is kept as that region's error, so only its findings are
//! `error`; when every region fails the same way the whole part fails, so
//! the item names the missing permission once.

use crate::aws::client::{AwsBackend, CallError, to_chrono};
use crate::aws::ebs::sdk::DESCRIBE_SNAPSHOTS;
use crate::aws::vpc::sdk::DESCRIBE_FLOW_LOGS;
use crate::inventory::Fetched;
use crate::inventory::ebs_vpc::{
    Detector, EbsRegion, FlowLog, PerRegion, Volume, VolumeAttachment, Vpc, VpcRegion,
};
use aws_sdk_ec2::types::{SnapshotAttributeName, Tag};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

const DESCRIBE_VOLUMES: &str = "ec2:DescribeVolumes";
const DESCRIBE_SNAPSHOT_ATTRIBUTE: &str = "ec2:DescribeSnapshotAttribute";
const GET_EBS_ENCRYPTION: &str = "ec2:GetEbsEncryptionByDefault";
const DESCRIBE_VPCS: &str = "ec2:DescribeVpcs";
const LIST_DETECTORS: &str = "guardduty:ListDetectors";
const GET_DETECTOR: &str = "guardduty:GetDetector";

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn name_tag(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl AwsBackend {
    /// Read every covered region concurrently with `read`.
    async fn ebs_per_region<'a, T, F, Fut>(&'a self, read: F) -> Result<PerRegion<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CallError>> + 'a,
    {
        let mut out = PerRegion::default();
        let mut first_error: Option<CallError> = None;
        let mut all_same = true;
        for (region, r) in self.by_region(read).await? {
            if let Fetched::Error(e) = &r {
                match &first_error {
                    None => first_error = Some(e.clone()),
                    Some(f) => all_same &= f.code == e.code && f.action == e.action,
                }
            } else {
                all_same = false;
            }
            out.regions.insert(region, r);
        }
        // Every region refused alike (a missing permission, a dead endpoint):
        // one error for the part says it once.
        if all_same && let Some(e) = first_error {
            return Err(e);
        }
        Ok(out)
    }

    pub(super) async fn collect_ebs_encryption(&self) -> Result<PerRegion<bool>, CallError> {
        self.ebs_per_region(|region| async move {
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

    pub(super) async fn collect_ebs(&self) -> Result<PerRegion<EbsRegion>, CallError> {
        self.ebs_per_region(|region| async move { self.ebs_region(&region).await })
            .await
    }

    async fn ebs_region(&self, region: &str) -> Result<EbsRegion, CallError> {
        let ec2 = self.ec2(region);
        let (volumes, snapshots) =
            futures::future::try_join(self.volumes(&ec2), self.snapshots(&ec2)).await?;
        Ok(EbsRegion { volumes, snapshots })
    }

    async fn volumes(&self, ec2: &aws_sdk_ec2::Client) -> Result<Vec<Volume>, CallError> {
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    DESCRIBE_VOLUMES,
                    ec2.describe_volumes()
                        .max_results(500)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
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
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
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
    async fn snapshots(
        &self,
        ec2: &aws_sdk_ec2::Client,
    ) -> Result<Vec<crate::inventory::ebs_vpc::Snapshot>, CallError> {
        let mut snaps = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    DESCRIBE_SNAPSHOTS,
                    ec2.describe_snapshots()
                        .owner_ids("self")
                        .max_results(1000)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
            for s in page.snapshots() {
                let Some(id) = s.snapshot_id() else { continue };
                snaps.push(crate::inventory::ebs_vpc::Snapshot {
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
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
        }
        let mut candidates: BTreeSet<String> = BTreeSet::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    DESCRIBE_SNAPSHOTS,
                    ec2.describe_snapshots()
                        .owner_ids("self")
                        .restorable_by_user_ids("all")
                        .max_results(1000)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
            candidates.extend(
                page.snapshots()
                    .iter()
                    .filter_map(|s| s.snapshot_id().map(str::to_string)),
            );
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
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
                .zip(futures::future::join_all(checks).await)
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

    pub(super) async fn collect_vpc_flow_logs(&self) -> Result<PerRegion<VpcRegion>, CallError> {
        self.ebs_per_region(|region| async move { self.vpc_region(&region).await })
            .await
    }

    async fn vpc_region(&self, region: &str) -> Result<VpcRegion, CallError> {
        let ec2 = self.ec2(region);
        let (mut vpcs, logs) =
            futures::future::try_join(self.vpcs(&ec2), self.flow_logs(&ec2)).await?;
        for (resource, log) in logs {
            if let Some(v) = vpcs.iter_mut().find(|v| v.id == resource) {
                v.flow_logs.push(log);
            }
        }
        Ok(VpcRegion { vpcs })
    }

    async fn vpcs(&self, ec2: &aws_sdk_ec2::Client) -> Result<Vec<Vpc>, CallError> {
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    DESCRIBE_VPCS,
                    ec2.describe_vpcs()
                        .max_results(1000)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
            for v in page.vpcs() {
                let Some(id) = v.vpc_id() else { continue };
                out.push(Vpc {
                    id: id.to_string(),
                    cidr_block: v.cidr_block().unwrap_or_default().to_string(),
                    is_default: v.is_default().unwrap_or(false),
                    name: name_tag(v.tags()),
                    flow_logs: vec![],
                });
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every flow log of the region with the resource it is attached to.
    async fn flow_logs(
        &self,
        ec2: &aws_sdk_ec2::Client,
    ) -> Result<Vec<(String, FlowLog)>, CallError> {
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    DESCRIBE_FLOW_LOGS,
                    ec2.describe_flow_logs()
                        .max_results(1000)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
            for f in page.flow_logs() {
                let Some(resource) = f.resource_id() else {
                    continue;
                };
                let destination_type = f
                    .log_destination_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| "cloud-watch-logs".into());
                let destination = f
                    .log_destination()
                    .or(f.log_group_name())
                    .unwrap_or_default()
                    .to_string();
                out.push((
                    resource.to_string(),
                    FlowLog {
                        id: f.flow_log_id().map(str::to_string),
                        traffic_type: f
                            .traffic_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        destination_type,
                        destination,
                        status: f.flow_log_status().unwrap_or_default().to_string(),
                        deliver_status: f.deliver_logs_status().map(str::to_string),
                        deliver_error: f.deliver_logs_error_message().map(str::to_string),
                    },
                ));
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    pub(super) async fn collect_guardduty(&self) -> Result<PerRegion<Option<Detector>>, CallError> {
        self.ebs_per_region(|region| async move { self.detector(&region).await })
            .await
    }

    /// The region's detector id (a region holds at most one).
    pub(crate) async fn detector_id(
        &self,
        gd: &aws_sdk_guardduty::Client,
    ) -> Result<Option<String>, CallError> {
        let mut ids: Vec<String> = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    LIST_DETECTORS,
                    gd.list_detectors().set_next_token(token.clone()).send(),
                )
                .await?;
            ids.extend(page.detector_ids().iter().cloned());
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
        }
        ids.sort();
        Ok(ids.into_iter().next())
    }

    async fn detector(&self, region: &str) -> Result<Option<Detector>, CallError> {
        let gd = self.guardduty(region);
        let Some(id) = self.detector_id(&gd).await? else {
            return Ok(None);
        };
        let out = self
            .send(GET_DETECTOR, gd.get_detector().detector_id(&id).send())
            .await?;
        Ok(Some(Detector {
            id: Some(id),
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }))
    }
}
