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
//! Fault injection: [`Proxy::faults`] makes a seeded fraction of the
//! requests (optionally only one signing service, only reads or only
//! mutating requests) fail with one of [`FaultKind`]: a delay, HTTP 503/500,
//! the service's own throttling error, a connection dropped before
//! forwarding, or a request forwarded (so applied) whose answer is then
//! dropped. [`Proxy::down`] makes one service fail every request;
//! [`Proxy::rule`] gives a fault to the requests of one service, region,
//! operation or request text (e.g. one user's name), every time or the first
//! N times. The
//! decision is made per request in arrival order by a seeded xorshift RNG,
//! so the same arrival order gives the same faults; each
//! [`RecordedRequest`] says which fault it got.

use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::http::{self, Head};

/// Upstream (moto) socket timeout: a wedged server fails the test instead
/// of hanging it.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);

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

/// The form fields of a query-protocol request body (empty for others).
fn form_params(headers: &[(String, String)], body: &[u8]) -> Vec<(String, String)> {
    let form = header(headers, "content-type")
        .map(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if form || body.starts_with(b"Action=") {
        http::parse_form(&String::from_utf8_lossy(body))
    } else {
        Vec::new()
    }
}

/// A fault the proxy can inject into one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// Wait this many milliseconds, then forward normally.
    Delay(u64),
    /// Answer HTTP 503 (plain text, no AWS error code) without forwarding.
    Status503,
    /// Answer HTTP 500 (plain text, no AWS error code) without forwarding.
    Status500,
    /// Answer the service's own throttling error without forwarding:
    /// `Throttling` (query/XML: IAM, STS, CloudFront), `ThrottlingException`
    /// (JSON: account, CloudTrail, others), `SlowDown` 503 (S3).
    Throttle,
    /// [`FaultKind::Throttle`] with an `x-amz-retry-after` header asking the
    /// client to wait this many milliseconds before retrying.
    ThrottleAfter(u64),
    /// Close the connection without forwarding or answering.
    Drop,
    /// Forward the request (upstream applies it), then close the connection
    /// without passing the answer on: the client cannot know it was applied.
    ForwardThenDrop,
}

impl FaultKind {
    /// Whether the request reaches upstream (and takes effect there).
    pub fn forwards(self) -> bool {
        matches!(self, FaultKind::Delay(_) | FaultKind::ForwardThenDrop)
    }
}

/// Which requests a fault setting applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// Requests that do not change state.
    Reads,
    /// Requests that change state (see [`is_mutating_operation`]).
    Mutating,
}

/// Transient faults: `fraction` of the matching requests (decided per
/// request, in arrival order, by an RNG seeded with `seed`) get one of
/// `kinds` (picked by the same RNG).
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    pub fraction: f64,
    pub seed: u64,
    pub kinds: Vec<FaultKind>,
    /// Only requests signed for this service (`iam`, `s3` …).
    pub service: Option<String>,
    pub only: Option<Only>,
}

/// Tiny xorshift64* RNG (deterministic, no crate).
#[derive(Debug, Clone)]
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // Never zero (xorshift's fixed point).
        XorShift(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct FaultState {
    faults: Faults,
    rng: XorShift,
}

impl Faults {
    fn matches(&self, c: &Classified) -> bool {
        if let Some(s) = &self.service
            && c.service.as_deref() != Some(s.as_str())
        {
            return false;
        }
        match self.only {
            Some(Only::Reads) => !c.mutating,
            Some(Only::Mutating) => c.mutating,
            None => true,
        }
    }
}

/// A fault for the requests that match every given field: all of them, or
/// the first `times` (see [`Proxy::rule`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: FaultKind,
    /// Only requests signed for this service (`iam`, `ec2` …).
    pub service: Option<String>,
    /// Only requests signed for this region (the SigV4 credential scope).
    pub region: Option<String>,
    /// Only this operation (`CreateSnapshot`, `ListAccessKeys` …).
    pub operation: Option<String>,
    /// Only requests whose target or decoded body contains this text
    /// (e.g. `UserName=bob`, or `"Tags"` in a JSON body).
    pub contains: Option<String>,
    /// At most this many matching requests get the fault (`None`: all).
    pub times: Option<usize>,
}

