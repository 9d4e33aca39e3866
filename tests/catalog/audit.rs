//! `catalog_safety`'s samples, scenarios and drifts for the Audit group
//! (their `Op` variants, `ResourceRef::Audit`). The loops in `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::aws::inventory::{
    CloudTrailRef, CloudWatchRef, Dimension, Fetched, InlinePolicy, Inventory, KmsRef,
    LifecycleRule, Logging, LogsRef, MetricAlarm, MetricFilter, Part, ResourceRef, SnsRef,
    Threshold, User,
};
use moat::plan::{Op, TrailEdit};
use serde_json::json;
use std::collections::BTreeSet;

const ACCOUNT: &str = "111122223333";

fn alarm(name: &str) -> MetricAlarm {
    MetricAlarm {
        name: name.into(),
        description: None,
        namespace: "AWS/RDS".into(),
        metric_name: "DatabaseConnections".into(),
        dimensions: vec![Dimension {
            name: "DBInstanceIdentifier".into(),
            value: "db".into(),
        }],
        statistic: "Maximum".into(),
        period: 300,
        evaluation_periods: 1,
        threshold: Threshold(100.0),
        comparison_operator: "GreaterThanThreshold".into(),
        alarm_actions: vec![],
        actions_enabled: true,
        treat_missing_data: None,
        extended_statistic: None,
        datapoints_to_alarm: None,
        math_metrics: vec![],
        unit: None,
    }
}

fn filter(name: &str) -> MetricFilter {
    MetricFilter {
        log_group: "CloudTrail/Default".into(),
        name: name.into(),
        pattern: "{ $.eventName = StopLogging }".into(),
        metric_namespace: "CloudTrailMetrics".into(),
        metric_name: "Stops".into(),
        metric_value: "1".into(),
        dimensions: vec![],
        unit: None,
        default_value: None,
    }
}

/// One op of every CloudTrail, CloudWatch, CloudWatch Logs, SNS and KMS
/// variant (and the IAM and S3 ones they need), in declaration order.
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    let policy = format!("arn:aws:iam::{ACCOUNT}:policy/ProtectCloudTrail");
    vec![
        Op::CreateTrail(moat::aws::ops::CreateTrail {
            name: "t".into(),
            region: r(),
            bucket: "b".into(),
            multi_region: true,
            log_file_validation: true,
        }),
        Op::DeleteTrail(moat::aws::ops::DeleteTrail {
            name: "t".into(),
            region: r(),
        }),
        Op::StartLogging(moat::aws::ops::StartLogging {
            name: "t".into(),
            region: r(),
        }),
        Op::StopLogging(moat::aws::ops::StopLogging {
            name: "t".into(),
            region: r(),
        }),
        Op::UpdateTrail(moat::aws::ops::UpdateTrail {
            name: "t".into(),
            region: r(),
            edits: vec![TrailEdit::LogFileValidation { enabled: true }],
        }),
        Op::AttachUserPolicy(moat::aws::ops::AttachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        }),
        Op::DetachUserPolicy(moat::aws::ops::DetachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        }),
        Op::AttachRolePolicy(moat::aws::ops::AttachRolePolicy {
            role: "r".into(),
            policy_arn: policy.clone(),
        }),
        Op::DetachRolePolicy(moat::aws::ops::DetachRolePolicy {
            role: "r".into(),
            policy_arn: policy,
        }),
        Op::PutBucketLifecycle(moat::aws::ops::PutBucketLifecycle {
            bucket: "b".into(),
            region: r(),
            rules: vec![],
            transition_default_minimum_object_size: Some("varies_by_storage_class".into()),
        }),
        Op::DeleteBucketLifecycle(moat::aws::ops::DeleteBucketLifecycle {
            bucket: "b".into(),
            region: r(),
        }),
        Op::PutBucketLogging(moat::aws::ops::PutBucketLogging {
            bucket: "b".into(),
            region: r(),
            logging: Some(Logging {
                target_bucket: "logs".into(),
                target_prefix: "b/".into(),
            }),
        }),
        Op::CreateKmsKey(moat::aws::ops::CreateKmsKey {
            region: r(),
            alias: "alias/k".into(),
            description: "d".into(),
            policy: json!({}),
        }),
        Op::ScheduleKmsKeyDeletion(moat::aws::ops::ScheduleKmsKeyDeletion {
            region: r(),
            alias: "alias/k".into(),
            pending_days: 7,
            key_id: None,
        }),
        Op::CreateSnsTopic(moat::aws::ops::CreateSnsTopic {
            region: r(),
            name: "t".into(),
            policy: None,
        }),
        Op::DeleteSnsTopic(moat::aws::ops::DeleteSnsTopic {
            region: r(),
            name: "t".into(),
        }),
        Op::SubscribeSnsTopic(moat::aws::ops::SubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        }),
        Op::UnsubscribeSnsTopic(moat::aws::ops::UnsubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        }),
        Op::PutMetricAlarm(moat::aws::ops::PutMetricAlarm {
            region: r(),
            alarm: Box::new(alarm("a")),
        }),
        Op::DeleteMetricAlarm(moat::aws::ops::DeleteMetricAlarm {
            region: r(),
            name: "a".into(),
        }),
        Op::PutMetricFilter(moat::aws::ops::PutMetricFilter {
            region: r(),
            filter: Box::new(filter("f")),
        }),
        Op::DeleteMetricFilter(moat::aws::ops::DeleteMetricFilter {
            region: r(),
            log_group: "CloudTrail/Default".into(),
            name: "f".into(),
        }),
        Op::PutEventSelectors(moat::aws::ops::PutEventSelectors {
            name: "t".into(),
            region: r(),
            selectors: moat::aws::inventory::EventSelectors::aws_default(),
        }),
    ]
}

