//! The trails' buckets: not public, MFA Delete, archived to Glacier, access
//! logged.

use super::*;
use crate::aws::inventory::ResourceRef;

/// Actions that write to or delete from a bucket, or change who can.
pub(super) const WRITE_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
];

use crate::checks::s3::principals as principal_values;

/// Principals in this statement, all of them this account's own or the
/// CloudTrail / S3 logging services.
pub(super) fn trusted_principals(stmt: &Value, account: &str) -> bool {
    let Some(Value::Object(m)) = stmt.get("Principal") else {
        return false;
    };
    m.iter().all(|(k, v)| {
        let values = policy::as_list(Some(v));
        if k.eq_ignore_ascii_case("Service") {
            values
                .iter()
                .all(|s| s == "cloudtrail.amazonaws.com" || s == "logging.s3.amazonaws.com")
        } else if k.eq_ignore_ascii_case("AWS") {
            values.iter().all(|p| {
                p == account
                    || crate::aws::inventory::strip_arn_prefix(p, "iam::")
                        .is_some_and(|r| r.starts_with(&format!("{account}:")))
            })
        } else {
            false
        }
    })
}

/// A statement too broad for a log bucket: public, or an Allow of writes or
/// deletes to principals outside this account (the log writers excepted).
pub fn over_broad(stmt: &Value, account: &str) -> bool {
    if policy::effect(stmt) != "Allow" {
        return false;
    }
    if policy::is_public_statement(stmt) {
        return true;
    }
    let writes = if let Some(a) = stmt.get("Action") {
        let list = policy::as_list(Some(a));
        WRITE_ACTIONS
            .iter()
            .any(|w| list.iter().any(|p| access::glob(p, w, true)))
    } else {
        // NotAction: almost everything, writes included.
        stmt.get("NotAction").is_some()
    };
    writes && !trusted_principals(stmt, account)
}

/// Does some statement let CloudTrail write log files?
pub fn cloudtrail_can_write(doc: &Value) -> bool {
    policy::statements(doc).into_iter().any(|s| {
        policy::effect(s) == "Allow"
            && principal_values(s, "Service")
                .iter()
                .any(|p| p == "cloudtrail.amazonaws.com")
            && policy::as_list(s.get("Action"))
                .iter()
                .any(|a| access::glob(a, "s3:PutObject", true))
    })
}

pub(super) fn bucket_not_public(inv: &Inventory, _: &Ctx) -> Outcome {
    let targets = trail_buckets(inv);
    if targets.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let account = inv.account_id().unwrap_or_default();
    let account_pab = inv.s3_account_pab.ready().and_then(|p| p.as_ref());
    let mut findings = vec![];
    for (b, ts) in &targets {
        let mut problems: Vec<String> = vec![];
        match &b.public_access_block {
            Fetched::Error(e) => {
                findings.push(unreadable(b, e));
                continue;
            }
            Fetched::Ready(p) => {
                let own = p.unwrap_or_default();
                if !own.all_on() && !account_pab.is_some_and(|a| a.all_on()) {
                    problems.push(msg(
                        BUCKET_NOT_PUBLIC,
                        "pab",
                        &[("flags", &own.missing().join(", "))],
                    ));
                }
            }
        }
        match &b.policy {
            Fetched::Error(e) => {
                findings.push(unreadable(b, e));
                continue;
            }
            Fetched::Ready(None) => problems.push(msg(BUCKET_NOT_PUBLIC, "no_policy", &[])),
            Fetched::Ready(Some(doc)) => {
                let broad: Vec<String> = policy::statements(doc)
                    .into_iter()
                    .enumerate()
                    .filter(|(_, s)| over_broad(s, account))
                    .map(|(i, s)| {
                        s.get("Sid")
                            .and_then(Value::as_str)
                            .filter(|x| !x.is_empty())
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("#{}", i + 1))
                    })
                    .collect();
                if !broad.is_empty() {
                    problems.push(msg(
                        BUCKET_NOT_PUBLIC,
                        "broad",
                        &[("statements", &broad.join(", "))],
                    ));
                }
                if !cloudtrail_can_write(doc) {
                    problems.push(msg(BUCKET_NOT_PUBLIC, "no_cloudtrail", &[]));
                }
            }
        }
        if !problems.is_empty() {
            findings.push(bucket_finding(
                b,
                Status::Fail,
                msg(
                    BUCKET_NOT_PUBLIC,
                    "problems",
                    &[
                        ("trails", &trail_names(ts)),
                        ("problems", &problems.join(" ")),
                    ],
                ),
            ));
        }
    }
    outcome(BUCKET_NOT_PUBLIC, findings, targets.len())
}

