//! The account list of a session over several accounts (`moat --account
//! A,B` or `moat --org`): every account with its items' status counts,
//! worst first, read in the background; Enter opens an account's session
//! (today's screens), and quitting it comes back here. Space marks accounts
//! and `a` applies one item to every marked account as one plan (see
//! [`super::accounts_apply`]).

use super::accounts_apply::{MultiApply, Picker, apply_accounts, plan_accounts};
use super::{Config, TerminalGuard};
use crate::checks::{self, Status};
use crate::collect::{Backend, collect_inventory};
use crate::config::Settings;
use anyhow::Context as _;
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use futures::future::BoxFuture;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Accounts read at once (each holds its inventory while it is judged).
const ACCOUNTS_AT_ONCE: usize = 4;

/// How to open one account: its backend (a role assumed there), or why not.
pub type Opening = BoxFuture<'static, Result<Arc<dyn Backend>, String>>;

/// The session over several accounts.
pub struct AccountsConfig {
    /// Each account's id and how to open it, in the order given.
    pub accounts: Vec<(String, Opening)>,
    pub state_dir: PathBuf,
    pub settings: Settings,
    pub keys: Vec<crate::config::KeyTable>,
    /// The accounts' backends send nothing (`--dry-run`).
    pub dry_run: bool,
}

/// An account's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// Not read yet.
    Waiting,
    /// Being read.
    Reading,
    /// Read: its items' status counts.
    Read(Counts),
    /// Could not be opened or read: why.
    Failed(String),
}

/// Items per status in one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub fail: usize,
    pub error: usize,
    pub manual: usize,
    pub pass: usize,
}

impl Counts {
    fn of(statuses: impl IntoIterator<Item = Status>) -> Counts {
        let mut c = Counts::default();
        for s in statuses {
            match s {
                Status::Fail => c.fail += 1,
                Status::Error => c.error += 1,
                Status::Pass => c.pass += 1,
                _ => c.manual += 1,
            }
        }
        c
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub state: RowState,
}

impl AccountRow {
    /// Whether the account needs attention: something fails, could not be
    /// checked, or the account could not be read.
    pub fn needs_attention(&self) -> bool {
        match &self.state {
            RowState::Read(c) => c.fail + c.error > 0,
            RowState::Failed(_) => true,
            RowState::Waiting | RowState::Reading => false,
        }
    }

    /// Worst first: accounts not read, then by failing and erroring items;
    /// accounts still being read last; the given order otherwise.
    fn rank(&self) -> (u8, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>) {
        use std::cmp::Reverse;
        match &self.state {
            RowState::Failed(_) => (0, Reverse(0), Reverse(0)),
            RowState::Read(c) => (1, Reverse(c.fail), Reverse(c.error)),
            RowState::Reading => (2, Reverse(0), Reverse(0)),
            RowState::Waiting => (3, Reverse(0), Reverse(0)),
        }
    }
}

/// The list's state.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountsModel {
    /// In the given order; shown sorted by [`AccountRow::rank`].
    pub rows: Vec<AccountRow>,
    /// The selected account's id.
    pub selected: Option<String>,
    pub quit: bool,
    /// An account the user asked to open.
    pub open: Option<String>,
    /// A one-line note in the footer.
    pub note: Option<String>,
    /// Accounts marked (space) for one item applied to each.
    pub marked: BTreeSet<String>,
    /// Each read account's failing items.
    pub failing: BTreeMap<String, Vec<String>>,
    /// Choosing the item to apply to the marked accounts.
    pub picker: Option<Picker>,
    /// The plan over the marked accounts, or its outcome.
    pub multi: Option<MultiApply>,
    /// What the run loop is asked to do next (plan, apply).
    pub request: Option<Request>,
    /// The session sends nothing (`--dry-run`).
    pub dry_run: bool,
}

/// Work the list asks of the run loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Plan item in each of the accounts.
    Plan(String, Vec<String>),
    /// Apply the plan shown.
    Apply,
}

