//! The `rds` section: instances reachable from the internet, their security
//! groups (judged and tightened with the ec2 section's analysis), unencrypted
//! storage, public snapshots.

pub mod fix;

use super::ec2::{GroupUser, UsedRule, group_label, network_error, rules_of_used_groups};
use super::kit::in_region;
use super::regions::{counted, each_region, res, scope_error};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::Ec2Network;
use crate::aws::inventory::{
    ByRegion, DbInstance, DbSnapshot, Fetched, Inventory, PartId, RdsRef, RdsRegion, ResourceRef,
};
use crate::checks::regions::RegionScope;
use crate::guide::msg;
use crate::plan::{InputKind, InputSpec};

pub const PUBLIC_INSTANCES: &str = "rds.public-instances";
pub const OPEN_SECURITY_GROUPS: &str = "rds.open-security-groups";
pub const STORAGE_ENCRYPTED: &str = "rds.storage-encrypted";
pub const PUBLIC_SNAPSHOTS: &str = "rds.public-snapshots";

/// `apply_at=now`: send ApplyImmediately, which also applies every
/// modification the instance has queued.
pub const APPLY_NOW: &str = "now";
/// `apply_at=maintenance-window`: leave queued modifications for the window.
pub const APPLY_IN_WINDOW: &str = "maintenance-window";

/// When the instance's queued modifications are applied. The public-access
/// change itself takes effect at once either way (RDS applies
/// PubliclyAccessible immediately whatever ApplyImmediately says), so the
/// default is the choice that never brings an unplanned change forward.
pub const APPLY_AT: InputSpec = InputSpec {
    name: "apply_at",
    kind: InputKind::Choice {
        options: &[APPLY_IN_WINDOW, APPLY_NOW],
    },
    default: Some(APPLY_IN_WINDOW),
};

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: PUBLIC_INSTANCES,
        section: "rds",
        needs: &[PartId::Rds],
        cis: &["3.2.3"],
        security_hub: &["RDS.2"],
        check: public_instances,
        fix: Fix::Plan(fix::rds_public_instances),
        inputs: &[APPLY_AT],
    },
    ItemDef {
        id: OPEN_SECURITY_GROUPS,
        section: "rds",
        needs: &[PartId::Rds, PartId::Ec2Network],
        cis: &[],
        security_hub: &[],
        check: open_security_groups,
        fix: Fix::Plan(fix::rds_open_security_groups),
        inputs: crate::checks::ec2::fix::TIGHTEN_INPUTS,
    },
    ItemDef {
        id: STORAGE_ENCRYPTED,
        section: "rds",
        needs: &[PartId::Rds],
        cis: &["3.2.1"],
        security_hub: &["RDS.3"],
        check: storage_encrypted,
        // Guided (no API encrypts in place), yet the live state decides.
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: PUBLIC_SNAPSHOTS,
        section: "rds",
        needs: &[PartId::Rds],
        cis: &[],
        security_hub: &["RDS.1"],
        check: public_snapshots,
        fix: Fix::Plan(fix::rds_public_snapshots),
        inputs: &[],
    },
];

/// The KMS key the storage-encryption steps suggest: RDS's AWS managed key.
pub const DEFAULT_RDS_KEY: &str = "alias/aws/rds";

fn rds(inv: &Inventory) -> Option<&ByRegion<RdsRegion>> {
    inv.rds.ready()
}

pub fn instance_resource(region: &str, i: &DbInstance) -> String {
    res(ResourceRef::Rds(RdsRef::DbInstance {
        region: region.to_string(),
        id: i.id.clone(),
    }))
}

fn engine_label(i: &DbInstance) -> String {
    if i.engine_version.is_empty() {
        i.engine.clone()
    } else {
        format!("{} {}", i.engine, i.engine_version)
    }
}

/// The RDS regions and the findings `visit` makes of each (a region that
/// could not be read: its `error` finding); `None` before RDS was read.
fn rds_findings<'a>(
    inv: &'a Inventory,
    visit: impl FnMut(&'a str, &'a RdsRegion, &mut Vec<Finding>),
) -> Option<(&'a ByRegion<RdsRegion>, Vec<Finding>)> {
    let regions = rds(inv)?;
    let mut findings = vec![];
    each_region(regions, RegionScope::Rds, &mut findings, visit);
    Some((regions, findings))
}

