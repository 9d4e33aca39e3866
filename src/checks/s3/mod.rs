//! The `s3` section: public access, policies, ACLs, encryption, transport,
//! versioning, MFA Delete, CloudFront origin access, presigned downloads.
//!
//! "Public" is decided here, from each bucket's policy and ACL and the public
//! access block in force (the bucket's own flags or the account's), never
//! from S3's GetBucketPolicyStatus. A bucket setting that could not be read
//! gives that bucket an `error` finding, not a guess.

pub mod fix;

use super::kit::{self, Rollup, finding, not_applicable};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    Bucket, Distribution, Fetched, Inventory, Origin, PartError, PartId, PublicAccessBlock,
    ResourceRef, strip_arn_prefix,
};
use crate::guide::msg;
use crate::policy;
use serde_json::Value;

pub const ACCOUNT_PAB: &str = "s3.account-public-access-block";
pub const BUCKET_PAB: &str = "s3.bucket-public-access-block";
pub const PUBLIC_POLICIES: &str = "s3.public-policies";
pub const PUBLIC_ACLS: &str = "s3.public-acls";
pub const DEFAULT_ENCRYPTION: &str = "s3.default-encryption";
pub const DENY_INSECURE_TRANSPORT: &str = "s3.deny-insecure-transport";
pub const VERSIONING: &str = "s3.versioning";
pub const MFA_DELETE: &str = "s3.mfa-delete";
pub const CLOUDFRONT_ORIGIN_ACCESS: &str = "s3.cloudfront-origin-access";
pub const PRESIGNED_DOWNLOADS: &str = "s3.presigned-downloads";

/// Messages shared by the section's items.
const SHARED: &str = "s3";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: ACCOUNT_PAB,
        section: "s3",
        // The buckets are read too: the plan names those the block will cut off.
        needs: &[PartId::S3AccountPublicAccessBlock, PartId::S3Buckets],
        cis: &["3.1.4"],
        security_hub: &["S3.1"],
        check: account_public_access_block,
        fix: Fix::Plan(fix::account_public_access_block),
        inputs: &[],
    },
    ItemDef {
        id: BUCKET_PAB,
        section: "s3",
        needs: &[PartId::S3Buckets],
        cis: &["3.1.4"],
        security_hub: &["S3.8"],
        check: bucket_public_access_block,
        fix: Fix::Plan(fix::bucket_public_access_block),
        inputs: &[],
    },
    ItemDef {
        id: PUBLIC_POLICIES,
        section: "s3",
        needs: &[PartId::S3Buckets, PartId::S3AccountPublicAccessBlock],
        // CIS maps this to 2.21 of v7, which v6.0.0 does not have: the guide
        // text names it instead.
        cis: &[],
        security_hub: &["S3.2", "S3.3"],
        check: public_policies,
        fix: Fix::Plan(fix::public_policies),
        inputs: &[],
    },
    ItemDef {
        id: PUBLIC_ACLS,
        section: "s3",
        needs: &[PartId::S3Buckets, PartId::S3AccountPublicAccessBlock],
        cis: &[],
        security_hub: &["S3.2", "S3.3"],
        check: public_acls,
        fix: Fix::Plan(fix::public_acls),
        inputs: &[],
    },
    ItemDef {
        id: DEFAULT_ENCRYPTION,
        section: "s3",
        needs: &[PartId::S3Buckets],
        cis: &[],
        // S3.4 checked this and was retired once S3 encrypted every new object.
        security_hub: &[],
        check: default_encryption,
        fix: Fix::Plan(fix::default_encryption),
        inputs: fix::ENCRYPTION_INPUTS,
    },
    ItemDef {
        id: DENY_INSECURE_TRANSPORT,
        section: "s3",
        needs: &[PartId::S3Buckets],
        cis: &["3.1.1"],
        security_hub: &["S3.5"],
        check: deny_insecure_transport,
        fix: Fix::Plan(fix::deny_insecure_transport),
        inputs: &[],
    },
    ItemDef {
        id: VERSIONING,
        section: "s3",
        needs: &[PartId::S3Buckets, PartId::Trails],
        cis: &[],
        security_hub: &["S3.14"],
        check: versioning,
        fix: Fix::Plan(fix::versioning),
        inputs: &[],
    },
    ItemDef {
        id: MFA_DELETE,
        section: "s3",
        needs: &[PartId::Identity, PartId::S3Buckets, PartId::Trails],
        cis: &["3.1.2"],
        security_hub: &["S3.20"],
        check: mfa_delete,
        fix: Fix::Plan(fix::mfa_delete),
        inputs: fix::MFA_INPUTS,
    },
    ItemDef {
        id: CLOUDFRONT_ORIGIN_ACCESS,
        section: "s3",
        needs: &[PartId::Identity, PartId::CloudFront, PartId::S3Buckets],
        cis: &[],
        security_hub: &["CloudFront.13"],
        check: cloudfront_origin_access,
        fix: Fix::Plan(fix::cloudfront_origin_access),
        inputs: &[],
    },
    ItemDef {
        id: PRESIGNED_DOWNLOADS,
        section: "s3",
        needs: &[],
        cis: &[],
        security_hub: &[],
        check: presigned_downloads,
        fix: Fix::Guided,
        inputs: &[],
    },
];

// ---------------------------------------------------------------------------
// Shared helpers (the plans use them too)

pub fn bucket_resource(name: &str) -> String {
    ResourceRef::Bucket {
        name: name.to_string(),
    }
    .to_string()
}

pub(crate) fn bucket_finding(b: &Bucket, status: Status, detail: String) -> Finding {
    finding(bucket_resource(&b.name), Some(&b.region), status, detail)
}

/// The `error` finding of a bucket whose setting could not be read.
fn unreadable(b: &Bucket, e: &PartError) -> Finding {
    kit::unreadable(bucket_resource(&b.name), Some(&b.region), SHARED, e)
}

/// A bucket judged on its versioning, which the scan did not read (it was
/// not a log, trail or irreplaceable bucket when the buckets were read):
/// unknown, so an error, never a pass or a fail.
pub fn versioning_not_read(b: &Bucket) -> Finding {
    kit::finding(
        bucket_resource(&b.name),
        Some(&b.region),
        Status::Error,
        msg(SHARED, "versioning_not_read", &[]),
    )
}

/// The buckets, or none while the part is not ready (the item is then
/// `loading` or `error` anyway).
fn buckets(inv: &Inventory) -> &[Bucket] {
    inv.s3.ready().map(|s| s.buckets.as_slice()).unwrap_or(&[])
}

/// The account-wide block, when set.
pub fn account_block(inv: &Inventory) -> Option<&PublicAccessBlock> {
    inv.s3_account_pab.ready().and_then(|p| p.as_ref())
}

/// Is `flag` in force for the bucket: on in its own block or in the
/// account's? `Err` when its own block is unreadable and the account's
/// does not settle it.
fn in_force<'a>(
    b: &'a Bucket,
    account: Option<&PublicAccessBlock>,
    flag: fn(&PublicAccessBlock) -> bool,
) -> Result<bool, &'a PartError> {
    if account.is_some_and(flag) {
        return Ok(true);
    }
    match &b.public_access_block {
        Fetched::Ready(p) => Ok(p.as_ref().is_some_and(flag)),
        Fetched::Error(e) => Err(e),
    }
}

/// What a bucket's policy or ACL opens to the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure<'a> {
    /// Nothing public.
    Private,
    /// Public, and nothing in force stops it: the offending statements or grants.
    Public(Vec<String>),
    /// Public on paper, but the block in force (RestrictPublicBuckets or
    /// IgnorePublicAcls) makes S3 disregard it.
    Neutralised(Vec<String>),
    /// The setting (or the block deciding it) could not be read.
    Unreadable(&'a PartError),
}

/// A statement's short label: its Sid (or position) and actions.
fn statement_label(i: usize, s: &Value) -> String {
    let name = s
        .get("Sid")
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", i + 1));
    let actions = policy::as_list(s.get("Action"));
    if actions.is_empty() {
        name
    } else {
        format!("{name} ({})", actions.join(", "))
    }
}

