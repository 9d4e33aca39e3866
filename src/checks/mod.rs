//! Checklist items: their definitions and pure check functions, one file per
//! guide section. Adding a section means adding a file here (and its inventory
//! parts, ops and guide text), not changing the pipeline.

pub mod account;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod ebs;
pub mod ec2;
pub mod elb;
pub mod kit;
pub mod other;
pub mod rds;
pub mod reach;
pub mod regions;
pub mod route53;
pub mod s3;
pub mod settings;
#[cfg(test)]
pub(crate) mod testkit;
pub mod vpc;

use crate::aws::inventory::{Inventory, PartId, PartStatus};
use crate::plan::{Draft, InputSpec, Inputs, PlanError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
pub use settings::Settings;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Manual,
    Accepted,
    Error,
    Loading,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Manual => "manual",
            Status::Accepted => "accepted",
            Status::Error => "error",
            Status::Loading => "loading",
            Status::NotApplicable => "not_applicable",
        }
    }
}

impl Status {
    /// Symbols the table and TUI use.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Manual => "•",
            Status::Accepted => "≈",
            Status::Error => "!",
            Status::Loading => "…",
            Status::NotApplicable => "-",
        }
    }
}

/// One resource's state for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The resource, as `--resource` takes it (e.g. `user/alice/key/AKIA…`).
    pub resource: String,
    pub region: Option<String>,
    pub status: Status,
    pub detail: String,
}

impl Finding {
    pub fn fail(resource: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            region: None,
            status: Status::Fail,
            detail: detail.into(),
        }
    }
    pub fn manual(resource: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            region: None,
            status: Status::Manual,
            detail: detail.into(),
        }
    }
}

/// What a check returns: the item-level status, a one-line summary, and the
/// resources that fail (or need attention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub summary: String,
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// The status from [`kit::Rollup`]: `fail` when any finding fails; else
    /// `error` when a resource could not be read (what was read passing says
    /// nothing about it); else `manual` when one needs the user; else `pass`.
    /// `summary` explains it: `pass`, `fail` (also for `manual`), or, for
    /// `error`, a sentence naming the resources that could not be read.
    pub fn from_findings(findings: Vec<Finding>, pass: String, fail: String) -> Self {
        kit::Rollup::given(pass, fail).outcome(findings)
    }

    /// [`Outcome::from_findings`] with the item's own `error` summary.
    pub fn from_findings_or_error(
        findings: Vec<Finding>,
        pass: String,
        fail: String,
        error: String,
    ) -> Self {
        kit::Rollup::given(pass, fail)
            .unread(kit::Unread::Text(error))
            .outcome(findings)
    }

    pub fn pass(summary: String) -> Self {
        Self {
            status: Status::Pass,
            summary,
            findings: vec![],
        }
    }
}

use kit::unreadable_summary;

/// What a check may consult besides the inventory.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub settings: &'a Settings,
    /// Guided items the user marked done (item id → when).
    pub done: &'a BTreeMap<String, DateTime<Utc>>,
}

pub type CheckFn = fn(&Inventory, &Ctx) -> Outcome;
pub type PlanFn = fn(&Inventory, &Ctx, &Inputs) -> Result<Draft, PlanError>;

/// How an item gets fixed.
#[derive(Clone, Copy)]
pub enum Fix {
    /// Check only.
    None,
    /// No API can do it: show the steps, let the user mark it done.
    Guided,
    /// A plan of ops (which may itself answer "guided" in some cases, e.g. root keys
    /// when the caller is not root).
    Plan(PlanFn),
}

#[derive(Clone, Copy)]
pub struct ItemDef {
    pub id: &'static str,
    pub section: &'static str,
    /// Inventory parts the check reads.
    pub needs: &'static [PartId],
    /// CIS AWS Foundations Benchmark v6.0.0 controls.
    pub cis: &'static [&'static str],
    /// AWS Security Hub (CSPM) controls that check the same thing.
    pub security_hub: &'static [&'static str],
    pub check: CheckFn,
    pub fix: Fix,
    /// Inputs the plan asks for.
    pub inputs: &'static [InputSpec],
}

