//! RDS's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    ApplyError, DbSnapshot, Fetched, Inventory, PUBLIC, RdsRef, RdsRegion, ResourceRef,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// rds:ModifyDBInstance PubliclyAccessible. RDS applies that setting at
/// once whatever ApplyImmediately says; `apply_immediately` (sent as
/// ApplyImmediately) also applies every modification the instance has
/// queued for its maintenance window. Absent in older journals: false,
/// which never applies a queued modification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyDbInstancePublicAccess {
    pub region: String,
    pub instance: String,
    pub publicly_accessible: bool,
    #[serde(default)]
    pub apply_immediately: bool,
}

impl OpKind for ModifyDbInstancePublicAccess {
    const ACTION: &'static str = "rds:ModifyDBInstance";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Rds(RdsRef::DbInstance {
            region: self.region.clone(),
            id: self.instance.clone(),
        })
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let ModifyDbInstancePublicAccess {
            region,
            instance,
            publicly_accessible,
            apply_immediately,
        } = self;
        format!(
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
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let instance = &self.instance;
        let r = rds_mut(inv, &self.region)?;
        let i = r
            .instances
            .iter_mut()
            .find(|i| &i.id == instance)
            .ok_or_else(|| ApplyError::NoSuch(format!("DB instance {instance}")))?;
        // RDS applies PubliclyAccessible at once whatever ApplyImmediately
        // says; ApplyImmediately also applies every queued modification.
        i.publicly_accessible = self.publicly_accessible;
        if self.apply_immediately {
            i.apply_pending();
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let prev = rds_region(before, &self.region)?
            .instances
            .iter()
            .find(|i| i.id == self.instance)?
            .publicly_accessible;
        // Undo never applies queued modifications: the setting
        // itself changes back at once either way.
        Some(vec![
            ModifyDbInstancePublicAccess {
                region: self.region.clone(),
                instance: self.instance.clone(),
                publicly_accessible: prev,
                apply_immediately: false,
            }
            .into(),
        ])
    }
}

/// An op that adds and removes values of the `restore` attribute of one kind
/// of snapshot (`$list` of the region's RDS model, `$what` in messages); its
/// undo changes back only what it changed.
macro_rules! restore_op {
    (
        $(#[$doc:meta])*
        $name:ident, $action:literal, $variant:ident, $what:literal, $list:ident
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            pub region: String,
            pub snapshot: String,
            #[serde(default)]
            pub add: Vec<String>,
            #[serde(default)]
            pub remove: Vec<String>,
        }

        impl OpKind for $name {
            const ACTION: &'static str = $action;

            fn resource(&self) -> ResourceRef {
                ResourceRef::Rds(RdsRef::$variant {
                    region: self.region.clone(),
                    id: self.snapshot.clone(),
                })
            }

            fn region(&self) -> Option<&str> {
                Some(&self.region)
            }

            fn describe(&self) -> String {
                restore_text($what, &self.snapshot, &self.region, &self.add, &self.remove)
            }

            fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                let snapshot = &self.snapshot;
                let r = rds_mut(inv, &self.region)?;
                let s = r
                    .$list
                    .iter_mut()
                    .find(|s| &s.id == snapshot)
                    .ok_or_else(|| ApplyError::NoSuch(format!("{} {snapshot}", $what)))?;
                modify_restore(s, &self.add, &self.remove)
            }

            fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                let s = rds_region(before, &self.region)?
                    .$list
                    .iter()
                    .find(|s| s.id == self.snapshot)?;
                let (add, remove) = restore_back(s.restore.ready()?, &self.add, &self.remove);
                Some(vec![
                    $name {
                        region: self.region.clone(),
                        snapshot: self.snapshot.clone(),
                        add,
                        remove,
                    }
                    .into(),
                ])
            }
        }
    };
}

restore_op! {
    /// rds:ModifyDBSnapshotAttribute on the `restore` attribute.
    ModifyDbSnapshotRestore, "rds:ModifyDBSnapshotAttribute", DbSnapshot, "DB snapshot", snapshots
}

restore_op! {
    /// rds:ModifyDBClusterSnapshotAttribute on the `restore` attribute.
    ModifyDbClusterSnapshotRestore, "rds:ModifyDBClusterSnapshotAttribute", DbClusterSnapshot,
    "DB cluster snapshot", cluster_snapshots
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

/// Add and remove values of a `restore` attribute, as RDS does.
fn modify_restore(
    snap: &mut DbSnapshot,
    add: &[String],
    remove: &[String],
) -> Result<(), ApplyError> {
    let Fetched::Ready(values) = &mut snap.restore else {
        return Err(ApplyError::Conflict(format!(
            "the restore attribute of snapshot {} could not be read",
            snap.id
        )));
    };
    if snap.encrypted && add.iter().any(|a| a == PUBLIC) {
        return Err(ApplyError::Conflict(format!(
            "the encrypted snapshot {} cannot be made public",
            snap.id
        )));
    }
    values.retain(|v| !remove.contains(v));
    for a in add {
        if !values.contains(a) {
            values.push(a.clone());
        }
    }
    Ok(())
}

fn rds_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a RdsRegion> {
    match inv.rds.ready()?.regions.get(region)? {
        Fetched::Ready(r) => Some(r),
        Fetched::Error(_) => None,
    }
}

fn rds_mut<'a>(inv: &'a mut Inventory, region: &str) -> Result<&'a mut RdsRegion, ApplyError> {
    inv.rds.region_mut("RDS", region)
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
}