impl AccountsModel {
    pub fn new(ids: impl IntoIterator<Item = String>) -> AccountsModel {
        let rows: Vec<AccountRow> = ids
            .into_iter()
            .map(|id| AccountRow {
                id,
                state: RowState::Waiting,
            })
            .collect();
        AccountsModel {
            selected: rows.first().map(|r| r.id.clone()),
            rows,
            quit: false,
            open: None,
            note: None,
            marked: BTreeSet::new(),
            failing: BTreeMap::new(),
            picker: None,
            multi: None,
            request: None,
            dry_run: false,
        }
    }

    /// The rows as shown: worst first, ties in the given order.
    pub fn shown(&self) -> Vec<&AccountRow> {
        let mut rows: Vec<&AccountRow> = self.rows.iter().collect();
        rows.sort_by_key(|r| r.rank());
        rows
    }

    fn position(&self) -> usize {
        let shown = self.shown();
        self.selected
            .as_ref()
            .and_then(|s| shown.iter().position(|r| &r.id == s))
            .unwrap_or(0)
    }

    fn select_at(&mut self, i: usize) {
        self.selected = self.shown().get(i).map(|r| r.id.clone());
    }

    /// An account's state changed.
    pub fn set(&mut self, id: &str, state: RowState) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.id == id) {
            r.state = state;
        }
    }

    /// A key: ↑/↓ (k/j), Home/End (g/G), Enter opens, `n` selects the next
    /// account needing attention, q or Esc quits.
    pub fn key(&mut self, k: KeyEvent) {
        self.note = None;
        if self.picker.is_some() {
            return self.picker_key(k);
        }
        if self.multi.is_some() {
            return self.multi_key(k);
        }
        let last = self.rows.len().saturating_sub(1);
        let at = self.position();
        match k.code {
            KeyCode::Char(' ') => {
                let row = self
                    .shown()
                    .get(at)
                    .map(|r| (r.id.clone(), matches!(r.state, RowState::Read(_))));
                match row {
                    Some((id, true)) if !self.marked.remove(&id) => {
                        self.marked.insert(id);
                    }
                    Some((_, true)) | None => {}
                    Some((id, false)) => self.note = Some(format!("{id} is not read yet")),
                }
            }
            KeyCode::Char('a') => {
                if self.marked.is_empty() {
                    self.note = Some("mark accounts with space first".into());
                } else {
                    let accounts: Vec<String> = self.marked.iter().cloned().collect();
                    self.picker = Some(Picker::new(accounts, &self.failing));
                }
            }
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => self.quit = true,
            KeyCode::Char('q') | KeyCode::Esc => self.quit = true,
            KeyCode::Down | KeyCode::Char('j') => self.select_at((at + 1).min(last)),
            KeyCode::Up | KeyCode::Char('k') => self.select_at(at.saturating_sub(1)),
            KeyCode::Home | KeyCode::Char('g') => self.select_at(0),
            KeyCode::End | KeyCode::Char('G') => self.select_at(last),
            KeyCode::Char('n') => {
                let shown = self.shown();
                let next = (1..=shown.len())
                    .map(|d| (at + d) % shown.len())
                    .find(|&i| shown[i].needs_attention());
                match next {
                    Some(i) => self.select_at(i),
                    None => self.note = Some("no account needs attention".into()),
                }
            }
            KeyCode::Enter => {
                let shown = self.shown();
                match shown.get(at).map(|r| (&r.id, &r.state)) {
                    Some((id, RowState::Failed(why))) => {
                        self.note = Some(format!("{id} could not be opened: {why}"));
                    }
                    Some((id, _)) => self.open = Some(id.clone()),
                    None => {}
                }
            }
            _ => {}
        }
    }
}

impl AccountsModel {
    fn picker_key(&mut self, k: KeyEvent) {
        let Some(p) = &mut self.picker else { return };
        let last = p.items.len().saturating_sub(1);
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => p.at = (p.at + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => p.at = p.at.saturating_sub(1),
            KeyCode::Enter => {
                if let Some((id, _)) = p.items.get(p.at) {
                    self.request = Some(Request::Plan(id.clone(), p.accounts.clone()));
                }
                self.picker = None;
            }
            _ => self.picker = None,
        }
    }

