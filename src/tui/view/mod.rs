//! Rendering: reads the model, draws a frame. No I/O, no diffing, no
//! planning; one file per pane or dialog.

pub mod confirm;
mod detail;
mod footer;
mod form;
mod header;
mod help;
mod items;
mod journal;
mod outcome;
mod preview;
mod section_page;
mod sections;

pub use detail::detail_order;

use super::model::{Focus, Level, Model, Overlay};
use crate::checks::Status;
use crate::collect::Mode;
use crate::diff::{DiffLine, LineKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};

/// Width of the left column (sections and items).
const LEFT_WIDTH: u16 = 46;
/// Rows the footer may grow to for a long message.
const FOOTER_MAX: u16 = 3;

pub fn render(f: &mut Frame, m: &Model) {
    let area = f.area();
    let footer = footer::lines(m, area.width as usize);
    let footer_h = (footer.len() as u16)
        .clamp(1, FOOTER_MAX)
        .min(area.height.saturating_sub(5).max(1));
    let [header_area, body, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    header::render(f, header_area, m);
    let [left, right] = Layout::horizontal([
        Constraint::Length(left_width(m, body.width)),
        Constraint::Min(10),
    ])
    .areas(body);
    // Every section is listed when the screen has room for a useful item
    // list below them; on a short screen the list scrolls.
    let sections_h = (m.sections.len() as u16 + 2)
        .min(left.height.saturating_sub(10).max(left.height / 2))
        .max(3);
    let [sec_area, items_area] =
        Layout::vertical([Constraint::Length(sections_h), Constraint::Min(3)]).areas(left);
    sections::render(f, sec_area, m);
    items::render(f, items_area, m);
    if m.focus == Focus::Sections {
        section_page::render(f, right, m);
    } else {
        detail::render(f, right, m);
    }
    footer::render(f, footer_area, footer);

    if m.overlay.is_some() {
        // A dialog covers the panes' middle: what would show of them at its
        // edges is cut text, so their insides are blanked (frames stay).
        for a in [sec_area, items_area, right] {
            f.render_widget(Clear, a.inner(Margin::new(1, 1)));
        }
    }

    match &m.overlay {
        None => {}
        Some(Overlay::Help { scroll, .. }) => help::render(f, m, *scroll),
        Some(Overlay::Preview(p)) => preview::render(f, m, p),
        Some(Overlay::Confirm(c)) => confirm::render(f, m, c),
        Some(Overlay::Form(form)) => form::render(f, m, form),
        Some(Overlay::Applying(a)) => outcome::render_applying(f, m, a),
        Some(Overlay::Planning(p)) => outcome::render_planning(f, m, p),
        Some(Overlay::Outcome(o)) => outcome::render(f, m, o),
        Some(Overlay::Journal(v)) => journal::render(f, m, v),
    }
}

/// The left column's width. On a narrow screen the lists grow to three
/// fifths of the width while the item list has the keyboard, so item titles
/// show whole (longer ones wrap); the details and the section's page get the
/// room back when their turn comes.
fn left_width(m: &Model, width: u16) -> u16 {
    let base = LEFT_WIDTH.min(width / 2);
    if m.focus != Focus::Items || width >= 2 * LEFT_WIDTH + 28 {
        return base;
    }
    (width * 3 / 5).max(base)
}

pub fn status_style(s: Status) -> Style {
    match s {
        Status::Pass => Style::new().fg(Color::Green),
        Status::Fail => Style::new().fg(Color::Red),
        Status::Manual => Style::new().fg(Color::Yellow),
        Status::Accepted => Style::new().fg(Color::Cyan),
        Status::Error => Style::new().fg(Color::Magenta),
        Status::Loading => Style::new().fg(Color::DarkGray),
        Status::NotApplicable => Style::new().fg(Color::DarkGray),
    }
}

pub fn level_style(l: Level) -> Style {
    match l {
        Level::Info => Style::new().fg(Color::Cyan),
        Level::Success => Style::new().fg(Color::Green),
        Level::Warning => Style::new().fg(Color::Yellow),
        Level::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    }
}

pub fn mode_style(mode: Mode) -> Style {
    let bg = match mode {
        Mode::Live => Color::Red,
        Mode::Demo => Color::Blue,
        Mode::DryRun { .. } => Color::Yellow,
    };
    Style::new()
        .bg(bg)
        .fg(Color::Black)
        .add_modifier(Modifier::BOLD)
}

/// A status symbol, with the spinner while loading.
pub fn symbol(m: &Model, s: Status) -> &'static str {
    if s == Status::Loading {
        m.spinner_frame()
    } else {
        s.symbol()
    }
}

