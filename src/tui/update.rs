//! `update(&mut Model, Msg) -> Vec<Effect>`: the TUI's only state transition.
//! Pure: no I/O, no clock. Planning is pure too, so it happens here; diffs are
//! computed here when a plan arrives and stored in the model for the view.

use super::keymap::{Action, Context};
use super::model::*;
use crate::checks::{self, Fix, ItemDef, Status};
use crate::diff::{DiffLine, LineKind, diff_lines};
use crate::execute::{ExecError, ExecEvent, ExecReport};
use crate::inventory::{Inventory, PartError, PartId, PartStatus, PartValue};
use crate::kit::text::sanitize;
use crate::plan::{Inputs, Plan, PlanError, make_plan};
use crate::state::Progress;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything that can happen to the UI.
#[derive(Debug)]
pub enum Msg {
    /// The session starts: scan the account.
    Start,
    Key(KeyEvent),
    /// Spinner frame.
    Tick,
    /// The wall clock, for checks that age things (sent now and then by the loop).
    Clock(DateTime<Utc>),
    Resize,
    /// One inventory part arrived (or failed), for the collect request `generation`.
    Part {
        generation: u64,
        part: PartId,
        result: Result<PartValue, PartError>,
    },
    ProgressLoaded {
        account: String,
        result: Result<Progress, String>,
    },
    ProgressSaved {
        account: String,
        result: Result<(), String>,
    },
    ApplyProgress {
        generation: u64,
        event: ExecEvent,
    },
    Applied {
        generation: u64,
        result: Result<ExecReport, ApplyFailure>,
    },
    /// A plan built off the UI task, for request `seq` (see `Effect::Plan`).
    Planned {
        seq: u64,
        result: Result<Box<PreviewState>, PlanError>,
    },
}

/// Why an apply sent nothing (or stopped), as the UI needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyFailure {
    /// The resource changed since the plan was made.
    Drift {
        resource: String,
        planned: String,
        live: String,
    },
    Other(String),
}

impl From<ExecError> for ApplyFailure {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Drift {
                resource,
                planned,
                live,
            } => ApplyFailure::Drift {
                resource: resource.to_string(),
                planned,
                live,
            },
            other => ApplyFailure::Other(other.to_string()),
        }
    }
}

/// Work for the runtime (effects.rs); answers come back as [`Msg`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Collect `parts`; answer each with `Msg::Part { generation, .. }`.
    Collect {
        generation: u64,
        parts: Vec<PartId>,
    },
    /// Apply a confirmed plan; answer with `Msg::ApplyProgress` and `Msg::Applied { generation, .. }`.
    Apply {
        generation: u64,
        plan: Plan,
    },
    LoadProgress {
        account: String,
    },
    SaveProgress {
        account: String,
        progress: Progress,
    },
    /// Build a plan and its preview off the UI task; answer with `Msg::Planned`.
    Plan(Box<PlanJob>),
}

/// Everything a plan builder needs, owned, so it can run on another thread
/// while the UI stays responsive.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanJob {
    pub seq: u64,
    pub item: &'static str,
    pub inputs: Inputs,
    pub inventory: Inventory,
    pub now: DateTime<Utc>,
    pub settings: crate::config::Settings,
    pub done: std::collections::BTreeMap<String, DateTime<Utc>>,
}

impl PlanJob {
    /// Run the item's plan builder, derive the plan and render its preview.
    pub fn run(&self) -> Result<Box<PreviewState>, PlanError> {
        let def = checks::item(self.item)
            .ok_or_else(|| PlanError::Invalid(format!("unknown item {}", self.item)))?;
        let Fix::Plan(f) = def.fix else {
            return Err(PlanError::Invalid(format!("{} has no plan", self.item)));
        };
        let ctx = checks::Ctx {
            now: self.now,
            settings: &self.settings,
            done: &self.done,
        };
        let plan = f(&self.inventory, &ctx, &self.inputs)
            .and_then(|d| make_plan(&self.inventory, def.id, d))?;
        Ok(Box::new(preview_state(def.id, plan)))
    }
}

/// Lines of context around changes in the preview: small documents show
/// whole, a bucket's long document only around what changes.
const PREVIEW_CONTEXT: usize = 8;
const MAX_INPUT: usize = 256;

pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Start => collect(m, PartId::ALL.to_vec()),
        Msg::Tick => {
            m.spinner = m.spinner.wrapping_add(1);
            vec![]
        }
        Msg::Clock(now) => {
            m.now = now;
            m.reevaluate();
            vec![]
        }
        Msg::Resize => vec![],
        Msg::Part {
            generation,
            part,
            result,
        } => on_part(m, generation, part, result),
        Msg::ProgressLoaded { account, result } => {
            if m.account_raw.as_deref() == Some(account.as_str()) {
                match result {
                    Ok(p) => {
                        m.progress = p;
                        m.progress_state = ProgressState::Loaded;
                    }
                    Err(e) => {
                        tracing::warn!("progress: {e}");
                        flash(
                            m,
                            Level::Error,
                            format!("could not read the guided-item progress: {}", sanitize(&e)),
                        );
                        m.progress_state = ProgressState::Broken(sanitize(&e));
                    }
                }
                m.reevaluate();
            }
            vec![]
        }
        Msg::ProgressSaved { result, .. } => {
            if let Err(e) = result {
                flash(
                    m,
                    Level::Error,
                    format!("could not save the guided-item progress: {}", sanitize(&e)),
                );
            }
            vec![]
        }
        Msg::ApplyProgress { generation, event } => {
            if m.applying_gen == Some(generation)
                && let Some(Overlay::Applying(a)) = &mut m.overlay
            {
                a.stage = stage_text(&event, a.dry_run, &a.ops);
            }
            vec![]
        }
        Msg::Applied { generation, result } => on_applied(m, generation, result),
        Msg::Planned { seq, result } => on_planned(m, seq, result),
        Msg::Key(k) => on_key(m, k),
    }
}

/// [`update`], with the plan jobs it asks for run right away on this thread
/// and their answers fed back: what the runtime does off the UI task, made
/// synchronous for tests and benches. Returns the other effects.
pub fn update_inline(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut out = vec![];
    let mut queue: std::collections::VecDeque<Effect> = update(m, msg).into();
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::Plan(job) => {
                let result = job.run();
                queue.extend(update(
                    m,
                    Msg::Planned {
                        seq: job.seq,
                        result,
                    },
                ));
            }
            other => out.push(other),
        }
    }
    out
}

fn flash(m: &mut Model, level: Level, text: impl Into<String>) {
    m.flash = Some(Flash {
        level,
        text: text.into(),
    });
}

/// Ask for `parts` again under a new generation; they show as loading until they arrive.
fn collect(m: &mut Model, mut parts: Vec<PartId>) -> Vec<Effect> {
    parts.sort();
    parts.dedup();
    let generation = m.next_gen;
    m.next_gen += 1;
    for p in &parts {
        m.part_gen.insert(*p, generation);
        m.inventory.reset(*p);
    }
    m.reevaluate_parts(&parts);
    vec![Effect::Collect { generation, parts }]
}

/// Store `parts` as read in `inv` (what an apply re-read to verify); answers
/// still in flight for them become stale. Returns the parts `inv` lacks.
fn adopt(m: &mut Model, inv: &Inventory, parts: Vec<PartId>) -> Vec<PartId> {
    let generation = m.next_gen;
    m.next_gen += 1;
    let mut missing = vec![];
    let changed = parts.clone();
    for p in parts {
        // The identity is pinned by the apply; the part that names the account stays.
        if p == PartId::Identity {
            continue;
        }
        match inv.status(p) {
            PartStatus::Ready => match inv.get(p) {
                Some(v) => m.inventory.set(v),
                None => missing.push(p),
            },
            PartStatus::Error(e) => m.inventory.set_error(p, e.clone()),
            PartStatus::Loading => {
                missing.push(p);
                continue;
            }
        }
        m.part_gen.insert(p, generation);
    }
    m.reevaluate_parts(&changed);
    missing
}

