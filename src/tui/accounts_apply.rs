//! One item applied to several accounts from the account list: the marked
//! accounts (space) and an item failing in them (`a`, then Enter) make one
//! plan, each account's part of it previewed under the account's id; one
//! `y` applies every part, each journaled in its own account. An account
//! whose part cannot be planned here (an item that needs input, a change
//! that asks for the account id typed) says why and is left out: open it
//! (Enter) to apply there.

use crate::checks::{self, Ctx, Fix, ItemDef, Status};
use crate::collect::{Backend, collect_inventory};
use crate::config::Settings;
use crate::diff::LineKind;
use crate::execute::execute;
use crate::journal::Journal;
use crate::kit::text::sanitize;
use crate::plan::{Inputs, Plan, PlanError, blast, make_plan};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The items failing in the marked accounts, to pick one from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// Item id and how many of the marked accounts it fails in, most first.
    pub items: Vec<(String, usize)>,
    pub at: usize,
    pub accounts: Vec<String>,
}

impl Picker {
    /// The items failing in `accounts` (their failing item ids in `failing`).
    pub fn new(accounts: Vec<String>, failing: &BTreeMap<String, Vec<String>>) -> Picker {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &accounts {
            for id in failing.get(a).into_iter().flatten() {
                *count.entry(id.as_str()).or_default() += 1;
            }
        }
        let mut items: Vec<(String, usize)> = count
            .into_iter()
            .filter(|(id, _)| checks::item(id).is_some_and(|d| matches!(d.fix, Fix::Plan(_))))
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Picker {
            items,
            at: 0,
            accounts,
        }
    }
}

/// One account's part of the plan, or why it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPlan {
    pub account: String,
    pub plan: Result<Plan, String>,
}

/// The plan over several accounts, previewed and then applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiApply {
    pub item: String,
    pub parts: Vec<AccountPlan>,
    pub scroll: u16,
    /// After applying: one line per account.
    pub outcome: Option<Vec<String>>,
}

impl MultiApply {
    /// The accounts with something to apply.
    pub fn planned(&self) -> impl Iterator<Item = (&str, &Plan)> {
        self.parts
            .iter()
            .filter_map(|p| p.plan.as_ref().ok().map(|plan| (p.account.as_str(), plan)))
    }

    /// The preview: each account's calls and diff under its id.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        for p in &self.parts {
            out.push(Line::styled(
                format!("▸ account {}", p.account),
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ));
            match &p.plan {
                Err(why) => out.push(Line::styled(
                    format!("  left out: {}", sanitize(why)),
                    Style::new().fg(Color::Yellow),
                )),
                Ok(plan) => {
                    for (n, s) in plan.steps.iter().enumerate() {
                        let undo = if s.inverse.is_some() {
                            Span::styled("reversible", Style::new().fg(Color::Green))
                        } else {
                            Span::styled(
                                "NOT reversible",
                                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                            )
                        };
                        out.push(Line::from(vec![
                            Span::raw(format!("  {}. {}  ", n + 1, s.op.action())),
                            Span::raw(format!("{}  ", sanitize(&s.op.resource().to_string()))),
                            undo,
                        ]));
                    }
                    for w in &plan.warnings {
                        out.push(Line::styled(
                            format!("  ⚠ {}", sanitize(w)),
                            Style::new().fg(Color::Yellow),
                        ));
                    }
                    for d in crate::tui::update::plan_diff(plan) {
                        let style = match d.kind {
                            LineKind::Added => Style::new().fg(Color::Green),
                            LineKind::Removed => Style::new().fg(Color::Red),
                            LineKind::Header | LineKind::Hunk => Style::new().fg(Color::DarkGray),
                            LineKind::Context => Style::new(),
                        };
                        out.push(Line::styled(format!("    {}", d.text), style));
                    }
                }
            }
            out.push(Line::raw(""));
        }
        out
    }
}

/// Plan `item` in each account, on a fresh read of the parts it needs.
pub async fn plan_accounts(
    item: &'static ItemDef,
    accounts: Vec<(String, Arc<dyn Backend>)>,
    settings: &Settings,
    state_dir: &Path,
) -> Vec<AccountPlan> {
    let parts = blast::parts(&checks::parts_for(&[item]));
    let mut out = Vec::new();
    for (account, backend) in accounts {
        let inv = collect_inventory(backend, &parts).await;
        let plan =
            checks::with_saved_progress(&inv, settings, state_dir, |ctx| plan_one(item, &inv, ctx));
        out.push(AccountPlan { account, plan });
    }
    out
}

