//! The journal view (`J`), undo from it (`u`), and the journal's answers.

use super::*;
use crate::execute::{UndoError, undo_plan};
use crate::journal::{Entry, EntryState};
use crate::plan::Plan;
use crate::tui::update::JournalRead;

pub(in crate::tui) const BATCH_1: &str = "20261128T101500Z-000001";
pub(in crate::tui) const BATCH_2: &str = "20261128T140211Z-123456";

/// The confirmed plan of the demo's password-policy item.
fn policy_plan(m: &mut Model) -> Plan {
    select(m, "account.password-policy");
    update(m, key('a'));
    let Some(Overlay::Confirm(c)) = m.overlay.take() else {
        panic!("{:?}", m.overlay)
    };
    c.plan
}

/// The journal entries `plan` leaves, as batch `batch` at `time`.
fn entries_of(plan: &Plan, batch: &str, time: &str, state: EntryState) -> Vec<Entry> {
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            entry: format!("{batch}.{}", i + 1),
            batch: batch.to_string(),
            item: plan.item.clone(),
            time: time.parse().expect("time"),
            op: s.op.clone(),
            inverse: s.inverse.clone(),
            state,
            created: None,
            warning: None,
            after: plan.resources.clone(),
            undone: None,
        })
        .collect()
}

/// The demo account after the password policy was applied, with a journal
/// of two batches: an older one already undone, and the policy change.
/// Returns the model and the account as the change left it.
pub(in crate::tui) fn journaled() -> (Model, Inventory, Vec<Entry>) {
    let mut m = demo(Mode::Demo);
    let plan = policy_plan(&mut m);
    let mut after = m.inventory.clone();
    for s in &plan.steps {
        after.apply(&s.op).expect("apply");
    }
    let mut old = entries_of(&plan, BATCH_1, "2026-11-28T10:15:00Z", EntryState::Undone);
    for e in &mut old {
        e.undone = Some(("2026-11-28T10:20:00Z".parse().expect("time"), "u1".into()));
    }
    let mut undo = entries_of(&plan, "u1", "2026-11-28T10:20:00Z", EntryState::Applied);
    for e in &mut undo {
        e.item = UNDO_ITEM.into();
    }
    let new = entries_of(&plan, BATCH_2, "2026-11-28T14:02:11Z", EntryState::Applied);
    let entries: Vec<Entry> = old.into_iter().chain(undo).chain(new.clone()).collect();
    load(&mut m, entries);
    (m, after, new)
}

fn load(m: &mut Model, entries: Vec<Entry>) -> Vec<Effect> {
    update(
        m,
        Msg::JournalLoaded {
            account: DEMO_ACCOUNT.into(),
            result: Ok(JournalRead {
                entries,
                skipped: vec![],
            }),
        },
    )
}

