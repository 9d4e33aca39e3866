//! What an alarm would really do: an alarm counts only when it goes to
//! ALARM on what the item watches (unit tests on hand-built inventories).

use super::item_tests::{set_alarms, set_filters};
use super::*;
use crate::aws::inventory::{Dimension, Fetched, MathMetric, Subscription, Threshold, Topic};
use crate::checks::testkit::midnight as now;
use crate::checks::testkit::*;
use crate::plan::{Inputs, Op};

/// A topic of the account with one confirmed (queue) subscriber.
fn heard(region: &str) -> String {
    format!("arn:aws:sns:{region}:{ACCOUNT}:heard")
}

fn set_heard_topic(inv: &mut Inventory, region: &str) {
    if let Some(m) = inv.sns_topics.ready_mut() {
        m.regions.insert(
            region.into(),
            Fetched::Ready(vec![Topic {
                name: "heard".into(),
                arn: heard(region),
                policy: Some(default_topic_policy(&heard(region), ACCOUNT)),
                key: None,
                subscriptions: vec![Subscription {
                    protocol: "sqs".into(),
                    endpoint: format!("arn:aws:sqs:{region}:{ACCOUNT}:q"),
                    endpoint_exists: Some(true),
                    queue: Some(sns_queue_access(ACCOUNT)),
                    ..Default::default()
                }],
            }]),
        );
    }
}

/// The CIS remediation's alarm: Sum >= 1 over one period, notifying `heard`.
fn alarm(name: &str, namespace: &str, metric: &str) -> MetricAlarm {
    super::item_tests::alarm(name, namespace, metric, &[heard(US)])
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension {
        name: name.into(),
        value: value.into(),
    }
}

// ---------------------------------------------------------------------------
// cloudwatch.security-event-alarms

const GROUP: &str = "CloudTrail/Default";

/// The demo account with a working multi-region trail sending to
/// `CloudTrail/Default` in us-east-1, moat's filter for every event (as
/// another tool would write it: metric `<metric>` in `CISBenchmark`) and
/// the CIS alarm on each, notifying a confirmed subscriber.
fn watched() -> Inventory {
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    if let Some(ts) = inv.trails.ready_mut() {
        for t in ts.iter_mut() {
            t.cloudwatch_logs_log_group_arn =
                Some(format!("arn:aws:logs:{US}:{ACCOUNT}:log-group:{GROUP}:*"));
            t.is_logging = true;
            t.event_selectors = Some(Fetched::Ready(
                crate::aws::inventory::EventSelectors::aws_default(),
            ));
        }
    }
    set_heard_topic(&mut inv, US);
    let filters = SECURITY_EVENTS
        .iter()
        .map(|e| MetricFilter {
            log_group: GROUP.into(),
            name: format!("cis-{}", e.slug),
            pattern: e.pattern.into(),
            metric_namespace: "CISBenchmark".into(),
            metric_name: e.metric.into(),
            metric_value: "1".into(),
            dimensions: vec![],
            unit: None,
            default_value: None,
        })
        .collect();
    let alarms = SECURITY_EVENTS
        .iter()
        .map(|e| alarm(&format!("cis-{}-alarm", e.slug), "CISBenchmark", e.metric))
        .collect();
    set_filters(&mut inv, US, filters);
    set_alarms(&mut inv, US, alarms);
    inv
}

const ROOT: &str = "root-usage";

/// The alarms the plan puts.
fn put_alarms(plan: &crate::plan::Plan) -> Vec<&MetricAlarm> {
    plan.ops()
        .filter_map(|o| match o {
            Op::PutMetricAlarm(crate::aws::ops::PutMetricAlarm { alarm, .. }) => Some(&**alarm),
            _ => None,
        })
        .collect()
}

/// The root-usage alarm changed by `f`.
fn with_root_alarm(f: impl FnOnce(&mut MetricAlarm)) -> Inventory {
    let mut inv = watched();
    if let Some(m) = inv.metric_alarms.ready_mut()
        && let Some(Fetched::Ready(a)) = m.regions.get_mut(US)
        && let Some(a) = a.iter_mut().find(|a| a.name == format!("cis-{ROOT}-alarm"))
    {
        f(a);
    }
    inv
}

