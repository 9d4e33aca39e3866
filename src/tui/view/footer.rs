//! The footer: the filter being typed, the last message (wrapped over a few
//! rows when it is longer than the screen is wide), or the keys that matter
//! here.

use super::{dim, hints, key_style, level_style, wrap};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{Model, Walk};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The footer's lines at `width` columns (the caller gives it the rows).
pub fn lines(m: &Model, width: usize) -> Vec<Line<'static>> {
    if m.filter_editing && m.overlay.is_none() {
        let k = |a| m.keymap.key(Context::Filter, a);
        let mut spans = vec![
            Span::styled(" / ", key_style()),
            Span::styled(
                crate::kit::text::sanitize(&m.filter),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled("█", dim()),
            Span::raw("  "),
        ];
        spans.extend(
            hints(&[
                (k(Action::KeepFilter), "keep"),
                (k(Action::DropFilter), "clear"),
            ])
            .spans,
        );
        return vec![Line::from(spans)];
    }
    match &m.flash {
        Some(fl) => {
            let style = level_style(fl.level);
            wrap(&fl.text, width.saturating_sub(1), " ", 1)
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect()
        }
        None if !m.marks.is_empty() => {
            let k = |a| m.keymap.key(Context::Main, a);
            let mut pairs = vec![
                (k(Action::Preview), "preview"),
                (k(Action::Apply), "apply"),
                (k(Action::ClearMarks), "clear marks"),
                (k(Action::Mark), "mark"),
                (k(Action::Help), "help"),
                (k(Action::Quit), "quit"),
            ];
            let count = format!(" {} marked ·", m.marks.len());
            for drop in ["mark", "clear marks"] {
                if count.chars().count() + hints(&pairs).width() <= width {
                    break;
                }
                pairs.retain(|(_, what)| *what != drop);
            }
            let mut spans = vec![Span::styled(
                count,
                Style::new().add_modifier(Modifier::BOLD),
            )];
            spans.extend(hints(&pairs).spans);
            vec![Line::from(spans)]
        }
        None => {
            let k = |a| m.keymap.key(Context::Main, a);
            let next = match m.walk {
                Walk::Attention => "next to fix",
                Walk::Guide => "next in guide",
            };
            let mut pairs = vec![
                (k(Action::NextAttention), next),
                (k(Action::Preview), "preview"),
                (k(Action::Apply), "apply"),
                (k(Action::MarkDone), "mark done"),
                (k(Action::Filter), "filter"),
                (k(Action::FocusNext), "pane"),
                (k(Action::Rescan), "re-scan"),
                (k(Action::Help), "help"),
                (k(Action::Quit), "quit"),
            ];
            // On a narrow screen the hints least needed go first; help and
            // quit stay.
            for drop in ["pane", "re-scan", "mark done", "apply"] {
                if hints(&pairs).width() <= width {
                    break;
                }
                pairs.retain(|(_, what)| *what != drop);
            }
            vec![hints(&pairs)]
        }
    }
}

pub fn render(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    f.render_widget(Paragraph::new(lines), area);
}
