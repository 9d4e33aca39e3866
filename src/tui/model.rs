//! The TUI's state. Everything the screen shows is here, already computed
//! (item results, diff lines, sanitized account text): the view only reads it.

use super::keymap::Keymap;
use super::update::Effect;
use crate::aws::inventory::{Inventory, PartId};
use crate::checks::{self, Ctx, ItemDef, ItemResult, Status};
use crate::collect::Mode;
use crate::config::Settings;
use crate::diff::DiffLine;
use crate::history::Baseline;
use crate::journal::{Entry, EntryState};
use crate::kit::text::sanitize;
use crate::plan::{InputSpec, Inputs, Plan};
use crate::report::Comparison;
use crate::state::Progress;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the onboarding walk (`n` / `N`) visits next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// The next item that needs attention (fail, manual, error).
    Attention,
    /// Every item in the guide's order, passing ones included.
    Guide,
}

/// Where the walk stands: the selected section among all of them, and the
/// items done among all items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkProgress {
    /// 1-based.
    pub section: usize,
    pub sections: usize,
    pub done: usize,
    pub items: usize,
}

/// Which pane has the keyboard in the main view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Sections,
    Items,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

/// A one-line message in the footer, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
}

/// Guided-item progress for the current account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressState {
    /// No account known yet, or its file is being read.
    Unknown,
    Loaded,
    /// The file could not be read; marks are not saved over it.
    Broken(String),
}

/// The scan compared with the account's last saved one (the header's
/// "since last scan", each item's change mark).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompareState {
    /// The last saved scan of the account: `None` until it has been looked
    /// for (see `looked`), or when there is none.
    pub baseline: Option<Arc<Baseline>>,
    /// The saved scans have been looked for (the answer arrived).
    pub looked: bool,
    /// This session's scan has been saved.
    pub saved: bool,
    /// The current results compared with the baseline, kept up to date.
    pub comparison: Option<Comparison>,
}

/// One op as the confirmation dialog lists it (sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRow {
    pub action: String,
    pub resource: String,
    pub region: String,
    pub reversible: bool,
    pub describe: String,
    /// The item the op fixes, in a batch over several items.
    pub item: Option<String>,
}

impl OpRow {
    pub fn rows(plan: &Plan) -> Vec<OpRow> {
        plan.steps
            .iter()
            .map(|s| OpRow {
                action: s.op.action().to_string(),
                resource: sanitize(&s.op.resource().to_string()),
                region: s
                    .op
                    .region()
                    .map(sanitize)
                    .unwrap_or_else(|| "global".into()),
                reversible: s.inverse.is_some(),
                describe: sanitize(&s.op.describe()),
                item: s.item.as_deref().map(sanitize),
            })
            .collect()
    }
}

/// A plan on screen: its diff, already computed and sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewState {
    pub item: String,
    pub plan: Plan,
    pub lines: Vec<DiffLine>,
    pub ops: Vec<OpRow>,
    pub warnings: Vec<String>,
    pub scroll: u16,
    /// A plan over several marked items: what it holds and leaves out.
    pub batch: Option<BatchView>,
}

/// How an item was marked for a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// One by one (space): kept in the batch even when it cannot be undone.
    One,
    /// With the section's failing items (`A`): left out of the batch when
    /// its change cannot be undone.
    Section,
}

/// A batch whose items' inputs are asked for, form after form, before it
/// is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPending {
    /// Open the confirmation rather than the preview once planned.
    pub confirm: bool,
    /// Items whose form comes after the open one.
    pub forms: Vec<&'static str>,
}

/// What a batch plan holds: its items in order, and the marked items it
/// does not hold, each with why (sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    pub items: Vec<String>,
    pub skipped: Vec<String>,
    /// The calls undo cannot fully restore, each with why.
    pub undo_short: Vec<String>,
}

impl BatchView {
    /// `N items`, or `N of M marked items` when the plan leaves some out.
    pub fn count(&self) -> String {
        let n = self.items.len();
        if self.skipped.is_empty() {
            format!("{n} items")
        } else {
            format!("{n} of {} marked items", n + self.skipped.len())
        }
    }
}

