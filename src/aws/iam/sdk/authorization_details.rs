//! The IAM part: users, groups, roles and policies from
//! iam:GetAccountAuthorizationDetails, AWS-managed policies attached anywhere,
//! and per user the access keys (with last use) and MFA devices.

use super::policy_document::decode_policy_document;
use crate::aws::client::{AwsBackend, CallError, to_chrono};
use crate::aws::inventory::{
    AccessKey, Fetched, Group, Iam, InlinePolicy, KeyStatus, ManagedPolicy, Role, User,
    VirtualMfaDevice,
};
use aws_sdk_iam::types::{
    AccessKeyMetadata, AssignmentStatusType, AttachedPolicy, EntityType, GroupDetail,
    ManagedPolicyDetail, PolicyDetail, RoleDetail, StatusType, UserDetail,
};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeSet;

const GAAD: &str = "iam:GetAccountAuthorizationDetails";

/// What one pass over GetAccountAuthorizationDetails yields.
#[derive(Default)]
struct Details {
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<ManagedPolicy>,
}

impl AwsBackend {
    pub(crate) async fn collect_iam(&self) -> Result<Iam, CallError> {
        let Details {
            mut users,
            mut groups,
            mut roles,
            mut policies,
        } = self.authorization_details().await?;

        // AWS-managed policies attached anywhere or set as a permissions
        // boundary (what an administrator may really do depends on it):
        // read each once.
        let known: BTreeSet<&str> = policies.iter().map(|p| p.arn.as_str()).collect();
        let attached: BTreeSet<String> = users
            .iter()
            .flat_map(|u| u.attached_policies.iter())
            .chain(groups.iter().flat_map(|g| g.attached_policies.iter()))
            .chain(roles.iter().flat_map(|r| r.attached_policies.iter()))
            .chain(users.iter().filter_map(|u| u.permissions_boundary.as_ref()))
            .chain(roles.iter().filter_map(|r| r.permissions_boundary.as_ref()))
            .filter(|arn| !known.contains(arn.as_str()))
            .cloned()
            .collect();
        let fetched = self
            .try_join_bounded(
                attached
                    .into_iter()
                    .map(|arn| async move { self.managed_policy(&arn).await }),
            )
            .await?;
        policies.extend(fetched.into_iter().flatten());

        let credentials = self
            .join_bounded(users.iter().map(|u| self.user_credentials(&u.name)))
            .await;
        // One user whose reads keep failing leaves that user unreadable, not
        // the whole part; the same failure for every user (a permission the
        // credentials lack) fails the part, so the items name it once.
        let failed: Vec<&CallError> = credentials
            .iter()
            .filter_map(|r| r.as_ref().err())
            .collect();
        if let Some(first) = failed.first()
            && failed.len() == users.len()
            && failed
                .iter()
                .all(|e| e.action == first.action && e.code == first.code)
        {
            return Err((*first).clone());
        }
        for (user, read) in users.iter_mut().zip(credentials) {
            match read {
                Ok((keys, mfa)) => {
                    user.access_keys = keys;
                    user.mfa_devices = mfa;
                }
                Err(e) => {
                    tracing::warn!(user = %user.name, "the user's keys or MFA devices could not be read: {e}");
                    user.unreadable = Some(e);
                }
            }
        }

        let root_keys = if self.identity().is_root() {
            self.access_keys(None).await?
        } else {
            Vec::new()
        };
        // Only account.root-mfa needs the devices: a denied read is kept for
        // that item, not turned into an error of every IAM item.
        let virtual_mfa_devices = match self.virtual_mfa_devices().await {
            Ok(devices) => Fetched::Ready(devices),
            Err(e) => Fetched::Error(e),
        };

        users.sort_by(|a, b| a.name.cmp(&b.name));
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        policies.sort_by(|a, b| {
            (a.aws_managed, &a.name, &a.arn).cmp(&(b.aws_managed, &b.name, &b.arn))
        });
        Ok(Iam {
            users,
            groups,
            roles,
            policies,
            root_keys,
            virtual_mfa_devices,
        })
    }

