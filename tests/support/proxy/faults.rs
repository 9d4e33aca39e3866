//! Fault injection: [`Proxy::faults`](super::Proxy::faults) makes a seeded fraction of the
//! requests (optionally only one signing service, only reads or only
//! mutating requests) fail with one of [`FaultKind`]: a delay, HTTP 503/500,
//! the service's own throttling error, a connection dropped before
//! forwarding, or a request forwarded (so applied) whose answer is then
//! dropped. [`Proxy::down`](super::Proxy::down) makes one service fail every request;
//! [`Proxy::rule`](super::Proxy::rule) gives a fault to the requests of one service, region,
//! operation or request text (e.g. one user's name), every time or the first
//! N times. The decision is made per request in arrival order by a seeded
//! xorshift RNG, so the same arrival order gives the same faults; each
//! [`RecordedRequest`](super::RecordedRequest) says which fault it got.

use super::classify::Classified;

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
    /// Requests that change state (see [`is_mutating_operation`](super::is_mutating_operation)).
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
pub(super) struct XorShift(u64);

impl XorShift {
    pub(super) fn new(seed: u64) -> Self {
        // Never zero (xorshift's fixed point).
        XorShift(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub(super) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub(super) struct FaultState {
    pub(super) faults: Faults,
    pub(super) rng: XorShift,
}

impl Faults {
    pub(super) fn matches(&self, c: &Classified) -> bool {
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
/// the first `times` (see [`Proxy::rule`](super::Proxy::rule)).
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

    pub(super) fn matches(
        &self,
        c: &Classified,
        region: Option<&str>,
        target: &str,
        body: &[u8],
    ) -> bool {
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

/// The synthetic answer for an error fault: (status, bytes).
pub(super) fn fault_response(
    kind: FaultKind,
    service: Option<&str>,
    head_request: bool,
) -> (u16, Vec<u8>) {
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
