//! Amazon Inspector's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{ApplyError, InspectorRef, InspectorStatus, Inventory, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// An op that turns Inspector scans of `resource_types` on or off for the
/// account in one region; its undo is the opposite op for the types it
/// really changed (those that were `$was` before).
macro_rules! scans_op {
    (
        $(#[$doc:meta])*
        $name:ident, $action:literal, $verb:literal, $set:ident, $undo:ident, was_on: $was:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            pub region: String,
            pub account: String,
            pub resource_types: Vec<String>,
        }

        impl OpKind for $name {
            const ACTION: &'static str = $action;

            fn resource(&self) -> ResourceRef {
                inspector_ref(&self.region)
            }

            fn region(&self) -> Option<&str> {
                Some(&self.region)
            }

            fn describe(&self) -> String {
                format!(
                    concat!($verb, " Amazon Inspector scans of {} in {}"),
                    self.resource_types.join(", "),
                    self.region
                )
            }

            fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                $set(status_mut(inv, &self.region)?, &self.resource_types);
                Ok(())
            }

            fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                let s = status(before, &self.region)?;
                let changed: Vec<String> = self
                    .resource_types
                    .iter()
                    .filter(|t| s.is_on(t) == $was)
                    .cloned()
                    .collect();
                if changed.is_empty() {
                    return Some(vec![]);
                }
                Some(vec![
                    $undo {
                        region: self.region.clone(),
                        account: self.account.clone(),
                        resource_types: changed,
                    }
                    .into(),
                ])
            }
        }
    };
}

scans_op! {
    /// inspector2:Enable for the account in one region.
    EnableInspector, "inspector2:Enable", "enable", enable_scans, DisableInspector, was_on: false
}

scans_op! {
    /// inspector2:Disable (undo of Enable: only the types it enabled).
    DisableInspector, "inspector2:Disable", "disable", disable_scans, EnableInspector, was_on: true
}

fn enable_scans(s: &mut InspectorStatus, types: &[String]) {
    for t in types {
        s.scans.insert(t.clone(), "ENABLED".into());
    }
    s.status = "ENABLED".into();
}

fn disable_scans(s: &mut InspectorStatus, types: &[String]) {
    for t in types {
        s.scans.insert(t.clone(), "DISABLED".into());
    }
    // With every scan type off, Inspector is off for the account.
    if s.scans
        .values()
        .all(|v| matches!(v.as_str(), "DISABLED" | "DISABLING"))
    {
        s.status = "DISABLED".into();
    }
}

fn inspector_ref(region: &str) -> ResourceRef {
    ResourceRef::Inspector(InspectorRef::Status {
        region: region.to_string(),
    })
}

fn status<'a>(inv: &'a Inventory, region: &str) -> Option<&'a InspectorStatus> {
    inv.inspector.ready()?.regions.get(region)?.ready()
}

fn status_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
) -> Result<&'a mut InspectorStatus, ApplyError> {
    inv.inspector.region_mut("Inspector", region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_serialize_with_their_tag() {
        let op = Op::EnableInspector(EnableInspector {
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
