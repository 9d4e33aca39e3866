//! The section list, with pass / fail counts.

use super::status_style;
use crate::checks::Status;
use crate::tui::model::{Focus, Model};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let focused = m.focus == Focus::Sections && m.overlay.is_none();
    let block = super::items::pane_block(" Sections ", focused);
    let inner_w = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = m
        .sections
        .iter()
        .map(|s| {
            let title = crate::guide::guide()
                .section(s)
                .map(|t| t.title.clone())
                .unwrap_or_else(|| s.to_string());
            let mut counts = vec![];
            for st in [
                Status::Pass,
                Status::Fail,
                Status::Manual,
                Status::Error,
                Status::Loading,
            ] {
                let n = m
                    .results
                    .iter()
                    .filter(|r| r.section == *s && r.status == st)
                    .count();
                if n > 0 || matches!(st, Status::Pass | Status::Fail) {
                    if !counts.is_empty() {
                        counts.push(Span::raw(" "));
                    }
                    counts.push(Span::styled(
                        format!("{} {n}", st.symbol()),
                        status_style(st),
                    ));
                }
            }
            let cw: usize = counts.iter().map(|c| c.width()).sum();
            let room = inner_w.saturating_sub(cw + 3);
            let title = super::ellipsize(&title, room);
            let pad = inner_w.saturating_sub(cw + 2 + title.chars().count());
            let mut spans = vec![
                Span::raw(format!(" {title}")),
                Span::raw(" ".repeat(pad + 1)),
            ];
            spans.extend(counts);
            let line = Line::from(spans);
            // A section the filter leaves empty is greyed out.
            if m.narrowed() && m.visible_items(s).is_empty() {
                ListItem::new(line.style(super::dim()))
            } else {
                ListItem::new(line)
            }
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_style(highlight(focused));
    let mut state = ListState::default().with_selected(Some(m.section));
    f.render_stateful_widget(list, area, &mut state);
}

pub fn highlight(focused: bool) -> Style {
    if focused {
        Style::new()
            .bg(Color::Indexed(24))
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().bg(Color::Indexed(237))
    }
}