impl Rule {
    /// Every request gets `kind` (narrow it with the builder methods).
    pub fn new(kind: FaultKind) -> Rule {
        Rule {
            kind,
            service: None,
            region: None,
            operation: None,
            contains: None,
            times: None,
        }
    }
    pub fn service(mut self, service: &str) -> Rule {
        self.service = Some(service.to_string());
        self
    }
    pub fn region(mut self, region: &str) -> Rule {
        self.region = Some(region.to_string());
        self
    }
    pub fn operation(mut self, operation: &str) -> Rule {
        self.operation = Some(operation.to_string());
        self
    }
    pub fn contains(mut self, text: &str) -> Rule {
        self.contains = Some(text.to_string());
        self
    }
    pub fn times(mut self, n: usize) -> Rule {
        self.times = Some(n);
        self
    }

    fn matches(&self, c: &Classified, region: Option<&str>, target: &str, body: &[u8]) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        same(&self.service, c.service.as_deref())
            && same(&self.region, region)
            && same(&self.operation, Some(c.operation.as_str()))
            && self
                .contains
                .as_deref()
                .is_none_or(|t| target.contains(t) || String::from_utf8_lossy(body).contains(t))
            && self.times != Some(0)
    }
}

/// What `classify` derives from a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub service: Option<String>,
    pub operation: String,
    pub mutating: bool,
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
            .spawn(move || accept_loop(listener, accept_shared))
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

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).insert(id, clone);
        }
        let conn_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("proxy-conn-{id}"))
            .spawn(move || {
                let mut conn = Conn {
                    id,
                    shared: Arc::clone(&conn_shared),
                    upstream: None,
                };
                let _ = conn.serve(stream);
                lock(&conn_shared.conns).remove(&id);
            });
        if spawned.is_err() {
            lock(&shared.conns).remove(&id);
        }
    }
}

struct Upstream {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

struct Conn {
    id: u64,
    shared: Arc<Shared>,
    upstream: Option<Upstream>,
}

/// A request read from the client.
struct Request {
    head: Head,
    method: String,
    target: String,
    body: http::Body,
    /// The request asked to close the connection after the response.
    closes: bool,
}

impl Conn {
    fn serve(&mut self, client: TcpStream) -> io::Result<()> {
        let _ = client.set_nodelay(true);
        let mut reader = BufReader::new(client.try_clone()?);
        let mut writer = client;
        // `None`: the client closed an idle connection.
        while let Some(head) = http::read_head(&mut reader)? {
            let mut parts = head.start_line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let target = parts.next().unwrap_or("").to_string();
            let version = parts.next().unwrap_or("").to_string();
            if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/1.") {
                write_error(&mut writer, 400, "bad request line")?;
                break;
            }
            if head.has_token("expect", "100-continue") {
                // Answer it here; upstream gets the request without Expect.
                writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                writer.flush()?;
            }
            let body = if head.is_chunked() {
                http::read_chunked_body(&mut reader)?
            } else if let Some(len) = head.content_length()? {
                http::read_exact_body(&mut reader, len)?
            } else {
                http::Body::default()
            };
            let closes = head.has_token("connection", "close") || version == "HTTP/1.0";
            let request = Request {
                head,
                method,
                target,
                body,
                closes,
            };
            let (seq, fault) = self.record(&request);
            match fault {
                Some(FaultKind::Delay(ms)) => std::thread::sleep(Duration::from_millis(ms)),
                Some(FaultKind::Drop) => break,
                Some(FaultKind::ForwardThenDrop) => {
                    let (status, _, _) = self.exchange(&request);
                    // What upstream answered; the client never sees it.
                    self.set_status(seq, status);
                    break;
                }
                Some(
                    kind @ (FaultKind::Status503
                    | FaultKind::Status500
                    | FaultKind::Throttle
                    | FaultKind::ThrottleAfter(_)),
                ) => {
                    let service = lock(&self.shared.records)
                        .iter()
                        .rev()
                        .find(|r| r.seq == seq)
                        .and_then(|r| r.service.clone());
                    let head_request = request.method.eq_ignore_ascii_case("HEAD");
                    let (status, response) = fault_response(kind, service.as_deref(), head_request);
                    self.set_status(seq, status);
                    writer.write_all(&response)?;
                    writer.flush()?;
                    break;
                }
                None => {}
            }
            let canned = {
                let op = lock(&self.shared.records)
                    .iter()
                    .rev()
                    .find(|r| r.seq == seq)
                    .map(|r| r.operation.clone());
                op.and_then(|op| lock(&self.shared.canned).get(&op).cloned())
            };
            let (status, response, upstream_closes) = match canned {
                Some((status, content_type, body)) => (
                    status,
                    format!(
                        "HTTP/1.1 {status} Canned\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                         x-amzn-RequestId: moat-test\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .into_bytes(),
                    true,
                ),
                None => self.exchange(&request),
            };
            self.set_status(seq, status);
            writer.write_all(&response)?;
            writer.flush()?;
            if request.closes || upstream_closes {
                break;
            }
        }
        let _ = writer.shutdown(Shutdown::Both);
        Ok(())
    }

