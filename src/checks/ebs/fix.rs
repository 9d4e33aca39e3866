//! Plan builders of the `ebs` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline from them. A region
//! that could not be read is never planned for.

use crate::aws::inventory::{EbsRef, ResourceRef, SnapshotPermissionChange};
use crate::aws::inventory::{Fetched, Inventory, PartId};
use crate::checks::Ctx;
use crate::checks::ebs::{
    ENCRYPTION_BY_DEFAULT, PUBLIC_SNAPSHOTS, RECENT_SNAPSHOTS, stale_volumes,
};
use crate::checks::regions::wanted;
use crate::guide::msg;
use crate::plan::build::{done, item_warning};
use crate::plan::{Draft, Inputs, Op, PlanError};

/// Turn on encryption by default in every region where it is off.
pub fn encryption_by_default(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv
        .ebs_encryption
        .ready()
        .ok_or(PlanError::NotReady(PartId::EbsEncryption))?;
    let ops = p
        .iter_ready()
        .filter(|(_, on)| !**on)
        .map(|(region, _)| region.to_string())
        .filter(|region| {
            wanted(
                req,
                ResourceRef::Ebs(EbsRef::Encryption {
                    region: region.clone(),
                }),
            )
        })
        .map(|region| {
            Op::EnableEbsEncryptionByDefault(crate::aws::ops::EnableEbsEncryptionByDefault {
                region,
            })
        })
        .collect();
    done(ops, item_warning(ENCRYPTION_BY_DEFAULT))
}

/// The `Name` tag of the snapshot moat takes of `volume` at `now`: unique
/// per volume and second, so undo can find exactly this snapshot.
pub fn snapshot_name(volume: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    format!("moat-{volume}-{}", now.format("%Y%m%d-%H%M%S"))
}

/// Snapshot every in-use volume whose newest snapshot is too old.
pub fn recent_snapshots(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv.ebs.ready().ok_or(PlanError::NotReady(PartId::Ebs))?;
    let date = ctx.now.format("%Y-%m-%d").to_string();
    let ops = stale_volumes(p, ctx)
        .into_iter()
        .filter(|(region, v, _)| {
            wanted(
                req,
                ResourceRef::Ebs(EbsRef::Volume {
                    region: region.to_string(),
                    id: v.id.clone(),
                }),
            )
        })
        .map(|(region, v, _)| {
            Op::CreateSnapshot(crate::aws::ops::CreateSnapshot {
                region: region.to_string(),
                volume_id: v.id.clone(),
                name: snapshot_name(&v.id, ctx.now),
                description: msg(
                    RECENT_SNAPSHOTS,
                    "snapshot_description",
                    &[("volume", &v.id), ("date", &date)],
                ),
            })
        })
        .collect();
    done(ops, item_warning(RECENT_SNAPSHOTS))
}

