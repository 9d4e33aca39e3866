//! CloudWatch Logs metric filters.

use crate::aws::cloudwatch::alarm::{Dimension, Threshold};
use serde::{Deserialize, Serialize};

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub log_group: String,
    pub name: String,
    pub pattern: String,
    pub metric_namespace: String,
    pub metric_name: String,
    pub metric_value: String,
    /// The metric's dimensions: name → the log field (`$.field`) whose
    /// value names the metric. Each value found is a metric of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    /// `metricTransformations.unit`: the unit the filter publishes its
    /// metric with (unset: `None`, no unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `metricTransformations.defaultValue`: what the filter publishes for
    /// log events that do not match (unset: nothing, so a period's only
    /// data points are the matching events').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Threshold>,
}
