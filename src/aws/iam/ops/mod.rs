//! IAM's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    ApplyError, CredentialReportRow, Group, Inventory, KeyStatus, ManagedPolicy, PasswordPolicy,
    ResourceRef, User,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod attach;
mod groups;
mod policies;
mod root_access;

pub use attach::*;
pub use groups::*;
pub use policies::*;
pub use root_access::*;

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
        if let Some(rows) = inv.credential_report.ready_mut() {
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
        if let Some(rows) = inv.credential_report.ready_mut() {
            rows.retain(|r| &r.user != name);
        }
        Ok(())
    }

    /// Deleting a user loses its login profile and history: not reversible.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}
