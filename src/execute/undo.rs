//! Undo: choose journal entries, plan their reversal against the account as
//! it is now, run that plan and record which entries it reversed. `moat
//! undo` and the TUI's journal view both go through [`plan_undo_with`] and
//! [`run_undo`], so they plan, send and record an undo the same way.

use super::{ExecError, ExecEvent, ExecReport, buckets_of, execute, read_versioning};
use crate::aws::inventory::{Inventory, PartId, ResourceRef, canonical_json};
use crate::collect::{Backend, collect_inventory};
use crate::journal::{Entry, EntryState, Journal, JournalError};
use crate::plan::{Draft, Plan, PlanError, ResourceChange, make_plan};
use std::future::Future;
use std::sync::Arc;
use thiserror::Error;

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
                return Err(UndoError::Irreversible(s.clone(), unknown_reason(e)));
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

/// Why entry `e` is not among those an undo can take: its state, and for an
/// entry whose outcome is unknown, how to settle it.
pub fn unknown_reason(e: &Entry) -> String {
    match e.state {
        EntryState::Unknown => format!(
            "its outcome is unknown (moat stopped while sending it); `moat undo --resolve {}` re-reads the account and records whether it was applied",
            e.entry
        ),
        state => format!("it is {state:?}").to_lowercase(),
    }
}

