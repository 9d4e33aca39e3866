//! The config file, through the real binary on the demo account: `config
//! init` / `config path`, exceptions and thresholds changing what `scan`
//! reports, and one-line errors (exit 2) for a malformed file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/command.rs"]
mod command;
use command::{isolated_moat, output_text as text, without_aws_profile};

/// A temp dir holding the state dir and `$XDG_CONFIG_HOME`.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::Builder::new()
                .prefix("moat-test-config-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// Where `config init` writes without `--config` or `MOAT_CONFIG`.
    fn default_path(&self) -> PathBuf {
        self.dir.path().join("xdg").join("moat").join("config.toml")
    }

    /// `moat` with the state and config dirs in the temp dir and nothing
    /// inherited that could reach a real account or a developer's config.
    fn moat(&self) -> Command {
        let mut c = isolated_moat(&self.dir.path().join("state"), &self.dir.path().join("xdg"));
        without_aws_profile(&mut c).env("NO_COLOR", "1");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.moat().args(args).output().expect("run moat")
    }

    /// `--demo scan --item ID --format json` with `MOAT_CONFIG=config`.
    fn scan_item(&self, config: Option<&Path>, id: &str) -> Value {
        let mut c = self.moat();
        if let Some(p) = config {
            c.env("MOAT_CONFIG", p);
        }
        let o = c
            .args(["--demo", "scan", "--item", id, "--format", "json"])
            .output()
            .expect("run moat");
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("scan json: {e}\n{}", text(&o)));
        v["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} in the scan\n{}", text(&o)))
    }

    fn write(&self, name: &str, body: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).expect("write config");
        p
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (resource, status, detail) of each finding.
fn findings(item: &Value) -> Vec<(String, String, String)> {
    item["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("resource"), s("status"), s("detail"))
        })
        .collect()
}

const DEFAULT_FILE: &str = include_str!("../assets/config.toml");

