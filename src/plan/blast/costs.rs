//! The blast radius of a creation that costs money: what else already
//! delivers the same (trails), and the price of those priced by volume.

use super::Note;
use crate::aws::inventory::{Fetched, Inventory, Trail};
use crate::plan::Op;

/// Trails other than `name` that already deliver management events where
/// the new trail will (`region`, or every region for a multi-region one),
/// and those moat cannot tell about; `None` when trails were not read.
///
/// Only a trail that is logging and whose selectors record management
/// events, read and write, makes the new one a paid copy: a stopped trail,
/// one that logs only data events, or only read or only write events, does
/// not (AWS's free copy goes to the first trail that delivers them).
pub(super) fn other_trails(
    inv: &Inventory,
    name: &str,
    region: &str,
    multi: bool,
) -> Option<(Vec<String>, Vec<String>)> {
    let trails = inv.trails.ready()?;
    let mut delivering = vec![];
    let mut unknown = vec![];
    for t in trails
        .iter()
        .filter(|t| t.name != name && (multi || t.is_multi_region || t.home_region == region))
    {
        match delivers_management(t) {
            Some(true) => delivering.push(t.name.clone()),
            Some(false) => {}
            None => unknown.push(t.name.clone()),
        }
    }
    Some((delivering, unknown))
}

/// Does the trail deliver management events, read and write, now? `None`
/// when its status or its selectors could not be read.
fn delivers_management(t: &Trail) -> Option<bool> {
    if t.status_error.is_some() {
        return None;
    }
    if !t.is_logging {
        return Some(false);
    }
    match &t.event_selectors {
        Some(Fetched::Ready(s)) => {
            let c = s.management();
            Some(c.read && c.write)
        }
        None | Some(Fetched::Error(_)) => None,
    }
}