/// The bucket policy's public statements and whether they are in force.
pub fn policy_exposure<'a>(b: &'a Bucket, account: Option<&PublicAccessBlock>) -> Exposure<'a> {
    let doc = match &b.policy {
        Fetched::Error(e) => return Exposure::Unreadable(e),
        Fetched::Ready(None) => return Exposure::Private,
        Fetched::Ready(Some(d)) => d,
    };
    let public: Vec<String> = policy::statements(doc)
        .into_iter()
        .enumerate()
        .filter(|(_, s)| policy::is_public_statement(s))
        .map(|(i, s)| statement_label(i, s))
        .collect();
    if public.is_empty() {
        return Exposure::Private;
    }
    match in_force(b, account, |p| p.restrict_public_buckets) {
        Ok(true) => Exposure::Neutralised(public),
        Ok(false) => Exposure::Public(public),
        Err(e) => Exposure::Unreadable(e),
    }
}

/// The ACL's public grants and whether they are in force.
pub fn acl_exposure<'a>(b: &'a Bucket, account: Option<&PublicAccessBlock>) -> Exposure<'a> {
    let acl = match &b.acl {
        Fetched::Error(e) => return Exposure::Unreadable(e),
        Fetched::Ready(a) => a,
    };
    let public: Vec<String> = acl
        .public_grants()
        .map(|g| format!("{} {}", g.grantee.label(), g.permission))
        .collect();
    if public.is_empty() {
        return Exposure::Private;
    }
    match in_force(b, account, |p| p.ignore_public_acls) {
        Ok(true) => Exposure::Neutralised(public),
        Ok(false) => Exposure::Public(public),
        Err(e) => Exposure::Unreadable(e),
    }
}

/// Is the bucket reachable by the public right now (policy or ACL)?
pub fn is_public_now(b: &Bucket, account: Option<&PublicAccessBlock>) -> bool {
    matches!(policy_exposure(b, account), Exposure::Public(_))
        || matches!(acl_exposure(b, account), Exposure::Public(_))
}

/// The item's status from per-resource findings: `fail` when a failure is
/// not accepted, else `error` when a resource could not be read (so an
/// accepted failure never hides an unreadable bucket), else `fail` for the
/// accepted ones (the exceptions then make it `accepted`), else pass.
/// Summaries are the item's `pass`, `fail` and `error` messages, given
/// `{count}` (failing), `{errors}` and `{total}` (resources checked).
fn outcome(item: &str, findings: Vec<Finding>, total: usize, ctx: &Ctx) -> Outcome {
    Rollup::counted(item, total)
        .manual_passes()
        .accepting(item, ctx)
        .nothing(msg(SHARED, "no_buckets", &[]))
        .outcome(findings)
}

// ---------------------------------------------------------------------------
// Public access

fn account_public_access_block(inv: &Inventory, _: &Ctx) -> Outcome {
    let r = ResourceRef::S3AccountPublicAccessBlock.to_string();
    let detail = match inv.s3_account_pab.ready() {
        Some(Some(p)) if p.all_on() => return Outcome::pass(msg(ACCOUNT_PAB, "pass", &[])),
        Some(Some(p)) => msg(
            ACCOUNT_PAB,
            "partial",
            &[("flags", &p.missing().join(", "))],
        ),
        _ => msg(ACCOUNT_PAB, "none", &[]),
    };
    Outcome::from_findings(
        vec![Finding::fail(r, detail)],
        String::new(),
        msg(ACCOUNT_PAB, "fail", &[]),
    )
}

fn bucket_public_access_block(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let all = buckets(inv);
    let findings = all
        .iter()
        .filter_map(|b| match &b.public_access_block {
            Fetched::Error(e) => Some(unreadable(b, e)),
            Fetched::Ready(Some(p)) if p.all_on() => None,
            Fetched::Ready(Some(p)) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(BUCKET_PAB, "partial", &[("flags", &p.missing().join(", "))]),
            )),
            Fetched::Ready(None) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(BUCKET_PAB, "none", &[]),
            )),
        })
        .collect();
    outcome(BUCKET_PAB, findings, all.len(), ctx)
}

/// Findings of an exposure check (policies or ACLs) over every bucket.
fn exposure_findings(
    item: &str,
    inv: &Inventory,
    exposure: for<'a> fn(&'a Bucket, Option<&PublicAccessBlock>) -> Exposure<'a>,
) -> Vec<Finding> {
    let account = account_block(inv);
    buckets(inv)
        .iter()
        .filter_map(|b| match exposure(b, account) {
            Exposure::Private => None,
            Exposure::Public(what) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(item, "public", &[("what", &what.join("; "))]),
            )),
            Exposure::Neutralised(what) => Some(bucket_finding(
                b,
                Status::Pass,
                msg(item, "neutralised", &[("what", &what.join("; "))]),
            )),
            Exposure::Unreadable(e) => Some(unreadable(b, e)),
        })
        .collect()
}

fn public_policies(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let findings = exposure_findings(PUBLIC_POLICIES, inv, policy_exposure);
    outcome(PUBLIC_POLICIES, findings, buckets(inv).len(), ctx)
}

fn public_acls(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let findings = exposure_findings(PUBLIC_ACLS, inv, acl_exposure);
    outcome(PUBLIC_ACLS, findings, buckets(inv).len(), ctx)
}

// ---------------------------------------------------------------------------
// Encryption and transport

fn default_encryption(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let all = buckets(inv);
    let findings = all
        .iter()
        .filter_map(|b| match &b.encryption {
            Fetched::Error(e) => Some(unreadable(b, e)),
            Fetched::Ready(Some(_)) => None,
            Fetched::Ready(None) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(DEFAULT_ENCRYPTION, "none", &[]),
            )),
        })
        .collect();
    outcome(DEFAULT_ENCRYPTION, findings, all.len(), ctx)
}

/// Does a condition hold `key` (case-insensitive) = `false` under `Bool`
/// (or `BoolIfExists`)?
fn condition_is_false(stmt: &Value, key: &str) -> bool {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return false;
    };
    cond.iter()
        .filter(|(op, _)| {
            op.eq_ignore_ascii_case("Bool") || op.eq_ignore_ascii_case("BoolIfExists")
        })
        .filter_map(|(_, body)| body.as_object())
        .flat_map(|keys| keys.iter())
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .any(|(_, v)| match v {
            Value::Bool(b) => !b,
            other => policy::as_list(Some(other))
                .iter()
                .any(|x| x.eq_ignore_ascii_case("false")),
        })
}

/// Does a resource pattern cover the bucket's objects?
fn covers_objects(pattern: &str, bucket_arn: &str) -> bool {
    let objects = format!("{bucket_arn}/*");
    pattern == "*"
        || pattern == objects
        || pattern
            .strip_suffix('*')
            .is_some_and(|prefix| objects.starts_with(prefix))
}

/// A statement denying every S3 request to everyone over plain HTTP.
pub fn denies_insecure_transport(stmt: &Value, bucket_arn: &str) -> bool {
    policy::effect(stmt) == "Deny"
        && policy::principal_is_everyone(stmt.get("Principal"))
        && policy::as_list(stmt.get("Action"))
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"))
        && policy::as_list(stmt.get("Resource"))
            .iter()
            .any(|r| covers_objects(r, bucket_arn))
        && condition_is_false(stmt, "aws:SecureTransport")
}

fn deny_insecure_transport(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let all = buckets(inv);
    let findings = all
        .iter()
        .filter_map(|b| {
            let arn = b.arn(inv.partition());
            match &b.policy {
                Fetched::Error(e) => Some(unreadable(b, e)),
                Fetched::Ready(Some(doc))
                    if policy::statements(doc)
                        .into_iter()
                        .any(|s| denies_insecure_transport(s, &arn)) =>
                {
                    None
                }
                Fetched::Ready(p) => {
                    let key = if p.is_some() { "missing" } else { "no_policy" };
                    Some(bucket_finding(
                        b,
                        Status::Fail,
                        msg(DENY_INSECURE_TRANSPORT, key, &[]),
                    ))
                }
            }
        })
        .collect();
    outcome(DENY_INSECURE_TRANSPORT, findings, all.len(), ctx)
}

