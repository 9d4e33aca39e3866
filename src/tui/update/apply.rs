//! The preview's keys, the confirmation, the apply's progress and outcome,
//! and the dialogs (help, planning, applying, outcome).

use super::form::open_form;
use super::journal::{apply_effect, open_journal};
use super::main_view::select_id;
use super::planning::{confirm_state, sanitize_lines, start_plan};
use super::{ApplyFailure, Effect, adopt, collect, flash, quit};
use crate::checks;
use crate::diff::{DiffLine, LineKind, diff_lines};
use crate::execute::{ExecEvent, ExecReport};
use crate::kit::text::sanitize;
use crate::tui::keymap::Action;
use crate::tui::model::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn scroll(v: &mut u16, action: Action, len: usize) {
    let max = len.saturating_sub(1).min(u16::MAX as usize) as i32;
    let delta = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        Action::PageDown => 10,
        Action::Top => -i32::MAX / 2,
        Action::Bottom => i32::MAX / 2,
        _ => 0,
    };
    *v = (*v as i32).saturating_add(delta).clamp(0, max) as u16;
}

pub(super) fn preview_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    let Some(Overlay::Preview(p)) = &mut m.overlay else {
        return vec![];
    };
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let len = p.lines.len();
            scroll(&mut p.scroll, action, len);
        }
        Action::Apply => {
            if let Some(Overlay::Preview(p)) = m.overlay.take() {
                let c = confirm_state(m, p.plan.clone(), Some(p));
                m.overlay = Some(Overlay::Confirm(Box::new(c)));
            }
        }
        Action::EditInputs => {
            let item = p.item.clone();
            match checks::item(&item) {
                Some(def) if !def.inputs.is_empty() => open_form(m, def, None),
                _ => flash(m, Level::Info, "this item's change takes no input"),
            }
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

pub(super) fn confirm_key(m: &mut Model, action: Option<Action>, k: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Confirm(mut c)) = m.overlay.take() else {
        return vec![];
    };
    // A change that cannot be undone: the account id is typed, Enter
    // confirms when it matches, Esc cancels, and no single key applies.
    if let Some(t) = &mut c.typed {
        match k.code {
            KeyCode::Char(ch) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                if t.text.chars().count() < 64 {
                    t.text.push(ch);
                }
                m.overlay = Some(Overlay::Confirm(c));
                return vec![];
            }
            KeyCode::Backspace => {
                t.text.pop();
                m.overlay = Some(Overlay::Confirm(c));
                return vec![];
            }
            KeyCode::Enter if t.text.trim() == t.want => {}
            KeyCode::Enter => {
                let want = t.want.clone();
                m.overlay = Some(Overlay::Confirm(c));
                flash(
                    m,
                    Level::Warning,
                    format!("type the account id {want} exactly to apply; Esc cancels"),
                );
                return vec![];
            }
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                let len = crate::tui::view::confirm::list_len(&c);
                let a = match k.code {
                    KeyCode::Up => Action::Up,
                    KeyCode::Down => Action::Down,
                    KeyCode::PageUp => Action::PageUp,
                    _ => Action::PageDown,
                };
                scroll(&mut c.scroll, a, len);
                m.overlay = Some(Overlay::Confirm(c));
                return vec![];
            }
            _ => {
                m.overlay = c.back.map(Overlay::Preview);
                flash(m, Level::Info, "cancelled; nothing was sent");
                return vec![];
            }
        }
        return start_apply(m, c);
    }
    if let Some(
        a @ (Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom),
    ) = action
    {
        // A long plan's calls scroll; the view stops at the last one.
        let len = crate::tui::view::confirm::list_len(&c);
        scroll(&mut c.scroll, a, len);
        m.overlay = Some(Overlay::Confirm(c));
        return vec![];
    }
    if action != Some(Action::Confirm) {
        m.overlay = c.back.map(Overlay::Preview);
        flash(m, Level::Info, "cancelled; nothing was sent");
        return vec![];
    }
    start_apply(m, c)
}

/// Confirmed: send the plan.
fn start_apply(m: &mut Model, c: Box<ConfirmState>) -> Vec<Effect> {
    forget_secrets(m, &c.item);
    for item in super::batch::step_items(&c.plan) {
        forget_secrets(m, &item);
    }
    let generation = m.next_gen;
    m.next_gen += 1;
    m.applying_gen = Some(generation);
    m.overlay = Some(Overlay::Applying(ApplyingState {
        item: c.item.clone(),
        stage: stage_text(&ExecEvent::Checking, c.dry_run, &c.ops),
        ops: c.ops,
        dry_run: c.dry_run,
        plan: c.plan.clone(),
    }));
    let typed = c.typed.map(|t| t.text);
    vec![apply_effect(m, generation, c.plan, typed)]
}

