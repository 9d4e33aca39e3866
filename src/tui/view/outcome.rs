//! Apply in progress, and what came of it: sent (and re-checked), the
//! differences from the preview, a drift refusal, or the dry-run's calls.

use super::{
    dialog_area, dialog_block, diff_line, dim, hints, key_style, status_style, symbol, wrap,
};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{
    ApplyingState, Model, OpRow, OutcomeKind, OutcomeState, PlanningState, UNDO_ITEM,
};
use ratatui::Frame;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render_applying(f: &mut Frame, m: &Model, a: &ApplyingState) {
    let mut lines = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                format!(" {} ", m.spinner_frame()),
                Style::new().fg(Color::Yellow),
            ),
            Span::raw(a.stage.clone()),
        ]),
        Line::raw(""),
    ];
    lines.extend(op_lines(&a.ops));
    let h = lines.len() as u16 + 2;
    let area = dialog_area(f, 90, h);
    let what = if a.dry_run { "Dry-run of" } else { "Applying" };
    let block = dialog_block(format!("{what} {}", a.item), Line::raw(""));
    f.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn render_planning(f: &mut Frame, m: &Model, p: &PlanningState) {
    let cancel = m.keymap.key(Context::Dialog, Action::Close);
    let lines = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                format!(" {} ", m.spinner_frame()),
                Style::new().fg(Color::Yellow),
            ),
            Span::raw("working out the changes and their preview…"),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw(" "),
            Span::styled(cancel, key_style()),
            Span::raw(" cancel (nothing has been changed)"),
        ]),
    ];
    let h = lines.len() as u16 + 2;
    let area = dialog_area(f, 70, h);
    let block = dialog_block(format!("Planning {}", p.item), Line::raw(""));
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn op_lines(ops: &[OpRow]) -> Vec<Line<'static>> {
    let aw = ops
        .iter()
        .map(|o| o.action.chars().count())
        .max()
        .unwrap_or(0);
    let rw = ops
        .iter()
        .map(|o| o.resource.chars().count())
        .max()
        .unwrap_or(0);
    ops.iter()
        .enumerate()
        .map(|(i, o)| {
            Line::from(vec![
                Span::raw(format!(" {:>2}  ", i + 1)),
                Span::styled(
                    format!("{:aw$}", o.action),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!("  {:rw$}  {}", o.resource, o.region)),
            ])
        })
        .collect()
}

