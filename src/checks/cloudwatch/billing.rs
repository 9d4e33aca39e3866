//! cloudwatch.billing-alarms: alarms on the estimated bill (us-east-1).

use super::*;

/// Whether CloudWatch publishes no billing metric for the account (billing
/// alerts not turned on, or the bill held by a payer account): then no
/// billing alarm can ever leave INSUFFICIENT_DATA.
pub fn no_billing_metric(inv: &Inventory) -> bool {
    inv.billing_metrics
        .ready()
        .is_some_and(|m| m.metrics.is_empty())
}

pub(super) fn billing_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    if let Some(e) = inv.metric_alarms.region_error(BILLING_REGION) {
        return Outcome {
            status: Status::Error,
            summary: e.summary(),
            findings: vec![],
        };
    }
    let alarms = inv.metric_alarms.region_items(BILLING_REGION);
    let all = alarms
        .iter()
        .filter(|a| on_metric(a, BILLING_NAMESPACE, BILLING_METRIC))
        .count();
    if no_billing_metric(inv) {
        let detail = msg(BILLING_ALARMS, "no_metric", &[("total", &all.to_string())]);
        return Outcome::from_findings(
            vec![Finding {
                region: Some(BILLING_REGION.into()),
                ..Finding::fail(ResourceRef::Account.to_string(), detail)
            }],
            String::new(),
            msg(BILLING_ALARMS, "no_metric_summary", &[]),
        );
    }
    let billing: Vec<(&MetricAlarm, Reach)> = billing_alarms_that_count(alarms)
        .map(|a| (a, alarm_reach(inv, a)))
        .collect();
    let reaching = billing.iter().filter(|(_, r)| *r == Reach::Someone).count();
    let count = reaching.to_string();
    if reaching >= 2 {
        return Outcome::pass(msg(BILLING_ALARMS, "pass", &[("count", &count)]));
    }
    let waiting = billing
        .iter()
        .filter(|(_, r)| matches!(r, Reach::Pending(_)))
        .count();
    // Enough alarms once their subscriptions are confirmed: only that is
    // missing (alarms that tell no one are not needed then).
    let enough_once_confirmed = reaching + waiting >= 2;
    let mut findings: Vec<Finding> = billing
        .iter()
        .filter(|(_, r)| !enough_once_confirmed || matches!(r, Reach::Pending(_)))
        .filter_map(|(a, r)| {
            r.finding(
                alarm_resource(BILLING_REGION, &a.name),
                Some(BILLING_REGION),
            )
        })
        .collect();
    // Alarms on the bill that would not fire on it rising, named (not
    // needed once enough others wait only for a confirmation).
    if !enough_once_confirmed {
        findings.extend(alarms.iter().filter_map(|a| {
            let fault =
                billing_fault(a).filter(|_| on_metric(a, BILLING_NAMESPACE, BILLING_METRIC))?;
            Some(Finding {
                resource: alarm_resource(BILLING_REGION, &a.name),
                region: Some(BILLING_REGION.into()),
                status: fault_status(std::slice::from_ref(&fault)),
                detail: fault.text().to_string(),
            })
        }));
    }
    // Too few even if every alarm that may reach someone does.
    let possible = billing
        .iter()
        .filter(|(_, r)| !matches!(r, Reach::Nobody(_)))
        .count();
    if possible < 2 {
        findings.push(Finding {
            resource: ResourceRef::Account.to_string(),
            region: Some(BILLING_REGION.into()),
            status: Status::Fail,
            detail: msg(
                BILLING_ALARMS,
                "few",
                &[("count", &count), ("total", &all.to_string())],
            ),
        });
    }
    let endpoints: Vec<String> = billing
        .iter()
        .filter_map(|(_, r)| match r {
            Reach::Pending(e) => Some(e.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    settle(
        findings,
        waiting,
        String::new(),
        msg(BILLING_ALARMS, "fail", &[("count", &count)]),
        msg(
            BILLING_ALARMS,
            "pending_summary",
            &[("endpoints", &dedup(endpoints).join(", "))],
        ),
        msg(BILLING_ALARMS, "error", &[]),
    )
}

/// The alarms (among us-east-1's) that fire when the whole estimated bill
/// rises past their threshold.
pub fn billing_alarms_that_count(alarms: &[MetricAlarm]) -> impl Iterator<Item = &MetricAlarm> {
    alarms.iter().filter(|a| {
        a.namespace == BILLING_NAMESPACE
            && a.metric_name == BILLING_METRIC
            && billing_fault(a).is_none()
    })
}

pub(super) fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}
