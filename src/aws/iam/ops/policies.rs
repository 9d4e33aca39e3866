//! Customer-managed policies and the account password policy.

use super::*;

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
            arn: crate::aws::inventory::customer_policy_arn(&partition, &account, name),
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
                arn: crate::aws::inventory::customer_policy_arn(
                    before.partition(),
                    account,
                    &self.name,
                ),
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