/// The root-usage filter changed by `f`.
fn with_root_filter(f: impl FnOnce(&mut MetricFilter)) -> Inventory {
    let mut inv = watched();
    if let Some(m) = inv.metric_filters.ready_mut()
        && let Some(Fetched::Ready(fs)) = m.regions.get_mut(US)
        && let Some(x) = fs.iter_mut().find(|x| x.name == format!("cis-{ROOT}"))
    {
        f(x);
    }
    inv
}

/// The only finding: the root-usage event's, with `status`, naming `words`.
fn root_finding_says(inv: &Inventory, status: Status, words: &[&str]) {
    let r = T::at(now()).eval(inv, SECURITY_EVENT_ALARMS);
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(r.findings.len(), 1, "{r:?}");
    let f = &r.findings[0];
    assert_eq!(f.status, status, "{r:?}");
    assert_eq!(
        f.resource,
        format!("metric-filter/{US}/CloudTrail%2FDefault/cis-{ROOT}")
    );
    for w in words {
        assert!(f.detail.contains(w), "{w}: {}", f.detail);
    }
}

#[test]
fn security_events_watched_the_cis_way_pass() {
    let r = T::at(now()).eval(&watched(), SECURITY_EVENT_ALARMS);
    assert_eq!(r.status, Status::Pass, "{r:?}");
}

#[test]
fn a_threshold_one_event_never_reaches_does_not_count() {
    let inv = with_root_alarm(|a| a.threshold = Threshold(5.0));
    root_finding_says(&inv, Status::Fail, &["cis-root-usage-alarm", "threshold 5"]);
    // Strictly greater than 1: one event (1) is not enough either.
    let inv = with_root_alarm(|a| a.comparison_operator = "GreaterThanThreshold".into());
    root_finding_says(&inv, Status::Fail, &["threshold 1"]);
    // Strictly greater than 0.5: it is.
    let inv = with_root_alarm(|a| {
        a.comparison_operator = "GreaterThanThreshold".into();
        a.threshold = Threshold(0.5);
    });
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
}

#[test]
fn a_comparison_more_events_never_breach_does_not_count() {
    let inv = with_root_alarm(|a| a.comparison_operator = "LessThanThreshold".into());
    root_finding_says(&inv, Status::Fail, &["LessThanThreshold"]);
}

#[test]
fn an_averaging_or_percentile_statistic_does_not_count() {
    // The filter publishes a default value for other log events: they pull
    // the average and the minimum of the period down.
    for s in ["Average", "Minimum"] {
        let mut inv = with_root_alarm(|a| a.statistic = s.into());
        if let Some(m) = inv.metric_filters.ready_mut()
            && let Some(Fetched::Ready(fs)) = m.regions.get_mut(US)
        {
            for f in fs.iter_mut() {
                f.default_value = Some(Threshold(0.0));
            }
        }
        root_finding_says(&inv, Status::Fail, &[s, "default value"]);
    }
    let inv = with_root_alarm(|a| {
        a.statistic = String::new();
        a.extended_statistic = Some("p90".into());
    });
    root_finding_says(&inv, Status::Fail, &["p90"]);
    // SampleCount and Maximum see one event as well as Sum does.
    for s in ["SampleCount", "Maximum"] {
        let inv = with_root_alarm(|a| a.statistic = s.into());
        assert_eq!(
            T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
            Status::Pass,
            "{s}"
        );
    }
}

#[test]
fn an_alarm_needing_several_breaching_periods_does_not_count() {
    let inv = with_root_alarm(|a| a.evaluation_periods = 3);
    root_finding_says(&inv, Status::Fail, &["3 breaching periods"]);
    // 1 out of 3: one event is enough.
    let inv = with_root_alarm(|a| {
        a.evaluation_periods = 3;
        a.datapoints_to_alarm = Some(1);
    });
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
    let inv = with_root_alarm(|a| {
        a.evaluation_periods = 3;
        a.datapoints_to_alarm = Some(2);
    });
    root_finding_says(&inv, Status::Fail, &["2 breaching periods"]);
}

