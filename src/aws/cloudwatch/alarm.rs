//! CloudWatch metric alarms and the billing metrics they can watch.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An alarm threshold: a number compared bit for bit (thresholds are
/// entered, never computed twice differently).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Threshold(pub f64);

impl Eq for Threshold {}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// A CloudWatch metric alarm (one metric, one statistic): what
/// PutMetricAlarm takes and DescribeAlarms gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// `Sum`, `Maximum`, `Average`, … (empty when the alarm uses a
    /// percentile, [`MetricAlarm::extended_statistic`], or metric math).
    pub statistic: String,
    /// A percentile statistic (`p99`, …) used instead of `statistic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    pub period: i32,
    pub evaluation_periods: i32,
    /// `DatapointsToAlarm`: how many of the `evaluation_periods` must breach
    /// (the M of an "M out of N" alarm); unset means all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i32>,
    pub threshold: Threshold,
    /// `GreaterThanThreshold`, `GreaterThanOrEqualToThreshold`, …
    pub comparison_operator: String,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `ActionsEnabled`: when false the alarm changes state but runs none
    /// of its actions (it notifies nobody).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub actions_enabled: bool,
    /// `missing`, `notBreaching`, `breaching`, `ignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    /// The metrics of an alarm on metric math (`Metrics`): it has no single
    /// namespace or metric name (both are empty), and moat does not judge
    /// what its expression would do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub math_metrics: Vec<MathMetric>,
    /// `Unit`: when set, the alarm reads only data points published with
    /// this unit (a unit the metric is not published with leaves it in
    /// INSUFFICIENT_DATA for ever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl MetricAlarm {
    /// The number of breaching periods that puts the alarm in ALARM.
    pub fn datapoints(&self) -> i32 {
        self.datapoints_to_alarm.unwrap_or(self.evaluation_periods)
    }

    /// Whether the alarm watches metric math rather than one metric.
    pub fn is_math(&self) -> bool {
        !self.math_metrics.is_empty()
    }
}

/// One metric read by a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MathMetric {
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// The `AWS/Billing` `EstimatedCharges` metrics CloudWatch lists in
/// us-east-1 (ListMetrics), each by its dimensions. None at all: the
/// account publishes no billing metric (billing alerts are not turned on,
/// or a payer account holds the bill), and no billing alarm can fire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillingMetrics {
    #[serde(default)]
    pub metrics: Vec<Vec<Dimension>>,
}