/// The position of `op`'s variant in [`samples`]. Exhaustive on purpose.
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateTrail(_) => 0,
        Op::DeleteTrail(_) => 1,
        Op::StartLogging(_) => 2,
        Op::StopLogging(_) => 3,
        Op::UpdateTrail(_) => 4,
        Op::AttachUserPolicy(_) => 5,
        Op::DetachUserPolicy(_) => 6,
        Op::AttachRolePolicy(_) => 7,
        Op::DetachRolePolicy(_) => 8,
        Op::PutBucketLifecycle(_) => 9,
        Op::DeleteBucketLifecycle(_) => 10,
        Op::PutBucketLogging(_) => 11,
        Op::CreateKmsKey(_) => 12,
        Op::ScheduleKmsKeyDeletion(_) => 13,
        Op::CreateSnsTopic(_) => 14,
        Op::DeleteSnsTopic(_) => 15,
        Op::SubscribeSnsTopic(_) => 16,
        Op::UnsubscribeSnsTopic(_) => 17,
        Op::PutMetricAlarm(_) => 18,
        Op::DeleteMetricAlarm(_) => 19,
        Op::PutMetricFilter(_) => 20,
        Op::DeleteMetricFilter(_) => 21,
        Op::PutEventSelectors(_) => 22,
        _ => unreachable!("not an op of this catalog: {op:?}"),
    }
}

/// Variants that never have an inverse (serde tag, why).
pub const IRREVERSIBLE: &[(&str, &str)] = &[
    (
        "delete_trail",
        "moat deletes only trails it created (undo of create_trail); a deleted trail's selectors and tags are gone",
    ),
    (
        "schedule_kms_key_deletion",
        "a key scheduled for deletion is recovered by hand (CancelKeyDeletion, then EnableKey)",
    ),
];

/// Variants kept only so that journals of earlier versions still read; no
/// plan or undo sends them now.
pub const LEGACY: &[(&str, &str)] = &[(
    "schedule_kms_key_deletion",
    "the undo of create_kms_key in earlier journals; undo leaves the key now, since the logs written with it need it",
)];

