//! Minimal blocking HTTP/1.1 pieces on std's TcpStream: a one-shot client for
//! moto's control API and the message framing the counting proxy needs.

use std::io::{self, BufRead, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Largest request/response head accepted (request line + headers).
const MAX_HEAD: usize = 1 << 20;

/// One-shot request to `127.0.0.1:port` with `Connection: close`; returns
/// the status code and the (de-chunked) body.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    body: &[u8],
    timeout: Duration,
) -> io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n\
         Connection: close\r\nUser-Agent: moat-test-support\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut reader = io::BufReader::new(stream);
    let response = read_response(&mut reader, method == "HEAD")?;
    Ok((response.status, response.body))
}

/// A parsed message head (request or response).
#[derive(Debug, Clone)]
pub struct Head {
    /// Request line or status line, without CRLF.
    pub start_line: String,
    /// Header fields in wire order with their original spelling.
    pub headers: Vec<(String, String)>,
    /// The head exactly as received (start line, headers, blank line).
    pub raw: Vec<u8>,
}

impl Head {
    /// First value of a header, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a comma-separated header (Connection, Transfer-Encoding)
    /// contains `token`, case-insensitive.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    pub fn is_chunked(&self) -> bool {
        self.has_token("transfer-encoding", "chunked")
    }

    pub fn content_length(&self) -> io::Result<Option<usize>> {
        match self.header("content-length") {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| invalid(format!("bad Content-Length {v:?}"))),
        }
    }
}

pub fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Reads a message head. `Ok(None)` on a clean EOF before any byte (the peer
/// closed an idle keep-alive connection).
pub fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut raw = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            if raw.is_empty() {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed inside a message head",
            ));
        }
        // Tolerate stray empty lines before a request line (RFC 9112 2.2).
        if lines.is_empty() && raw.is_empty() && (line == b"\r\n" || line == b"\n") {
            continue;
        }
        raw.extend_from_slice(&line);
        if raw.len() > MAX_HEAD {
            return Err(invalid("message head too large"));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        lines.push(text.to_string());
    }
    let mut iter = lines.into_iter();
    let start_line = iter.next().ok_or_else(|| invalid("empty message head"))?;
    let mut headers = Vec::new();
    for line in iter {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(Some(Head {
        start_line,
        headers,
        raw,
    }))
}

/// A body as read from the wire: `raw` is what to forward verbatim (chunk
/// framing included), `decoded` the payload.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub raw: Vec<u8>,
    pub decoded: Vec<u8>,
}

pub fn read_exact_body(reader: &mut impl BufRead, len: usize) -> io::Result<Body> {
    let mut buf = vec![0; len];
    reader.read_exact(&mut buf)?;
    Ok(Body {
        raw: buf.clone(),
        decoded: buf,
    })
}

/// Reads a `Transfer-Encoding: chunked` body including trailers.
pub fn read_chunked_body(reader: &mut impl BufRead) -> io::Result<Body> {
    let mut body = Body::default();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed inside a chunked body",
            ));
        }
        body.raw.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line);
        let size_text = text.trim().split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| invalid(format!("bad chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailer fields, then an empty line.
            loop {
                let mut trailer = Vec::new();
                if reader.read_until(b'\n', &mut trailer)? == 0 {
                    return Ok(body);
                }
                body.raw.extend_from_slice(&trailer);
                if trailer == b"\r\n" || trailer == b"\n" {
                    return Ok(body);
                }
            }
        }
        let mut chunk = vec![0; size];
        reader.read_exact(&mut chunk)?;
        body.raw.extend_from_slice(&chunk);
        body.decoded.extend_from_slice(&chunk);
        let mut crlf = Vec::new();
        reader.read_until(b'\n', &mut crlf)?;
        body.raw.extend_from_slice(&crlf);
    }
}

/// A response read off the wire.
#[derive(Debug, Clone)]
pub struct Response {
    pub head: Head,
    pub status: u16,
    pub body: Vec<u8>,
    pub raw_body: Vec<u8>,
    /// The body ran to EOF or the server said `Connection: close`: the
    /// connection cannot carry another message.
    pub closes: bool,
}

pub fn parse_status(start_line: &str) -> io::Result<u16> {
    let mut parts = start_line.split_whitespace();
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(invalid(format!("bad status line {start_line:?}")));
    }
    parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("bad status line {start_line:?}")))
}

/// Reads one final response (interim 1xx responses are skipped; use
/// [`read_response_with_interim`] to keep them).
pub fn read_response(reader: &mut impl BufRead, head_request: bool) -> io::Result<Response> {
    read_response_with_interim(reader, head_request).map(|(_, r)| r)
}

/// Reads one final response, returning any interim (1xx) heads before it
/// verbatim.
pub fn read_response_with_interim(
    reader: &mut impl BufRead,
    head_request: bool,
) -> io::Result<(Vec<u8>, Response)> {
    let mut interim = Vec::new();
    loop {
        let head = read_head(reader)?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before a response",
            )
        })?;
        let status = parse_status(&head.start_line)?;
        if (100..200).contains(&status) && status != 101 {
            interim.extend_from_slice(&head.raw);
            continue;
        }
        let mut closes =
            head.has_token("connection", "close") || head.start_line.starts_with("HTTP/1.0");
        let no_body = head_request || status == 204 || status == 304;
        let body = if no_body {
            Body::default()
        } else if head.is_chunked() {
            read_chunked_body(reader)?
        } else if let Some(len) = head.content_length()? {
            read_exact_body(reader, len)?
        } else {
            // Close-delimited body.
            closes = true;
            let mut buf = Vec::new();
            reader.read_to_end(&mut buf)?;
            Body {
                raw: buf.clone(),
                decoded: buf,
            }
        };
        return Ok((
            interim,
            Response {
                head,
                status,
                body: body.decoded,
                raw_body: body.raw,
                closes,
            },
        ));
    }
}

/// `%XX` and `+` decoding for form bodies and query strings.
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi << 4) | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `key=value&…` pairs, decoded.
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode(v)),
            None => (url_decode(p), String::new()),
        })
        .collect()
}
