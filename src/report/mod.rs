//! Output of findings: a table for people, JSON for scripts (DESIGN.md's
//! public contract), SARIF for code-scanning dashboards, Markdown for a
//! ticket, CSV for a spreadsheet. Text from the account is
//! attacker-controlled: every string printed goes through [`sanitize`] (and
//! each format's own escaping on top).

pub mod compare;
pub mod csv;
pub mod framework;
pub mod markdown;
pub mod ocsf;
pub mod sarif;

pub use compare::Comparison;
pub use framework::Framework;

use crate::checks::{ItemResult, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a report says about the scan besides its items.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub account: &'a str,
    /// The caller's ARN.
    pub identity: &'a str,
    /// When the scan ran; passed in so that tests need no clock.
    pub generated: DateTime<Utc>,
    /// Set when the scan was limited to a framework and reports by control.
    pub framework: Option<Framework>,
    /// Set by `scan --compare`: the scan compared with an earlier one.
    pub compare: Option<&'a Comparison>,
}

/// An item's catalog mappings: (CIS v6.0.0 controls, Security Hub controls).
pub(crate) fn mappings(item: &str) -> (&'static [&'static str], &'static [&'static str]) {
    crate::checks::item(item)
        .map(|d| (d.cis, d.security_hub))
        .unwrap_or((&[], &[]))
}

/// A section's title from the guide, or its id.
pub(crate) fn section_title(section: &str) -> String {
    crate::guide::guide()
        .section(section)
        .map(|s| s.title.clone())
        .unwrap_or_else(|| section.to_string())
}

pub use crate::kit::text::sanitize;

/// Characters a terminal acts on or hides (DEL, C1 controls, bidi overrides and
/// isolates, zero-width characters, line/paragraph separators) written as
/// JSON `\uXXXX` escapes. JSON allows them raw, but `scan --format json`
/// prints to the terminal; a JSON reader gets the same data. They can only
/// occur inside JSON strings, so escaping the whole text is safe.
pub fn escape_json_invisibles(json: String) -> String {
    let hidden = |c: char| {
        ('\u{7f}'..='\u{9f}').contains(&c)
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{2028}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || c == '\u{feff}'
    };
    if !json.chars().any(hidden) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    resource: &'a str,
    region: Option<&'a str>,
    status: Status,
    detail: &'a str,
    /// With `--compare`: `new` or `unchanged` since the earlier scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
    /// With `--compare`, on a new failing finding of an item moat fixed:
    /// when moat fixed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_by_moat: Option<DateTime<Utc>>,
}

/// A failing finding of the earlier scan that no longer fails.
#[derive(Serialize)]
struct JsonFixed<'a> {
    resource: &'a str,
    region: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonComparison {
    /// When the earlier scan ran.
    since: DateTime<Utc>,
    #[serde(flatten)]
    counts: compare::Counts,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    section: &'a str,
    title: &'a str,
    status: Status,
    summary: &'a str,
    /// CIS AWS Foundations Benchmark v6.0.0 controls.
    cis: &'static [&'static str],
    /// AWS Security Hub controls.
    security_hub: &'static [&'static str],
    findings: Vec<JsonFinding<'a>>,
    /// With `--compare`: the change of the item's own result (an item that
    /// fails without naming a resource).
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<&'static str>,
    /// With `--compare`, on an item compared: the earlier scan's failing
    /// findings that no longer fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<Vec<JsonFixed<'a>>>,
}

#[derive(Serialize)]
struct JsonControl<'a> {
    id: &'a str,
    items: Vec<&'a str>,
    status: Status,
}

#[derive(Serialize)]
struct JsonFramework<'a> {
    id: &'a str,
    controls: Vec<JsonControl<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    account: &'a str,
    identity: &'a str,
    items: Vec<JsonItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<JsonFramework<'a>>,
    /// With `--compare`: failing results by change since the earlier scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<JsonComparison>,
}

/// The JSON contract: `{"account", "identity", "items": [{"id", "section", "title", "status", "findings": [...]}]}`.
pub fn json(account: &str, identity: &str, items: &[ItemResult]) -> String {
    json_with(account, identity, items, None, None)
}

