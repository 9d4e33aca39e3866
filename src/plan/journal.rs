//! The journal: every op is written, with its inverse, before it is sent; its
//! outcome after. Append-only JSON lines, one file per account, 0600.

use super::{Op, Plan, ResourceChange};
use crate::state::private_append;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("journal {path} line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    /// An apply run: the plan's resources before and after.
    Batch {
        batch: String,
        time: DateTime<Utc>,
        account: String,
        item: String,
        resources: Vec<ResourceChange>,
    },
    /// Written before the op is sent.
    Begin {
        entry: String,
        batch: String,
        time: DateTime<Utc>,
        op: Op,
        inverse: Option<Vec<Op>>,
    },
    Done {
        entry: String,
        time: DateTime<Utc>,
    },
    Failed {
        entry: String,
        time: DateTime<Utc>,
        error: String,
    },
    /// The entry's effect was reversed by the batch `by`.
    Undone {
        entry: String,
        time: DateTime<Utc>,
        by: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Written but no outcome: the process stopped while sending. The op may or
    /// may not have been applied; a re-scan tells.
    Unknown,
    Applied,
    Failed,
    Undone,
}

/// One op as the journal knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub entry: String,
    pub batch: String,
    pub item: String,
    pub time: DateTime<Utc>,
    pub op: Op,
    pub inverse: Option<Vec<Op>>,
    pub state: EntryState,
    /// The batch's resources, after the change (for undo's drift check).
    #[serde(skip)]
    pub after: Vec<ResourceChange>,
}

pub struct Journal {
    path: PathBuf,
    account: String,
}

impl Journal {
    pub fn path_for(dir: &Path, account: &str) -> PathBuf {
        dir.join("journal").join(format!("{account}.jsonl"))
    }

    pub fn open(dir: &Path, account: &str) -> Journal {
        Journal {
            path: Self::path_for(dir, account),
            account: account.to_string(),
        }
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    fn write(&self, r: &Record) -> Result<(), JournalError> {
        let io = |source| JournalError::Io {
            path: self.path.display().to_string(),
            source,
        };
        let mut line = serde_json::to_string(r).map_err(|e| io(std::io::Error::other(e)))?;
        line.push('\n');
        let mut f = private_append(&self.path).map_err(io)?;
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// Start a batch for `plan`; returns its id.
    pub fn begin_batch(&self, plan: &Plan) -> Result<String, JournalError> {
        let time = Utc::now();
        let batch = format!(
            "{}-{:04x}",
            time.format("%Y%m%dT%H%M%SZ"),
            time.timestamp_subsec_micros() & 0xffff
        );
        self.write(&Record::Batch {
            batch: batch.clone(),
            time,
            account: self.account.clone(),
            item: plan.item.clone(),
            resources: plan.resources.clone(),
        })?;
        Ok(batch)
    }

    pub fn begin(
        &self,
        batch: &str,
        n: usize,
        op: &Op,
        inverse: &Option<Vec<Op>>,
    ) -> Result<String, JournalError> {
        let entry = format!("{batch}.{n}");
        self.write(&Record::Begin {
            entry: entry.clone(),
            batch: batch.to_string(),
            time: Utc::now(),
            op: op.clone(),
            inverse: inverse.clone(),
        })?;
        Ok(entry)
    }

    pub fn done(&self, entry: &str) -> Result<(), JournalError> {
        self.write(&Record::Done {
            entry: entry.to_string(),
            time: Utc::now(),
        })
    }

    pub fn failed(&self, entry: &str, error: &str) -> Result<(), JournalError> {
        self.write(&Record::Failed {
            entry: entry.to_string(),
            time: Utc::now(),
            error: error.to_string(),
        })
    }

    pub fn undone(&self, entry: &str, by: &str) -> Result<(), JournalError> {
        self.write(&Record::Undone {
            entry: entry.to_string(),
            time: Utc::now(),
            by: by.to_string(),
        })
    }

    /// Every entry, oldest first, with its current state.
    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        let path = self.path.display().to_string();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(source) => return Err(JournalError::Io { path, source }),
        };
        let mut batches: std::collections::HashMap<String, (String, Vec<ResourceChange>)> =
            Default::default();
        let mut out: Vec<Entry> = vec![];
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r: Record = serde_json::from_str(line).map_err(|e| JournalError::Parse {
                path: path.clone(),
                line: i + 1,
                message: e.to_string(),
            })?;
            match r {
                Record::Batch {
                    batch,
                    item,
                    resources,
                    ..
                } => {
                    batches.insert(batch, (item, resources));
                }
                Record::Begin {
                    entry,
                    batch,
                    time,
                    op,
                    inverse,
                } => {
                    let (item, after) = batches.get(&batch).cloned().unwrap_or_default();
                    out.push(Entry {
                        entry,
                        batch,
                        item,
                        time,
                        op,
                        inverse,
                        state: EntryState::Unknown,
                        after,
                    });
                }
                Record::Done { entry, .. } => set_state(&mut out, &entry, EntryState::Applied),
                Record::Failed { entry, .. } => set_state(&mut out, &entry, EntryState::Failed),
                Record::Undone { entry, .. } => set_state(&mut out, &entry, EntryState::Undone),
            }
        }
        Ok(out)
    }
}

fn set_state(entries: &mut [Entry], id: &str, state: EntryState) {
    if let Some(e) = entries.iter_mut().rev().find(|e| e.entry == id) {
        e.state = state;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::KeyStatus;

    #[test]
    fn journal_records_states_in_order() {
        let d = tempfile::tempdir().expect("tempdir");
        let j = Journal::open(d.path(), "123456789012");
        let plan = Plan {
            item: "account.stale-access-keys".into(),
            account: "123456789012".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
        };
        let b = j.begin_batch(&plan).expect("batch");
        let op = Op::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: KeyStatus::Inactive,
        };
        let inv = Some(vec![Op::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: KeyStatus::Active,
        }]);
        let e1 = j.begin(&b, 1, &op, &inv).expect("begin");
        j.done(&e1).expect("done");
        let e2 = j.begin(&b, 2, &op, &inv).expect("begin");
        j.failed(&e2, "boom").expect("failed");
        let e3 = j.begin(&b, 3, &op, &inv).expect("begin");
        let entries = j.entries().expect("entries");
        let states: Vec<_> = entries.iter().map(|e| (e.entry.clone(), e.state)).collect();
        assert_eq!(
            states,
            vec![
                (e1.clone(), EntryState::Applied),
                (e2, EntryState::Failed),
                (e3, EntryState::Unknown)
            ]
        );
        assert_eq!(entries[0].item, "account.stale-access-keys");
        j.undone(&e1, "x").expect("undone");
        assert_eq!(j.entries().expect("entries")[0].state, EntryState::Undone);
    }

    #[test]
    fn damaged_journal_names_file_and_line() {
        let d = tempfile::tempdir().expect("tempdir");
        let j = Journal::open(d.path(), "1");
        std::fs::create_dir_all(d.path().join("journal")).expect("dir");
        std::fs::write(
            Journal::path_for(d.path(), "1"),
            "{\"event\":\"done\",\"entry\":\"a\",\"time\":\"2026-01-01T00:00:00Z\"}\nnot json\n",
        )
        .expect("write");
        let e = j.entries().expect_err("parse error");
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
