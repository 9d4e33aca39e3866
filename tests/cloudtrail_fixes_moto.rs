//! CloudTrail fixes that must not misfire on a real account, against moto
//! taught the AWS behaviours they rely on (tests/support/aws_behaviours/):
//!
//! - cloudtrail.archive-to-glacier: S3's default minimum object size for
//!   transitions (`s3_lifecycle_min_size.py`) and rule size filters
//!   (`s3_lifecycle_size_filters.py`);
//! - cloudtrail.api-protected: IAM refuses changes to IAM Identity Center
//!   roles (`iam_reserved_roles.py`), and moat never denies itself;
//! - cloudtrail.encrypted: undo leaves the KMS key that encrypted the logs.

mod support;

use support::run::{US_EAST_1 as R, assert_ok, moat, scan_item, status};
use support::seed_cloudtrail;
use support::seed_iam::allow;
use support::{Moto, block_on, output_text, s3_client, temp_state_dir};

const BUCKET: &str = "fixes-trail-logs";
const TRAIL: &str = "fixes-trail";
const SMALL: &str = "all_storage_classes_128K";
const VARIES: &str = "varies_by_storage_class";

/// A trail writing to its own bucket, with the policy CloudTrail needs.
async fn seed_trail(ep: &str) {
    seed_cloudtrail::trail_to_bucket(ep, TRAIL, BUCKET).await;
}

// ---------------------------------------------------------------------------
// cloudtrail.archive-to-glacier

fn rule(
    id: &str,
    prefix: &str,
    class: aws_sdk_s3::types::TransitionStorageClass,
) -> aws_sdk_s3::types::LifecycleRule {
    use aws_sdk_s3::types::{ExpirationStatus, LifecycleRule, LifecycleRuleFilter, Transition};
    LifecycleRule::builder()
        .id(id)
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix(prefix).build())
        .transitions(Transition::builder().days(30).storage_class(class).build())
        .build()
        .expect("rule")
}

/// Write `rules`, with the default minimum size header when given.
async fn put_lifecycle(ep: &str, rules: Vec<aws_sdk_s3::types::LifecycleRule>, min: Option<&str>) {
    use aws_sdk_s3::types::{BucketLifecycleConfiguration, TransitionDefaultMinimumObjectSize};
    s3_client(ep, "us-east-1")
        .await
        .put_bucket_lifecycle_configuration()
        .bucket(BUCKET)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .set_rules(Some(rules))
                .build()
                .expect("lifecycle"),
        )
        .set_transition_default_minimum_object_size(
            min.map(TransitionDefaultMinimumObjectSize::from),
        )
        .send()
        .await
        .expect("lifecycle rules");
}

/// The bucket's rules and its default minimum object size, as S3 answers.
fn read_lifecycle(ep: &str) -> (Vec<aws_sdk_s3::types::LifecycleRule>, Option<String>) {
    block_on(async {
        let out = s3_client(ep, "us-east-1")
            .await
            .get_bucket_lifecycle_configuration()
            .bucket(BUCKET)
            .send()
            .await
            .expect("lifecycle");
        (
            out.rules().to_vec(),
            out.transition_default_minimum_object_size()
                .map(|m| m.as_str().to_string()),
        )
    })
}

#[test]
fn archive_rule_under_the_128k_default_fails_and_moat_rule_reaches_small_log_files() {
    use aws_sdk_s3::types::TransitionStorageClass as C;
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_trail(ep).await;
        // Written without the header: S3's default, 128 KB.
        put_lifecycle(ep, vec![rule("to-glacier", "AWSLogs/", C::Glacier)], None).await;
    });
    let state = temp_state_dir();
    let id = "cloudtrail.archive-to-glacier";
    let (before, min) = read_lifecycle(ep);
    assert_eq!(min.as_deref(), Some(SMALL));
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(status(&item), "fail", "{item}");
    let detail = item["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("to-glacier") && detail.contains(SMALL),
        "{detail}"
    );

    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", id, "--input", "days=90"],
    ));
    let (after, min) = read_lifecycle(ep);
    // The bucket's setting is sent back as it was; moat's rule carries its
    // own size filter, so log files of a few KB transition.
    assert_eq!(min.as_deref(), Some(SMALL));
    assert!(after.contains(&before[0]), "{after:?}");
    let new = after
        .iter()
        .find(|r| r.id() == Some("moat-archive-cloudtrail-logs"))
        .expect("moat's rule");
    let and = new.filter().and_then(|f| f.and()).expect("prefix and size");
    assert_eq!(and.prefix(), Some("AWSLogs/"));
    assert_eq!(and.object_size_greater_than(), Some(1));
    assert_eq!(new.transitions()[0].storage_class(), Some(&C::Glacier));
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");

    assert_ok(&moat(ep, state.path(), R, &["undo", "--last", "--yes"]));
    assert_eq!(read_lifecycle(ep), (before, Some(SMALL.to_string())));
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
}

