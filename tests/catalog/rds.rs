//! RDS: DB instances, DB snapshots and DB cluster snapshots.

use super::insert_documented;
use moat::aws::inventory::{
    DbInstance, DbSnapshot, Fetched, Inventory, RdsRef, RdsRegion, ResourceRef,
};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every RDS op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::ModifyDbInstancePublicAccess(ops::ModifyDbInstancePublicAccess {
            region: r(),
            instance: "db".into(),
            publicly_accessible: false,
            apply_immediately: false,
        }),
        Op::ModifyDbSnapshotRestore(ops::ModifyDbSnapshotRestore {
            region: r(),
            snapshot: "snap".into(),
            add: vec![],
            remove: vec!["all".into()],
        }),
        Op::ModifyDbClusterSnapshotRestore(ops::ModifyDbClusterSnapshotRestore {
            region: r(),
            snapshot: "csnap".into(),
            add: vec![],
            remove: vec!["all".into()],
        }),
    ]
}

/// The position of an RDS op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::ModifyDbInstancePublicAccess(_) => 0,
        Op::ModifyDbSnapshotRestore(_) => 1,
        Op::ModifyDbClusterSnapshotRestore(_) => 2,
        other => unreachable!("not an RDS op: {other:?}"),
    }
}

/// Every RDS op is undone by the opposite modification.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every RDS item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    if let Some(rds) = inv.rds.ready() {
        for (region, r) in &rds.regions {
            let Fetched::Ready(r) = r else { continue };
            for i in &r.instances {
                add(ResourceRef::Rds(RdsRef::DbInstance {
                    region: region.clone(),
                    id: i.id.clone(),
                }));
            }
            for s in &r.snapshots {
                add(ResourceRef::Rds(RdsRef::DbSnapshot {
                    region: region.clone(),
                    id: s.id.clone(),
                }));
            }
            for s in &r.cluster_snapshots {
                add(ResourceRef::Rds(RdsRef::DbClusterSnapshot {
                    region: region.clone(),
                    id: s.id.clone(),
                }));
            }
        }
    }
}

fn rds_region<'a>(inv: &'a mut Inventory, region: &str) -> Option<&'a mut RdsRegion> {
    region_mut!(inv.rds, region)
}

fn drift_snapshot(list: &mut Vec<DbSnapshot>, id: &str) {
    match list.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            if let Fetched::Ready(v) = &mut s.restore {
                v.push("999988887777".into());
            }
        }
        None => list.push(DbSnapshot {
            id: id.into(),
            source: "drift".into(),
            engine: "mysql".into(),
            encrypted: false,
            restore: Fetched::Ready(vec!["999988887777".into()]),
        }),
    }
}

pub fn drift(inv: &mut Inventory, r: &RdsRef) {
    match r {
        RdsRef::DbInstance { region, id } => {
            let Some(r) = rds_region(inv, region) else {
                return;
            };
            match r.instances.iter_mut().find(|i| &i.id == id) {
                Some(i) => i.publicly_accessible = !i.publicly_accessible,
                None => r.instances.push(DbInstance {
                    id: id.clone(),
                    arn: String::new(),
                    engine: "mysql".into(),
                    engine_version: String::new(),
                    class: String::new(),
                    publicly_accessible: true,
                    storage_encrypted: false,
                    kms_key_id: None,
                    cluster: None,
                    port: None,
                    vpc_security_groups: vec![],
                    allocated_storage: None,
                    multi_az: None,
                    storage_type: None,
                    pending: Default::default(),
                }),
            }
        }
        RdsRef::DbSnapshot { region, id } => {
            if let Some(r) = rds_region(inv, region) {
                drift_snapshot(&mut r.snapshots, id);
            }
        }
        RdsRef::DbClusterSnapshot { region, id } => {
            if let Some(r) = rds_region(inv, region) {
                drift_snapshot(&mut r.cluster_snapshots, id);
            }
        }
        // Findings only: no document, never part of a plan.
        RdsRef::Region { .. } => {}
    }
}
