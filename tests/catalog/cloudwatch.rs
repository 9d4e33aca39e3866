//! CloudWatch: metric alarms.

use super::{from_json, in_regions, insert_documented, region_list};
use moat::aws::inventory::{CloudWatchRef, Inventory, MetricAlarm, ResourceRef, Threshold};
use moat::aws::ops;
use moat::plan::Op;
use serde_json::json;
use std::collections::BTreeSet;

fn alarm(name: &str) -> MetricAlarm {
    from_json(json!({
        "name": name,
        "namespace": "AWS/RDS",
        "metric_name": "DatabaseConnections",
        "dimensions": [{"name": "DBInstanceIdentifier", "value": "db"}],
        "statistic": "Maximum",
        "period": 300,
        "evaluation_periods": 1,
        "threshold": 100.0,
        "comparison_operator": "GreaterThanThreshold",
    }))
}

/// One op of every CloudWatch op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::PutMetricAlarm(ops::PutMetricAlarm {
            region: r(),
            alarm: Box::new(alarm("a")),
        }),
        Op::DeleteMetricAlarm(ops::DeleteMetricAlarm {
            region: r(),
            name: "a".into(),
        }),
    ]
}

/// The position of a CloudWatch op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::PutMetricAlarm(_) => 0,
        Op::DeleteMetricAlarm(_) => 1,
        other => unreachable!("not a CloudWatch op: {other:?}"),
    }
}

/// A deleted alarm is put back as the journal keeps it.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every alarm item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    for (region, a) in in_regions(&inv.metric_alarms) {
        add(ResourceRef::CloudWatch(CloudWatchRef::Alarm {
            region: region.clone(),
            name: a.name.clone(),
        }));
    }
}

pub fn drift(inv: &mut Inventory, r: &CloudWatchRef) {
    let CloudWatchRef::Alarm { region, name } = r;
    if let Some(alarms) = region_list(&mut inv.metric_alarms, region) {
        match alarms.iter_mut().find(|a| a.name == *name) {
            Some(a) => a.threshold = Threshold(a.threshold.0 + 1.0),
            None => alarms.push(alarm(name)),
        }
    }
}
