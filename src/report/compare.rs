//! A scan compared with an earlier one of the same account (`scan --compare`,
//! the TUI header): which findings are new, fixed or unchanged since then.
//!
//! A scan is saved as a [`SavedScan`]: each item's status and each finding's
//! resource, region and status (not the inventory). Comparison works on
//! *results*, the same ones SARIF reports: every finding that fails, is
//! accepted or needs a person, and, for an item that fails (or needs a
//! person) without naming a resource of that status, one result on the
//! resource `account`. A result is the same in both scans when its item,
//! resource, region and status are; resource and region are compared
//! sanitized, so that a scan saved by the TUI (which keeps account text
//! sanitized) matches one saved by `scan`.
//!
//! Only items read in both scans are compared: an item missing from the
//! earlier scan, or that could not be checked in either (`error`,
//! `loading`), is *not compared* and its findings carry no change.
//!
//! The counts people read ("3 fixed, 1 new") are of failing results: *new*
//! fails now and did not then; *fixed* failed then and does not now (it
//! passes, is accepted, or the resource is gone); *unchanged* failed both
//! times. A new failing result on an item that moat itself fixed before the
//! current scan (the journal's applied entries) is *drift*: fixed by moat,
//! failing again.

use crate::checks::{ItemResult, Status};
use crate::kit::text::sanitize;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the saved-scan file format.
pub const SAVED_SCAN_VERSION: u32 = 1;

/// What is kept of a scan to compare the next one with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedScan {
    pub version: u32,
    pub account: String,
    /// A scan of the built-in demo account (kept apart from real accounts).
    #[serde(default)]
    pub demo: bool,
    pub time: DateTime<Utc>,
    pub items: Vec<SavedItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedItem {
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<SavedFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFinding {
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub status: Status,
}

impl SavedScan {
    /// What to keep of `items`, a scan of `account` at `time`.
    pub fn of<R: Borrow<ItemResult>>(
        account: &str,
        demo: bool,
        time: DateTime<Utc>,
        items: &[R],
    ) -> SavedScan {
        SavedScan {
            version: SAVED_SCAN_VERSION,
            account: account.to_string(),
            demo,
            time,
            items: items
                .iter()
                .map(Borrow::borrow)
                .map(|i: &ItemResult| SavedItem {
                    id: i.id.clone(),
                    status: i.status,
                    findings: i
                        .findings
                        .iter()
                        .map(|f| SavedFinding {
                            resource: f.resource.clone(),
                            region: f.region.clone(),
                            status: f.status,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The result of item `id`, when this scan holds one.
    pub fn item(&self, id: &str) -> Option<&SavedItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The ids of the items this scan holds a result for.
    pub fn item_ids(&self) -> BTreeSet<&str> {
        self.items.iter().map(|i| i.id.as_str()).collect()
    }
}

/// A finding's change since the earlier scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Not in the earlier scan (with this status).
    New,
    /// In both scans, with the same status.
    Unchanged,
    /// New and failing on an item moat fixed at this time: failing again.
    Drift(DateTime<Utc>),
}

impl Change {
    /// `new` or `unchanged` (drift is new: it was not failing then).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New | Change::Drift(_) => "new",
            Change::Unchanged => "unchanged",
        }
    }

    /// When moat fixed the item, for a drift.
    pub fn fixed_by_moat(self) -> Option<DateTime<Utc>> {
        match self {
            Change::Drift(t) => Some(t),
            _ => None,
        }
    }
}

/// A result of the earlier scan that is not in this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gone {
    pub item: String,
    /// Sanitized, as compared.
    pub resource: String,
    pub region: Option<String>,
    /// Its status in the earlier scan.
    pub status: Status,
}

/// Failing results by change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub new: usize,
    pub fixed: usize,
    pub unchanged: usize,
    /// Of the new: on an item moat fixed before.
    pub drift: usize,
}

/// An item's change as a whole, for a list of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemChange {
    /// A failing result is new on an item moat fixed before.
    Drift(DateTime<Utc>),
    /// A failing result is new.
    New,
    /// A failing result went away, and none is new.
    Fixed,
}

/// A result within an item: resource, region, status (sanitized).
type Key = (String, Option<String>, Status);

/// One scan compared with an earlier one, item by item.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// When the earlier scan ran.
    pub since: DateTime<Utc>,
    /// The items read in both scans.
    items: BTreeMap<String, ItemComparison>,
}

