//! `update()` tests: feed messages, assert on the model and the effects. No
//! terminal, no clock, no network. (Screens are in `snapshots.rs`.)

use super::keymap::Keymap;
use super::model::*;
use super::update::{ApplyFailure, Effect, Msg, update_inline as update};
use crate::checks::Status;
use crate::collect::demo::demo_inventory;
use crate::collect::{Applied, Mode};
use crate::config::Settings;
use crate::diff::LineKind;
use crate::execute::{ExecEvent, ExecReport, Mismatch};
use crate::inventory::{Inventory, PartError, PartId};
use crate::state::Progress;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) const DEMO_ACCOUNT: &str = "111122223333";

pub(super) fn fixed_now() -> DateTime<Utc> {
    "2026-11-29T00:00:00Z".parse().expect("fixed time")
}

/// A model right after start, before any part arrived.
pub(super) fn new_model(mode: Mode) -> Model {
    Model::new(
        mode,
        Settings::default(),
        Keymap::builtin().expect("keymap"),
        fixed_now(),
    )
}

/// Start the model and feed it every part of `inv` (errors where `inv` has them).
pub(super) fn loaded(mode: Mode, inv: &Inventory) -> Model {
    let mut m = new_model(mode);
    super::update::load_inventory(&mut m, inv);
    m
}

pub(super) fn demo(mode: Mode) -> Model {
    loaded(mode, &demo_inventory().expect("demo"))
}

pub(super) fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

pub(super) fn code(c: KeyCode) -> Msg {
    let mods = if c == KeyCode::BackTab {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(c, mods))
}

pub(super) fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        update(m, key(c));
    }
}

/// Select an item by id through the model's own navigation state.
pub(super) fn select(m: &mut Model, id: &str) {
    let def = crate::checks::item(id).expect("item");
    m.section = m
        .sections
        .iter()
        .position(|s| *s == def.section)
        .expect("section");
    m.item = m
        .current_items()
        .iter()
        .position(|(_, d)| d.id == id)
        .expect("in section");
    m.focus = Focus::Items;
}

fn selected(m: &Model) -> &'static str {
    m.current().expect("selection").0.id
}

fn status(m: &Model, id: &str) -> Status {
    m.result(id).expect("result").status
}

#[test]
fn start_collects_every_part_and_items_load_as_parts_arrive() {
    let mut m = new_model(Mode::Demo);
    assert!(
        m.results
            .iter()
            .filter(|r| !crate::checks::item(&r.id).unwrap().needs.is_empty())
            .all(|r| r.status == Status::Loading)
    );
    let effects = update(&mut m, Msg::Start);
    assert_eq!(
        effects,
        vec![Effect::Collect {
            generation: 1,
            parts: PartId::ALL.to_vec()
        }]
    );
    let inv = demo_inventory().expect("demo");
    let e = update(
        &mut m,
        Msg::Part {
            generation: 1,
            part: PartId::PasswordPolicy,
            result: Ok(inv.get(PartId::PasswordPolicy).unwrap()),
        },
    );
    assert!(e.is_empty());
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    assert_eq!(status(&m, "account.root-mfa"), Status::Loading);
    assert_eq!(m.collection_progress(), (1, PartId::ALL.len()));
    // The identity names the account and asks for its saved progress.
    let e = update(
        &mut m,
        Msg::Part {
            generation: 1,
            part: PartId::Identity,
            result: Ok(inv.get(PartId::Identity).unwrap()),
        },
    );
    assert_eq!(
        e,
        vec![Effect::LoadProgress {
            account: DEMO_ACCOUNT.into()
        }]
    );
    assert_eq!(m.account.as_deref(), Some(DEMO_ACCOUNT));
}

#[test]
fn stale_generation_is_dropped() {
    let mut m = demo(Mode::Demo);
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    let e = update(&mut m, key('r'));
    let Some(Effect::Collect { generation, .. }) = e.first() else {
        panic!("{e:?}")
    };
    assert_eq!(*generation, 2);
    assert_eq!(status(&m, "account.password-policy"), Status::Loading);
    // An answer to the first scan arrives late: ignored.
    let inv = demo_inventory().unwrap();
    update(
        &mut m,
        Msg::Part {
            generation: 1,
            part: PartId::PasswordPolicy,
            result: Ok(inv.get(PartId::PasswordPolicy).unwrap()),
        },
    );
    assert_eq!(status(&m, "account.password-policy"), Status::Loading);
    update(
        &mut m,
        Msg::Part {
            generation: 2,
            part: PartId::PasswordPolicy,
            result: Ok(inv.get(PartId::PasswordPolicy).unwrap()),
        },
    );
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
}

