//! `scan --format csv`: one row per finding, for a spreadsheet.
//!
//! Columns: `account,section,item,title,status,resource,region,detail,cis,security_hub`.
//! `status` is the finding's own (a failing item can have accepted
//! resources); an item without findings gets one row with an empty resource,
//! its own status and its summary as the detail. `region` is empty for global
//! resources; `cis` and `security_hub` list the item's controls separated by
//! `;`. RFC 4180: CRLF line ends, a header row, fields quoted when they hold a
//! comma, a quote or a line break.
//!
//! With `scan --compare` an 11th column, `change`, says `new` or
//! `unchanged` for each finding of a compared item (empty otherwise), and
//! each failing finding of the earlier scan that no longer fails gets a row
//! of its own with change `fixed`, the resource and region it had, and an
//! empty status and detail.
//!
//! Every cell goes through [`sanitize`], then [`cell`], which defuses formula
//! injection: a cell that a spreadsheet would evaluate (starting with `=`,
//! `+`, `-`, `@`, tab or CR, also after leading spaces) gets a leading `'`.

use super::Comparison;
use super::compare::Change;
use super::{mappings, sanitize};
use crate::checks::{ItemResult, Status};

pub const HEADER: [&str; 10] = [
    "account",
    "section",
    "item",
    "title",
    "status",
    "resource",
    "region",
    "detail",
    "cis",
    "security_hub",
];

/// One CSV field: neutralised against formulas, then quoted per RFC 4180 when needed.
pub fn cell(s: &str) -> String {
    let active = |c: char| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r');
    let mut v = String::with_capacity(s.len() + 3);
    if s.chars().next().is_some_and(active)
        || s.trim_start_matches(' ').chars().next().is_some_and(active)
    {
        v.push('\'');
    }
    v.push_str(s);
    if v.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn row(out: &mut String, fields: &[&str]) {
    let cells: Vec<String> = fields.iter().map(|f| cell(&sanitize(f))).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// A row's status, resource, region, detail and change.
type Row<'a> = (Status, &'a str, Option<&'a str>, &'a str, Option<Change>);

/// The row of an account that could not be scanned (several accounts):
/// status `error`, the reason as the detail; `with_change` when the report
/// has the `change` column.
pub fn error_row(account: &str, error: &str, with_change: bool) -> String {
    let mut out = String::new();
    let mut fields = vec![account, "", "", "", "error", "", "", error, "", ""];
    if with_change {
        fields.push("");
    }
    debug_assert_eq!(fields.len(), HEADER.len() + usize::from(with_change));
    row(&mut out, &fields);
    out
}

/// The CSV report, header row first (with the `change` column when compared).
pub fn csv(account: &str, items: &[ItemResult], cmp: Option<&Comparison>) -> String {
    let mut out = String::new();
    let mut header = HEADER.to_vec();
    if cmp.is_some() {
        header.push("change");
    }
    row(&mut out, &header);
    for i in items {
        let (cis, hub) = mappings(&i.id);
        let (cis, hub) = (cis.join(";"), hub.join(";"));
        let compared = cmp.filter(|c| c.compared(&i.id));
        // status, resource, region, detail, change: the finding's, or the
        // item's own when it has none.
        let rows: Vec<Row> = if i.findings.is_empty() {
            let change = compared.and_then(|c| c.item_change(i));
            vec![(i.status, "", None, i.summary.as_str(), change)]
        } else {
            i.findings
                .iter()
                .map(|f| {
                    let region = f.region.as_deref();
                    let change =
                        compared.and_then(|c| c.change(&i.id, &f.resource, region, f.status));
                    (
                        f.status,
                        f.resource.as_str(),
                        region,
                        f.detail.as_str(),
                        change,
                    )
                })
                .collect()
        };
        for (status, resource, region, detail, change) in rows {
            let mut fields = vec![
                account,
                &i.section,
                &i.id,
                &i.title,
                status.as_str(),
                resource,
                region.unwrap_or(""),
                detail,
                &cis,
                &hub,
            ];
            if cmp.is_some() {
                fields.push(change.map(|c| c.as_str()).unwrap_or(""));
            }
            row(&mut out, &fields);
        }
        if let Some(c) = compared {
            for g in c.fixed(&i.id) {
                row(
                    &mut out,
                    &[
                        account,
                        &i.section,
                        &i.id,
                        &i.title,
                        "",
                        &g.resource,
                        g.region.as_deref().unwrap_or(""),
                        "",
                        &cis,
                        &hub,
                        "fixed",
                    ],
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;

    #[test]
    fn cells_are_quoted_per_rfc_4180() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("  =cmd|' /C calc'!A0"), "'  =cmd|' /C calc'!A0");
        assert_eq!(
            cell("=HYPERLINK(\"http://e\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://e\"\",\"\"x\"\")\""
        );
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell("user/x-y"), "user/x-y");
    }

    #[test]
    fn one_row_per_finding_and_one_per_item_without() {
        let items = vec![
            ItemResult {
                id: "account.console-users-mfa".into(),
                section: "account".into(),
                title: "Every console user has MFA".into(),
                status: Status::Fail,
                summary: "2 users".into(),
                findings: vec![
                    Finding::fail("user/=evil", "=cmd, \"quoted\"\nnext"),
                    Finding {
                        resource: "user/ok".into(),
                        region: Some("eu-west-1".into()),
                        status: Status::Accepted,
                        detail: "fine".into(),
                    },
                ],
            },
            ItemResult {
                id: "account.root-mfa".into(),
                section: "account".into(),
                title: "Root user signs in with MFA".into(),
                status: Status::Pass,
                summary: "Root has MFA.".into(),
                findings: vec![],
            },
        ];
        let out = csv("111122223333", &items, None);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "account,section,item,title,status,resource,region,detail,cis,security_hub"
        );
        assert_eq!(
            lines[1],
            "111122223333,account,account.console-users-mfa,Every console user has MFA,fail,user/=evil,,\"'=cmd, \"\"quoted\"\" next\",2.9,IAM.5"
        );
        assert_eq!(
            lines[2],
            "111122223333,account,account.console-users-mfa,Every console user has MFA,accepted,user/ok,eu-west-1,fine,2.9,IAM.5"
        );
        assert_eq!(
            lines[3],
            "111122223333,account,account.root-mfa,Root user signs in with MFA,pass,,,Root has MFA.,2.4;2.5,IAM.9;IAM.6"
        );
        assert_eq!(lines[4], "");
        assert_eq!(lines.len(), 5);
    }
}
