//! Screens: the view rendered into ratatui's `TestBackend` at 120×36 (and
//! the guided session's screens also at 80×24, the smallest size moat is
//! laid out for) and compared with the reviewed snapshots in `screens/`. The demo account, a
//! fixed clock and fixed spinner frames make them deterministic.

use super::model::{MarkKind, Model, OutcomeKind, Overlay};
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
    draw_at(m, W, H)
}

fn draw_at(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
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

/// The screen at 120x36 as `$name` and at 80x24 as `$name_80x24`.
macro_rules! screens {
    ($name:expr, $model:expr) => {
        screen!($name, $model);
        insta::with_settings!({
            snapshot_path => "../../screens",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => concat!("moat TUI, ", $name, ", 80x24"),
        }, {
            insta::assert_snapshot!(concat!($name, "_80x24"), draw_at(&$model, 80, 24).backend());
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
fn confirmation_that_asks_for_the_account_id() {
    let mut m = demo(Mode::Live);
    select(&mut m, "account.central-root-access");
    update(&mut m, key('a'));
    typed(&mut m, "1111");
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    screen!("confirm_typed", m);
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
    let [
        Effect::Apply {
            generation, plan, ..
        },
    ] = e.as_slice()
    else {
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
    if let Some(Some(p)) = inv.password_policy.ready_mut() {
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
    // Scroll the details to the resources (below why the item matters).
    let tall = draw_at(&m, W, 200);
    let y = (0..200)
        .find(|y| {
            let b = tall.backend().buffer();
            (0..W)
                .map(|x| b[(x, *y)].symbol())
                .collect::<String>()
                .contains("Resources (")
        })
        .expect("the resources heading");
    m.detail_scroll = y - 2;
    let text = render_text(&m);
    let eu = text.find("  eu-west-1").expect("eu heading");
    let us = text.find("  us-east-1").expect("us heading");
    assert!(eu < us, "{text}");
    assert!(text.contains("› ✗ sg-rule/eu-west-1/"), "{text}");
    screen!("findings_by_region", m);
}

/// The text of the screen at `w` × `h`.
fn text_at(m: &Model, w: u16, h: u16) -> String {
    let t = draw_at(m, w, h);
    let b = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| b[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn main_view_at_80x24() {
    let m = demo(Mode::Demo);
    // No item title is cut in the items pane.
    let text = text_at(&m, 80, 24);
    assert!(!text.contains('…'), "{text}");
    insta::with_settings!({
        snapshot_path => "../../screens",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "moat TUI, main, 80x24",
    }, {
        insta::assert_snapshot!("main_80x24", draw_at(&m, 80, 24).backend());
    })
}

#[test]
fn every_section_is_listed_at_120x36() {
    let m = demo(Mode::Demo);
    let text = render_text(&m);
    for s in &m.sections {
        let title = crate::guide::guide()
            .section(s)
            .expect("section")
            .title
            .clone();
        assert!(text.contains(&title), "{title} is not on screen:\n{text}");
    }
}

#[test]
fn section_page() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "s3.public-policies");
    m.focus = crate::tui::model::Focus::Sections;
    let text = render_text(&m);
    let intro = &crate::guide::guide().section("s3").expect("s3").intro;
    let first_words: String = intro
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(&first_words),
        "{first_words:?} not in:\n{text}"
    );
    assert!(text.contains("What moat can do here"), "{text}");
    screens!("section_page", m);
}

#[test]
fn item_filter() {
    let mut m = demo(Mode::Demo);
    update(&mut m, key('/'));
    for c in "public".chars() {
        update(&mut m, key(c));
    }
    screen!("filter_typing", m);
    update(&mut m, code(KeyCode::Enter));
    let text = render_text(&m);
    assert!(text.contains("/public"), "{text}");
    screens!("filter", m);
}

#[test]
fn attention_toggle() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "cloudtrail.multi-region-trail");
    update(&mut m, key('f'));
    assert!(m.attention_only);
    screens!("attention_only", m);
}

#[test]
fn walk_in_guide_order_with_progress() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.billing-access");
    update(&mut m, key('m'));
    update(&mut m, key('w'));
    for _ in 0..5 {
        update(&mut m, key('n'));
    }
    let text = render_text(&m);
    assert!(text.contains("section 2 of 12"), "{text}");
    screens!("walk_guide_order", m);
}

#[test]
fn a_long_message_wraps_in_the_footer_at_80_columns() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "ec2.open-admin-ports");
    m.focus = crate::tui::model::Focus::Detail;
    super::update::update(&mut m, code(KeyCode::Enter));
    let flash = m.flash.clone().expect("a message");
    assert!(flash.text.chars().count() > 80, "{}", flash.text);
    let text = text_at(&m, 80, 24);
    // The whole message is on the screen's last rows (a word longer than
    // the line is split across two).
    let rows: Vec<&str> = text.lines().collect();
    let bottom: String = rows[rows.len() - 3..]
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let want: String = flash.text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(bottom.contains(&want), "{want:?} missing:\n{text}");
}

#[test]
fn help_wraps_its_descriptions() {
    let mut m = demo(Mode::Demo);
    update(&mut m, key('?'));
    // Tall enough for the whole of the main view's keys.
    let text = text_at(&m, 120, 60);
    // The longest description ends on screen, not cut at the border.
    assert!(text.contains("fix alone"), "{text}");
    assert!(text.contains("first clear it)"), "{text}");
    assert!(!text.contains("un-pick the res│"), "{text}");
}

/// The demo with three items marked in two sections, the S3 section shown.
fn marked_demo(mode: Mode) -> Model {
    let mut m = demo(mode);
    for id in [
        "account.password-policy",
        "s3.public-policies",
        "s3.deny-insecure-transport",
    ] {
        select(&mut m, id);
        update(&mut m, key(' '));
    }
    m
}

#[test]
fn items_pane_with_marks() {
    let m = marked_demo(Mode::Demo);
    assert_eq!(m.marks.len(), 3);
    let t = render_text(&m);
    assert!(t.contains("● 3 marked"), "{t}");
    assert!(
        t.contains("3 marked · p preview · a apply · U clear marks"),
        "{t}"
    );
    screens!("batch_marks", m);
}

#[test]
fn batch_preview_grouped_by_item() {
    let mut m = marked_demo(Mode::Demo);
    update(&mut m, key('p'));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(p.batch.is_some());
    let t = render_text(&m);
    assert!(t.contains("Preview: 3 items in one batch"), "{t}");
    // The blast radius comes first: scroll to the S3 items.
    let heading = "▸ s3.public-policies — ";
    for _ in 0..200 {
        let t = draw(&m);
        if find_row(&t, heading).is_some_and(|y| y < 12) {
            break;
        }
        update(&mut m, key('j'));
    }
    let t = render_text(&m);
    assert!(t.contains(heading), "{t}");
    assert!(
        t.contains("also changed by s3.deny-insecure-transport"),
        "{t}"
    );
    screens!("batch_preview", m);
}

#[test]
fn batch_confirmation_lists_the_calls_by_item() {
    let mut m = marked_demo(Mode::Live);
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    let t = render_text(&m);
    assert!(t.contains("Apply 3 items in one batch?"), "{t}");
    assert!(t.contains("▸ s3.deny-insecure-transport"), "{t}");
    screen!("batch_confirm", m);
}

/// The journal view: batches newest first (an undo batch says what it
/// undid), the selected batch's calls and what `u` does.
#[test]
fn journal_view() {
    let (mut m, _, _) = super::tests::journal::journaled();
    update(&mut m, key('J'));
    screens!("journal", m);
    // An undone batch says why `u` cannot undo it.
    update(&mut m, key('G'));
    let text = render_text(&m);
    assert!(text.contains("cannot undo this batch"), "{text}");
}

#[test]
fn journal_view_empty() {
    let mut m = demo(Mode::Demo);
    update(
        &mut m,
        Msg::JournalLoaded {
            account: "111122223333".into(),
            result: Ok(Default::default()),
        },
    );
    update(&mut m, key('J'));
    let text = render_text(&m);
    assert!(
        text.contains("moat has not changed this account yet"),
        "{text}"
    );
}

/// `u` on the newest batch: the same preview as any change, the diff back.
#[test]
fn undo_preview() {
    let (mut m, after, entries) = super::tests::journal::journaled();
    update(&mut m, key('J'));
    let e = update(&mut m, key('u'));
    let Some(Effect::PlanUndo { seq, .. }) = e.first() else {
        panic!("{e:?}")
    };
    let plan = crate::execute::undo_plan(&after, &entries).expect("undo plan");
    update(
        &mut m,
        Msg::UndoPlanned {
            seq: *seq,
            result: Ok(Box::new(plan)),
        },
    );
    screen!("undo_preview", m);
}

/// The item's detail says when moat last changed it.
#[test]
fn detail_last_changed_by_moat() {
    let (mut m, _, _) = super::tests::journal::journaled();
    select(&mut m, "account.password-policy");
    let text = render_text(&m);
    assert!(
        text.contains("Last changed by moat: 2026-11-28 14:02 UTC"),
        "{text}"
    );
    screen!("detail_last_changed", m);
}

/// A long journal at 80x24: the list scrolls so the selected batch stays
/// in sight, and its calls show below.
#[test]
fn a_long_journal_scrolls_to_the_selected_batch() {
    let (mut m, _, entries) = super::tests::journal::journaled();
    let mut all = m.journal.entries.clone();
    for n in 0..20 {
        all.extend(entries.iter().cloned().map(|mut e| {
            e.batch = format!("20261129T0{:02}000Z-000000", n % 60);
            e.entry = format!("{}.1", e.batch);
            e.time += chrono::Duration::hours(n + 1);
            e
        }));
    }
    update(
        &mut m,
        Msg::JournalLoaded {
            account: "111122223333".into(),
            result: Ok(super::update::JournalRead {
                entries: all,
                skipped: vec![],
            }),
        },
    );
    update(&mut m, key('J'));
    update(&mut m, key('G'));
    let t = draw_at(&m, 80, 24);
    let text = (0..24).map(|y| row(&t, y)).collect::<Vec<_>>().join("\n");
    assert!(text.contains("▸ 2026-11-28 10:15 UTC"), "{text}");
    assert!(
        text.contains(&format!("Batch {}", super::tests::journal::BATCH_1)),
        "{text}"
    );
    assert!(
        !text.contains("2026-11-29 10:02 UTC"),
        "the newest scrolled away: {text}"
    );
    update(&mut m, key('g'));
    let t = draw_at(&m, 80, 24);
    let text = (0..24).map(|y| row(&t, y)).collect::<Vec<_>>().join("\n");
    assert!(text.contains("▸ 2026-11-29 10:02 UTC"), "{text}");
}

#[test]
fn batch_confirmation_names_the_items_left_out() {
    let mut m = demo(Mode::Live);
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    m.marks
        .insert("s3.versioning".to_string(), MarkKind::Section);
    update(&mut m, key('a'));
    assert!(matches!(m.overlay, Some(Overlay::Confirm(_))));
    let t = render_text(&m);
    assert!(t.contains("Apply 1 of 2 marked items in one batch?"), "{t}");
    assert!(t.contains("left out: s3.versioning"), "{t}");
    screen!("batch_confirm_left_out", m);
}