#[test]
fn failed_part_shows_error_with_the_missing_permission() {
    let mut inv = demo_inventory().unwrap();
    inv.set_error(
        PartId::PasswordPolicy,
        PartError::new(
            "iam:GetAccountPasswordPolicy",
            Some("AccessDenied".into()),
            "User is not authorized",
        ),
    );
    let m = loaded(Mode::Live, &inv);
    let r = m.result("account.password-policy").unwrap();
    assert_eq!(r.status, Status::Error);
    assert_eq!(
        r.summary,
        "access denied: the credentials lack iam:GetAccountPasswordPolicy"
    );
}

#[test]
fn n_walks_to_the_next_item_needing_attention_and_wraps() {
    let mut m = demo(Mode::Demo);
    // In the demo account every item of the first sections needs attention.
    let attention: Vec<&str> = crate::checks::items()
        .iter()
        .map(|d| d.id)
        .filter(|id| super::update::needs_attention(status(&m, id)))
        .collect();
    // The first sections' items all need attention; the walk's last stop is
    // the last item that does.
    assert!(attention.starts_with(&["account.root-access-keys", "account.root-mfa"]));
    assert!(attention.len() > 40, "{attention:?}");
    let last = *attention.last().expect("items");
    // Make two items pass: the walk skips them, and wraps at the end.
    m.progress
        .done
        .insert("account.security-questions".into(), fixed_now());
    m.progress
        .done
        .insert("account.billing-access".into(), fixed_now());
    m.reevaluate();
    select(&mut m, "account.alternate-contacts");
    update(&mut m, key('n'));
    assert_eq!(selected(&m), "account.console-users-mfa");
    update(&mut m, key('N'));
    assert_eq!(selected(&m), "account.alternate-contacts");
    select(&mut m, "account.stale-access-keys");
    update(&mut m, key('n'));
    assert_eq!(selected(&m), "s3.account-public-access-block");
    select(&mut m, last);
    update(&mut m, key('n'));
    assert_eq!(selected(&m), "account.root-access-keys");
    update(&mut m, key('N'));
    assert_eq!(selected(&m), last);
}

#[test]
fn n_says_so_when_nothing_needs_attention() {
    let mut m = demo(Mode::Demo);
    for r in &mut m.results {
        r.status = Status::Pass;
    }
    select(&mut m, "account.root-mfa");
    update(&mut m, key('n'));
    assert_eq!(selected(&m), "account.root-mfa");
    assert_eq!(m.flash.as_ref().map(|f| f.level), Some(Level::Success));
}

#[test]
fn p_previews_the_plan_as_a_diff() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    let e = update(&mut m, key('p'));
    assert!(e.is_empty());
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.item, "account.password-policy");
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].action, "iam:UpdateAccountPasswordPolicy");
    assert_eq!(p.ops[0].region, "global");
    assert!(p.lines.iter().any(|l| l.kind == LineKind::Removed && l.text.contains("\"MinimumPasswordLength\": 8")), "{:#?}", p.lines);
    assert!(
        p.lines
            .iter()
            .any(|l| l.kind == LineKind::Added && l.text.contains("\"MinimumPasswordLength\": 14"))
    );
    assert!(
        p.lines.iter().any(
            |l| l.kind == LineKind::Added && l.text.contains("\"PasswordReusePrevention\": 24")
        )
    );
    // Scrolling stays within the diff.
    for _ in 0..100 {
        update(&mut m, key('j'));
    }
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!()
    };
    assert_eq!(p.scroll as usize, p.lines.len() - 1);
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
}

#[test]
fn a_then_y_applies_and_a_then_anything_else_cancels() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    let e = update(&mut m, key('a'));
    assert!(e.is_empty());
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(c.ops[0].action, "iam:UpdateAccountPasswordPolicy");
    assert!(c.ops[0].reversible);
    let plan = c.plan.clone();

    // `n` is not `y`: nothing happens.
    let e = update(&mut m, key('n'));
    assert!(e.is_empty());
    assert!(m.overlay.is_none());
    assert!(m.applying_gen.is_none());
    // Esc and Enter cancel too.
    for k in [code(KeyCode::Esc), code(KeyCode::Enter), key('Y')] {
        update(&mut m, key('a'));
        assert!(update(&mut m, k).is_empty());
        assert!(m.overlay.is_none());
    }

    update(&mut m, key('a'));
    let e = update(&mut m, key('y'));
    let generation = m.applying_gen.expect("applying");
    assert_eq!(e, vec![Effect::Apply { generation, plan }]);
    assert!(matches!(m.overlay, Some(Overlay::Applying(_))));
}