/// The plan being built: its request number (a later request or a cancel
/// makes the answer stale) and item.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanningState {
    pub seq: u64,
    pub item: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmState {
    pub item: String,
    pub plan: Plan,
    pub ops: Vec<OpRow>,
    pub warnings: Vec<String>,
    pub dry_run: bool,
    pub account: String,
    /// The preview to go back to when cancelled.
    pub back: Option<PreviewState>,
    /// First line of the list of calls shown (a long plan scrolls).
    pub scroll: u16,
    /// A plan over several marked items: what it leaves out, and why.
    pub batch: Option<BatchView>,
    /// A plan that cannot be undone and locks people out (removing a root
    /// user's credentials): the account id to type, and what is typed so far.
    pub typed: Option<TypedConfirm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedConfirm {
    pub want: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub spec: InputSpec,
    pub label: String,
    pub help: String,
    pub value: String,
    pub error: Option<String>,
    /// Typed into or left: show its error.
    pub touched: bool,
}

impl Field {
    pub fn revalidate(&mut self) {
        self.error = self.spec.validate(&self.value).err();
    }
    pub fn shown_error(&self) -> Option<&str> {
        self.error.as_deref().filter(|_| self.touched)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    pub item: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A problem the plan builder found with the values as a whole.
    pub note: Option<String>,
}

/// Where an apply is.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyingState {
    pub item: String,
    pub plan: Plan,
    pub ops: Vec<OpRow>,
    pub stage: String,
    pub dry_run: bool,
}

/// A resource that differs from the preview after apply, as a diff.
#[derive(Debug, Clone, PartialEq)]
pub struct MismatchView {
    pub resource: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeKind {
    /// Every op was sent (or, in dry-run, recorded).
    Applied {
        mismatches: Vec<MismatchView>,
        batch: Option<String>,
    },
    /// An op was refused; later ones were not sent.
    Failed {
        index: usize,
        error: String,
        batch: Option<String>,
        /// In a batch: the item of the refused call.
        item: Option<String>,
        /// In a batch: the items none of whose calls were sent.
        unreached: Vec<String>,
    },
    /// The resource changed since the plan: nothing was sent.
    Drift {
        resource: String,
        lines: Vec<DiffLine>,
    },
    /// Refused or failed before sending anything.
    Refused { error: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeState {
    pub item: String,
    pub kind: OutcomeKind,
    /// Ops handled (sent, or recorded in dry-run).
    pub done: Vec<OpRow>,
    pub dry_run: bool,
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// `back` is the overlay to return to when help closes.
    Help {
        scroll: u16,
        back: Option<Box<Overlay>>,
    },
    Preview(PreviewState),
    /// A plan is being built off the UI task (a plan over thousands of
    /// resources takes seconds); Esc drops it.
    Planning(PlanningState),
    Confirm(Box<ConfirmState>),
    Form(FormState),
    Applying(ApplyingState),
    Outcome(OutcomeState),
    /// The journal view (`J`).
    Journal(JournalView),
}

/// The whole UI state.
pub struct Model {
    pub mode: Mode,
    pub settings: Settings,
    pub keymap: Keymap,
    pub now: DateTime<Utc>,
    pub inventory: Inventory,
    /// Evaluated items, in guide order (`checks::items()`), account text
    /// sanitized. Shared: a job off the UI task compares or saves them.
    pub results: Vec<Arc<ItemResult>>,
    /// Per item (guide order), the check job that will bring its result
    /// (0: none in flight); see `evaluate.rs`.
    pub checking: Vec<u64>,
    /// Number of the latest check job.
    pub check_seq: u64,
    /// Sanitized account id and caller ARN, once known.
    pub account: Option<String>,
    pub caller: Option<String>,
    /// Raw account id (for file names and the journal).
    pub account_raw: Option<String>,
    pub progress: Progress,
    pub progress_state: ProgressState,
    /// The comparison with the last saved scan.
    pub compare: CompareState,
    /// Generation of the latest collect request per part; older answers are dropped.
    pub part_gen: BTreeMap<PartId, u64>,
    pub next_gen: u64,
    /// The apply in flight, by generation.
    pub applying_gen: Option<u64>,
    /// Number of the latest plan request (see [`PlanningState`]).
    pub plan_seq: u64,
    /// The plan being built opens the confirmation, not the preview.
    pub planning_confirm: bool,
    /// Values the user gave per item's inputs.
    pub inputs: BTreeMap<String, Inputs>,
    pub sections: Vec<&'static str>,
    pub section: usize,
    /// Index within the selected section.
    pub item: usize,
    pub focus: Focus,
    pub detail_scroll: u16,
    /// What `n` / `N` visit.
    pub walk: Walk,
    /// The `/` filter over item ids and titles, across sections (empty: none).
    pub filter: String,
    /// The filter is being typed: keys go to it.
    pub filter_editing: bool,
    /// Only items that need attention are listed.
    pub attention_only: bool,
    /// A failing resource picked in the detail pane (item id, resource):
    /// the item's plan then covers only it.
    pub picked: Option<(String, String)>,
    pub spinner: usize,
    pub overlay: Option<Overlay>,
    pub flash: Option<Flash>,
    /// Quit was asked while an apply runs; asked again, it quits anyway.
    pub quit_armed: bool,
    pub quit: bool,
    /// Items marked for a batch (item id → how); `p`/`a` act on them
    /// when there are any. Kept across sections and the filter, not saved.
    pub marks: BTreeMap<String, MarkKind>,
    /// The batch whose inputs are being asked for.
    pub batch_pending: Option<BatchPending>,
    /// The account's journal and the undo in progress.
    pub journal: JournalState,
}

/// An item's result with the account's text made inert for the terminal.
pub(super) fn evaluate_sanitized(def: &ItemDef, inv: &Inventory, ctx: &Ctx) -> ItemResult {
    let mut r = checks::evaluate(def, inv, ctx);
    r.summary = sanitize(&r.summary);
    for f in &mut r.findings {
        f.resource = sanitize(&f.resource);
        f.detail = sanitize(&f.detail);
        f.region = f.region.as_deref().map(sanitize);
    }
    r
}

/// Fail, manual or error: the user has something to do or to look at.
pub fn needs_attention(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Manual | Status::Error)
}

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl Model {
    pub fn new(mode: Mode, settings: Settings, keymap: Keymap, now: DateTime<Utc>) -> Model {
        let mut m = Model {
            mode,
            settings,
            keymap,
            now,
            inventory: Inventory::default(),
            results: vec![],
            checking: vec![0; checks::items().len()],
            check_seq: 0,
            account: None,
            caller: None,
            account_raw: None,
            progress: Progress::default(),
            progress_state: ProgressState::Unknown,
            compare: CompareState::default(),
            part_gen: BTreeMap::new(),
            next_gen: 1,
            applying_gen: None,
            plan_seq: 0,
            planning_confirm: false,
            inputs: BTreeMap::new(),
            sections: checks::sections(),
            section: 0,
            item: 0,
            focus: Focus::Items,
            detail_scroll: 0,
            walk: Walk::Attention,
            filter: String::new(),
            filter_editing: false,
            attention_only: false,
            picked: None,
            spinner: 0,
            overlay: None,
            flash: None,
            quit_armed: false,
            quit: false,
            marks: BTreeMap::new(),
            batch_pending: None,
            journal: JournalState::default(),
        };
        m.reevaluate();
        m
    }

    /// Recompute every item's result from the inventory and progress, here
    /// and now (the session starts so, and tests and benches settle the
    /// model so); the session checks items off the UI task (`check`).
    pub fn reevaluate(&mut self) {
        let ctx = self.ctx();
        let results = checks::items()
            .iter()
            .map(|def| Arc::new(evaluate_sanitized(def, &self.inventory, &ctx)))
            .collect();
        self.results = results;
        self.checking = vec![0; self.results.len()];
        self.recompare();
    }

    /// Compare the results with the baseline again, here and now.
    pub fn recompare(&mut self) {
        self.compare.comparison = self
            .compare
            .baseline
            .as_ref()
            .map(|b| b.compare(&self.results));
    }

    /// Check again the items that read one of `parts` (a part arrived or
    /// was reset): on a large account an arriving part re-checks its own
    /// section's items, not all of them. The identity names the account
    /// every item is judged for, so it re-checks everything.
    pub fn check_parts(&mut self, parts: &[PartId]) -> Vec<Effect> {
        if parts.contains(&PartId::Identity) {
            return self.check_all();
        }
        let items: Vec<usize> = checks::items()
            .iter()
            .enumerate()
            .filter(|(_, def)| def.needs.iter().any(|p| parts.contains(p)))
            .map(|(g, _)| g)
            .collect();
        self.check(items)
    }

    pub fn section_id(&self) -> Option<&'static str> {
        self.sections.get(self.section).copied()
    }

    /// Items of the selected section, in guide order, with their global index.
    pub fn section_items(&self, section: &str) -> Vec<(usize, &'static ItemDef)> {
        checks::items()
            .iter()
            .enumerate()
            .filter(|(_, d)| d.section == section)
            .collect()
    }

    /// Items of the selected section that the filter and the attention
    /// toggle let through.
    pub fn current_items(&self) -> Vec<(usize, &'static ItemDef)> {
        self.section_id()
            .map(|s| self.visible_items(s))
            .unwrap_or_default()
    }

    /// Items of `section` that the filter and the attention toggle let through.
    pub fn visible_items(&self, section: &str) -> Vec<(usize, &'static ItemDef)> {
        self.section_items(section)
            .into_iter()
            .filter(|(g, _)| self.shown(*g))
            .collect()
    }

    /// Whether any list narrowing (text filter or attention toggle) is on.
    pub fn narrowed(&self) -> bool {
        !self.filter.is_empty() || self.attention_only
    }

    /// Whether item `g` (index in `checks::items()`) passes the filter (its
    /// id or title contains the text, ignoring case) and the attention toggle.
    pub fn shown(&self, g: usize) -> bool {
        let Some(r) = self.results.get(g) else {
            return false;
        };
        if self.attention_only && !needs_attention(r.status) {
            return false;
        }
        if self.filter.is_empty() {
            return true;
        }
        let needle = self.filter.to_lowercase();
        r.id.to_lowercase().contains(&needle) || r.title.to_lowercase().contains(&needle)
    }

    /// Whether item `g` counts as done for the walk's progress: it passes,
    /// or the user marked it done (the remembered `state::Progress`), or it
    /// is settled another way (accepted in the config, or not applicable
    /// to this account), so nothing is left to do about it.
    pub fn item_done(&self, g: usize) -> bool {
        let Some(r) = self.results.get(g) else {
            return false;
        };
        matches!(
            r.status,
            Status::Pass | Status::Accepted | Status::NotApplicable
        ) || self.progress.done.contains_key(&r.id)
    }

    /// "section 4 of 12, 23 of 62 items done".
    pub fn walk_progress(&self) -> WalkProgress {
        WalkProgress {
            section: self.section + 1,
            sections: self.sections.len(),
            done: (0..self.results.len())
                .filter(|g| self.item_done(*g))
                .count(),
            items: self.results.len(),
        }
    }

    /// The selected item and its result.
    pub fn current(&self) -> Option<(&'static ItemDef, &ItemResult)> {
        let (g, def) = *self.current_items().get(self.item)?;
        Some((def, self.results.get(g)?.as_ref()))
    }

    /// The resource picked for the selected item, if it still needs a fix.
    pub fn picked_resource(&self) -> Option<&str> {
        let (def, r) = self.current()?;
        let (item, res) = self.picked.as_ref()?;
        (item == def.id
            && r.findings
                .iter()
                .any(|f| &f.resource == res && f.status == Status::Fail))
        .then_some(res.as_str())
    }

    pub fn result(&self, id: &str) -> Option<&ItemResult> {
        self.results.iter().find(|r| r.id == id).map(Arc::as_ref)
    }

    pub fn count(&self, s: Status) -> usize {
        self.results.iter().filter(|r| r.status == s).count()
    }

    /// Parts collected (ready or failed) out of the parts asked for.
    pub fn collection_progress(&self) -> (usize, usize) {
        self.inventory.progress()
    }

    /// The account is being read, or its items checked.
    pub fn collecting(&self) -> bool {
        let (d, t) = self.collection_progress();
        d < t || self.checking_count() > 0
    }

    /// Something on screen moves (spinners), so ticks should redraw.
    pub fn animating(&self) -> bool {
        self.collecting()
            || matches!(
                self.overlay,
                Some(Overlay::Applying(_) | Overlay::Planning(_))
            )
            || self.results.iter().any(|r| r.status == Status::Loading)
    }

    pub fn spinner_frame(&self) -> &'static str {
        SPINNER[self.spinner % SPINNER.len()]
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now: self.now,
            settings: &self.settings,
            done: &self.progress.done,
        }
    }
}