#[test]
fn an_alarm_on_other_dimensions_than_the_filter_s_does_not_count() {
    let inv = with_root_alarm(|a| a.dimensions = vec![dim("Account", ACCOUNT)]);
    root_finding_says(&inv, Status::Fail, &["Account=111122223333"]);
}

#[test]
fn a_filter_publishing_with_dimensions_does_not_count() {
    let inv = with_root_filter(|f| f.dimensions = vec![dim("EventName", "$.eventName")]);
    root_finding_says(&inv, Status::Fail, &["cis-root-usage", "EventName"]);
}

#[test]
fn a_filter_publishing_zero_never_counts_and_a_field_is_not_judged() {
    let inv = with_root_filter(|f| f.metric_value = "0".into());
    root_finding_says(&inv, Status::Fail, &["publishes 0"]);
    let inv = with_root_filter(|f| f.metric_value = "$.count".into());
    root_finding_says(&inv, Status::Manual, &["$.count"]);
    // Another constant: an alarm whose threshold it reaches counts.
    let inv = with_root_filter(|f| f.metric_value = "10".into());
    let inv = {
        let mut inv = inv;
        if let Some(m) = inv.metric_alarms.ready_mut()
            && let Some(Fetched::Ready(a)) = m.regions.get_mut(US)
        {
            for a in a.iter_mut().filter(|a| a.name == "cis-root-usage-alarm") {
                a.threshold = Threshold(10.0);
            }
        }
        inv
    };
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
}

#[test]
fn a_metric_math_alarm_is_named_as_not_judged() {
    let inv = with_root_alarm(|a| {
        a.math_metrics = vec![MathMetric {
            namespace: a.namespace.clone(),
            metric_name: a.metric_name.clone(),
            dimensions: vec![],
        }];
        a.namespace = String::new();
        a.metric_name = String::new();
        a.statistic = String::new();
    });
    root_finding_says(
        &inv,
        Status::Manual,
        &["metric-math", "cis-root-usage-alarm"],
    );
}

#[test]
fn the_fix_adds_an_alarm_that_fires_on_one_event() {
    let t = T::at(now());
    let inv = with_root_alarm(|a| a.threshold = Threshold(5.0));
    let req = Inputs::default().with("email", "soc@example.com");
    let plan = t.plan(&inv, SECURITY_EVENT_ALARMS, &req).expect("plan");
    let alarms = put_alarms(&plan);
    assert_eq!(alarms.len(), 1);
    // On the filter's own metric (no second filter), one event enough.
    assert_eq!(alarms[0].metric_name, "RootAccountUsage");
    assert_eq!(alarms[0].namespace, "CISBenchmark");
    let root_filter = inv
        .metric_filters
        .region(US)
        .and_then(|fs| fs.iter().find(|f| f.name == format!("cis-{ROOT}")))
        .expect("root filter");
    assert_eq!(event_fault(alarms[0], root_filter, 1.0), None);
    assert!(!plan.ops().any(|o| matches!(
        o,
        Op::PutMetricFilter(crate::aws::ops::PutMetricFilter { .. })
    )));
    // A filter publishing 0: moat writes its own filter, and its alarm.
    let inv = with_root_filter(|f| f.metric_value = "0".into());
    let plan = t.plan(&inv, SECURITY_EVENT_ALARMS, &req).expect("plan");
    let filters: Vec<&MetricFilter> = plan
        .ops()
        .filter_map(|o| match o {
            Op::PutMetricFilter(crate::aws::ops::PutMetricFilter { filter, .. }) => Some(&**filter),
            _ => None,
        })
        .collect();
    assert_eq!(filters.len(), 1);
    assert_eq!(filter_value(filters[0]), Ok(1.0));
}

// ---------------------------------------------------------------------------
// cloudwatch.billing-alarms

fn bill(name: &str) -> MetricAlarm {
    MetricAlarm {
        dimensions: vec![dim("Currency", "USD")],
        statistic: "Maximum".into(),
        period: 21600,
        threshold: Threshold(100.0),
        comparison_operator: "GreaterThanThreshold".into(),
        ..alarm(name, BILLING_NAMESPACE, BILLING_METRIC)
    }
}