#[test]
fn cancelling_the_confirmation_from_the_preview_returns_to_it() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key('p'));
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    assert!(update(&mut m, code(KeyCode::Esc)).is_empty());
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
}

fn applying(m: &mut Model, id: &str) -> (u64, crate::plan::Plan) {
    select(m, id);
    update(m, key('a'));
    let e = update(m, key('y'));
    match e.as_slice() {
        [Effect::Apply { generation, plan }] => (*generation, plan.clone()),
        other => panic!("{other:?}"),
    }
}

fn report(plan: &crate::plan::Plan, dry_run: bool) -> ExecReport {
    let how = if dry_run {
        Applied::Recorded
    } else {
        Applied::Sent
    };
    ExecReport {
        applied: (0..plan.steps.len()).map(|i| (i, how)).collect(),
        failed: None,
        warnings: vec![],
        mismatches: vec![],
        batch: (!dry_run).then(|| "20261129T000000Z-0001".to_string()),
        dry_run,
        reread: None,
    }
}

#[test]
fn applied_rechecks_the_items_parts_and_drops_stale_answers() {
    let mut m = demo(Mode::Demo);
    let (generation, plan) = applying(&mut m, "account.password-policy");
    update(
        &mut m,
        Msg::ApplyProgress {
            generation,
            event: ExecEvent::Sending { index: 0, total: 1 },
        },
    );
    let Some(Overlay::Applying(a)) = &m.overlay else {
        panic!()
    };
    assert!(
        a.stage
            .contains("sending 1/1: iam:UpdateAccountPasswordPolicy"),
        "{}",
        a.stage
    );
    // An answer for another apply is ignored.
    assert!(
        update(
            &mut m,
            Msg::Applied {
                generation: generation + 100,
                result: Ok(report(&plan, false))
            }
        )
        .is_empty()
    );
    assert!(matches!(m.overlay, Some(Overlay::Applying(_))));

    let e = update(
        &mut m,
        Msg::Applied {
            generation,
            result: Ok(report(&plan, false)),
        },
    );
    let [Effect::Collect { parts, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(parts.contains(&PartId::PasswordPolicy) && parts.contains(&PartId::Identity));
    assert_eq!(status(&m, "account.password-policy"), Status::Loading);
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(matches!(&o.kind, OutcomeKind::Applied { mismatches, .. } if mismatches.is_empty()));
    assert_eq!(o.done.len(), 1);
    assert!(m.applying_gen.is_none());
}

#[test]
fn applied_takes_the_parts_apply_reread_instead_of_reading_again() {
    let mut m = demo(Mode::Demo);
    let (generation, plan) = applying(&mut m, "account.password-policy");
    // What apply re-read to verify: the account after the change.
    let mut after = demo_inventory().expect("demo");
    for op in plan.ops() {
        after.apply(op).expect("apply");
    }
    let mut r = report(&plan, false);
    r.reread = Some(Box::new(after));
    let e = update(
        &mut m,
        Msg::Applied {
            generation,
            result: Ok(r),
        },
    );
    assert!(e.is_empty(), "nothing read again: {e:?}");
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
    // An answer of an older collection for that part is now stale.
    let stale = m
        .part_gen
        .get(&PartId::PasswordPolicy)
        .copied()
        .unwrap_or(0)
        - 1;
    update(
        &mut m,
        Msg::Part {
            generation: stale,
            part: PartId::PasswordPolicy,
            result: Ok(demo_inventory()
                .expect("demo")
                .get(PartId::PasswordPolicy)
                .expect("part")),
        },
    );
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
}

#[test]
fn mismatches_after_apply_are_shown_as_diffs() {
    let mut m = demo(Mode::Live);
    let (generation, plan) = applying(&mut m, "account.password-policy");
    let mut r = report(&plan, false);
    r.mismatches.push(Mismatch {
        resource: crate::inventory::ResourceRef::PasswordPolicy,
        expected: "{\n  \"minimum_password_length\": 14\n}\n".into(),
        actual: "{\n  \"minimum_password_length\": 12\n}\n".into(),
    });
    update(
        &mut m,
        Msg::Applied {
            generation,
            result: Ok(r),
        },
    );
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    let OutcomeKind::Applied { mismatches, .. } = &o.kind else {
        panic!("{:?}", o.kind)
    };
    assert_eq!(mismatches[0].resource, "password-policy");
    assert!(
        mismatches[0]
            .lines
            .iter()
            .any(|l| l.kind == LineKind::Removed && l.text.contains("14"))
    );
    assert!(
        mismatches[0]
            .lines
            .iter()
            .any(|l| l.kind == LineKind::Added && l.text.contains("12"))
    );
    assert_eq!(m.flash.as_ref().map(|f| f.level), Some(Level::Warning));
}

#[test]
fn drift_refusal_offers_to_plan_again() {
    let mut m = demo(Mode::Live);
    let (generation, _) = applying(&mut m, "account.password-policy");
    let e = update(
        &mut m,
        Msg::Applied {
            generation,
            result: Err(ApplyFailure::Drift {
                resource: "password-policy".into(),
                planned: "{\n  \"minimum_password_length\": 8\n}\n".into(),
                live: "{\n  \"minimum_password_length\": 10\n}\n".into(),
            }),
        },
    );
    // The stale parts are read again, so planning again sees the account as it is.
    assert!(
        matches!(e.as_slice(), [Effect::Collect { parts, .. }] if parts.contains(&PartId::PasswordPolicy))
    );
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    let OutcomeKind::Drift { lines, .. } = &o.kind else {
        panic!("{:?}", o.kind)
    };
    assert_eq!(lines[0].text, "--- password-policy (when previewed)");
    assert_eq!(lines[1].text, "+++ password-policy (account now)");
    // Plan again while the parts are still loading: it says so; after they arrive it previews.
    update(&mut m, key('p'));
    assert!(m.overlay.is_none());
    let inv = demo_inventory().unwrap();
    let generation = m.part_gen[&PartId::PasswordPolicy];
    for p in PartId::ALL {
        if m.part_gen[p] == generation {
            update(
                &mut m,
                Msg::Part {
                    generation,
                    part: *p,
                    result: Ok(inv.get(*p).unwrap()),
                },
            );
        }
    }
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
}

#[test]
fn dry_run_lists_the_calls_and_does_not_recheck() {
    let mut m = demo(Mode::DryRun { demo: true });
    select(&mut m, "account.password-policy");
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!()
    };
    assert!(c.dry_run);
    let e = update(&mut m, key('y'));
    let [Effect::Apply { generation, plan }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let e = update(
        &mut m,
        Msg::Applied {
            generation: *generation,
            result: Ok(report(plan, true)),
        },
    );
    assert!(
        e.is_empty(),
        "dry-run sends nothing, so nothing to re-check: {e:?}"
    );
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    assert!(o.dry_run);
    assert_eq!(o.done[0].action, "iam:UpdateAccountPasswordPolicy");
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
}

#[test]
fn refused_apply_shows_the_reason() {
    let mut m = demo(Mode::Live);
    let (generation, _) = applying(&mut m, "account.password-policy");
    update(
        &mut m,
        Msg::Applied {
            generation,
            result: Err(ApplyFailure::Other(
                "the plan was made for account 1 but…".into(),
            )),
        },
    );
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    assert!(matches!(&o.kind, OutcomeKind::Refused { error } if error.contains("account 1")));
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
}

#[test]
fn inputs_open_a_form_and_validation_blocks_submit() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.alternate-contacts");
    let e = update(&mut m, key('p'));
    assert!(e.is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(
        f.fields.iter().map(|f| f.spec.name).collect::<Vec<_>>(),
        ["name", "title", "email", "phone"]
    );
    assert_eq!(f.fields[2].label, "E-mail address");
    assert!(
        f.fields.iter().all(|f| f.shown_error().is_none()),
        "no errors before typing"
    );

    // Submitting empty fields shows every error and stays in the form.
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.fields[0].shown_error(), Some("a value is required"));
    assert_eq!(f.focus, 0);

    typed(&mut m, "Cloud Security Team");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "Security Operations");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "security@example");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(
        f.fields[2]
            .shown_error()
            .unwrap()
            .contains("not an e-mail address")
    );
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "+1 555 0100");
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("blocked by the e-mail")
    };
    assert_eq!(f.focus, 2, "focus moves to the invalid field");

    // Shift-Tab / Up move back; fix the e-mail.
    typed(&mut m, ".com");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(f.fields[2].shown_error().is_none());
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.ops.len(), 2, "operations and security are missing");
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.contains("security@example.com"))
    );
    assert_eq!(
        m.inputs["account.alternate-contacts"].values["email"],
        "security@example.com"
    );

    // Next time, the stored values are used; `i` edits them.
    update(&mut m, code(KeyCode::Esc));
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
    update(&mut m, key('i'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.fields[2].value, "security@example.com");
    update(&mut m, code(KeyCode::BackTab));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert_eq!(f.focus, 3);
    update(&mut m, code(KeyCode::Esc));
    assert!(m.overlay.is_none());
}

