//! `Inventory::apply`: the predicted effect of an op on the account model. The
//! demo backend uses it as its "AWS", and the preview diffs its result.

use super::{Group, Inventory, ManagedPolicy, Part};
use crate::plan::Op;
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
}

fn ready<'a, T>(p: &'a mut Part<T>, what: &'static str) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

impl Inventory {
    /// Apply one op to this model, as AWS would.
    pub fn apply(&mut self, op: &Op) -> Result<(), ApplyError> {
        op.predict(self)
    }

    /// The effect of the ops not yet given types of their own.
    pub(crate) fn legacy_apply(&mut self, op: &Op) -> Result<(), ApplyError> {
        let account = self.account_id().unwrap_or("000000000000").to_string();
        let partition = self.partition().to_string();
        match op {
            Op::Ec2(o) => return super::ec2::apply_op(self, o),
            Op::EbsVpc(o) => return super::ebs_vpc::apply_op(self, o),
            Op::Audit(o) => return super::audit::apply_op(self, o),
            Op::CreateGroup { name } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.group(name).is_some() {
                    return Err(ApplyError::Exists(format!("group {name}")));
                }
                iam.groups.push(Group {
                    name: name.clone(),
                    arn: format!("arn:{partition}:iam::{account}:group/{name}"),
                    attached_policies: vec![],
                    inline_policies: vec![],
                });
            }
            Op::DeleteGroup { name } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let g = iam
                    .group(name)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {name}")))?;
                if !g.attached_policies.is_empty() || iam.members(name).next().is_some() {
                    return Err(ApplyError::Conflict(format!(
                        "group {name} still has members or attached policies"
                    )));
                }
                iam.groups.retain(|g| &g.name != name);
            }
            Op::AddUserToGroup { user, group } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.group(group).is_none() {
                    return Err(ApplyError::NoSuch(format!("group {group}")));
                }
                let u = iam
                    .users
                    .iter_mut()
                    .find(|u| &u.name == user)
                    .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))?;
                if !u.groups.contains(group) {
                    u.groups.push(group.clone());
                }
            }
            Op::RemoveUserFromGroup { user, group } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let u = iam
                    .users
                    .iter_mut()
                    .find(|u| &u.name == user)
                    .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))?;
                if !u.groups.contains(group) {
                    return Err(ApplyError::NoSuch(format!(
                        "membership of {user} in {group}"
                    )));
                }
                u.groups.retain(|g| g != group);
            }
            Op::AttachGroupPolicy { group, policy_arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                // AWS-managed policies exist in the caller's partition only.
                let aws_managed = super::strip_arn_prefix(policy_arn, "iam::aws:policy/").is_some()
                    && super::arn_partition(policy_arn) == Some(partition.as_str());
                if iam.policy(policy_arn).is_none() && !aws_managed {
                    return Err(ApplyError::NoSuch(format!("policy {policy_arn}")));
                }
                let g = iam
                    .groups
                    .iter_mut()
                    .find(|g| &g.name == group)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {group}")))?;
                if !g.attached_policies.contains(policy_arn) {
                    g.attached_policies.push(policy_arn.clone());
                }
            }
            Op::DetachGroupPolicy { group, policy_arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let g = iam
                    .groups
                    .iter_mut()
                    .find(|g| &g.name == group)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {group}")))?;
                if !g.attached_policies.contains(policy_arn) {
                    return Err(ApplyError::NoSuch(format!(
                        "attachment of {policy_arn} to {group}"
                    )));
                }
                g.attached_policies.retain(|p| p != policy_arn);
            }
            Op::CreatePolicy { name, document } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.policy_by_name(name).is_some() {
                    return Err(ApplyError::Exists(format!("policy {name}")));
                }
                iam.policies.push(ManagedPolicy {
                    arn: super::customer_policy_arn(&partition, &account, name),
                    name: name.clone(),
                    aws_managed: false,
                    default_version: "v1".into(),
                    document: document.clone(),
                });
            }
            Op::DeletePolicy { name, arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.policy(arn).is_none() {
                    return Err(ApplyError::NoSuch(format!("policy {name}")));
                }
                let attached = iam.users.iter().any(|u| u.attached_policies.contains(arn))
                    || iam.groups.iter().any(|g| g.attached_policies.contains(arn))
                    || iam.roles.iter().any(|r| r.attached_policies.contains(arn));
                if attached {
                    return Err(ApplyError::Conflict(format!(
                        "policy {name} is still attached"
                    )));
                }
                iam.policies.retain(|p| &p.arn != arn);
            }
            Op::UpdatePasswordPolicy { policy } => {
                let p = ready(&mut self.password_policy, "password policy")?;
                *p = Some(policy.clone());
            }
            Op::DeletePasswordPolicy => {
                let p = ready(&mut self.password_policy, "password policy")?;
                if p.is_none() {
                    return Err(ApplyError::NoSuch("password policy".into()));
                }
                *p = None;
            }
            Op::PutAlternateContact {
                contact_type,
                contact,
            } => {
                let c = ready(&mut self.alternate_contacts, "alternate contacts")?;
                c.contacts.insert(*contact_type, contact.clone());
            }
            Op::DeleteAlternateContact { contact_type } => {
                let c = ready(&mut self.alternate_contacts, "alternate contacts")?;
                if c.contacts.remove(contact_type).is_none() {
                    return Err(ApplyError::NoSuch(format!(
                        "{} alternate contact",
                        contact_type.as_str()
                    )));
                }
            }
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
        Ok(())
    }
}