fn plan_one(
    item: &'static ItemDef,
    inv: &crate::aws::inventory::Inventory,
    ctx: &Ctx,
) -> Result<Plan, String> {
    let result = checks::evaluate(item, inv, ctx);
    if result.status == Status::Error {
        return Err(result.summary);
    }
    let Fix::Plan(f) = item.fix else {
        return Err("no API can make this change".into());
    };
    let plan = f(inv, ctx, &Inputs::default())
        .and_then(|d| make_plan(inv, item.id, d))
        .map_err(|e| match e {
            PlanError::NothingToDo(m) => format!("nothing to change: {m}"),
            PlanError::Input { .. } => {
                "this change needs input: open the account (Enter) to apply it there".into()
            }
            other => other.to_string(),
        })?;
    if plan.typed_confirmation().is_some() {
        return Err(
            "this change cannot be undone and asks for the account id typed: open the account \
             (Enter) to apply it there"
                .into(),
        );
    }
    Ok(plan)
}

/// Apply each account's part, one account after the other, each journaled
/// in its own account; one line per account.
pub async fn apply_accounts(
    m: &MultiApply,
    backends: &BTreeMap<String, Arc<dyn Backend>>,
    state_dir: &Path,
) -> Vec<String> {
    let mut out = Vec::new();
    for (account, plan) in m.planned() {
        let Some(backend) = backends.get(account) else {
            out.push(format!("{account}: not applied: the account is not open"));
            continue;
        };
        let journal = Journal::open(state_dir, account);
        let line = match execute(backend.clone(), plan, &journal, |_| {}).await {
            Ok(r) if r.dry_run => format!(
                "{account}: dry-run: {} call(s) recorded, nothing sent",
                r.applied.len()
            ),
            Ok(r) if r.ok() => format!(
                "{account}: applied and verified (journal batch {})",
                r.batch.as_deref().unwrap_or("-")
            ),
            Ok(r) => match &r.failed {
                Some((i, e)) => format!(
                    "{account}: FAILED after {i} of {} change(s): {} (moat undo reverses what was applied)",
                    plan.steps.len(),
                    sanitize(&e.to_string())
                ),
                None => format!(
                    "{account}: applied, but {} resource(s) differ from the preview",
                    r.mismatches.len()
                ),
            },
            Err(e) => format!("{account}: not applied: {}", sanitize(&e.to_string())),
        };
        out.push(line);
    }
    out
}

/// Draw the item picker over the list.
pub fn render_picker(f: &mut Frame, p: &Picker) {
    let area = f.area();
    let lines: Vec<Line> = if p.items.is_empty() {
        vec![Line::raw(
            " No item that moat can fix fails in the marked accounts.",
        )]
    } else {
        p.items
            .iter()
            .enumerate()
            .map(|(i, (id, n))| {
                let text = format!(" {id}  ({n} of {} account(s))", p.accounts.len());
                if i == p.at {
                    Line::styled(text, Style::new().add_modifier(Modifier::REVERSED))
                } else {
                    Line::raw(text)
                }
            })
            .collect()
    };
    f.render_widget(ratatui::widgets::Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(format!(
                    " Apply which item to {} account(s)? ",
                    p.accounts.len()
                ))
                .title_bottom(" ↑↓ choose · Enter plan it in each account · Esc back "),
        ),
        area,
    );
}

