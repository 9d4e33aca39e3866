//! The cloudtrail and cloudwatch sections against moto: seed a failing state,
//! scan → fail, apply → read back with the SDK that the change is what the
//! plan previewed, undo → the previous state is back.
//!
//! Not here (moto cannot hold them; unit-tested in src/checks and src/plan):
//! cloudtrail.bucket-mfa-delete (root only; moto ignores MFA Delete), and the
//! trail's logging status after a real delivery failure. CloudWatch speaks
//! Smithy RPC v2 CBOR, which moto 5.2 does not: the test launcher translates
//! it (tests/support/moto_launcher.py).

mod support;

use serde_json::Value;
use support::run::{applied_batches, assert_ok, moat, scan_item, status, undo_last};
use support::seed_cloudtrail::{LOG_GROUP, TRAIL, TRAIL_BUCKET, TRAIL_ROLE, TRAIL_USER};
use support::{ACCOUNT_ID, Moto, block_on, output_text, run_moat, s3_client, temp_state_dir};
use support::{seed_cloudtrail, seed_cloudwatch};

const R: &[&str] = &["--region", "us-east-1"];

/// The CloudTrail and CloudWatch sections' failing resources.
async fn seed_failing(ep: &str) {
    seed_cloudtrail::seed_failing(ep).await;
    seed_cloudwatch::seed_failing(ep).await;
}

/// moto holding both sections' failing resources, and a fresh state dir.
fn seeded() -> (Moto, tempfile::TempDir) {
    let moto = Moto::start();
    block_on(seed_failing(&moto.endpoint));
    (moto, temp_state_dir())
}

#[test]
fn multi_region_trail_is_built_in_one_plan_and_undone() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let id = "cloudtrail.multi-region-trail";
    // An account with a bucket already: moat learns the owner's canonical id
    // (the new bucket's ACL) from the existing buckets.
    block_on(async {
        s3_client(ep, "us-east-1")
            .await
            .create_bucket()
            .bucket("existing-data")
            .send()
            .await
            .expect("bucket")
    });
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    let bucket = "moat-trail-logs-test";
    let o = moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", id, "--input", &format!("bucket={bucket}")],
    );
    assert_ok(&o);
    block_on(async {
        let s3 = s3_client(ep, "us-east-1").await;
        let pab = s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .expect("pab");
        let c = pab.public_access_block_configuration().expect("config");
        assert_eq!(
            (
                c.block_public_acls(),
                c.ignore_public_acls(),
                c.block_public_policy(),
                c.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let policy: Value = serde_json::from_str(
            s3.get_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .expect("policy")
                .policy()
                .expect("text"),
        )
        .expect("json");
        let trail_arn =
            format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT_ID}:trail/moat-multi-region");
        let text = policy.to_string();
        assert!(text.contains("s3:GetBucketAcl"), "{text}");
        assert!(
            text.contains(&format!("arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT_ID}/*")),
            "{text}"
        );
        assert!(text.contains("bucket-owner-full-control"), "{text}");
        assert!(text.contains(&trail_arn), "{text}");
        let ct = seed_cloudtrail::cloudtrail(ep, "us-east-1");
        let t = ct
            .get_trail()
            .name("moat-multi-region")
            .send()
            .await
            .expect("trail");
        let t = t.trail().expect("trail");
        assert_eq!(t.is_multi_region_trail(), Some(true));
        assert_eq!(t.log_file_validation_enabled(), Some(true));
        assert_eq!(t.s3_bucket_name(), Some(bucket));
        let status = ct
            .get_trail_status()
            .name("moat-multi-region")
            .send()
            .await
            .expect("status");
        assert_eq!(status.is_logging(), Some(true));
    });
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");
    assert_ok(&undo_last(ep, state.path(), R));
    block_on(async {
        let ct = seed_cloudtrail::cloudtrail(ep, "us-east-1");
        let trails = ct.describe_trails().send().await.expect("trails");
        assert!(trails.trail_list().is_empty(), "{trails:?}");
        let s3 = s3_client(ep, "us-east-1").await;
        let list = s3.list_buckets().send().await.expect("buckets");
        assert!(
            !list.buckets().iter().any(|b| b.name() == Some(bucket)),
            "bucket left behind"
        );
    });
}