#[test]
fn archive_keeps_a_varies_by_storage_class_setting_and_undo_restores_it() {
    use aws_sdk_s3::types::TransitionStorageClass as C;
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_trail(ep).await;
        // A configuration from before September 2024: small backups go to
        // Deep Archive; nothing archives the logs.
        put_lifecycle(
            ep,
            vec![rule("backups-deep", "backups/", C::DeepArchive)],
            Some(VARIES),
        )
        .await;
    });
    let state = temp_state_dir();
    let id = "cloudtrail.archive-to-glacier";
    let before = read_lifecycle(ep);
    assert_eq!(before.1.as_deref(), Some(VARIES));
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    let plan = output_text(&moat(ep, state.path(), R, &["plan", id]));
    assert!(
        plan.contains("TransitionDefaultMinimumObjectSize"),
        "{plan}"
    );

    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    let (after, min) = read_lifecycle(ep);
    // A write without the header would have switched the backups rule to
    // the 128 KB default.
    assert_eq!(min.as_deref(), Some(VARIES));
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");

    assert_ok(&moat(ep, state.path(), R, &["undo", "--last", "--yes"]));
    assert_eq!(read_lifecycle(ep), before);
}

// ---------------------------------------------------------------------------
// cloudtrail.api-protected

/// An IAM client signing as IAM Identity Center itself (the access key the
/// taught behaviour lets through), to seed a reserved role's policies.
fn identity_center_iam(ep: &str) -> aws_sdk_iam::Client {
    support::test_client!(
        aws_sdk_iam,
        ep,
        "us-east-1",
        |b| b,
        ("AKIAIDENTITYCENTER00", "identity-center")
    )
}

const SSO_ROLE: &str = "AWSReservedSSO_Admin_x";
/// The IAM user moto's default credentials act as (`…:user/moto`).
const CALLER: &str = "moto";
const CALLER_GROUP: &str = "trail-operators";
const OTHER: &str = "trail-fiddler";

#[test]
fn api_protected_leaves_identity_center_roles_and_the_caller_alone() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_trail(ep).await;
        let iam = support::iam_client(ep).await;
        iam.create_role()
            .role_name(SSO_ROLE)
            .path("/aws-reserved/sso.amazonaws.com/")
            .assume_role_policy_document(
                serde_json::json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Federated":
                        format!("arn:aws:iam::{}:saml-provider/AWSSSO_0123_DO_NOT_DELETE", support::ACCOUNT_ID)},
                     "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]}]})
                .to_string(),
            )
            .send()
            .await
            .expect("Identity Center role");
        identity_center_iam(ep)
            .put_role_policy()
            .role_name(SSO_ROLE)
            .policy_name("AwsSSOInlinePolicy")
            .policy_document(allow(&["cloudtrail:*"]))
            .send()
            .await
            .expect("permission set policy");
        // The emulator now refuses what IAM refuses.
        let refused = iam
            .attach_role_policy()
            .role_name(SSO_ROLE)
            .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
            .send()
            .await
            .expect_err("IAM refuses changes to Identity Center roles");
        assert_eq!(
            aws_sdk_iam::error::ProvideErrorMetadata::code(&refused),
            Some("UnmodifiableEntity")
        );
        // The caller may stop logging, directly and through its group.
        for user in [CALLER, OTHER] {
            iam.create_user()
                .user_name(user)
                .send()
                .await
                .expect("user");
        }
        iam.put_user_policy()
            .user_name(CALLER)
            .policy_name("stop-trails")
            .policy_document(allow(&["cloudtrail:StopLogging"]))
            .send()
            .await
            .expect("caller policy");
        iam.create_group()
            .group_name(CALLER_GROUP)
            .send()
            .await
            .expect("group");
        iam.add_user_to_group()
            .group_name(CALLER_GROUP)
            .user_name(CALLER)
            .send()
            .await
            .expect("member");
        iam.put_group_policy()
            .group_name(CALLER_GROUP)
            .policy_name("manage-trails")
            .policy_document(allow(&["cloudtrail:UpdateTrail"]))
            .send()
            .await
            .expect("group policy");
        iam.put_user_policy()
            .user_name(OTHER)
            .policy_name("manage-trails")
            .policy_document(allow(&["cloudtrail:*"]))
            .send()
            .await
            .expect("other policy");
    });
    let state = temp_state_dir();
    let id = "cloudtrail.api-protected";
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(status(&item), "fail", "{item}");
    let finding = |r: &str| {
        item["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["resource"] == r))
            .and_then(|f| f["detail"].as_str())
            .unwrap_or_else(|| panic!("no finding for {r} in {item}"))
            .to_string()
    };
    assert!(finding(&format!("role/{SSO_ROLE}")).contains("permission set Admin"));
    assert!(finding(&format!("user/{CALLER}")).contains("moat runs as"));
    assert!(finding(&format!("group/{CALLER_GROUP}")).contains("is in this group"));

    let plan = output_text(&moat(ep, state.path(), R, &["plan", id]));
    for left in [
        format!("Not changed: role/{SSO_ROLE}"),
        format!("Not changed: user/{CALLER}"),
        format!("Not changed: group/{CALLER_GROUP}"),
    ] {
        assert!(plan.contains(&left), "{left} in\n{plan}");
    }

    // The whole batch goes through: no call IAM would refuse.
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    let attached = block_on(async {
        let iam = support::iam_client(ep).await;
        let role = iam
            .list_attached_role_policies()
            .role_name(SSO_ROLE)
            .send()
            .await
            .expect("role");
        let caller = iam
            .list_attached_user_policies()
            .user_name(CALLER)
            .send()
            .await
            .expect("caller");
        let group = iam
            .list_attached_group_policies()
            .group_name(CALLER_GROUP)
            .send()
            .await
            .expect("group");
        let other = iam
            .list_attached_user_policies()
            .user_name(OTHER)
            .send()
            .await
            .expect("other");
        let names = |p: &[aws_sdk_iam::types::AttachedPolicy]| -> Vec<String> {
            p.iter()
                .filter_map(|p| p.policy_name().map(str::to_string))
                .collect()
        };
        (
            names(role.attached_policies()),
            names(caller.attached_policies()),
            names(group.attached_policies()),
            names(other.attached_policies()),
        )
    });
    assert_eq!(
        attached,
        (
            vec![],
            vec![],
            vec![],
            vec!["ProtectCloudTrail".to_string()]
        )
    );
    // The ones moat leaves stay findings.
    let after = scan_item(ep, state.path(), R, id);
    assert_eq!(status(&after), "fail");
    assert!(
        !after.to_string().contains(&format!("user/{OTHER}")),
        "{after}"
    );
}

