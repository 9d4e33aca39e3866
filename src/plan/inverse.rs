//! The inverse of each op, computed against the state just before it.

use super::{AuditOp, Op};

/// What an undo of `op` leaves in place on purpose, for the undo preview.
pub fn undo_note(op: &Op) -> Option<String> {
    op.undo_note()
}

/// A resource an undo of `op` leaves as `op` made it, on purpose.
pub fn kept_on_undo(op: &Op) -> Option<crate::inventory::ResourceRef> {
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
use crate::inventory::Inventory;

/// What an undo of `op` leaves in place on purpose, for the undo preview.
pub(super) fn legacy_undo_note(op: &Op) -> Option<String> {
    match op {
        Op::Audit(AuditOp::CreateKmsKey { region, alias, .. }) => Some(crate::guide::msg(
            crate::checks::cloudtrail::ENCRYPTED,
            "undo_key_stays",
            &[("alias", alias), ("region", region)],
        )),
        _ => None,
    }
}

/// A resource an undo of `op` leaves as `op` made it, on purpose (see
/// [`undo_note`]): documents there do not go back to "before".
pub(super) fn legacy_kept_on_undo(op: &Op) -> Option<crate::inventory::ResourceRef> {
    match op {
        Op::Audit(AuditOp::CreateKmsKey { region, alias, .. }) => Some(
            crate::inventory::ResourceRef::Audit(crate::inventory::AuditRef::KmsKey {
                region: region.clone(),
                alias: alias.clone(),
            }),
        ),
        _ => None,
    }
}

/// The ops an undo of `op` sends, from the inverse journaled with it. A
/// journal written by an earlier version may hold ScheduleKeyDeletion as
/// the undo of CreateKmsKey: the key stays now (see [`undo_note`]).
pub(super) fn legacy_undo_ops(op: &Op, journaled: Vec<Op>) -> Vec<Op> {
    match op {
        Op::Audit(AuditOp::CreateKmsKey { .. }) => journaled
            .into_iter()
            .filter(|o| !matches!(o, Op::Audit(AuditOp::ScheduleKmsKeyDeletion { .. })))
            .collect(),
        _ => journaled,
    }
}

/// Ops that undo `op`, given the inventory `before` it; `None` when the op
/// cannot be undone.
pub(super) fn legacy_inverse(op: &Op, before: &Inventory) -> Option<Vec<Op>> {
    match op {
        Op::Audit(o) => o.inverse(before),
        _ => unreachable!("typed ops are dispatched by the registry"),
    }
}