fn on_part(
    m: &mut Model,
    generation: u64,
    part: PartId,
    result: Result<PartValue, PartError>,
) -> Vec<Effect> {
    if m.part_gen.get(&part) != Some(&generation) {
        tracing::debug!("dropping stale {part:?} from generation {generation}");
        return vec![];
    }
    let mut effects = vec![];
    match result {
        Ok(v) => {
            if v.id() != part {
                tracing::warn!("collector for {part:?} answered {:?}", v.id());
            }
            if let PartValue::Identity(id) = &v {
                m.caller = Some(sanitize(&id.arn));
                if m.account_raw.as_deref() != Some(id.account.as_str()) {
                    m.account_raw = Some(id.account.clone());
                    m.account = Some(sanitize(&id.account));
                    m.progress = Progress::default();
                    m.progress_state = ProgressState::Unknown;
                    m.inputs.clear();
                    effects.push(Effect::LoadProgress {
                        account: id.account.clone(),
                    });
                }
            }
            m.inventory.set(v);
        }
        Err(e) => {
            tracing::info!("{part:?} failed: {}", e.summary());
            m.inventory.set_error(part, e);
        }
    }
    m.reevaluate_parts(&[part]);
    effects
}

fn context(m: &Model) -> Context {
    match &m.overlay {
        None => Context::Main,
        Some(Overlay::Preview(_)) => Context::Preview,
        Some(Overlay::Confirm(_)) => Context::Confirm,
        Some(Overlay::Form(_)) => Context::Form,
        Some(
            Overlay::Help { .. }
            | Overlay::Applying(_)
            | Overlay::Planning(_)
            | Overlay::Outcome(_),
        ) => Context::Dialog,
    }
}

fn on_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    m.flash = None;
    let ctx = context(m);
    let action = m.keymap.action(ctx, &k);
    if action != Some(Action::Quit) {
        m.quit_armed = false;
    }
    match ctx {
        Context::Main => main_key(m, action),
        Context::Preview => preview_key(m, action),
        Context::Confirm => confirm_key(m, action),
        Context::Form => form_key(m, action, k),
        Context::Dialog => dialog_key(m, action),
    }
}

fn quit(m: &mut Model) {
    if m.applying_gen.is_some() && !m.quit_armed {
        m.quit_armed = true;
        let key = m.keymap.key(Context::Dialog, Action::Quit);
        flash(
            m,
            Level::Warning,
            format!(
                "a change is being applied; wait for it to finish (press {key} again to quit anyway)"
            ),
        );
        return;
    }
    m.quit = true;
}

// ---- main view -------------------------------------------------------------

fn main_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    match action {
        Action::Quit => quit(m),
        Action::Help => {
            m.overlay = Some(Overlay::Help {
                scroll: 0,
                back: None,
            })
        }
        Action::FocusNext => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Items,
                Focus::Items => Focus::Detail,
                Focus::Detail => Focus::Sections,
            }
        }
        Action::FocusPrev => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Detail,
                Focus::Items => Focus::Sections,
                Focus::Detail => Focus::Items,
            }
        }
        Action::Back if m.focus == Focus::Detail && m.picked_resource().is_some() => {
            m.picked = None;
            flash(
                m,
                Level::Info,
                "the change covers every failing resource again",
            );
        }
        Action::Open if m.focus == Focus::Detail => pick_next(m),
        Action::Left | Action::Back => {
            m.focus = match m.focus {
                Focus::Detail => Focus::Items,
                _ => Focus::Sections,
            }
        }
        Action::Right | Action::Open => {
            m.focus = match m.focus {
                Focus::Sections => Focus::Items,
                _ => Focus::Detail,
            }
        }
        Action::Up => move_by(m, -1),
        Action::Down => move_by(m, 1),
        Action::PageUp => move_by(m, -10),
        Action::PageDown => move_by(m, 10),
        Action::Top => move_by(m, i32::MIN / 2),
        Action::Bottom => move_by(m, i32::MAX / 2),
        Action::Preview => return start_plan(m, false),
        Action::Apply => return start_plan(m, true),
        Action::EditInputs => edit_inputs(m),
        Action::MarkDone => return mark_done(m),
        Action::NextAttention => walk(m, true),
        Action::PrevAttention => walk(m, false),
        Action::Rescan => {
            flash(m, Level::Info, "re-scanning the account…");
            return collect(m, PartId::ALL.to_vec());
        }
        _ => {}
    }
    vec![]
}