/// Make `inv` fail this group's items in the ways the demo does not. Only
/// the bare account (no password policy) is changed, so the demo scenario
/// stays the demo backend's account: there the trail is single-region with
/// a log group, its bucket public and without lifecycle rules, and a user
/// and a role may stop it.
pub fn scenario(inv: &mut Inventory) {
    if !matches!(inv.password_policy, Part::Ready(None)) {
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
        iam.users.push(User {
            name: "trail-operator".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/trail-operator"),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec![],
            attached_policies: vec![],
            inline_policies: vec![InlinePolicy {
                name: "manage-trails".into(),
                document: json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
            }],
            permissions_boundary: None,
            unreadable: None,
        });
    }
}

/// Every resource of this group in `inv` that has a document.
pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r: ResourceRef| {
        if inv.document(&r).ok().flatten().is_some() {
            out.insert(r);
        }
    };
    for t in inv.trails.ready().into_iter().flatten() {
        add(ResourceRef::CloudTrail(CloudTrailRef::Trail {
            region: t.home_region.clone(),
            name: t.name.clone(),
        }));
    }
    for r in inv.iam.ready().into_iter().flat_map(|i| i.roles.iter()) {
        add(ResourceRef::Role {
            name: r.name.clone(),
        });
    }
    for b in inv
        .trail_lifecycles
        .ready()
        .into_iter()
        .flat_map(|l| l.keys())
    {
        add(ResourceRef::Lifecycle { bucket: b.clone() });
    }
    for (region, keys) in inv.kms_keys.ready().into_iter().flatten() {
        for k in keys.ready().into_iter().flatten() {
            add(ResourceRef::Kms(KmsRef::Key {
                region: region.clone(),
                alias: k.alias.clone(),
            }));
        }
    }
    for (region, topics) in inv.sns_topics.ready().into_iter().flatten() {
        for t in topics.ready().into_iter().flatten() {
            add(ResourceRef::Sns(SnsRef::Topic {
                region: region.clone(),
                name: t.name.clone(),
            }));
        }
    }
    for (region, alarms) in inv.metric_alarms.ready().into_iter().flatten() {
        for a in alarms.ready().into_iter().flatten() {
            add(ResourceRef::CloudWatch(CloudWatchRef::Alarm {
                region: region.clone(),
                name: a.name.clone(),
            }));
        }
    }
    for (region, filters) in inv.metric_filters.ready().into_iter().flatten() {
        for f in filters.ready().into_iter().flatten() {
            add(ResourceRef::Logs(LogsRef::MetricFilter {
                region: region.clone(),
                log_group: f.log_group.clone(),
                name: f.name.clone(),
            }));
        }
    }
}

