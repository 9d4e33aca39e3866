//! The backend against a running moto_server (ignored by default). Start one with
//! `MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p PORT`, then:
//!
//! ```text
//! MOAT_MOTO_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=testing \
//! AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
//!   cargo test --lib collect::aws::moto_tests -- --ignored --test-threads 1
//! ```
//!
//! It seeds what it needs (names carry a unique suffix) and reads the results back.

use crate::aws::client::{AwsBackend, AwsInitError, AwsOptions};
use crate::aws::inventory::{
    ALL_USERS, Acl, AlternateContacts, CloudFront, Contact, ContactType, CredentialReportRow,
    Encryption, Fetched, Grant, Grantee, Iam, KeyStatus, Logging, PartId, PartValue,
    PasswordPolicy, PublicAccessBlock, S3, Trail, Versioning, VersioningStatus,
};
use crate::collect::{Applied, Backend};
use crate::plan::{DistributionEdit, MfaToken, Op};
use serde_json::json;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

fn endpoint() -> Option<String> {
    let url = std::env::var("MOAT_MOTO_ENDPOINT")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("MOAT_MOTO_ENDPOINT is not set: skipping");
    }
    url
}

async fn connect(endpoint: &str) -> AwsBackend {
    let opts = AwsOptions {
        endpoint_url: Some(endpoint.to_string()),
        max_attempts: Some(1),
        max_concurrency: 8,
        ..AwsOptions::default()
    };
    AwsBackend::connect(opts).await.expect("connects to moto")
}

fn tag() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", nanos % 0xffff_ffff)
}

async fn iam(b: &AwsBackend) -> Iam {
    match b.collect(PartId::Iam).await.expect("iam part") {
        PartValue::Iam(iam) => iam,
        other => panic!("unexpected {other:?}"),
    }
}

async fn report(b: &AwsBackend) -> Vec<CredentialReportRow> {
    match b
        .collect(PartId::CredentialReport)
        .await
        .expect("report part")
    {
        PartValue::CredentialReport(rows) => rows,
        other => panic!("unexpected {other:?}"),
    }
}

async fn password_policy(b: &AwsBackend) -> Option<PasswordPolicy> {
    match b
        .collect(PartId::PasswordPolicy)
        .await
        .expect("password policy part")
    {
        PartValue::PasswordPolicy(p) => p,
        other => panic!("unexpected {other:?}"),
    }
}

async fn contacts(b: &AwsBackend) -> AlternateContacts {
    match b
        .collect(PartId::AlternateContacts)
        .await
        .expect("contacts part")
    {
        PartValue::AlternateContacts(c) => c,
        other => panic!("unexpected {other:?}"),
    }
}