pub fn render(f: &mut Frame, m: &Model, o: &OutcomeState) {
    let full = f.area();
    let w = full.width.saturating_sub(8).min(110);
    let width = w.saturating_sub(4) as usize;
    let good = Style::new().fg(Color::Green).add_modifier(Modifier::BOLD);
    let warn = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let bad = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    let k = |a| m.keymap.key(Context::Dialog, a);
    let mut lines: Vec<Line> = vec![Line::raw("")];
    let para = |lines: &mut Vec<Line>, text: &str, style: Style| {
        lines.extend(
            wrap(text, width, " ", 1)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    };
    let title;
    match &o.kind {
        OutcomeKind::Applied { mismatches, batch } if o.dry_run => {
            title = format!("Dry-run of {}", o.item);
            para(
                &mut lines,
                "Dry-run: nothing was sent. These calls would have been sent:",
                warn,
            );
            lines.push(Line::raw(""));
            lines.extend(op_lines(&o.done));
            let _ = (mismatches, batch);
        }
        OutcomeKind::Applied { mismatches, batch } => {
            title = format!("Applied {}", o.item);
            if mismatches.is_empty() {
                para(
                    &mut lines,
                    &format!(
                        "Applied {} change(s); the account now matches the preview.",
                        o.done.len()
                    ),
                    good,
                );
            } else {
                para(
                    &mut lines,
                    "Applied, but the account now differs from the preview:",
                    warn,
                );
            }
            lines.push(Line::raw(""));
            lines.extend(op_lines(&o.done));
            for mm in mismatches {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!(" {}", mm.resource),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
                lines.extend(mm.lines.iter().map(|l| indent(diff_line(l))));
            }
            if let Some(b) = batch {
                lines.push(Line::raw(""));
                lines.push(Line::from(vec![
                    Span::styled(format!(" Journal batch {b}: "), dim()),
                    Span::styled(format!("moat undo {b}"), key_style()),
                    Span::styled(" (or ", dim()),
                    Span::styled(m.keymap.key(Context::Main, Action::Journal), key_style()),
                    Span::styled(", then ", dim()),
                    Span::styled(m.keymap.key(Context::Journal, Action::Undo), key_style()),
                    Span::styled(") reverses it.", dim()),
                ]));
            }
        }
        OutcomeKind::Failed {
            index,
            error,
            batch,
            item,
            unreached,
        } => {
            title = format!("Apply of {} stopped", o.item);
            let of = item
                .as_deref()
                .map(|i| format!(" (of {i})"))
                .unwrap_or_default();
            para(
                &mut lines,
                &format!("Call {}{of} was refused: {error}", index + 1),
                bad,
            );
            para(
                &mut lines,
                "The calls after it were not sent.",
                Style::new(),
            );
            if !unreached.is_empty() {
                para(
                    &mut lines,
                    &format!("Never reached (still marked): {}.", unreached.join(", ")),
                    Style::new(),
                );
            }
            if !o.done.is_empty() {
                lines.push(Line::raw(""));
                para(&mut lines, "Sent before it:", Style::new());
                lines.extend(op_lines(&o.done));
            }
            if let Some(b) = batch {
                lines.push(Line::raw(""));
                if o.done.is_empty() || o.dry_run {
                    lines.push(Line::styled(format!(" Journal batch {b}."), dim()));
                } else {
                    lines.push(Line::from(vec![
                        Span::styled(format!(" Journal batch {b}: "), dim()),
                        Span::styled(format!("moat undo {b}"), key_style()),
                        Span::styled(" reverses the calls sent.", dim()),
                    ]));
                }
            }
        }
        OutcomeKind::Drift {
            resource,
            lines: diff,
        } => {
            title = format!("Nothing was sent for {}", o.item);
            para(
                &mut lines,
                &format!("Nothing was sent: {resource} changed since the preview."),
                warn,
            );
            lines.push(Line::raw(""));
            lines.extend(diff.iter().map(|l| indent(diff_line(l))));
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::raw(" Press "),
                Span::styled(k(Action::PlanAgain), key_style()),
                Span::raw(" to plan again from the account as it is now."),
            ]));
        }
        OutcomeKind::Refused { error } => {
            title = format!("Nothing was sent for {}", o.item);
            para(&mut lines, &format!("Nothing was sent: {error}"), bad);
        }
    }
    // The item's live state, re-checked after the change (in a batch,
    // each item's whose calls were sent).
    let mut items: Vec<&str> = vec![o.item.as_str()];
    for i in o.done.iter().filter_map(|d| d.item.as_deref()) {
        if !items.contains(&i) {
            items.push(i);
        }
    }
    let rechecked: Vec<_> = items.iter().filter_map(|i| m.result(i)).collect();
    if !rechecked.is_empty() {
        lines.push(Line::raw(""));
    }
    for r in rechecked {
        lines.push(Line::from(vec![
            Span::raw(" Now: "),
            Span::styled(
                format!("{} {}", symbol(m, r.status), r.status.as_str()),
                status_style(r.status),
            ),
            Span::raw(format!("  {}", r.title)),
        ]));
    }
    let h = lines.len() as u16 + 2;
    let area = dialog_area(f, w, h);
    let block = dialog_block(
        title,
        hints(&[
            (
                k(Action::PlanAgain),
                if o.item == UNDO_ITEM {
                    "journal"
                } else {
                    "plan again"
                },
            ),
            (k(Action::Close), "close"),
        ]),
    );
    f.render_widget(
        Paragraph::new(lines).block(block).scroll((o.scroll, 0)),
        area,
    );
}

fn indent(l: Line<'_>) -> Line<'_> {
    let mut spans = vec![Span::raw(" ")];
    spans.extend(l.spans);
    Line::from(spans)
}
