//! Ops of RDS, Route 53, load balancers and other tools (issue 6: rds, route53, elb, other sections).
//!
//! `Op::Workloads` wraps [`WorkloadsOp`]; it is `#[serde(untagged)]` there, so each
//! variant serializes exactly like a top-level op: `{"op": "snake_case_name", …}`.

use super::Op;
use crate::inventory::{
    Fetched, Inventory, ListenerAction, RecordSet, RecordType, ResourceRef, WorkloadsRef, record_of,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WorkloadsOp {
    /// rds:ModifyDBInstance PubliclyAccessible. RDS applies that setting at
    /// once whatever ApplyImmediately says; `apply_immediately` (sent as
    /// ApplyImmediately) also applies every modification the instance has
    /// queued for its maintenance window. Absent in older journals: false,
    /// which never applies a queued modification.
    ModifyDbInstancePublicAccess {
        region: String,
        instance: String,
        publicly_accessible: bool,
        #[serde(default)]
        apply_immediately: bool,
    },
    /// rds:ModifyDBSnapshotAttribute on the `restore` attribute.
    ModifyDbSnapshotRestore {
        region: String,
        snapshot: String,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    /// rds:ModifyDBClusterSnapshotAttribute on the `restore` attribute.
    ModifyDbClusterSnapshotRestore {
        region: String,
        snapshot: String,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    /// route53:ChangeResourceRecordSets UPSERT of an apex record set.
    UpsertRecordSet { zone: String, record: RecordSet },
    /// route53:ChangeResourceRecordSets DELETE of an apex record set, given
    /// exactly as it is (undo of an UPSERT that created it).
    DeleteRecordSet { zone: String, record: RecordSet },
    /// elasticloadbalancing:ModifyListener DefaultActions.
    ModifyListenerDefaultActions {
        region: String,
        load_balancer: String,
        port: i32,
        listener_arn: String,
        actions: Vec<ListenerAction>,
    },
    /// elasticloadbalancing:ModifyRule Actions (the conditions are kept).
    ModifyRuleActions {
        region: String,
        load_balancer: String,
        port: i32,
        rule_arn: String,
        /// For the description and the finding it fixes.
        priority: String,
        actions: Vec<ListenerAction>,
    },
    /// elasticloadbalancing:ModifyListener SslPolicy.
    ModifyListenerSslPolicy {
        region: String,
        load_balancer: String,
        port: i32,
        listener_arn: String,
        ssl_policy: String,
    },
    /// inspector2:Enable for the account in one region.
    EnableInspector {
        region: String,
        account: String,
        resource_types: Vec<String>,
    },
    /// inspector2:Disable (undo of Enable: only the types it enabled).
    DisableInspector {
        region: String,
        account: String,
        resource_types: Vec<String>,
    },
}

impl WorkloadsOp {
    /// Every IAM action these ops send (part of `Op::all_actions`).
    pub const ALL_ACTIONS: &'static [&'static str] = &[
        "rds:ModifyDBInstance",
        "rds:ModifyDBSnapshotAttribute",
        "rds:ModifyDBClusterSnapshotAttribute",
        "route53:ChangeResourceRecordSets",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyRule",
        "inspector2:Enable",
        "inspector2:Disable",
    ];

    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match self {
            WorkloadsOp::ModifyDbInstancePublicAccess { .. } => "rds:ModifyDBInstance",
            WorkloadsOp::ModifyDbSnapshotRestore { .. } => "rds:ModifyDBSnapshotAttribute",
            WorkloadsOp::ModifyDbClusterSnapshotRestore { .. } => {
                "rds:ModifyDBClusterSnapshotAttribute"
            }
            WorkloadsOp::UpsertRecordSet { .. } | WorkloadsOp::DeleteRecordSet { .. } => {
                "route53:ChangeResourceRecordSets"
            }
            WorkloadsOp::ModifyListenerDefaultActions { .. }
            | WorkloadsOp::ModifyListenerSslPolicy { .. } => "elasticloadbalancing:ModifyListener",
            WorkloadsOp::ModifyRuleActions { .. } => "elasticloadbalancing:ModifyRule",
            WorkloadsOp::EnableInspector { .. } => "inspector2:Enable",
            WorkloadsOp::DisableInspector { .. } => "inspector2:Disable",
        }
    }

    fn workloads_ref(&self) -> WorkloadsRef {
        match self {
            WorkloadsOp::ModifyDbInstancePublicAccess {
                region, instance, ..
            } => WorkloadsRef::DbInstance {
                region: region.clone(),
                id: instance.clone(),
            },
            WorkloadsOp::ModifyDbSnapshotRestore {
                region, snapshot, ..
            } => WorkloadsRef::DbSnapshot {
                region: region.clone(),
                id: snapshot.clone(),
            },
            WorkloadsOp::ModifyDbClusterSnapshotRestore {
                region, snapshot, ..
            } => WorkloadsRef::DbClusterSnapshot {
                region: region.clone(),
                id: snapshot.clone(),
            },
            WorkloadsOp::UpsertRecordSet { zone, record }
            | WorkloadsOp::DeleteRecordSet { zone, record } => WorkloadsRef::RecordSet {
                zone: zone.clone(),
                // An op of another type is refused by `Inventory::apply`.
                rtype: RecordType::parse(&record.rtype).unwrap_or(RecordType::Txt),
            },
            WorkloadsOp::ModifyListenerDefaultActions {
                region,
                load_balancer,
                port,
                ..
            }
            | WorkloadsOp::ModifyListenerSslPolicy {
                region,
                load_balancer,
                port,
                ..
            }
            | WorkloadsOp::ModifyRuleActions {
                region,
                load_balancer,
                port,
                ..
            } => WorkloadsRef::Listener {
                region: region.clone(),
                load_balancer: load_balancer.clone(),
                port: *port,
            },
            WorkloadsOp::EnableInspector { region, .. }
            | WorkloadsOp::DisableInspector { region, .. } => WorkloadsRef::Inspector {
                region: region.clone(),
            },
        }
    }

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        ResourceRef::Workloads(self.workloads_ref())
    }

    /// Other resources whose documents this op changes (see `Op::also_touches`).
    pub fn also_touches(&self) -> Vec<ResourceRef> {
        vec![]
    }

    /// The region the call goes to (`None`: a global service).
    pub fn region(&self) -> Option<&str> {
        match self {
            WorkloadsOp::ModifyDbInstancePublicAccess { region, .. }
            | WorkloadsOp::ModifyDbSnapshotRestore { region, .. }
            | WorkloadsOp::ModifyDbClusterSnapshotRestore { region, .. }
            | WorkloadsOp::ModifyListenerDefaultActions { region, .. }
            | WorkloadsOp::ModifyListenerSslPolicy { region, .. }
            | WorkloadsOp::ModifyRuleActions { region, .. }
            | WorkloadsOp::EnableInspector { region, .. }
            | WorkloadsOp::DisableInspector { region, .. } => Some(region),
            WorkloadsOp::UpsertRecordSet { .. } | WorkloadsOp::DeleteRecordSet { .. } => None,
        }
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            WorkloadsOp::ModifyDbInstancePublicAccess {
                region,
                instance,
                publicly_accessible,
                apply_immediately,
            } => format!(
                "{} public access to DB instance {instance} ({region}){}",
                if *publicly_accessible {
                    "allow"
                } else {
                    "remove"
                },
                if *apply_immediately {
                    ", applying its queued modifications now"
                } else {
                    ""
                }
            ),
            WorkloadsOp::ModifyDbSnapshotRestore {
                region,
                snapshot,
                add,
                remove,
            } => restore_text("DB snapshot", snapshot, region, add, remove),
            WorkloadsOp::ModifyDbClusterSnapshotRestore {
                region,
                snapshot,
                add,
                remove,
            } => restore_text("DB cluster snapshot", snapshot, region, add, remove),
            WorkloadsOp::UpsertRecordSet { record, .. } => format!(
                "set the {} record of {} to {}",
                record.rtype,
                record.name,
                record.values.join(" | ")
            ),
            WorkloadsOp::DeleteRecordSet { record, .. } => {
                format!("delete the {} record of {}", record.rtype, record.name)
            }
            WorkloadsOp::ModifyListenerDefaultActions {
                region,
                load_balancer,
                port,
                actions,
                ..
            } => {
                let kinds: Vec<String> = actions.iter().map(|a| a.kind.clone()).collect();
                format!(
                    "set the default action of listener {load_balancer}:{port} ({region}) to {}",
                    list(&kinds)
                )
            }
            WorkloadsOp::ModifyRuleActions {
                region,
                load_balancer,
                port,
                priority,
                actions,
                ..
            } => {
                let kinds: Vec<String> = actions.iter().map(|a| a.kind.clone()).collect();
                format!(
                    "set the actions of rule {priority} of listener {load_balancer}:{port} ({region}) to {}",
                    list(&kinds)
                )
            }
            WorkloadsOp::ModifyListenerSslPolicy {
                region,
                load_balancer,
                port,
                ssl_policy,
                ..
            } => format!(
                "set the security policy of listener {load_balancer}:{port} ({region}) to {ssl_policy}"
            ),
            WorkloadsOp::EnableInspector {
                region,
                resource_types,
                ..
            } => format!(
                "enable Amazon Inspector scans of {} in {region}",
                list(resource_types)
            ),
            WorkloadsOp::DisableInspector {
                region,
                resource_types,
                ..
            } => format!(
                "disable Amazon Inspector scans of {} in {region}",
                list(resource_types)
            ),
        }
    }

    /// Ops that undo this one, given the inventory just before it; `None`
    /// when it cannot be undone.
    pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let w = |o: WorkloadsOp| Op::Workloads(o);
        Some(match self {
            WorkloadsOp::ModifyDbInstancePublicAccess {
                region, instance, ..
            } => {
                let prev = rds_region(before, region)?
                    .instances
                    .iter()
                    .find(|i| &i.id == instance)?
                    .publicly_accessible;
                // Undo never applies queued modifications: the setting
                // itself changes back at once either way.
                vec![w(WorkloadsOp::ModifyDbInstancePublicAccess {
                    region: region.clone(),
                    instance: instance.clone(),
                    publicly_accessible: prev,
                    apply_immediately: false,
                })]
            }
            WorkloadsOp::ModifyDbSnapshotRestore {
                region,
                snapshot,
                add,
                remove,
            } => {
                let s = rds_region(before, region)?
                    .snapshots
                    .iter()
                    .find(|s| &s.id == snapshot)?;
                let (add, remove) = restore_back(s.restore.ready()?, add, remove);
                vec![w(WorkloadsOp::ModifyDbSnapshotRestore {
                    region: region.clone(),
                    snapshot: snapshot.clone(),
                    add,
                    remove,
                })]
            }
            WorkloadsOp::ModifyDbClusterSnapshotRestore {
                region,
                snapshot,
                add,
                remove,
            } => {
                let s = rds_region(before, region)?
                    .cluster_snapshots
                    .iter()
                    .find(|s| &s.id == snapshot)?;
                let (add, remove) = restore_back(s.restore.ready()?, add, remove);
                vec![w(WorkloadsOp::ModifyDbClusterSnapshotRestore {
                    region: region.clone(),
                    snapshot: snapshot.clone(),
                    add,
                    remove,
                })]
            }
            WorkloadsOp::UpsertRecordSet { zone, record }
            | WorkloadsOp::DeleteRecordSet { zone, record } => {
                let z = before.route53.ready()?.zone(zone)?;
                let rtype = RecordType::parse(&record.rtype)?;
                let prev = record_of(z.records.ready()?, rtype).cloned();
                match (self, prev) {
                    (_, Some(prev)) => vec![w(WorkloadsOp::UpsertRecordSet {
                        zone: zone.clone(),
                        record: prev,
                    })],
                    // Created by the UPSERT: delete exactly what it set.
                    (WorkloadsOp::UpsertRecordSet { .. }, None) => {
                        let mut r = record.clone();
                        r.name = z.name.clone();
                        vec![w(WorkloadsOp::DeleteRecordSet {
                            zone: zone.clone(),
                            record: r,
                        })]
                    }
                    // Deleting what does not exist fails; nothing to restore.
                    _ => return None,
                }
            }
            WorkloadsOp::ModifyListenerDefaultActions {
                region,
                load_balancer,
                port,
                listener_arn,
                ..
            } => {
                let l = listener(before, region, load_balancer, *port)?;
                if !l.default_actions.iter().all(ListenerAction::is_restorable) {
                    return None;
                }
                vec![w(WorkloadsOp::ModifyListenerDefaultActions {
                    region: region.clone(),
                    load_balancer: load_balancer.clone(),
                    port: *port,
                    listener_arn: listener_arn.clone(),
                    actions: l.default_actions.clone(),
                })]
            }
            WorkloadsOp::ModifyRuleActions {
                region,
                load_balancer,
                port,
                rule_arn,
                priority,
                ..
            } => {
                let rule = listener(before, region, load_balancer, *port)?
                    .rules
                    .iter()
                    .find(|r| &r.arn == rule_arn)?;
                if rule.actions.is_empty()
                    || !rule.actions.iter().all(ListenerAction::is_restorable)
                {
                    return None;
                }
                vec![w(WorkloadsOp::ModifyRuleActions {
                    region: region.clone(),
                    load_balancer: load_balancer.clone(),
                    port: *port,
                    rule_arn: rule_arn.clone(),
                    priority: priority.clone(),
                    actions: rule.actions.clone(),
                })]
            }
            WorkloadsOp::ModifyListenerSslPolicy {
                region,
                load_balancer,
                port,
                listener_arn,
                ..
            } => {
                let l = listener(before, region, load_balancer, *port)?;
                vec![w(WorkloadsOp::ModifyListenerSslPolicy {
                    region: region.clone(),
                    load_balancer: load_balancer.clone(),
                    port: *port,
                    listener_arn: listener_arn.clone(),
                    ssl_policy: l.ssl_policy.clone()?,
                })]
            }
            WorkloadsOp::EnableInspector {
                region,
                account,
                resource_types,
            } => {
                let s = before.inspector.ready()?.regions.get(region)?.ready()?;
                let enabled: Vec<String> = resource_types
                    .iter()
                    .filter(|t| !s.is_on(t))
                    .cloned()
                    .collect();
                if enabled.is_empty() {
                    return Some(vec![]);
                }
                vec![w(WorkloadsOp::DisableInspector {
                    region: region.clone(),
                    account: account.clone(),
                    resource_types: enabled,
                })]
            }
            WorkloadsOp::DisableInspector {
                region,
                account,
                resource_types,
            } => {
                let s = before.inspector.ready()?.regions.get(region)?.ready()?;
                let disabled: Vec<String> = resource_types
                    .iter()
                    .filter(|t| s.is_on(t))
                    .cloned()
                    .collect();
                if disabled.is_empty() {
                    return Some(vec![]);
                }
                vec![w(WorkloadsOp::EnableInspector {
                    region: region.clone(),
                    account: account.clone(),
                    resource_types: disabled,
                })]
            }
        })
    }
}

