//! The `cloudtrail` section: a multi-region trail that is logging, log file
//! validation, who may tamper with trails, and the trail buckets (not
//! public, MFA Delete, encryption, archiving, access logging) and
//! notifications.
//!
//! Buckets are judged only when they are in this account's inventory: a
//! trail may log to another account's bucket, whose settings are not ours
//! to read. A setting that could not be read gives an `error` finding.

use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::access::{self, PrincipalKind};
use crate::guide::msg;
use crate::inventory::{
    AuditRef, Bucket, Fetched, Inventory, PartId, ResourceRef, Trail, trail_arn,
};
use crate::plan::audit as plans;
use crate::policy;
use serde_json::Value;

pub const MULTI_REGION: &str = "cloudtrail.multi-region-trail";
pub const LOG_VALIDATION: &str = "cloudtrail.log-validation";
pub const API_PROTECTED: &str = "cloudtrail.api-protected";
pub const BUCKET_NOT_PUBLIC: &str = "cloudtrail.bucket-not-public";
pub const BUCKET_MFA_DELETE: &str = "cloudtrail.bucket-mfa-delete";
pub const ENCRYPTED: &str = "cloudtrail.encrypted";
pub const SNS_NOTIFICATIONS: &str = "cloudtrail.sns-notifications";
pub const ARCHIVE_TO_GLACIER: &str = "cloudtrail.archive-to-glacier";
pub const BUCKET_ACCESS_LOGGING: &str = "cloudtrail.bucket-access-logging";

/// Messages shared by the section's items.
const SHARED: &str = "cloudtrail";

/// The calls that stop, remove or blind a trail.
pub const TAMPER_ACTIONS: &[&str] = &[
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
];

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: MULTI_REGION,
        section: "cloudtrail",
        // The plan creates the bucket in the home region, and a trail's
        // document names its KMS key by alias.
        needs: &[
            PartId::Trails,
            PartId::KmsKeys,
            PartId::S3Buckets,
            PartId::AuditRegions,
        ],
        cis: &["4.1"],
        security_hub: &["CloudTrail.1"],
        check: multi_region,
        fix: Fix::Plan(plans::multi_region),
        inputs: plans::MULTI_REGION_INPUTS,
    },
    ItemDef {
        id: LOG_VALIDATION,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::KmsKeys],
        cis: &["4.2"],
        security_hub: &["CloudTrail.4"],
        check: log_validation,
        fix: Fix::Plan(plans::log_validation),
        inputs: &[],
    },
    ItemDef {
        id: API_PROTECTED,
        section: "cloudtrail",
        needs: &[PartId::Iam, PartId::Trails],
        cis: &[],
        security_hub: &[],
        check: api_protected,
        fix: Fix::Plan(plans::api_protected),
        inputs: &[],
    },
    ItemDef {
        id: BUCKET_NOT_PUBLIC,
        section: "cloudtrail",
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::S3Buckets,
            PartId::S3AccountPublicAccessBlock,
        ],
        cis: &[],
        security_hub: &["CloudTrail.6"],
        check: bucket_not_public,
        fix: Fix::Plan(plans::bucket_not_public),
        inputs: &[],
    },
    ItemDef {
        id: BUCKET_MFA_DELETE,
        section: "cloudtrail",
        needs: &[PartId::Identity, PartId::Trails, PartId::S3Buckets],
        cis: &["3.1.2"],
        security_hub: &["S3.20"],
        check: bucket_mfa_delete,
        fix: Fix::Plan(plans::bucket_mfa_delete),
        inputs: crate::plan::s3::MFA_INPUTS,
    },
    ItemDef {
        id: ENCRYPTED,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::S3Buckets, PartId::KmsKeys],
        cis: &["4.5"],
        security_hub: &["CloudTrail.2"],
        check: encrypted,
        fix: Fix::Plan(plans::encrypted),
        inputs: &[],
    },
    ItemDef {
        id: SNS_NOTIFICATIONS,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::SnsTopics, PartId::KmsKeys],
        cis: &[],
        security_hub: &[],
        check: sns_notifications,
        fix: Fix::Plan(plans::sns_notifications),
        inputs: &[],
    },
    ItemDef {
        id: ARCHIVE_TO_GLACIER,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::TrailBucketLifecycles],
        cis: &[],
        security_hub: &[],
        check: archive_to_glacier,
        fix: Fix::Plan(plans::archive_to_glacier),
        inputs: plans::GLACIER_INPUTS,
    },
    ItemDef {
        id: BUCKET_ACCESS_LOGGING,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::S3Buckets],
        cis: &["4.4"],
        security_hub: &["CloudTrail.7"],
        check: bucket_access_logging,
        fix: Fix::Plan(plans::bucket_access_logging),
        inputs: &[],
    },
];

