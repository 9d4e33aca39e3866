//! One thread per client connection: read a request, record it with its
//! fault (if any), forward it to moto or answer for it, pass the answer on.

use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::super::http::{self, Head};
use super::classify::{classify, form_params, signing_region};
use super::faults::{FaultKind, fault_response};
use super::{RecordedRequest, Shared, lock};

/// Upstream (moto) socket timeout: a wedged server fails the test instead
/// of hanging it.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);

pub(super) fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
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