    /// Records the request and decides its fault (under the records lock,
    /// so decisions follow arrival order).
    fn record(&self, request: &Request) -> (usize, Option<FaultKind>) {
        let c = classify(
            &request.method,
            &request.target,
            &request.head.headers,
            &request.body.decoded,
        );
        let mut records = lock(&self.shared.records);
        let seq = self.shared.next_seq.fetch_add(1, Ordering::SeqCst);
        let down = c
            .service
            .as_ref()
            .and_then(|s| lock(&self.shared.down).get(s).copied());
        let region = signing_region(&request.head.headers);
        let ruled = || {
            let mut rules = lock(&self.shared.rules);
            let rule = rules.iter_mut().find(|r| {
                r.matches(
                    &c,
                    region.as_deref(),
                    &request.target,
                    &request.body.decoded,
                )
            })?;
            if let Some(n) = rule.times.as_mut() {
                *n -= 1;
            }
            Some(rule.kind)
        };
        let fault = down.or_else(ruled).or_else(|| {
            let mut guard = lock(&self.shared.faults);
            let state = guard.as_mut()?;
            if !state.faults.matches(&c) {
                return None;
            }
            let roll = state.rng.next_f64();
            let pick = state.rng.next_u64();
            (roll < state.faults.fraction).then(|| {
                let kinds = &state.faults.kinds;
                kinds[(pick % kinds.len() as u64) as usize]
            })
        });
        records.push(RecordedRequest {
            seq,
            conn: self.id,
            method: request.method.clone(),
            target: request.target.clone(),
            service: c.service,
            operation: c.operation,
            mutating: c.mutating,
            status: None,
            fault,
            params: form_params(&request.head.headers, &request.body.decoded),
        });
        (seq, fault)
    }

    fn set_status(&self, seq: usize, status: u16) {
        // `clear()` may have run meanwhile: find by seq, not by index.
        let mut records = lock(&self.shared.records);
        if let Some(r) = records.iter_mut().rev().find(|r| r.seq == seq) {
            r.status = Some(status);
        }
    }

