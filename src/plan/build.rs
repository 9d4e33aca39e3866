//! What the plan builders of every section end with: the ops as a [`Draft`]
//! with the item's guide warning, or "nothing to change" when there are none.

use super::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};
use crate::aws::inventory::{Inventory, PartId};
use crate::guide::msg;

/// Who gets a topic's notifications: an e-mail address.
pub(crate) const EMAIL: InputSpec = InputSpec {
    name: "email",
    kind: InputKind::Email,
    default: None,
};

pub(crate) fn nothing() -> PlanError {
    PlanError::NothingToDo(msg("plan", "nothing", &[]))
}

/// The item's confirmation warning, from its guide text.
pub(crate) fn item_warning(id: &str) -> Vec<String> {
    crate::guide::guide()
        .item(id)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect()
}

pub(crate) fn done(ops: Vec<Op>, warnings: Vec<String>) -> Result<Draft, PlanError> {
    if ops.is_empty() {
        return Err(nothing());
    }
    Ok(Draft { ops, warnings })
}

/// The ops with the item's guide warning.
pub(crate) fn draft(id: &str, ops: Vec<Op>) -> Result<Draft, PlanError> {
    done(ops, item_warning(id))
}

/// The account the inventory was read from.
pub(crate) fn account(inv: &Inventory) -> Result<String, PlanError> {
    inv.account_id()
        .map(str::to_string)
        .ok_or(PlanError::NotReady(PartId::Identity))
}

/// A value the user gave is checked even when there turns out to be nothing
/// to change (a missing one is asked for only when it is needed).
pub(crate) fn check_given(req: &Inputs, specs: &[InputSpec]) -> Result<(), PlanError> {
    for spec in specs {
        if req.values.contains_key(spec.name) {
            req.get(spec)?;
        }
    }
    Ok(())
}

/// The ASCII letters and digits of `s`, for a statement id.
pub(crate) fn alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}
