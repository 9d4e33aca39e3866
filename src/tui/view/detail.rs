//! The detail pane: the selected item's live state, what passing means and
//! why it matters, the failing resources, what moat's change does and the
//! guided steps.

use super::{dim, heading, heading_style, key_style, paragraphs, status_style, symbol, wrap};
use crate::checks::{Fix, Status};
use crate::guide::{fill, guide};
use crate::kit::text::sanitize;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{BatchStatus, Focus, Model};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, area: Rect, m: &Model) {
    let focused = m.focus == Focus::Detail && m.overlay.is_none();
    let block = super::items::pane_block(" Detail ", focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = inner.width.saturating_sub(2) as usize;
    // Only the lines down to the bottom of the pane are laid out: an item
    // with 10,000 findings costs no more per frame than one with 10.
    let visible = m.detail_scroll as usize + inner.height as usize;
    let lines = lines(m, width, visible);
    let p = Paragraph::new(lines).scroll((m.detail_scroll, 0));
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(1),
        ..inner
    };
    f.render_widget(p, inner);
}

/// The pane's lines, at least the first `visible` of them (the rest may be
/// left out).
fn lines(m: &Model, width: usize, visible: usize) -> Vec<Line<'static>> {
    let Some((def, r)) = m.current() else {
        return vec![Line::raw("No item selected.")];
    };
    let text = guide().item(def.id);
    let account = m.account.clone().unwrap_or_else(|| "(your account)".into());
    let mut out: Vec<Line<'static>> = vec![];

    // The title and its references wrap on a narrow pane, never cut.
    out.extend(
        wrap(&r.title, width, "", 0)
            .into_iter()
            .map(|l| Line::styled(l, Style::new().add_modifier(Modifier::BOLD))),
    );
    let mut meta = def.id.to_string();
    if !def.cis.is_empty() {
        meta.push_str(&format!(" · CIS {}", def.cis.join(", ")));
    }
    if !def.security_hub.is_empty() {
        meta.push_str(&format!(" · Security Hub {}", def.security_hub.join(", ")));
    }
    out.extend(
        wrap(&meta, width, "", 0)
            .into_iter()
            .map(|l| Line::styled(l, dim())),
    );
    out.push(Line::raw(""));

    // Live state.
    let st = status_style(r.status).add_modifier(Modifier::BOLD);
    let label = format!(
        "{} {}",
        symbol(m, r.status),
        r.status.as_str().replace('_', " ")
    );
    let summary = match r.status {
        Status::Loading => "reading the account…".to_string(),
        _ => r.summary.clone(),
    };
    let first = format!("{label}  ");
    let wrapped = wrap(&summary, width, &first, first.chars().count());
    for (i, l) in wrapped.into_iter().enumerate() {
        if i == 0 {
            let rest: String = l.chars().skip(label.chars().count()).collect();
            out.push(Line::from(vec![
                Span::styled(label.clone(), st),
                Span::raw(rest),
            ]));
        } else {
            out.push(Line::raw(l));
        }
    }
    if r.status == Status::Error {
        let key = m.keymap.key(Context::Main, Action::Rescan);
        let hint = format!(
            "moat could not read what this item needs, so it cannot tell whether it passes. Grant the missing read permission and press {key} to re-scan."
        );
        out.extend(
            wrap(&hint, width, "", 0)
                .into_iter()
                .map(|l| Line::styled(l, dim())),
        );
    }
    // The check itself may not read the mark (it reads the account): say so.
    if let Some(when) = m.progress.done.get(def.id)
        && r.status != Status::Pass
    {
        let note = format!(
            "You marked this done on {}; the check still reads the account.",
            when.format("%Y-%m-%d")
        );
        out.extend(
            wrap(&note, width, "", 0)
                .into_iter()
                .map(|l| Line::styled(l, dim())),
        );
    }
    out.extend(last_change(m, def.id, width));
    if !matches!(r.status, Status::Error | Status::Loading) {
        out.push(actions(m, def));
    }
    out.push(Line::raw(""));

    // Why before the resources and the steps: the reason to act comes first.
    if let Some(t) = text {
        out.push(heading("Passing means"));
        out.extend(paragraphs(&t.summary, width, 2));
        out.push(Line::raw(""));
        out.push(heading("Why it matters"));
        out.extend(paragraphs(&t.why, width, 2));
        out.push(Line::raw(""));
    }

    if !r.findings.is_empty() {
        out.push(heading(&format!("Resources ({})", r.findings.len())));
        let picked = m.picked_resource();
        let mut failing = r
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.resource.as_str());
        let first = failing.next();
        let several = failing.any(|x| Some(x) != first);
        // The hint shows where the key works: in the focused detail pane.
        let can_pick = m.focus == Focus::Detail && matches!(def.fix, Fix::Plan(_)) && several;
        match picked {
            Some(p) => {
                let back = m.keymap.key(Context::Main, Action::Back);
                let note = format!("The change covers only {p} ({back}: every resource).");
                out.extend(
                    wrap(&note, width, "  ", 2)
                        .into_iter()
                        .map(|l| Line::styled(l, dim())),
                );
            }
            None if can_pick => {
                let key = m.keymap.key(Context::Main, Action::Open);
                let note = format!("Press {key} here to pick one resource to fix alone.");
                out.extend(
                    wrap(&note, width, "  ", 2)
                        .into_iter()
                        .map(|l| Line::styled(l, dim())),
                );
            }
            None => {}
        }
        // Grouped by region under a heading of their own; findings without a
        // region (global resources) come first.
        let mut region: Option<&str> = None;
        for i in detail_order(&r.findings) {
            if out.len() > visible {
                return out;
            }
            let fnd = &r.findings[i];
            if let Some(x) = fnd.region.as_deref()
                && region != Some(x)
            {
                region = Some(x);
                out.push(Line::from(Span::styled(
                    format!("  {x}"),
                    Style::new().add_modifier(Modifier::UNDERLINED),
                )));
            }
            let is_picked = picked == Some(fnd.resource.as_str());
            let name_style = if is_picked {
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            };
            out.push(Line::from(vec![
                Span::raw(if is_picked { "› " } else { "  " }),
                Span::styled(fnd.status.symbol(), status_style(fnd.status)),
                Span::raw(" "),
                Span::styled(fnd.resource.clone(), name_style),
            ]));
            out.extend(
                wrap(&fnd.detail, width, "    ", 4)
                    .into_iter()
                    .map(Line::raw),
            );
        }
        out.push(Line::raw(""));
    }

    let Some(t) = text else { return out };
    out.push(heading("What moat does"));
    out.extend(paragraphs(&t.fix, width, 2));
    out.push(Line::raw(""));
    if !t.steps.is_empty() {
        let key = m.keymap.key(Context::Main, Action::MarkDone);
        let then = if def.can_mark_done() {
            format!("  (then press {key} to mark done)")
        } else {
            let r = m.keymap.key(Context::Main, Action::Rescan);
            format!("  (then press {r} to re-scan)")
        };
        out.push(Line::from(vec![
            Span::styled("Steps", heading_style()),
            Span::styled(then, dim()),
        ]));
        for (i, step) in t.steps.iter().enumerate() {
            let step = fill(step, &[("account", &account)]);
            let n = format!("  {}. ", i + 1);
            let indent = n.chars().count();
            out.extend(wrap(&step, width, &n, indent).into_iter().map(Line::raw));
        }
    }
    out
}

