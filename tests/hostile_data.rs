//! Hostile account data through the real binary: the demo account with
//! terminal escape sequences (CSI, OSC title, OSC 8 links), other C0 and C1
//! controls, bidi overrides, zero-width characters, very long strings and a
//! 20 KB bucket policy in names, Sids, principals, comments, aliases,
//! descriptions and contacts. It is written where the demo backend reads its
//! state (`$MOAT_STATE_DIR/demo/account.json`, a whole inventory), then
//! `moat --demo scan` in every format and `moat --demo plan` on the items
//! touching those resources must exit normally and print nothing a terminal
//! would act on. JSON and SARIF must stay valid JSON.

use serde_json::{Value, json};
use std::path::Path;

#[path = "support/command.rs"]
mod command;
// The built binary on the demo account in `state`, as tests/reports.rs runs it.
use command::demo_at_fixed_time as moat;
use std::process::Output;

/// An identifier-safe payload (no `/`, which names cannot hold, and no NUL,
/// which a command line cannot): clear screen, set title, an OSC 8 link, C1
/// NEL and CSI, RLO, backspace, CR/LF, tab, DEL, an isolate and a zero-width space.
const H_ID: &str = "\u{1b}[2J\u{1b}]0;title\u{7}\u{1b}]8;;http:evil\u{1b}\\click\u{1b}]8;;\u{1b}\\\u{85}\u{9b}31m\u{202e}\u{8}\r\n\t\u{7f}\u{2066}\u{200b}";

/// Free text: all of the above plus an OSC 8 link with a URL, NUL and a
/// string terminator.
fn h_text() -> String {
    format!(
        "\u{1b}]8;;https://evil.example/x?a=1\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{0}\u{9c}{H_ID}\u{1b}[0m"
    )
}

/// Replace `from` by `to` in every string (not keys) of `v`.
fn replace_in_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_in_strings(x, from, to)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_in_strings(x, from, to)),
        _ => {}
    }
}

/// Every object in `v` (depth first), to poison fields by name.
fn each_object(v: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| each_object(x, f)),
        Value::Object(m) => {
            f(m);
            m.values_mut().for_each(|x| each_object(x, f));
        }
        _ => {}
    }
}

const WWW: &str = "example-corp-www";

/// The demo account, made hostile.
fn hostile_account() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/account.json"),
    )
    .expect("demo account");
    let mut doc: Value = serde_json::from_str(&text).expect("demo account parses");
    let text = h_text();
    // Names, consistently wherever they are referred to (ARNs, policies,
    // logging targets, trails, origins).
    for name in [
        WWW,
        "example-corp-assets",
        "example-corp-cloudtrail",
        "dana",
        "lee",
        "backup-sync",
        "legacy-reporting",
        "ops-admin",
        "E3ASSETS7QZ4KX",
        "AKIADEMOREPORTING001",
        "Admins",
        "management-events",
        "s3-example-corp-assets",
    ] {
        replace_in_strings(&mut doc, name, &format!("{name}{H_ID}"));
    }
    // Free text by field name: Sids, comments, aliases, descriptions, contacts.
    each_object(&mut doc, &mut |m| {
        for key in [
            "Sid",
            "comment",
            "description",
            "title",
            "name",
            "target_prefix",
        ] {
            // Only a contact's name: other names are identifiers.
            if key == "name" && !m.contains_key("email") {
                continue;
            }
            if let Some(Value::String(s)) = m.get_mut(key) {
                s.push_str(&text);
            }
        }
        if let Some(Value::Array(aliases)) = m.get_mut("aliases") {
            aliases.push(Value::String(format!("evil{H_ID}.example.com")));
            aliases.push(Value::String(format!("{}{text}", "a".repeat(5000))));
        }
        if let Some(Value::String(c)) = m.get_mut("comment") {
            c.push_str(&"long comment ".repeat(1000));
        }
    });
    // A principal and a 20 KB policy on the public website bucket: many
    // statements with hostile Sids and principals.
    let buckets = doc["s3"]["value"]["buckets"]
        .as_array_mut()
        .expect("buckets");
    let www = buckets
        .iter_mut()
        .find(|b| b["name"].as_str().is_some_and(|n| n.starts_with(WWW)))
        .expect("www bucket");
    let bucket = www["name"].as_str().expect("name").to_string();
    let stmts = www["policy"]["value"]["Statement"]
        .as_array_mut()
        .expect("www policy statements");
    for i in 0..60 {
        stmts.push(json!({
            "Sid": format!("Team{i}{H_ID}"),
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::111122223333:user/dev{i}{H_ID}")},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/team{i}/*")],
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("t{i}{text}")}}
        }));
    }
    let policy_len = serde_json::to_string(&www["policy"]["value"])
        .expect("policy")
        .len();
    assert!(policy_len >= 20_000, "policy is {policy_len} bytes");
    doc
}

/// A state dir holding the hostile account where `--demo` reads it.
fn hostile_state() -> tempfile::TempDir {
    let state = tempfile::Builder::new()
        .prefix("moat-hostile-")
        .tempdir()
        .expect("temp dir");
    std::fs::create_dir_all(state.path().join("demo")).expect("demo dir");
    std::fs::write(
        state.path().join("demo").join("account.json"),
        serde_json::to_vec(&hostile_account()).expect("serialize"),
    )
    .expect("write account");
    state
}

