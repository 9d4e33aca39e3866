//! Output of findings: a table for people, JSON for scripts (DESIGN.md's
//! public contract). Text from the account is attacker-controlled: every
//! string printed goes through [`sanitize`].

use crate::checks::{ItemResult, Status};
use serde::Serialize;

/// Make text inert on a terminal: control characters (escape sequences
/// included) become visible `\u{..}` escapes; newlines and tabs become spaces.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if c.is_control()
                || ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) =>
            {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    resource: &'a str,
    region: Option<&'a str>,
    status: Status,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    section: &'a str,
    title: &'a str,
    status: Status,
    summary: &'a str,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    account: &'a str,
    identity: &'a str,
    items: Vec<JsonItem<'a>>,
}

/// The JSON contract: `{"account", "identity", "items": [{"id", "section", "title", "status", "findings": [...]}]}`.
pub fn json(account: &str, identity: &str, items: &[ItemResult]) -> String {
    let r = JsonReport {
        account,
        identity,
        items: items
            .iter()
            .map(|i| JsonItem {
                id: &i.id,
                section: &i.section,
                title: &i.title,
                status: i.status,
                summary: &i.summary,
                findings: i
                    .findings
                    .iter()
                    .map(|f| JsonFinding {
                        resource: &f.resource,
                        region: f.region.as_deref(),
                        status: f.status,
                        detail: &f.detail,
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&r).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// A plain table: one line per item, failing resources indented under it.
pub fn table(account: &str, identity: &str, items: &[ItemResult], color: bool) -> String {
    let paint = |st: Status, s: &str| -> String {
        if !color {
            return s.to_string();
        }
        let code = match st {
            Status::Pass => "32",
            Status::Fail | Status::Error => "31",
            Status::Manual | Status::Accepted => "33",
            _ => "2",
        };
        format!("\x1b[{code}m{s}\x1b[0m")
    };
    let mut out = format!(
        "account {}  ({})\n\n",
        sanitize(account),
        sanitize(identity)
    );
    let width = items.iter().map(|i| i.id.len()).max().unwrap_or(10);
    let mut section = "";
    for i in items {
        if i.section != section {
            section = &i.section;
            let title = crate::guide::guide()
                .section(section)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            out.push_str(&format!("{} — {}\n", section, sanitize(&title)));
        }
        let status = format!("{:<6}", i.status.as_str());
        out.push_str(&format!(
            "  {} {:<width$}  {}  {}\n",
            paint(i.status, i.status.symbol()),
            i.id,
            paint(i.status, &status),
            sanitize(&i.summary),
        ));
        for f in &i.findings {
            let region = f
                .region
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            out.push_str(&format!(
                "      {}{}: {}\n",
                sanitize(&f.resource),
                region,
                sanitize(&f.detail)
            ));
        }
    }
    let count = |s: Status| items.iter().filter(|i| i.status == s).count();
    out.push_str(&format!(
        "\n{} pass, {} fail, {} manual, {} error\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Manual),
        count(Status::Error)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_defuses_escapes() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\ny\tz"), "x y z");
        assert_eq!(sanitize("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(sanitize("plain/ok"), "plain/ok");
    }
}
