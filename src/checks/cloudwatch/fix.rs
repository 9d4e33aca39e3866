//! Plan builders of the `cloudwatch` section. Each chooses ops only;
//! `make_plan` derives the preview, inverses and drift baseline.

use crate::aws::inventory::{
    Dimension, Fetched, Inventory, MetricAlarm, MetricFilter, PartId, Threshold, topic,
};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::cloudtrail::fix::ready_trails;
use crate::checks::cloudwatch::{
    BILLING_ALARMS, BILLING_REGION, RDS_CONNECTION_ALARMS, RDS_CONNECTIONS_METRIC, RDS_DIMENSION,
    RDS_NAMESPACE, Reach, SECURITY_EVENT_ALARMS, SECURITY_EVENTS, SECURITY_NAMESPACE,
    connection_reach, event_watch, watched_trail,
};
use crate::guide::msg;
use crate::plan::build::{EMAIL, account, done, item_warning, nothing};
use crate::plan::topic::topic_policy;
use crate::plan::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};

/// cloudwatch.billing-alarms: the usual monthly bill and who gets the alarms.
pub const BILLING_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "monthly",
        kind: InputKind::Amount,
        default: None,
    },
    EMAIL,
];

/// cloudwatch.security-event-alarms: who gets the alarms.
pub const SECURITY_INPUTS: &[InputSpec] = &[EMAIL];

/// cloudwatch.rds-connection-alarms: the connection count above which the
/// alarm fires, and who gets it.
pub const RDS_ALARM_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "connections",
        kind: InputKind::Int {
            min: 1,
            max: 100_000,
        },
        default: None,
    },
    EMAIL,
];

pub const BILLING_TOPIC: &str = "moat-billing-alarms";
pub const SECURITY_TOPIC: &str = "moat-security-alarms";
pub const RDS_TOPIC: &str = "moat-rds-alarms";
/// How much above the usual bill the second billing alarm fires.
pub const BILLING_MARGIN: f64 = 1.15;

fn a(op: impl Into<Op>) -> Op {
    op.into()
}

/// The parts every alarm plan reads: the alarms and the topics.
fn alarms_and_topics(inv: &Inventory) -> Result<(), PlanError> {
    inv.metric_alarms
        .ready()
        .ok_or(PlanError::NotReady(PartId::MetricAlarms))?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    Ok(())
}