fn count(regions: &ByRegion<RdsRegion>, f: impl Fn(&RdsRegion) -> usize) -> usize {
    regions
        .regions
        .values()
        .filter_map(Fetched::ready)
        .map(f)
        .sum()
}

fn public_instances(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((regions, findings)) = rds_findings(inv, |region, r, out| {
        for i in r.instances.iter().filter(|i| i.publicly_accessible) {
            let groups = if i.vpc_security_groups.is_empty() {
                "-".to_string()
            } else {
                i.vpc_security_groups.join(", ")
            };
            let mut detail = msg(
                PUBLIC_INSTANCES,
                "finding",
                &[
                    ("name", &i.id),
                    ("engine", &engine_label(i)),
                    ("region", region),
                    ("groups", &groups),
                ],
            );
            if !i.pending.is_empty() {
                detail.push(' ');
                detail.push_str(&msg(
                    PUBLIC_INSTANCES,
                    "queued",
                    &[("changes", &i.pending_changes().join(", "))],
                ));
            }
            out.push(in_region(
                Finding::fail(instance_resource(region, i), detail),
                region,
            ));
        }
    }) else {
        return Outcome::pass(String::new());
    };
    let total = count(regions, |r| r.instances.len());
    counted(PUBLIC_INSTANCES, findings, total)
}

/// The rules open to the whole internet (0.0.0.0/0, ::/0) in the security
/// groups of the DB instances, with the instances each one reaches. Regions
/// whose instances or groups could not be read are left out.
pub fn open_db_rules<'a>(
    regions: &'a ByRegion<RdsRegion>,
    net: &'a ByRegion<Ec2Network>,
) -> Vec<UsedRule<'a>> {
    let users: Vec<GroupUser> = regions
        .regions
        .iter()
        .filter_map(|(region, r)| r.ready().map(|r| (region, r)))
        .flat_map(|(region, r)| {
            r.instances.iter().map(move |i| GroupUser {
                region,
                groups: &i.vpc_security_groups,
                name: i.id.clone(),
                ports: i.port.into_iter().collect(),
            })
        })
        .collect();
    rules_of_used_groups(net, &users, |_, r| r.source.is_open())
}

fn open_security_groups(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(regions), Some(net)) = (rds(inv), inv.ec2_network.ready()) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    each_region(
        regions,
        RegionScope::Rds,
        &mut findings,
        |region, r, out| {
            if let (Some(e), false) = (network_error(net, region), r.instances.is_empty()) {
                out.push(scope_error(RegionScope::Rds, region, e));
            }
        },
    );
    for u in open_db_rules(regions, net) {
        findings.push(in_region(
            Finding::fail(
                u.resource(),
                msg(
                    OPEN_SECURITY_GROUPS,
                    "finding",
                    &[
                        ("group", &group_label(u.group)),
                        ("rule", &u.rule.ports_label()),
                        ("cidr", &u.rule_ref.cidr),
                        ("instances", &u.users.join(", ")),
                    ],
                ),
            ),
            &u.region,
        ));
    }
    let total = count(regions, |r| r.instances.len());
    counted(OPEN_SECURITY_GROUPS, findings, total)
}

