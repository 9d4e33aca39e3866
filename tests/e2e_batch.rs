//! End to end: several items in one go, with the real `moat` binary in a
//! pseudo-terminal. Two items marked with space, their inputs asked first,
//! one confirmation, one journal batch that `moat undo --last` reverses.

mod support;
mod tty;

use std::time::{Duration, Instant};
use support::*;
use tty::*;

const PASSWORD: &str = "account.password-policy";
const CONTACTS: &str = "account.alternate-contacts";

/// Wait until the outcome dialog says every item of the batch passes again.
fn wait_rechecked(tty: &mut Tty, titles: &[&str]) {
    let start = Instant::now();
    loop {
        let screen = tty.screen();
        if titles
            .iter()
            .all(|t| screen.contains(&format!("Now: ✓ pass  {t}")))
        {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "the batch's items were not re-checked as passing; screen:\n{screen}"
        );
        tty.pump(Duration::from_millis(100));
    }
}

/// On moto: the IAM password policy (no input) and the account's alternate
/// contacts (inputs, through the form) marked with space, `a`, the form,
/// `y`: both changes are in moto, the journal holds one batch whose entries
/// name their own items, and `moat undo --last` reverses both.
#[test]
fn two_marked_items_are_applied_as_one_batch_and_undone_together() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let iam = block_on(iam_client(ep));
    block_on(async {
        iam.update_account_password_policy()
            .minimum_password_length(8)
            .require_numbers(true)
            .send()
            .await
            .expect("seed a weak password policy");
    });
    let state = temp_state_dir();
    let mut tty = Tty::spawn(&moat_cmd(ep, state.path()));
    tty.wait_text(&format!("account {ACCOUNT_ID}"));
    tty.wait_scanned();

    // Mark both with space: the items pane and the footer count them.
    tty.walk_to("j", CONTACTS);
    tty.keys(" ");
    tty.wait_text("1 marked · p preview · a apply · U clear marks");
    tty.walk_to("j", PASSWORD);
    tty.keys(" ");
    tty.wait_text("2 marked · p preview · a apply · U clear marks");
    tty.wait_text("● 2 marked");

    // `a`: the contacts' form comes first; submitting it plans the batch
    // and opens the one confirmation.
    tty.keys("a");
    tty.wait_text(&format!("Inputs for {CONTACTS}"));
    tty.keys("Sam Rivera\tSecurity lead\tsecurity@example.com\t+1 555 0100\r");
    tty.wait_text("Apply 2 items in one batch?");
    tty.wait_text(&format!("▸ {CONTACTS}"));
    tty.wait_text(&format!("▸ {PASSWORD}"));
    tty.wait_text("iam:UpdateAccountPasswordPolicy");
    tty.keys("y");
    wait_rechecked(
        &mut tty,
        &[
            "Billing, operations, security contacts set",
            "IAM password policy is strong",
        ],
    );
    assert!(
        tty.screen().contains("the account now matches the preview"),
        "{}",
        tty.screen()
    );
    tty.esc();
    // The marks are done with once the batch was sent.
    tty.wait_for("the marks to be cleared", |s| !s.contains("marked ·"));
    let status = tty.quit();
    assert!(status.success(), "moat exited with {status:?}");

    // Both changes are in moto.
    use aws_sdk_account::types::AlternateContactType as T;
    let (policy, security) = block_on(async {
        let policy = iam
            .get_account_password_policy()
            .send()
            .await
            .expect("read the password policy");
        let security = account_client(ep)
            .await
            .get_alternate_contact()
            .alternate_contact_type(T::Security)
            .send()
            .await
            .expect("the security contact is set");
        (policy, security)
    });
    assert_eq!(
        policy
            .password_policy()
            .and_then(|p| p.minimum_password_length()),
        Some(14)
    );
    assert_eq!(
        security.alternate_contact().and_then(|c| c.email_address()),
        Some("security@example.com")
    );

    // The journal: one batch, each entry with its own item.
    let listing = run_moat(ep, state.path(), &["undo"]);
    let text = output_text(&listing);
    assert_eq!(listing.status.code(), Some(0), "{text}");
    let entries: Vec<&str> = text.lines().filter(|l| l.contains(" applied ")).collect();
    assert!(entries.len() >= 2, "{text}");
    let batch = |l: &str| {
        l.split_whitespace()
            .next()
            .and_then(|e| e.rsplit_once('.'))
            .map(|(b, _)| b.to_string())
            .unwrap_or_default()
    };
    let first = batch(entries[0]);
    assert!(
        entries.iter().all(|l| batch(l) == first),
        "one batch: {text}"
    );
    assert!(entries.iter().any(|l| l.contains(PASSWORD)), "{text}");
    assert!(entries.iter().any(|l| l.contains(CONTACTS)), "{text}");
    assert!(
        !text.contains(" batch "),
        "every entry names its item: {text}"
    );

    // `moat undo --last` reverses both, as one batch.
    let undo = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    let text = output_text(&undo);
    assert_eq!(undo.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("{first}.1")), "{text}");
    assert!(text.contains("iam:UpdateAccountPasswordPolicy"), "{text}");
    assert!(text.contains("account:DeleteAlternateContact"), "{text}");
    let (policy, security) = block_on(async {
        let policy = iam
            .get_account_password_policy()
            .send()
            .await
            .expect("read the password policy");
        let security = account_client(ep)
            .await
            .get_alternate_contact()
            .alternate_contact_type(T::Security)
            .send()
            .await;
        (policy, security)
    });
    assert_eq!(
        policy
            .password_policy()
            .and_then(|p| p.minimum_password_length()),
        Some(8),
        "the password policy is back"
    );
    assert!(security.is_err(), "the security contact is gone again");
}

/// On the demo account: two items of two sections marked with space,
/// applied as one batch; both pass after the re-check.
#[test]
fn marked_items_of_two_sections_pass_after_one_apply_on_the_demo_account() {
    let state = temp_state_dir();
    let mut cmd = support::command::isolated_moat(state.path(), &state.path().join("xdg-config"));
    cmd.arg("--demo");
    let mut tty = Tty::spawn(&cmd);
    tty.wait_scanned();
    tty.walk_to("j", PASSWORD);
    tty.keys(" ");
    tty.wait_text("1 marked · p preview");
    // The onboarding walk crosses into the S3 section.
    let block = "s3.account-public-access-block";
    for _ in 0..80 {
        let here = detail_id(&tty.screen());
        if here == block {
            break;
        }
        tty.keys("n");
        tty.wait_for("the next item", |s| detail_id(s) != here);
    }
    assert_eq!(detail_id(&tty.screen()), block, "{}", tty.screen());
    tty.keys(" ");
    tty.wait_text("2 marked · p preview");

    tty.keys("p");
    tty.wait_text("Preview: 2 items in one batch");
    tty.keys("a");
    tty.wait_text("Apply 2 items in one batch?");
    tty.keys("y");
    wait_rechecked(
        &mut tty,
        &[
            "IAM password policy is strong",
            "Account-wide S3 public access block",
        ],
    );
    tty.esc();
    let status = tty.quit();
    assert!(status.success(), "moat exited with {status:?}");
}
