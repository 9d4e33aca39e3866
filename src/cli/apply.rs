//! `moat plan` and `moat apply`.

use super::{
    ApplyArgs, CliError, CliResult, PlanArgs, Session, account_of, collect, color_stdout, confirm,
    evaluate, resolve_items,
};
use crate::checks::{self, Ctx, Fix, ItemDef, Status};
use crate::diff;
use crate::execute::{ExecError, ExecReport, execute_confirmed};
use crate::guide::guide;
use crate::journal::Journal;
use crate::kit::text::sanitize;
use crate::plan::{Inputs, Plan, PlanError, blast, make_plan};
use std::collections::BTreeMap;
use std::io::IsTerminal;

/// `NAME=VALUE` pairs; a malformed one is a usage error naming it. A name
/// given twice collects its values comma-separated (`--input cidr=A --input
/// cidr=B` is `cidr=A,B`), which list inputs take and others refuse.
pub fn parse_inputs(raw: &[String]) -> Result<BTreeMap<String, String>, CliError> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for r in raw {
        let (k, v) = r
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::usage(format!("--input '{r}' is not NAME=VALUE")))?;
        out.entry(k.trim().to_string())
            .and_modify(|prev| {
                prev.push(',');
                prev.push_str(v);
            })
            .or_insert_with(|| v.to_string());
    }
    Ok(out)
}

/// Check every `--input` against the requested items, before anything else
/// (no account is read): a name none of them takes, a value an item that
/// takes it refuses, or a single-value input given twice is a usage error
/// naming the input and what is allowed. Always, also when the item already
/// passes and its plan would never read the value.
pub fn validate_inputs(
    items: &[&ItemDef],
    raw: &[String],
) -> Result<BTreeMap<String, String>, CliError> {
    let inputs = parse_inputs(raw)?;
    for (name, value) in &inputs {
        let specs: Vec<(&str, &crate::plan::InputSpec)> = items
            .iter()
            .flat_map(|d| {
                d.inputs
                    .iter()
                    .filter(|i| i.name == name)
                    .map(move |i| (d.id, i))
            })
            .collect();
        if specs.is_empty() {
            let mut known: Vec<String> = items
                .iter()
                .flat_map(|d| d.inputs.iter().map(|i| i.name.to_string()))
                .collect();
            known.sort();
            known.dedup();
            let takes = if known.is_empty() {
                "these items take no input".into()
            } else {
                format!("these items take {}", known.join(", "))
            };
            return Err(CliError::usage(format!(
                "unknown input '{}': {takes}",
                sanitize(name)
            )));
        }
        let given = raw
            .iter()
            .filter(|r| r.split_once('=').is_some_and(|(k, _)| k.trim() == name))
            .count();
        for (id, spec) in specs {
            if given > 1 && spec.kind != crate::plan::InputKind::Cidrs {
                return Err(CliError::usage(format!(
                    "{id}: input '{}' is given {given} times; it takes one value",
                    sanitize(name)
                )));
            }
            spec.validate(value).map_err(|e| {
                CliError::usage(format!(
                    "{id}: input '{}': {}",
                    sanitize(name),
                    sanitize(&e)
                ))
            })?;
        }
    }
    Ok(inputs)
}

/// Print a plan: its ops (action, resource, region, reversible), warnings, diffs.
pub fn render_plan(plan: &Plan, color: bool) -> String {
    let mut s = String::new();
    let title = if plan.item == "undo" {
        "reverse journaled changes".to_string()
    } else {
        guide().title(&plan.item)
    };
    s.push_str(&format!(
        "{} — {} (account {})\n",
        plan.item,
        sanitize(&title),
        plan.account
    ));
    for (n, step) in plan.steps.iter().enumerate() {
        s.push_str(&format!(
            "  {}. {}  {}  {}  {}\n     {}\n",
            n + 1,
            step.op.action(),
            sanitize(&step.op.resource().to_string()),
            step.op.region().unwrap_or("global"),
            if step.inverse.is_some() {
                "reversible"
            } else {
                "NOT reversible"
            },
            sanitize(&step.op.describe()),
        ));
    }
    for w in &plan.warnings {
        s.push_str(&format!("  warning: {}\n", sanitize(w)));
    }
    if !plan.blast.is_empty() {
        s.push_str(&format!("  {}\n", sanitize(&blast::heading())));
        for (first, line) in blast::text(&plan.blast) {
            let lead = if first { "    - " } else { "        " };
            s.push_str(&format!("{lead}{}\n", sanitize(&line)));
        }
    }
    s.push('\n');
    for rc in &plan.resources {
        s.push_str(&diff::unified(
            &rc.resource.to_string(),
            &rc.before_text(),
            &rc.after_text(),
            color,
        ));
        s.push('\n');
    }
    s
}

pub(super) enum Made {
    Plan(Box<Plan>),
    /// Nothing to do, guided, etc.: a message, and whether it is an error.
    Note(String, bool),
}