impl ItemDef {
    pub fn title(&self) -> String {
        crate::guide::guide().title(self.id)
    }
    /// Only items no API can check are decided by the user marking them done;
    /// for the others the live state decides, whatever the steps say.
    pub fn can_mark_done(&self) -> bool {
        matches!(self.fix, Fix::Guided) && self.needs.is_empty()
    }

    /// Items whose guide text has a step-by-step procedure.
    pub fn has_steps(&self) -> bool {
        crate::guide::guide()
            .item(self.id)
            .is_some_and(|t| !t.steps.is_empty())
    }
}

pub use crate::guide::SECTIONS;

/// Every item, in guide order.
pub fn items() -> &'static [ItemDef] {
    /// Each section's items, in guide order: a new section adds one entry.
    /// (The order here does not matter: `items()` sorts by `SECTIONS`.)
    const BY_SECTION: &[&[ItemDef]] = &[
        account::ITEMS,
        s3::ITEMS,
        cloudfront::ITEMS,
        // -- ec2
        ec2::ITEMS,
        // -- ebs, vpc
        ebs::ITEMS,
        vpc::ITEMS,
        // -- cloudtrail, cloudwatch
        cloudtrail::ITEMS,
        cloudwatch::ITEMS,
        // -- rds, route53, elb, other
        rds::ITEMS,
        route53::ITEMS,
        elb::ITEMS,
        other::ITEMS,
    ];
    static ALL: std::sync::OnceLock<Vec<ItemDef>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<ItemDef> = BY_SECTION.iter().flat_map(|s| s.iter().copied()).collect();
        // Stable: items keep their order within a section.
        all.sort_by_key(|i| {
            SECTIONS
                .iter()
                .position(|s| *s == i.section)
                .unwrap_or(SECTIONS.len())
        });
        all
    })
}

pub fn item(id: &str) -> Option<&'static ItemDef> {
    items().iter().find(|i| i.id == id)
}

/// Sections that have items, in guide order.
pub fn sections() -> Vec<&'static str> {
    SECTIONS
        .iter()
        .copied()
        .filter(|s| items().iter().any(|i| i.section == *s))
        .collect()
}

/// The closest known item id, for "did you mean".
pub fn closest_item(id: &str) -> Option<&'static str> {
    items()
        .iter()
        .map(|i| (strsim::jaro_winkler(id, i.id), i.id))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// An item's evaluated state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub id: String,
    pub section: String,
    pub title: String,
    pub status: Status,
    pub summary: String,
    pub findings: Vec<Finding>,
}

/// Evaluate `items` now against `inv`, with the account's progress saved
/// in `state_dir` (the guided items the user marked done).
pub fn evaluate_saved(
    items: &[&ItemDef],
    inv: &Inventory,
    settings: &Settings,
    state_dir: &std::path::Path,
) -> Vec<ItemResult> {
    with_saved_progress(inv, settings, state_dir, |ctx| {
        items.iter().map(|d| evaluate(d, inv, ctx)).collect()
    })
}

/// `f` with a [`Ctx`] of now, `settings` and the progress saved in
/// `state_dir` for `inv`'s account (none when it cannot be read).
pub fn with_saved_progress<T>(
    inv: &Inventory,
    settings: &Settings,
    state_dir: &std::path::Path,
    f: impl FnOnce(&Ctx) -> T,
) -> T {
    let progress = inv
        .account_id()
        .and_then(|a| {
            crate::state::Progress::load(state_dir, a)
                .map_err(|e| tracing::warn!("{e}"))
                .ok()
        })
        .unwrap_or_default();
    f(&Ctx {
        now: crate::state::now(),
        settings,
        done: &progress.done,
    })
}

