//! The journal: every op is written, with its inverse, before it is sent; its
//! outcome after. Append-only JSON lines, one file per account, 0600.

use crate::plan::{Op, Plan, ResourceChange};
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
        /// The item this op fixes, in a batch over several items (else the
        /// batch's item).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    Done {
        entry: String,
        time: DateTime<Utc>,
        /// Settled later by re-reading the account (the answer was lost).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resolved: bool,
        /// What the account really applied, when it differs from the op
        /// begun (AWS revoked only some of the rules): the entry's op and
        /// inverse from now on, so undo reverses exactly that.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amended: Option<Amended>,
        /// The id AWS gave what the op created (a snapshot, a KMS key).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created: Option<String>,
        /// Applied with a warning: what was not applied, and why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warning: Option<String>,
    },
    Failed {
        entry: String,
        time: DateTime<Utc>,
        error: String,
        /// Settled later by re-reading the account (the answer was lost).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resolved: bool,
    },
    /// The entry's effect was reversed by the batch `by`.
    Undone {
        entry: String,
        time: DateTime<Utc>,
        by: String,
    },
}

/// The op and inverse an entry really holds once the account answered
/// (see [`Record::Done`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amended {
    pub op: Op,
    pub inverse: Option<Vec<Op>>,
}

/// How an applied op differs from the op begun, as the journal records it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DoneDetail {
    pub amended: Option<Amended>,
    pub created: Option<String>,
    pub warning: Option<String>,
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
    /// The id AWS gave what the op created, when the journal knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Applied with a warning: what was not applied, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// The batch's resources, after the change (for undo's drift check).
    #[serde(skip)]
    pub after: Vec<ResourceChange>,
    /// When the entry was undone, and by which batch.
    #[serde(skip)]
    pub undone: Option<(DateTime<Utc>, String)>,
}

pub struct Journal {
    path: PathBuf,
    account: String,
}

/// The journal as read: its entries, and the lines that were skipped because
/// they are not a whole record (a write torn by a full disk or a crash), each
/// a [`JournalError::Parse`] naming its line.
#[derive(Debug, Default)]
pub struct Contents {
    pub entries: Vec<Entry>,
    pub skipped: Vec<JournalError>,
}

/// Where a record starts in a line: a record appended onto a torn one (by a
/// version that did not end the torn line first) is still read.
const RECORD_START: &str = "{\"event\":";

