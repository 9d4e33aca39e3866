//! The blast radius of a creation that costs money: what else already
//! delivers the same (trails).

use crate::aws::inventory::{Fetched, Inventory, Trail};

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
}
