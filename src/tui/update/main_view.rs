//! The main view's keys: focus and selection, the onboarding walk (to the
//! next item that needs attention, or item by item in the guide's order), the
//! item filter and the attention toggle, picking one failing resource,
//! marking a guided item done.

use super::batch::{clear_marks, mark_section, start_batch, toggle_mark};
use super::form::edit_inputs;
use super::planning::start_plan;
use super::{Effect, collect, flash, quit};
use crate::aws::inventory::PartId;
use crate::checks::{self, Fix, Status};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest filter text kept.
const MAX_FILTER: usize = 64;

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
        // A kept filter is cleared before Esc moves the focus (k9s, gitui).
        Action::Back if !m.filter.is_empty() => {
            let prev = selected_global(m);
            m.filter.clear();
            reselect(m, prev);
            flash(m, Level::Info, "filter cleared");
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
        // The section list is short: on it, the page keys scroll the
        // section's page on the right.
        Action::PageUp if m.focus == Focus::Sections => scroll_page(m, -10),
        Action::PageDown if m.focus == Focus::Sections => scroll_page(m, 10),
        Action::PageUp => move_by(m, -10),
        Action::PageDown => move_by(m, 10),
        Action::Top => move_by(m, i32::MIN / 2),
        Action::Bottom => move_by(m, i32::MAX / 2),
        // With marks, preview and apply act on the marked items.
        Action::Preview if !m.marks.is_empty() => return start_batch(m, false),
        Action::Apply if !m.marks.is_empty() => return start_batch(m, true),
        Action::Preview => return start_plan(m, false),
        Action::Apply => return start_plan(m, true),
        Action::EditInputs => edit_inputs(m),
        Action::MarkDone => return mark_done(m),
        Action::NextAttention => walk(m, true),
        Action::PrevAttention => walk(m, false),
        Action::WalkMode => {
            m.walk = match m.walk {
                Walk::Attention => Walk::Guide,
                Walk::Guide => Walk::Attention,
            };
            let next = m.keymap.key(Context::Main, Action::NextAttention);
            let text = match m.walk {
                Walk::Guide => {
                    format!(
                        "{next} now walks the guide's order, item by item, passing ones included"
                    )
                }
                Walk::Attention => format!("{next} now goes to the next item that needs attention"),
            };
            flash(m, Level::Info, text);
        }
        Action::Filter => {
            m.filter_editing = true;
        }
        Action::AttentionOnly => {
            let prev = selected_global(m);
            m.attention_only = !m.attention_only;
            reselect(m, prev);
            let text = if m.attention_only {
                "only the items that need attention are listed"
            } else {
                "every item is listed"
            };
            flash(m, Level::Info, text);
        }
        Action::Rescan => {
            flash(m, Level::Info, "re-scanning the account…");
            // The re-scan is saved too, once whole; the comparison stays
            // with the scan before this session.
            m.compare.saved = false;
            return collect(m, PartId::ALL.to_vec());
        }
        Action::Mark => toggle_mark(m),
        Action::MarkSection => mark_section(m),
        Action::ClearMarks => clear_marks(m),
        Action::Journal => super::journal::open_journal(m, 0),
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

/// Keys while the filter is typed: printable characters type, Backspace
/// deletes, the filter's actions keep or drop it. The lists follow each key.
pub(super) fn filter_key(m: &mut Model, action: Option<Action>, k: KeyEvent) -> Vec<Effect> {
    let prev = selected_global(m);
    match action {
        Some(Action::KeepFilter) => {
            m.filter_editing = false;
            if m.narrowed() && m.current_items().is_empty() {
                flash(m, Level::Info, "no item matches the filter");
            }
            return vec![];
        }
        Some(Action::DropFilter) => {
            m.filter_editing = false;
            m.filter.clear();
        }
        Some(Action::ClearField) => m.filter.clear(),
        _ => match k.code {
            KeyCode::Char(c)
                if !k
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && !c.is_control() =>
            {
                if m.filter.chars().count() < MAX_FILTER {
                    m.filter.push(c);
                }
            }
            KeyCode::Backspace => {
                m.filter.pop();
            }
            _ => return vec![],
        },
    }
    reselect(m, prev);
    vec![]
}

/// The selected item's index in `checks::items()`.
fn selected_global(m: &Model) -> Option<usize> {
    m.current_items().get(m.item).map(|(g, _)| *g)
}

/// After the filter or the attention toggle changed: keep `prev` selected
/// when it is still listed, else the first listed item of its section, else
/// the first section (from the selected one on) that lists any.
fn reselect(m: &mut Model, prev: Option<usize>) {
    if let Some(i) = prev.and_then(|g| m.current_items().iter().position(|(x, _)| *x == g)) {
        m.item = i;
        return;
    }
    m.detail_scroll = 0;
    m.item = 0;
    if !m.current_items().is_empty() {
        return;
    }
    let n = m.sections.len();
    if let Some(s) = (0..n)
        .map(|k| (m.section + k) % n)
        .find(|s| !m.visible_items(m.sections[*s]).is_empty())
    {
        m.section = s;
    }
}

fn scroll_page(m: &mut Model, delta: i32) {
    let top = i32::from(u16::MAX);
    m.detail_scroll = (i32::from(m.detail_scroll) + delta).clamp(0, top) as u16;
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

/// Select an item by its index in `checks::items()`. An item the filter or
/// the attention toggle hides leaves the selection at its section's list.
fn select_global(m: &mut Model, idx: usize) {
    let Some(def) = checks::items().get(idx) else {
        return;
    };
    if let Some(s) = m.sections.iter().position(|s| *s == def.section) {
        m.section = s;
        let listed = m.current_items();
        m.item = listed
            .iter()
            .position(|(g, _)| *g == idx)
            .unwrap_or_else(|| m.item.min(listed.len().saturating_sub(1)));
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

/// The onboarding walk, across sections, among the listed items: the next
/// (or previous) item that needs attention, or in [`Walk::Guide`] the next
/// item in the guide's order whatever its status.
fn walk(m: &mut Model, forward: bool) {
    let n = m.results.len();
    if n == 0 {
        return;
    }
    // With nothing selected, the walk starts at the first (or last) item.
    let cur = selected_global(m).unwrap_or(if forward { n - 1 } else { 0 });
    for k in 1..=n {
        let idx = if forward {
            (cur + k) % n
        } else {
            (cur + n * 2 - k) % n
        };
        let wanted = match m.walk {
            Walk::Guide => true,
            Walk::Attention => needs_attention(m.results[idx].status),
        };
        if wanted && m.shown(idx) {
            select_global(m, idx);
            return;
        }
    }
    if m.narrowed() {
        flash(m, Level::Info, "no listed item to walk to (see the filter)");
        return;
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
    // Only the item reads its own mark.
    let mut effects = m.check(checks::items().iter().position(|d| d.id == id));
    effects.push(Effect::SaveProgress {
        account,
        progress: m.progress.clone(),
    });
    effects
}
