//! `moat scan`.

use super::{
    CliResult, Format, ScanArgs, Session, account_of, collect, color_stdout, evaluate,
    resolve_items,
};
use crate::checks::{self, ItemDef, Status};
use crate::report;

pub async fn run(s: &Session, a: &ScanArgs) -> CliResult {
    let explicit = resolve_items(&a.items)?;
    let items: Vec<&ItemDef> = checks::items()
        .iter()
        .filter(|i| {
            (a.sections.is_empty() && explicit.is_empty())
                || a.sections.iter().any(|s| s == i.section)
                || explicit.iter().any(|e| e.id == i.id)
        })
        .collect();
    let inv = collect(&s.backend, &checks::parts_for(&items)).await;
    let account = account_of(&inv)?;
    let identity = inv
        .identity
        .ready()
        .map(|i| i.arn.clone())
        .unwrap_or_default();
    let results = evaluate(&items, &inv, s);
    let out = match a.format {
        Format::Json => report::json(&account, &identity, &results),
        Format::Table => report::table(&account, &identity, &results, color_stdout()),
        Format::Sarif | Format::Markdown | Format::Csv => {
            return Err(super::CliError::usage("this format is not built yet"));
        }
    };
    print!("{out}");
    let any = |st: Status| results.iter().any(|r| r.status == st);
    Ok(if any(Status::Error) {
        2
    } else if any(Status::Fail) {
        1
    } else {
        0
    })
}
