//! The journal and `--input` through the real binary on the demo account: a
//! torn journal line is skipped with a warning naming it (and the next
//! record starts on a line of its own), `undo --resolve` settles an entry
//! left `unknown`, and every `--input` is validated before anything else.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/command.rs"]
mod command;
use command::{isolated_moat, output_text as text, without_aws_profile};

/// The demo account's id (assets/demo/account.json).
const DEMO_ACCOUNT: &str = "111122223333";

fn moat(state: &Path, args: &[&str]) -> Output {
    let mut cmd = isolated_moat(state, &state.join("xdg-config"));
    without_aws_profile(&mut cmd)
        .env("NO_COLOR", "1")
        .arg("--demo")
        .args(args);
    cmd.output().expect("run moat")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("moat-journal-cli-")
        .tempdir()
        .expect("tempdir")
}

fn journal_path(state: &Path) -> PathBuf {
    state.join("journal").join(format!("{DEMO_ACCOUNT}.jsonl"))
}

fn apply(state: &Path, item: &str) {
    let o = moat(state, &["apply", item, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn torn_journal_line_is_skipped_named_and_not_glued_to_the_next_record() {
    let state = tempdir();
    let s = state.path();
    apply(s, "account.password-policy");
    let path = journal_path(s);
    let before = std::fs::read_to_string(&path).expect("journal");
    let torn_line = before.lines().count() + 1;
    // The process died half-way through a record (a full disk, a crash).
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open journal");
    f.write_all(br#"{"event":"begin","entry":"20261201T000000Z-000001.1","batch":"2026"#)
        .expect("torn write");
    drop(f);

    let o = moat(s, &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning") && err.contains(&format!("line {torn_line}:")),
        "a warning names the torn line: {}",
        text(&o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("applied"), "the entries are listed: {out}");

    // The next apply's records start on a line of their own and read back.
    apply(s, "s3.account-public-access-block");
    let after = std::fs::read_to_string(&path).expect("journal");
    let bad: Vec<&str> = after
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_err())
        .collect();
    assert_eq!(bad.len(), 1, "only the torn line is damaged: {after}");
    let o = moat(s, &["undo", "--last", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("s3:PutAccountPublicAccessBlock")
            || text(&o).contains("s3:DeleteAccountPublicAccessBlock"),
        "the last apply (after the torn line) is undone: {}",
        text(&o)
    );
}

#[test]
fn undo_resolve_settles_an_unknown_entry_from_the_account() {
    let state = tempdir();
    let s = state.path();
    apply(s, "account.password-policy");
    // The answer was lost: the entry's outcome record never made it.
    let path = journal_path(s);
    let journal = std::fs::read_to_string(&path).expect("journal");
    let kept: String = journal
        .lines()
        .filter(|l| !l.contains(r#""event":"done""#))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, kept).expect("rewrite");

    let o = moat(s, &["undo"]);
    assert!(text(&o).contains("unknown"), "{}", text(&o));
    assert!(
        text(&o).contains("--resolve"),
        "the list says how: {}",
        text(&o)
    );
    let o = moat(s, &["undo", "--last", "--yes"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "nothing applied to undo: {}",
        text(&o)
    );

    let o = moat(s, &["undo", "--resolve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("applied: the change is in place"),
        "{}",
        text(&o)
    );
    let o = moat(s, &["undo"]);
    assert!(!text(&o).contains("unknown"), "{}", text(&o));
    assert!(text(&o).contains("applied"), "{}", text(&o));
    // Settled, it can be undone.
    let o = moat(s, &["undo", "--last", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Nothing left to settle.
    let o = moat(s, &["undo", "--resolve"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("No journal entry"), "{}", text(&o));
}

fn assert_usage_error(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", text(o));
    for n in needles {
        assert!(err.contains(n), "stderr names {n}: {}", text(o));
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// An invalid value is refused even when the item has nothing to change
/// (the plan would never read it), for `plan` and `apply`, before the
/// account is read (no journal, no demo state).
#[test]
fn invalid_input_is_refused_when_the_item_has_nothing_to_change() {
    let state = tempdir();
    let s = state.path();
    let contacts = [
        "--input",
        "name=Sam Rivera",
        "--input",
        "title=Security lead",
        "--input",
        "email=security@example.com",
        "--input",
        "phone=+1 555 0100",
    ];
    let mut args = vec!["apply", "account.alternate-contacts", "--yes"];
    args.extend(contacts);
    let o = moat(s, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Now the item passes: its plan would never read the inputs.
    for cmd in [&["plan"][..], &["apply", "--yes"][..]] {
        let mut args = cmd.to_vec();
        args.extend([
            "account.alternate-contacts",
            "--input",
            "email=not-an-e-mail",
        ]);
        assert_usage_error(&moat(s, &args), &["input 'email'", "e-mail address"]);
        let mut args = cmd.to_vec();
        args.extend(["account.alternate-contacts", "--input", "phone=call me"]);
        assert_usage_error(&moat(s, &args), &["input 'phone'", "phone number"]);
        let mut args = cmd.to_vec();
        args.extend(["account.alternate-contacts", "--input", "colour=blue"]);
        assert_usage_error(&moat(s, &args), &["unknown input 'colour'", "email"]);
        // A single-value input given twice is not silently joined.
        let mut args = cmd.to_vec();
        args.extend([
            "account.alternate-contacts",
            "--input",
            "email=a@example.com",
            "--input",
            "email=b@example.com",
        ]);
        assert_usage_error(&moat(s, &args), &["input 'email'", "2 times"]);
    }
    // Also before the account is read: an item that takes no input.
    let state = tempdir();
    let o = moat(
        state.path(),
        &[
            "apply",
            "account.password-policy",
            "--yes",
            "--input",
            "email=x@example.com",
        ],
    );
    assert_usage_error(&o, &["unknown input 'email'", "take no input"]);
    assert!(!journal_path(state.path()).exists(), "nothing applied");
}
