//! Batches that attach policies or add users to groups must not stop
//! halfway on a shape the inventory already shows, and administrators are
//! counted by what they may really do, against moto taught the AWS
//! behaviours these rely on (tests/support/aws_behaviours/):
//!
//! - IAM's quotas on attached managed policies and group memberships
//!   (`iam_quotas.py`): cloudtrail.api-protected and account.mfa-policy leave
//!   out principals at their quota and name them in the preview;
//! - Control Tower's SCP on the roles it sets up
//!   (`iam_control_tower_roles.py`): cloudtrail.api-protected leaves them out;
//! - account.backup-admin counts neither web identity (OIDC) roles nor
//!   administrators whose rights a Deny or a permissions boundary cuts.

mod support;

use serde_json::json;
use support::run::{US_EAST_1 as R, assert_ok, moat, scan_item, status};
use support::seed_cloudtrail;
use support::seed_iam::{allow, console_user, members};
use support::{Moto, block_on, iam_client, output_text, temp_state_dir};

const BUCKET: &str = "limits-trail-logs";
const TRAIL: &str = "limits-trail";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn code<E: aws_sdk_iam::error::ProvideErrorMetadata>(e: &E) -> Option<&str> {
    e.code()
}

/// An IAM client signing as Control Tower's execution role (the access key
/// the taught behaviour lets through), to seed the roles it sets up.
fn control_tower_iam(ep: &str) -> aws_sdk_iam::Client {
    support::test_client!(
        aws_sdk_iam,
        ep,
        "us-east-1",
        |b| b,
        ("AKIACONTROLTOWER0000", "control-tower")
    )
}

async fn seed_trail(ep: &str) {
    seed_cloudtrail::trail_to_bucket(ep, TRAIL, BUCKET).await;
}

/// Ten harmless customer-managed policies (IAM's default quota of
/// attachments per principal), by ARN.
async fn ten_policies(iam: &aws_sdk_iam::Client) -> Vec<String> {
    let mut arns = vec![];
    for i in 0..10 {
        let p = iam
            .create_policy()
            .policy_name(format!("list-buckets-{i}"))
            .policy_document(allow(&["s3:ListAllMyBuckets"]))
            .send()
            .await
            .expect("policy");
        arns.push(p.policy.and_then(|p| p.arn).expect("arn"));
    }
    arns
}

fn attached_role(ep: &str, role: &str) -> Vec<String> {
    block_on(async {
        iam_client(ep)
            .await
            .list_attached_role_policies()
            .role_name(role)
            .send()
            .await
            .expect("role policies")
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_string))
            .collect()
    })
}

const FULL_ROLE: &str = "ci-full";
const FULL_GROUP: &str = "trail-ops";
const CT_ROLE: &str = "aws-controltower-ReadOnlyExecutionRole";
const FIDDLER: &str = "trail-fiddler";

/// A role and a group that already have ten managed policies, and a role
/// Control Tower protects, may all stop the trail: IAM would refuse the deny
/// on each (LimitExceeded, AccessDenied). The plan leaves them out and names
/// them; the batch goes through for the rest.
#[test]
fn api_protected_leaves_out_principals_iam_would_refuse() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_trail(ep).await;
        let iam = iam_client(ep).await;
        let arns = ten_policies(&iam).await;
        iam.create_role()
            .role_name(FULL_ROLE)
            .assume_role_policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
                .to_string(),
            )
            .send()
            .await
            .expect("role");
        iam.create_group()
            .group_name(FULL_GROUP)
            .send()
            .await
            .expect("group");
        for arn in &arns {
            iam.attach_role_policy()
                .role_name(FULL_ROLE)
                .policy_arn(arn)
                .send()
                .await
                .expect("attach to role");
            iam.attach_group_policy()
                .group_name(FULL_GROUP)
                .policy_arn(arn)
                .send()
                .await
                .expect("attach to group");
        }
        iam.put_role_policy()
            .role_name(FULL_ROLE)
            .policy_name("manage-trails")
            .policy_document(allow(&["cloudtrail:*"]))
            .send()
            .await
            .expect("role inline");
        iam.put_group_policy()
            .group_name(FULL_GROUP)
            .policy_name("manage-trails")
            .policy_document(allow(&["cloudtrail:StopLogging"]))
            .send()
            .await
            .expect("group inline");
        // The emulator now refuses an eleventh attachment, as IAM does.
        let refused = iam
            .attach_role_policy()
            .role_name(FULL_ROLE)
            .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
            .expect_err("quota");
        assert_eq!(code(&refused), Some("LimitExceeded"));

        let ct = control_tower_iam(ep);
        ct.create_role()
            .role_name(CT_ROLE)
            .assume_role_policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}]})
                .to_string(),
            )
            .send()
            .await
            .expect("Control Tower role");
        ct.put_role_policy()
            .role_name(CT_ROLE)
            .policy_name("trails")
            .policy_document(allow(&["cloudtrail:UpdateTrail"]))
            .send()
            .await
            .expect("Control Tower role policy");
        let refused = iam
            .attach_role_policy()
            .role_name(CT_ROLE)
            .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
            .expect_err("Control Tower's SCP");
        assert_eq!(code(&refused), Some("AccessDenied"));

        iam.create_user()
            .user_name(FIDDLER)
            .send()
            .await
            .expect("user");
        iam.put_user_policy()
            .user_name(FIDDLER)
            .policy_name("manage-trails")
            .policy_document(allow(&["cloudtrail:DeleteTrail"]))
            .send()
            .await
            .expect("user inline");
    });
    let state = temp_state_dir();
    let id = "cloudtrail.api-protected";
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");

    let plan = output_text(&moat(ep, state.path(), R, &["plan", id]));
    for (left, why) in [
        (format!("role/{FULL_ROLE}"), "LimitExceeded"),
        (format!("group/{FULL_GROUP}"), "LimitExceeded"),
        (format!("role/{CT_ROLE}"), "Control Tower"),
    ] {
        let line = plan
            .lines()
            .find(|l| l.contains(&format!("Not changed: {left}")))
            .unwrap_or_else(|| panic!("{left} not named in\n{plan}"));
        assert!(line.contains(why), "{line}");
    }
    assert!(plan.contains(FIDDLER), "{plan}");

    // The whole batch goes through.
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    assert_eq!(attached_role(ep, FULL_ROLE).len(), 10);
    assert!(attached_role(ep, CT_ROLE).is_empty());
    let fiddler = block_on(async {
        iam_client(ep)
            .await
            .list_attached_user_policies()
            .user_name(FIDDLER)
            .send()
            .await
            .expect("user policies")
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_string))
            .collect::<Vec<_>>()
    });
    assert_eq!(fiddler, vec!["ProtectCloudTrail".to_string()]);
    // The ones left out are still findings.
    let after = scan_item(ep, state.path(), R, id);
    assert_eq!(status(&after), "fail");
    assert!(!after.to_string().contains(FIDDLER), "{after}");
}