/// Drop secret inputs (MFA codes) once the plan holding them is on its way:
/// a code is good for one change, and nothing keeps it.
fn forget_secrets(m: &mut Model, item: &str) {
    let Some(def) = checks::item(item) else {
        return;
    };
    if let Some(inputs) = m.inputs.get_mut(item) {
        for spec in def.inputs.iter().filter(|s| s.kind.is_secret()) {
            inputs.values.remove(spec.name);
        }
    }
}

pub(super) fn stage_text(ev: &ExecEvent, dry_run: bool, ops: &[OpRow]) -> String {
    match ev {
        ExecEvent::Checking => {
            "re-reading the account to check nothing changed since the preview…".into()
        }
        ExecEvent::Sending { index, total } => {
            let action = ops.get(*index).map(|o| o.action.as_str()).unwrap_or("");
            let verb = if dry_run {
                "recording (not sending)"
            } else {
                "sending"
            };
            format!("{verb} {}/{total}: {action}", index + 1)
        }
        ExecEvent::Verifying => "re-reading the account to compare it with the preview…".into(),
    }
}

pub(super) fn on_applied(
    m: &mut Model,
    generation: u64,
    result: Result<ExecReport, ApplyFailure>,
) -> Vec<Effect> {
    if m.applying_gen != Some(generation) {
        tracing::debug!("dropping stale apply answer {generation}");
        return vec![];
    }
    m.applying_gen = None;
    m.quit_armed = false;
    let Some(Overlay::Applying(a)) = m.overlay.take() else {
        tracing::warn!("apply finished without its dialog");
        return vec![];
    };
    let reparts = || {
        let mut p = a.plan.parts();
        if let Some(def) = checks::item(&a.item) {
            p.extend(def.needs.iter().copied());
        }
        // A batch re-checks every item it holds.
        for def in super::batch::step_items(&a.plan)
            .iter()
            .filter_map(|i| checks::item(i))
        {
            p.extend(def.needs.iter().copied());
        }
        p
    };
    let mut effects = vec![];
    let (kind, done) = match result {
        Ok(report) => {
            let done: Vec<OpRow> = report
                .applied
                .iter()
                .filter_map(|(i, _)| a.ops.get(*i).cloned())
                .collect();
            let kind = match &report.failed {
                Some((index, err)) => {
                    let (item, unreached) = batch_stop(&a.plan, *index);
                    OutcomeKind::Failed {
                        index: *index,
                        error: sanitize(&err.to_string()),
                        batch: report.batch.clone(),
                        item,
                        unreached,
                    }
                }
                None => OutcomeKind::Applied {
                    mismatches: report
                        .mismatches
                        .iter()
                        .map(|mm| {
                            let name = mm.resource.to_string();
                            let mut lines = diff_lines(&name, &mm.expected, &mm.actual, 3);
                            relabel(&mut lines, &name, "(preview)", "(account now)");
                            MismatchView {
                                resource: sanitize(&name),
                                lines: sanitize_lines(lines),
                            }
                        })
                        .collect(),
                    batch: report.batch.clone(),
                },
            };
            match (&kind, report.dry_run) {
                (_, true) => flash(m, Level::Info, "dry-run: nothing was sent"),
                (OutcomeKind::Applied { mismatches, .. }, false) if mismatches.is_empty() => flash(
                    m,
                    Level::Success,
                    format!("applied {} change(s); re-checking the item", done.len()),
                ),
                (OutcomeKind::Applied { .. }, false) => flash(
                    m,
                    Level::Warning,
                    "applied, but the account now differs from the preview",
                ),
                _ => flash(
                    m,
                    Level::Error,
                    "a change was refused; later ones were not sent",
                ),
            }
            if !report.dry_run && !report.applied.is_empty() {
                // The marked items were sent: the marks are done with,
                // except those of items not fully applied.
                if a.item == super::batch::BATCH {
                    unmark_applied(m, &a.plan, &report);
                }
                // Apply re-read the plan's and the item's parts to verify:
                // take them from there rather than reading the account again.
                let (missing, checks) = match report.reread.as_deref() {
                    Some(inv) => adopt(m, inv, reparts()),
                    None => (reparts(), vec![]),
                };
                effects = checks;
                if !missing.is_empty() {
                    effects.extend(collect(m, missing));
                }
            }
            (kind, done)
        }
        Err(ApplyFailure::Drift {
            resource,
            planned,
            live,
        }) => {
            let mut lines = diff_lines(&resource, &planned, &live, 3);
            relabel(&mut lines, &resource, "(when previewed)", "(account now)");
            flash(
                m,
                Level::Warning,
                "nothing was sent: the account changed since the preview",
            );
            effects = collect(m, reparts());
            (
                OutcomeKind::Drift {
                    resource: sanitize(&resource),
                    lines: sanitize_lines(lines),
                },
                vec![],
            )
        }
        Err(ApplyFailure::Other(e)) => {
            flash(m, Level::Error, "nothing was sent");
            (
                OutcomeKind::Refused {
                    error: sanitize(&e),
                },
                vec![],
            )
        }
    };
    m.overlay = Some(Overlay::Outcome(OutcomeState {
        item: a.item,
        kind,
        done,
        dry_run: a.dry_run,
        scroll: 0,
    }));
    effects
}