#[test]
fn form_prefills_defaults_and_shows_plan_input_errors() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.backup-admin");
    update(&mut m, key('p'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(f.fields[0].value, "break-glass-admin");
    // A name that exists is refused by the plan builder: back in the form, error under the field.
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "dana");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(
        f.fields[0]
            .shown_error()
            .unwrap()
            .contains("already exists"),
        "{:?}",
        f.fields[0]
    );
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "break-glass");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(
        p.ops
            .iter()
            .any(|o| o.action == "iam:CreateUser" && o.resource == "user/break-glass")
    );
}

#[test]
fn guided_items_point_at_their_steps_and_m_toggles_done() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.security-questions");
    assert_eq!(status(&m, "account.security-questions"), Status::Manual);
    assert!(update(&mut m, key('p')).is_empty());
    assert_eq!(m.focus, Focus::Detail);
    let e = update(&mut m, key('m'));
    let [Effect::SaveProgress { account, progress }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert_eq!(account, DEMO_ACCOUNT);
    assert_eq!(
        progress.done.get("account.security-questions"),
        Some(&fixed_now())
    );
    assert_eq!(status(&m, "account.security-questions"), Status::Pass);
    let e = update(&mut m, key('m'));
    let [Effect::SaveProgress { progress, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(progress.done.is_empty());
    assert_eq!(status(&m, "account.security-questions"), Status::Manual);

    // A plan that answers "guided" (root keys, not signed in as root) also points at the steps.
    select(&mut m, "account.root-access-keys");
    update(&mut m, key('p'));
    assert!(m.overlay.is_none());
    assert_eq!(m.focus, Focus::Detail);
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("Only the root user")
    );

    // Items without steps cannot be marked.
    select(&mut m, "account.password-policy");
    assert!(update(&mut m, key('m')).is_empty());
}

#[test]
fn saved_progress_is_loaded_for_the_current_account_only() {
    let mut m = demo(Mode::Demo);
    let mut p = Progress::default();
    p.done.insert("account.billing-access".into(), fixed_now());
    update(
        &mut m,
        Msg::ProgressLoaded {
            account: "999999999999".into(),
            result: Ok(p.clone()),
        },
    );
    assert_eq!(status(&m, "account.billing-access"), Status::Manual);
    update(
        &mut m,
        Msg::ProgressLoaded {
            account: DEMO_ACCOUNT.into(),
            result: Ok(p),
        },
    );
    assert_eq!(status(&m, "account.billing-access"), Status::Pass);
    // A damaged file is reported and never overwritten.
    update(
        &mut m,
        Msg::ProgressLoaded {
            account: DEMO_ACCOUNT.into(),
            result: Err("progress.json: bad".into()),
        },
    );
    select(&mut m, "account.billing-access");
    assert!(update(&mut m, key('m')).is_empty());
    assert_eq!(m.flash.as_ref().map(|f| f.level), Some(Level::Error));
}

#[test]
fn quit_waits_for_an_apply_unless_asked_twice() {
    let mut m = demo(Mode::Demo);
    update(&mut m, key('q'));
    assert!(m.quit);

    let mut m = demo(Mode::Demo);
    applying(&mut m, "account.password-policy");
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    update(&mut m, ctrl_c);
    assert!(!m.quit);
    assert_eq!(m.flash.as_ref().map(|f| f.level), Some(Level::Warning));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(m.quit);
}

#[test]
fn navigation_moves_focus_and_selection() {
    let mut m = demo(Mode::Demo);
    assert_eq!(m.focus, Focus::Items);
    assert_eq!(selected(&m), "account.root-access-keys");
    update(&mut m, key('j'));
    update(&mut m, code(KeyCode::Down));
    assert_eq!(selected(&m), "account.backup-admin");
    update(&mut m, key('G'));
    assert_eq!(selected(&m), "account.stale-access-keys");
    update(&mut m, key('g'));
    assert_eq!(selected(&m), "account.root-access-keys");
    update(&mut m, code(KeyCode::Tab));
    assert_eq!(m.focus, Focus::Detail);
    update(&mut m, key('j'));
    assert_eq!(m.detail_scroll, 1);
    assert_eq!(selected(&m), "account.root-access-keys");
    update(&mut m, code(KeyCode::Tab));
    assert_eq!(m.focus, Focus::Sections);
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.focus, Focus::Items);
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.focus, Focus::Sections);
    update(&mut m, key('?'));
    assert!(matches!(m.overlay, Some(Overlay::Help { .. })));
    update(&mut m, key('?'));
    assert!(m.overlay.is_none());
}

