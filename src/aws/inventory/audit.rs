//! The resources of CloudTrail, CloudWatch, CloudWatch Logs, SNS and KMS
//! that moat can change ([`AuditRef`], wrapped by `ResourceRef::Audit`) and
//! their documents; the regions those services are read in. The services'
//! types are in `crate::aws::<service>`.
//!
//! Regional data is kept per region ([`Regional`]): one region that cannot
//! be read (an opt-in region answering AuthFailure) leaves the others intact
//! and only its findings become `error`.

use super::apply::ApplyError;
use super::document::NotReady;
use super::{EventSelectors, KEY_PENDING_DELETION, MetricAlarm, Trail, kms_key, topic};
use super::{Fetched, Inventory, PartError, PartId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;

// ---------------------------------------------------------------------------
// Types

/// Per-region data: each region read, or the call that failed there.
pub type Regional<T> = BTreeMap<String, Fetched<Vec<T>>>;

/// Where moat creates the group's resources and which regions it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditRegions {
    /// The session's home region (new trails, topics and keys go there).
    pub home: String,
    pub regions: Vec<String>,
}

// ---------------------------------------------------------------------------
// Resources

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditRef {
    /// A trail in its home region.
    Trail {
        region: String,
        name: String,
    },
    /// An IAM role (its attached policies).
    Role {
        name: String,
    },
    /// A bucket's lifecycle rules.
    Lifecycle {
        bucket: String,
    },
    /// A KMS key by alias (`alias/NAME`).
    KmsKey {
        region: String,
        alias: String,
    },
    Topic {
        region: String,
        name: String,
    },
    Alarm {
        region: String,
        name: String,
    },
    MetricFilter {
        region: String,
        log_group: String,
        name: String,
    },
}

/// `/` and `%` inside one segment of a resource name (log groups and filter
/// names may hold slashes).
fn encode(s: &str) -> String {
    s.replace('%', "%25").replace('/', "%2F")
}

/// The inverse of [`encode`]; `None` for any other `%` sequence, so that
/// every accepted name prints back identically.
fn decode(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("%2F") {
            out.push('/');
        } else if tail.starts_with("%25") {
            out.push('%');
        } else {
            return None;
        }
        rest = &tail[3..];
    }
    out.push_str(rest);
    Some(out)
}

