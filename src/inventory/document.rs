//! Resources as documents: the text a preview diffs, the value a drift check
//! compares. A document holds only the state moat manages (no timestamps or
//! usage data), so that a re-read matches the prediction when nothing else changed.

use super::{ContactType, Inventory, PartId, PartStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::fmt;
use std::str::FromStr;

/// A resource moat can change, named the way `scan` prints it (`--resource`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ResourceRef {
    /// The account as a whole (root user facts from the account summary).
    Account,
    RootKey {
        key_id: String,
    },
    User {
        name: String,
    },
    AccessKey {
        user: String,
        key_id: String,
    },
    Group {
        name: String,
    },
    /// A customer-managed policy, by name.
    Policy {
        name: String,
    },
    PasswordPolicy,
    AlternateContact(ContactType),
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceRef::Account => f.write_str("account"),
            ResourceRef::RootKey { key_id } => write!(f, "root/key/{key_id}"),
            ResourceRef::User { name } => write!(f, "user/{name}"),
            ResourceRef::AccessKey { user, key_id } => write!(f, "user/{user}/key/{key_id}"),
            ResourceRef::Group { name } => write!(f, "group/{name}"),
            ResourceRef::Policy { name } => write!(f, "policy/{name}"),
            ResourceRef::PasswordPolicy => f.write_str("password-policy"),
            ResourceRef::AlternateContact(t) => write!(f, "contact/{}", t.as_str()),
        }
    }
}

impl From<ResourceRef> for String {
    fn from(r: ResourceRef) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for ResourceRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for ResourceRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "'{s}' is not a resource name moat knows (examples: user/alice, user/alice/key/AKIA…, group/Admins, policy/RequireMFA, password-policy, contact/SECURITY, account)"
            )
        };
        let parts: Vec<&str> = s.split('/').collect();
        let nonempty = |p: &str| {
            if p.is_empty() {
                Err(bad())
            } else {
                Ok(p.to_string())
            }
        };
        match parts.as_slice() {
            ["account"] => Ok(ResourceRef::Account),
            ["password-policy"] => Ok(ResourceRef::PasswordPolicy),
            ["root", "key", id] => Ok(ResourceRef::RootKey {
                key_id: nonempty(id)?,
            }),
            ["user", name] => Ok(ResourceRef::User {
                name: nonempty(name)?,
            }),
            ["user", name, "key", id] => Ok(ResourceRef::AccessKey {
                user: nonempty(name)?,
                key_id: nonempty(id)?,
            }),
            ["group", name] => Ok(ResourceRef::Group {
                name: nonempty(name)?,
            }),
            ["policy", name] => Ok(ResourceRef::Policy {
                name: nonempty(name)?,
            }),
            ["contact", t] => ContactType::parse(t)
                .map(ResourceRef::AlternateContact)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

/// A document could not be rendered because a part it needs is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady(pub PartId);

impl ResourceRef {
    /// The inventory parts this resource's document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            ResourceRef::Account => &[PartId::AccountSummary],
            ResourceRef::RootKey { .. }
            | ResourceRef::User { .. }
            | ResourceRef::AccessKey { .. }
            | ResourceRef::Group { .. }
            | ResourceRef::Policy { .. } => &[PartId::Iam],
            ResourceRef::PasswordPolicy => &[PartId::PasswordPolicy],
            ResourceRef::AlternateContact(_) => &[PartId::AlternateContacts],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        None
    }
}

fn need(inv: &Inventory, id: PartId) -> Result<(), NotReady> {
    match inv.status(id) {
        PartStatus::Ready => Ok(()),
        _ => Err(NotReady(id)),
    }
}

