//! `moat scan --format … --output FILE` on the built-in demo account: every
//! format lands in the file (and nothing but progress on the terminal), the
//! exit code still says that items fail, and `--framework cis-6.0` limits the
//! scan to mapped items.

use serde_json::Value;
use std::path::Path;

#[path = "support/command.rs"]
mod command;
// The built binary on the demo account, with an isolated state dir and a
// fixed clock.
use command::demo_at_fixed_time as moat;

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("moat-reports-")
        .tempdir()
        .expect("temp dir")
}

/// Scan into `dir/name` and return the file's text; the demo fails items, so
/// the exit code is 1, and nothing is printed on stdout.
fn scan_to_file(state: &Path, dir: &Path, name: &str, args: &[&str]) -> String {
    let file = dir.join(name);
    let file_arg = file.to_string_lossy().into_owned();
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", &file_arg]);
    let out = moat(state, &all);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "{all:?} printed on stdout");
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    std::fs::read_to_string(&file).expect("report file")
}

/// Split RFC 4180 CSV (CRLF records) into records of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = vec![];
    let mut record = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "unterminated record");
    records
}

#[test]
fn every_format_goes_to_the_file() {
    let state = tempdir();
    let dir = tempdir();

    let json: Value = serde_json::from_str(&scan_to_file(
        state.path(),
        dir.path(),
        "scan.json",
        &["--format", "json"],
    ))
    .expect("json report");
    assert_eq!(json["account"], "111122223333");
    let items = json["items"].as_array().expect("items");
    assert_eq!(items.len(), moat::checks::items().len());
    assert_eq!(items[0]["cis"], serde_json::json!(["2.3"]));
    assert_eq!(items[0]["security_hub"], serde_json::json!(["IAM.4"]));
    assert!(json.get("framework").is_none());

    let sarif: Value = serde_json::from_str(&scan_to_file(
        state.path(),
        dir.path(),
        "scan.sarif",
        &["--format", "sarif"],
    ))
    .expect("sarif report");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "moat");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(moat::checks::items().len())
    );
    let results = run["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "account.console-users-mfa" && r["level"] == "error"),
        "{results:#?}"
    );

    let md = scan_to_file(
        state.path(),
        dir.path(),
        "scan.md",
        &["--format", "markdown"],
    );
    assert!(
        md.starts_with("# moat report: account 111122223333\n"),
        "{md}"
    );
    assert!(
        md.contains("- **Scanned:** 2026-11-29 10:00:00 UTC"),
        "{md}"
    );
    assert!(
        md.contains("| Section | Pass | Fail | Manual | Accepted | Error |"),
        "{md}"
    );
    assert!(md.contains("| ✗ fail | user/dana | global |"), "{md}");

    let csv = scan_to_file(state.path(), dir.path(), "scan.csv", &["--format", "csv"]);
    let records = parse_csv(&csv);
    assert_eq!(
        records[0],
        [
            "account",
            "section",
            "item",
            "title",
            "status",
            "resource",
            "region",
            "detail",
            "cis",
            "security_hub"
        ]
    );
    assert!(records.iter().all(|r| r.len() == 10), "{records:#?}");
    assert!(
        records
            .iter()
            .any(|r| r[2] == "account.stale-access-keys" && r[5].starts_with("user/")),
        "{records:#?}"
    );

    let table = scan_to_file(state.path(), dir.path(), "scan.txt", &[]);
    assert!(table.starts_with("account 111122223333"), "{table}");
    assert!(!table.contains('\x1b'), "colour codes in a file: {table}");
}

#[test]
fn output_replaces_an_existing_file() {
    let state = tempdir();
    let dir = tempdir();
    std::fs::write(
        dir.path().join("r.json"),
        "old and much longer than nothing",
    )
    .expect("seed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(dir.path().join("r.json"), perms).expect("chmod");
    }
    let text = scan_to_file(state.path(), dir.path(), "r.json", &["--format", "json"]);
    assert!(text.starts_with('{'), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |name: &str| {
            std::fs::metadata(dir.path().join(name))
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        };
        // A replaced file keeps its mode; a new one is private to the user.
        assert_eq!(mode("r.json"), 0o644);
        scan_to_file(state.path(), dir.path(), "new.csv", &["--format", "csv"]);
        assert_eq!(mode("new.csv"), 0o600);
    }
}

