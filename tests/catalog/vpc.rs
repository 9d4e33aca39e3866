//! VPC: the VPCs and their flow logs.

use super::ACCOUNT;
use moat::aws::inventory::{Bucket, Fetched, FlowLog, Inventory, ResourceRef, Vpc, VpcRef};
use moat::aws::ops;
use moat::plan::Op;
use serde_json::json;
use std::collections::BTreeSet;

/// One op of every VPC op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::CreateFlowLogs(ops::CreateFlowLogs {
            region: r(),
            vpc_id: "vpc-1".into(),
            destination: "arn:aws:s3:::b".into(),
        }),
        Op::DeleteFlowLogs(ops::DeleteFlowLogs {
            region: r(),
            vpc_id: "vpc-1".into(),
            destination: "arn:aws:s3:::b".into(),
        }),
    ]
}

/// The position of a VPC op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateFlowLogs(_) => 0,
        Op::DeleteFlowLogs(_) => 1,
        other => unreachable!("not a VPC op: {other:?}"),
    }
}

/// Flow logs are deleted and created again from what the journal keeps.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

const FLOW_LOG_BUCKET: &str = "example-corp-flow-logs";

/// The demo makes the flow-log plan create its bucket; the bare account
/// already delivers one VPC's flow logs to a bucket of its own, so that plan
/// reuses it and its undo (DeleteFlowLogs only) can be redone.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    if scenario != "bare-account" {
        return;
    }
    let account = inv.account_id().unwrap_or(ACCOUNT).to_string();
    let destination = format!("arn:aws:s3:::{FLOW_LOG_BUCKET}");
    if let Some(s3) = inv.s3.ready_mut() {
        let mut b = Bucket::new(FLOW_LOG_BUCKET, "eu-west-1");
        let statements =
            moat::checks::vpc::fix::delivery_statements("aws", FLOW_LOG_BUCKET, &account);
        b.policy = Fetched::Ready(Some(
            json!({"Version": "2012-10-17", "Statement": statements}),
        ));
        s3.buckets.push(b);
    }
    if let Some(p) = inv.vpc_flow_logs.ready_mut()
        && let Some(r) = p.ready_mut("eu-west-1")
        && let Some(v) = r.vpcs.first_mut()
    {
        v.flow_logs.push(FlowLog {
            id: Some("fl-0bare00000000001".into()),
            traffic_type: "ALL".into(),
            destination_type: "s3".into(),
            destination,
            status: "ACTIVE".into(),
            deliver_status: Some("SUCCESS".into()),
            deliver_error: None,
        });
    }
}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    if let Some(p) = inv.vpc_flow_logs.ready() {
        for (region, r) in p.iter_ready() {
            for v in &r.vpcs {
                out.insert(ResourceRef::Vpc(VpcRef::Vpc {
                    region: region.to_string(),
                    id: v.id.clone(),
                }));
            }
        }
    }
}

pub fn drift(inv: &mut Inventory, r: &VpcRef) {
    let VpcRef::Vpc { region, id } = r;
    let p = inv.vpc_flow_logs.ready_mut().expect("vpcs");
    let r = p.ready_mut(region).expect("region");
    let log = FlowLog {
        id: Some("fl-drift".into()),
        traffic_type: "REJECT".into(),
        destination_type: "cloud-watch-logs".into(),
        destination: "drift".into(),
        status: "ACTIVE".into(),
        deliver_status: None,
        deliver_error: None,
    };
    match r.vpcs.iter_mut().find(|v| v.id == *id) {
        Some(v) => v.flow_logs.push(log),
        None => r.vpcs.push(Vpc {
            id: id.clone(),
            cidr_block: "10.9.0.0/16".into(),
            is_default: false,
            name: None,
            flow_logs: vec![log],
        }),
    }
}