/// Pick the next failing resource of the selected item (after the last one,
/// none: the change covers them all again).
fn pick_next(m: &mut Model) {
    let Some((def, r)) = m.current() else { return };
    let failing: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.resource.clone())
        .collect();
    if !matches!(def.fix, Fix::Plan(_)) || failing.is_empty() {
        flash(
            m,
            Level::Info,
            "nothing to pick: this item has no failing resource moat can change",
        );
        return;
    }
    let id = def.id.to_string();
    // In the order the detail pane lists them (grouped by region).
    let order = crate::tui::view::detail_order(&r.findings);
    let failing: Vec<String> = order
        .into_iter()
        .filter_map(|i| r.findings.get(i))
        .filter(|f| failing.contains(&f.resource))
        .map(|f| f.resource.clone())
        .collect();
    let next = match m.picked_resource() {
        None => failing.first().cloned(),
        Some(cur) => failing
            .iter()
            .position(|x| x == cur)
            .and_then(|i| failing.get(i + 1))
            .cloned(),
    };
    match next {
        Some(res) => {
            let preview = m.keymap.key(Context::Main, Action::Preview);
            let back = m.keymap.key(Context::Main, Action::Back);
            flash(
                m,
                Level::Info,
                format!(
                    "picked {res}: {preview} previews the change of this resource alone ({back}: all)"
                ),
            );
            m.picked = Some((id, res));
        }
        None => {
            m.picked = None;
            flash(
                m,
                Level::Info,
                "the change covers every failing resource again",
            );
        }
    }
}

fn clamp_add(v: usize, delta: i32, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (v as i64 + delta as i64).clamp(0, len as i64 - 1) as usize
}

fn move_by(m: &mut Model, delta: i32) {
    match m.focus {
        Focus::Sections => {
            let s = clamp_add(m.section, delta, m.sections.len());
            if s != m.section {
                m.section = s;
                m.item = 0;
                m.detail_scroll = 0;
            }
        }
        Focus::Items => {
            let i = clamp_add(m.item, delta, m.current_items().len());
            if i != m.item {
                m.item = i;
                m.detail_scroll = 0;
            }
        }
        Focus::Detail => {
            let top = i32::from(u16::MAX);
            m.detail_scroll =
                (i32::from(m.detail_scroll) + delta.clamp(-top, top)).clamp(0, top) as u16;
        }
    }
}

/// Select an item by its index in `checks::items()`.
fn select_global(m: &mut Model, idx: usize) {
    let Some(def) = checks::items().get(idx) else {
        return;
    };
    if let Some(s) = m.sections.iter().position(|s| *s == def.section) {
        m.section = s;
        m.item = m
            .section_items(def.section)
            .iter()
            .position(|(g, _)| *g == idx)
            .unwrap_or(0);
        m.detail_scroll = 0;
        if m.focus == Focus::Sections {
            m.focus = Focus::Items;
        }
    }
}

fn select_id(m: &mut Model, id: &str) {
    if let Some(idx) = checks::items().iter().position(|d| d.id == id) {
        select_global(m, idx);
    }
}

pub fn needs_attention(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Manual | Status::Error)
}

/// The onboarding walk: the next (or previous) item that needs attention, across sections.
fn walk(m: &mut Model, forward: bool) {
    let n = m.results.len();
    if n == 0 {
        return;
    }
    let cur = m.current_items().get(m.item).map(|(g, _)| *g).unwrap_or(0);
    for k in 1..=n {
        let idx = if forward {
            (cur + k) % n
        } else {
            (cur + n * 2 - k) % n
        };
        if needs_attention(m.results[idx].status) {
            select_global(m, idx);
            return;
        }
    }
    let loading = m.results.iter().any(|r| r.status == Status::Loading);
    if loading {
        flash(
            m,
            Level::Info,
            "still reading the account; nothing needs attention so far",
        );
    } else {
        flash(
            m,
            Level::Success,
            "nothing needs attention: every item passes or is done",
        );
    }
}

fn mark_done(m: &mut Model) -> Vec<Effect> {
    let Some((def, _)) = m.current() else {
        return vec![];
    };
    if !def.can_mark_done() {
        flash(
            m,
            Level::Info,
            "only items no API can check are marked done; the account's live state decides this one",
        );
        return vec![];
    }
    let Some(account) = m.account_raw.clone() else {
        flash(
            m,
            Level::Info,
            "the account is not known yet; wait for the scan",
        );
        return vec![];
    };
    match &m.progress_state {
        ProgressState::Loaded => {}
        ProgressState::Unknown => {
            flash(
                m,
                Level::Info,
                "still reading the saved progress; try again in a moment",
            );
            return vec![];
        }
        ProgressState::Broken(e) => {
            let e = e.clone();
            flash(
                m,
                Level::Error,
                format!("progress is not saved while its file is damaged: {e}"),
            );
            return vec![];
        }
    }
    let id = def.id;
    if m.progress.done.remove(id).is_some() {
        flash(m, Level::Info, format!("{id} marked not done"));
    } else {
        m.progress.done.insert(id.to_string(), m.now);
        flash(m, Level::Success, format!("{id} marked done"));
    }
    m.reevaluate();
    vec![Effect::SaveProgress {
        account,
        progress: m.progress.clone(),
    }]
}

