//! Saved scans: every scan (the TUI's and `scan`'s, on AWS and on the demo)
//! keeps what a later scan needs to compare with it ([`SavedScan`]: each
//! item's status and each finding's resource, region and status), per
//! account, in `<state>/scans/<account>/` (the demo account's in
//! `<state>/scans/demo-<account>/`, never mixed with a real one). Files are
//! 0600 in 0700 directories, named `NNNNNN-YYYYMMDDTHHMMSSZ.json` by a
//! sequence number, so that their order does not depend on the clock; the
//! newest [`KEEP`] of each account are kept.
//!
//! Comparing needs the journal too: a new failing finding on an item moat
//! fixed (an applied entry of that item, not undone) is drift.

use crate::checks::ItemResult;
use crate::collect::Mode;
use crate::journal::{EntryState, Journal};
use crate::report::Comparison;
use crate::report::compare::SavedScan;
use crate::state::{private_dir, state_dir};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Saved scans kept per account.
pub const KEEP: usize = 20;

/// A saved file larger than this is not a saved scan.
const MAX_BYTES: u64 = 64 << 20;

/// What `scan --compare` compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    /// The newest saved scan of the account (one that covers the items of
    /// this scan when there is one).
    Last,
    /// A saved scan file.
    File(PathBuf),
}

impl Against {
    /// `last`, or a path (`./last` for a file named so).
    pub fn parse(s: &str) -> Against {
        if s == "last" {
            Against::Last
        } else {
            Against::File(PathBuf::from(s))
        }
    }
}

/// An earlier scan to compare with, and what the journal says moat fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub scan: SavedScan,
    /// Where it was read from.
    pub path: PathBuf,
    /// Per item, the last time an apply of its fix succeeded (not undone).
    pub fixed_by_moat: BTreeMap<String, DateTime<Utc>>,
}

impl Baseline {
    /// Compare `items` with this scan.
    pub fn compare<R: std::borrow::Borrow<ItemResult>>(&self, items: &[R]) -> Comparison {
        Comparison::new(&self.scan, items, &self.fixed_by_moat)
    }
}

/// Whether a session's scans are of the demo account (dry-run over the demo
/// included).
pub fn is_demo(mode: Mode) -> bool {
    matches!(mode, Mode::Demo | Mode::DryRun { demo: true })
}

/// The folder of an account's saved scans.
pub fn dir(state: &Path, account: &str, demo: bool) -> PathBuf {
    let name = if demo {
        format!("demo-{account}")
    } else {
        account.to_string()
    };
    state.join("scans").join(name)
}

/// The sequence number of a saved scan's file name, if it is one.
fn sequence(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json")?;
    let (seq, _) = stem.split_once('-')?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    seq.parse().ok()
}

/// An account's saved scans, oldest first.
pub fn list(state: &Path, account: &str, demo: bool) -> Result<Vec<PathBuf>, String> {
    let d = dir(state, account, demo);
    let entries = match fs::read_dir(&d) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(format!("{}: {e}", d.display())),
    };
    let mut files: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| sequence(&p).map(|n| (n, p)))
        .collect();
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

/// Save `scan` as the account's newest, then drop all but the newest `keep`.
/// Returns the new file.
pub fn save(state: &Path, scan: &SavedScan, keep: usize) -> Result<PathBuf, String> {
    let d = dir(state, &scan.account, scan.demo);
    let fail = |e: std::io::Error| format!("{}: {e}", d.display());
    private_dir(&d).map_err(fail)?;
    let data = serde_json::to_vec(scan).map_err(|e| e.to_string())?;
    let tmp = d.join(format!(".{}.tmp", std::process::id()));
    {
        let mut o = fs::OpenOptions::new();
        o.create(true).write(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp).map_err(fail)?;
        f.write_all(&data).map_err(fail)?;
        f.sync_all().map_err(fail)?;
    }
    // The next number; a link fails when another process took it first.
    let mut next = list(state, &scan.account, scan.demo)?
        .last()
        .and_then(|p| sequence(p))
        .map_or(1, |n| n + 1);
    let stamp = scan.time.format("%Y%m%dT%H%M%SZ");
    let mut saved = None;
    for _ in 0..100 {
        let path = d.join(format!("{next:06}-{stamp}.json"));
        match fs::hard_link(&tmp, &path) {
            Ok(()) => {
                saved = Some(path);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => next += 1,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(fail(e));
            }
        }
    }
    let _ = fs::remove_file(&tmp);
    let saved = saved.ok_or_else(|| format!("{}: no free file name", d.display()))?;
    let files = list(state, &scan.account, scan.demo)?;
    let extra = files.len().saturating_sub(keep.max(1));
    for old in &files[..extra] {
        if let Err(e) = fs::remove_file(old) {
            tracing::warn!("{}: {e}", old.display());
        }
    }
    Ok(saved)
}

