//! The account list of a session over several accounts (`moat --account
//! A,B` or `moat --org`): every account with its items' status counts,
//! worst first, read in the background; Enter opens an account's session
//! (today's screens), and quitting it comes back here.

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
use std::collections::HashMap;
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
        let last = self.rows.len().saturating_sub(1);
        let at = self.position();
        match k.code {
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

/// Draw the list.
pub fn render(f: &mut Frame, m: &AccountsModel) {
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
            let mark = if r.needs_attention() { "!" } else { " " };
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
        "↑↓ move  Enter open the account  n next needing attention  q quit".into()
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
                let inv = collect_inventory(backend, parts).await;
                let results = checks::evaluate_saved(items, &inv, settings, state_dir);
                let counts = Counts::of(results.iter().map(|r| r.status));
                let _ = tx.send(Msg::State(id, RowState::Read(counts)));
            }
        })
        .await;
}

/// Run the account list until the user quits it.
pub async fn run(cfg: AccountsConfig) -> anyhow::Result<()> {
    super::needs_a_terminal()?;
    let ids: Vec<String> = cfg.accounts.iter().map(|(id, _)| id.clone()).collect();
    let mut model = AccountsModel::new(ids);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_accounts(
        cfg.accounts,
        cfg.state_dir.clone(),
        cfg.settings.clone(),
        tx,
    ));
    let mut backends: HashMap<String, Arc<dyn Backend>> = HashMap::new();
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

async fn list_loop(
    terminal: &mut ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>,
    model: &mut AccountsModel,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    backends: &mut HashMap<String, Arc<dyn Backend>>,
    events: &mut EventStream,
) -> anyhow::Result<()> {
    loop {
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
}