/// Build the plan for one item against `inv`.
pub(super) fn make(
    def: &ItemDef,
    inv: &crate::aws::inventory::Inventory,
    s: &Session,
    a: &PlanArgs,
) -> Result<Made, CliError> {
    let all = parse_inputs(&a.inputs)?;
    let values: BTreeMap<String, String> = all
        .into_iter()
        .filter(|(k, _)| def.inputs.iter().any(|i| i.name == k))
        .collect();
    checks::with_saved_progress(inv, &s.settings, &s.state_dir, |ctx| {
        make_with(def, inv, ctx, a, values)
    })
}

/// [`make`] with the account's context.
fn make_with(
    def: &ItemDef,
    inv: &crate::aws::inventory::Inventory,
    ctx: &Ctx,
    a: &PlanArgs,
    values: BTreeMap<String, String>,
) -> Result<Made, CliError> {
    let result = checks::evaluate(def, inv, ctx);
    if result.status == Status::Error {
        return Ok(Made::Note(format!("{}: {}", def.id, result.summary), true));
    }
    let resources: Vec<String> = a
        .resources
        .iter()
        .filter(|r| result.findings.iter().any(|f| &f.resource == *r))
        .cloned()
        .collect();
    if !a.resources.is_empty() && resources.is_empty() {
        return Ok(Made::Note(
            format!("{}: none of the given resources fail this item", def.id),
            false,
        ));
    }
    let req = Inputs { values, resources };
    let steps = || {
        guide()
            .item(def.id)
            .map(|t| {
                t.steps
                    .iter()
                    .enumerate()
                    .map(|(n, st)| {
                        format!(
                            "  {}. {}\n",
                            n + 1,
                            sanitize(&st.replace("{account}", inv.account_id().unwrap_or("")))
                        )
                    })
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    let f = match def.fix {
        Fix::Plan(f) => f,
        Fix::Guided => {
            let state = if result.status == Status::Pass {
                "passes"
            } else {
                "is guided: no API can make this change"
            };
            return Ok(Made::Note(
                format!("{} {state}. Steps:\n{}", def.id, steps()),
                false,
            ));
        }
        Fix::None => {
            return Ok(Made::Note(
                format!("{} is a check only; moat proposes no change", def.id),
                false,
            ));
        }
    };
    match f(inv, ctx, &req).and_then(|d| make_plan(inv, def.id, d)) {
        Ok(p) => Ok(Made::Plan(Box::new(p))),
        Err(PlanError::NothingToDo(m)) => Ok(Made::Note(
            format!("{}: nothing to change: {m}", def.id),
            false,
        )),
        Err(PlanError::Guided(m)) => Ok(Made::Note(format!("{}: {m}\n{}", def.id, steps()), false)),
        Err(e @ PlanError::Input { .. }) => Err(CliError::usage(format!("{}: {e}", def.id))),
        Err(e) => Ok(Made::Note(format!("{}: {e}", def.id), true)),
    }
}

/// Check `--resource` and `--input` against the requested items before planning.
pub(super) fn validate_request(
    items: &[&ItemDef],
    a: &PlanArgs,
    s: &Session,
    inv: &crate::aws::inventory::Inventory,
) -> Result<(), CliError> {
    validate_inputs(items, &a.inputs)?;
    if a.resources.is_empty() {
        return Ok(());
    }
    let results = evaluate(items, inv, s);
    for r in &a.resources {
        if !results
            .iter()
            .any(|res| res.findings.iter().any(|f| &f.resource == r))
        {
            let failing: Vec<&str> = results
                .iter()
                .flat_map(|res| res.findings.iter().map(|f| f.resource.as_str()))
                .collect();
            let list = if failing.is_empty() {
                "none".to_string()
            } else {
                failing.join(", ")
            };
            return Err(CliError::usage(format!(
                "--resource '{r}' is not a failing resource of the given items (failing: {list})"
            )));
        }
    }
    Ok(())
}

pub async fn plan(s: &Session, a: &PlanArgs) -> CliResult {
    let items = resolve_items(&a.items)?;
    let inv = collect(&s.backend, &blast::parts(&checks::parts_for(&items))).await;
    account_of(&inv)?;
    validate_request(&items, a, s, &inv)?;
    let mut code = 0;
    for def in items {
        match make(def, &inv, s, a)? {
            Made::Plan(p) => print!("{}", render_plan(&p, color_stdout())),
            Made::Note(m, err) => {
                println!("{m}\n");
                if err {
                    code = 2;
                }
            }
        }
    }
    Ok(code)
}

/// An apply that sends changes needs `--yes` or a terminal to confirm them on.
pub(super) fn can_confirm(yes: bool, dry_run: bool) -> Result<(), CliError> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !yes && !dry_run && !interactive {
        return Err(CliError::usage(
            "apply needs a terminal to confirm each change, or --yes",
        ));
    }
    Ok(())
}

/// What changed since the preview, when a drift stopped an apply (on stderr).
pub(super) fn print_drift(e: &ExecError) {
    if let ExecError::Drift {
        resource,
        planned,
        live,
    } = e
    {
        eprint!(
            "{}",
            diff::unified(&resource.to_string(), planned, live, false)
        );
    }
}

/// Ask for the account id of a change that cannot be undone.
fn type_account(want: &str) -> Result<String, CliError> {
    use std::io::Write;
    eprint!(
        "This cannot be undone. Type the account id ({want}) to apply, anything else skips it: "
    );
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

pub(super) fn print_report(plan: &Plan, r: &ExecReport) {
    if r.dry_run {
        println!("dry-run: nothing was sent. These calls would have been made:");
        for (i, _) in &r.applied {
            if let Some(step) = plan.steps.get(*i) {
                println!(
                    "  {}  {}  {}",
                    step.op.action(),
                    sanitize(&step.op.resource().to_string()),
                    step.op.region().unwrap_or("global")
                );
            }
        }
        return;
    }
    for (i, _) in &r.applied {
        if let Some(step) = plan.steps.get(*i) {
            println!(
                "  done  {}  {}",
                step.op.action(),
                sanitize(&step.op.describe())
            );
        }
        for (_, w) in r.warnings.iter().filter(|(w, _)| w == i) {
            println!("  WARNING  {}", sanitize(w));
        }
    }
    if let Some((i, e)) = &r.failed {
        println!("  FAILED  {}", sanitize(&e.to_string()));
        println!(
            "  {} of {} changes were applied before the failure; `moat undo {}` reverses them.",
            i,
            plan.steps.len(),
            r.batch.as_deref().unwrap_or("")
        );
    }
    for m in &r.mismatches {
        println!("  {} differs from the preview after applying:", m.resource);
        print!(
            "{}",
            diff::unified(
                &m.resource.to_string(),
                &m.expected,
                &m.actual,
                color_stdout()
            )
        );
    }
    if r.ok() {
        println!(
            "  verified: the account now matches the preview. Journal batch {}",
            r.batch.as_deref().unwrap_or("-")
        );
    }
}

pub async fn apply(s: &Session, a: &ApplyArgs) -> CliResult {
    let items = resolve_items(&a.plan.items)?;
    let dry_run = s.backend.mode().is_dry_run();
    can_confirm(a.yes, dry_run)?;
    let mut code = 0;
    // One read validates the request and plans every item until something is
    // applied; after that each item is planned on a fresh read of its parts.
    let all = collect(&s.backend, &blast::parts(&checks::parts_for(&items))).await;
    account_of(&all)?;
    validate_request(&items, &a.plan, s, &all)?;
    let mut changed = false;
    for def in items.iter().copied() {
        let inv = if changed {
            collect(&s.backend, &blast::parts(&checks::parts_for(&[def]))).await
        } else {
            all.clone()
        };
        let account = account_of(&inv)?;
        let plan = match make(def, &inv, s, &a.plan)? {
            Made::Plan(p) => p,
            Made::Note(m, err) => {
                println!("{m}\n");
                if err {
                    code = 2;
                }
                continue;
            }
        };
        print!("{}", render_plan(&plan, color_stdout()));
        let mut typed_id = None;
        if let Some(want) = plan.typed_confirmation().filter(|_| !dry_run) {
            let typed = if a.yes {
                a.confirm_account.clone()
            } else {
                Some(type_account(want)?)
            };
            if typed.as_deref().map(str::trim) != Some(want) {
                let how = if a.yes {
                    format!("with --yes, add --confirm-account {want}")
                } else {
                    "the account id typed did not match".to_string()
                };
                println!(
                    "skipped {}: this change cannot be undone, so it needs the account id typed ({how}); nothing was sent\n",
                    def.id
                );
                code = 2;
                continue;
            }
            typed_id = typed;
        } else if !dry_run && !a.yes {
            let q = format!(
                "Apply these {} change(s) to account {account}?",
                plan.steps.len()
            );
            if !confirm(&q)? {
                println!("skipped {}\n", def.id);
                continue;
            }
        }
        let journal = Journal::open(&s.state_dir, &account);
        let sent = execute_confirmed(
            s.backend.clone(),
            &plan,
            &journal,
            typed_id.as_deref(),
            |_| {},
        );
        let report = match sent.await {
            Ok(r) => {
                changed |= !r.dry_run && !r.applied.is_empty();
                print_report(&plan, &r);
                if !r.ok() {
                    code = code.max(1);
                }
                r
            }
            Err(e @ (ExecError::Drift { .. } | ExecError::AccountMismatch { .. })) => {
                print_drift(&e);
                return Err(CliError::usage(format!("{}: {e}", def.id)));
            }
            Err(e) => return Err(CliError::usage(format!("{}: {e}", def.id))),
        };
        if !dry_run {
            // What execute re-read to verify; unchanged when nothing was sent.
            let after = report.reread.as_deref().unwrap_or(&inv);
            let res = evaluate(&[def], after, s);
            if let Some(r) = res.first() {
                println!(
                    "  {} is now {}: {}\n",
                    def.id,
                    r.status.as_str(),
                    sanitize(&r.summary)
                );
            }
        } else {
            println!();
        }
    }
    Ok(code)
}