    /// Every virtual MFA device (assigned or not), with the user it is
    /// assigned to: the root user's shows a user ARN ending in `:root`.
    async fn virtual_mfa_devices(&self) -> Result<Vec<VirtualMfaDevice>, CallError> {
        let request = self
            .iam()
            .list_virtual_mfa_devices()
            .assignment_status(AssignmentStatusType::Any);
        let pages = self
            .send(
                "iam:ListVirtualMFADevices",
                request.into_paginator().send().try_collect(),
            )
            .await?;
        let listed = pages.iter().flat_map(|out| out.virtual_mfa_devices());
        let mut devices: Vec<VirtualMfaDevice> = listed
            .map(|d| VirtualMfaDevice {
                serial: d.serial_number().to_string(),
                user_arn: d
                    .user()
                    .map(|u| u.arn().to_string())
                    .filter(|a| !a.is_empty()),
            })
            .collect();
        devices.sort_by(|a, b| a.serial.cmp(&b.serial));
        Ok(devices)
    }

    async fn authorization_details(&self) -> Result<Details, CallError> {
        let mut details = Details::default();
        let request = self
            .iam()
            .get_account_authorization_details()
            .filter(EntityType::User)
            .filter(EntityType::Group)
            .filter(EntityType::Role)
            .filter(EntityType::LocalManagedPolicy);
        let pages = request.into_paginator().send().try_collect();
        for out in self.send(GAAD, pages).await? {
            for u in out.user_detail_list() {
                details.users.extend(user_from(u)?);
            }
            for g in out.group_detail_list() {
                details.groups.extend(group_from(g)?);
            }
            for r in out.role_detail_list() {
                details.roles.extend(role_from(r)?);
            }
            for p in out.policies() {
                if let Some(policy) = self.policy_from(p).await? {
                    details.policies.push(policy);
                }
            }
        }
        Ok(details)
    }

