//! Where moat keeps its files: the journal, guided-item progress and the log.
//! Directories are created 0700 and files 0600 (they name account resources).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `$MOAT_STATE_DIR`, else the platform state dir (`~/.local/state/moat`).
pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MOAT_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("", "", "moat")
        .map(|p| {
            p.state_dir()
                .unwrap_or_else(|| p.data_local_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| std::env::temp_dir().join("moat"))
}

/// Create `dir` (and parents) with mode 0700.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Open `path` for appending, creating it 0600.
pub fn private_append(path: &Path) -> std::io::Result<fs::File> {
    if let Some(parent) = path.parent() {
        private_dir(parent)?;
    }
    let mut o = fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Replace `path` atomically with `data`, mode 0600.
pub fn private_write(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        private_dir(parent)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut o = fs::OpenOptions::new();
        o.create(true).write(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

/// Guided items marked done, per account; survives restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: BTreeMap<String, DateTime<Utc>>,
}

impl Progress {
    pub fn path(dir: &Path, account: &str) -> PathBuf {
        dir.join("progress").join(format!("{account}.json"))
    }

    /// Load the account's progress; a missing file is empty progress, a
    /// damaged one is an error naming the file.
    pub fn load(dir: &Path, account: &str) -> Result<Progress, String> {
        let p = Self::path(dir, account);
        match fs::read_to_string(&p) {
            Ok(s) => serde_json::from_str(&s).map_err(|e| format!("{}: {e}", p.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    }

    pub fn save(&self, dir: &Path, account: &str) -> Result<(), String> {
        let p = Self::path(dir, account);
        let data = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        private_write(&p, &data).map_err(|e| format!("{}: {e}", p.display()))
    }
}

/// The time checks are evaluated at: now, or `MOAT_NOW` (RFC 3339) when set —
/// a test hook to age an emulator's freshly created keys, never needed in use.
pub fn now() -> DateTime<Utc> {
    std::env::var("MOAT_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_with_private_modes() {
        let d = tempfile::tempdir().expect("tempdir");
        let mut p = Progress::default();
        p.done.insert("account.root-mfa".into(), Utc::now());
        p.save(d.path(), "123456789012").expect("save");
        assert_eq!(Progress::load(d.path(), "123456789012"), Ok(p));
        assert_eq!(
            Progress::load(d.path(), "999999999999"),
            Ok(Progress::default())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let f = Progress::path(d.path(), "123456789012");
            assert_eq!(
                fs::metadata(&f).expect("meta").permissions().mode() & 0o777,
                0o600
            );
            let dir = f.parent().expect("parent");
            assert_eq!(
                fs::metadata(dir).expect("meta").permissions().mode() & 0o777,
                0o700
            );
        }
    }
}
