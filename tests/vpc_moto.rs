//! The VPC section against moto: for each item moto can hold, seed a
//! failing state, scan → fail (the finding names its region), apply → the
//! live state (read back with the SDK) is what the preview said, scan →
//! pass, undo → the previous state is back.
//!
//! Covered here: vpc.flow-logs (with the log bucket created, and deleted by
//! undo; and with an existing bucket whose policy is extended),
//! vpc.threat-detection (a new detector, a suspended one enabled), and a
//! scan of several regions (EBS and VPC findings each name their region).
//!
//! Not here (unit-tested in src/checks and src/plan): vpc.firewall-and-vpn
//! (guided: no API call), vpc.trail-coverage (check only; its trails come
//! from the cloudtrail section), and flow logs whose delivery fails (moto
//! always reports SUCCESS).

mod support;

use serde_json::Value;
use support::run::{apply_verified, scan_item, status_and_region as finding, undo_ok};
use support::seed_ebs::ec2_client;
use support::seed_vpc::guardduty_client;
use support::seed_vpc::{vpc_ids, warm_up};
use support::{ACCOUNT_ID, Moto, block_on, run_moat, s3_client, temp_state_dir};

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

/// The region's flow logs: (VPC, traffic type, destination).
async fn flow_logs(ep: &str, region: &str) -> Vec<(String, String, String)> {
    let out = ec2_client(ep, region)
        .await
        .describe_flow_logs()
        .send()
        .await
        .expect("flow logs");
    let mut v: Vec<(String, String, String)> = out
        .flow_logs()
        .iter()
        .map(|f| {
            (
                f.resource_id().unwrap_or_default().to_string(),
                f.traffic_type()
                    .map(|t| t.as_str())
                    .unwrap_or_default()
                    .to_string(),
                f.log_destination().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

async fn bucket_policy(ep: &str, bucket: &str) -> Option<Value> {
    let s3 = s3_client(ep, US).await;
    let p = s3.get_bucket_policy().bucket(bucket).send().await.ok()?;
    serde_json::from_str(p.policy()?).ok()
}

async fn bucket_exists(ep: &str, bucket: &str) -> bool {
    s3_client(ep, US)
        .await
        .head_bucket()
        .bucket(bucket)
        .send()
        .await
        .is_ok()
}

#[test]
fn flow_logs_round_trip_with_a_new_and_an_existing_bucket() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let vpcs = block_on(vpc_ids(ep, US));
    assert!(!vpcs.is_empty(), "moto has a default VPC");
    let scan = scan_item(ep, st, &["--region", US], "vpc.flow-logs");
    for v in &vpcs {
        let r = format!("vpc/{US}/{v}");
        assert_eq!(
            finding(&scan, &r),
            Some(("fail".into(), US.into())),
            "{scan}"
        );
    }

    // No bucket yet: moat creates moat-flow-logs-ACCOUNT, then the flow logs.
    let bucket = format!("moat-flow-logs-{ACCOUNT_ID}");
    let out = apply_verified(
        ep,
        st,
        &["--region", US],
        &["apply", "vpc.flow-logs", "--yes"],
    );
    assert!(out.contains(&bucket), "{out}");
    let destination = format!("arn:aws:s3:::{bucket}");
    let logs = block_on(flow_logs(ep, US));
    let expected: Vec<(String, String, String)> = vpcs
        .iter()
        .map(|v| (v.clone(), "ALL".to_string(), destination.clone()))
        .collect();
    assert_eq!(logs, expected);
    let policy = block_on(bucket_policy(ep, &bucket)).expect("policy");
    let text = policy.to_string();
    assert!(
        text.contains("delivery.logs.amazonaws.com")
            && text.contains("aws:SourceAccount")
            && text.contains("aws:SourceArn")
            && text.contains("aws:SecureTransport"),
        "{policy}"
    );
    let scan = scan_item(ep, st, &["--region", US], "vpc.flow-logs");
    assert_eq!(scan["status"], "pass", "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert!(block_on(flow_logs(ep, US)).is_empty());
    assert!(
        !block_on(bucket_exists(ep, &bucket)),
        "the empty bucket moat made is gone"
    );

    // An existing bucket without the log-delivery statements: its policy
    // gets them (the other statement stays), undo puts the old one back.
    let own = "network-logs-1";
    let keep = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Team",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")},
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{own}/*"),
        }],
    });
    block_on(async {
        let s3 = s3_client(ep, US).await;
        s3.create_bucket().bucket(own).send().await.expect("bucket");
        s3.put_bucket_policy()
            .bucket(own)
            .policy(keep.to_string())
            .send()
            .await
            .expect("policy");
    });
    apply_verified(
        ep,
        st,
        &["--region", US],
        &[
            "apply",
            "vpc.flow-logs",
            "--yes",
            "--input",
            &format!("bucket={own}"),
        ],
    );
    let policy = block_on(bucket_policy(ep, own)).expect("policy");
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|s| s["Sid"].as_str())
        .collect();
    assert_eq!(
        sids,
        vec!["Team", "AWSLogDeliveryWrite", "AWSLogDeliveryAclCheck"],
        "{policy}"
    );
    assert_eq!(block_on(flow_logs(ep, US)).len(), vpcs.len());
    undo_ok(ep, st, &["--region", US]);
    assert!(block_on(flow_logs(ep, US)).is_empty());
    assert_eq!(block_on(bucket_policy(ep, own)), Some(keep));
}

async fn detectors(ep: &str, region: &str) -> Vec<(String, String)> {
    let gd = guardduty_client(ep, region).await;
    let ids = gd
        .list_detectors()
        .send()
        .await
        .expect("list")
        .detector_ids()
        .to_vec();
    let mut out = vec![];
    for id in ids {
        let d = gd
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .expect("get");
        out.push((
            id,
            d.status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ));
    }
    out
}

#[test]
fn threat_detection_round_trip_across_regions() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let regions = format!("{US},{EU}");
    // eu-west-1 has a suspended detector; us-east-1 none.
    let suspended = block_on(async {
        guardduty_client(ep, EU)
            .await
            .create_detector()
            .enable(false)
            .send()
            .await
            .expect("detector")
            .detector_id()
            .expect("id")
            .to_string()
    });
    let scan = scan_item(ep, st, &["--region", &regions], "vpc.threat-detection");
    assert_eq!(
        finding(&scan, "guardduty/us-east-1"),
        Some(("fail".into(), US.into())),
        "{scan}"
    );
    assert_eq!(
        finding(&scan, "guardduty/eu-west-1"),
        Some(("fail".into(), EU.into())),
        "{scan}"
    );
    let out = apply_verified(
        ep,
        st,
        &["--region", &regions],
        &["apply", "vpc.threat-detection", "--yes"],
    );
    assert!(
        out.to_lowercase().contains("cost") || out.contains("billed"),
        "cost note: {out}"
    );
    let us = block_on(detectors(ep, US));
    assert_eq!(us.len(), 1, "{us:?}");
    assert_eq!(us[0].1, "ENABLED");
    assert_eq!(
        block_on(detectors(ep, EU)),
        vec![(suspended.clone(), "ENABLED".to_string())]
    );
    let scan = scan_item(ep, st, &["--region", &regions], "vpc.threat-detection");
    assert_eq!(scan["status"], "pass", "{scan}");
    undo_ok(ep, st, &["--region", &regions]);
    assert!(block_on(detectors(ep, US)).is_empty());
    assert_eq!(
        block_on(detectors(ep, EU)),
        vec![(suspended, "DISABLED".to_string())]
    );
}

#[test]
fn a_scan_of_several_regions_names_each_finding_s_region() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
    warm_up(ep, &regions);
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            &regions.join(","),
            "scan",
            "--section",
            "ebs",
            "--section",
            "vpc",
            "--format",
            "json",
        ],
    );
    let v = support::run::stdout_json(&o);
    let item = |id: &str| support::run::item(&v, id).clone();
    for id in ["ebs.encryption-by-default", "vpc.threat-detection"] {
        let it = item(id);
        let found: Vec<&str> = it["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["region"].as_str().expect("region"))
            .collect();
        let mut want = regions.to_vec();
        want.sort();
        assert_eq!(found, want, "{id}: every region, in order: {it}");
        for f in it["findings"].as_array().expect("findings") {
            let resource = f["resource"].as_str().expect("resource");
            assert!(
                resource.ends_with(f["region"].as_str().expect("region")),
                "{f}"
            );
        }
    }
    // Every region has its default VPC, so every region fails flow logs.
    let flow = item("vpc.flow-logs");
    for r in regions {
        assert!(
            flow["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .any(|f| f["region"] == r
                    && f["resource"]
                        .as_str()
                        .is_some_and(|x| x.starts_with(&format!("vpc/{r}/")))),
            "{r}: {flow}"
        );
    }
}