#[test]
fn lifecycle_rule_is_merged_into_the_existing_two() {
    let (moto, state) = seeded();
    let ep = moto.endpoint.as_str();
    let id = "cloudtrail.archive-to-glacier";
    let read = || {
        block_on(async {
            let s3 = s3_client(ep, "us-east-1").await;
            let out = s3
                .get_bucket_lifecycle_configuration()
                .bucket(TRAIL_BUCKET)
                .send()
                .await
                .expect("lifecycle");
            out.rules().to_vec()
        })
    };
    let before = read();
    assert_eq!(before.len(), 2);
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", id, "--input", "days=120"],
    ));
    let after = read();
    assert_eq!(after.len(), 3, "{after:?}");
    for r in &before {
        assert!(after.contains(r), "rule {:?} changed or dropped", r.id());
    }
    let new = after
        .iter()
        .find(|r| r.id() == Some("moat-archive-cloudtrail-logs"))
        .expect("new rule");
    assert_eq!(new.transitions()[0].days(), Some(120));
    assert_eq!(
        new.transitions()[0].storage_class().map(|c| c.as_str()),
        Some("GLACIER")
    );
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");
    assert_ok(&undo_last(ep, state.path(), R));
    assert_eq!(read(), before);
}

#[test]
fn trail_key_has_a_policy_for_cloudtrail_and_undo_keeps_it() {
    let (moto, state) = seeded();
    let ep = moto.endpoint.as_str();
    let id = "cloudtrail.encrypted";
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    let plan = run_moat(ep, state.path(), &["--region", "us-east-1", "plan", id]);
    let text = output_text(&plan);
    assert!(
        text.contains("kms:EncryptionContext:aws:cloudtrail:arn"),
        "{text}"
    );
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", id]));
    block_on(async {
        let kms = seed_cloudtrail::kms(ep, "us-east-1");
        let key = seed_cloudtrail::moat_trail_key(ep).await;
        let key_id = key.expect("meta").key_id().to_string();
        let policy = kms
            .get_key_policy()
            .key_id(&key_id)
            .policy_name("default")
            .send()
            .await
            .expect("policy");
        let p = policy.policy().expect("text");
        assert!(
            p.contains("kms:GenerateDataKey*") && p.contains("cloudtrail.amazonaws.com"),
            "{p}"
        );
        assert!(
            p.contains("kms:Decrypt") && p.contains("kms:DescribeKey"),
            "{p}"
        );
        let t = seed_cloudtrail::get_trail(ep, TRAIL).await;
        assert!(
            t.as_ref()
                .and_then(|t| t.kms_key_id())
                .is_some_and(|k| k.contains("moat-cloudtrail")),
            "{t:?}"
        );
    });
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");
    assert_ok(&undo_last(ep, state.path(), R));
    block_on(async {
        let key = seed_cloudtrail::moat_trail_key(ep).await;
        assert_eq!(
            key.as_ref().and_then(|m| m.key_state()).map(|s| s.as_str()),
            Some("Enabled")
        );
        let t = seed_cloudtrail::get_trail(ep, TRAIL).await;
        assert!(
            t.as_ref()
                .and_then(|t| t.kms_key_id())
                .is_none_or(str::is_empty),
            "{t:?}"
        );
    });
}

