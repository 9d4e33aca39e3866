//! Validate `scan --format ocsf` output against the OCSF 1.1.0 Detection
//! Finding schema (tests/support/ocsf/, compiled from the OCSF schema
//! repository) with `tests/support/ocsf/validate.py`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// `Ok(())` when every event of `events` (a JSON array) is valid, else the
/// validator's report. Panics when the validator cannot run at all.
pub fn validate(events: &[u8]) -> Result<(), String> {
    let python = std::env::var("MOAT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ocsf/validate.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python} {}: {e}", script.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(events)
        .expect("write events");
    let out = child.wait_with_output().expect("validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(text),
        _ => panic!(
            "the OCSF validator could not run (it needs python3 with jsonschema, which \
             moto[server] installs): {text}"
        ),
    }
}