#[test]
fn hostile_account_text_is_made_inert() {
    let mut inv = demo_inventory().unwrap();
    let iam = inv.iam.ready_mut().unwrap();
    let mut evil = iam.users[1].clone();
    evil.name = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}".into();
    iam.users.push(evil.clone());
    if let crate::inventory::Part::Ready(rows) = &mut inv.credential_report {
        let mut row = rows[2].clone();
        row.user = evil.name.clone();
        rows.push(row);
    }
    if let crate::inventory::Part::Ready(id) = &mut inv.identity {
        id.arn = "arn:aws:iam::111122223333:user/\u{1b}[31mred".into();
    }
    let m = loaded(Mode::Demo, &inv);
    let r = m.result("account.console-users-mfa").unwrap();
    assert!(
        r.findings
            .iter()
            .any(|f| f.resource.contains("evil\\u{1b}[2J")),
        "{:?}",
        r.findings
    );
    for r in &m.results {
        for f in &r.findings {
            assert!(!f.resource.contains('\u{1b}') && !f.detail.contains('\u{1b}'));
        }
        assert!(!r.summary.contains('\u{1b}'));
    }
    assert!(!m.caller.as_deref().unwrap().contains('\u{1b}'));
}

#[test]
fn nothing_to_do_is_said_not_previewed() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    // Make the policy pass.
    if let crate::inventory::Part::Ready(Some(p)) = &mut m.inventory.password_policy {
        p.minimum_password_length = 20;
        p.password_reuse_prevention = Some(24);
    }
    m.reevaluate();
    update(&mut m, key('p'));
    assert!(m.overlay.is_none());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("nothing to change")
    );
}