#[test]
fn billing_alarms_go_to_us_east_1_from_a_session_elsewhere() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let id = "cloudwatch.billing-alarms";
    let eu = ["--region", "eu-west-1"];
    block_on(seed_cloudwatch::billing_alerts_on(ep));
    assert_eq!(status(&scan_item(ep, state.path(), &eu, id)), "fail");
    let o = run_moat(
        ep,
        state.path(),
        &[
            "--region",
            "eu-west-1",
            "apply",
            "--yes",
            id,
            "--input",
            "monthly=250",
            "--input",
            "email=billing@example.com",
        ],
    );
    assert_ok(&o);
    block_on(async {
        let cw = seed_cloudwatch::cloudwatch(ep, "us-east-1");
        let alarms = cw.describe_alarms().send().await.expect("alarms");
        let mut got: Vec<(String, f64)> = alarms
            .metric_alarms()
            .iter()
            .map(|a| {
                assert_eq!(a.namespace(), Some("AWS/Billing"));
                assert_eq!(a.metric_name(), Some("EstimatedCharges"));
                assert!(!a.alarm_actions().is_empty());
                (
                    a.alarm_name().unwrap_or_default().to_string(),
                    a.threshold().unwrap_or_default(),
                )
            })
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![
                ("moat-billing-high".to_string(), 287.5),
                ("moat-billing-usual".to_string(), 250.0)
            ]
        );
        let elsewhere = seed_cloudwatch::cloudwatch(ep, "eu-west-1")
            .describe_alarms()
            .send()
            .await
            .expect("eu alarms");
        assert!(elsewhere.metric_alarms().is_empty());
        let sns = seed_cloudwatch::sns(ep, "us-east-1");
        let subs = sns.list_subscriptions().send().await.expect("subs");
        assert!(
            subs.subscriptions()
                .iter()
                .any(|s| s.endpoint() == Some("billing@example.com")
                    && s.topic_arn()
                        .is_some_and(|t| t.ends_with(":moat-billing-alarms"))),
            "{subs:?}"
        );
    });
    // The e-mail subscription waits for its recipient: pending until confirmed.
    assert_eq!(status(&scan_item(ep, state.path(), &eu, id)), "fail");
    confirm(ep, "moat-billing-alarms", "billing@example.com");
    assert_eq!(status(&scan_item(ep, state.path(), &eu, id)), "pass");
    let o = run_moat(
        ep,
        state.path(),
        &["--region", "eu-west-1", "undo", "--last", "--yes"],
    );
    assert_ok(&o);
    block_on(async {
        let cw = seed_cloudwatch::cloudwatch(ep, "us-east-1");
        let alarms = cw.describe_alarms().send().await.expect("alarms");
        assert!(alarms.metric_alarms().is_empty());
        let topics = seed_cloudwatch::sns(ep, "us-east-1")
            .list_topics()
            .send()
            .await
            .expect("topics");
        assert!(topics.topics().is_empty(), "{topics:?}");
    });
}

#[test]
fn security_event_filters_and_alarms_on_the_trail_log_group() {
    let (moto, state) = seeded();
    let ep = moto.endpoint.as_str();
    let id = "cloudwatch.security-event-alarms";
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", id, "--input", "email=soc@example.com"],
    ));
    block_on(async {
        let logs = seed_cloudwatch::logs(ep, "us-east-1");
        let f = logs
            .describe_metric_filters()
            .log_group_name(LOG_GROUP)
            .send()
            .await
            .expect("filters");
        assert_eq!(f.metric_filters().len(), 15, "{f:?}");
        assert!(f.metric_filters().iter().any(|f| {
            f.filter_pattern()
                .is_some_and(|p| p.contains("$.userIdentity.type = \"Root\""))
        }));
        let cw = seed_cloudwatch::cloudwatch(ep, "us-east-1");
        let alarms = cw.describe_alarms().send().await.expect("alarms");
        assert_eq!(alarms.metric_alarms().len(), 15);
    });
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    confirm(ep, "moat-security-alarms", "soc@example.com");
    // Every alarm reaches someone now, but the seeded trail records one
    // region and is not logging: the alarms see part of the account.
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail");
    block_on(async {
        let ct = seed_cloudtrail::cloudtrail(ep, "us-east-1");
        ct.update_trail()
            .name(TRAIL)
            .is_multi_region_trail(true)
            .send()
            .await
            .expect("multi-region");
        ct.start_logging()
            .name(TRAIL)
            .send()
            .await
            .expect("start logging");
    });
    assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass");
    assert_ok(&undo_last(ep, state.path(), R));
    block_on(async {
        let logs = seed_cloudwatch::logs(ep, "us-east-1");
        let f = logs
            .describe_metric_filters()
            .log_group_name(LOG_GROUP)
            .send()
            .await
            .expect("filters");
        assert!(f.metric_filters().is_empty());
        let cw = seed_cloudwatch::cloudwatch(ep, "us-east-1");
        assert!(
            cw.describe_alarms()
                .send()
                .await
                .expect("alarms")
                .metric_alarms()
                .is_empty()
        );
    });
}