impl AuditRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "trail/REGION/NAME",
        "role/NAME",
        "lifecycle/BUCKET",
        "kms/REGION/alias/NAME",
        "sns/REGION/TOPIC",
        "alarm/REGION/NAME",
        "metric-filter/REGION/LOG-GROUP/NAME",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &&str| x.to_string();
        Some(match parts {
            ["trail", region, name] => AuditRef::Trail {
                region: s(region),
                name: s(name),
            },
            ["role", name] => AuditRef::Role { name: s(name) },
            ["lifecycle", bucket] => AuditRef::Lifecycle { bucket: s(bucket) },
            ["kms", region, "alias", rest @ ..] if !rest.is_empty() => AuditRef::KmsKey {
                region: s(region),
                alias: format!("alias/{}", rest.join("/")),
            },
            ["sns", region, name] => AuditRef::Topic {
                region: s(region),
                name: s(name),
            },
            ["alarm", region, rest @ ..] if !rest.is_empty() => AuditRef::Alarm {
                region: s(region),
                name: rest.join("/"),
            },
            ["metric-filter", region, group, name] => AuditRef::MetricFilter {
                region: s(region),
                log_group: decode(group).filter(|g| !g.is_empty())?,
                name: decode(name).filter(|n| !n.is_empty())?,
            },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            AuditRef::Trail { .. } => &[PartId::Trails, PartId::KmsKeys],
            AuditRef::Role { .. } => &[PartId::Iam],
            AuditRef::Lifecycle { .. } => &[PartId::TrailBucketLifecycles],
            AuditRef::KmsKey { .. } => &[PartId::KmsKeys],
            AuditRef::Topic { .. } => &[PartId::SnsTopics],
            AuditRef::Alarm { .. } => &[PartId::MetricAlarms],
            AuditRef::MetricFilter { .. } => &[PartId::MetricFilters],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            AuditRef::Trail { region, .. }
            | AuditRef::KmsKey { region, .. }
            | AuditRef::Topic { region, .. }
            | AuditRef::Alarm { region, .. }
            | AuditRef::MetricFilter { region, .. } => Some(region),
            AuditRef::Role { .. } | AuditRef::Lifecycle { .. } => None,
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            AuditRef::Trail { region, name } => inv
                .trails
                .ready()
                .and_then(|ts| ts.iter().find(|t| t.name == *name && t.home_region == *region))
                .map(|t| trail_document(inv, t)),
            AuditRef::Role { name } => inv
                .iam
                .ready()
                .and_then(|i| i.roles.iter().find(|r| r.name == *name))
                .map(|r| {
                    let mut attached = r.attached_policies.clone();
                    attached.sort();
                    let mut inline: Vec<&str> =
                        r.inline_policies.iter().map(|p| p.name.as_str()).collect();
                    inline.sort();
                    json!({"RoleName": r.name, "AttachedPolicies": attached, "InlinePolicies": inline})
                }),
            AuditRef::Lifecycle { bucket } => inv
                .trail_lifecycles
                .ready()
                .and_then(|l| l.get(bucket))
                .map(|l| {
                    let rules = match &l.rules {
                        Fetched::Ready(r) => {
                            let mut r: Vec<Value> = r
                                .iter()
                                .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
                                .collect();
                            r.sort_by_key(|x| x["id"].as_str().unwrap_or_default().to_string());
                            Value::Array(r)
                        }
                        Fetched::Error(e) => json!({"Unreadable": e.summary()}),
                    };
                    let mut doc = json!({"Bucket": bucket, "Rules": rules});
                    // A configuration always has a minimum size setting (S3's
                    // default when it did not say); no configuration has none.
                    if l.rules.ready().is_some_and(|r| !r.is_empty()) {
                        doc["TransitionDefaultMinimumObjectSize"] = json!(l.default_minimum_size());
                    }
                    doc
                }),
            AuditRef::KmsKey { region, alias } => kms_key(inv, region, alias)
                .filter(|k| k.state != KEY_PENDING_DELETION)
                .map(|k| {
                    json!({
                        "Alias": k.alias,
                        "Description": k.description,
                        "KeyState": k.state,
                        "KeyPolicy": k.policy,
                    })
                }),
            AuditRef::Topic { region, name } => topic(inv, region, name).map(|t| {
                let mut subs: Vec<Value> = t
                    .subscriptions
                    .iter()
                    .map(|s| json!({"Protocol": s.protocol, "Endpoint": s.endpoint}))
                    .collect();
                subs.sort_by_key(|s| s.to_string());
                subs.dedup();
                json!({"TopicArn": t.arn, "Policy": t.policy, "Subscriptions": subs})
            }),
            AuditRef::Alarm { region, name } => regional(&inv.metric_alarms, region)
                .and_then(|a| a.iter().find(|a| a.name == *name))
                .map(alarm_document),
            AuditRef::MetricFilter {
                region,
                log_group,
                name,
            } => regional(&inv.metric_filters, region)
                .and_then(|f| {
                    f.iter()
                        .find(|f| f.log_group == *log_group && f.name == *name)
                })
                .map(|f| {
                    let mut doc = json!({
                        "LogGroupName": f.log_group,
                        "FilterName": f.name,
                        "FilterPattern": f.pattern,
                        "MetricNamespace": f.metric_namespace,
                        "MetricName": f.metric_name,
                        "MetricValue": f.metric_value,
                    });
                    if let Some(u) = &f.unit
                        && let Some(m) = doc.as_object_mut()
                    {
                        m.insert("Unit".into(), json!(u));
                    }
                    if let Some(d) = &f.default_value
                        && let Some(m) = doc.as_object_mut()
                    {
                        m.insert("DefaultValue".into(), json!(d.0));
                    }
                    if !f.dimensions.is_empty()
                        && let Some(m) = doc.as_object_mut()
                    {
                        let dims: Map<String, Value> = f
                            .dimensions
                            .iter()
                            .map(|d| (d.name.clone(), json!(d.value)))
                            .collect();
                        m.insert("Dimensions".into(), Value::Object(dims));
                    }
                    doc
                }),
        })
    }
}

