//! `scan --format markdown`: a report a person attaches to a ticket. A heading
//! with the account, the identity and the time of the scan; a summary table
//! (per section, or per control with `--framework`); then each section's items
//! and every item's resources as tables.
//!
//! With `scan --compare`, a line under the summary counts the failing
//! findings by change since the earlier scan, and each compared item's
//! resource table gets a `Change` column (`new`, `unchanged`, and a row per
//! failing resource of the earlier scan that no longer fails, `fixed`).
//!
//! Everything that comes from the account goes through [`sanitize`] and then
//! [`escape`], so that a user name, a contact or a resource cannot add a
//! table cell, a link, an image, raw HTML or an autolink to the report.

use super::{Framework, Header, compare, framework, sanitize, section_title};
use crate::checks::{ItemResult, Status};

/// Backslash-escape what Markdown (CommonMark and GitHub's extensions) would
/// act on in running text or a table cell: emphasis, code, links, images,
/// HTML and entities, table pipes, strikethrough, math, and the `scheme://`
/// and `www.` prefixes that GitHub turns into links.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let after = |n: usize| chars.get(i + n).copied();
        let escaped = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '#' | '!' => {
                true
            }
            // `https://…`
            ':' => after(1) == Some('/') && after(2) == Some('/'),
            // `www.…` at the start of a word
            '.' => {
                i >= 3
                    && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w'))
                    && (i == 3 || !chars[i - 4].is_alphanumeric())
            }
            _ => false,
        };
        if escaped {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Account text made inert for Markdown.
fn md(s: &str) -> String {
    escape(&sanitize(s))
}

/// An id of ours (item, section) as code; anything unexpected is escaped instead.
fn code(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
    {
        format!("`{s}`")
    } else {
        md(s)
    }
}

fn status_cell(s: Status) -> String {
    format!("{} {}", s.symbol(), s.as_str())
}

/// Counts per status, in the summary's column order.
const COLUMNS: [Status; 5] = [
    Status::Pass,
    Status::Fail,
    Status::Manual,
    Status::Accepted,
    Status::Error,
];

fn counts_row(label: &str, statuses: impl Iterator<Item = Status> + Clone) -> String {
    let mut row = format!("| {label} |");
    for col in COLUMNS {
        let n = statuses.clone().filter(|s| *s == col).count();
        row.push_str(&format!(" {n} |"));
    }
    row.push('\n');
    row
}

/// The report. `h.generated` is printed as the scan time (UTC).
pub fn markdown(h: &Header, items: &[ItemResult]) -> String {
    let mut out = format!("# moat report: account {}\n\n", md(h.account));
    out.push_str(&format!("- **Identity:** {}\n", md(h.identity)));
    out.push_str(&format!(
        "- **Scanned:** {}\n",
        h.generated.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    out.push_str(&format!("- **Tool:** moat {}\n", env!("CARGO_PKG_VERSION")));
    if let Some(fw) = h.framework {
        out.push_str(&format!(
            "- **Framework:** {} (`{}`): only the items mapped to it\n",
            fw.title(),
            fw.id()
        ));
    }
    out.push('\n');
    match h.framework {
        None => {
            summary_by_section(&mut out, items);
            comparison(&mut out, h);
            let mut sections: Vec<&str> = vec![];
            for i in items {
                if !sections.contains(&i.section.as_str()) {
                    sections.push(&i.section);
                }
            }
            for section in sections {
                let its: Vec<&ItemResult> = items.iter().filter(|i| i.section == section).collect();
                out.push_str(&format!("## {}\n\n", md(&section_title(section))));
                item_table(&mut out, &its);
                for i in its {
                    findings(&mut out, i, h);
                }
            }
        }
        Some(fw) => {
            by_control(&mut out, items, fw);
            comparison(&mut out, h);
            out.push_str("## Items\n\n");
            let its: Vec<&ItemResult> = items.iter().collect();
            item_table(&mut out, &its);
            for i in its {
                findings(&mut out, i, h);
            }
        }
    }
    out
}

fn summary_by_section(out: &mut String, items: &[ItemResult]) {
    out.push_str("## Summary\n\n");
    out.push_str("| Section | Pass | Fail | Manual | Accepted | Error |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    let mut sections: Vec<&str> = vec![];
    for i in items {
        if !sections.contains(&i.section.as_str()) {
            sections.push(&i.section);
        }
    }
    for section in &sections {
        let label = format!("{} ({})", md(&section_title(section)), code(section));
        out.push_str(&counts_row(
            &label,
            items
                .iter()
                .filter(|i| i.section == *section)
                .map(|i| i.status),
        ));
    }
    if sections.len() > 1 {
        out.push_str(&counts_row("**Total**", items.iter().map(|i| i.status)));
    }
    out.push('\n');
}

fn by_control(out: &mut String, items: &[ItemResult], fw: Framework) {
    let controls = framework::controls(fw, items);
    out.push_str("## Summary\n\n");
    out.push_str("| Controls | Pass | Fail | Manual | Accepted | Error |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    out.push_str(&counts_row(
        &controls.len().to_string(),
        controls.iter().map(|c| c.status),
    ));
    out.push('\n');
    out.push_str(&format!("## {} by control\n\n", fw.title()));
    out.push_str(
        "A control passes when every item mapped to it passes.\n\n\
         | Control | Status | Items |\n|---|---|---|\n",
    );
    for c in &controls {
        let its: Vec<String> = c
            .items
            .iter()
            .map(|i| format!("{} {} {}", i.status.symbol(), code(&i.id), md(&i.title)))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            md(c.id),
            status_cell(c.status),
            its.join("<br>")
        ));
    }
    out.push('\n');
}

fn item_table(out: &mut String, items: &[&ItemResult]) {
    out.push_str("| Status | Item | Title | Summary |\n|---|---|---|---|\n");
    for i in items {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            status_cell(i.status),
            code(&i.id),
            md(&i.title),
            md(&i.summary)
        ));
    }
    out.push('\n');
}

