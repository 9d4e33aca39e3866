//! The CloudWatch Logs resources moat names ([`LogsRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, MetricFilter, PartId};
use serde_json::{Map, Value, json};
use std::fmt;

/// A CloudWatch Logs resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogsRef {
    /// `metric-filter/REGION/LOG-GROUP/NAME` (`/` and `%` percent-encoded).
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

impl LogsRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["metric-filter/REGION/LOG-GROUP/NAME"];

    /// Parse a resource name split on `/`; `None` when it is not a Logs resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["metric-filter", region, group, name] => Some(LogsRef::MetricFilter {
                region: region.to_string(),
                log_group: decode(group).filter(|g| !g.is_empty())?,
                name: decode(name).filter(|n| !n.is_empty())?,
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::MetricFilters]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            LogsRef::MetricFilter { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let LogsRef::MetricFilter {
            region,
            log_group,
            name,
        } = self;
        Ok(inv
            .metric_filters
            .region(region)
            .and_then(|f| {
                f.iter()
                    .find(|f| f.log_group == *log_group && f.name == *name)
            })
            .map(filter_document))
    }
}

fn filter_document(f: &MetricFilter) -> Value {
    let mut doc = Map::new();
    doc.insert("LogGroupName".into(), json!(f.log_group));
    doc.insert("FilterName".into(), json!(f.name));
    doc.insert("FilterPattern".into(), json!(f.pattern));
    doc.insert("MetricNamespace".into(), json!(f.metric_namespace));
    doc.insert("MetricName".into(), json!(f.metric_name));
    doc.insert("MetricValue".into(), json!(f.metric_value));
    if let Some(u) = &f.unit {
        doc.insert("Unit".into(), json!(u));
    }
    if let Some(d) = &f.default_value {
        doc.insert("DefaultValue".into(), json!(d.0));
    }
    if !f.dimensions.is_empty() {
        let dims: Map<String, Value> = f
            .dimensions
            .iter()
            .map(|d| (d.name.clone(), json!(d.value)))
            .collect();
        doc.insert("Dimensions".into(), Value::Object(dims));
    }
    Value::Object(doc)
}

impl fmt::Display for LogsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogsRef::MetricFilter {
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
