//! `catalog_safety`'s samples, scenarios and drifts for the Audit group
//! (`Op::Audit`, `ResourceRef::Audit`). The loops in `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::inventory::{
    AuditRef, Dimension, Fetched, InlinePolicy, Inventory, LifecycleRule, Logging, MetricAlarm,
    MetricFilter, Part, ResourceRef, Threshold, User,
};
use moat::plan::{AuditOp, Op, TrailEdit};
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

/// One op of every `AuditOp` variant, in declaration order.
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    let policy = format!("arn:aws:iam::{ACCOUNT}:policy/ProtectCloudTrail");
    vec![
        AuditOp::CreateTrail {
            name: "t".into(),
            region: r(),
            bucket: "b".into(),
            multi_region: true,
            log_file_validation: true,
        },
        AuditOp::DeleteTrail {
            name: "t".into(),
            region: r(),
        },
        AuditOp::StartLogging {
            name: "t".into(),
            region: r(),
        },
        AuditOp::StopLogging {
            name: "t".into(),
            region: r(),
        },
        AuditOp::UpdateTrail {
            name: "t".into(),
            region: r(),
            edits: vec![TrailEdit::LogFileValidation { enabled: true }],
        },
        AuditOp::AttachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        },
        AuditOp::DetachUserPolicy {
            user: "u".into(),
            policy_arn: policy.clone(),
        },
        AuditOp::AttachRolePolicy {
            role: "r".into(),
            policy_arn: policy.clone(),
        },
        AuditOp::DetachRolePolicy {
            role: "r".into(),
            policy_arn: policy,
        },
        AuditOp::PutBucketLifecycle {
            bucket: "b".into(),
            region: r(),
            rules: vec![],
            transition_default_minimum_object_size: Some("varies_by_storage_class".into()),
        },
        AuditOp::DeleteBucketLifecycle {
            bucket: "b".into(),
            region: r(),
        },
        AuditOp::PutBucketLogging {
            bucket: "b".into(),
            region: r(),
            logging: Some(Logging {
                target_bucket: "logs".into(),
                target_prefix: "b/".into(),
            }),
        },
        AuditOp::CreateKmsKey {
            region: r(),
            alias: "alias/k".into(),
            description: "d".into(),
            policy: json!({}),
        },
        AuditOp::ScheduleKmsKeyDeletion {
            region: r(),
            alias: "alias/k".into(),
            pending_days: 7,
            key_id: None,
        },
        AuditOp::CreateSnsTopic {
            region: r(),
            name: "t".into(),
            policy: None,
        },
        AuditOp::DeleteSnsTopic {
            region: r(),
            name: "t".into(),
        },
        AuditOp::SubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        },
        AuditOp::UnsubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        },
        AuditOp::PutMetricAlarm {
            region: r(),
            alarm: Box::new(alarm("a")),
        },
        AuditOp::DeleteMetricAlarm {
            region: r(),
            name: "a".into(),
        },
        AuditOp::PutMetricFilter {
            region: r(),
            filter: Box::new(filter("f")),
        },
        AuditOp::DeleteMetricFilter {
            region: r(),
            log_group: "CloudTrail/Default".into(),
            name: "f".into(),
        },
        AuditOp::PutEventSelectors {
            name: "t".into(),
            region: r(),
            selectors: moat::inventory::EventSelectors::aws_default(),
        },
    ]
    .into_iter()
    .map(Op::Audit)
    .collect()
}

