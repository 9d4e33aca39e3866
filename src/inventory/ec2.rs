//! The account model of EC2 (issue 4: the ec2 section): the types its parts hold, the resources
//! moat can change ([`Ec2Ref`], wrapped by `ResourceRef::Ec2`), their
//! documents, and the predicted effect of [`Ec2Op`]s.

use super::apply::ApplyError;
use super::document::NotReady;
use super::{Inventory, PartId};
use crate::plan::Ec2Op;
use serde_json::Value;
use std::fmt;

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ec2Ref {}

impl Ec2Ref {
    /// Examples for the "unknown resource" message, e.g. `"sg/REGION/ID"`.
    pub const EXAMPLES: &'static [&'static str] = &[];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(_parts: &[&str]) -> Option<Self> {
        None
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match *self {}
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match *self {}
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, _inv: &Inventory) -> Result<Option<Value>, NotReady> {
        match *self {}
    }
}

impl fmt::Display for Ec2Ref {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// Apply one op to the model, as AWS would.
pub(super) fn apply_op(_inv: &mut Inventory, op: &Ec2Op) -> Result<(), ApplyError> {
    match *op {}
}