// ---------------------------------------------------------------------------
// Shared helpers (the plans use them too)

pub fn trails(inv: &Inventory) -> &[Trail] {
    inv.trails.ready().map(Vec::as_slice).unwrap_or(&[])
}

pub fn trail_resource(t: &Trail) -> String {
    ResourceRef::Audit(AuditRef::Trail {
        region: t.home_region.clone(),
        name: t.name.clone(),
    })
    .to_string()
}

pub fn bucket_resource(name: &str) -> String {
    ResourceRef::Bucket {
        name: name.to_string(),
    }
    .to_string()
}

fn finding(resource: String, region: Option<&str>, status: Status, detail: String) -> Finding {
    Finding {
        resource,
        region: region.map(str::to_string),
        status,
        detail,
    }
}

fn trail_finding(t: &Trail, status: Status, detail: String) -> Finding {
    finding(trail_resource(t), Some(&t.home_region), status, detail)
}

pub fn not_applicable(summary: String) -> Outcome {
    Outcome {
        status: Status::NotApplicable,
        summary,
        findings: vec![],
    }
}

/// The item's status from its findings: fail, else error, else pass. The
/// summary is the item's `pass`, `fail` or `error` message with `{count}`
/// (failing), `{errors}` and `{total}`.
pub fn outcome(item: &str, findings: Vec<Finding>, total: usize) -> Outcome {
    let count = findings.iter().filter(|f| f.status == Status::Fail).count();
    let errors = findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .count();
    let (status, key) = if count > 0 {
        (Status::Fail, "fail")
    } else if errors > 0 {
        (Status::Error, "error")
    } else {
        (Status::Pass, "pass")
    };
    let (count, errors, total) = (count.to_string(), errors.to_string(), total.to_string());
    Outcome {
        status,
        summary: msg(
            item,
            key,
            &[("count", &count), ("errors", &errors), ("total", &total)],
        ),
        findings,
    }
}

/// Each trail bucket of this account (once), with the trails writing to it.
/// Buckets of other accounts are left out: their settings are not ours.
pub fn trail_buckets(inv: &Inventory) -> Vec<(&Bucket, Vec<&Trail>)> {
    let Some(s3) = inv.s3.ready() else {
        return vec![];
    };
    let mut out: Vec<(&Bucket, Vec<&Trail>)> = vec![];
    for t in trails(inv) {
        let Some(name) = t.s3_bucket.as_deref() else {
            continue;
        };
        let Some(b) = s3.bucket(name) else { continue };
        match out.iter_mut().find(|(x, _)| x.name == b.name) {
            Some((_, ts)) => ts.push(t),
            None => out.push((b, vec![t])),
        }
    }
    out
}

fn bucket_finding(b: &Bucket, status: Status, detail: String) -> Finding {
    finding(bucket_resource(&b.name), Some(&b.region), status, detail)
}

fn unreadable(b: &Bucket, e: &crate::inventory::PartError) -> Finding {
    bucket_finding(
        b,
        Status::Error,
        msg(SHARED, "unreadable", &[("error", &e.summary())]),
    )
}