#[test]
fn init_writes_the_default_refuses_to_overwrite_then_forces() {
    let env = Env::new();
    let path = env.default_path();

    let o = env.run(&["config", "path"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        path.display().to_string()
    );
    assert!(stderr(&o).contains("does not exist"), "{}", text(&o));

    let o = env.run(&["config", "init"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&path.display().to_string()),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("written"),
        DEFAULT_FILE
    );

    let o = env.run(&["config", "path"]);
    assert!(stderr(&o).contains("exists"), "{}", text(&o));

    std::fs::write(&path, "# mine\n").expect("edit");
    let o = env.run(&["config", "init"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("exists") && stderr(&o).contains("--force"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "# mine\n");

    let o = env.run(&["config", "init", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&path).expect("replaced"),
        DEFAULT_FILE
    );

    // The written file is read back without complaint.
    let o = env.run(&["--demo", "scan", "--item", "account.root-mfa"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));

    // --config and MOAT_CONFIG choose where init writes, creating the dir.
    let other = env.dir.path().join("elsewhere").join("moat.toml");
    let o = env
        .moat()
        .args(["config", "init", "--config"])
        .arg(&other)
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(other.is_file());
    let by_env = env.dir.path().join("by-env.toml");
    let o = env
        .moat()
        .env("MOAT_CONFIG", &by_env)
        .args(["config", "init"])
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(by_env.is_file());
}

/// Both alternate contacts excepted; the second exception's `expires`
/// line is left to the test.
const CONTACT_EXCEPTIONS: &str = r#"
[[exception]]
item = "account.alternate-contacts"
resource = "contact/OPERATIONS"
reason = "set at the organisation level"

[[exception]]
item = "account.alternate-contacts"
resource = "contact/SECURITY"
reason = "the SOC contact is being hired"
"#;

#[test]
fn exceptions_accept_failing_resources_until_they_expire() {
    let env = Env::new();
    let id = "account.alternate-contacts";
    let before = env.scan_item(None, id);
    assert_eq!(before["status"], "fail");
    let failing: Vec<String> = findings(&before)
        .into_iter()
        .filter(|(_, s, _)| s == "fail")
        .map(|(r, _, _)| r)
        .collect();
    assert_eq!(failing, ["contact/OPERATIONS", "contact/SECURITY"]);

    // Both accepted (one for good, one until a date far ahead): accepted.
    let config = env.write(
        "accepted.toml",
        &format!("{CONTACT_EXCEPTIONS}expires = 2999-12-31\n"),
    );
    let item = env.scan_item(Some(&config), id);
    assert_eq!(item["status"], "accepted", "{item:#}");
    let f = findings(&item);
    assert!(f.iter().all(|(_, s, _)| s == "accepted"), "{f:?}");
    assert!(f[0].2.contains("set at the organisation level"), "{f:?}");
    assert!(f[1].2.contains("2999-12-31"), "{f:?}");
    // Accepted is not failing: scan exits 0 for this item.
    let o = env
        .moat()
        .env("MOAT_CONFIG", &config)
        .args(["--demo", "scan", "--item", id])
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // An expired exception fails again, and says so.
    let config = env.write(
        "expired.toml",
        &format!("{CONTACT_EXCEPTIONS}expires = 2020-01-31\n"),
    );
    let item = env.scan_item(Some(&config), id);
    assert_eq!(item["status"], "fail", "{item:#}");
    let f = findings(&item);
    assert_eq!(f[0].1, "accepted", "{f:?}");
    assert_eq!(f[1].1, "fail", "{f:?}");
    assert!(f[1].2.contains("expired on 2020-01-31"), "{f:?}");
}

#[test]
fn thresholds_change_what_fails() {
    let env = Env::new();
    let id = "account.password-policy";
    let length = |item: &Value| {
        findings(item)
            .into_iter()
            .any(|(_, s, d)| s == "fail" && d.contains("Minimum length"))
    };
    let before = env.scan_item(None, id);
    assert!(length(&before), "{before:#}");

    // The default config file changes nothing.
    let config = env.write("default.toml", DEFAULT_FILE);
    assert_eq!(env.scan_item(Some(&config), id), before);

    let config = env.write("short.toml", "[thresholds]\npassword_min_length = 8\n");
    let after = env.scan_item(Some(&config), id);
    assert!(!length(&after), "{after:#}");
    // The reuse finding is still there.
    assert_eq!(after["status"], "fail", "{after:#}");
}

#[test]
fn a_malformed_file_is_one_line_naming_file_line_and_key() {
    let env = Env::new();
    let path = env.default_path();
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &path,
        "# my settings\n[thresholds]\npassword_min_length = 12\n\nkey_max_age = 90\n",
    )
    .expect("write");
    let check = |o: &Output, file: &Path, line: &str, key: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", text(o));
        assert!(o.stdout.is_empty(), "{}", text(o));
        let err = stderr(o);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(err.contains(line), "{err}");
        assert!(err.contains(key), "{err}");
    };
    // The demo, a real account (refused before any AWS call: the endpoint
    // is a closed port), and the interactive session all stop on it.
    let o = env.run(&["--demo", "scan"]);
    check(
        &o,
        &path,
        "line 5:",
        "unknown key 'key_max_age' in [thresholds]",
    );
    let o = env.run(&["scan", "--endpoint-url", "http://127.0.0.1:9"]);
    check(&o, &path, "line 5:", "'key_max_age'");
    let o = env.run(&["--demo"]);
    check(&o, &path, "line 5:", "'key_max_age'");
    // `config init` is how to get out of it, and it still works.
    let o = env.run(&["config", "init", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Values are checked too.
    let bad = env.write(
        "bad.toml",
        "[tighten]\ncidrs = [\n  \"10.0.0.0/8\",\n  \"0.0.0.0/0\",\n]\n",
    );
    let o = env
        .moat()
        .env("MOAT_CONFIG", &bad)
        .args(["--demo", "scan"])
        .output()
        .expect("run moat");
    check(&o, &bad, "line 4:", "0.0.0.0/0");
    let bad = env.write(
        "item.toml",
        "[[exception]]\nitem = \"account.root-mfaa\"\nresource = \"account\"\nreason = \"r\"\n",
    );
    let o = env
        .moat()
        .args(["--demo", "scan", "--config"])
        .arg(&bad)
        .output()
        .expect("run moat");
    check(&o, &bad, "line 2:", "did you mean account.root-mfa?");

    // A file named explicitly must exist.
    let missing = env.dir.path().join("missing.toml");
    let o = env
        .moat()
        .args(["--demo", "scan", "--config"])
        .arg(&missing)
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("missing.toml (from --config): no such file"),
        "{}",
        text(&o)
    );
}
