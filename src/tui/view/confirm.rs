//! The confirmation before applying: every call, its resource, region and
//! whether undo can reverse it; the plan's warnings; what mode this is.

use super::{dialog_area, dialog_block, dim, key_style, mode_style, wrap};
use crate::collect::Mode;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{ConfirmState, Model};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

/// The narrowest the list is laid out: [`list_len`] counts its lines at
/// this width, so scrolling (which does not know the screen) reaches the
/// last call on any screen at least this wide.
const NARROWEST: usize = 60;

/// Lines of the scrolling part of the confirmation (the calls and the
/// warnings), at the narrowest width: an upper bound for the scroll.
pub fn list_len(c: &ConfirmState) -> usize {
    list_lines(c, NARROWEST).len()
}

/// The calls, each under its item in a batch, and the plan's warnings.
fn list_lines(c: &ConfirmState, width: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = vec![Line::raw("")];
    let aw = c
        .ops
        .iter()
        .map(|o| o.action.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let rw = c
        .ops
        .iter()
        .map(|o| o.resource.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let gw = c
        .ops
        .iter()
        .map(|o| o.region.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    // A batch first names the marked items it leaves out, and the calls
    // whose undo would not restore the account as it was.
    if let Some(b) = &c.batch {
        for s in &b.skipped {
            lines.extend(
                wrap(s, width, " • ", 3)
                    .into_iter()
                    .map(|l| Line::styled(l, Style::new().fg(Color::Cyan))),
            );
        }
        for s in &b.undo_short {
            lines.extend(
                wrap(s, width, " ⚠ ", 3)
                    .into_iter()
                    .map(|l| Line::styled(l, Style::new().fg(Color::Yellow))),
            );
        }
        if !b.skipped.is_empty() || !b.undo_short.is_empty() {
            lines.push(Line::raw(""));
        }
    }
    lines.push(Line::styled(
        format!(
            " #  {:aw$}  {:rw$}  {:gw$}  undo",
            "call", "resource", "region"
        ),
        dim(),
    ));
    let mut item: Option<&str> = None;
    for (i, o) in c.ops.iter().enumerate() {
        // In a batch, each item's calls under its id.
        if let Some(id) = o.item.as_deref()
            && item != Some(id)
        {
            item = Some(id);
            lines.push(Line::styled(
                format!(" ▸ {id}"),
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ));
        }
        let (undo, ustyle) = if o.reversible {
            ("reversible", Style::new().fg(Color::Green))
        } else {
            (
                "NOT reversible",
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:>2}  ", i + 1)),
            Span::styled(format!("{:aw$}", o.action), bold),
            Span::raw(format!("  {:rw$}  {:gw$}  ", o.resource, o.region)),
            Span::styled(undo, ustyle),
        ]));
        lines.extend(
            wrap(&o.describe, width, "    ", 4)
                .into_iter()
                .map(|l| Line::styled(l, dim())),
        );
    }
    lines.push(Line::raw(""));
    for w in &c.warnings {
        for l in wrap(w, width, " ⚠ ", 3) {
            lines.push(Line::styled(l, Style::new().fg(Color::Yellow)));
        }
        lines.push(Line::raw(""));
    }
    lines
}

pub fn render(f: &mut Frame, m: &Model, c: &ConfirmState) {
    let full = f.area();
    let w = full.width.saturating_sub(8).min(110);
    let width = w.saturating_sub(4) as usize;
    let yes = m.keymap.key(Context::Confirm, Action::Confirm);
    let list = list_lines(c, width);
    // What this mode does and how to confirm stay in view below the list.
    let mut lines: Vec<Line> = vec![];
    let (note, style) = match m.mode {
        Mode::DryRun { .. } => (
            "Dry-run: nothing will be sent. moat records the calls and shows what would have been sent.".to_string(),
            Style::new().fg(Color::Yellow),
        ),
        Mode::Demo => (
            format!("These calls change the demo account {} (kept on this machine only).", c.account),
            Style::new().fg(Color::Cyan),
        ),
        Mode::Live => (
            format!("These calls change the live AWS account {}. Each one is journaled first.", c.account),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
    };
    lines.push(Line::from(vec![
        Span::raw(" "),
        Span::styled(format!(" {} ", m.mode.badge()), mode_style(m.mode)),
    ]));
    lines.extend(
        wrap(&note, width, " ", 1)
            .into_iter()
            .map(|l| Line::styled(l, style)),
    );
    lines.push(Line::raw(""));
    let what = if c.dry_run {
        " to record the calls (nothing is sent)."
    } else {
        " to apply."
    };
    if let Some(t) = &c.typed {
        lines.extend(
            wrap(
                &format!(
                    "This cannot be undone. Type the account id {} and press Enter to apply; Esc cancels.",
                    t.want
                ),
                width,
                " ",
                1,
            )
            .into_iter()
            .map(|l| Line::styled(l, Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))),
        );
        lines.push(Line::from(vec![
            Span::raw(" account id: "),
            Span::styled(format!("{}▏", t.text), key_style()),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::raw(" Press "),
            Span::styled(yes.clone(), key_style()),
            Span::raw(what),
            Span::raw(" Any other key cancels."),
        ]));
    }

    let footer = lines.len() as u16;
    let total = list.len();
    let h = (total as u16).saturating_add(footer).saturating_add(2);
    let area = dialog_area(f, w, h);
    let items = crate::tui::update::batch::step_items(&c.plan).len();
    let mut title = if let Some(b) = &c.batch {
        format!("Apply {} in one batch?", b.count())
    } else if c.item == crate::tui::update::batch::BATCH {
        format!("Apply {items} items in one batch?")
    } else {
        format!("Apply {}?", c.item)
    };
    let inner_h = area.height.saturating_sub(2);
    let body_h = inner_h.saturating_sub(footer).max(1.min(inner_h));
    let overflow = total > body_h as usize;
    if overflow {
        title.push_str(&format!(" ({} calls: ↑↓ to see them all)", c.ops.len()));
    }
    let bottom = if c.typed.is_some() {
        Line::from(vec![
            Span::raw(" type the account id · "),
            Span::styled("Enter", key_style()),
            Span::raw(" apply · "),
            Span::styled("Esc", key_style()),
            Span::raw(" cancels "),
        ])
    } else {
        Line::from(vec![
            Span::raw(" "),
            Span::styled(yes, key_style()),
            Span::raw(" apply · any other key cancels "),
        ])
    };
    let block = dialog_block(title, bottom);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [body, foot] =
        Layout::vertical([Constraint::Length(body_h), Constraint::Min(0)]).areas(inner);
    let max = total.saturating_sub(body_h as usize);
    let scroll = (c.scroll as usize).min(max);
    f.render_widget(Paragraph::new(list).scroll((scroll as u16, 0)), body);
    if overflow {
        let mut st = ScrollbarState::new(max + 1).position(scroll);
        f.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            body,
            &mut st,
        );
    }
    f.render_widget(Paragraph::new(lines), foot);
}