/// What the keys can do for this item.
fn actions(m: &Model, def: &crate::checks::ItemDef) -> Line<'static> {
    let k = |a| m.keymap.key(Context::Main, a);
    let mut pairs: Vec<(String, &str)> = vec![];
    if let Fix::Plan(_) = def.fix {
        pairs.push((k(Action::Preview), "preview"));
        pairs.push((k(Action::Apply), "apply"));
        if !def.inputs.is_empty() {
            pairs.push((k(Action::EditInputs), "inputs"));
        }
    }
    if def.can_mark_done() {
        let done = m.progress.done.contains_key(def.id);
        pairs.push((
            k(Action::MarkDone),
            if done { "mark not done" } else { "mark done" },
        ));
    }
    let mut spans = vec![];
    for (i, (key, what)) in pairs.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", dim()));
        }
        spans.push(Span::styled(key, key_style()));
        spans.push(Span::styled(format!(" {what}"), dim()));
    }
    Line::from(spans)
}

/// The order the detail pane lists findings in: those without a region
/// first, then region by region (regions sorted), each in the check's order.
pub fn detail_order(findings: &[crate::checks::Finding]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..findings.len()).collect();
    // Stable: within a region the check's order (e.g. SSH and RDP first) stays.
    idx.sort_by(|a, b| findings[*a].region.cmp(&findings[*b].region));
    idx
}

/// "Last changed by moat: …": the newest journal batch that changed `item`.
fn last_change(m: &Model, item: &str, width: usize) -> Vec<Line<'static>> {
    let Some(b) = m.journal.last_change(item) else {
        return vec![];
    };
    let calls = b.entries.iter().filter(|e| e.item == item).count();
    let plural = if calls == 1 { "call" } else { "calls" };
    let state = match (b.status, b.undone_at) {
        (BatchStatus::Undone, Some(t)) => format!("undone {}", t.format("%Y-%m-%d %H:%M UTC")),
        (s, _) => s.text().to_string(),
    };
    let text = format!(
        "Last changed by moat: {}, batch {} ({calls} {plural}, {state})",
        b.time.format("%Y-%m-%d %H:%M UTC"),
        sanitize(b.batch),
    );
    wrap(&text, width, "", 0)
        .into_iter()
        .map(|l| Line::styled(l, dim()))
        .collect()
}
