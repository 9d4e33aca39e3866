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

    /// The account id a person must type to confirm this plan (see
    /// [`OpKind::typed_confirmation`]); `None`: a yes is enough.
    pub fn typed_confirmation(&self) -> Option<&str> {
        self.ops().find_map(|op| op.typed_confirmation())
    }
}

/// S3 refuses PutBucketPolicy with a policy that grants public access while
/// BlockPublicPolicy is on for the bucket or the account (403 AccessDenied),
/// even when the public statement was there before the block: a plan (or an
/// undo) that would send one is refused here, with the reason, instead of
/// failing part-way on AWS. `inv` is the account as the plan's earlier ops
/// leave it.
fn refused_public_policy(inv: &Inventory, op: &Op) -> Option<String> {
    let Op::PutBucketPolicy(p) = op else {
        return None;
    };
    if !crate::policy::statements(&p.policy)
        .into_iter()
        .any(crate::policy::is_public_statement)
    {
        return None;
    }
    let account = inv
        .s3_account_pab
        .ready()
        .and_then(|p| p.as_ref())
        .is_some_and(|p| p.block_public_policy);
    let bucket = inv
        .s3
        .ready()
        .and_then(|s3| s3.bucket(&p.bucket))
        .and_then(|b| b.public_access_block.ready())
        .and_then(|p| p.as_ref())
        .is_some_and(|p| p.block_public_policy);
    (account || bucket).then(|| {
        crate::guide::msg(
            "plan",
            "public_policy_blocked",
            &[
                ("bucket", &p.bucket),
                (
                    "level",
                    &crate::guide::msg(
                        "plan",
                        if account {
                            "block_level_account"
                        } else {
                            "block_level_bucket"
                        },
                        &[],
                    ),
                ),
            ],
        )
    })
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
        if let Some(why) = refused_public_policy(&cur, &op) {
            return Err(PlanError::Invalid(why));
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

    /// S3 refuses a public bucket policy under BlockPublicPolicy, so does
    /// the plan: with the block on (account or bucket) before the write; a
    /// block turned on after the write is fine (the policy goes in first).
    #[test]
    fn a_public_policy_under_block_public_policy_is_refused() {
        use crate::aws::s3::ops::{
            PutAccountPublicAccessBlock, PutBucketPolicy, PutBucketPublicAccessBlock,
        };
        let inv = crate::collect::demo::demo_inventory().expect("demo");
        let b = inv
            .s3
            .ready()
            .and_then(|s3| s3.bucket("example-corp-www"))
            .expect("the demo's website bucket")
            .clone();
        let policy = b.policy.ready().and_then(|p| p.clone()).expect("a policy");
        assert!(
            crate::policy::statements(&policy)
                .into_iter()
                .any(crate::policy::is_public_statement),
            "the website bucket's policy is public"
        );
        let put: Op = PutBucketPolicy {
            bucket: b.name.clone(),
            region: b.region.clone(),
            policy,
        }
        .into();
        let block_bucket: Op = PutBucketPublicAccessBlock {
            bucket: b.name.clone(),
            region: b.region.clone(),
            config: crate::aws::s3::PublicAccessBlock::ALL,
        }
        .into();
        let block_account: Op = PutAccountPublicAccessBlock {
            config: crate::aws::s3::PublicAccessBlock::ALL,
        }
        .into();
        let draft = |ops: Vec<Op>| Draft {
            ops,
            warnings: vec![],
        };
        // No block in force: the write goes through.
        make_plan(&inv, "t", draft(vec![put.clone()])).expect("no block: planned");
        // The block first, then the public write: refused, naming the bucket.
        for block in [&block_bucket, &block_account] {
            let e = make_plan(&inv, "t", draft(vec![block.clone(), put.clone()]))
                .expect_err("S3 would refuse it");
            let PlanError::Invalid(why) = e else {
                panic!("{e:?}")
            };
            assert!(
                why.contains("example-corp-www") && why.contains("BlockPublicPolicy"),
                "{why}"
            );
        }
        // The write first, then the block: S3 accepts both.
        make_plan(&inv, "t", draft(vec![put, block_bucket])).expect("write, then block");
    }
}
