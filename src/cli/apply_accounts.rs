//! `moat apply ITEM --account A,B,…`: one item in several accounts as one
//! plan. Each account is read and planned (its preview printed under its
//! id), then one confirmation covers them all, and each account's changes
//! are applied and journaled in that account. The accounts are the ones
//! `--account` names (apply takes no `--org`, `--shard` or
//! `--exclude-account`), so `--yes` never reaches an account nobody wrote
//! down. A change that asks for the account id to be typed (removing root
//! credentials), or that takes `--input` or `--resource` (each account's
//! own values), is applied one account at a time.

use super::apply::{
    Made, can_confirm, make, print_drift, print_report, render_plan, validate_request,
};
use super::{
    ApplyArgs, CliError, CliResult, Global, Session, account_of, collect, color_stdout, confirm,
    connect, open_account, resolve_items, role_targets, wrap,
};
use crate::checks;
use crate::config::Settings;
use crate::execute::execute;
use crate::journal::Journal;
use crate::kit::text::sanitize;
use crate::plan::{Plan, blast};

/// One account's plan, ready to apply.
struct Planned {
    account: String,
    session: Session,
    plan: Box<Plan>,
}

pub async fn apply_accounts(g: &Global, settings: Settings, a: &ApplyArgs) -> CliResult {
    let items = resolve_items(&a.plan.items)?;
    let [def] = items.as_slice() else {
        return Err(CliError::usage(
            "with several --account, apply takes one item (the same change in each account)",
        ));
    };
    // One value for every account would be a guess for all but one: a
    // record, a CIDR, a resource name are each account's own.
    if !a.plan.inputs.is_empty() || !a.plan.resources.is_empty() || a.confirm_account.is_some() {
        return Err(CliError::usage(
            "with several --account, apply takes no --input, --resource or --confirm-account: \
             apply such a change one account at a time",
        ));
    }
    let dry_run = g.dry_run;
    can_confirm(a.yes, dry_run)?;
    let targets = role_targets(g)?;
    let pilot = connect(g, &settings).await?;
    let mut code = 0;
    let mut planned: Vec<Planned> = Vec::new();
    for t in &targets {
        println!("== account {} ==", t.account);
        let backend = match open_account(g, &pilot, t).await {
            Ok(aws) => wrap(g, aws),
            Err(e) => {
                println!("not planned: {}\n", sanitize(&e.to_string()));
                code = 2;
                continue;
            }
        };
        let session = Session {
            backend,
            state_dir: crate::state::state_dir(),
            settings: settings.clone(),
        };
        let inv = collect(&session.backend, &blast::parts(&checks::parts_for(&items))).await;
        let account = match account_of(&inv) {
            Ok(a) => a,
            Err(e) => {
                println!("not planned: {}\n", e.message);
                code = 2;
                continue;
            }
        };
        validate_request(&items, &a.plan, &session, &inv)?;
        match make(def, &inv, &session, &a.plan)? {
            Made::Plan(plan) if plan.typed_confirmation().is_some() && !dry_run => {
                print!("{}", render_plan(&plan, color_stdout()));
                println!(
                    "not applied: {} cannot be undone and asks for the account id typed; \
                     apply it to one account at a time (--account {account})\n",
                    def.id
                );
                code = 2;
            }
            Made::Plan(plan) => {
                print!("{}", render_plan(&plan, color_stdout()));
                planned.push(Planned {
                    account,
                    session,
                    plan,
                });
            }
            Made::Note(m, err) => {
                println!("{m}\n");
                if err {
                    code = 2;
                }
            }
        }
    }
    if planned.is_empty() {
        println!("nothing to apply");
        return Ok(code);
    }
    let accounts: Vec<&str> = planned.iter().map(|p| p.account.as_str()).collect();
    let changes: usize = planned.iter().map(|p| p.plan.steps.len()).sum();
    if !dry_run && !a.yes {
        let q = format!(
            "Apply these {changes} change(s) of {} in {} account(s): {}?",
            def.id,
            accounts.len(),
            accounts.join(", ")
        );
        if !confirm(&q)? {
            println!("skipped {}: nothing was sent", def.id);
            return Ok(code);
        }
    }
    for p in &planned {
        println!("== account {} ==", p.account);
        let journal = Journal::open(&p.session.state_dir, &p.account);
        match execute(p.session.backend.clone(), &p.plan, &journal, |_| {}).await {
            Ok(r) => {
                print_report(&p.plan, &r);
                if !r.ok() {
                    code = code.max(1);
                }
            }
            // This account changed since its preview (or is another):
            // nothing sent here; the other accounts go on.
            Err(e) => {
                print_drift(&e);
                println!("  not applied: {}", sanitize(&e.to_string()));
                code = 2;
            }
        }
        println!();
    }
    Ok(code)
}
