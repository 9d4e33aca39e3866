//! EBS: encryption by default, volumes and snapshots.

use moat::aws::inventory::{EbsRef, Fetched, Inventory, ResourceRef, SnapshotPermissionChange};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every EBS op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::EnableEbsEncryptionByDefault(ops::EnableEbsEncryptionByDefault { region: r() }),
        Op::DisableEbsEncryptionByDefault(ops::DisableEbsEncryptionByDefault { region: r() }),
        Op::CreateSnapshot(ops::CreateSnapshot {
            region: r(),
            volume_id: "vol-1".into(),
            name: "moat-vol-1-20261129-120000".into(),
            description: "d".into(),
        }),
        Op::DeleteSnapshot(ops::DeleteSnapshot {
            region: r(),
            volume_id: "vol-1".into(),
            name: "moat-vol-1-20261129-120000".into(),
            snapshot_id: None,
        }),
        Op::ModifySnapshotCreateVolumePermission(ops::ModifySnapshotCreateVolumePermission {
            region: r(),
            snapshot_id: "snap-1".into(),
            change: SnapshotPermissionChange::Remove,
        }),
    ]
}

/// The position of an EBS op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::EnableEbsEncryptionByDefault(_) => 0,
        Op::DisableEbsEncryptionByDefault(_) => 1,
        Op::CreateSnapshot(_) => 2,
        Op::DeleteSnapshot(_) => 3,
        Op::ModifySnapshotCreateVolumePermission(_) => 4,
        other => unreachable!("not an EBS op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "delete_snapshot",
    "a snapshot holds the volume's data as it was when taken; moat only deletes the snapshots it created, to undo CreateSnapshot",
)];

/// The demo account fails every EBS item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    if let Some(p) = inv.ebs_encryption.ready() {
        for region in p.regions.keys() {
            out.insert(ResourceRef::Ebs(EbsRef::Encryption {
                region: region.clone(),
            }));
        }
    }
    if let Some(p) = inv.ebs.ready() {
        for (region, r) in p.iter_ready() {
            for v in &r.volumes {
                out.insert(ResourceRef::Ebs(EbsRef::Volume {
                    region: region.to_string(),
                    id: v.id.clone(),
                }));
            }
            for s in &r.snapshots {
                out.insert(ResourceRef::Ebs(EbsRef::Snapshot {
                    region: region.to_string(),
                    id: s.id.clone(),
                }));
            }
        }
    }
}

pub fn drift(inv: &mut Inventory, r: &EbsRef) {
    match r {
        EbsRef::Encryption { region } => {
            let p = inv.ebs_encryption.ready_mut().expect("ebs encryption");
            match p.ready_mut(region) {
                Some(on) => *on = !*on,
                None => {
                    p.regions.insert(region.clone(), Fetched::Ready(true));
                }
            }
        }
        EbsRef::Volume { region, id } => {
            let p = inv.ebs.ready_mut().expect("ebs");
            let r = p.ready_mut(region).expect("region");
            let v = r.volumes.iter_mut().find(|v| v.id == *id).expect("volume");
            v.size += 1;
        }
        EbsRef::Snapshot { region, id } => {
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
    }
}
