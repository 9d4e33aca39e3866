//! The input form: one field per input, its label and help from the guide,
//! the validation error under it.

use super::{dialog_area, dialog_block, dim, hints, wrap};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{FormState, Model};
use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, m: &Model, form: &FormState) {
    let full = f.area();
    let w = full.width.saturating_sub(8).min(76);
    let width = w.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = vec![];
    let title = crate::guide::guide().title(&form.item);
    lines.extend(
        wrap(
            &format!("{title}: the change needs these values."),
            width,
            " ",
            1,
        )
        .into_iter()
        .map(Line::raw),
    );
    if let Some(note) = &form.note {
        lines.extend(
            wrap(note, width, " ✗ ", 3)
                .into_iter()
                .map(|l| Line::styled(l, Style::new().fg(Color::Red))),
        );
    }
    lines.push(Line::raw(""));
    let mut cursor = None;
    let box_w = width.saturating_sub(4);
    for (i, fld) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let lstyle = if focused {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![Span::styled(
            format!(" {marker}{}", fld.label),
            lstyle,
        )]));
        lines.extend(
            wrap(&fld.help, width, "   ", 3)
                .into_iter()
                .map(|l| Line::styled(l, dim())),
        );
        // The value, its tail visible when longer than the box.
        let shown: String = {
            let n = fld.value.chars().count();
            let skip = n.saturating_sub(box_w.saturating_sub(1));
            if fld.spec.kind.is_secret() {
                // Masked: an MFA code is not left on the screen.
                "•".repeat(n - skip)
            } else {
                fld.value.chars().skip(skip).collect()
            }
        };
        let vstyle = if focused {
            Style::new()
                .bg(Color::Indexed(237))
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().bg(Color::Indexed(235))
        };
        let pad = box_w.saturating_sub(shown.chars().count());
        if focused {
            cursor = Some((lines.len() as u16, 4 + shown.chars().count() as u16));
        }
        lines.push(Line::from(vec![
            Span::raw("   "),
            Span::styled(format!(" {shown}{} ", " ".repeat(pad)), vstyle),
        ]));
        match fld.shown_error() {
            Some(e) => lines.extend(wrap(e, width, "   ✗ ", 5).into_iter().map(|l| {
                Line::styled(l, Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
            })),
            None => lines.push(Line::raw("")),
        }
    }
    let h = lines.len() as u16 + 2;
    let area = dialog_area(f, w, h);
    let k = |a| m.keymap.key(Context::Form, a);
    let block = dialog_block(
        format!("Inputs for {}", form.item),
        hints(&[
            (
                format!("{}/{}", k(Action::NextField), k(Action::PrevField)),
                "move",
            ),
            (k(Action::Submit), "preview"),
            (k(Action::Cancel), "cancel"),
        ]),
    );
    f.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((row, col)) = cursor {
        let y = area.y + 1 + row;
        let x = area.x + 1 + col;
        if y < area.bottom().saturating_sub(1) && x < area.right().saturating_sub(1) {
            f.set_cursor_position(Position { x, y });
        }
    }
}