// ---- planning --------------------------------------------------------------

/// `p` (confirm = false) or `a` (confirm = true) on the selected item.
fn start_plan(m: &mut Model, confirm: bool) -> Vec<Effect> {
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
fn build_plan(m: &mut Model, def: &'static ItemDef, confirm: bool) -> Vec<Effect> {
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
    }))]
}

/// A plan arrived: show it, unless it was cancelled or superseded.
fn on_planned(
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
    let mut lines = vec![];
    for (i, rc) in plan.resources.iter().enumerate() {
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
    sanitize_lines(lines)
}

fn sanitize_lines(lines: Vec<DiffLine>) -> Vec<DiffLine> {
    lines
        .into_iter()
        .map(|l| DiffLine {
            kind: l.kind,
            text: sanitize(&l.text),
        })
        .collect()
}

fn preview_state(item: &str, plan: Plan) -> PreviewState {
    PreviewState {
        item: item.to_string(),
        lines: plan_diff(&plan),
        ops: OpRow::rows(&plan),
        warnings: plan.warnings.iter().map(|w| sanitize(w)).collect(),
        plan,
        scroll: 0,
    }
}

fn confirm_state(m: &Model, plan: Plan, back: Option<PreviewState>) -> ConfirmState {
    ConfirmState {
        item: plan.item.clone(),
        ops: OpRow::rows(&plan),
        warnings: plan.warnings.iter().map(|w| sanitize(w)).collect(),
        dry_run: m.mode.is_dry_run(),
        account: sanitize(&plan.account),
        plan,
        back,
    }
}

// ---- input form ------------------------------------------------------------

fn open_form(m: &mut Model, def: &'static ItemDef, error: Option<(String, String)>) {
    let text = crate::guide::guide().item(def.id);
    let stored = m.inputs.get(def.id);
    let mut fields: Vec<Field> = def
        .inputs
        .iter()
        .map(|spec| {
            let t = text.and_then(|t| t.inputs.get(spec.name));
            // A secret (an MFA code) is asked for afresh every time.
            let value = stored
                .filter(|_| !spec.kind.is_secret())
                .and_then(|s| s.values.get(spec.name).cloned())
                .or_else(|| spec.default.map(str::to_string))
                .unwrap_or_default();
            let mut f = Field {
                spec: *spec,
                label: t
                    .map(|t| t.label.clone())
                    .unwrap_or_else(|| spec.name.to_string()),
                help: t.map(|t| t.help.clone()).unwrap_or_default(),
                value,
                error: None,
                touched: false,
            };
            f.revalidate();
            f
        })
        .collect();
    let mut focus = 0;
    let mut note = None;
    if let Some((name, message)) = error {
        match fields.iter().position(|f| f.spec.name == name) {
            Some(i) => {
                fields[i].error = Some(sanitize(&message));
                fields[i].touched = true;
                focus = i;
            }
            None => note = Some(sanitize(&format!("{name}: {message}"))),
        }
    }
    m.overlay = Some(Overlay::Form(FormState {
        item: def.id.to_string(),
        fields,
        focus,
        note,
    }));
}

fn edit_inputs(m: &mut Model) {
    let Some((def, _)) = m.current() else { return };
    if def.inputs.is_empty() {
        flash(m, Level::Info, "this item's change takes no input");
        return;
    }
    open_form(m, def, None);
}

fn form_key(m: &mut Model, action: Option<Action>, k: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = &mut m.overlay else {
        return vec![];
    };
    let n = form.fields.len();
    match action {
        Some(Action::NextField | Action::PrevField) if n > 0 => {
            let f = &mut form.fields[form.focus];
            f.touched = true;
            f.revalidate();
            form.focus = if action == Some(Action::NextField) {
                (form.focus + 1) % n
            } else {
                (form.focus + n - 1) % n
            };
        }
        Some(Action::ClearField) if n > 0 => {
            let f = &mut form.fields[form.focus];
            f.value.clear();
            f.touched = true;
            f.revalidate();
        }
        Some(Action::Cancel) => {
            m.overlay = None;
            flash(m, Level::Info, "cancelled; nothing was changed");
        }
        Some(Action::Submit) => {
            form.note = None;
            for f in &mut form.fields {
                f.touched = true;
                f.revalidate();
            }
            // A value typed wrong always stops here; a field left empty only
            // when the plan needs it (`cidr` is not needed to revoke).
            if let Some(i) = form
                .fields
                .iter()
                .position(|f| f.error.is_some() && !f.value.trim().is_empty())
            {
                form.focus = i;
                return vec![];
            }
            let mut inputs = Inputs::default();
            for f in &form.fields {
                if let Ok(v) = f.spec.validate(&f.value) {
                    inputs.values.insert(f.spec.name.to_string(), v);
                }
            }
            if let Some(first) = form.fields.iter().position(|f| f.error.is_some()) {
                let needed = match checks::item(&form.item).map(|d| d.fix) {
                    Some(Fix::Plan(f)) => {
                        let probe = Inputs {
                            resources: m
                                .picked_resource()
                                .map(|r| vec![r.to_string()])
                                .unwrap_or_default(),
                            ..inputs.clone()
                        };
                        match f(&m.inventory, &m.ctx(), &probe) {
                            Err(PlanError::Input { name, .. }) => Some(name),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(name) = needed {
                    let Some(Overlay::Form(form)) = &mut m.overlay else {
                        return vec![];
                    };
                    form.focus = form
                        .fields
                        .iter()
                        .position(|f| f.spec.name == name && f.error.is_some())
                        .unwrap_or(first);
                    return vec![];
                }
            }
            let Some(Overlay::Form(form)) = &mut m.overlay else {
                return vec![];
            };
            let item = form.item.clone();
            m.inputs.insert(item.clone(), inputs);
            m.overlay = None;
            if let Some(def) = checks::item(&item) {
                return build_plan(m, def, false);
            }
        }
        _ if n > 0 => {
            let f = &mut form.fields[form.focus];
            let typed = match k.code {
                KeyCode::Char(c)
                    if !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    if f.value.chars().count() < MAX_INPUT && !c.is_control() {
                        f.value.push(c);
                    }
                    true
                }
                KeyCode::Backspace => {
                    f.value.pop();
                    true
                }
                _ => false,
            };
            if typed {
                f.touched = true;
                f.revalidate();
            }
        }
        _ => {}
    }
    vec![]
}

// ---- preview, confirmation, apply ------------------------------------------

fn scroll(v: &mut u16, action: Action, len: usize) {
    let max = len.saturating_sub(1).min(u16::MAX as usize) as i32;
    let delta = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        Action::PageDown => 10,
        Action::Top => -i32::MAX / 2,
        Action::Bottom => i32::MAX / 2,
        _ => 0,
    };
    *v = (*v as i32).saturating_add(delta).clamp(0, max) as u16;
}

fn preview_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    let Some(Overlay::Preview(p)) = &mut m.overlay else {
        return vec![];
    };
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let len = p.lines.len();
            scroll(&mut p.scroll, action, len);
        }
        Action::Apply => {
            if let Some(Overlay::Preview(p)) = m.overlay.take() {
                let c = confirm_state(m, p.plan.clone(), Some(p));
                m.overlay = Some(Overlay::Confirm(Box::new(c)));
            }
        }
        Action::EditInputs => {
            let item = p.item.clone();
            match checks::item(&item) {
                Some(def) if !def.inputs.is_empty() => open_form(m, def, None),
                _ => flash(m, Level::Info, "this item's change takes no input"),
            }
        }
        Action::Close => m.overlay = None,
        Action::Help => {
            let back = m.overlay.take().map(Box::new);
            m.overlay = Some(Overlay::Help { scroll: 0, back });
        }
        Action::Quit => quit(m),
        _ => {}
    }
    vec![]
}