/// A console user already in ten groups cannot join `MFARequired`: the
/// plan leaves them out and says why; the other users are added, and the
/// batch goes through.
#[test]
fn mfa_policy_leaves_out_users_in_as_many_groups_as_iam_allows() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam_client(ep).await;
        for u in ["dana", "lee"] {
            console_user(&iam, u).await;
        }
        for i in 0..10 {
            let g = format!("team-{i}");
            iam.create_group()
                .group_name(&g)
                .send()
                .await
                .expect("group");
            iam.add_user_to_group()
                .group_name(&g)
                .user_name("dana")
                .send()
                .await
                .expect("member");
        }
        iam.create_group()
            .group_name("one-too-many")
            .send()
            .await
            .expect("group");
        let refused = iam
            .add_user_to_group()
            .group_name("one-too-many")
            .user_name("dana")
            .send()
            .await
            .expect_err("groups per user");
        assert_eq!(code(&refused), Some("LimitExceeded"));
    });
    let state = temp_state_dir();
    let id = "account.mfa-policy";
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    let plan = output_text(&moat(ep, state.path(), R, &["plan", id]));
    assert!(plan.contains("add user lee to group MFARequired"), "{plan}");
    assert!(
        !plan.contains("add user dana to group MFARequired"),
        "{plan}"
    );
    assert!(
        plan.lines()
            .any(|l| l.contains("dana") && l.contains("LimitExceeded")),
        "{plan}"
    );

    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    assert_eq!(members(ep, "MFARequired"), vec!["lee"]);
    // dana stays a finding.
    let after = scan_item(ep, state.path(), R, id);
    assert_eq!(status(&after), "fail");
    assert!(after.to_string().contains("user/dana"), "{after}");
}

/// Administrators by their effective rights and by how a person signs in:
/// an admin user with an unconditional Deny on IAM, a SAML role whose
/// permissions boundary allows only S3, and a role reached through an OIDC
/// provider are not counted; the finding names each and why.
#[test]
fn backup_admin_counts_effective_admins_people_sign_in_as() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let account = support::ACCOUNT_ID;
    block_on(async {
        let iam = iam_client(ep).await;
        for u in ["ops", "ops-denied"] {
            console_user(&iam, u).await;
            iam.attach_user_policy()
                .user_name(u)
                .policy_arn(ADMIN)
                .send()
                .await
                .expect("admin");
        }
        iam.put_user_policy()
            .user_name("ops-denied")
            .policy_name("no-iam")
            .policy_document(
                json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]})
                .to_string(),
            )
            .send()
            .await
            .expect("deny");
        let boundary = iam
            .create_policy()
            .policy_name("s3-only")
            .policy_document(allow(&["s3:*"]))
            .send()
            .await
            .expect("boundary")
            .policy
            .and_then(|p| p.arn)
            .expect("arn");
        let roles = [
            (
                "saml-bounded",
                json!({"Federated": format!("arn:aws:iam::{account}:saml-provider/Corp")}),
                "sts:AssumeRoleWithSAML",
                Some(boundary.as_str()),
            ),
            (
                "okta-admin",
                json!({"Federated": format!("arn:aws:iam::{account}:oidc-provider/corp.okta.com")}),
                "sts:AssumeRoleWithWebIdentity",
                None,
            ),
        ];
        for (name, principal, action, boundary) in roles {
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": principal, "Action": action}]})
                    .to_string(),
                )
                .set_permissions_boundary(boundary.map(str::to_string))
                .send()
                .await
                .expect("role");
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(ADMIN)
                .send()
                .await
                .expect("admin");
        }
    });
    let state = temp_state_dir();
    let item = scan_item(ep, state.path(), R, "account.backup-admin");
    assert_eq!(status(&item), "fail", "{item}");
    let detail = item["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("user/ops (console password)"), "{detail}");
    for (who, why) in [
        ("user/ops-denied", "no-iam"),
        ("role/saml-bounded", "s3-only"),
        ("role/okta-admin", "corp.okta.com"),
    ] {
        let at = detail
            .find(who)
            .unwrap_or_else(|| panic!("{who} not named: {detail}"));
        assert!(detail[at..].contains(why), "{who}: {detail}");
    }
}
