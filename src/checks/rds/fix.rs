//! Plan builders of the `rds` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline. Regions or resources
//! that could not be read are never planned.

use crate::aws::inventory::{Fetched, Inventory, PUBLIC, PartId};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::ec2::fix::selected_rules;
use crate::checks::rds::{
    APPLY_AT, APPLY_NOW, OPEN_SECURITY_GROUPS, PUBLIC_INSTANCES, PUBLIC_SNAPSHOTS,
    instance_resource, open_db_rules, snapshot_resource,
};
use crate::guide::msg;
use crate::plan::build::{check_given, draft};
use crate::plan::{Draft, Inputs, Op, PlanError};

/// rds.open-security-groups: tighten or revoke each selected open rule of a
/// DB instance's group, as ec2.open-admin-ports does.
pub fn rds_open_security_groups(
    inv: &Inventory,
    _: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let net = inv
        .ec2_network
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Network))?;
    let targets = selected_rules(open_db_rules(rds, net), req);
    crate::checks::ec2::fix::tighten_each(
        inv,
        &targets,
        req,
        OPEN_SECURITY_GROUPS,
        crate::checks::ec2::fix::TIGHTEN_INPUTS,
    )
}

/// ModifyDBInstance PubliclyAccessible=false. RDS applies that setting at
/// once whatever ApplyImmediately says, so ApplyImmediately only decides
/// what happens to the modifications an instance has queued for its
/// maintenance window: `apply_at=maintenance-window` (the default) leaves
/// them queued, `apply_at=now` applies them with this change. The preview
/// names them either way.
pub fn rds_public_instances(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    check_given(req, &[APPLY_AT])?;
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let now = req.get(&APPLY_AT)? == APPLY_NOW;
    let mut ops = vec![];
    let mut pending = vec![];
    for (region, r) in &rds.regions {
        let Fetched::Ready(r) = r else { continue };
        for i in r.instances.iter().filter(|i| i.publicly_accessible) {
            if req.wants(&instance_resource(region, i)) {
                if !i.pending.is_empty() {
                    pending.push((i.id.clone(), i.pending_changes().join(", ")));
                }
                ops.push(Op::ModifyDbInstancePublicAccess(
                    ops::ModifyDbInstancePublicAccess {
                        region: region.clone(),
                        instance: i.id.clone(),
                        publicly_accessible: false,
                        apply_immediately: now,
                    },
                ));
            }
        }
    }
    let mut d = draft(PUBLIC_INSTANCES, ops)?;
    let key = if now { "pending_now" } else { "pending_kept" };
    for (name, changes) in pending {
        d.warnings.push(msg(
            PUBLIC_INSTANCES,
            key,
            &[("name", &name), ("changes", &changes)],
        ));
    }
    Ok(d)
}

/// Remove `all` from the restore attribute of public manual snapshots
/// (other accounts it is shared with keep their access).
pub fn rds_public_snapshots(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let mut ops = vec![];
    for (region, r) in &rds.regions {
        let Fetched::Ready(r) = r else { continue };
        for s in r.snapshots.iter().filter(|s| s.is_public()) {
            if req.wants(&snapshot_resource(region, s, false)) {
                ops.push(Op::ModifyDbSnapshotRestore(ops::ModifyDbSnapshotRestore {
                    region: region.clone(),
                    snapshot: s.id.clone(),
                    add: vec![],
                    remove: vec![PUBLIC.to_string()],
                }));
            }
        }
        for s in r.cluster_snapshots.iter().filter(|s| s.is_public()) {
            if req.wants(&snapshot_resource(region, s, true)) {
                ops.push(Op::ModifyDbClusterSnapshotRestore(
                    ops::ModifyDbClusterSnapshotRestore {
                        region: region.clone(),
                        snapshot: s.id.clone(),
                        add: vec![],
                        remove: vec![PUBLIC.to_string()],
                    },
                ));
            }
        }
    }
    draft(PUBLIC_SNAPSHOTS, ops)
}
