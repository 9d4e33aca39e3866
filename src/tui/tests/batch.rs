//! Several items in one go: marks (space, `A`, `U`), `p`/`a` on the marked
//! items as one plan, their inputs asked first, one apply.

use super::*;
use crate::checks::Fix;
use crate::tui::update::batch::BATCH;

fn marks(m: &Model) -> Vec<&str> {
    m.marks.keys().map(String::as_str).collect()
}

fn flash_text(m: &Model) -> String {
    m.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

#[test]
fn space_marks_only_items_moat_can_change_and_marks_survive_moving() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    assert_eq!(marks(&m), ["account.password-policy"]);
    assert_eq!(m.marks["account.password-policy"], MarkKind::One);

    // A guided item cannot be marked: the flash says why.
    let guided = crate::checks::items()
        .iter()
        .find(|d| matches!(d.fix, Fix::Guided))
        .expect("a guided item");
    select(&mut m, guided.id);
    update(&mut m, key(' '));
    assert_eq!(marks(&m), ["account.password-policy"]);
    assert!(flash_text(&m).contains("cannot be marked"), "{:?}", m.flash);

    // Marks stay across sections and the filter.
    select(&mut m, "s3.public-policies");
    update(&mut m, key(' '));
    typed(&mut m, "/");
    typed(&mut m, "versioning");
    update(&mut m, code(KeyCode::Enter));
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(marks(&m), ["account.password-policy", "s3.public-policies"]);

    // Space again unmarks.
    select(&mut m, "s3.public-policies");
    update(&mut m, key(' '));
    assert_eq!(marks(&m), ["account.password-policy"]);
    // U clears every mark.
    update(&mut m, key('U'));
    assert!(m.marks.is_empty());
    assert!(flash_text(&m).contains("cleared 1 mark"), "{:?}", m.flash);
}

#[test]
fn capital_a_marks_the_failing_items_of_the_section_and_again_unmarks_them() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    let expected: Vec<&str> = m
        .current_items()
        .into_iter()
        .filter(|(g, d)| matches!(d.fix, Fix::Plan(_)) && m.results[*g].status == Status::Fail)
        .map(|(_, d)| d.id)
        .collect();
    assert!(expected.len() > 1, "{expected:?}");
    // One marked by hand stays marked one by one.
    update(&mut m, key(' '));
    update(&mut m, key('A'));
    let mut got = marks(&m);
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(m.marks["account.password-policy"], MarkKind::One);
    assert!(
        m.marks
            .iter()
            .filter(|(id, _)| *id != "account.password-policy")
            .all(|(_, k)| *k == MarkKind::Section)
    );
    // Again, with all of them marked: unmarked.
    update(&mut m, key('A'));
    assert!(m.marks.is_empty(), "{:?}", m.marks);
}

#[test]
fn p_with_marks_plans_the_marked_items_as_one_batch_in_guide_order() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "s3.public-policies");
    update(&mut m, key(' '));
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    // The planning effect (not run inline): one job over both items.
    let e = crate::tui::update::update(&mut m, key('p'));
    let [Effect::Plan(job)] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert_eq!(job.item, BATCH);
    let ids: Vec<&str> = job.batch.iter().map(|b| b.item).collect();
    assert_eq!(ids, ["account.password-policy", "s3.public-policies"]);
    assert!(job.batch.iter().all(|b| !b.from_section));
    assert!(matches!(&m.overlay, Some(Overlay::Planning(p)) if p.item == BATCH));

    // Its answer opens the batch preview.
    let result = job.run();
    update(
        &mut m,
        Msg::Planned {
            seq: job.seq,
            result,
        },
    );
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(
        p.batch.as_ref().map(|b| b.items.clone()),
        Some(vec![
            "account.password-policy".to_string(),
            "s3.public-policies".to_string()
        ])
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.starts_with("▸ account.password-policy — "))
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.starts_with("▸ s3.public-policies — "))
    );
}

