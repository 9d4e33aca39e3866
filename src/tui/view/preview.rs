//! The diff preview of a plan: one diff per resource, scrollable.

use super::{dialog_area, dialog_block, diff_line, dim, hints, wrap};
use crate::kit::text::sanitize;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{Model, PreviewState, UNDO_ITEM};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

pub fn render(f: &mut Frame, m: &Model, p: &PreviewState) {
    let full = f.area();
    let area = dialog_area(
        f,
        full.width.saturating_sub(8),
        full.height.saturating_sub(4),
    );
    let k = |a| m.keymap.key(Context::Preview, a);
    let title = match (&p.batch, &m.journal.undo) {
        (Some(b), _) => format!("Preview: {} in one batch", b.count()),
        (None, Some(u)) if p.item == UNDO_ITEM => {
            format!("Preview: undo of batch {}", sanitize(&u.batch))
        }
        _ => format!(
            "Preview: {} ({})",
            crate::guide::guide().title(&p.item),
            p.item
        ),
    };
    let block = dialog_block(
        title,
        hints(&[
            (k(Action::Apply), "apply"),
            (format!("{}/{}", k(Action::Down), k(Action::Up)), "scroll"),
            (k(Action::PageDown), "page"),
            (k(Action::Close), "close"),
        ]),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = inner.width.saturating_sub(2) as usize;

    let mut top: Vec<Line> = vec![];
    let n = p.ops.len();
    let undo = if p.plan.is_reversible() {
        "undo can reverse it"
    } else {
        "NOT fully reversible"
    };
    let mut calls: Vec<&str> = p.ops.iter().map(|o| o.action.as_str()).collect();
    calls.dedup();
    top.push(Line::from(vec![
        Span::styled(
            format!(" {n} call(s): "),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(calls.join(", ")),
        Span::styled(format!("  ·  {undo}"), dim()),
    ]));
    // A batch names the marked items it does not hold, and why.
    for s in p.batch.iter().flat_map(|b| &b.skipped) {
        for l in wrap(s, width, " • ", 3) {
            top.push(Line::styled(l, Style::new().fg(Color::Cyan)));
        }
    }
    // And the calls whose undo would not restore the account as it was.
    for s in p.batch.iter().flat_map(|b| &b.undo_short) {
        for l in wrap(s, width, " ⚠ ", 3) {
            top.push(Line::styled(l, Style::new().fg(Color::Yellow)));
        }
    }
    for w in &p.warnings {
        for (i, l) in wrap(w, width, " ⚠ ", 3).into_iter().enumerate() {
            let style = Style::new().fg(Color::Yellow);
            top.push(if i == 0 {
                Line::styled(l, style.add_modifier(Modifier::BOLD))
            } else {
                Line::styled(l, style)
            });
        }
    }
    top.push(Line::raw(""));
    let [top_area, body] =
        Layout::vertical([Constraint::Length(top.len() as u16), Constraint::Min(1)]).areas(inner);
    f.render_widget(Paragraph::new(top), top_area);

    // The blast radius first, then the diffs: one scroll for both (the
    // last scroll position still shows the end of the diff).
    let mut lines: Vec<Line> = blast_lines(p, width);
    lines.extend(p.lines.iter().map(diff_line).map(|l| {
        let mut spans = vec![Span::raw(" ")];
        spans.extend(l.spans);
        Line::from(spans)
    }));
    let total = lines.len();
    f.render_widget(Paragraph::new(lines).scroll((p.scroll, 0)), body);
    if total > body.height as usize {
        let mut st = ScrollbarState::new(total).position(p.scroll as usize);
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            body,
            &mut st,
        );
    }
}

/// The plan's blast radius, wrapped to `width`, with a blank line after.
fn blast_lines(p: &PreviewState, width: usize) -> Vec<Line<'static>> {
    if p.plan.blast.is_empty() {
        return vec![];
    }
    let head = Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD);
    let mut out = vec![Line::styled(
        format!(" {}", sanitize(&crate::plan::blast::heading())),
        head,
    )];
    for (first, text) in crate::plan::blast::text(&p.plan.blast) {
        let (lead, indent) = if first { ("  • ", 4) } else { ("      ", 6) };
        for l in wrap(&sanitize(&text), width, lead, indent) {
            out.push(if first {
                Line::styled(l, Style::new().add_modifier(Modifier::BOLD))
            } else {
                Line::raw(l)
            });
        }
    }
    out.push(Line::raw(""));
    out
}
