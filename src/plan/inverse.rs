//! The inverse of each op, computed against the state just before it.

use super::Op;
use crate::aws::inventory::Inventory;

/// What an undo of `op` leaves in place on purpose, for the undo preview.
pub fn undo_note(op: &Op) -> Option<String> {
    op.undo_note()
}

/// A resource an undo of `op` leaves as `op` made it, on purpose.
pub fn kept_on_undo(op: &Op) -> Option<crate::aws::inventory::ResourceRef> {
    op.kept_on_undo()
}

/// The ops an undo of `op` sends, from the inverse journaled with it.
pub fn undo_ops(op: &Op, journaled: Vec<Op>) -> Vec<Op> {
    op.undo_ops(journaled)
}

/// Ops that undo `op`, given the inventory `before` it; `None` when the op
/// cannot be undone.
pub fn inverse(op: &Op, before: &Inventory) -> Option<Vec<Op>> {
    op.inverse(before)
}