/// Run the effects runtime, feeding its answers to `update`, until `done`.
async fn pump_until(
    m: &mut Model,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    rt: &mut super::effects::Runtime,
    deadline: std::time::Duration,
    done: impl Fn(&Model) -> bool,
) {
    tokio::time::timeout(deadline, async {
        while !done(m) {
            let msg = rx.recv().await.expect("runtime alive");
            for e in update(m, msg) {
                rt.run(e);
            }
        }
    })
    .await
    .expect("in time");
}

/// The real effects against the in-memory demo backend: preview, confirm,
/// apply, re-check; the item turns green and the journal has the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effects_apply_against_the_demo_backend_and_recheck() {
    use crate::collect::demo::DemoBackend;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let backend: Arc<dyn crate::collect::Backend> = Arc::new(DemoBackend::new().unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rt = super::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::Demo);
    let pump = |m: &mut Model, msg: Msg, rt: &mut super::effects::Runtime| {
        for e in update(m, msg) {
            rt.run(e);
        }
    };
    pump(&mut m, Msg::Start, &mut rt);
    let deadline = std::time::Duration::from_secs(20);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        !m.collecting() && m.progress_state == ProgressState::Loaded
    })
    .await;
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    select(&mut m, "account.password-policy");
    pump(&mut m, key('p'), &mut rt);
    pump(&mut m, key('a'), &mut rt);
    pump(&mut m, key('y'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Outcome(_))) && !m.collecting()
    })
    .await;
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    assert!(
        matches!(&o.kind, OutcomeKind::Applied { mismatches, batch: Some(_) } if mismatches.is_empty()),
        "{:?}",
        o.kind
    );
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
    let journal = crate::journal::Journal::path_for(dir.path(), DEMO_ACCOUNT);
    assert!(
        std::fs::read_to_string(journal)
            .unwrap()
            .contains("update_password_policy")
    );

    // Marking a guided item done is saved for the account.
    pump(&mut m, code(KeyCode::Esc), &mut rt);
    select(&mut m, "account.billing-access");
    pump(&mut m, key('m'), &mut rt);
    rt.finish().await;
    let p = Progress::load(dir.path(), DEMO_ACCOUNT).unwrap();
    assert!(p.done.contains_key("account.billing-access"));
}