    fn multi_key(&mut self, k: KeyEvent) {
        let Some(m) = &mut self.multi else { return };
        if m.outcome.is_some() {
            self.multi = None;
            return;
        }
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => m.scroll = m.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => m.scroll = m.scroll.saturating_sub(1),
            KeyCode::PageDown => m.scroll = m.scroll.saturating_add(10),
            KeyCode::PageUp => m.scroll = m.scroll.saturating_sub(10),
            KeyCode::Char('y') if m.planned().count() > 0 => self.request = Some(Request::Apply),
            _ => {
                self.multi = None;
                self.note = Some("cancelled; nothing was sent".into());
            }
        }
    }
}

/// Draw the list.
pub fn render(f: &mut Frame, m: &AccountsModel) {
    if let Some(p) = &m.picker {
        return super::accounts_apply::render_picker(f, p);
    }
    if let Some(multi) = &m.multi {
        return super::accounts_apply::render_multi(f, multi, m.dry_run);
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(f.area());
    let read = m
        .rows
        .iter()
        .filter(|r| matches!(r.state, RowState::Read(_) | RowState::Failed(_)))
        .count();
    let attention = m.rows.iter().filter(|r| r.needs_attention()).count();
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" moat ", Style::new().add_modifier(Modifier::REVERSED)),
            Span::raw(format!(
                "  {} accounts · {read} read · {attention} need attention",
                m.rows.len()
            )),
        ])),
        header,
    );
    let shown = m.shown();
    let rows: Vec<Row> = shown
        .iter()
        .map(|r| {
            let (text, color) = match &r.state {
                RowState::Waiting => ("waiting".to_string(), Color::DarkGray),
                RowState::Reading => ("reading…".to_string(), Color::DarkGray),
                RowState::Failed(why) => (
                    format!("not opened: {}", crate::report::sanitize(why)),
                    Color::Red,
                ),
                RowState::Read(c) => (
                    format!(
                        "{} fail · {} error · {} to check · {} pass",
                        c.fail, c.error, c.manual, c.pass
                    ),
                    if c.fail + c.error > 0 {
                        Color::Yellow
                    } else {
                        Color::Green
                    },
                ),
            };
            let mark = if m.marked.contains(&r.id) {
                "*"
            } else if r.needs_attention() {
                "!"
            } else {
                " "
            };
            Row::new(vec![
                Span::raw(mark),
                Span::raw(r.id.clone()),
                Span::styled(text, Style::new().fg(color)),
            ])
        })
        .collect();
    let mut state = TableState::default().with_selected(Some(m.position()));
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(14),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(vec!["", "account", "items"]).style(Style::new().add_modifier(Modifier::BOLD)))
    .block(
        Block::new()
            .borders(Borders::ALL)
            .title(" Accounts, worst first "),
    )
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol("› ");
    f.render_stateful_widget(table, body, &mut state);
    let keys = m.note.clone().unwrap_or_else(|| {
        "↑↓ move  Enter open the account  n next needing attention  space mark  a apply an item to the marked  q quit".into()
    });
    f.render_widget(
        Paragraph::new(Span::styled(keys, Style::new().fg(Color::DarkGray))),
        footer,
    );
}

/// What the background readers tell the list.
enum Msg {
    State(String, RowState),
    Opened(String, Arc<dyn Backend>),
    /// An account's failing items, once read.
    Failing(String, Vec<String>),
}

/// Open and read every account (a few at once), telling the list.
async fn read_accounts(
    accounts: Vec<(String, Opening)>,
    state_dir: PathBuf,
    settings: Settings,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let items: Vec<&'static checks::ItemDef> = checks::items().iter().collect();
    let parts = checks::parts_for(&items);
    futures::stream::iter(accounts)
        .for_each_concurrent(ACCOUNTS_AT_ONCE, |(id, opening)| {
            let (tx, parts, items, state_dir, settings) =
                (&tx, &parts, &items, &state_dir, &settings);
            async move {
                let _ = tx.send(Msg::State(id.clone(), RowState::Reading));
                let backend = match opening.await {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = tx.send(Msg::State(id, RowState::Failed(e)));
                        return;
                    }
                };
                let _ = tx.send(Msg::Opened(id.clone(), backend.clone()));
                read_account(id, backend, items, parts, settings, state_dir, tx).await;
            }
        })
        .await;
}

