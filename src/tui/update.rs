//! `update(&mut Model, Msg) -> Vec<Effect>`: the TUI's only state transition.
//! Pure: no I/O, no clock. Planning is pure too, so it happens here; diffs are
//! computed here when a plan arrives and stored in the model for the view.
//!
//! The keys of each screen and what follows from them live beside this file:
//! the main view (`main_view`), planning and its preview (`planning`), the
//! input form (`form`), and the confirmation, apply and its outcome (`apply`).

mod apply;
pub mod batch;
mod form;
mod journal;
mod main_view;
mod planning;

use self::apply::{confirm_key, dialog_key, on_applied, preview_key, stage_text};
use self::form::form_key;
use self::journal::{journal_key, load_journal, on_journal_loaded, on_undo_planned};
use self::main_view::{filter_key, main_key};
use self::planning::{on_planned, preview_state};
use super::keymap::{Action, Context};
use super::model::*;
use crate::aws::inventory::{Inventory, PartError, PartId, PartStatus, PartValue};
use crate::checks::{self, Fix};
use crate::execute::{ExecError, ExecEvent, ExecReport};
use crate::history::Baseline;
use crate::kit::text::sanitize;
use crate::plan::{Inputs, Plan, PlanError, make_plan};
use crate::report::compare::SavedScan;
use crate::state::Progress;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

pub use self::journal::JournalRead;
pub use self::planning::plan_diff;
pub use super::model::needs_attention;

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
    /// The account's last saved scan was looked for (`None`: there is none).
    BaselineLoaded {
        account: String,
        result: Result<Option<Box<Baseline>>, String>,
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
    /// The account's journal was read (see `Effect::LoadJournal`).
    JournalLoaded {
        account: String,
        result: Result<JournalRead, String>,
    },
    /// Items checked off the UI task, for job `seq` (see `Effect::Check`).
    Checked {
        seq: u64,
        answers: Vec<super::evaluate::Checked>,
    },
    /// An undo planned off the UI task, for request `seq` (see `Effect::PlanUndo`).
    UndoPlanned {
        seq: u64,
        result: Result<Box<Plan>, crate::execute::UndoError>,
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
        /// The account id typed at the confirmation, for a plan that asks
        /// for it ([`Plan::typed_confirmation`]); `execute` checks it again.
        typed: Option<String>,
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
    /// Look for the account's last saved scan; answer with `Msg::BaselineLoaded`.
    LoadBaseline {
        account: String,
        demo: bool,
    },
    /// Check items off the UI task; answer with `Msg::Checked`.
    Check(Box<super::evaluate::CheckJob>),
    /// Save the session's scan (no answer: a failure is logged).
    SaveScan(Box<ScanToSave>),
    /// Read the account's journal; answer with `Msg::JournalLoaded`.
    LoadJournal {
        account: String,
    },
    /// Read what undoing `entries` needs and plan it (`execute::plan_undo`);
    /// answer with `Msg::UndoPlanned`.
    PlanUndo {
        seq: u64,
        entries: Vec<crate::journal::Entry>,
    },
    /// Run a confirmed undo of `entries` (`execute::run_undo`, which marks
    /// them undone); answer as `Apply` does.
    Undo {
        generation: u64,
        plan: Plan,
        entries: Vec<crate::journal::Entry>,
    },
}

/// The session's scan, saved off the UI task (the results are shared, not
/// copied: the saved form is made there).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanToSave {
    pub account: String,
    pub demo: bool,
    pub time: DateTime<Utc>,
    pub results: Vec<std::sync::Arc<crate::checks::ItemResult>>,
}

impl ScanToSave {
    pub fn saved(&self) -> SavedScan {
        SavedScan::of(&self.account, self.demo, self.time, &self.results)
    }
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
    /// The marked items of a batch plan (`item` is then [`batch::BATCH`]);
    /// empty for one item's plan.
    pub batch: Vec<batch::BatchMember>,
}

