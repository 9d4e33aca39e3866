//! Seeds moto with resources that fail the VPC section's items, for the
//! tests that cover every item (zero mutation, least-privilege IAM policy).

#![allow(dead_code)]

/// A GuardDuty client for the emulator at `ep`, signing for `region`.
pub async fn guardduty_client(ep: &str, region: &str) -> aws_sdk_guardduty::Client {
    test_client!(aws_sdk_guardduty, ep, region)
}

/// A suspended GuardDuty detector in eu-west-1. Moto's regions start with a
/// default VPC without flow logs and no GuardDuty detector, which fail the
/// other items.
pub async fn seed_failing(ep: &str) {
    guardduty_client(ep, "eu-west-1")
        .await
        .create_detector()
        .enable(false)
        .send()
        .await
        .expect("suspended detector");
}

/// moto builds a region's EC2 backend on its first request, which takes
/// seconds on a loaded machine: build them before moat's first scan, so its
/// requests stay within its per-attempt timeout.
pub fn warm_up(ep: &str, regions: &[&str]) {
    super::block_on(async {
        for r in regions {
            vpc_ids(ep, r).await;
        }
    });
}

/// The region's VPC ids, sorted.
pub async fn vpc_ids(ep: &str, region: &str) -> Vec<String> {
    let out = super::seed_ebs::ec2_client(ep, region)
        .await
        .describe_vpcs()
        .send()
        .await
        .expect("vpcs");
    let mut v: Vec<String> = out
        .vpcs()
        .iter()
        .filter_map(|v| v.vpc_id().map(str::to_string))
        .collect();
    v.sort();
    v
}
