//! CloudTrail: trails, their logging and event selectors.

use super::{ACCOUNT, from_json, insert_documented};
use moat::aws::inventory::{
    CloudTrailRef, EventSelectors, Fetched, InlinePolicy, Inventory, LifecycleRule, ResourceRef,
    Trail,
};
use moat::aws::ops;
use moat::plan::{Op, TrailEdit};
use serde_json::json;
use std::collections::BTreeSet;

/// One op of every CloudTrail op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::CreateTrail(ops::CreateTrail {
            name: "t".into(),
            region: r(),
            bucket: "b".into(),
            multi_region: true,
            log_file_validation: true,
        }),
        Op::DeleteTrail(ops::DeleteTrail {
            name: "t".into(),
            region: r(),
        }),
        Op::StartLogging(ops::StartLogging {
            name: "t".into(),
            region: r(),
        }),
        Op::StopLogging(ops::StopLogging {
            name: "t".into(),
            region: r(),
        }),
        Op::UpdateTrail(ops::UpdateTrail {
            name: "t".into(),
            region: r(),
            edits: vec![TrailEdit::LogFileValidation { enabled: true }],
        }),
        Op::PutEventSelectors(ops::PutEventSelectors {
            name: "t".into(),
            region: r(),
            selectors: EventSelectors::aws_default(),
        }),
    ]
}

/// The position of a CloudTrail op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateTrail(_) => 0,
        Op::DeleteTrail(_) => 1,
        Op::StartLogging(_) => 2,
        Op::StopLogging(_) => 3,
        Op::UpdateTrail(_) => 4,
        Op::PutEventSelectors(_) => 5,
        other => unreachable!("not a CloudTrail op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "delete_trail",
    "moat deletes only trails it created (undo of create_trail); a deleted trail's selectors and tags are gone",
)];

/// "bare-account": what the demo does not fail of the trail items (the demo
/// stays the demo backend's account): the trail is single-region with a
/// log group, its bucket public and without lifecycle rules, and a user may
/// stop it.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    if scenario != "bare-account" {
        return;
    }
    if let Some(trails) = inv.trails.ready_mut() {
        for t in trails.iter_mut() {
            t.is_multi_region = false;
            t.cloudwatch_logs_log_group_arn = Some(format!(
                "arn:aws:logs:{}:{ACCOUNT}:log-group:CloudTrail/Default:*",
                t.home_region
            ));
        }
    }
    if let Some(l) = inv.trail_lifecycles.ready_mut() {
        for b in l.values_mut() {
            b.rules = Fetched::Ready(Vec::<LifecycleRule>::new());
        }
    }
    if let Some(s3) = inv.s3.ready_mut()
        && let Some(b) = s3.bucket_mut("example-corp-cloudtrail")
    {
        if let Fetched::Ready(Some(doc)) = &mut b.policy
            && let Some(list) = doc["Statement"].as_array_mut()
        {
            list.push(json!({"Sid": "PartnerWrite", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "s3:*", "Resource": "arn:aws:s3:::example-corp-cloudtrail/*"}));
        }
        b.public_access_block = Fetched::Ready(None);
    }
    if let Some(iam) = inv.iam.ready_mut() {
        let mut operator = super::iam::new_user("trail-operator");
        operator.inline_policies = vec![InlinePolicy {
            name: "manage-trails".into(),
            document: json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
        }];
        iam.users.push(operator);
    }
}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    for t in inv.trails.ready().into_iter().flatten() {
        add(ResourceRef::CloudTrail(CloudTrailRef::Trail {
            region: t.home_region.clone(),
            name: t.name.clone(),
        }));
    }
}

pub fn drift(inv: &mut Inventory, r: &CloudTrailRef) {
    let CloudTrailRef::Trail { region, name } = r;
    let Some(trails) = inv.trails.ready_mut() else {
        return;
    };
    match trails
        .iter_mut()
        .find(|t| t.name == *name && t.home_region == *region)
    {
        Some(t) => t.is_logging = !t.is_logging,
        None => {
            let mut t: Trail = from_json(json!({
                "name": name,
                "arn": format!("arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"),
                "home_region": region,
                "s3_bucket": "someone-elses",
                "is_multi_region": false,
                "is_logging": true,
            }));
            t.event_selectors = Some(Fetched::Ready(EventSelectors::aws_default()));
            trails.push(t)
        }
    }
}
