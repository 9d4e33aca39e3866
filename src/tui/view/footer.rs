//! The footer: the last message, or the keys that matter here.

use super::{hints, level_style};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let line = match &m.flash {
        Some(fl) => Line::from(vec![
            Span::raw(" "),
            Span::styled(fl.text.clone(), level_style(fl.level)),
        ]),
        None => {
            let k = |a| m.keymap.key(Context::Main, a);
            hints(&[
                (k(Action::NextAttention), "next to fix"),
                (k(Action::Preview), "preview"),
                (k(Action::Apply), "apply"),
                (k(Action::MarkDone), "mark done"),
                (k(Action::FocusNext), "pane"),
                (k(Action::Rescan), "re-scan"),
                (k(Action::Help), "help"),
                (k(Action::Quit), "quit"),
            ])
        }
    };
    f.render_widget(Paragraph::new(line), area);
}
