//! The layers of `src/` (ARCHITECTURE.md): every `crate::` path in production
//! code points down, never up and never around a cycle.
//!
//! entry (cli, tui) → orchestration (collect, config, report, …) → domain
//! (checks, plan, the AWS services, the analysers) → kits. Each top-level
//! module of `src/` has a rank below; a module may use only modules of a lower
//! rank. Test code (`#[cfg(test)]` modules, inline or in files of their own) is
//! not production code and may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules from the top of the house down.
const RANKS: &[(&str, u32)] = &[
    // entry
    ("cli", 100),
    ("tui", 90),
    // orchestration
    ("execute", 80),
    ("history", 79),
    ("journal", 78),
    ("report", 75),
    ("config", 72),
    ("collect", 70),
    // domain
    ("checks", 50),
    ("plan", 45),
    ("access", 40),
    ("policy", 38),
    ("diff", 35),
    ("aws", 30),
    ("guide", 10),
    // kits
    ("state", 5),
    ("kit", 0),
];

/// Edges that break the layers today, each with what removes it. The list
/// only shrinks: an edge not listed here fails, and so does a listed edge
/// that no longer occurs.
const KNOWN: &[(&str, &str, &str)] = &[];

fn rank(module: &str) -> Option<u32> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file a `mod name;` in `file` declares.
fn module_file(file: &Path, name: &str) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if matches!(stem, "mod" | "lib" | "main") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    vec![
        base.join(format!("{name}.rs")),
        base.join(name).join("mod.rs"),
    ]
}

/// Production lines of a file: `#[cfg(test)]` modules are cut out (an inline
/// one up to its closing brace at the same indentation); the files that
/// `#[cfg(test)] mod name;` declares are returned to be skipped whole.
fn production(file: &Path, text: &str, test_files: &mut BTreeSet<PathBuf>) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let indent = line.len() - trimmed.len();
            // The item the attribute applies to (after other attributes).
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim_start().starts_with("#[") {
                j += 1;
            }
            let item = lines.get(j).map(|l| l.trim()).unwrap_or("");
            let item = item.strip_prefix("pub(crate) ").unwrap_or(item);
            let item = item.strip_prefix("pub ").unwrap_or(item);
            if let Some(rest) = item.strip_prefix("mod ") {
                if let Some(name) = rest.strip_suffix(';') {
                    test_files.extend(module_file(file, name.trim()));
                    i = j + 1;
                    continue;
                }
                // Inline: skip to the closing brace at the attribute's indentation.
                let close = format!("{}}}", " ".repeat(indent));
                let mut k = j + 1;
                while k < lines.len() && lines[k] != close {
                    k += 1;
                }
                i = k + 1;
                continue;
            }
        }
        out.push((i + 1, line.to_string()));
        i += 1;
    }
    out
}

/// The top-level modules a line names through `crate::`.
fn crate_paths(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = vec![];
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::b, c};`: the first segment of each entry.
            let body = group.split('}').next().unwrap_or("");
            for entry in body.split(',') {
                let name: String = entry
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    files.sort();
    let mut test_files = BTreeSet::new();
    let mut lines_of = BTreeMap::new();
    for f in &files {
        let text = fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        lines_of.insert(f.clone(), production(f, &text, &mut test_files));
    }
    let mut bad = vec![];
    let mut unknown = BTreeSet::new();
    let mut seen_known = BTreeSet::new();
    for (f, lines) in &lines_of {
        if test_files.contains(f) {
            continue;
        }
        let rel = f.strip_prefix(&src).unwrap_or(f);
        let top = match rel.components().next().and_then(|c| c.as_os_str().to_str()) {
            Some(first) if rel.components().count() == 1 => {
                first.trim_end_matches(".rs").to_string()
            }
            Some(first) => first.to_string(),
            None => continue,
        };
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(from) = rank(&top) else {
            unknown.insert(format!("src/{} (module {top})", rel.display()));
            continue;
        };
        for (n, line) in lines {
            for to in crate_paths(line) {
                if to == top {
                    continue;
                }
                let Some(to_rank) = rank(&to) else {
                    unknown.insert(format!("src/{}:{n}: crate::{to}", rel.display()));
                    continue;
                };
                if to_rank < from {
                    continue;
                }
                if KNOWN.iter().any(|(a, b, _)| *a == top && *b == to) {
                    seen_known.insert((top.clone(), to.clone()));
                    continue;
                }
                bad.push(format!(
                    "src/{}:{n}: {top} (rank {from}) uses crate::{to} (rank {to_rank}): `{}`",
                    rel.display(),
                    line.trim()
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules with no rank in tests/layers.rs (add them to RANKS):\n{}",
        unknown.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(
        bad.is_empty(),
        "imports that point up or sideways (move the code, or the thing it needs, down):\n{}",
        bad.join("\n")
    );
    let stale: Vec<String> = KNOWN
        .iter()
        .filter(|(a, b, _)| !seen_known.contains(&(a.to_string(), b.to_string())))
        .map(|(a, b, why)| format!("{a} -> {b} ({why})"))
        .collect();
    assert!(
        stale.is_empty(),
        "these known edges are gone: delete them from KNOWN in tests/layers.rs:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_path_reader_finds_every_form() {
    assert_eq!(crate_paths("use crate::plan::Op;"), ["plan"]);
    assert_eq!(
        crate_paths("use crate::{checks::Ctx, kit};"),
        ["checks", "kit"]
    );
    assert_eq!(
        crate_paths("    let x = crate::guide::msg(a, crate::kit::text::sanitize(b));"),
        ["guide", "kit"]
    );
    assert!(crate_paths("// see crate::tui").is_empty());
    assert!(crate_paths("use mycrate::x;").is_empty());
}

#[test]
fn test_modules_are_not_production_code() {
    let text = "use crate::a::X;\n#[cfg(test)]\nmod tests {\n    use crate::tui::Y;\n}\n#[cfg(test)]\nmod more;\nfn f() { crate::b::g() }\n";
    let mut skip = BTreeSet::new();
    let lines = production(Path::new("src/x/mod.rs"), text, &mut skip);
    let paths: Vec<String> = lines.iter().flat_map(|(_, l)| crate_paths(l)).collect();
    assert_eq!(paths, ["a", "b"]);
    assert!(skip.contains(Path::new("src/x/more.rs")));
}