fn restore_text(what: &str, id: &str, region: &str, add: &[String], remove: &[String]) -> String {
    let mut parts = vec![];
    if !remove.is_empty() {
        parts.push(format!("remove {} from", remove.join(", ")));
    }
    if !add.is_empty() {
        parts.push(format!("add {} to", add.join(", ")));
    }
    format!(
        "{} the restore attribute of {what} {id} ({region})",
        parts.join(" and ")
    )
}

/// The add/remove that undoes one, given the values before: only what it
/// really changed is changed back.
fn restore_back(prev: &[String], add: &[String], remove: &[String]) -> (Vec<String>, Vec<String>) {
    let back_remove: Vec<String> = add.iter().filter(|a| !prev.contains(a)).cloned().collect();
    let back_add: Vec<String> = remove
        .iter()
        .filter(|r| prev.contains(r))
        .cloned()
        .collect();
    (back_add, back_remove)
}

fn rds_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a crate::inventory::RdsRegion> {
    match inv.rds.ready()?.regions.get(region)? {
        Fetched::Ready(r) => Some(r),
        Fetched::Error(_) => None,
    }
}

fn listener<'a>(
    inv: &'a Inventory,
    region: &str,
    load_balancer: &str,
    port: i32,
) -> Option<&'a crate::inventory::Listener> {
    inv.elb
        .ready()?
        .regions
        .get(region)?
        .ready()?
        .load_balancer(load_balancer)?
        .listener(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_undo_changes_back_only_what_changed() {
        let prev = vec!["all".to_string(), "210987654321".to_string()];
        assert_eq!(
            restore_back(&prev, &[], &["all".into()]),
            (vec!["all".to_string()], vec![])
        );
        // Adding a value that was there already changes nothing to undo.
        assert_eq!(restore_back(&prev, &["all".into()], &[]), (vec![], vec![]));
        assert_eq!(
            restore_back(&[], &["all".into()], &["x".into()]),
            (vec![], vec!["all".to_string()])
        );
    }

    #[test]
    fn ops_serialize_with_their_tag() {
        let op = Op::Workloads(WorkloadsOp::EnableInspector {
            region: "us-east-1".into(),
            account: "111122223333".into(),
            resource_types: vec!["EC2".into()],
        });
        let v = serde_json::to_value(&op).expect("json");
        assert_eq!(v["op"], "enable_inspector");
        let back: Op = serde_json::from_value(v).expect("back");
        assert_eq!(back, op);
    }
}