/// One item's results compared with the earlier scan's (the item was read
/// in both). An item's comparison depends only on its own results, so the
/// TUI redoes only the items a new part changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemComparison {
    current: BTreeMap<Key, Change>,
    /// The earlier scan's results that are not in this one, in order.
    gone: Vec<Gone>,
    counts: Counts,
}

/// The results of an item: its findings of a result status, and the item's
/// own result on `account` when none names a resource of its status.
fn results<'a>(
    status: Status,
    findings: impl Iterator<Item = (&'a str, Option<&'a str>, Status)> + Clone,
) -> Vec<(String, Option<String>, Status)> {
    let is_result = |s: Status| matches!(s, Status::Fail | Status::Manual | Status::Accepted);
    let mut out: Vec<(String, Option<String>, Status)> = findings
        .clone()
        .filter(|(_, _, s)| is_result(*s))
        .map(|(r, g, s)| (sanitize(r), g.map(sanitize), s))
        .collect();
    if matches!(status, Status::Fail | Status::Manual)
        && !findings.into_iter().any(|f| f.2 == status)
    {
        out.push(("account".into(), None, status));
    }
    out
}

/// Whether an item's results can be compared: it was read.
fn readable(s: Status) -> bool {
    !matches!(s, Status::Error | Status::Loading)
}

impl ItemComparison {
    /// Compare `item` with its result in the earlier scan (`old`); `None`
    /// when it cannot be compared (missing then, or not read in either).
    /// `drift` is when moat last fixed the item (see [`Change::Drift`]).
    pub fn new(
        old: Option<&SavedItem>,
        item: &ItemResult,
        drift: Option<DateTime<Utc>>,
    ) -> Option<ItemComparison> {
        let old = old?;
        if !readable(item.status) || !readable(old.status) {
            return None;
        }
        let then: BTreeSet<Key> = results(
            old.status,
            old.findings
                .iter()
                .map(|f| (f.resource.as_str(), f.region.as_deref(), f.status)),
        )
        .into_iter()
        .collect();
        let now = results(
            item.status,
            item.findings
                .iter()
                .map(|f| (f.resource.as_str(), f.region.as_deref(), f.status)),
        );
        let mut counts = Counts::default();
        let mut current = BTreeMap::new();
        for key in now {
            let change = if then.contains(&key) {
                Change::Unchanged
            } else {
                match drift {
                    Some(t) if key.2 == Status::Fail => Change::Drift(t),
                    _ => Change::New,
                }
            };
            let fail = key.2 == Status::Fail;
            if current.insert(key, change).is_none() && fail {
                match change {
                    Change::Unchanged => counts.unchanged += 1,
                    Change::New => counts.new += 1,
                    Change::Drift(_) => {
                        counts.new += 1;
                        counts.drift += 1;
                    }
                }
            }
        }
        let gone: Vec<Gone> = then
            .into_iter()
            .filter(|k| !current.contains_key(k))
            .map(|(resource, region, status)| Gone {
                item: item.id.clone(),
                resource,
                region,
                status,
            })
            .collect();
        counts.fixed = gone.iter().filter(|g| g.status == Status::Fail).count();
        Some(ItemComparison {
            current,
            gone,
            counts,
        })
    }

    /// The change of the item as a whole: drift, new, or fixed.
    fn summary(&self) -> Option<ItemChange> {
        let mut new = false;
        let mut drift = None;
        for ((_, _, status), change) in &self.current {
            if *status != Status::Fail {
                continue;
            }
            match change {
                Change::Drift(t) => drift = Some(*t),
                Change::New => new = true,
                Change::Unchanged => {}
            }
        }
        if let Some(t) = drift {
            Some(ItemChange::Drift(t))
        } else if new {
            Some(ItemChange::New)
        } else if self.counts.fixed > 0 {
            Some(ItemChange::Fixed)
        } else {
            None
        }
    }
}

impl Comparison {
    /// Compare `current` with `earlier`. `fixed_by_moat` holds, per item, the
    /// last time an apply of its fix succeeded (and was not undone).
    pub fn new<R: Borrow<ItemResult>>(
        earlier: &SavedScan,
        current: &[R],
        fixed_by_moat: &BTreeMap<String, DateTime<Utc>>,
    ) -> Comparison {
        let mut c = Comparison::empty(earlier.time);
        for item in current {
            let item = item.borrow();
            let compared = ItemComparison::new(
                earlier.item(&item.id),
                item,
                fixed_by_moat.get(&item.id).copied(),
            );
            c.set(&item.id, compared);
        }
        c
    }