/// Two billing alarms, the second changed by `f`.
fn billing_with(f: impl FnOnce(&mut MetricAlarm)) -> Inventory {
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    set_heard_topic(&mut inv, US);
    let mut second = bill("bill-high");
    f(&mut second);
    set_alarms(&mut inv, US, vec![bill("bill-usual"), second]);
    inv
}

fn billing_finding_says(inv: &Inventory, status: Status, words: &[&str]) {
    let r = T::at(now()).eval(inv, BILLING_ALARMS);
    assert_eq!(r.status, status, "{r:?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.resource == "alarm/us-east-1/bill-high")
        .unwrap_or_else(|| panic!("bill-high named: {r:?}"));
    assert_eq!(f.status, status, "{r:?}");
    for w in words {
        assert!(f.detail.contains(w), "{w}: {}", f.detail);
    }
}

#[test]
fn billing_alarms_on_the_whole_bill_pass() {
    assert_eq!(
        T::at(now()).status(&billing_with(|_| {}), BILLING_ALARMS),
        Status::Pass
    );
}

#[test]
fn a_billing_alarm_on_one_service_or_linked_account_does_not_count() {
    let inv = billing_with(|a| a.dimensions.push(dim("ServiceName", "AmazonEC2")));
    billing_finding_says(&inv, Status::Fail, &["ServiceName"]);
    let inv = billing_with(|a| a.dimensions.push(dim("LinkedAccount", "444455556666")));
    billing_finding_says(&inv, Status::Fail, &["LinkedAccount"]);
}

#[test]
fn a_billing_alarm_without_currency_does_not_count() {
    let inv = billing_with(|a| a.dimensions.clear());
    billing_finding_says(&inv, Status::Fail, &["Currency"]);
}

#[test]
fn a_billing_alarm_that_a_rising_bill_never_breaches_does_not_count() {
    let inv = billing_with(|a| a.comparison_operator = "LessThanThreshold".into());
    billing_finding_says(&inv, Status::Fail, &["LessThanThreshold"]);
    let inv = billing_with(|a| a.statistic = "SampleCount".into());
    billing_finding_says(&inv, Status::Fail, &["SampleCount"]);
    let inv = billing_with(|a| a.comparison_operator = "GreaterThanOrEqualToThreshold".into());
    assert_eq!(T::at(now()).status(&inv, BILLING_ALARMS), Status::Pass);
}

#[test]
fn a_billing_alarm_on_metric_math_is_named_as_not_judged() {
    let inv = billing_with(|a| {
        a.math_metrics = vec![MathMetric {
            namespace: BILLING_NAMESPACE.into(),
            metric_name: BILLING_METRIC.into(),
            dimensions: vec![dim("Currency", "USD")],
        }];
        a.namespace = String::new();
        a.metric_name = String::new();
    });
    let r = T::at(now()).eval(&inv, BILLING_ALARMS);
    // One alarm counts: too few, and the other is named.
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.resource == "alarm/us-east-1/bill-high"
                && f.status == Status::Manual
                && f.detail.contains("metric-math")),
        "{r:?}"
    );
}

#[test]
fn the_billing_fix_replaces_alarms_that_do_not_count_with_ones_that_do() {
    let t = T::at(now());
    let mut inv = billing_with(|a| a.dimensions.push(dim("ServiceName", "AmazonEC2")));
    // Both narrowed: nothing counts, the plan is not "guided".
    set_alarms(
        &mut inv,
        US,
        vec![
            MetricAlarm {
                dimensions: vec![dim("Currency", "USD"), dim("ServiceName", "AmazonEC2")],
                ..bill("bill-usual")
            },
            MetricAlarm {
                dimensions: vec![dim("Currency", "USD"), dim("ServiceName", "AmazonS3")],
                ..bill("bill-high")
            },
        ],
    );
    let req = Inputs::default()
        .with("monthly", "100")
        .with("email", "billing@example.com");
    let plan = t.plan(&inv, BILLING_ALARMS, &req).expect("plan");
    let alarms = put_alarms(&plan);
    assert_eq!(alarms.len(), 2);
    for a in alarms {
        assert_eq!(billing_fault(a), None, "{a:?}");
        assert_eq!(a.dimensions, vec![dim("Currency", "USD")]);
    }
}