fn confirm_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(Overlay::Confirm(c)) = m.overlay.take() else {
        return vec![];
    };
    if action != Some(Action::Confirm) {
        m.overlay = c.back.map(Overlay::Preview);
        flash(m, Level::Info, "cancelled; nothing was sent");
        return vec![];
    }
    forget_secrets(m, &c.item);
    let generation = m.next_gen;
    m.next_gen += 1;
    m.applying_gen = Some(generation);
    m.overlay = Some(Overlay::Applying(ApplyingState {
        item: c.item.clone(),
        stage: stage_text(&ExecEvent::Checking, c.dry_run, &c.ops),
        ops: c.ops,
        dry_run: c.dry_run,
        plan: c.plan.clone(),
    }));
    vec![Effect::Apply {
        generation,
        plan: c.plan,
    }]
}

/// Drop secret inputs (MFA codes) once the plan holding them is on its way:
/// a code is good for one change, and nothing keeps it.
fn forget_secrets(m: &mut Model, item: &str) {
    let Some(def) = checks::item(item) else {
        return;
    };
    if let Some(inputs) = m.inputs.get_mut(item) {
        for spec in def.inputs.iter().filter(|s| s.kind.is_secret()) {
            inputs.values.remove(spec.name);
        }
    }
}

fn stage_text(ev: &ExecEvent, dry_run: bool, ops: &[OpRow]) -> String {
    match ev {
        ExecEvent::Checking => {
            "re-reading the account to check nothing changed since the preview…".into()
        }
        ExecEvent::Sending { index, total } => {
            let action = ops.get(*index).map(|o| o.action.as_str()).unwrap_or("");
            let verb = if dry_run {
                "recording (not sending)"
            } else {
                "sending"
            };
            format!("{verb} {}/{total}: {action}", index + 1)
        }
        ExecEvent::Verifying => "re-reading the account to compare it with the preview…".into(),
    }
}