/// The price note of a creation priced by volume, or `None` when the plan
/// creates nothing new (GuardDuty already on, a filter that exists).
pub(super) fn usage_cost(inv: &Inventory, op: &Op) -> Option<Note> {
    let note = |price: &str, region: &str, name: &str| Note::UsageCost {
        price: price.to_string(),
        region: region.to_string(),
        name: name.to_string(),
    };
    match op {
        Op::CreateFlowLogs(o) => {
            // arn:PARTITION:logs:… is a CloudWatch Logs group; else S3.
            let price = if o.destination.split(':').nth(2) == Some("logs") {
                "cost_flow_logs_cwl"
            } else {
                "cost_flow_logs_s3"
            };
            Some(note(price, &o.region, &o.vpc_id))
        }
        Op::CreateDetector(o) => Some(note("cost_guardduty", &o.region, "")),
        Op::UpdateDetector(o) if o.enable => Some(note("cost_guardduty", &o.region, "")),
        Op::EnableInspector(o) => Some(note(
            "cost_inspector",
            &o.region,
            &o.resource_types.join(", "),
        )),
        Op::PutMetricFilter(o) => {
            let f = &o.filter;
            let exists = inv
                .metric_filters
                .region_items(&o.region)
                .iter()
                .any(|x| x.log_group == f.log_group && x.name == f.name);
            (!exists).then(|| {
                let metric = format!("{}/{}", f.metric_namespace, f.metric_name);
                note("cost_metric_filter", &o.region, &metric)
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::aws::ops;
    use crate::plan::Op;
    use crate::plan::blast::Note;
    use crate::plan::blast::testkit::*;
    use crate::plan::blast::{radius, text};
    use serde_json::{Value, json};

    /// A multi-region trail, logging or not, whose basic selector records
    /// management events of `rw` (or only data events).
    fn trail(name: &str, logging: bool, rw: &str, management: bool) -> Value {
        json!({"name": name, "arn": format!("arn:trail/{name}"),
        "home_region": "eu-west-1", "is_multi_region": true,
        "log_file_validation": true, "is_logging": logging,
        "event_selectors": ready(json!({"basic": [
            {"read_write_type": rw, "include_management_events": management}
        ]}))})
    }

    fn create(name: &str) -> Op {
        Op::CreateTrail(ops::CreateTrail {
            name: name.into(),
            region: R.into(),
            bucket: "logs".into(),
            multi_region: true,
            log_file_validation: true,
        })
    }

    #[test]
    fn only_a_logging_trail_of_all_management_events_makes_a_paid_copy() {
        let mut unread = trail("unread", true, "All", true);
        unread["event_selectors"] = json!({"state": "error", "value": {
            "action": "cloudtrail:GetEventSelectors", "code": "AccessDenied", "message": "no"}});
        let inv = inventory(json!({"trails": ready(json!([
            trail("stopped", false, "All", true),
            trail("data-only", true, "All", false),
            trail("reads", true, "ReadOnly", true),
        ]))}));
        let n = radius(&inv, &inv, &[create("moat")]);
        assert_eq!(
            n,
            vec![Note::TrailCost {
                name: "moat".into(),
                other: some(&[]),
                unsure: vec![],
            }]
        );
        assert!(n[0].lines()[0].contains("first copy"), "{n:?}");
        // A trail whose selectors could not be read may be one.
        let inv = inventory(json!({"trails": ready(json!([
            trail("stopped", false, "All", true), unread
        ]))}));
        let n = radius(&inv, &inv, &[create("moat")]);
        let Note::TrailCost { unsure, .. } = &n[0] else {
            panic!("{n:?}")
        };
        assert_eq!(unsure, &["unread".to_string()]);
        assert!(
            n[0].lines()[0].contains("could not read whether unread"),
            "{n:?}"
        );
    }

    #[test]
    fn creations_name_their_cost_and_the_prices_date() {
        let inv = inventory(json!({
            "trails": ready(json!([trail("org", true, "All", true)])),
            "metric_alarms": regional(json!([]))
        }));
        let n = radius(&inv, &inv, &[create("moat")]);
        assert_eq!(
            n,
            vec![Note::TrailCost {
                name: "moat".into(),
                other: some(&["org"]),
                unsure: vec![],
            }]
        );
        assert!(n[0].lines()[0].contains("about $2.00 per 100,000"));
        let key = Op::CreateKmsKey(ops::CreateKmsKey {
            region: R.into(),
            alias: "alias/moat-trail".into(),
            description: String::new(),
            policy: json!({}),
        });
        let n = radius(&inv, &inv, &[key]);
        assert!(n[0].lines()[0].contains("about $1.00 a month"), "{n:?}");
        let text: Vec<String> = text(&n).into_iter().map(|(_, l)| l).collect();
        assert!(
            text.last().is_some_and(|l| l.contains("2026-12-03")),
            "{text:?}"
        );
    }

    #[test]
    fn flow_logs_guardduty_inspector_and_metric_filters_name_their_price() {
        let filter = json!({"log_group": "trail-logs", "name": "root-usage",
            "pattern": "{ $.userIdentity.type = Root }", "metric_namespace": "CIS",
            "metric_name": "RootUsage", "metric_value": "1"});
        let inv = inventory(json!({"metric_filters": regional(json!([filter.clone()]))}));
        let mut new_filter = filter.clone();
        new_filter["name"] = json!("console-no-mfa");
        new_filter["metric_name"] = json!("ConsoleNoMfa");
        let put = |f: Value| {
            Op::PutMetricFilter(ops::PutMetricFilter {
                region: R.into(),
                filter: Box::new(serde_json::from_value(f).expect("filter")),
            })
        };
        let ops = [
            Op::CreateFlowLogs(ops::CreateFlowLogs {
                region: R.into(),
                vpc_id: "vpc-1".into(),
                destination: "arn:aws:s3:::flow-logs".into(),
            }),
            Op::CreateFlowLogs(ops::CreateFlowLogs {
                region: R.into(),
                vpc_id: "vpc-2".into(),
                destination: "arn:aws:logs:us-east-1:111122223333:log-group:flow".into(),
            }),
            Op::CreateDetector(ops::CreateDetector { region: R.into() }),
            Op::UpdateDetector(ops::UpdateDetector {
                region: R.into(),
                detector_id: "d1".into(),
                enable: false,
            }),
            Op::EnableInspector(ops::EnableInspector {
                region: R.into(),
                account: "111122223333".into(),
                resource_types: vec!["EC2".into(), "ECR".into()],
            }),
            put(filter),
            put(new_filter),
        ];
        let n = radius(&inv, &inv, &ops);
        let prices: Vec<&str> = n
            .iter()
            .filter_map(|n| match n {
                Note::UsageCost { price, .. } => Some(price.as_str()),
                _ => None,
            })
            .collect();
        // Disabling GuardDuty and an existing filter cost nothing new.
        assert_eq!(
            prices,
            [
                "cost_flow_logs_s3",
                "cost_flow_logs_cwl",
                "cost_guardduty",
                "cost_inspector",
                "cost_metric_filter"
            ]
        );
        let text: Vec<String> = text(&n).into_iter().map(|(_, l)| l).collect();
        assert!(
            text[0].contains("VPC vpc-1 (us-east-1) to S3: about $0.25 per GB"),
            "{text:?}"
        );
        assert!(text[2].contains("free for 30 days"), "{text:?}");
        assert!(text[3].contains("(EC2, ECR)"), "{text:?}");
        assert!(text[4].contains("CIS/ConsoleNoMfa"), "{text:?}");
        assert!(
            text.last().is_some_and(|l| l.contains("2026-12-03")),
            "{text:?}"
        );
    }
}