pub(super) fn bucket_mfa_delete(inv: &Inventory, _: &Ctx) -> Outcome {
    let targets = trail_buckets(inv);
    if targets.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let findings = targets
        .iter()
        .filter_map(|(b, ts)| match &b.versioning {
            None => Some(crate::checks::s3::versioning_not_read(b)),
            Some(Fetched::Error(e)) => Some(unreadable(b, e)),
            Some(Fetched::Ready(v)) if v.enabled() && v.mfa_delete => None,
            Some(Fetched::Ready(v)) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(
                    BUCKET_MFA_DELETE,
                    if v.enabled() {
                        "no_mfa"
                    } else if v.status == Some(crate::aws::inventory::VersioningStatus::Suspended) {
                        "suspended"
                    } else {
                        "unversioned"
                    },
                    &[("trails", &trail_names(ts))],
                ),
            )),
        })
        .collect();
    outcome(BUCKET_MFA_DELETE, findings, targets.len())
}

/// Storage classes that archive (GLACIER and its deeper sibling): the two
/// S3's `varies_by_storage_class` lets objects under 128 KB move to.
pub(super) const ARCHIVE_CLASSES: &[&str] = &["GLACIER", "DEEP_ARCHIVE"];

/// CloudTrail log files are a few KB each (gzip, one file every few
/// minutes per region): a rule archives the logs only if files this small
/// may transition under it.
pub const LOG_FILE_BYTES: i64 = 1024;

/// What one lifecycle rule does for CloudTrail's log files (`AWSLogs/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogArchiving {
    /// Moves them to an archive class, small files included.
    Archives,
    /// Would move them, but S3's default minimum object size for
    /// transitions (the bucket's `TransitionDefaultMinimumObjectSize`,
    /// given) keeps objects under 128 KB, nearly every log file, in place.
    DefaultSkipsSmall(String),
    /// Would move them, but its own size filter leaves out objects up to
    /// this many bytes.
    FilterSkipsSmall(i64),
    /// Does not move them.
    No,
}

/// How `rule` treats the log files, on a bucket whose configuration has
/// `default_min` as its `TransitionDefaultMinimumObjectSize`. A size filter
/// on the rule takes precedence over the default (S3 User Guide,
/// "Transitioning objects using Amazon S3 Lifecycle").
pub fn log_archiving(rule: &LifecycleRule, default_min: &str, log_prefix: &str) -> LogArchiving {
    let (prefix, _) = rule.scope();
    let f = rule.filter.as_ref();
    let tagged = f.is_some_and(|f| !f.tags.is_empty());
    // An upper bound leaves out the larger log files.
    let capped = f.is_some_and(|f| f.object_size_less_than.is_some());
    let moves = rule.status == "Enabled"
        && !tagged
        && !capped
        && log_prefix.starts_with(prefix)
        && rule
            .transitions
            .iter()
            .any(|t| ARCHIVE_CLASSES.contains(&t.storage_class.as_str()));
    if !moves {
        return LogArchiving::No;
    }
    match f.and_then(|f| f.object_size_greater_than) {
        Some(min) if min < LOG_FILE_BYTES => LogArchiving::Archives,
        Some(min) => LogArchiving::FilterSkipsSmall(min),
        None if default_min == MIN_SIZE_VARIES => LogArchiving::Archives,
        None => LogArchiving::DefaultSkipsSmall(default_min.to_string()),
    }
}