// ---------------------------------------------------------------------------
// cloudtrail.encrypted

#[test]
fn encrypted_undo_points_the_trail_back_and_keeps_the_key() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(seed_trail(ep));
    let state = temp_state_dir();
    let id = "cloudtrail.encrypted";
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    let trail_key = || {
        block_on(seed_cloudtrail::get_trail(ep, TRAIL))
            .and_then(|t| t.kms_key_id().filter(|k| !k.is_empty()).map(str::to_string))
    };
    assert!(
        trail_key().is_some_and(|k| k.contains("moat-cloudtrail")),
        "{:?}",
        trail_key()
    );

    let undo = moat(ep, state.path(), R, &["undo", "--last", "--yes"]);
    assert_ok(&undo);
    let text = output_text(&undo);
    assert!(
        text.contains("alias/moat-cloudtrail") && text.contains("1 USD"),
        "the undo preview says the key stays:\n{text}"
    );
    assert!(!text.contains("schedule KMS key"), "{text}");
    assert_eq!(trail_key(), None, "the trail is back to no key");
    // The key is still there.
    let state_of_key = block_on(seed_cloudtrail::moat_trail_key(ep))
        .and_then(|m| m.key_state().cloned())
        .map(|s| s.as_str().to_string());
    assert_eq!(state_of_key.as_deref(), Some("Enabled"));
}

// ---------------------------------------------------------------------------
// cloudtrail.bucket-access-logging

/// The bucket moat sends the trail bucket's access logs to exists already,
/// and is no log bucket yet, so the scan does not read its versioning. The
/// plan adds its log-delivery statement and turns logging on; after apply
/// it is a log bucket, whose versioning the re-read has: the account still
/// matches the preview (the plan did not change versioning), and undo
/// brings both back.
#[test]
fn access_logs_to_an_existing_bucket_are_verified_and_undone() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let target = format!("moat-access-logs-{}-us-east-1", support::ACCOUNT_ID);
    block_on(async {
        seed_trail(ep).await;
        s3_client(ep, "us-east-1")
            .await
            .create_bucket()
            .bucket(&target)
            .send()
            .await
            .expect("target bucket");
    });
    let item = "cloudtrail.bucket-access-logging";
    assert_eq!(status(&scan_item(ep, st, &[], item)), "fail");
    let o = moat(ep, st, &[], &["apply", item, "--yes"]);
    assert_ok(&o);
    let text = output_text(&o);
    assert!(text.contains(&format!("bucket/{target}")), "{text}");
    assert!(!text.contains("differs from the preview"), "{text}");
    assert!(text.contains("verified"), "{text}");
    assert_eq!(status(&scan_item(ep, st, &[], item)), "pass");
    let o = moat(ep, st, &[], &["undo", "--last", "--yes"]);
    assert_ok(&o);
    let text = output_text(&o);
    assert!(!text.contains("differs from the preview"), "{text}");
    assert_eq!(status(&scan_item(ep, st, &[], item)), "fail");
}
