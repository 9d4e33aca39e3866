//! IAM's mutating calls, one type each (see [`OpKind`]).

use crate::inventory::{
    ApplyError, CredentialReportRow, Group, Inventory, KeyStatus, ManagedPolicy, Part,
    PasswordPolicy, ResourceRef, User,
};
use crate::plan::{Op, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// iam:UpdateAccessKey. `user: None` is the root user's own key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAccessKey {
    pub user: Option<String>,
    pub key_id: String,
    pub status: KeyStatus,
}

impl OpKind for UpdateAccessKey {
    const ACTION: &'static str = "iam:UpdateAccessKey";

    fn resource(&self) -> ResourceRef {
        match &self.user {
            None => ResourceRef::RootKey {
                key_id: self.key_id.clone(),
            },
            Some(user) => ResourceRef::AccessKey {
                user: user.clone(),
                key_id: self.key_id.clone(),
            },
        }
    }

    /// A user's document lists its keys' status.
    fn also_touches(&self) -> Vec<ResourceRef> {
        match &self.user {
            Some(user) => vec![ResourceRef::User { name: user.clone() }],
            None => vec![],
        }
    }

    fn describe(&self) -> String {
        let who = self.user.as_deref().unwrap_or("the root user");
        let verb = match self.status {
            KeyStatus::Active => "re-activate",
            KeyStatus::Inactive => "deactivate",
        };
        format!("{verb} access key {} of {who}", self.key_id)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        let keys = match &self.user {
            None => &mut iam.root_keys,
            Some(u) => {
                &mut iam
                    .users
                    .iter_mut()
                    .find(|x| &x.name == u)
                    .ok_or_else(|| ApplyError::NoSuch(format!("user {u}")))?
                    .access_keys
            }
        };
        let key = keys
            .iter_mut()
            .find(|k| k.id == self.key_id)
            .ok_or_else(|| ApplyError::NoSuch(format!("access key {}", self.key_id)))?;
        key.status = self.status;
        Ok(())
    }

    /// The key's status before (a key moat did not see was active).
    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let iam = before.iam.ready();
        let keys = match &self.user {
            None => iam.map(|i| i.root_keys.as_slice()),
            Some(u) => iam
                .and_then(|i| i.user(u))
                .map(|u| u.access_keys.as_slice()),
        };
        let prev = keys
            .and_then(|ks| ks.iter().find(|k| k.id == self.key_id))
            .map(|k| k.status)
            .unwrap_or(KeyStatus::Active);
        Some(vec![
            UpdateAccessKey {
                status: prev,
                ..self.clone()
            }
            .into(),
        ])
    }
}

/// iam:CreateUser, with no password and no access keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUser {
    pub name: String,
}

impl OpKind for CreateUser {
    const ACTION: &'static str = "iam:CreateUser";

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "create IAM user {} (no password, no access keys)",
            self.name
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let account = inv.account_id().unwrap_or("000000000000").to_string();
        let partition = inv.partition().to_string();
        let name = &self.name;
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        if iam.user(name).is_some() {
            return Err(ApplyError::Exists(format!("user {name}")));
        }
        let arn = format!("arn:{partition}:iam::{account}:user/{name}");
        iam.users.push(User {
            name: name.clone(),
            arn: arn.clone(),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec![],
            attached_policies: vec![],
            inline_policies: vec![],
            permissions_boundary: None,
            unreadable: None,
        });
        if let Part::Ready(rows) = &mut inv.credential_report {
            rows.push(CredentialReportRow {
                user: name.clone(),
                arn,
                password_enabled: false,
                password_last_used: None,
                password_last_changed: None,
                user_creation_time: None,
                mfa_active: false,
                access_key_1_active: false,
                access_key_2_active: false,
            });
        }
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteUser {
                name: self.name.clone(),
            }
            .into(),
        ])
    }
}

/// iam:DeleteUser, of a user with no groups, keys or attached policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUser {
    pub name: String,
}

impl OpKind for DeleteUser {
    const ACTION: &'static str = "iam:DeleteUser";

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("delete IAM user {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        let u = iam
            .user(name)
            .ok_or_else(|| ApplyError::NoSuch(format!("user {name}")))?;
        if !u.groups.is_empty() || !u.access_keys.is_empty() || !u.attached_policies.is_empty() {
            return Err(ApplyError::Conflict(format!(
                "user {name} still has groups, keys or policies"
            )));
        }
        iam.users.retain(|u| &u.name != name);
        if let Part::Ready(rows) = &mut inv.credential_report {
            rows.retain(|r| &r.user != name);
        }
        Ok(())
    }