    /// A customer-managed policy from GAAD, with its default version's document.
    async fn policy_from(
        &self,
        p: &ManagedPolicyDetail,
    ) -> Result<Option<ManagedPolicy>, CallError> {
        let Some(arn) = p.arn() else {
            return Ok(None);
        };
        // moto leaves PolicyName out of this listing; the ARN ends with it.
        let name = p
            .policy_name()
            .map(str::to_string)
            .unwrap_or_else(|| policy_name_from_arn(arn));
        let default_version = p.default_version_id().unwrap_or_default().to_string();
        let version = p
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version() || v.version_id() == Some(default_version.as_str()));
        let document = match version.and_then(|v| v.document()) {
            Some(raw) => decode(raw, GAAD, || format!("policy {name}"))?,
            // Not included in the listing: read the default version directly.
            None => match self.policy_version(arn, &default_version).await? {
                Some(doc) => doc,
                None => return Ok(None),
            },
        };
        Ok(Some(ManagedPolicy {
            arn: arn.to_string(),
            name,
            aws_managed: is_aws_managed(arn),
            default_version,
            document,
        }))
    }

    /// Any managed policy by ARN (GetPolicy + GetPolicyVersion); `None` if gone.
    async fn managed_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>, CallError> {
        let out = match self
            .send(
                "iam:GetPolicy",
                self.iam().get_policy().policy_arn(arn).send(),
            )
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(policy) = out.policy() else {
            return Ok(None);
        };
        let default_version = policy.default_version_id().unwrap_or("v1").to_string();
        let Some(document) = self.policy_version(arn, &default_version).await? else {
            return Ok(None);
        };
        Ok(Some(ManagedPolicy {
            arn: arn.to_string(),
            name: policy
                .policy_name()
                .map(str::to_string)
                .unwrap_or_else(|| policy_name_from_arn(arn)),
            aws_managed: is_aws_managed(arn),
            default_version,
            document,
        }))
    }

    async fn policy_version(&self, arn: &str, version: &str) -> Result<Option<Value>, CallError> {
        const ACTION: &str = "iam:GetPolicyVersion";
        let request = self
            .iam()
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send();
        let out = match self.send(ACTION, request).await {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchEntity") => return Ok(None),
            Err(e) => return Err(e),
        };
        match out.policy_version().and_then(|v| v.document()) {
            Some(raw) => Ok(Some(decode(raw, ACTION, || {
                format!("policy {arn} {version}")
            })?)),
            None => Ok(None),
        }
    }

    /// A user's access keys and MFA device serial numbers.
    async fn user_credentials(
        &self,
        user: &str,
    ) -> Result<(Vec<AccessKey>, Vec<String>), CallError> {
        futures::try_join!(self.access_keys(Some(user)), self.mfa_devices(user))
    }

    /// Access keys with their last use; `user: None` is the caller's own (root) keys.
    async fn access_keys(&self, user: Option<&str>) -> Result<Vec<AccessKey>, CallError> {
        let request = self
            .iam()
            .list_access_keys()
            .set_user_name(user.map(str::to_string));
        let pages = request.into_paginator().send().try_collect();
        let pages = match self.send("iam:ListAccessKeys", pages).await {
            Ok(pages) => pages,
            // The user was deleted since it was listed.
            Err(e) if e.is_code("NoSuchEntity") && user.is_some() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let metadata: Vec<AccessKeyMetadata> = pages
            .iter()
            .flat_map(|out| out.access_key_metadata())
            .cloned()
            .collect();
        let mut keys = self
            .try_join_bounded(metadata.iter().filter_map(|m| m.access_key_id()).map(
                |id| async move {
                    self.send(
                        "iam:GetAccessKeyLastUsed",
                        self.iam()
                            .get_access_key_last_used()
                            .access_key_id(id)
                            .send(),
                    )
                    .await
                    .map(|out| (id, out))
                },
            ))
            .await?
            .into_iter()
            .filter_map(|(id, last)| {
                let meta = metadata.iter().find(|m| m.access_key_id() == Some(id))?;
                let used = last.access_key_last_used();
                Some(AccessKey {
                    id: id.to_string(),
                    status: match meta.status() {
                        Some(StatusType::Active) => KeyStatus::Active,
                        _ => KeyStatus::Inactive,
                    },
                    created: meta
                        .create_date()
                        .and_then(to_chrono)
                        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    last_used: used.and_then(|u| u.last_used_date()).and_then(to_chrono),
                    last_used_service: used
                        .map(|u| u.service_name())
                        .filter(|s| !s.is_empty() && *s != "N/A")
                        .map(str::to_string),
                })
            })
            .collect::<Vec<_>>();
        keys.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        Ok(keys)
    }

    async fn mfa_devices(&self, user: &str) -> Result<Vec<String>, CallError> {
        let request = self.iam().list_mfa_devices().user_name(user);
        let pages = request.into_paginator().send().try_collect();
        let pages = match self.send("iam:ListMFADevices", pages).await {
            Ok(pages) => pages,
            Err(e) if e.is_code("NoSuchEntity") => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut serials: Vec<String> = pages
            .iter()
            .flat_map(|out| out.mfa_devices())
            .map(|d| d.serial_number().to_string())
            .collect();
        serials.sort();
        Ok(serials)
    }
}

fn user_from(u: &UserDetail) -> Result<Option<User>, CallError> {
    let Some(name) = u.user_name() else {
        return Ok(None);
    };
    let mut groups: Vec<String> = u.group_list().to_vec();
    groups.sort();
    Ok(Some(User {
        name: name.to_string(),
        arn: u.arn().unwrap_or_default().to_string(),
        created: u.create_date().and_then(to_chrono),
        access_keys: Vec::new(),
        mfa_devices: Vec::new(),
        groups,
        attached_policies: attached(u.attached_managed_policies()),
        inline_policies: inline(u.user_policy_list(), &format!("user {name}"))?,
        permissions_boundary: u
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        unreadable: None,
    }))
}

fn group_from(g: &GroupDetail) -> Result<Option<Group>, CallError> {
    let Some(name) = g.group_name() else {
        return Ok(None);
    };
    Ok(Some(Group {
        name: name.to_string(),
        arn: g.arn().unwrap_or_default().to_string(),
        attached_policies: attached(g.attached_managed_policies()),
        inline_policies: inline(g.group_policy_list(), &format!("group {name}"))?,
    }))
}

fn role_from(r: &RoleDetail) -> Result<Option<Role>, CallError> {
    let Some(name) = r.role_name() else {
        return Ok(None);
    };
    let trust_policy = match r.assume_role_policy_document() {
        Some(raw) => decode(raw, GAAD, || format!("the trust policy of role {name}"))?,
        None => Value::Null,
    };
    Ok(Some(Role {
        name: name.to_string(),
        arn: r.arn().unwrap_or_default().to_string(),
        trust_policy,
        attached_policies: attached(r.attached_managed_policies()),
        inline_policies: inline(r.role_policy_list(), &format!("role {name}"))?,
        permissions_boundary: r
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
    }))
}

fn attached(list: &[AttachedPolicy]) -> Vec<String> {
    let mut arns: Vec<String> = list
        .iter()
        .filter_map(|p| p.policy_arn())
        .map(str::to_string)
        .collect();
    arns.sort();
    arns.dedup();
    arns
}

fn inline(list: &[PolicyDetail], owner: &str) -> Result<Vec<InlinePolicy>, CallError> {
    let mut policies = Vec::new();
    for p in list {
        let Some(name) = p.policy_name() else {
            continue;
        };
        let document = match p.policy_document() {
            Some(raw) => decode(raw, GAAD, || format!("inline policy {name} of {owner}"))?,
            None => Value::Null,
        };
        policies.push(InlinePolicy {
            name: name.to_string(),
            document,
        });
    }
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(policies)
}

fn decode(raw: &str, action: &str, what: impl FnOnce() -> String) -> Result<Value, CallError> {
    decode_policy_document(raw)
        .map_err(|m| CallError::new(action, None, format!("{}: {m}", what())))
}

fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws") && arn.contains(":policy/")
}