/// The comparison's line, after the summary.
fn comparison(out: &mut String, h: &Header) {
    if let Some(c) = h.compare {
        out.push_str(&format!(
            "**Since the scan of {}:** {}.\n\n",
            compare::stamp(c.since),
            c.counts().sentence()
        ));
    }
}

/// An item's resources (failing, accepted or to check by hand), if any;
/// compared, their change and the failing ones that no longer fail.
fn findings(out: &mut String, i: &ItemResult, h: &Header) {
    let compared = h.compare.filter(|c| c.compared(&i.id));
    let fixed: Vec<_> = compared
        .map(|c| c.fixed(&i.id).collect())
        .unwrap_or_default();
    if i.findings.is_empty() && fixed.is_empty() {
        return;
    }
    out.push_str(&format!(
        "### {} {} — {}\n\n",
        i.status.symbol(),
        code(&i.id),
        md(&i.title)
    ));
    if compared.is_some() {
        out.push_str("| Status | Resource | Region | Detail | Change |\n|---|---|---|---|---|\n");
    } else {
        out.push_str("| Status | Resource | Region | Detail |\n|---|---|---|---|\n");
    }
    let region = |r: Option<&str>| r.map(md).unwrap_or_else(|| "global".into());
    for f in &i.findings {
        out.push_str(&format!(
            "| {} | {} | {} | {} |",
            status_cell(f.status),
            md(&f.resource),
            region(f.region.as_deref()),
            md(&f.detail)
        ));
        if let Some(c) = compared {
            let change = c.change(&i.id, &f.resource, f.region.as_deref(), f.status);
            let cell = match change {
                Some(ch) => match ch.fixed_by_moat() {
                    Some(t) => format!(
                        "**new**: fixed by moat on {}, failing again",
                        compare::day(t)
                    ),
                    None if ch == compare::Change::New => "**new**".into(),
                    None => ch.as_str().into(),
                },
                None => String::new(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    for g in fixed {
        out.push_str(&format!(
            "| | {} | {} | | fixed |\n",
            md(&g.resource),
            region(g.region.as_deref())
        ));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Finding;

    #[test]
    fn escape_defuses_markdown() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("*x* _y_ `z`"), "\\*x\\* \\_y\\_ \\`z\\`");
        assert_eq!(escape("[t](http://e)"), "\\[t\\](http\\://e)");
        assert_eq!(escape("![i](x)"), "\\!\\[i\\](x)");
        assert_eq!(escape("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape("&#x202e;"), "\\&\\#x202e;");
        assert_eq!(escape("see www.evil.example"), "see www\\.evil.example");
        assert_eq!(escape("awww.x"), "awww.x");
        assert_eq!(escape("a\\b"), "a\\\\b");
        assert_eq!(
            escape("arn:aws:iam::1:user/a-b.c"),
            "arn:aws:iam::1:user/a-b.c"
        );
    }

    fn header(fw: Option<Framework>) -> Header<'static> {
        Header {
            account: "111122223333",
            identity: "arn:aws:iam::111122223333:user/ops|admin",
            generated: chrono::DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z")
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
            framework: fw,
            compare: None,
        }
    }

    #[test]
    fn account_text_cannot_break_the_tables() {
        let items = vec![ItemResult {
            id: "account.console-users-mfa".into(),
            section: "account".into(),
            title: "Every console user has MFA".into(),
            status: Status::Fail,
            summary: "1 user | 2".into(),
            findings: vec![Finding::fail(
                "user/x|y\n| z | injected |",
                "<script>alert(1)</script> \x1b[31m [link](https://evil) www.evil.example",
            )],
        }];
        let md = markdown(&header(None), &items);
        assert!(md.contains("## Summary"), "{md}");
        assert!(md.contains("user/ops\\|admin"), "{md}");
        let row = md
            .lines()
            .find(|l| l.contains("user/x"))
            .unwrap_or_default();
        // Four cells: five unescaped pipes.
        let unescaped = row
            .char_indices()
            .filter(|(n, c)| *c == '|' && (*n == 0 || row.as_bytes()[n - 1] != b'\\'))
            .count();
        assert_eq!(unescaped, 5, "{row}");
        assert!(!md.contains("<script>"), "{md}");
        assert!(!md.contains('\x1b'), "{md}");
        assert!(!md.contains("](https://"), "{md}");
        assert!(!md.contains("www.evil"), "{md}");
        assert!(
            md.contains("- **Scanned:** 2026-11-29 10:00:00 UTC"),
            "{md}"
        );
    }

    #[test]
    fn demo_report_has_summary_sections_and_resources() {
        let items = super::super::tests::demo_results();
        let md = markdown(&header(None), &items);
        assert!(
            md.starts_with("# moat report: account 111122223333\n"),
            "{md}"
        );
        assert!(
            md.contains("| Securing the AWS account (`account`) | 0 | 9 | 2 | 0 | 0 |"),
            "{md}"
        );
        assert!(md.contains("## Securing the AWS account"), "{md}");
        assert!(
            md.contains("| ✗ fail | `account.root-access-keys` | Root user has no access keys |"),
            "{md}"
        );
        assert!(
            md.contains("| ✗ fail | user/dana | global | dana signs in"),
            "{md}"
        );
    }

    #[test]
    fn framework_report_groups_by_control() {
        let items: Vec<ItemResult> = super::super::tests::demo_results()
            .into_iter()
            .filter(|i| crate::checks::item(&i.id).is_some_and(|d| !d.cis.is_empty()))
            .collect();
        let md = markdown(&header(Some(Framework::Cis6)), &items);
        assert!(
            md.contains("CIS AWS Foundations Benchmark v6.0.0 by control"),
            "{md}"
        );
        let p23 = md.find("| 2.3 |").unwrap_or(usize::MAX);
        let p210 = md.find("| 2.11 |").unwrap_or(0);
        assert!(p23 < p210, "{md}");
        assert!(!md.contains("account.backup-admin"), "{md}");
    }
}
