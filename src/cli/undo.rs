//! `moat undo`: reverse journaled changes, previewed and confirmed like apply.

use super::apply::render_plan;
use super::{CliError, CliResult, Session, UndoArgs, account_of, collect, color_stdout, confirm};
use crate::inventory::PartId;
use crate::plan::execute::{execute, mark_undone, select_entries, undo_parts, undo_plan};
use crate::plan::journal::{EntryState, Journal};
use crate::plan::{InputKind, InputSpec, MfaToken, Plan};
use crate::report::sanitize;
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
    let inputs = super::apply::parse_inputs(&a.inputs)?;
    let inv = collect(&s.backend, &undo_parts(&entries)).await;
    let mut plan = undo_plan(&inv, &entries)?;
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
