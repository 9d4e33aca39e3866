//! Ops of EBS and VPC (issue 4: ebs and vpc sections; GuardDuty included).
//!
//! `Op::EbsVpc` wraps [`EbsVpcOp`]; it is `#[serde(untagged)]` there, so each
//! variant serializes exactly like a top-level op: `{"op": "snake_case_name", …}`.
//!
//! Three ops create something whose id AWS gives only in its answer (a
//! snapshot, a flow log, a detector), and the inverse is computed before the
//! op is sent. So the inverses name what they delete by what the plan knows:
//! the snapshot by its volume and the unique `Name` tag moat gives it (with
//! `moat:created-by = moat`), the flow log by its VPC and destination, the
//! detector by its region (a region holds at most one). The backend looks
//! the id up just before deleting (a read, then the one mutating call).

use super::Op;
use crate::inventory::ebs_vpc::{EbsVpcRef, PerRegion, SnapshotPermissionChange};
use crate::inventory::{Inventory, ResourceRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum EbsVpcOp {
    /// ec2:EnableEbsEncryptionByDefault in one region.
    EnableEbsEncryptionByDefault { region: String },
    /// ec2:DisableEbsEncryptionByDefault (undo).
    DisableEbsEncryptionByDefault { region: String },
    /// ec2:CreateSnapshot of a volume, tagged `Name = name` and
    /// `moat:created-by = moat` in the same call.
    CreateSnapshot {
        region: String,
        volume_id: String,
        name: String,
        description: String,
    },
    /// ec2:DeleteSnapshot of the snapshot of `volume_id` that moat created
    /// with the `Name` tag `name` (undo of CreateSnapshot): exactly
    /// `snapshot_id`, the id AWS gave it, once the journal knows it; found by
    /// its tags in journals of earlier versions.
    DeleteSnapshot {
        region: String,
        volume_id: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snapshot_id: Option<String>,
    },
    /// ec2:ModifySnapshotAttribute createVolumePermission: add or remove the
    /// group `all` (the Attribute/OperationType/GroupNames form).
    ModifySnapshotCreateVolumePermission {
        region: String,
        snapshot_id: String,
        change: SnapshotPermissionChange,
    },
    /// ec2:CreateFlowLogs for a VPC: all traffic, to an S3 bucket (ARN).
    CreateFlowLogs {
        region: String,
        vpc_id: String,
        destination: String,
    },
    /// ec2:DeleteFlowLogs of the VPC's all-traffic flow logs to `destination`.
    DeleteFlowLogs {
        region: String,
        vpc_id: String,
        destination: String,
    },
    /// guardduty:CreateDetector, enabled.
    CreateDetector { region: String },
    /// guardduty:DeleteDetector of the region's detector (undo of CreateDetector).
    DeleteDetector { region: String },
    /// guardduty:UpdateDetector: enable or disable an existing detector.
    UpdateDetector {
        region: String,
        detector_id: String,
        enable: bool,
    },
}

impl EbsVpcOp {
    /// Every IAM action these ops send (part of `Op::all_actions`).
    pub const ALL_ACTIONS: &'static [&'static str] = &[
        "ec2:EnableEbsEncryptionByDefault",
        "ec2:DisableEbsEncryptionByDefault",
        "ec2:CreateSnapshot",
        "ec2:DeleteSnapshot",
        "ec2:ModifySnapshotAttribute",
        "ec2:CreateFlowLogs",
        "ec2:DeleteFlowLogs",
        "guardduty:CreateDetector",
        "guardduty:DeleteDetector",
        "guardduty:UpdateDetector",
    ];

    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match self {
            EbsVpcOp::EnableEbsEncryptionByDefault { .. } => "ec2:EnableEbsEncryptionByDefault",
            EbsVpcOp::DisableEbsEncryptionByDefault { .. } => "ec2:DisableEbsEncryptionByDefault",
            EbsVpcOp::CreateSnapshot { .. } => "ec2:CreateSnapshot",
            EbsVpcOp::DeleteSnapshot { .. } => "ec2:DeleteSnapshot",
            EbsVpcOp::ModifySnapshotCreateVolumePermission { .. } => "ec2:ModifySnapshotAttribute",
            EbsVpcOp::CreateFlowLogs { .. } => "ec2:CreateFlowLogs",
            EbsVpcOp::DeleteFlowLogs { .. } => "ec2:DeleteFlowLogs",
            EbsVpcOp::CreateDetector { .. } => "guardduty:CreateDetector",
            EbsVpcOp::DeleteDetector { .. } => "guardduty:DeleteDetector",
            EbsVpcOp::UpdateDetector { .. } => "guardduty:UpdateDetector",
        }
    }

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        let r = match self {
            EbsVpcOp::EnableEbsEncryptionByDefault { region }
            | EbsVpcOp::DisableEbsEncryptionByDefault { region } => EbsVpcRef::EbsEncryption {
                region: region.clone(),
            },
            EbsVpcOp::CreateSnapshot { region, name, .. }
            | EbsVpcOp::DeleteSnapshot { region, name, .. } => EbsVpcRef::Snapshot {
                region: region.clone(),
                id: name.clone(),
            },
            EbsVpcOp::ModifySnapshotCreateVolumePermission {
                region,
                snapshot_id,
                ..
            } => EbsVpcRef::Snapshot {
                region: region.clone(),
                id: snapshot_id.clone(),
            },
            EbsVpcOp::CreateFlowLogs { region, vpc_id, .. }
            | EbsVpcOp::DeleteFlowLogs { region, vpc_id, .. } => EbsVpcRef::Vpc {
                region: region.clone(),
                id: vpc_id.clone(),
            },
            EbsVpcOp::CreateDetector { region }
            | EbsVpcOp::DeleteDetector { region }
            | EbsVpcOp::UpdateDetector { region, .. } => EbsVpcRef::GuardDuty {
                region: region.clone(),
            },
        };
        ResourceRef::EbsVpc(r)
    }

    /// Other resources whose documents this op changes (see `Op::also_touches`).
    pub fn also_touches(&self) -> Vec<ResourceRef> {
        vec![]
    }

    /// The region the call goes to (`None`: a global service).
    pub fn region(&self) -> Option<&str> {
        match self {
            EbsVpcOp::EnableEbsEncryptionByDefault { region }
            | EbsVpcOp::DisableEbsEncryptionByDefault { region }
            | EbsVpcOp::CreateSnapshot { region, .. }
            | EbsVpcOp::DeleteSnapshot { region, .. }
            | EbsVpcOp::ModifySnapshotCreateVolumePermission { region, .. }
            | EbsVpcOp::CreateFlowLogs { region, .. }
            | EbsVpcOp::DeleteFlowLogs { region, .. }
            | EbsVpcOp::CreateDetector { region }
            | EbsVpcOp::DeleteDetector { region }
            | EbsVpcOp::UpdateDetector { region, .. } => Some(region),
        }
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        match self {
            EbsVpcOp::EnableEbsEncryptionByDefault { region } => {
                format!("encrypt new EBS volumes by default in {region}")
            }
            EbsVpcOp::DisableEbsEncryptionByDefault { region } => {
                format!("stop encrypting new EBS volumes by default in {region}")
            }
            EbsVpcOp::CreateSnapshot {
                region,
                volume_id,
                name,
                ..
            } => format!("snapshot volume {volume_id} in {region} (snapshot {name})"),
            EbsVpcOp::DeleteSnapshot {
                region,
                volume_id,
                name,
                snapshot_id,
            } => match snapshot_id {
                Some(id) => {
                    format!("delete snapshot {id} ({name}) of volume {volume_id} in {region}")
                }
                None => format!("delete snapshot {name} of volume {volume_id} in {region}"),
            },
            EbsVpcOp::ModifySnapshotCreateVolumePermission {
                region,
                snapshot_id,
                change: SnapshotPermissionChange::Remove,
            } => format!("make snapshot {snapshot_id} in {region} private"),
            EbsVpcOp::ModifySnapshotCreateVolumePermission {
                region,
                snapshot_id,
                change: SnapshotPermissionChange::Add,
            } => format!("make snapshot {snapshot_id} in {region} public again"),
            EbsVpcOp::CreateFlowLogs {
                region,
                vpc_id,
                destination,
            } => format!("log all traffic of VPC {vpc_id} in {region} to {destination}"),
            EbsVpcOp::DeleteFlowLogs {
                region,
                vpc_id,
                destination,
            } => format!("delete the flow log of VPC {vpc_id} in {region} to {destination}"),
            EbsVpcOp::CreateDetector { region } => {
                format!("turn on GuardDuty in {region} (new detector)")
            }
            EbsVpcOp::DeleteDetector { region } => {
                format!("delete the GuardDuty detector in {region}")
            }
            EbsVpcOp::UpdateDetector {
                region,
                detector_id,
                enable,
            } => {
                let verb = if *enable { "enable" } else { "suspend" };
                format!("{verb} GuardDuty detector {detector_id} in {region}")
            }
        }
    }

    /// Ops that undo this one, given the inventory just before it; `None`
    /// when it cannot be undone.
    pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let op = |o: EbsVpcOp| Some(vec![Op::EbsVpc(o)]);
        match self {
            EbsVpcOp::EnableEbsEncryptionByDefault { region }
            | EbsVpcOp::DisableEbsEncryptionByDefault { region } => {
                let was_on = *ready_region(before.ebs_encryption.ready()?, region)?;
                let region = region.clone();
                op(if was_on {
                    EbsVpcOp::EnableEbsEncryptionByDefault { region }
                } else {
                    EbsVpcOp::DisableEbsEncryptionByDefault { region }
                })
            }
            EbsVpcOp::CreateSnapshot {
                region,
                volume_id,
                name,
                ..
            } => op(EbsVpcOp::DeleteSnapshot {
                region: region.clone(),
                volume_id: volume_id.clone(),
                name: name.clone(),
                // Known once AWS answers: the executor journals it.
                snapshot_id: None,
            }),
            // A snapshot holds the volume's data as it was then: a new one
            // would not be the same. moat only deletes to undo a CreateSnapshot.
            EbsVpcOp::DeleteSnapshot { .. } => None,
            EbsVpcOp::ModifySnapshotCreateVolumePermission {
                region,
                snapshot_id,
                ..
            } => {
                let r = ready_region(before.ebs.ready()?, region)?;
                let was_public = *r.snapshot(snapshot_id)?.public.ready()?;
                op(EbsVpcOp::ModifySnapshotCreateVolumePermission {
                    region: region.clone(),
                    snapshot_id: snapshot_id.clone(),
                    change: if was_public {
                        SnapshotPermissionChange::Add
                    } else {
                        SnapshotPermissionChange::Remove
                    },
                })
            }
            EbsVpcOp::CreateFlowLogs {
                region,
                vpc_id,
                destination,
            } => op(EbsVpcOp::DeleteFlowLogs {
                region: region.clone(),
                vpc_id: vpc_id.clone(),
                destination: destination.clone(),
            }),
            EbsVpcOp::DeleteFlowLogs {
                region,
                vpc_id,
                destination,
            } => op(EbsVpcOp::CreateFlowLogs {
                region: region.clone(),
                vpc_id: vpc_id.clone(),
                destination: destination.clone(),
            }),
            EbsVpcOp::CreateDetector { region } => op(EbsVpcOp::DeleteDetector {
                region: region.clone(),
            }),
            // Deleting a detector deletes its findings: a new one starts empty.
            EbsVpcOp::DeleteDetector { .. } => None,
            EbsVpcOp::UpdateDetector {
                region,
                detector_id,
                ..
            } => {
                let d = ready_region(before.guardduty.ready()?, region)?.as_ref()?;
                op(EbsVpcOp::UpdateDetector {
                    region: region.clone(),
                    detector_id: detector_id.clone(),
                    enable: d.enabled(),
                })
            }
        }
    }
}

fn ready_region<'a, T>(p: &'a PerRegion<T>, region: &str) -> Option<&'a T> {
    p.ready(region)
}