// ---------------------------------------------------------------------------
// cloudwatch.rds-connection-alarms

const APP_DB: &str = "example-corp-app-db";

/// The demo's alarm on example-corp-app-db changed by `f`, on a heard topic.
fn app_db_alarm(f: impl FnOnce(&mut MetricAlarm)) -> Inventory {
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    set_heard_topic(&mut inv, US);
    let mut a = MetricAlarm {
        dimensions: vec![dim(RDS_DIMENSION, APP_DB)],
        statistic: "Maximum".into(),
        threshold: Threshold(400.0),
        comparison_operator: "GreaterThanThreshold".into(),
        ..alarm("app-db-connections", RDS_NAMESPACE, RDS_CONNECTIONS_METRIC)
    };
    f(&mut a);
    set_alarms(&mut inv, US, vec![a]);
    inv
}

fn app_db_finding(inv: &Inventory) -> Option<Finding> {
    T::at(now())
        .eval(inv, RDS_CONNECTION_ALARMS)
        .findings
        .into_iter()
        .find(|f| f.resource == format!("db/{US}/{APP_DB}"))
}

#[test]
fn a_connection_alarm_that_fires_counts() {
    assert_eq!(app_db_finding(&app_db_alarm(|_| {})), None);
}

#[test]
fn a_connection_alarm_on_falling_connections_does_not_count() {
    let f = app_db_finding(&app_db_alarm(|a| {
        a.comparison_operator = "LessThanThreshold".into()
    }))
    .expect("finding");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("LessThanThreshold"), "{f:?}");
}

#[test]
fn a_connection_alarm_counting_data_points_does_not_count() {
    let f = app_db_finding(&app_db_alarm(|a| a.statistic = "SampleCount".into())).expect("finding");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("SampleCount"), "{f:?}");
}

#[test]
fn a_connection_alarm_with_more_dimensions_watches_another_metric() {
    let f = app_db_finding(&app_db_alarm(|a| {
        a.dimensions.push(dim("DatabaseClass", "db.r6g.large"))
    }))
    .expect("finding");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("DatabaseClass"), "{f:?}");
}

#[test]
fn a_connection_alarm_on_metric_math_is_named_as_not_judged() {
    let f = app_db_finding(&app_db_alarm(|a| {
        a.math_metrics = vec![MathMetric {
            namespace: RDS_NAMESPACE.into(),
            metric_name: RDS_CONNECTIONS_METRIC.into(),
            dimensions: vec![dim(RDS_DIMENSION, APP_DB)],
        }];
        a.namespace = String::new();
        a.metric_name = String::new();
        a.dimensions.clear();
    }))
    .expect("finding");
    assert_eq!(f.status, Status::Manual, "{f:?}");
    assert!(f.detail.contains("metric-math"), "{f:?}");
}

#[test]
fn the_connection_fix_replaces_an_alarm_that_does_not_count() {
    let inv = app_db_alarm(|a| a.comparison_operator = "LessThanThreshold".into());
    let req = Inputs {
        resources: vec![format!("db/{US}/{APP_DB}")],
        ..Inputs::default()
    }
    .with("connections", "150")
    .with("email", "db@example.com");
    let plan = T::at(now())
        .plan(&inv, RDS_CONNECTION_ALARMS, &req)
        .expect("plan");
    let alarms = put_alarms(&plan);
    assert_eq!(alarms.len(), 1);
    assert_eq!(connection_fault(alarms[0], APP_DB), None);
}

// ---------------------------------------------------------------------------
// Units: an alarm with a Unit reads only the data points published with it
// (PutMetricAlarm: a unit the metric is not published with leaves the alarm
// in INSUFFICIENT_DATA).

#[test]
fn a_security_alarm_reading_another_unit_than_the_filter_s_never_fires() {
    // The filter publishes without a unit: an alarm on Seconds sees nothing.
    let inv = with_root_alarm(|a| a.unit = Some("Seconds".into()));
    root_finding_says(
        &inv,
        Status::Fail,
        &["cis-root-usage-alarm", "Seconds", "None"],
    );
    // The unit the filter publishes with (or none at all) is seen.
    let inv = with_root_alarm(|a| a.unit = Some("None".into()));
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
    let mut inv = with_root_alarm(|a| a.unit = Some("Count".into()));
    if let Some(m) = inv.metric_filters.ready_mut()
        && let Some(Fetched::Ready(fs)) = m.regions.get_mut(US)
    {
        for f in fs.iter_mut() {
            f.unit = Some("Count".into());
        }
    }
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
    let inv = with_root_filter(|f| f.unit = Some("Count".into()));
    assert_eq!(
        T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
        Status::Pass
    );
}

