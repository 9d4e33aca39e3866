//! IAM: users, their access keys and MFA, groups, customer-managed policies,
//! roles, the password policy, the root user's keys and the account summary.

use super::{ACCOUNT, from_json, insert_documented, now};
use moat::aws::inventory::{
    AccessKey, Group, InlinePolicy, Inventory, KeyStatus, ManagedPolicy, PasswordPolicy,
    ResourceRef, User,
};
use moat::aws::ops;
use moat::checks::Fix;
use moat::plan::{Inputs, Op};
use serde_json::json;
use std::collections::BTreeSet;

/// One op of every IAM op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let policy = format!("arn:aws:iam::{ACCOUNT}:policy/ProtectCloudTrail");
    vec![
        Op::UpdateAccessKey(ops::UpdateAccessKey {
            user: Some("u".into()),
            key_id: "AKIA".into(),
            status: KeyStatus::Inactive,
        }),
        Op::CreateUser(ops::CreateUser { name: "u".into() }),
        Op::DeleteUser(ops::DeleteUser { name: "u".into() }),
        Op::CreateGroup(ops::CreateGroup { name: "g".into() }),
        Op::DeleteGroup(ops::DeleteGroup { name: "g".into() }),
        Op::AddUserToGroup(ops::AddUserToGroup {
            user: "u".into(),
            group: "g".into(),
        }),
        Op::RemoveUserFromGroup(ops::RemoveUserFromGroup {
            user: "u".into(),
            group: "g".into(),
        }),
        Op::AttachGroupPolicy(ops::AttachGroupPolicy {
            group: "g".into(),
            policy_arn: "arn".into(),
        }),
        Op::DetachGroupPolicy(ops::DetachGroupPolicy {
            group: "g".into(),
            policy_arn: "arn".into(),
        }),
        Op::CreatePolicy(ops::CreatePolicy {
            name: "p".into(),
            document: json!({}),
        }),
        Op::DeletePolicy(ops::DeletePolicy {
            name: "p".into(),
            arn: "arn".into(),
        }),
        Op::UpdatePasswordPolicy(ops::UpdatePasswordPolicy {
            policy: PasswordPolicy::default(),
        }),
        Op::DeletePasswordPolicy(ops::DeletePasswordPolicy),
        Op::AttachUserPolicy(ops::AttachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        }),
        Op::DetachUserPolicy(ops::DetachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        }),
        Op::AttachRolePolicy(ops::AttachRolePolicy {
            role: "r".into(),
            policy_arn: policy.clone(),
        }),
        Op::DetachRolePolicy(ops::DetachRolePolicy {
            role: "r".into(),
            policy_arn: policy,
        }),
    ]
}

/// The position of an IAM op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::UpdateAccessKey(_) => 0,
        Op::CreateUser(_) => 1,
        Op::DeleteUser(_) => 2,
        Op::CreateGroup(_) => 3,
        Op::DeleteGroup(_) => 4,
        Op::AddUserToGroup(_) => 5,
        Op::RemoveUserFromGroup(_) => 6,
        Op::AttachGroupPolicy(_) => 7,
        Op::DetachGroupPolicy(_) => 8,
        Op::CreatePolicy(_) => 9,
        Op::DeletePolicy(_) => 10,
        Op::UpdatePasswordPolicy(_) => 11,
        Op::DeletePasswordPolicy(_) => 12,
        Op::AttachUserPolicy(_) => 13,
        Op::DetachUserPolicy(_) => 14,
        Op::AttachRolePolicy(_) => 15,
        Op::DetachRolePolicy(_) => 16,
        other => unreachable!("not an IAM op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "delete_user",
    "deleting a user loses its login profile and history; moat only sends it to undo a CreateUser",
)];

pub fn key(id: &str, status: KeyStatus, last_used_days: i64) -> AccessKey {
    AccessKey {
        id: id.into(),
        status,
        created: now() - chrono::Duration::days(400),
        last_used: Some(now() - chrono::Duration::days(last_used_days)),
        last_used_service: None,
    }
}

/// "root-caller": the caller is root, with root keys, so root keys and MFA
/// Delete can be planned. "bare-account": no password policy. "half-done": a
/// stricter password policy than the settings ask for, except reuse; an
/// Administrators group without its policy; RequireMFA exists but is
/// attached nowhere. "mfa-group-exists": MFA enforced by a group already.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    match scenario {
        "root-caller" => {
            if let Some(id) = inv.identity.ready_mut() {
                id.arn = format!("arn:aws:iam::{ACCOUNT}:root");
            }
            if let Some(iam) = inv.iam.ready_mut() {
                iam.root_keys = vec![
                    key("AKIAROOTOLD000000001", KeyStatus::Active, 200),
                    key("AKIAROOTNEW000000002", KeyStatus::Active, 1),
                    key("AKIAROOTOFF000000003", KeyStatus::Inactive, 300),
                ];
            }
        }
        "bare-account" => inv.password_policy = moat::aws::inventory::Part::of(None),
        "half-done" => half_done(inv),
        "mfa-group-exists" => enforce_mfa(inv),
        _ => {}
    }
}

fn half_done(inv: &mut Inventory) {
    inv.password_policy = moat::aws::inventory::Part::of(Some(PasswordPolicy {
        minimum_password_length: 20,
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        allow_users_to_change_password: true,
        max_password_age: Some(90),
        password_reuse_prevention: None,
        hard_expiry: false,
    }));
    if let Some(iam) = inv.iam.ready_mut() {
        iam.groups.push(Group {
            name: "Administrators".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:group/Administrators"),
            attached_policies: vec![],
            inline_policies: vec![],
        });
        iam.policies.push(ManagedPolicy {
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/RequireMFA"),
            name: "RequireMFA".into(),
            aws_managed: false,
            default_version: "v1".into(),
            document: moat::checks::account::fix::require_mfa_document("aws").expect("doc"),
        });
    }
}

