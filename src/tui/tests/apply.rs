//! The preview, the confirmation, the apply's answers (applied, mismatched,
//! drifted, refused, dry-run) and quitting while an apply runs.

use super::*;

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
    assert_eq!(
        e,
        vec![Effect::Apply {
            generation,
            plan,
            typed: None
        }]
    );
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
        [
            Effect::Apply {
                generation, plan, ..
            },
        ] => (*generation, plan.clone()),
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
    let [Effect::Collect { parts, .. }, Effect::LoadJournal { .. }] = e.as_slice() else {
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
    assert!(
        matches!(e.as_slice(), [Effect::LoadJournal { .. }]),
        "nothing read again but the journal: {e:?}"
    );
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
        resource: crate::aws::inventory::ResourceRef::PasswordPolicy,
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
        matches!(e.as_slice(), [Effect::Collect { parts, .. }, Effect::LoadJournal { .. }] if parts.contains(&PartId::PasswordPolicy))
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
    reread(&mut m, &inv);
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
    let [
        Effect::Apply {
            generation, plan, ..
        },
    ] = e.as_slice()
    else {
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
        matches!(e.as_slice(), [Effect::LoadJournal { .. }]),
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
fn a_change_that_cannot_be_undone_applies_only_once_the_account_id_is_typed() {
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.central-root-access");
    assert!(update(&mut m, key('a')).is_empty());
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(c.ops.iter().any(|o| !o.reversible));
    let plan = c.plan.clone();
    let want = plan.account.clone();
    assert_eq!(plan.typed_confirmation(), Some(want.as_str()));

    // `y` is typed, not taken as a yes; Enter with the wrong id sends nothing.
    assert!(update(&mut m, key('y')).is_empty());
    assert!(update(&mut m, code(KeyCode::Enter)).is_empty());
    assert!(m.applying_gen.is_none());
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("still confirming: {:?}", m.overlay)
    };
    assert_eq!(c.typed.as_ref().map(|t| t.text.as_str()), Some("y"));
    assert!(m.flash.as_ref().is_some_and(|f| f.text.contains(&want)));

    // Backspace, then the id: Enter applies.
    update(&mut m, code(KeyCode::Backspace));
    for ch in want.chars() {
        assert!(update(&mut m, key(ch)).is_empty());
    }
    let e = update(&mut m, code(KeyCode::Enter));
    let generation = m.applying_gen.expect("applying");
    assert_eq!(
        e,
        vec![Effect::Apply {
            generation,
            plan,
            typed: Some(want.clone())
        }]
    );

    // Esc cancels with nothing sent.
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.central-root-access");
    update(&mut m, key('a'));
    for ch in want.chars() {
        update(&mut m, key(ch));
    }
    assert!(update(&mut m, code(KeyCode::Esc)).is_empty());
    assert!(m.overlay.is_none() && m.applying_gen.is_none());
}

#[test]
fn a_dry_run_of_a_change_that_cannot_be_undone_needs_no_typing() {
    let mut m = demo(Mode::DryRun { demo: true });
    select(&mut m, "account.central-root-access");
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert!(c.typed.is_none());
}