/// In a batch stopped at step `index`: the item of that step, and the
/// items none of whose steps came before it (never reached).
fn batch_stop(plan: &crate::plan::Plan, index: usize) -> (Option<String>, Vec<String>) {
    let item = plan.steps.get(index).and_then(|s| s.item.clone());
    let reached: Vec<&str> = plan
        .steps
        .iter()
        .take(index.saturating_add(1))
        .filter_map(|s| s.item.as_deref())
        .collect();
    let unreached = super::batch::step_items(plan)
        .into_iter()
        .filter(|i| !reached.contains(&i.as_str()))
        .map(|i| sanitize(&i))
        .collect();
    (item.map(|i| sanitize(&i)), unreached)
}

/// Unmark the items of a batch whose every step was sent; when a call was
/// refused, the others stay marked to be planned again.
fn unmark_applied(m: &mut Model, plan: &crate::plan::Plan, report: &ExecReport) {
    if report.failed.is_none() {
        m.marks.clear();
        return;
    }
    let sent: Vec<usize> = report.applied.iter().map(|(i, _)| *i).collect();
    for item in super::batch::step_items(plan) {
        let all_sent = plan
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.item.as_deref() == Some(item.as_str()))
            .all(|(i, _)| sent.contains(&i));
        if all_sent {
            m.marks.remove(&item);
        }
    }
}

/// Replace diff_lines' "(now)"/"(after)" labels.
fn relabel(lines: &mut [DiffLine], name: &str, old: &str, new: &str) {
    for l in lines.iter_mut().filter(|l| l.kind == LineKind::Header) {
        if l.text == format!("--- {name} (now)") {
            l.text = format!("--- {name} {old}");
        } else if l.text == format!("+++ {name} (after)") {
            l.text = format!("+++ {name} {new}");
        }
    }
}

pub(super) fn dialog_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    if action == Action::Quit {
        quit(m);
        return vec![];
    }
    match m.overlay.take() {
        Some(Overlay::Help { mut scroll, back }) => match action {
            Action::Close => m.overlay = back.map(|b| *b),
            a => {
                let rows: usize = m.keymap.help().iter().map(|(_, r)| r.len() + 2).sum();
                self::scroll(&mut scroll, a, rows);
                m.overlay = Some(Overlay::Help { scroll, back });
            }
        },
        Some(Overlay::Planning(p)) => match action {
            Action::Close => flash(m, Level::Info, "planning cancelled; nothing was changed"),
            _ => m.overlay = Some(Overlay::Planning(p)),
        },
        Some(Overlay::Applying(a)) => {
            m.overlay = Some(Overlay::Applying(a));
            flash(
                m,
                Level::Info,
                "applying… the result appears here when it is done",
            );
        }
        Some(Overlay::Outcome(mut o)) => match action {
            Action::Close => {}
            Action::PlanAgain if o.item == super::batch::BATCH && !m.marks.is_empty() => {
                return super::batch::start_batch(m, false);
            }
            Action::PlanAgain if o.item == super::batch::BATCH => {
                flash(
                    m,
                    Level::Info,
                    "the batch was applied and its marks cleared: mark items to plan another",
                );
            }
            Action::PlanAgain if o.item == UNDO_ITEM => open_journal(m, 0),
            Action::PlanAgain => {
                let item = o.item.clone();
                select_id(m, &item);
                return start_plan(m, false);
            }
            a => {
                let len = match &o.kind {
                    OutcomeKind::Applied { mismatches, .. } => {
                        mismatches.iter().map(|x| x.lines.len()).sum()
                    }
                    OutcomeKind::Drift { lines, .. } => lines.len(),
                    _ => 0,
                } + o.done.len()
                    + 10;
                scroll(&mut o.scroll, a, len);
                m.overlay = Some(Overlay::Outcome(o));
            }
        },
        other => m.overlay = other,
    }
    vec![]
}