#[test]
fn a_with_marks_confirms_once_and_applies_one_plan() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    select(&mut m, "s3.public-policies");
    update(&mut m, key(' '));
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(c.item, BATCH);
    let items: Vec<&str> = c.ops.iter().filter_map(|o| o.item.as_deref()).collect();
    assert_eq!(items.len(), c.ops.len(), "every call names its item");
    assert!(items.contains(&"account.password-policy") && items.contains(&"s3.public-policies"));
    let plan = c.plan.clone();
    let e = update(&mut m, key('y'));
    let [
        Effect::Apply {
            generation,
            plan: sent,
            ..
        },
    ] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!(sent, &plan);
    let generation = *generation;
    // Sent: the marks are done with, and every item's parts are read again.
    let report = ExecReport {
        applied: (0..plan.steps.len()).map(|i| (i, Applied::Sent)).collect(),
        failed: None,
        warnings: vec![],
        mismatches: vec![],
        batch: Some("20261129T000000Z-000001".into()),
        dry_run: false,
        reread: None,
    };
    let e = update(
        &mut m,
        Msg::Applied {
            generation,
            result: Ok(report),
        },
    );
    let [Effect::Collect { parts, .. }, Effect::LoadJournal { .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert!(parts.contains(&PartId::PasswordPolicy), "{parts:?}");
    assert!(
        parts
            .iter()
            .any(|p| format!("{p:?}").contains("S3") || format!("{p:?}").contains("Bucket")),
        "{parts:?}"
    );
    assert!(m.marks.is_empty());
}

#[test]
fn inputs_of_marked_items_are_asked_first_and_esc_cancels_the_batch() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.alternate-contacts");
    update(&mut m, key(' '));
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    let e = update(&mut m, key('p'));
    assert!(e.is_empty(), "{e:?}");
    let Some(Overlay::Form(f)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(f.item, "account.alternate-contacts");
    // Esc cancels the batch: nothing planned.
    let e = update(&mut m, code(KeyCode::Esc));
    assert!(e.is_empty());
    assert!(m.overlay.is_none() && m.batch_pending.is_none());
    assert!(flash_text(&m).contains("batch cancelled"), "{:?}", m.flash);
    assert_eq!(m.marks.len(), 2, "the marks stay");

    // Again: the form, then the last form's submit plans the batch.
    update(&mut m, key('p'));
    assert!(matches!(m.overlay, Some(Overlay::Form(_))));
    typed(&mut m, "Cloud Security Team");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "Security Operations");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "security@example.com");
    update(&mut m, code(KeyCode::Tab));
    typed(&mut m, "+1 555 0100");
    update(&mut m, code(KeyCode::Enter));
    let Some(Overlay::Preview(p)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let b = p.batch.as_ref().expect("a batch preview");
    assert_eq!(
        b.items,
        ["account.alternate-contacts", "account.password-policy"]
    );
    assert!(
        p.lines
            .iter()
            .any(|l| l.text.contains("security@example.com"))
    );
}

