//! The interactive session. Elm-shaped: [`update::update`] is the only state
//! transition and is pure; [`effects::Runtime`] runs the effects it returns on
//! tokio and answers with messages; [`view::render`] draws the model. The
//! event loop merges terminal events, those answers and a spinner tick, so
//! no AWS call ever holds up a frame.

pub mod accounts;
pub mod accounts_apply;
pub mod effects;
pub mod evaluate;
pub mod keymap;
pub mod model;
pub mod update;
pub mod view;

#[cfg(test)]
mod compare_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod tests;

use crate::collect::Backend;
use crate::config::Settings;
use anyhow::Context as _;
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{IsTerminal, Stdout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;

pub use keymap::Keymap;
pub use model::Model;
pub use update::{Effect, Msg, update};

pub struct Config {
    pub backend: Arc<dyn Backend>,
    /// Where the journal, the guided-item progress and the demo state live.
    pub state_dir: PathBuf,
    pub settings: Settings,
    /// The config file's key bindings, on top of the default keymap.
    /// The config file's `[keys.<context>]` tables, laid over the default keymap.
    pub keys: Vec<crate::config::KeyTable>,
}

/// Run the interactive session until the user quits.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    run_with(cfg, &mut EventStream::new()).await
}

/// [`run`] reading keys from `events`: a caller that draws screens of its
/// own before and after (the account list) keeps one stream for all, so
/// no key typed between two screens is lost to a dropped stream.
pub async fn run_with(cfg: Config, events: &mut EventStream) -> anyhow::Result<()> {
    needs_a_terminal()?;
    let keymap = keymap::config_bindings(&cfg.keys)
        .and_then(|b| Keymap::with_overrides(&b))
        .map_err(anyhow::Error::msg)?;
    let mut model = Model::new(
        cfg.backend.mode(),
        cfg.settings,
        keymap,
        crate::state::now(),
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runtime = effects::Runtime::new(cfg.backend, cfg.state_dir, tx);
    tracing::info!("interactive session starts ({})", model.mode.badge());
    let result = {
        let mut term = TerminalGuard::enter().context("cannot set up the terminal")?;
        event_loop(
            &mut term.terminal,
            &mut model,
            &mut runtime,
            &mut rx,
            events,
        )
        .await
        // `term` drops here: the terminal is restored before anything else happens.
    };
    runtime.finish().await;
    tracing::info!("interactive session ends");
    result
}

/// The interactive session draws on a terminal; scripts have the subcommands.
fn needs_a_terminal() -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the interactive session needs a terminal; in scripts use `moat scan`, `moat plan` or `moat apply`"
        );
    }
    Ok(())
}

async fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    model: &mut Model,
    runtime: &mut effects::Runtime,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    events: &mut EventStream,
) -> anyhow::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut clock = tokio::time::interval(Duration::from_secs(60));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    clock.tick().await;
    for e in update(model, Msg::Start) {
        runtime.run(e);
    }
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| view::render(f, model))?;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Some(Ok(Event::Resize(..))) => Msg::Resize,
                Some(Ok(_)) => {
                    dirty = false;
                    continue;
                }
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick,
            _ = clock.tick() => Msg::Clock(crate::state::now()),
        };
        let is_tick = matches!(msg, Msg::Tick);
        for e in update(model, msg) {
            runtime.run(e);
        }
        if model.quit {
            return Ok(());
        }
        dirty = !is_tick || model.animating();
    }
}

/// Whether the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that draws; a panic there restores the terminal before printing.
static UI_THREAD: OnceLock<std::thread::ThreadId> = OnceLock::new();

struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        let _ = UI_THREAD.set(std::thread::current().id());
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = (|| {
            // Clear with crossterm: `Terminal::clear` would ask the terminal for
            // the cursor position, which not every terminal answers.
            crossterm::execute!(
                std::io::stdout(),
                EnterAlternateScreen,
                crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
            )?;
            Terminal::new(CrosstermBackend::new(std::io::stdout()))
        })();
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leave raw mode and the alternate screen, show the cursor. Idempotent.
pub fn restore_terminal() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = crossterm::execute!(
            std::io::stdout(),
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
    }
}

/// A panic on the drawing thread restores the terminal, then prints as usual.
/// A panic in a background task while the UI runs is logged instead of
/// printed over the screen.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui = UI_THREAD.get() == Some(&std::thread::current().id());
            if ACTIVE.load(Ordering::SeqCst) && !on_ui {
                tracing::error!("background task panicked: {info}");
                return;
            }
            restore_terminal();
            previous(info);
        }));
    });
}
