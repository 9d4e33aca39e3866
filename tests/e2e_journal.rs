//! End to end: the journal view and undo in the TUI, the real `moat` binary
//! in a pseudo-terminal, on moto and on the demo account. A change applied
//! in the session is listed by `J`; `u` previews its undo (the diff back),
//! `a` and `y` send it, and the account is as it was before.

mod support;
mod tty;

use support::*;
use tty::*;

/// Apply the password policy's change from the item list (`a`, `y`); the
/// outcome says how to undo it. Returns the journal batch it names.
fn apply_password_policy(tty: &mut Tty) -> String {
    tty.walk_to("j", "account.password-policy");
    tty.wait_text("✗ fail  The password policy is weaker than recommended.");
    tty.keys("a");
    tty.wait_text("Press y to apply. Any other key cancels.");
    tty.keys("y");
    tty.wait_text("(or J, then u) reverses it.");
    let screen = tty.screen();
    let batch = screen
        .lines()
        .find_map(|l| {
            let rest = l.split("Journal batch ").nth(1)?;
            Some(rest.split(':').next()?.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no journal batch on screen:\n{screen}"));
    tty.esc();
    tty.wait_text("✓ pass  Passwords need at least 14 characters");
    batch
}

/// `J`, the batch is listed; `u` previews its undo (14 back to 8); `a`,
/// `y` send it; the item fails again.
fn undo_in_the_journal(tty: &mut Tty, account: &str, batch: &str) {
    tty.keys("J");
    tty.wait_text(&format!("Journal of account {account}: 1 batch"));
    tty.wait_text("account.password-policy — IAM password policy is strong");
    tty.wait_text(&format!("Batch {batch}"));
    tty.wait_text("iam:UpdateAccountPasswordPolicy · password-policy · global · applied");
    tty.keys("u");
    tty.wait_text(&format!("Preview: undo of batch {batch}"));
    tty.wait_text("-  \"MinimumPasswordLength\": 14,");
    tty.wait_text("+  \"MinimumPasswordLength\": 8,");
    tty.keys("a");
    tty.wait_text("Press y to apply. Any other key cancels.");
    tty.keys("y");
    tty.wait_text("Applied undo");
    tty.wait_text("the account now matches the preview");
    tty.esc();
    tty.wait_text("✗ fail  The password policy is weaker than recommended.");
    // The detail says moat changed it, and that the change was undone.
    tty.wait_for("the last change, undone", |s| {
        s.contains("Last changed by moat:") && s.contains("undone")
    });
    // The journal lists the undo, and the batch as undone.
    tty.keys("J");
    tty.wait_text(&format!("Journal of account {account}: 2 batches"));
    tty.wait_text(&format!("undo of {batch}"));
    tty.esc();
}

#[test]
fn undo_from_the_journal_view_on_moto() {
    let moto = Moto::start();
    let iam = block_on(iam_client(&moto.endpoint));
    block_on(support::seed_iam::weak_password_policy(&iam));
    let state = temp_state_dir();
    let cmd = moat_cmd(&moto.endpoint, state.path());
    let mut tty = Tty::spawn(&cmd);
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();

    let batch = apply_password_policy(&mut tty);
    let changed = block_on(async { iam.get_account_password_policy().send().await })
        .expect("read the applied policy");
    assert_eq!(
        changed
            .password_policy()
            .and_then(|p| p.minimum_password_length()),
        Some(14)
    );

    undo_in_the_journal(&mut tty, ACCOUNT_ID, &batch);
    let status = tty.quit();
    assert!(status.success(), "moat exited with {status:?}");

    // moto holds the original policy again.
    let got =
        block_on(async { iam.get_account_password_policy().send().await }).expect("read back");
    let p = got.password_policy().expect("a password policy");
    assert_eq!(p.minimum_password_length(), Some(8));
    assert_eq!(p.password_reuse_prevention(), None);
    assert!(p.require_numbers());
    assert!(p.require_lowercase_characters());
    assert!(!p.require_symbols());
    assert!(!p.require_uppercase_characters());
    assert!(p.allow_users_to_change_password());

    // `moat undo` lists the TUI's batch as undone, by the undo batch.
    let out = run_moat(&moto.endpoint, state.path(), &["undo"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains(&format!("{batch}.1")))
        .unwrap_or_else(|| panic!("the batch is not listed:\n{text}"));
    assert!(
        line.contains("account.password-policy") && line.contains("undone"),
        "{line}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains(" undo ") && l.contains("applied")),
        "the undo batch is listed:\n{text}"
    );
}

#[test]
fn undo_from_the_journal_view_on_the_demo_account() {
    let state = temp_state_dir();
    let config = state.path().join("xdg-config");
    let spawn = || {
        let mut cmd = support::command::isolated_moat(state.path(), &config);
        cmd.arg("--demo");
        Tty::spawn(&cmd)
    };
    let mut tty = spawn();
    tty.wait_scanned();
    let account = "111122223333";
    let batch = apply_password_policy(&mut tty);
    undo_in_the_journal(&mut tty, account, &batch);
    let status = tty.quit();
    assert!(status.success(), "moat exited with {status:?}");

    // The demo account's state persists: a new session still sees the
    // item failing, and the batch undone.
    let mut tty = spawn();
    tty.wait_scanned();
    tty.walk_to("j", "account.password-policy");
    tty.wait_text("✗ fail  The password policy is weaker than recommended.");
    tty.keys("J");
    tty.wait_text(&format!("Journal of account {account}: 2 batches"));
    tty.keys("G");
    tty.wait_text(&format!("Batch {batch}"));
    tty.wait_text("cannot undo this batch");
    tty.esc();
    tty.quit();
}
