//! Items checked off the UI task (`evaluate.rs`): what `update` hands to a
//! job and what it does with the answers, whatever order they come in.

use super::{demo, key, status};
use crate::aws::inventory::PartId;
use crate::checks::Status;
use crate::collect::Mode;
use crate::collect::demo::demo_inventory;
use crate::history::Baseline;
use crate::tui::evaluate::CheckJob;
use crate::tui::model::Model;
use crate::tui::update::{Effect, Msg, update};
use std::collections::BTreeMap;

/// The password policy arrives again as `value` (plain `update`: jobs are
/// not run).
fn arrives(m: &mut Model, value: crate::aws::inventory::PartValue) -> Vec<Effect> {
    let generation = m.part_gen[&PartId::PasswordPolicy];
    update(
        m,
        Msg::Part {
            generation,
            part: PartId::PasswordPolicy,
            result: Ok(value),
        },
    )
}

/// The demo's password policy arrives again.
fn policy_arrives(m: &mut Model) -> Vec<Effect> {
    let inv = demo_inventory().expect("demo");
    arrives(m, inv.get(PartId::PasswordPolicy).expect("part"))
}

/// A password policy that passes.
fn passing_policy() -> crate::aws::inventory::PartValue {
    let mut inv = demo_inventory().expect("demo");
    if let Some(Some(p)) = inv.password_policy.ready_mut() {
        p.minimum_password_length = 20;
        p.password_reuse_prevention = Some(24);
    }
    inv.get(PartId::PasswordPolicy).expect("part")
}

fn job(effects: Vec<Effect>) -> Box<CheckJob> {
    let mut jobs: Vec<Box<CheckJob>> = effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Check(j) => Some(j),
            _ => None,
        })
        .collect();
    assert_eq!(jobs.len(), 1, "one check job");
    jobs.remove(0)
}

fn answer(m: &mut Model, job: &CheckJob) -> Vec<Effect> {
    update(
        m,
        Msg::Checked {
            seq: job.seq,
            answers: job.run(),
        },
    )
}

#[test]
fn an_arriving_part_hands_its_items_to_a_job_and_takes_the_answer() {
    let mut m = demo(Mode::Demo);
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    let job = job(policy_arrives(&mut m));
    // Only the items that read the part, and the UI task kept the old result.
    let ids: Vec<&str> = job
        .tasks
        .iter()
        .map(|(g, _)| crate::checks::items()[*g].id)
        .collect();
    assert!(ids.contains(&"account.password-policy"), "{ids:?}");
    assert!(!ids.contains(&"s3.bucket-public-access-block"), "{ids:?}");
    assert!(m.collecting(), "items being checked count as collecting");
    assert_eq!(m.checking_count(), ids.len());
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    answer(&mut m, &job);
    assert_eq!(m.checking_count(), 0);
    assert!(!m.collecting());
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
}

#[test]
fn an_answer_for_an_item_asked_again_since_is_dropped() {
    let mut m = demo(Mode::Demo);
    let first = job(policy_arrives(&mut m));
    // The policy changes and arrives again before the first job answers.
    let second = job(arrives(&mut m, passing_policy()));
    assert!(second.seq > first.seq);
    answer(&mut m, &second);
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
    // The first job answers late: its older result is dropped.
    answer(&mut m, &first);
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
}

#[test]
fn a_part_read_again_shows_loading_at_once_and_drops_the_job_in_flight() {
    let mut m = demo(Mode::Demo);
    let inflight = job(policy_arrives(&mut m));
    // `r` reads every part again: items are loading without a round trip.
    let e = update(&mut m, key('r'));
    assert!(
        !e.iter().any(|e| matches!(e, Effect::Check(_))),
        "nothing to check while every part is loading: {e:?}"
    );
    assert_eq!(status(&m, "account.password-policy"), Status::Loading);
    assert_eq!(m.checking_count(), 0);
    answer(&mut m, &inflight);
    assert_eq!(status(&m, "account.password-policy"), Status::Loading);
}

/// The demo's last scan, in which the password policy passed.
fn baseline(m: &Model) -> Baseline {
    Baseline {
        scan: crate::tui::compare_tests::earlier(m),
        path: Default::default(),
        fixed_by_moat: BTreeMap::new(),
    }
}

#[test]
fn the_last_scan_arriving_during_a_check_is_compared_with_its_answer() {
    let mut m = demo(Mode::Demo);
    let b = baseline(&m);
    let check = job(policy_arrives(&mut m));
    assert!(check.baseline.is_none());
    let account = m.account_raw.clone().expect("account");
    let e = update(
        &mut m,
        Msg::BaselineLoaded {
            account,
            result: Ok(Some(Box::new(b))),
        },
    );
    // The scan is not saved while items are being checked.
    assert!(!e.iter().any(|e| matches!(e, Effect::SaveScan(_))), "{e:?}");
    let compare = job(e);
    // The check answers first, compared with no baseline: compared again.
    // Every item is checked: the scan is saved.
    let e = answer(&mut m, &check);
    assert!(e.iter().any(|e| matches!(e, Effect::SaveScan(_))), "{e:?}");
    let again = job(e);
    assert!(again.baseline.is_some());
    // The comparison of everything answers: the policy's result was
    // replaced meanwhile, so its comparison waits for `again`.
    answer(&mut m, &compare);
    let c = m.compare.comparison.as_ref().expect("comparison");
    assert!(c.compared("account.root-mfa"));
    assert!(!c.compared("account.password-policy"));
    answer(&mut m, &again);
    let c = m.compare.comparison.as_ref().expect("comparison");
    assert!(c.compared("account.password-policy"));
    assert_eq!(
        c.item_summary("account.password-policy"),
        Some(crate::report::compare::ItemChange::New)
    );
}

#[test]
fn an_item_that_reads_no_part_is_checked_at_once() {
    let mut m = demo(Mode::Demo);
    super::select(&mut m, "account.security-questions");
    let before = status(&m, "account.security-questions");
    let e = update(&mut m, key('m'));
    assert!(!e.iter().any(|e| matches!(e, Effect::Check(_))), "{e:?}");
    assert_ne!(status(&m, "account.security-questions"), before);
}

#[test]
fn the_header_says_items_are_being_checked() {
    let mut m = demo(Mode::Demo);
    let _job = job(policy_arrives(&mut m));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 36)).expect("term");
    t.draw(|f| crate::tui::view::render(f, &m)).expect("draw");
    let b = t.backend().buffer();
    let header: String = (0..b.area.width)
        .map(|x| b[(x, 0)].symbol().to_string())
        .collect();
    assert!(header.contains("checking"), "{header}");
    assert!(!header.contains("scanned"), "{header}");
}