/// `p` hands the plan to the runtime and shows "planning" at once; the
/// preview opens when the plan arrives. Esc before then drops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planning_runs_off_the_ui_task_and_can_be_cancelled() {
    use crate::collect::demo::DemoBackend;
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let backend: Arc<dyn crate::collect::Backend> = Arc::new(DemoBackend::new().expect("demo"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rt = super::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = loaded(Mode::Demo, &demo_inventory().expect("demo"));
    select(&mut m, "account.password-policy");
    let e = super::update::update(&mut m, key('p'));
    let [Effect::Plan(job)] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(matches!(&m.overlay, Some(Overlay::Planning(p)) if p.seq == job.seq));
    for e in e {
        rt.run(e);
    }
    let deadline = std::time::Duration::from_secs(20);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Preview(_)))
    })
    .await;

    // Cancelled: the answer that comes later opens nothing.
    super::update::update(&mut m, code(KeyCode::Esc));
    let e = super::update::update(&mut m, key('p'));
    let [Effect::Plan(job)] = e.as_slice() else {
        panic!("{e:?}")
    };
    let answer = job.run();
    super::update::update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.overlay, None);
    super::update::update(
        &mut m,
        Msg::Planned {
            seq: job.seq,
            result: answer,
        },
    );
    assert_eq!(m.overlay, None, "a cancelled plan does not open");
    rt.finish().await;
}

/// The interactive session in dry-run over the demo account: confirming the
/// change of every item that has one records its calls, sends none, journals
/// nothing, and leaves the account exactly as it was.
#[tokio::test(flavor = "multi_thread")]
async fn dry_run_session_confirms_every_item_and_changes_nothing() {
    use crate::checks::Fix;
    use crate::collect::demo::DemoBackend;
    use crate::collect::dryrun::DryRun;
    use crate::plan::{InputKind, Inputs};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Arc::new(DryRun::new(DemoBackend::new().expect("demo")));
    let dynb: Arc<dyn crate::collect::Backend> = backend.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rt = super::effects::Runtime::new(dynb.clone(), dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::DryRun { demo: true });
    let deadline = std::time::Duration::from_secs(20);
    for e in update(&mut m, Msg::Start) {
        rt.run(e);
    }
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| !m.collecting()).await;

    let mut confirmed = vec![];
    for def in crate::checks::items() {
        if !matches!(def.fix, Fix::Plan(_)) || !super::update::needs_attention(status(&m, def.id)) {
            continue;
        }
        // Inputs as the form would store them.
        let mut inputs = Inputs::default();
        for spec in def.inputs {
            let v = match spec.kind {
                InputKind::Email => "security@example.com",
                InputKind::Phone => "+1 555 0100",
                InputKind::MfaSerial => "arn:aws:iam::111122223333:mfa/root-device",
                InputKind::MfaCode => "123456",
                _ => spec.default.unwrap_or("Sam Rivera"),
            };
            inputs.values.insert(spec.name.to_string(), v.to_string());
        }
        m.inputs.insert(def.id.to_string(), inputs);
        select(&mut m, def.id);
        for e in update(&mut m, key('a')) {
            rt.run(e);
        }
        if !matches!(m.overlay, Some(Overlay::Confirm(_))) {
            // Guided in this account (e.g. root-only changes): nothing to confirm.
            m.overlay = None;
            continue;
        }
        for e in update(&mut m, key('y')) {
            rt.run(e);
        }
        pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
            matches!(m.overlay, Some(Overlay::Outcome(_))) && !m.collecting()
        })
        .await;
        let Some(Overlay::Outcome(o)) = &m.overlay else {
            panic!("{}: {:?}", def.id, m.overlay)
        };
        assert!(o.dry_run, "{}", def.id);
        assert!(!o.done.is_empty(), "{}: calls recorded", def.id);
        confirmed.push(def.id);
        for e in update(&mut m, code(KeyCode::Esc)) {
            rt.run(e);
        }
    }
    rt.finish().await;
    assert!(
        confirmed.len() >= 10,
        "most items have a change on the demo account: {confirmed:?}"
    );
    assert!(!crate::collect::Backend::recorded(&*backend).is_empty());
    assert!(
        !dir.path().join("journal").exists(),
        "dry-run journals nothing"
    );
    // The account is exactly the demo account.
    let now = crate::collect::collect_inventory(dynb, crate::inventory::PartId::ALL).await;
    let demo = demo_inventory().expect("demo");
    for p in crate::inventory::PartId::ALL {
        assert_eq!(now.get(*p), demo.get(*p), "{p:?} changed");
    }
}