#[test]
fn a_billing_alarm_reading_a_unit_never_fires() {
    // EstimatedCharges is published without a unit.
    let inv = billing_with(|a| a.unit = Some("Count".into()));
    billing_finding_says(&inv, Status::Fail, &["Count", "None"]);
    let inv = billing_with(|a| a.unit = Some("None".into()));
    assert_eq!(T::at(now()).status(&inv, BILLING_ALARMS), Status::Pass);
}

#[test]
fn a_connection_alarm_reading_another_unit_than_count_never_fires() {
    let f = app_db_finding(&app_db_alarm(|a| a.unit = Some("Seconds".into()))).expect("finding");
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.contains("Seconds"), "{f:?}");
    assert_eq!(
        app_db_finding(&app_db_alarm(|a| a.unit = Some("Count".into()))),
        None
    );
}

#[test]
fn an_alarm_s_unit_is_in_its_document_so_undo_puts_it_back() {
    let inv = app_db_alarm(|a| a.unit = Some("Count".into()));
    let r = crate::aws::inventory::ResourceRef::CloudWatch(
        crate::aws::inventory::CloudWatchRef::Alarm {
            region: US.into(),
            name: "app-db-connections".into(),
        },
    );
    let doc = inv.document(&r).expect("ready").expect("document");
    assert_eq!(doc["Unit"], "Count", "{doc}");
    // Deleting it and undoing: the alarm put back keeps its unit.
    let del = crate::aws::ops::DeleteMetricAlarm {
        region: US.into(),
        name: "app-db-connections".into(),
    };
    let undo = Op::DeleteMetricAlarm(del).inverse(&inv).expect("undo");
    let put = undo
        .iter()
        .find_map(|o| match o {
            Op::PutMetricAlarm(crate::aws::ops::PutMetricAlarm { alarm, .. }) => {
                Some(alarm.unit.clone())
            }
            _ => None,
        })
        .expect("undo puts the alarm back");
    assert_eq!(put.as_deref(), Some("Count"));
}

// ---------------------------------------------------------------------------
// Billing alerts: EstimatedCharges exists only once billing alerts are on.

fn without_billing_metric(mut inv: Inventory) -> Inventory {
    inv.billing_metrics = crate::aws::inventory::Part::Ready(Default::default());
    inv
}

#[test]
fn billing_alarms_on_a_metric_aws_does_not_publish_fail() {
    let inv = without_billing_metric(billing_with(|_| {}));
    let r = T::at(now()).eval(&inv, BILLING_ALARMS);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert_eq!(r.findings.len(), 1, "{r:?}");
    assert!(r.findings[0].detail.contains("billing alerts"), "{r:?}");
    assert!(r.findings[0].detail.contains("2 alarm(s)"), "{r:?}");
}

#[test]
fn the_billing_fix_does_not_create_alarms_that_never_fire() {
    let inv = without_billing_metric(billing_with(|a| a.dimensions.clear()));
    let req = Inputs::default()
        .with("monthly", "100")
        .with("email", "billing@example.com");
    match T::at(now()).plan(&inv, BILLING_ALARMS, &req) {
        Err(crate::plan::PlanError::Guided(s)) => {
            assert!(s.contains("billing alerts"), "{s}")
        }
        other => panic!("a guided step expected: {other:?}"),
    }
}

#[test]
fn without_a_default_value_one_event_is_the_average_and_the_minimum() {
    // No defaultValue: the matching event is the period's only data point.
    for s in ["Average", "Minimum"] {
        let inv = with_root_alarm(|a| a.statistic = s.into());
        assert_eq!(
            T::at(now()).status(&inv, SECURITY_EVENT_ALARMS),
            Status::Pass,
            "{s}"
        );
    }
}
