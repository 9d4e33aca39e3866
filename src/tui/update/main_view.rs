//! The main view's keys: focus and selection, the walk to the next item that
//! needs attention, picking one failing resource, marking a guided item done.

use super::form::edit_inputs;
use super::planning::start_plan;
use super::{Effect, collect, flash, quit};
use crate::aws::inventory::PartId;
use crate::checks::{self, Fix, Status};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::*;

pub(super) fn main_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    match action {
        Action::Quit => quit(m),
        Action::Help => {
            m.overlay = Some(Overlay::Help {
                scroll: 0,
                back: None,
            })
        }
        Action::FocusNext => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Items,
                Focus::Items => Focus::Detail,
                Focus::Detail => Focus::Sections,
            }
        }
        Action::FocusPrev => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Detail,
                Focus::Items => Focus::Sections,
                Focus::Detail => Focus::Items,
            }
        }
        Action::Back if m.focus == Focus::Detail && m.picked_resource().is_some() => {
            m.picked = None;
            flash(
                m,
                Level::Info,
                "the change covers every failing resource again",
            );
        }
        Action::Open if m.focus == Focus::Detail => pick_next(m),
        Action::Left | Action::Back => {
            m.focus = match m.focus {
                Focus::Detail => Focus::Items,
                _ => Focus::Sections,
            }
        }
        Action::Right | Action::Open => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Items,
                _ => Focus::Detail,
            }
        }
        Action::Up => move_by(m, -1),
        Action::Down => move_by(m, 1),
        Action::PageUp => move_by(m, -10),
        Action::PageDown => move_by(m, 10),
        Action::Top => move_by(m, i32::MIN / 2),
        Action::Bottom => move_by(m, i32::MAX / 2),
        Action::Preview => return start_plan(m, false),
        Action::Apply => return start_plan(m, true),
        Action::EditInputs => edit_inputs(m),
        Action::MarkDone => return mark_done(m),
        Action::NextAttention => walk(m, true),
        Action::PrevAttention => walk(m, false),
        Action::Rescan => {
            flash(m, Level::Info, "re-scanning the account…");
            return collect(m, PartId::ALL.to_vec());
        }
        _ => {}
    }
    vec![]
}

/// Pick the next failing resource of the selected item (after the last one,
/// none: the change covers them all again).
fn pick_next(m: &mut Model) {
    let Some((def, r)) = m.current() else { return };
    let failing: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.resource.clone())
        .collect();
    if !matches!(def.fix, Fix::Plan(_)) || failing.is_empty() {
        flash(
            m,
            Level::Info,
            "nothing to pick: this item has no failing resource moat can change",
        );
        return;
    }
    let id = def.id.to_string();
    // In the order the detail pane lists them (grouped by region).
    let order = crate::tui::view::detail_order(&r.findings);
    let failing: Vec<String> = order
        .into_iter()
        .filter_map(|i| r.findings.get(i))
        .filter(|f| failing.contains(&f.resource))
        .map(|f| f.resource.clone())
        .collect();
    let next = match m.picked_resource() {
        None => failing.first().cloned(),
        Some(cur) => failing
            .iter()
            .position(|x| x == cur)
            .and_then(|i| failing.get(i + 1))
            .cloned(),
    };
    match next {
        Some(res) => {
            let preview = m.keymap.key(Context::Main, Action::Preview);
            let back = m.keymap.key(Context::Main, Action::Back);
            flash(
                m,
                Level::Info,
                format!(
                    "picked {res}: {preview} previews the change of this resource alone ({back}: all)"
                ),
            );
            m.picked = Some((id, res));
        }
        None => {
            m.picked = None;
            flash(
                m,
                Level::Info,
                "the change covers every failing resource again",
            );
        }
    }
}

fn clamp_add(v: usize, delta: i32, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (v as i64 + delta as i64).clamp(0, len as i64 - 1) as usize
}

fn move_by(m: &mut Model, delta: i32) {
    match m.focus {
        Focus::Sections => {
            let s = clamp_add(m.section, delta, m.sections.len());
            if s != m.section {
                m.section = s;
                m.item = 0;
                m.detail_scroll = 0;
            }
        }
        Focus::Items => {
            let i = clamp_add(m.item, delta, m.current_items().len());
            if i != m.item {
                m.item = i;
                m.detail_scroll = 0;
            }
        }
        Focus::Detail => {
            let top = i32::from(u16::MAX);
            m.detail_scroll =
                (i32::from(m.detail_scroll) + delta.clamp(-top, top)).clamp(0, top) as u16;
        }
    }
}

/// Select an item by its index in `checks::items()`.
fn select_global(m: &mut Model, idx: usize) {
    let Some(def) = checks::items().get(idx) else {
        return;
    };
    if let Some(s) = m.sections.iter().position(|s| *s == def.section) {
        m.section = s;
        m.item = m
            .section_items(def.section)
            .iter()
            .position(|(g, _)| *g == idx)
            .unwrap_or(0);
        m.detail_scroll = 0;
        if m.focus == Focus::Sections {
            m.focus = Focus::Items;
        }
    }
}

pub(super) fn select_id(m: &mut Model, id: &str) {
    if let Some(idx) = checks::items().iter().position(|d| d.id == id) {
        select_global(m, idx);
    }
}

pub fn needs_attention(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Manual | Status::Error)
}

/// The onboarding walk: the next (or previous) item that needs attention, across sections.
fn walk(m: &mut Model, forward: bool) {
    let n = m.results.len();
    if n == 0 {
        return;
    }
    let cur = m.current_items().get(m.item).map(|(g, _)| *g).unwrap_or(0);
    for k in 1..=n {
        let idx = if forward {
            (cur + k) % n
        } else {
            (cur + n * 2 - k) % n
        };
        if needs_attention(m.results[idx].status) {
            select_global(m, idx);
            return;
        }
    }
    let loading = m.results.iter().any(|r| r.status == Status::Loading);
    if loading {
        flash(
            m,
            Level::Info,
            "still reading the account; nothing needs attention so far",
        );
    } else {
        flash(
            m,
            Level::Success,
            "nothing needs attention: every item passes or is done",
        );
    }
}

fn mark_done(m: &mut Model) -> Vec<Effect> {
    let Some((def, _)) = m.current() else {
        return vec![];
    };
    if !def.can_mark_done() {
        flash(
            m,
            Level::Info,
            "only items no API can check are marked done; the account's live state decides this one",
        );
        return vec![];
    }
    let Some(account) = m.account_raw.clone() else {
        flash(
            m,
            Level::Info,
            "the account is not known yet; wait for the scan",
        );
        return vec![];
    };
    match &m.progress_state {
        ProgressState::Loaded => {}
        ProgressState::Unknown => {
            flash(
                m,
                Level::Info,
                "still reading the saved progress; try again in a moment",
            );
            return vec![];
        }
        ProgressState::Broken(e) => {
            let e = e.clone();
            flash(
                m,
                Level::Error,
                format!("progress is not saved while its file is damaged: {e}"),
            );
            return vec![];
        }
    }
    let id = def.id;
    if m.progress.done.remove(id).is_some() {
        flash(m, Level::Info, format!("{id} marked not done"));
    } else {
        m.progress.done.insert(id.to_string(), m.now);
        flash(m, Level::Success, format!("{id} marked done"));
    }
    m.reevaluate();
    vec![Effect::SaveProgress {
        account,
        progress: m.progress.clone(),
    }]
}
