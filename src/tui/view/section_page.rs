//! The selected section's own page, in the right pane while the section list
//! has the keyboard: its introduction from the guide, its items with their
//! status and what moat can do for each, and what the guide recommends there
//! that moat leaves to the user.

use super::{dim, heading, key_style, paragraphs, status_style, symbol, wrap};
use crate::checks::{Fix, ItemDef, Status};
use crate::guide::guide;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What moat can do for an item, as the page's item list tags it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A change moat previews and applies.
    Fix,
    /// Steps to follow, then marked done.
    Guided,
    /// Read and judged only.
    Check,
}

impl Kind {
    fn of(def: &ItemDef) -> Kind {
        match def.fix {
            Fix::Plan(_) => Kind::Fix,
            Fix::Guided => Kind::Guided,
            Fix::None => Kind::Check,
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Kind::Fix => "fix",
            Kind::Guided => "guided",
            Kind::Check => "check",
        }
    }
}

/// The tags' column: the longest tag and a space.
const TAG_W: usize = 7;

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let block = super::items::pane_block(" Section ", false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = inner.width.saturating_sub(2) as usize;
    let p = Paragraph::new(lines(m, width)).scroll((m.detail_scroll, 0));
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    f.render_widget(p, inner);
}

pub fn lines(m: &Model, width: usize) -> Vec<Line<'static>> {
    let Some(id) = m.section_id() else {
        return vec![Line::raw("No section selected.")];
    };
    let text = guide().section(id);
    let title = text.map(|t| t.title.clone()).unwrap_or_else(|| id.into());
    let mut out: Vec<Line<'static>> = vec![Line::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    )];
    let items = m.section_items(id);
    let done = items.iter().filter(|(g, _)| m.item_done(*g)).count();
    let progress = format!(
        "section {} of {} · {} of {} items done",
        m.section + 1,
        m.sections.len(),
        done,
        items.len()
    );
    out.extend(
        wrap(&progress, width, "", 0)
            .into_iter()
            .map(|l| Line::styled(l, dim())),
    );
    out.push(Line::raw(""));
    if let Some(t) = text {
        out.extend(paragraphs(&t.intro, width, 0));
        out.push(Line::raw(""));
    }

    out.push(heading("What moat can do here"));
    let mut kinds = [0usize; 3];
    for (_, def) in &items {
        kinds[Kind::of(def) as usize] += 1;
    }
    let k = |a| m.keymap.key(Context::Main, a);
    let legend: [(usize, &str, String); 3] = [
        (
            kinds[Kind::Fix as usize],
            "fix",
            format!(
                "moat proposes a change: {} previews it as a diff, {} applies it after you confirm",
                k(Action::Preview),
                k(Action::Apply)
            ),
        ),
        (
            kinds[Kind::Guided as usize],
            "guided",
            format!(
                "no API can do it: follow the item's steps, then {} marks it done",
                k(Action::MarkDone)
            ),
        ),
        (
            kinds[Kind::Check as usize],
            "check",
            "moat reads and judges it; the item's details say what to do".to_string(),
        ),
    ];
    for (n, tag, what) in legend {
        if n == 0 {
            continue;
        }
        let first = format!("  {n:>2} {tag:TAG_W$}");
        let indent = first.chars().count();
        for (i, l) in wrap(&what, width, &first, indent).into_iter().enumerate() {
            if i == 0 {
                let rest: String = l.chars().skip(indent).collect();
                out.push(Line::from(vec![
                    Span::raw(format!("  {n:>2} ")),
                    Span::styled(format!("{tag:TAG_W$}"), key_style()),
                    Span::raw(rest),
                ]));
            } else {
                out.push(Line::raw(l));
            }
        }
    }
    let attention = items
        .iter()
        .filter(|(g, _)| {
            m.results
                .get(*g)
                .is_some_and(|r| crate::tui::model::needs_attention(r.status))
        })
        .count();
    let loading = items.iter().any(|(g, _)| {
        m.results
            .get(*g)
            .is_some_and(|r| r.status == Status::Loading)
    });
    if attention > 0 && !loading {
        let next = k(Action::NextAttention);
        let note = match m.walk {
            crate::tui::model::Walk::Attention => {
                format!("{attention} need attention here; {next} walks to them.")
            }
            crate::tui::model::Walk::Guide => {
                format!("{attention} need attention here; {next} walks every item in order.")
            }
        };
        out.extend(
            wrap(&note, width, "  ", 2)
                .into_iter()
                .map(|l| Line::styled(l, dim())),
        );
    }

    out.push(Line::raw(""));
    out.push(heading(&format!("Items ({})", items.len())));
    for (g, def) in &items {
        let Some(r) = m.results.get(*g) else { continue };
        let kind = Kind::of(def);
        let first = format!("  {} {:TAG_W$}", symbol(m, r.status), kind.tag());
        let indent = first.chars().count();
        for (i, l) in wrap(&r.title, width, &first, indent)
            .into_iter()
            .enumerate()
        {
            if i == 0 {
                let rest: String = l.chars().skip(indent).collect();
                out.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(
                        symbol(m, r.status),
                        status_style(r.status).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(" "),
                    Span::styled(format!("{:TAG_W$}", kind.tag()), dim()),
                    Span::raw(rest),
                ]));
            } else {
                out.push(Line::raw(l));
            }
        }
    }

    if let Some(t) = text
        && !t.left_out.is_empty()
    {
        out.push(Line::raw(""));
        out.push(heading("Left to you"));
        for l in &t.left_out {
            out.extend(
                wrap(&l.title, width, "  ", 2)
                    .into_iter()
                    .map(|x| Line::styled(x, Style::new().add_modifier(Modifier::BOLD))),
            );
            out.extend(paragraphs(&l.text, width, 4));
        }
    }
    out
}
