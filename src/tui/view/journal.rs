//! The journal view (`J`): every batch moat applied to the account, newest
//! first, with the selected batch's calls below and what `u` does to it.

use super::{dialog_area, dialog_block, dim, heading_style, hints, key_style, wrap};
use crate::checks::item as item_def;
use crate::execute::batch_entries;
use crate::guide::guide;
use crate::journal::EntryState;
use crate::kit::text::sanitize;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{BatchRow, BatchStatus, JournalView, Model, UNDO_ITEM};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

const TIME: &str = "%Y-%m-%d %H:%M UTC";

fn status_style(s: BatchStatus) -> Style {
    match s {
        BatchStatus::Applied => Style::new().fg(Color::Green),
        BatchStatus::Undone | BatchStatus::PartlyUndone => Style::new().fg(Color::Cyan),
        BatchStatus::Failed | BatchStatus::FailedPartWay => Style::new().fg(Color::Red),
        BatchStatus::Unknown => Style::new().fg(Color::Yellow),
    }
}

/// What the batch changed: its items with their titles, or for an undo
/// batch the batches it reversed.
fn what(b: &BatchRow<'_>) -> String {
    if b.items.iter().all(|i| *i == UNDO_ITEM) {
        if b.undo_of.is_empty() {
            return "undo".to_string();
        }
        let of: Vec<String> = b.undo_of.iter().map(|x| sanitize(x)).collect();
        return format!("undo of {}", of.join(", "));
    }
    b.items
        .iter()
        .map(|i| match item_def(i) {
            Some(_) => format!("{} — {}", sanitize(i), sanitize(&guide().title(i))),
            None => sanitize(i),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "call" } else { "calls" }
}

pub fn render(f: &mut Frame, m: &Model, v: &JournalView) {
    let full = f.area();
    let area = dialog_area(
        f,
        full.width.saturating_sub(4),
        full.height.saturating_sub(2),
    );
    let k = |a| m.keymap.key(Context::Journal, a);
    let count = m.journal.batch_count();
    let account = m
        .account
        .clone()
        .unwrap_or_else(|| "(not known yet)".into());
    let title = match count {
        1 => format!("Journal of account {account}: 1 batch"),
        n => format!("Journal of account {account}: {n} batches"),
    };
    let block = dialog_block(
        title,
        hints(&[
            (k(Action::Undo), "undo"),
            (format!("{}/{}", k(Action::Down), k(Action::Up)), "move"),
            (k(Action::Close), "close"),
        ]),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let width = inner.width as usize;

    if count == 0 {
        let text = if m.journal.account.is_none() {
            "Reading the journal…".to_string()
        } else {
            format!(
                "moat has not changed this account yet. Every change you apply from moat is journaled here, and {} on it undoes it after the same preview and confirmation.",
                k(Action::Undo)
            )
        };
        let lines: Vec<Line> = std::iter::once(Line::raw(""))
            .chain(wrap(&text, width, "", 0).into_iter().map(Line::raw))
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }

    let selected = v.selected.min(count - 1);
    // Only the batches that can be in sight around the selected one are
    // built and laid out (each takes a line at least): a long journal draws
    // as fast as a short one.
    let h = inner.height as usize;
    let lo = selected.saturating_sub(h);
    let hi = (selected + h + 1).min(count);
    let batches: Vec<BatchRow<'_>> = (lo..hi).filter_map(|i| m.journal.batch(i)).collect();
    let Some(current) = batches.get(selected - lo) else {
        return;
    };
    let (list, range) = list_lines(&batches, selected - lo, width);
    let detail = detail_lines(m, current, width);

    let detail_h = detail
        .len()
        .min((h / 2).max(h.saturating_sub(list.len() + 1)));
    let list_h = list.len().min(h.saturating_sub(detail_h + 1));
    let [list_area, sep_area, detail_area] = Layout::vertical([
        Constraint::Length(list_h as u16),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    // The selected batch stays in sight: scroll so that it ends at the
    // bottom of the list, never past its first line.
    let offset = range.1.saturating_sub(list_h).min(range.0);
    f.render_widget(Paragraph::new(list).scroll((offset as u16, 0)), list_area);
    f.render_widget(
        Paragraph::new(Line::styled("─".repeat(width), dim())),
        sep_area,
    );
    f.render_widget(Paragraph::new(detail), detail_area);
}

/// Every batch's lines, and the range of lines of the selected one.
fn list_lines(
    batches: &[BatchRow<'_>],
    selected: usize,
    width: usize,
) -> (Vec<Line<'static>>, (usize, usize)) {
    let mut out = vec![];
    let mut range = (0, 0);
    for (i, b) in batches.iter().enumerate() {
        let start = out.len();
        let sel = i == selected;
        let marker = if sel { "▸ " } else { "  " };
        let base = if sel {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let n = b.entries.len();
        out.push(Line::from(vec![
            Span::styled(marker, key_style()),
            Span::styled(b.time.format(TIME).to_string(), base),
            Span::styled(format!("  {n} {}  ", plural(n)), dim()),
            Span::styled(b.status.text(), status_style(b.status)),
        ]));
        out.extend(
            wrap(&what(b), width, "    ", 4)
                .into_iter()
                .map(|l| Line::styled(l, base)),
        );
        range = if sel { (start, out.len()) } else { range };
    }
    (out, range)
}

/// The selected batch: its calls, and what `u` does with it.
fn detail_lines(m: &Model, b: &BatchRow<'_>, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(
        format!("Batch {}", sanitize(b.batch)),
        heading_style(),
    )];
    for (i, e) in b.entries.iter().enumerate() {
        let state = match e.state {
            EntryState::Applied => "applied",
            EntryState::Failed => "failed",
            EntryState::Undone => "undone",
            EntryState::Unknown => "unknown (interrupted)",
        };
        let region =
            e.op.region()
                .map(sanitize)
                .unwrap_or_else(|| "global".into());
        let text = format!(
            "{} · {} · {region} · {state}",
            e.op.action(),
            sanitize(&e.op.resource().to_string()),
        );
        let first = format!("{:>3}. ", i + 1);
        out.extend(wrap(&text, width, &first, 5).into_iter().map(Line::raw));
    }
    out.push(Line::raw(""));
    let key = m.keymap.key(Context::Journal, Action::Undo);
    // The batch's own entries are all `batch_entries` reads for a batch id
    // (not the whole journal, on every frame).
    let own: Vec<crate::journal::Entry> = b.entries.iter().map(|e| (*e).clone()).collect();
    let hint = match batch_entries(&own, b.batch) {
        Ok(entries) => {
            let n = entries.len();
            format!(
                "Press {key} to undo this batch: its {n} applied {} reversed, after a preview and a confirmation.",
                if n == 1 { "call is" } else { "calls are" }
            )
        }
        Err(e) => {
            let text = e.to_string();
            format!(
                "{key} cannot undo this batch: {}",
                sanitize(text.lines().next().unwrap_or_default())
            )
        }
    };
    out.extend(
        wrap(&hint, width, "", 0)
            .into_iter()
            .map(|l| Line::styled(l, dim())),
    );
    out
}
