//! The effects runtime against the in-memory demo backend: planning off the
//! UI task, applying, re-checking.

use super::*;

/// Run the effects runtime, feeding its answers to `update`, until `done`.
async fn pump_until(
    m: &mut Model,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    rt: &mut crate::tui::effects::Runtime,
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
    let mut rt = crate::tui::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::Demo);
    let pump = |m: &mut Model, msg: Msg, rt: &mut crate::tui::effects::Runtime| {
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
    let mut rt = crate::tui::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = loaded(Mode::Demo, &demo_inventory().expect("demo"));
    select(&mut m, "account.password-policy");
    let e = crate::tui::update::update(&mut m, key('p'));
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
    crate::tui::update::update(&mut m, code(KeyCode::Esc));
    let e = crate::tui::update::update(&mut m, key('p'));
    let [Effect::Plan(job)] = e.as_slice() else {
        panic!("{e:?}")
    };
    let answer = job.run();
    crate::tui::update::update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.overlay, None);
    crate::tui::update::update(
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
    let mut rt = crate::tui::effects::Runtime::new(dynb.clone(), dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::DryRun { demo: true });
    let deadline = std::time::Duration::from_secs(20);
    for e in update(&mut m, Msg::Start) {
        rt.run(e);
    }
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| !m.collecting()).await;

    let mut confirmed = vec![];
    for def in crate::checks::items() {
        if !matches!(def.fix, Fix::Plan(_))
            || !crate::tui::update::needs_attention(status(&m, def.id))
        {
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
    let now = crate::collect::collect_inventory(dynb, crate::aws::inventory::PartId::ALL).await;
    let demo = demo_inventory().expect("demo");
    for p in crate::aws::inventory::PartId::ALL {
        assert_eq!(now.get(*p), demo.get(*p), "{p:?} changed");
    }
}

/// Apply, then undo from the journal view through the real effects: the
/// journal is read again after each, the undo marks the batch undone, and
/// the item fails again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effects_undo_from_the_journal_view_against_the_demo_backend() {
    use crate::collect::demo::DemoBackend;
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let backend: Arc<dyn crate::collect::Backend> = Arc::new(DemoBackend::new().expect("demo"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rt = crate::tui::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::Demo);
    let pump = |m: &mut Model, msg: Msg, rt: &mut crate::tui::effects::Runtime| {
        for e in update(m, msg) {
            rt.run(e);
        }
    };
    pump(&mut m, Msg::Start, &mut rt);
    let deadline = std::time::Duration::from_secs(20);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        !m.collecting() && m.journal.account.is_some()
    })
    .await;
    assert!(m.journal.entries.is_empty());
    select(&mut m, "account.password-policy");
    pump(&mut m, key('a'), &mut rt);
    pump(&mut m, key('y'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Outcome(_)))
            && !m.collecting()
            && m.journal.entries.len() == 1
    })
    .await;
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
    pump(&mut m, code(KeyCode::Esc), &mut rt);

    pump(&mut m, key('J'), &mut rt);
    pump(&mut m, key('u'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Preview(_)))
    })
    .await;
    pump(&mut m, key('a'), &mut rt);
    pump(&mut m, key('y'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Outcome(_)))
            && !m.collecting()
            && m.journal.batches().len() == 2
    })
    .await;
    assert_eq!(status(&m, "account.password-policy"), Status::Fail);
    let batches = m.journal.batches();
    assert_eq!(batches[1].status, BatchStatus::Undone, "{batches:?}");
    assert_eq!(batches[0].undo_of, [batches[1].batch]);
}

/// In dry-run the undo is recorded, not sent: the account keeps the
/// change and nothing is marked undone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effects_undo_in_dry_run_sends_nothing() {
    use crate::collect::demo::DemoBackend;
    use crate::collect::dryrun::DryRun;
    use std::sync::Arc;
    use std::time::Duration;
    let dir = tempfile::tempdir().expect("tempdir");
    // A live session on the demo account (its state kept in `dir`) applied
    // the password policy.
    let mut m = demo(Mode::Demo);
    select(&mut m, "account.password-policy");
    update(&mut m, key('a'));
    let Some(Overlay::Confirm(c)) = m.overlay.take() else {
        panic!()
    };
    let journal = crate::journal::Journal::open(dir.path(), DEMO_ACCOUNT);
    let live = Arc::new(DemoBackend::persistent(dir.path(), Duration::ZERO).expect("demo"));
    let report = crate::execute::execute(live, &c.plan, &journal, |_| {})
        .await
        .expect("apply");
    assert!(report.ok() && !report.dry_run, "{report:?}");

    let backend: Arc<dyn crate::collect::Backend> = Arc::new(DryRun::new(
        DemoBackend::persistent(dir.path(), Duration::ZERO).expect("demo"),
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut rt = crate::tui::effects::Runtime::new(backend, dir.path().to_path_buf(), tx);
    let mut m = new_model(Mode::DryRun { demo: true });
    let pump = |m: &mut Model, msg: Msg, rt: &mut crate::tui::effects::Runtime| {
        for e in update(m, msg) {
            rt.run(e);
        }
    };
    pump(&mut m, Msg::Start, &mut rt);
    let deadline = std::time::Duration::from_secs(20);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        !m.collecting() && !m.journal.entries.is_empty()
    })
    .await;
    assert_eq!(status(&m, "account.password-policy"), Status::Pass);
    pump(&mut m, key('J'), &mut rt);
    pump(&mut m, key('u'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        !matches!(m.overlay, Some(Overlay::Planning(_)))
    })
    .await;
    assert!(
        matches!(m.overlay, Some(Overlay::Preview(_))),
        "{:?} {:?}",
        m.overlay,
        m.flash
    );
    pump(&mut m, key('a'), &mut rt);
    pump(&mut m, key('y'), &mut rt);
    pump_until(&mut m, &mut rx, &mut rt, deadline, |m| {
        matches!(m.overlay, Some(Overlay::Outcome(_)))
    })
    .await;
    let Some(Overlay::Outcome(o)) = &m.overlay else {
        panic!()
    };
    assert!(o.dry_run && o.done.len() == 1, "{o:?}");
    rt.finish().await;
    let entries = journal.entries().expect("entries");
    assert!(
        entries
            .iter()
            .all(|e| e.state == crate::journal::EntryState::Applied),
        "nothing marked undone: {entries:?}"
    );
    // The account keeps the change.
    let inv = crate::collect::collect_inventory(
        Arc::new(DemoBackend::persistent(dir.path(), Duration::ZERO).expect("demo")),
        &[PartId::Identity, PartId::PasswordPolicy],
    )
    .await;
    let mut again = new_model(Mode::Demo);
    let mut full = demo_inventory().expect("demo");
    full.set(inv.get(PartId::PasswordPolicy).expect("policy"));
    super::super::update::load_inventory(&mut again, &full);
    assert_eq!(status(&again, "account.password-policy"), Status::Pass);
}
