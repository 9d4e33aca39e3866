//! `moat undo`: reverse journaled changes, previewed and confirmed like apply.

use super::apply::render_plan;
use super::{CliError, CliResult, Session, UndoArgs, account_of, collect, color_stdout, confirm};
use crate::aws::inventory::PartId;
use crate::execute::{
    Resolution, UndoDone, entry_buckets, plan_undo_with, read_versioning, resolve_unknown,
    run_undo, select_entries, undo_parts,
};
use crate::journal::{Entry, EntryState, Journal};
use crate::kit::text::sanitize;
use crate::plan::{InputKind, InputSpec, MfaToken, Plan};
use std::collections::BTreeMap;
use std::io::IsTerminal;

const MFA_SERIAL: InputSpec = InputSpec {
    name: "mfa_serial",
    kind: InputKind::MfaSerial,
    default: None,
};
const MFA_CODE: InputSpec = InputSpec {
    name: "mfa_code",
    kind: InputKind::MfaCode,
    default: None,
};

/// Give the ops that need MFA (S3 MFA Delete) the device and code from
/// `--input`; refuse other inputs, and refuse a plan that needs MFA without them.
fn attach_mfa(plan: &mut Plan, inputs: &BTreeMap<String, String>) -> Result<(), CliError> {
    if let Some(name) = inputs
        .keys()
        .find(|k| *k != MFA_SERIAL.name && *k != MFA_CODE.name)
    {
        return Err(CliError::usage(format!(
            "--input {name}: undo takes only mfa_serial and mfa_code"
        )));
    }
    let needs = plan.steps.iter().any(|s| s.op.needs_mfa());
    if !needs {
        if !inputs.is_empty() {
            return Err(CliError::usage("this undo needs no MFA code: drop --input"));
        }
        return Ok(());
    }
    let get = |spec: &InputSpec| -> Result<String, CliError> {
        let raw = inputs.get(spec.name).ok_or_else(|| {
            CliError::usage(format!(
                "undoing an MFA Delete change needs the root user's MFA: give --input mfa_serial=DEVICE --input mfa_code=CODE (missing {})",
                spec.name
            ))
        })?;
        spec.validate(raw)
            .map_err(|e| CliError::usage(format!("--input {}: {e}", spec.name)))
    };
    let token = MfaToken {
        serial: get(&MFA_SERIAL)?,
        code: get(&MFA_CODE)?,
    };
    for step in &mut plan.steps {
        step.op.set_mfa(&token);
    }
    Ok(())
}

pub async fn run(s: &Session, a: &UndoArgs) -> CliResult {
    let id = collect(&s.backend, &[PartId::Identity]).await;
    let account = account_of(&id)?;
    let journal = Journal::open(&s.state_dir, &account);
    let contents = journal.read()?;
    for w in &contents.skipped {
        eprintln!("warning: {w}");
    }
    let all = contents.entries;
    if a.resolve {
        return resolve(s, a, &journal, &account, &all).await;
    }
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
        if all.iter().any(|e| e.state == EntryState::Unknown) {
            println!(
                "Entries marked unknown may or may not have been applied: `moat undo --resolve` re-reads the account and records which."
            );
        }
        return Ok(0);
    }
    let entries = select_entries(&all, a.last, &a.entries)?;
    let inputs = super::apply::parse_inputs(&a.inputs)?;
    let backend = &s.backend;
    let mut plan = plan_undo_with(backend.as_ref(), &entries, |parts| async move {
        collect(backend, &parts).await
    })
    .await?;
    attach_mfa(&mut plan, &inputs)?;
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
    let UndoDone { report, undone } =
        run_undo(s.backend.clone(), &plan, &journal, &entries, |_| {}).await?;
    if report.dry_run {
        println!("dry-run: nothing was sent.");
        return Ok(0);
    }
    if let Some((_, e)) = &report.failed {
        println!("  FAILED  {}", sanitize(&e.to_string()));
        let left: Vec<&str> = entries
            .iter()
            .map(|e| e.entry.as_str())
            .filter(|id| !undone.iter().any(|u| u == id))
            .collect();
        if !undone.is_empty() {
            println!(
                "  undone before the failure: {} (journal batch {})",
                undone.join(", "),
                report.batch.as_deref().unwrap_or("-")
            );
        }
        println!("  still applied: {}", left.join(", "));
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

/// `moat undo --resolve [ENTRY…]`: settle `unknown` entries by re-reading
/// their resources. Exit 0 when every one was settled, 2 when a resource
/// could not be read (those stay unknown).
async fn resolve(
    s: &Session,
    a: &UndoArgs,
    journal: &Journal,
    account: &str,
    all: &[Entry],
) -> CliResult {
    if !a.inputs.is_empty() {
        return Err(CliError::usage(
            "--resolve only re-reads the account: it takes no --input",
        ));
    }
    for sel in &a.entries {
        if !all.iter().any(|e| &e.entry == sel || &e.batch == sel) {
            return Err(CliError::usage(format!(
                "no journal entry or batch '{}' (run `moat undo` to list them)",
                sanitize(sel)
            )));
        }
    }
    let unknown: Vec<Entry> = all
        .iter()
        .filter(|e| e.state == EntryState::Unknown)
        .filter(|e| {
            a.entries.is_empty() || a.entries.iter().any(|s| s == &e.entry || s == &e.batch)
        })
        .cloned()
        .collect();
    if unknown.is_empty() {
        println!("No journal entry of account {account} has an unknown outcome.");
        return Ok(0);
    }
    let mut inv = collect(&s.backend, &undo_parts(&unknown)).await;
    read_versioning(s.backend.as_ref(), &mut inv, &entry_buckets(&unknown)).await;
    let dry_run = s.backend.mode().is_dry_run();
    let mut code = 0;
    for e in &unknown {
        let what = sanitize(&e.op.describe());
        match resolve_unknown(&inv, e) {
            Resolution::Applied => {
                println!("  {}  applied: the change is in place ({what})", e.entry);
                if !dry_run {
                    journal.resolve(&e.entry, Ok(()))?;
                }
            }
            Resolution::NotApplied(why) => {
                println!("  {}  failed: {} ({what})", e.entry, sanitize(&why));
                if !dry_run {
                    journal.resolve(&e.entry, Err(&why))?;
                }
            }
            Resolution::Unreadable(why) => {
                println!("  {}  still unknown: {} ({what})", e.entry, sanitize(&why));
                code = 2;
            }
        }
    }
    if dry_run {
        println!("dry-run: the journal was not changed.");
    }
    Ok(code)
}
