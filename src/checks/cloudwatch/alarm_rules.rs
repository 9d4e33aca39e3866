//! What an alarm would do. An alarm counts only when it would go to ALARM on
//! what the item is about: the right metric (namespace, name and exactly its
//! dimensions: a metric with other dimensions is another metric), a
//! statistic and comparison that the condition breaches, and, for a single
//! event, one breaching period (CloudWatch "Evaluating an alarm":
//! DatapointsToAlarm, the M of "M out of N", defaults to EvaluationPeriods).

use super::*;

/// Messages naming why an alarm or a filter does not count.
pub const RULES: &str = "cloudwatch.alarm-rules";

/// Why an alarm does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// It never fires on the condition: the sentence says why.
    Never(String),
    /// moat cannot tell (metric math, a value read from each event).
    NotJudged(String),
}

impl Fault {
    pub fn text(&self) -> &str {
        match self {
            Fault::Never(s) | Fault::NotJudged(s) => s,
        }
    }
}

/// The findings' status for a resource left with only `faults`: manual
/// when each is only not judged, fail otherwise.
pub(super) fn fault_status(faults: &[Fault]) -> Status {
    if !faults.is_empty() && faults.iter().all(|f| matches!(f, Fault::NotJudged(_))) {
        Status::Manual
    } else {
        Status::Fail
    }
}

pub(super) fn faults_text(faults: &[Fault]) -> String {
    faults.iter().map(Fault::text).collect::<Vec<_>>().join(" ")
}

