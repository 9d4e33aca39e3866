//! CloudWatch Logs: metric filters on log groups.

use super::{in_regions, insert_documented, region_list};
use moat::aws::inventory::{Inventory, LogsRef, MetricFilter, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

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

/// One op of every CloudWatch Logs op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::PutMetricFilter(ops::PutMetricFilter {
            region: r(),
            filter: Box::new(filter("f")),
        }),
        Op::DeleteMetricFilter(ops::DeleteMetricFilter {
            region: r(),
            log_group: "CloudTrail/Default".into(),
            name: "f".into(),
        }),
    ]
}

/// The position of a CloudWatch Logs op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::PutMetricFilter(_) => 0,
        Op::DeleteMetricFilter(_) => 1,
        other => unreachable!("not a CloudWatch Logs op: {other:?}"),
    }
}

/// A deleted filter is put back as the journal keeps it.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every metric filter item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    for (region, f) in in_regions(&inv.metric_filters) {
        add(ResourceRef::Logs(LogsRef::MetricFilter {
            region: region.clone(),
            log_group: f.log_group.clone(),
            name: f.name.clone(),
        }));
    }
}

pub fn drift(inv: &mut Inventory, r: &LogsRef) {
    let LogsRef::MetricFilter {
        region,
        log_group,
        name,
    } = r;
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
