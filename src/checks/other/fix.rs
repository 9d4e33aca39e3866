//! Plan builders of the `other` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline. Regions or resources
//! that could not be read are never planned.

use crate::aws::inventory::{Fetched, INSPECTOR_SCANS, Inventory, PartId};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::other::{INSPECTOR, inspector_resource};
use crate::plan::build::draft;
use crate::plan::{Draft, Inputs, Op, PlanError};

/// Enable Inspector's EC2 and ECR scans where they are off, per region.
pub fn other_inspector(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let account = inv
        .account_id()
        .ok_or(PlanError::NotReady(PartId::Identity))?
        .to_string();
    let part = inv
        .inspector
        .ready()
        .ok_or(PlanError::NotReady(PartId::Inspector))?;
    let mut ops = vec![];
    for (region, s) in &part.regions {
        let Fetched::Ready(s) = s else { continue };
        let off: Vec<String> = INSPECTOR_SCANS
            .iter()
            .filter(|t| !s.is_on(t))
            .map(|t| t.to_string())
            .collect();
        if !off.is_empty() && req.wants(&inspector_resource(region)) {
            ops.push(Op::EnableInspector(ops::EnableInspector {
                region: region.clone(),
                account: account.clone(),
                resource_types: off,
            }));
        }
    }
    draft(INSPECTOR, ops)
}
