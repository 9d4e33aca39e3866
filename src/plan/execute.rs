//! Apply a confirmed plan: account pin and drift check, journal, send, verify.
//! Shared by the CLI and the TUI; the backend decides whether anything is sent.

use super::journal::{Entry, EntryState, Journal, JournalError};
use super::{Draft, Plan, PlanError, ResourceChange, make_plan};
use crate::collect::{Applied, Backend, OpError, collect_inventory};
use crate::inventory::{Inventory, PartId, ResourceRef, canonical_json};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ExecError {
    #[error(
        "the plan was made for account {plan} but the credentials now point at account {live}; nothing was sent"
    )]
    AccountMismatch { plan: String, live: String },
    #[error(
        "{resource} changed since the plan was made; nothing was sent. Plan again to see the current state."
    )]
    Drift {
        resource: ResourceRef,
        planned: String,
        live: String,
    },
    #[error("could not re-read the account before applying: {0}")]
    Collect(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A resource whose state after apply differs from the preview.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub resource: ResourceRef,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExecReport {
    /// Ops handled, in order (index into the plan's steps).
    pub applied: Vec<(usize, Applied)>,
    /// The op that failed, if one did (later ops were not sent).
    pub failed: Option<(usize, OpError)>,
    /// Differences between the preview and the re-read account.
    pub mismatches: Vec<Mismatch>,
    pub batch: Option<String>,
    pub dry_run: bool,
    /// The account as re-read after sending (the plan's parts and the item's),
    /// so callers can re-check the item without reading it again. `None` when
    /// nothing was sent.
    pub reread: Option<Box<Inventory>>,
}

impl ExecReport {
    pub fn ok(&self) -> bool {
        self.failed.is_none() && self.mismatches.is_empty()
    }
}

/// Progress while applying, for a UI.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Checking,
    Sending { index: usize, total: usize },
    Verifying,
}

/// Re-read the plan's parts and refuse on another account or a drifted resource.
pub async fn preflight(backend: &Arc<dyn Backend>, plan: &Plan) -> Result<Inventory, ExecError> {
    let inv = collect_inventory(backend.clone(), &plan.parts()).await;
    for p in plan.parts() {
        if let crate::inventory::PartStatus::Error(e) = inv.status(p) {
            return Err(ExecError::Collect(e.summary()));
        }
    }
    let live = inv.account_id().unwrap_or_default().to_string();
    if live != plan.account {
        return Err(ExecError::AccountMismatch {
            plan: plan.account.clone(),
            live,
        });
    }
    for rc in &plan.resources {
        let now = inv
            .document(&rc.resource)
            .map_err(|e| ExecError::Collect(e.0.label().to_string()))?;
        if now != rc.before {
            return Err(ExecError::Drift {
                resource: rc.resource.clone(),
                planned: rc.before_text(),
                live: canonical_json(now.as_ref()),
            });
        }
    }
    Ok(inv)
}

/// Apply `plan` (already confirmed). With a dry-run backend nothing is sent,
/// nothing is journaled and nothing is verified.
pub async fn execute(
    backend: Arc<dyn Backend>,
    plan: &Plan,
    journal: &Journal,
    mut progress: impl FnMut(ExecEvent),
) -> Result<ExecReport, ExecError> {
    progress(ExecEvent::Checking);
    preflight(&backend, plan).await?;
    let dry_run = backend.mode().is_dry_run();
    let batch = if dry_run {
        None
    } else {
        Some(journal.begin_batch(plan)?)
    };
    let mut report = ExecReport {
        applied: vec![],
        failed: None,
        mismatches: vec![],
        batch: batch.clone(),
        dry_run,
        reread: None,
    };
    let total = plan.steps.len();
    for (i, step) in plan.steps.iter().enumerate() {
        progress(ExecEvent::Sending { index: i, total });
        let entry = match &batch {
            Some(b) => Some(journal.begin(b, i + 1, &step.op, &step.inverse)?),
            None => None,
        };
        match backend.apply(&step.op).await {
            Ok(a) => {
                if let Some(e) = &entry {
                    journal.done(e)?;
                }
                report.applied.push((i, a));
            }
            Err(err) => {
                // A change that may have been applied stays `unknown` in the
                // journal (a re-scan tells); only a refused one is `failed`.
                if let Some(e) = &entry
                    && !err.outcome_unknown
                {
                    journal.failed(e, &err.to_string())?;
                }
                report.failed = Some((i, err));
                break;
            }
        }
    }
    if !dry_run && !report.applied.is_empty() {
        progress(ExecEvent::Verifying);
        let mut parts = plan.parts();
        if let Some(def) = crate::checks::item(&plan.item) {
            parts.extend(def.needs.iter().copied());
            parts.sort();
            parts.dedup();
        }
        let inv = collect_inventory(backend.clone(), &parts).await;
        if report.failed.is_none() {
            report.mismatches = verify(&inv, plan);
        }
        report.reread = Some(Box::new(inv));
    }
    Ok(report)
}