/// The position of `op`'s variant in [`samples`]. Exhaustive on purpose.
pub fn sample_index(op: &AuditOp) -> usize {
    match op {
        AuditOp::CreateTrail { .. } => 0,
        AuditOp::DeleteTrail { .. } => 1,
        AuditOp::StartLogging { .. } => 2,
        AuditOp::StopLogging { .. } => 3,
        AuditOp::UpdateTrail { .. } => 4,
        AuditOp::AttachUserPolicy { .. } => 5,
        AuditOp::DetachUserPolicy { .. } => 6,
        AuditOp::AttachRolePolicy { .. } => 7,
        AuditOp::DetachRolePolicy { .. } => 8,
        AuditOp::PutBucketLifecycle { .. } => 9,
        AuditOp::DeleteBucketLifecycle { .. } => 10,
        AuditOp::PutBucketLogging { .. } => 11,
        AuditOp::CreateKmsKey { .. } => 12,
        AuditOp::ScheduleKmsKeyDeletion { .. } => 13,
        AuditOp::CreateSnsTopic { .. } => 14,
        AuditOp::DeleteSnsTopic { .. } => 15,
        AuditOp::SubscribeSnsTopic { .. } => 16,
        AuditOp::UnsubscribeSnsTopic { .. } => 17,
        AuditOp::PutMetricAlarm { .. } => 18,
        AuditOp::DeleteMetricAlarm { .. } => 19,
        AuditOp::PutMetricFilter { .. } => 20,
        AuditOp::DeleteMetricFilter { .. } => 21,
        AuditOp::PutEventSelectors { .. } => 22,
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
    let mut add = |r: AuditRef| {
        let r = ResourceRef::Audit(r);
        if inv.document(&r).ok().flatten().is_some() {
            out.insert(r);
        }
    };
    for t in inv.trails.ready().into_iter().flatten() {
        add(AuditRef::Trail {
            region: t.home_region.clone(),
            name: t.name.clone(),
        });
    }
    for r in inv.iam.ready().into_iter().flat_map(|i| i.roles.iter()) {
        add(AuditRef::Role {
            name: r.name.clone(),
        });
    }
    for b in inv
        .trail_lifecycles
        .ready()
        .into_iter()
        .flat_map(|l| l.keys())
    {
        add(AuditRef::Lifecycle { bucket: b.clone() });
    }
    for (region, keys) in inv.kms_keys.ready().into_iter().flatten() {
        for k in keys.ready().into_iter().flatten() {
            add(AuditRef::KmsKey {
                region: region.clone(),
                alias: k.alias.clone(),
            });
        }
    }
    for (region, topics) in inv.sns_topics.ready().into_iter().flatten() {
        for t in topics.ready().into_iter().flatten() {
            add(AuditRef::Topic {
                region: region.clone(),
                name: t.name.clone(),
            });
        }
    }
    for (region, alarms) in inv.metric_alarms.ready().into_iter().flatten() {
        for a in alarms.ready().into_iter().flatten() {
            add(AuditRef::Alarm {
                region: region.clone(),
                name: a.name.clone(),
            });
        }
    }
    for (region, filters) in inv.metric_filters.ready().into_iter().flatten() {
        for f in filters.ready().into_iter().flatten() {
            add(AuditRef::MetricFilter {
                region: region.clone(),
                log_group: f.log_group.clone(),
                name: f.name.clone(),
            });
        }
    }
}

fn region_list<'a, T>(
    p: &'a mut Part<moat::inventory::Regional<T>>,
    region: &str,
) -> Option<&'a mut Vec<T>> {
    p.ready_mut()?
        .entry(region.to_string())
        .or_insert(Fetched::Ready(vec![]))
        .ready_mut()
}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
pub fn drift(inv: &mut Inventory, r: &AuditRef) {
    let account = ACCOUNT;
    match r {
        AuditRef::Trail { region, name } => {
            let Some(trails) = inv.trails.ready_mut() else {
                return;
            };
            match trails
                .iter_mut()
                .find(|t| t.name == *name && t.home_region == *region)
            {
                Some(t) => t.is_logging = !t.is_logging,
                None => trails.push(moat::inventory::Trail {
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
                        moat::inventory::EventSelectors::aws_default(),
                    )),
                }),
            }
        }
        AuditRef::Role { name } => {
            if let Some(iam) = inv.iam.ready_mut() {
                match iam.roles.iter_mut().find(|x| x.name == *name) {
                    Some(x) => x
                        .attached_policies
                        .push("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
                    None => iam.roles.push(moat::inventory::Role {
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
        AuditRef::Lifecycle { bucket } => {
            if let Some(l) = inv.trail_lifecycles.ready_mut() {
                let e = l
                    .entry(bucket.clone())
                    .or_insert(moat::inventory::BucketLifecycle {
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
                        expiration: Some(moat::inventory::Expiration {
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
        AuditRef::KmsKey { region, alias } => {
            if let Some(keys) = region_list(&mut inv.kms_keys, region) {
                match keys.iter_mut().find(|k| k.alias == *alias) {
                    Some(k) => k.description.push_str(" (edited)"),
                    None => keys.push(moat::inventory::KmsKey {
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
        AuditRef::Topic { region, name } => {
            if let Some(topics) = region_list(&mut inv.sns_topics, region) {
                match topics.iter_mut().find(|t| t.name == *name) {
                    Some(t) => t.subscriptions.push(moat::inventory::Subscription {
                        protocol: "email".into(),
                        endpoint: "intruder@example.net".into(),
                        pending: false,
                        ..Default::default()
                    }),
                    None => topics.push(moat::inventory::Topic {
                        name: name.clone(),
                        arn: format!("arn:aws:sns:{region}:{account}:{name}"),
                        policy: None,
                        subscriptions: vec![],
                        key: None,
                    }),
                }
            }
        }
        AuditRef::Alarm { region, name } => {
            if let Some(alarms) = region_list(&mut inv.metric_alarms, region) {
                match alarms.iter_mut().find(|a| a.name == *name) {
                    Some(a) => a.threshold = Threshold(a.threshold.0 + 1.0),
                    None => alarms.push(alarm(name)),
                }
            }
        }
        AuditRef::MetricFilter {
            region,
            log_group,
            name,
        } => {
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
    }
}