    /// Forwards one request and returns (status, bytes for the client,
    /// whether the client connection must close afterwards).
    fn exchange(&mut self, request: &Request) -> (u16, Vec<u8>, bool) {
        let head_request = request.method.eq_ignore_ascii_case("HEAD");
        let mut outgoing = Vec::with_capacity(request.head.raw.len() + request.body.raw.len());
        outgoing.extend_from_slice(request.head.start_line.as_bytes());
        outgoing.extend_from_slice(b"\r\n");
        for (name, value) in &request.head.headers {
            if name.eq_ignore_ascii_case("expect") {
                continue;
            }
            outgoing.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        outgoing.extend_from_slice(b"\r\n");
        outgoing.extend_from_slice(&request.body.raw);

        let mut last_error = None;
        for _ in 0..2 {
            let reused = self.upstream.is_some();
            match self.forward(&outgoing, head_request) {
                Ok((interim, response)) => {
                    if response.closes {
                        self.upstream = None;
                    }
                    let mut bytes = interim;
                    bytes.extend_from_slice(&response.head.raw);
                    bytes.extend_from_slice(&response.raw_body);
                    return (response.status, bytes, response.closes);
                }
                Err(e) => {
                    self.upstream = None;
                    last_error = Some(e);
                    // Retry once only when a kept-alive upstream connection
                    // may have gone stale.
                    if !reused {
                        break;
                    }
                }
            }
        }
        let msg = format!(
            "moat test proxy: upstream 127.0.0.1:{} failed: {}",
            self.shared.upstream_port,
            last_error.map(|e| e.to_string()).unwrap_or_default()
        );
        (502, error_response(502, &msg), true)
    }

    fn forward(
        &mut self,
        outgoing: &[u8],
        head_request: bool,
    ) -> io::Result<(Vec<u8>, http::Response)> {
        if self.upstream.is_none() {
            let stream = TcpStream::connect(("127.0.0.1", self.shared.upstream_port))?;
            stream.set_read_timeout(Some(UPSTREAM_TIMEOUT))?;
            stream.set_write_timeout(Some(UPSTREAM_TIMEOUT))?;
            let _ = stream.set_nodelay(true);
            self.upstream = Some(Upstream {
                reader: BufReader::new(stream.try_clone()?),
                writer: stream,
            });
        }
        let upstream = self.upstream.as_mut().expect("upstream connected");
        upstream.writer.write_all(outgoing)?;
        upstream.writer.flush()?;
        http::read_response_with_interim(&mut upstream.reader, head_request)
    }
}

/// The synthetic answer for an error fault: (status, bytes).
/// A Smithy RPC v2 CBOR error body: `{"__type": code, "message": message}`
/// (short text strings only).
fn cbor_error(code: &str, message: &str) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        // Major type 3 (text); lengths below 24 fit the head, below 256 one byte.
        if s.len() < 24 {
            out.push(0x60 | s.len() as u8);
        } else {
            out.push(0x78);
            out.push(s.len().min(255) as u8);
        }
        out.extend_from_slice(&s.as_bytes()[..s.len().min(255)]);
    }
    let mut out = vec![0xa2];
    text(&mut out, "__type");
    text(&mut out, code);
    text(&mut out, "message");
    text(&mut out, message);
    out
}