/// The entries an undo of batch `batch` reverses: its applied ones. Refused
/// (with the words `moat undo` uses) when the batch has an entry whose
/// outcome is unknown, an applied entry that cannot be undone, or nothing
/// applied.
#[allow(clippy::result_large_err)]
pub fn batch_entries(all: &[Entry], batch: &str) -> Result<Vec<Entry>, UndoError> {
    if let Some(e) = all
        .iter()
        .find(|e| e.batch == batch && e.state == EntryState::Unknown)
    {
        return Err(UndoError::Irreversible(e.entry.clone(), unknown_reason(e)));
    }
    let entries = select_entries(all, false, &[batch.to_string()])?;
    if let Some(e) = entries.iter().find(|e| e.inverse.is_none()) {
        return Err(UndoError::Irreversible(
            e.entry.clone(),
            crate::guide::msg("plan", "irreversible", &[]),
        ));
    }
    Ok(entries)
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
        ops.extend(e.op.undo_ops(inverse));
        warnings.extend(e.op.undo_note());
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
        let as_left = super::comparable_with_after(rc, live.clone());
        if as_left != rc.after && !consistent_partial {
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
            blast: vec![],
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

/// After an undo batch ran, mark undone the original entries whose every
/// reversing step was applied (an undo that stopped part-way marks those it
/// finished, so a second undo does not redo them). Returns their ids.
pub fn mark_undone(
    journal: &Journal,
    entries: &[Entry],
    report: &ExecReport,
) -> Result<Vec<String>, JournalError> {
    let Some(by) = &report.batch else {
        return Ok(vec![]);
    };
    let sent = report.applied.len();
    let mut out = vec![];
    // `undo_plan` lays out the inverses newest entry first.
    let mut step = 0;
    for e in entries.iter().rev() {
        // Count the steps undo really sends for this entry (`undo_ops`
        // drops inverses older journals hold but moat no longer sends).
        step += e
            .inverse
            .as_ref()
            .map_or(0, |inv| e.op.undo_ops(inv.clone()).len());
        if step > sent {
            break;
        }
        journal.undone(&e.entry, by)?;
        out.push(e.entry.clone());
    }
    Ok(out)
}

/// What re-reading the account says about an entry whose outcome is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The change is in place: the entry was applied.
    Applied,
    /// The change is not in place (why): the entry failed.
    NotApplied(String),
    /// The resource could not be read: the entry stays unknown.
    Unreadable(String),
}

/// Settle an `unknown` entry against `inv` (the account re-read with
/// [`undo_parts`]): its op, applied to the live resource, changes nothing
/// exactly when the change is already there (a create whose entity exists,
/// a delete whose entity is gone).
pub fn resolve_unknown(inv: &Inventory, e: &Entry) -> Resolution {
    use crate::aws::inventory::ApplyError;
    let resource = e.op.resource();
    let now = match inv.document(&resource) {
        Ok(d) => d,
        Err(nr) => {
            let why = match inv.status(nr.0) {
                crate::aws::inventory::PartStatus::Error(err) => err.summary(),
                _ => format!("the {} could not be read", nr.0.label()),
            };
            return Resolution::Unreadable(why);
        }
    };
    let verb = e.op.action().rsplit(':').next().unwrap_or_default();
    let mut expected = inv.clone();
    match expected.apply(&e.op) {
        Ok(()) => {}
        Err(ApplyError::Exists(_)) if verb.starts_with("Create") => return Resolution::Applied,
        Err(ApplyError::NoSuch(_)) if verb.starts_with("Delete") => return Resolution::Applied,
        Err(err @ (ApplyError::NotReady(_) | ApplyError::NotRead(_))) => {
            return Resolution::Unreadable(err.to_string());
        }
        Err(err) => {
            return Resolution::NotApplied(format!(
                "re-reading the account shows the change is not in place: {err}"
            ));
        }
    }
    match expected.document(&resource) {
        Ok(after) if after == now => Resolution::Applied,
        Ok(_) => Resolution::NotApplied(
            "re-reading the account shows the change is not in place".to_string(),
        ),
        Err(nr) => Resolution::Unreadable(format!("the {} could not be read", nr.0.label())),
    }
}

/// Read what `entries` need with `read` (given [`undo_parts`]) and plan
/// their reversal: the one planning step of `moat undo` and of the TUI.
#[allow(clippy::result_large_err)]
pub async fn plan_undo_with<F, Fut>(
    backend: &dyn Backend,
    entries: &[Entry],
    read: F,
) -> Result<Plan, UndoError>
where
    F: FnOnce(Vec<PartId>) -> Fut,
    Fut: Future<Output = Inventory>,
{
    let mut inv = read(undo_parts(entries)).await;
    read_versioning(backend, &mut inv, &entry_buckets(entries)).await;
    undo_plan(&inv, entries)
}

/// The buckets `entries` act on, through their ops or their inverses.
pub fn entry_buckets(entries: &[Entry]) -> Vec<String> {
    buckets_of(
        entries
            .iter()
            .flat_map(|e| std::iter::once(&e.op).chain(e.inverse.iter().flatten())),
    )
}

/// [`plan_undo_with`], reading the account through `backend`.
#[allow(clippy::result_large_err)]
pub async fn plan_undo(backend: Arc<dyn Backend>, entries: &[Entry]) -> Result<Plan, UndoError> {
    let read = backend.clone();
    plan_undo_with(backend.as_ref(), entries, |parts| async move {
        collect_inventory(read, &parts).await
    })
    .await
}

/// A confirmed undo that ran: the report of its calls and the entries it
/// marked undone.
#[derive(Debug)]
pub struct UndoDone {
    pub report: ExecReport,
    pub undone: Vec<String>,
}

#[derive(Debug, Error)]
pub enum UndoRunError {
    /// Refused or failed before a call was sent (see [`execute`]).
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The calls ran (`report`) but the journal could not record which
    /// entries they reversed.
    #[error("{source}")]
    Journal {
        report: Box<ExecReport>,
        source: JournalError,
    },
}

/// Run a confirmed undo plan of `entries` (from [`plan_undo_with`]) and mark
/// undone the entries it reversed. In dry-run nothing is sent and nothing is
/// marked.
pub async fn run_undo(
    backend: Arc<dyn Backend>,
    plan: &Plan,
    journal: &Journal,
    entries: &[Entry],
    progress: impl FnMut(ExecEvent),
) -> Result<UndoDone, UndoRunError> {
    let report = execute(backend, plan, journal, progress).await?;
    if report.dry_run {
        return Ok(UndoDone {
            report,
            undone: vec![],
        });
    }
    match mark_undone(journal, entries, &report) {
        Ok(undone) => Ok(UndoDone { report, undone }),
        Err(source) => Err(UndoRunError::Journal {
            report: Box::new(report),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::PasswordPolicy;
    use crate::aws::ops::{DeletePasswordPolicy, UpdatePasswordPolicy};
    use crate::plan::Op;

    fn plan_of(item: &str) -> Plan {
        Plan {
            item: item.into(),
            account: "111122223333".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
            blast: vec![],
        }
    }

    /// A batch of two policy updates: the first applied, the second as
    /// `second` leaves it (applied, failed, or never closed: unknown).
    fn journal(dir: &std::path::Path, second: Option<bool>, inverse: bool) -> (Journal, String) {
        let j = Journal::open(dir, "111122223333");
        let b = j
            .begin_batch(&plan_of("account.password-policy"))
            .expect("batch");
        let op = Op::UpdatePasswordPolicy(UpdatePasswordPolicy {
            policy: PasswordPolicy::default(),
        });
        let inv = inverse.then(|| vec![Op::DeletePasswordPolicy(DeletePasswordPolicy)]);
        let e1 = j.begin(&b, 1, &op, &inv).expect("begin");
        j.done(&e1).expect("done");
        let e2 = j.begin(&b, 2, &op, &inv).expect("begin");
        match second {
            Some(true) => j.done(&e2).expect("done"),
            Some(false) => j.failed(&e2, "refused").expect("failed"),
            None => {}
        }
        (j, b)
    }

    #[test]
    fn a_batch_gives_its_applied_entries() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, b) = journal(d.path(), Some(false), true);
        let got = batch_entries(&j.entries().expect("entries"), &b).expect("entries");
        assert_eq!(got.len(), 1, "only the applied one: {got:?}");
        assert_eq!(got[0].entry, format!("{b}.1"));
    }

    #[test]
    fn a_batch_with_an_unknown_entry_points_to_resolve() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, b) = journal(d.path(), None, true);
        let e = batch_entries(&j.entries().expect("entries"), &b).unwrap_err();
        assert!(
            e.to_string()
                .contains(&format!("`moat undo --resolve {b}.2`")),
            "{e}"
        );
    }

    #[test]
    fn a_batch_with_an_irreversible_entry_is_refused() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, b) = journal(d.path(), Some(true), false);
        let e = batch_entries(&j.entries().expect("entries"), &b).unwrap_err();
        assert!(
            matches!(&e, UndoError::Irreversible(id, _) if *id == format!("{b}.1")),
            "{e:?}"
        );
    }

    #[test]
    fn an_undone_batch_or_an_unknown_one_is_refused_in_moat_undo_s_words() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, b) = journal(d.path(), Some(true), true);
        for e in j.entries().expect("entries") {
            j.undone(&e.entry, "u").expect("undone");
        }
        let all = j.entries().expect("entries");
        assert!(
            all.iter()
                .all(|e| e.undone.as_ref().is_some_and(|(_, by)| by == "u"))
        );
        assert_eq!(
            batch_entries(&all, &b).unwrap_err().to_string(),
            format!("entry {b} cannot be undone: it is undone")
        );
        assert_eq!(
            batch_entries(&all, "nope").unwrap_err(),
            UndoError::Unknown("nope".into())
        );
    }
}