impl PlanJob {
    /// Run the item's plan builder, derive the plan and render its preview.
    pub fn run(&self) -> Result<Box<PreviewState>, PlanError> {
        if !self.batch.is_empty() {
            return batch::run(self);
        }
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

pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Start => collect(m, PartId::ALL.to_vec()),
        Msg::Tick => {
            m.spinner = m.spinner.wrapping_add(1);
            vec![]
        }
        Msg::Clock(now) => {
            m.now = now;
            m.check_all()
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
                return m.check_all();
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
        Msg::BaselineLoaded { account, result } => {
            if m.account_raw.as_deref() != Some(account.as_str()) {
                return vec![];
            }
            m.compare.looked = true;
            match result {
                Ok(b) => m.compare.baseline = b.map(|b| std::sync::Arc::new(*b)),
                Err(e) => {
                    tracing::warn!("saved scans: {e}");
                    flash(
                        m,
                        Level::Warning,
                        format!("could not read the last scan: {}", sanitize(&e)),
                    );
                }
            }
            let mut effects = m.compare_all();
            effects.extend(save_scan(m));
            effects
        }
        Msg::ApplyProgress { generation, event } => {
            if m.applying_gen == Some(generation)
                && let Some(Overlay::Applying(a)) = &mut m.overlay
            {
                a.stage = stage_text(&event, a.dry_run, &a.ops);
            }
            vec![]
        }
        Msg::Applied { generation, result } => {
            let stale = m.applying_gen != Some(generation);
            let mut effects = on_applied(m, generation, result);
            if !stale {
                effects.extend(load_journal(m));
            }
            effects
        }
        Msg::Planned { seq, result } => on_planned(m, seq, result),
        Msg::JournalLoaded { account, result } => on_journal_loaded(m, account, result),
        Msg::UndoPlanned { seq, result } => on_undo_planned(m, seq, result),
        Msg::Checked { seq, answers } => {
            let mut effects = m.on_checked(seq, answers);
            effects.extend(save_scan(m));
            effects
        }
        Msg::Key(k) => on_key(m, k),
    }
}

/// [`update`], with the plan and check jobs it asks for run right away on
/// this thread and their answers fed back: what the runtime does off the UI
/// task, made synchronous for tests and benches. Returns the other effects.
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
            Effect::Check(job) => {
                let answers = job.run();
                queue.extend(update(
                    m,
                    Msg::Checked {
                        seq: job.seq,
                        answers,
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
    let mut effects = m.check_parts(&parts);
    effects.push(Effect::Collect { generation, parts });
    effects
}

/// Store `parts` as read in `inv` (what an apply re-read to verify); answers
/// still in flight for them become stale. Returns the parts `inv` lacks, and
/// the effects that check the items again.
fn adopt(m: &mut Model, inv: &Inventory, parts: Vec<PartId>) -> (Vec<PartId>, Vec<Effect>) {
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
    let effects = m.check_parts(&changed);
    (missing, effects)
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
                    m.marks.clear();
                    m.compare = CompareState::default();
                    m.journal = JournalState::default();
                    effects.push(Effect::LoadProgress {
                        account: id.account.clone(),
                    });
                    effects.push(Effect::LoadBaseline {
                        account: id.account.clone(),
                        demo: crate::history::is_demo(m.mode),
                    });
                    effects.push(Effect::LoadJournal {
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
    effects.extend(m.check_parts(&[part]));
    effects.extend(save_scan(m));
    effects
}

/// Save the scan once it is whole, after the last saved one was looked for
/// (so that the comparison is with the one before it).
fn save_scan(m: &mut Model) -> Vec<Effect> {
    let Some(account) = m.account_raw.clone() else {
        return vec![];
    };
    if m.compare.saved
        || !m.compare.looked
        || m.collecting()
        || m.results
            .iter()
            .any(|r| r.status == checks::Status::Loading)
    {
        return vec![];
    }
    m.compare.saved = true;
    vec![Effect::SaveScan(Box::new(ScanToSave {
        account,
        demo: crate::history::is_demo(m.mode),
        time: m.now,
        results: m.results.clone(),
    }))]
}

fn context(m: &Model) -> Context {
    match &m.overlay {
        None if m.filter_editing => Context::Filter,
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
        Some(Overlay::Journal(_)) => Context::Journal,
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
        Context::Confirm => confirm_key(m, action, k),
        Context::Form => form_key(m, action, k),
        Context::Filter => filter_key(m, action, k),
        Context::Dialog => dialog_key(m, action),
        Context::Journal => journal_key(m, action),
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

/// Start `m` and feed it every part of `inv` at once, as a finished
/// collection would (errors where `inv` has them); saved progress is empty.
/// Tests, screen snapshots and the render bench start from it; the items
/// are checked here (see [`update_inline`]).
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
        update_inline(
            m,
            Msg::Part {
                generation,
                part,
                result,
            },
        );
    }
    if let Some(account) = m.account_raw.clone() {
        update_inline(
            m,
            Msg::ProgressLoaded {
                account,
                result: Ok(Progress::default()),
            },
        );
    }
}
