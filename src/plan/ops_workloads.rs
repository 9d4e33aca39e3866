//! Ops of RDS, Route 53, load balancers and other tools (issue 6: rds, route53, elb, other sections).
//!
//! `Op::Workloads` wraps [`WorkloadsOp`]; it is `#[serde(untagged)]` there, so each
//! variant serializes exactly like a top-level op: `{"op": "snake_case_name", …}`.
//! Give the enum `#[serde(tag = "op", rename_all = "snake_case")]` when it gets
//! its first variant, and keep variant names unique across all ops.

use super::Op;
use crate::inventory::{Inventory, ResourceRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkloadsOp {}

impl WorkloadsOp {
    /// Every IAM action these ops send (part of `Op::all_actions`).
    pub const ALL_ACTIONS: &'static [&'static str] = &[];

    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match *self {}
    }

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        match *self {}
    }

    /// Other resources whose documents this op changes (see `Op::also_touches`).
    pub fn also_touches(&self) -> Vec<ResourceRef> {
        match *self {}
    }

    /// The region the call goes to (`None`: a global service).
    pub fn region(&self) -> Option<&str> {
        match *self {}
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        match *self {}
    }

    /// Ops that undo this one, given the inventory just before it; `None`
    /// when it cannot be undone.
    pub fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        match *self {}
    }
}
