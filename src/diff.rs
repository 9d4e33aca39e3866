//! Diffs of resource documents: `similar` → hunks → styled lines. Used by the
//! TUI (as ratatui lines) and the CLI (as a unified diff, coloured on a terminal).

use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Header,
    Hunk,
    Context,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    pub text: String,
}

/// Diff `before` → `after` with `context` lines around changes. `name` labels
/// the header (`--- name (now)` / `+++ name (after)`). An empty side is a
/// resource that does not exist.
pub fn diff_lines(name: &str, before: &str, after: &str, context: usize) -> Vec<DiffLine> {
    let mut out = vec![
        DiffLine {
            kind: LineKind::Header,
            text: if before.is_empty() {
                "--- /dev/null (does not exist)".into()
            } else {
                format!("--- {name} (now)")
            },
        },
        DiffLine {
            kind: LineKind::Header,
            text: if after.is_empty() {
                "+++ /dev/null (deleted)".into()
            } else {
                format!("+++ {name} (after)")
            },
        },
    ];
    let diff = TextDiff::from_lines(before, after);
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        out.push(DiffLine {
            kind: LineKind::Hunk,
            text: format!(
                "@@ -{},{} +{},{} @@",
                old.start + 1,
                old.len(),
                new.start + 1,
                new.len()
            ),
        });
        for op in &group {
            for change in diff.iter_changes(op) {
                let (kind, sign) = match change.tag() {
                    ChangeTag::Equal => (LineKind::Context, ' '),
                    ChangeTag::Insert => (LineKind::Added, '+'),
                    ChangeTag::Delete => (LineKind::Removed, '-'),
                };
                let text = change.value().trim_end_matches('\n');
                out.push(DiffLine {
                    kind,
                    text: format!("{sign}{text}"),
                });
            }
        }
    }
    out
}

/// A unified diff as plain text, optionally with ANSI colours.
pub fn unified(name: &str, before: &str, after: &str, color: bool) -> String {
    let mut s = String::new();
    for l in diff_lines(name, before, after, 3) {
        let (pre, post) = match (color, l.kind) {
            (true, LineKind::Added) => ("\x1b[32m", "\x1b[0m"),
            (true, LineKind::Removed) => ("\x1b[31m", "\x1b[0m"),
            (true, LineKind::Hunk) => ("\x1b[36m", "\x1b[0m"),
            (true, LineKind::Header) => ("\x1b[1m", "\x1b[0m"),
            _ => ("", ""),
        };
        s.push_str(pre);
        s.push_str(&crate::kit::text::sanitize(&l.text));
        s.push_str(post);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changes_and_creation() {
        let lines = diff_lines("x", "a\nb\n", "a\nc\n", 3);
        let kinds: Vec<LineKind> = lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LineKind::Header,
                LineKind::Header,
                LineKind::Hunk,
                LineKind::Context,
                LineKind::Removed,
                LineKind::Added
            ]
        );
        let created = diff_lines("x", "", "a\n", 3);
        assert_eq!(created[0].text, "--- /dev/null (does not exist)");
        assert_eq!(created.last().map(|l| l.text.as_str()), Some("+a"));
    }
}