#[test]
fn log_validation_sns_and_tamper_protection() {
    let (moto, state) = seeded();
    let ep = moto.endpoint.as_str();
    let trail = || block_on(seed_cloudtrail::get_trail(ep, TRAIL)).expect("trail");
    for id in [
        "cloudtrail.log-validation",
        "cloudtrail.sns-notifications",
        "cloudtrail.api-protected",
    ] {
        assert_eq!(status(&scan_item(ep, state.path(), R, id)), "fail", "{id}");
    }
    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", "cloudtrail.log-validation"],
    ));
    assert_eq!(trail().log_file_validation_enabled(), Some(true));
    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &[
            "apply",
            "--yes",
            "cloudtrail.sns-notifications",
            "--input",
            "email=logs@example.com",
        ],
    ));
    confirm(ep, "moat-cloudtrail-notifications", "logs@example.com");
    assert!(
        trail()
            .sns_topic_arn()
            .is_some_and(|t| t.ends_with(":moat-cloudtrail-notifications"))
    );
    let topic_policy = block_on(async {
        let sns = seed_cloudwatch::sns(ep, "us-east-1");
        let a = sns
            .get_topic_attributes()
            .topic_arn(format!(
                "arn:aws:sns:us-east-1:{ACCOUNT_ID}:moat-cloudtrail-notifications"
            ))
            .send()
            .await
            .expect("attributes");
        a.attributes()
            .and_then(|m| m.get("Policy"))
            .cloned()
            .unwrap_or_default()
    });
    assert!(
        topic_policy.contains("cloudtrail.amazonaws.com"),
        "{topic_policy}"
    );
    assert_ok(&moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", "cloudtrail.api-protected"],
    ));
    let attached = || {
        block_on(async {
            let iam = support::iam_client(ep).await;
            let user = iam
                .list_attached_user_policies()
                .user_name(TRAIL_USER)
                .send()
                .await
                .expect("attached to the user");
            let role = iam
                .list_attached_role_policies()
                .role_name(TRAIL_ROLE)
                .send()
                .await
                .expect("attached to the role");
            user.attached_policies()
                .iter()
                .chain(role.attached_policies())
                .filter_map(|p| p.policy_name().map(str::to_string))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        attached(),
        vec![
            "ProtectCloudTrail".to_string(),
            "ProtectCloudTrail".to_string()
        ]
    );
    for id in [
        "cloudtrail.log-validation",
        "cloudtrail.sns-notifications",
        "cloudtrail.api-protected",
    ] {
        assert_eq!(status(&scan_item(ep, state.path(), R, id)), "pass", "{id}");
    }
    // Undo the three batches by id, newest first (`--last` after an undo
    // would undo the undo).
    let batches = applied_batches(state.path());
    assert_eq!(batches.len(), 3, "{batches:?}");
    let undo_batch = |b: &str| {
        assert_ok(&run_moat(
            ep,
            state.path(),
            &["--region", "us-east-1", "undo", b, "--yes"],
        ))
    };
    undo_batch(&batches[2]);
    assert!(attached().is_empty());
    undo_batch(&batches[1]);
    assert!(trail().sns_topic_arn().is_none_or(str::is_empty));
    undo_batch(&batches[0]);
    assert_eq!(trail().log_file_validation_enabled(), Some(false));
}

/// The recipient of a pending e-mail subscription to a us-east-1 topic
/// confirms it (the emulator takes the endpoint as the token).
fn confirm(ep: &str, topic: &str, endpoint: &str) {
    block_on(async {
        seed_cloudwatch::sns(ep, "us-east-1")
            .confirm_subscription()
            .topic_arn(format!("arn:aws:sns:us-east-1:{ACCOUNT_ID}:{topic}"))
            .token(endpoint)
            .send()
            .await
            .expect("confirm the subscription");
    });
}
