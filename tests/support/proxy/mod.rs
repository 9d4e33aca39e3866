//! A counting HTTP/1.1 proxy in front of moto: every request the SDK (or
//! the moat binary) sends is recorded with its AWS operation name, so tests
//! can prove e.g. that `scan` sends no mutating request.
//!
//! Plain std threads, one per client connection; keep-alive on the client
//! side (several requests per connection), Content-Length and chunked
//! bodies, `Expect: 100-continue`. Bytes are forwarded verbatim (SigV4
//! signatures stay valid). moto's werkzeug server closes every connection
//! after one response (`Connection: close`), which is passed through, so the
//! SDK behaves exactly as it does against moto directly.
//!
//! Fault injection ([`faults`]): [`Proxy::faults`], [`Proxy::down`] and
//! [`Proxy::rule`] make chosen requests fail; each [`RecordedRequest`] says
//! which fault it got. How a request is named ([`classify`]): its signing
//! service, its operation and whether it mutates. The connections
//! themselves (reading, recording, forwarding): [`connection`].

mod classify;
mod connection;
mod faults;

// Not every test crate uses every item.
#[allow(unused_imports)]
pub use classify::{Classified, classify, is_mutating_operation};
#[allow(unused_imports)]
pub use faults::{FaultKind, Faults, Only, Rule};

use std::collections::HashMap;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use faults::{FaultState, XorShift};

/// One request seen by the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// 0-based arrival order since the proxy started (not reset by
    /// `clear`).
    pub seq: usize,
    /// Client connection id (equal ids: same keep-alive connection).
    pub conn: u64,
    pub method: String,
    /// Request target as sent (path and query).
    pub target: String,
    /// SigV4 signing name from `Authorization` (`iam`, `sts`, `account`,
    /// `s3` …), if signed.
    pub service: Option<String>,
    /// Operation name, e.g. `ListUsers`, `PutAlternateContact`,
    /// `GetBucketVersioning`; `"METHOD /path"` when it cannot be named.
    pub operation: String,
    pub mutating: bool,
    /// Status code returned to the client (`None` while in flight, or when
    /// the connection was dropped without an answer).
    pub status: Option<u16>,
    /// The fault injected into this request, if one was.
    pub fault: Option<FaultKind>,
    /// The form fields of a query-protocol request (EC2, IAM, STS, RDS,
    /// ELB, SNS, …: `Action=…&Version=…&OwnerId.1=self`), in order; empty
    /// for other protocols.
    pub params: Vec<(String, String)>,
}

/// A running proxy on `127.0.0.1:port` forwarding to moto.
pub struct Proxy {
    pub port: u16,
    /// `http://127.0.0.1:PORT` — give this to clients instead of moto's.
    pub endpoint: String,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    upstream_port: u16,
    records: Mutex<Vec<RecordedRequest>>,
    stopping: AtomicBool,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
    next_seq: AtomicUsize,
    /// Canned answers by operation name: (status, content type, body).
    canned: Mutex<HashMap<String, (u16, String, String)>>,
    /// Transient faults, when set.
    faults: Mutex<Option<FaultState>>,
    /// Services that are hard down: signing name → the fault every request gets.
    down: Mutex<HashMap<String, FaultKind>>,
    /// Targeted faults, first match wins (see [`Rule`]).
    rules: Mutex<Vec<Rule>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking connection thread must not hide the records.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proxy {
    /// Starts a proxy forwarding to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("proxy: bind 127.0.0.1:0");
        let port = listener.local_addr().expect("proxy: local_addr").port();
        let shared = Arc::new(Shared {
            upstream_port,
            records: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            next_seq: AtomicUsize::new(0),
            canned: Mutex::new(HashMap::new()),
            faults: Mutex::new(None),
            down: Mutex::new(HashMap::new()),
            rules: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name(format!("proxy-accept-{port}"))
            .spawn(move || connection::accept_loop(listener, accept_shared))
            .expect("proxy: spawn accept thread");
        Proxy {
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            shared,
            accept: Some(accept),
        }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).clone()
    }

    /// Operation names of every request so far, in arrival order.
    pub fn operations(&self) -> Vec<String> {
        lock(&self.shared.records)
            .iter()
            .map(|r| r.operation.clone())
            .collect()
    }

    /// Operation names of the mutating requests so far.
    pub fn mutating(&self) -> Vec<String> {
        lock(&self.shared.records)
            .iter()
            .filter(|r| r.mutating)
            .map(|r| r.operation.clone())
            .collect()
    }

    /// How many requests named `operation` were seen.
    pub fn count(&self, operation: &str) -> usize {
        lock(&self.shared.records)
            .iter()
            .filter(|r| r.operation == operation)
            .count()
    }

    /// From now on answer every `operation` request with this response instead
    /// of forwarding it (e.g. an AccessDenied error in the service's own format).
    pub fn answer(&self, operation: &str, status: u16, content_type: &str, body: &str) {
        lock(&self.shared.canned).insert(
            operation.to_string(),
            (status, content_type.to_string(), body.to_string()),
        );
    }

    /// Forgets the requests recorded so far (e.g. after seeding).
    pub fn clear(&self) {
        lock(&self.shared.records).clear();
    }

    /// From now on inject transient faults (replacing earlier ones; the RNG
    /// starts again from `faults.seed`).
    pub fn faults(&self, faults: Faults) {
        assert!(!faults.kinds.is_empty(), "Faults.kinds is empty");
        let rng = XorShift::new(faults.seed);
        *lock(&self.shared.faults) = Some(FaultState { faults, rng });
    }

    /// Stops injecting faults: transient ones, hard-down services and rules.
    pub fn clear_faults(&self) {
        *lock(&self.shared.faults) = None;
        lock(&self.shared.down).clear();
        lock(&self.shared.rules).clear();
    }

    /// From now on the requests `rule` matches get its fault (rules are
    /// tried in the order they were added; a hard-down service wins).
    pub fn rule(&self, rule: Rule) {
        lock(&self.shared.rules).push(rule);
    }

    /// Service `service` (SigV4 signing name; S3 Control signs as `s3`) is
    /// hard down: every request signed for it gets `kind`.
    pub fn down(&self, service: &str, kind: FaultKind) {
        lock(&self.shared.down).insert(service.to_string(), kind);
    }

    /// Service `service` answers again.
    pub fn up(&self, service: &str) {
        lock(&self.shared.down).remove(service);
    }

    /// Requests that got a fault so far.
    pub fn faulted(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records)
            .iter()
            .filter(|r| r.fault.is_some())
            .cloned()
            .collect()
    }

    /// How many requests got `kind` so far.
    pub fn fault_count(&self, kind: FaultKind) -> usize {
        lock(&self.shared.records)
            .iter()
            .filter(|r| r.fault == Some(kind))
            .count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
        // Close client connections: their threads then end.
        for (_, stream) in lock(&self.shared.conns).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}