/// Whether the file ends in the middle of a line (a torn last write). A
/// file that cannot be read is treated as torn: an extra newline is harmless.
fn ends_mid_line(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    match f.metadata() {
        Ok(m) if m.len() == 0 => return false,
        Ok(_) => {}
        Err(_) => return true,
    }
    let mut last = [0u8; 1];
    match f
        .seek(SeekFrom::End(-1))
        .and_then(|_| f.read_exact(&mut last))
    {
        Ok(()) => last[0] != b'\n',
        Err(_) => true,
    }
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
        // After a torn write the record starts on a line of its own.
        if ends_mid_line(&self.path) {
            line.insert(0, '\n');
        }
        let mut f = private_append(&self.path).map_err(io)?;
        f.write_all(line.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// Start a batch for `plan`; returns its id.
    pub fn begin_batch(&self, plan: &Plan) -> Result<String, JournalError> {
        let time = Utc::now();
        let stem = format!(
            "{}-{:06}",
            time.format("%Y%m%dT%H%M%SZ"),
            time.timestamp_subsec_micros()
        );
        // Ids must be unique in the journal (undo selects by them): two
        // batches in the same microsecond get a suffix.
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let taken = |id: &str| text.contains(&format!("\"batch\":\"{id}\""));
        let mut batch = stem.clone();
        let mut n = 1;
        while taken(&batch) {
            n += 1;
            batch = format!("{stem}-{n}");
        }
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
        self.begin_item(batch, n, op, inverse, None)
    }

    /// [`Journal::begin`] for an op of a batch over several items: the
    /// entry names its own `item` (`None`: the batch's).
    pub fn begin_item(
        &self,
        batch: &str,
        n: usize,
        op: &Op,
        inverse: &Option<Vec<Op>>,
        item: Option<&str>,
    ) -> Result<String, JournalError> {
        let entry = format!("{batch}.{n}");
        self.write(&Record::Begin {
            entry: entry.clone(),
            batch: batch.to_string(),
            time: Utc::now(),
            op: op.clone(),
            inverse: inverse.clone(),
            item: item.map(str::to_string),
        })?;
        Ok(entry)
    }

    pub fn done(&self, entry: &str) -> Result<(), JournalError> {
        self.done_with(entry, DoneDetail::default())
    }

    /// Applied, with what the account really did (see [`DoneDetail`]).
    pub fn done_with(&self, entry: &str, detail: DoneDetail) -> Result<(), JournalError> {
        self.write(&Record::Done {
            entry: entry.to_string(),
            time: Utc::now(),
            resolved: false,
            amended: detail.amended,
            created: detail.created,
            warning: detail.warning,
        })
    }

    pub fn failed(&self, entry: &str, error: &str) -> Result<(), JournalError> {
        self.write(&Record::Failed {
            entry: entry.to_string(),
            time: Utc::now(),
            error: error.to_string(),
            resolved: false,
        })
    }

    /// Settle an `unknown` entry after re-reading the account: its change is
    /// in place (`applied`) or it is not (`failed`, with why).
    pub fn resolve(&self, entry: &str, applied: Result<(), &str>) -> Result<(), JournalError> {
        let time = Utc::now();
        let entry = entry.to_string();
        self.write(&match applied {
            Ok(()) => Record::Done {
                entry,
                time,
                resolved: true,
                amended: None,
                created: None,
                warning: None,
            },
            Err(why) => Record::Failed {
                entry,
                time,
                error: why.to_string(),
                resolved: true,
            },
        })
    }

    pub fn undone(&self, entry: &str, by: &str) -> Result<(), JournalError> {
        self.write(&Record::Undone {
            entry: entry.to_string(),
            time: Utc::now(),
            by: by.to_string(),
        })
    }

    /// Every entry, oldest first, with its current state. Lines that are not
    /// a whole record are skipped (and logged); [`Journal::read`] names them.
    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        let c = self.read()?;
        for w in &c.skipped {
            tracing::warn!("{w}");
        }
        Ok(c.entries)
    }

    /// Every entry, oldest first, with its current state, and the lines
    /// skipped because they are not a whole record. Only a failure to read
    /// the file is an error: one torn line never hides the rest.
    pub fn read(&self) -> Result<Contents, JournalError> {
        let path = self.path.display().to_string();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            // Not UTF-8 (a torn multi-byte character, binary garbage): read
            // what is, line by line.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                match std::fs::read(&self.path) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(source) => return Err(JournalError::Io { path, source }),
                }
            }
            Err(source) => return Err(JournalError::Io { path, source }),
        };
        let mut batches: std::collections::HashMap<String, (String, Vec<ResourceChange>)> =
            Default::default();
        let mut out = Contents::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let r: Record = match serde_json::from_str(line) {
                Ok(r) => r,
                Err(e) => {
                    // A record written after a torn one, on the same line.
                    let appended = line
                        .match_indices(RECORD_START)
                        .filter(|(at, _)| *at > 0)
                        .find_map(|(at, _)| serde_json::from_str::<Record>(&line[at..]).ok());
                    let what = if appended.is_some() {
                        "the start of this line is not a whole record (a torn write); skipped it and read the record after it"
                    } else {
                        "not a whole journal record (a torn write?); skipped"
                    };
                    out.skipped.push(JournalError::Parse {
                        path: path.clone(),
                        line: i + 1,
                        // serde quotes the damaged text (an unknown `event`,
                        // say): keep it one inert line.
                        message: crate::kit::text::sanitize(&format!("{what}: {e}")),
                    });
                    match appended {
                        Some(r) => r,
                        None => continue,
                    }
                }
            };
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
                    item: own,
                } => {
                    let (item, after) = batches.get(&batch).cloned().unwrap_or_default();
                    let item = own.unwrap_or(item);
                    out.entries.push(Entry {
                        entry,
                        batch,
                        item,
                        time,
                        op,
                        inverse,
                        state: EntryState::Unknown,
                        created: None,
                        warning: None,
                        after,
                        undone: None,
                    });
                }
                Record::Done {
                    entry,
                    amended,
                    created,
                    warning,
                    ..
                } => {
                    set_state(&mut out.entries, &entry, EntryState::Applied);
                    if let Some(e) = out.entries.iter_mut().rev().find(|e| e.entry == entry) {
                        if let Some(a) = amended {
                            e.op = a.op;
                            e.inverse = a.inverse;
                        }
                        e.created = created.or(e.created.take());
                        e.warning = warning.or(e.warning.take());
                    }
                }
                Record::Failed { entry, .. } => {
                    set_state(&mut out.entries, &entry, EntryState::Failed)
                }
                Record::Undone { entry, time, by } => {
                    set_state(&mut out.entries, &entry, EntryState::Undone);
                    if let Some(e) = out.entries.iter_mut().rev().find(|e| e.entry == entry) {
                        e.undone = Some((time, by));
                    }
                }
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
    use crate::aws::inventory::KeyStatus;

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
            blast: vec![],
        };
        let b = j.begin_batch(&plan).expect("batch");
        let op = Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: KeyStatus::Inactive,
        });
        let inv = Some(vec![Op::UpdateAccessKey(
            crate::aws::ops::UpdateAccessKey {
                user: Some("bob".into()),
                key_id: "AKIA1".into(),
                status: KeyStatus::Active,
            },
        )]);
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

    /// An op the account applied in part, or whose creation AWS named, is
    /// read back as what was really applied: its op and inverse from the
    /// `done` record, with the created id and the warning. An entry of an
    /// earlier version (no such fields) keeps the op begun.
    #[test]
    fn done_record_names_what_was_really_applied() {
        let (d, j, b, inv, e1) = one_entry_begun();
        j.done(&e1).expect("done");
        let e2 = j
            .begin(&b, 2, &key_op(KeyStatus::Inactive), &inv)
            .expect("begin");
        j.done_with(
            &e2,
            DoneDetail {
                amended: Some(Amended {
                    op: Op::DeletePasswordPolicy(crate::aws::ops::DeletePasswordPolicy),
                    inverse: None,
                }),
                created: Some("snap-0123".into()),
                warning: Some("not all of it".into()),
            },
        )
        .expect("done");
        let entries = j.entries().expect("entries");
        assert_eq!(entries[0].op, key_op(KeyStatus::Inactive));
        assert_eq!(entries[0].inverse, inv);
        assert_eq!(
            (entries[0].created.as_deref(), entries[0].warning.as_deref()),
            (None, None)
        );
        assert_eq!(entries[1].state, EntryState::Applied);
        assert_eq!(
            entries[1].op,
            Op::DeletePasswordPolicy(crate::aws::ops::DeletePasswordPolicy)
        );
        assert_eq!(entries[1].inverse, None);
        assert_eq!(entries[1].created.as_deref(), Some("snap-0123"));
        assert_eq!(entries[1].warning.as_deref(), Some("not all of it"));
        // A `done` of an earlier version has none of these fields.
        let text = std::fs::read_to_string(Journal::path_for(d.path(), "1")).expect("read");
        let first_done = text
            .lines()
            .find(|l| l.contains("\"event\":\"done\""))
            .expect("done line");
        assert!(!first_done.contains("amended") && !first_done.contains("created"));
    }

    /// A journal in a new directory with one batch of [`plan`] and its
    /// first entry begun: a key deactivated, its inverse re-activating it.
    fn one_entry_begun() -> (tempfile::TempDir, Journal, String, Option<Vec<Op>>, String) {
        let d = tempfile::tempdir().expect("tempdir");
        let j = Journal::open(d.path(), "1");
        let b = j.begin_batch(&plan()).expect("batch");
        let inv = Some(vec![key_op(KeyStatus::Active)]);
        let e1 = j
            .begin(&b, 1, &key_op(KeyStatus::Inactive), &inv)
            .expect("begin");
        (d, j, b, inv, e1)
    }

    fn plan() -> Plan {
        Plan {
            item: "account.stale-access-keys".into(),
            account: "1".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
            blast: vec![],
        }
    }

    fn key_op(status: KeyStatus) -> Op {
        Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status,
        })
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
        let c = j.read().expect("a damaged line does not hide the journal");
        assert_eq!(c.skipped.len(), 1);
        let e = c.skipped[0].to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(
            e.contains(&Journal::path_for(d.path(), "1").display().to_string()),
            "{e}"
        );
    }

    /// A crash (or a full disk) tore the last record: the entries before it
    /// are still read, the torn line is named, and the next record starts on
    /// a line of its own, so it is read too.
    #[test]
    fn torn_line_is_skipped_and_the_next_record_starts_a_new_line() {
        let (d, j, b, inv, e1) = one_entry_begun();
        j.done(&e1).expect("done");
        // A torn "begin" of a second entry: half a line, no newline.
        let path = Journal::path_for(d.path(), "1");
        let full = std::fs::read_to_string(&path).expect("read");
        let begin = full
            .lines()
            .find(|l| l.contains("\"event\":\"begin\""))
            .expect("begin line");
        let torn = &begin[..begin.len() / 2];
        let mut f = crate::state::private_append(&path).expect("open");
        f.write_all(torn.as_bytes()).expect("torn write");
        drop(f);
        let torn_line = full.lines().count() + 1;

        let c = j.read().expect("reads");
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].state, EntryState::Applied);
        assert_eq!(c.skipped.len(), 1, "{:?}", c.skipped);
        let warning = c.skipped[0].to_string();
        assert!(warning.contains(&format!("line {torn_line}:")), "{warning}");

        // The next record is not glued onto the torn line.
        let e2 = j
            .begin(&b, 2, &key_op(KeyStatus::Inactive), &inv)
            .expect("begin");
        j.failed(&e2, "boom").expect("failed");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.lines().any(|l| l == torn), "the torn line stays apart");
        let c = j.read().expect("reads");
        let states: Vec<_> = c
            .entries
            .iter()
            .map(|e| (e.entry.clone(), e.state))
            .collect();
        assert_eq!(
            states,
            vec![(e1, EntryState::Applied), (e2, EntryState::Failed)]
        );
        assert_eq!(c.skipped.len(), 1, "only the torn line: {:?}", c.skipped);
    }

    /// A journal written before torn lines were ended: the next record was
    /// appended onto the torn one. That record is still read.
    #[test]
    fn record_glued_onto_a_torn_line_is_read() {
        let (d, j, _, _, e1) = one_entry_begun();
        let path = Journal::path_for(d.path(), "1");
        let mut f = crate::state::private_append(&path).expect("open");
        let done = serde_json::to_string(&Record::Done {
            entry: e1.clone(),
            time: Utc::now(),
            resolved: false,
            amended: None,
            created: None,
            warning: None,
        })
        .expect("json");
        f.write_all(format!("{{\"event\":\"fail{done}\n").as_bytes())
            .expect("glued write");
        drop(f);
        let c = j.read().expect("reads");
        assert_eq!(c.entries.len(), 1);
        assert_eq!(
            c.entries[0].state,
            EntryState::Applied,
            "the glued record counts"
        );
        assert_eq!(c.skipped.len(), 1);
        assert!(
            c.skipped[0].to_string().contains("line 3"),
            "{}",
            c.skipped[0]
        );
    }

    #[test]
    fn unknown_entry_is_resolved_applied_or_failed() {
        let (d, j, _, inv, e1) = one_entry_begun();
        let b2 = j.begin_batch(&plan()).expect("batch");
        let e2 = j
            .begin(&b2, 1, &key_op(KeyStatus::Inactive), &inv)
            .expect("begin");
        assert!(
            j.entries()
                .expect("read")
                .iter()
                .all(|e| e.state == EntryState::Unknown)
        );
        j.resolve(&e1, Ok(())).expect("resolve");
        j.resolve(&e2, Err("not in place")).expect("resolve");
        let states: Vec<_> = j.entries().expect("read").iter().map(|e| e.state).collect();
        assert_eq!(states, vec![EntryState::Applied, EntryState::Failed]);
        let text = std::fs::read_to_string(Journal::path_for(d.path(), "1")).expect("read");
        assert_eq!(text.matches("\"resolved\":true").count(), 2, "{text}");
    }
}

