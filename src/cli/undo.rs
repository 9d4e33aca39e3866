//! `moat undo`: reverse journaled changes, previewed and confirmed like apply.

use super::apply::render_plan;
use super::{CliError, CliResult, Session, UndoArgs, account_of, collect, color_stdout, confirm};
use crate::inventory::PartId;
use crate::plan::execute::{execute, mark_undone, select_entries, undo_parts, undo_plan};
use crate::plan::journal::{EntryState, Journal};
use crate::report::sanitize;
use std::io::IsTerminal;

pub async fn run(s: &Session, a: &UndoArgs) -> CliResult {
    let id = collect(&s.backend, &[PartId::Identity]).await;
    let account = account_of(&id)?;
    let journal = Journal::open(&s.state_dir, &account);
    let all = journal.entries()?;
    if !a.last && a.entries.is_empty() {
        if all.is_empty() {
            println!("The journal for account {account} is empty.");
            return Ok(0);
        }
        println!(
            "Journal of account {account} (undo with `moat undo ENTRY|BATCH` or `moat undo --last`):"
        );
        for e in &all {
            let state = match e.state {
                EntryState::Applied => "applied",
                EntryState::Failed => "failed",
                EntryState::Undone => "undone",
                EntryState::Unknown => "unknown (interrupted)",
            };
            println!(
                "  {}  {}  {:<24}  {:<9}  {}",
                e.entry,
                e.time.format("%Y-%m-%d %H:%M"),
                e.item,
                state,
                sanitize(&e.op.describe())
            );
        }
        return Ok(0);
    }
    let entries = select_entries(&all, a.last, &a.entries)?;
    let inv = collect(&s.backend, &undo_parts(&entries)).await;
    let plan = undo_plan(&inv, &entries)?;
    println!(
        "Undo of {}:",
        entries
            .iter()
            .map(|e| e.entry.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    print!("{}", render_plan(&plan, color_stdout()));
    let dry_run = s.backend.mode().is_dry_run();
    if !dry_run && !a.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(CliError::usage(
                "undo needs a terminal to confirm, or --yes",
            ));
        }
        if !confirm(&format!(
            "Apply these {} change(s) to account {account}?",
            plan.steps.len()
        ))? {
            println!("nothing changed");
            return Ok(0);
        }
    }
    let report = execute(s.backend.clone(), &plan, &journal, |_| {}).await?;
    if report.dry_run {
        println!("dry-run: nothing was sent.");
        return Ok(0);
    }
    mark_undone(&journal, &entries, &report)?;
    if let Some((_, e)) = &report.failed {
        println!("  FAILED  {}", sanitize(&e.to_string()));
        return Ok(1);
    }
    for m in &report.mismatches {
        println!("  {} differs from the preview after undoing", m.resource);
    }
    println!(
        "  undone; journal batch {}",
        report.batch.as_deref().unwrap_or("-")
    );
    Ok(if report.ok() { 0 } else { 1 })
}
