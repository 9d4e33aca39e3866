//! End to end: the real `moat` binary in a pseudo-terminal against moto.
//! Keys in, screen out (parsed with vt100), the change verified in moto.

mod support;
mod tty;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::*;
use tty::*;

/// The "after" document of the diff on screen: `"Key": value` from the
/// context and added lines after the `+++` header (the preview shows whole
/// documents), once its closing `}` is drawn. The dialog's left border is at
/// column 4, so a diff line's sign is at column 6.
fn previewed_after(rows: &[String]) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut inside = false;
    for row in rows {
        let chars: Vec<char> = row.chars().collect();
        if chars.len() < 8 {
            continue;
        }
        let sign = chars[6];
        let text: String = chars[7..chars.len().min(115)].iter().collect();
        let text = text.trim();
        if sign == '+' && text.starts_with("++ password-policy (after)") {
            inside = true;
            continue;
        }
        if !inside || sign == '-' || (sign == '@' && text.starts_with("@ ")) {
            continue;
        }
        if !matches!(sign, ' ' | '+') {
            return None;
        }
        if text == "}" {
            return Some(out);
        }
        if let Some((k, v)) = text.split_once(": ") {
            out.insert(
                k.trim_matches('"').to_string(),
                v.trim_end_matches(',').to_string(),
            );
        }
    }
    None
}

#[test]
fn preview_apply_and_recheck_the_password_policy_in_a_pty() {
    let moto = Moto::start();
    let iam = block_on(iam_client(&moto.endpoint));
    block_on(support::seed_iam::weak_password_policy(&iam));
    let state = temp_state_dir();
    let cmd = moat_cmd(&moto.endpoint, state.path());
    let mut tty = Tty::spawn(&cmd);
    let pid = tty.child.process_id().expect("moat's pid");

    // The account appears, then every part has been read.
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();
    assert!(tty.screen().contains(" LIVE "), "{}", tty.screen());

    // Walk the item list down to account.password-policy, one redraw per key.
    tty.walk_to("j", "account.password-policy");
    tty.wait_text("account.password-policy · CIS");
    tty.wait_text("✗ fail  The password policy is weaker than recommended.");

    // Preview: the diff is on screen.
    tty.keys("p");
    tty.wait_text("+++ password-policy (after)");
    tty.wait_text("+  \"MinimumPasswordLength\": 14,");
    tty.wait_text("-  \"MinimumPasswordLength\": 8,");
    let start = Instant::now();
    let after = loop {
        if let Some(doc) = previewed_after(&tty.rows()) {
            break doc;
        }
        assert!(
            start.elapsed() < WAIT,
            "no complete preview; screen:\n{}",
            tty.screen()
        );
        tty.pump(Duration::from_millis(100));
    };
    assert_eq!(
        after.get("MinimumPasswordLength").map(String::as_str),
        Some("14"),
        "{after:?}"
    );
    assert_eq!(
        after.get("PasswordReusePrevention").map(String::as_str),
        Some("24"),
        "{after:?}"
    );

    // Confirm lists the call; `y` applies; the item is re-checked and passes.
    tty.keys("a");
    tty.wait_text("iam:UpdateAccountPasswordPolicy");
    tty.wait_text("Press y to apply. Any other key cancels.");
    tty.keys("y");
    tty.wait_text("Now: ✓ pass  IAM password policy is strong");
    assert!(
        tty.screen().contains("the account now matches the preview"),
        "{}",
        tty.screen()
    );
    tty.esc();
    tty.wait_text("✓ pass  Passwords need at least 14 characters");

    let status = tty.quit();
    assert!(status.success(), "moat exited with {status:?}");
    assert!(!pid_alive(pid), "moat (pid {pid}) is still running");

    // moto has exactly what the preview said.
    let got = block_on(async {
        iam.get_account_password_policy()
            .send()
            .await
            .expect("read back")
    });
    let p = got.password_policy().expect("a password policy");
    let shown = |k: &str| {
        after
            .get(k)
            .cloned()
            .unwrap_or_else(|| panic!("{k} not in the preview: {after:?}"))
    };
    assert_eq!(
        p.minimum_password_length().map(|v| v.to_string()),
        Some(shown("MinimumPasswordLength"))
    );
    assert_eq!(
        p.password_reuse_prevention().map(|v| v.to_string()),
        Some(shown("PasswordReusePrevention"))
    );
    assert_eq!(p.require_numbers().to_string(), shown("RequireNumbers"));
    assert_eq!(p.require_symbols().to_string(), shown("RequireSymbols"));
    assert_eq!(
        p.require_lowercase_characters().to_string(),
        shown("RequireLowercaseCharacters")
    );
    assert_eq!(
        p.require_uppercase_characters().to_string(),
        shown("RequireUppercaseCharacters")
    );
    assert_eq!(
        p.allow_users_to_change_password().to_string(),
        shown("AllowUsersToChangePassword")
    );
}