/// Property tests of the journal reader: arbitrary and damaged lines never
/// panic it, and a bad line's error names that line. Cases per property:
/// `PROPTEST_CASES` (256 by default). To fuzz for a few minutes:
/// `PROPTEST_CASES=10000 cargo test --lib fuzz_ -- --test-threads 2` (about 4 to
/// 5 minutes on two cores; raise it to fuzz longer).
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use crate::aws::inventory::{KeyStatus, ResourceRef};
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;

    const ACCOUNT: &str = "111122223333";

    fn runner() -> TestRunner {
        TestRunner::new(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        })
    }

    /// Run the property `test` over `strategy`; a failing case fails the test.
    fn check<S: Strategy>(strategy: &S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
        runner()
            .run(strategy, test)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn time() -> DateTime<Utc> {
        "2026-11-29T10:00:00Z".parse().expect("time")
    }

    /// Valid journal records, one of each kind (and a few ops).
    fn records() -> Vec<Record> {
        let op = Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: KeyStatus::Inactive,
        });
        let inverse = Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: None,
            key_id: "AKIAROOT".into(),
            status: KeyStatus::Active,
        });
        let policy = Op::CreatePolicy(crate::aws::ops::CreatePolicy {
            name: "RequireMFA".into(),
            document: serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "x", "Effect": "Deny", "Action": "*", "Resource": "*"}]}),
        });
        vec![
            Record::Batch {
                batch: "b1".into(),
                time: time(),
                account: ACCOUNT.into(),
                item: "account.stale-access-keys".into(),
                resources: vec![ResourceChange {
                    resource: ResourceRef::User { name: "bob".into() },
                    before: Some(serde_json::json!({"AccessKeys": [{"Id": "AKIA1"}]})),
                    after: None,
                }],
            },
            Record::Begin {
                entry: "b1.1".into(),
                batch: "b1".into(),
                time: time(),
                op,
                inverse: Some(vec![inverse]),
                item: None,
            },
            Record::Begin {
                entry: "b1.2".into(),
                batch: "b1".into(),
                time: time(),
                op: policy,
                inverse: None,
                item: None,
            },
            Record::Done {
                entry: "b1.1".into(),
                time: time(),
                resolved: false,
                amended: None,
                created: None,
                warning: None,
            },
            Record::Failed {
                entry: "b1.2".into(),
                time: time(),
                error: "AccessDenied: \u{1b}[2J".into(),
                resolved: false,
            },
            Record::Done {
                entry: "b1.1".into(),
                time: time(),
                resolved: true,
                amended: None,
                created: None,
                warning: None,
            },
            Record::Done {
                entry: "b1.1".into(),
                time: time(),
                resolved: false,
                amended: Some(Amended {
                    op: Op::DeletePasswordPolicy(crate::aws::ops::DeletePasswordPolicy),
                    inverse: None,
                }),
                created: Some("snap-0123".into()),
                warning: Some("AWS found no rule matching tcp port 443".into()),
            },
            Record::Undone {
                entry: "b1.1".into(),
                time: time(),
                by: "b2".into(),
            },
        ]
    }

    fn valid_lines() -> Vec<String> {
        records()
            .iter()
            .map(|r| serde_json::to_string(r).expect("serialize"))
            .collect()
    }

    fn journal_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(
                "{}[]\":,\\ 0123456789abcdeventbatchdonefailed_-.TZ".chars().collect::<Vec<_>>()
            ),
            1 => any::<char>(),
            1 => prop::sample::select(vec!['\u{1b}', '\u{7}', '\u{0}', '\r', '\u{85}', '\u{202e}']),
        ]
    }

    fn arbitrary_line() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::collection::vec(journal_char(), 0..80).prop_map(|c| c.into_iter().collect()),
            prop::sample::select(valid_lines()),
            Just(String::new()),
            Just("   ".to_string()),
            "\\{\"event\":\"[a-z_\\x1b\\n]{0,10}\"\\}",
        ]
    }

    /// One edit of a line's text.
    #[derive(Debug, Clone)]
    enum Edit {
        Delete(prop::sample::Index),
        Insert(prop::sample::Index, char),
        Truncate(prop::sample::Index),
        Replace(prop::sample::Index, char),
        Duplicate(prop::sample::Index, prop::sample::Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let ix = any::<prop::sample::Index>;
        prop_oneof![
            ix().prop_map(Edit::Delete),
            (ix(), journal_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
            ix().prop_map(Edit::Truncate),
            (ix(), journal_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
            (ix(), ix()).prop_map(|(a, b)| Edit::Duplicate(a, b)),
        ]
    }

    fn apply_edit(line: &str, e: &Edit) -> String {
        let mut c: Vec<char> = line.chars().collect();
        let n = c.len();
        match e {
            Edit::Delete(i) if n > 0 => {
                c.remove(i.index(n));
            }
            Edit::Insert(i, ch) => c.insert(i.index(n + 1), *ch),
            Edit::Truncate(i) => c.truncate(i.index(n + 1)),
            Edit::Replace(i, ch) if n > 0 => c[i.index(n)] = *ch,
            Edit::Duplicate(a, b) if n > 0 => {
                let (a, b) = (a.index(n), b.index(n));
                let (from, to) = (a.min(b), a.max(b));
                let seg: Vec<char> = c[from..=to].to_vec();
                c.splice(to + 1..to + 1, seg);
            }
            _ => {}
        }
        c.into_iter().collect()
    }

    /// Write `text` as the journal and read it back: it always reads, and
    /// the lines it skips are exactly those that do not parse on their own
    /// (`Err` with their numbers).
    fn read(dir: &Path, text: &str) -> Result<Result<Vec<Entry>, Vec<usize>>, TestCaseError> {
        let path = Journal::path_for(dir, ACCOUNT);
        std::fs::write(&path, text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let bad: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .filter(|(_, l)| serde_json::from_str::<Record>(l).is_err())
            .map(|(i, _)| i + 1)
            .collect();
        let c = Journal::open(dir, ACCOUNT)
            .read()
            .map_err(|e| TestCaseError::fail(format!("unreadable: {e}")))?;
        let mut lines = vec![];
        for e in &c.skipped {
            let JournalError::Parse { line, .. } = e else {
                return Err(TestCaseError::fail(format!("not a line warning: {e}")));
            };
            let shown = e.to_string();
            prop_assert!(
                shown.starts_with(&format!("journal {} line {line}: ", path.display())),
                "{:?}",
                shown
            );
            prop_assert!(!shown.contains(['\n', '\r']), "not one line: {:?}", shown);
            prop_assert!(
                !shown.chars().any(|c| c.is_control()),
                "control characters in the warning: {:?}",
                shown
            );
            lines.push(*line);
        }
        prop_assert_eq!(&lines, &bad);
        if bad.is_empty() {
            Ok(Ok(c.entries))
        } else {
            Ok(Err(bad))
        }
    }

    fn journal_dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(d.path().join("journal")).expect("journal dir");
        d
    }

    #[test]
    fn fuzz_journal_arbitrary_lines() {
        let d = journal_dir();
        let strategy = prop::collection::vec(arbitrary_line(), 0..8);
        check(&strategy, |lines| {
            read(d.path(), &lines.join("\n")).map(|_| ())
        });
    }

    #[test]
    fn fuzz_journal_mutated_valid_lines() {
        let d = journal_dir();
        let valid = valid_lines();
        let strategy = (
            prop::collection::vec(prop::sample::select(valid.clone()), 1..8),
            any::<prop::sample::Index>(),
            prop::collection::vec(edit(), 1..4),
        );
        check(&strategy, |(mut lines, at, edits)| {
            let i = at.index(lines.len());
            for e in &edits {
                lines[i] = apply_edit(&lines[i], e);
            }
            match read(d.path(), &lines.join("\n"))? {
                Ok(_) => {}
                // Only the damaged line can be bad (an edit may have
                // put a newline in it: then its pieces).
                Err(bad) => {
                    let before: usize = lines[..i].iter().map(|l| l.lines().count()).sum();
                    for line in bad {
                        prop_assert!(
                            line > before && line <= before + lines[i].lines().count().max(1),
                            "line {} is not the damaged line {}",
                            line,
                            i + 1
                        );
                    }
                }
            }
            Ok(())
        });
    }

    #[test]
    fn fuzz_journal_valid_lines_read_back() {
        let d = journal_dir();
        let valid = valid_lines();
        let strategy = prop::collection::vec(prop::sample::select(valid), 0..12);
        check(&strategy, |lines| {
            let begins = lines
                .iter()
                .filter(|l| l.contains("\"event\":\"begin\""))
                .count();
            match read(d.path(), &(lines.join("\n") + "\n"))? {
                Ok(entries) => prop_assert_eq!(entries.len(), begins),
                Err(bad) => {
                    return Err(TestCaseError::fail(format!("lines {bad:?} are valid")));
                }
            }
            Ok(())
        });
    }

    /// Found by fuzzing: serde quoted a damaged `event` raw, escape
    /// sequences and newlines included.
    #[test]
    fn fuzz_found_damaged_event_is_quoted_inert() {
        let d = journal_dir();
        let text = "{\"event\":\"\\u001b[2J\\n\\u0085begin\"}\n";
        std::fs::write(Journal::path_for(d.path(), ACCOUNT), text).expect("write");
        let c = Journal::open(d.path(), ACCOUNT).read().expect("reads");
        assert!(c.entries.is_empty());
        assert_eq!(c.skipped.len(), 1, "{:?}", c.skipped);
        let shown = c.skipped[0].to_string();
        assert!(shown.contains("line 1"), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}

#[cfg(test)]
mod batch_item_tests {
    use super::*;
    use crate::aws::inventory::KeyStatus;
    use crate::plan::Step;

    fn key_op(status: KeyStatus) -> Op {
        Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status,
        })
    }

    /// A begin record written before entries named their item reads as
    /// before, and one without an item is written byte for byte as before.
    #[test]
    fn a_begin_without_item_is_written_and_read_as_before() {
        /// The begin record as it was before it could name its item.
        #[derive(Serialize)]
        struct OldBegin {
            event: &'static str,
            entry: String,
            batch: String,
            time: DateTime<Utc>,
            op: Op,
            inverse: Option<Vec<Op>>,
        }
        let old = serde_json::to_string(&OldBegin {
            event: "begin",
            entry: "b1.1".into(),
            batch: "b1".into(),
            time: "2026-11-29T00:00:00Z".parse().expect("time"),
            op: key_op(KeyStatus::Inactive),
            inverse: Some(vec![key_op(KeyStatus::Active)]),
        })
        .expect("json");
        let r: Record = serde_json::from_str(&old).expect("an old record parses");
        let Record::Begin { item, .. } = &r else {
            panic!("{r:?}")
        };
        assert_eq!(item, &None);
        assert_eq!(serde_json::to_string(&r).expect("json"), old);
    }

    #[test]
    fn each_entry_of_a_batch_names_its_own_item() {
        let d = tempfile::tempdir().expect("tempdir");
        let j = Journal::open(d.path(), "123456789012");
        let plan = Plan {
            item: "batch".into(),
            account: "123456789012".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
            blast: vec![],
        };
        let b = j.begin_batch(&plan).expect("batch");
        let inactive = key_op(KeyStatus::Inactive);
        let active = Some(vec![key_op(KeyStatus::Active)]);
        let e1 = j
            .begin_item(&b, 1, &inactive, &active, Some("account.stale-access-keys"))
            .expect("begin");
        let e2 = j
            .begin_item(&b, 2, &inactive, &active, Some("account.unused-keys"))
            .expect("begin");
        let e3 = j.begin(&b, 3, &inactive, &active).expect("begin");
        for e in [&e1, &e2, &e3] {
            j.done(e).expect("done");
        }
        let items: Vec<String> = j
            .entries()
            .expect("read")
            .into_iter()
            .map(|e| e.item)
            .collect();
        assert_eq!(
            items,
            ["account.stale-access-keys", "account.unused-keys", "batch"]
        );
        // The step's item is what execute passes to the journal.
        let step: Step = serde_json::from_value(serde_json::json!({
            "op": {"op": "update_access_key", "user": "bob", "key_id": "AKIA1", "status": "Inactive"},
            "inverse": null,
            "item": "account.stale-access-keys"
        }))
        .expect("a step with its item");
        assert_eq!(step.item.as_deref(), Some("account.stale-access-keys"));
    }
}