/// Where the trails that write to `bucket` put their log files: each
/// trail's `S3KeyPrefix/AWSLogs/` (`AWSLogs/` without a prefix). A rule
/// must cover every one of them.
pub fn log_prefixes(inv: &Inventory, bucket: &str) -> Vec<String> {
    let mut out: Vec<String> = trails(inv)
        .iter()
        .filter(|t| t.s3_bucket.as_deref() == Some(bucket))
        .map(
            |t| match t.s3_key_prefix.as_deref().map(|p| p.trim_matches('/')) {
                Some(p) if !p.is_empty() => format!("{p}/AWSLogs/"),
                _ => "AWSLogs/".to_string(),
            },
        )
        .collect();
    if out.is_empty() {
        out.push("AWSLogs/".to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// The log prefixes of `prefixes` that no rule archives, small files included.
pub fn unarchived_prefixes<'a>(
    l: &BucketLifecycle,
    rules: &[LifecycleRule],
    prefixes: &'a [String],
) -> Vec<&'a String> {
    prefixes
        .iter()
        .filter(|p| {
            !rules
                .iter()
                .any(|r| log_archiving(r, l.default_minimum_size(), p) == LogArchiving::Archives)
        })
        .collect()
}

/// Some rule of the bucket archives the log files under every prefix,
/// small ones included.
pub fn archives_logs(l: &BucketLifecycle, rules: &[LifecycleRule], prefixes: &[String]) -> bool {
    unarchived_prefixes(l, rules, prefixes).is_empty()
}

pub(super) fn rule_name(i: usize, r: &LifecycleRule) -> String {
    r.id.clone()
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| format!("#{}", i + 1))
}

/// Why no rule of the bucket archives its log files (the finding's detail).
pub(super) fn not_archived(
    l: &BucketLifecycle,
    rules: &[LifecycleRule],
    prefixes: &[String],
) -> String {
    let missing = unarchived_prefixes(l, rules, prefixes);
    let log_prefix = missing.first().map(|p| p.as_str()).unwrap_or("AWSLogs/");
    let mut default_skips: Vec<String> = vec![];
    let mut filter_skips: Vec<(String, i64)> = vec![];
    for (i, r) in rules.iter().enumerate() {
        match log_archiving(r, l.default_minimum_size(), log_prefix) {
            LogArchiving::DefaultSkipsSmall(_) => default_skips.push(rule_name(i, r)),
            LogArchiving::FilterSkipsSmall(min) => filter_skips.push((rule_name(i, r), min)),
            LogArchiving::Archives | LogArchiving::No => {}
        }
    }
    let mut why: Vec<String> = vec![];
    if !default_skips.is_empty() {
        why.push(msg(
            ARCHIVE_TO_GLACIER,
            "small_default",
            &[
                ("rules", &default_skips.join(", ")),
                ("setting", l.default_minimum_size()),
            ],
        ));
    }
    for (rule, min) in &filter_skips {
        why.push(msg(
            ARCHIVE_TO_GLACIER,
            "small_filter",
            &[("rule", rule), ("bytes", &min.to_string())],
        ));
    }
    if why.is_empty() {
        why.push(msg(
            ARCHIVE_TO_GLACIER,
            "none",
            &[("rules", &rules.len().to_string())],
        ));
    }
    let missing: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
    if missing != ["AWSLogs/"] {
        why.push(msg(
            ARCHIVE_TO_GLACIER,
            "prefixes",
            &[("prefixes", &missing.join(", "))],
        ));
    }
    why.join(" ")
}

pub(super) fn archive_to_glacier(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(lc) = inv.trail_lifecycles.ready() else {
        return not_applicable(String::new());
    };
    if lc.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let findings = lc
        .iter()
        .filter_map(|(bucket, l)| {
            let r = ResourceRef::Lifecycle {
                bucket: bucket.clone(),
            }
            .to_string();
            match &l.rules {
                Fetched::Error(e) => Some(finding(
                    r,
                    Some(&l.region),
                    Status::Error,
                    msg(SHARED, "unreadable", &[("error", &e.summary())]),
                )),
                Fetched::Ready(rules) => {
                    let prefixes = log_prefixes(inv, bucket);
                    (!archives_logs(l, rules, &prefixes)).then(|| {
                        finding(
                            r,
                            Some(&l.region),
                            Status::Fail,
                            not_archived(l, rules, &prefixes),
                        )
                    })
                }
            }
        })
        .collect();
    outcome(ARCHIVE_TO_GLACIER, findings, lc.len())
}

pub(super) fn bucket_access_logging(inv: &Inventory, _: &Ctx) -> Outcome {
    let targets = trail_buckets(inv);
    if targets.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let findings = targets
        .iter()
        .filter_map(|(b, ts)| match &b.logging {
            Fetched::Error(e) => Some(unreadable(b, e)),
            Fetched::Ready(Some(_)) => None,
            Fetched::Ready(None) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(
                    BUCKET_ACCESS_LOGGING,
                    "off",
                    &[("trails", &trail_names(ts))],
                ),
            )),
        })
        .collect();
    outcome(BUCKET_ACCESS_LOGGING, findings, targets.len())
}
