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
    let iam = before.iam.ready();
    Some(match op {
        Op::CreateGroup { name } => vec![Op::DeleteGroup { name: name.clone() }],
        Op::DeleteGroup { name } => vec![Op::CreateGroup { name: name.clone() }],
        Op::AddUserToGroup { user, group } => vec![Op::RemoveUserFromGroup {
            user: user.clone(),
            group: group.clone(),
        }],
        Op::RemoveUserFromGroup { user, group } => vec![Op::AddUserToGroup {
            user: user.clone(),
            group: group.clone(),
        }],
        Op::AttachGroupPolicy { group, policy_arn } => {
            vec![Op::DetachGroupPolicy {
                group: group.clone(),
                policy_arn: policy_arn.clone(),
            }]
        }
        Op::DetachGroupPolicy { group, policy_arn } => {
            vec![Op::AttachGroupPolicy {
                group: group.clone(),
                policy_arn: policy_arn.clone(),
            }]
        }
        Op::CreatePolicy { name, .. } => {
            let account = before.account_id().unwrap_or("000000000000");
            vec![Op::DeletePolicy {
                name: name.clone(),
                arn: crate::inventory::customer_policy_arn(before.partition(), account, name),
            }]
        }
        Op::DeletePolicy { arn, name } => {
            let doc = iam
                .and_then(|i| i.policy(arn))
                .map(|p| p.document.clone())?;
            vec![Op::CreatePolicy {
                name: name.clone(),
                document: doc,
            }]
        }
        Op::UpdatePasswordPolicy { .. } | Op::DeletePasswordPolicy => {
            match before.password_policy.ready()? {
                Some(prev) => vec![Op::UpdatePasswordPolicy {
                    policy: prev.clone(),
                }],
                None => vec![Op::DeletePasswordPolicy],
            }
        }
        Op::PutAlternateContact { contact_type, .. }
        | Op::DeleteAlternateContact { contact_type } => {
            match before
                .alternate_contacts
                .ready()?
                .contacts
                .get(contact_type)
            {
                Some(prev) => vec![Op::PutAlternateContact {
                    contact_type: *contact_type,
                    contact: prev.clone(),
                }],
                None => vec![Op::DeleteAlternateContact {
                    contact_type: *contact_type,
                }],
            }
        }
        Op::Ec2(o) => return o.inverse(before),
        Op::EbsVpc(o) => return o.inverse(before),
        Op::Audit(o) => return o.inverse(before),
        _ => unreachable!("typed ops are dispatched by the registry"),
    })
}
