//! The `cloudtrail` section: a multi-region trail that is logging, log file
//! validation, who may tamper with trails, and the trail buckets (not
//! public, MFA Delete, encryption, archiving, access logging) and
//! notifications.
//!
//! Buckets are judged only when they are in this account's inventory: a
//! trail may log to another account's bucket, whose settings are not ours
//! to read. A setting that could not be read gives an `error` finding.

pub use super::kit::not_applicable;
use super::kit::{self, Rollup, finding};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::access::{self, PrincipalKind};
use crate::guide::msg;
use crate::inventory::{
    AuditRef, Bucket, BucketLifecycle, Fetched, Inventory, LifecycleRule, MIN_SIZE_VARIES, PartId,
    ResourceRef, Topic, Trail, TrailGap, trail_arn,
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
        // The caller's account: another account's organization trail is
        // judged, but only its owner can change it.
        needs: &[
            PartId::Identity,
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
        // The caller's identity: moat never denies itself.
        needs: &[PartId::Iam, PartId::Trails, PartId::Identity],
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
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::SnsTopics,
            PartId::KmsKeys,
        ],
        cis: &[],
        security_hub: &[],
        check: sns_notifications,
        fix: Fix::Plan(plans::sns_notifications),
        inputs: plans::SNS_INPUTS,
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

pub use super::s3::bucket_resource;

fn trail_finding(t: &Trail, status: Status, detail: String) -> Finding {
    finding(trail_resource(t), Some(&t.home_region), status, detail)
}

/// The item's status from its findings: fail, else error, else pass. The
/// summary is the item's `pass`, `fail` or `error` message with `{count}`
/// (failing), `{errors}` and `{total}`.
pub fn outcome(item: &str, findings: Vec<Finding>, total: usize) -> Outcome {
    Rollup::counted(item, total)
        .manual_passes()
        .outcome(findings)
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

use super::s3::bucket_finding;

fn unreadable(b: &Bucket, e: &crate::inventory::PartError) -> Finding {
    kit::unreadable(bucket_resource(&b.name), Some(&b.region), SHARED, e)
}

/// The account owning `t` when it is not the caller's: an organization
/// trail seen from a member account, which only the management account
/// (or the organization's delegated administrator) can change.
pub fn foreign_owner<'a>(inv: &Inventory, t: &'a Trail) -> Option<&'a str> {
    let me = inv.account_id()?;
    t.owner_account().filter(|o| *o != me)
}

/// `detail`, followed by who can change `t` when another account owns it.
fn owned_detail(inv: &Inventory, t: &Trail, mut detail: String) -> String {
    if let Some(owner) = foreign_owner(inv, t) {
        detail.push(' ');
        detail.push_str(&msg(SHARED, "foreign_trail", &[("owner", owner)]));
    }
    detail
}

fn trail_names(ts: &[&Trail]) -> String {
    ts.iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// Trails

/// The trails that count as working for CIS 4.1: multi-region and
/// recording every management event (see `Trail::records_management_events`).
pub fn working_multi_region(inv: &Inventory) -> Vec<&Trail> {
    trails(inv)
        .iter()
        .filter(|t| t.is_working_multi_region())
        .collect()
}

/// What CloudTrail answers a member account for another account's
/// organization trail it will not show: its event selectors (by ARN,
/// CloudTrailARNInvalidException "AccountID in ARN is wrong"), or anything
/// read by name (TrailNotFoundException).
fn refused(e: &crate::inventory::PartError) -> bool {
    [
        "TrailNotFoundException",
        "CloudTrailARNInvalidException",
        "OperationNotPermittedException",
    ]
    .iter()
    .any(|c| e.is_code(c))
}

/// Another account's organization trail that this account sees logging,
/// but whose event selectors CloudTrail refuses to show a member account:
/// whether it records every management event is known only to its owner.
/// Never a pass (moat cannot see what it records), never an error (nothing
/// this account can grant would let it read them). The refusal, if so.
pub fn owner_only_selectors<'a>(
    inv: &Inventory,
    t: &'a Trail,
) -> Option<&'a crate::inventory::PartError> {
    foreign_owner(inv, t)?;
    if t.status_error.is_some() || !t.is_logging {
        return None;
    }
    match &t.event_selectors {
        Some(Fetched::Error(e)) if refused(e) => Some(e),
        _ => None,
    }
}

/// What a trail's finding says about why it is not a working trail; the
/// status is `error` when it could not be read (it may be working), or
/// `manual` when AWS does not let this account read another account's
/// organization trail (nothing this account can grant would change that).
pub fn gap_finding(inv: &Inventory, t: &Trail, gap: &TrailGap) -> Finding {
    if let (Some(e), Some(owner)) = (owner_only_selectors(inv, t), foreign_owner(inv, t)) {
        return trail_finding(
            t,
            Status::Manual,
            msg(
                SHARED,
                "foreign_selectors",
                &[("owner", owner), ("error", &e.summary())],
            ),
        );
    }
    if let (TrailGap::Unreadable(e), Some(owner)) = (gap, foreign_owner(inv, t))
        && refused(e)
    {
        return trail_finding(
            t,
            Status::Manual,
            msg(
                SHARED,
                "foreign_unreadable",
                &[("owner", owner), ("error", &e.summary())],
            ),
        );
    }
    let (status, detail) = gap_detail(gap);
    trail_finding(t, status, owned_detail(inv, t, detail))
}

/// The status and sentence for one [`TrailGap`].
pub fn gap_detail(gap: &TrailGap) -> (Status, String) {
    match gap {
        TrailGap::Unreadable(e) => (
            Status::Error,
            msg(SHARED, "trail_unreadable", &[("error", &e.summary())]),
        ),
        TrailGap::NotRead => (Status::Error, msg(SHARED, "selectors_not_read", &[])),
        TrailGap::NotLogging => (Status::Fail, msg(MULTI_REGION, "not_logging", &[])),
        TrailGap::Management(c) => {
            let key = match (c.read, c.write) {
                (false, false) => "no_management",
                (true, false) => "read_only",
                (false, true) => "write_only",
                (true, true) => "excluded",
            };
            let sources = c.excluded.join("; ");
            let mut detail = msg(MULTI_REGION, key, &[("sources", &sources)]);
            if key != "excluded" && !c.excluded.is_empty() {
                detail.push(' ');
                detail.push_str(&msg(
                    MULTI_REGION,
                    "also_excluded",
                    &[("sources", &sources)],
                ));
            }
            (Status::Fail, detail)
        }
    }
}

