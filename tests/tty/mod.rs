//! A `moat` process on a pseudo-terminal, with its screen parsed by vt100:
//! keys in, screen out. Shared by the end-to-end TUI tests (`mod tty;`).
#![allow(dead_code)]

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const ROWS: u16 = 36;
pub const COLS: u16 = 120;
pub const WAIT: Duration = Duration::from_secs(60);

/// A process on a pseudo-terminal, with a parsed screen.
pub struct Tty {
    pub parser: vt100::Parser,
    /// Every byte moat wrote to the terminal.
    pub raw: Vec<u8>,
    output: mpsc::Receiver<Vec<u8>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tty {
    pub fn spawn(cmd: &std::process::Command) -> Tty {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut b = CommandBuilder::new(cmd.get_program());
        b.args(cmd.get_args());
        // Only the environment moat_cmd built, plus what a terminal needs.
        b.env_clear();
        for k in ["PATH", "HOME"] {
            if let Some(v) = std::env::var_os(k) {
                b.env(k, v);
            }
        }
        b.env("TERM", "xterm-256color");
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => b.env(k, v),
                None => b.env_remove(k),
            }
        }
        let child = pair.slave.spawn_command(b).expect("spawn moat in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let parser = vt100::Parser::new(ROWS.try_into().unwrap(), COLS.try_into().unwrap(), 0);
        Tty {
            parser,
            raw: Vec::new(),
            output,
            writer,
            child,
            _master: pair.master,
        }
    }

    pub fn pump(&mut self, for_at_most: Duration) {
        if let Ok(bytes) = self.output.recv_timeout(for_at_most) {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
            while let Ok(more) = self.output.try_recv() {
                self.parser.process(&more);
                self.raw.extend_from_slice(&more);
            }
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn rows(&self) -> Vec<String> {
        self.parser.screen().rows(0, COLS).collect()
    }

    /// Wait until the screen satisfies `done`; panic with the screen if it never does.
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            if done(&self.screen()) {
                return;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
            self.pump(Duration::from_millis(100));
        }
    }

    /// Wait until every part of the account has been read.
    pub fn wait_scanned(&mut self) {
        self.wait_for("the scan to finish", |s| {
            s.contains("scanned ") && !s.contains("scanning")
        });
    }

    pub fn wait_text(&mut self, text: &str) {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text));
    }

    pub fn keys(&mut self, keys: &str) {
        for k in keys.bytes() {
            self.writer.write_all(&[k]).expect("write key");
            self.writer.flush().expect("flush");
            // One key per read: the UI handles each as its own event.
            self.pump(Duration::from_millis(60));
        }
    }

    /// From the first item, press `key` (`j` down the list, `n` the
    /// onboarding walk) until the detail pane shows item `id`.
    pub fn walk_to(&mut self, key: &str, id: &str) {
        self.keys("g");
        self.wait_for("the first item", |s| {
            detail_id(s) == "account.root-access-keys"
        });
        for _ in 0..60 {
            let here = detail_id(&self.screen());
            if here == id {
                return;
            }
            self.keys(key);
            self.wait_for("the next item", |s| detail_id(s) != here);
        }
        panic!("{id} not reached with {key}; screen:\n{}", self.screen());
    }

    /// Presses q and waits for moat to exit; its exit status.
    pub fn quit(&mut self) -> portable_pty::ExitStatus {
        self.keys("q");
        let start = Instant::now();
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                return s;
            }
            assert!(
                start.elapsed() < WAIT,
                "moat did not exit after q; screen:\n{}",
                self.screen()
            );
        }
    }

    pub fn esc(&mut self) {
        self.writer.write_all(b"\x1b").expect("write esc");
        self.writer.flush().expect("flush");
        // crossterm tells a lone Esc from a sequence by the pause after it.
        std::thread::sleep(Duration::from_millis(200));
        self.pump(Duration::from_millis(100));
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The id of the item in the detail pane (its second line).
pub fn detail_id(screen: &str) -> String {
    let row = screen.lines().nth(3).unwrap_or_default();
    let right: String = row.chars().skip(47).collect();
    right
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}