/// Remove the `all` group from every public snapshot's create-volume permission.
pub fn public_snapshots(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv.ebs.ready().ok_or(PlanError::NotReady(PartId::Ebs))?;
    let mut ops = vec![];
    for (region, r) in p.iter_ready() {
        for s in r
            .snapshots
            .iter()
            .filter(|s| s.public == Fetched::Ready(true))
        {
            if !wanted(
                req,
                ResourceRef::Ebs(EbsRef::Snapshot {
                    region: region.to_string(),
                    id: s.id.clone(),
                }),
            ) {
                continue;
            }
            ops.push(Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: region.to_string(),
                    snapshot_id: s.id.clone(),
                    change: SnapshotPermissionChange::Remove,
                },
            ));
        }
    }
    done(ops, item_warning(PUBLIC_SNAPSHOTS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{EbsRegion, Snapshot, Volume};
    use crate::checks::Status;
    use crate::checks::testkit::*;

    /// The inventory with one EBS region, read.
    fn ebs_in(region: &str, volumes: Vec<Volume>, snapshots: Vec<Snapshot>) -> Inventory {
        with_ebs(
            empty(),
            vec![(region, Fetched::Ready(EbsRegion { volumes, snapshots }))],
        )
    }

    #[test]
    fn encryption_plan_enables_only_the_regions_that_are_off() {
        let inv = Inventory {
            ebs_encryption: crate::aws::inventory::Part::of(regions(vec![
                ("eu-west-1", Fetched::Ready(false)),
                ("us-east-1", Fetched::Ready(true)),
                (
                    "us-west-2",
                    Fetched::Error(denied("ec2:GetEbsEncryptionByDefault")),
                ),
            ])),
            ..empty()
        };
        let t = T::new();
        let plan = t
            .plan(&inv, ENCRYPTION_BY_DEFAULT, &Inputs::default())
            .expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::EnableEbsEncryptionByDefault(
                crate::aws::ops::EnableEbsEncryptionByDefault {
                    region: "eu-west-1".into()
                }
            )]
        );
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DisableEbsEncryptionByDefault(
                crate::aws::ops::DisableEbsEncryptionByDefault {
                    region: "eu-west-1".into()
                }
            )])
        );
        assert!(!plan.warnings.is_empty(), "the aws/ebs sharing caveat");
        let after = t.fix(&inv, ENCRYPTION_BY_DEFAULT, &Inputs::default());
        // The unreadable region stays an error, the others pass.
        assert_eq!(t.status(&after, ENCRYPTION_BY_DEFAULT), Status::Error);
        let only = Inputs {
            resources: vec!["ebs-encryption/us-east-1".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, ENCRYPTION_BY_DEFAULT, &only),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn snapshot_plan_tags_a_snapshot_that_undo_deletes() {
        let t = T::new();
        let inv = ebs_in(
            "us-east-1",
            vec![
                volume("vol-old", false, Some("i-1")),
                volume("vol-new", false, Some("i-2")),
                volume("vol-idle", false, None),
            ],
            vec![
                snapshot("snap-1", "vol-old", 30, false),
                snapshot("snap-2", "vol-new", 1, false),
            ],
        );
        let plan = t
            .plan(&inv, RECENT_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        let name = "moat-vol-old-20261129-120000";
        match plan.ops().next() {
            Some(Op::CreateSnapshot(crate::aws::ops::CreateSnapshot {
                region,
                volume_id,
                name: n,
                description,
            })) => {
                assert_eq!(
                    (region.as_str(), volume_id.as_str(), n.as_str()),
                    ("us-east-1", "vol-old", name)
                );
                assert!(description.contains("vol-old"), "{description}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DeleteSnapshot(crate::aws::ops::DeleteSnapshot {
                region: "us-east-1".into(),
                volume_id: "vol-old".into(),
                name: name.into(),
                snapshot_id: None,
            })])
        );
        // The preview is the new snapshot, named by its tag, with moat's tags.
        let rc = &plan.resources[0];
        assert_eq!(
            rc.resource.to_string(),
            format!("snapshot/us-east-1/{name}")
        );
        assert_eq!(rc.before, None);
        let after = rc.after.as_ref().expect("after");
        assert_eq!(after["Tags"]["moat:created-by"], "moat");
        assert_eq!(after["Tags"]["Name"], name);
        let fixed = t.fix(&inv, RECENT_SNAPSHOTS, &Inputs::default());
        assert_eq!(t.status(&fixed, RECENT_SNAPSHOTS), Status::Pass);
        // Once AWS gave it an id, the plan's name still finds it.
        let mut real = fixed.clone();
        if let Some(r) = real.ebs.ready_mut().and_then(|p| p.ready_mut("us-east-1"))
            && let Some(s) = r.snapshots.iter_mut().find(|s| s.id == name)
        {
            s.id = "snap-0real".into();
        }
        assert_eq!(
            real.document(&rc.resource).expect("doc"),
            fixed.document(&rc.resource).expect("doc")
        );
    }

    #[test]
    fn public_snapshot_plan_removes_all_and_undo_adds_it() {
        let t = T::new();
        let mut unreadable = snapshot("snap-3", "vol-1", 1, false);
        unreadable.public = Fetched::Error(denied("ec2:DescribeSnapshotAttribute"));
        let inv = ebs_in(
            "eu-west-1",
            vec![],
            vec![
                snapshot("snap-1", "vol-1", 1, true),
                snapshot("snap-2", "vol-1", 1, false),
                unreadable,
            ],
        );
        let plan = t
            .plan(&inv, PUBLIC_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: "eu-west-1".into(),
                    snapshot_id: "snap-1".into(),
                    change: SnapshotPermissionChange::Remove,
                }
            )]
        );
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: "eu-west-1".into(),
                    snapshot_id: "snap-1".into(),
                    change: SnapshotPermissionChange::Add,
                }
            )])
        );
        let after = t.fix(&inv, PUBLIC_SNAPSHOTS, &Inputs::default());
        // snap-3 could not be read: error, never planned for.
        assert_eq!(t.status(&after, PUBLIC_SNAPSHOTS), Status::Error);
    }
}
