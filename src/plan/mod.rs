//! Plans: lists of [`Op`]s built by pure functions from the inventory, with the
//! before/after documents the preview diffs and the inverses the journal keeps.
//!
//! A plan builder only chooses ops. [`make_plan`] derives everything else from
//! them: it applies each op to a copy of the inventory (`Inventory::apply`),
//! records the inverse against the state just before it, and renders every
//! touched resource before and after. What the preview shows is what apply sends.

pub mod blast;
pub(crate) mod build;
mod inputs;
pub mod topic;

pub use crate::aws::cloudtrail::ops::TrailEdit;

pub use crate::aws::op::{DistributionEdit, MfaToken, Op, OpKind};
pub use inputs::{InputKind, InputSpec, Inputs, parse_cidr, valid_bucket_name};

use crate::aws::inventory::{Inventory, PartId, ResourceRef, canonical_json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// What a plan builder returns: the ops, and warnings for the confirmation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub ops: Vec<Op>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PlanError {
    /// The item passes (or the selected resources do): nothing to change.
    #[error("nothing to change: {0}")]
    NothingToDo(String),
    /// No API can make this change here; the item's steps say how.
    #[error("{0}")]
    Guided(String),
    /// A missing or invalid input.
    #[error("input '{name}': {message}")]
    Input { name: String, message: String },
    #[error("the {} could not be read yet", .0.label())]
    NotReady(PartId),
    #[error("{0}")]
    Invalid(String),
}

/// One op with what undoes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub op: Op,
    /// Ops that restore the state before `op`; `None` when it cannot be undone.
    pub inverse: Option<Vec<Op>>,
    /// The item this step fixes, in a plan over several items (a batch);
    /// `None` in a one-item plan (the plan's item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// A resource the plan touches, before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub resource: ResourceRef,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl ResourceChange {
    pub fn before_text(&self) -> String {
        canonical_json(self.before.as_ref())
    }
    pub fn after_text(&self) -> String {
        canonical_json(self.after.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The item id (or `undo`).
    pub item: String,
    /// The account the plan was made for; apply refuses any other.
    pub account: String,
    pub steps: Vec<Step>,
    pub resources: Vec<ResourceChange>,
    pub warnings: Vec<String>,
    /// What else the changes reach (users of a group, readers of a bucket,
    /// costs), from the inventory the plan was built on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blast: Vec<blast::Note>,
}

impl Plan {
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.steps.iter().map(|s| &s.op)
    }
    /// Inventory parts to re-read for the drift check and verification.
    pub fn parts(&self) -> Vec<PartId> {
        let mut p: Vec<PartId> = self
            .resources
            .iter()
            .flat_map(|r| r.resource.parts().iter().copied())
            .collect();
        p.push(PartId::Identity);
        p.sort();
        p.dedup();
        p
    }
    pub fn is_reversible(&self) -> bool {
        self.steps.iter().all(|s| s.inverse.is_some())
    }
}

/// Derive a full plan from a builder's ops (see the module docs).
pub fn make_plan(inv: &Inventory, item: &str, draft: Draft) -> Result<Plan, PlanError> {
    let account = inv
        .account_id()
        .ok_or(PlanError::NotReady(PartId::Identity))?
        .to_string();
    if draft.ops.is_empty() {
        return Err(PlanError::NothingToDo(crate::guide::msg(
            "plan",
            "nothing",
            &[],
        )));
    }
    let mut cur = inv.clone();
    let mut steps = Vec::with_capacity(draft.ops.len());
    let mut touched: Vec<ResourceRef> = vec![];
    // Order of first touch for the preview; the set keeps a plan over
    // thousands of buckets linear.
    let mut seen: std::collections::HashSet<ResourceRef> = Default::default();
    for op in draft.ops {
        let r = op.resource();
        // Rendering the resource up front also proves its parts are collected.
        cur.document(&r).map_err(|e| PlanError::NotReady(e.0))?;
        let inv_ops = op.inverse(&cur);
        let also = op.also_touches();
        for a in &also {
            cur.document(a).map_err(|e| PlanError::NotReady(e.0))?;
        }
        cur.apply(&op)
            .map_err(|e| PlanError::Invalid(format!("{}: {e}", op.describe())))?;
        for r in std::iter::once(r).chain(also) {
            if seen.insert(r.clone()) {
                touched.push(r);
            }
        }
        steps.push(Step {
            op,
            inverse: inv_ops,
            item: None,
        });
    }
    let blast = blast::radius(inv, &cur, steps.iter().map(|s| &s.op));
    let resources = touched
        .into_iter()
        .map(|r| {
            let before = inv.document(&r).ok().flatten();
            let after = cur.document(&r).ok().flatten();
            ResourceChange {
                resource: r,
                before,
                after,
            }
        })
        .collect();
    Ok(Plan {
        item: item.to_string(),
        account,
        steps,
        resources,
        warnings: draft.warnings,
        blast,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan's step without an item (every one-item plan) reads and
    /// writes exactly as before steps could name one.
    #[test]
    fn a_step_without_item_serializes_as_before() {
        /// A step as it was before it could name its item.
        #[derive(Serialize)]
        struct OldStep {
            op: Op,
            inverse: Option<Vec<Op>>,
        }
        let op = Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: crate::aws::inventory::KeyStatus::Inactive,
        });
        let old = serde_json::to_string(&OldStep {
            op: op.clone(),
            inverse: None,
        })
        .expect("json");
        let step: Step = serde_json::from_str(&old).expect("an old step parses");
        assert_eq!(step.item, None);
        assert_eq!(serde_json::to_string(&step).expect("json"), old);
        let tagged = Step {
            item: Some("account.stale-access-keys".into()),
            ..step
        };
        let text = serde_json::to_string(&tagged).expect("json");
        assert!(
            text.ends_with(r#","item":"account.stale-access-keys"}"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Step>(&text).expect("parses"), tagged);
    }
}