impl fmt::Display for AuditRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditRef::Trail { region, name } => write!(f, "trail/{region}/{name}"),
            AuditRef::Role { name } => write!(f, "role/{name}"),
            AuditRef::Lifecycle { bucket } => write!(f, "lifecycle/{bucket}"),
            AuditRef::KmsKey { region, alias } => write!(f, "kms/{region}/{alias}"),
            AuditRef::Topic { region, name } => write!(f, "sns/{region}/{name}"),
            AuditRef::Alarm { region, name } => write!(f, "alarm/{region}/{name}"),
            AuditRef::MetricFilter {
                region,
                log_group,
                name,
            } => write!(
                f,
                "metric-filter/{region}/{}/{}",
                encode(log_group),
                encode(name)
            ),
        }
    }
}

/// The items of one region of a regional part, when read.
pub fn regional<'a, T>(p: &'a super::Part<Regional<T>>, region: &str) -> Option<&'a Vec<T>> {
    p.ready()?.get(region)?.ready()
}

/// The error of one region of a regional part, if that region failed.
pub fn regional_error<'a, T>(
    p: &'a super::Part<Regional<T>>,
    region: &str,
) -> Option<&'a PartError> {
    p.ready()?.get(region)?.error()
}

/// How a trail's key reads in its document: an alias moat knows, else as given.
fn key_label(inv: &Inventory, key: &str) -> String {
    if key.starts_with("alias/") {
        return key.to_string();
    }
    // An alias ARN (`arn:aws:kms:REGION:ACCOUNT:alias/NAME`) names the alias.
    if let Some(i) = key.find(":alias/") {
        return key[i + 1..].to_string();
    }
    let id = key.rsplit('/').next().unwrap_or(key);
    inv.kms_keys
        .ready()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|f| f.ready())
        .flatten()
        .find(|k| k.arn == key || k.key_id == id)
        .map(|k| k.alias.clone())
        .unwrap_or_else(|| key.to_string())
}

fn trail_document(inv: &Inventory, t: &Trail) -> Value {
    let mut doc = json!({
        "Name": t.name,
        "HomeRegion": t.home_region,
        "S3BucketName": t.s3_bucket,
        "IsMultiRegionTrail": t.is_multi_region,
        "LogFileValidationEnabled": t.log_file_validation,
        "KmsKeyId": t.kms_key_id.as_deref().map(|k| key_label(inv, k)),
        "SnsTopicARN": t.sns_topic_arn,
        "CloudWatchLogsLogGroupArn": t.cloudwatch_logs_log_group_arn,
        "IsLogging": match &t.status_error {
            None => json!(t.is_logging),
            Some(e) => json!({"Unreadable": e.summary()}),
        },
    });
    if let Some(m) = doc.as_object_mut() {
        match &t.event_selectors {
            None => {}
            Some(Fetched::Error(e)) => {
                m.insert("EventSelectors".into(), json!({"Unreadable": e.summary()}));
            }
            Some(Fetched::Ready(s)) => {
                if let Value::Object(sel) = selectors_document(s) {
                    m.extend(sel);
                }
            }
        }
    }
    doc
}

/// Event selectors as GetEventSelectors names them.
pub fn selectors_document(s: &EventSelectors) -> Value {
    let strings = |v: &[String]| json!(v);
    if !s.advanced.is_empty() {
        let selectors: Vec<Value> = s
            .advanced
            .iter()
            .map(|a| {
                let fields: Vec<Value> = a
                    .field_selectors
                    .iter()
                    .map(|f| {
                        let mut m = Map::new();
                        m.insert("Field".into(), json!(f.field));
                        for (k, v) in [
                            ("Equals", &f.equals),
                            ("StartsWith", &f.starts_with),
                            ("EndsWith", &f.ends_with),
                            ("NotEquals", &f.not_equals),
                            ("NotStartsWith", &f.not_starts_with),
                            ("NotEndsWith", &f.not_ends_with),
                        ] {
                            if !v.is_empty() {
                                m.insert(k.into(), strings(v));
                            }
                        }
                        Value::Object(m)
                    })
                    .collect();
                json!({"Name": a.name, "FieldSelectors": fields})
            })
            .collect();
        return json!({"AdvancedEventSelectors": selectors});
    }
    let selectors: Vec<Value> = s
        .basic
        .iter()
        .map(|b| {
            json!({
                "ReadWriteType": b.read_write_type,
                "IncludeManagementEvents": b.include_management_events,
                "DataResources": b.data_resources.iter().map(|d| json!({"Type": d.kind, "Values": d.values})).collect::<Vec<_>>(),
                "ExcludeManagementEventSources": strings(&b.exclude_management_event_sources),
            })
        })
        .collect();
    json!({ "EventSelectors": selectors })
}

