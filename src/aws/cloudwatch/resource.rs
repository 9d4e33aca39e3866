//! The CloudWatch resources moat names ([`CloudWatchRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, MetricAlarm, PartId};
use serde_json::{Map, Value, json};
use std::fmt;

/// A CloudWatch resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CloudWatchRef {
    /// `alarm/REGION/NAME` (the name may hold slashes).
    Alarm { region: String, name: String },
}

impl CloudWatchRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["alarm/REGION/NAME"];

    /// Parse a resource name split on `/`; `None` when it is not a CloudWatch resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["alarm", region, rest @ ..] if !rest.is_empty() => Some(CloudWatchRef::Alarm {
                region: region.to_string(),
                name: rest.join("/"),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::MetricAlarms]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            CloudWatchRef::Alarm { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let CloudWatchRef::Alarm { region, name } = self;
        Ok(inv
            .metric_alarms
            .region(region)
            .and_then(|a| a.iter().find(|a| a.name == *name))
            .map(alarm_document))
    }
}

impl fmt::Display for CloudWatchRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloudWatchRef::Alarm { region, name } => write!(f, "alarm/{region}/{name}"),
        }
    }
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
