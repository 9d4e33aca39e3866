//! Settings that tune checks and plans: thresholds, accepted exceptions, the
//! CIDRs offered when tightening, and key bindings for the interactive
//! session. They come from the config file (TOML; `assets/config.toml` is the
//! commented default `moat config init` writes); without one, the defaults.
//!
//! The file is found at `--config FILE`, else `$MOAT_CONFIG`, else
//! `config.toml` in the user's config dir. Every problem with it is one
//! [`ConfigError`] line naming the file and the line: unknown keys (with the
//! keys the table knows), values out of range, unknown item ids, CIDRs that
//! do not parse, keys that are not keys.

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The commented default config file.
pub const DEFAULT_FILE: &str = include_str!("../assets/config.toml");

pub use crate::checks::settings::{Exception, PUBLIC_BUCKET_ITEMS, PublicBucket, Settings};

/// Who chose the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `--config FILE`: it must exist.
    Flag,
    /// `$MOAT_CONFIG`: it must exist.
    Env,
    /// The user's config dir: a missing file means the defaults.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "--config",
            Source::Env => "MOAT_CONFIG",
            Source::Default => "the user's config dir",
        })
    }
}

/// Where the config file is, and who said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub source: Source,
}

/// `--config FILE` if given, else `$MOAT_CONFIG` if set, else `config.toml`
/// in the user's config dir; `None` when there is no home directory to find
/// that dir in.
pub fn locate(explicit: Option<&Path>) -> Option<Location> {
    if let Some(p) = explicit {
        return Some(Location {
            path: p.to_path_buf(),
            source: Source::Flag,
        });
    }
    if let Some(p) = std::env::var_os("MOAT_CONFIG").filter(|p| !p.is_empty()) {
        return Some(Location {
            path: PathBuf::from(p),
            source: Source::Env,
        });
    }
    directories::ProjectDirs::from("", "", "moat").map(|d| Location {
        path: d.config_dir().join("config.toml"),
        source: Source::Default,
    })
}

/// The settings and key bindings in effect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub settings: Settings,
    /// `[keys.<context>]` tables as written, checked by the [`KeyCheck`]
    /// given to [`load`]; the TUI lays them over its default keymap.
    pub keys: Vec<KeyTable>,
    /// The file they came from; `None` when there was none (the defaults).
    pub path: Option<PathBuf>,
}

/// A config file moat cannot use. Displays as one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {} (from {from}): no such file; `moat config init` writes one", .path.display())]
    Missing { path: PathBuf, from: Source },
    #[error("config {}: cannot read it: {err}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error("config {} {}: {message}", .path.display(), position(*.line, *.column))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: Option<usize>,
        message: String,
    },
    #[error(
        "config: no home directory, so no config dir to look in; give a file with --config FILE or MOAT_CONFIG"
    )]
    NoConfigDir,
}

fn position(line: usize, column: Option<usize>) -> String {
    match column {
        Some(c) => format!("line {line}, column {c}"),
        None => format!("line {line}"),
    }
}

/// Read the config file (see [`locate`]). A missing file at the default
/// location means the defaults; a missing file named by `--config` or
/// `MOAT_CONFIG` is an error.
pub fn load(explicit: Option<&Path>, check: KeyCheck) -> Result<Loaded, ConfigError> {
    let Some(loc) = locate(explicit) else {
        return Ok(Loaded::default());
    };
    match std::fs::read_to_string(&loc.path) {
        Ok(text) => parse(&text, &loc.path, check),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match loc.source {
            Source::Default => Ok(Loaded::default()),
            from => Err(ConfigError::Missing {
                path: loc.path,
                from,
            }),
        },
        Err(err) => Err(ConfigError::Read {
            path: loc.path,
            err,
        }),
    }
}