/// A DB identifier with a suffix, within RDS's 63-character limit.
fn derived_id(id: &str, suffix: &str) -> String {
    let keep = 63usize.saturating_sub(suffix.len());
    let base: String = id.chars().take(keep).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// The storage-encryption procedure for one instance, with its names.
pub fn encryption_steps(region: &str, i: &DbInstance) -> String {
    let groups = if i.vpc_security_groups.is_empty() {
        "-".to_string()
    } else {
        i.vpc_security_groups.join(", ")
    };
    match &i.cluster {
        Some(cluster) => msg(
            STORAGE_ENCRYPTED,
            "finding_cluster",
            &[
                ("name", &i.id),
                ("cluster", cluster),
                ("engine", &engine_label(i)),
                ("region", region),
                ("snapshot", &derived_id(cluster, "-pre-encryption")),
                ("copy", &derived_id(cluster, "-encrypted")),
                ("new", &derived_id(cluster, "-enc")),
                ("key", DEFAULT_RDS_KEY),
                ("groups", &groups),
            ],
        ),
        None => msg(
            STORAGE_ENCRYPTED,
            "finding",
            &[
                ("name", &i.id),
                ("engine", &engine_label(i)),
                ("class", &i.class),
                ("region", region),
                ("snapshot", &derived_id(&i.id, "-pre-encryption")),
                ("copy", &derived_id(&i.id, "-encrypted")),
                ("new", &derived_id(&i.id, "-enc")),
                ("key", DEFAULT_RDS_KEY),
                ("groups", &groups),
            ],
        ),
    }
}

fn storage_encrypted(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((regions, findings)) = rds_findings(inv, |region, r, out| {
        for i in r.instances.iter().filter(|i| !i.storage_encrypted) {
            out.push(in_region(
                Finding::fail(instance_resource(region, i), encryption_steps(region, i)),
                region,
            ));
        }
    }) else {
        return Outcome::pass(String::new());
    };
    let total = count(regions, |r| r.instances.len());
    counted(STORAGE_ENCRYPTED, findings, total)
}

pub fn snapshot_resource(region: &str, s: &DbSnapshot, cluster: bool) -> String {
    let (region, id) = (region.to_string(), s.id.clone());
    res(if cluster {
        ResourceRef::Rds(RdsRef::DbClusterSnapshot { region, id })
    } else {
        ResourceRef::Rds(RdsRef::DbSnapshot { region, id })
    })
}

fn public_snapshots(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((regions, findings)) = rds_findings(inv, |region, r, out| {
        let all = r
            .snapshots
            .iter()
            .map(|s| (s, false))
            .chain(r.cluster_snapshots.iter().map(|s| (s, true)));
        for (s, cluster) in all {
            let resource = snapshot_resource(region, s, cluster);
            let key = if cluster {
                "finding_cluster"
            } else {
                "finding"
            };
            match &s.restore {
                Fetched::Error(e) => out.push(Finding {
                    resource,
                    region: Some(region.to_string()),
                    status: Status::Error,
                    detail: msg(
                        PUBLIC_SNAPSHOTS,
                        "unreadable",
                        &[("name", &s.id), ("error", &e.summary())],
                    ),
                }),
                Fetched::Ready(_) if s.is_public() => out.push(in_region(
                    Finding::fail(
                        resource,
                        msg(
                            PUBLIC_SNAPSHOTS,
                            key,
                            &[("name", &s.id), ("source", &s.source), ("region", region)],
                        ),
                    ),
                    region,
                )),
                Fetched::Ready(_) => {}
            }
        }
    }) else {
        return Outcome::pass(String::new());
    };
    let total = count(regions, |r| r.snapshots.len() + r.cluster_snapshots.len());
    counted(PUBLIC_SNAPSHOTS, findings, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::PartError;
    use crate::aws::ops;
    use crate::checks::testkit::midnight as now;
    use crate::checks::testkit::*;
    use crate::plan::{Inputs, Op, PlanError};

    #[test]
    fn public_instances_fail_and_the_plan_turns_them_private() {
        let t = T::at(now());
        let mut inv = inventory();
        assert_eq!(t.status(&inv, PUBLIC_INSTANCES), Status::Pass);
        rds_mut(&mut inv, EU).instances[0].publicly_accessible = true;
        let r = t.eval(&inv, PUBLIC_INSTANCES);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].resource, "db/eu-west-1/orders-db");
        assert_eq!(r.findings[0].region.as_deref(), Some(EU));
        assert!(
            r.findings[0].detail.contains("sg-0db"),
            "{}",
            r.findings[0].detail
        );
        let plan = t
            .plan(&inv, PUBLIC_INSTANCES, &Inputs::default())
            .expect("plan");
        assert_closes_orders_db(&plan);
        assert!(
            plan.warnings.iter().any(|w| w.contains("outside")),
            "{:?}",
            plan.warnings
        );
        let after = t.fix(&inv, PUBLIC_INSTANCES, &Inputs::default());
        assert_eq!(t.status(&after, PUBLIC_INSTANCES), Status::Pass);
        assert!(matches!(
            t.plan(&after, PUBLIC_INSTANCES, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    /// The plan's one step: orders-db stops being public, at once.
    fn assert_closes_orders_db(plan: &crate::plan::Plan) {
        assert_eq!(
            plan.ops().collect::<Vec<_>>(),
            vec![&Op::ModifyDbInstancePublicAccess(
                ops::ModifyDbInstancePublicAccess {
                    region: EU.into(),
                    instance: "orders-db".into(),
                    publicly_accessible: false,
                    apply_immediately: false,
                }
            )]
        );
    }

    /// A public instance with a class change and an engine upgrade queued
    /// for its maintenance window.
    fn with_queued_changes() -> Inventory {
        let mut inv = inventory();
        let i = &mut rds_mut(&mut inv, EU).instances[0];
        i.publicly_accessible = true;
        i.pending
            .insert("DBInstanceClass".into(), "db.r5.xlarge".into());
        i.pending.insert("EngineVersion".into(), "16.4".into());
        inv
    }

    #[test]
    fn queued_modifications_stay_queued_by_default() {
        let t = T::at(now());
        let inv = with_queued_changes();
        let r = t.eval(&inv, PUBLIC_INSTANCES);
        assert_eq!(r.status, Status::Fail);
        // The finding says what is queued.
        let d = &r.findings[0].detail;
        assert!(
            d.contains("DBInstanceClass db.t3.medium → db.r5.xlarge")
                && d.contains("EngineVersion 16.3 → 16.4"),
            "{d}"
        );
        let plan = t
            .plan(&inv, PUBLIC_INSTANCES, &Inputs::default())
            .expect("plan");
        // ApplyImmediately=false: PubliclyAccessible applies at once anyway,
        // and the queued class change does not.
        assert_closes_orders_db(&plan);
        assert!(
            plan.warnings.iter().any(|w| w.contains("orders-db")
                && w.contains("DBInstanceClass db.t3.medium → db.r5.xlarge")
                && w.contains("stay queued")),
            "{:?}",
            plan.warnings
        );
        // The document shows the queue, before and after.
        let rc = &plan.resources[0];
        assert!(rc.before_text().contains("PendingModifiedValues"));
        assert!(rc.after_text().contains("db.r5.xlarge"));
        let after = t.fix(&inv, PUBLIC_INSTANCES, &Inputs::default());
        assert_eq!(t.status(&after, PUBLIC_INSTANCES), Status::Pass);
        let mut after = after;
        let i = &rds_mut(&mut after, EU).instances[0];
        assert_eq!(i.class, "db.t3.medium");
        assert_eq!(i.pending.len(), 2);
        // Undo never applies the queue either.
        let undo = plan.steps[0].inverse.clone().expect("inverse");
        assert!(matches!(
            undo.as_slice(),
            [Op::ModifyDbInstancePublicAccess(
                ops::ModifyDbInstancePublicAccess {
                    publicly_accessible: true,
                    apply_immediately: false,
                    ..
                }
            )]
        ));
    }

    #[test]
    fn apply_at_now_applies_the_queue_and_says_so() {
        let t = T::at(now());
        let inv = with_queued_changes();
        let req = Inputs::default().with("apply_at", "now");
        let plan = t.plan(&inv, PUBLIC_INSTANCES, &req).expect("plan");
        assert!(matches!(
            plan.ops().collect::<Vec<_>>().as_slice(),
            [Op::ModifyDbInstancePublicAccess(
                ops::ModifyDbInstancePublicAccess {
                    apply_immediately: true,
                    ..
                }
            )]
        ));
        assert!(
            plan.warnings.iter().any(|w| w.contains("now")
                && w.contains("DBInstanceClass db.t3.medium → db.r5.xlarge")
                && w.contains("EngineVersion 16.3 → 16.4")),
            "{:?}",
            plan.warnings
        );
        // The preview shows the class and version changing now.
        let rc = &plan.resources[0];
        let after = rc.after.clone().expect("after");
        assert_eq!(after["DBInstanceClass"], "db.r5.xlarge");
        assert_eq!(after["EngineVersion"], "16.4");
        assert!(after.get("PendingModifiedValues").is_none(), "{after}");
        let mut applied = inv.clone();
        for op in plan.ops() {
            applied.apply(op).expect("apply");
        }
        let i = &rds_mut(&mut applied, EU).instances[0];
        assert!(!i.publicly_accessible && i.pending.is_empty());
        assert_eq!(i.class, "db.r5.xlarge");
        // A value apply_at does not know is an input error, even with nothing to do.
        for inv in [inv.clone(), inventory()] {
            assert!(matches!(
                t.plan(&inv, PUBLIC_INSTANCES, &Inputs::default().with("apply_at", "later")),
                Err(PlanError::Input { name, .. }) if name == "apply_at"
            ));
        }
        // Nothing queued: no warning about it either way.
        let mut inv = inventory();
        rds_mut(&mut inv, EU).instances[0].publicly_accessible = true;
        let plan = t.plan(&inv, PUBLIC_INSTANCES, &req).expect("plan");
        assert!(
            !plan.warnings.iter().any(|w| w.contains("queued")),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn a_failing_region_marks_only_its_findings() {
        let t = T::at(now());
        let mut inv = inventory();
        rds_mut(&mut inv, EU).instances[0].publicly_accessible = true;
        if let Some(r) = inv.rds.ready_mut() {
            r.regions.insert(
                "ap-east-1".into(),
                Fetched::Error(PartError::new(
                    "rds:DescribeDBInstances",
                    Some("InvalidClientTokenId".into()),
                    "opt-in region",
                )),
            );
        }
        let r = t.eval(&inv, PUBLIC_INSTANCES);
        assert_eq!(r.status, Status::Fail);
        let err = errors(&r);
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].resource, "rds/ap-east-1");
        assert!(err[0].detail.contains("ap-east-1"));
        // The plan still fixes the readable region.
        let plan = t
            .plan(&inv, PUBLIC_INSTANCES, &Inputs::default())
            .expect("plan");
        assert_eq!(plan.steps.len(), 1);
        // Nothing failing elsewhere: the item is an error, not a pass.
        rds_mut(&mut inv, EU).instances[0].publicly_accessible = false;
        assert_eq!(t.status(&inv, PUBLIC_INSTANCES), Status::Error);
    }

    #[test]
    fn storage_encryption_is_guided_with_the_names_filled_in() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, STORAGE_ENCRYPTED);
        assert_eq!(r.status, Status::Fail);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(
            names,
            vec!["db/us-east-1/legacy-mysql", "db/us-east-1/reports-aurora-1"]
        );
        let d = &r.findings[0].detail;
        for s in [
            "legacy-mysql-pre-encryption",
            "legacy-mysql-encrypted",
            "legacy-mysql-enc",
            "alias/aws/rds",
            "mysql 8.0.35",
            "db.t3.medium",
        ] {
            assert!(d.contains(s), "{s} in {d}");
        }
        let d = &r.findings[1].detail;
        assert!(d.contains("reports-cluster-pre-encryption"), "{d}");
        let def = crate::checks::item(STORAGE_ENCRYPTED).expect("item");
        assert!(def.has_steps() && !def.can_mark_done());
        assert_eq!(derived_id(&"x".repeat(70), "-enc").len(), 63);
    }

    #[test]
    fn public_snapshots_lose_all_and_keep_shared_accounts() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, PUBLIC_SNAPSHOTS);
        assert_eq!(r.status, Status::Fail);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "db-snapshot/us-east-1/legacy-before-upgrade",
                "db-cluster-snapshot/us-east-1/reports-q3"
            ]
        );
        let plan = t
            .plan(&inv, PUBLIC_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        assert_eq!(plan.steps.len(), 2);
        let after = t.fix(&inv, PUBLIC_SNAPSHOTS, &Inputs::default());
        assert_eq!(t.status(&after, PUBLIC_SNAPSHOTS), Status::Pass);
        let kept = rds_mut(&mut after.clone(), US).snapshots[0].restore.clone();
        assert_eq!(kept, Fetched::Ready(vec!["210987654321".to_string()]));
        // An unreadable attribute is an error on that snapshot, never planned.
        let mut inv = inventory();
        rds_mut(&mut inv, US).snapshots[0].restore = Fetched::Error(PartError::new(
            "rds:DescribeDBSnapshotAttributes",
            Some("AccessDenied".into()),
            "no",
        ));
        let r = t.eval(&inv, PUBLIC_SNAPSHOTS);
        assert!(
            r.findings.iter().any(|f| f.status == Status::Error
                && f.detail.contains("rds:DescribeDBSnapshotAttributes"))
        );
        let plan = t
            .plan(&inv, PUBLIC_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        assert_eq!(plan.steps.len(), 1);
    }

    #[test]
    fn no_instances_pass_and_say_so() {
        let t = T::at(now());
        let mut inv = inventory();
        inv.rds = crate::aws::inventory::Part::of(crate::aws::inventory::Rds::default());
        for id in [PUBLIC_INSTANCES, STORAGE_ENCRYPTED, PUBLIC_SNAPSHOTS] {
            let r = t.eval(&inv, id);
            assert_eq!(r.status, Status::Pass, "{id}");
            assert_eq!(r.summary, msg(id, "none", &[]));
        }
    }

    const DEMO_VPC: &str = "vpc-0a1b2c3d4e5f60718";

    fn demo() -> Inventory {
        crate::collect::demo::demo_inventory().expect("demo inventory")
    }

    #[test]
    fn open_security_groups_find_open_rules_of_db_groups_and_tighten_them() {
        let t = T::at(now());
        let inv = demo();
        let r = t.eval(&inv, OPEN_SECURITY_GROUPS);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        let open = format!("sg-rule/{US}/{DEMO_VPC}/legacy-mysql/tcp:3306/0.0.0.0/0");
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        // The web tier's SSH rule is open too, but no DB instance uses that group.
        assert_eq!(names, vec![open.as_str()]);
        assert_eq!(r.findings[0].region.as_deref(), Some(US));
        assert!(
            r.findings[0].detail.contains("example-corp-legacy-mysql"),
            "{}",
            r.findings[0].detail
        );

        // Tighten to the application subnet: the group-sourced rule stays.
        let req = Inputs {
            resources: vec![open.clone()],
            ..Inputs::default()
        }
        .with("cidr", "10.0.0.0/16");
        let plan = t.plan(&inv, OPEN_SECURITY_GROUPS, &req).expect("plan");
        assert!(
            plan.warnings.iter().any(|w| w.contains("every resource")),
            "{:?}",
            plan.warnings
        );
        let after = t.fix(&inv, OPEN_SECURITY_GROUPS, &req);
        assert_eq!(t.status(&after, OPEN_SECURITY_GROUPS), Status::Pass);
        let g = after
            .ec2_network
            .ready()
            .and_then(|n| n.ready(US))
            .and_then(|n| n.group(DEMO_VPC, "legacy-mysql"))
            .expect("group");
        let sources: Vec<String> = g
            .ingress
            .iter()
            .map(|r| format!("{:?}", r.source))
            .collect();
        assert_eq!(sources.len(), 2, "{sources:?}");
        assert!(
            sources.iter().any(|s| s.contains("10.0.0.0/16")),
            "{sources:?}"
        );
        assert!(sources.iter().any(|s| s.contains("Group")), "{sources:?}");

        // Revoke instead; a missing CIDR is an input error, not a plan.
        let after = t.fix(
            &inv,
            OPEN_SECURITY_GROUPS,
            &Inputs::default().with("action", "revoke"),
        );
        assert_eq!(t.status(&after, OPEN_SECURITY_GROUPS), Status::Pass);
        assert!(matches!(
            t.plan(&inv, OPEN_SECURITY_GROUPS, &Inputs::default()),
            Err(PlanError::Input { name, .. }) if name == "cidr"
        ));
        assert!(matches!(
            t.plan(&inv, OPEN_SECURITY_GROUPS, &Inputs::default().with("cidr", "0.0.0.0/0")),
            Err(PlanError::Input { name, .. }) if name == "cidr"
        ));
    }

    #[test]
    fn open_security_groups_unreadable_groups_are_an_error_of_their_region() {
        let t = T::at(now());
        let mut inv = demo();
        if let Some(n) = inv.ec2_network.ready_mut() {
            n.regions.insert(
                EU.into(),
                Fetched::Error(PartError::new(
                    "ec2:DescribeSecurityGroups",
                    Some("AuthFailure".into()),
                    "region not enabled",
                )),
            );
        }
        let r = t.eval(&inv, OPEN_SECURITY_GROUPS);
        // us-east-1 still fails on its own finding; eu-west-1 is an error.
        assert_eq!(r.status, Status::Fail);
        let err = errors(&r);
        assert_eq!(err.len(), 1, "{r:?}");
        assert_eq!(err[0].region.as_deref(), Some(EU));
        assert!(err[0].detail.contains("AuthFailure"), "{}", err[0].detail);
    }
}
