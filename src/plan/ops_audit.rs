//! Ops of CloudTrail and CloudWatch (issue 5: cloudtrail, cloudwatch sections; SNS, KMS, CloudWatch Logs and the S3 calls they need).
//!
//! `Op::Audit` wraps [`AuditOp`]; it is `#[serde(untagged)]` there, so each
//! variant serializes exactly like a top-level op: `{"op": "snake_case_name", …}`.
//!
//! The alarm and metric-filter ops are generic (any namespace, metric,
//! dimensions, threshold and actions): other items (e.g. RDS connection
//! alarms) build them with their own [`MetricAlarm`].

use super::Op;
use crate::inventory::{
    AuditRef, EventSelectors, Inventory, LifecycleRule, Logging, MetricAlarm, MetricFilter,
    ResourceRef,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One change UpdateTrail makes to a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum TrailEdit {
    LogFileValidation {
        enabled: bool,
    },
    /// A KMS key (id, ARN or `alias/NAME`); `None` turns SSE-KMS off.
    KmsKey {
        key: Option<String>,
    },
    /// An SNS topic by name or ARN; `None` stops notifications.
    SnsTopic {
        topic: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AuditOp {
    /// cloudtrail:CreateTrail in the trail's home region.
    CreateTrail {
        name: String,
        region: String,
        bucket: String,
        multi_region: bool,
        log_file_validation: bool,
    },
    /// cloudtrail:DeleteTrail (undo of CreateTrail only: a deleted trail's
    /// settings are kept in the op's inverse, but its logs stay in S3).
    DeleteTrail {
        name: String,
        region: String,
    },
    StartLogging {
        name: String,
        region: String,
    },
    StopLogging {
        name: String,
        region: String,
    },
    UpdateTrail {
        name: String,
        region: String,
        edits: Vec<TrailEdit>,
    },
    /// iam:AttachUserPolicy.
    AttachUserPolicy {
        user: String,
        policy_arn: String,
    },
    DetachUserPolicy {
        user: String,
        policy_arn: String,
    },
    AttachRolePolicy {
        role: String,
        policy_arn: String,
    },
    DetachRolePolicy {
        role: String,
        policy_arn: String,
    },
    /// s3:PutLifecycleConfiguration with the whole rule list (existing rules
    /// kept as read, new ones added) and the configuration's
    /// `TransitionDefaultMinimumObjectSize` (sent as the
    /// `x-amz-transition-default-minimum-object-size` header; without it S3
    /// applies `all_storage_classes_128K`, whatever the bucket had).
    PutBucketLifecycle {
        bucket: String,
        region: String,
        rules: Vec<LifecycleRule>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transition_default_minimum_object_size: Option<String>,
    },
    DeleteBucketLifecycle {
        bucket: String,
        region: String,
    },
    /// s3:PutBucketLogging; `logging: None` turns server access logging off.
    PutBucketLogging {
        bucket: String,
        region: String,
        logging: Option<Logging>,
    },
    /// kms:CreateKey with this key policy, then kms:CreateAlias: the alias
    /// is how moat names the key (its id exists only once AWS made it).
    CreateKmsKey {
        region: String,
        alias: String,
        description: String,
        policy: Value,
    },
    /// kms:ScheduleKeyDeletion of the key `key_id` moat created, or when the
    /// journal does not know its id, of the key behind `alias` (a key cannot
    /// be deleted at once; AWS waits `pending_days`, 7 to 30). Kept only so
    /// that journals of earlier versions, where it undid CreateKmsKey, still
    /// read: undo drops it (the key encrypts logs), and no plan sends it.
    ScheduleKmsKeyDeletion {
        region: String,
        alias: String,
        pending_days: i32,
        /// The id AWS gave the key when moat created it (an alias can be
        /// moved to another key since).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
    },
    /// sns:CreateTopic (with its access policy, when given).
    CreateSnsTopic {
        region: String,
        name: String,
        policy: Option<Value>,
    },
    DeleteSnsTopic {
        region: String,
        name: String,
    },
    /// sns:Subscribe; e-mail subscriptions stay pending until confirmed.
    SubscribeSnsTopic {
        region: String,
        topic: String,
        protocol: String,
        endpoint: String,
    },
    /// sns:Unsubscribe of the matching subscription. A subscription still
    /// pending confirmation has no ARN and cannot be removed by any API:
    /// nothing is sent then (AWS drops it after three days, and deleting
    /// the topic removes it).
    UnsubscribeSnsTopic {
        region: String,
        topic: String,
        protocol: String,
        endpoint: String,
    },
    /// cloudwatch:PutMetricAlarm (creates or replaces the alarm).
    PutMetricAlarm {
        region: String,
        alarm: Box<MetricAlarm>,
    },
    /// cloudwatch:DeleteAlarms of one alarm.
    DeleteMetricAlarm {
        region: String,
        name: String,
    },
    /// logs:PutMetricFilter (creates or replaces the filter).
    PutMetricFilter {
        region: String,
        filter: Box<MetricFilter>,
    },
    DeleteMetricFilter {
        region: String,
        log_group: String,
        name: String,
    },
    /// cloudtrail:PutEventSelectors with the trail's whole selector set:
    /// the advanced selectors when there are any, else the basic ones (AWS
    /// keeps one kind only; sending one replaces the other).
    PutEventSelectors {
        name: String,
        region: String,
        selectors: EventSelectors,
    },
}

impl AuditOp {
    /// Every IAM action these ops send (part of `Op::all_actions`).
    pub const ALL_ACTIONS: &'static [&'static str] = &[
        "cloudtrail:CreateTrail",
        "cloudtrail:DeleteTrail",
        "cloudtrail:StartLogging",
        "cloudtrail:StopLogging",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "iam:AttachUserPolicy",
        "iam:DetachUserPolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketLogging",
        "kms:CreateKey",
        // No kms:ScheduleKeyDeletion: ScheduleKmsKeyDeletion is only read
        // from journals of earlier versions, and undo drops it.
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "logs:PutMetricFilter",
        "logs:DeleteMetricFilter",
    ];

    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match self {
            AuditOp::CreateTrail { .. } => "cloudtrail:CreateTrail",
            AuditOp::DeleteTrail { .. } => "cloudtrail:DeleteTrail",
            AuditOp::StartLogging { .. } => "cloudtrail:StartLogging",
            AuditOp::StopLogging { .. } => "cloudtrail:StopLogging",
            AuditOp::UpdateTrail { .. } => "cloudtrail:UpdateTrail",
            AuditOp::PutEventSelectors { .. } => "cloudtrail:PutEventSelectors",
            AuditOp::AttachUserPolicy { .. } => "iam:AttachUserPolicy",
            AuditOp::DetachUserPolicy { .. } => "iam:DetachUserPolicy",
            AuditOp::AttachRolePolicy { .. } => "iam:AttachRolePolicy",
            AuditOp::DetachRolePolicy { .. } => "iam:DetachRolePolicy",
            // S3's IAM action names: a delete needs the put permission.
            AuditOp::PutBucketLifecycle { .. } | AuditOp::DeleteBucketLifecycle { .. } => {
                "s3:PutLifecycleConfiguration"
            }
            AuditOp::PutBucketLogging { .. } => "s3:PutBucketLogging",
            AuditOp::CreateKmsKey { .. } => "kms:CreateKey",
            AuditOp::ScheduleKmsKeyDeletion { .. } => "kms:ScheduleKeyDeletion",
            AuditOp::CreateSnsTopic { .. } => "sns:CreateTopic",
            AuditOp::DeleteSnsTopic { .. } => "sns:DeleteTopic",
            AuditOp::SubscribeSnsTopic { .. } => "sns:Subscribe",
            AuditOp::UnsubscribeSnsTopic { .. } => "sns:Unsubscribe",
            AuditOp::PutMetricAlarm { .. } => "cloudwatch:PutMetricAlarm",
            AuditOp::DeleteMetricAlarm { .. } => "cloudwatch:DeleteAlarms",
            AuditOp::PutMetricFilter { .. } => "logs:PutMetricFilter",
            AuditOp::DeleteMetricFilter { .. } => "logs:DeleteMetricFilter",
        }
    }

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        let r = match self {
            AuditOp::CreateTrail { name, region, .. }
            | AuditOp::DeleteTrail { name, region }
            | AuditOp::StartLogging { name, region }
            | AuditOp::StopLogging { name, region }
            | AuditOp::UpdateTrail { name, region, .. }
            | AuditOp::PutEventSelectors { name, region, .. } => AuditRef::Trail {
                region: region.clone(),
                name: name.clone(),
            },
            AuditOp::AttachUserPolicy { user, .. } | AuditOp::DetachUserPolicy { user, .. } => {
                return ResourceRef::User { name: user.clone() };
            }
            AuditOp::AttachRolePolicy { role, .. } | AuditOp::DetachRolePolicy { role, .. } => {
                AuditRef::Role { name: role.clone() }
            }
            AuditOp::PutBucketLifecycle { bucket, .. }
            | AuditOp::DeleteBucketLifecycle { bucket, .. } => AuditRef::Lifecycle {
                bucket: bucket.clone(),
            },
            AuditOp::PutBucketLogging { bucket, .. } => {
                return ResourceRef::Bucket {
                    name: bucket.clone(),
                };
            }
            AuditOp::CreateKmsKey { region, alias, .. }
            | AuditOp::ScheduleKmsKeyDeletion { region, alias, .. } => AuditRef::KmsKey {
                region: region.clone(),
                alias: alias.clone(),
            },
            AuditOp::CreateSnsTopic { region, name, .. }
            | AuditOp::DeleteSnsTopic { region, name } => AuditRef::Topic {
                region: region.clone(),
                name: name.clone(),
            },
            AuditOp::SubscribeSnsTopic { region, topic, .. }
            | AuditOp::UnsubscribeSnsTopic { region, topic, .. } => AuditRef::Topic {
                region: region.clone(),
                name: topic.clone(),
            },
            AuditOp::PutMetricAlarm { region, alarm } => AuditRef::Alarm {
                region: region.clone(),
                name: alarm.name.clone(),
            },
            AuditOp::DeleteMetricAlarm { region, name } => AuditRef::Alarm {
                region: region.clone(),
                name: name.clone(),
            },
            AuditOp::PutMetricFilter { region, filter } => AuditRef::MetricFilter {
                region: region.clone(),
                log_group: filter.log_group.clone(),
                name: filter.name.clone(),
            },
            AuditOp::DeleteMetricFilter {
                region,
                log_group,
                name,
            } => AuditRef::MetricFilter {
                region: region.clone(),
                log_group: log_group.clone(),
                name: name.clone(),
            },
        };
        ResourceRef::Audit(r)
    }

    /// Other resources whose documents this op changes (see `Op::also_touches`).
    pub fn also_touches(&self) -> Vec<ResourceRef> {
        vec![]
    }

    /// The region the call goes to (`None`: a global service).
    pub fn region(&self) -> Option<&str> {
        match self {
            AuditOp::AttachUserPolicy { .. }
            | AuditOp::DetachUserPolicy { .. }
            | AuditOp::AttachRolePolicy { .. }
            | AuditOp::DetachRolePolicy { .. } => None,
            AuditOp::CreateTrail { region, .. }
            | AuditOp::DeleteTrail { region, .. }
            | AuditOp::StartLogging { region, .. }
            | AuditOp::StopLogging { region, .. }
            | AuditOp::UpdateTrail { region, .. }
            | AuditOp::PutEventSelectors { region, .. }
            | AuditOp::PutBucketLifecycle { region, .. }
            | AuditOp::DeleteBucketLifecycle { region, .. }
            | AuditOp::PutBucketLogging { region, .. }
            | AuditOp::CreateKmsKey { region, .. }
            | AuditOp::ScheduleKmsKeyDeletion { region, .. }
            | AuditOp::CreateSnsTopic { region, .. }
            | AuditOp::DeleteSnsTopic { region, .. }
            | AuditOp::SubscribeSnsTopic { region, .. }
            | AuditOp::UnsubscribeSnsTopic { region, .. }
            | AuditOp::PutMetricAlarm { region, .. }
            | AuditOp::DeleteMetricAlarm { region, .. }
            | AuditOp::PutMetricFilter { region, .. }
            | AuditOp::DeleteMetricFilter { region, .. } => Some(region),
        }
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        match self {
            AuditOp::CreateTrail {
                name,
                region,
                bucket,
                multi_region,
                ..
            } => format!(
                "create {}trail {name} in {region} logging to bucket {bucket}",
                if *multi_region { "multi-region " } else { "" }
            ),
            AuditOp::DeleteTrail { name, .. } => format!("delete trail {name}"),
            AuditOp::StartLogging { name, .. } => format!("start logging on trail {name}"),
            AuditOp::StopLogging { name, .. } => format!("stop logging on trail {name}"),
            AuditOp::UpdateTrail { name, edits, .. } => {
                let what: Vec<String> = edits
                    .iter()
                    .map(|e| match e {
                        TrailEdit::LogFileValidation { enabled: true } => {
                            "log file validation on".to_string()
                        }
                        TrailEdit::LogFileValidation { enabled: false } => {
                            "log file validation off".to_string()
                        }
                        TrailEdit::KmsKey { key: Some(k) } => format!("encrypt with KMS key {k}"),
                        TrailEdit::KmsKey { key: None } => "no KMS encryption".to_string(),
                        TrailEdit::SnsTopic { topic: Some(t) } => format!("notify SNS topic {t}"),
                        TrailEdit::SnsTopic { topic: None } => "no SNS notifications".to_string(),
                    })
                    .collect();
                format!("update trail {name} ({})", what.join("; "))
            }
            AuditOp::PutEventSelectors {
                name, selectors, ..
            } => {
                let c = selectors.management();
                let management = match (c.read, c.write) {
                    (true, true) if c.excluded.is_empty() => "every management event",
                    (true, true) => "management events (some sources excluded)",
                    (true, false) => "read-only management events",
                    (false, true) => "write-only management events",
                    (false, false) => "no management events",
                };
                let kind = if selectors.advanced.is_empty() {
                    format!("{} basic selector(s)", selectors.basic.len())
                } else {
                    format!("{} advanced selector(s)", selectors.advanced.len())
                };
                format!("set the event selectors of trail {name}: {kind}, {management}")
            }
            AuditOp::AttachUserPolicy { user, policy_arn } => {
                format!("attach policy {} to user {user}", short(policy_arn))
            }
            AuditOp::DetachUserPolicy { user, policy_arn } => {
                format!("detach policy {} from user {user}", short(policy_arn))
            }
            AuditOp::AttachRolePolicy { role, policy_arn } => {
                format!("attach policy {} to role {role}", short(policy_arn))
            }
            AuditOp::DetachRolePolicy { role, policy_arn } => {
                format!("detach policy {} from role {role}", short(policy_arn))
            }
            AuditOp::PutBucketLifecycle {
                bucket,
                rules,
                transition_default_minimum_object_size,
                ..
            } => format!(
                "set the lifecycle rules of bucket {bucket} ({} rule(s), default minimum object size {})",
                rules.len(),
                transition_default_minimum_object_size
                    .as_deref()
                    .unwrap_or(crate::inventory::MIN_SIZE_128K)
            ),
            AuditOp::DeleteBucketLifecycle { bucket, .. } => {
                format!("remove the lifecycle configuration of bucket {bucket}")
            }
            AuditOp::PutBucketLogging {
                bucket,
                logging: Some(l),
                ..
            } => format!(
                "log requests to bucket {bucket} into {}/{}",
                l.target_bucket, l.target_prefix
            ),
            AuditOp::PutBucketLogging {
                bucket,
                logging: None,
                ..
            } => format!("turn off server access logging of bucket {bucket}"),
            AuditOp::CreateKmsKey { region, alias, .. } => {
                format!("create KMS key {alias} in {region}")
            }
            AuditOp::ScheduleKmsKeyDeletion {
                alias,
                pending_days,
                ..
            } => format!("schedule KMS key {alias} for deletion in {pending_days} days"),
            AuditOp::CreateSnsTopic { region, name, .. } => {
                format!("create SNS topic {name} in {region}")
            }
            AuditOp::DeleteSnsTopic { name, .. } => format!("delete SNS topic {name}"),
            AuditOp::SubscribeSnsTopic {
                topic,
                protocol,
                endpoint,
                ..
            } => format!("subscribe {protocol} {endpoint} to SNS topic {topic}"),
            AuditOp::UnsubscribeSnsTopic {
                topic,
                protocol,
                endpoint,
                ..
            } => format!("unsubscribe {protocol} {endpoint} from SNS topic {topic}"),
            AuditOp::PutMetricAlarm { region, alarm } => format!(
                "set CloudWatch alarm {} in {region} ({} {} {})",
                alarm.name, alarm.metric_name, alarm.comparison_operator, alarm.threshold
            ),
            AuditOp::DeleteMetricAlarm { region, name } => {
                format!("delete CloudWatch alarm {name} in {region}")
            }
            AuditOp::PutMetricFilter { filter, .. } => format!(
                "set metric filter {} on log group {}",
                filter.name, filter.log_group
            ),
            AuditOp::DeleteMetricFilter {
                log_group, name, ..
            } => format!("delete metric filter {name} from log group {log_group}"),
        }
    }

    /// Ops that undo this one, given the inventory just before it; `None`
    /// when it cannot be undone.
    pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        crate::inventory::audit::inverse(self, before)
    }
}

fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}
