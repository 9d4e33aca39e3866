//! IAM (users, groups, roles, policies, access keys, MFA devices, the
//! credential report, the password policy) and the account's alternate
//! contacts.

use super::{apply, connect, endpoint, tag};
use crate::aws::client::AwsBackend;
use crate::aws::inventory::{
    AlternateContacts, Contact, ContactType, CredentialReportRow, Iam, KeyStatus, PartId,
    PartValue, PasswordPolicy,
};
use crate::collect::{Applied, Backend};
use crate::plan::Op;
use serde_json::json;

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

async fn iam(b: &AwsBackend) -> Iam {
    part!(b, Iam)
}

async fn report(b: &AwsBackend) -> Vec<CredentialReportRow> {
    part!(b, CredentialReport)
}

async fn password_policy(b: &AwsBackend) -> Option<PasswordPolicy> {
    part!(b, PasswordPolicy)
}

async fn contacts(b: &AwsBackend) -> AlternateContacts {
    part!(b, AlternateContacts)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn collects_every_part() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (alice, bob, devs, pol, role) = (
        format!("alice-{t}"),
        format!("bob-{t}"),
        format!("devs-{t}"),
        format!("pol-{t}"),
        format!("role-{t}"),
    );
    let c = b.iam();

    // Seed.
    c.create_user()
        .user_name(&alice)
        .send()
        .await
        .expect("create alice");
    c.create_user()
        .user_name(&bob)
        .send()
        .await
        .expect("create bob");
    c.create_login_profile()
        .user_name(&alice)
        .password("Correct-Horse-9!")
        .send()
        .await
        .expect("login profile");
    let alice_keys = [
        c.create_access_key()
            .user_name(&alice)
            .send()
            .await
            .expect("key 1"),
        c.create_access_key()
            .user_name(&alice)
            .send()
            .await
            .expect("key 2"),
    ];
    c.create_access_key()
        .user_name(&bob)
        .send()
        .await
        .expect("bob key");
    let mfa = c
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(&alice)
        .send()
        .await
        .expect("mfa");
    let serial = mfa
        .virtual_mfa_device()
        .map(|d| d.serial_number().to_string())
        .expect("serial");
    c.enable_mfa_device()
        .user_name(&alice)
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .expect("enable mfa");
    c.create_group()
        .group_name(&devs)
        .send()
        .await
        .expect("group");
    c.add_user_to_group()
        .group_name(&devs)
        .user_name(&alice)
        .send()
        .await
        .expect("member");
    c.attach_group_policy()
        .group_name(&devs)
        .policy_arn(ADMIN)
        .send()
        .await
        .expect("attach admin");
    c.attach_user_policy()
        .user_name(&alice)
        .policy_arn(READ_ONLY)
        .send()
        .await
        .expect("attach ro");
    let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]});
    c.put_user_policy()
        .user_name(&alice)
        .policy_name("no-s3")
        .policy_document(inline.to_string())
        .send()
        .await
        .expect("inline");
    c.put_group_policy()
        .group_name(&devs)
        .policy_name("g-inline")
        .policy_document(inline.to_string())
        .send()
        .await
        .expect("group inline");
    let v1 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]});
    let v2 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]});
    let created = c
        .create_policy()
        .policy_name(&pol)
        .policy_document(v1.to_string())
        .send()
        .await
        .expect("policy");
    let pol_arn = created
        .policy()
        .and_then(|p| p.arn())
        .expect("arn")
        .to_string();
    c.create_policy_version()
        .policy_arn(&pol_arn)
        .policy_document(v2.to_string())
        .set_as_default(true)
        .send()
        .await
        .expect("v2");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    c.create_role()
        .role_name(&role)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    c.attach_role_policy()
        .role_name(&role)
        .policy_arn(&pol_arn)
        .send()
        .await
        .expect("attach role");

    // Every part collects.
    for part in PartId::ALL {
        let r = b.collect(*part).await;
        assert!(r.is_ok(), "{part:?}: {r:?}");
    }
    let PartValue::Identity(id) = b.collect(PartId::Identity).await.expect("identity") else {
        panic!()
    };
    assert_eq!(id.account, "123456789012");
    let PartValue::AccountSummary(summary) =
        b.collect(PartId::AccountSummary).await.expect("summary")
    else {
        panic!()
    };
    assert!(summary.users >= 2, "{summary:?}");

    let inv = iam(&b).await;
    let a = inv.user(&alice).expect("alice collected");
    assert_eq!(a.access_keys.len(), 2);
    let ids: Vec<&str> = alice_keys
        .iter()
        .map(|k| {
            k.access_key()
                .map(|k| k.access_key_id())
                .unwrap_or_default()
        })
        .collect();
    assert!(
        a.access_keys
            .iter()
            .all(|k| ids.contains(&k.id.as_str()) && k.status == KeyStatus::Active)
    );
    assert_eq!(a.mfa_devices, vec![serial.clone()]);
    assert_eq!(a.groups, vec![devs.clone()]);
    assert_eq!(a.attached_policies, vec![READ_ONLY.to_string()]);
    assert_eq!(a.inline_policies.len(), 1);
    assert_eq!(a.inline_policies[0].document, inline);
    assert!(a.created.is_some());
    let g = inv.group(&devs).expect("group collected");
    assert_eq!(g.attached_policies, vec![ADMIN.to_string()]);
    assert_eq!(g.inline_policies[0].document, inline);
    assert_eq!(inv.members(&devs).count(), 1);
    let r = inv
        .roles
        .iter()
        .find(|r| r.name == role)
        .expect("role collected");
    assert_eq!(r.trust_policy, trust);
    assert_eq!(r.attached_policies, vec![pol_arn.clone()]);
    let p = inv.policy(&pol_arn).expect("customer policy collected");
    assert!(!p.aws_managed);
    assert_eq!(p.default_version, "v2");
    assert_eq!(p.document, v2);
    let admin = inv.policy(ADMIN).expect("AdministratorAccess collected");
    assert!(admin.aws_managed);
    assert_eq!(admin.document["Statement"][0]["Action"], "*");
    assert!(inv.policy(READ_ONLY).is_some());
    assert!(inv.root_keys.is_empty());
    for pair in inv.users.windows(2) {
        assert!(pair[0].name <= pair[1].name, "users sorted");
    }

    let rows = report(&b).await;
    let ra = rows
        .iter()
        .find(|r| r.user == alice)
        .expect("alice in report");
    assert!(
        ra.password_enabled && ra.mfa_active && ra.access_key_1_active && ra.access_key_2_active,
        "{ra:?}"
    );
    let rb = rows.iter().find(|r| r.user == bob).expect("bob in report");
    assert!(
        !rb.password_enabled && !rb.mfa_active && rb.access_key_1_active && !rb.access_key_2_active,
        "{rb:?}"
    );
    assert!(b.requests_sent() > 0);
    assert_eq!(
        b.mutations_sent(),
        0,
        "seeding used the client directly; collect sends no writes"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn applies_every_op() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (user, group, pol) = (
        format!("carol-{t}"),
        format!("grp-{t}"),
        format!("RequireMFA-{t}"),
    );

    // Users and groups.
    apply(
        &b,
        Op::CreateUser(crate::aws::ops::CreateUser { name: user.clone() }),
    )
    .await;
    apply(
        &b,
        Op::CreateGroup(crate::aws::ops::CreateGroup {
            name: group.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::AddUserToGroup(crate::aws::ops::AddUserToGroup {
            user: user.clone(),
            group: group.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
            group: group.clone(),
            policy_arn: ADMIN.to_string(),
        }),
    )
    .await;
    let inv = iam(&b).await;
    assert_eq!(
        inv.user(&user).map(|u| u.groups.clone()),
        Some(vec![group.clone()])
    );
    assert_eq!(
        inv.group(&group).map(|g| g.attached_policies.clone()),
        Some(vec![ADMIN.to_string()])
    );
    apply(
        &b,
        Op::DetachGroupPolicy(crate::aws::ops::DetachGroupPolicy {
            group: group.clone(),
            policy_arn: ADMIN.to_string(),
        }),
    )
    .await;
    apply(
        &b,
        Op::RemoveUserFromGroup(crate::aws::ops::RemoveUserFromGroup {
            user: user.clone(),
            group: group.clone(),
        }),
    )
    .await;
    let inv = iam(&b).await;
    assert_eq!(inv.user(&user).map(|u| u.groups.len()), Some(0));
    assert_eq!(
        inv.group(&group).map(|g| g.attached_policies.len()),
        Some(0)
    );

    // Access keys.
    let key = b
        .iam()
        .create_access_key()
        .user_name(&user)
        .send()
        .await
        .expect("key");
    let key_id = key
        .access_key()
        .map(|k| k.access_key_id().to_string())
        .expect("key id");
    apply(
        &b,
        Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some(user.clone()),
            key_id: key_id.clone(),
            status: KeyStatus::Inactive,
        }),
    )
    .await;
    let inv = iam(&b).await;
    assert_eq!(
        inv.user(&user).map(|u| u.access_keys[0].status),
        Some(KeyStatus::Inactive)
    );
    apply(
        &b,
        Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some(user.clone()),
            key_id: key_id.clone(),
            status: KeyStatus::Active,
        }),
    )
    .await;
    b.iam()
        .delete_access_key()
        .user_name(&user)
        .access_key_id(&key_id)
        .send()
        .await
        .expect("delete key");

    apply(
        &b,
        Op::DeleteUser(crate::aws::ops::DeleteUser { name: user.clone() }),
    )
    .await;
    apply(
        &b,
        Op::DeleteGroup(crate::aws::ops::DeleteGroup {
            name: group.clone(),
        }),
    )
    .await;
    let inv = iam(&b).await;
    assert!(inv.user(&user).is_none() && inv.group(&group).is_none());

    // Policies: create, add a version, delete (versions first).
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyWithoutMFA", "Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
    apply(
        &b,
        Op::CreatePolicy(crate::aws::ops::CreatePolicy {
            name: pol.clone(),
            document: doc.clone(),
        }),
    )
    .await;
    let inv = iam(&b).await;
    let created = inv.policy_by_name(&pol).expect("policy created").clone();
    assert_eq!(created.document, doc);
    b.iam()
        .create_policy_version()
        .policy_arn(&created.arn)
        .policy_document(doc.to_string())
        .set_as_default(true)
        .send()
        .await
        .expect("v2");
    apply(
        &b,
        Op::DeletePolicy(crate::aws::ops::DeletePolicy {
            name: pol.clone(),
            arn: created.arn.clone(),
        }),
    )
    .await;
    assert!(iam(&b).await.policy_by_name(&pol).is_none());

    // Password policy.
    let policy = PasswordPolicy {
        minimum_password_length: 14,
        require_symbols: true,
        require_numbers: true,
        require_uppercase_characters: true,
        require_lowercase_characters: true,
        allow_users_to_change_password: true,
        max_password_age: None,
        password_reuse_prevention: Some(24),
        hard_expiry: false,
    };
    apply(
        &b,
        Op::UpdatePasswordPolicy(crate::aws::ops::UpdatePasswordPolicy {
            policy: policy.clone(),
        }),
    )
    .await;
    assert_eq!(password_policy(&b).await, Some(policy));
    apply(
        &b,
        Op::DeletePasswordPolicy(crate::aws::ops::DeletePasswordPolicy),
    )
    .await;
    assert_eq!(password_policy(&b).await, None);

    // Alternate contacts.
    let contact = Contact {
        name: "Sec Team".into(),
        title: "CISO".into(),
        email: "security@example.com".into(),
        phone: "+1-555-0100".into(),
    };
    apply(
        &b,
        Op::PutAlternateContact(crate::aws::ops::PutAlternateContact {
            contact_type: ContactType::Security,
            contact: contact.clone(),
        }),
    )
    .await;
    assert_eq!(
        contacts(&b).await.contacts.get(&ContactType::Security),
        Some(&contact)
    );
    apply(
        &b,
        Op::DeleteAlternateContact(crate::aws::ops::DeleteAlternateContact {
            contact_type: ContactType::Security,
        }),
    )
    .await;
    assert!(
        !contacts(&b)
            .await
            .contacts
            .contains_key(&ContactType::Security)
    );

    // A delete whose target is already gone has its effect in place (an
    // earlier attempt whose answer was lost, or someone else): applied.
    assert_eq!(
        b.apply(&Op::DeleteUser(crate::aws::ops::DeleteUser {
            name: format!("nobody-{t}"),
        }))
        .await
        .ok(),
        Some(Applied::Sent)
    );
    // A refused op keeps the service code.
    let err = b
        .apply(&Op::AddUserToGroup(crate::aws::ops::AddUserToGroup {
            user: format!("nobody-{t}"),
            group: format!("no-group-{t}"),
        }))
        .await
        .expect_err("no such user or group");
    assert_eq!(err.action, "iam:AddUserToGroup");
    assert_eq!(err.code.as_deref(), Some("NoSuchEntity"));
    assert!(b.mutations_sent() >= 17);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn missing_password_policy_is_none() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let _ = b
        .apply(&Op::DeletePasswordPolicy(
            crate::aws::ops::DeletePasswordPolicy,
        ))
        .await;
    assert_eq!(password_policy(&b).await, None);
}
