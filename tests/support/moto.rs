//! One moto server per test: started on a free 127.0.0.1 port through
//! `tests/support/moto_launcher.py`, stopped (and reaped) on drop.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::http;

/// The moto release the harness is tested with (scripts/test.sh installs it).
pub const MOTO_PIP_SPEC: &str = "moto[server]==5.2.1";

/// Path of the Python launcher.
pub const LAUNCHER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/moto_launcher.py"
);

/// How long `Moto::start` waits for the server to answer.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long `Drop` waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A running moto server on `127.0.0.1:port`, killed when dropped.
pub struct Moto {
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    child: Child,
    log_path: PathBuf,
    /// Time from spawn to the first successful `GET /moto-api/`.
    pub startup: Duration,
}

enum StartError {
    /// The chosen port was taken before moto could bind it: try another.
    PortTaken(String),
    Fatal(String),
}

impl Moto {
    /// Starts moto on a free port and waits until it answers (≤ 20 s).
    /// Panics with instructions when python3 or moto is missing.
    pub fn start() -> Moto {
        let mut last = String::new();
        for _ in 0..5 {
            match Self::try_start(free_port()) {
                Ok(moto) => return moto,
                Err(StartError::PortTaken(msg)) => last = msg,
                Err(StartError::Fatal(msg)) => panic!("{msg}"),
            }
        }
        panic!("moto could not bind a free port after 5 attempts: {last}");
    }

    fn try_start(port: u16) -> Result<Moto, StartError> {
        let log_path =
            std::env::temp_dir().join(format!("moat-moto-{}-{port}.log", std::process::id()));
        let log = File::create(&log_path)
            .map_err(|e| StartError::Fatal(format!("cannot create {}: {e}", log_path.display())))?;
        let python = std::env::var("MOAT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let spawned = Command::new(&python)
            .arg(LAUNCHER)
            .arg(port.to_string())
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .env("MOTO_PORT", port.to_string())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("MOAT_TEST_MOTO_LOG", &log_path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            // Own process group: a terminal's Ctrl-C does not reach it, and
            // Drop signals the whole group.
            .process_group(0)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&log_path);
                return Err(StartError::Fatal(format!(
                    "cannot run `{python}` to start moto ({e}). Integration tests need \
                     Python 3 with moto: run `bash scripts/test.sh`, or \
                     `python3 -m pip install \"{MOTO_PIP_SPEC}\"`"
                )));
            }
        };
        let spawned_at = Instant::now();

        // The launcher prints "READY <port> <pid>" once its socket listens.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Drain whatever else appears so the launcher never blocks.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });

        let mut moto = Moto {
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
            log_path,
            startup: Duration::ZERO,
        };
        let deadline = spawned_at + START_TIMEOUT;
        let mut ready = false;
        while !ready {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) if line.starts_with("READY ") => ready = true,
                Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // The launcher exited (or closed stdout) without READY.
                    let status = moto.child.wait().ok().and_then(|s| s.code());
                    return Err(moto.start_failure(status));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = moto.child.try_wait() {
                        return Err(moto.start_failure(status.code()));
                    }
                    if Instant::now() > deadline {
                        return Err(StartError::Fatal(format!(
                            "moto did not start within {START_TIMEOUT:?}; log:\n{}",
                            moto.log_tail()
                        )));
                    }
                }
            }
        }
        // Listening; now wait until the app answers.
        loop {
            let timeout = Duration::from_secs(5);
            if let Ok((200, _)) = http::request(port, "GET", "/moto-api/", b"", timeout) {
                break;
            }
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(moto.start_failure(status.code()));
            }
            if Instant::now() > deadline {
                return Err(StartError::Fatal(format!(
                    "moto on port {port} did not answer GET /moto-api/ within \
                     {START_TIMEOUT:?}; log:\n{}",
                    moto.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        moto.startup = spawned_at.elapsed();
        Ok(moto)
    }

    fn start_failure(&mut self, code: Option<i32>) -> StartError {
        let tail = self.log_tail();
        match code {
            Some(3) => StartError::Fatal(format!(
                "moto is not installed for python3. Integration tests need it: run \
                 `bash scripts/test.sh` (installs it), or \
                 `python3 -m pip install \"{MOTO_PIP_SPEC}\"`.\nlauncher log:\n{tail}"
            )),
            Some(4) => StartError::PortTaken(tail),
            other => StartError::Fatal(format!(
                "moto launcher exited with {other:?} before it was ready; log:\n{tail}"
            )),
        }
    }

    /// Pid of the launcher process (the moto server itself).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's stderr (removed on drop; a panicking test prints its
    /// last lines).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the server log (for failure messages).
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(&self.log_path) {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Clears all moto state (`POST /moto-api/reset`).
    pub fn reset(&self) {
        match http::request(
            self.port,
            "POST",
            "/moto-api/reset",
            b"",
            Duration::from_secs(30),
        ) {
            Ok((200, _)) => {}
            Ok((status, body)) => panic!(
                "moto reset answered {status}: {}",
                String::from_utf8_lossy(&body)
            ),
            Err(e) => panic!("moto reset failed: {e}"),
        }
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the server: SIGTERM to its process group, SIGKILL after a
    /// grace period, then reaps it. Idempotent; also done by `Drop`.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pgid = self.child.id();
        let termed = signal_group(pgid, "TERM");
        let deadline = Instant::now() + STOP_GRACE;
        if termed {
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        signal_group(pgid, "KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            // Shown with the failing test's captured output.
            let tail = self.log_tail();
            if !tail.trim().is_empty() {
                eprintln!("--- moto (port {}) log, last lines ---\n{tail}", self.port);
            }
        }
        let _ = std::fs::remove_file(&self.log_path);
    }
}

/// Sends SIG`sig` to process group `pgid` with kill(1); false when that
/// could not be done (Drop then falls back to SIGKILL via std).
fn signal_group(pgid: u32, sig: &str) -> bool {
    Command::new("kill")
        .args(["-s", sig, "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A port that was free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Whether a process with this pid exists (zombies count as gone).
pub fn pid_alive(pid: u32) -> bool {
    if !Path::new("/proc/self/stat").exists() {
        return Command::new("kill")
            .args(["-0", &pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // State is the field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(true),
        Err(_) => false,
    }
}