/// The account's journal as read off the UI task (`Effect::LoadJournal`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalState {
    /// The account (raw id) the entries were read for; `None` until read.
    pub account: Option<String>,
    /// Every entry, oldest first (account text not yet sanitized); set
    /// through [`JournalState::set_entries`].
    pub entries: Vec<Entry>,
    /// Damaged lines were reported once already.
    pub warned: bool,
    /// The undo being planned, previewed or confirmed.
    pub undo: Option<UndoPending>,
    /// The entries' indices grouped by batch, in order of each batch's
    /// first entry: worked out once when the journal is read
    /// ([`JournalState::set_entries`]), not on every frame, as are the two
    /// below.
    groups: Vec<Vec<usize>>,
    /// Per group, the groups whose entries it undid (an undo batch).
    undid: Vec<Vec<usize>>,
    /// Per item, the group that last changed it (applied, or applied then
    /// undone).
    last: std::collections::HashMap<String, usize>,
}

/// An undo on its way from `u` to the confirmation: the batch, the entries
/// it reverses and, once planned, its plan (the confirmed plan is an undo
/// exactly when it is this one).
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPending {
    pub seq: u64,
    pub batch: String,
    pub entries: Vec<Entry>,
    pub plan: Option<Plan>,
    /// The journal view's selection to return to.
    pub selected: usize,
}