/// The MFA code typed for S3 MFA Delete is masked in the form, is not kept
/// once the change is confirmed, and is asked for afresh next time.
#[test]
fn mfa_code_is_masked_and_forgotten_after_confirming() {
    let mut inv = demo_inventory().expect("demo");
    if let Some(id) = inv.identity.ready_mut() {
        id.arn = format!("arn:aws:iam::{DEMO_ACCOUNT}:root");
    }
    let mut m = loaded(Mode::Demo, &inv);
    select(&mut m, "s3.mfa-delete");
    update(&mut m, key('p'));
    assert!(
        matches!(m.overlay, Some(Overlay::Form(_))),
        "{:?}",
        m.overlay
    );
    typed(&mut m, "arn:aws:iam::111122223333:mfa/root-device");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "493817");
    let screen = super::snapshots::render_text(&m);
    assert!(!screen.contains("493817"), "the code is masked:\n{screen}");
    assert!(screen.contains("••••••"), "{screen}");
    update(&mut m, code(KeyCode::Enter));
    assert!(
        matches!(m.overlay, Some(Overlay::Preview(_))),
        "{:?}",
        m.overlay
    );
    update(&mut m, key('a'));
    let e = update(&mut m, key('y'));
    let [Effect::Apply { plan, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(plan.steps.iter().any(|s| s.op.needs_mfa()));
    let kept = m.inputs.get("s3.mfa-delete").expect("inputs");
    assert!(!kept.values.contains_key("mfa_code"), "{kept:?}");
    assert!(kept.values.contains_key("mfa_serial"));
    assert!(!format!("{:?}", m.inputs).contains("493817"));
}

#[test]
fn a_picked_finding_is_the_only_resource_planned_and_bad_cidrs_are_inline_errors() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "ec2.open-admin-ports");
    m.focus = Focus::Detail;
    // Enter picks the failing resources one by one, in the pane's order
    // (region by region), and wraps to "all" after the last.
    update(&mut m, code(KeyCode::Enter));
    let first = m.picked_resource().expect("picked").to_string();
    assert!(first.starts_with("sg-rule/eu-west-1/"), "{first}");
    update(&mut m, code(KeyCode::Enter));
    let second = m.picked_resource().expect("picked").to_string();
    assert_eq!(
        second,
        "sg-rule/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1/tcp:3389/0.0.0.0/0"
    );
    // Preview asks for the inputs first; a malformed CIDR is an inline error.
    update(&mut m, key('p'));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(
        f.fields.iter().map(|f| f.spec.name).collect::<Vec<_>>(),
        ["action", "cidr"]
    );
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "10.0.0.1/8");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!()
    };
    assert!(
        f.fields[1]
            .shown_error()
            .is_some_and(|e| e.contains("did you mean 10.0.0.0/8")),
        "{:?}",
        f.fields[1].shown_error()
    );
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    assert!(matches!(m.overlay, Some(Overlay::Form(_))), "blocked");
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "192.0.2.0/24");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let touched: Vec<String> = p.plan.ops().map(|o| o.resource().to_string()).collect();
    assert_eq!(
        touched,
        vec![
            "sg/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1",
            "sg/us-east-1/vpc-0a1b2c3d4e5f60718/launch-wizard-1"
        ]
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.contains("from tcp 3389 192.0.2.0/24")),
        "the rule table is the preview"
    );
    update(&mut m, code(KeyCode::Esc));
    // Revoke needs no CIDR: the empty field does not block it.
    update(&mut m, key('i'));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "revoke");
    update(&mut m, code(KeyCode::Tab));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(p.plan.steps.len(), 1);
    update(&mut m, code(KeyCode::Esc));
    // But tighten does: the form stays on the empty CIDR.
    update(&mut m, key('i'));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut m, "tighten");
    update(&mut m, code(KeyCode::Tab));
    update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(f.focus, 1);
    update(&mut m, code(KeyCode::Esc));
    // Esc in the details un-picks first, then leaves the pane.
    update(&mut m, code(KeyCode::Esc));
    assert!(m.picked_resource().is_none());
    assert_eq!(m.focus, Focus::Detail);
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.focus, Focus::Items);
    // A pick belongs to its item.
    m.focus = Focus::Detail;
    update(&mut m, code(KeyCode::Enter));
    assert!(m.picked_resource().is_some());
    select(&mut m, "ec2.imdsv2");
    assert!(m.picked_resource().is_none());
}