fn trail_names(ts: &[&Trail]) -> String {
    ts.iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// Trails

fn multi_region(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.iter().any(|t| t.is_multi_region && t.is_logging) {
        let names: Vec<&str> = all
            .iter()
            .filter(|t| t.is_multi_region && t.is_logging)
            .map(|t| t.name.as_str())
            .collect();
        return Outcome::pass(msg(MULTI_REGION, "pass", &[("trails", &names.join(", "))]));
    }
    let findings = match all.iter().find(|t| t.is_multi_region) {
        Some(t) => vec![trail_finding(
            t,
            Status::Fail,
            msg(MULTI_REGION, "not_logging", &[]),
        )],
        None => vec![Finding::fail(
            ResourceRef::Account.to_string(),
            msg(
                MULTI_REGION,
                if all.is_empty() {
                    "none"
                } else {
                    "single_region"
                },
                &[("count", &all.len().to_string())],
            ),
        )],
    };
    Outcome::from_findings(findings, String::new(), msg(MULTI_REGION, "fail", &[]))
}

fn log_validation(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let findings = all
        .iter()
        .filter(|t| !t.log_file_validation)
        .map(|t| trail_finding(t, Status::Fail, msg(LOG_VALIDATION, "off", &[])))
        .collect();
    outcome(LOG_VALIDATION, findings, all.len())
}

/// A non-administrator who may tamper with a trail, with what and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offender {
    pub principal: access::Principal,
}

impl Offender {
    pub fn resource(&self) -> String {
        principal_resource(&self.principal)
    }
}

/// `user/NAME`, `group/NAME` or `role/NAME`: how findings about a principal
/// name it.
pub fn principal_resource(p: &access::Principal) -> String {
    let name = p.name.clone();
    match p.kind {
        PrincipalKind::User => ResourceRef::User { name },
        PrincipalKind::Group => ResourceRef::Group { name },
        PrincipalKind::Role => ResourceRef::Audit(AuditRef::Role { name }),
    }
    .to_string()
}

/// The resources the tamper check is run against: every trail, or (without
/// trails) any trail a principal might create in the account.
fn tamper_resources(inv: &Inventory) -> Vec<String> {
    let t: Vec<String> = trails(inv).iter().map(|t| t.arn.clone()).collect();
    if !t.is_empty() {
        return t;
    }
    let account = inv.account_id().unwrap_or("000000000000");
    vec![trail_arn(
        inv.partition(),
        "us-east-1",
        account,
        "any-trail",
    )]
}

/// Non-administrators that may call any of [`TAMPER_ACTIONS`] on any trail.
pub fn offenders(inv: &Inventory) -> Vec<Offender> {
    let Some(iam) = inv.iam.ready() else {
        return vec![];
    };
    let mut out: Vec<Offender> = vec![];
    for resource in tamper_resources(inv) {
        for p in access::who_can(iam, TAMPER_ACTIONS, &resource) {
            if access::is_admin(iam, p.kind, &p.name)
                || access::is_service_linked(iam, p.kind, &p.name)
            {
                continue;
            }
            match out
                .iter_mut()
                .find(|o| o.principal.kind == p.kind && o.principal.name == p.name)
            {
                Some(o) => o.principal.absorb(p),
                None => out.push(Offender { principal: p }),
            }
        }
    }
    out
}

fn api_protected(inv: &Inventory, _: &Ctx) -> Outcome {
    let offenders = offenders(inv);
    let findings: Vec<Finding> = offenders
        .iter()
        .map(|o| {
            let p = &o.principal;
            let key = if p.conditional {
                "may_conditionally"
            } else {
                "may"
            };
            Finding::fail(
                o.resource(),
                msg(
                    API_PROTECTED,
                    key,
                    &[
                        ("actions", &p.actions.join(", ")),
                        ("via", &p.via.join("; ")),
                    ],
                ),
            )
        })
        .collect();
    let count = findings.len().to_string();
    Outcome::from_findings(
        findings,
        msg(API_PROTECTED, "pass", &[]),
        msg(API_PROTECTED, "fail", &[("count", &count)]),
    )
}

// ---------------------------------------------------------------------------
// Trail buckets

/// Actions that write to or delete from a bucket, or change who can.
const WRITE_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:PutBucketPolicy",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
];

fn principal_values(stmt: &Value, kind: &str) -> Vec<String> {
    match stmt.get("Principal") {
        Some(Value::Object(m)) => m
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(kind))
            .flat_map(|(_, v)| policy::as_list(Some(v)))
            .collect(),
        _ => vec![],
    }
}