/// Read one open account and tell the list its counts and failing items.
async fn read_account(
    id: String,
    backend: Arc<dyn Backend>,
    items: &[&'static checks::ItemDef],
    parts: &[crate::aws::inventory::PartId],
    settings: &Settings,
    state_dir: &std::path::Path,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    let inv = collect_inventory(backend, parts).await;
    let results = checks::evaluate_saved(items, &inv, settings, state_dir);
    let counts = Counts::of(results.iter().map(|r| r.status));
    let failing = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| r.id.clone())
        .collect();
    let _ = tx.send(Msg::Failing(id.clone(), failing));
    let _ = tx.send(Msg::State(id, RowState::Read(counts)));
}

/// Read `accounts` again (after an apply changed them), in the background.
fn read_again(
    accounts: Vec<(String, Arc<dyn Backend>)>,
    settings: Settings,
    state_dir: PathBuf,
    tx: mpsc::UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let items: Vec<&'static checks::ItemDef> = checks::items().iter().collect();
        let parts = checks::parts_for(&items);
        for (id, backend) in accounts {
            let _ = tx.send(Msg::State(id.clone(), RowState::Reading));
            read_account(id, backend, &items, &parts, &settings, &state_dir, &tx).await;
        }
    });
}

/// Run the account list until the user quits it.
pub async fn run(cfg: AccountsConfig) -> anyhow::Result<()> {
    super::needs_a_terminal()?;
    let ids: Vec<String> = cfg.accounts.iter().map(|(id, _)| id.clone()).collect();
    let mut model = AccountsModel::new(ids);
    model.dry_run = cfg.dry_run;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_accounts(
        cfg.accounts,
        cfg.state_dir.clone(),
        cfg.settings.clone(),
        tx.clone(),
    ));
    let mut backends: BTreeMap<String, Arc<dyn Backend>> = BTreeMap::new();
    let work = Work {
        settings: cfg.settings.clone(),
        state_dir: cfg.state_dir.clone(),
        tx,
    };
    // One stream for the list and every account's session (see `run_with`).
    let mut events = EventStream::new();
    let result = loop {
        let outcome = {
            let mut term = TerminalGuard::enter().context("cannot set up the terminal")?;
            list_loop(
                &mut term.terminal,
                &mut model,
                &mut rx,
                &mut backends,
                &mut events,
                &work,
            )
            .await
        };
        if let Err(e) = outcome {
            break Err(e);
        }
        if model.quit {
            break Ok(());
        }
        let Some(id) = model.open.take() else {
            break Ok(());
        };
        match backends.get(&id) {
            Some(backend) => {
                tracing::info!(account = %id, "account session opens");
                let session = super::run_with(
                    Config {
                        backend: backend.clone(),
                        state_dir: cfg.state_dir.clone(),
                        settings: cfg.settings.clone(),
                        keys: cfg.keys.clone(),
                    },
                    &mut events,
                );
                session.await?;
            }
            None => model.note = Some(format!("{id} is still being opened")),
        }
    };
    reader.abort();
    result
}

/// What the list's own work (planning and applying over several accounts) needs.
struct Work {
    settings: Settings,
    state_dir: PathBuf,
    tx: mpsc::UnboundedSender<Msg>,
}