/// Read a saved scan; it must be one of `account` (and of the demo account
/// when `demo`, of a real one otherwise).
pub fn load(path: &Path, account: &str, demo: bool) -> Result<SavedScan, String> {
    let fail = |why: String| format!("cannot compare with {}: {why}", path.display());
    let meta = fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a file".into()));
    }
    if meta.len() > MAX_BYTES {
        return Err(fail("too large to be a saved scan".into()));
    }
    let text = fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let scan: SavedScan =
        serde_json::from_str(&text).map_err(|e| fail(format!("not a scan moat saved ({e})")))?;
    if scan.version != crate::report::compare::SAVED_SCAN_VERSION {
        return Err(fail(format!(
            "saved by another version of moat (format {})",
            scan.version
        )));
    }
    if scan.account != account || scan.demo != demo {
        let whose = |a: &str, d: bool| {
            let a = crate::kit::text::sanitize(a);
            if d {
                format!("the demo account {a}")
            } else {
                format!("account {a}")
            }
        };
        return Err(fail(format!(
            "it is a scan of {}, this is {}",
            whose(&scan.account, scan.demo),
            whose(account, demo)
        )));
    }
    Ok(scan)
}

/// The newest saved scan of the account that holds every item of `items`,
/// else the newest one; `None` when there is none. Unreadable files are
/// skipped (and logged).
pub fn last(
    state: &Path,
    account: &str,
    demo: bool,
    items: &BTreeSet<&str>,
) -> Result<Option<(PathBuf, SavedScan)>, String> {
    let mut newest = None;
    for path in list(state, account, demo)?.into_iter().rev() {
        match load(&path, account, demo) {
            Ok(scan) => {
                if scan.item_ids().is_superset(items) {
                    return Ok(Some((path, scan)));
                }
                if newest.is_none() {
                    newest = Some((path, scan));
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    Ok(newest)
}

/// Per item, the last time moat applied its fix (an applied journal entry
/// not undone since). A journal that cannot be read is logged and counts as
/// empty.
pub fn fixed_by_moat(state: &Path, account: &str) -> BTreeMap<String, DateTime<Utc>> {
    let mut out: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    let entries = match Journal::open(state, account).entries() {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("{e}");
            return out;
        }
    };
    for e in entries {
        if e.state == EntryState::Applied {
            let t = out.entry(e.item.clone()).or_insert(e.time);
            if e.time > *t {
                *t = e.time;
            }
        }
    }
    out
}

/// The earlier scan to compare a scan of `items` with; `Ok(None)` when
/// `against` is [`Against::Last`] and the account has no saved scan.
pub fn baseline(
    state: &Path,
    account: &str,
    demo: bool,
    against: &Against,
    items: &[ItemResult],
) -> Result<Option<Baseline>, String> {
    let found = match against {
        Against::Last => {
            let ids: BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
            last(state, account, demo, &ids)?
        }
        Against::File(p) => Some((p.clone(), load(p, account, demo)?)),
    };
    Ok(found.map(|(path, scan)| Baseline {
        scan,
        path,
        fixed_by_moat: fixed_by_moat(state, account),
    }))
}

/// Save a scan in the user's state dir; a failure is logged, never printed
/// (saving is a side effect of every scan).
pub fn save_quietly(scan: &SavedScan) {
    save_in(&state_dir(), scan);
}

/// [`save_quietly`] in `state`.
pub fn save_in(state: &Path, scan: &SavedScan) {
    match save(state, scan, KEEP) {
        Ok(p) => tracing::info!("scan saved: {}", p.display()),
        Err(e) => tracing::warn!("saving the scan: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Finding, Status};

    /// 10:00 UTC on day `d` of November 2026.
    fn at(d: u32) -> DateTime<Utc> {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, d).expect("a day of November");
        day.and_hms_opt(10, 0, 0).expect("10:00").and_utc()
    }

    fn scan(account: &str, demo: bool, d: u32, failing: &[&str]) -> SavedScan {
        let items = vec![ItemResult {
            id: "account.console-users-mfa".into(),
            section: "account".into(),
            title: "t".into(),
            status: if failing.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            },
            summary: String::new(),
            findings: failing.iter().map(|r| Finding::fail(*r, "d")).collect(),
        }];
        SavedScan::of(account, demo, at(d), &items)
    }

    #[test]
    fn saves_are_private_ordered_and_kept_to_the_limit() {
        let d = tempfile::tempdir().expect("tempdir");
        // The same time each save (a fixed clock): the order is the sequence's.
        for n in 0..5 {
            let r = format!("user/{n}");
            let s = scan("111122223333", false, 1, &[r.as_str()]);
            save(d.path(), &s, 3).expect("save");
        }
        let files = list(d.path(), "111122223333", false).expect("list");
        assert_eq!(files.len(), 3);
        let names: Vec<String> = files
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            names,
            [
                "000003-20261101T100000Z.json",
                "000004-20261101T100000Z.json",
                "000005-20261101T100000Z.json"
            ]
        );
        let (_, newest) = last(d.path(), "111122223333", false, &BTreeSet::new())
            .expect("last")
            .expect("one");
        assert_eq!(newest.items[0].findings[0].resource, "user/4");
        // No temporary file is left behind.
        let all = fs::read_dir(dir(d.path(), "111122223333", false))
            .expect("dir")
            .count();
        assert_eq!(all, 3);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&files[0]), 0o600);
            assert_eq!(mode(&dir(d.path(), "111122223333", false)), 0o700);
        }
    }

    #[test]
    fn another_accounts_scan_is_refused() {
        let d = tempfile::tempdir().expect("tempdir");
        let theirs = save(d.path(), &scan("444455556666", false, 1, &[]), KEEP).expect("save");
        let err = load(&theirs, "111122223333", false).expect_err("refused");
        assert!(
            err.contains("it is a scan of account 444455556666, this is account 111122223333"),
            "{err}"
        );
        let demo = save(d.path(), &scan("111122223333", true, 1, &[]), KEEP).expect("save");
        let err = load(&demo, "111122223333", false).expect_err("refused");
        assert!(err.contains("the demo account 111122223333"), "{err}");
        // Nor does one account's history hold another's.
        assert_eq!(
            last(d.path(), "111122223333", false, &BTreeSet::new()).expect("last"),
            None
        );
        assert!(
            baseline(d.path(), "111122223333", false, &Against::Last, &[],)
                .expect("no error")
                .is_none()
        );
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let d = tempfile::tempdir().expect("tempdir");
        let p = d.path().join("x.json");
        fs::write(&p, "{\"not\": \"a scan\"}").expect("write");
        let err = load(&p, "1", false).expect_err("refused");
        assert!(err.contains("not a scan moat saved"), "{err}");
        let err = load(&d.path().join("missing.json"), "1", false).expect_err("refused");
        assert!(err.starts_with("cannot compare with "), "{err}");
        let err = load(d.path(), "1", false).expect_err("refused");
        assert!(err.contains("not a file"), "{err}");
    }

    #[test]
    fn last_prefers_a_scan_that_covers_the_items() {
        let d = tempfile::tempdir().expect("tempdir");
        let full = scan("1", false, 1, &["user/a"]);
        save(d.path(), &full, KEEP).expect("save");
        let mut partial = scan("1", false, 2, &[]);
        partial.items[0].id = "account.root-mfa".into();
        save(d.path(), &partial, KEEP).expect("save");
        let want = BTreeSet::from(["account.console-users-mfa"]);
        let (_, got) = last(d.path(), "1", false, &want)
            .expect("last")
            .expect("one");
        assert_eq!(got, full);
        let want = BTreeSet::from(["account.other"]);
        let (_, got) = last(d.path(), "1", false, &want)
            .expect("last")
            .expect("one");
        assert_eq!(got, partial);
    }

    #[test]
    fn the_journal_names_what_moat_fixed() {
        use crate::aws::inventory::KeyStatus;
        use crate::plan::{Op, Plan};
        let d = tempfile::tempdir().expect("tempdir");
        assert!(fixed_by_moat(d.path(), "1").is_empty());
        let j = Journal::open(d.path(), "1");
        let plan = |item: &str| Plan {
            item: item.into(),
            account: "1".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
            blast: vec![],
        };
        let op = Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
            user: Some("bob".into()),
            key_id: "AKIA1".into(),
            status: KeyStatus::Inactive,
        });
        let b = j
            .begin_batch(&plan("account.console-users-mfa"))
            .expect("batch");
        let e = j.begin(&b, 1, &op, &None).expect("begin");
        j.done(&e).expect("done");
        // A failed apply fixed nothing.
        let b = j.begin_batch(&plan("account.root-mfa")).expect("batch");
        let e = j.begin(&b, 1, &op, &None).expect("begin");
        j.failed(&e, "denied").expect("failed");
        let fixed = fixed_by_moat(d.path(), "1");
        assert_eq!(
            fixed.keys().map(String::as_str).collect::<Vec<_>>(),
            ["account.console-users-mfa"]
        );
        // The next scan that finds it failing again calls it drift.
        let base = Baseline {
            scan: scan("1", false, 3, &[]),
            path: PathBuf::new(),
            fixed_by_moat: fixed,
        };
        let now = vec![ItemResult {
            id: "account.console-users-mfa".into(),
            section: "account".into(),
            title: "t".into(),
            status: Status::Fail,
            summary: String::new(),
            findings: vec![Finding::fail("user/a", "d")],
        }];
        let c = base.compare(&now);
        assert_eq!(c.counts().drift, 1);
        let mut fixed_again = now.clone();
        fixed_again[0].status = Status::Pass;
        fixed_again[0].findings.clear();
        assert_eq!(base.compare(&fixed_again).counts().drift, 0);
    }
}
