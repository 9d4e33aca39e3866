//! A partition other than `aws`: credentials of the China Regions. The
//! caller's ARN is `arn:aws-cn:…`, and IAM and S3 refuse a policy naming
//! `arn:aws:…` (the launcher is taught that: aws_behaviours/partitions.py).
//! Every ARN moat writes must name the caller's partition.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Output;
use support::run::{assert_ok, item, stdout_json};
use support::{ACCOUNT_ID, Moto, block_on, moat_cmd, s3_client, temp_state_dir};

const REGION: &str = "cn-north-1";
const PARTITION: &str = "aws-cn";

/// moat on the China Regions: `--region cn-north-1` (IAM and STS are signed
/// for cn-north-1, the partition's home region).
fn run(ep: &str, state: &Path, args: &[&str]) -> Output {
    moat_cmd(ep, state)
        .env("AWS_REGION", REGION)
        .args(["--region", REGION])
        .args(args)
        .output()
        .expect("run moat")
}

/// `scan --item ID --format json` → the item's JSON (and the whole answer).
fn scan_item(ep: &str, state: &Path, id: &str) -> (Value, Value) {
    let v = stdout_json(&run(ep, state, &["scan", "--item", id, "--format", "json"]));
    (item(&v, id).clone(), v)
}

/// An IAM client of the China Regions.
fn iam(ep: &str) -> aws_sdk_iam::Client {
    support::test_client!(aws_sdk_iam, ep, REGION)
}

#[test]
fn mfa_policy_is_created_attached_and_undone_in_the_china_partition() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        let iam = iam(ep);
        support::seed_iam::console_user(&iam, "dana").await;
    });
    let (item, scan) = scan_item(ep, state.path(), "account.mfa-policy");
    assert_eq!(
        scan["identity"],
        format!("arn:{PARTITION}:sts::{ACCOUNT_ID}:user/moto"),
        "{scan}"
    );
    assert_eq!(item["status"], "fail", "{item}");

    let plan = run(ep, state.path(), &["plan", "account.mfa-policy"]);
    assert_ok(&plan);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(!text.contains("arn:aws:"), "{text}");

    assert_ok(&run(
        ep,
        state.path(),
        &["apply", "account.mfa-policy", "--yes"],
    ));
    let (attached, members, doc) = block_on(async {
        let iam = iam(ep);
        let attached: Vec<String> = iam
            .list_attached_group_policies()
            .group_name("MFARequired")
            .send()
            .await
            .expect("attached")
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn.clone())
            .collect();
        let members: Vec<String> = iam
            .get_group()
            .group_name("MFARequired")
            .send()
            .await
            .expect("group")
            .users
            .into_iter()
            .map(|u| u.user_name)
            .collect();
        let arn = format!("arn:{PARTITION}:iam::{ACCOUNT_ID}:policy/RequireMFA");
        let doc = iam
            .get_policy_version()
            .policy_arn(&arn)
            .version_id("v1")
            .send()
            .await
            .expect("RequireMFA in the account")
            .policy_version
            .and_then(|v| v.document)
            .expect("document");
        (attached, members, doc)
    });
    assert_eq!(
        attached,
        vec![format!(
            "arn:{PARTITION}:iam::{ACCOUNT_ID}:policy/RequireMFA"
        )]
    );
    assert_eq!(members, vec!["dana"]);
    let doc = percent_encoding::percent_decode_str(&doc).decode_utf8_lossy();
    assert!(doc.contains("arn:aws-cn:iam::*:mfa/*"), "{doc}");
    assert!(!doc.contains("arn:aws:"), "{doc}");
    let (item, _) = scan_item(ep, state.path(), "account.mfa-policy");
    assert_eq!(item["status"], "pass", "{item}");

    assert_ok(&run(ep, state.path(), &["undo", "--last", "--yes"]));
    let (group, policies) = block_on(support::seed_iam::mfa_group_and_local_policies(&iam(ep)));
    assert!(!group, "undo left the group behind");
    assert_eq!(policies, 0, "undo left a policy behind");
}

#[test]
fn multi_region_trail_bucket_policy_names_the_china_partition() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let id = "cloudtrail.multi-region-trail";
    // An existing bucket: moat learns the owner's canonical id from it.
    block_on(async {
        s3_client(ep, REGION)
            .await
            .create_bucket()
            .bucket("existing-data")
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::CnNorth1)
                    .build(),
            )
            .send()
            .await
            .expect("bucket")
    });
    let bucket = "moat-trail-logs-cn";
    let input = format!("bucket={bucket}");
    let plan = run(ep, state.path(), &["plan", id, "--input", &input]);
    assert_ok(&plan);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains(&format!(
            "arn:{PARTITION}:s3:::{bucket}/AWSLogs/{ACCOUNT_ID}/*"
        )),
        "{text}"
    );
    assert!(!text.contains("arn:aws:"), "{text}");

    assert_ok(&run(
        ep,
        state.path(),
        &["apply", id, "--yes", "--input", &input],
    ));
    let policy = block_on(async {
        s3_client(ep, REGION)
            .await
            .get_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .expect("policy")
            .policy
            .expect("text")
    });
    assert!(
        policy.contains(&format!("arn:{PARTITION}:s3:::{bucket}")),
        "{policy}"
    );
    assert!(
        policy.contains(&format!(
            "arn:{PARTITION}:cloudtrail:{REGION}:{ACCOUNT_ID}:trail/"
        )),
        "{policy}"
    );
}