/// A confirmation longer than the screen scrolls with the scroll keys
/// (which no longer cancel it); the mode and the key that applies stay in
/// view below the list, and any other key still cancels.
#[test]
fn a_long_confirmation_scrolls_and_keeps_the_confirm_line_in_view() {
    let mut m = demo(Mode::Demo);
    for id in [
        "account.password-policy",
        "s3.public-policies",
        "s3.deny-insecure-transport",
    ] {
        select(&mut m, id);
        update(&mut m, key(' '));
    }
    update(&mut m, key('a'));
    let screen = |m: &Model| {
        let mut t =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
        t.draw(|f| crate::tui::view::render(f, m)).expect("draw");
        let b = t.backend().buffer().clone();
        (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let first = screen(&m);
    assert!(first.contains("Press y to apply"), "{first}");
    assert!(first.contains("calls: ↑↓ to see them all"), "{first}");
    assert!(!first.contains("example-corp-access-logs"), "{first}");
    update(&mut m, code(KeyCode::End));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("scrolling cancelled the confirmation: {:?}", m.overlay)
    };
    assert!(c.scroll > 0);
    let last = screen(&m);
    assert!(last.contains("example-corp-access-logs"), "{last}");
    assert!(last.contains("Press y to apply"), "{last}");
    update(&mut m, code(KeyCode::Home));
    assert!(screen(&m).contains("account.password-policy"));
    // Any other key cancels, as before.
    update(&mut m, key('x'));
    assert!(!matches!(m.overlay, Some(Overlay::Confirm(_))));
}

/// `a` with marks goes straight to the confirmation: it names the marked
/// items the plan leaves out, and why, and counts them in its title.
#[test]
fn a_with_marks_confirms_with_the_items_left_out_named() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key(' '));
    // Marked with the section: versioning cannot be undone fully.
    m.marks
        .insert("s3.versioning".to_string(), MarkKind::Section);
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let b = c.batch.as_ref().expect("the batch's list");
    assert_eq!(b.items, ["account.password-policy"]);
    assert_eq!(b.skipped.len(), 1, "{:?}", b.skipped);
    assert!(b.skipped[0].starts_with("left out: s3.versioning — "));
    let t = crate::tui::snapshots::render_text(&m);
    assert!(t.contains("Apply 1 of 2 marked items in one batch?"), "{t}");
    assert!(t.contains("left out: s3.versioning"), "{t}");
    assert!(t.contains("unversioned"), "{t}");
}

/// A refused call stops the batch: the items not fully applied stay
/// marked, and the outcome names the refused call's item, the items never
/// reached, and how to undo what was sent.
#[test]
fn a_refused_call_keeps_the_marks_of_the_items_not_applied() {
    let ids = [
        "account.password-policy",
        "s3.public-policies",
        "s3.deny-insecure-transport",
    ];
    let mut m = demo(Mode::Demo);
    for id in ids {
        select(&mut m, id);
        update(&mut m, key(' '));
    }
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let plan = c.plan.clone();
    let e = update(&mut m, key('y'));
    let [Effect::Apply { generation, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    let generation = *generation;
    // The first call of the second item is refused.
    let refused = plan
        .steps
        .iter()
        .position(|s| s.item.as_deref() == Some(ids[1]))
        .expect("a step of the second item");
    assert!(refused > 0);
    let report = ExecReport {
        applied: (0..refused).map(|i| (i, Applied::Sent)).collect(),
        failed: Some((
            refused,
            PartError::new("s3:PutBucketPolicy", Some("AccessDenied".into()), "denied"),
        )),
        warnings: vec![],
        mismatches: vec![],
        batch: Some("20261129T000000Z-000002".into()),
        dry_run: false,
        reread: None,
    };
    update(
        &mut m,
        Msg::Applied {
            generation,
            result: Ok(report),
        },
    );
    // (Marks list in name order.)
    assert_eq!(marks(&m), [ids[2], ids[1]]);
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    let OutcomeKind::Failed {
        item, unreached, ..
    } = &o.kind
    else {
        panic!("{:?}", o.kind)
    };
    assert_eq!(item.as_deref(), Some(ids[1]));
    assert_eq!(unreached, &[ids[2].to_string()]);
    let t = crate::tui::snapshots::render_text(&m);
    assert!(t.contains(&format!("(of {})", ids[1])), "{t}");
    assert!(t.contains(ids[2]), "{t}");
    assert!(t.contains("moat undo 20261129T000000Z-000002"), "{t}");
    // Planning again takes the marks left: the items not applied.
    let e = crate::tui::update::update(&mut m, key('p'));
    let Some(Effect::Plan(job)) = e.first() else {
        panic!("{e:?}")
    };
    let planned: Vec<&str> = job.batch.iter().map(|b| b.item).collect();
    assert_eq!(planned, [ids[1], ids[2]]);
}
