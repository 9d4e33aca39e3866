//! `moat scan --compare` on the built-in demo account: every scan is saved
//! (privately, per account); after `moat apply --yes` fixes an item, the next
//! scan compared with the first marks its findings fixed and the rest
//! unchanged, in every format; a bad file, another account's file, or no
//! earlier scan is a clear error or note; without `--compare` the output is
//! what it always was.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/command.rs"]
mod command;
use command::{demo_at_fixed_time as moat, output_text as text};

/// The demo account's id (assets/demo/account.json).
const DEMO_ACCOUNT: &str = "111122223333";
/// A demo item that fails and that `apply --yes` fixes without inputs.
const FIXED_ITEM: &str = "account.password-policy";

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("moat-compare-")
        .tempdir()
        .expect("tempdir")
}

fn saved_scans(state: &Path) -> Vec<PathBuf> {
    let dir = state.join("scans").join(format!("demo-{DEMO_ACCOUNT}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn scan(state: &Path, args: &[&str]) -> Output {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    let o = moat(state, &all);
    assert_eq!(o.status.code(), Some(1), "{all:?}: {}", text(&o));
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The first scan, saved; then the fix.
fn scanned_then_fixed(state: &Path) -> (PathBuf, String) {
    let first = scan(state, &["--format", "json"]);
    assert!(first.stderr.is_empty(), "{}", text(&first));
    let files = saved_scans(state);
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&files[0]), 0o600);
        assert_eq!(mode(files[0].parent().expect("dir")), 0o700);
    }
    let o = moat(state, &["apply", FIXED_ITEM, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (files[0].clone(), stdout(&first))
}

fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or(&Value::Null)
}

#[test]
fn compare_last_marks_the_fix_in_json() {
    let state = tempdir();
    let s = state.path();
    let (_, first) = scanned_then_fixed(s);
    let first: Value = serde_json::from_str(&first).expect("json");
    assert!(first.get("comparison").is_none());
    assert!(item(&first, FIXED_ITEM)["fixed"].is_null());

    let o = scan(s, &["--format", "json", "--compare"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let c = &v["comparison"];
    assert_eq!(c["since"], "2026-11-29T10:00:00Z", "{c}");
    assert_eq!(c["new"], 0, "{c}");
    assert_eq!(c["drift"], 0, "{c}");
    assert!(c["fixed"].as_u64().is_some_and(|n| n >= 1), "{c}");
    assert!(c["unchanged"].as_u64().is_some_and(|n| n >= 10), "{c}");
    let fixed = item(&v, FIXED_ITEM);
    assert_eq!(fixed["status"], "pass", "{fixed}");
    assert!(
        fixed["fixed"].as_array().is_some_and(|f| !f.is_empty()),
        "{fixed}"
    );
    // Every failing finding of another item is unchanged.
    let mut marked = 0;
    for i in v["items"].as_array().expect("items") {
        for f in i["findings"].as_array().expect("findings") {
            if f["status"] == "fail" {
                assert_eq!(f["change"], "unchanged", "{}: {f}", i["id"]);
                marked += 1;
            }
        }
    }
    assert!(marked > 0);
    // The compared scan was saved too: `last` is now the second scan.
    assert_eq!(saved_scans(s).len(), 2);
    let o = scan(s, &["--format", "json", "--compare", "last"]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["comparison"]["fixed"], 0, "{}", v["comparison"]);
    assert_eq!(v["comparison"]["new"], 0, "{}", v["comparison"]);
}

#[test]
fn compare_with_a_file_in_every_other_format() {
    let state = tempdir();
    let s = state.path();
    let (file, _) = scanned_then_fixed(s);
    let file = file.to_string_lossy().into_owned();
    let plain = |fmt: &str| stdout(&scan(s, &["--format", fmt]));

    // Table: a mark on every resource, the fixed one listed, a last line.
    let t = stdout(&scan(s, &["--compare", &file]));
    assert!(
        t.contains("since the scan of 2026-11-29 10:00:00 UTC: "),
        "{t}"
    );
    assert!(t.contains(" fixed, 0 new, "), "{t}");
    assert!(t.lines().any(|l| l.starts_with("      unchanged ")), "{t}");
    let fixed_block: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.contains(FIXED_ITEM))
        .take(4)
        .collect();
    assert!(
        fixed_block.iter().any(|l| l.starts_with("      fixed ")),
        "{fixed_block:?}"
    );
    assert!(!plain("table").contains("since the scan"));

    // Markdown: a line under the summary, a Change column.
    let md = stdout(&scan(s, &["--format", "markdown", "--compare", &file]));
    assert!(
        md.contains("**Since the scan of 2026-11-29 10:00:00 UTC:** "),
        "{md}"
    );
    assert!(md.contains("| Status | Resource | Region | Detail | Change |"));
    assert!(md.contains("| fixed |"), "{md}");
    assert!(md.contains(" unchanged |"), "{md}");
    assert!(!plain("markdown").contains("| Change |"));

    // CSV: an 11th column.
    let csv = stdout(&scan(s, &["--format", "csv", "--compare", &file]));
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("account,section,item,title,status,resource,region,detail,cis,security_hub,change")
    );
    assert!(
        csv.split("\r\n")
            .any(|l| l.contains(FIXED_ITEM) && l.ends_with(",fixed")),
        "{csv}"
    );
    assert!(
        csv.split("\r\n").any(|l| l.ends_with(",unchanged")),
        "{csv}"
    );
    assert!(plain("csv").starts_with(
        "account,section,item,title,status,resource,region,detail,cis,security_hub\r\n"
    ));

    // SARIF: baselineState on every result, absent for the fixed one.
    let sarif: Value = serde_json::from_str(&stdout(&scan(
        s,
        &["--format", "sarif", "--compare", &file],
    )))
    .expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        assert!(
            matches!(
                r["baselineState"].as_str(),
                Some("new" | "unchanged" | "absent")
            ),
            "{r}"
        );
    }
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == FIXED_ITEM && r["baselineState"] == "absent"),
        "the fixed finding is an absent result"
    );
    assert!(
        !results
            .iter()
            .any(|r| r["ruleId"] != FIXED_ITEM && r["baselineState"] == "absent")
    );
    let props = &sarif["runs"][0]["properties"]["comparison"];
    assert_eq!(props["new"], 0, "{props}");
    let plain_sarif = plain("sarif");
    assert!(!plain_sarif.contains("baselineState"));
}

