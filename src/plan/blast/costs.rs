//! The blast radius of a creation that costs money: what else already
//! delivers the same (trails).

use crate::aws::inventory::Inventory;

/// Trails other than `name` that already deliver management events where
/// the new trail will (`region`, or every region for a multi-region one).
pub(super) fn other_trails(
    inv: &Inventory,
    name: &str,
    region: &str,
    multi: bool,
) -> Option<Vec<String>> {
    let trails = inv.trails.ready()?;
    Some(
        trails
            .iter()
            .filter(|t| t.name != name && (multi || t.is_multi_region || t.home_region == region))
            .map(|t| t.name.clone())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::aws::ops;
    use crate::plan::Op;
    use crate::plan::blast::Note;
    use crate::plan::blast::testkit::*;
    use crate::plan::blast::{radius, text};
    use serde_json::json;

    #[test]
    fn creations_name_their_cost_and_the_prices_date() {
        let inv = inventory(json!({
            "trails": ready(json!([{"name": "org", "arn": "arn:trail/org",
                "home_region": "eu-west-1", "is_multi_region": true,
                "log_file_validation": true, "is_logging": true}])),
            "metric_alarms": regional(json!([]))
        }));
        let trail = Op::CreateTrail(ops::CreateTrail {
            name: "moat".into(),
            region: R.into(),
            bucket: "logs".into(),
            multi_region: true,
            log_file_validation: true,
        });
        let n = radius(&inv, &inv, &[trail]);
        assert_eq!(
            n,
            vec![Note::TrailCost {
                name: "moat".into(),
                other: some(&["org"])
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