// ---------------------------------------------------------------------------
// Versioning and MFA Delete

/// Buckets holding logs or data that cannot be recreated, with why: CloudTrail
/// trail buckets, server access log targets, and `irreplaceable_buckets` from
/// the config. Only buckets in the inventory (another account's are not ours
/// to check), in inventory order.
pub fn log_buckets<'a>(inv: &'a Inventory, ctx: &Ctx) -> Vec<(&'a Bucket, Vec<String>)> {
    let all = buckets(inv);
    let trails = inv.trails.ready().map(Vec::as_slice).unwrap_or(&[]);
    all.iter()
        .filter_map(|b| {
            let mut why: Vec<String> = trails
                .iter()
                .filter(|t| t.s3_bucket.as_deref() == Some(b.name.as_str()))
                .map(|t| msg(VERSIONING, "reason_trail", &[("trail", &t.name)]))
                .collect();
            let sources: Vec<&str> = all
                .iter()
                .filter(|src| {
                    src.logging
                        .ready()
                        .and_then(|l| l.as_ref())
                        .is_some_and(|l| l.target_bucket == b.name)
                })
                .map(|src| src.name.as_str())
                .collect();
            if !sources.is_empty() {
                why.push(msg(
                    VERSIONING,
                    "reason_access_logs",
                    &[("buckets", &sources.join(", "))],
                ));
            }
            if ctx.settings.irreplaceable_buckets.contains(&b.name) {
                why.push(msg(VERSIONING, "reason_irreplaceable", &[]));
            }
            (!why.is_empty()).then_some((b, why))
        })
        .collect()
}

/// The `error` findings of the buckets whose access logging could not be
/// read: where their logs go is unknown, so [`log_buckets`] may miss a log
/// bucket, and an item judging the log buckets cannot pass (nor say it
/// does not apply) while one is listed.
pub fn unknown_log_targets(inv: &Inventory) -> Vec<Finding> {
    buckets(inv)
        .iter()
        .filter_map(|b| match &b.logging {
            Fetched::Error(e) => Some(bucket_finding(
                b,
                Status::Error,
                msg(
                    SHARED,
                    "log_target_unknown",
                    &[("bucket", &b.name), ("error", &e.summary())],
                ),
            )),
            Fetched::Ready(_) => None,
        })
        .collect()
}

fn versioning(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let targets = log_buckets(inv, ctx);
    let unknown = unknown_log_targets(inv);
    if targets.is_empty() && unknown.is_empty() {
        return not_applicable(msg(VERSIONING, "none", &[]));
    }
    let total = targets.len() + unknown.len();
    let findings = targets
        .iter()
        .filter_map(|(b, why)| match &b.versioning {
            None => Some(versioning_not_read(b)),
            Some(Fetched::Error(e)) => Some(unreadable(b, e)),
            Some(Fetched::Ready(v)) if v.enabled() => None,
            Some(Fetched::Ready(v)) => {
                let key = if v.status.is_some() {
                    "suspended"
                } else {
                    "off"
                };
                Some(bucket_finding(
                    b,
                    Status::Fail,
                    msg(VERSIONING, key, &[("why", &why.join("; "))]),
                ))
            }
        })
        .chain(unknown)
        .collect();
    outcome(VERSIONING, findings, total, ctx)
}

fn mfa_delete(inv: &Inventory, ctx: &Ctx) -> Outcome {
    let targets = log_buckets(inv, ctx);
    let unknown = unknown_log_targets(inv);
    if targets.is_empty() && unknown.is_empty() {
        return not_applicable(msg(MFA_DELETE, "none", &[]));
    }
    let total = targets.len() + unknown.len();
    let findings = targets
        .iter()
        .filter_map(|(b, why)| match &b.versioning {
            None => Some(versioning_not_read(b)),
            Some(Fetched::Error(e)) => Some(unreadable(b, e)),
            // MFA Delete guards versions; with versioning suspended a delete
            // or an overwrite removes the null version without any MFA.
            Some(Fetched::Ready(v)) if v.enabled() && v.mfa_delete => None,
            Some(Fetched::Ready(v)) => Some(bucket_finding(
                b,
                Status::Fail,
                msg(
                    MFA_DELETE,
                    if v.mfa_delete { "suspended" } else { "off" },
                    &[("why", &why.join("; "))],
                ),
            )),
        })
        .chain(unknown)
        .collect();
    outcome(MFA_DELETE, findings, total, ctx)
}

// ---------------------------------------------------------------------------
// CloudFront origin access

/// Whether a bucket policy lets one distribution (and only it) read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant<'a> {
    Granted,
    Missing,
    /// The bucket is not in this account's inventory: its policy is not ours to read.
    Foreign,
    Unreadable(&'a PartError),
}

/// One S3 origin of one distribution, and what protects it.
#[derive(Debug, Clone)]
pub struct S3Origin<'a> {
    pub distribution: &'a Distribution,
    pub origin: &'a Origin,
    pub bucket_name: &'a str,
    /// The bucket, when it is in this account.
    pub bucket: Option<&'a Bucket>,
    /// The origin signs its requests (OAC) or uses a legacy OAI.
    pub access: bool,
    pub grant: Grant<'a>,
}

/// The OAI id of an origin (`origin-access-identity/cloudfront/E…` → `E…`).
pub fn oai_id(o: &Origin) -> Option<&str> {
    o.s3_oai
        .as_deref()
        .filter(|_| o.has_oai())
        .and_then(|p| p.trim().rsplit('/').next())
        .filter(|id| !id.is_empty())
}

/// What follows the partition in the IAM ARN a legacy OAI appears as in
/// bucket policies.
const OAI_PRINCIPAL: &str = "iam::cloudfront:user/CloudFront Origin Access Identity ";

/// The IAM ARN a legacy OAI appears as in bucket policies, in `partition`.
pub fn oai_principal(partition: &str, id: &str) -> String {
    format!("arn:{partition}:{OAI_PRINCIPAL}{id}")
}

fn reads_objects(stmt: &Value) -> bool {
    policy::as_list(stmt.get("Action")).iter().any(|a| {
        a == "*"
            || a.eq_ignore_ascii_case("s3:*")
            || a.eq_ignore_ascii_case("s3:Get*")
            || a.eq_ignore_ascii_case("s3:GetObject")
    })
}

/// Principal values under a principal type (`Service`, `AWS`, …).
pub(crate) fn principals(stmt: &Value, kind: &str) -> Vec<String> {
    match stmt.get("Principal") {
        Some(Value::Object(m)) => m
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(kind))
            .flat_map(|(_, v)| policy::as_list(Some(v)))
            .collect(),
        _ => vec![],
    }
}

/// Does the statement tie `aws:SourceArn` to `arn` (and only to listed,
/// wildcard-free ARNs)?
fn source_arn_is(stmt: &Value, arn: &str) -> bool {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return false;
    };
    cond.iter()
        .filter(|(op, _)| {
            ["StringEquals", "ArnEquals", "StringLike", "ArnLike"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(op))
        })
        .filter_map(|(_, body)| body.as_object())
        .flat_map(|keys| keys.iter())
        .filter(|(k, _)| k.eq_ignore_ascii_case("aws:SourceArn"))
        .any(|(_, v)| {
            let values = policy::as_list(Some(v));
            values.iter().any(|x| x == arn) && !values.iter().any(|x| x.contains('*'))
        })
}

/// An Allow for the CloudFront service to read objects, for this distribution only.
pub fn grants_distribution(stmt: &Value, distribution_arn: &str) -> bool {
    policy::effect(stmt) == "Allow"
        && principals(stmt, "Service")
            .iter()
            .any(|p| p == "cloudfront.amazonaws.com")
        && reads_objects(stmt)
        && source_arn_is(stmt, distribution_arn)
}

/// An Allow for a legacy OAI to read objects.
pub fn grants_oai(stmt: &Value, oai: &str) -> bool {
    let names_oai = |p: &String| strip_arn_prefix(p, OAI_PRINCIPAL) == Some(oai);
    policy::effect(stmt) == "Allow"
        && reads_objects(stmt)
        && (principals(stmt, "AWS").iter().any(names_oai)
            || !principals(stmt, "CanonicalUser").is_empty())
}

