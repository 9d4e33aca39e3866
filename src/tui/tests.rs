//! `update()` tests: feed messages, assert on the model and the effects. No
//! terminal, no clock, no network. (Screens are in `snapshots.rs`.)

use super::keymap::Keymap;
use super::model::*;
use super::update::{ApplyFailure, Effect, Msg, update_inline as update};
use crate::aws::inventory::{Inventory, PartError, PartId};
use crate::checks::Status;
use crate::collect::demo::demo_inventory;
use crate::collect::{Applied, Mode};
use crate::config::Settings;
use crate::diff::LineKind;
use crate::execute::{ExecEvent, ExecReport, Mismatch};
use crate::state::Progress;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod apply;
mod batch;
mod checks;
mod form;
mod guide;
pub(super) mod journal;
mod runtime;

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

/// The demo account with its password policy unreadable: access denied,
/// with `message`.
pub(super) fn password_policy_denied(message: &str) -> Inventory {
    let mut inv = demo_inventory().unwrap();
    inv.set_error(
        PartId::PasswordPolicy,
        PartError::new(
            "iam:GetAccountPasswordPolicy",
            Some("AccessDenied".into()),
            message,
        ),
    );
    inv
}

/// Answer every part still loading under the generation of the password
/// policy with its value in `inv`, as a re-read would.
pub(super) fn reread(m: &mut Model, inv: &Inventory) {
    let generation = m.part_gen[&PartId::PasswordPolicy];
    for p in PartId::ALL {
        if m.part_gen[p] == generation {
            update(
                m,
                Msg::Part {
                    generation,
                    part: *p,
                    result: Ok(inv.get(*p).unwrap()),
                },
            );
        }
    }
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
    // The identity names the account and asks for its saved progress and
    // its last saved scan.
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
        vec![
            Effect::LoadProgress {
                account: DEMO_ACCOUNT.into()
            },
            Effect::LoadBaseline {
                account: DEMO_ACCOUNT.into(),
                demo: true
            },
            Effect::LoadJournal {
                account: DEMO_ACCOUNT.into()
            }
        ]
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
    let inv = password_policy_denied("User is not authorized");
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
        std::sync::Arc::make_mut(r).status = Status::Pass;
    }
    select(&mut m, "account.root-mfa");
    update(&mut m, key('n'));
    assert_eq!(selected(&m), "account.root-mfa");
    assert_eq!(m.flash.as_ref().map(|f| f.level), Some(Level::Success));
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

    // A plan that answers "guided" (root keys of a member account the
    // organization audits, not signed in as root) also points at the steps.
    select(&mut m, "account.root-access-keys");
    update(&mut m, key('p'));
    assert!(m.overlay.is_none());
    assert_eq!(m.focus, Focus::Detail);
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("account.central-root-access")
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
fn navigation_moves_focus_and_selection() {
    let mut m = demo(Mode::Demo);
    assert_eq!(m.focus, Focus::Items);
    assert_eq!(selected(&m), "account.root-access-keys");
    update(&mut m, key('j'));
    update(&mut m, code(KeyCode::Down));
    assert_eq!(selected(&m), "account.central-root-access");
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
    if let Some(rows) = inv.credential_report.ready_mut() {
        let mut row = rows[2].clone();
        row.user = evil.name.clone();
        rows.push(row);
    }
    if let Some(id) = inv.identity.ready_mut() {
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
    if let Some(Some(p)) = m.inventory.password_policy.ready_mut() {
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
