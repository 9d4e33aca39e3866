//! `scan --format sarif`: SARIF 2.1.0 for code-scanning dashboards.
//!
//! One run. Each catalog item in the scan is a rule (`reportingDescriptor`):
//! its guide title, what passing means, and help (why it matters, what moat
//! does, the steps) as text and Markdown, with the item's section, CIS v6.0.0
//! and Security Hub controls in its properties. Each resource an item reports
//! is a result:
//!
//! | finding    | result                                                            |
//! |------------|-------------------------------------------------------------------|
//! | `fail`     | `level: "error"`                                                  |
//! | `accepted` | `level: "note"` and a suppression of kind `external` (the config's exception), status `accepted`, its justification the finding's detail (which quotes the exception's reason) |
//! | `manual`   | `kind: "review"`, `level: "none"`: nobody can tell by API, a person has to look. SARIF requires level `none` for any kind but `fail`; GitHub ignores `kind` and shows these as the lowest severity |
//!
//! An item that fails, or needs a person, without naming a resource gets one
//! result on the resource `account`. An item whose check could not run
//! (`error`, e.g. a denied permission) is no result: it is a tool execution
//! notification of the invocation, which is then not `executionSuccessful`.
//!
//! **Locations.** Findings are AWS resources, not files. The location that
//! says so is a logical location: `name` = the resource as `--resource`
//! takes it, `fullyQualifiedName` = `aws://{account}/{region or
//! global}/{resource}`, `kind` = `resource`. GitHub code scanning, though,
//! displays a result only with a physical location whose
//! `artifactLocation.uri` it accepts, and it refuses absolute URIs of schemes
//! it does not know ("unrecognized SARIF location URI scheme"). So each
//! result also has a physical location with a *relative* pseudo-path,
//! `aws/{account}/{region or global}/{resource}` (each segment
//! percent-encoded), and `region.startLine` 1. No such file exists in any
//! repository: GitHub shows the path as the alert's location, without a code
//! snippet. The path is stable across runs, as GitHub's alert tracking needs,
//! and every result carries `partialFingerprints` (item, account, region,
//! resource and its ordinal within the item) so that GitHub does not try to
//! fingerprint the missing file.
//!
//! With `--framework cis-6.0` the run also carries the benchmark as a SARIF
//! taxonomy (one taxon per control, with its status and items), each rule
//! relates to its controls, and `automationDetails.id` names the framework so
//! that an upload does not close the alerts of a full scan.
//!
//! **Comparison.** With `scan --compare` every result carries
//! `baselineState` (SARIF requires it on all results once on one):
//! `unchanged` when the earlier scan had the same result (item, resource,
//! region, status), `new` otherwise (also on items the earlier scan did not
//! read); each result of the earlier scan that is gone (a fixed finding, or
//! an accepted one no longer reported) is a result of its own with
//! `baselineState: "absent"`, at the level it had. A new failing result on
//! an item moat fixed before says so in its properties (`fixedByMoat`), and
//! the run's properties count failing results by change (`comparison`).
//!
//! Account text in messages and locations goes through [`sanitize`].

use super::markdown::escape;
use super::{Framework, Header, framework, mappings, sanitize};
use crate::checks::{self, ItemResult, Status};
use crate::guide::{ItemText, fill, guide};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// The `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the CIS benchmark is published (the taxonomy's `informationUri`).
const CIS_URI: &str = "https://www.cisecurity.org/benchmark/amazon_web_services";

/// Characters kept as they are in a pseudo-path segment: RFC 3986's unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The SARIF log, pretty-printed.
pub fn sarif(h: &Header, items: &[ItemResult]) -> String {
    super::pretty_json(&log(h, items))
}

