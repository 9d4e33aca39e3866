//! The built `moat` binary with nothing of the developer's environment. The
//! emulator tests reach it through `support` ([`super::moat_cmd`]); the
//! demo-account tests, which need no emulator, include this file alone
//! (`#[path = "support/command.rs"] mod command;`).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The built binary with every inherited `AWS_*` / `MOAT_*` variable
/// removed, its state directory `state`, its config home `xdg`, stdin null.
pub fn isolated_moat(state: &Path, xdg: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_moat"));
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("AWS_") || k.starts_with("MOAT_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("MOAT_STATE_DIR", state)
        .env("XDG_CONFIG_HOME", xdg)
        .stdin(Stdio::null());
    cmd
}

/// The shared AWS config and credentials files point nowhere and the
/// instance metadata service is off, so a developer's profile cannot leak in.
pub fn without_aws_profile(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/moat-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/moat-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

/// `moat --demo ARGS` with its state in `state` (config home
/// `state/xdg-config`), a fixed clock and no colour.
pub fn demo_at_fixed_time(state: &Path, args: &[&str]) -> Output {
    isolated_moat(state, &state.join("xdg-config"))
        .env("MOAT_NOW", "2026-11-29T10:00:00Z")
        .env("NO_COLOR", "1")
        .arg("--demo")
        .args(args)
        .output()
        .expect("run moat")
}

/// Standard output and standard error of a run, for assertion messages.
pub fn output_text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