fn multi_region(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    let working = working_multi_region(inv);
    if !working.is_empty() {
        let names: Vec<&str> = working.iter().map(|t| t.name.as_str()).collect();
        return Outcome::pass(msg(MULTI_REGION, "pass", &[("trails", &names.join(", "))]));
    }
    let multi: Vec<&Trail> = all.iter().filter(|t| t.is_multi_region).collect();
    if multi.is_empty() {
        let findings = vec![Finding::fail(
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
        )];
        return Outcome::from_findings(findings, String::new(), msg(MULTI_REGION, "fail", &[]));
    }
    let findings: Vec<Finding> = multi
        .iter()
        .filter_map(|t| {
            t.records_management_events()
                .err()
                .map(|g| gap_finding(inv, t, &g))
        })
        .collect();
    // A trail that could not be read may be the working one: the item is
    // then `error` (or `manual` when only its owner can tell), not `fail`,
    // whatever the other trails show.
    if findings.iter().any(|f| f.status == Status::Manual)
        && !findings.iter().any(|f| f.status == Status::Error)
    {
        return Outcome {
            status: Status::Manual,
            summary: msg(MULTI_REGION, "manual", &[]),
            findings,
        };
    }
    if findings.iter().any(|f| f.status == Status::Error) {
        let errors = findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .count()
            .to_string();
        return Outcome {
            status: Status::Error,
            summary: msg(MULTI_REGION, "error", &[("errors", &errors)]),
            findings,
        };
    }
    Outcome::from_findings(findings, String::new(), msg(MULTI_REGION, "fail", &[]))
}

/// For cloudwatch.security-event-alarms, when no trail sends events to a
/// log group of this account: a multi-region organization trail of another
/// account that sends them to its owner's log group, working, or logging
/// with selectors only its owner can read ([`owner_only_selectors`]). Its
/// metric filters and alarms live in that account, out of this one's
/// sight: a `manual` finding naming where to check, not a fail this
/// account cannot fix (nor a pass).
pub fn watched_elsewhere(inv: &Inventory) -> Option<Outcome> {
    let t = trails(inv).iter().find(|t| {
        t.is_multi_region
            && (t.is_working_multi_region() || owner_only_selectors(inv, t).is_some())
            && foreign_owner(inv, t).is_some()
            && t.log_group_account() == t.owner_account()
    })?;
    let owner = t.owner_account().unwrap_or_default();
    let (_, group) = t.log_group()?;
    let mut detail = msg(
        SHARED,
        "alarms_elsewhere",
        &[("trail", &t.name), ("owner", owner), ("group", &group)],
    );
    if owner_only_selectors(inv, t).is_some() {
        detail.push(' ');
        detail.push_str(&msg(
            SHARED,
            "alarms_elsewhere_selectors",
            &[("owner", owner)],
        ));
    }
    Some(Outcome {
        status: Status::Manual,
        summary: detail.clone(),
        findings: vec![trail_finding(t, Status::Manual, detail)],
    })
}

fn log_validation(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let findings = all
        .iter()
        .filter(|t| !t.log_file_validation)
        .map(|t| {
            trail_finding(
                t,
                Status::Fail,
                owned_detail(inv, t, msg(LOG_VALIDATION, "off", &[])),
            )
        })
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

/// The path IAM Identity Center creates its roles under (a Region may follow).
pub const IDENTITY_CENTER_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// Why moat leaves an offender as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftAlone {
    /// A role IAM Identity Center created for a permission set: IAM refuses
    /// every change to it (UnmodifiableEntity); the permission set is
    /// where it changes.
    IdentityCenter { permission_set: String },
    /// The principal moat runs as: the deny would lock moat (and undo) out.
    Caller,
    /// A group the user moat runs as is in (same lock-out).
    CallerGroup,
}

impl LeftAlone {
    /// Why, in the guide's words.
    pub fn reason(&self) -> String {
        match self {
            LeftAlone::IdentityCenter { permission_set } => msg(
                API_PROTECTED,
                "left_identity_center",
                &[("permission_set", permission_set)],
            ),
            LeftAlone::Caller => msg(API_PROTECTED, "left_caller", &[]),
            LeftAlone::CallerGroup => msg(API_PROTECTED, "left_caller_group", &[]),
        }
    }
}

/// A role under [`IDENTITY_CENTER_PATH`] (its ARN carries the path).
pub fn is_identity_center_role(iam: &crate::inventory::Iam, name: &str) -> bool {
    iam.roles.iter().any(|r| {
        r.name == name
            && r.arn
                .split_once(":role/")
                .is_some_and(|(_, path)| format!("/{path}").starts_with(IDENTITY_CENTER_PATH))
    })
}

/// The permission set of an Identity Center role
/// (`AWSReservedSSO_<permission set>_<suffix>`).
pub fn permission_set(role: &str) -> String {
    let rest = role.strip_prefix("AWSReservedSSO_").unwrap_or(role);
    match rest.rsplit_once('_') {
        Some((set, _)) if !set.is_empty() => set.to_string(),
        _ => rest.to_string(),
    }
}

/// The IAM principal a caller ARN acts as: `…:user/[path/]NAME` is that
/// user, `…:assumed-role/NAME/SESSION` that role; root and federated users
/// have none a policy can be attached to.
pub fn caller_principal(arn: &str) -> Option<(PrincipalKind, String)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let (kind, name) = if let Some(rest) = resource.strip_prefix("assumed-role/") {
        (PrincipalKind::Role, rest.split('/').next()?)
    } else if let Some(rest) = resource.strip_prefix("user/") {
        (PrincipalKind::User, rest.rsplit('/').next()?)
    } else {
        return None;
    };
    (!name.is_empty()).then(|| (kind, name.to_string()))
}

/// Whether (and why) moat must not attach the deny to `p`.
pub fn left_alone(inv: &Inventory, p: &access::Principal) -> Option<LeftAlone> {
    let iam = inv.iam.ready()?;
    if p.kind == PrincipalKind::Role && is_identity_center_role(iam, &p.name) {
        return Some(LeftAlone::IdentityCenter {
            permission_set: permission_set(&p.name),
        });
    }
    let (kind, name) = inv
        .identity
        .ready()
        .and_then(|i| caller_principal(&i.arn))?;
    if kind == p.kind && name == p.name {
        return Some(LeftAlone::Caller);
    }
    (kind == PrincipalKind::User
        && p.kind == PrincipalKind::Group
        && iam.user(&name).is_some_and(|u| u.groups.contains(&p.name)))
    .then_some(LeftAlone::CallerGroup)
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
            let mut detail = msg(
                API_PROTECTED,
                key,
                &[
                    ("actions", &p.actions.join(", ")),
                    ("via", &p.via.join("; ")),
                ],
            );
            // A role AWS Control Tower protects (the plan's own rule): its
            // SCP refuses the deny, so the fix never clears it; a person
            // changes it through Control Tower or an SCP.
            if p.kind == PrincipalKind::Role && crate::inventory::is_control_tower_role(&p.name) {
                let why = msg(API_PROTECTED, "control_tower", &[]);
                return Finding::manual(o.resource(), format!("{detail} {why}"));
            }
            if let Some(why) = left_alone(inv, p) {
                detail = format!("{detail} {}", why.reason());
            }
            Finding::fail(o.resource(), detail)
        })
        .collect();
    let count = findings.len().to_string();
    let mut out = Outcome::from_findings(
        findings,
        msg(API_PROTECTED, "pass", &[]),
        msg(API_PROTECTED, "fail", &[("count", &count)]),
    );
    if out.status == Status::Manual {
        out.summary = msg(API_PROTECTED, "manual", &[("count", &count)]);
    }
    out
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
        .map(|t| {
            trail_finding(
                t,
                Status::Fail,
                owned_detail(inv, t, msg(ENCRYPTED, "no_key", &[])),
            )
        })
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

