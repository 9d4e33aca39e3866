//! `catalog_safety`'s samples, scenarios and drifts for EBS, VPC and GuardDuty
//! (their ops, `ResourceRef::EbsVpc`). The loops in `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::aws::inventory::{Bucket, Fetched, Inventory, Part, ResourceRef};
use moat::aws::inventory::{
    Detector, EbsRef, FlowLog, GuardDutyRef, SnapshotPermissionChange, Vpc, VpcRef,
};
use moat::plan::Op;
use serde_json::json;
use std::collections::BTreeSet;

/// One op of every EBS, VPC and GuardDuty op type, in registry order.
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::EnableEbsEncryptionByDefault(moat::aws::ops::EnableEbsEncryptionByDefault {
            region: r(),
        }),
        Op::DisableEbsEncryptionByDefault(moat::aws::ops::DisableEbsEncryptionByDefault {
            region: r(),
        }),
        Op::CreateSnapshot(moat::aws::ops::CreateSnapshot {
            region: r(),
            volume_id: "vol-1".into(),
            name: "moat-vol-1-20261129-120000".into(),
            description: "d".into(),
        }),
        Op::DeleteSnapshot(moat::aws::ops::DeleteSnapshot {
            region: r(),
            volume_id: "vol-1".into(),
            name: "moat-vol-1-20261129-120000".into(),
            snapshot_id: None,
        }),
        Op::ModifySnapshotCreateVolumePermission(
            moat::aws::ops::ModifySnapshotCreateVolumePermission {
                region: r(),
                snapshot_id: "snap-1".into(),
                change: SnapshotPermissionChange::Remove,
            },
        ),
        Op::CreateFlowLogs(moat::aws::ops::CreateFlowLogs {
            region: r(),
            vpc_id: "vpc-1".into(),
            destination: "arn:aws:s3:::b".into(),
        }),
        Op::DeleteFlowLogs(moat::aws::ops::DeleteFlowLogs {
            region: r(),
            vpc_id: "vpc-1".into(),
            destination: "arn:aws:s3:::b".into(),
        }),
        Op::CreateDetector(moat::aws::ops::CreateDetector { region: r() }),
        Op::DeleteDetector(moat::aws::ops::DeleteDetector { region: r() }),
        Op::UpdateDetector(moat::aws::ops::UpdateDetector {
            region: r(),
            detector_id: "d".into(),
            enable: true,
        }),
    ]
}

/// The position of `op`'s type in [`samples`] (`catalog_safety` matches every op exhaustively).
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::EnableEbsEncryptionByDefault(_) => 0,
        Op::DisableEbsEncryptionByDefault(_) => 1,
        Op::CreateSnapshot(_) => 2,
        Op::DeleteSnapshot(_) => 3,
        Op::ModifySnapshotCreateVolumePermission(_) => 4,
        Op::CreateFlowLogs(_) => 5,
        Op::DeleteFlowLogs(_) => 6,
        Op::CreateDetector(_) => 7,
        Op::DeleteDetector(_) => 8,
        Op::UpdateDetector(_) => 9,
        other => unreachable!("not an EBS, VPC or GuardDuty op: {other:?}"),
    }
}

/// Variants that never have an inverse (serde tag, why).
pub const IRREVERSIBLE: &[(&str, &str)] = &[
    (
        "delete_snapshot",
        "a snapshot holds the volume's data as it was when taken; moat only deletes the snapshots it created, to undo CreateSnapshot",
    ),
    (
        "delete_detector",
        "deleting a detector deletes its findings; moat only sends it to undo a CreateDetector",
    ),
];

const FLOW_LOG_BUCKET: &str = "example-corp-flow-logs";

/// Make `inv` (every scenario, demo included) fail this group's items in the
/// ways their plans fix, beyond what the demo data already does. The demo
/// makes the flow-log plan create its bucket; the bare account (no password
/// policy) already delivers one VPC's flow logs to a bucket of its own, so
/// that plan reuses it and its undo (DeleteFlowLogs only) can be redone.
pub fn scenario(inv: &mut Inventory) {
    if inv.password_policy != Part::Ready(None) {
        return;
    }
    let account = inv.account_id().unwrap_or("111122223333").to_string();
    let destination = format!("arn:aws:s3:::{FLOW_LOG_BUCKET}");
    if let Some(s3) = inv.s3.ready_mut() {
        let mut b = Bucket::new(FLOW_LOG_BUCKET, "eu-west-1");
        let statements =
            moat::checks::vpc::fix::delivery_statements("aws", FLOW_LOG_BUCKET, &account);
        b.policy = Fetched::Ready(Some(
            json!({"Version": "2012-10-17", "Statement": statements}),
        ));
        s3.buckets.push(b);
    }
    if let Some(p) = inv.vpc_flow_logs.ready_mut()
        && let Some(r) = p.ready_mut("eu-west-1")
        && let Some(v) = r.vpcs.first_mut()
    {
        v.flow_logs.push(FlowLog {
            id: Some("fl-0bare00000000001".into()),
            traffic_type: "ALL".into(),
            destination_type: "s3".into(),
            destination,
            status: "ACTIVE".into(),
            deliver_status: Some("SUCCESS".into()),
            deliver_error: None,
        });
    }
}

