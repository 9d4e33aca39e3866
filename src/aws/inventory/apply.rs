//! `Inventory::apply`: the predicted effect of an op on the account model. The
//! demo backend uses it as its "AWS", and the preview diffs its result.

use super::Inventory;
use crate::aws::op::Op;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ApplyError {
    #[error("the {0} part of the inventory has not been collected")]
    NotReady(&'static str),
    #[error("{0} does not exist")]
    NoSuch(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0}")]
    Conflict(String),
    /// A setting read only where an item judges it, not read this time:
    /// what the op does to it cannot be told.
    #[error("the {0} was not read; scan again")]
    NotRead(&'static str),
}

impl Inventory {
    /// Apply one op to this model, as AWS would.
    pub fn apply(&mut self, op: &Op) -> Result<(), ApplyError> {
        op.predict(self)
    }
}