/// Compare every resource the plan touched, as re-read in `inv`, with the preview.
pub fn verify(inv: &Inventory, plan: &Plan) -> Vec<Mismatch> {
    plan.resources
        .iter()
        .filter_map(|rc| {
            let now = inv.document(&rc.resource).ok().flatten();
            (now != rc.after).then(|| Mismatch {
                resource: rc.resource.clone(),
                expected: rc.after_text(),
                actual: canonical_json(now.as_ref()),
            })
        })
        .collect()
}

#[derive(Debug, Error, PartialEq)]
pub enum UndoError {
    #[error("the journal has no applied change to undo")]
    Empty,
    #[error("no journal entry or batch '{0}' (run `moat undo` to list them)")]
    Unknown(String),
    #[error("entry {0} cannot be undone: {1}")]
    Irreversible(String, String),
    #[error(
        "{resource} changed after moat applied entry {entry}; undoing it would overwrite that change. Current state:\n{live}"
    )]
    Changed {
        entry: String,
        resource: ResourceRef,
        live: String,
    },
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Choose entries: `last` = the newest batch with applied entries; otherwise
/// each selector is an entry id or a batch id.
// UndoError names the resource; it is built once per refused undo, not in a loop.
#[allow(clippy::result_large_err)]
pub fn select_entries(
    all: &[Entry],
    last: bool,
    selectors: &[String],
) -> Result<Vec<Entry>, UndoError> {
    let applied: Vec<&Entry> = all
        .iter()
        .filter(|e| e.state == EntryState::Applied)
        .collect();
    if last || selectors.is_empty() {
        // The last *apply*: an undo batch is reversed only when named by id.
        let b = applied
            .iter()
            .rev()
            .find(|e| e.item != "undo")
            .ok_or(UndoError::Empty)?
            .batch
            .clone();
        return Ok(applied
            .into_iter()
            .filter(|e| e.batch == b)
            .cloned()
            .collect());
    }
    let mut out: Vec<Entry> = vec![];
    for s in selectors {
        let found: Vec<&&Entry> = applied
            .iter()
            .filter(|e| &e.entry == s || &e.batch == s)
            .collect();
        if found.is_empty() {
            if let Some(e) = all.iter().find(|e| &e.entry == s || &e.batch == s) {
                let why = format!("it is {:?}", e.state).to_lowercase();
                return Err(UndoError::Irreversible(s.clone(), why));
            }
            return Err(UndoError::Unknown(s.clone()));
        }
        for e in found {
            if !out.iter().any(|o| o.entry == e.entry) {
                out.push((*e).clone());
            }
        }
    }
    out.sort_by(|a, b| a.time.cmp(&b.time).then(a.entry.cmp(&b.entry)));
    Ok(out)
}