fn on_applied(
    m: &mut Model,
    generation: u64,
    result: Result<ExecReport, ApplyFailure>,
) -> Vec<Effect> {
    if m.applying_gen != Some(generation) {
        tracing::debug!("dropping stale apply answer {generation}");
        return vec![];
    }
    m.applying_gen = None;
    m.quit_armed = false;
    let Some(Overlay::Applying(a)) = m.overlay.take() else {
        tracing::warn!("apply finished without its dialog");
        return vec![];
    };
    let reparts = || {
        let mut p = a.plan.parts();
        if let Some(def) = checks::item(&a.item) {
            p.extend(def.needs.iter().copied());
        }
        p
    };
    let mut effects = vec![];
    let (kind, done) = match result {
        Ok(report) => {
            let done: Vec<OpRow> = report
                .applied
                .iter()
                .filter_map(|(i, _)| a.ops.get(*i).cloned())
                .collect();
            let kind = match &report.failed {
                Some((index, err)) => OutcomeKind::Failed {
                    index: *index,
                    error: sanitize(&err.to_string()),
                    batch: report.batch.clone(),
                },
                None => OutcomeKind::Applied {
                    mismatches: report
                        .mismatches
                        .iter()
                        .map(|mm| {
                            let name = mm.resource.to_string();
                            let mut lines = diff_lines(&name, &mm.expected, &mm.actual, 3);
                            relabel(&mut lines, &name, "(preview)", "(account now)");
                            MismatchView {
                                resource: sanitize(&name),
                                lines: sanitize_lines(lines),
                            }
                        })
                        .collect(),
                    batch: report.batch.clone(),
                },
            };
            match (&kind, report.dry_run) {
                (_, true) => flash(m, Level::Info, "dry-run: nothing was sent"),
                (OutcomeKind::Applied { mismatches, .. }, false) if mismatches.is_empty() => flash(
                    m,
                    Level::Success,
                    format!("applied {} change(s); re-checking the item", done.len()),
                ),
                (OutcomeKind::Applied { .. }, false) => flash(
                    m,
                    Level::Warning,
                    "applied, but the account now differs from the preview",
                ),
                _ => flash(
                    m,
                    Level::Error,
                    "a change was refused; later ones were not sent",
                ),
            }
            if !report.dry_run && !report.applied.is_empty() {
                // Apply re-read the plan's and the item's parts to verify:
                // take them from there rather than reading the account again.
                let missing = match report.reread.as_deref() {
                    Some(inv) => adopt(m, inv, reparts()),
                    None => reparts(),
                };
                if !missing.is_empty() {
                    effects = collect(m, missing);
                }
            }
            (kind, done)
        }
        Err(ApplyFailure::Drift {
            resource,
            planned,
            live,
        }) => {
            let mut lines = diff_lines(&resource, &planned, &live, 3);
            relabel(&mut lines, &resource, "(when previewed)", "(account now)");
            flash(
                m,
                Level::Warning,
                "nothing was sent: the account changed since the preview",
            );
            effects = collect(m, reparts());
            (
                OutcomeKind::Drift {
                    resource: sanitize(&resource),
                    lines: sanitize_lines(lines),
                },
                vec![],
            )
        }
        Err(ApplyFailure::Other(e)) => {
            flash(m, Level::Error, "nothing was sent");
            (
                OutcomeKind::Refused {
                    error: sanitize(&e),
                },
                vec![],
            )
        }
    };
    m.overlay = Some(Overlay::Outcome(OutcomeState {
        item: a.item,
        kind,
        done,
        dry_run: a.dry_run,
        scroll: 0,
    }));
    effects
}

