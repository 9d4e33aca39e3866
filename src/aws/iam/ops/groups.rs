//! Groups, their members and their attached policies.

use super::*;
use crate::aws::inventory::Iam;

/// `resource` and `also_touches` of an op on the membership of `user` in
/// `group`: the user's document, and the group's, which lists its members.
macro_rules! on_membership {
    () => {
        fn resource(&self) -> ResourceRef {
            ResourceRef::User {
                name: self.user.clone(),
            }
        }

        fn also_touches(&self) -> Vec<ResourceRef> {
            vec![ResourceRef::Group {
                name: self.group.clone(),
            }]
        }
    };
}

fn user_mut<'a>(iam: &'a mut Iam, user: &str) -> Result<&'a mut User, ApplyError> {
    iam.users
        .iter_mut()
        .find(|u| u.name == user)
        .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))
}

fn group_mut<'a>(iam: &'a mut Iam, group: &str) -> Result<&'a mut Group, ApplyError> {
    iam.groups
        .iter_mut()
        .find(|g| g.name == group)
        .ok_or_else(|| ApplyError::NoSuch(format!("group {group}")))
}

/// iam:CreateGroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGroup {
    pub name: String,
}

impl OpKind for CreateGroup {
    const ACTION: &'static str = "iam:CreateGroup";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Group {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("create IAM group {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let account = inv.account_id().unwrap_or("000000000000").to_string();
        let partition = inv.partition().to_string();
        let name = &self.name;
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        if iam.group(name).is_some() {
            return Err(ApplyError::Exists(format!("group {name}")));
        }
        iam.groups.push(Group {
            name: name.clone(),
            arn: format!("arn:{partition}:iam::{account}:group/{name}"),
            attached_policies: vec![],
            inline_policies: vec![],
        });
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteGroup {
                name: self.name.clone(),
            }
            .into(),
        ])
    }
}

/// iam:DeleteGroup, of a group with no members and no attached policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteGroup {
    pub name: String,
}

impl OpKind for DeleteGroup {
    const ACTION: &'static str = "iam:DeleteGroup";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Group {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("delete IAM group {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        let g = iam
            .group(name)
            .ok_or_else(|| ApplyError::NoSuch(format!("group {name}")))?;
        if !g.attached_policies.is_empty() || iam.members(name).next().is_some() {
            return Err(ApplyError::Conflict(format!(
                "group {name} still has members or attached policies"
            )));
        }
        iam.groups.retain(|g| &g.name != name);
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            CreateGroup {
                name: self.name.clone(),
            }
            .into(),
        ])
    }
}

/// iam:AddUserToGroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddUserToGroup {
    pub user: String,
    pub group: String,
}

impl OpKind for AddUserToGroup {
    const ACTION: &'static str = "iam:AddUserToGroup";

    on_membership!();

    fn describe(&self) -> String {
        format!("add user {} to group {}", self.user, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (user, group) = (&self.user, &self.group);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        if iam.group(group).is_none() {
            return Err(ApplyError::NoSuch(format!("group {group}")));
        }
        let u = user_mut(iam, user)?;
        if !u.groups.contains(group) {
            u.groups.push(group.clone());
        }
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            RemoveUserFromGroup {
                user: self.user.clone(),
                group: self.group.clone(),
            }
            .into(),
        ])
    }
}

/// iam:RemoveUserFromGroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveUserFromGroup {
    pub user: String,
    pub group: String,
}

impl OpKind for RemoveUserFromGroup {
    const ACTION: &'static str = "iam:RemoveUserFromGroup";

    on_membership!();

    fn describe(&self) -> String {
        format!("remove user {} from group {}", self.user, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (user, group) = (&self.user, &self.group);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        let u = user_mut(iam, user)?;
        if !u.groups.contains(group) {
            return Err(ApplyError::NoSuch(format!(
                "membership of {user} in {group}"
            )));
        }
        u.groups.retain(|g| g != group);
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            AddUserToGroup {
                user: self.user.clone(),
                group: self.group.clone(),
            }
            .into(),
        ])
    }
}

/// iam:AttachGroupPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachGroupPolicy {
    pub group: String,
    pub policy_arn: String,
}

impl OpKind for AttachGroupPolicy {
    const ACTION: &'static str = "iam:AttachGroupPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Group {
            name: self.group.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("attach {} to group {}", self.policy_arn, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let partition = inv.partition().to_string();
        let (group, policy_arn) = (&self.group, &self.policy_arn);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        // AWS-managed policies exist in the caller's partition only.
        let aws_managed = crate::aws::inventory::strip_arn_prefix(policy_arn, "iam::aws:policy/")
            .is_some()
            && crate::aws::inventory::arn_partition(policy_arn) == Some(partition.as_str());
        if iam.policy(policy_arn).is_none() && !aws_managed {
            return Err(ApplyError::NoSuch(format!("policy {policy_arn}")));
        }
        let g = group_mut(iam, group)?;
        if !g.attached_policies.contains(policy_arn) {
            g.attached_policies.push(policy_arn.clone());
        }
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DetachGroupPolicy {
                group: self.group.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}

/// iam:DetachGroupPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachGroupPolicy {
    pub group: String,
    pub policy_arn: String,
}

impl OpKind for DetachGroupPolicy {
    const ACTION: &'static str = "iam:DetachGroupPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Group {
            name: self.group.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("detach {} from group {}", self.policy_arn, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (group, policy_arn) = (&self.group, &self.policy_arn);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        let g = group_mut(iam, group)?;
        if !g.attached_policies.contains(policy_arn) {
            return Err(ApplyError::NoSuch(format!(
                "attachment of {policy_arn} to {group}"
            )));
        }
        g.attached_policies.retain(|p| p != policy_arn);
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            AttachGroupPolicy {
                group: self.group.clone(),
                policy_arn: self.policy_arn.clone(),
            }
            .into(),
        ])
    }
}