/// The journal view: the selected batch (newest first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JournalView {
    pub selected: usize,
}

/// Where a batch stands, from its entries' states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    Applied,
    /// A call was refused; those before it were applied.
    FailedPartWay,
    /// A call was refused before any was applied.
    Failed,
    Undone,
    PartlyUndone,
    /// moat stopped while sending: the outcome of a call is not known.
    Unknown,
}

impl BatchStatus {
    pub fn text(self) -> &'static str {
        match self {
            BatchStatus::Applied => "applied",
            BatchStatus::FailedPartWay => "failed part-way",
            BatchStatus::Failed => "failed",
            BatchStatus::Undone => "undone",
            BatchStatus::PartlyUndone => "partly undone",
            BatchStatus::Unknown => "unknown (interrupted)",
        }
    }

    fn of(entries: &[&Entry]) -> BatchStatus {
        let n = |s: EntryState| entries.iter().filter(|e| e.state == s).count();
        let (applied, failed, undone) = (
            n(EntryState::Applied),
            n(EntryState::Failed),
            n(EntryState::Undone),
        );
        if n(EntryState::Unknown) > 0 {
            BatchStatus::Unknown
        } else if undone > 0 && applied == 0 {
            BatchStatus::Undone
        } else if undone > 0 {
            BatchStatus::PartlyUndone
        } else if failed > 0 && applied > 0 {
            BatchStatus::FailedPartWay
        } else if failed > 0 {
            BatchStatus::Failed
        } else {
            BatchStatus::Applied
        }
    }
}