fn region_list<'a, T>(
    p: &'a mut Part<moat::aws::inventory::Regional<T>>,
    region: &str,
) -> Option<&'a mut Vec<T>> {
    p.ready_mut()?
        .regions
        .entry(region.to_string())
        .or_insert(Fetched::Ready(vec![]))
        .ready_mut()
}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    let account = ACCOUNT;
    match r {
        ResourceRef::CloudTrail(CloudTrailRef::Trail { region, name }) => {
            let Some(trails) = inv.trails.ready_mut() else {
                return;
            };
            match trails
                .iter_mut()
                .find(|t| t.name == *name && t.home_region == *region)
            {
                Some(t) => t.is_logging = !t.is_logging,
                None => trails.push(moat::aws::inventory::Trail {
                    name: name.clone(),
                    arn: format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
                    home_region: region.clone(),
                    s3_bucket: Some("someone-elses".into()),
                    s3_key_prefix: None,
                    is_multi_region: false,
                    log_file_validation: false,
                    kms_key_id: None,
                    cloudwatch_logs_log_group_arn: None,
                    is_logging: true,
                    sns_topic_arn: None,
                    status_error: None,
                    event_selectors: Some(Fetched::Ready(
                        moat::aws::inventory::EventSelectors::aws_default(),
                    )),
                }),
            }
        }
        ResourceRef::Role { name } => {
            if let Some(iam) = inv.iam.ready_mut() {
                match iam.roles.iter_mut().find(|x| x.name == *name) {
                    Some(x) => x
                        .attached_policies
                        .push("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
                    None => iam.roles.push(moat::aws::inventory::Role {
                        name: name.clone(),
                        arn: format!("arn:aws:iam::{account}:role/{name}"),
                        trust_policy: json!({}),
                        attached_policies: vec![],
                        inline_policies: vec![],
                        permissions_boundary: None,
                    }),
                }
            }
        }
        ResourceRef::Lifecycle { bucket } => {
            if let Some(l) = inv.trail_lifecycles.ready_mut() {
                let e = l
                    .entry(bucket.clone())
                    .or_insert(moat::aws::inventory::BucketLifecycle {
                        region: "us-east-1".into(),
                        rules: Fetched::Ready(vec![]),
                        transition_default_minimum_object_size: None,
                    });
                if let Fetched::Ready(rules) = &mut e.rules {
                    rules.push(LifecycleRule {
                        id: Some("someone-elses".into()),
                        status: "Enabled".into(),
                        filter: None,
                        prefix: Some("x/".into()),
                        transitions: vec![],
                        expiration: Some(moat::aws::inventory::Expiration {
                            days: Some(1),
                            date: None,
                            expired_object_delete_marker: None,
                        }),
                        noncurrent_transitions: vec![],
                        noncurrent_expiration: None,
                        abort_incomplete_multipart_days: None,
                    });
                }
            }
        }
        ResourceRef::Kms(KmsRef::Key { region, alias }) => {
            if let Some(keys) = region_list(&mut inv.kms_keys, region) {
                match keys.iter_mut().find(|k| k.alias == *alias) {
                    Some(k) => k.description.push_str(" (edited)"),
                    None => keys.push(moat::aws::inventory::KmsKey {
                        alias: alias.clone(),
                        key_id: "someone".into(),
                        arn: "arn:aws:kms:r:1:key/someone".into(),
                        state: "Enabled".into(),
                        description: String::new(),
                        policy: None,
                    }),
                }
            }
        }
        ResourceRef::Sns(SnsRef::Topic { region, name }) => {
            if let Some(topics) = region_list(&mut inv.sns_topics, region) {
                match topics.iter_mut().find(|t| t.name == *name) {
                    Some(t) => t.subscriptions.push(moat::aws::inventory::Subscription {
                        protocol: "email".into(),
                        endpoint: "intruder@example.net".into(),
                        pending: false,
                        ..Default::default()
                    }),
                    None => topics.push(moat::aws::inventory::Topic {
                        name: name.clone(),
                        arn: format!("arn:aws:sns:{region}:{account}:{name}"),
                        policy: None,
                        subscriptions: vec![],
                        key: None,
                    }),
                }
            }
        }
        ResourceRef::CloudWatch(CloudWatchRef::Alarm { region, name }) => {
            if let Some(alarms) = region_list(&mut inv.metric_alarms, region) {
                match alarms.iter_mut().find(|a| a.name == *name) {
                    Some(a) => a.threshold = Threshold(a.threshold.0 + 1.0),
                    None => alarms.push(alarm(name)),
                }
            }
        }
        ResourceRef::Logs(LogsRef::MetricFilter {
            region,
            log_group,
            name,
        }) => {
            if let Some(filters) = region_list(&mut inv.metric_filters, region) {
                match filters
                    .iter_mut()
                    .find(|f| f.log_group == *log_group && f.name == *name)
                {
                    Some(f) => f.pattern.push(' '),
                    None => {
                        let mut f = filter(name);
                        f.log_group = log_group.clone();
                        filters.push(f);
                    }
                }
            }
        }
        other => panic!("{other} is not a resource of this file"),
    }
}