/// Whether CloudTrail may publish trail `t`'s notifications to `topic`:
/// the topic policy must allow it SNS:Publish, and the topic's key must let
/// it encrypt (see `cloudwatch::key_reach`).
pub fn trail_publish(inv: &Inventory, t: &Trail, topic: &Topic) -> super::cloudwatch::Reach {
    use super::cloudwatch::{
        CLOUDTRAIL_PRINCIPAL, Grant, Publisher, Reach, SHARED as CW, key_reach, service_grant,
    };
    let by = Publisher {
        service: CLOUDTRAIL_PRINCIPAL,
        source_arn: Some(t.arn.clone()),
        source_account: t.owner_account().or(inv.account_id()).map(str::to_string),
    };
    let arn = topic.arn.as_str();
    let policy = match &topic.policy {
        None => Reach::Unchecked(msg(CW, "topic_policy_unread", &[("topic", arn)])),
        Some(p) => match service_grant(p, &by, &["SNS:Publish"]) {
            Grant::Allowed => Reach::Someone,
            Grant::Denied => Reach::Nobody(msg(
                SNS_NOTIFICATIONS,
                "policy_denies",
                &[("topic", arn), ("trail", &t.name)],
            )),
            Grant::Unsure(keys) => Reach::Unchecked(msg(
                SNS_NOTIFICATIONS,
                "policy_conditions",
                &[("topic", arn), ("conditions", &keys)],
            )),
        },
    };
    key_reach(topic, &by).and(policy)
}

/// How far trail `t`'s notifications to topic `arn` reach: CloudTrail must
/// be allowed to publish ([`trail_publish`]) and a confirmed subscription
/// must deliver them (see `cloudwatch::subscribers_reach`).
pub fn trail_topic_reach(inv: &Inventory, t: &Trail, arn: &str) -> super::cloudwatch::Reach {
    use super::cloudwatch::{find_topic, subscribers_reach};
    match find_topic(inv, arn) {
        Ok(topic) => subscribers_reach(topic, inv.account_id().unwrap_or_default())
            .and(trail_publish(inv, t, topic)),
        Err(r) => r,
    }
}

/// A trail passes when CloudTrail may publish to its topic and a confirmed
/// subscription delivers what it publishes: a topic nobody (or nobody yet)
/// receives, or one CloudTrail cannot use, announces log files to no one.
fn sns_notifications(inv: &Inventory, _: &Ctx) -> Outcome {
    use super::cloudwatch::Reach;
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let mut pending: Vec<String> = vec![];
    let mut waiting = 0usize;
    let me = inv.identity.ready().map(|i| i.account.clone());
    // An organization trail seen from a member account is managed (and its
    // notifications read) in the account that owns it.
    let foreign = |t: &Trail| match (me.as_deref(), t.owner_account()) {
        (Some(me), Some(owner)) => me != owner,
        _ => false,
    };
    let findings: Vec<Finding> = all
        .iter()
        .filter_map(|t| match t.sns_topic_arn.as_deref() {
            _ if foreign(t) => Some(trail_finding(
                t,
                Status::Manual,
                msg(
                    SNS_NOTIFICATIONS,
                    "foreign",
                    &[("owner", t.owner_account().unwrap_or_default())],
                ),
            )),
            None | Some("") => Some(trail_finding(
                t,
                Status::Fail,
                msg(SNS_NOTIFICATIONS, "none", &[]),
            )),
            Some(arn) => {
                let reach = trail_topic_reach(inv, t, arn);
                if let Reach::Pending(e) = &reach {
                    pending.extend(e.iter().cloned());
                    waiting += 1;
                }
                reach.finding(trail_resource(t), Some(&t.home_region))
            }
        })
        .collect();
    let fails = findings.iter().filter(|f| f.status == Status::Fail).count();
    let manual = findings.iter().any(|f| f.status == Status::Manual);
    let unchecked = all.iter().any(|t| {
        !foreign(t)
            && findings
                .iter()
                .any(|f| f.status == Status::Manual && f.resource == trail_resource(t))
    });
    let mut out = outcome(SNS_NOTIFICATIONS, findings, all.len());
    if fails > 0 && fails == waiting {
        pending.sort();
        pending.dedup();
        out.summary = msg(
            SNS_NOTIFICATIONS,
            "pending_summary",
            &[("endpoints", &pending.join(", "))],
        );
    }
    if out.status == Status::Pass && manual {
        out.status = Status::Manual;
        let key = if unchecked {
            "unchecked_summary"
        } else {
            "foreign_summary"
        };
        out.summary = msg(SNS_NOTIFICATIONS, key, &[]);
    }
    out
}

/// Storage classes that archive (GLACIER and its deeper sibling): the two
/// S3's `varies_by_storage_class` lets objects under 128 KB move to.
const ARCHIVE_CLASSES: &[&str] = &["GLACIER", "DEEP_ARCHIVE"];

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

fn rule_name(i: usize, r: &LifecycleRule) -> String {
    r.id.clone()
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| format!("#{}", i + 1))
}

