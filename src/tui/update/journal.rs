//! The journal view (`J`) and undo from the TUI: the account's journal is
//! read off the UI task; `u` on a batch plans its undo off the UI task
//! (`execute::plan_undo`, as `moat undo` does), shows it in the same preview
//! and confirmation as any change, and runs it through `execute::run_undo`,
//! which marks the reversed entries undone.

use super::planning::preview_state;
use super::{Effect, flash, quit};
use crate::execute::{UndoError, batch_entries};
use crate::journal::Entry;
use crate::kit::text::sanitize;
use crate::plan::Plan;
use crate::tui::keymap::Action;
use crate::tui::model::*;

/// The journal as read: its entries and the damaged lines skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalRead {
    pub entries: Vec<Entry>,
    pub skipped: Vec<String>,
}

/// Read the account's journal again (the account is known).
pub(super) fn load_journal(m: &Model) -> Vec<Effect> {
    match &m.account_raw {
        Some(account) => vec![Effect::LoadJournal {
            account: account.clone(),
        }],
        None => vec![],
    }
}

/// The journal arrived: keep it unless it is another account's. A damaged
/// line is reported once per session, as a flash.
pub(super) fn on_journal_loaded(
    m: &mut Model,
    account: String,
    result: Result<JournalRead, String>,
) -> Vec<Effect> {
    if m.account_raw.as_deref() != Some(account.as_str()) {
        tracing::debug!("dropping the journal of another account");
        return vec![];
    }
    match result {
        Ok(read) => {
            m.journal.account = Some(account);
            m.journal.set_entries(read.entries);
            if let Some(first) = read.skipped.first()
                && !m.journal.warned
            {
                m.journal.warned = true;
                let more = match read.skipped.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                flash(
                    m,
                    Level::Warning,
                    format!("journal: {}{more}", sanitize(first)),
                );
            }
        }
        Err(e) => {
            tracing::warn!("journal: {e}");
            if !m.journal.warned {
                m.journal.warned = true;
                flash(
                    m,
                    Level::Error,
                    format!("could not read the journal: {}", sanitize(&e)),
                );
            }
        }
    }
    if let Some(Overlay::Journal(v)) = &mut m.overlay {
        v.selected = v.selected.min(m.journal.batch_count().saturating_sub(1));
    }
    vec![]
}

/// `J` in the main view.
pub(super) fn open_journal(m: &mut Model, selected: usize) {
    let n = m.journal.batch_count();
    m.overlay = Some(Overlay::Journal(JournalView {
        selected: selected.min(n.saturating_sub(1)),
    }));
}

pub(super) fn journal_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    let Some(Overlay::Journal(v)) = &mut m.overlay else {
        return vec![];
    };
    let n = m.journal.batch_count();
    let last = n.saturating_sub(1);
    match action {
        Action::Up => v.selected = v.selected.saturating_sub(1),
        Action::Down => v.selected = (v.selected + 1).min(last),
        Action::PageUp => v.selected = v.selected.saturating_sub(10),
        Action::PageDown => v.selected = (v.selected + 10).min(last),
        Action::Top => v.selected = 0,
        Action::Bottom => v.selected = last,
        Action::Undo => {
            let selected = v.selected;
            return start_undo(m, selected);
        }
        Action::Close => m.overlay = None,
        Action::Help => {
            let back = m.overlay.take().map(Box::new);
            m.overlay = Some(Overlay::Help { scroll: 0, back });
        }
        Action::Quit => quit(m),
        _ => {}
    }
    vec![]
}

/// The first line of an undo refusal, sanitized (a drift refusal goes on
/// with the resource's whole document).
fn refusal(e: &UndoError) -> String {
    let text = e.to_string();
    sanitize(text.lines().next().unwrap_or_default())
}

/// `u` on the `selected` batch: plan the undo of its applied entries off
/// the UI task, or say why it cannot be undone.
fn start_undo(m: &mut Model, selected: usize) -> Vec<Effect> {
    let Some(batch) = m.journal.batch(selected).map(|b| b.batch.to_string()) else {
        flash(m, Level::Info, "the journal is empty: nothing to undo");
        return vec![];
    };
    let entries = match batch_entries(&m.journal.entries, &batch) {
        Ok(e) => e,
        Err(e) => {
            flash(m, Level::Warning, format!("cannot undo: {}", refusal(&e)));
            return vec![];
        }
    };
    m.plan_seq += 1;
    let seq = m.plan_seq;
    m.journal.undo = Some(UndoPending {
        seq,
        batch: batch.clone(),
        entries: entries.clone(),
        plan: None,
        selected,
    });
    m.overlay = Some(Overlay::Planning(PlanningState {
        seq,
        item: format!("undo of {}", sanitize(&batch)),
    }));
    vec![Effect::PlanUndo { seq, entries }]
}

/// The undo's plan arrived: preview it, unless it was cancelled or
/// superseded; a refusal returns to the journal with its reason.
pub(super) fn on_undo_planned(
    m: &mut Model,
    seq: u64,
    result: Result<Box<Plan>, UndoError>,
) -> Vec<Effect> {
    let current = matches!(&m.overlay, Some(Overlay::Planning(p)) if p.seq == seq);
    let Some(pending) = m.journal.undo.as_mut().filter(|u| u.seq == seq && current) else {
        tracing::debug!("dropping stale undo plan {seq}");
        return vec![];
    };
    let selected = pending.selected;
    match result {
        Ok(plan) if plan.steps.iter().any(|s| s.op.needs_mfa()) => {
            let batch = sanitize(&pending.batch);
            m.journal.undo = None;
            open_journal(m, selected);
            flash(
                m,
                Level::Warning,
                format!(
                    "this undo needs the root user's MFA code (S3 MFA Delete): run `moat undo {batch} --input mfa_serial=… --input mfa_code=…`"
                ),
            );
        }
        Ok(plan) => {
            pending.plan = Some((*plan).clone());
            m.overlay = Some(Overlay::Preview(preview_state(UNDO_ITEM, *plan)));
        }
        Err(e) => {
            m.journal.undo = None;
            open_journal(m, selected);
            flash(m, Level::Warning, format!("cannot undo: {}", refusal(&e)));
        }
    }
    vec![]
}

/// The effect that sends a confirmed `plan`: the undo runner when it is
/// the undo that was previewed (so its entries are marked undone), the
/// plain apply otherwise (with the account id `typed` at the confirmation).
pub(super) fn apply_effect(
    m: &mut Model,
    generation: u64,
    plan: Plan,
    typed: Option<String>,
) -> Effect {
    match m.journal.undo.take() {
        Some(u) if u.plan.as_ref() == Some(&plan) => Effect::Undo {
            generation,
            plan,
            entries: u.entries,
        },
        _ => Effect::Apply {
            generation,
            plan,
            typed,
        },
    }
}