// ---------------------------------------------------------------------------
// The file's shape. Every table denies unknown keys; values that need a line
// in their error messages keep their span.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    thresholds: Option<RawThresholds>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
    tighten: Option<RawTighten>,
    #[serde(default)]
    public_bucket: Vec<Spanned<RawPublicBucket>>,
    s3: Option<RawS3>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<RawContextKeys>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublicBucket {
    bucket: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawS3 {
    #[serde(default)]
    irreplaceable_buckets: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    password_min_length: Option<Spanned<i64>>,
    password_reuse_prevention: Option<Spanned<i64>>,
    key_unused_days: Option<Spanned<i64>>,
    key_max_age_days: Option<Spanned<i64>>,
    snapshot_max_age_days: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    item: Spanned<String>,
    resource: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTighten {
    #[serde(default)]
    cidrs: Vec<Spanned<String>>,
}

/// One `[keys.<context>]` table: action → a key or a list of keys.
#[derive(Debug)]
struct RawContextKeys(Vec<(Spanned<String>, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for RawContextKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawContextKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of actions per context, e.g. [keys.main] with quit = [\"q\"]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = vec![];
                while let Some(entry) = m.next_entry()? {
                    out.push(entry);
                }
                Ok(RawContextKeys(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Each table's keys, to name the table and list what it knows when serde
/// reports an unknown or missing key. A unit test keeps these in step with
/// the structs above.
const TABLES: &[(&str, &[&str])] = &[
    (
        "at the top level",
        &[
            "thresholds",
            "exception",
            "tighten",
            "public_bucket",
            "s3",
            "keys",
        ],
    ),
    (
        "in [thresholds]",
        &[
            "password_min_length",
            "password_reuse_prevention",
            "key_unused_days",
            "key_max_age_days",
            "snapshot_max_age_days",
        ],
    ),
    (
        "in [[exception]]",
        &["item", "resource", "reason", "expires"],
    ),
    ("in [tighten]", &["cidrs"]),
    ("in [[public_bucket]]", &["bucket", "reason", "expires"]),
    ("in [s3]", &["irreplaceable_buckets"]),
];

const PASSWORD_LENGTH: RangeInclusive<i64> = 6..=128;
const PASSWORD_REUSE: RangeInclusive<i64> = 1..=24;
const DAYS: RangeInclusive<i64> = 1..=3650;

/// A problem at a byte range of the file.
struct Problem {
    span: Range<usize>,
    message: String,
}

fn problem(span: Range<usize>, message: impl Into<String>) -> Problem {
    Problem {
        span,
        message: message.into(),
    }
}

/// Parse a config file's text; `path` names it in errors.
pub fn parse(text: &str, path: &Path, check: KeyCheck) -> Result<Loaded, ConfigError> {
    let invalid = |span: Option<Range<usize>>, column: bool, message: String| {
        let offset = span.map(|s| s.start).unwrap_or(0);
        let (line, col) = line_column(text, offset);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column: column.then_some(col),
            // The message may quote the file: keep it one inert line.
            message: crate::kit::text::sanitize(&one_line(&message)),
        }
    };
    // Syntax first, so a syntax error is reported as one (with its column).
    if let Err(e) = text.parse::<toml::Table>() {
        let key = e.span().and_then(|s| key_on_line(text, s.start));
        let message = match key {
            Some(key) => format!("{key}: {}", e.message()),
            None => e.message().to_string(),
        };
        return Err(invalid(e.span(), true, message));
    }
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| invalid(e.span(), false, serde_message(text, e.span(), e.message())))?;
    let mut problems = vec![];
    let settings = settings(text, &raw, &mut problems);
    let keys = keys(&raw, check, &mut problems);
    // The first problem in the file.
    if let Some(p) = problems.into_iter().min_by_key(|p| p.span.start) {
        return Err(invalid(Some(p.span), false, p.message));
    }
    Ok(Loaded {
        settings,
        keys,
        path: Some(path.to_path_buf()),
    })
}

fn settings(text: &str, raw: &RawFile, problems: &mut Vec<Problem>) -> Settings {
    let d = Settings::default();
    let t = raw.thresholds.as_ref();
    let mut number =
        |v: Option<&Spanned<i64>>, name: &str, range: RangeInclusive<i64>, default: i64| {
            let Some(v) = v else { return default };
            if range.contains(v.get_ref()) {
                *v.get_ref()
            } else {
                problems.push(problem(
                    v.span(),
                    format!(
                        "{name} = {} is out of range ({} to {}) in [thresholds]",
                        v.get_ref(),
                        range.start(),
                        range.end()
                    ),
                ));
                default
            }
        };
    let password_min_length = number(
        t.and_then(|t| t.password_min_length.as_ref()),
        "password_min_length",
        PASSWORD_LENGTH,
        d.password_min_length.into(),
    );
    let password_reuse_prevention = number(
        t.and_then(|t| t.password_reuse_prevention.as_ref()),
        "password_reuse_prevention",
        PASSWORD_REUSE,
        d.password_reuse_prevention.into(),
    );
    let key_unused_days = number(
        t.and_then(|t| t.key_unused_days.as_ref()),
        "key_unused_days",
        DAYS,
        d.key_unused_days,
    );
    let key_max_age_days = number(
        t.and_then(|t| t.key_max_age_days.as_ref()),
        "key_max_age_days",
        DAYS,
        d.key_max_age_days,
    );
    let snapshot_max_age_days = number(
        t.and_then(|t| t.snapshot_max_age_days.as_ref()),
        "snapshot_max_age_days",
        DAYS,
        d.snapshot_max_age_days,
    );
    Settings {
        // In range, so these fit an i32.
        password_min_length: i32::try_from(password_min_length).unwrap_or(d.password_min_length),
        password_reuse_prevention: i32::try_from(password_reuse_prevention)
            .unwrap_or(d.password_reuse_prevention),
        key_unused_days,
        key_max_age_days,
        snapshot_max_age_days,
        exceptions: exceptions(text, &raw.exception, problems),
        cidrs: cidrs(raw.tighten.as_ref(), problems),
        public_buckets: public_buckets(text, &raw.public_bucket, problems),
        irreplaceable_buckets: irreplaceable(raw.s3.as_ref(), problems),
    }
}

pub use crate::plan::valid_bucket_name;

fn public_buckets(
    text: &str,
    raw: &[Spanned<RawPublicBucket>],
    problems: &mut Vec<Problem>,
) -> Vec<PublicBucket> {
    let mut out: Vec<(PublicBucket, Range<usize>)> = vec![];
    for p in raw {
        let p = p.get_ref();
        let bucket = p.bucket.get_ref().trim();
        if !valid_bucket_name(bucket) {
            problems.push(problem(
                p.bucket.span(),
                format!(
                    "bucket = \"{bucket}\" in [[public_bucket]] is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
                ),
            ));
        }
        let reason = p.reason.get_ref().trim();
        if reason.is_empty() {
            problems.push(problem(
                p.reason.span(),
                "reason is empty in [[public_bucket]]: say why the bucket is public",
            ));
        }
        let expires = p.expires.as_ref().and_then(|v| match date(v.get_ref()) {
            Some(d) => Some(d),
            None => {
                problems.push(problem(
                    v.span(),
                    format!(
                        "expires = {} in [[public_bucket]] is not a date (YYYY-MM-DD, e.g. 2027-06-30)",
                        v.get_ref()
                    ),
                ));
                None
            }
        });
        if let Some((_, first)) = out.iter().find(|(x, _)| x.bucket == bucket) {
            let (line, _) = line_column(text, first.start);
            problems.push(problem(
                p.bucket.span(),
                format!("a second [[public_bucket]] for {bucket} (the first is on line {line})"),
            ));
            continue;
        }
        out.push((
            PublicBucket {
                bucket: bucket.to_string(),
                reason: reason.to_string(),
                expires,
            },
            p.bucket.span(),
        ));
    }
    out.into_iter().map(|(p, _)| p).collect()
}

fn irreplaceable(raw: Option<&RawS3>, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for b in raw
        .map(|s| s.irreplaceable_buckets.as_slice())
        .unwrap_or_default()
    {
        let name = b.get_ref().trim();
        if !valid_bucket_name(name) {
            problems.push(problem(
                b.span(),
                format!("[s3] irreplaceable_buckets: \"{name}\" is not an S3 bucket name"),
            ));
        } else if out.iter().any(|x| x == name) {
            problems.push(problem(
                b.span(),
                format!("{name} is listed twice in [s3] irreplaceable_buckets"),
            ));
        } else {
            out.push(name.to_string());
        }
    }
    out
}

fn exceptions(
    text: &str,
    raw: &[Spanned<RawException>],
    problems: &mut Vec<Problem>,
) -> Vec<Exception> {
    let mut out: Vec<(Exception, Range<usize>)> = vec![];
    for e in raw {
        let e = e.get_ref();
        let item = e.item.get_ref().trim();
        if crate::checks::item(item).is_none() {
            let hint = crate::checks::closest_item(item)
                .map(|c| format!("; did you mean {c}?"))
                .unwrap_or_default();
            problems.push(problem(
                e.item.span(),
                format!("unknown item '{item}' in [[exception]]{hint} (`moat guide` lists them)"),
            ));
        }
        let resource = e.resource.get_ref().trim();
        if resource.is_empty() {
            problems.push(problem(
                e.resource.span(),
                "resource is empty in [[exception]]: give it as `moat scan --format json` prints it",
            ));
        }
        let reason = e.reason.get_ref().trim();
        if reason.is_empty() {
            problems.push(problem(
                e.reason.span(),
                "reason is empty in [[exception]]: say why the resource is accepted",
            ));
        }
        let expires = e.expires.as_ref().and_then(|v| match date(v.get_ref()) {
            Some(d) => Some(d),
            None => {
                problems.push(problem(
                    v.span(),
                    format!(
                        "expires = {} in [[exception]] is not a date (YYYY-MM-DD, e.g. 2027-06-30)",
                        v.get_ref()
                    ),
                ));
                None
            }
        });
        if let Some((_, first)) = out
            .iter()
            .find(|(x, _)| x.item == item && x.resource == resource)
        {
            let (line, _) = line_column(text, first.start);
            problems.push(problem(
                e.item.span(),
                format!(
                    "a second [[exception]] for {item} {resource} (the first is on line {line})"
                ),
            ));
            continue;
        }
        out.push((
            Exception {
                item: item.to_string(),
                resource: resource.to_string(),
                reason: reason.to_string(),
                expires,
            },
            e.item.span(),
        ));
    }
    out.into_iter().map(|(e, _)| e).collect()
}

/// A TOML local date (`2027-06-30`) or a string holding one.
fn date(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

fn cidrs(raw: Option<&RawTighten>, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for c in raw.map(|t| t.cidrs.as_slice()).unwrap_or_default() {
        match parse_cidr(c.get_ref()) {
            Ok(canonical) if out.contains(&canonical) => problems.push(problem(
                c.span(),
                format!("{canonical} is listed twice in [tighten] cidrs"),
            )),
            Ok(canonical) => out.push(canonical),
            Err(e) => problems.push(problem(c.span(), format!("[tighten] cidrs: {e}"))),
        }
    }
    out
}

/// Check a CIDR (`10.0.0.0/8`, `2001:db8::/32`) and return it in canonical
/// form. The address must be the first of its range, and a range covering
/// the whole internet is refused: tightening offers something narrower.
pub fn parse_cidr(s: &str) -> Result<String, String> {
    let s = s.trim();
    let Some((addr, prefix)) = s.split_once('/') else {
        return Err(format!(
            "'{s}' has no prefix length (e.g. 10.0.0.0/8, or /32 for one address)"
        ));
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("'{s}': '{addr}' is not an IPv4 or IPv6 address"))?;
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let prefix: u8 = prefix
        .parse()
        .ok()
        .filter(|p| prefix.bytes().all(|b| b.is_ascii_digit()) && *p <= max)
        .ok_or_else(|| format!("'{s}': the prefix length must be 0 to {max}"))?;
    if prefix == 0 {
        return Err(format!(
            "'{s}' is the whole internet; list narrower ranges to offer"
        ));
    }
    let network = match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX << (32 - u32::from(prefix));
            IpAddr::from((u32::from(a) & mask).to_be_bytes())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX << (128 - u32::from(prefix));
            IpAddr::from((u128::from(a) & mask).to_be_bytes())
        }
    };
    if network != ip {
        return Err(format!(
            "'{s}' has address bits set after the prefix; did you mean {network}/{prefix}?"
        ));
    }
    Ok(format!("{network}/{prefix}"))
}

/// One `[keys.<context>]` table, as written. The config knows no contexts,
/// actions or key names: the TUI's keymap checks them (a [`KeyCheck`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTable {
    pub context: String,
    /// Byte range of the context's name in the file, where problems with it
    /// are reported.
    pub context_span: Range<usize>,
    pub entries: Vec<KeyEntry>,
}

/// One `action = key(s)` entry of a [`KeyTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub action: String,
    pub keys: Vec<String>,
    /// Byte ranges of the action and of the value in the file.
    pub action_span: Range<usize>,
    pub value_span: Range<usize>,
}

/// Checks `[keys.*]` tables: each problem as (byte range in the file, message).
pub type KeyCheck = fn(&[KeyTable]) -> Vec<(Range<usize>, String)>;

fn keys(raw: &RawFile, check: KeyCheck, problems: &mut Vec<Problem>) -> Vec<KeyTable> {
    let mut out = vec![];
    for (ctx_name, actions) in &raw.keys {
        let mut entries = vec![];
        for (action, value) in &actions.get_ref().0 {
            let names = match value.get_ref() {
                toml::Value::String(s) => Some(vec![s.clone()]),
                toml::Value::Array(a) => a
                    .iter()
                    .map(|k| k.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>(),
                _ => None,
            };
            let Some(names) = names else {
                problems.push(problem(
                    value.span(),
                    format!(
                        "[keys.{}] {}: expected a key or a list of keys, e.g. \"q\" or [\"q\", \"ctrl-c\"]",
                        ctx_name.get_ref(),
                        action.get_ref()
                    ),
                ));
                continue;
            };
            entries.push(KeyEntry {
                action: action.get_ref().clone(),
                keys: names,
                action_span: action.span(),
                value_span: value.span(),
            });
        }
        out.push(KeyTable {
            context: ctx_name.get_ref().clone(),
            context_span: ctx_name.span(),
            entries,
        });
    }
    for (span, message) in check(&out) {
        problems.push(problem(span, message));
    }
    out
}

// ---------------------------------------------------------------------------
// Error messages.

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Backquoted words in a serde message: `unknown field `a`, expected `b``.
fn quoted(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// Rephrase a serde error for a config file's user: name the table and the
/// keys it knows, or the key whose value is wrong.
fn serde_message(text: &str, span: Option<Range<usize>>, message: &str) -> String {
    if message.starts_with("unknown field") {
        let words = quoted(message);
        let Some((key, expected)) = words.split_first() else {
            return message.to_string();
        };
        let mut expected: Vec<&str> = expected.to_vec();
        expected.sort_unstable();
        let (table, known) = TABLES
            .iter()
            .find(|(_, fields)| {
                let mut f = fields.to_vec();
                f.sort_unstable();
                f == expected
            })
            .map(|(t, f)| (*t, f.to_vec()))
            .unwrap_or(("in this table", expected));
        let hint = known
            .iter()
            .map(|k| (strsim::jaro_winkler(key, k), *k))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| format!("; did you mean {k}?"))
            .unwrap_or_default();
        return format!(
            "unknown key '{key}' {table}{hint} (known: {})",
            known.join(", ")
        );
    }
    if message.starts_with("missing field") {
        let key = quoted(message).first().copied().unwrap_or("?");
        let table = TABLES
            .iter()
            .find(|(_, f)| f.contains(&key))
            .map_or("in this table", |(t, _)| *t);
        return format!("missing key '{key}' {table}");
    }
    // A wrong type: name the key the line assigns, or the table it opens.
    let mut message = message
        .replace("expected i64", "expected a whole number")
        .replace("expected a sequence", "expected a list");
    if let Some(i) = message.find("expected struct ") {
        message.replace_range(i.., "expected a table");
    }
    let Some(offset) = span.map(|s| s.start) else {
        return message;
    };
    if let Some(key) = key_on_line(text, offset) {
        return format!("{key}: {message}");
    }
    match header_on_line(text, offset) {
        Some(h) if h == "[exception]" => {
            "write [[exception]] (double brackets: one table per exception), not [exception]".into()
        }
        Some(h) if h.starts_with("[[") => {
            let single = h.trim_start_matches('[').trim_end_matches(']');
            format!("write [{single}] (single brackets), not {h}")
        }
        Some(h) => format!("{h}: {message}"),
        None => message,
    }
}

/// The table header on the line holding `offset` (`[thresholds]`).
fn header_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?.trim();
    let line = line.split('#').next().unwrap_or(line).trim();
    (line.starts_with('[') && line.ends_with(']')).then(|| line.to_string())
}

/// The key assigned on the line holding `offset`, when `offset` is in the
/// value (`key = value`).
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let eq = line.find('=')?;
    let key = line[..eq].trim();
    (start + eq < offset && !key.is_empty() && !key.starts_with(['[', '#']))
        .then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{Action, Context, Keymap, check_tables, config_bindings};

    fn parse_str(text: &str) -> Result<Loaded, String> {
        parse(
            text,
            Path::new("/home/u/.config/moat/config.toml"),
            check_tables,
        )
        .map_err(|e| e.to_string())
    }

    fn err(text: &str) -> String {
        match parse_str(text) {
            Ok(l) => panic!("parsed: {l:?}\n{text}"),
            Err(e) => {
                assert!(!e.contains('\n'), "one line: {e}");
                assert!(
                    e.starts_with("config /home/u/.config/moat/config.toml line "),
                    "{e}"
                );
                e
            }
        }
    }

    #[test]
    fn the_default_file_is_the_defaults() {
        let l = parse_str(DEFAULT_FILE).expect("assets/config.toml");
        assert_eq!(l.settings, Settings::default());
        assert!(l.keys.is_empty());
        // Empty file, same.
        assert_eq!(parse_str("").expect("empty").settings, Settings::default());
    }

    #[test]
    fn the_default_file_lists_the_default_keys() {
        // Uncomment the [keys.*] block: it must bind exactly the built-in keymap.
        let (_, keys) = DEFAULT_FILE.split_once("\n[keys]\n").expect("[keys]");
        let uncommented: String = keys
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with("[keys.") || l.contains(" = ["))
            .map(|l| format!("{l}\n"))
            .collect();
        let l = parse_str(&uncommented).expect("uncommented keys");
        let builtin = Keymap::builtin().expect("builtin");
        let bound: usize = builtin.help().iter().map(|(_, rows)| rows.len()).sum();
        let entries: usize = l.keys.iter().map(|t| t.entries.len()).sum();
        assert_eq!(entries, bound);
        assert_eq!(
            Keymap::with_overrides(&config_bindings(&l.keys).expect("bindings")).expect("keymap"),
            builtin
        );
    }

    #[test]
    fn the_table_list_matches_the_structs() {
        for (table, fields) in TABLES {
            let header = match *table {
                "at the top level" => String::new(),
                "in [[exception]]" => {
                    "[[exception]]\nitem = \"account.root-mfa\"\nresource = \"r\"\nreason = \"r\"\n"
                        .into()
                }
                t => format!("{}\n", t.trim_start_matches("in ")),
            };
            let e = err(&format!("{header}bogus_key = 1\n"));
            assert!(
                e.contains(&format!(
                    "unknown key 'bogus_key' {table} (known: {})",
                    fields.join(", ")
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn an_unknown_key_names_the_line_the_table_and_the_known_keys() {
        let text =
            "# moat\n\n[thresholds]\npassword_min_length = 14\n\n# old name\nkey_max_age = 90\n";
        let e = err(text);
        assert_eq!(
            e,
            "config /home/u/.config/moat/config.toml line 7: unknown key 'key_max_age' in \
             [thresholds]; did you mean key_max_age_days? (known: password_min_length, \
             password_reuse_prevention, key_unused_days, key_max_age_days, snapshot_max_age_days)"
        );
        let e = err("[thresholds]\n[tighten]\ncidrs = []\n[keyz.main]\n");
        assert!(
            e.contains("line 4: unknown key 'keyz' at the top level; did you mean keys?"),
            "{e}"
        );
        // A dotted key or an inline table is the same table.
        let e = err("tighten.cidr = []\n");
        assert!(e.contains("line 1: unknown key 'cidr' in [tighten]"), "{e}");
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        let e = err("[thresholds]\npassword_min_length = 14 14\n");
        assert!(e.contains("line 2, column "), "{e}");
        let e = err("[thresholds]\nkey_unused_days = \"45\"\n");
        assert!(
            e.contains(
                "line 2: key_unused_days: invalid type: string \"45\", expected a whole number"
            ),
            "{e}"
        );
        let e = err("[[exception]]\nitem = \"account.root-mfa\"\nresource = \"account\"\n");
        assert!(
            e.contains("line 1: missing key 'reason' in [[exception]]"),
            "{e}"
        );
        let e = err("[exception]\nitem = \"account.root-mfa\"\n");
        assert!(
            e.contains("line 1: write [[exception]] (double brackets"),
            "{e}"
        );
        let e = err("\n[[thresholds]]  # oops\n");
        assert!(
            e.contains("line 2: write [thresholds] (single brackets)"),
            "{e}"
        );
        let e = err("tighten = 3\n");
        assert!(
            e.contains("line 1: tighten: invalid type: integer `3`, expected a table"),
            "{e}"
        );
        let e = err("[thresholds]\nkey_unused_days = 1\n[thresholds]\n");
        assert!(e.contains("line 3, column "), "{e}");
    }

    #[test]
    fn thresholds_are_read_and_checked() {
        let l = parse_str("[thresholds]\npassword_min_length = 8\nkey_max_age_days = 365\n")
            .expect("thresholds");
        assert_eq!(l.settings.password_min_length, 8);
        assert_eq!(l.settings.key_max_age_days, 365);
        assert_eq!(l.settings.key_unused_days, 45);
        let e = err("[thresholds]\n\npassword_min_length = 4\n");
        assert!(
            e.ends_with(
                "line 3: password_min_length = 4 is out of range (6 to 128) in [thresholds]"
            ),
            "{e}"
        );
        let e = err("[thresholds]\npassword_reuse_prevention = 25\n");
        assert!(e.contains("line 2: password_reuse_prevention = 25"), "{e}");
        let e = err("[thresholds]\nsnapshot_max_age_days = 0\n");
        assert!(
            e.contains("line 2: snapshot_max_age_days = 0 is out of range (1 to 3650)"),
            "{e}"
        );
        // The first problem in the file is the one reported.
        let e = err("[thresholds]\nkey_unused_days = 0\nkey_max_age_days = 0\n");
        assert!(e.contains("line 2: key_unused_days"), "{e}");
    }

    #[test]
    fn exceptions_are_read_with_their_dates() {
        let text = "\
[[exception]]
item = \"account.alternate-contacts\"
resource = \"contact/OPERATIONS\"
reason = \"set by the organisation\"
expires = 2020-01-31

[[exception]]
item = \"account.alternate-contacts\"
resource = \"contact/SECURITY\"
reason = \"set by the organisation\"
expires = \"2027-06-30\"

[[exception]]
item = \"account.root-mfa\"
resource = \"account\"
reason = \"a hardware key is on its way\"
";
        let l = parse_str(text).expect("exceptions");
        let ex = &l.settings.exceptions;
        assert_eq!(ex.len(), 3);
        assert_eq!(ex[0].expires, NaiveDate::from_ymd_opt(2020, 1, 31));
        assert_eq!(ex[1].expires, NaiveDate::from_ymd_opt(2027, 6, 30));
        assert_eq!(ex[2].expires, None);
        assert_eq!(ex[0].resource, "contact/OPERATIONS");
        assert_eq!(ex[2].reason, "a hardware key is on its way");

        let one = |body: &str| format!("[[exception]]\n{body}\n");
        let e = err(&one(
            "item = \"account.alternate-contact\"\nresource = \"r\"\nreason = \"r\"",
        ));
        assert!(
            e.contains(
                "line 2: unknown item 'account.alternate-contact' in [[exception]]; did you mean account.alternate-contacts?"
            ),
            "{e}"
        );
        let e = err(&one(
            "item = \"account.root-mfa\"\nresource = \" \"\nreason = \"r\"",
        ));
        assert!(e.contains("line 3: resource is empty"), "{e}");
        let e = err(&one(
            "item = \"account.root-mfa\"\nresource = \"account\"\nreason = \"\"",
        ));
        assert!(e.contains("line 4: reason is empty"), "{e}");
        for bad in [
            "\"2027-02-30\"",
            "\"next year\"",
            "2027-06-30T10:00:00",
            "20270630",
        ] {
            let e = err(&one(&format!(
                "item = \"account.root-mfa\"\nresource = \"account\"\nreason = \"r\"\nexpires = {bad}"
            )));
            assert!(
                e.contains("line 5") && e.contains("is not a date (YYYY-MM-DD"),
                "{bad}: {e}"
            );
        }
        // An impossible date is a TOML syntax error; it names the key too.
        let e = err(&one(
            "item = \"account.root-mfa\"\nresource = \"account\"\nreason = \"r\"\nexpires = 2027-02-30",
        ));
        assert!(
            e.contains("line 5, column 11: expires: invalid date"),
            "{e}"
        );
        let e = err(&format!(
            "{}{}",
            one("item = \"account.root-mfa\"\nresource = \"account\"\nreason = \"r\""),
            one("item = \"account.root-mfa\"\nresource = \"account\"\nreason = \"again\"")
        ));
        assert!(
            e.contains("line 6: a second [[exception]] for account.root-mfa account (the first is on line 2)"),
            "{e}"
        );
    }

    #[test]
    fn cidrs_are_checked() {
        let l = parse_str("[tighten]\ncidrs = [\"10.0.0.0/8\", \"192.168.10.0/24\", \"2001:DB8::/32\", \"203.0.113.7/32\"]\n")
            .expect("cidrs");
        assert_eq!(
            l.settings.cidrs,
            [
                "10.0.0.0/8",
                "192.168.10.0/24",
                "2001:db8::/32",
                "203.0.113.7/32"
            ]
        );
        for (bad, says) in [
            ("10.0.0.0", "has no prefix length"),
            ("10.0.0/8", "is not an IPv4 or IPv6 address"),
            ("10.0.0.0/33", "prefix length must be 0 to 32"),
            ("10.0.0.0/+8", "prefix length must be 0 to 32"),
            ("2001:db8::/129", "prefix length must be 0 to 128"),
            ("0.0.0.0/0", "the whole internet"),
            ("::/0", "the whole internet"),
            ("10.0.0.1/8", "did you mean 10.0.0.0/8?"),
            ("2001:db8::1/32", "did you mean 2001:db8::/32?"),
        ] {
            let e = err(&format!(
                "[tighten]\ncidrs = [\n  \"10.0.0.0/8\",\n  \"{bad}\",\n]\n"
            ));
            assert!(
                e.contains("line 4: [tighten] cidrs: ") && e.contains(says),
                "{bad}: {e}"
            );
        }
        let e = err("[tighten]\ncidrs = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n");
        assert!(e.contains("listed twice"), "{e}");
    }

    #[test]
    fn keys_rebind_and_are_checked() {
        let l = parse_str(
            "[keys.main]\nquit = \"x\"\nrescan = [\"r\", \"f5\"]\n[keys.dialog]\nclose = []\n",
        )
        .expect("keys");
        let km =
            Keymap::with_overrides(&config_bindings(&l.keys).expect("bindings")).expect("keymap");
        assert_eq!(km.keys(Context::Main, Action::Quit), ["x"]);
        assert_eq!(km.keys(Context::Main, Action::Rescan), ["r", "f5"]);
        assert!(km.keys(Context::Dialog, Action::Close).is_empty());

        let e = err("[keys.mian]\nquit = \"x\"\n");
        assert!(
            e.contains("line 1: unknown context 'mian' in [keys] (known: main, preview"),
            "{e}"
        );
        let e = err("[keys.main]\n\nfly = \"x\"\n");
        assert!(
            e.contains("line 3: unknown action 'fly' in [keys.main] (known: "),
            "{e}"
        );
        let e = err("[keys.main]\nquit = \"foo\"\n");
        assert!(
            e.contains("line 2: [keys.main] quit: 'foo' is not a key"),
            "{e}"
        );
        let e = err("[keys.main]\nquit = 1\n");
        assert!(
            e.contains("line 2: [keys.main] quit: expected a key or a list of keys"),
            "{e}"
        );
        let e = err("[keys.form]\nsubmit = \"s\"\n");
        assert!(
            e.contains("line 2: [keys.form] submit: a plain character"),
            "{e}"
        );
        let e = err("[keys]\nquit = \"x\"\n");
        assert!(
            e.contains(
                "line 2: quit: invalid type: string \"x\", expected a table of actions per context"
            ),
            "{e}"
        );
        // A key another action takes first.
        let e = err("[keys.main]\npreview = [\"p\", \"n\"]\n");
        assert!(
            e.contains("line 2: [keys.main] preview: 'n' is also bound to next_attention"),
            "{e}"
        );
        parse_str(
            "[keys.main]\npreview = [\"p\", \"n\"]\nnext_attention = \"tab\"\nfocus_next = []\n",
        )
        .expect("freed first");
    }

    #[test]
    fn load_finds_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.toml");
        let e = load(Some(&missing), check_tables).unwrap_err().to_string();
        assert!(e.contains("nope.toml (from --config): no such file"), "{e}");
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[thresholds]\nkey_unused_days = 30\n").expect("write");
        let l = load(Some(&file), check_tables).expect("load");
        assert_eq!(l.settings.key_unused_days, 30);
        assert_eq!(l.path.as_deref(), Some(file.as_path()));
        let e = load(Some(dir.path()), check_tables)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read it"), "{e}");
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é = 1\nx", 3), (1, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
        assert_eq!(key_on_line("a = 1\n  b.c = 2\n", 14), Some("b.c".into()));
        assert_eq!(key_on_line("a = 1\n  b.c = 2\n", 8), None);
    }
}

/// Property tests ("fuzzing") of the parser. The number of cases per property
/// is proptest's `PROPTEST_CASES` (256 by default, about a second each).
/// To fuzz every parser for a few minutes (4 to 5 on two cores; raise the
/// count to fuzz longer):
///
/// ```text
/// PROPTEST_CASES=10000 cargo test --lib fuzz_ -- --test-threads 2
/// ```
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use crate::tui::keymap::check_tables;
    use proptest::prelude::*;

    const PATH: &str = "/etc/moat/fuzz config.toml";

    fn config() -> ProptestConfig {
        ProptestConfig {
            // Shrunk failures are reported, not written next to the source.
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Text biased towards what TOML and the parser care about.
    fn tomlish_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(
                "[]{}=\"'#,.\n\r\t -_0123456789abcxyzTF:+/\\".chars().collect::<Vec<_>>()
            ),
            1 => any::<char>(),
            1 => prop::sample::select(vec!['\u{1b}', '\u{7}', '\u{0}', '\u{85}', '\u{2028}', '\u{202e}', '\u{feff}', 'é', '鍵']),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (0i64..4000).prop_map(|n| n.to_string()),
            "\"[ -~]{0,20}\"",
            Just("\"10.0.0.0/8\"".to_string()),
            Just("\"0.0.0.0/0\"".to_string()),
            Just("\"2001:db8::/32\"".to_string()),
            Just("2027-06-30".to_string()),
            Just("\"2027-02-30\"".to_string()),
            Just("1979-05-27T07:32:00Z".to_string()),
            Just("[]".to_string()),
            Just("[\"q\", \"ctrl-c\"]".to_string()),
            Just("[\"example-corp-www\", \"Bad_Name\"]".to_string()),
            Just("{ a = 1 }".to_string()),
            Just("true".to_string()),
            Just("3.5".to_string()),
            Just("\"\"".to_string()),
            prop::collection::vec(tomlish_char(), 0..12).prop_map(|c| c.into_iter().collect()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "password_min_length",
            "password_reuse_prevention",
            "key_unused_days",
            "key_max_age_days",
            "snapshot_max_age_days",
            "item",
            "resource",
            "reason",
            "expires",
            "bucket",
            "cidrs",
            "irreplaceable_buckets",
            "quit",
            "up",
            "apply",
            "help",
            "unknown_key",
            "thresholds",
            "\"quoted key\"",
            "a.b",
        ])
        .prop_map(str::to_string)
    }

    /// One line of TOML-ish text: headers of known (and unknown) tables,
    /// assignments of known keys, comments, junk.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "[thresholds]",
                "[[exception]]",
                "[exception]",
                "[tighten]",
                "[[public_bucket]]",
                "[s3]",
                "[[s3]]",
                "[keys]",
                "[keys.main]",
                "[keys.preview]",
                "[keys.nowhere]",
                "[unknown]",
                "[thresholds",
                "# a comment",
                "",
                "item = \"account.password-policy\"",
                "item = \"s3.bucket-public-access-block\"",
                "resource = \"bucket/example-corp-www\"",
                "reason = \"because\"",
                "bucket = \"example-corp-www\"",
            ])
            .prop_map(str::to_string),
            (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
            (key(), value()).prop_map(|(k, v)| format!("{k}={v} # trailing")),
            prop::collection::vec(tomlish_char(), 0..30).prop_map(|c| c.into_iter().collect()),
        ]
    }

    fn tomlish() -> impl Strategy<Value = String> {
        prop::collection::vec(line(), 0..16).prop_map(|l| l.join("\n"))
    }

    /// The default file with a few lines replaced or inserted.
    fn mutated_default() -> impl Strategy<Value = String> {
        prop::collection::vec((any::<prop::sample::Index>(), any::<bool>(), line()), 1..4).prop_map(
            |edits| {
                let mut lines: Vec<String> = DEFAULT_FILE.lines().map(str::to_string).collect();
                for (at, replace, l) in edits {
                    let i = at.index(lines.len() + 1);
                    if replace && i < lines.len() {
                        lines[i] = l;
                    } else {
                        lines.insert(i, l);
                    }
                }
                lines.join("\n")
            },
        )
    }

    /// Parse; on error, the error must be one `Invalid` line naming the
    /// file and a line of the text. Returns the line.
    fn check(text: &str) -> Result<Option<usize>, TestCaseError> {
        let path = Path::new(PATH);
        let Err(e) = parse(text, path, check_tables) else {
            return Ok(None);
        };
        let shown = e.to_string();
        prop_assert!(
            !shown.contains(['\n', '\r']),
            "error is not one line: {shown:?}"
        );
        let ConfigError::Invalid { line, .. } = &e else {
            return Err(TestCaseError::fail(format!("not Invalid: {shown:?}")));
        };
        let lines = text.matches('\n').count() + 1;
        prop_assert!(
            !shown.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "control characters in the error: {shown:?}"
        );
        prop_assert!(
            (1..=lines).contains(line),
            "line {line} of {lines}: {shown:?}"
        );
        prop_assert!(
            shown.starts_with(&format!("config {PATH} line {line}")),
            "{shown:?}"
        );
        Ok(Some(*line))
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn fuzz_config_arbitrary_text(text in any::<String>()) {
            check(&text)?;
        }

        #[test]
        fn fuzz_config_arbitrary_chars(c in prop::collection::vec(tomlish_char(), 0..300)) {
            let text: String = c.into_iter().collect();
            check(&text)?;
        }

        /// TOML-ish files fail on a line, and comment lines put before it
        /// move the reported line by as many.
        #[test]
        fn fuzz_config_tomlish_names_the_line(text in tomlish(), k in 1usize..4) {
            // A byte-order mark is allowed at the start of the file only.
            prop_assume!(!text.starts_with('\u{feff}'));
            if let Some(line) = check(&text)? {
                let shifted = format!("{}{text}", "# moved\n".repeat(k));
                prop_assert_eq!(check(&shifted)?, Some(line + k), "{:?}", text);
            }
        }

        #[test]
        fn fuzz_config_mutated_default(text in mutated_default()) {
            check(&text)?;
        }
    }

    #[test]
    fn fuzz_config_default_file_parses() {
        assert!(parse(DEFAULT_FILE, Path::new(PATH), check_tables).is_ok());
    }

    /// Found by fuzzing: the key quoted in a syntax error kept its escape
    /// sequence.
    #[test]
    fn fuzz_found_errors_quote_the_file_inert() {
        let e = parse("\u{1b}[2J=,\n", Path::new(PATH), check_tables).expect_err("bad");
        let shown = e.to_string();
        assert!(shown.contains("line 1"), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}