fn policy_name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_arns() {
        assert!(is_aws_managed(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(is_aws_managed(
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        ));
        assert!(is_aws_managed("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"));
        assert!(!is_aws_managed(
            "arn:aws:iam::123456789012:policy/RequireMFA"
        ));
        assert_eq!(
            policy_name_from_arn("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
            "ViewOnlyAccess"
        );
    }

    #[test]
    fn details_convert() {
        let doc = "%7B%22Statement%22%3A%5B%5D%7D";
        let u = UserDetail::builder()
            .user_name("alice")
            .arn("arn:aws:iam::1:user/alice")
            .group_list("zeta")
            .group_list("alpha")
            .attached_managed_policies(
                AttachedPolicy::builder()
                    .policy_arn("arn:aws:iam::aws:policy/b")
                    .policy_name("b")
                    .build(),
            )
            .attached_managed_policies(
                AttachedPolicy::builder()
                    .policy_arn("arn:aws:iam::aws:policy/a")
                    .policy_name("a")
                    .build(),
            )
            .user_policy_list(
                PolicyDetail::builder()
                    .policy_name("z")
                    .policy_document(doc)
                    .build(),
            )
            .user_policy_list(
                PolicyDetail::builder()
                    .policy_name("a")
                    .policy_document("{}")
                    .build(),
            )
            .create_date(aws_smithy_types::DateTime::from_secs(1_600_000_000))
            .build();
        let user = user_from(&u).expect("converts").expect("has a name");
        assert_eq!(user.groups, vec!["alpha", "zeta"]);
        assert_eq!(
            user.attached_policies,
            vec!["arn:aws:iam::aws:policy/a", "arn:aws:iam::aws:policy/b"]
        );
        assert_eq!(user.inline_policies[0].name, "a");
        assert_eq!(
            user.inline_policies[1].document,
            serde_json::json!({"Statement": []})
        );
        assert_eq!(user.created, DateTime::from_timestamp(1_600_000_000, 0));

        let bad = UserDetail::builder()
            .user_name("bob")
            .user_policy_list(
                PolicyDetail::builder()
                    .policy_name("p")
                    .policy_document("%7Bnope")
                    .build(),
            )
            .build();
        let err = user_from(&bad).expect_err("bad document");
        assert_eq!(err.action, GAAD);
        assert!(
            err.message.contains("inline policy p of user bob"),
            "{}",
            err.message
        );
    }
}
