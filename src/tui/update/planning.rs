//! Planning an item: the plan builder runs off the UI task, and its answer
//! opens the preview (a diff of every touched resource) or the confirmation.

use super::form::open_form;
use super::{Effect, PlanJob, flash};
use crate::checks;
use crate::checks::{Fix, ItemDef, Status};
use crate::diff::{DiffLine, LineKind, diff_lines};
use crate::kit::text::sanitize;
use crate::plan::{Inputs, Plan, PlanError};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::*;

/// Lines of context around changes in the preview: small documents show
/// whole, a bucket's long document only around what changes.
const PREVIEW_CONTEXT: usize = 8;

/// `p` (confirm = false) or `a` (confirm = true) on the selected item.
pub(super) fn start_plan(m: &mut Model, confirm: bool) -> Vec<Effect> {
    let Some((def, res)) = m.current() else {
        return vec![];
    };
    let status = res.status;
    let f = match def.fix {
        Fix::None => {
            flash(
                m,
                Level::Info,
                "this item is a check only: moat has no change to make for it",
            );
            return vec![];
        }
        Fix::Guided => {
            let key = m.keymap.key(Context::Main, Action::MarkDone);
            flash(
                m,
                Level::Info,
                format!(
                    "no API can make this change: follow the steps in the detail pane, then press {key}"
                ),
            );
            m.focus = Focus::Detail;
            return vec![];
        }
        Fix::Plan(f) => f,
    };
    match status {
        Status::Loading => {
            flash(m, Level::Info, "still reading the account for this item…");
            return vec![];
        }
        Status::Error => {
            flash(
                m,
                Level::Error,
                "this item could not be checked (see the error); nothing to plan",
            );
            return vec![];
        }
        _ => {}
    }
    if !def.inputs.is_empty() && !m.inputs.contains_key(def.id) {
        // Ask for the inputs only when there is something to change.
        let probe = f(&m.inventory, &m.ctx(), &picked_inputs(m, Inputs::default()));
        match probe {
            Ok(_) | Err(PlanError::Input { .. }) => open_form(m, def, None),
            Err(e) => plan_error(m, def, e),
        }
        return vec![];
    }
    build_plan(m, def, confirm)
}

/// Run the item's plan builder with the stored inputs, off the UI task (a
/// plan over thousands of resources takes seconds to derive and diff); the
/// answer opens the preview (or, with `confirm`, the confirmation).
pub(super) fn build_plan(m: &mut Model, def: &'static ItemDef, confirm: bool) -> Vec<Effect> {
    if !matches!(def.fix, Fix::Plan(_)) {
        return vec![];
    }
    m.plan_seq += 1;
    let seq = m.plan_seq;
    m.planning_confirm = confirm;
    m.overlay = Some(Overlay::Planning(PlanningState {
        seq,
        item: def.id.to_string(),
    }));
    vec![Effect::Plan(Box::new(PlanJob {
        seq,
        item: def.id,
        inputs: picked_inputs(m, m.inputs.get(def.id).cloned().unwrap_or_default()),
        inventory: m.inventory.clone(),
        now: m.now,
        settings: m.settings.clone(),
        done: m.progress.done.clone(),
        batch: vec![],
    }))]
}

/// A plan arrived: show it, unless it was cancelled or superseded.
pub(super) fn on_planned(
    m: &mut Model,
    seq: u64,
    result: Result<Box<PreviewState>, PlanError>,
) -> Vec<Effect> {
    let Some(Overlay::Planning(p)) = &m.overlay else {
        return vec![];
    };
    if p.seq != seq {
        return vec![];
    }
    let item = p.item.clone();
    m.overlay = None;
    if item == super::batch::BATCH {
        super::batch::on_planned(m, result);
        return vec![];
    }
    let Some(def) = checks::item(&item) else {
        return vec![];
    };
    match result {
        Ok(preview) => {
            m.overlay = Some(if m.planning_confirm {
                Overlay::Confirm(Box::new(confirm_state(m, preview.plan.clone(), None)))
            } else {
                Overlay::Preview(*preview)
            });
        }
        Err(e) => plan_error(m, def, e),
    }
    vec![]
}

/// The inputs with the picked resource as the only one to fix, if one is picked.
fn picked_inputs(m: &Model, mut inputs: Inputs) -> Inputs {
    if let Some(r) = m.picked_resource() {
        inputs.resources = vec![r.to_string()];
    }
    inputs
}

fn plan_error(m: &mut Model, def: &'static ItemDef, e: PlanError) {
    match e {
        PlanError::Input { name, message } => open_form(m, def, Some((name, message))),
        PlanError::Guided(msg) => {
            flash(m, Level::Warning, sanitize(&msg));
            m.focus = Focus::Detail;
            m.detail_scroll = 0;
        }
        PlanError::NothingToDo(msg) => flash(
            m,
            Level::Success,
            format!("nothing to change: {}", sanitize(&msg)),
        ),
        e @ PlanError::NotReady(_) => flash(m, Level::Info, sanitize(&e.to_string())),
        PlanError::Invalid(msg) => flash(
            m,
            Level::Error,
            format!("cannot plan this change: {}", sanitize(&msg)),
        ),
    }
}

/// Diff every touched resource, before → after (sanitized, for the view).
pub fn plan_diff(plan: &Plan) -> Vec<DiffLine> {
    sanitize_lines(plan_diff_of(&plan.resources))
}

/// Diff each of `resources`, before → after (not sanitized).
pub(super) fn plan_diff_of(resources: &[crate::plan::ResourceChange]) -> Vec<DiffLine> {
    let mut lines = vec![];
    for (i, rc) in resources.iter().enumerate() {
        if i > 0 {
            lines.push(DiffLine {
                kind: LineKind::Context,
                text: String::new(),
            });
        }
        let name = rc.resource.to_string();
        lines.extend(diff_lines(
            &name,
            &rc.before_text(),
            &rc.after_text(),
            PREVIEW_CONTEXT,
        ));
    }
    lines
}

pub(super) fn sanitize_lines(lines: Vec<DiffLine>) -> Vec<DiffLine> {
    lines
        .into_iter()
        .map(|l| DiffLine {
            kind: l.kind,
            text: sanitize(&l.text),
        })
        .collect()
}

pub(super) fn preview_state(item: &str, plan: Plan) -> PreviewState {
    PreviewState {
        item: item.to_string(),
        lines: plan_diff(&plan),
        ops: OpRow::rows(&plan),
        warnings: plan.warnings.iter().map(|w| sanitize(w)).collect(),
        plan,
        scroll: 0,
        batch: None,
    }
}

pub(super) fn confirm_state(m: &Model, plan: Plan, back: Option<PreviewState>) -> ConfirmState {
    let typed = (!m.mode.is_dry_run())
        .then(|| plan.typed_confirmation())
        .flatten()
        .map(|want| TypedConfirm {
            want: want.to_string(),
            text: String::new(),
        });
    ConfirmState {
        item: plan.item.clone(),
        ops: OpRow::rows(&plan),
        warnings: plan.warnings.iter().map(|w| sanitize(w)).collect(),
        dry_run: m.mode.is_dry_run(),
        account: sanitize(&plan.account),
        plan,
        batch: back.as_ref().and_then(|p| p.batch.clone()),
        back,
        scroll: 0,
        typed,
    }
}