fn fault_response(kind: FaultKind, service: Option<&str>, head_request: bool) -> (u16, Vec<u8>) {
    let (status, reason, content_type, extra, body) = match kind {
        FaultKind::Status503 => (
            503,
            "Service Unavailable",
            "text/plain",
            String::new(),
            "moat test proxy: injected 503".to_string(),
        ),
        FaultKind::Status500 => (
            500,
            "Internal Server Error",
            "text/plain",
            String::new(),
            "moat test proxy: injected 500".to_string(),
        ),
        _ => match service {
            Some("s3") => (
                503,
                "Slow Down",
                "application/xml",
                String::new(),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>\
                 <Message>Please reduce your request rate.</Message>\
                 <RequestId>moat-test</RequestId></Error>"
                    .to_string(),
            ),
            // EC2 answers throttling with its own error document and 503.
            Some("ec2") => (
                503,
                "Service Unavailable",
                "text/xml",
                String::new(),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
                 <Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>\
                 </Error></Errors><RequestID>moat-test</RequestID></Response>"
                    .to_string(),
            ),
            Some("iam")
            | Some("sts")
            | Some("cloudfront")
            | Some("rds")
            | Some("elasticloadbalancing")
            | Some("route53") => (
                400,
                "Bad Request",
                "text/xml",
                String::new(),
                "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
                 <Message>Rate exceeded</Message></Error><RequestId>moat-test</RequestId>\
                 </ErrorResponse>"
                    .to_string(),
            ),
            _ => (
                400,
                "Bad Request",
                "application/x-amz-json-1.1",
                "x-amzn-ErrorType: ThrottlingException\r\n".to_string(),
                "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}".to_string(),
            ),
        },
    };
    let mut body = body.into_bytes();
    let (mut content_type, mut extra) = (content_type, extra);
    // CloudWatch speaks Smithy RPC v2 CBOR: its errors are a CBOR map with
    // `__type` (the SDK reads the code from there), not JSON.
    if service == Some("monitoring") && !matches!(kind, FaultKind::Status503 | FaultKind::Status500)
    {
        content_type = "application/cbor";
        extra = "smithy-protocol: rpc-v2-cbor\r\n".to_string();
        body = cbor_error("ThrottlingException", "Rate exceeded");
    }
    if head_request {
        body.clear();
    }
    let extra = match kind {
        FaultKind::ThrottleAfter(ms) => format!("{extra}x-amz-retry-after: {ms}\r\n"),
        _ => extra,
    };
    let mut bytes = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {extra}x-amzn-RequestId: moat-test\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(&body);
    (status, bytes)
}

fn error_response(status: u16, msg: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Proxy Error\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{msg}",
        msg.len()
    )
    .into_bytes()
}

fn write_error(writer: &mut TcpStream, status: u16, msg: &str) -> io::Result<()> {
    writer.write_all(&error_response(status, msg))?;
    writer.flush()
}

/// Operation-name prefixes that change state (matched case-insensitively
/// on the bare operation name). The first line is the agreed list; the
/// second adds unambiguous mutators of services moat may touch later.
const MUTATING_PREFIXES: &[&str] = &[
    "Create",
    "Update",
    "Put",
    "Delete",
    "Attach",
    "Detach",
    "Add",
    "Remove",
    "Enable",
    "Disable",
    "Start",
    "Stop",
    "Modify",
    "Tag",
    "Untag",
    "Upload",
    "Set",
    "Change",
    "Deactivate",
    "Revoke",
    "Authorize",
    "Associate",
    "Disassociate",
    // Additions:
    "Reset",
    "Terminate",
    "Run",
    "Import",
    "Register",
    "Deregister",
    "Replace",
    "Restore",
    "Copy",
    "Cancel",
    "Accept",
    "Reject",
    "Allocate",
    "Release",
    "Assign",
    "Unassign",
    "Reboot",
    "Abort",
    "Complete",
    "Activate",
];

/// Read operations that look like mutators.
const READ_EXCEPTIONS: &[&str] = &["GenerateCredentialReport"];

/// Whether a bare operation name (`PutAlternateContact`,
/// `putAlternateContact`) is mutating.
pub fn is_mutating_operation(operation: &str) -> bool {
    if READ_EXCEPTIONS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(operation))
    {
        return false;
    }
    let lower = operation.to_ascii_lowercase();
    MUTATING_PREFIXES
        .iter()
        .any(|p| lower.starts_with(&p.to_ascii_lowercase()))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The SigV4 signing name (`iam`, `s3` …) from `Authorization` or a
