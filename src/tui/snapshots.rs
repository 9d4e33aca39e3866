//! Screens: the view rendered into ratatui's `TestBackend` at 120×36 and
//! compared with the reviewed snapshots in `screens/`. The demo account, a
//! fixed clock and fixed spinner frames make them deterministic.

use super::model::{Model, OutcomeKind, Overlay};
use super::tests::{
    code, demo, fixed_now, key, loaded, new_model, password_policy_denied, reread, select, typed,
};
use super::update::{ApplyFailure, Effect, Msg, update_inline as update};
use super::view;
use crate::aws::inventory::PartId;
use crate::collect::Mode;
use crate::collect::demo::demo_inventory;
use crate::execute::ExecReport;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const W: u16 = 120;
const H: u16 = 36;

fn draw(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(W, H)).expect("test terminal");
    t.draw(|f| view::render(f, m)).expect("draw");
    t
}

macro_rules! screen {
    ($name:expr, $model:expr) => {
        insta::with_settings!({
            snapshot_path => "../../screens",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => concat!("moat TUI, ", $name, ", 120x36"),
        }, {
            insta::assert_snapshot!($name, draw(&$model).backend());
        })
    };
}

/// The whole screen as text, one line per row (tests).
pub(super) fn render_text(m: &Model) -> String {
    let t = draw(m);
    (0..H).map(|y| row(&t, y)).collect::<Vec<_>>().join("\n")
}

/// The text of row `y`.
fn row(t: &Terminal<TestBackend>, y: u16) -> String {
    let b = t.backend().buffer();
    (0..b.area.width)
        .map(|x| b[(x, y)].symbol().to_string())
        .collect()
}

fn find_row(t: &Terminal<TestBackend>, needle: &str) -> Option<u16> {
    (0..H).find(|y| row(t, *y).contains(needle))
}

#[test]
fn main_view() {
    let m = demo(Mode::Demo);
    screen!("main", m);
}

#[test]
fn main_view_while_scanning() {
    let mut m = new_model(Mode::Live);
    let e = update(&mut m, Msg::Start);
    let [Effect::Collect { generation, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let inv = demo_inventory().unwrap();
    for p in [
        PartId::Identity,
        PartId::PasswordPolicy,
        PartId::AlternateContacts,
    ] {
        update(
            &mut m,
            Msg::Part {
                generation: *generation,
                part: p,
                result: Ok(inv.get(p).unwrap()),
            },
        );
    }
    select(&mut m, "account.password-policy");
    screen!("scanning", m);
}

#[test]
fn diff_preview() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
    screen!("preview", m);
    // Colours: added lines green, removed lines red.
    let t = draw(&m);
    let y = find_row(&t, "+  \"MinimumPasswordLength\": 14").expect("added line");
    let x = row(&t, y).find('+').unwrap();
    let x = row(&t, y)[..x].chars().count() as u16;
    assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Green);
    let y = find_row(&t, "-  \"MinimumPasswordLength\": 8").expect("removed line");
    assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Red);
}

#[test]
fn confirmation_dialog_live() {
    let mut m = demo(Mode::Live);
    select(&mut m, "account.password-policy");
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    screen!("confirm", m);
}

#[test]
fn confirmation_dialog_dry_run_with_warnings() {
    let mut m = demo(Mode::DryRun { demo: false });
    select(&mut m, "account.console-users-mfa");
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    screen!("confirm_dry_run", m);
}

#[test]
fn input_form_with_an_inline_error() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.alternate-contacts");
    update(&mut m, key('p'));
    typed(&mut m, "Cloud Security Team");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "Security Operations");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "security@example");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "+1 555 0100");
    assert!(matches!(m.overlay, Some(Overlay::Form(_))));
    screen!("form", m);
}

#[test]
fn help_from_the_keymap() {
    let mut m = demo(Mode::Demo);
    update(&mut m, key('?'));
    screen!("help", m);
}

#[test]
fn guided_item_with_steps() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.root-mfa");
    screen!("guided", m);
}

#[test]
fn guided_item_marked_done() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.billing-access");
    update(&mut m, key('m'));
    update(&mut m, code(KeyCode::Tab));
    screen!("guided_done", m);
}

#[test]
fn item_in_error() {
    let inv = password_policy_denied("not authorized");
    let mut m = loaded(Mode::Live, &inv);
    select(&mut m, "account.password-policy");
    screen!("error", m);
}

