//! The inverse of each op, computed against the state just before it.

use super::Op;
use crate::inventory::{Inventory, KeyStatus};

/// Ops that undo `op`, given the inventory `before` it; `None` when the op
/// cannot be undone.
pub fn inverse(op: &Op, before: &Inventory) -> Option<Vec<Op>> {
    let iam = before.iam.ready();
    Some(match op {
        Op::UpdateAccessKey { user, key_id, .. } => {
            let keys = match user {
                None => iam.map(|i| i.root_keys.as_slice()),
                Some(u) => iam
                    .and_then(|i| i.user(u))
                    .map(|u| u.access_keys.as_slice()),
            };
            let prev = keys
                .and_then(|ks| ks.iter().find(|k| &k.id == key_id))
                .map(|k| k.status)
                .unwrap_or(KeyStatus::Active);
            vec![Op::UpdateAccessKey {
                user: user.clone(),
                key_id: key_id.clone(),
                status: prev,
            }]
        }
        Op::CreateUser { name } => vec![Op::DeleteUser { name: name.clone() }],
        // Deleting a user loses its login profile and history: not reversible.
        Op::DeleteUser { .. } => return None,
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
                arn: format!("arn:aws:iam::{account}:policy/{name}"),
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
    })
}