/// The alarms' ops with the item's warning, and a reminder that the alarms
/// reach `email` only once its subscription is confirmed.
fn pending(item: &str, email: &str, ops: Vec<Op>) -> Result<Draft, PlanError> {
    let mut warnings = item_warning(item);
    warnings.push(msg(BILLING_ALARMS, "pending", &[("email", email)]));
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// cloudwatch.billing-alarms

/// A topic for alarms in `region`, created with a policy letting CloudWatch
/// alarms of the account publish, and the e-mail subscribed.
fn alarm_topic(
    inv: &Inventory,
    region: &str,
    account: &str,
    name: &str,
    email: &str,
) -> (Vec<Op>, String) {
    let mut ops = vec![];
    let t = topic(inv, region, name);
    if t.is_none() {
        ops.push(a(ops::CreateSnsTopic {
            region: region.into(),
            name: name.into(),
            policy: Some(topic_policy(
                inv.partition(),
                region,
                account,
                name,
                "cloudwatch.amazonaws.com",
                vec![format!(
                    "arn:{}:cloudwatch:{region}:{account}:alarm:*",
                    inv.partition()
                )],
            )),
        }));
    }
    let subscribed = t.is_some_and(|t| {
        t.subscriptions
            .iter()
            .any(|s| s.protocol == "email" && s.endpoint == email)
    });
    if !subscribed {
        ops.push(a(ops::SubscribeSnsTopic {
            region: region.into(),
            topic: name.into(),
            protocol: "email".into(),
            endpoint: email.into(),
        }));
    }
    let arn = t
        .map(|t| t.arn.clone())
        .unwrap_or_else(|| format!("arn:{}:sns:{region}:{account}:{name}", inv.partition()));
    (ops, arn)
}

/// An alarm notifying `topic_arn` as soon as one five-minute sum of the
/// metric reaches 1 (missing data is not breaching); callers change what
/// differs.
fn alarm(
    name: String,
    description: String,
    namespace: &str,
    metric: &str,
    topic_arn: &str,
) -> MetricAlarm {
    MetricAlarm {
        name,
        description: Some(description),
        alarm_actions: vec![topic_arn.to_string()],
        actions_enabled: true,
        namespace: namespace.into(),
        metric_name: metric.into(),
        threshold: Threshold(1.0),
        comparison_operator: "GreaterThanOrEqualToThreshold".into(),
        statistic: "Sum".into(),
        period: 300,
        evaluation_periods: 1,
        dimensions: vec![],
        treat_missing_data: Some("notBreaching".into()),
        extended_statistic: None,
        datapoints_to_alarm: None,
        math_metrics: vec![],
        unit: None,
    }
}

fn billing_alarm(name: &str, description: String, threshold: f64, topic_arn: &str) -> MetricAlarm {
    MetricAlarm {
        dimensions: vec![Dimension {
            name: "Currency".into(),
            value: "USD".into(),
        }],
        statistic: "Maximum".into(),
        // Billing data arrives a few times a day: a six-hour period.
        period: 21600,
        threshold: Threshold(threshold),
        comparison_operator: "GreaterThanThreshold".into(),
        treat_missing_data: Some("missing".into()),
        ..alarm(
            name.into(),
            description,
            "AWS/Billing",
            "EstimatedCharges",
            topic_arn,
        )
    }
}

pub fn billing_alarms(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    alarms_and_topics(inv)?;
    if (crate::checks::item(BILLING_ALARMS).map(|d| (d.check)(inv, ctx).status))
        == Some(crate::checks::Status::Pass)
    {
        return Err(nothing());
    }
    if let Some(e) = inv.metric_alarms.region_error(BILLING_REGION) {
        return Err(PlanError::Invalid(e.summary()));
    }
    inv.billing_metrics
        .ready()
        .ok_or(PlanError::NotReady(PartId::BillingMetrics))?;
    // An alarm on a metric CloudWatch does not publish never fires: only a
    // person can turn billing alerts on (a console setting).
    if crate::checks::cloudwatch::no_billing_metric(inv) {
        return Err(PlanError::Guided(msg(
            BILLING_ALARMS,
            "no_metric_plan",
            &[],
        )));
    }
    // Two alarms that will notify once a subscription is confirmed (or
    // whose topic moat cannot read): nothing moat could send would help.
    let may_reach = crate::checks::cloudwatch::billing_alarms_that_count(
        inv.metric_alarms.region_items(BILLING_REGION),
    )
    .filter(|a| {
        !matches!(
            crate::checks::cloudwatch::alarm_reach(inv, a),
            Reach::Nobody(_)
        )
    })
    .count();
    if may_reach >= 2 {
        let summary = crate::checks::item(BILLING_ALARMS)
            .map(|d| (d.check)(inv, ctx).summary)
            .unwrap_or_default();
        return Err(PlanError::Guided(summary));
    }
    let account = account(inv)?;
    let monthly: f64 = req
        .get(&BILLING_INPUTS[0])?
        .parse()
        .map_err(|_| PlanError::Input {
            name: "monthly".into(),
            message: "not an amount".into(),
        })?;
    let email = req.get(&BILLING_INPUTS[1])?;
    let high = (monthly * BILLING_MARGIN * 100.0).round() / 100.0;
    let (mut ops, arn) = alarm_topic(inv, BILLING_REGION, &account, BILLING_TOPIC, &email);
    for (name, description, threshold) in [
        ("moat-billing-usual", "usual_description", monthly),
        ("moat-billing-high", "high_description", high),
    ] {
        let amount = format!("{threshold:.2}");
        ops.push(a(ops::PutMetricAlarm {
            region: BILLING_REGION.into(),
            alarm: Box::new(billing_alarm(
                name,
                msg(BILLING_ALARMS, description, &[("amount", &amount)]),
                threshold,
                &arn,
            )),
        }));
    }
    pending(BILLING_ALARMS, &email, ops)
}

// ---------------------------------------------------------------------------
// cloudwatch.security-event-alarms

pub fn security_event_alarms(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    ready_trails(inv)?;
    let Some((_, region, group)) = watched_trail(inv) else {
        // Events that reach another account's organization trail log group
        // are watched (or not) there: say where, not "no trail sends events".
        if let Some(f) = crate::checks::cloudtrail::watched_elsewhere(inv)
            .and_then(|o| o.findings.into_iter().next())
        {
            return Err(PlanError::Guided(f.detail));
        }
        return Err(PlanError::Guided(msg(
            SECURITY_EVENT_ALARMS,
            "no_log_group_plan",
            &[],
        )));
    };
    let filters = inv
        .metric_filters
        .region(&region)
        .ok_or(PlanError::NotReady(PartId::MetricFilters))?;
    let alarms = inv
        .metric_alarms
        .region(&region)
        .ok_or(PlanError::NotReady(PartId::MetricAlarms))?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    let account = account(inv)?;
    // Events no filter fully catches, or whose alarms tell no one. One
    // waiting for a confirmation, or whose topic moat cannot read, is left.
    let missing: Vec<_> = SECURITY_EVENTS
        .iter()
        .map(|e| (e, event_watch(inv, filters, alarms, &group, e)))
        .filter(|(_, w)| !w.missing.is_empty() || matches!(w.reach, None | Some(Reach::Nobody(_))))
        .filter(|(e, w)| {
            let name = w
                .filter
                .map(|f| f.name.clone())
                .unwrap_or_else(|| e.filter_name());
            req.wants(
                &crate::aws::inventory::ResourceRef::Logs(
                    crate::aws::inventory::LogsRef::MetricFilter {
                        region: region.clone(),
                        log_group: group.clone(),
                        name,
                    },
                )
                .to_string(),
            )
        })
        .collect();
    if missing.is_empty() {
        return Err(nothing());
    }
    let email = req.get(&SECURITY_INPUTS[0])?;
    let (mut ops, arn) = alarm_topic(inv, &region, &account, SECURITY_TOPIC, &email);
    for (e, w) in missing {
        // A filter that catches every event by itself keeps its metric;
        // otherwise moat's own filter is written (replacing one of its
        // name that misses events).
        let reused = w.filter.filter(|_| w.whole && w.missing.is_empty());
        let (namespace, metric) = match reused {
            Some(f) => (f.metric_namespace.clone(), f.metric_name.clone()),
            None => {
                ops.push(a(ops::PutMetricFilter {
                    region: region.clone(),
                    filter: Box::new(MetricFilter {
                        log_group: group.clone(),
                        name: e.filter_name(),
                        pattern: e.pattern.into(),
                        metric_namespace: SECURITY_NAMESPACE.into(),
                        metric_name: e.metric.into(),
                        metric_value: "1".into(),
                        dimensions: vec![],
                        unit: None,
                        default_value: None,
                    }),
                }));
                (SECURITY_NAMESPACE.to_string(), e.metric.to_string())
            }
        };
        ops.push(a(ops::PutMetricAlarm {
            region: region.clone(),
            alarm: Box::new(alarm(
                e.filter_name(),
                msg(
                    SECURITY_EVENT_ALARMS,
                    "alarm_description",
                    &[("event", e.metric)],
                ),
                &namespace,
                &metric,
                &arn,
            )),
        }));
    }
    pending(SECURITY_EVENT_ALARMS, &email, ops)
}

// ---------------------------------------------------------------------------
// cloudwatch.rds-connection-alarms

/// The name of moat's connection alarm for a DB instance.
pub fn connection_alarm_name(id: &str) -> String {
    format!("moat-rds-connections-{id}")
}

/// One alarm per selected DB instance without one, in the instance's region,
/// on its maximum `DatabaseConnections` over five minutes, notifying an
/// e-mail topic in that region (created when missing).
pub fn rds_connection_alarms(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    alarms_and_topics(inv)?;
    let account = account(inv)?;
    let mut targets: Vec<(&str, &str)> = vec![];
    for (region, r) in &rds.regions {
        // A region whose instances or alarms could not be read is not planned.
        let Fetched::Ready(r) = r else { continue };
        if inv.metric_alarms.region_error(region).is_some() {
            continue;
        }
        let alarms = inv.metric_alarms.region_items(region);
        for i in &r.instances {
            // No alarm, or alarms that tell no one; pending ones wait for a confirmation.
            let unheard = matches!(
                connection_reach(inv, alarms, &i.id),
                None | Some(Reach::Nobody(_))
            );
            if unheard && req.wants(&crate::checks::rds::instance_resource(region, i)) {
                targets.push((region.as_str(), i.id.as_str()));
            }
        }
    }
    if targets.is_empty() {
        return Err(nothing());
    }
    let connections: f64 =
        req.get(&RDS_ALARM_INPUTS[0])?
            .parse()
            .map_err(|_| PlanError::Input {
                name: "connections".into(),
                message: "not a whole number".into(),
            })?;
    let email = req.get(&RDS_ALARM_INPUTS[1])?;
    let mut ops = vec![];
    let mut topic_region: Option<&str> = None;
    let mut arn = String::new();
    for (region, id) in targets {
        if topic_region != Some(region) {
            let (topic_ops, a) = alarm_topic(inv, region, &account, RDS_TOPIC, &email);
            ops.extend(topic_ops);
            arn = a;
            topic_region = Some(region);
        }
        let limit = format!("{connections}");
        ops.push(a(ops::PutMetricAlarm {
            region: region.into(),
            alarm: Box::new(MetricAlarm {
                dimensions: vec![Dimension {
                    name: RDS_DIMENSION.into(),
                    value: id.into(),
                }],
                statistic: "Maximum".into(),
                threshold: Threshold(connections),
                comparison_operator: "GreaterThanThreshold".into(),
                ..alarm(
                    connection_alarm_name(id),
                    msg(
                        RDS_CONNECTION_ALARMS,
                        "alarm_description",
                        &[("name", id), ("connections", &limit)],
                    ),
                    RDS_NAMESPACE,
                    RDS_CONNECTIONS_METRIC,
                    &arn,
                )
            }),
        }));
    }
    pending(RDS_CONNECTION_ALARMS, &email, ops)
}
