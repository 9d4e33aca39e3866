//! `scan --format ocsf`: OCSF 1.1.0 Detection Findings (class 2004), the
//! schema Amazon Security Lake takes from custom sources and the one
//! Security Hub's current findings follow; a JSON array of events.
//!
//! One event per resource an item reports (its findings), and one on the
//! resource `account` for an item that reports none (a pass, or a check that
//! could not run). moat's result is the event's status:
//!
//! | moat         | `status_id`      | `status_code`    | `severity_id`     |
//! |--------------|------------------|------------------|-------------------|
//! | fail         | 1 New            | `FAIL`           | 0 Unknown         |
//! | manual       | 1 New            | `MANUAL`         | 0 Unknown         |
//! | error        | 0 Unknown        | `ERROR`          | 0 Unknown         |
//! | accepted     | 3 Suppressed     | `ACCEPTED`       | 0 Unknown         |
//! | pass         | 4 Resolved       | `PASS`           | 1 Informational   |
//! | not applicable | 99 Other       | `NOT_APPLICABLE` | 1 Informational   |
//!
//! moat's catalog rates no item's severity, so a failing event's severity is
//! Unknown rather than a guess. Detection Finding has no `compliance`
//! object (that is Compliance Finding's): the item's CIS v6.0.0 and Security
//! Hub controls are in `finding_info.types` and `unmapped.compliance`.
//! `finding_info.uid` is stable across scans (account, item, region,
//! resource), so a consumer can follow one finding over time. The events
//! carry the `cloud` profile; the test validates them against the schema
//! compiled from OCSF 1.1.0 (tests/support/ocsf).

use super::Header;
use crate::checks::{ItemResult, Status};
use crate::guide::guide;
use serde_json::{Value, json};

/// The OCSF version the events follow.
pub const VERSION: &str = "1.1.0";
const CLASS_UID: u64 = 2004;
const CATEGORY_UID: u64 = 2;
const ACTIVITY_CREATE: u64 = 1;

/// (status_id, status caption, status_code, severity_id, severity caption).
fn status(s: Status) -> (u64, &'static str, &'static str, u64, &'static str) {
    match s {
        Status::Fail => (1, "New", "FAIL", 0, "Unknown"),
        Status::Manual => (1, "New", "MANUAL", 0, "Unknown"),
        Status::Error | Status::Loading => (0, "Unknown", "ERROR", 0, "Unknown"),
        Status::Accepted => (3, "Suppressed", "ACCEPTED", 0, "Unknown"),
        Status::Pass => (4, "Resolved", "PASS", 1, "Informational"),
        Status::NotApplicable => (99, "Not applicable", "NOT_APPLICABLE", 1, "Informational"),
    }
}

/// The events of one account's scan, pretty-printed.
pub fn ocsf(h: &Header, items: &[ItemResult]) -> String {
    super::pretty_json(&Value::Array(events(h, items)))
}

/// The events of one account's scan.
pub fn events(h: &Header, items: &[ItemResult]) -> Vec<Value> {
    let partition = crate::aws::sts::arn_partition(h.identity).unwrap_or("aws");
    let time = h.generated.timestamp_millis();
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.status != Status::Loading) {
        if item.findings.is_empty() {
            out.push(event(
                h,
                partition,
                time,
                item,
                "account",
                None,
                item.status,
                &item.summary,
            ));
        }
        for f in &item.findings {
            out.push(event(
                h,
                partition,
                time,
                item,
                &f.resource,
                f.region.as_deref(),
                f.status,
                &f.detail,
            ));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn event(
    h: &Header,
    partition: &str,
    time: i64,
    item: &ItemResult,
    resource: &str,
    region: Option<&str>,
    result: Status,
    detail: &str,
) -> Value {
    let (status_id, status_caption, code, severity_id, severity) = status(result);
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
    let kind = resource.split('/').next().unwrap_or(resource);
    let mut res = json!({
        "uid": resource,
        "name": resource,
        "type": kind,
        "cloud_partition": partition,
    });
    let mut cloud = json!({
        "provider": "AWS",
        "account": {"uid": h.account, "type_id": 10, "type": "AWS Account"},
    });
    if let Some(r) = region {
        res["region"] = json!(r);
        cloud["region"] = json!(r);
    }
    let mut finding_info = json!({
        "uid": format!(
            "moat/{}/{}/{}/{}",
            h.account,
            item.id,
            region.unwrap_or("global"),
            resource
        ),
        "title": item.title,
        "desc": item.summary,
        "types": types,
        "analytic": {"uid": item.id, "name": item.id, "type_id": 1, "type": "Rule"},
    });
    if let Some(t) = text
        && !t.summary.is_empty()
    {
        finding_info["desc"] = json!(t.summary);
    }
    let mut e = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status_caption,
        "status_code": code,
        "status_detail": item.summary,
        "time": time,
        "message": detail,
        "metadata": {
            "version": VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": "moat",
                "vendor_name": "moat",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "cloud": cloud,
        "finding_info": finding_info,
        "resources": [res],
        "unmapped": {
            "compliance": {"CIS-6.0.0": cis, "AWS-Security-Hub": hub},
            "moat": {"item": item.id, "section": item.section, "status": result.as_str()},
        },
    });
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
        assert_eq!(e[2]["resources"][0]["uid"], "account");
    }
}