/// The plan that reverses `entries` (newest first), against the current account.
/// Refuses when a resource changed after moat applied the entry.
#[allow(clippy::result_large_err)]
pub fn undo_plan(inv: &Inventory, entries: &[Entry]) -> Result<Plan, UndoError> {
    let mut ops = vec![];
    let mut warnings = vec![];
    for e in entries.iter().rev() {
        let inverse = e.inverse.clone().ok_or_else(|| {
            UndoError::Irreversible(
                e.entry.clone(),
                crate::guide::msg("plan", "irreversible", &[]),
            )
        })?;
        ops.extend(super::inverse::undo_ops(&e.op, inverse));
        warnings.extend(super::inverse::undo_note(&e.op));
    }
    // The state each resource was left in must still be there.
    let mut checked: Vec<&ResourceChange> = vec![];
    for e in entries {
        for r in std::iter::once(e.op.resource()).chain(e.op.also_touches()) {
            if let Some(rc) = e.after.iter().find(|rc| rc.resource == r)
                && !checked.contains(&rc)
            {
                checked.push(rc);
            }
        }
    }
    // Only the newest batch's recorded "after" is authoritative for a resource.
    let newest_batch = entries.last().map(|e| e.batch.clone());
    // A batch that stopped at a failed op left its resources between "before"
    // and "after". There the live state must be exactly what its applied ops
    // make of "before": undoing them (R) gives "before", and re-applying them
    // to R gives the live state back.
    let mut replay: Option<Option<(Inventory, Inventory)>> = None;
    for rc in checked {
        let in_newest = entries
            .iter()
            .any(|e| Some(&e.batch) == newest_batch.as_ref() && e.after.iter().any(|x| x == rc));
        if !in_newest {
            continue;
        }
        let live = inv
            .document(&rc.resource)
            .map_err(|e| UndoError::Plan(PlanError::NotReady(e.0)))?;
        let replay = replay.get_or_insert_with(|| {
            let newest: Vec<&Entry> = entries
                .iter()
                .filter(|e| Some(&e.batch) == newest_batch.as_ref())
                .collect();
            let mut restored = inv.clone();
            for e in newest.iter().rev() {
                for op in e.inverse.iter().flatten() {
                    restored.apply(op).ok()?;
                }
            }
            let mut redone = restored.clone();
            for e in &newest {
                redone.apply(&e.op).ok()?;
            }
            Some((restored, redone))
        });
        let consistent_partial = replay.as_ref().is_some_and(|(restored, redone)| {
            restored.document(&rc.resource).ok().as_ref() == Some(&rc.before)
                && redone.document(&rc.resource).ok().as_ref() == Some(&live)
        });
        if live != rc.after && !consistent_partial {
            let entry = entries
                .iter()
                .find(|e| e.op.resource() == rc.resource)
                .map(|e| e.entry.clone());
            return Err(UndoError::Changed {
                entry: entry.unwrap_or_default(),
                resource: rc.resource.clone(),
                live: canonical_json(live.as_ref()),
            });
        }
    }
    if ops.is_empty() {
        // Everything applied stays on purpose (the warnings say what and
        // why): nothing to send, and the entries are undone all the same.
        let account = inv
            .account_id()
            .ok_or(PlanError::NotReady(PartId::Identity))?
            .to_string();
        return Ok(Plan {
            item: "undo".into(),
            account,
            steps: vec![],
            resources: vec![],
            warnings,
        });
    }
    Ok(make_plan(inv, "undo", Draft { ops, warnings })?)
}

/// Parts needed to plan an undo of `entries`.
pub fn undo_parts(entries: &[Entry]) -> Vec<PartId> {
    let mut p: Vec<PartId> = entries
        .iter()
        .flat_map(|e| std::iter::once(e.op.resource()).chain(e.op.also_touches()))
        .flat_map(|r| r.parts().iter().copied())
        .collect();
    p.push(PartId::Identity);
    p.sort();
    p.dedup();
    p
}

/// After an undo batch ran, mark the original entries undone.
pub fn mark_undone(
    journal: &Journal,
    entries: &[Entry],
    report: &ExecReport,
) -> Result<(), JournalError> {
    if let (Some(by), None) = (&report.batch, &report.failed) {
        for e in entries {
            journal.undone(&e.entry, by)?;
        }
    }
    Ok(())
}