async fn apply(b: &AwsBackend, op: Op) {
    assert_eq!(b.apply(&op).await, Ok(Applied::Sent), "{}", op.describe());
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

#[tokio::test(flavor = "multi_thread")]
#[ignore = "opens a local port; run with the moto tests"]
async fn unreachable_endpoint_fails_fast() {
    let start = Instant::now();
    let opts = AwsOptions {
        endpoint_url: Some("http://127.0.0.1:9".to_string()),
        max_attempts: Some(1),
        ..AwsOptions::default()
    };
    let err = AwsBackend::connect(opts)
        .await
        .expect_err("nothing listens on port 9");
    assert!(
        matches!(
            err,
            AwsInitError::Unreachable { .. } | AwsInitError::NoCredentials
        ),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(!err.to_string().contains('\n'));
}

#[tokio::test]
async fn unknown_profile_is_named() {
    let opts = AwsOptions {
        profile: Some("moat-no-such-profile-3f9c".to_string()),
        ..AwsOptions::default()
    };
    match AwsBackend::connect(opts).await {
        Err(AwsInitError::UnknownProfile(p)) => assert_eq!(p, "moat-no-such-profile-3f9c"),
        // Unreadable config files are the other acceptable answer.
        Err(AwsInitError::ConfigFiles(_)) => {}
        other => panic!("unexpected {other:?}"),
    }
}

async fn s3_part(b: &AwsBackend) -> S3 {
    match b.collect(PartId::S3Buckets).await.expect("s3 part") {
        PartValue::S3Buckets(s3) => s3,
        other => panic!("unexpected {other:?}"),
    }
}

async fn account_pab(b: &AwsBackend) -> Option<PublicAccessBlock> {
    match b
        .collect(PartId::S3AccountPublicAccessBlock)
        .await
        .expect("account pab part")
    {
        PartValue::S3AccountPublicAccessBlock(p) => p,
        other => panic!("unexpected {other:?}"),
    }
}

async fn cloudfront_part(b: &AwsBackend) -> CloudFront {
    match b
        .collect(PartId::CloudFront)
        .await
        .expect("cloudfront part")
    {
        PartValue::CloudFront(c) => c,
        other => panic!("unexpected {other:?}"),
    }
}

async fn trails_part(b: &AwsBackend) -> Vec<Trail> {
    match b.collect(PartId::Trails).await.expect("trails part") {
        PartValue::Trails(t) => t,
        other => panic!("unexpected {other:?}"),
    }
}

async fn create_bucket(b: &AwsBackend, name: &str, region: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut request = b.s3(region).create_bucket().bucket(name);
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    request.send().await.expect("create bucket");
}

async fn delete_bucket(b: &AwsBackend, name: &str, region: &str) {
    b.s3(region)
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .expect("delete bucket");
}

fn bucket<'a>(s3: &'a S3, name: &str) -> &'a crate::aws::inventory::Bucket {
    s3.bucket(name)
        .unwrap_or_else(|| panic!("bucket {name} collected"))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn s3_buckets_in_two_regions() {
    use aws_sdk_s3::types::{
        BucketCannedAcl, BucketLoggingStatus, BucketVersioningStatus, LoggingEnabled,
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
    };
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (web, eu, logs) = (
        format!("moat-web-{t}"),
        format!("moat-eu-{t}"),
        format!("moat-logs-{t}"),
    );
    create_bucket(&b, &web, "us-east-1").await;
    create_bucket(&b, &logs, "us-east-1").await;
    create_bucket(&b, &eu, "eu-west-1").await;

    // The log bucket lets S3's log delivery write (S3 checks that).
    b.s3("us-east-1")
        .put_bucket_acl()
        .bucket(&logs)
        .grant_write("uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\"")
        .grant_read_acp("uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\"")
        .send()
        .await
        .expect("log bucket acl");
    // Seed web: public-read ACL, a policy, KMS encryption, logging, versioning, a PAB.
    let c = b.s3("us-east-1");
    c.put_bucket_acl()
        .bucket(&web)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("acl");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{web}/*")}]});
    c.put_bucket_policy()
        .bucket(&web)
        .policy(policy.to_string())
        .send()
        .await
        .expect("policy");
    let kms = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    c.put_bucket_encryption()
        .bucket(&web)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .kms_master_key_id(kms)
                                .build()
                                .expect("default"),
                        )
                        .bucket_key_enabled(true)
                        .build(),
                )
                .build()
                .expect("rules"),
        )
        .send()
        .await
        .expect("encryption");
    c.put_bucket_logging()
        .bucket(&web)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket(&logs)
                        .target_prefix("web/")
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("put logging");
    c.put_bucket_versioning()
        .bucket(&web)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    c.put_public_access_block()
        .bucket(&web)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(false)
                .block_public_policy(true)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .expect("pab");

    // Collect, counting requests: at most 1 + 7 per bucket (moto has no BucketRegion).
    let before = b.requests_sent();
    let s3 = s3_part(&b).await;
    let sent = b.requests_sent() - before;
    let n = s3.buckets.len() as u64;
    assert!(n >= 3, "{n} buckets");
    assert!(sent <= 1 + 7 * n, "{sent} requests for {n} buckets");
    eprintln!("S3 part: {sent} requests for {n} buckets");

    let w = bucket(&s3, &web);
    assert_eq!(w.region, "us-east-1");
    assert_eq!(
        w.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: false,
            block_public_policy: true,
            restrict_public_buckets: false,
        }))
    );
    assert_eq!(w.policy, Fetched::Ready(Some(policy.clone())));
    let acl = w.acl.ready().expect("acl read").clone();
    assert!(!acl.owner_id.is_empty());
    assert!(
        acl.grants.iter().any(|g| g.grantee
            == Grantee::Group {
                uri: ALL_USERS.to_string()
            }
            && g.permission == "READ"),
        "{acl:?}"
    );
    assert!(
        acl.grants.iter().any(
            |g| matches!(&g.grantee, Grantee::CanonicalUser { id, .. } if *id == acl.owner_id)
                && g.permission == "FULL_CONTROL"
        ),
        "{acl:?}"
    );
    assert_eq!(
        w.encryption,
        Fetched::Ready(Some(Encryption {
            algorithm: "aws:kms".into(),
            kms_key: Some(kms.into()),
            bucket_key: Some(true),
        }))
    );
    assert_eq!(
        w.logging,
        Fetched::Ready(Some(Logging {
            target_bucket: logs.clone(),
            target_prefix: "web/".into(),
        }))
    );
    assert_eq!(
        w.versioning,
        Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Enabled),
            mfa_delete: false,
        })
    );

    let e = bucket(&s3, &eu);
    assert_eq!(e.region, "eu-west-1");
    assert_eq!(e.public_access_block, Fetched::Ready(None));
    assert_eq!(e.policy, Fetched::Ready(None));
    assert_eq!(e.logging, Fetched::Ready(None));
    assert_eq!(e.versioning, Fetched::Ready(Versioning::default()));
    let eu_acl = e.acl.ready().expect("eu acl").clone();
    assert_eq!(eu_acl.public_grants().count(), 0, "{eu_acl:?}");
    assert!(e.encryption.ready().is_some(), "{:?}", e.encryption);

    // A bucket that does not exist is dropped, not an error.
    assert_eq!(
        b.read_bucket(format!("moat-gone-{t}"), Some("us-east-1".into()))
            .await,
        None
    );
    assert_eq!(b.read_bucket(format!("moat-gone-{t}"), None).await, None);

    // Ops on the us-east-1 bucket.
    let region = "us-east-1".to_string();
    apply(
        &b,
        Op::PutBucketPublicAccessBlock(crate::aws::ops::PutBucketPublicAccessBlock {
            bucket: web.clone(),
            region: region.clone(),
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    let narrowed = json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{web}"), format!("arn:aws:s3:::{web}/*")], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    apply(
        &b,
        Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
            bucket: web.clone(),
            region: region.clone(),
            policy: narrowed.clone(),
        }),
    )
    .await;
    let private = Acl {
        owner_id: acl.owner_id.clone(),
        owner_display_name: acl.owner_display_name.clone(),
        grants: vec![Grant {
            grantee: Grantee::CanonicalUser {
                id: acl.owner_id.clone(),
                display_name: None,
            },
            permission: "FULL_CONTROL".into(),
        }],
    };
    apply(
        &b,
        Op::PutBucketAcl(crate::aws::ops::PutBucketAcl {
            bucket: web.clone(),
            region: region.clone(),
            acl: private.clone(),
        }),
    )
    .await;
    let aes = Encryption {
        algorithm: "AES256".into(),
        kms_key: None,
        bucket_key: None,
    };
    apply(
        &b,
        Op::PutBucketEncryption(crate::aws::ops::PutBucketEncryption {
            bucket: web.clone(),
            region: region.clone(),
            encryption: aes.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: web.clone(),
            region: region.clone(),
            status: VersioningStatus::Suspended,
            mfa_delete: None,
            mfa: None,
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let w = bucket(&s3, &web);
    assert_eq!(
        w.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock::ALL))
    );
    assert_eq!(w.policy, Fetched::Ready(Some(narrowed)));
    let read = w.acl.ready().expect("acl");
    assert_eq!(read.public_grants().count(), 0, "{read:?}");
    assert_eq!(read.grants.len(), 1, "{read:?}");
    assert_eq!(read.grants[0].permission, "FULL_CONTROL");
    let aes_read = w.encryption.ready().cloned().flatten().expect("encryption");
    assert_eq!(aes_read.algorithm, "AES256");
    assert_eq!(aes_read.kms_key, None);
    assert_eq!(
        w.versioning.ready().and_then(|v| v.status),
        Some(VersioningStatus::Suspended)
    );

    // MFA Delete: the header is sent (moto ignores it); without a token nothing is sent.
    let mutations = b.mutations_sent();
    let err = b
        .apply(&Op::PutBucketVersioning(
            crate::aws::ops::PutBucketVersioning {
                bucket: web.clone(),
                region: region.clone(),
                status: VersioningStatus::Enabled,
                mfa_delete: Some(true),
                mfa: None,
            },
        ))
        .await
        .expect_err("MFA Delete needs a token");
    assert_eq!(err.action, "s3:PutBucketVersioning");
    assert!(err.message.contains("serial"), "{}", err.message);
    assert_eq!(b.mutations_sent(), mutations);
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: web.clone(),
            region: region.clone(),
            status: VersioningStatus::Enabled,
            mfa_delete: Some(true),
            mfa: Some(MfaToken {
                serial: "arn:aws:iam::123456789012:mfa/root-account-mfa-device".into(),
                code: "123456".into(),
            }),
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    assert_eq!(
        bucket(&s3, &web).versioning.ready().and_then(|v| v.status),
        Some(VersioningStatus::Enabled)
    );

    // Deletes.
    apply(
        &b,
        Op::DeleteBucketPublicAccessBlock(crate::aws::ops::DeleteBucketPublicAccessBlock {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::DeleteBucketPolicy(crate::aws::ops::DeleteBucketPolicy {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::DeleteBucketEncryption(crate::aws::ops::DeleteBucketEncryption {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let w = bucket(&s3, &web);
    assert_eq!(w.public_access_block, Fetched::Ready(None));
    assert_eq!(w.policy, Fetched::Ready(None));
    assert_ne!(
        w.encryption,
        Fetched::Ready(Some(aes)),
        "{:?}",
        w.encryption
    );

    // The eu-west-1 bucket through its own region's client.
    let eu_region = "eu-west-1".to_string();
    apply(
        &b,
        Op::PutBucketPublicAccessBlock(crate::aws::ops::PutBucketPublicAccessBlock {
            bucket: eu.clone(),
            region: eu_region.clone(),
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: eu.clone(),
            region: eu_region.clone(),
            status: VersioningStatus::Enabled,
            mfa_delete: None,
            mfa: None,
        }),
    )
    .await;
    let kms_eu = Encryption {
        algorithm: "aws:kms".into(),
        kms_key: Some("alias/moat".into()),
        bucket_key: Some(true),
    };
    apply(
        &b,
        Op::PutBucketEncryption(crate::aws::ops::PutBucketEncryption {
            bucket: eu.clone(),
            region: eu_region.clone(),
            encryption: kms_eu.clone(),
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let e = bucket(&s3, &eu);
    assert_eq!(
        e.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock::ALL))
    );
    assert!(e.versioning.ready().is_some_and(|v| v.enabled()));
    assert_eq!(e.encryption, Fetched::Ready(Some(kms_eu)));

    // A refused op keeps the service code.
    let err = b
        .apply(&Op::DeleteBucketPolicy(
            crate::aws::ops::DeleteBucketPolicy {
                bucket: format!("moat-gone-{t}"),
                region: region.clone(),
            },
        ))
        .await
        .expect_err("no such bucket");
    assert_eq!(err.action, "s3:DeleteBucketPolicy");
    assert_eq!(err.code.as_deref(), Some("NoSuchBucket"));

    delete_bucket(&b, &web, "us-east-1").await;
    delete_bucket(&b, &eu, "eu-west-1").await;
    // moto delivers access logs: empty the log bucket first.
    let listed = c
        .list_objects_v2()
        .bucket(&logs)
        .send()
        .await
        .expect("list logs");
    for o in listed.contents() {
        if let Some(key) = o.key() {
            c.delete_object()
                .bucket(&logs)
                .key(key)
                .send()
                .await
                .expect("delete log object");
        }
    }
    delete_bucket(&b, &logs, "us-east-1").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn s3_account_public_access_block() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    apply(
        &b,
        Op::DeleteAccountPublicAccessBlock(crate::aws::ops::DeleteAccountPublicAccessBlock),
    )
    .await;
    assert_eq!(account_pab(&b).await, None);
    let partial = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        ..PublicAccessBlock::default()
    };
    apply(
        &b,
        Op::PutAccountPublicAccessBlock(crate::aws::ops::PutAccountPublicAccessBlock {
            config: partial,
        }),
    )
    .await;
    assert_eq!(account_pab(&b).await, Some(partial));
    apply(
        &b,
        Op::PutAccountPublicAccessBlock(crate::aws::ops::PutAccountPublicAccessBlock {
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    assert_eq!(account_pab(&b).await, Some(PublicAccessBlock::ALL));
    apply(
        &b,
        Op::DeleteAccountPublicAccessBlock(crate::aws::ops::DeleteAccountPublicAccessBlock),
    )
    .await;
    assert_eq!(account_pab(&b).await, None);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn cloudfront_distributions_and_origin_access_controls() {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        ViewerProtocolPolicy,
    };
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let oac_name = format!("moat-oac-{t}");
    let origin_id = format!("s3-site-{t}");
    let domain = format!("site-{t}.s3.amazonaws.com");

    let config = DistributionConfig::builder()
        .caller_reference(format!("moat-{t}"))
        .comment(format!("moat test {t}"))
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(
                    Origin::builder()
                        .id(&origin_id)
                        .domain_name(&domain)
                        .s3_origin_config(
                            S3OriginConfig::builder().origin_access_identity("").build(),
                        )
                        .build()
                        .expect("origin"),
                )
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(&origin_id)
                .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                .build()
                .expect("behavior"),
        )
        .build()
        .expect("config");
    let created = b
        .cloudfront()
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("create distribution");
    let id = created
        .distribution()
        .map(|d| d.id().to_string())
        .expect("distribution id");

    let before = b.requests_sent();
    let cf = cloudfront_part(&b).await;
    let sent = b.requests_sent() - before;
    let n = cf.distributions.len() as u64;
    assert!(sent <= 2 + n, "{sent} requests for {n} distributions");
    let d = cf.distribution(&id).expect("distribution collected");
    assert_eq!(
        d.arn,
        format!("arn:aws:cloudfront::123456789012:distribution/{id}")
    );
    assert!(
        d.domain_name.ends_with(".cloudfront.net"),
        "{}",
        d.domain_name
    );
    assert!(d.enabled);
    assert_eq!(d.comment, format!("moat test {t}"));
    let etag = d.etag.clone().expect("etag");
    assert_eq!(d.origins.len(), 1);
    assert_eq!(d.origins[0].id, origin_id);
    assert_eq!(d.origins[0].domain_name, domain);
    // moto drops S3OriginConfig from its answers; CloudFront answers it with an empty OAI.
    assert_eq!(d.origins[0].s3_oai.as_deref().unwrap_or_default(), "");
    assert!(!d.origins[0].has_oai());
    assert_eq!(d.origins[0].oac_id, None);
    assert_eq!(d.origins[0].s3_bucket(), Some(format!("site-{t}").as_str()));
    assert_eq!(d.behaviors.len(), 1);
    assert_eq!(d.behaviors[0].path_pattern, None);
    assert_eq!(d.behaviors[0].target_origin_id, origin_id);
    assert_eq!(d.behaviors[0].viewer_protocol_policy, "allow-all");
    assert!(d.viewer_certificate.cloudfront_default);
    assert_eq!(d.web_acl_id, None);

    // Origin access control.
    apply(
        &b,
        Op::CreateOriginAccessControl(crate::aws::ops::CreateOriginAccessControl {
            name: oac_name.clone(),
            description: "moat: CloudFront reads the bucket".into(),
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    let oac = cf.oac_by_name(&oac_name).expect("OAC collected").clone();
    assert_eq!(oac.origin_type, "s3");
    assert_eq!(oac.signing_behavior, "always");
    assert_eq!(oac.signing_protocol, "sigv4");
    assert_eq!(oac.description, "moat: CloudFront reads the bucket");

    // UpdateDistribution with the plan's ETag.
    apply(
        &b,
        Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
            id: id.clone(),
            etag: Some(etag.clone()),
            edits: vec![
                DistributionEdit::ViewerProtocolPolicy {
                    path_pattern: None,
                    policy: "redirect-to-https".into(),
                },
                DistributionEdit::OriginAccessControl {
                    origin_id: origin_id.clone(),
                    oac: Some(oac_name.clone()),
                },
            ],
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    let d = cf.distribution(&id).expect("distribution");
    assert_eq!(d.behaviors[0].viewer_protocol_policy, "redirect-to-https");
    assert!(!d.origins[0].has_oai());
    // moto drops OriginAccessControlId (MOTO.md); real CloudFront keeps it.
    assert!(
        d.origins[0].oac_id.is_none() || d.origins[0].oac_id.as_deref() == Some(oac.id.as_str()),
        "{:?}",
        d.origins[0]
    );
    // Undo-style: no ETag given, the fresh one is used.
    apply(
        &b,
        Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
            id: id.clone(),
            etag: None,
            edits: vec![DistributionEdit::ViewerProtocolPolicy {
                path_pattern: None,
                policy: "https-only".into(),
            }],
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    assert_eq!(
        cf.distribution(&id).expect("distribution").behaviors[0].viewer_protocol_policy,
        "https-only"
    );

    // A missing behavior, origin or OAC is an error, and nothing is written.
    let mutations = b.mutations_sent();
    for edit in [
        DistributionEdit::ViewerProtocolPolicy {
            path_pattern: Some("/nope/*".into()),
            policy: "https-only".into(),
        },
        DistributionEdit::OriginAccessControl {
            origin_id: "nope".into(),
            oac: None,
        },
        DistributionEdit::OriginAccessControl {
            origin_id: origin_id.clone(),
            oac: Some(format!("nope-{t}")),
        },
    ] {
        let err = b
            .apply(&Op::UpdateDistribution(
                crate::aws::ops::UpdateDistribution {
                    id: id.clone(),
                    etag: None,
                    edits: vec![edit.clone()],
                },
            ))
            .await
            .expect_err("missing target");
        assert_eq!(err.action, "cloudfront:UpdateDistribution", "{edit:?}");
        assert!(err.message.contains("nope"), "{}", err.message);
    }
    assert_eq!(b.mutations_sent(), mutations);

    apply(
        &b,
        Op::DeleteOriginAccessControl(crate::aws::ops::DeleteOriginAccessControl {
            name: oac_name.clone(),
        }),
    )
    .await;
    assert!(cloudfront_part(&b).await.oac_by_name(&oac_name).is_none());
    // Deleting it again: the effect is already in place.
    assert_eq!(
        b.apply(&Op::DeleteOriginAccessControl(
            crate::aws::ops::DeleteOriginAccessControl {
                name: oac_name.clone(),
            }
        ))
        .await
        .ok(),
        Some(Applied::Sent)
    );

    b.cloudfront()
        .delete_distribution()
        .id(&id)
        .if_match(&etag)
        .send()
        .await
        .expect("delete distribution");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn cloudtrail_trails() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (name, log_bucket) = (format!("moat-trail-{t}"), format!("moat-trail-logs-{t}"));
    create_bucket(&b, &log_bucket, "us-east-1").await;
    b.home_cloudtrail()
        .create_trail()
        .name(&name)
        .s3_bucket_name(&log_bucket)
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .expect("create trail");

    let trails = trails_part(&b).await;
    let trail = trails
        .iter()
        .find(|x| x.name == name)
        .expect("trail collected");
    assert_eq!(
        trail.arn,
        format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}")
    );
    assert_eq!(trail.home_region, "us-east-1");
    assert_eq!(trail.s3_bucket.as_deref(), Some(log_bucket.as_str()));
    assert!(trail.is_multi_region);
    assert!(trail.log_file_validation);
    assert_eq!(trail.kms_key_id, None);

    b.home_cloudtrail()
        .delete_trail()
        .name(&name)
        .send()
        .await
        .expect("delete trail");
    delete_bucket(&b, &log_bucket, "us-east-1").await;
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish()
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn mfa_code_is_never_logged() {
    use tracing::instrument::WithSubscriber;
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let name = format!("moat-mfa-{}", tag());
    create_bucket(&b, &name, "us-east-1").await;
    let token = MfaToken {
        serial: "arn:aws:iam::123456789012:mfa/root-account-mfa-device".into(),
        code: "918273".into(),
    };

    // Control: the SDK's trace events show the header of a plain request.
    let control = LogBuffer::default();
    b.s3("us-east-1")
        .put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .mfa(token.header())
        .send()
        .with_subscriber(control.subscriber())
        .await
        .expect("control request");
    assert!(
        control.text().contains("918273"),
        "the control logs the code"
    );

    let logged = LogBuffer::default();
    let op = Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
        bucket: name.clone(),
        region: "us-east-1".into(),
        status: VersioningStatus::Enabled,
        mfa_delete: Some(true),
        mfa: Some(token),
    });
    let r = b.apply(&op).with_subscriber(logged.subscriber()).await;
    assert_eq!(r, Ok(Applied::Sent));
    let text = logged.text();
    assert!(text.contains("apply:"), "{text}");
    assert!(!text.contains("918273"), "{text}");
    delete_bucket(&b, &name, "us-east-1").await;
}

/// ListBuckets is paginated (`max-buckets`), so S3 names each bucket's
/// region and no bucket is lost past a page: with pages of two, every
/// bucket still arrives once, with its region (the launcher answers
/// ListBuckets as AWS documents it).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn list_buckets_pages_and_names_regions() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let names: Vec<(String, &str)> = vec![
        (format!("moat-page-a-{t}"), "us-east-1"),
        (format!("moat-page-b-{t}"), "eu-west-1"),
        (format!("moat-page-c-{t}"), "us-east-1"),
        (format!("moat-page-d-{t}"), "eu-west-1"),
        (format!("moat-page-e-{t}"), "us-east-1"),
    ];
    for (n, r) in &names {
        create_bucket(&b, n, r).await;
    }
    let (small, _) = b.list_buckets_paged(2).await.expect("paged list");
    let (large, owner) = b.list_buckets_paged(10_000).await.expect("one page");
    assert!(owner.is_some());
    let mut sorted = small.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        small.len(),
        "a bucket listed twice: {small:?}"
    );
    assert_eq!(small, large);
    for (n, r) in &names {
        let found = small.iter().find(|(name, _)| name == n);
        assert_eq!(
            found.and_then(|(_, region)| region.as_deref()),
            Some(*r),
            "{n} in {small:?}"
        );
    }
    for (n, r) in &names {
        delete_bucket(&b, n, r).await;
    }
}