/// Every S3 origin of every distribution.
pub fn s3_origins(inv: &Inventory) -> Vec<S3Origin<'_>> {
    let Some(cf) = inv.cloudfront.ready() else {
        return vec![];
    };
    let s3 = inv.s3.ready();
    cf.distributions
        .iter()
        .flat_map(|d| d.origins.iter().map(move |o| (d, o)))
        .filter_map(|(d, o)| {
            let name = o.s3_bucket()?;
            let bucket = s3.and_then(|s| s.bucket(name));
            let grant = match bucket.map(|b| &b.policy) {
                None => Grant::Foreign,
                Some(Fetched::Error(e)) => Grant::Unreadable(e),
                Some(Fetched::Ready(None)) => Grant::Missing,
                Some(Fetched::Ready(Some(doc))) => {
                    let oai = oai_id(o);
                    let ok = policy::statements(doc).into_iter().any(|s| {
                        grants_distribution(s, &d.arn) || oai.is_some_and(|id| grants_oai(s, id))
                    });
                    if ok { Grant::Granted } else { Grant::Missing }
                }
            };
            Some(S3Origin {
                distribution: d,
                origin: o,
                bucket_name: name,
                bucket,
                access: o.oac_id.is_some() || o.has_oai(),
                grant,
            })
        })
        .collect()
}

fn cloudfront_origin_access(inv: &Inventory, ctx: &Ctx) -> Outcome {
    const ID: &str = CLOUDFRONT_ORIGIN_ACCESS;
    let origins = s3_origins(inv);
    if origins.is_empty() {
        return not_applicable(msg(ID, "none", &[]));
    }
    let findings = origins
        .iter()
        .filter_map(|o| {
            let r = ResourceRef::Distribution {
                id: o.distribution.id.clone(),
            }
            .to_string();
            let args = [
                ("origin", o.origin.id.as_str()),
                ("bucket", o.bucket_name),
                ("arn", o.distribution.arn.as_str()),
            ];
            let (status, detail) = match (&o.grant, o.access) {
                (_, false) => (Status::Fail, msg(ID, "no_access", &args)),
                (Grant::Granted, true) => return None,
                (Grant::Missing, true) => (Status::Fail, msg(ID, "no_grant", &args)),
                (Grant::Foreign, true) => (Status::Pass, msg(ID, "foreign", &args)),
                (Grant::Unreadable(e), true) => (
                    Status::Error,
                    msg(SHARED, "unreadable", &[("error", &e.summary())]),
                ),
            };
            Some(finding(r, None, status, detail))
        })
        .collect();
    let distributions = {
        let mut ids: Vec<&str> = origins.iter().map(|o| o.distribution.id.as_str()).collect();
        ids.dedup();
        ids.len()
    };
    outcome(ID, findings, distributions, ctx)
}

// ---------------------------------------------------------------------------
// Guided

fn presigned_downloads(_: &Inventory, ctx: &Ctx) -> Outcome {
    kit::guided_only(PRESIGNED_DOWNLOADS, ctx)
}

/// Hand-built inventories for the S3 tests (checks and plans), and the
/// checks' harness [`T`] at midnight.
#[cfg(test)]
pub(crate) mod testkit {
    use super::*;
    use crate::aws::inventory::{
        ALL_USERS, Acl, CloudFront, Grant as AclGrant, Grantee, Identity, Logging, PartValue, S3,
        Trail, Versioning, VersioningStatus,
    };
    use serde_json::json;

    pub const ACCOUNT: &str = "111122223333";
    pub const REGION: &str = "eu-west-1";
    pub const OWNER: &str = "owner-canonical-id";

    /// The clock of these tests: midnight.
    pub use crate::checks::testkit::{T, midnight as now};

    pub fn identity(root: bool) -> Identity {
        Identity {
            account: ACCOUNT.into(),
            arn: if root {
                format!("arn:aws:iam::{ACCOUNT}:root")
            } else {
                format!("arn:aws:iam::{ACCOUNT}:user/alice")
            },
            user_id: "AIDAALICE".into(),
        }
    }

    /// A private bucket with an owner ACL and nothing else set.
    pub fn bucket(name: &str) -> Bucket {
        let mut b = Bucket::new(name, REGION);
        b.acl = Fetched::Ready(Acl {
            owner_id: OWNER.into(),
            owner_display_name: None,
            grants: vec![AclGrant {
                grantee: Grantee::CanonicalUser {
                    id: OWNER.into(),
                    display_name: None,
                },
                permission: "FULL_CONTROL".into(),
            }],
        });
        b
    }

    /// A bucket every item passes on (public access blocked, encrypted,
    /// HTTPS only, versioned with MFA Delete).
    pub fn good_bucket(name: &str) -> Bucket {
        let mut b = bucket(name);
        b.public_access_block = Fetched::Ready(Some(PublicAccessBlock::ALL));
        b.encryption = Fetched::Ready(Some(crate::aws::inventory::Encryption {
            algorithm: "AES256".into(),
            kms_key: None,
            bucket_key: None,
        }));
        b.policy = Fetched::Ready(Some(json!({"Version": "2012-10-17", "Statement": [
            crate::checks::s3::fix::deny_insecure_statement(&b.arn("aws"))
        ]})));
        b.versioning = Some(Fetched::Ready(crate::aws::inventory::Versioning {
            status: Some(crate::aws::inventory::VersioningStatus::Enabled),
            mfa_delete: true,
        }));
        b
    }

    pub fn denied(action: &str) -> PartError {
        PartError::new(action, Some("AccessDenied".into()), "denied")
    }

    pub fn with_policy(mut b: Bucket, statements: Vec<Value>) -> Bucket {
        b.policy = Fetched::Ready(Some(
            json!({"Version": "2012-10-17", "Statement": statements}),
        ));
        b
    }

