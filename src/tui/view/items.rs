//! The items of the selected section, with their status (a spinner while loading).

use super::sections::highlight;
use super::{dim, status_style, symbol, wrap};
use crate::report::compare::ItemChange;
use crate::tui::model::{Focus, Model};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, List, ListItem, ListState, Paragraph};

pub fn pane_block(title: &'static str, focused: bool) -> Block<'static> {
    let border = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    let title_style = if focused {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Span::styled(title, title_style))
}

/// An item's change since the last scan: ` new`, ` fixed`, or ` drift`
/// (failing again after moat fixed it).
fn change_mark(m: &Model, item: &str) -> Option<Span<'static>> {
    let change = m.compare.comparison.as_ref()?.item_summary(item)?;
    Some(match change {
        ItemChange::Drift(_) => Span::styled(
            " drift",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        ItemChange::New => Span::styled(" new", Style::new().fg(Color::Red)),
        ItemChange::Fixed => Span::styled(" fixed", Style::new().fg(Color::Green)),
    })
}

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let focused = m.focus == Focus::Items && m.overlay.is_none();
    let mut block = pane_block(" Items ", focused);
    // The active narrowing, beside the title.
    let mut narrowing = vec![];
    if !m.filter.is_empty() {
        narrowing.push(format!("/{}", crate::kit::text::sanitize(&m.filter)));
    }
    if m.attention_only {
        narrowing.push("needs attention".to_string());
    }
    if !m.marks.is_empty() {
        block = block.title(Span::styled(
            format!(" ● {} marked ", m.marks.len()),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        ));
    }
    if !narrowing.is_empty() {
        block = block.title(Span::styled(
            format!(" {} ", narrowing.join(" · ")),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    let p = m.walk_progress();
    // Not under a dialog: its frame would cut the line.
    if m.overlay.is_none() {
        block = block.title_bottom(Span::styled(
            format!(
                " section {} of {} · {} of {} done ",
                p.section, p.sections, p.done, p.items
            ),
            dim(),
        ));
    }
    let inner_w = area.width.saturating_sub(2) as usize;
    let listed = m.current_items();
    if listed.is_empty() && m.narrowed() {
        let text = if m.results.iter().enumerate().any(|(g, _)| m.shown(g)) {
            "No item of this section matches; other sections have some."
        } else {
            "No item matches."
        };
        f.render_widget(
            Paragraph::new(Line::styled(format!(" {text}"), dim())).block(block),
            area,
        );
        return;
    }
    let items: Vec<ListItem> = listed
        .into_iter()
        .map(|(g, _)| {
            let r = &m.results[g];
            // Titles wrap under themselves, never cut; the change since the
            // last scan follows the title's last word.
            let mark = change_mark(m, &r.id);
            let mark_w = mark.as_ref().map_or(0, |s| s.width());
            let wrapped = wrap(&r.title, inner_w.saturating_sub(1 + mark_w), "   ", 3);
            let mut lines = vec![];
            let marked = m.marks.contains_key(&r.id);
            for (i, l) in wrapped.into_iter().enumerate() {
                let text: String = l.chars().skip(3).collect();
                let sign = if i == 0 {
                    Span::styled(
                        symbol(m, r.status),
                        status_style(r.status).add_modifier(Modifier::BOLD),
                    )
                } else {
                    Span::raw(" ")
                };
                // The mark for a batch, in the first column.
                let lead = if i == 0 && marked {
                    Span::styled(
                        "●",
                        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                    )
                } else {
                    Span::raw(" ")
                };
                lines.push(Line::from(vec![
                    lead,
                    sign,
                    Span::raw(" "),
                    Span::raw(text),
                ]));
            }
            if let (Some(mark), Some(last)) = (mark, lines.last_mut()) {
                last.spans.push(mark);
            }
            ListItem::new(lines)
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight(focused));
    let mut state = ListState::default().with_selected(Some(m.item));
    f.render_stateful_widget(list, area, &mut state);
}
