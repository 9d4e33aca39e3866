//! The CloudTrail resources moat names ([`CloudTrailRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{EventSelectors, Fetched, Inventory, PartId, Trail};
use serde_json::{Map, Value, json};
use std::fmt;

/// A CloudTrail resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CloudTrailRef {
    /// `trail/REGION/NAME`: a trail in its home region.
    Trail { region: String, name: String },
}

impl CloudTrailRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["trail/REGION/NAME"];

    /// Parse a resource name split on `/`; `None` when it is not a CloudTrail resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["trail", region, name] => Some(CloudTrailRef::Trail {
                region: region.to_string(),
                name: name.to_string(),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from (a trail's key is
    /// shown by its alias).
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::Trails, PartId::KmsKeys]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            CloudTrailRef::Trail { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let CloudTrailRef::Trail { region, name } = self;
        Ok(inv
            .trails
            .ready()
            .and_then(|ts| {
                ts.iter()
                    .find(|t| t.name == *name && t.home_region == *region)
            })
            .map(|t| trail_document(inv, t)))
    }
}

impl fmt::Display for CloudTrailRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloudTrailRef::Trail { region, name } => write!(f, "trail/{region}/{name}"),
        }
    }
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
        .flat_map(|m| m.regions.values())
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