/// Every resource of this group in `inv` that has a document.
pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r: ResourceRef| {
        out.insert(r);
    };
    if let Some(p) = inv.ebs_encryption.ready() {
        for region in p.regions.keys() {
            add(ResourceRef::Ebs(EbsRef::Encryption {
                region: region.clone(),
            }));
        }
    }
    if let Some(p) = inv.guardduty.ready() {
        for region in p.regions.keys() {
            add(ResourceRef::GuardDuty(GuardDutyRef::Detector {
                region: region.clone(),
            }));
        }
    }
    if let Some(p) = inv.ebs.ready() {
        for (region, r) in p.iter_ready() {
            for v in &r.volumes {
                add(ResourceRef::Ebs(EbsRef::Volume {
                    region: region.to_string(),
                    id: v.id.clone(),
                }));
            }
            for s in &r.snapshots {
                add(ResourceRef::Ebs(EbsRef::Snapshot {
                    region: region.to_string(),
                    id: s.id.clone(),
                }));
            }
        }
    }
    if let Some(p) = inv.vpc_flow_logs.ready() {
        for (region, r) in p.iter_ready() {
            for v in &r.vpcs {
                add(ResourceRef::Vpc(VpcRef::Vpc {
                    region: region.to_string(),
                    id: v.id.clone(),
                }));
            }
        }
    }
}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    match r {
        ResourceRef::Ebs(EbsRef::Encryption { region }) => {
            let p = inv.ebs_encryption.ready_mut().expect("ebs encryption");
            match p.ready_mut(region) {
                Some(on) => *on = !*on,
                None => {
                    p.regions.insert(region.clone(), Fetched::Ready(true));
                }
            }
        }
        ResourceRef::Ebs(EbsRef::Volume { region, id }) => {
            let p = inv.ebs.ready_mut().expect("ebs");
            let r = p.ready_mut(region).expect("region");
            let v = r.volumes.iter_mut().find(|v| v.id == *id).expect("volume");
            v.size += 1;
        }
        ResourceRef::Ebs(EbsRef::Snapshot { region, id }) => {
            let p = inv.ebs.ready_mut().expect("ebs");
            let r = p.ready_mut(region).expect("region");
            match r.snapshots.iter_mut().find(|s| s.id == *id) {
                Some(s) => {
                    s.tags.insert("drift".into(), "yes".into());
                }
                None => r.snapshots.push(moat::aws::inventory::Snapshot {
                    id: id.clone(),
                    volume_id: None,
                    description: "someone else's".into(),
                    encrypted: false,
                    state: "completed".into(),
                    start_time: None,
                    tags: Default::default(),
                    public: Fetched::Ready(false),
                }),
            }
        }
        ResourceRef::Vpc(VpcRef::Vpc { region, id }) => {
            let p = inv.vpc_flow_logs.ready_mut().expect("vpcs");
            let r = p.ready_mut(region).expect("region");
            let log = FlowLog {
                id: Some("fl-drift".into()),
                traffic_type: "REJECT".into(),
                destination_type: "cloud-watch-logs".into(),
                destination: "drift".into(),
                status: "ACTIVE".into(),
                deliver_status: None,
                deliver_error: None,
            };
            match r.vpcs.iter_mut().find(|v| v.id == *id) {
                Some(v) => v.flow_logs.push(log),
                None => r.vpcs.push(Vpc {
                    id: id.clone(),
                    cidr_block: "10.9.0.0/16".into(),
                    is_default: false,
                    name: None,
                    flow_logs: vec![log],
                }),
            }
        }
        ResourceRef::GuardDuty(GuardDutyRef::Detector { region }) => {
            let p = inv.guardduty.ready_mut().expect("guardduty");
            match p.ready_mut(region) {
                Some(Some(d)) => d.status = if d.enabled() { "DISABLED" } else { "ENABLED" }.into(),
                Some(d @ None) => {
                    *d = Some(Detector {
                        id: Some("drift".into()),
                        status: "ENABLED".into(),
                    })
                }
                None => {
                    p.regions.insert(
                        region.clone(),
                        Fetched::Ready(Some(Detector {
                            id: Some("drift".into()),
                            status: "ENABLED".into(),
                        })),
                    );
                }
            }
        }
        // No document: no plan touches a region as a whole.
        ResourceRef::Region { .. } => {}
        other => panic!("{other} is not a resource of this file"),
    }
}
