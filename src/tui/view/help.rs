//! Help, generated from the keymap: every binding and what it does.

use super::{dialog_area, dialog_block, heading, hints, key_style, wrap};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, m: &Model, scroll: u16) {
    let full = f.area();
    let area = dialog_area(f, 84.min(full.width), full.height.saturating_sub(2));
    // Inside the borders, one column spare on the right.
    let width = area.width.saturating_sub(3) as usize;
    let mut lines: Vec<Line> = vec![];
    for (ctx, rows) in m.keymap.help() {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(heading(&format!(" {}", ctx.title())));
        let kw = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        // Descriptions wrap under themselves, never cut.
        let indent = 3 + kw + 3;
        for (keys, desc) in rows {
            let first = " ".repeat(indent);
            for (i, l) in wrap(desc, width, &first, indent).into_iter().enumerate() {
                let text: String = l.chars().skip(indent).collect();
                let keys = if i == 0 { keys.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::raw("   "),
                    Span::styled(format!("{keys:kw$}"), key_style()),
                    Span::raw(format!("   {text}")),
                ]));
            }
        }
    }
    let k = |a| m.keymap.key(Context::Dialog, a);
    let block = dialog_block(
        "Keys".to_string(),
        hints(&[
            (format!("{}/{}", k(Action::Down), k(Action::Up)), "scroll"),
            (k(Action::Close), "close"),
        ]),
    );
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