/// Plan or apply what the list asked for, saying so on screen meanwhile.
async fn do_request(
    terminal: &mut ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>,
    model: &mut AccountsModel,
    backends: &BTreeMap<String, Arc<dyn Backend>>,
    work: &Work,
    request: Request,
) -> anyhow::Result<()> {
    match request {
        Request::Plan(item, accounts) => {
            let Some(def) = checks::item(&item) else {
                return Ok(());
            };
            model.note = Some(format!("planning {item} in {} account(s)…", accounts.len()));
            terminal.draw(|f| render(f, model))?;
            let open: Vec<(String, Arc<dyn Backend>)> = accounts
                .iter()
                .filter_map(|a| backends.get(a).map(|b| (a.clone(), b.clone())))
                .collect();
            let parts = plan_accounts(def, open, &work.settings, &work.state_dir).await;
            model.note = None;
            model.multi = Some(MultiApply {
                item,
                parts,
                scroll: 0,
                outcome: None,
            });
        }
        Request::Apply => {
            let Some(multi) = model.multi.take() else {
                return Ok(());
            };
            model.note = Some(format!(
                "applying {} in {} account(s)…",
                multi.item,
                multi.planned().count()
            ));
            terminal.draw(|f| render(f, model))?;
            let outcome = apply_accounts(&multi, backends, &work.state_dir).await;
            let changed: Vec<(String, Arc<dyn Backend>)> = multi
                .planned()
                .filter_map(|(a, _)| backends.get(a).map(|b| (a.to_string(), b.clone())))
                .collect();
            read_again(
                changed,
                work.settings.clone(),
                work.state_dir.clone(),
                work.tx.clone(),
            );
            model.note = None;
            model.marked.clear();
            model.multi = Some(MultiApply {
                outcome: Some(outcome),
                ..multi
            });
        }
    }
    Ok(())
}