fn alarm_document(a: &MetricAlarm) -> Value {
    let mut dims: Vec<Value> = a
        .dimensions
        .iter()
        .map(|d| json!({"Name": d.name, "Value": d.value}))
        .collect();
    dims.sort_by_key(|d| d.to_string());
    let mut actions = a.alarm_actions.clone();
    actions.sort();
    let mut m = Map::new();
    m.insert("AlarmName".into(), json!(a.name));
    m.insert("AlarmDescription".into(), json!(a.description));
    m.insert("Namespace".into(), json!(a.namespace));
    m.insert("MetricName".into(), json!(a.metric_name));
    m.insert("Dimensions".into(), Value::Array(dims));
    m.insert("Statistic".into(), json!(a.statistic));
    if let Some(x) = &a.extended_statistic {
        m.insert("ExtendedStatistic".into(), json!(x));
    }
    m.insert("Period".into(), json!(a.period));
    m.insert("EvaluationPeriods".into(), json!(a.evaluation_periods));
    if let Some(n) = a.datapoints_to_alarm {
        m.insert("DatapointsToAlarm".into(), json!(n));
    }
    m.insert("Threshold".into(), json!(a.threshold.0));
    m.insert("ComparisonOperator".into(), json!(a.comparison_operator));
    m.insert("AlarmActions".into(), json!(actions));
    m.insert("ActionsEnabled".into(), json!(a.actions_enabled));
    if a.is_math() {
        let metrics: Vec<Value> = a
            .math_metrics
            .iter()
            .map(|x| json!({"Namespace": x.namespace, "MetricName": x.metric_name}))
            .collect();
        m.insert("Metrics".into(), Value::Array(metrics));
    }
    m.insert("TreatMissingData".into(), json!(a.treat_missing_data));
    if let Some(u) = &a.unit {
        m.insert("Unit".into(), json!(u));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------
// Predicted effects (helpers of the ops)

fn ready<'a, T>(p: &'a mut super::Part<T>, what: &'static str) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

/// One region's list, which must have been read.
pub(crate) fn region_mut<'a, T>(
    p: &'a mut super::Part<Regional<T>>,
    what: &'static str,
    region: &str,
) -> Result<&'a mut Vec<T>, ApplyError> {
    let m = ready(p, what)?;
    match m
        .entry(region.to_string())
        .or_insert(Fetched::Ready(vec![]))
    {
        Fetched::Ready(v) => Ok(v),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::ResourceRef;

    #[test]
    fn names_round_trip() {
        for s in [
            "trail/eu-west-1/management-events",
            "role/ci-deploy",
            "lifecycle/example-corp-cloudtrail",
            "kms/eu-west-1/alias/moat-cloudtrail",
            "kms/eu-west-1/alias/team/key",
            "sns/us-east-1/moat-billing-alarms",
            "alarm/us-east-1/moat-billing-usual",
            "alarm/us-east-1/a/b",
            "metric-filter/eu-west-1/CloudTrail%2FDefaultLogGroup/moat-cis-root-usage",
            "metric-filter/eu-west-1/%2Faws%2Fcloudtrail/100%25",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::Audit(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "metric-filter/r/a%2fb/x",
            "metric-filter/r/a%41/x",
            "kms/r/alias",
            "trail/r",
        ] {
            assert!(bad.parse::<ResourceRef>().is_err(), "{bad}");
        }
        let r: ResourceRef = "metric-filter/r/%2Faws%2Fct/n".parse().expect("parse");
        assert_eq!(
            r,
            ResourceRef::Audit(AuditRef::MetricFilter {
                region: "r".into(),
                log_group: "/aws/ct".into(),
                name: "n".into()
            })
        );
    }
}