fn flash_text(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

fn selected_batch(m: &Model) -> usize {
    match &m.overlay {
        Some(Overlay::Journal(v)) => v.selected,
        other => panic!("not the journal: {other:?}"),
    }
}

#[test]
fn the_account_s_journal_is_read_when_it_is_known_and_another_s_is_dropped() {
    let mut m = demo(Mode::Demo);
    let other = update(
        &mut m,
        Msg::JournalLoaded {
            account: "999999999999".into(),
            result: Ok(JournalRead::default()),
        },
    );
    assert!(other.is_empty());
    assert!(m.journal.account.is_none(), "another account's journal");
    // A damaged line is said once, as a flash, never again.
    let damaged = || JournalRead {
        entries: vec![],
        skipped: vec!["journal j.jsonl line 3: not a whole journal record".into()],
    };
    update(
        &mut m,
        Msg::JournalLoaded {
            account: DEMO_ACCOUNT.into(),
            result: Ok(damaged()),
        },
    );
    assert_eq!(m.journal.account.as_deref(), Some(DEMO_ACCOUNT));
    assert!(flash_text(&m).contains("line 3"), "{:?}", m.flash);
    m.flash = None;
    update(
        &mut m,
        Msg::JournalLoaded {
            account: DEMO_ACCOUNT.into(),
            result: Ok(damaged()),
        },
    );
    assert!(m.flash.is_none(), "said once: {:?}", m.flash);
}

#[test]
fn j_opens_the_journal_newest_first_and_keys_move_the_selection() {
    let (mut m, _, _) = journaled();
    let batches = m.journal.batches();
    let ids: Vec<&str> = batches.iter().map(|b| b.batch).collect();
    assert_eq!(ids, [BATCH_2, "u1", BATCH_1]);
    assert_eq!(batches[0].status, BatchStatus::Applied);
    assert_eq!(batches[1].undo_of, [BATCH_1]);
    assert_eq!(batches[2].status, BatchStatus::Undone);
    drop(batches);

    assert!(update(&mut m, key('J')).is_empty());
    assert_eq!(selected_batch(&m), 0);
    update(&mut m, key('j'));
    assert_eq!(selected_batch(&m), 1);
    update(&mut m, code(KeyCode::Down));
    update(&mut m, code(KeyCode::Down));
    assert_eq!(selected_batch(&m), 2, "stops at the oldest");
    update(&mut m, key('g'));
    assert_eq!(selected_batch(&m), 0);
    update(&mut m, key('G'));
    assert_eq!(selected_batch(&m), 2);
    update(&mut m, key('k'));
    assert_eq!(selected_batch(&m), 1);
    // Help comes back to the journal.
    update(&mut m, key('?'));
    assert!(matches!(m.overlay, Some(Overlay::Help { .. })));
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(selected_batch(&m), 1);
    update(&mut m, key('q'));
    assert!(m.overlay.is_none());
    assert!(!m.quit, "q closes the journal, it does not quit");
}

#[test]
fn u_plans_the_undo_off_the_ui_task_and_its_confirmation_runs_the_undo() {
    let (mut m, after, entries) = journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let [
        Effect::PlanUndo {
            seq,
            entries: asked,
        },
    ] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    let seq = *seq;
    assert_eq!(asked, &entries, "the batch's applied entries");
    assert!(matches!(m.overlay, Some(Overlay::Planning(_))));

    // An answer to an older request is stale.
    let plan = undo_plan(&after, &entries).expect("undo plan");
    update(
        &mut m,
        Msg::UndoPlanned {
            seq: seq - 1,
            result: Ok(Box::new(plan.clone())),
        },
    );
    assert!(matches!(m.overlay, Some(Overlay::Planning(_))));

    // The answer opens the same preview as any change: the diff goes back.
    update(
        &mut m,
        Msg::UndoPlanned {
            seq,
            result: Ok(Box::new(plan.clone())),
        },
    );
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.item, UNDO_ITEM);
    assert!(
        p.lines.iter().any(
            |l| l.kind == LineKind::Removed && l.text.contains("\"MinimumPasswordLength\": 14")
        ),
        "{:#?}",
        p.lines
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.kind == LineKind::Added && l.text.contains("\"MinimumPasswordLength\": 8"))
    );

    // `a`, the same confirmation, `y`: the undo runner gets the plan and
    // the entries to mark undone.
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    let e = update(&mut m, key('y'));
    let [
        Effect::Undo {
            generation,
            plan: sent,
            entries: marked,
        },
    ] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!(sent, &plan);
    assert_eq!(marked, &entries);
    assert!(m.journal.undo.is_none());

    // Its answer is an apply's: the outcome, the parts re-read, the journal read again.
    let e = update(
        &mut m,
        Msg::Applied {
            generation: *generation,
            result: Ok(ExecReport {
                applied: vec![(0, Applied::Sent)],
                failed: None,
                warnings: vec![],
                mismatches: vec![],
                batch: Some("20261128T150000Z-000002".into()),
                dry_run: false,
                reread: None,
            }),
        },
    );
    assert!(matches!(m.overlay, Some(Overlay::Outcome(_))));
    assert!(
        e.iter()
            .any(|e| matches!(e, Effect::Collect { parts, .. } if parts.contains(&PartId::PasswordPolicy))),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|e| matches!(e, Effect::LoadJournal { account } if account == DEMO_ACCOUNT)),
        "{e:?}"
    );
    // From the undo's outcome, `p` goes back to the journal (not to planning an item).
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Journal(_))));
}