async fn list_loop(
    terminal: &mut ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>,
    model: &mut AccountsModel,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    backends: &mut BTreeMap<String, Arc<dyn Backend>>,
    events: &mut EventStream,
    work: &Work,
) -> anyhow::Result<()> {
    loop {
        if let Some(request) = model.request.take() {
            do_request(terminal, model, backends, work, request).await?;
            // Keys typed while moat planned or applied were meant for the
            // screen before: none of them answers the one now shown (a `y`
            // typed ahead must not apply a preview nobody has read).
            while let Ok(Some(Ok(_))) =
                tokio::time::timeout(Duration::from_millis(30), events.next()).await
            {}
        }
        terminal.draw(|f| render(f, model))?;
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => model.key(k),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => match msg {
                Msg::State(id, state) => model.set(&id, state),
                Msg::Opened(id, backend) => {
                    backends.insert(id, backend);
                }
                Msg::Failing(id, items) => {
                    model.failing.insert(id, items);
                }
            },
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
        if model.quit || model.open.is_some() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn read(fail: usize, error: usize, pass: usize) -> RowState {
        RowState::Read(Counts {
            fail,
            error,
            manual: 3,
            pass,
        })
    }

    fn model() -> AccountsModel {
        let mut m = AccountsModel::new(
            [
                "111111111111",
                "222222222222",
                "333333333333",
                "444444444444",
                "555555555555",
            ]
            .map(String::from),
        );
        m.set("111111111111", read(0, 0, 57));
        m.set("222222222222", read(4, 1, 50));
        m.set(
            "333333333333",
            RowState::Failed(
                "cannot assume arn:aws:iam::333333333333:role/OrganizationAccountAccessRole: AccessDenied".into(),
            ),
        );
        m.set("444444444444", read(9, 0, 45));
        m.set("555555555555", RowState::Reading);
        m
    }

    fn text(m: &AccountsModel) -> String {
        let mut t = Terminal::new(TestBackend::new(120, 14)).expect("terminal");
        t.draw(|f| render(f, m)).expect("draw");
        let b = t.backend().buffer();
        (0..14)
            .map(|y| (0..120).map(|x| b[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn worst_first_and_n_walks_the_accounts_needing_attention() {
        let mut m = model();
        let order: Vec<&str> = m.shown().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "333333333333",
                "444444444444",
                "222222222222",
                "111111111111",
                "555555555555"
            ]
        );
        // The selection follows the account, not the row, as rows move.
        assert_eq!(m.selected.as_deref(), Some("111111111111"));
        m.key(key(KeyCode::Char('n')));
        assert_eq!(m.selected.as_deref(), Some("333333333333"));
        m.key(key(KeyCode::Char('n')));
        assert_eq!(m.selected.as_deref(), Some("444444444444"));
        m.key(key(KeyCode::Char('n')));
        assert_eq!(m.selected.as_deref(), Some("222222222222"));
        m.key(key(KeyCode::Enter));
        assert_eq!(m.open.as_deref(), Some("222222222222"));
        // An account that could not be opened says why instead.
        m.open = None;
        m.key(key(KeyCode::Char('g')));
        m.key(key(KeyCode::Enter));
        assert!(m.open.is_none());
        assert!(
            m.note
                .as_deref()
                .is_some_and(|n| n.contains("AccessDenied"))
        );
        m.key(key(KeyCode::Char('q')));
        assert!(m.quit);
    }

    #[test]
    fn the_account_list_screen() {
        let mut m = model();
        m.key(key(KeyCode::Char('j')));
        insta::with_settings!({
            snapshot_path => "../../screens",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => "moat TUI, the account list of a session over several accounts, 120x14",
        }, {
            insta::assert_snapshot!("accounts", text(&m));
        });
    }

    #[test]
    fn marked_accounts_pick_an_item_and_ask_for_one_plan() {
        let mut m = model();
        // Only a read account can be marked.
        m.key(key(KeyCode::Char('g')));
        m.key(key(KeyCode::Char(' ')));
        assert!(m.marked.is_empty());
        assert!(m.note.as_deref().is_some_and(|n| n.contains("not read")));
        m.key(key(KeyCode::Char('a')));
        assert!(m.picker.is_none(), "nothing marked");
        m.failing.insert(
            "444444444444".into(),
            vec!["account.password-policy".into(), "s3.versioning".into()],
        );
        m.failing.insert(
            "222222222222".into(),
            vec!["account.password-policy".into()],
        );
        for id in ["444444444444", "222222222222"] {
            m.selected = Some(id.into());
            m.key(key(KeyCode::Char(' ')));
        }
        assert_eq!(m.marked.len(), 2);
        assert!(text(&m).contains("* 444444444444") || text(&m).contains("*444444444444"));
        m.key(key(KeyCode::Char('a')));
        let p = m.picker.as_ref().expect("picker");
        assert_eq!(p.items[0], ("account.password-policy".to_string(), 2));
        // Esc goes back without asking anything.
        m.key(key(KeyCode::Esc));
        assert!(m.picker.is_none() && m.request.is_none() && !m.quit);
        m.key(key(KeyCode::Char('a')));
        m.key(key(KeyCode::Enter));
        assert_eq!(
            m.request,
            Some(Request::Plan(
                "account.password-policy".into(),
                vec!["222222222222".into(), "444444444444".into()]
            ))
        );
    }

    #[tokio::test]
    async fn the_plan_over_several_accounts_is_previewed_then_applied_with_y_only() {
        use crate::collect::demo::{DemoBackend, demo_inventory};
        let state = tempfile::tempdir().expect("temp dir");
        let backends: Vec<(String, Arc<dyn Backend>)> = ["222222222222", "444444444444"]
            .into_iter()
            .map(|a| {
                let mut inv = demo_inventory().expect("demo");
                if let Some(id) = inv.identity.ready_mut() {
                    id.account = a.into();
                }
                let b: Arc<dyn Backend> = Arc::new(DemoBackend::with_inventory(inv));
                (a.to_string(), b)
            })
            .collect();
        let def = checks::item("account.password-policy").expect("item");
        let parts = plan_accounts(def, backends, &Settings::default(), state.path()).await;
        let mut m = model();
        m.multi = Some(MultiApply {
            item: def.id.into(),
            parts,
            scroll: 0,
            outcome: None,
        });
        let mut t = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
        t.draw(|f| render(f, &m)).expect("draw");
        let b = t.backend().buffer();
        let screen = (0..30)
            .map(|y| (0..100).map(|x| b[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        insta::with_settings!({
            snapshot_path => "../../screens",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => "moat TUI, one item applied to two marked accounts: the preview, 100x30",
        }, {
            insta::assert_snapshot!("accounts_apply", screen);
        });
        // Any key but y cancels; y asks the run loop to apply.
        let shown = m.multi.clone();
        m.key(key(KeyCode::Char('n')));
        assert!(m.multi.is_none() && m.request.is_none());
        assert!(
            m.note
                .as_deref()
                .is_some_and(|n| n.contains("nothing was sent"))
        );
        m.multi = shown;
        m.key(key(KeyCode::Char('j')));
        m.key(key(KeyCode::Char('y')));
        assert_eq!(m.request, Some(Request::Apply));
    }
}