/// presigned `X-Amz-Credential` query parameter.
fn signing_service(headers: &[(String, String)], query: &[(String, String)]) -> Option<String> {
    let credential = header(headers, "authorization")
        .and_then(|auth| {
            let start = auth.find("Credential=")? + "Credential=".len();
            let rest = &auth[start..];
            Some(rest.split([',', ' ']).next().unwrap_or(rest).to_string())
        })
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Credential"))
                .map(|(_, v)| v.clone())
        })?;
    // AKID/date/region/service/aws4_request (SigV4a omits the region).
    let parts: Vec<&str> = credential.split('/').collect();
    let n = parts.len();
    (n >= 4 && parts[n - 1] == "aws4_request").then(|| parts[n - 2].to_string())
}

/// The SigV4 signing region from `Authorization` (`AKID/date/region/service/aws4_request`).
fn signing_region(headers: &[(String, String)]) -> Option<String> {
    let auth = header(headers, "authorization")?;
    let start = auth.find("Credential=")? + "Credential=".len();
    let rest = &auth[start..];
    let credential = rest.split([',', ' ']).next().unwrap_or(rest);
    let parts: Vec<&str> = credential.split('/').collect();
    (parts.len() == 5 && parts[4] == "aws4_request").then(|| parts[2].to_string())
}