pub fn heading_style() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), heading_style()))
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn key_style() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A styled diff line.
pub fn diff_line(l: &DiffLine) -> Line<'_> {
    let style = match l.kind {
        LineKind::Header => Style::new().add_modifier(Modifier::BOLD),
        LineKind::Hunk => Style::new().fg(Color::Cyan),
        LineKind::Added => Style::new().fg(Color::Green),
        LineKind::Removed => Style::new().fg(Color::Red),
        LineKind::Context => Style::new(),
    };
    Line::from(Span::styled(l.text.as_str(), style))
}

/// A bordered dialog block.
pub fn dialog_block(title: String, hints: Line<'static>) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(Color::Cyan))
        .title(Line::from(Span::styled(
            format!(" {title} "),
            Style::new().add_modifier(Modifier::BOLD),
        )))
        .title_bottom(hints)
}

/// A centered rectangle of at most `w` × `h`, cleared for a dialog.
pub fn dialog_area(f: &mut Frame, w: u16, h: u16) -> Rect {
    let area = f.area();
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    r
}

/// Key hints: `key action · key action`.
pub fn hints(pairs: &[(String, &str)]) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in pairs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", dim()));
        }
        spans.push(Span::styled(k.clone(), key_style()));
        spans.push(Span::raw(format!(" {what}")));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// Word-wrap `text` to `width` columns; continuation lines start with `indent`
/// spaces, the first line with `first` (which counts toward the width).
/// `text` cut to `room` characters, with `…` when it was cut.
pub fn ellipsize(text: &str, room: usize) -> String {
    if text.chars().count() > room {
        text.chars()
            .take(room.saturating_sub(1))
            .chain(['…'])
            .collect()
    } else {
        text.to_string()
    }
}

pub fn wrap(text: &str, width: usize, first: &str, indent: usize) -> Vec<String> {
    let width = width.max(indent + 10);
    let mut out = vec![];
    let mut cur = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let mut chars: Vec<char> = word.chars().collect();
        if !empty && len + 1 + chars.len() > width {
            out.push(std::mem::replace(&mut cur, " ".repeat(indent)));
            len = indent;
            empty = true;
        }
        if !empty {
            cur.push(' ');
            len += 1;
        }
        // A word longer than the room left is cut.
        while len + chars.len() > width {
            let room = width.saturating_sub(len);
            cur.extend(chars.drain(..room));
            out.push(std::mem::replace(&mut cur, " ".repeat(indent)));
            len = indent;
        }
        len += chars.len();
        cur.extend(chars);
        empty = false;
    }
    out.push(cur);
    out
}

/// Wrapped paragraphs (blank-line separated in the source) as lines.
pub fn paragraphs(text: &str, width: usize, indent: usize) -> Vec<Line<'static>> {
    let pad = " ".repeat(indent);
    let mut out = vec![];
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push(Line::raw(""));
        }
        out.extend(wrap(para, width, &pad, indent).into_iter().map(Line::raw));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_on_words_with_hanging_indent() {
        assert_eq!(wrap("aaa bbb ccc", 9, "", 0), vec!["aaa bbb", "ccc"]);
        assert_eq!(
            wrap("aaa bbb ccc ddd", 12, "1. ", 3),
            vec!["1. aaa bbb", "   ccc ddd"]
        );
        assert_eq!(wrap("", 20, "  ", 2), vec!["  "]);
        let long = wrap(&"x".repeat(30), 12, "", 0);
        assert!(long.iter().all(|l| l.chars().count() <= 12), "{long:?}");
        assert_eq!(long.concat(), "x".repeat(30));
    }
}