/// [`json`], plus (with a framework) a top-level
/// `"framework": {"id", "controls": [{"id", "items": [item ids], "status"}]}`
/// with the controls sorted numerically; with a comparison, each finding's
/// `change` (and `fixed_by_moat` on a drift), each compared item's `fixed`
/// findings, and a top-level `"comparison": {"since", "new", "fixed",
/// "unchanged", "drift"}`.
pub fn json_with(
    account: &str,
    identity: &str,
    items: &[ItemResult],
    fw: Option<Framework>,
    cmp: Option<&Comparison>,
) -> String {
    let framework = fw.map(|fw| JsonFramework {
        id: fw.id(),
        controls: framework::controls(fw, items)
            .into_iter()
            .map(|c| JsonControl {
                id: c.id,
                items: c.items.iter().map(|i| i.id.as_str()).collect(),
                status: c.status,
            })
            .collect(),
    });
    let r = JsonReport {
        account,
        identity,
        framework,
        comparison: cmp.map(|c| JsonComparison {
            since: c.since,
            counts: c.counts(),
        }),
        items: items
            .iter()
            .map(|i| JsonItem {
                id: &i.id,
                section: &i.section,
                title: &i.title,
                status: i.status,
                summary: &i.summary,
                cis: mappings(&i.id).0,
                security_hub: mappings(&i.id).1,
                findings: i
                    .findings
                    .iter()
                    .map(|f| {
                        let change = cmp.and_then(|c| {
                            c.change(&i.id, &f.resource, f.region.as_deref(), f.status)
                        });
                        JsonFinding {
                            resource: &f.resource,
                            region: f.region.as_deref(),
                            status: f.status,
                            detail: &f.detail,
                            change: change.map(|c| c.as_str()),
                            fixed_by_moat: change.and_then(|c| c.fixed_by_moat()),
                        }
                    })
                    .collect(),
                change: cmp.and_then(|c| c.item_change(i)).map(|c| c.as_str()),
                fixed: cmp.filter(|c| c.compared(&i.id)).map(|c| {
                    c.fixed(&i.id)
                        .map(|g| JsonFixed {
                            resource: &g.resource,
                            region: g.region.as_deref(),
                        })
                        .collect()
                }),
            })
            .collect(),
    };
    pretty_json(&r)
}