/// The SARIF log as a JSON value.
pub fn log(h: &Header, items: &[ItemResult]) -> Value {
    let account = sanitize(h.account);
    let rules: Vec<Value> = items.iter().map(|i| rule(h, &account, i)).collect();
    let mut results = vec![];
    let mut notifications = vec![];
    for (index, i) in items.iter().enumerate() {
        if i.status == Status::Error {
            notifications.push(json!({
                "level": "error",
                "message": { "text": sanitize(&i.summary) },
                "associatedRule": { "id": i.id, "index": index },
            }));
        } else {
            // A resource that could not be read, in an item whose status
            // another finding decides (a failing one): said, not dropped.
            for f in i.findings.iter().filter(|f| f.status == Status::Error) {
                notifications.push(json!({
                    "level": "warning",
                    "message": { "text": sanitize(&format!("{}: {}", f.resource, f.detail)) },
                    "associatedRule": { "id": i.id, "index": index },
                }));
            }
        }
        let mut seen: Vec<(&str, Option<&str>)> = vec![];
        for f in &i.findings {
            let Some(mut r) = result_for(f.status) else {
                continue;
            };
            let key = (f.resource.as_str(), f.region.as_deref());
            let ordinal = seen.iter().filter(|k| **k == key).count();
            seen.push(key);
            let detail = sanitize(&f.detail);
            if f.status == Status::Accepted {
                r["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": detail,
                }]);
            }
            finish(
                &mut r,
                &account,
                i,
                index,
                &f.resource,
                f.region.as_deref(),
                detail,
                ordinal,
            );
            if let Some(c) = h.compare {
                let change = c.change(&i.id, &f.resource, f.region.as_deref(), f.status);
                mark(&mut r, change);
            }
            results.push(r);
        }
        // A failing (or manual) item that names no resource of that status.
        if matches!(i.status, Status::Fail | Status::Manual)
            && !i.findings.iter().any(|f| f.status == i.status)
            && let Some(mut r) = result_for(i.status)
        {
            let summary = sanitize(&i.summary);
            finish(&mut r, &account, i, index, "account", None, summary, 0);
            if let Some(c) = h.compare {
                mark(&mut r, c.item_change(i));
            }
            results.push(r);
        }
        // The earlier scan's results of this item that are gone.
        if let Some(c) = h.compare.filter(|c| c.compared(&i.id)) {
            for g in c.gone().iter().filter(|g| g.item == i.id) {
                let Some(mut r) = result_for(g.status) else {
                    continue;
                };
                let key = (g.resource.as_str(), g.region.as_deref());
                let ordinal = seen.iter().filter(|k| **k == key).count();
                seen.push(key);
                let message = format!(
                    "Not found any more: reported in the scan of {}.",
                    super::compare::stamp(c.since)
                );
                finish(
                    &mut r,
                    &account,
                    i,
                    index,
                    &g.resource,
                    g.region.as_deref(),
                    message,
                    ordinal,
                );
                r["baselineState"] = json!("absent");
                results.push(r);
            }
        }
    }

    let mut driver = json!({
        "name": "moat",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "shortDescription": { "text": env!("CARGO_PKG_DESCRIPTION") },
        "rules": rules,
    });
    let mut properties = json!({
        "account": account,
        "identity": sanitize(h.identity),
    });
    let mut category = format!("moat/{}/", path_segment(&account));
    if let Some(fw) = h.framework {
        driver["supportedTaxonomies"] = json!([{ "name": fw.taxonomy() }]);
        category = format!("moat/{}/{}/", path_segment(&account), fw.id());
        properties["framework"] = json!(fw.id());
    }
    let mut run = json!({
        "tool": { "driver": driver },
        "automationDetails": { "id": category },
        "invocations": [{
            "executionSuccessful": !notifications.iter().any(|n| n["level"] == "error"),
            "endTimeUtc": h.generated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "toolExecutionNotifications": notifications,
        }],
    });
    if let Some(fw) = h.framework {
        run["taxonomies"] = json!([taxonomy(fw, items)]);
    }
    if let Some(c) = h.compare {
        let mut comparison = json!(c.counts());
        comparison["since"] = json!(c.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        properties["comparison"] = comparison;
    }
    run["results"] = json!(results);
    run["properties"] = properties;
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The start of a result for a finding of this status; `None`: not a result.
fn result_for(status: Status) -> Option<Value> {
    match status {
        Status::Fail => Some(json!({ "level": "error" })),
        Status::Accepted => Some(json!({ "level": "note" })),
        Status::Manual => Some(json!({ "kind": "review", "level": "none" })),
        _ => None,
    }
}

/// A result's `baselineState` (`new` when its item was not compared), and
/// when moat fixed its item for a drift.
fn mark(r: &mut Value, change: Option<super::compare::Change>) {
    let change = change.unwrap_or(super::compare::Change::New);
    r["baselineState"] = json!(change.as_str());
    if let Some(t) = change.fixed_by_moat() {
        r["properties"] = json!({
            "fixedByMoat": t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
    }
}

/// Add the rule, message, location and fingerprint to a result.
#[allow(clippy::too_many_arguments)]
fn finish(
    r: &mut Value,
    account: &str,
    item: &ItemResult,
    rule_index: usize,
    resource: &str,
    region: Option<&str>,
    message: String,
    ordinal: usize,
) {
    let resource = sanitize(resource);
    let region = region.map(sanitize).unwrap_or_else(|| "global".into());
    r["ruleId"] = json!(item.id);
    r["ruleIndex"] = json!(rule_index);
    r["message"] = json!({ "text": message });
    r["locations"] = json!([location(account, &region, &resource)]);
    r["partialFingerprints"] = json!({
        "moatResource/v1": format!("{}|{account}|{region}|{resource}|{ordinal}", item.id),
    });
}

/// A result's location; see the module doc.
fn location(account: &str, region: &str, resource: &str) -> Value {
    let path: Vec<String> = ["aws", account, region]
        .into_iter()
        .chain(resource.split('/'))
        .map(path_segment)
        .collect();
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": path.join("/") },
            "region": { "startLine": 1 },
        },
        "logicalLocations": [{
            "name": resource,
            "fullyQualifiedName": format!("aws://{account}/{region}/{resource}"),
            "kind": "resource",
        }],
    })
}