    /// Deleting a user loses its login profile and history: not reversible.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
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

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.user.clone(),
        }
    }

    /// A group's document lists its members.
    fn also_touches(&self) -> Vec<ResourceRef> {
        vec![ResourceRef::Group {
            name: self.group.clone(),
        }]
    }

    fn describe(&self) -> String {
        format!("add user {} to group {}", self.user, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (user, group) = (&self.user, &self.group);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
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

    fn resource(&self) -> ResourceRef {
        ResourceRef::User {
            name: self.user.clone(),
        }
    }

    /// A group's document lists its members.
    fn also_touches(&self) -> Vec<ResourceRef> {
        vec![ResourceRef::Group {
            name: self.group.clone(),
        }]
    }

    fn describe(&self) -> String {
        format!("remove user {} from group {}", self.user, self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (user, group) = (&self.user, &self.group);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
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
        let aws_managed = crate::inventory::strip_arn_prefix(policy_arn, "iam::aws:policy/")
            .is_some()
            && crate::inventory::arn_partition(policy_arn) == Some(partition.as_str());
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

/// iam:CreatePolicy, a customer-managed policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePolicy {
    pub name: String,
    pub document: Value,
}

impl OpKind for CreatePolicy {
    const ACTION: &'static str = "iam:CreatePolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Policy {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("create managed policy {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let account = inv.account_id().unwrap_or("000000000000").to_string();
        let partition = inv.partition().to_string();
        let name = &self.name;
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
        if iam.policy_by_name(name).is_some() {
            return Err(ApplyError::Exists(format!("policy {name}")));
        }
        iam.policies.push(ManagedPolicy {
            arn: crate::inventory::customer_policy_arn(&partition, &account, name),
            name: name.clone(),
            aws_managed: false,
            default_version: "v1".into(),
            document: self.document.clone(),
        });
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let account = before.account_id().unwrap_or("000000000000");
        Some(vec![
            DeletePolicy {
                name: self.name.clone(),
                arn: crate::inventory::customer_policy_arn(before.partition(), account, &self.name),
            }
            .into(),
        ])
    }
}

/// iam:DeletePolicy, after its non-default versions (iam:DeletePolicyVersion),
/// as IAM requires. An empty `arn` is this account's policy `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletePolicy {
    pub name: String,
    pub arn: String,
}

impl OpKind for DeletePolicy {
    const ACTION: &'static str = "iam:DeletePolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Policy {
            name: self.name.clone(),
        }
    }

    fn describe(&self) -> String {
        format!("delete managed policy {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (name, arn) = (&self.name, &self.arn);
        let iam = inv.iam.ready_mut().ok_or(ApplyError::NotReady("IAM"))?;
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
        Ok(())
    }

    /// The policy again, with its default version's document (`None` when
    /// the policy was not seen).
    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let doc = before
            .iam
            .ready()
            .and_then(|i| i.policy(&self.arn))
            .map(|p| p.document.clone())?;
        Some(vec![
            CreatePolicy {
                name: self.name.clone(),
                document: doc,
            }
            .into(),
        ])
    }
}

/// The account password policy as it was (`None`: there was none), or `None`
/// when it was not read.
fn password_policy_before(before: &Inventory) -> Option<Vec<Op>> {
    Some(match before.password_policy.ready()? {
        Some(prev) => vec![
            UpdatePasswordPolicy {
                policy: prev.clone(),
            }
            .into(),
        ],
        None => vec![DeletePasswordPolicy.into()],
    })
}

/// iam:UpdateAccountPasswordPolicy: the whole policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatePasswordPolicy {
    pub policy: PasswordPolicy,
}

impl OpKind for UpdatePasswordPolicy {
    const ACTION: &'static str = "iam:UpdateAccountPasswordPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::PasswordPolicy
    }

    fn describe(&self) -> String {
        "set the account password policy".to_string()
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let p = inv
            .password_policy
            .ready_mut()
            .ok_or(ApplyError::NotReady("password policy"))?;
        *p = Some(self.policy.clone());
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        password_policy_before(before)
    }
}

/// iam:DeleteAccountPasswordPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletePasswordPolicy;

impl OpKind for DeletePasswordPolicy {
    const ACTION: &'static str = "iam:DeleteAccountPasswordPolicy";

    fn resource(&self) -> ResourceRef {
        ResourceRef::PasswordPolicy
    }

    fn describe(&self) -> String {
        "delete the account password policy".to_string()
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let p = inv
            .password_policy
            .ready_mut()
            .ok_or(ApplyError::NotReady("password policy"))?;
        if p.is_none() {
            return Err(ApplyError::NoSuch("password policy".into()));
        }
        *p = None;
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        password_policy_before(before)
    }
}

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
) -> Result<&'a mut crate::inventory::Iam, ApplyError> {
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
    ResourceRef::Audit(crate::inventory::AuditRef::Role {
        name: role.to_string(),
    })
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