/// Draw the plan over several accounts, or its outcome.
pub fn render_multi(f: &mut Frame, m: &MultiApply, dry_run: bool) {
    let area = f.area();
    f.render_widget(ratatui::widgets::Clear, area);
    let [body, foot] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let (lines, title, keys) = match &m.outcome {
        Some(lines) => (
            lines.iter().map(|l| Line::raw(format!(" {l}"))).collect(),
            format!(" {} applied in each account ", m.item),
            " any key: back to the accounts (read again) ".to_string(),
        ),
        None => {
            let n = m.planned().count();
            let what = if dry_run {
                "record the calls (nothing is sent)"
            } else {
                "apply"
            };
            (
                m.lines(),
                format!(" Apply {} in {n} account(s)? ", m.item),
                format!(" y {what} in {n} account(s) · ↑↓ scroll · any other key cancels "),
            )
        }
    };
    f.render_widget(
        Paragraph::new(lines)
            .scroll((m.scroll, 0))
            .block(Block::new().borders(Borders::ALL).title(title)),
        body,
    );
    let note = if m.outcome.is_none() && !dry_run {
        "These calls change live AWS accounts; each account's changes are journaled in that account."
    } else {
        ""
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(format!(" {note}"), Style::new().fg(Color::Red)),
            Line::styled(keys, Style::new().fg(Color::DarkGray)),
        ]),
        foot,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::{DemoBackend, demo_inventory};

    fn demo_backend(account: &str) -> Arc<dyn Backend> {
        let mut inv = demo_inventory().expect("demo");
        if let Some(id) = inv.identity.ready_mut() {
            id.account = account.into();
            id.arn = format!("arn:aws:iam::{account}:user/ops-admin");
        }
        Arc::new(DemoBackend::with_inventory(inv))
    }

    #[tokio::test]
    async fn one_item_is_planned_and_applied_in_each_account_journaled_there() {
        let state = tempfile::tempdir().expect("temp dir");
        let settings = Settings::default();
        let backends: BTreeMap<String, Arc<dyn Backend>> = ["111111111111", "222222222222"]
            .into_iter()
            .map(|a| (a.to_string(), demo_backend(a)))
            .collect();
        let item = checks::item("account.password-policy").expect("item");
        let accounts = backends
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        let parts = plan_accounts(item, accounts, &settings, state.path()).await;
        assert_eq!(parts.len(), 2);
        let m = MultiApply {
            item: item.id.into(),
            parts,
            scroll: 0,
            outcome: None,
        };
        assert_eq!(m.planned().count(), 2);
        let text: String = m.lines().iter().map(|l| l.to_string() + "\n").collect();
        assert!(text.contains("▸ account 111111111111") && text.contains("▸ account 222222222222"));
        assert!(text.contains("iam:UpdateAccountPasswordPolicy"), "{text}");
        let outcome = apply_accounts(&m, &backends, state.path()).await;
        assert_eq!(outcome.len(), 2, "{outcome:?}");
        assert!(
            outcome.iter().all(|l| l.contains("applied and verified")),
            "{outcome:?}"
        );
        for a in ["111111111111", "222222222222"] {
            let entries = Journal::open(state.path(), a).entries().expect("journal");
            assert!(!entries.is_empty(), "journaled in {a}");
        }
        // Planned again: nothing left to change in either account.
        let again = plan_accounts(
            item,
            backends
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
            &settings,
            state.path(),
        )
        .await;
        assert!(again.iter().all(|p| {
            p.plan
                .as_ref()
                .is_err_and(|e| e.starts_with("nothing to change"))
        }));
    }

    #[tokio::test]
    async fn a_change_that_asks_for_the_account_id_is_left_out() {
        let state = tempfile::tempdir().expect("temp dir");
        let item = checks::item("account.central-root-access").expect("item");
        let parts = plan_accounts(
            item,
            vec![("111122223333".into(), demo_backend("111122223333"))],
            &Settings::default(),
            state.path(),
        )
        .await;
        assert!(
            parts[0]
                .plan
                .as_ref()
                .is_err_and(|e| e.contains("account id typed")),
            "{parts:?}"
        );
    }

    #[test]
    fn the_picker_lists_fixable_items_failing_in_the_marked_accounts_most_first() {
        let failing: BTreeMap<String, Vec<String>> = [
            (
                "1",
                vec!["account.password-policy", "account.security-questions"],
            ),
            (
                "2",
                vec!["account.password-policy", "s3.account-public-access-block"],
            ),
        ]
        .into_iter()
        .map(|(a, ids)| (a.to_string(), ids.into_iter().map(String::from).collect()))
        .collect();
        let p = Picker::new(vec!["1".into(), "2".into()], &failing);
        assert_eq!(
            p.items,
            [
                ("account.password-policy".to_string(), 2),
                ("s3.account-public-access-block".to_string(), 1)
            ],
            "guided items (security questions) have nothing to apply"
        );
    }
}
