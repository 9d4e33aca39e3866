//! The header: account, caller, mode badge, totals and collection progress.

use super::{dim, mode_style, status_style};
use crate::checks::Status;
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let bar = Style::new().bg(Color::Indexed(236));
    f.render_widget(Paragraph::new("").style(bar), area);

    let (done, total) = m.collection_progress();
    let mut right = vec![];
    for s in [Status::Pass, Status::Fail, Status::Manual, Status::Error] {
        let n = m.count(s);
        if n > 0 || matches!(s, Status::Pass | Status::Fail) {
            right.push(Span::styled(format!("{} {n}", s.symbol()), status_style(s)));
            right.push(Span::raw("  "));
        }
    }
    if done < total {
        right.push(Span::styled(
            format!("{} scanning ", m.spinner_frame()),
            Style::new().fg(Color::Yellow),
        ));
        right.push(Span::raw(gauge(done, total, 10)));
        right.push(Span::raw(format!(" {done}/{total} ")));
    } else if m.checking_count() > 0 {
        // Every part is read; some items are still being checked.
        let n = m.checking_count();
        right.push(Span::styled(
            format!(
                "{} checking {n} item{} ",
                m.spinner_frame(),
                if n == 1 { "" } else { "s" }
            ),
            Style::new().fg(Color::Yellow),
        ));
    } else {
        right.push(Span::styled(format!("scanned {done}/{total} "), dim()));
    }
    let mut left = vec![
        Span::styled(" moat ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!(" {} ", m.mode.badge()), mode_style(m.mode)),
        Span::raw("  account "),
        Span::styled(
            m.account.clone().unwrap_or_else(|| "…".into()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ];
    // Since the last scan, when it fits beside the counts.
    if let Some(c) = &m.compare.comparison {
        let n = c.counts();
        let mut text = format!("since last scan: {} fixed, {} new", n.fixed, n.new);
        if n.drift > 0 {
            text.push_str(&format!(" ({} failing again)", n.drift));
        }
        let since = Span::styled(text, Style::new().fg(Color::Cyan));
        let lw: usize = left.iter().map(|s| s.width()).sum();
        let rw: usize = right.iter().map(|s| s.width()).sum();
        if lw + since.width() + 2 + rw < area.width as usize {
            right.insert(0, Span::raw("  "));
            right.insert(0, since);
        }
    }
    let right = Line::from(right);
    // The caller ARN only when it fits beside the counts.
    let caller = Span::styled(format!("  {}", m.caller.clone().unwrap_or_default()), dim());
    let lw: usize = left.iter().map(|s| s.width()).sum();
    if lw + caller.width() + right.width() < area.width as usize {
        left.push(caller);
    }
    let lw: usize = left.iter().map(|s| s.width()).sum();
    f.render_widget(Paragraph::new(Line::from(left)), area);
    let rw = right.width() as u16;
    if lw as u16 + rw < area.width {
        let r = Rect {
            x: area.x + area.width - rw,
            width: rw,
            ..area
        };
        f.render_widget(Paragraph::new(right).alignment(Alignment::Right), r);
    }
}

/// `▰▰▰▱▱▱`
fn gauge(done: usize, total: usize, width: usize) -> String {
    let full = (done * width).checked_div(total).unwrap_or(0);
    format!("{}{}", "▰".repeat(full), "▱".repeat(width - full))
}
