//! The items of the selected section, with their status (a spinner while loading).

use super::sections::highlight;
use super::{status_style, symbol};
use crate::report::compare::ItemChange;
use crate::tui::model::{Focus, Model};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, List, ListItem, ListState};

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
    let block = pane_block(" Items ", focused);
    let inner_w = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = m
        .current_items()
        .into_iter()
        .map(|(g, _)| {
            let r = &m.results[g];
            let title = r.title.clone();
            let mark = change_mark(m, &r.id);
            let room = inner_w.saturating_sub(4 + mark.as_ref().map_or(0, |s| s.width()));
            let title = super::ellipsize(&title, room);
            let mut line = vec![
                Span::raw(" "),
                Span::styled(
                    symbol(m, r.status),
                    status_style(r.status).add_modifier(Modifier::BOLD),
                ),
                Span::raw(" "),
                Span::raw(title),
            ];
            line.extend(mark);
            ListItem::new(Line::from(line))
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight(focused));
    let mut state = ListState::default().with_selected(Some(m.item));
    f.render_stateful_widget(list, area, &mut state);
}
