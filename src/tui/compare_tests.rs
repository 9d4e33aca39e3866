//! The comparison with the last saved scan in the TUI: when it is looked for
//! and when the session's scan is saved (update), and how the header and the
//! items show it (screens).

use super::model::Model;
use super::tests::{demo, fixed_now, select};
use super::update::{Effect, Msg, update_inline as update};
use super::view;
use crate::checks::{Finding, Status};
use crate::collect::Mode;
use crate::history::Baseline;
use crate::report::compare::SavedScan;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;

fn draw(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| view::render(f, m)).expect("draw");
    t
}

fn row(t: &Terminal<TestBackend>, y: u16) -> String {
    let b = t.backend().buffer();
    (0..b.area.width)
        .map(|x| b[(x, y)].symbol().to_string())
        .collect()
}

/// The demo's last scan, as it was before: a failing user that has since
/// been fixed (outside moat), and without one finding that is new now.
pub(super) fn earlier(m: &Model) -> SavedScan {
    let account = m.account_raw.clone().expect("account");
    let mut scan = SavedScan::of(&account, true, fixed_now(), &m.results);
    let mfa = scan
        .items
        .iter_mut()
        .find(|i| i.id == "account.console-users-mfa")
        .expect("item");
    let gone = Finding::fail("user/ghost", "d");
    mfa.findings.push(crate::report::compare::SavedFinding {
        resource: gone.resource,
        region: None,
        status: Status::Fail,
    });
    let policy = scan
        .items
        .iter_mut()
        .find(|i| i.id == "account.password-policy")
        .expect("item");
    policy.status = Status::Pass;
    policy.findings.clear();
    scan
}

fn with_baseline(mode: Mode) -> Model {
    let mut m = demo(mode);
    let scan = earlier(&m);
    let account = m.account_raw.clone().expect("account");
    let effects = update(
        &mut m,
        Msg::BaselineLoaded {
            account,
            result: Ok(Some(Box::new(Baseline {
                scan,
                path: Default::default(),
                fixed_by_moat: BTreeMap::new(),
            }))),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::SaveScan(_)]),
        "{effects:?}"
    );
    m
}

#[test]
fn the_last_scan_is_looked_for_then_this_one_saved_once() {
    let mut m = demo(Mode::Demo);
    assert!(!m.compare.looked);
    let account = m.account_raw.clone().expect("account");
    // Saving waits for the last scan to be read.
    assert!(!m.compare.saved);
    let e = update(
        &mut m,
        Msg::BaselineLoaded {
            account: account.clone(),
            result: Ok(None),
        },
    );
    let [Effect::SaveScan(scan)] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert_eq!(scan.account, account);
    assert!(scan.demo);
    assert_eq!(scan.saved().items.len(), m.results.len());
    assert!(m.compare.comparison.is_none());
    // Once per session.
    let e = update(
        &mut m,
        Msg::BaselineLoaded {
            account,
            result: Ok(None),
        },
    );
    assert!(e.is_empty(), "{e:?}");
    // An answer for another account is dropped.
    let e = update(
        &mut m,
        Msg::BaselineLoaded {
            account: "999999999999".into(),
            result: Err("x".into()),
        },
    );
    assert!(e.is_empty(), "{e:?}");
}

#[test]
fn the_identity_asks_for_the_last_scan() {
    let mut m = super::tests::new_model(Mode::Live);
    let e = update(&mut m, Msg::Start);
    let Some(generation) = e.iter().find_map(|e| match e {
        Effect::Collect { generation, .. } => Some(*generation),
        _ => None,
    }) else {
        panic!("{e:?}")
    };
    let inv = crate::collect::demo::demo_inventory().expect("demo");
    let part = crate::aws::inventory::PartId::Identity;
    let e = update(
        &mut m,
        Msg::Part {
            generation,
            part,
            result: inv
                .get(part)
                .ok_or_else(|| crate::aws::inventory::PartError::new("test", None, "no identity")),
        },
    );
    assert!(
        e.iter()
            .any(|e| matches!(e, Effect::LoadBaseline { demo: false, .. })),
        "{e:?}"
    );
}

#[test]
fn header_and_items_show_the_changes() {
    let mut m = with_baseline(Mode::Demo);
    let counts = m.compare.comparison.as_ref().expect("compared").counts();
    assert_eq!((counts.fixed, counts.new), (1, 1), "{counts:?}");
    select(&mut m, "account.password-policy");
    let t = draw(&m, 120, 36);
    assert!(
        row(&t, 0).contains("since last scan: 1 fixed, 1 new"),
        "{}",
        row(&t, 0)
    );
    let screen: Vec<String> = (0..36).map(|y| row(&t, y)).collect();
    assert!(
        screen
            .iter()
            .any(|l| l.contains("Every console user has MFA") && l.contains(" fixed")),
        "{screen:#?}"
    );
    insta::with_settings!({
        snapshot_path => "../../screens",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "moat TUI, since_last_scan, 120x36",
    }, {
        insta::assert_snapshot!("since_last_scan", t.backend());
    });
    // At 80 columns the counts come first; the comparison only when it fits.
    let t = draw(&m, 80, 24);
    let top = row(&t, 0);
    assert!(top.contains("scanned"), "{top}");
    let screen: Vec<String> = (0..24).map(|y| row(&t, y)).collect();
    assert!(
        screen
            .iter()
            .any(|l| l.contains("IAM password") && l.contains(" new ")),
        "{screen:#?}"
    );
}

/// A re-scan (`r`) is saved as well once every part is back: the saved
/// scans follow the account, not only the session's first look.
#[test]
fn a_rescan_is_saved_once_whole() {
    let mut m = with_baseline(Mode::Demo);
    let e = update(&mut m, super::tests::key('r'));
    let Some((generation, parts)) = e.iter().find_map(|e| match e {
        Effect::Collect { generation, parts } => Some((*generation, parts.clone())),
        _ => None,
    }) else {
        panic!("{e:?}")
    };
    let inv = crate::collect::demo::demo_inventory().expect("demo");
    let mut saved = vec![];
    let last = parts.len() - 1;
    for (i, part) in parts.into_iter().enumerate() {
        let e = update(
            &mut m,
            Msg::Part {
                generation,
                part,
                result: inv
                    .get(part)
                    .ok_or_else(|| crate::aws::inventory::PartError::new("test", None, "none")),
            },
        );
        saved.extend(
            e.into_iter()
                .filter(|e| matches!(e, Effect::SaveScan(_)))
                .map(|_| i),
        );
    }
    assert_eq!(saved, vec![last], "saved once, when the last part arrived");
    // The comparison is still with the scan before the session.
    let counts = m.compare.comparison.as_ref().expect("compared").counts();
    assert_eq!((counts.fixed, counts.new), (1, 1), "{counts:?}");
}