    pub fn public_read(name: &str) -> Value {
        json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{name}/*")})
    }

    pub fn team_access(name: &str) -> Value {
        json!({"Sid": "Team", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/team")},
            "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")]})
    }

    pub fn group_grant(uri: &str, permission: &str) -> AclGrant {
        AclGrant {
            grantee: Grantee::Group { uri: uri.into() },
            permission: permission.into(),
        }
    }

    pub fn trail(name: &str, bucket: &str) -> Trail {
        Trail {
            s3_bucket: Some(bucket.into()),
            log_file_validation: true,
            ..crate::checks::testkit::trail(name, REGION, true)
        }
    }

    pub fn origin(id: &str, bucket: &str) -> Origin {
        Origin {
            id: id.into(),
            domain_name: format!("{bucket}.s3.{REGION}.amazonaws.com"),
            s3_oai: Some(String::new()),
            oac_id: None,
        }
    }

    pub fn distribution(id: &str, origins: Vec<Origin>) -> Distribution {
        Distribution {
            id: id.into(),
            arn: format!("arn:aws:cloudfront::{ACCOUNT}:distribution/{id}"),
            domain_name: format!("{}.cloudfront.net", id.to_lowercase()),
            etag: Some(format!("ETAG{id}")),
            enabled: true,
            comment: String::new(),
            aliases: vec![],
            behaviors: vec![crate::aws::inventory::CacheBehavior {
                path_pattern: None,
                target_origin_id: origins.first().map(|o| o.id.clone()).unwrap_or_default(),
                viewer_protocol_policy: "redirect-to-https".into(),
            }],
            origins,
            viewer_certificate: crate::aws::inventory::ViewerCertificate {
                cloudfront_default: true,
                ..Default::default()
            },
            web_acl_id: None,
        }
    }

    /// Every part the section reads, ready: these buckets, no account
    /// block, no distributions, no trails, a non-root caller.
    pub fn inventory(buckets: Vec<Bucket>) -> Inventory {
        let mut inv = Inventory::default();
        inv.set(PartValue::Identity(identity(false)));
        inv.set(PartValue::S3Buckets(S3 {
            buckets,
            owner_id: None,
        }));
        inv.set(PartValue::S3AccountPublicAccessBlock(None));
        inv.set(PartValue::CloudFront(CloudFront::default()));
        inv.set(PartValue::Trails(vec![]));
        inv
    }

    pub fn set_bucket(inv: &mut Inventory, b: Bucket) {
        if let Some(s3) = inv.s3.ready_mut() {
            match s3.bucket_mut(&b.name) {
                Some(x) => *x = b,
                None => s3.buckets.push(b),
            }
        }
    }

    pub fn get_bucket<'a>(inv: &'a Inventory, name: &str) -> &'a Bucket {
        inv.s3
            .ready()
            .and_then(|s| s.bucket(name))
            .expect("bucket in inventory")
    }

    /// trail-logs (a trail's), access-logs (a logging target), precious
    /// (irreplaceable), data (none of these).
    pub fn log_inventory() -> (T, Inventory) {
        let mut t = T::at(now());
        t.settings.irreplaceable_buckets = vec!["precious".into(), "elsewhere".into()];
        let mut data = bucket("data");
        data.logging = Fetched::Ready(Some(Logging {
            target_bucket: "access-logs".into(),
            target_prefix: "data/".into(),
        }));
        let mut inv = inventory(vec![
            bucket("trail-logs"),
            bucket("access-logs"),
            bucket("precious"),
            data,
        ]);
        inv.set(PartValue::Trails(vec![
            trail("main", "trail-logs"),
            trail("org", "another-accounts-bucket"),
        ]));
        (t, inv)
    }

    /// Inventories that reach every message: failing, passing, unreadable,
    /// neutralised, empty.
    pub fn edge_inventories() -> Vec<Inventory> {
        let (_, logs) = log_inventory();
        let mut all_bad = bucket("bad");
        if let Fetched::Ready(a) = &mut all_bad.acl {
            a.grants.push(group_grant(ALL_USERS, "READ"));
        }
        let all_bad = with_policy(all_bad, vec![public_read("bad")]);
        let mut neutral = all_bad.clone();
        neutral.name = "neutral".into();
        neutral.public_access_block = Fetched::Ready(Some(PublicAccessBlock::ALL));
        let mut partial = bucket("partial");
        partial.public_access_block = Fetched::Ready(Some(PublicAccessBlock {
            block_public_acls: true,
            ..Default::default()
        }));
        let mut broken = bucket("broken");
        let e = denied("s3:GetBucketSomething");
        broken.public_access_block = Fetched::Error(e.clone());
        broken.policy = Fetched::Error(e.clone());
        broken.acl = Fetched::Error(e.clone());
        broken.encryption = Fetched::Error(e.clone());
        broken.logging = Fetched::Error(e.clone());
        broken.versioning = Some(Fetched::Error(e));
        let mut suspended = good_bucket("trail-logs");
        suspended.versioning = Some(Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Suspended),
            mfa_delete: false,
        }));
        let mut mixed = inventory(vec![all_bad, neutral, partial, suspended]);
        mixed.set(PartValue::Trails(vec![trail("main", "trail-logs")]));
        let mut oac = origin("a", "neutral");
        oac.oac_id = Some("OAC1".into());
        let mut foreign = origin("f", "elsewhere");
        foreign.oac_id = Some("OAC1".into());
        mixed.set(PartValue::CloudFront(crate::aws::inventory::CloudFront {
            distributions: vec![distribution("E1", vec![oac, foreign, origin("b", "bad")])],
            origin_access_controls: vec![],
        }));
        let mut errors = inventory(vec![broken]);
        errors.set(PartValue::Trails(vec![trail("main", "broken")]));
        let mut u = origin("u", "broken");
        u.oac_id = Some("X".into());
        errors.set(PartValue::CloudFront(crate::aws::inventory::CloudFront {
            distributions: vec![distribution("E2", vec![u])],
            origin_access_controls: vec![],
        }));
        let mut good = inventory(vec![good_bucket("good"), good_bucket("trail-logs")]);
        good.set(PartValue::Trails(vec![trail("main", "trail-logs")]));
        good.set(PartValue::S3AccountPublicAccessBlock(Some(
            PublicAccessBlock::ALL,
        )));
        let mut partial_account = inventory(vec![]);
        partial_account.set(PartValue::S3AccountPublicAccessBlock(Some(
            PublicAccessBlock {
                ignore_public_acls: true,
                ..Default::default()
            },
        )));
        vec![
            Inventory::default(),
            inventory(vec![]),
            logs,
            mixed,
            errors,
            good,
            partial_account,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use crate::aws::inventory::{
        ALL_USERS, AUTHENTICATED_USERS, Encryption, PartValue, Versioning, VersioningStatus,
    };
    use crate::config::Exception;
    use serde_json::json;

    fn pab(f: impl FnOnce(&mut PublicAccessBlock)) -> PublicAccessBlock {
        let mut p = PublicAccessBlock::default();
        f(&mut p);
        p
    }

    #[test]
    fn account_block_needs_all_four_flags() {
        let t = T::at(now());
        let mut inv = inventory(vec![]);
        assert_eq!(t.status(&inv, ACCOUNT_PAB), Status::Fail);
        assert_eq!(
            t.finding_statuses(&inv, ACCOUNT_PAB),
            vec![("s3/public-access-block".to_string(), Status::Fail)]
        );
        inv.set(PartValue::S3AccountPublicAccessBlock(Some(pab(|p| {
            p.block_public_acls = true;
            p.ignore_public_acls = true;
        }))));
        let r = t.eval(&inv, ACCOUNT_PAB);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings[0]
                .detail
                .contains("BlockPublicPolicy, RestrictPublicBuckets"),
            "{}",
            r.findings[0].detail
        );
        inv.set(PartValue::S3AccountPublicAccessBlock(Some(
            PublicAccessBlock::ALL,
        )));
        assert_eq!(t.status(&inv, ACCOUNT_PAB), Status::Pass);
    }

    #[test]
    fn bucket_block_per_bucket_with_region_and_errors() {
        let t = T::at(now());
        let mut partial = bucket("partial");
        partial.public_access_block = Fetched::Ready(Some(pab(|p| p.block_public_acls = true)));
        let mut unreadable = bucket("locked");
        unreadable.public_access_block = Fetched::Error(denied("s3:GetBucketPublicAccessBlock"));
        let inv = inventory(vec![
            good_bucket("good"),
            bucket("none"),
            partial,
            unreadable.clone(),
        ]);
        let r = t.eval(&inv, BUCKET_PAB);
        assert_eq!(r.status, Status::Fail);
        let got: Vec<(&str, Status)> = r
            .findings
            .iter()
            .map(|f| (f.resource.as_str(), f.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("bucket/none", Status::Fail),
                ("bucket/partial", Status::Fail),
                ("bucket/locked", Status::Error),
            ]
        );
        assert!(
            r.findings
                .iter()
                .all(|f| f.region.as_deref() == Some(REGION))
        );
        assert!(r.findings[1].detail.contains("IgnorePublicAcls"));
        // The error names the denied action; it is never guessed as pass or fail.
        assert!(
            r.findings[2]
                .detail
                .contains("s3:GetBucketPublicAccessBlock"),
            "{}",
            r.findings[2].detail
        );
        // Only unreadable buckets left: the item is in error, not passing.
        let only = inventory(vec![good_bucket("good"), unreadable]);
        let r = t.eval(&only, BUCKET_PAB);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains('1'), "{}", r.summary);
        // No buckets: nothing to block.
        assert_eq!(t.status(&inventory(vec![]), BUCKET_PAB), Status::Pass);
    }

    #[test]
    fn declared_public_buckets_are_accepted_but_never_hide_errors() {
        let t = T::at(now()).public("site");
        let inv = inventory(vec![good_bucket("good"), bucket("site")]);
        let r = t.eval(&inv, BUCKET_PAB);
        assert_eq!(r.status, Status::Accepted);
        assert!(r.findings[0].detail.contains("static website"));
        let mut locked = bucket("locked");
        locked.public_access_block = Fetched::Error(denied("s3:GetBucketPublicAccessBlock"));
        let inv = inventory(vec![bucket("site"), locked.clone()]);
        let r = t.eval(&inv, BUCKET_PAB);
        assert_eq!(r.status, Status::Error, "{:?}", r.findings);
        assert_eq!(r.findings[0].status, Status::Accepted);
        // An unaccepted failure still fails, errors or not.
        let inv = inventory(vec![bucket("site"), bucket("other"), locked]);
        assert_eq!(t.status(&inv, BUCKET_PAB), Status::Fail);
        // An expired exception does not count as accepted.
        let mut t = T::at(now());
        t.settings.exceptions.push(Exception {
            item: BUCKET_PAB.into(),
            resource: "bucket/site".into(),
            reason: "r".into(),
            expires: "2020-01-01".parse().ok(),
        });
        let mut locked = bucket("locked");
        locked.public_access_block = Fetched::Error(denied("s3:GetBucketPublicAccessBlock"));
        let inv = inventory(vec![bucket("site"), locked]);
        assert_eq!(t.status(&inv, BUCKET_PAB), Status::Fail);
    }

    #[test]
    fn public_policies_are_found_and_neutralised_by_restrict_public_buckets() {
        let t = T::at(now());
        let open = with_policy(
            bucket("open"),
            vec![team_access("open"), public_read("open")],
        );
        let aws_star = with_policy(
            bucket("star"),
            vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::star/*"}),
            ],
        );
        let team = with_policy(bucket("team"), vec![team_access("team")]);
        let inv = inventory(vec![open.clone(), aws_star, team, bucket("empty")]);
        let r = t.eval(&inv, PUBLIC_POLICIES);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.finding_statuses(&inv, PUBLIC_POLICIES),
            vec![
                ("bucket/open".to_string(), Status::Fail),
                ("bucket/star".to_string(), Status::Fail)
            ]
        );
        assert!(r.findings[0].detail.contains("PublicRead (s3:GetObject)"));
        assert!(r.findings[1].detail.contains("#1 (s3:PutObject)"));

        // RestrictPublicBuckets on the bucket: a pass that says why.
        let mut restricted = open.clone();
        restricted.public_access_block =
            Fetched::Ready(Some(pab(|p| p.restrict_public_buckets = true)));
        let inv = inventory(vec![restricted]);
        let r = t.eval(&inv, PUBLIC_POLICIES);
        assert_eq!(r.status, Status::Pass);
        assert_eq!(r.findings[0].status, Status::Pass);
        assert!(r.findings[0].detail.contains("RestrictPublicBuckets"));

        // … or on the account.
        let mut inv = inventory(vec![open.clone()]);
        inv.set(PartValue::S3AccountPublicAccessBlock(Some(pab(|p| {
            p.restrict_public_buckets = true
        }))));
        assert_eq!(t.status(&inv, PUBLIC_POLICIES), Status::Pass);

        // BlockPublicPolicy only stops new public policies: still failing.
        let mut inv = inventory(vec![open.clone()]);
        inv.set(PartValue::S3AccountPublicAccessBlock(Some(pab(|p| {
            p.block_public_policy = true;
            p.block_public_acls = true;
            p.ignore_public_acls = true;
        }))));
        assert_eq!(t.status(&inv, PUBLIC_POLICIES), Status::Fail);

        // The policy, or the bucket block deciding it, unreadable: error.
        let mut unreadable = bucket("u");
        unreadable.policy = Fetched::Error(denied("s3:GetBucketPolicy"));
        let mut block_unreadable = open.clone();
        block_unreadable.public_access_block =
            Fetched::Error(denied("s3:GetBucketPublicAccessBlock"));
        let inv = inventory(vec![unreadable, block_unreadable.clone()]);
        let r = t.eval(&inv, PUBLIC_POLICIES);
        assert_eq!(r.status, Status::Error);
        assert!(r.findings[0].detail.contains("s3:GetBucketPolicy"));
        assert!(
            r.findings[1]
                .detail
                .contains("s3:GetBucketPublicAccessBlock")
        );
        // … unless the account block settles it.
        let mut inv = inventory(vec![block_unreadable]);
        inv.set(PartValue::S3AccountPublicAccessBlock(Some(
            PublicAccessBlock::ALL,
        )));
        assert_eq!(t.status(&inv, PUBLIC_POLICIES), Status::Pass);

        // Declared public: accepted.
        let t = T::at(now()).public("open");
        assert_eq!(
            t.status(&inventory(vec![open]), PUBLIC_POLICIES),
            Status::Accepted
        );
    }

    #[test]
    fn restricting_conditions_make_a_statement_private() {
        let t = T::at(now());
        let with = |cond: Value| {
            inventory(vec![with_policy(
                bucket("b"),
                vec![
                    json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/*", "Condition": cond}),
                ],
            )])
        };
        for cond in [
            json!({"StringEquals": {"aws:SourceArn": format!("arn:aws:cloudfront::{ACCOUNT}:distribution/E1")}}),
            json!({"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}),
        ] {
            assert_eq!(
                t.status(&with(cond.clone()), PUBLIC_POLICIES),
                Status::Pass,
                "{cond}"
            );
        }
        for cond in [
            json!({"StringLike": {"aws:UserAgent": "MyApp/*"}}),
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
        ] {
            assert_eq!(
                t.status(&with(cond.clone()), PUBLIC_POLICIES),
                Status::Fail,
                "{cond}"
            );
        }
    }

    #[test]
    fn public_acls_and_ignore_public_acls() {
        let t = T::at(now());
        let mut all = bucket("all");
        let mut auth = bucket("auth");
        let mut logs = bucket("logs");
        if let Fetched::Ready(a) = &mut all.acl {
            a.grants.push(group_grant(ALL_USERS, "READ"));
        }
        if let Fetched::Ready(a) = &mut auth.acl {
            a.grants.push(group_grant(AUTHENTICATED_USERS, "WRITE"));
        }
        if let Fetched::Ready(a) = &mut logs.acl {
            a.grants.push(group_grant(
                "http://acs.amazonaws.com/groups/s3/LogDelivery",
                "WRITE",
            ));
        }
        let inv = inventory(vec![all.clone(), auth, logs]);
        let r = t.eval(&inv, PUBLIC_ACLS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.finding_statuses(&inv, PUBLIC_ACLS),
            vec![
                ("bucket/all".to_string(), Status::Fail),
                ("bucket/auth".to_string(), Status::Fail)
            ]
        );
        assert!(r.findings[0].detail.contains("AllUsers READ"));
        assert!(r.findings[1].detail.contains("AuthenticatedUsers WRITE"));
        // BlockPublicAcls alone refuses new grants; the existing one still works.
        let mut blocked = all.clone();
        blocked.public_access_block = Fetched::Ready(Some(pab(|p| p.block_public_acls = true)));
        assert_eq!(
            t.status(&inventory(vec![blocked]), PUBLIC_ACLS),
            Status::Fail
        );
        let mut ignored = all.clone();
        ignored.public_access_block = Fetched::Ready(Some(pab(|p| p.ignore_public_acls = true)));
        let r = t.eval(&inventory(vec![ignored]), PUBLIC_ACLS);
        assert_eq!(r.status, Status::Pass);
        assert!(r.findings[0].detail.contains("IgnorePublicAcls"));
        let mut unreadable = bucket("u");
        unreadable.acl = Fetched::Error(denied("s3:GetBucketAcl"));
        let r = t.eval(&inventory(vec![unreadable]), PUBLIC_ACLS);
        assert_eq!(r.status, Status::Error);
        assert!(r.findings[0].detail.contains("s3:GetBucketAcl"));
        let t = T::at(now()).public("all");
        assert_eq!(
            t.status(&inventory(vec![all]), PUBLIC_ACLS),
            Status::Accepted
        );
    }

    #[test]
    fn default_encryption() {
        let t = T::at(now());
        let mut kms = bucket("kms");
        kms.encryption = Fetched::Ready(Some(Encryption {
            algorithm: "aws:kms".into(),
            kms_key: Some("alias/logs".into()),
            bucket_key: Some(true),
        }));
        let mut u = bucket("u");
        u.encryption = Fetched::Error(denied("s3:GetEncryptionConfiguration"));
        assert_eq!(
            t.status(
                &inventory(vec![good_bucket("a"), kms.clone()]),
                DEFAULT_ENCRYPTION
            ),
            Status::Pass
        );
        assert_eq!(
            t.finding_statuses(
                &inventory(vec![kms.clone(), bucket("plain")]),
                DEFAULT_ENCRYPTION
            ),
            vec![("bucket/plain".to_string(), Status::Fail)]
        );
        assert_eq!(
            t.status(&inventory(vec![kms, u]), DEFAULT_ENCRYPTION),
            Status::Error
        );
    }

    #[test]
    fn bucket_policies_of_the_china_partition_are_read() {
        let t = T::at(now());
        let cn = |buckets| {
            let mut inv = inventory(buckets);
            inv.set(PartValue::Identity(crate::aws::inventory::Identity {
                arn: format!("arn:aws-cn:iam::{ACCOUNT}:user/ops"),
                ..identity(false)
            }));
            inv
        };
        let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let inv = cn(vec![with_policy(bucket("b"), vec![deny])]);
        assert_eq!(t.status(&inv, DENY_INSECURE_TRANSPORT), Status::Pass);
        // The plan writes the partition's ARNs.
        let inv = cn(vec![bucket("b")]);
        let doc = crate::checks::s3::fix::deny_insecure_statement(
            &get_bucket(&inv, "b").arn(inv.partition()),
        );
        assert_eq!(
            doc["Resource"],
            json!(["arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b/*"])
        );
        // A legacy OAI is named in the partition of the bucket's account.
        let oai = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws-cn:s3:::b/*",
            "Principal": {"AWS": "arn:aws-cn:iam::cloudfront:user/CloudFront Origin Access Identity E1"}});
        assert!(grants_oai(&oai, "E1"));
        assert!(!grants_oai(&oai, "E2"));
    }

    #[test]
    fn deny_insecure_transport_statement_is_recognised() {
        let t = T::at(now());
        let deny = |cond: Value, action: &str, resource: Value| {
            json!({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": action,
                "Resource": resource, "Condition": cond})
        };
        let ok = [
            deny(
                json!({"Bool": {"aws:SecureTransport": "false"}}),
                "s3:*",
                json!(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
            ),
            deny(
                json!({"Bool": {"AWS:SecureTransport": false}}),
                "*",
                json!("*"),
            ),
            deny(
                json!({"BoolIfExists": {"aws:SecureTransport": ["false"]}}),
                "s3:*",
                json!("arn:aws:s3:::b*"),
            ),
        ];
        for s in ok {
            let inv = inventory(vec![with_policy(
                bucket("b"),
                vec![team_access("b"), s.clone()],
            )]);
            assert_eq!(t.status(&inv, DENY_INSECURE_TRANSPORT), Status::Pass, "{s}");
        }
        let bad = [
            deny(
                json!({"Bool": {"aws:SecureTransport": "true"}}),
                "s3:*",
                json!("arn:aws:s3:::b/*"),
            ),
            deny(
                json!({"Bool": {"aws:SecureTransport": "false"}}),
                "s3:GetObject",
                json!("arn:aws:s3:::b/*"),
            ),
            deny(
                json!({"Bool": {"aws:SecureTransport": "false"}}),
                "s3:*",
                json!("arn:aws:s3:::other/*"),
            ),
        ];
        for s in bad {
            let inv = inventory(vec![with_policy(bucket("b"), vec![s.clone()])]);
            assert_eq!(t.status(&inv, DENY_INSECURE_TRANSPORT), Status::Fail, "{s}");
        }
        let r = t.eval(&inventory(vec![bucket("none")]), DENY_INSECURE_TRANSPORT);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings[0].detail.contains("no policy"),
            "{}",
            r.findings[0].detail
        );
        let mut u = bucket("u");
        u.policy = Fetched::Error(denied("s3:GetBucketPolicy"));
        assert_eq!(
            t.status(&inventory(vec![u]), DENY_INSECURE_TRANSPORT),
            Status::Error
        );
    }

    #[test]
    fn versioning_on_log_and_irreplaceable_buckets_only() {
        let (t, mut inv) = log_inventory();
        let r = t.eval(&inv, VERSIONING);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.finding_statuses(&inv, VERSIONING),
            vec![
                ("bucket/trail-logs".to_string(), Status::Fail),
                ("bucket/access-logs".to_string(), Status::Fail),
                ("bucket/precious".to_string(), Status::Fail),
            ]
        );
        assert!(r.findings[0].detail.contains("trail main"));
        assert!(r.findings[1].detail.contains("data"));
        assert!(r.findings[2].detail.contains("irreplaceable"));
        for name in ["trail-logs", "access-logs"] {
            let mut b = get_bucket(&inv, name).clone();
            b.versioning = Some(Fetched::Ready(Versioning {
                status: Some(VersioningStatus::Enabled),
                mfa_delete: false,
            }));
            set_bucket(&mut inv, b);
        }
        let mut p = get_bucket(&inv, "precious").clone();
        p.versioning = Some(Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Suspended),
            mfa_delete: false,
        }));
        set_bucket(&mut inv, p.clone());
        let r = t.eval(&inv, VERSIONING);
        assert_eq!(r.findings.len(), 1);
        assert!(
            r.findings[0].detail.contains("suspended"),
            "{}",
            r.findings[0].detail
        );
        p.versioning = Some(Fetched::Error(denied("s3:GetBucketVersioning")));
        set_bucket(&mut inv, p);
        assert_eq!(t.status(&inv, VERSIONING), Status::Error);
        // No log bucket at all: the item does not apply.
        let t = T::at(now());
        assert_eq!(
            t.status(&inventory(vec![bucket("data")]), VERSIONING),
            Status::NotApplicable
        );
    }

    #[test]
    fn mfa_delete_on_the_same_buckets() {
        let (t, mut inv) = log_inventory();
        assert_eq!(t.finding_statuses(&inv, MFA_DELETE).len(), 3);
        for name in ["trail-logs", "access-logs", "precious"] {
            let mut b = get_bucket(&inv, name).clone();
            b.versioning = Some(Fetched::Ready(Versioning {
                status: Some(VersioningStatus::Enabled),
                mfa_delete: true,
            }));
            set_bucket(&mut inv, b);
        }
        assert_eq!(t.status(&inv, MFA_DELETE), Status::Pass);
        assert_eq!(
            T::at(now()).status(&inventory(vec![]), MFA_DELETE),
            Status::NotApplicable
        );
        // MFA Delete left on after versioning was suspended: a plain delete
        // removes the null version without MFA, so it fails, and the fix
        // turns versioning back on with MFA Delete.
        let mut b = get_bucket(&inv, "precious").clone();
        b.versioning = Some(Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Suspended),
            mfa_delete: true,
        }));
        set_bucket(&mut inv, b);
        assert_eq!(t.status(&inv, MFA_DELETE), Status::Fail);
        let failing = t.finding_statuses(&inv, MFA_DELETE);
        assert_eq!(
            failing.iter().filter(|(_, s)| *s == Status::Fail).count(),
            1,
            "{failing:?}"
        );
    }

    /// Versioning on, with MFA Delete, on each of `names`.
    fn versioned_with_mfa_delete(inv: &mut Inventory, names: &[&str]) {
        for name in names {
            let mut b = get_bucket(inv, name).clone();
            b.versioning = Some(Fetched::Ready(Versioning {
                status: Some(VersioningStatus::Enabled),
                mfa_delete: true,
            }));
            set_bucket(inv, b);
        }
    }

    /// A judged bucket whose versioning was not read is an error on both
    /// items, never a pass or a fail; a bucket no item judges is not listed.
    #[test]
    fn versioning_not_read_is_unknown() {
        let (t, mut inv) = log_inventory();
        versioned_with_mfa_delete(&mut inv, &["trail-logs", "access-logs", "precious", "data"]);
        let mut data = get_bucket(&inv, "data").clone();
        data.versioning = None;
        set_bucket(&mut inv, data);
        assert_eq!(t.status(&inv, VERSIONING), Status::Pass);
        assert_eq!(t.status(&inv, MFA_DELETE), Status::Pass);
        let mut logs = get_bucket(&inv, "access-logs").clone();
        logs.versioning = None;
        set_bucket(&mut inv, logs);
        for item in [VERSIONING, MFA_DELETE] {
            let r = t.eval(&inv, item);
            assert_eq!(r.status, Status::Error, "{item}");
            assert_eq!(
                t.finding_statuses(&inv, item),
                vec![("bucket/access-logs".to_string(), Status::Error)],
                "{item}"
            );
            assert!(r.findings[0].detail.contains("not read"), "{r:?}");
        }
    }

    /// A bucket whose access logging could not be read may send its logs
    /// to any bucket: the items judging log buckets report it as an error
    /// naming it, never pass and never "no log bucket".
    #[test]
    fn unreadable_logging_leaves_the_log_buckets_unknown() {
        let (t, mut inv) = log_inventory();
        versioned_with_mfa_delete(&mut inv, &["trail-logs", "access-logs", "precious"]);
        assert_eq!(t.status(&inv, VERSIONING), Status::Pass);
        assert_eq!(t.status(&inv, MFA_DELETE), Status::Pass);
        // "site" logs somewhere unknown (it could be the unversioned "data").
        let mut site = bucket("site");
        site.logging = Fetched::Error(denied("s3:GetBucketLogging"));
        set_bucket(&mut inv, site.clone());
        for item in [VERSIONING, MFA_DELETE] {
            let r = t.eval(&inv, item);
            assert_eq!(r.status, Status::Error, "{item}: {r:?}");
            assert_eq!(
                t.finding_statuses(&inv, item),
                vec![("bucket/site".to_string(), Status::Error)],
                "{item}"
            );
            assert!(r.findings[0].detail.contains("site"), "{r:?}");
            assert!(r.findings[0].detail.contains("unknown"), "{r:?}");
        }
        // No known log bucket at all: unknown, not "does not apply".
        let lone = inventory(vec![site, bucket("data")]);
        let plain = T::at(now());
        for item in [VERSIONING, MFA_DELETE] {
            assert_eq!(plain.status(&lone, item), Status::Error, "{item}");
        }
        assert_eq!(
            plain.status(&inventory(vec![bucket("data")]), VERSIONING),
            Status::NotApplicable
        );
    }

    fn cf_inventory(buckets: Vec<Bucket>, distributions: Vec<Distribution>) -> Inventory {
        let mut inv = inventory(buckets);
        inv.set(PartValue::CloudFront(crate::aws::inventory::CloudFront {
            distributions,
            origin_access_controls: vec![crate::checks::testkit::site_oac("OAC1")],
        }));
        inv
    }

    fn dist_arn(id: &str) -> String {
        format!("arn:aws:cloudfront::{ACCOUNT}:distribution/{id}")
    }

    #[test]
    fn cloudfront_origins_need_access_control_and_a_scoped_grant() {
        let t = T::at(now());
        let grant = |arn: &str| {
            crate::checks::s3::fix::cloudfront_read_statement("arn:aws:s3:::site", "E1", arn)
        };
        let mut oac = origin("s3site", "site");
        oac.oac_id = Some("OAC1".into());
        // OAC and a grant for this distribution: pass.
        let inv = cf_inventory(
            vec![with_policy(bucket("site"), vec![grant(&dist_arn("E1"))])],
            vec![distribution("E1", vec![oac.clone()])],
        );
        assert_eq!(t.status(&inv, CLOUDFRONT_ORIGIN_ACCESS), Status::Pass);
        // A grant for another distribution, or for all of them, does not count.
        for arn in [
            dist_arn("E2"),
            format!("arn:aws:cloudfront::{ACCOUNT}:distribution/*"),
        ] {
            let inv = cf_inventory(
                vec![with_policy(bucket("site"), vec![grant(&arn)])],
                vec![distribution("E1", vec![oac.clone()])],
            );
            let r = t.eval(&inv, CLOUDFRONT_ORIGIN_ACCESS);
            assert_eq!(r.status, Status::Fail, "{arn}");
            assert_eq!(r.findings[0].resource, "distribution/E1");
            assert!(
                r.findings[0].detail.contains("does not let"),
                "{}",
                r.findings[0].detail
            );
        }
        // No origin access at all: fail, whatever the policy says.
        let inv = cf_inventory(
            vec![with_policy(bucket("site"), vec![grant(&dist_arn("E1"))])],
            vec![distribution("E1", vec![origin("s3site", "site")])],
        );
        let r = t.eval(&inv, CLOUDFRONT_ORIGIN_ACCESS);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.findings[0].detail.contains("neither"),
            "{}",
            r.findings[0].detail
        );
        assert_eq!(r.findings[0].region, None);
        // A legacy OAI with a grant to the OAI (ARN or canonical user): pass.
        let mut oai = origin("s3site", "site");
        oai.s3_oai = Some("origin-access-identity/cloudfront/EOAI1".into());
        for principal in [
            json!({"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOAI1"}),
            json!({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}),
        ] {
            let stmt = json!({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"});
            let inv = cf_inventory(
                vec![with_policy(bucket("site"), vec![stmt])],
                vec![distribution("E1", vec![oai.clone()])],
            );
            assert_eq!(t.status(&inv, CLOUDFRONT_ORIGIN_ACCESS), Status::Pass);
        }
        let inv = cf_inventory(vec![bucket("site")], vec![distribution("E1", vec![oai])]);
        assert_eq!(t.status(&inv, CLOUDFRONT_ORIGIN_ACCESS), Status::Fail);
        // A bucket in another account: its policy is not ours to check.
        let inv = cf_inventory(vec![], vec![distribution("E1", vec![oac.clone()])]);
        let r = t.eval(&inv, CLOUDFRONT_ORIGIN_ACCESS);
        assert_eq!(r.status, Status::Pass);
        assert!(r.findings[0].detail.contains("not in this account"));
        // An unreadable policy: error.
        let mut u = bucket("site");
        u.policy = Fetched::Error(denied("s3:GetBucketPolicy"));
        let inv = cf_inventory(vec![u], vec![distribution("E1", vec![oac])]);
        assert_eq!(t.status(&inv, CLOUDFRONT_ORIGIN_ACCESS), Status::Error);
        // Website endpoints and custom origins are not S3 origins.
        let mut web = origin("web", "site");
        web.domain_name = "site.s3-website-eu-west-1.amazonaws.com".into();
        let mut custom = origin("api", "x");
        custom.domain_name = "api.example.com".into();
        let inv = cf_inventory(vec![], vec![distribution("E1", vec![web, custom])]);
        assert_eq!(
            t.status(&inv, CLOUDFRONT_ORIGIN_ACCESS),
            Status::NotApplicable
        );
    }

    #[test]
    fn presigned_downloads_is_guided() {
        let mut t = T::at(now());
        assert_eq!(
            t.status(&Inventory::default(), PRESIGNED_DOWNLOADS),
            Status::Manual
        );
        t.done.insert(PRESIGNED_DOWNLOADS.into(), now());
        assert_eq!(
            t.status(&Inventory::default(), PRESIGNED_DOWNLOADS),
            Status::Pass
        );
    }

    #[test]
    fn loading_and_part_errors() {
        let t = T::at(now());
        let inv = Inventory::default();
        assert_eq!(t.status(&inv, PUBLIC_POLICIES), Status::Loading);
        let mut inv = inventory(vec![]);
        inv.set_error(
            PartId::S3AccountPublicAccessBlock,
            denied("s3:GetAccountPublicAccessBlock"),
        );
        let r = t.eval(&inv, PUBLIC_ACLS);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("s3:GetAccountPublicAccessBlock"));
    }

    #[test]
    fn every_message_key_used_exists() {
        let t = T::at(now()).public("bad");
        let mut t2 = T::at(now());
        t2.settings.irreplaceable_buckets.push("precious".into());
        for inv in edge_inventories() {
            for def in ITEMS {
                for t in [&t, &t2] {
                    let r = crate::checks::evaluate(def, &inv, &t.ctx());
                    let texts =
                        std::iter::once(&r.summary).chain(r.findings.iter().map(|f| &f.detail));
                    for s in texts {
                        assert!(
                            !s.contains(&format!("{}: ", def.id))
                                && !s.starts_with("s3: ")
                                && !s.contains('{'),
                            "{}: {s}",
                            def.id
                        );
                    }
                }
            }
        }
    }
}