#[test]
fn framework_limits_the_scan_to_mapped_items() {
    let state = tempdir();
    let dir = tempdir();
    let json: Value = serde_json::from_str(&scan_to_file(
        state.path(),
        dir.path(),
        "cis.json",
        &["--framework", "cis-6.0", "--format", "json"],
    ))
    .expect("json report");
    let items = json["items"].as_array().expect("items");
    let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    // Exactly the items the catalog maps to a CIS control, in guide order.
    let mapped: Vec<&str> = moat::checks::items()
        .iter()
        .filter(|d| !d.cis.is_empty())
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, mapped);
    assert!(ids.contains(&"account.root-mfa") && ids.contains(&"s3.mfa-delete"));
    assert!(
        items
            .iter()
            .all(|i| i["cis"].as_array().is_some_and(|c| !c.is_empty()))
    );
    assert_eq!(json["framework"]["id"], "cis-6.0");
    let controls: Vec<&str> = json["framework"]["controls"]
        .as_array()
        .map(|cs| cs.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    // Every control the catalog maps, once, in control order.
    let mut mapped: Vec<&str> = moat::checks::items()
        .iter()
        .flat_map(|d| d.cis.iter().copied())
        .collect();
    let key = |c: &str| -> Vec<u32> { c.split('.').filter_map(|n| n.parse().ok()).collect() };
    mapped.sort_by_key(|c| key(c));
    mapped.dedup();
    assert_eq!(controls, mapped);
    assert!(controls.starts_with(&["2.1", "2.2"]));

    // The table reports by control, on stdout without --output.
    let out = moat(state.path(), &["scan", "--framework", "cis-6.0"]);
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("by control"), "{table}");
    assert!(
        table.contains(&format!("{} controls:", mapped.len())),
        "{table}"
    );
}

#[test]
fn framework_with_no_mapped_item_is_a_usage_error() {
    let state = tempdir();
    let out = moat(
        state.path(),
        &[
            "scan",
            "--framework",
            "cis-6.0",
            "--item",
            "account.backup-admin",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unwritable_output_is_a_one_line_error() {
    let state = tempdir();
    let dir = tempdir();
    let missing = dir.path().join("no-such-dir").join("scan.json");
    let missing = missing.to_string_lossy().into_owned();
    let is_dir = dir.path().to_string_lossy().into_owned();
    for target in [missing.as_str(), is_dir.as_str()] {
        let out = moat(
            state.path(),
            &["scan", "--format", "json", "--output", target],
        );
        assert_eq!(out.status.code(), Some(2), "{target}");
        assert!(out.stdout.is_empty(), "{target}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("cannot write"), "{err}");
    }
}

#[path = "support/ocsf.rs"]
mod ocsf;

#[test]
fn ocsf_events_follow_the_ocsf_schema_and_a_broken_one_does_not() {
    let state = tempdir();
    let dir = tempdir();
    let text = scan_to_file(
        state.path(),
        dir.path(),
        "events.json",
        &["--format", "ocsf"],
    );
    let events: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
    assert!(
        events.len() > 60,
        "one event per item or resource: {}",
        events.len()
    );
    assert!(
        events
            .iter()
            .all(|e| e["class_uid"] == 2004 && e["metadata"]["version"] == "1.1.0"),
        "Detection Findings of OCSF 1.1.0"
    );
    assert!(events.iter().any(|e| e["status_code"] == "FAIL"));
    assert!(events.iter().any(|e| e["status_code"] == "PASS"));
    // Every failing event names its CIS controls where the item maps to any.
    assert!(events.iter().any(|e| {
        e["unmapped"]["compliance"]["CIS-6.0.0"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    }));
    // One finding, one uid: a consumer follows each over time.
    let mut uids: Vec<&str> = events
        .iter()
        .filter_map(|e| e["finding_info"]["uid"].as_str())
        .collect();
    let n = uids.len();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), n, "finding uids are unique");
    // A pass closes its finding; a failure is never rated below a pass.
    assert!(
        events
            .iter()
            .filter(|e| e["status_code"] == "PASS")
            .all(|e| e["activity_id"] == 3 && e["type_uid"] == 200403)
    );
    assert!(
        events
            .iter()
            .filter(|e| e["status_code"] == "FAIL")
            .all(|e| e["severity_id"] == 99)
    );
    ocsf::validate(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));

    // The validator is not a rubber stamp.
    for broken in [
        |e: &mut Value| e["class_uid"] = 2001.into(),
        |e: &mut Value| {
            e["finding_info"]
                .as_object_mut()
                .map(|f| f.remove("uid"))
                .map_or((), |_| ())
        },
        |e: &mut Value| e["severity_id"] = "4".into(),
        |e: &mut Value| e["compliance"] = serde_json::json!({"standards": ["CIS"]}),
    ] {
        let mut bad = events.clone();
        broken(&mut bad[0]);
        let text = serde_json::to_vec(&bad).expect("json");
        assert!(ocsf::validate(&text).is_err(), "{}", bad[0]);
    }
}