/// The interactive session in dry-run: walking every failing item, previewing
/// and "applying" each one sends no mutating request and journals nothing.
#[test]
fn dry_run_session_sends_no_mutating_request() {
    let moto = Moto::start();
    let iam = block_on(iam_client(&moto.endpoint));
    block_on(async {
        iam.update_account_password_policy()
            .minimum_password_length(8)
            .send()
            .await
            .expect("seed a weak password policy");
    });
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    let mut cmd = moat_cmd(&proxy.endpoint, state.path());
    cmd.arg("--dry-run");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();
    assert!(tty.screen().contains("DRY-RUN"), "{}", tty.screen());

    // Walk to the password policy item with the onboarding walk and apply it.
    tty.walk_to("n", "account.password-policy");
    tty.keys("a");
    tty.wait_text("iam:UpdateAccountPasswordPolicy");
    tty.keys("y");
    tty.wait_text("Dry-run: nothing was sent. These calls would have been sent:");
    tty.wait_text("1  iam:UpdateAccountPasswordPolicy  password-policy  global");
    tty.esc();
    tty.wait_for("the dialog to close", |s| !s.contains("esc close"));
    tty.quit();

    assert!(
        proxy
            .operations()
            .iter()
            .any(|o| o == "GetAccountPasswordPolicy"),
        "the session read through the proxy: {:?}",
        proxy.operations()
    );
    assert_eq!(
        proxy.mutating(),
        Vec::<String>::new(),
        "no mutating request"
    );
    assert!(!state.path().join("journal").exists(), "nothing journaled");
    let len = block_on(async {
        iam.get_account_password_policy()
            .send()
            .await
            .expect("read back")
    })
    .password_policy()
    .and_then(|p| p.minimum_password_length());
    assert_eq!(len, Some(8), "the account is unchanged");
}