/// MFA enforced by a group already, so console users are only added to it
/// (the MFA policy item's plan, applied).
fn enforce_mfa(inv: &mut Inventory) {
    let def = moat::checks::item("account.mfa-policy").expect("item");
    if let Fix::Plan(f) = def.fix {
        let draft =
            super::with_ctx(|ctx| f(inv, ctx, &Inputs::default())).expect("mfa policy draft");
        for op in &draft.ops {
            inv.apply(op).expect("apply");
        }
    }
}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    out.insert(ResourceRef::Account);
    out.insert(ResourceRef::PasswordPolicy);
    if let Some(iam) = inv.iam.ready() {
        for k in &iam.root_keys {
            out.insert(ResourceRef::RootKey {
                key_id: k.id.clone(),
            });
        }
        for u in &iam.users {
            out.insert(ResourceRef::User {
                name: u.name.clone(),
            });
            for k in &u.access_keys {
                out.insert(ResourceRef::AccessKey {
                    user: u.name.clone(),
                    key_id: k.id.clone(),
                });
            }
        }
        for g in &iam.groups {
            out.insert(ResourceRef::Group {
                name: g.name.clone(),
            });
        }
        for p in iam.policies.iter().filter(|p| !p.aws_managed) {
            out.insert(ResourceRef::Policy {
                name: p.name.clone(),
            });
        }
    }
    let mut add = |r| insert_documented(inv, out, r);
    for r in inv.iam.ready().into_iter().flat_map(|i| i.roles.iter()) {
        add(ResourceRef::Role {
            name: r.name.clone(),
        });
    }
}

fn toggle(s: KeyStatus) -> KeyStatus {
    match s {
        KeyStatus::Active => KeyStatus::Inactive,
        KeyStatus::Inactive => KeyStatus::Active,
    }
}

/// A user named `name` with nothing attached.
pub fn new_user(name: &str) -> User {
    from_json(json!({"name": name, "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}")}))
}

pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    match r {
        ResourceRef::Account => {
            let s = inv.account_summary.ready_mut().expect("summary");
            s.account_mfa_enabled = !s.account_mfa_enabled;
        }
        ResourceRef::RootKey { key_id } => {
            let iam = inv.iam.ready_mut().expect("iam");
            match iam.root_keys.iter_mut().find(|k| &k.id == key_id) {
                Some(k) => k.status = toggle(k.status),
                None => iam.root_keys.push(key(key_id, KeyStatus::Active, 1)),
            }
        }
        ResourceRef::User { name } => {
            let iam = inv.iam.ready_mut().expect("iam");
            match iam.users.iter_mut().find(|u| &u.name == name) {
                Some(u) => u
                    .mfa_devices
                    .push(format!("arn:aws:iam::{ACCOUNT}:mfa/drift")),
                None => iam.users.push(new_user(name)),
            }
        }
        ResourceRef::AccessKey { user, key_id } => {
            let iam = inv.iam.ready_mut().expect("iam");
            let u = match iam.users.iter().position(|u| &u.name == user) {
                Some(i) => &mut iam.users[i],
                None => {
                    iam.users.push(new_user(user));
                    iam.users.last_mut().expect("user")
                }
            };
            match u.access_keys.iter_mut().find(|k| &k.id == key_id) {
                Some(k) => k.status = toggle(k.status),
                None => u.access_keys.push(key(key_id, KeyStatus::Active, 1)),
            }
        }
        ResourceRef::Group { name } => {
            let iam = inv.iam.ready_mut().expect("iam");
            match iam.groups.iter_mut().find(|g| &g.name == name) {
                Some(g) => g.inline_policies.push(InlinePolicy {
                    name: "drift".into(),
                    document: json!({}),
                }),
                None => iam.groups.push(Group {
                    name: name.clone(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
                    attached_policies: vec![],
                    inline_policies: vec![],
                }),
            }
        }
        ResourceRef::Policy { name } => {
            let iam = inv.iam.ready_mut().expect("iam");
            match iam
                .policies
                .iter_mut()
                .find(|p| !p.aws_managed && &p.name == name)
            {
                Some(p) => p.document = json!({"Version": "2012-10-17", "Statement": []}),
                None => iam.policies.push(ManagedPolicy {
                    arn: format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
                    name: name.clone(),
                    aws_managed: false,
                    default_version: "v1".into(),
                    document: json!({"Version": "2012-10-17", "Statement": []}),
                }),
            }
        }
        ResourceRef::PasswordPolicy => {
            let p = inv.password_policy.ready_mut().expect("password policy");
            match p {
                Some(p) => p.minimum_password_length += 1,
                None => *p = Some(PasswordPolicy::default()),
            }
        }
        ResourceRef::Role { name } => {
            if let Some(iam) = inv.iam.ready_mut() {
                match iam.roles.iter_mut().find(|x| x.name == *name) {
                    Some(x) => x
                        .attached_policies
                        .push("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
                    None => iam.roles.push(moat::aws::inventory::Role {
                        name: name.clone(),
                        arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
                        trust_policy: json!({}),
                        attached_policies: vec![],
                        inline_policies: vec![],
                        permissions_boundary: None,
                    }),
                }
            }
        }
        other => panic!("{other} is not an IAM resource"),
    }
}