    /// A comparison with a scan of `since` that has no item compared yet.
    pub fn empty(since: DateTime<Utc>) -> Comparison {
        Comparison {
            since,
            items: BTreeMap::new(),
        }
    }

    /// Set one item's comparison (`None`: it cannot be compared).
    pub fn set(&mut self, item: &str, compared: Option<ItemComparison>) {
        match compared {
            Some(c) => {
                self.items.insert(item.to_string(), c);
            }
            None => {
                self.items.remove(item);
            }
        }
    }

    /// Whether `item` was compared (read in both scans).
    pub fn compared(&self, item: &str) -> bool {
        self.items.contains_key(item)
    }

    /// The change of one result of this scan; `None` when its item was not
    /// compared or the finding is no result (it passes, or could not be read).
    pub fn change(
        &self,
        item: &str,
        resource: &str,
        region: Option<&str>,
        status: Status,
    ) -> Option<Change> {
        self.items
            .get(item)?
            .current
            .get(&(sanitize(resource), region.map(sanitize), status))
            .copied()
    }

    /// The change of an item's own result (on `account`, see the module doc).
    pub fn item_change(&self, item: &ItemResult) -> Option<Change> {
        if !matches!(item.status, Status::Fail | Status::Manual)
            || item.findings.iter().any(|f| f.status == item.status)
        {
            return None;
        }
        self.change(&item.id, "account", None, item.status)
    }

    /// Results of the earlier scan that are not in this one, by item.
    pub fn gone(&self) -> Vec<&Gone> {
        self.items.values().flat_map(|c| &c.gone).collect()
    }

    /// The earlier scan's failing results of `item` that no longer fail.
    pub fn fixed<'a>(&'a self, item: &str) -> impl Iterator<Item = &'a Gone> + 'a {
        self.items
            .get(item)
            .into_iter()
            .flat_map(|c| &c.gone)
            .filter(|g| g.status == Status::Fail)
    }

    /// Failing results by change.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for i in self.items.values() {
            c.new += i.counts.new;
            c.fixed += i.counts.fixed;
            c.unchanged += i.counts.unchanged;
            c.drift += i.counts.drift;
        }
        c
    }

    /// The change of an item as a whole: drift, new, or fixed.
    pub fn item_summary(&self, item: &str) -> Option<ItemChange> {
        self.items.get(item)?.summary()
    }
}

impl Counts {
    /// `3 fixed, 1 new (1 failing again after a fix by moat), 12 unchanged`.
    pub fn sentence(&self) -> String {
        let mut s = format!("{} fixed, {} new", self.fixed, self.new);
        if self.drift > 0 {
            s.push_str(&format!(
                " ({} failing again after a fix by moat)",
                self.drift
            ));
        }
        s.push_str(&format!(", {} unchanged", self.unchanged));
        s
    }
}