/// One percent-encoded path segment; never empty, `.` or `..`.
fn path_segment(s: &str) -> String {
    let e = utf8_percent_encode(s, SEGMENT).to_string();
    if e.chars().all(|c| c == '.') {
        format!("_{e}")
    } else {
        e
    }
}

/// `account.root-access-keys` → `AccountRootAccessKeys`.
fn rule_name(id: &str) -> String {
    id.split(['.', '-', '_'])
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(h: &Header, account: &str, i: &ItemResult) -> Value {
    let text = guide().item(&i.id);
    let (cis, hub) = mappings(&i.id);
    let guided_only = checks::item(&i.id).is_some_and(|d| d.can_mark_done());
    let title = text.map(|t| t.title.as_str()).unwrap_or(&i.title);
    let summary = text.map(|t| t.summary.as_str()).unwrap_or(&i.summary);
    let (help_text, help_md) = match text {
        Some(t) => help(t, account),
        None => (sanitize(summary), escape(&sanitize(summary))),
    };
    let mut tags = vec![json!("security"), json!(i.section)];
    let mut properties = json!({ "cis": cis, "security-hub": hub });
    let mut r = json!({
        "id": i.id,
        "name": rule_name(&i.id),
        "shortDescription": { "text": sanitize(title) },
        "fullDescription": { "text": sanitize(summary) },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": if guided_only { "note" } else { "error" } },
    });
    if let Some(fw) = h.framework {
        let controls = checks::item(&i.id)
            .map(|d| fw.controls_of(d))
            .unwrap_or(&[]);
        tags.extend(controls.iter().map(|c| json!(format!("{}/{c}", fw.id()))));
        properties["framework"] = json!(fw.id());
        r["relationships"] = json!(
            controls
                .iter()
                .map(|c| json!({
                    "target": { "id": c, "toolComponent": { "name": fw.taxonomy() } },
                    "kinds": ["relevant"],
                }))
                .collect::<Vec<_>>()
        );
    }
    properties["tags"] = json!(tags);
    r["properties"] = properties;
    r
}

/// A rule's help from the guide: why it matters, what moat does, the steps.
fn help(t: &ItemText, account: &str) -> (String, String) {
    let md_account = escape(account);
    let mut text = format!("Why it matters\n{}\n\nWhat moat does\n{}\n", t.why, t.fix);
    let mut md = format!(
        "**Why it matters**\n\n{}\n\n**What moat does**\n\n{}\n",
        t.why, t.fix
    );
    if !t.steps.is_empty() {
        text.push_str("\nSteps\n");
        md.push_str("\n**Steps**\n\n");
        for (n, step) in t.steps.iter().enumerate() {
            text.push_str(&format!(
                "{}. {}\n",
                n + 1,
                fill(step, &[("account", account)])
            ));
            md.push_str(&format!(
                "{}. {}\n",
                n + 1,
                fill(step, &[("account", &md_account)])
            ));
        }
    }
    (text, md)
}

/// The framework as a SARIF taxonomy: one taxon per control the scan touched,
/// sorted numerically, with its status and items.
fn taxonomy(fw: Framework, items: &[ItemResult]) -> Value {
    let taxa: Vec<Value> = framework::controls(fw, items)
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "properties": {
                    "status": c.status,
                    "items": c.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
                },
            })
        })
        .collect();
    json!({
        "name": fw.taxonomy(),
        "version": fw.version(),
        "informationUri": CIS_URI,
        "shortDescription": { "text": fw.title() },
        "isComprehensive": false,
        "taxa": taxa,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;

    fn header(fw: Option<Framework>) -> Header<'static> {
        Header {
            account: "111122223333",
            identity: "arn:aws:iam::111122223333:user/ops-admin",
            generated: chrono::DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z")
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
            framework: fw,
            compare: None,
        }
    }

    /// This revision of the schema gives `language` (twice) a pattern with a
    /// stray `]`, which the meta-schema's `regex` format check rejects; later
    /// revisions in the OASIS repository correct it to `ESCAPED`. moat's logs
    /// have no `language`.
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    const ESCAPED: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";

    fn escape_stray_bracket(v: &mut Value) -> usize {
        match v {
            Value::String(s) if s == STRAY => {
                *s = ESCAPED.into();
                1
            }
            Value::Array(a) => a.iter_mut().map(escape_stray_bracket).sum(),
            Value::Object(o) => o.values_mut().map(escape_stray_bracket).sum(),
            _ => 0,
        }
    }

    /// The official OASIS SARIF 2.1.0 schema (see tests/data/README.md),
    /// checking formats (`uri`, `date-time`, …) too.
    fn validator() -> jsonschema::Validator {
        let mut schema: Value =
            serde_json::from_str(include_str!("../../tests/data/sarif-schema-2.1.0.json"))
                .expect("schema parses");
        assert_eq!(escape_stray_bracket(&mut schema), 2);
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles")
    }

    fn assert_valid(log: &Value) {
        let v = validator();
        let errors: Vec<String> = v
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn the_schema_rejects_what_it_should() {
        let v = validator();
        let ok = json!({ "version": "2.1.0", "runs": [] });
        assert!(v.is_valid(&ok));
        for bad in [
            json!({ "version": "2.0.0", "runs": [] }),
            json!({ "version": "2.1.0", "runs": [{}] }),
            json!({ "$schema": "not a uri", "version": "2.1.0", "runs": [] }),
            json!({ "version": "2.1.0", "runs": [{
                "tool": { "driver": { "name": "moat" } },
                "results": [{ "ruleId": "x", "level": "severe", "message": { "text": "m" } }],
            }] }),
        ] {
            assert!(!v.is_valid(&bad), "{bad}");
        }
    }

    #[test]
    fn a_compared_scan_is_valid_sarif_with_a_baseline_state_on_every_result() {
        use crate::report::compare::{Comparison, SavedScan};
        let items = super::super::tests::demo_results();
        let mut earlier = SavedScan::of("111122223333", true, header(None).generated, &items);
        // Earlier, one more user failed (fixed since) and the password
        // policy passed (new since).
        for i in &mut earlier.items {
            if i.id == "account.console-users-mfa" {
                i.findings.push(crate::report::compare::SavedFinding {
                    resource: "user/ghost".into(),
                    region: None,
                    status: Status::Fail,
                });
            }
            if i.id == "account.password-policy" {
                i.status = Status::Pass;
                i.findings.clear();
            }
        }
        let c = Comparison::new(&earlier, &items, &Default::default());
        let mut h = header(None);
        h.compare = Some(&c);
        let log = log(&h, &items);
        assert_valid(&log);
        let results = log["runs"][0]["results"].as_array().expect("results");
        let state = |rule: &str, resource: &str| {
            results
                .iter()
                .find(|r| {
                    r["ruleId"] == rule
                        && r["locations"][0]["logicalLocations"][0]["name"] == resource
                })
                .map(|r| r["baselineState"].clone())
        };
        assert_eq!(
            state("account.console-users-mfa", "user/ghost"),
            Some(json!("absent"))
        );
        assert_eq!(
            state("account.console-users-mfa", "user/dana"),
            Some(json!("unchanged"))
        );
        assert_eq!(
            state("account.password-policy", "password-policy"),
            Some(json!("new"))
        );
        assert!(results.iter().all(|r| r["baselineState"].is_string()));
        let counts = &log["runs"][0]["properties"]["comparison"];
        assert_eq!(counts["fixed"], 1, "{counts}");
        assert_eq!(counts["new"], 1, "{counts}");
        // Without a comparison, no result has a baseline state.
        let plain = super::log(&header(None), &items);
        let plain = plain["runs"][0]["results"].as_array().expect("results");
        assert!(plain.iter().all(|r| r.get("baselineState").is_none()));
    }

    #[test]
    fn demo_scan_is_valid_sarif() {
        let items = super::super::tests::demo_results();
        let text = sarif(&header(None), &items);
        let log: Value = serde_json::from_str(&text).expect("sarif parses");
        assert_valid(&log);

        let run = &log["runs"][0];
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(run["tool"]["driver"]["name"], "moat");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), items.len());
        let keys = &rules[0];
        assert_eq!(keys["id"], "account.root-access-keys");
        assert_eq!(keys["name"], "AccountRootAccessKeys");
        assert_eq!(keys["properties"]["cis"], json!(["2.3"]));
        assert_eq!(keys["properties"]["security-hub"], json!(["IAM.4"]));
        assert_eq!(keys["properties"]["tags"], json!(["security", "account"]));
        let help = keys["help"]["markdown"].as_str().unwrap_or_default();
        assert!(help.contains("**Why it matters**"), "{help}");
        assert!(help.contains("root user of account 111122223333"), "{help}");

        let results = run["results"].as_array().expect("results");
        let dana = results
            .iter()
            .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "user/dana")
            .expect("dana's result");
        assert_eq!(dana["ruleId"], "account.console-users-mfa");
        assert_eq!(dana["level"], "error");
        let idx = dana["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules[idx]["id"], "account.console-users-mfa");
        assert_eq!(
            dana["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "aws://111122223333/global/user/dana"
        );
        assert_eq!(
            dana["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "aws/111122223333/global/user/dana"
        );
        let manual = results
            .iter()
            .find(|r| r["ruleId"] == "account.security-questions")
            .expect("manual result");
        assert_eq!(manual["kind"], "review");
        assert_eq!(manual["level"], "none");
        // Fingerprints are unique, even for two findings on one resource.
        let mut prints: Vec<&str> = results
            .iter()
            .filter_map(|r| r["partialFingerprints"]["moatResource/v1"].as_str())
            .collect();
        let n = prints.len();
        prints.sort();
        prints.dedup();
        assert_eq!(prints.len(), n);
        assert_eq!(n, results.len());
    }

    /// An `error` item still reports its other findings (an accepted
    /// failure, a manual review); an unreadable resource in a failing item
    /// is a warning, not silence.
    #[test]
    fn unreadable_resources_are_reported_with_the_rest() {
        let mut items = super::super::tests::demo_results();
        let finding = |resource: &str, status| Finding {
            resource: resource.into(),
            region: None,
            status,
            detail: format!("{resource} detail"),
        };
        items[0].status = Status::Error;
        items[0].summary = "1 resource could not be read".into();
        items[0].findings = vec![
            finding("user/unread", Status::Error),
            finding("user/accepted", Status::Accepted),
        ];
        items[1].status = Status::Fail;
        items[1].findings = vec![
            finding("user/bad", Status::Fail),
            finding("user/hidden", Status::Error),
        ];
        let log = log(&header(None), &items);
        assert_valid(&log);
        let run = &log["runs"][0];
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .expect("notifications");
        assert!(notes.iter().any(|n| n["level"] == "error"
            && n["associatedRule"]["id"] == items[0].id.as_str()));
        assert!(notes.iter().any(|n| {
            n["level"] == "warning"
                && n["associatedRule"]["id"] == items[1].id.as_str()
                && n["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("user/hidden"))
        }));
        let results = run["results"].as_array().expect("results");
        assert!(
            results
                .iter()
                .any(|r| r["ruleId"] == items[0].id.as_str() && r["level"] == "note")
        );
    }

    #[test]
    fn accepted_errors_and_odd_resources_stay_valid() {
        let mut items = super::super::tests::demo_results();
        items[0].status = Status::Error;
        items[0].summary = "iam:GetAccountSummary denied\x1b[2J".into();
        items[0].findings.clear();
        items[2].findings.push(Finding {
            resource: "user/we ird/../%zz/é/".into(),
            region: Some("eu-west-1".into()),
            status: Status::Accepted,
            detail: "ok. Accepted: reason.".into(),
        });
        let log = log(&header(None), &items);
        assert_valid(&log);
        let run = &log["runs"][0];
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["associatedRule"]["id"], "account.root-access-keys");
        assert_eq!(
            note["message"]["text"],
            "iam:GetAccountSummary denied\\u{1b}[2J"
        );
        let accepted = run["results"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["level"] == "note"))
            .expect("accepted result");
        assert_eq!(accepted["suppressions"][0]["kind"], "external");
        assert_eq!(
            accepted["suppressions"][0]["justification"],
            "ok. Accepted: reason."
        );
        assert_eq!(
            accepted["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "aws/111122223333/eu-west-1/user/we%20ird/_../%25zz/%C3%A9/_"
        );
    }

    #[test]
    fn framework_adds_a_taxonomy_of_controls() {
        let items: Vec<ItemResult> = super::super::tests::demo_results()
            .into_iter()
            .filter(|i| checks::item(&i.id).is_some_and(|d| !d.cis.is_empty()))
            .collect();
        let log = log(&header(Some(Framework::Cis6)), &items);
        assert_valid(&log);
        let run = &log["runs"][0];
        let taxa: Vec<&str> = run["taxonomies"][0]["taxa"]
            .as_array()
            .map(|t| t.iter().filter_map(|x| x["id"].as_str()).collect())
            .unwrap_or_default();
        // Every mapped control once, in numeric order (the catalog decides which).
        let key = |c: &str| -> Vec<u32> { c.split('.').filter_map(|n| n.parse().ok()).collect() };
        assert!(taxa.starts_with(&["2.1", "2.2", "2.3"]), "{taxa:?}");
        assert!(taxa.windows(2).all(|w| key(w[0]) < key(w[1])), "{taxa:?}");
        let rule = &run["tool"]["driver"]["rules"][0];
        assert_eq!(rule["relationships"][0]["target"]["id"], "2.3");
        assert_eq!(
            rule["properties"]["tags"],
            json!(["security", "account", "cis-6.0/2.3"])
        );
        assert_eq!(run["automationDetails"]["id"], "moat/111122223333/cis-6.0/");
    }
}
