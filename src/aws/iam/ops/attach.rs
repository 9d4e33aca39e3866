//! Managed policies attached to users and roles.

use super::*;

/// The last part of a policy ARN: its name.
fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Attach `arn` to a user's or role's list, or detach it.
fn attach_list(
    list: &mut Vec<String>,
    arn: &str,
    attach: bool,
    owner: &str,
) -> Result<(), ApplyError> {
    if attach {
        if !list.iter().any(|p| p == arn) {
            list.push(arn.to_string());
        }
    } else {
        if !list.iter().any(|p| p == arn) {
            return Err(ApplyError::NoSuch(format!(
                "attachment of {arn} to {owner}"
            )));
        }
        list.retain(|p| p != arn);
    }
    Ok(())
}

/// The IAM part, and whether `policy_arn` can be attached: a customer policy
/// moat knows, or an AWS-managed one.
fn attachable<'a>(
    inv: &'a mut Inventory,
    policy_arn: &str,
    attach: bool,
) -> Result<&'a mut crate::aws::inventory::Iam, ApplyError> {
    let partition = inv.partition().to_string();
    let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
    if attach
        && iam.policy(policy_arn).is_none()
        && !policy_arn.starts_with(&format!("arn:{partition}:iam::aws:policy/"))
    {
        return Err(ApplyError::NoSuch(format!("policy {policy_arn}")));
    }
    Ok(iam)
}

fn user_policies(
    inv: &mut Inventory,
    user: &str,
    policy_arn: &str,
    attach: bool,
) -> Result<(), ApplyError> {
    let iam = attachable(inv, policy_arn, attach)?;
    let u = iam
        .users
        .iter_mut()
        .find(|u| u.name == *user)
        .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))?;
    attach_list(&mut u.attached_policies, policy_arn, attach, user)
}

fn role_policies(
    inv: &mut Inventory,
    role: &str,
    policy_arn: &str,
    attach: bool,
) -> Result<(), ApplyError> {
    let iam = attachable(inv, policy_arn, attach)?;
    let r = iam
        .roles
        .iter_mut()
        .find(|r| r.name == *role)
        .ok_or_else(|| ApplyError::NoSuch(format!("role {role}")))?;
    attach_list(&mut r.attached_policies, policy_arn, attach, role)
}

fn role_ref(role: &str) -> ResourceRef {
    ResourceRef::Role {
        name: role.to_string(),
    }
}

/// iam:AttachUserPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachUserPolicy {
    pub user: String,
    pub policy_arn: String,
}

impl OpKind for AttachUserPolicy {
    const ACTION: &'static str = "iam:AttachUserPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.user.clone(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "attach policy {} to user {}",
            short(&self.policy_arn),
            self.user
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        user_policies(inv, &self.user, &self.policy_arn, true)
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let u = before.iam.ready()?.user(&self.user)?;
        if u.attached_policies.contains(&self.policy_arn) {
            // Already attached: attaching again changes nothing.
            return Some(vec![]);
        }
        Some(vec![
            DetachUserPolicy {
                user: self.user.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachUserPolicy {
    pub user: String,
    pub policy_arn: String,
}

impl OpKind for DetachUserPolicy {
    const ACTION: &'static str = "iam:DetachUserPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.user.clone(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "detach policy {} from user {}",
            short(&self.policy_arn),
            self.user
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        user_policies(inv, &self.user, &self.policy_arn, false)
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            AttachUserPolicy {
                user: self.user.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachRolePolicy {
    pub role: String,
    pub policy_arn: String,
}

impl OpKind for AttachRolePolicy {
    const ACTION: &'static str = "iam:AttachRolePolicy";

    fn resource(&self) -> ResourceRef {
        role_ref(&self.role)
    }

    fn describe(&self) -> String {
        format!(
            "attach policy {} to role {}",
            short(&self.policy_arn),
            self.role
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        role_policies(inv, &self.role, &self.policy_arn, true)
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let r = before
            .iam
            .ready()?
            .roles
            .iter()
            .find(|r| r.name == self.role)?;
        if r.attached_policies.contains(&self.policy_arn) {
            return Some(vec![]);
        }
        Some(vec![
            DetachRolePolicy {
                role: self.role.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachRolePolicy {
    pub role: String,
    pub policy_arn: String,
}

impl OpKind for DetachRolePolicy {
    const ACTION: &'static str = "iam:DetachRolePolicy";

    fn resource(&self) -> ResourceRef {
        role_ref(&self.role)
    }

    fn describe(&self) -> String {
        format!(
            "detach policy {} from role {}",
            short(&self.policy_arn),
            self.role
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        role_policies(inv, &self.role, &self.policy_arn, false)
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            AttachRolePolicy {
                role: self.role.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}