/// Evaluate one item: `loading` until its parts arrive, `error` when one failed.
pub fn evaluate(def: &ItemDef, inv: &Inventory, ctx: &Ctx) -> ItemResult {
    let mut loading = false;
    let mut errors = vec![];
    for p in def.needs {
        match inv.status(*p) {
            PartStatus::Loading => loading = true,
            PartStatus::Error(e) => errors.push(e.summary()),
            PartStatus::Ready => {}
        }
    }
    let (status, summary, findings) = if !errors.is_empty() {
        (Status::Error, errors.join("; "), vec![])
    } else if loading {
        (Status::Loading, String::new(), vec![])
    } else {
        let o = (def.check)(inv, ctx);
        apply_exceptions(def.id, o, ctx)
    };
    ItemResult {
        id: def.id.to_string(),
        section: def.section.to_string(),
        title: def.title(),
        status,
        summary,
        findings,
    }
}

/// Turn failing findings the config accepts into `accepted` (an expired
/// exception fails again, and says so); the item is `accepted` when every
/// failing resource is and every resource could be read (else `error`).
fn apply_exceptions(item: &str, o: Outcome, ctx: &Ctx) -> (Status, String, Vec<Finding>) {
    let today = ctx.now.date_naive();
    let mut findings = o.findings;
    let mut touched = false;
    for f in findings.iter_mut().filter(|f| f.status == Status::Fail) {
        let Some(e) = ctx.settings.exception_for(item, &f.resource) else {
            continue;
        };
        touched = true;
        match e.expires {
            Some(d) if d < today => {
                let date = d.to_string();
                f.detail = crate::guide::msg(
                    "exception",
                    "expired",
                    &[
                        ("detail", &f.detail),
                        ("reason", &e.reason),
                        ("date", &date),
                    ],
                );
            }
            Some(d) => {
                let date = d.to_string();
                f.status = Status::Accepted;
                f.detail = crate::guide::msg(
                    "exception",
                    "accepted_until",
                    &[
                        ("detail", &f.detail),
                        ("reason", &e.reason),
                        ("date", &date),
                    ],
                );
            }
            None => {
                f.status = Status::Accepted;
                f.detail = crate::guide::msg(
                    "exception",
                    "accepted",
                    &[("detail", &f.detail), ("reason", &e.reason)],
                );
            }
        }
    }
    if !touched || o.status != Status::Fail {
        return (o.status, o.summary, findings);
    }
    if findings.iter().any(|f| f.status == Status::Fail) {
        (Status::Fail, o.summary, findings)
    } else if findings.iter().any(|f| f.status == Status::Error) {
        // An accepted failure says nothing about a resource that could not
        // be read.
        let summary = unreadable_summary(&findings);
        (Status::Error, summary, findings)
    } else {
        let n = findings
            .iter()
            .filter(|f| f.status == Status::Accepted)
            .count()
            .to_string();
        (
            Status::Accepted,
            crate::guide::msg("exception", "item_accepted", &[("count", &n)]),
            findings,
        )
    }
}

