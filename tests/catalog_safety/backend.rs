//! An in-memory backend that counts, fails on demand and watches the journal.

use futures::future::BoxFuture;
use moat::aws::inventory::{Inventory, PartError, PartId};
use moat::collect::demo::DemoBackend;
use moat::collect::{Applied, Backend, Mode, OpError};
use moat::journal::{EntryState, Journal};
use moat::plan::Op;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Fake {
    inv: Mutex<Inventory>,
    /// Every `apply` call (sent or failed).
    applies: AtomicUsize,
    /// 1-based: the apply call that fails.
    pub fail_at: Option<usize>,
    /// A part whose read fails.
    pub fail_collect: Option<PartId>,
    /// Journal dir and account: each op must be journaled before it arrives.
    pub journal: Option<(PathBuf, String)>,
    pub unjournaled: Mutex<Vec<String>>,
}

impl Fake {
    pub fn new(inv: Inventory) -> Fake {
        Fake {
            inv: Mutex::new(inv),
            applies: AtomicUsize::new(0),
            fail_at: None,
            fail_collect: None,
            journal: None,
            unjournaled: Mutex::new(vec![]),
        }
    }
    pub fn applies(&self) -> usize {
        self.applies.load(Ordering::SeqCst)
    }
    pub fn edit(&self, f: impl FnOnce(&mut Inventory)) {
        f(&mut self.inv.lock().expect("lock"));
    }
}

impl Backend for Fake {
    fn mode(&self) -> Mode {
        Mode::Live
    }

    fn collect(
        &self,
        part: PartId,
    ) -> BoxFuture<'_, Result<moat::aws::inventory::PartValue, PartError>> {
        Box::pin(async move {
            if self.fail_collect == Some(part) {
                return Err(PartError::new(
                    "test:Read",
                    Some("Throttling".into()),
                    "injected read failure",
                ));
            }
            self.inv
                .lock()
                .expect("lock")
                .get(part)
                .ok_or_else(|| PartError::new("test:Read", None, format!("{part:?} missing")))
        })
    }

    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>> {
        Box::pin(async move {
            let n = self.applies.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some((dir, account)) = &self.journal {
                let entries = Journal::open(dir, account)
                    .entries()
                    .expect("journal reads");
                let ok = entries.last().is_some_and(|e| {
                    e.state == EntryState::Unknown && variant_value(&e.op) == variant_value(op)
                });
                if !ok {
                    self.unjournaled.lock().expect("lock").push(op.describe());
                }
            }
            if self.fail_at == Some(n) {
                return Err(OpError::new(
                    op.action(),
                    Some("ServiceUnavailable".into()),
                    "injected failure",
                ));
            }
            self.inv
                .lock()
                .expect("lock")
                .apply(op)
                .map_err(|e| OpError::new(op.action(), None, e.to_string()))?;
            Ok(Applied::Sent)
        })
    }
}

/// The op as journaled (the MFA token is never serialized).
pub fn variant_value(op: &Op) -> Value {
    serde_json::to_value(op).expect("op serializes")
}

pub trait Snapshot {
    fn snap(&self) -> Inventory;
}
impl Snapshot for Fake {
    fn snap(&self) -> Inventory {
        self.inv.lock().expect("lock").clone()
    }
}
impl Snapshot for DemoBackend {
    fn snap(&self) -> Inventory {
        self.snapshot()
    }
}