fn applied(
    mode: Mode,
    result: impl FnOnce(&crate::plan::Plan) -> Result<ExecReport, ApplyFailure>,
) -> Model {
    let mut m = demo(mode);
    select(&mut m, "account.password-policy");
    update(&mut m, key('a'));
    let e = update(&mut m, key('y'));
    let [Effect::Apply { generation, plan }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let r = result(plan);
    update(
        &mut m,
        Msg::Applied {
            generation: *generation,
            result: r,
        },
    );
    m
}

#[test]
fn apply_outcome_rechecked() {
    let mut m = applied(Mode::Live, |plan| {
        Ok(ExecReport {
            applied: vec![(0, crate::collect::Applied::Sent)],
            failed: None,
            warnings: vec![],
            mismatches: vec![],
            batch: Some("20261129T000000Z-00a1".into()),
            dry_run: false,
            reread: None,
        })
        .inspect(|_| assert_eq!(plan.steps.len(), 1))
    });
    // The re-read arrives: the policy now passes.
    let mut inv = demo_inventory().unwrap();
    if let crate::aws::inventory::Part::Ready(Some(p)) = &mut inv.password_policy {
        p.minimum_password_length = 14;
        p.password_reuse_prevention = Some(24);
    }
    reread(&mut m, &inv);
    assert!(
        matches!(&m.overlay, Some(Overlay::Outcome(o)) if matches!(o.kind, OutcomeKind::Applied { .. }))
    );
    screen!("applied", m);
}

#[test]
fn apply_outcome_drift() {
    let m = applied(Mode::Live, |_| {
        Err(ApplyFailure::Drift {
            resource: "password-policy".into(),
            planned: "{\n  \"MinimumPasswordLength\": 8,\n  \"RequireSymbols\": false\n}\n".into(),
            live: "{\n  \"MinimumPasswordLength\": 10,\n  \"RequireSymbols\": false\n}\n".into(),
        })
    });
    screen!("applied_drift", m);
}

#[test]
fn apply_outcome_dry_run() {
    let m = applied(Mode::DryRun { demo: true }, |_| {
        Ok(ExecReport {
            applied: vec![(0, crate::collect::Applied::Recorded)],
            failed: None,
            warnings: vec![],
            mismatches: vec![],
            batch: None,
            dry_run: true,
            reread: None,
        })
    });
    screen!("applied_dry_run", m);
}

#[test]
fn header_badge_is_coloured_per_mode() {
    for (mode, bg) in [
        (Mode::Live, Color::Red),
        (Mode::Demo, Color::Blue),
        (Mode::DryRun { demo: false }, Color::Yellow),
    ] {
        let m = demo(mode);
        let t = draw(&m);
        let r = row(&t, 0);
        let badge = mode.badge();
        let x = r[..r.find(badge).expect("badge")].chars().count() as u16;
        assert_eq!(t.backend().buffer()[(x, 0)].bg, bg, "{badge}");
    }
    let _ = fixed_now();
}

#[test]
fn bucket_policy_diff() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "s3.public-policies");
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Preview(_))));
    screen!("s3_policy_diff", m);
    // Only the public statement is removed; the rest of the policy is
    // context. The blast radius comes first: scroll down to the statement.
    let sid = "\"Sid\": \"PublicReadGetObject\"";
    let mut t = draw(&m);
    for _ in 0..30 {
        if find_row(&t, sid).is_some() {
            break;
        }
        update(&mut m, code(KeyCode::Down));
        t = draw(&m);
    }
    let y = find_row(&t, sid).expect("the removed statement");
    assert!(row(&t, y).contains("│ -"), "{}", row(&t, y));
}

#[test]
fn accepted_public_bucket() {
    use crate::config::{PublicBucket, Settings};
    let settings = Settings {
        public_buckets: vec![PublicBucket {
            bucket: "example-corp-www".into(),
            reason: "the company website, public by design".into(),
            expires: None,
        }],
        ..Settings::default()
    };
    let mut m = Model::new(
        Mode::Demo,
        settings,
        crate::tui::keymap::Keymap::builtin().expect("keymap"),
        fixed_now(),
    );
    super::update::load_inventory(&mut m, &demo_inventory().expect("demo"));
    select(&mut m, "s3.public-acls");
    assert_eq!(
        m.result("s3.public-acls").map(|r| r.status),
        Some(crate::checks::Status::Accepted)
    );
    screen!("accepted", m);
}

#[test]
fn findings_grouped_by_region_with_a_picked_rule() {
    let mut m = super::tests::demo(Mode::Demo);
    super::tests::select(&mut m, "ec2.open-admin-ports");
    m.focus = crate::tui::model::Focus::Detail;
    super::update::update(&mut m, super::tests::code(crossterm::event::KeyCode::Enter));
    let text = render_text(&m);
    let eu = text.find("  eu-west-1").expect("eu heading");
    let us = text.find("  us-east-1").expect("us heading");
    assert!(eu < us, "{text}");
    assert!(text.contains("› ✗ sg-rule/eu-west-1/"), "{text}");
    screen!("findings_by_region", m);
}