/// What a terminal would act on or that hides and reorders text: C0 but
/// newline and tab, DEL, C1, bidi embeddings, overrides and isolates,
/// zero-width characters.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn assert_inert(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if let Some((i, c)) = text.char_indices().find(|(_, c)| dangerous(*c)) {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "{what}: raw {:?} at byte {i}, after {:?}",
            c,
            &text[from..i]
        );
    }
}

/// Exited by itself with `code`, no panic.
fn assert_exit(what: &str, out: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what} panicked: {stderr}");
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
}

#[test]
fn hostile_account_is_inert_in_text_reports() {
    let state = hostile_state();
    for format in ["table", "markdown", "csv"] {
        let what = format!("scan --format {format}");
        let out = moat(state.path(), &["scan", "--format", format]);
        assert_exit(&what, &out, 1);
        // CSV ends its records with CRLF (RFC 4180); a CR anywhere else is raw.
        let stdout = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        assert_inert(&format!("{what} stdout"), stdout.as_bytes());
        assert_inert(&format!("{what} stderr"), &out.stderr);
        // The hostile resources are reported, their text made visible.
        assert!(stdout.contains(WWW), "{what}: the bucket is missing");
        // (Markdown escapes the backslash too.)
        assert!(stdout.contains("u{1b}"), "{what}: escapes not shown");
        assert!(stdout.contains("dana"), "{what}: the user is missing");
    }
}

/// JSON may carry the text only as JSON escapes: valid JSON, no raw C0
/// control character (JSON requires `\u001b`), and the account text is there
/// when parsed.
#[test]
fn hostile_account_is_valid_escaped_json() {
    let state = hostile_state();
    for format in ["json", "sarif"] {
        let what = format!("scan --format {format}");
        let out = moat(state.path(), &["scan", "--format", format]);
        assert_exit(&what, &out, 1);
        assert_inert(&format!("{what} stderr"), &out.stderr);
        let stdout = std::str::from_utf8(&out.stdout).expect("UTF-8");
        let raw: Vec<char> = stdout
            .chars()
            .filter(|c| *c < ' ' && !matches!(c, '\n' | '\r' | '\t'))
            .collect();
        assert!(raw.is_empty(), "{what}: raw control characters {raw:?}");
        let v: Value =
            serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        assert!(v.to_string().contains(WWW), "{what}: the bucket is missing");
    }
    let out = moat(state.path(), &["scan", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let resources: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|i| i["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(
        resources
            .iter()
            .any(|r| r.starts_with("bucket/example-corp-www")),
        "{resources:?}"
    );
}

/// C1 controls (U+0085, U+009B CSI…), bidi overrides and zero-width
/// characters are legal unescaped in JSON, but `moat scan --format json`
/// prints to a terminal by default: they should be written as `\uXXXX`
/// escapes too (the data is unchanged for a JSON reader).
#[test]
fn hostile_account_json_escapes_c1_and_bidi() {
    let state = hostile_state();
    for format in ["json", "sarif"] {
        let what = format!("scan --format {format}");
        let out = moat(state.path(), &["scan", "--format", format]);
        assert_exit(&what, &out, 1);
        assert_inert(&format!("{what} stdout"), &out.stdout);
    }
}

#[test]
fn hostile_account_is_inert_in_plans() {
    let state = hostile_state();
    let bucket_arg = format!("bucket/{WWW}{H_ID}");
    let runs: Vec<Vec<&str>> = vec![
        vec!["plan", "s3.public-policies"],
        vec!["plan", "s3.deny-insecure-transport"],
        vec!["plan", "s3.public-policies", "--resource", &bucket_arg],
        vec!["plan", "s3.bucket-public-access-block"],
        vec!["plan", "s3.public-acls"],
        vec!["plan", "s3.cloudfront-origin-access"],
        vec!["plan", "s3.versioning"],
        vec!["plan", "account.console-users-mfa"],
        vec!["plan", "account.stale-access-keys"],
        vec!["plan", "account.backup-admin"],
        vec!["plan", "cloudfront.https-only"],
        vec!["plan", "cloudfront.tls-version"],
    ];
    let mut previewed_big_policy = false;
    for args in &runs {
        let what = format!("{args:?}");
        let out = moat(state.path(), args);
        assert_exit(&what, &out, 0);
        assert_inert(&format!("{what} stdout"), &out.stdout);
        assert_inert(&format!("{what} stderr"), &out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        previewed_big_policy |= stdout.contains("Team59");
    }
    assert!(previewed_big_policy, "no plan showed the 20 KB policy");
    // Hostile input on the command line is refused, and the refusal is inert.
    let name = format!("name={}", h_text().replace('\u{0}', ""));
    let out = moat(
        state.path(),
        &[
            "plan",
            "account.alternate-contacts",
            "--input",
            &name,
            "--input",
            "email=sec@example.com",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_inert("alternate-contacts stdout", &out.stdout);
    assert_inert("alternate-contacts stderr", &out.stderr);
}