/// One batch of the journal as the view lists it (raw account text: the
/// view sanitizes it).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow<'a> {
    pub batch: &'a str,
    pub time: DateTime<Utc>,
    /// The items it changed, in order, once each.
    pub items: Vec<&'a str>,
    pub entries: Vec<&'a Entry>,
    pub status: BatchStatus,
    /// For an undo batch: the batches whose entries it reversed.
    pub undo_of: Vec<&'a str>,
    /// When the last of its entries was undone.
    pub undone_at: Option<DateTime<Utc>>,
}

/// The item id an undo's plan carries (and its journal batch records).
pub const UNDO_ITEM: &str = "undo";

impl JournalState {
    /// Every batch, newest first.
    pub fn batches(&self) -> Vec<BatchRow<'_>> {
        (0..self.batch_count())
            .filter_map(|i| self.batch(i))
            .collect()
    }

    /// How many batches the journal holds.
    pub fn batch_count(&self) -> usize {
        self.groups.len()
    }

    /// The `i`-th batch, newest first.
    pub fn batch(&self, i: usize) -> Option<BatchRow<'_>> {
        let g = self.groups.len().checked_sub(i + 1)?;
        self.group(g)
    }

    fn group(&self, g: usize) -> Option<BatchRow<'_>> {
        let entries: Vec<&Entry> = self
            .groups
            .get(g)?
            .iter()
            .filter_map(|i| self.entries.get(*i))
            .collect();
        let b = entries.first()?.batch.as_str();
        let undo_of = self.undid[g]
            .iter()
            .filter_map(|o| {
                Some(
                    self.entries
                        .get(*self.groups.get(*o)?.first()?)?
                        .batch
                        .as_str(),
                )
            })
            .collect();
        Some(BatchRow::of(b, entries, undo_of))
    }

    /// Keep the journal as read, and group its entries by batch (one pass).
    pub fn set_entries(&mut self, entries: Vec<Entry>) {
        let mut index: std::collections::HashMap<&str, usize> = Default::default();
        let mut groups: Vec<Vec<usize>> = vec![];
        let mut last = std::collections::HashMap::new();
        for (n, e) in entries.iter().enumerate() {
            let i = *index.entry(e.batch.as_str()).or_insert_with(|| {
                groups.push(vec![]);
                groups.len() - 1
            });
            groups[i].push(n);
            if e.state != EntryState::Failed {
                last.insert(e.item.clone(), i);
            }
        }
        let mut undid: Vec<Vec<usize>> = vec![vec![]; groups.len()];
        for (g, group) in groups.iter().enumerate() {
            for e in group.iter().filter_map(|i| entries.get(*i)) {
                if let Some((_, by)) = &e.undone
                    && let Some(u) = index.get(by.as_str())
                    && !undid[*u].contains(&g)
                {
                    undid[*u].push(g);
                }
            }
        }
        self.groups = groups;
        self.undid = undid;
        self.last = last;
        self.entries = entries;
    }

    /// The batch that last changed `item` (applied, or applied then undone).
    pub fn last_change(&self, item: &str) -> Option<BatchRow<'_>> {
        self.group(*self.last.get(item)?)
    }
}

impl<'a> BatchRow<'a> {
    fn of(batch: &'a str, entries: Vec<&'a Entry>, undo_of: Vec<&'a str>) -> BatchRow<'a> {
        let mut items: Vec<&str> = vec![];
        for e in &entries {
            if !items.contains(&e.item.as_str()) {
                items.push(&e.item);
            }
        }
        BatchRow {
            batch,
            time: entries.iter().map(|e| e.time).min().unwrap_or_default(),
            items,
            status: BatchStatus::of(&entries),
            undone_at: entries
                .iter()
                .filter_map(|e| e.undone.as_ref().map(|(t, _)| *t))
                .max(),
            entries,
            undo_of,
        }
    }
}