/// An S3 item in the interactive session against moto: the onboarding walk
/// reaches s3.public-policies, the preview shows the bucket policy losing
/// only its public statement, `a` lists the call with the bucket's region,
/// `y` applies it, and the bucket policy in moto is what the preview said.
#[test]
fn bucket_policy_fix_in_a_pty() {
    let moto = Moto::start();
    block_on(seed_failing_s3_and_cloudfront(&moto.endpoint));
    let state = temp_state_dir();
    let cmd = moat_cmd(&moto.endpoint, state.path());
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();
    tty.walk_to("n", "s3.public-policies");
    tty.wait_text("s3.public-policies");
    // Findings are grouped under a region heading.
    tty.wait_text(&format!("✗ bucket/{WEB_BUCKET}"));

    tty.keys("p");
    // The blast radius comes first: the distribution that serves the
    // bucket, and the public losing its read.
    tty.wait_text("Blast radius (from what moat read");
    tty.wait_text(&format!("Bucket {WEB_BUCKET}:"));
    tty.wait_text("CloudFront distributions serving it:");
    tty.wait_for("the distribution named", |s| {
        s.lines()
            .any(|l| l.contains("distributions serving it:") && !l.contains("none"))
    });
    tty.wait_text(&format!("+++ bucket/{WEB_BUCKET} (after)"));
    tty.wait_text("-        \"Sid\": \"Public\"");
    tty.keys("a");
    tty.wait_text("s3:PutBucketPolicy");
    tty.wait_text("us-east-1");
    tty.wait_text("Press y to apply. Any other key cancels.");
    tty.keys("y");
    tty.wait_text("Now: ✓ pass");
    assert!(
        tty.screen().contains("the account now matches the preview"),
        "{}",
        tty.screen()
    );
    tty.esc();
    tty.quit();

    let policy = block_on(async {
        s3_client(&moto.endpoint, "us-east-1")
            .await
            .get_bucket_policy()
            .bucket(WEB_BUCKET)
            .send()
            .await
            .expect("read back")
            .policy()
            .map(str::to_string)
            .unwrap_or_default()
    });
    let doc: serde_json::Value = serde_json::from_str(&policy).expect("policy json");
    let sids: Vec<&str> = doc["Statement"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["Sid"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(sids, vec!["Team"], "{doc}");
}

/// The secrets test's interactive half: a live session (as root, which S3
/// MFA Delete needs: the proxy answers sts:GetCallerIdentity with the root
/// ARN) types an MFA code into the form and applies the change, with the
/// most verbose logging. Neither the terminal output nor any file in the
/// state dir holds the code or the credentials.
#[test]
fn tui_session_with_an_mfa_code_leaks_no_secret() {
    const KEY_ID: &str = "AKIAMOATTUILEAKCHK01";
    const SECRET: &str = "MoatTuiSecret/LeakCheck+42";
    const TOKEN: &str = "MoatTuiSessionTokenLeakCheck";
    const CODE: &str = "731946";
    let moto = Moto::start();
    block_on(seed_failing_s3_and_cloudfront(&moto.endpoint));
    let proxy = Proxy::start(moto.port);
    support::answer_as_root(&proxy);
    let state = temp_state_dir();
    let mut cmd = moat_cmd(&proxy.endpoint, state.path());
    cmd.env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("MOAT_LOG", "trace");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();
    tty.walk_to("n", "s3.mfa-delete");
    tty.wait_text("s3.mfa-delete");
    tty.keys("p");
    tty.wait_text("the change needs these values");
    tty.keys(&format!("arn:aws:iam::{ACCOUNT_ID}:mfa/root-device"));
    tty.keys("\t");
    tty.keys(CODE);
    tty.wait_text("••••••");
    assert!(!tty.screen().contains(CODE), "{}", tty.screen());
    tty.keys("\r");
    tty.wait_text("s3:PutBucketVersioning");
    tty.keys("a");
    tty.wait_text("Press y to apply. Any other key cancels.");
    tty.keys("y");
    // moto ignores MFA Delete, so the re-read differs from the preview. The
    // confirmation's screen (until the next frame is drawn) is not the outcome.
    tty.wait_for("the outcome", |s| {
        s.contains("esc close") && !s.contains("sending") && !s.contains("Press y to apply")
    });
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.operation == "PutBucketVersioning"),
        "the change was sent"
    );
    tty.esc();
    tty.quit();
    tty.pump(Duration::from_millis(100));

    let secrets = [KEY_ID, SECRET, TOKEN, CODE];
    let shown = String::from_utf8_lossy(&tty.raw).to_string();
    for s in secrets {
        assert!(
            support::find_secret(&shown, s).is_none(),
            "the terminal showed {s}"
        );
    }
    let mut stack = vec![state.path().to_path_buf()];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            seen += 1;
            let text = String::from_utf8_lossy(&std::fs::read(&p).expect("read")).to_string();
            for s in secrets {
                assert!(
                    support::find_secret(&text, s).is_none(),
                    "{} holds {s}",
                    p.display()
                );
            }
        }
    }
    assert!(seen >= 2, "the log and the journal were written");
}