/// Start `m` and feed it every part of `inv` at once, as a finished
/// collection would (errors where `inv` has them); saved progress is empty.
/// Tests, screen snapshots and the render bench start from it.
pub fn load_inventory(m: &mut Model, inv: &Inventory) {
    let effects = update(m, Msg::Start);
    let Some((generation, parts)) = effects.into_iter().find_map(|e| match e {
        Effect::Collect { generation, parts } => Some((generation, parts)),
        _ => None,
    }) else {
        return;
    };
    for part in parts {
        let result = match inv.status(part) {
            PartStatus::Error(e) => Err(e.clone()),
            _ => inv
                .get(part)
                .ok_or_else(|| PartError::new("load_inventory", None, "not in the inventory")),
        };
        update(
            m,
            Msg::Part {
                generation,
                part,
                result,
            },
        );
    }
    if let Some(account) = m.account_raw.clone() {
        update(
            m,
            Msg::ProgressLoaded {
                account,
                result: Ok(Progress::default()),
            },
        );
    }
}

/// Replace diff_lines' "(now)"/"(after)" labels.
fn relabel(lines: &mut [DiffLine], name: &str, old: &str, new: &str) {
    for l in lines.iter_mut().filter(|l| l.kind == LineKind::Header) {
        if l.text == format!("--- {name} (now)") {
            l.text = format!("--- {name} {old}");
        } else if l.text == format!("+++ {name} (after)") {
            l.text = format!("+++ {name} {new}");
        }
    }
}

fn dialog_key(m: &mut Model, action: Option<Action>) -> Vec<Effect> {
    let Some(action) = action else { return vec![] };
    if action == Action::Quit {
        quit(m);
        return vec![];
    }
    match m.overlay.take() {
        Some(Overlay::Help { mut scroll, back }) => match action {
            Action::Close => m.overlay = back.map(|b| *b),
            a => {
                let rows: usize = m.keymap.help().iter().map(|(_, r)| r.len() + 2).sum();
                self::scroll(&mut scroll, a, rows);
                m.overlay = Some(Overlay::Help { scroll, back });
            }
        },
        Some(Overlay::Planning(p)) => match action {
            Action::Close => flash(m, Level::Info, "planning cancelled; nothing was changed"),
            _ => m.overlay = Some(Overlay::Planning(p)),
        },
        Some(Overlay::Applying(a)) => {
            m.overlay = Some(Overlay::Applying(a));
            flash(
                m,
                Level::Info,
                "applying… the result appears here when it is done",
            );
        }
        Some(Overlay::Outcome(mut o)) => match action {
            Action::Close => {}
            Action::PlanAgain => {
                let item = o.item.clone();
                select_id(m, &item);
                return start_plan(m, false);
            }
            a => {
                let len = match &o.kind {
                    OutcomeKind::Applied { mismatches, .. } => {
                        mismatches.iter().map(|x| x.lines.len()).sum()
                    }
                    OutcomeKind::Drift { lines, .. } => lines.len(),
                    _ => 0,
                } + o.done.len()
                    + 10;
                scroll(&mut o.scroll, a, len);
                m.overlay = Some(Overlay::Outcome(o));
            }
        },
        other => m.overlay = other,
    }
    vec![]
}
