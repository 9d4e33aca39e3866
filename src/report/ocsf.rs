//! `scan --format ocsf`: OCSF 1.1.0 Detection Findings (class 2004), the
//! schema Amazon Security Lake uses for findings (a custom source converts
//! this JSON to its Parquet layout) and other OCSF consumers read; a JSON
//! array of events.
//!
//! One event per resource an item reports (its findings), and one on the
//! resource `account` for an item that reports none (a pass, or a check that
//! could not run). moat's result is the event's status:
//!
//! | moat           | activity | `status_id`       | `status_code`    | `severity_id`   |
//! |----------------|----------|-------------------|------------------|-----------------|
//! | fail           | 1 Create | 1 New             | `FAIL`           | 99 Unrated      |
//! | manual         | 1 Create | 1 New             | `MANUAL`         | 99 Unrated      |
//! | error          | 1 Create | 0 Unknown         | `ERROR`          | 99 Unrated      |
//! | accepted       | 1 Create | 3 Suppressed      | `ACCEPTED`       | 99 Unrated      |
//! | pass           | 3 Close  | 4 Resolved        | `PASS`           | 1 Informational |
//! | not applicable | 3 Close  | 99 Not applicable | `NOT_APPLICABLE` | 1 Informational |
//!
//! moat's catalog rates no item's severity: a failing event says so
//! (`severity_id` 99, "Unrated") rather than guess a level, and still sorts
//! above the informational ones. Detection Finding has no `compliance`
//! object (that is Compliance Finding's): the item's CIS v6.0.0 and Security
//! Hub controls are in `finding_info.types` and `unmapped.compliance`.
//! `finding_info.uid` is stable across scans (account, item, region,
//! resource, and the finding's place when an item reports one resource more
//! than once), so a consumer can follow one finding over time. The events
//! carry the `cloud` profile; the tests validate them against the schema
//! compiled from OCSF 1.1.0 (tests/support/ocsf).

use super::Header;
use crate::checks::{ItemResult, Status};
use crate::guide::guide;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The OCSF version the events follow.
pub const VERSION: &str = "1.1.0";
const CLASS_UID: u64 = 2004;
const CATEGORY_UID: u64 = 2;
const ACTIVITY_CREATE: u64 = 1;
const ACTIVITY_CLOSE: u64 = 3;

/// How an event says moat's result.
struct Said {
    activity: u64,
    status_id: u64,
    status: &'static str,
    code: &'static str,
    severity_id: u64,
    severity: &'static str,
}

fn said(s: Status) -> Said {
    let open = |status_id, status, code| Said {
        activity: ACTIVITY_CREATE,
        status_id,
        status,
        code,
        severity_id: 99,
        severity: "Unrated",
    };
    let closed = |status_id, status, code| Said {
        activity: ACTIVITY_CLOSE,
        status_id,
        status,
        code,
        severity_id: 1,
        severity: "Informational",
    };
    match s {
        Status::Fail => open(1, "New", "FAIL"),
        Status::Manual => open(1, "New", "MANUAL"),
        Status::Error | Status::Loading => open(0, "Unknown", "ERROR"),
        Status::Accepted => open(3, "Suppressed", "ACCEPTED"),
        Status::Pass => closed(4, "Resolved", "PASS"),
        Status::NotApplicable => closed(99, "Not applicable", "NOT_APPLICABLE"),
    }
}

fn activity_name(id: u64) -> &'static str {
    if id == ACTIVITY_CLOSE {
        "Close"
    } else {
        "Create"
    }
}

/// The status and severity attributes of an event.
fn status_attributes(s: &Said) -> Value {
    json!({
        "severity_id": s.severity_id,
        "severity": s.severity,
        "status_id": s.status_id,
        "status": s.status,
        "status_code": s.code,
    })
}

/// The class attributes of an event of `activity`.
fn class(activity: u64) -> Value {
    json!({
        "activity_id": activity,
        "activity_name": activity_name(activity),
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + activity,
        "type_name": format!("Detection Finding: {}", activity_name(activity)),
    })
}

fn metadata() -> Value {
    json!({
        "version": VERSION,
        "profiles": ["cloud"],
        "product": {
            "uid": "moat",
            "name": "moat",
            "vendor_name": "moat",
            "version": env!("CARGO_PKG_VERSION"),
        },
    })
}

/// The cloud of an event in `account`.
fn cloud(account: &str) -> Value {
    json!({
        "provider": "AWS",
        "account": {"uid": account, "type_id": 10, "type": "AWS Account"},
    })
}

/// `a`'s attributes with `b`'s added.
fn merged(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// The events of one account's scan, pretty-printed.
pub fn ocsf(h: &Header, items: &[ItemResult]) -> String {
    super::pretty_json(&Value::Array(events(h, items)))
}

/// Where a finding is: its resource, region, and its place among the
/// item's findings on the same resource (when there are several).
struct Place<'a> {
    resource: &'a str,
    region: Option<&'a str>,
    nth: Option<usize>,
}