/// Principals in this statement, all of them this account's own or the
/// CloudTrail / S3 logging services.
fn trusted_principals(stmt: &Value, account: &str) -> bool {
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
                    || crate::inventory::strip_arn_prefix(p, "iam::")
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

fn bucket_not_public(inv: &Inventory, _: &Ctx) -> Outcome {
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

fn bucket_mfa_delete(inv: &Inventory, _: &Ctx) -> Outcome {
    let targets = trail_buckets(inv);
    if targets.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let findings = targets
        .iter()
        .filter_map(|(b, ts)| match &b.versioning {
            Fetched::Error(e) => Some(unreadable(b, e)),
            Fetched::Ready(v) if v.enabled() && v.mfa_delete => None,
            Fetched::Ready(v) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(
                    BUCKET_MFA_DELETE,
                    if v.enabled() { "no_mfa" } else { "unversioned" },
                    &[("trails", &trail_names(ts))],
                ),
            )),
        })
        .collect();
    outcome(BUCKET_MFA_DELETE, findings, targets.len())
}

fn encrypted(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let mut findings: Vec<Finding> = all
        .iter()
        .filter(|t| t.kms_key_id.is_none())
        .map(|t| trail_finding(t, Status::Fail, msg(ENCRYPTED, "no_key", &[])))
        .collect();
    for (b, ts) in trail_buckets(inv) {
        match &b.encryption {
            Fetched::Error(e) => findings.push(unreadable(b, e)),
            Fetched::Ready(Some(_)) => {}
            Fetched::Ready(None) => findings.push(bucket_finding(
                b,
                Status::Fail,
                msg(ENCRYPTED, "bucket", &[("trails", &trail_names(&ts))]),
            )),
        }
    }
    outcome(ENCRYPTED, findings, all.len())
}

fn sns_notifications(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let findings = all
        .iter()
        .filter(|t| t.sns_topic_arn.is_none())
        .map(|t| trail_finding(t, Status::Fail, msg(SNS_NOTIFICATIONS, "none", &[])))
        .collect();
    outcome(SNS_NOTIFICATIONS, findings, all.len())
}

/// Storage classes that archive (GLACIER and its deeper sibling).
const ARCHIVE_CLASSES: &[&str] = &["GLACIER", "DEEP_ARCHIVE"];

/// An enabled rule moving CloudTrail's log files (`AWSLogs/…`) to an archive class.
pub fn archives_logs(rule: &crate::inventory::LifecycleRule) -> bool {
    let (prefix, narrowed) = rule.scope();
    rule.status == "Enabled"
        && !narrowed
        && "AWSLogs/".starts_with(prefix)
        && rule
            .transitions
            .iter()
            .any(|t| ARCHIVE_CLASSES.contains(&t.storage_class.as_str()))
}

fn archive_to_glacier(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(lc) = inv.trail_lifecycles.ready() else {
        return not_applicable(String::new());
    };
    if lc.is_empty() {
        return not_applicable(msg(SHARED, "no_buckets", &[]));
    }
    let findings = lc
        .iter()
        .filter_map(|(bucket, l)| {
            let r = ResourceRef::Audit(AuditRef::Lifecycle {
                bucket: bucket.clone(),
            })
            .to_string();
            match &l.rules {
                Fetched::Error(e) => Some(finding(
                    r,
                    Some(&l.region),
                    Status::Error,
                    msg(SHARED, "unreadable", &[("error", &e.summary())]),
                )),
                Fetched::Ready(rules) if rules.iter().any(archives_logs) => None,
                Fetched::Ready(rules) => Some(finding(
                    r,
                    Some(&l.region),
                    Status::Fail,
                    msg(
                        ARCHIVE_TO_GLACIER,
                        "none",
                        &[("rules", &rules.len().to_string())],
                    ),
                )),
            }
        })
        .collect();
    outcome(ARCHIVE_TO_GLACIER, findings, lc.len())
}

fn bucket_access_logging(inv: &Inventory, _: &Ctx) -> Outcome {
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