#[test]
fn without_compare_nothing_new_is_printed_and_the_output_is_the_same() {
    let state = tempdir();
    let s = state.path();
    let first = scan(s, &[]);
    let second = scan(s, &[]);
    assert!(first.stderr.is_empty() && second.stderr.is_empty());
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(saved_scans(s).len(), 2);
}

#[test]
fn no_earlier_scan_is_a_note_and_bad_files_are_errors() {
    let state = tempdir();
    let s = state.path();
    let o = scan(s, &["--compare"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no earlier scan of account 111122223333 to compare with"),
        "{err}"
    );
    assert!(!stdout(&o).contains("since the scan"));

    let bad = |args: &[&str], want: &str| {
        let mut all = vec!["scan"];
        all.extend_from_slice(args);
        let o = moat(s, &all);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{all:?}: {}", text(&o));
        assert!(o.stdout.is_empty(), "{all:?}");
    };
    let missing = s.join("missing.json");
    bad(
        &["--compare", &missing.to_string_lossy()],
        "cannot compare with",
    );
    let junk = s.join("junk.json");
    std::fs::write(&junk, "not json").expect("write");
    bad(
        &["--compare", &junk.to_string_lossy()],
        "not a scan moat saved",
    );
    // A saved scan of another account.
    let theirs = s.join("theirs.json");
    let text_of_theirs = std::fs::read_to_string(&saved_scans(s)[0])
        .expect("saved")
        .replace(DEMO_ACCOUNT, "444455556666");
    std::fs::write(&theirs, text_of_theirs).expect("write");
    bad(
        &["--compare", &theirs.to_string_lossy()],
        "it is a scan of the demo account 444455556666, this is the demo account 111122223333",
    );
}

#[test]
fn help_explains_compare() {
    let state = tempdir();
    let o = moat(state.path(), &["scan", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("--compare [<FILE|last>]"), "{out}");
    assert!(out.contains("new, fixed or unchanged"), "{out}");
}