/// The events of one account's scan.
pub fn events(h: &Header, items: &[ItemResult]) -> Vec<Value> {
    let partition = crate::aws::sts::arn_partition(h.identity).unwrap_or("aws");
    let time = h.generated.timestamp_millis();
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.status != Status::Loading) {
        if item.findings.is_empty() {
            let at = Place {
                resource: "account",
                region: None,
                nth: None,
            };
            out.push(event(
                h,
                partition,
                time,
                item,
                &at,
                item.status,
                &item.summary,
            ));
        }
        // A resource an item reports more than once (a root user's
        // credentials): each event its own uid, by its place among them.
        let mut total: HashMap<(&str, Option<&str>), usize> = HashMap::new();
        for f in &item.findings {
            *total
                .entry((f.resource.as_str(), f.region.as_deref()))
                .or_default() += 1;
        }
        let mut seen: HashMap<(&str, Option<&str>), usize> = HashMap::new();
        for f in &item.findings {
            let key = (f.resource.as_str(), f.region.as_deref());
            let n = seen.entry(key).or_default();
            *n += 1;
            let at = Place {
                resource: &f.resource,
                region: f.region.as_deref(),
                nth: (total.get(&key).copied().unwrap_or(1) > 1).then_some(*n),
            };
            out.push(event(h, partition, time, item, &at, f.status, &f.detail));
        }
    }
    out
}

/// One event for an account that could not be scanned (several accounts in
/// one run), so that a consumer tells "not scanned" from "nothing found".
pub fn account_error(account: &str, error: &str, time: i64) -> Value {
    let s = said(Status::Error);
    merged(
        merged(class(s.activity), status_attributes(&s)),
        json!({
            "time": time,
            "message": format!("account {account} could not be scanned: {error}"),
            "metadata": metadata(),
            "cloud": cloud(account),
            "finding_info": {
                "uid": format!("moat/{account}/not-scanned"),
                "title": "The account could not be scanned",
            },
            "unmapped": {"moat": {"status": "error"}},
        }),
    )
}

fn event(
    h: &Header,
    partition: &str,
    time: i64,
    item: &ItemResult,
    at: &Place,
    result: Status,
    detail: &str,
) -> Value {
    let s = said(result);
    let (cis, hub) = super::mappings(&item.id);
    let text = guide().item(&item.id);
    let mut types = vec![super::section_title(&item.section)];
    if !cis.is_empty() {
        types.push(format!(
            "CIS AWS Foundations Benchmark v6.0.0 {}",
            cis.join(", ")
        ));
    }
    if !hub.is_empty() {
        types.push(format!("AWS Security Hub {}", hub.join(", ")));
    }
    let kind = at.resource.split('/').next().unwrap_or(at.resource);
    let mut res = json!({
        "uid": at.resource,
        "name": at.resource,
        "type": kind,
        "cloud_partition": partition,
    });
    let mut cloud = cloud(h.account);
    if let Some(r) = at.region {
        res["region"] = json!(r);
        cloud["region"] = json!(r);
    }
    let desc = text
        .map(|t| t.summary.clone())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| item.summary.clone());
    let finding_info = json!({
        "uid": format!(
            "moat/{}/{}/{}/{}{}",
            h.account,
            item.id,
            at.region.unwrap_or("global"),
            at.resource,
            at.nth.map(|n| format!("#{n}")).unwrap_or_default()
        ),
        "title": item.title,
        "desc": desc,
        "types": types,
        "analytic": {"uid": item.id, "name": item.id, "type_id": 1, "type": "Rule"},
    });
    let mut e = merged(
        merged(class(s.activity), status_attributes(&s)),
        json!({
            "status_detail": item.summary,
            "time": time,
            "message": detail,
            "metadata": metadata(),
            "cloud": cloud,
            "finding_info": finding_info,
            "resources": [res],
            "unmapped": {
                "compliance": {"CIS-6.0.0": cis, "AWS-Security-Hub": hub},
                "moat": {"item": item.id, "section": item.section, "status": result.as_str()},
            },
        }),
    );
    if let Some(t) = text {
        e["remediation"] = json!({"desc": t.fix});
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;
    use chrono::TimeZone;

    fn header() -> Header<'static> {
        Header {
            account: "111122223333",
            identity: "arn:aws-us-gov:iam::111122223333:user/ops",
            generated: chrono::Utc
                .with_ymd_and_hms(2026, 11, 29, 10, 0, 0)
                .single()
                .expect("date"),
            framework: None,
            compare: None,
        }
    }

    #[test]
    fn one_event_per_resource_and_one_for_an_item_without_any() {
        let items = vec![
            ItemResult {
                id: "s3.bucket-encryption".into(),
                section: "s3".into(),
                title: "t".into(),
                status: Status::Fail,
                summary: "s".into(),
                findings: vec![
                    Finding::fail("bucket/a", "a is plain"),
                    Finding::fail("bucket/b", "b is plain"),
                ],
            },
            ItemResult {
                id: "account.password-policy".into(),
                section: "account".into(),
                title: "t".into(),
                status: Status::Pass,
                summary: "fine".into(),
                findings: vec![],
            },
        ];
        let e = events(&header(), &items);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0]["class_uid"], 2004);
        assert_eq!(e[0]["type_uid"], 200401);
        assert_eq!(e[0]["status_code"], "FAIL");
        assert_eq!(e[0]["resources"][0]["uid"], "bucket/a");
        assert_eq!(e[0]["resources"][0]["cloud_partition"], "aws-us-gov");
        assert_eq!(e[0]["time"], 1_795_946_400_000_i64);
        assert_ne!(e[0]["finding_info"]["uid"], e[1]["finding_info"]["uid"]);
        assert_eq!(e[2]["status_code"], "PASS");
        assert_eq!(e[2]["status_id"], 4);
        assert_eq!(e[2]["activity_id"], 3, "a pass closes the finding");
        assert_eq!(e[2]["type_uid"], 200403);
        assert_eq!(e[0]["severity_id"], 99, "unrated, never below a pass");
        assert_eq!(e[2]["resources"][0]["uid"], "account");
    }
}
