//! Runs [`Effect`]s on tokio and answers with [`Msg`]s. Nothing here blocks
//! the event loop: every AWS call and file write happens in a spawned task.

use super::update::{ApplyFailure, Effect, JournalRead, Msg};
use crate::collect::{Backend, collect_parts};
use crate::execute::{UndoRunError, execute_confirmed, plan_undo, run_undo};
use crate::history::Against;
use crate::journal::Journal;
use crate::state::Progress;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

pub struct Runtime {
    backend: Arc<dyn Backend>,
    state_dir: PathBuf,
    tx: UnboundedSender<Msg>,
    /// Writes that must finish before the process exits.
    writes: Vec<JoinHandle<()>>,
    /// Applies in flight (an apply is journaled; let it finish on quit).
    applies: Vec<JoinHandle<()>>,
}

impl Runtime {
    pub fn new(backend: Arc<dyn Backend>, state_dir: PathBuf, tx: UnboundedSender<Msg>) -> Self {
        Self {
            backend,
            state_dir,
            tx,
            writes: vec![],
            applies: vec![],
        }
    }

    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Collect { generation, parts } => {
                let backend = self.backend.clone();
                tokio::spawn(async move {
                    let (ptx, mut prx) = mpsc::unbounded_channel();
                    let collector =
                        tokio::spawn(async move { collect_parts(backend, &parts, ptx).await });
                    while let Some((part, result)) = prx.recv().await {
                        if tx
                            .send(Msg::Part {
                                generation,
                                part,
                                result,
                            })
                            .is_err()
                        {
                            break;
                        }
                    }
                    if let Err(e) = collector.await {
                        tracing::error!("collection task failed: {e}");
                    }
                });
            }
            Effect::Apply {
                generation,
                plan,
                typed,
            } => {
                let backend = self.backend.clone();
                let journal = Journal::open(&self.state_dir, &plan.account);
                self.applies.retain(|h| !h.is_finished());
                self.applies.push(tokio::spawn(async move {
                    let ptx = tx.clone();
                    let result = execute_confirmed(
                        backend,
                        &plan,
                        &journal,
                        typed.as_deref(),
                        move |event| {
                            let _ = ptx.send(Msg::ApplyProgress { generation, event });
                        },
                    )
                    .await;
                    if let Err(e) = &result {
                        tracing::warn!("apply of {} refused: {e}", plan.item);
                    }
                    let _ = tx.send(Msg::Applied {
                        generation,
                        result: result.map_err(ApplyFailure::from),
                    });
                }));
            }
            Effect::Plan(job) => {
                // CPU work: on the blocking pool, never on the event loop.
                tokio::task::spawn_blocking(move || {
                    let seq = job.seq;
                    let result = job.run();
                    let _ = tx.send(Msg::Planned { seq, result });
                });
            }
            Effect::LoadProgress { account } => {
                let dir = self.state_dir.clone();
                tokio::spawn(async move {
                    let a = account.clone();
                    let result = tokio::task::spawn_blocking(move || Progress::load(&dir, &a))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::ProgressLoaded { account, result });
                });
            }
            Effect::LoadBaseline { account, demo } => {
                let dir = self.state_dir.clone();
                tokio::spawn(async move {
                    let a = account.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        crate::history::baseline(&dir, &a, demo, &Against::Last, &[])
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
                    .map(|b| b.map(Box::new));
                    let _ = tx.send(Msg::BaselineLoaded { account, result });
                });
            }
            Effect::Check(job) => {
                // CPU work: on the blocking pool, never on the event loop.
                tokio::task::spawn_blocking(move || {
                    let answers = job.run();
                    let _ = tx.send(Msg::Checked {
                        seq: job.seq,
                        answers,
                    });
                });
            }
            Effect::SaveScan(scan) => {
                let dir = self.state_dir.clone();
                self.writes.retain(|h| !h.is_finished());
                self.writes.push(tokio::spawn(async move {
                    let _ = tokio::task::spawn_blocking(move || {
                        crate::history::save_in(&dir, &scan.saved())
                    })
                    .await;
                }));
            }
            Effect::LoadJournal { account } => {
                let journal = Journal::open(&self.state_dir, &account);
                tokio::spawn(async move {
                    let result = tokio::task::spawn_blocking(move || {
                        journal
                            .read()
                            .map(|c| JournalRead {
                                entries: c.entries,
                                skipped: c.skipped.iter().map(|e| e.to_string()).collect(),
                            })
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::JournalLoaded { account, result });
                });
            }
            Effect::PlanUndo { seq, entries } => {
                let backend = self.backend.clone();
                tokio::spawn(async move {
                    let result = plan_undo(backend, &entries).await.map(Box::new);
                    let _ = tx.send(Msg::UndoPlanned { seq, result });
                });
            }
            Effect::Undo {
                generation,
                plan,
                entries,
            } => {
                let backend = self.backend.clone();
                let journal = Journal::open(&self.state_dir, &plan.account);
                self.applies.retain(|h| !h.is_finished());
                self.applies.push(tokio::spawn(async move {
                    let ptx = tx.clone();
                    let result = run_undo(backend, &plan, &journal, &entries, move |event| {
                        let _ = ptx.send(Msg::ApplyProgress { generation, event });
                    })
                    .await;
                    let result = match result {
                        Ok(done) => Ok(done.report),
                        Err(UndoRunError::Journal { report, source }) => {
                            tracing::error!("undo sent, but not recorded as such: {source}");
                            Ok(*report)
                        }
                        Err(UndoRunError::Exec(e)) => {
                            tracing::warn!("undo refused: {e}");
                            Err(ApplyFailure::from(e))
                        }
                    };
                    let _ = tx.send(Msg::Applied { generation, result });
                }));
            }
            Effect::SaveProgress { account, progress } => {
                let dir = self.state_dir.clone();
                self.writes.retain(|h| !h.is_finished());
                self.writes.push(tokio::spawn(async move {
                    let a = account.clone();
                    let result = tokio::task::spawn_blocking(move || progress.save(&dir, &a))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                    if let Err(e) = &result {
                        tracing::error!("saving progress: {e}");
                    }
                    let _ = tx.send(Msg::ProgressSaved { account, result });
                }));
            }
        }
    }

    /// Wait for pending writes, and a little for an apply still in flight
    /// (called once the UI is gone).
    pub async fn finish(self) {
        for h in self.writes {
            let _ = h.await;
        }
        for h in self.applies {
            if tokio::time::timeout(std::time::Duration::from_secs(30), h)
                .await
                .is_err()
            {
                tracing::warn!(
                    "quit while an apply was still running; run `moat scan` to see where it got"
                );
            }
        }
    }
}