/// Names the AWS operation of a request and decides whether it mutates.
///
/// - AWS query protocol (IAM, STS, EC2): the `Action` form field.
/// - JSON protocols: the part of `X-Amz-Target` after the last `.`.
/// - Smithy RPC v2 CBOR: `/service/<Service>/operation/<Operation>`.
/// - REST: S3 and S3 Control from method, path and sub-resource; verb paths
///   such as the account service's `POST /putAlternateContact` become
///   `PutAlternateContact`; anything else is `"METHOD /path"`, mutating
///   unless GET/HEAD/OPTIONS.
pub fn classify(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Classified {
    let (path, query_str) = target.split_once('?').unwrap_or((target, ""));
    let query = http::parse_form(query_str);
    let service = signing_service(headers, &query);
    let named = |operation: String| Classified {
        service: service.clone(),
        mutating: is_mutating_operation(&operation),
        operation,
    };

    if let Some(t) = header(headers, "x-amz-target") {
        let op = t.rsplit('.').next().unwrap_or(t).trim();
        if !op.is_empty() {
            return named(op.to_string());
        }
    }
    let form_body = header(headers, "content-type")
        .map(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if form_body || body.starts_with(b"Action=") {
        let fields = http::parse_form(&String::from_utf8_lossy(body));
        if let Some((_, action)) = fields.iter().find(|(k, _)| k == "Action") {
            return named(action.clone());
        }
    }
    if let Some((_, action)) = query.iter().find(|(k, _)| k == "Action") {
        return named(action.clone());
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let ["service", _, "operation", op] = segments.as_slice() {
        return named(op.to_string());
    }
    if let Some(op) = rest_operation(service.as_deref(), method, path, &query, headers) {
        return named(op);
    }
    Classified {
        service,
        operation: format!("{method} {path}"),
        mutating: !matches!(
            method.to_ascii_uppercase().as_str(),
            "GET" | "HEAD" | "OPTIONS"
        ),
    }
}

/// REST paths named by a table: (signing name, method, path, operation).
const REST_TABLE: &[(&str, &str, &str, &str)] = &[
    (
        "inspector2",
        "POST",
        "/status/batch/get",
        "BatchGetAccountStatus",
    ),
    ("inspector2", "POST", "/enable", "Enable"),
    ("inspector2", "POST", "/disable", "Disable"),
    // -- ec2

    // -- ebs, vpc (GuardDuty: REST JSON)
    ("guardduty", "POST", "/detector", "CreateDetector"),
    ("guardduty", "GET", "/detector", "ListDetectors"),
    // -- cloudtrail, cloudwatch

    // -- rds, route53, elb, other (Route 53: REST XML)
];

fn rest_operation(
    service: Option<&str>,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> Option<String> {
    let method = method.to_ascii_uppercase();
    if let Some(&(_, _, _, op)) = REST_TABLE
        .iter()
        .find(|(s, m, p, _)| Some(*s) == service && *m == method && *p == path)
    {
        return Some(op.to_string());
    }
    // S3 Control signs as "s3" too; it is recognised by its path.
    if let Some(rest) = path.strip_prefix("/v20180820/") {
        let verb = http_verb(&method)?;
        return match rest.trim_end_matches('/') {
            "configuration/publicAccessBlock" => Some(format!("{verb}PublicAccessBlock")),
            _ => None,
        };
    }
    if service == Some("s3") {
        return s3_operation(&method, path, query, headers);
    }
    if service == Some("cloudfront") {
        return cloudfront_operation(&method, path);
    }
    // REST services whose paths hold ids (one `if service == Some(..)` each, in its block):
    // -- ebs, vpc (GuardDuty)
    if service == Some("guardduty") {
        // `/detector/{id}`: GET reads, POST updates, DELETE deletes.
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        return match (method.as_str(), segments.as_slice()) {
            ("GET", ["detector", _]) => Some("GetDetector".into()),
            ("POST", ["detector", _]) => Some("UpdateDetector".into()),
            ("DELETE", ["detector", _]) => Some("DeleteDetector".into()),
            _ => None,
        };
    }

    // -- rds, route53, elb, other (Route 53)
    if service == Some("route53") {
        // `/2013-04-01/<resource>[/<id>[/rrset]]`; ids are in the path.
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let op = match (method.as_str(), segments.as_slice()) {
            ("GET", [_, "hostedzone"]) => "ListHostedZones",
            ("POST", [_, "hostedzone"]) => "CreateHostedZone",
            ("GET", [_, "hostedzonecount"]) => "GetHostedZoneCount",
            ("GET", [_, "hostedzone", _]) => "GetHostedZone",
            ("DELETE", [_, "hostedzone", _]) => "DeleteHostedZone",
            ("GET", [_, "hostedzone", _, "rrset"]) => "ListResourceRecordSets",
            ("POST", [_, "hostedzone", _, "rrset"]) => "ChangeResourceRecordSets",
            ("GET", [_, "change", _]) => "GetChange",
            ("GET", [_, "hostedzonesbyname"]) => "ListHostedZonesByName",
            _ => return None,
        };
        return Some(op.to_string());
    }

    // Verb-named single-segment paths (account: POST /getAlternateContact).
    let segment = path.strip_prefix('/')?;
    let is_verb_path = method == "POST"
        && segment.len() > 1
        && segment.starts_with(|c: char| c.is_ascii_lowercase())
        && segment.chars().all(|c| c.is_ascii_alphanumeric())
        && segment.chars().any(|c| c.is_ascii_uppercase());
    if is_verb_path && service != Some("s3") {
        let mut op = segment.to_string();
        op[..1].make_ascii_uppercase();
        return Some(op);
    }
    None
}

/// CloudFront's REST paths: `/2020-05-31/<resource>[/<id>[/config]]`.
fn cloudfront_operation(method: &str, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (resource, rest) = match segments.as_slice() {
        [_version, resource, rest @ ..] => (*resource, rest),
        _ => return None,
    };
    let name = match resource {
        "distribution" => "Distribution",
        "origin-access-control" => "OriginAccessControl",
        "origin-access-identity" => "CloudFrontOriginAccessIdentity",
        _ => return None,
    };
    let op = match (method, rest) {
        ("GET", []) => format!("List{name}s"),
        ("POST", []) => format!("Create{name}"),
        ("GET", [_id]) => format!("Get{name}"),
        ("DELETE", [_id]) => format!("Delete{name}"),
        ("GET", [_id, "config"]) => format!("Get{name}Config"),
        ("PUT", [_id, "config"]) => format!("Update{name}"),
        _ => return None,
    };
    Some(op)
}

fn http_verb(method: &str) -> Option<&'static str> {
    Some(match method {
        "GET" => "Get",
        "PUT" => "Put",
        "DELETE" => "Delete",
        "HEAD" => "Head",
        _ => return None,
    })
}

/// Bucket sub-resources: query key → operation suffix after Get/Put/Delete.
const S3_BUCKET_SUBRESOURCES: &[(&str, &str)] = &[
    ("versioning", "BucketVersioning"),
    ("policyStatus", "BucketPolicyStatus"),
    ("policy", "BucketPolicy"),
    ("acl", "BucketAcl"),
    ("publicAccessBlock", "PublicAccessBlock"),
    ("encryption", "BucketEncryption"),
    ("logging", "BucketLogging"),
    ("lifecycle", "BucketLifecycleConfiguration"),
    ("tagging", "BucketTagging"),
    ("ownershipControls", "BucketOwnershipControls"),
    ("location", "BucketLocation"),
    ("website", "BucketWebsite"),
    ("cors", "BucketCors"),
    ("notification", "BucketNotificationConfiguration"),
    ("replication", "BucketReplication"),
    ("object-lock", "ObjectLockConfiguration"),
    ("accelerate", "BucketAccelerateConfiguration"),
    ("requestPayment", "BucketRequestPayment"),
    (
        "intelligent-tiering",
        "BucketIntelligentTieringConfiguration",
    ),
    ("inventory", "BucketInventoryConfiguration"),
    ("metrics", "BucketMetricsConfiguration"),
    ("analytics", "BucketAnalyticsConfiguration"),
];

/// Object sub-resources: query key → operation suffix.
const S3_OBJECT_SUBRESOURCES: &[(&str, &str)] = &[
    ("acl", "ObjectAcl"),
    ("tagging", "ObjectTagging"),
    ("retention", "ObjectRetention"),
    ("legal-hold", "ObjectLegalHold"),
    ("attributes", "ObjectAttributes"),
];

fn s3_operation(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> Option<String> {
    let has = |key: &str| query.iter().any(|(k, _)| k == key);
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (b, k),
        None => (trimmed, ""),
    };
    let copy = header(headers, "x-amz-copy-source").is_some();
    let op = if bucket.is_empty() {
        match method {
            "GET" => "ListBuckets".to_string(),
            _ => return None,
        }
    } else if key.is_empty() {
        if method == "GET" && has("uploads") {
            "ListMultipartUploads".to_string()
        } else if method == "GET" && has("versions") {
            "ListObjectVersions".to_string()
        } else if method == "POST" && has("delete") {
            "DeleteObjects".to_string()
        } else if let Some((_, name)) = S3_BUCKET_SUBRESOURCES.iter().find(|(k, _)| has(k)) {
            format!("{}{name}", http_verb(method)?)
        } else {
            match method {
                "GET" if query.iter().any(|(k, v)| k == "list-type" && v == "2") => {
                    "ListObjectsV2".to_string()
                }
                "GET" => "ListObjects".to_string(),
                "PUT" => "CreateBucket".to_string(),
                "DELETE" => "DeleteBucket".to_string(),
                "HEAD" => "HeadBucket".to_string(),
                _ => return None,
            }
        }
    } else if has("uploadId") {
        match method {
            "PUT" if copy => "UploadPartCopy",
            "PUT" => "UploadPart",
            "POST" => "CompleteMultipartUpload",
            "DELETE" => "AbortMultipartUpload",
            "GET" => "ListParts",
            _ => return None,
        }
        .to_string()
    } else if method == "POST" && has("uploads") {
        "CreateMultipartUpload".to_string()
    } else if method == "POST" && has("restore") {
        "RestoreObject".to_string()
    } else if let Some((_, name)) = S3_OBJECT_SUBRESOURCES.iter().find(|(k, _)| has(k)) {
        format!("{}{name}", http_verb(method)?)
    } else {
        match method {
            "GET" => "GetObject",
            "PUT" if copy => "CopyObject",
            "PUT" => "PutObject",
            "DELETE" => "DeleteObject",
            "HEAD" => "HeadObject",
            _ => return None,
        }
        .to_string()
    };
    Some(op)
}