/// The inventory parts needed by the given items.
pub fn parts_for(items: &[&ItemDef]) -> Vec<PartId> {
    let mut parts: Vec<PartId> = items.iter().flat_map(|i| i.needs.iter().copied()).collect();
    parts.push(PartId::Identity);
    parts.sort();
    parts.dedup();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::guide;

    /// The TUI re-checks an item only when a part it `needs` arrives, so a
    /// check must read nothing else: taking away any other part leaves its
    /// result unchanged (on the demo account, where every item has data).
    #[test]
    fn every_check_reads_only_the_parts_it_declares() {
        let demo = crate::collect::demo::demo_inventory().expect("demo");
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: "2026-11-29T00:00:00Z".parse().expect("time"),
            settings: &settings,
            done: &done,
        };
        for def in items() {
            let full = evaluate(def, &demo, &ctx);
            for p in PartId::ALL.iter().filter(|p| !def.needs.contains(p)) {
                let mut without = demo.clone();
                without.reset(*p);
                assert_eq!(
                    evaluate(def, &without, &ctx),
                    full,
                    "{} reads {p:?} but does not declare it in `needs`",
                    def.id
                );
            }
        }
    }

    #[test]
    fn every_item_has_guide_text_and_every_input_a_label() {
        for def in items() {
            let t = guide()
                .item(def.id)
                .unwrap_or_else(|| panic!("{} has no guide text", def.id));
            assert!(
                !t.title.is_empty()
                    && !t.summary.is_empty()
                    && !t.why.is_empty()
                    && !t.fix.is_empty()
            );
            for spec in def.inputs {
                assert!(
                    t.inputs.contains_key(spec.name),
                    "{}: input {} has no label",
                    def.id,
                    spec.name
                );
            }
            if matches!(def.fix, Fix::Guided) {
                assert!(!t.steps.is_empty(), "{} is guided but has no steps", def.id);
            }
            assert!(SECTIONS.contains(&def.section), "{}", def.id);
            assert!(
                def.id.starts_with(&format!("{}.", def.section)),
                "{}",
                def.id
            );
        }
        for s in &guide().sections {
            for t in &s.items {
                assert!(
                    item(&t.id).is_some(),
                    "guide text for unknown item {}",
                    t.id
                );
            }
        }
    }

    #[test]
    fn exceptions_accept_until_they_expire() {
        use crate::config::{Exception, Settings};
        use chrono::TimeZone;
        let inv = crate::collect::demo::demo_inventory().expect("demo");
        let def = item("account.alternate-contacts").expect("item");
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 0, 0, 0)
            .single()
            .expect("date");
        let done = Default::default();
        let exception = |resource: &str, expires: Option<&str>| Exception {
            item: def.id.into(),
            resource: resource.into(),
            reason: "handled by the parent organisation".into(),
            expires: expires.and_then(|d| d.parse().ok()),
        };
        let run = |exceptions: Vec<Exception>| {
            let settings = Settings {
                exceptions,
                ..Settings::default()
            };
            evaluate(
                def,
                &inv,
                &Ctx {
                    now,
                    settings: &settings,
                    done: &done,
                },
            )
        };
        assert_eq!(run(vec![]).status, Status::Fail);
        // One of two failing resources accepted: still failing.
        let r = run(vec![exception("contact/SECURITY", None)]);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.findings
                .iter()
                .filter(|f| f.status == Status::Accepted)
                .count(),
            1
        );
        // Both accepted: the item is accepted, the reason is visible.
        let r = run(vec![
            exception("contact/SECURITY", None),
            exception("contact/OPERATIONS", Some("2027-01-01")),
        ]);
        assert_eq!(r.status, Status::Accepted);
        assert!(
            r.findings
                .iter()
                .all(|f| f.detail.contains("parent organisation")),
            "{:?}",
            r.findings
        );
        // An expired exception fails again and says so.
        let r = run(vec![
            exception("contact/SECURITY", None),
            exception("contact/OPERATIONS", Some("2026-11-28")),
        ]);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings
                .iter()
                .any(|f| f.status == Status::Fail && f.detail.contains("2026-11-28"))
        );
        // Another item's exception does not apply.
        let mut other = exception("contact/SECURITY", None);
        other.item = "account.root-mfa".into();
        assert_eq!(
            run(vec![other])
                .findings
                .iter()
                .filter(|f| f.status == Status::Accepted)
                .count(),
            0
        );
    }

    fn found(resource: &str, status: Status) -> Finding {
        Finding {
            resource: resource.into(),
            region: None,
            status,
            detail: format!("{resource} is {}", status.as_str()),
        }
    }

    fn rolled(statuses: &[Status]) -> Outcome {
        let findings = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| found(&format!("r{i}"), *s))
            .collect();
        Outcome::from_findings(findings, "PASS".into(), "FAIL".into())
    }

    /// A resource that could not be read is never a pass, alone or next to
    /// passing ones.
    #[test]
    fn error_findings_are_never_pass() {
        for statuses in [
            vec![Status::Error],
            vec![Status::Error, Status::Error],
            vec![Status::Pass, Status::Error],
            vec![Status::Error, Status::NotApplicable, Status::Pass],
        ] {
            let o = rolled(&statuses);
            assert_eq!(o.status, Status::Error, "{statuses:?}");
            assert_ne!(o.summary, "PASS");
        }
        let o = Outcome::from_findings(
            vec![found("bucket/logs", Status::Error)],
            "PASS".into(),
            "FAIL".into(),
        );
        assert!(o.summary.contains("bucket/logs"), "{}", o.summary);
        assert!(!o.summary.starts_with("outcome:"), "{}", o.summary);
    }

    /// fail > error > manual > pass, whatever the order of the findings.
    #[test]
    fn rollup_precedence() {
        use Status::*;
        for (statuses, want) in [
            (vec![], Pass),
            (vec![Pass], Pass),
            (vec![Manual, Pass], Manual),
            (vec![Manual, Error], Error),
            (vec![Error, Manual], Error),
            (vec![Error, Fail], Fail),
            (vec![Fail, Error, Manual], Fail),
            (vec![Manual, Fail], Fail),
        ] {
            let o = rolled(&statuses);
            assert_eq!(o.status, want, "{statuses:?}");
            let summary = match want {
                Pass => "PASS",
                Fail | Manual => "FAIL",
                _ => continue,
            };
            assert_eq!(o.summary, summary, "{statuses:?}");
        }
        let o = Outcome::from_findings_or_error(
            vec![found("a", Error), found("b", Manual)],
            "PASS".into(),
            "FAIL".into(),
            "ERROR".into(),
        );
        assert_eq!((o.status, o.summary.as_str()), (Error, "ERROR"));
        let o = Outcome::from_findings_or_error(
            vec![found("a", Error), found("b", Fail)],
            "PASS".into(),
            "FAIL".into(),
            "ERROR".into(),
        );
        assert_eq!((o.status, o.summary.as_str()), (Fail, "FAIL"));
    }

    /// Accepting every failing resource does not hide one that could not be
    /// read: the item is `error`, not `accepted`.
    #[test]
    fn accepted_failures_do_not_hide_unreadable_resources() {
        use crate::config::Exception;
        let settings = Settings {
            exceptions: vec![Exception {
                item: "account.alternate-contacts".into(),
                resource: "bad".into(),
                reason: "known".into(),
                expires: None,
            }],
            ..Settings::default()
        };
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: "2026-11-29T00:00:00Z".parse().expect("time"),
            settings: &settings,
            done: &done,
        };
        let o = Outcome::from_findings(
            vec![found("bad", Status::Fail), found("unread", Status::Error)],
            "PASS".into(),
            "FAIL".into(),
        );
        let (status, summary, findings) = apply_exceptions("account.alternate-contacts", o, &ctx);
        assert_eq!(status, Status::Error, "{summary}");
        assert!(summary.contains("unread"), "{summary}");
        assert_eq!(findings[0].status, Status::Accepted);
        let o = Outcome::from_findings(
            vec![found("bad", Status::Fail)],
            "PASS".into(),
            "FAIL".into(),
        );
        let (status, _, _) = apply_exceptions("account.alternate-contacts", o, &ctx);
        assert_eq!(status, Status::Accepted);
    }

    #[test]
    fn closest_item_suggests() {
        assert_eq!(
            closest_item("account.pasword-policy"),
            Some("account.password-policy")
        );
        assert_eq!(closest_item("zzzz"), None);
    }
}