/// `v` pretty-printed, its invisible characters escaped, with a final
/// newline: how every JSON document moat prints is written.
pub fn pretty_json(v: &impl serde::Serialize) -> String {
    let mut s =
        escape_json_invisibles(serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".into()));
    s.push('\n');
    s
}

/// A plain table: one line per item, failing resources indented under it.
/// With a comparison, each resource is marked `new`, `unchanged` or (a
/// failing one of the earlier scan that no longer fails) `fixed`, and a last
/// line counts them.
pub fn table(
    account: &str,
    identity: &str,
    items: &[ItemResult],
    color: bool,
    cmp: Option<&Comparison>,
) -> String {
    let mut out = format!(
        "account {}  ({})\n\n",
        sanitize(account),
        sanitize(identity)
    );
    let width = items.iter().map(|i| i.id.len()).max().unwrap_or(10);
    let mut section = "";
    for i in items {
        if i.section != section {
            section = &i.section;
            let title = crate::guide::guide()
                .section(section)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            out.push_str(&format!("{} — {}\n", section, sanitize(&title)));
        }
        push_item(&mut out, i, width, color, cmp);
    }
    let count = |s: Status| items.iter().filter(|i| i.status == s).count();
    out.push_str(&format!(
        "\n{} pass, {} fail, {} manual, {} error\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Manual),
        count(Status::Error)
    ));
    push_comparison(&mut out, cmp);
    out
}

/// The comparison's last line: failing findings by change.
fn push_comparison(out: &mut String, cmp: Option<&Comparison>) {
    if let Some(c) = cmp {
        out.push_str(&format!(
            "since the scan of {}: {}\n",
            compare::stamp(c.since),
            c.counts().sentence()
        ));
    }
}

/// A finding's mark in the table, padded: `new`, `unchanged`, `fixed`.
fn table_mark(color: bool, word: &str) -> String {
    let padded = format!("{word:<9} ");
    if !color {
        return padded;
    }
    let code = match word {
        "new" => "31",
        "fixed" => "32",
        _ => "2",
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

/// What a drift adds to a finding's line.
fn drift_note(change: Option<compare::Change>) -> String {
    change
        .and_then(|c| c.fixed_by_moat())
        .map(|t| format!(" (fixed by moat on {}, failing again)", compare::day(t)))
        .unwrap_or_default()
}

/// One item's table line, with its resources indented under it.
fn push_item(
    out: &mut String,
    i: &ItemResult,
    width: usize,
    color: bool,
    cmp: Option<&Comparison>,
) {
    let status = format!("{:<6}", i.status.as_str());
    let own = cmp.and_then(|c| c.item_change(i));
    let own_mark = own
        .map(|c| format!("  [{}]{}", c.as_str(), drift_note(Some(c))))
        .unwrap_or_default();
    out.push_str(&format!(
        "  {} {:<width$}  {}  {}{own_mark}\n",
        paint(color, i.status, i.status.symbol()),
        i.id,
        paint(color, i.status, &status),
        sanitize(&i.summary),
    ));
    let region_of = |r: Option<&str>| r.map(|r| format!(" [{}]", sanitize(r))).unwrap_or_default();
    let compared = cmp.filter(|c| c.compared(&i.id));
    for f in &i.findings {
        let region = region_of(f.region.as_deref());
        let change =
            compared.and_then(|c| c.change(&i.id, &f.resource, f.region.as_deref(), f.status));
        let mark = match (compared, change) {
            (None, _) => String::new(),
            (Some(_), Some(ch)) => table_mark(color, ch.as_str()),
            (Some(_), None) => " ".repeat(10),
        };
        out.push_str(&format!(
            "      {mark}{}{}: {}{}\n",
            sanitize(&f.resource),
            region,
            sanitize(&f.detail),
            drift_note(change)
        ));
    }
    if let Some(c) = compared {
        for g in c.fixed(&i.id) {
            out.push_str(&format!(
                "      {}{}{}\n",
                table_mark(color, "fixed"),
                g.resource,
                region_of(g.region.as_deref())
            ));
        }
    }
}

/// Colour a status word for a terminal.
fn paint(color: bool, st: Status, s: &str) -> String {
    if !color {
        return s.to_string();
    }
    let code = match st {
        Status::Pass => "32",
        Status::Fail | Status::Error => "31",
        Status::Manual | Status::Accepted => "33",
        _ => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// The table grouped by control (`scan --framework`): each control, sorted
/// numerically, with its status, then the items mapped to it (an item mapped
/// to several controls appears under each) and their resources.
pub fn table_by_control(
    account: &str,
    identity: &str,
    items: &[ItemResult],
    fw: Framework,
    color: bool,
    cmp: Option<&Comparison>,
) -> String {
    let mut out = format!(
        "account {}  ({})\n{} ({}), by control\n\n",
        sanitize(account),
        sanitize(identity),
        fw.title(),
        fw.id()
    );
    let controls = framework::controls(fw, items);
    let width = items.iter().map(|i| i.id.len()).max().unwrap_or(10);
    let cwidth = controls.iter().map(|c| c.id.len()).max().unwrap_or(4);
    for c in &controls {
        out.push_str(&format!(
            "{:<cwidth$}  {} {}\n",
            c.id,
            paint(color, c.status, c.status.symbol()),
            paint(color, c.status, c.status.as_str()),
        ));
        for i in &c.items {
            push_item(&mut out, i, width, color, cmp);
        }
    }
    let count = |s: Status| controls.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "\n{} controls: {} pass, {} fail, {} manual, {} accepted, {} error\n",
        controls.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Manual),
        count(Status::Accepted),
        count(Status::Error)
    ));
    push_comparison(&mut out, cmp);
    out
}

/// An item result for the reports' unit tests (section `account`, its id
/// as title, no summary).
#[cfg(test)]
pub(crate) fn test_item(
    id: &str,
    status: Status,
    findings: Vec<crate::checks::Finding>,
) -> ItemResult {
    ItemResult {
        id: id.into(),
        section: "account".into(),
        title: id.into(),
        status,
        summary: String::new(),
        findings,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The demo account's items, evaluated at a fixed time.
    pub(crate) fn demo_results() -> Vec<ItemResult> {
        let inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 10, 0, 0)
            .single()
            .expect("date");
        let settings = crate::config::Settings::default();
        let done = Default::default();
        let ctx = crate::checks::Ctx {
            now,
            settings: &settings,
            done: &done,
        };
        crate::checks::items()
            .iter()
            .map(|d| crate::checks::evaluate(d, &inv, &ctx))
            .collect()
    }

    #[test]
    fn json_items_carry_their_controls() {
        let items = demo_results();
        let v: serde_json::Value =
            serde_json::from_str(&json("111122223333", "arn:x", &items)).expect("json");
        assert_eq!(v["items"][0]["id"], "account.root-access-keys");
        assert_eq!(v["items"][0]["cis"], serde_json::json!(["2.3"]));
        assert_eq!(v["items"][0]["security_hub"], serde_json::json!(["IAM.4"]));
        assert_eq!(v["items"][2]["cis"], serde_json::json!([]));
        assert!(v.get("framework").is_none());
    }

    #[test]
    fn json_with_a_framework_lists_controls_in_order() {
        let items = demo_results();
        let v: serde_json::Value = serde_json::from_str(&json_with(
            "111122223333",
            "arn:x",
            &items,
            Some(Framework::Cis6),
            None,
        ))
        .expect("json");
        assert_eq!(v["framework"]["id"], "cis-6.0");
        let controls = v["framework"]["controls"].as_array().expect("controls");
        let ids: Vec<&str> = controls.iter().filter_map(|c| c["id"].as_str()).collect();
        // Every mapped control once, in numeric order (the catalog decides which).
        let key = |c: &str| -> Vec<u32> { c.split('.').filter_map(|n| n.parse().ok()).collect() };
        assert!(ids.starts_with(&["2.1", "2.2", "2.3"]), "{ids:?}");
        assert!(ids.windows(2).all(|w| key(w[0]) < key(w[1])), "{ids:?}");
        assert_eq!(
            controls[0]["items"],
            serde_json::json!(["account.alternate-contacts"])
        );
        assert_eq!(controls[0]["status"], "fail");
    }

    #[test]
    fn table_by_control_sorts_numerically() {
        let items = demo_results();
        let t = table_by_control(
            "111122223333",
            "arn:x",
            &items,
            Framework::Cis6,
            false,
            None,
        );
        let p = |s: &str| t.find(s).unwrap_or(usize::MAX);
        assert!(p("\n2.3 ") < p("\n2.11 "), "{t}");
        assert!(p("\n2.9 ") < p("\n2.11 "), "{t}");
        assert!(p("\n2.13 ") < p("\n3.1.1 "), "{t}");
        assert!(p("\n3.1.2 ") < p("\n3.1.4 "), "{t}");
        assert!(t.contains(" controls: 0 pass, "), "{t}");
        assert!(!t.contains("account.backup-admin"), "{t}");
    }

    #[test]
    fn json_invisibles_are_escaped_and_the_data_is_the_same() {
        let v = serde_json::json!({"name": "a\u{9b}b\u{202e}c\u{200b}d\u{2028}e\u{feff}"});
        let text = escape_json_invisibles(serde_json::to_string(&v).expect("json"));
        assert_eq!(
            text,
            "{\"name\":\"a\\u009bb\\u202ec\\u200bd\\u2028e\\ufeff\"}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn sanitize_defuses_escapes() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\ny\tz"), "x y z");
        assert_eq!(sanitize("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(sanitize("plain/ok"), "plain/ok");
    }
}