/// Why no rule of the bucket archives its log files (the finding's detail).
fn not_archived(l: &BucketLifecycle, rules: &[LifecycleRule], prefixes: &[String]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testkit::{T, empty, trail};
    use crate::inventory::{
        AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Part,
        PartError,
    };
    use crate::plan::{Inputs, PlanError};

    fn basic(rw: &str, management: bool, data: bool) -> EventSelector {
        EventSelector {
            read_write_type: rw.into(),
            include_management_events: management,
            data_resources: if data {
                vec![DataResource {
                    kind: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3:::payroll/".into()],
                }]
            } else {
                vec![]
            },
            exclude_management_event_sources: vec![],
        }
    }

    fn field(name: &str, equals: &str) -> FieldSelector {
        FieldSelector {
            field: name.into(),
            equals: vec![equals.into()],
            ..FieldSelector::default()
        }
    }

    fn advanced(fields: Vec<FieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector {
            name: None,
            field_selectors: fields,
        }
    }

    /// An account whose multi-region item can be judged, with `trails`.
    fn account(trails: Vec<Trail>) -> Inventory {
        let mut inv = empty();
        inv.trails = Part::Ready(trails);
        inv.kms_keys = Part::Ready(Default::default());
        inv.s3 = Part::Ready(Default::default());
        inv.audit_regions = Part::Ready(crate::inventory::AuditRegions {
            home: "us-east-1".into(),
            regions: vec!["us-east-1".into()],
        });
        inv
    }

    fn with(selectors: EventSelectors) -> Inventory {
        let mut t = trail("org", "us-east-1", true);
        t.event_selectors = Some(Fetched::Ready(selectors));
        account(vec![t])
    }

    fn b(list: Vec<EventSelector>) -> EventSelectors {
        EventSelectors {
            basic: list,
            advanced: vec![],
        }
    }

    fn adv(list: Vec<AdvancedEventSelector>) -> EventSelectors {
        EventSelectors {
            basic: vec![],
            advanced: list,
        }
    }

    #[test]
    fn a_logging_trail_must_record_management_events_read_and_write() {
        let t = T::new();
        let mut kms = basic("All", true, false);
        kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let failing = [
            ("no management events", b(vec![basic("All", false, true)])),
            ("read only", b(vec![basic("ReadOnly", true, false)])),
            ("write only", b(vec![basic("WriteOnly", true, true)])),
            ("kms excluded", b(vec![kms])),
            ("no selectors", b(vec![])),
            (
                "advanced data only",
                adv(vec![advanced(vec![
                    field("eventCategory", "Data"),
                    field("resources.type", "AWS::S3::Object"),
                ])]),
            ),
            (
                "advanced read-only management",
                adv(vec![advanced(vec![
                    field("eventCategory", "Management"),
                    field("readOnly", "true"),
                ])]),
            ),
            (
                "advanced management without kms",
                adv(vec![advanced(vec![
                    field("eventCategory", "Management"),
                    FieldSelector {
                        field: "eventSource".into(),
                        not_equals: vec!["kms.amazonaws.com".into()],
                        ..FieldSelector::default()
                    },
                ])]),
            ),
        ];
        for (shape, selectors) in failing {
            let r = t.eval(&with(selectors.clone()), MULTI_REGION);
            assert_eq!(r.status, Status::Fail, "{shape}: {r:?}");
            assert_eq!(r.findings.len(), 1, "{shape}");
            assert_eq!(r.findings[0].resource, "trail/us-east-1/org", "{shape}");
            // The fix makes it pass and keeps the data events.
            let fixed = selectors.with_management().expect("fixable");
            assert!(fixed.management().complete(), "{shape}: {fixed:?}");
            let data = |s: &EventSelectors| {
                s.basic
                    .iter()
                    .map(|x| x.data_resources.len())
                    .sum::<usize>()
                    + s.advanced
                        .iter()
                        .filter(|a| a.field_selectors.contains(&field("eventCategory", "Data")))
                        .count()
            };
            assert_eq!(data(&fixed), data(&selectors), "{shape}: {fixed:?}");
            assert_eq!(
                t.status(&with(fixed), MULTI_REGION),
                Status::Pass,
                "{shape}"
            );
        }
        let r = t.eval(&with(b(vec![basic("ReadOnly", true, false)])), MULTI_REGION);
        assert!(r.findings[0].detail.contains("write"), "{r:?}");
        let mut kms = basic("All", true, false);
        kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let r = t.eval(&with(b(vec![kms])), MULTI_REGION);
        assert!(r.findings[0].detail.contains("kms.amazonaws.com"), "{r:?}");

        let passing = [
            ("aws default", EventSelectors::aws_default()),
            (
                "read and write across selectors",
                b(vec![
                    basic("ReadOnly", true, false),
                    basic("WriteOnly", true, true),
                ]),
            ),
            (
                "advanced management",
                adv(vec![
                    advanced(vec![field("eventCategory", "Management")]),
                    advanced(vec![field("eventCategory", "Data")]),
                ]),
            ),
            (
                "advanced read and write across selectors",
                adv(vec![
                    advanced(vec![
                        field("eventCategory", "Management"),
                        field("readOnly", "true"),
                    ]),
                    advanced(vec![
                        field("eventCategory", "Management"),
                        field("readOnly", "false"),
                    ]),
                ]),
            ),
        ];
        for (shape, selectors) in passing {
            assert_eq!(
                t.status(&with(selectors), MULTI_REGION),
                Status::Pass,
                "{shape}"
            );
        }
    }

    #[test]
    fn an_unreadable_trail_is_an_error_only_when_nothing_else_works() {
        let t = T::new();
        let denied = PartError::new(
            "cloudtrail:GetTrailStatus",
            Some("TrailNotFoundException".into()),
            "Unknown trail",
        );
        let mut org = trail("organization", "us-east-1", true);
        org.status_error = Some(denied.clone());
        let mut read_only = trail("local", "us-east-1", true);
        read_only.event_selectors = Some(Fetched::Ready(b(vec![basic("ReadOnly", true, false)])));
        let mut inv = account(vec![org.clone(), read_only]);
        let r = t.eval(&inv, MULTI_REGION);
        assert_eq!(r.status, Status::Error, "{r:?}");
        let statuses: Vec<(&str, Status)> = r
            .findings
            .iter()
            .map(|f| (f.resource.as_str(), f.status))
            .collect();
        assert_eq!(
            statuses,
            vec![
                ("trail/us-east-1/organization", Status::Error),
                ("trail/us-east-1/local", Status::Fail),
            ]
        );
        // The other items that read trails judge the readable ones.
        assert_ne!(t.status(&inv, LOG_VALIDATION), Status::Error);
        // Selectors that cannot be read count the same.
        let mut org2 = trail("organization", "us-east-1", true);
        org2.event_selectors = Some(Fetched::Error(denied));
        inv.trails = Part::Ready(vec![org2]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
        // A working trail beside the unreadable one: pass.
        inv.trails = Part::Ready(vec![org, trail("good", "us-east-1", true)]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
    }

    /// What CloudTrail answers a member reading an organization trail's
    /// event selectors by ARN.
    fn selectors_refused() -> PartError {
        PartError::new(
            "cloudtrail:GetEventSelectors",
            Some("CloudTrailARNInvalidException".into()),
            "AccountID in ARN is wrong, you can only access resources with AccountID 123456789012.",
        )
    }

    /// The management account's organization trail, as a member sees it:
    /// its status read by ARN, its event selectors refused.
    fn org_trail() -> Trail {
        let mut t = trail("organization", "us-east-1", true);
        t.arn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/organization".into();
        t.event_selectors = Some(Fetched::Error(selectors_refused()));
        t
    }

    /// A member account whose organization trail is logging, selectors
    /// unreadable, and sends events to a log group of the management
    /// account (Control Tower's default): none of the trail items fails,
    /// none passes, none errors; each names where to check.
    #[test]
    fn a_logging_organization_trail_whose_selectors_a_member_cannot_read_is_manual() {
        let t = T::new();
        let mut watched = org_trail();
        watched.cloudwatch_logs_log_group_arn = Some(
            "arn:aws:logs:us-east-1:999988887777:log-group:aws-controltower/CloudTrailLogs:*"
                .into(),
        );
        let mut inv = account(vec![watched.clone()]);
        inv.metric_filters = Part::Ready(Default::default());
        inv.metric_alarms = Part::Ready(Default::default());
        inv.sns_topics = Part::Ready(Default::default());

        let r = t.eval(&inv, MULTI_REGION);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert_eq!(r.findings[0].status, Status::Manual, "{r:?}");
        assert!(
            r.findings[0].detail.contains("is logging")
                && r.findings[0].detail.contains("999988887777"),
            "{r:?}"
        );

        let alarms = crate::checks::cloudwatch::SECURITY_EVENT_ALARMS;
        let r = t.eval(&inv, alarms);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        let detail = &r.findings[0].detail;
        assert!(
            detail.contains("aws-controltower/CloudTrailLogs") && detail.contains("999988887777"),
            "{r:?}"
        );
        match t.plan(&inv, alarms, &Inputs::default()) {
            Err(PlanError::Guided(m)) => {
                assert_eq!(&m, detail);
                assert!(m.contains("aws-controltower/CloudTrailLogs"), "{m}");
            }
            other => panic!("{other:?}"),
        }

        // Stopped: the member sees that much, and it fails.
        let mut stopped = watched.clone();
        stopped.is_logging = false;
        inv.trails = Part::Ready(vec![stopped]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
        assert_eq!(t.status(&inv, alarms), Status::Fail);
        // A refusal of this account's own trail, or access denied on the
        // organization trail, stays an error: nothing says it is logging
        // what it should, and this account can fix its credentials.
        let mut denied = watched.clone();
        denied.event_selectors = Some(Fetched::Error(PartError::new(
            "cloudtrail:GetEventSelectors",
            Some("AccessDeniedException".into()),
            "denied",
        )));
        inv.trails = Part::Ready(vec![denied]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
        assert_ne!(t.status(&inv, alarms), Status::Manual);
        let mut own = trail("organization", "us-east-1", true);
        own.event_selectors = Some(Fetched::Error(selectors_refused()));
        inv.trails = Part::Ready(vec![own]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
    }

    #[test]
    fn another_accounts_organization_trail_is_judged_and_left_to_its_owner() {
        let t = T::new();
        let mut inv = account(vec![org_trail()]);
        inv.metric_filters = Part::Ready(Default::default());
        inv.metric_alarms = Part::Ready(Default::default());
        inv.sns_topics = Part::Ready(Default::default());
        // Logging, its selectors shown only to its owner: manual.
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Manual);
        // Where CloudTrail does show them (the management account's own
        // view, or a delegated administrator), a complete trail passes.
        let mut shown = org_trail();
        shown.event_selectors = Some(Fetched::Ready(EventSelectors::aws_default()));
        inv.trails = Part::Ready(vec![shown]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);

        // Stopped: fail, the finding names its owner; the plan is a guided
        // step for the owner, never NothingToDo, never a change.
        let mut stopped = org_trail();
        stopped.is_logging = false;
        inv.trails = Part::Ready(vec![stopped.clone()]);
        let r = t.eval(&inv, MULTI_REGION);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(r.findings[0].detail.contains("999988887777"), "{r:?}");
        for id in [MULTI_REGION, LOG_VALIDATION, ENCRYPTED] {
            match t.plan(&inv, id, &Inputs::default()) {
                Err(PlanError::Guided(m)) => assert!(m.contains("999988887777"), "{id}: {m}"),
                other => panic!("{id}: {other:?}"),
            }
        }
        // Selectors leaving write events out: the same.
        let mut read_only = org_trail();
        read_only.event_selectors = Some(Fetched::Ready(b(vec![basic("ReadOnly", true, false)])));
        inv.trails = Part::Ready(vec![read_only]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
        assert!(matches!(
            t.plan(&inv, MULTI_REGION, &Inputs::default()),
            Err(PlanError::Guided(_))
        ));

        // CloudTrail refusing to show it to this account: manual (only the
        // owner can tell), not an error this account cannot clear.
        let mut hidden = org_trail();
        hidden.status_error = Some(PartError::new(
            "cloudtrail:GetTrailStatus",
            Some("TrailNotFoundException".into()),
            "Unknown trail",
        ));
        inv.trails = Part::Ready(vec![hidden.clone()]);
        let r = t.eval(&inv, MULTI_REGION);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert_eq!(r.findings[0].status, Status::Manual);
        // Access denied to this account's credentials stays an error.
        hidden.status_error = Some(PartError::new(
            "cloudtrail:GetTrailStatus",
            Some("AccessDeniedException".into()),
            "denied",
        ));
        inv.trails = Part::Ready(vec![hidden]);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);

        // Security alarms on the owner's log group of a trail whose
        // selectors are shown: checked there.
        let mut watched = org_trail();
        watched.event_selectors = Some(Fetched::Ready(EventSelectors::aws_default()));
        watched.cloudwatch_logs_log_group_arn =
            Some("arn:aws:logs:us-east-1:999988887777:log-group:org-trail:*".into());
        inv.trails = Part::Ready(vec![watched.clone()]);
        let r = t.eval(&inv, crate::checks::cloudwatch::SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert!(r.findings[0].detail.contains("org-trail"), "{r:?}");
        // ...and its plan says so, rather than "no trail sends events".
        match t.plan(
            &inv,
            crate::checks::cloudwatch::SECURITY_EVENT_ALARMS,
            &Inputs::default(),
        ) {
            Err(PlanError::Guided(m)) => assert_eq!(m, r.findings[0].detail),
            other => panic!("{other:?}"),
        }
        // ...but not when it stopped logging.
        watched.is_logging = false;
        inv.trails = Part::Ready(vec![watched]);
        assert_eq!(
            t.status(&inv, crate::checks::cloudwatch::SECURITY_EVENT_ALARMS),
            Status::Fail
        );
    }

    #[test]
    fn five_basic_data_selectors_move_to_advanced_or_make_a_guided_step() {
        let t = T::new();
        let selectors = b((0..5).map(|_| basic("WriteOnly", false, true)).collect());
        let inv = with(selectors);
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
        let plan = t
            .plan(&inv, MULTI_REGION, &Inputs::default())
            .expect("plan");
        let fixed = t.fix(&inv, MULTI_REGION, &Inputs::default());
        assert_eq!(t.status(&fixed, MULTI_REGION), Status::Pass, "{plan:?}");
        let mut lambda = b((0..5).map(|_| basic("WriteOnly", false, true)).collect());
        lambda.basic[0].data_resources[0] = DataResource {
            kind: "AWS::Lambda::Function".into(),
            values: vec!["arn:aws:lambda".into()],
        };
        match t.plan(&with(lambda), MULTI_REGION, &Inputs::default()) {
            Err(PlanError::Guided(m)) => assert!(m.contains("five"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_complete_selector_beside_an_excluding_one_passes() {
        let t = T::new();
        let mut kms = basic("All", true, true);
        kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let inv = with(b(vec![basic("All", true, false), kms]));
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
        let inv = with(adv(vec![
            advanced(vec![field("eventCategory", "Management")]),
            advanced(vec![
                field("eventCategory", "Management"),
                FieldSelector {
                    field: "eventSource".into(),
                    not_equals: vec!["kms.amazonaws.com".into()],
                    ..FieldSelector::default()
                },
            ]),
        ]));
        assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
    }
}

#[cfg(test)]
mod fix_tests {
    use super::*;
    use crate::checks::other::testkit::*;
    use crate::inventory::{InlinePolicy, Role, Transition, User};
    use crate::plan::{Inputs, Op, PlanError};
    use serde_json::json;

    const BUCKET: &str = "example-corp-cloudtrail";

    fn demo() -> Inventory {
        crate::collect::demo::demo_inventory().expect("demo inventory")
    }

    fn glacier_rule(id: &str, size_greater_than: Option<i64>) -> LifecycleRule {
        LifecycleRule {
            id: Some(id.into()),
            status: "Enabled".into(),
            filter: Some(crate::inventory::LifecycleFilter {
                prefix: Some("AWSLogs/".into()),
                object_size_greater_than: size_greater_than,
                ..Default::default()
            }),
            prefix: None,
            transitions: vec![Transition {
                days: Some(30),
                date: None,
                storage_class: "GLACIER".into(),
            }],
            expiration: None,
            noncurrent_transitions: vec![],
            noncurrent_expiration: None,
            abort_incomplete_multipart_days: None,
        }
    }

    /// The demo trail bucket with `rule` added and the given default minimum size.
    fn with_rule(rule: Option<LifecycleRule>, min_size: Option<&str>) -> Inventory {
        let mut inv = demo();
        let lc = inv.trail_lifecycles.ready_mut().expect("lifecycles");
        let l = lc.get_mut(BUCKET).expect("demo trail bucket");
        if let (Some(r), Fetched::Ready(rules)) = (rule, &mut l.rules) {
            rules.push(r);
        }
        l.transition_default_minimum_object_size = min_size.map(str::to_string);
        inv
    }

    #[test]
    fn a_glacier_rule_under_the_128k_default_does_not_archive_log_files() {
        let t = T::new();
        let inv = with_rule(
            Some(glacier_rule("to-glacier", None)),
            Some(crate::inventory::MIN_SIZE_128K),
        );
        let r = t.eval(&inv, ARCHIVE_TO_GLACIER);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert_eq!(r.findings.len(), 1);
        let d = &r.findings[0].detail;
        assert!(
            d.contains("to-glacier") && d.contains("all_storage_classes_128K"),
            "{d}"
        );
        assert!(d.contains("128 KB"), "{d}");
        // S3 not saying is S3's default.
        let unsaid = with_rule(Some(glacier_rule("to-glacier", None)), None);
        assert_eq!(t.status(&unsaid, ARCHIVE_TO_GLACIER), Status::Fail);
        // A rule-level size filter above a log file's size does not help either.
        let big = with_rule(
            Some(glacier_rule("big-only", Some(200_000))),
            Some("varies_by_storage_class"),
        );
        let r = t.eval(&big, ARCHIVE_TO_GLACIER);
        assert_eq!(r.status, Status::Fail);
        assert!(r.findings[0].detail.contains("200000"), "{:?}", r.findings);
    }

    #[test]
    fn small_log_files_transition_with_varies_or_a_small_size_filter() {
        let t = T::new();
        let varies = with_rule(
            Some(glacier_rule("to-glacier", None)),
            Some(MIN_SIZE_VARIES),
        );
        assert_eq!(t.status(&varies, ARCHIVE_TO_GLACIER), Status::Pass);
        let filtered = with_rule(
            Some(glacier_rule("to-glacier", Some(1))),
            Some(crate::inventory::MIN_SIZE_128K),
        );
        assert_eq!(t.status(&filtered, ARCHIVE_TO_GLACIER), Status::Pass);
        // An upper size bound leaves the larger log files out.
        let mut capped = glacier_rule("capped", Some(1));
        if let Some(f) = capped.filter.as_mut() {
            f.object_size_less_than = Some(4096);
        }
        let capped = with_rule(Some(capped), Some(MIN_SIZE_VARIES));
        assert_eq!(t.status(&capped, ARCHIVE_TO_GLACIER), Status::Fail);
    }

    #[test]
    fn archive_plan_filters_its_rule_by_size_and_keeps_the_bucket_default() {
        let t = T::new();
        let req = Inputs::default().with("days", "90");
        for min in [crate::inventory::MIN_SIZE_128K, MIN_SIZE_VARIES] {
            let inv = with_rule(Some(glacier_rule("to-glacier", None)), Some(min));
            let plan = t.plan(&inv, ARCHIVE_TO_GLACIER, &req);
            if min == MIN_SIZE_VARIES {
                assert!(matches!(plan, Err(PlanError::NothingToDo(_))), "{plan:?}");
                continue;
            }
            let plan = plan.expect("plan");
            let Some(Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
                rules,
                transition_default_minimum_object_size,
                ..
            })) = plan.ops().next()
            else {
                panic!("{plan:?}")
            };
            assert_eq!(transition_default_minimum_object_size.as_deref(), Some(min));
            let new = rules.last().expect("new rule");
            let f = new.filter.as_ref().expect("filter");
            assert_eq!(f.object_size_greater_than, Some(1));
            assert_eq!(f.prefix.as_deref(), Some("AWSLogs/"));
            // Applied, the item passes; undo gives back rules and setting.
            let after = t.fix(&inv, ARCHIVE_TO_GLACIER, &req);
            assert_eq!(t.status(&after, ARCHIVE_TO_GLACIER), Status::Pass);
            let undo = &plan.steps[0].inverse;
            assert!(
                matches!(
                    undo.as_deref(),
                    Some([Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
                        transition_default_minimum_object_size: Some(m),
                        ..
                    })]) if m == min
                ),
                "{undo:?}"
            );
        }
        // A bucket configured before September 2024 keeps varies_by_storage_class
        // for its other rules even when moat adds its own rule.
        let old = with_rule(None, Some(MIN_SIZE_VARIES));
        let plan = t.plan(&old, ARCHIVE_TO_GLACIER, &req).expect("plan");
        assert!(
            plan.ops().any(
                |o| matches!(o, Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
                transition_default_minimum_object_size: Some(m), ..
            }) if m == MIN_SIZE_VARIES)
            ),
            "{plan:?}"
        );
    }

    /// An organization trail of another account: its topic is managed
    /// there, so the member account gets a manual note, not an error, and
    /// the plan never touches it.
    #[test]
    fn another_account_s_trail_is_left_to_its_owner() {
        let t = T::new();
        let mut inv = demo();
        if let Some(ts) = inv.trails.ready_mut() {
            for tr in ts.iter_mut() {
                tr.arn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org".into();
                tr.sns_topic_arn = None;
            }
        }
        let r = t.eval(&inv, SNS_NOTIFICATIONS);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert!(r.findings.iter().all(|f| f.detail.contains("999988887777")));
        let plan = t.plan(
            &inv,
            SNS_NOTIFICATIONS,
            &Inputs::default().with("email", "ops@example.com"),
        );
        assert!(matches!(plan, Err(PlanError::NothingToDo(_))), "{plan:?}");
    }

    /// A trail with an S3KeyPrefix writes under PREFIX/AWSLogs/: a rule on
    /// AWSLogs/ archives nothing of it, and the fix's rule names the prefix.
    #[test]
    fn archiving_follows_the_trails_key_prefix() {
        let t = T::new();
        let req = Inputs::default().with("days", "90");
        let mut inv = with_rule(
            Some(glacier_rule("to-glacier", Some(1))),
            Some(crate::inventory::MIN_SIZE_128K),
        );
        assert_eq!(t.status(&inv, ARCHIVE_TO_GLACIER), Status::Pass);
        if let Some(trails) = inv.trails.ready_mut() {
            for tr in trails
                .iter_mut()
                .filter(|tr| tr.s3_bucket.as_deref() == Some(BUCKET))
            {
                tr.s3_key_prefix = Some("org-logs".into());
            }
        }
        let r = t.eval(&inv, ARCHIVE_TO_GLACIER);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(
            r.findings[0].detail.contains("org-logs/AWSLogs/"),
            "{:?}",
            r.findings
        );
        let plan = t.plan(&inv, ARCHIVE_TO_GLACIER, &req).expect("plan");
        let Some(Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle { rules, .. })) =
            plan.ops().next()
        else {
            panic!("{plan:?}")
        };
        let new = rules
            .last()
            .and_then(|r| r.filter.as_ref())
            .expect("filter");
        assert_eq!(new.prefix.as_deref(), Some("org-logs/AWSLogs/"));
        let after = t.fix(&inv, ARCHIVE_TO_GLACIER, &req);
        assert_eq!(t.status(&after, ARCHIVE_TO_GLACIER), Status::Pass);
    }

    fn allow_cloudtrail() -> Vec<InlinePolicy> {
        vec![InlinePolicy {
            name: "trail-ops".into(),
            document: json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
        }]
    }

    fn role(name: &str, path: &str) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"),
            trust_policy: json!({"Version": "2012-10-17", "Statement": []}),
            attached_policies: vec![],
            inline_policies: allow_cloudtrail(),
            permissions_boundary: None,
        }
    }

    const SSO_ROLE: &str = "AWSReservedSSO_TrailAdmins_0123456789abcdef";

    /// The demo account plus an Identity Center role, a role moat may run
    /// as, and a group (with one user) that may all stop trails.
    fn tamper_inventory(caller: &str) -> Inventory {
        let mut inv = demo();
        let iam = inv.iam.ready_mut().expect("iam");
        iam.roles
            .push(role(SSO_ROLE, "/aws-reserved/sso.amazonaws.com/eu-west-1/"));
        iam.roles.push(role("ci-runner", "/"));
        iam.groups.push(crate::inventory::Group {
            name: "TrailOps".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:group/TrailOps"),
            attached_policies: vec![],
            inline_policies: allow_cloudtrail(),
        });
        iam.users.push(User {
            name: "operator".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/ops/operator"),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec!["TrailOps".into()],
            attached_policies: vec![],
            inline_policies: vec![],
            permissions_boundary: None,
            unreadable: None,
        });
        if let Some(i) = inv.identity.ready_mut() {
            i.arn = caller.to_string();
        }
        inv
    }

    fn attached(plan: &crate::plan::Plan) -> Vec<String> {
        plan.ops()
            .filter_map(|o| match o {
                Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy { group, .. }) => {
                    Some(format!("group/{group}"))
                }
                Op::AttachUserPolicy(crate::aws::ops::AttachUserPolicy { user, .. }) => {
                    Some(format!("user/{user}"))
                }
                Op::AttachRolePolicy(crate::aws::ops::AttachRolePolicy { role, .. }) => {
                    Some(format!("role/{role}"))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn identity_center_roles_and_the_callers_role_are_never_targeted() {
        let t = T::new();
        let inv = tamper_inventory(&format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/moat-session"
        ));
        let r = t.eval(&inv, API_PROTECTED);
        assert_eq!(r.status, Status::Fail);
        let sso = r
            .findings
            .iter()
            .find(|f| f.resource == format!("role/{SSO_ROLE}"))
            .expect("the Identity Center role stays a finding");
        assert!(sso.detail.contains("TrailAdmins"), "{}", sso.detail);
        assert!(sso.detail.contains("IAM Identity Center"), "{}", sso.detail);
        let me = r
            .findings
            .iter()
            .find(|f| f.resource == "role/ci-runner")
            .expect("the caller stays a finding");
        assert!(me.detail.contains("moat runs as"), "{}", me.detail);

        let plan = t
            .plan(&inv, API_PROTECTED, &Inputs::default())
            .expect("plan");
        let targets = attached(&plan);
        assert!(
            targets.contains(&"group/TrailOps".to_string()),
            "{targets:?}"
        );
        assert!(
            !targets.iter().any(|x| x == &format!("role/{SSO_ROLE}")),
            "{targets:?}"
        );
        assert!(
            !targets.iter().any(|x| x == "role/ci-runner"),
            "{targets:?}"
        );
        let w = plan.warnings.join("\n");
        assert!(
            w.contains(&format!("role/{SSO_ROLE}")) && w.contains("role/ci-runner"),
            "{w}"
        );

        // Only those two selected: nothing moat may do, said as guidance.
        let only = Inputs {
            resources: vec![format!("role/{SSO_ROLE}"), "role/ci-runner".into()],
            ..Inputs::default()
        };
        assert!(
            matches!(
                t.plan(&inv, API_PROTECTED, &only),
                Err(PlanError::Guided(_))
            ),
            "reserved and caller roles only"
        );
    }

    /// A role AWS Control Tower protects is never changed by the fix (its
    /// SCP refuses the attachment), so its finding is a manual one naming
    /// Control Tower; any other offender still fails the item.
    #[test]
    fn control_tower_roles_are_a_manual_finding_others_still_fail() {
        let t = T::new();
        let ct = "aws-controltower-AdministratorExecutionRole";
        // The demo account without its offenders passes.
        let mut inv = demo();
        let gone: Vec<access::Principal> =
            offenders(&inv).into_iter().map(|o| o.principal).collect();
        let is_gone =
            |kind: PrincipalKind, name: &str| gone.iter().any(|p| p.kind == kind && p.name == name);
        if let Some(iam) = inv.iam.ready_mut() {
            iam.users.retain(|u| !is_gone(PrincipalKind::User, &u.name));
            iam.groups
                .retain(|g| !is_gone(PrincipalKind::Group, &g.name));
            iam.roles.retain(|r| !is_gone(PrincipalKind::Role, &r.name));
            for u in &mut iam.users {
                u.groups.retain(|g| !is_gone(PrincipalKind::Group, g));
            }
        }
        assert_eq!(t.status(&inv, API_PROTECTED), Status::Pass);
        if let Some(iam) = inv.iam.ready_mut() {
            iam.roles.push(role(ct, "/"));
        }
        let r = t.eval(&inv, API_PROTECTED);
        let f = r
            .findings
            .iter()
            .find(|f| f.resource == format!("role/{ct}"))
            .expect("the Control Tower role stays a finding");
        assert_eq!(f.status, Status::Manual, "{}", f.detail);
        assert!(f.detail.contains("Control Tower"), "{}", f.detail);
        assert_eq!(r.status, Status::Manual, "{}", r.summary);
        assert!(r.summary.contains("Control Tower"), "{}", r.summary);
        // The plan leaves it out too: nothing moat may do.
        assert!(
            matches!(
                t.plan(&inv, API_PROTECTED, &Inputs::default()),
                Err(PlanError::Guided(_))
            ),
            "a Control Tower role only"
        );

        // A role that only looks alike is not protected, and still fails.
        let mut other = inv.clone();
        if let Some(iam) = other.iam.ready_mut() {
            iam.roles.push(role("controltower-helper", "/"));
        }
        let r = t.eval(&other, API_PROTECTED);
        assert_eq!(r.status, Status::Fail, "{}", r.summary);
        let f = r
            .findings
            .iter()
            .find(|f| f.resource == "role/controltower-helper")
            .expect("the other role");
        assert_eq!(f.status, Status::Fail);
        assert!(!f.detail.contains("Control Tower"), "{}", f.detail);
    }

    #[test]
    fn the_calling_user_and_its_groups_are_never_targeted() {
        let t = T::new();
        let inv = tamper_inventory(&format!("arn:aws:iam::{ACCOUNT}:user/ops/operator"));
        let plan = t.plan(&inv, API_PROTECTED, &Inputs::default());
        let targets = match &plan {
            Ok(p) => attached(p),
            Err(PlanError::Guided(_)) => vec![],
            Err(e) => panic!("{e}"),
        };
        assert!(
            !targets.iter().any(|x| x == "group/TrailOps"),
            "{targets:?}"
        );
        assert!(!targets.iter().any(|x| x == "user/operator"), "{targets:?}");
        let r = t.eval(&inv, API_PROTECTED);
        let group = r
            .findings
            .iter()
            .find(|f| f.resource == "group/TrailOps")
            .expect("group finding");
        assert!(
            group.detail.contains("is in this group"),
            "{}",
            group.detail
        );
    }

    #[test]
    fn caller_principals_from_arns() {
        use PrincipalKind as K;
        assert_eq!(
            caller_principal("arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_x/alice"),
            Some((K::Role, "AWSReservedSSO_Admin_x".into()))
        );
        assert_eq!(
            caller_principal("arn:aws:iam::1:user/division/bob"),
            Some((K::User, "bob".into()))
        );
        // moto names its caller this way.
        assert_eq!(
            caller_principal("arn:aws:sts::123456789012:user/moto"),
            Some((K::User, "moto".into()))
        );
        assert_eq!(caller_principal("arn:aws:iam::1:root"), None);
        assert_eq!(
            caller_principal("arn:aws:sts::1:federated-user/carol"),
            None
        );
        assert_eq!(permission_set("AWSReservedSSO_Admin_x"), "Admin");
        assert_eq!(
            permission_set("AWSReservedSSO_Read_Only_0123abcd"),
            "Read_Only"
        );
    }

    #[test]
    fn undo_of_the_trail_key_leaves_the_key_and_says_so() {
        let t = T::new();
        let inv = demo();
        let plan = t.plan(&inv, ENCRYPTED, &Inputs::default()).expect("plan");
        let create = plan
            .steps
            .iter()
            .find(|s| matches!(s.op, Op::CreateKmsKey(crate::aws::ops::CreateKmsKey { .. })))
            .expect("a key is created");
        assert_eq!(create.inverse, Some(vec![]), "the key stays on undo");
        let inverses: Vec<&Op> = plan
            .steps
            .iter()
            .flat_map(|s| s.inverse.iter().flatten())
            .collect();
        assert!(
            !inverses.iter().any(|o| matches!(
                o,
                Op::ScheduleKmsKeyDeletion(crate::aws::ops::ScheduleKmsKeyDeletion { .. })
            )),
            "{inverses:?}"
        );
        // The trail goes back to no key.
        assert!(inverses.iter().any(|o| matches!(o,
            Op::UpdateTrail(crate::aws::ops::UpdateTrail { edits, .. })
                if edits == &vec![crate::plan::TrailEdit::KmsKey { key: None }])));
        let note = crate::plan::undo_note(&create.op).expect("undo note");
        assert!(
            note.contains("1 USD") && note.contains("your decision"),
            "{note}"
        );
        // A journal of an earlier version scheduled the deletion: undo drops it.
        let legacy = vec![Op::ScheduleKmsKeyDeletion(
            crate::aws::ops::ScheduleKmsKeyDeletion {
                region: US.into(),
                alias: "alias/moat-cloudtrail".into(),
                pending_days: 7,
                key_id: None,
            },
        )];
        assert!(crate::plan::undo_ops(&create.op, legacy).is_empty());
    }
}