impl Inventory {
    /// The resource's document, `None` when it does not exist.
    pub fn document(&self, r: &ResourceRef) -> Result<Option<Value>, NotReady> {
        for p in r.parts() {
            need(self, *p)?;
        }
        let iam = self.iam.ready();
        Ok(match r {
            ResourceRef::Account => self.account_summary.ready().map(|s| {
                json!({
                    "AccountMFAEnabled": s.account_mfa_enabled,
                    "AccountAccessKeysPresent": s.account_access_keys_present,
                })
            }),
            ResourceRef::RootKey { key_id } => iam
                .and_then(|i| i.root_keys.iter().find(|k| &k.id == key_id))
                .map(|k| json!({"User": "root", "AccessKeyId": k.id, "Status": k.status.as_str()})),
            ResourceRef::AccessKey { user, key_id } => iam
                .and_then(|i| i.user(user))
                .and_then(|u| u.access_keys.iter().find(|k| &k.id == key_id))
                .map(|k| json!({"User": user, "AccessKeyId": k.id, "Status": k.status.as_str()})),
            ResourceRef::User { name } => iam.and_then(|i| i.user(name)).map(|u| {
                let mut groups = u.groups.clone();
                groups.sort();
                let mut attached = u.attached_policies.clone();
                attached.sort();
                let mut inline: Vec<&str> =
                    u.inline_policies.iter().map(|p| p.name.as_str()).collect();
                inline.sort();
                let mut keys: Vec<Value> = u
                    .access_keys
                    .iter()
                    .map(|k| json!({"AccessKeyId": k.id, "Status": k.status.as_str()}))
                    .collect();
                keys.sort_by_key(|k| k["AccessKeyId"].as_str().unwrap_or_default().to_string());
                let mut mfa = u.mfa_devices.clone();
                mfa.sort();
                json!({
                    "UserName": u.name,
                    "Groups": groups,
                    "AttachedPolicies": attached,
                    "InlinePolicies": inline,
                    "AccessKeys": keys,
                    "MFADevices": mfa,
                })
            }),
            ResourceRef::Group { name } => {
                iam.and_then(|i| i.group(name).map(|g| (i, g)))
                    .map(|(i, g)| {
                        let mut attached = g.attached_policies.clone();
                        attached.sort();
                        let mut inline: Vec<&str> =
                            g.inline_policies.iter().map(|p| p.name.as_str()).collect();
                        inline.sort();
                        let mut members: Vec<&str> =
                            i.members(&g.name).map(|u| u.name.as_str()).collect();
                        members.sort();
                        json!({
                            "GroupName": g.name,
                            "AttachedPolicies": attached,
                            "InlinePolicies": inline,
                            "Members": members,
                        })
                    })
            }
            ResourceRef::Policy { name } => iam.and_then(|i| i.policy_by_name(name)).map(|p| {
                json!({
                    "PolicyName": p.name,
                    "Arn": p.arn,
                    "Document": p.document,
                })
            }),
            ResourceRef::PasswordPolicy => self
                .password_policy
                .ready()
                .and_then(|p| p.as_ref())
                .map(|p| {
                    json!({
                        "MinimumPasswordLength": p.minimum_password_length,
                        "RequireSymbols": p.require_symbols,
                        "RequireNumbers": p.require_numbers,
                        "RequireUppercaseCharacters": p.require_uppercase_characters,
                        "RequireLowercaseCharacters": p.require_lowercase_characters,
                        "AllowUsersToChangePassword": p.allow_users_to_change_password,
                        "MaxPasswordAge": p.max_password_age,
                        "PasswordReusePrevention": p.password_reuse_prevention,
                        "HardExpiry": p.hard_expiry,
                    })
                }),
            ResourceRef::AlternateContact(t) => self
                .alternate_contacts
                .ready()
                .and_then(|c| c.contacts.get(t))
                .map(|c| {
                    json!({
                        "AlternateContactType": t.as_str(),
                        "Name": c.name,
                        "Title": c.title,
                        "EmailAddress": c.email,
                        "PhoneNumber": c.phone,
                    })
                }),
        })
    }
}

/// Sort every object's keys recursively, so equal documents print equally.
pub fn canonicalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canonicalize(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(canonicalize).collect()),
        other => other.clone(),
    }
}

/// Canonical JSON text: sorted keys, pretty-printed, trailing newline.
/// `None` (the resource does not exist) renders as the empty text.
pub fn canonical_json(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(v) => {
            let mut s = serde_json::to_string_pretty(&canonicalize(v)).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "account",
            "root/key/AKIAROOT",
            "user/alice",
            "user/alice/key/AKIA1",
            "group/Admins",
            "policy/RequireMFA",
            "password-policy",
            "contact/SECURITY",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert_eq!(r.to_string(), s);
        }
        assert!("user/".parse::<ResourceRef>().is_err());
        assert!("bucket/x".parse::<ResourceRef>().is_err());
        assert_eq!(
            "contact/billing".parse::<ResourceRef>(),
            Ok(ResourceRef::AlternateContact(ContactType::Billing))
        );
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v = json!({"b": 1, "a": {"d": 2, "c": 3}});
        assert_eq!(
            canonical_json(Some(&v)),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n"
        );
        assert_eq!(canonical_json(None), "");
    }
}