#[test]
fn a_cancelled_undo_leaves_the_next_apply_a_plain_apply() {
    let (mut m, after, entries) = journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let [Effect::PlanUndo { seq, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let plan = undo_plan(&after, &entries).expect("undo plan");
    update(
        &mut m,
        Msg::UndoPlanned {
            seq: *seq,
            result: Ok(Box::new(plan)),
        },
    );
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
    select(&mut m, "account.password-policy");
    update(&mut m, key('a'));
    let e = update(&mut m, key('y'));
    assert!(matches!(e.as_slice(), [Effect::Apply { .. }]), "{e:?}");
}

#[test]
fn esc_drops_the_undo_being_planned() {
    let (mut m, after, entries) = journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let [Effect::PlanUndo { seq, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let seq = *seq;
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
    update(
        &mut m,
        Msg::UndoPlanned {
            seq,
            result: Ok(Box::new(undo_plan(&after, &entries).expect("plan"))),
        },
    );
    assert!(m.overlay.is_none(), "a dropped plan opens nothing");
}

#[test]
fn batches_that_cannot_be_undone_say_why_and_plan_nothing() {
    let (mut m, _, mut entries) = journaled();
    update(&mut m, key('J'));
    // The undone batch.
    update(&mut m, key('G'));
    let e = update(&mut m, key('u'));
    assert!(e.is_empty(), "{e:?}");
    assert!(flash_text(&m).contains("it is undone"), "{:?}", m.flash);
    assert!(matches!(m.overlay, Some(Overlay::Journal(_))));

    // An entry whose outcome is unknown points to --resolve.
    entries[0].state = EntryState::Unknown;
    load(&mut m, entries.clone());
    update(&mut m, key('g'));
    let e = update(&mut m, key('u'));
    assert!(e.is_empty(), "{e:?}");
    assert!(
        flash_text(&m).contains(&format!("moat undo --resolve {}", entries[0].entry)),
        "{:?}",
        m.flash
    );

    // An entry with no inverse.
    entries[0].state = EntryState::Applied;
    entries[0].inverse = None;
    load(&mut m, entries);
    let e = update(&mut m, key('u'));
    assert!(e.is_empty(), "{e:?}");
    assert!(flash_text(&m).contains("cannot be undone"), "{:?}", m.flash);
}

#[test]
fn a_refused_undo_plan_returns_to_the_journal_with_the_reason() {
    let (mut m, _, _) = journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let [Effect::PlanUndo { seq, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    update(
        &mut m,
        Msg::UndoPlanned {
            seq: *seq,
            result: Err(UndoError::Changed {
                entry: format!("{BATCH_2}.1"),
                resource: "password-policy".parse().expect("resource"),
                live: "{\n  \"MinimumPasswordLength\": 20\n}".into(),
            }),
        },
    );
    assert_eq!(selected_batch(&m), 0);
    let text = flash_text(&m);
    assert!(
        text.contains("changed after moat applied entry") && !text.contains('\n'),
        "{text:?}"
    );
}

#[test]
fn the_detail_pane_says_when_moat_last_changed_the_item() {
    let (m, _, _) = journaled();
    let b = m
        .journal
        .last_change("account.password-policy")
        .expect("a change");
    assert_eq!(b.batch, BATCH_2);
    assert!(m.journal.last_change("iam.root-mfa").is_none());
}

#[test]
fn an_undo_that_needs_an_mfa_code_points_to_moat_undo_with_inputs() {
    use crate::aws::inventory::VersioningStatus;
    use crate::aws::ops::PutBucketVersioning;
    let (mut m, _, _) = journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let [Effect::PlanUndo { seq, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let plan = Plan {
        item: UNDO_ITEM.into(),
        account: DEMO_ACCOUNT.into(),
        steps: vec![crate::plan::Step {
            op: PutBucketVersioning {
                bucket: "logs".into(),
                region: "us-east-1".into(),
                status: VersioningStatus::Enabled,
                mfa_delete: Some(false),
                mfa: None,
            }
            .into(),
            inverse: None,
            item: None,
        }],
        resources: vec![],
        warnings: vec![],
        blast: vec![],
    };
    let e = update(
        &mut m,
        Msg::UndoPlanned {
            seq: *seq,
            result: Ok(Box::new(plan)),
        },
    );
    assert!(e.is_empty(), "{e:?}");
    assert!(matches!(m.overlay, Some(Overlay::Journal(_))));
    assert!(m.journal.undo.is_none());
    let text = flash_text(&m);
    assert!(
        text.contains(&format!(
            "moat undo {BATCH_2} --input mfa_serial=… --input mfa_code=…"
        )),
        "{text}"
    );
}

#[test]
fn journal_text_is_made_inert_on_screen() {
    let (mut m, _, mut entries) = journaled();
    for e in &mut entries {
        e.batch = "evil\u{1b}]0;pwned\u{7}batch".into();
        e.item = "item\u{1b}[31mred".into();
    }
    load(&mut m, entries);
    update(&mut m, key('J'));
    let text = crate::tui::snapshots::render_text(&m);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("pwned"), "the text is shown, inert: {text}");
}
