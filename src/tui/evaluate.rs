//! Items are checked off the UI task. On a large account one part's items
//! take a second to check (twelve S3 items over 10,000 buckets), and
//! comparing their tens of thousands of findings with the last scan a tenth
//! of that: the UI task hands such work to a blocking thread
//! ([`CheckJob`]) and takes the answers ([`Checked`]) when they arrive, as
//! it does with plans. An item whose parts are not all read (loading, or
//! failed), or that reads none (a guided item), costs nothing to check and
//! is settled at once, so a part being read again shows as loading without
//! a round trip.
//!
//! Each item remembers the job that will bring its result; an answer for an
//! item asked again since is dropped, so answers may arrive in any order.

use super::model::{Model, evaluate_sanitized};
use super::update::Effect;
use crate::aws::inventory::{Inventory, PartStatus};
use crate::checks::{self, Ctx, ItemResult};
use crate::config::Settings;
use crate::history::Baseline;
use crate::report::compare::ItemComparison;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a job does for one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Check the item against the inventory (and compare the result).
    Check,
    /// Compare this result of the item with the baseline (it arrived
    /// after the item was checked).
    Compare(Arc<ItemResult>),
}

/// Items to check (or compare) on another thread, with everything they
/// read, owned: the inventory's parts are shared, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckJob {
    pub seq: u64,
    /// Items by index in guide order (`checks::items()`).
    pub tasks: Vec<(usize, Task)>,
    pub inventory: Inventory,
    pub now: DateTime<Utc>,
    pub settings: Settings,
    pub done: BTreeMap<String, DateTime<Utc>>,
    pub baseline: Option<Arc<Baseline>>,
}

/// One item's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub index: usize,
    /// `false`: a [`Task::Compare`], `result` is the result compared.
    pub checked: bool,
    pub result: Arc<ItemResult>,
    pub compared: Option<ItemComparison>,
    /// The baseline `compared` is against (`None`: there was none).
    pub baseline: Option<Arc<Baseline>>,
}

impl CheckJob {
    pub fn run(&self) -> Vec<Checked> {
        let ctx = Ctx {
            now: self.now,
            settings: &self.settings,
            done: &self.done,
        };
        let items = checks::items();
        self.tasks
            .iter()
            .filter_map(|(index, task)| {
                let (checked, result) = match task {
                    Task::Check => (
                        true,
                        Arc::new(evaluate_sanitized(
                            items.get(*index)?,
                            &self.inventory,
                            &ctx,
                        )),
                    ),
                    Task::Compare(r) => (false, r.clone()),
                };
                Some(Checked {
                    index: *index,
                    checked,
                    compared: compare(self.baseline.as_deref(), &result),
                    result,
                    baseline: self.baseline.clone(),
                })
            })
            .collect()
    }
}

/// One item's result compared with the baseline.
pub fn compare(baseline: Option<&Baseline>, r: &ItemResult) -> Option<ItemComparison> {
    let b = baseline?;
    ItemComparison::new(b.scan.item(&r.id), r, b.fixed_by_moat.get(&r.id).copied())
}

fn same_baseline(a: Option<&Arc<Baseline>>, b: Option<&Arc<Baseline>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

impl Model {
    /// Check `items` (indexes in guide order) again: those whose parts are
    /// all read go to a [`CheckJob`]; the others are settled here.
    pub fn check(&mut self, items: impl IntoIterator<Item = usize>) -> Vec<Effect> {
        let defs = checks::items();
        let mut tasks = vec![];
        let mut settled = vec![];
        {
            let ctx = self.ctx();
            for g in items {
                let Some(def) = defs.get(g) else { continue };
                // An item that reads no part is a guided one: nothing to
                // check off the task.
                if !def.needs.is_empty()
                    && def
                        .needs
                        .iter()
                        .all(|p| matches!(self.inventory.status(*p), PartStatus::Ready))
                {
                    tasks.push((g, Task::Check));
                } else {
                    settled.push((g, evaluate_sanitized(def, &self.inventory, &ctx)));
                }
            }
        }
        for (g, r) in settled {
            let compared = compare(self.compare.baseline.as_deref(), &r);
            self.checking[g] = 0;
            self.set_result(g, Arc::new(r), compared);
        }
        if tasks.is_empty() {
            return vec![];
        }
        self.check_seq += 1;
        let seq = self.check_seq;
        for (g, _) in &tasks {
            self.checking[*g] = seq;
        }
        vec![self.job(seq, tasks)]
    }

    /// Check every item again.
    pub fn check_all(&mut self) -> Vec<Effect> {
        self.check(0..checks::items().len())
    }

    /// Compare every result with the baseline again (it changed).
    pub fn compare_all(&mut self) -> Vec<Effect> {
        self.compare.comparison = self
            .compare
            .baseline
            .as_ref()
            .map(|b| crate::report::Comparison::empty(b.scan.time));
        if self.compare.baseline.is_none() {
            return vec![];
        }
        let tasks: Vec<(usize, Task)> = self
            .results
            .iter()
            .enumerate()
            .map(|(g, r)| (g, Task::Compare(r.clone())))
            .collect();
        self.check_seq += 1;
        vec![self.job(self.check_seq, tasks)]
    }

    fn job(&self, seq: u64, tasks: Vec<(usize, Task)>) -> Effect {
        Effect::Check(Box::new(CheckJob {
            seq,
            tasks,
            inventory: self.inventory.clone(),
            now: self.now,
            settings: self.settings.clone(),
            done: self.progress.done.clone(),
            baseline: self.compare.baseline.clone(),
        }))
    }

    /// Take a job's answers: the results of items not asked again since, and
    /// comparisons made with the current baseline. A result compared with
    /// another baseline (it arrived meanwhile) is compared again.
    pub fn on_checked(&mut self, seq: u64, answers: Vec<Checked>) -> Vec<Effect> {
        let mut again = vec![];
        for a in answers {
            let g = a.index;
            let current = same_baseline(a.baseline.as_ref(), self.compare.baseline.as_ref());
            if a.checked {
                if self.checking.get(g) != Some(&seq) {
                    continue;
                }
                self.checking[g] = 0;
                if !current {
                    again.push((g, Task::Compare(a.result.clone())));
                }
                self.set_result(g, a.result, a.compared);
            } else if current
                && self
                    .results
                    .get(g)
                    .is_some_and(|r| Arc::ptr_eq(r, &a.result))
                && let Some(c) = &mut self.compare.comparison
            {
                c.set(&a.result.id, a.compared);
            }
        }
        if again.is_empty() || self.compare.baseline.is_none() {
            return vec![];
        }
        self.check_seq += 1;
        vec![self.job(self.check_seq, again)]
    }

    fn set_result(&mut self, g: usize, r: Arc<ItemResult>, compared: Option<ItemComparison>) {
        if let Some(c) = &mut self.compare.comparison {
            c.set(&r.id, compared);
        }
        if let Some(slot) = self.results.get_mut(g) {
            *slot = r;
        }
    }

    /// Items whose check is in flight.
    pub fn checking_count(&self) -> usize {
        self.checking.iter().filter(|s| **s != 0).count()
    }
}