/// A date as reports print it.
pub fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A time as reports print it.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 10, 0, 0)
            .single()
            .expect("date")
    }

    use crate::report::test_item as item;

    fn fail(r: &str) -> Finding {
        Finding::fail(r, "d")
    }

    #[test]
    fn new_fixed_unchanged_and_drift() {
        let earlier = vec![
            item("a.one", Status::Fail, vec![fail("user/x"), fail("user/y")]),
            item("a.two", Status::Pass, vec![]),
            item("a.three", Status::Fail, vec![fail("bucket/b")]),
        ];
        let now = vec![
            item("a.one", Status::Fail, vec![fail("user/y"), fail("user/z")]),
            item("a.two", Status::Fail, vec![fail("key/k")]),
            item("a.three", Status::Pass, vec![]),
        ];
        let saved = SavedScan::of("111122223333", false, at(1), &earlier);
        let moat_fixed = BTreeMap::from([("a.two".to_string(), at(2))]);
        let c = Comparison::new(&saved, &now, &moat_fixed);
        assert_eq!(
            c.change("a.one", "user/y", None, Status::Fail),
            Some(Change::Unchanged)
        );
        assert_eq!(
            c.change("a.one", "user/z", None, Status::Fail),
            Some(Change::New)
        );
        assert_eq!(
            c.change("a.two", "key/k", None, Status::Fail),
            Some(Change::Drift(at(2)))
        );
        let fixed: Vec<&str> = c.gone().iter().map(|g| g.resource.as_str()).collect();
        assert_eq!(fixed, ["user/x", "bucket/b"]);
        assert_eq!(
            c.counts(),
            Counts {
                new: 2,
                fixed: 2,
                unchanged: 1,
                drift: 1
            }
        );
        assert_eq!(
            c.counts().sentence(),
            "2 fixed, 2 new (1 failing again after a fix by moat), 1 unchanged"
        );
        assert_eq!(c.item_summary("a.one"), Some(ItemChange::New));
        assert_eq!(c.item_summary("a.two"), Some(ItemChange::Drift(at(2))));
        assert_eq!(c.item_summary("a.three"), Some(ItemChange::Fixed));
        assert_eq!(c.since, at(1));
    }

    #[test]
    fn a_status_change_is_a_new_result_and_a_gone_one() {
        let earlier = vec![item("a.one", Status::Fail, vec![fail("user/x")])];
        let mut accepted = fail("user/x");
        accepted.status = Status::Accepted;
        let now = vec![item("a.one", Status::Pass, vec![accepted])];
        let c = Comparison::new(
            &SavedScan::of("1", false, at(1), &earlier),
            &now,
            &BTreeMap::new(),
        );
        assert_eq!(
            c.change("a.one", "user/x", None, Status::Accepted),
            Some(Change::New)
        );
        assert_eq!(c.fixed("a.one").count(), 1);
        // Accepted results are not counted as failing ones.
        assert_eq!(c.counts().new, 0);
        assert_eq!(c.counts().fixed, 1);
    }

    #[test]
    fn items_not_read_in_both_scans_are_not_compared() {
        let earlier = vec![
            item("a.one", Status::Error, vec![]),
            item("a.two", Status::Fail, vec![fail("user/x")]),
        ];
        let now = vec![
            item("a.one", Status::Fail, vec![fail("user/x")]),
            item("a.two", Status::Error, vec![]),
            item("a.new", Status::Fail, vec![fail("user/x")]),
        ];
        let c = Comparison::new(
            &SavedScan::of("1", false, at(1), &earlier),
            &now,
            &BTreeMap::new(),
        );
        for id in ["a.one", "a.two", "a.new"] {
            assert!(!c.compared(id), "{id}");
            assert_eq!(c.change(id, "user/x", None, Status::Fail), None);
        }
        assert!(c.gone().is_empty());
        assert_eq!(c.counts(), Counts::default());
    }

    #[test]
    fn an_item_failing_without_a_resource_is_a_result_on_the_account() {
        let earlier = vec![item("a.one", Status::Fail, vec![])];
        let now = vec![item("a.one", Status::Fail, vec![])];
        let c = Comparison::new(
            &SavedScan::of("1", false, at(1), &earlier),
            &now,
            &BTreeMap::new(),
        );
        assert_eq!(c.item_change(&now[0]), Some(Change::Unchanged));
        let fixed = vec![item("a.one", Status::Pass, vec![])];
        let c = Comparison::new(
            &SavedScan::of("1", false, at(1), &earlier),
            &fixed,
            &BTreeMap::new(),
        );
        assert_eq!(c.counts().fixed, 1);
        assert_eq!(c.gone()[0].resource, "account");
    }

    #[test]
    fn sanitized_and_raw_text_compare_equal() {
        let earlier = vec![item("a.one", Status::Fail, vec![fail("user/a\x1bb")])];
        let saved = SavedScan::of("1", false, at(1), &earlier);
        let now = vec![item("a.one", Status::Fail, vec![fail("user/a\\u{1b}b")])];
        let c = Comparison::new(&saved, &now, &BTreeMap::new());
        assert_eq!(c.counts().unchanged, 1);
        assert_eq!(
            c.change("a.one", "user/a\x1bb", None, Status::Fail),
            Some(Change::Unchanged)
        );
    }

    #[test]
    fn saved_scans_round_trip() {
        let saved = SavedScan::of(
            "1",
            true,
            at(1),
            &[item("a.one", Status::Fail, vec![fail("user/x")])],
        );
        let text = serde_json::to_string(&saved).expect("json");
        let back: SavedScan = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, saved);
    }
}
