//! `scan --compare` against moto, across changes made outside moat (the SDK
//! changes the account between two scans): a fix made by hand shows up as
//! fixed, a regression as new, and a regression of what moat itself fixed as
//! drift (fixed by moat, failing again).

mod support;

use serde_json::Value;
use support::run::{assert_ok, item_of};
use support::{Moto, block_on, iam_client, output_text, run_moat, temp_state_dir};

const ITEM: &str = "account.password-policy";

/// Replace the account's password policy, as someone outside moat would.
fn set_policy(ep: &str, min: i32, reuse: Option<i32>) {
    block_on(async {
        let mut req = iam_client(ep)
            .await
            .update_account_password_policy()
            .minimum_password_length(min)
            .require_symbols(true);
        if let Some(r) = reuse {
            req = req.password_reuse_prevention(r);
        }
        req.send().await.expect("set policy");
    });
}

/// `scan --item ITEM --format json [--compare]`: the report.
fn scan(ep: &str, state: &std::path::Path, compare: bool) -> Value {
    let mut args = vec!["scan", "--item", ITEM, "--format", "json"];
    if compare {
        args.push("--compare");
    }
    let o = run_moat(ep, state, &args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        output_text(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(item_of(&o, ITEM)["id"], ITEM);
    v
}

fn counts(v: &Value) -> (u64, u64, u64, u64) {
    let c = &v["comparison"];
    let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
    (n("new"), n("fixed"), n("unchanged"), n("drift"))
}

#[test]
fn fixes_and_regressions_outside_moat_and_drift() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let s = state.path();
    let ep = moto.endpoint.as_str();

    set_policy(ep, 8, None);
    let first = scan(ep, s, false);
    assert!(first.get("comparison").is_none());
    assert_eq!(first["items"][0]["status"], "fail");

    // Fixed by hand: the next scan says fixed.
    set_policy(ep, 14, Some(24));
    let v = scan(ep, s, true);
    assert_eq!(v["items"][0]["status"], "pass", "{v}");
    assert_eq!(counts(&v), (0, 1, 0, 0), "{}", v["comparison"]);
    assert_eq!(
        v["items"][0]["fixed"][0]["resource"], "password-policy",
        "{v}"
    );

    // Broken by hand: new, and not drift (moat never fixed it).
    set_policy(ep, 8, Some(24));
    let v = scan(ep, s, true);
    assert_eq!(counts(&v), (1, 0, 0, 0), "{}", v["comparison"]);
    let f = &v["items"][0]["findings"][0];
    assert_eq!(f["change"], "new", "{f}");
    assert!(f.get("fixed_by_moat").is_none(), "{f}");

    // Unchanged on the next scan.
    let v = scan(ep, s, true);
    assert_eq!(counts(&v), (0, 0, 1, 0), "{}", v["comparison"]);

    // moat fixes it; someone breaks it again: drift.
    assert_ok(&run_moat(ep, s, &["apply", ITEM, "--yes"]));
    let v = scan(ep, s, true);
    assert_eq!(counts(&v), (0, 1, 0, 0), "{}", v["comparison"]);
    set_policy(ep, 8, Some(24));
    let v = scan(ep, s, true);
    assert_eq!(counts(&v), (1, 0, 0, 1), "{}", v["comparison"]);
    let f = &v["items"][0]["findings"][0];
    assert_eq!(f["change"], "new", "{f}");
    assert!(f["fixed_by_moat"].is_string(), "{f}");

    // The table says so in words.
    set_policy(ep, 14, Some(24));
    scan(ep, s, false);
    set_policy(ep, 8, Some(24));
    let o = run_moat(ep, s, &["scan", "--item", ITEM, "--compare"]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("(fixed by moat on "), "{t}");
    assert!(t.contains(", failing again)"), "{t}");
    assert!(
        t.contains("1 fixed, 0 new") || t.contains("0 fixed, 1 new"),
        "{t}"
    );
}
