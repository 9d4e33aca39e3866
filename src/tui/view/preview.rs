//! The diff preview of a plan: one diff per resource, scrollable.

use super::{dialog_area, dialog_block, diff_line, dim, hints, wrap};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{Model, PreviewState};
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
    let block = dialog_block(
        format!(
            "Preview: {} ({})",
            crate::guide::guide().title(&p.item),
            p.item
        ),
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

    let lines: Vec<Line> = p
        .lines
        .iter()
        .map(diff_line)
        .map(|l| {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(l.spans);
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).scroll((p.scroll, 0)), body);
    if p.lines.len() > body.height as usize {
        let mut st = ScrollbarState::new(p.lines.len()).position(p.scroll as usize);
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            body,
            &mut st,
        );
    }
}