pub(super) fn dims_text(d: &[crate::aws::inventory::Dimension]) -> String {
    d.iter()
        .map(|d| format!("{}={}", d.name, d.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `a` watches `namespace`/`metric` (directly, or among the metrics
/// of its metric math).
pub(super) fn on_metric(a: &MetricAlarm, namespace: &str, metric: &str) -> bool {
    (a.namespace == namespace && a.metric_name == metric)
        || a.math_metrics
            .iter()
            .any(|m| m.namespace == namespace && m.metric_name == metric)
}

pub(super) fn math_fault(a: &MetricAlarm) -> Fault {
    Fault::NotJudged(msg(RULES, "math", &[("alarm", &a.name)]))
}

/// The unit `EstimatedCharges` is published with (CloudWatch user guide,
/// "AWS billing metrics": no unit).
pub const BILLING_UNIT: &str = "None";
/// The unit `DatabaseConnections` is published with (RDS user guide,
/// "Amazon CloudWatch metrics for Amazon RDS").
pub const RDS_CONNECTIONS_UNIT: &str = "Count";

/// Why alarm `a` sees no data point of a metric published with unit
/// `published` (`None`: it does). PutMetricAlarm `Unit`: set, the alarm
/// reads only the data points published with that unit, and a unit the
/// metric is not published with leaves it in INSUFFICIENT_DATA.
pub(super) fn unit_fault(a: &MetricAlarm, published: &str) -> Option<Fault> {
    let unit = a.unit.as_deref()?;
    (unit != published).then(|| {
        Fault::Never(msg(
            RULES,
            "unit",
            &[("alarm", &a.name), ("unit", unit), ("published", published)],
        ))
    })
}

/// The unit a metric filter publishes with (unset: `None`).
pub fn filter_unit(f: &MetricFilter) -> &str {
    f.unit.as_deref().unwrap_or("None")
}

/// The value one event publishes to the metric of filter `f`, or why it
/// publishes nothing an alarm on the plain metric would see.
pub fn filter_value(f: &MetricFilter) -> Result<f64, Fault> {
    if !f.dimensions.is_empty() {
        let names: Vec<&str> = f.dimensions.iter().map(|d| d.name.as_str()).collect();
        return Err(Fault::Never(msg(
            RULES,
            "filter_dimensions",
            &[("filter", &f.name), ("dimensions", &names.join(", "))],
        )));
    }
    let v = f.metric_value.trim();
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        Ok(_) => Err(Fault::Never(msg(
            RULES,
            "filter_value",
            &[("filter", &f.name), ("value", v)],
        ))),
        Err(_) => Err(Fault::NotJudged(msg(
            RULES,
            "filter_value_field",
            &[("filter", &f.name), ("value", v)],
        ))),
    }
}

/// Alarm `a` never goes to ALARM: `RULES`' `key` message, given `{alarm}`
/// and `args`.
fn never(a: &MetricAlarm, key: &str, args: &[(&str, &str)]) -> Option<Fault> {
    let mut all = vec![("alarm", a.name.as_str())];
    all.extend_from_slice(args);
    Some(Fault::Never(msg(RULES, key, &all)))
}

/// Why alarm `a`, on the metric of filter `f` publishing `value` per event
/// without dimensions, does not go to ALARM on one event (`None`: it
/// does). CIS: `--threshold 1 --comparison-operator
/// GreaterThanOrEqualToThreshold --statistic Sum --evaluation-periods 1`.
pub fn event_fault(a: &MetricAlarm, f: &MetricFilter, value: f64) -> Option<Fault> {
    if a.is_math() {
        return Some(math_fault(a));
    }
    if !a.dimensions.is_empty() {
        return never(
            a,
            "event_dimensions",
            &[("dimensions", &dims_text(&a.dimensions))],
        );
    }
    if let Some(x) = unit_fault(a, filter_unit(f)) {
        return Some(x);
    }
    let stat = a.extended_statistic.as_deref().unwrap_or(&a.statistic);
    // One event in a period: its value for Sum and Maximum, a count of 1.
    // Without a default value the event is the period's only data point,
    // so Average and Minimum are its value too; with one, every other log
    // event publishes the default and pulls them down.
    let seen = match stat {
        "Sum" | "Maximum" => value,
        "Average" | "Minimum" if f.default_value.is_none() => value,
        "SampleCount" => 1.0,
        _ => return never(a, "event_statistic", &[("statistic", stat)]),
    };
    let t = a.threshold.0;
    let breaches = match a.comparison_operator.as_str() {
        "GreaterThanOrEqualToThreshold" => seen >= t,
        "GreaterThanThreshold" => seen > t,
        other => return never(a, "event_comparison", &[("comparison", other)]),
    };
    if !breaches {
        return never(
            a,
            "event_threshold",
            &[
                ("threshold", &a.threshold.to_string()),
                ("comparison", &a.comparison_operator),
                ("seen", &seen.to_string()),
            ],
        );
    }
    if a.datapoints() != 1 {
        return never(
            a,
            "event_datapoints",
            &[("datapoints", &a.datapoints().to_string())],
        );
    }
    None
}

/// Why a billing alarm does not watch the account's whole estimated bill
/// rising (`None`: it does). Billing metrics (us-east-1 only) carry a
/// `Currency` dimension; `ServiceName` and `LinkedAccount` narrow them to
/// one service or one linked account.
pub fn billing_fault(a: &MetricAlarm) -> Option<Fault> {
    if a.is_math() {
        return Some(math_fault(a));
    }
    let narrow: Vec<&str> = a
        .dimensions
        .iter()
        .filter(|d| d.name != "Currency")
        .map(|d| d.name.as_str())
        .collect();
    if !narrow.is_empty() {
        return never(a, "billing_narrow", &[("dimensions", &narrow.join(", "))]);
    }
    if !a.dimensions.iter().any(|d| d.name == "Currency") {
        return never(a, "billing_currency", &[]);
    }
    if let Some(f) = unit_fault(a, BILLING_UNIT) {
        return Some(f);
    }
    if !a.comparison_operator.starts_with("GreaterThan") {
        return never(
            a,
            "billing_comparison",
            &[("comparison", &a.comparison_operator)],
        );
    }
    if a.extended_statistic.is_none() && a.statistic == "SampleCount" {
        return never(a, "billing_statistic", &[]);
    }
    None
}

/// Why an alarm on the connections of DB instance `id` does not fire when
/// they rise (`None`: it does).
pub fn connection_fault(a: &MetricAlarm, id: &str) -> Option<Fault> {
    if a.is_math() {
        return Some(math_fault(a));
    }
    let only_instance = a.dimensions.len() == 1
        && a.dimensions
            .iter()
            .all(|d| d.name == RDS_DIMENSION && d.value == id);
    if !only_instance {
        return never(
            a,
            "rds_dimensions",
            &[("dimensions", &dims_text(&a.dimensions)), ("name", id)],
        );
    }
    if let Some(f) = unit_fault(a, RDS_CONNECTIONS_UNIT) {
        return Some(f);
    }
    if !a.comparison_operator.starts_with("GreaterThan") {
        return never(
            a,
            "rds_comparison",
            &[("comparison", &a.comparison_operator)],
        );
    }
    if a.extended_statistic.is_none() && a.statistic == "SampleCount" {
        return never(a, "rds_statistic", &[]);
    }
    None
}
