//! cloudwatch.rds-connection-alarms: an alarm on each RDS instance's
//! connection count.

use super::*;
use crate::checks::regions::RegionScope;

/// Whether `a` is about the connections of DB instance `id`.
pub(super) fn about_connections(a: &MetricAlarm, id: &str) -> bool {
    let names = |d: &[crate::aws::inventory::Dimension]| {
        d.iter().any(|d| d.name == RDS_DIMENSION && d.value == id)
    };
    (a.namespace == RDS_NAMESPACE
        && a.metric_name == RDS_CONNECTIONS_METRIC
        && names(&a.dimensions))
        || a.math_metrics.iter().any(|m| {
            m.namespace == RDS_NAMESPACE
                && m.metric_name == RDS_CONNECTIONS_METRIC
                && names(&m.dimensions)
        })
}

/// The alarms that fire when the connections of DB instance `id` rise
/// (among one region's alarms).
pub fn connection_alarms<'a>(
    alarms: &'a [MetricAlarm],
    id: &'a str,
) -> impl Iterator<Item = &'a MetricAlarm> {
    alarms
        .iter()
        .filter(move |a| about_connections(a, id) && connection_fault(a, id).is_none())
}

/// Why each other alarm about the connections of DB instance `id` does not count.
pub fn connection_faults(alarms: &[MetricAlarm], id: &str) -> Vec<Fault> {
    alarms
        .iter()
        .filter(|a| about_connections(a, id))
        .filter_map(|a| connection_fault(a, id))
        .collect()
}

/// How far the connection alarms of DB instance `id` reach (`None`: no alarm).
pub fn connection_reach(inv: &Inventory, alarms: &[MetricAlarm], id: &str) -> Option<Reach> {
    best_reach(inv, connection_alarms(alarms, id))
}

pub(super) fn rds_connection_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    use crate::checks::kit::in_region;
    use crate::checks::rds::instance_resource;
    use crate::checks::regions::{each_region, outcome};
    let Some(rds) = inv.rds.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
    let mut waiting = 0usize;
    each_region(rds, RegionScope::Rds, &mut findings, |region, r, out| {
        total += r.instances.len();
        if r.instances.is_empty() {
            return;
        }
        if let Some(e) = inv.metric_alarms.region_error(region) {
            out.push(crate::checks::regions::scope_error(
                RegionScope::Rds,
                region,
                e,
            ));
            return;
        }
        let alarms = inv.metric_alarms.region_items(region);
        for i in &r.instances {
            let resource = instance_resource(region, i);
            let f = match connection_reach(inv, alarms, &i.id) {
                None => {
                    let faults = connection_faults(alarms, &i.id);
                    let mut detail = msg(
                        RDS_CONNECTION_ALARMS,
                        "missing",
                        &[("name", &i.id), ("region", region)],
                    );
                    if !faults.is_empty() {
                        detail = format!("{detail} {}", faults_text(&faults));
                    }
                    Some(Finding {
                        status: fault_status(&faults),
                        ..Finding::fail(resource, detail)
                    })
                }
                Some(reach) => {
                    waiting += usize::from(matches!(reach, Reach::Pending(_)));
                    reach.finding(resource, None)
                }
            };
            if let Some(f) = f {
                out.push(in_region(f, region));
            }
        }
    });
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(RDS_CONNECTION_ALARMS, "none", &[]));
    }
    let bad = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Manual))
        .count();
    let fail_key = if bad > 0 && bad == waiting {
        "pending"
    } else {
        "fail"
    };
    let mut out = outcome(
        findings,
        msg(
            RDS_CONNECTION_ALARMS,
            "pass",
            &[("count", &total.to_string())],
        ),
        msg(
            RDS_CONNECTION_ALARMS,
            fail_key,
            &[("count", &bad.to_string())],
        ),
    );
    // Nothing fails, but some notifications go where moat cannot look.
    if out.status == Status::Manual {
        out.summary = msg(SHARED, "unchecked_summary", &[]);
    }
    out
}
