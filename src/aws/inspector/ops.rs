//! Amazon Inspector's mutating calls, one type each (see [`OpKind`]).

use crate::inventory::{
    ApplyError, InspectorStatus, Inventory, ResourceRef, WorkloadsRef, in_region,
};
use crate::plan::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// inspector2:Enable for the account in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableInspector {
    pub region: String,
    pub account: String,
    pub resource_types: Vec<String>,
}

impl OpKind for EnableInspector {
    const ACTION: &'static str = "inspector2:Enable";

    fn resource(&self) -> ResourceRef {
        inspector_ref(&self.region)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "enable Amazon Inspector scans of {} in {}",
            self.resource_types.join(", "),
            self.region
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let s = status_mut(inv, &self.region)?;
        for t in &self.resource_types {
            s.scans.insert(t.clone(), "ENABLED".into());
        }
        s.status = "ENABLED".into();
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let s = status(before, &self.region)?;
        let enabled: Vec<String> = self
            .resource_types
            .iter()
            .filter(|t| !s.is_on(t))
            .cloned()
            .collect();
        if enabled.is_empty() {
            return Some(vec![]);
        }
        Some(vec![
            DisableInspector {
                region: self.region.clone(),
                account: self.account.clone(),
                resource_types: enabled,
            }
            .into(),
        ])
    }
}

/// inspector2:Disable (undo of Enable: only the types it enabled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableInspector {
    pub region: String,
    pub account: String,
    pub resource_types: Vec<String>,
}

impl OpKind for DisableInspector {
    const ACTION: &'static str = "inspector2:Disable";

    fn resource(&self) -> ResourceRef {
        inspector_ref(&self.region)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "disable Amazon Inspector scans of {} in {}",
            self.resource_types.join(", "),
            self.region
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let s = status_mut(inv, &self.region)?;
        for t in &self.resource_types {
            s.scans.insert(t.clone(), "DISABLED".into());
        }
        // With every scan type off, Inspector is off for the account.
        if s.scans
            .values()
            .all(|v| matches!(v.as_str(), "DISABLED" | "DISABLING"))
        {
            s.status = "DISABLED".into();
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let s = status(before, &self.region)?;
        let disabled: Vec<String> = self
            .resource_types
            .iter()
            .filter(|t| s.is_on(t))
            .cloned()
            .collect();
        if disabled.is_empty() {
            return Some(vec![]);
        }
        Some(vec![
            EnableInspector {
                region: self.region.clone(),
                account: self.account.clone(),
                resource_types: disabled,
            }
            .into(),
        ])
    }
}

fn inspector_ref(region: &str) -> ResourceRef {
    ResourceRef::Workloads(WorkloadsRef::Inspector {
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
    let inspector = inv
        .inspector
        .ready_mut()
        .ok_or(ApplyError::NotReady("Inspector"))?;
    in_region(&mut inspector.regions, region, "Inspector")
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