/// The item titles of the items pane (the left column below the sections),
/// a wrapped title's rows joined.
fn items_pane(rows: &[String]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut inside = false;
    for r in rows {
        let left: String = r.chars().take(46).collect();
        if left.contains(" Items ") {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if left.starts_with('└') || left.starts_with('┗') {
            break;
        }
        let body: String = left.chars().skip(1).take(44).collect();
        let mut chars = body.trim_end().chars().skip(1);
        let sign = chars.next();
        let text: String = chars.skip(1).collect();
        match sign {
            Some(' ') | None if !text.trim().is_empty() => {
                if let Some(last) = out.last_mut() {
                    last.push(' ');
                    last.push_str(text.trim());
                }
            }
            Some(' ') | None => {}
            Some(_) => out.push(text.trim().to_string()),
        }
    }
    out
}

/// The demo account in a pty: a section's page shows its introduction, `/`
/// lists only the matching items, `f` only those that need attention, and
/// `w` makes `n` walk the guide's order with its progress shown.
#[test]
fn guided_session_on_the_demo_account_in_a_pty() {
    let state = temp_state_dir();
    // What the demo account's scan says: the passing items' titles.
    let scan = support::command::demo_at_fixed_time(state.path(), &["scan", "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&scan.stdout).expect("the demo scan's JSON");
    let items = report["items"].as_array().expect("items");
    let passing: Vec<String> = items
        .iter()
        .filter(|i| i["status"] == "pass")
        .filter_map(|i| i["title"].as_str().map(str::to_string))
        .collect();
    assert!(!passing.is_empty(), "the demo account has a passing item");
    let s3_intro: toml::Value =
        toml::from_str(include_str!("../assets/guide/s3.toml")).expect("s3 guide");
    let intro = s3_intro["section"]["intro"].as_str().expect("s3 intro");
    let intro_start: String = intro
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join(" ");

    let mut cmd = support::command::isolated_moat(state.path(), &state.path().join("xdg-config"));
    cmd.arg("--demo");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_scanned();

    // The sections pane: S3's page shows its introduction and what moat can do.
    tty.keys("h");
    tty.keys("j");
    tty.wait_text(&intro_start);
    tty.wait_text("What moat can do here");
    assert!(tty.screen().contains("section 2 of 12"), "{}", tty.screen());
    // Every section is listed.
    for title in ["Securing the AWS account", "Amazon VPC", "Other tools"] {
        assert!(tty.screen().contains(title), "{title}:\n{}", tty.screen());
    }

    // `/` filter: only the items whose title or id has the text.
    tty.keys("k");
    tty.keys("l");
    tty.keys("/mfa\r");
    tty.wait_text("/mfa");
    let listed = items_pane(&tty.rows());
    assert!(!listed.is_empty(), "{}", tty.screen());
    for t in &listed {
        assert!(
            t.to_lowercase().contains("mfa"),
            "{t:?} listed:\n{}",
            tty.screen()
        );
    }
    assert!(!tty.screen().contains("Root user has no access keys"));
    tty.esc();
    tty.wait_for("the filter to clear", |s| !s.contains("/mfa"));
    tty.wait_text("Root user has no access keys");

    // `f`: only the items that need attention; the passing ones leave the list.
    let pass_title = passing[0].clone();
    let pass_section = items
        .iter()
        .find(|i| i["title"] == pass_title.as_str())
        .and_then(|i| i["section"].as_str())
        .expect("section")
        .to_string();
    let order = moat::guide::SECTIONS;
    let pos = order
        .iter()
        .position(|s| *s == pass_section)
        .expect("known section");
    tty.keys("h");
    tty.keys(&"j".repeat(pos));
    tty.keys("l");
    let pass_start: String = pass_title.chars().take(20).collect();
    tty.wait_for("the passing item", |s| s.contains(&pass_start));
    tty.keys("f");
    tty.wait_text("needs attention");
    assert!(
        !items_pane(&tty.rows()).contains(&pass_title),
        "{}",
        tty.screen()
    );
    tty.keys("f");
    tty.wait_for("every item again", |s| !s.contains("needs attention"));

    // `w` then `n`: the guide's order, item by item, with the progress.
    tty.keys("hgl");
    tty.keys("w");
    tty.wait_text("now walks the guide's order");
    tty.walk_to("n", "account.root-mfa");
    tty.wait_text("section 1 of 12");
    let last_account = "account.stale-access-keys";
    tty.walk_to("n", last_account);
    tty.keys("n");
    tty.wait_text("section 2 of 12");
    assert_eq!(detail_id(&tty.screen()), "s3.account-public-access-block");
    assert!(tty.quit().success());
}

/// Compare with the last scan against moto: a `moat scan` is saved, then
/// the password policy is fixed outside moat and a group opens SSH to the
/// internet; the next session's header counts one fixed and the new
/// findings, and the items carry their change.
#[test]
fn compare_with_the_last_scan_in_a_pty() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let first = run_moat(&moto.endpoint, state.path(), &["scan", "--format", "json"]);
    assert!(
        matches!(first.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    block_on(async {
        iam_client(&moto.endpoint)
            .await
            .update_account_password_policy()
            .minimum_password_length(14)
            .password_reuse_prevention(24)
            .require_numbers(true)
            .require_symbols(true)
            .require_uppercase_characters(true)
            .require_lowercase_characters(true)
            .allow_users_to_change_password(true)
            .max_password_age(90)
            .send()
            .await
            .expect("a strong password policy, set outside moat");
        let ec2 = support::seed_ec2::ec2_client(&moto.endpoint, "us-east-1");
        support::seed_ec2::allow_in_default_group(
            &ec2,
            support::seed_ec2::tcp(22, &["0.0.0.0/0"], &[]),
        )
        .await;
    });
    let cmd = moat_cmd(&moto.endpoint, state.path());
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();
    tty.wait_text("since last scan: 1 fixed");
    let header = tty.rows().first().cloned().unwrap_or_default();
    assert!(
        !header.contains(", 0 new"),
        "the open SSH rule is new:\n{}",
        tty.screen()
    );
    let rows = tty.rows();
    assert!(
        rows.iter()
            .any(|l| l.contains("IAM password policy") && l.contains(" fixed")),
        "{}",
        tty.screen()
    );
    tty.quit();
}

/// Compare with the last scan on the demo account: a saved scan, then a
/// fix applied by moat from the command line; the session counts it fixed.
#[test]
fn compare_with_the_last_scan_on_the_demo_account_in_a_pty() {
    let state = temp_state_dir();
    let config = state.path().join("xdg-config");
    let run = |args: &[&str]| {
        let mut cmd = support::command::isolated_moat(state.path(), &config);
        cmd.arg("--demo").args(args);
        cmd.output().expect("run moat")
    };
    let scan = run(&["scan", "--format", "json"]);
    assert!(matches!(scan.status.code(), Some(0 | 1)), "{scan:?}");
    let apply = run(&["apply", "account.password-policy", "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{apply:?}");
    let mut cmd = support::command::isolated_moat(state.path(), &config);
    cmd.arg("--demo");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_scanned();
    tty.wait_text("since last scan: 1 fixed, 0 new");
    assert!(
        tty.rows()
            .iter()
            .any(|l| l.contains("IAM password policy") && l.contains(" fixed")),
        "{}",
        tty.screen()
    );
    tty.quit();
}

/// The blast radius in the preview on the demo account: the distribution
/// that serves a bucket whose public policy goes, with how it reads it, and
/// who loses read access; `moat plan` says the same.
#[test]
fn blast_radius_in_the_preview_on_the_demo_account() {
    let state = temp_state_dir();
    let plan = support::command::demo_at_fixed_time(state.path(), &["plan", "s3.public-policies"]);
    let text = String::from_utf8_lossy(&plan.stdout).to_string();
    assert!(
        text.contains("CloudFront distributions serving it: E3ASSETS7QZ4KX"),
        "{text}"
    );
    let mut cmd = support::command::isolated_moat(state.path(), &state.path().join("xdg-config"));
    cmd.arg("--demo");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_scanned();
    tty.walk_to("n", "s3.public-policies");
    tty.keys("p");
    tty.wait_text("Blast radius (from what moat read");
    tty.wait_text("Bucket example-corp-assets:");
    tty.wait_text("CloudFront distributions serving it: E3ASSETS7QZ4KX");
    tty.wait_text("would lose read access: everyone (public)");
    tty.esc();
    tty.quit();
}

/// `moat --account A,B,C`: the account list, worst first, with each
/// account's counts as it is read; `n` selects the next account needing
/// attention, Enter opens its session, q there comes back to the list.
#[test]
fn the_account_list_of_several_accounts_in_a_pty() {
    const ROLE: &str = "OrganizationAccountAccessRole";
    const WITH_ROLE: [&str; 2] = ["111111111111", "222222222222"];
    const NO_ROLE: &str = "333333333333";
    let moto = Moto::start();
    block_on(async {
        let iam = iam_client(&moto.endpoint).await;
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT_ID}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        for account in WITH_ROLE {
            iam.create_role()
                .role_name(ROLE)
                .assume_role_policy_document(&trust)
                .customize()
                .mutate_request(move |r| {
                    r.headers_mut().insert("x-moto-account-id", account);
                })
                .send()
                .await
                .expect("role");
        }
    });
    let state = temp_state_dir();
    let mut cmd = moat_cmd(&moto.endpoint, state.path());
    cmd.args(["--region", "us-east-1", "--account"])
        .arg([WITH_ROLE[0], WITH_ROLE[1], NO_ROLE].join(","));
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text("3 accounts");
    tty.wait_for("every account read", |s| s.contains("3 read"));
    let screen = tty.screen();
    let at = |id: &str| screen.find(id).unwrap_or(usize::MAX);
    assert!(
        at(NO_ROLE) < at(WITH_ROLE[0]) && screen.contains("not opened: cannot assume"),
        "the account that could not be opened comes first:\n{screen}"
    );
    assert!(screen.contains(" fail · "), "{screen}");

    // Open the first member: its own session, then back to the list.
    tty.keys("g");
    tty.keys("j");
    let selected = tty
        .rows()
        .into_iter()
        .find(|r| r.contains(WITH_ROLE[0]) || r.contains(WITH_ROLE[1]))
        .unwrap_or_default();
    let opened = if selected.contains(WITH_ROLE[0]) {
        WITH_ROLE[0]
    } else {
        WITH_ROLE[1]
    };
    tty.keys("\r");
    tty.wait_text(&format!("account {opened}"));
    tty.wait_scanned();
    tty.keys("q");
    // The first key typed on the list again is not lost.
    tty.wait_text("Accounts, worst first");
    let status = tty.quit();
    assert!(status.success(), "{status:?}");
}
