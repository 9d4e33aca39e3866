//! Plan builders of the `cloudtrail` and `cloudwatch` sections. Each chooses
//! ops only; `make_plan` derives the preview, inverses and drift baseline.
//!
//! Policies are edited, never replaced: bucket policy statements are
//! removed or merged and lifecycle rules are appended to the rules as read.

use super::{Draft, InputKind, InputSpec, Inputs, Op, PlanError, TrailEdit};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::cloudtrail::{
    API_PROTECTED, ARCHIVE_TO_GLACIER, BUCKET_ACCESS_LOGGING, BUCKET_NOT_PUBLIC, ENCRYPTED,
    LOG_VALIDATION, MULTI_REGION, SNS_NOTIFICATIONS, TAMPER_ACTIONS, bucket_resource,
    cloudtrail_can_write, foreign_owner, left_alone, log_prefixes, offenders, over_broad,
    trail_buckets, trail_resource, unarchived_prefixes,
};
use crate::checks::cloudwatch::{
    BILLING_ALARMS, BILLING_REGION, RDS_CONNECTION_ALARMS, RDS_CONNECTIONS_METRIC, RDS_DIMENSION,
    RDS_NAMESPACE, Reach, SECURITY_EVENT_ALARMS, SECURITY_EVENTS, SECURITY_NAMESPACE,
    connection_reach, event_watch, find_topic, watched_trail,
};
use crate::guide::msg;
use crate::inventory::{
    Bucket, Dimension, Encryption, Fetched, Inventory, LifecycleFilter, LifecycleRule, Logging,
    MetricAlarm, MetricFilter, PartId, PublicAccessBlock, Threshold, Trail, Transition,
    customer_policy_arn, kms_key, regional, topic, trail_arn,
};
use crate::policy;
use serde_json::{Value, json};

/// cloudtrail.multi-region-trail: the log bucket (`{account}` and `{region}`
/// are filled in when the default is used).
pub const MULTI_REGION_INPUTS: &[InputSpec] = &[InputSpec {
    name: "bucket",
    kind: InputKind::BucketName,
    default: Some("moat-cloudtrail-{account}-{region}"),
}];

/// cloudtrail.archive-to-glacier: days before log files move to Glacier.
pub const GLACIER_INPUTS: &[InputSpec] = &[InputSpec {
    name: "days",
    kind: InputKind::Int { min: 1, max: 3650 },
    default: Some("90"),
}];

/// cloudwatch.billing-alarms: the usual monthly bill and who gets the alarms.
pub const BILLING_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "monthly",
        kind: InputKind::Amount,
        default: None,
    },
    InputSpec {
        name: "email",
        kind: InputKind::Email,
        default: None,
    },
];

/// cloudwatch.security-event-alarms: who gets the alarms.
/// cloudtrail.sns-notifications: who receives the trail's announcements.
pub const SNS_INPUTS: &[InputSpec] = &[InputSpec {
    name: "email",
    kind: InputKind::Email,
    default: None,
}];

pub const SECURITY_INPUTS: &[InputSpec] = &[InputSpec {
    name: "email",
    kind: InputKind::Email,
    default: None,
}];

/// cloudwatch.rds-connection-alarms: the connection count above which the
/// alarm fires, and who gets it.
pub const RDS_ALARM_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "connections",
        kind: InputKind::Int {
            min: 1,
            max: 100_000,
        },
        default: None,
    },
    InputSpec {
        name: "email",
        kind: InputKind::Email,
        default: None,
    },
];

/// The trail moat creates.
pub const TRAIL_NAME: &str = "moat-multi-region";
/// The managed policy that denies tampering with trails.
pub const PROTECT_POLICY: &str = "ProtectCloudTrail";
/// The KMS alias of the key moat creates for trails.
pub const TRAIL_KEY_ALIAS: &str = "alias/moat-cloudtrail";
pub const TRAIL_TOPIC: &str = "moat-cloudtrail-notifications";
pub const BILLING_TOPIC: &str = "moat-billing-alarms";
pub const SECURITY_TOPIC: &str = "moat-security-alarms";
pub const RDS_TOPIC: &str = "moat-rds-alarms";
pub const GLACIER_RULE: &str = "moat-archive-cloudtrail-logs";
/// The size filter of moat's archive rule: objects larger than this many
/// bytes transition, overriding S3's default 128 KB minimum for this rule
/// only (the value of AWS's own example for small objects).
pub const ARCHIVE_FROM_BYTES: i64 = 1;
/// How much above the usual bill the second billing alarm fires.
pub const BILLING_MARGIN: f64 = 1.15;

fn a(op: impl Into<Op>) -> Op {
    op.into()
}

fn nothing() -> PlanError {
    PlanError::NothingToDo(msg("plan", "nothing", &[]))
}

fn done(ops: Vec<Op>, warnings: Vec<String>) -> Result<Draft, PlanError> {
    if ops.is_empty() {
        return Err(nothing());
    }
    Ok(Draft { ops, warnings })
}

fn guide_warning(item: &str) -> Vec<String> {
    crate::guide::guide()
        .item(item)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect()
}

fn account(inv: &Inventory) -> Result<String, PlanError> {
    inv.account_id()
        .map(str::to_string)
        .ok_or(PlanError::NotReady(PartId::Identity))
}

fn home(inv: &Inventory) -> Result<String, PlanError> {
    inv.audit_regions
        .ready()
        .map(|r| r.home.clone())
        .filter(|h| !h.is_empty())
        .ok_or(PlanError::NotReady(PartId::AuditRegions))
}

fn ready_trails(inv: &Inventory) -> Result<&[Trail], PlanError> {
    inv.trails
        .ready()
        .map(Vec::as_slice)
        .ok_or(PlanError::NotReady(PartId::Trails))
}

fn s3_ready(inv: &Inventory) -> Result<&crate::inventory::S3, PlanError> {
    inv.s3.ready().ok_or(PlanError::NotReady(PartId::S3Buckets))
}

/// The bucket's policy as read; a policy that could not be read is never
/// overwritten.
fn known_policy(b: &Bucket) -> Result<Option<&Value>, PlanError> {
    match &b.policy {
        Fetched::Ready(p) => Ok(p.as_ref()),
        Fetched::Error(e) => Err(PlanError::Invalid(msg(
            "cloudtrail",
            "policy_unreadable",
            &[("bucket", &b.name), ("error", &e.summary())],
        ))),
    }
}

fn alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The statements CloudTrail needs on its bucket for one trail: check the
/// bucket ACL, and write under `AWSLogs/<account>/` with the owner in full
/// control, both only for this trail (`aws:SourceArn`).
pub fn cloudtrail_statements(
    partition: &str,
    bucket: &str,
    account: &str,
    trail_arn: &str,
    trail: &str,
) -> [Value; 2] {
    [
        json!({
            "Sid": format!("AWSCloudTrailAclCheck{}", alnum(trail)),
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": format!("arn:{partition}:s3:::{bucket}"),
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        }),
        json!({
            "Sid": format!("AWSCloudTrailWrite{}", alnum(trail)),
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("arn:{partition}:s3:::{bucket}/AWSLogs/{account}/*"),
            "Condition": {"StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SourceArn": trail_arn,
            }},
        }),
    ]
}

/// `doc` with the statements merged in (same Sid replaced, others kept).
fn merged(doc: Option<&Value>, statements: impl IntoIterator<Item = Value>) -> Value {
    let mut out = doc.cloned();
    for s in statements {
        out = Some(policy::with_statement(out.as_ref(), s));
    }
    out.unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}))
}

/// Create a private bucket: CreateBucket, then all four public access
/// block flags and default encryption (whatever the account's or the
/// emulator's defaults), then its policy.
fn new_private_bucket(bucket: &str, region: &str, policy: Value) -> Vec<Op> {
    vec![
        Op::CreateBucket(crate::aws::ops::CreateBucket {
            bucket: bucket.to_string(),
            region: region.to_string(),
        }),
        Op::PutBucketPublicAccessBlock(crate::aws::ops::PutBucketPublicAccessBlock {
            bucket: bucket.to_string(),
            region: region.to_string(),
            config: PublicAccessBlock::ALL,
        }),
        Op::PutBucketEncryption(crate::aws::ops::PutBucketEncryption {
            bucket: bucket.to_string(),
            region: region.to_string(),
            encryption: Encryption {
                algorithm: "AES256".into(),
                kms_key: None,
                bucket_key: None,
            },
        }),
        Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
            bucket: bucket.to_string(),
            region: region.to_string(),
            policy,
        }),
    ]
}

// ---------------------------------------------------------------------------
// cloudtrail.multi-region-trail

/// Another account's organization trails among `trails`: CloudTrail
/// refuses any change to them from this (member) account, so the plan is a
/// guided step asking their owner to `change` them. `None` when all are ours.
fn foreign_guidance(inv: &Inventory, trails: &[&Trail], change: &str) -> Option<PlanError> {
    let foreign: Vec<(&Trail, &str)> = trails
        .iter()
        .filter_map(|t| foreign_owner(inv, t).map(|o| (*t, o)))
        .collect();
    let (_, owner) = foreign.first()?;
    let names: Vec<&str> = foreign.iter().map(|(t, _)| t.name.as_str()).collect();
    Some(PlanError::Guided(msg(
        "cloudtrail",
        "foreign_plan",
        &[
            ("trails", &names.join(", ")),
            ("owner", owner),
            ("change", change),
        ],
    )))
}

pub fn multi_region(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let all = ready_trails(inv)?;
    if all.iter().any(Trail::is_working_multi_region) {
        return Err(nothing());
    }
    // A multi-region trail of this account, read in full, that only needs to
    // log again or to record every management event: repair it.
    let repairable = |t: &&Trail| {
        t.is_multi_region
            && t.status_error.is_none()
            && matches!(t.event_selectors, Some(Fetched::Ready(_)))
            && foreign_owner(inv, t).is_none()
    };
    if all.iter().any(|t| repairable(&t)) {
        let Some(t) = all
            .iter()
            .filter(repairable)
            .find(|t| req.wants(&trail_resource(t)) || req.wants("account"))
        else {
            return Err(nothing());
        };
        let mut ops = vec![];
        // Selectors first, so the trail records everything once it logs.
        if let Some(Fetched::Ready(s)) = &t.event_selectors
            && !s.management().complete()
        {
            let Some(selectors) = s.with_management() else {
                return Err(PlanError::Guided(msg(
                    MULTI_REGION,
                    "selectors_full",
                    &[("trail", &t.name)],
                )));
            };
            ops.push(a(ops::PutEventSelectors {
                name: t.name.clone(),
                region: t.home_region.clone(),
                selectors,
            }));
        }
        if !t.is_logging {
            ops.push(a(ops::StartLogging {
                name: t.name.clone(),
                region: t.home_region.clone(),
            }));
        }
        return done(ops, vec![]);
    }
    // Another account's organization trail: only its owner can make it
    // work (or this account creates a trail of its own, by hand).
    let multi: Vec<&Trail> = all.iter().filter(|t| t.is_multi_region).collect();
    if let Some(guided) = foreign_guidance(inv, &multi, &msg(MULTI_REGION, "foreign_change", &[])) {
        return Err(guided);
    }
    // A multi-region trail of this account that could not be read may be
    // recording everything: a second trail would only add cost.
    if !multi.is_empty() {
        let names: Vec<&str> = multi.iter().map(|t| t.name.as_str()).collect();
        return Err(PlanError::Guided(msg(
            MULTI_REGION,
            "unreadable_plan",
            &[("trails", &names.join(", "))],
        )));
    }
    let account = account(inv)?;
    let region = home(inv)?;
    let s3 = s3_ready(inv)?;
    let bucket = match req.values.get("bucket") {
        Some(_) => req.get(&MULTI_REGION_INPUTS[0])?,
        None => format!("moat-cloudtrail-{account}-{region}"),
    };
    let mut name = TRAIL_NAME.to_string();
    let mut n = 2;
    while all.iter().any(|t| t.name == name) {
        name = format!("{TRAIL_NAME}-{n}");
        n += 1;
    }
    let arn = trail_arn(inv.partition(), &region, &account, &name);
    let statements = cloudtrail_statements(inv.partition(), &bucket, &account, &arn, &name);
    let mut ops = vec![];
    match s3.bucket(&bucket) {
        None => ops.extend(new_private_bucket(
            &bucket,
            &region,
            merged(None, statements),
        )),
        Some(b) => ops.push(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
            bucket: bucket.clone(),
            region: b.region.clone(),
            policy: merged(known_policy(b)?, statements),
        })),
    }
    ops.push(a(ops::CreateTrail {
        name: name.clone(),
        region: region.clone(),
        bucket,
        multi_region: true,
        log_file_validation: true,
    }));
    ops.push(a(ops::StartLogging { name, region }));
    done(ops, guide_warning(MULTI_REGION))
}

// ---------------------------------------------------------------------------
// cloudtrail.log-validation

pub fn log_validation(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let wanted: Vec<&Trail> = ready_trails(inv)?
        .iter()
        .filter(|t| !t.log_file_validation && req.wants(&trail_resource(t)))
        .collect();
    let ops: Vec<Op> = wanted
        .iter()
        .filter(|t| foreign_owner(inv, t).is_none())
        .map(|t| {
            a(ops::UpdateTrail {
                name: t.name.clone(),
                region: t.home_region.clone(),
                edits: vec![TrailEdit::LogFileValidation { enabled: true }],
            })
        })
        .collect();
    if ops.is_empty()
        && let Some(guided) =
            foreign_guidance(inv, &wanted, &msg(LOG_VALIDATION, "foreign_change", &[]))
    {
        return Err(guided);
    }
    done(ops, vec![])
}

// ---------------------------------------------------------------------------
// cloudtrail.api-protected

/// The `ProtectCloudTrail` policy: deny every call that stops, deletes or
/// blinds a trail.
pub fn protect_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyCloudTrailTampering",
            "Effect": "Deny",
            "Action": TAMPER_ACTIONS,
            "Resource": "*",
        }],
    })
}

/// Why IAM would refuse to attach one more managed policy to a principal,
/// as the inventory already shows: a role AWS Control Tower protects (its
/// SCP answers AccessDenied), or a principal that already has as many
/// managed policies attached as the account's quota allows (LimitExceeded).
/// Such a principal is left out of the batch, so that it cannot stop
/// halfway; the preview names it and what to do.
fn attach_refused(
    iam: &crate::inventory::Iam,
    quotas: &crate::inventory::IamQuotas,
    kind: crate::access::PrincipalKind,
    name: &str,
) -> Option<String> {
    use crate::access::PrincipalKind as K;
    const LIMITS: &str = "iam-limits";
    if kind == K::Role && crate::inventory::is_control_tower_role(name) {
        return Some(msg(LIMITS, "control_tower", &[]));
    }
    let (attached, quota) = match kind {
        K::User => (
            iam.user(name).map(|u| u.attached_policies.len()),
            quotas.policies_per_user,
        ),
        K::Group => (
            iam.group(name).map(|g| g.attached_policies.len()),
            quotas.policies_per_group,
        ),
        K::Role => (
            iam.roles
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.attached_policies.len()),
            quotas.policies_per_role,
        ),
    };
    let attached = attached?;
    (attached >= quota as usize).then(|| {
        msg(
            LIMITS,
            "policy_quota",
            &[
                ("count", &attached.to_string()),
                ("kind", kind.as_str()),
                ("quota", &quota.to_string()),
            ],
        )
    })
}

pub fn api_protected(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let iam = inv.iam.ready().ok_or(PlanError::NotReady(PartId::Iam))?;
    ready_trails(inv)?;
    let account = account(inv)?;
    let quotas = crate::inventory::iam_quotas(inv.account_summary.ready());
    let selected: Vec<_> = offenders(inv)
        .into_iter()
        .filter(|o| req.wants(&o.resource()))
        .collect();
    if selected.is_empty() {
        return Err(nothing());
    }
    let left_msg = |o: &crate::checks::cloudtrail::Offender, reason: &str| {
        msg(
            API_PROTECTED,
            "left",
            &[("principal", &o.resource()), ("reason", reason)],
        )
    };
    // Identity Center roles (IAM refuses changes) and the caller's own
    // principals (the deny would lock moat and its undo out) stay as they
    // are; the preview says why.
    let mut left: Vec<String> = vec![];
    let mut offenders = vec![];
    for o in selected {
        match left_alone(inv, &o.principal) {
            Some(why) => left.push(left_msg(&o, &why.reason())),
            None => offenders.push(o),
        }
    }
    use crate::access::PrincipalKind as K;
    // Groups first: their members are then covered without an attachment
    // each. A group IAM would refuse the attachment covers nobody.
    let mut groups: Vec<&String> = vec![];
    for o in offenders.iter().filter(|o| o.principal.kind == K::Group) {
        match attach_refused(iam, &quotas, K::Group, &o.principal.name) {
            Some(why) => left.push(left_msg(o, &why)),
            None => groups.push(&o.principal.name),
        }
    }
    let arn = customer_policy_arn(inv.partition(), &account, PROTECT_POLICY);
    let mut attach = vec![];
    for g in &groups {
        attach.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
            group: (*g).clone(),
            policy_arn: arn.clone(),
        }));
    }
    for o in &offenders {
        let p = &o.principal;
        match p.kind {
            K::Group => {}
            K::User => {
                // Covered by a group that gets the deny, unless its own policies grant.
                let covered = !p.direct
                    && iam
                        .user(&p.name)
                        .is_some_and(|u| u.groups.iter().any(|g| groups.contains(&g)));
                if covered
                    || iam
                        .user(&p.name)
                        .is_some_and(|u| u.attached_policies.contains(&arn))
                {
                    continue;
                }
                match attach_refused(iam, &quotas, K::User, &p.name) {
                    Some(why) => left.push(left_msg(o, &why)),
                    None => attach.push(a(ops::AttachUserPolicy {
                        user: p.name.clone(),
                        policy_arn: arn.clone(),
                    })),
                }
            }
            K::Role => match attach_refused(iam, &quotas, K::Role, &p.name) {
                Some(why) => left.push(left_msg(o, &why)),
                None => attach.push(a(ops::AttachRolePolicy {
                    role: p.name.clone(),
                    policy_arn: arn.clone(),
                })),
            },
        }
    }
    if attach.is_empty() {
        if left.is_empty() {
            return Err(nothing());
        }
        return Err(PlanError::Guided(left.join("\n")));
    }
    let mut ops = vec![];
    if iam.policy(&arn).is_none() {
        ops.push(Op::CreatePolicy(crate::aws::ops::CreatePolicy {
            name: PROTECT_POLICY.into(),
            document: protect_document(),
        }));
    }
    ops.extend(attach);
    let mut warnings = guide_warning(API_PROTECTED);
    warnings.extend(left);
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// cloudtrail.bucket-not-public

pub fn bucket_not_public(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    s3_ready(inv)?;
    ready_trails(inv)?;
    let account = account(inv)?;
    let account_pab = inv.s3_account_pab.ready().and_then(|p| p.as_ref());
    let mut ops = vec![];
    for (b, ts) in trail_buckets(inv) {
        if !req.wants(&bucket_resource(&b.name)) {
            continue;
        }
        if let Fetched::Ready(p) = &b.public_access_block
            && !p.is_some_and(|p| p.all_on())
            && !account_pab.is_some_and(|a| a.all_on())
        {
            ops.push(Op::PutBucketPublicAccessBlock(
                crate::aws::ops::PutBucketPublicAccessBlock {
                    bucket: b.name.clone(),
                    region: b.region.clone(),
                    config: PublicAccessBlock::ALL,
                },
            ));
        }
        let Fetched::Ready(current) = &b.policy else {
            continue;
        };
        let kept = match current {
            Some(doc) => policy::without_statements(doc, |s| over_broad(s, &account)),
            None => None,
        };
        let next = if kept.as_ref().is_some_and(cloudtrail_can_write) {
            kept
        } else {
            let statements: Vec<Value> = ts
                .iter()
                .flat_map(|t| {
                    cloudtrail_statements(inv.partition(), &b.name, &account, &t.arn, &t.name)
                })
                .collect();
            Some(merged(kept.as_ref(), statements))
        };
        if next.as_ref() != current.as_ref()
            && let Some(policy) = next
        {
            ops.push(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                bucket: b.name.clone(),
                region: b.region.clone(),
                policy,
            }));
        }
    }
    done(ops, guide_warning(BUCKET_NOT_PUBLIC))
}

// ---------------------------------------------------------------------------
// cloudtrail.bucket-mfa-delete: the s3.mfa-delete plan, on trail buckets only.

pub fn bucket_mfa_delete(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    s3_ready(inv)?;
    ready_trails(inv)?;
    let names: Vec<String> = trail_buckets(inv)
        .into_iter()
        .map(|(b, _)| bucket_resource(&b.name))
        .filter(|r| req.wants(r))
        .collect();
    if names.is_empty() {
        return Err(nothing());
    }
    let scoped = Inputs {
        values: req.values.clone(),
        resources: names,
    };
    crate::plan::s3::mfa_delete(inv, ctx, &scoped)
}

// ---------------------------------------------------------------------------
// cloudtrail.encrypted

/// The key policy of the trail key: the account administers the key through
/// IAM; CloudTrail may generate data keys for this account's trails and
/// describe the key; principals of this account may decrypt log files.
pub fn trail_key_policy(partition: &str, account: &str) -> Value {
    let trails = format!("arn:{partition}:cloudtrail:*:{account}:trail/*");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIamPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AllowCloudTrailToEncryptLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
                },
            },
            {
                "Sid": "AllowCloudTrailToDescribeKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
            },
            {
                "Sid": "AllowAccountToDecryptLogs",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
                },
            },
        ],
    })
}

pub fn encrypted(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let all = ready_trails(inv)?;
    let s3 = s3_ready(inv)?;
    inv.kms_keys
        .ready()
        .ok_or(PlanError::NotReady(PartId::KmsKeys))?;
    let account = account(inv)?;
    let mut ops = vec![];
    for (b, _) in trail_buckets(inv) {
        if matches!(b.encryption, Fetched::Ready(None)) && req.wants(&bucket_resource(&b.name)) {
            ops.push(Op::PutBucketEncryption(
                crate::aws::ops::PutBucketEncryption {
                    bucket: b.name.clone(),
                    region: b.region.clone(),
                    encryption: Encryption {
                        algorithm: "AES256".into(),
                        kms_key: None,
                        bucket_key: None,
                    },
                },
            ));
        }
    }
    let unkeyed: Vec<&Trail> = all
        .iter()
        .filter(|t| t.kms_key_id.is_none() && req.wants(&trail_resource(t)))
        .collect();
    // One key per region: the key must live in the trail bucket's region.
    let mut keys: Vec<(String, String)> = vec![];
    for t in unkeyed.iter().filter(|t| foreign_owner(inv, t).is_none()) {
        let region = t
            .s3_bucket
            .as_deref()
            .and_then(|b| s3.bucket(b))
            .map(|b| b.region.clone())
            .unwrap_or_else(|| t.home_region.clone());
        let alias = match keys.iter().find(|(r, _)| *r == region) {
            Some((_, alias)) => alias.clone(),
            None => {
                let mut alias = TRAIL_KEY_ALIAS.to_string();
                let mut n = 2;
                loop {
                    match kms_key(inv, &region, &alias) {
                        None => {
                            ops.push(a(ops::CreateKmsKey {
                                region: region.clone(),
                                alias: alias.clone(),
                                description: msg(ENCRYPTED, "key_description", &[]),
                                policy: trail_key_policy(inv.partition(), &account),
                            }));
                            break;
                        }
                        Some(k) if k.state == "Enabled" => break,
                        // Scheduled for deletion or disabled: leave it, take another name.
                        Some(_) => {
                            alias = format!("{TRAIL_KEY_ALIAS}-{n}");
                            n += 1;
                        }
                    }
                }
                keys.push((region.clone(), alias.clone()));
                alias
            }
        };
        ops.push(a(ops::UpdateTrail {
            name: t.name.clone(),
            region: t.home_region.clone(),
            edits: vec![TrailEdit::KmsKey {
                key: Some(format!(
                    "arn:{}:kms:{region}:{account}:{alias}",
                    inv.partition()
                )),
            }],
        }));
    }
    if ops.is_empty()
        && let Some(guided) =
            foreign_guidance(inv, &unkeyed, &msg(ENCRYPTED, "foreign_change", &[]))
    {
        return Err(guided);
    }
    done(ops, guide_warning(ENCRYPTED))
}

// ---------------------------------------------------------------------------
// cloudtrail.sns-notifications

/// A topic policy: the account keeps full use of the topic, and `service`
/// may publish for the sources given.
pub fn topic_policy(
    partition: &str,
    region: &str,
    account: &str,
    name: &str,
    service: &str,
    source_arns: Vec<String>,
) -> Value {
    let arn = format!("arn:{partition}:sns:{region}:{account}:{name}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountOwnerUse",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": [
                    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                    "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic", "SNS:Publish",
                ],
                "Resource": arn,
            },
            {
                "Sid": format!("Allow{}Publish", alnum(service.split('.').next().unwrap_or(service))),
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "SNS:Publish",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": source_arns}},
            },
        ],
    })
}

pub fn sns_notifications(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let all = ready_trails(inv)?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    let account = account(inv)?;
    // Trails without a topic get moat's; a topic of this account that
    // reaches no one gets the address subscribed. A pending subscription
    // only needs confirming, and another account's topic is not ours.
    // Another account's (organization) trail cannot be changed from here.
    // A topic CloudTrail may not publish to (its policy, or a key such as
    // aws/sns that CloudTrail cannot use) is left as it is: the trail is
    // pointed at moat's topic instead, as a trail without one.
    let ours = |t: &&Trail| t.owner_account().is_none_or(|o| o == account.as_str());
    let blocked = |t: &Trail| {
        t.sns_topic_arn
            .as_deref()
            .filter(|a| !a.is_empty())
            .and_then(|arn| find_topic(inv, arn).ok())
            .is_some_and(|x| {
                x.name != TRAIL_TOPIC
                    && matches!(
                        crate::checks::cloudtrail::trail_publish(inv, t, x),
                        Reach::Nobody(_)
                    )
            })
    };
    let bare: Vec<&Trail> = all
        .iter()
        .filter(ours)
        .filter(|t| t.sns_topic_arn.as_deref().is_none_or(str::is_empty) || blocked(t))
        .filter(|t| req.wants(&trail_resource(t)))
        .collect();
    let unheard: Vec<(&Trail, &crate::inventory::Topic)> = all
        .iter()
        .filter(ours)
        .filter(|t| req.wants(&trail_resource(t)) && !blocked(t))
        .filter_map(|t| {
            let arn = t.sns_topic_arn.as_deref().filter(|a| !a.is_empty())?;
            if !matches!(
                crate::checks::cloudtrail::trail_topic_reach(inv, t, arn),
                Reach::Nobody(_)
            ) {
                return None;
            }
            let region = arn.split(':').nth(3)?;
            regional(&inv.sns_topics, region)?
                .iter()
                .find(|x| x.arn == arn)
                .map(|x| (t, x))
        })
        .collect();
    if bare.is_empty() && unheard.is_empty() {
        return Err(nothing());
    }
    let email = req.get(&SNS_INPUTS[0])?;
    let mut ops = vec![];
    let mut created: Vec<String> = vec![];
    let mut subscribed: Vec<String> = vec![];
    for t in &bare {
        let region = &t.home_region;
        let existing = topic(inv, region, TRAIL_TOPIC);
        if existing.is_none() && !created.contains(region) {
            let sources: Vec<String> = bare
                .iter()
                .filter(|x| x.home_region == *region)
                .map(|x| x.arn.clone())
                .collect();
            ops.push(a(ops::CreateSnsTopic {
                region: region.clone(),
                name: TRAIL_TOPIC.into(),
                policy: Some(topic_policy(
                    inv.partition(),
                    region,
                    &account,
                    TRAIL_TOPIC,
                    "cloudtrail.amazonaws.com",
                    sources,
                )),
            }));
            created.push(region.clone());
        }
        let key = format!("{region}/{TRAIL_TOPIC}");
        let has = existing.is_some_and(|x| {
            x.subscriptions
                .iter()
                .any(|s| s.protocol == "email" && s.endpoint == email)
        });
        if !has && !subscribed.contains(&key) {
            ops.push(a(ops::SubscribeSnsTopic {
                region: region.clone(),
                topic: TRAIL_TOPIC.into(),
                protocol: "email".into(),
                endpoint: email.clone(),
            }));
            subscribed.push(key);
        }
        ops.push(a(ops::UpdateTrail {
            name: t.name.clone(),
            region: region.clone(),
            edits: vec![TrailEdit::SnsTopic {
                topic: Some(TRAIL_TOPIC.into()),
            }],
        }));
    }
    for (_, x) in unheard {
        let region = x.arn.split(':').nth(3).unwrap_or_default().to_string();
        let key = format!("{region}/{}", x.name);
        if subscribed.contains(&key) {
            continue;
        }
        ops.push(a(ops::SubscribeSnsTopic {
            region,
            topic: x.name.clone(),
            protocol: "email".into(),
            endpoint: email.clone(),
        }));
        subscribed.push(key);
    }
    let mut warnings = guide_warning(SNS_NOTIFICATIONS);
    warnings.push(msg(SNS_NOTIFICATIONS, "email", &[("email", &email)]));
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// cloudtrail.archive-to-glacier

pub fn archive_to_glacier(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let lc = inv
        .trail_lifecycles
        .ready()
        .ok_or(PlanError::NotReady(PartId::TrailBucketLifecycles))?;
    let mut targets = vec![];
    for (bucket, l) in lc {
        let r = crate::inventory::ResourceRef::Audit(crate::inventory::AuditRef::Lifecycle {
            bucket: bucket.clone(),
        })
        .to_string();
        let Fetched::Ready(rules) = &l.rules else {
            continue;
        };
        if !(req.wants(&r) || req.wants(&bucket_resource(bucket))) {
            continue;
        }
        let prefixes = log_prefixes(inv, bucket);
        let missing: Vec<String> = unarchived_prefixes(l, rules, &prefixes)
            .into_iter()
            .cloned()
            .collect();
        if !missing.is_empty() {
            targets.push((bucket, l, rules, missing));
        }
    }
    if targets.is_empty() {
        return Err(nothing());
    }
    let days: i32 = req
        .get(&GLACIER_INPUTS[0])?
        .parse()
        .map_err(|_| PlanError::Input {
            name: "days".into(),
            message: "not a whole number".into(),
        })?;
    let ops = targets
        .into_iter()
        .map(|(bucket, l, rules, missing)| {
            // Every existing rule is kept exactly as read; one rule is
            // appended per log prefix no rule archives (a trail with an
            // S3KeyPrefix writes under PREFIX/AWSLogs/). Its own size filter
            // lets log files (a few KB each) transition whatever the bucket's
            // default minimum size, which stays as it was for the other rules.
            let mut all = rules.clone();
            for log_prefix in missing {
                let mut id = GLACIER_RULE.to_string();
                let mut n = 2;
                while all.iter().any(|r| r.id.as_deref() == Some(id.as_str())) {
                    id = format!("{GLACIER_RULE}-{n}");
                    n += 1;
                }
                all.push(LifecycleRule {
                    id: Some(id),
                    status: "Enabled".into(),
                    filter: Some(LifecycleFilter {
                        prefix: Some(log_prefix),
                        object_size_greater_than: Some(ARCHIVE_FROM_BYTES),
                        ..Default::default()
                    }),
                    prefix: None,
                    transitions: vec![Transition {
                        days: Some(days),
                        date: None,
                        storage_class: "GLACIER".into(),
                    }],
                    expiration: None,
                    noncurrent_transitions: vec![],
                    noncurrent_expiration: None,
                    abort_incomplete_multipart_days: None,
                });
            }
            a(ops::PutBucketLifecycle {
                bucket: bucket.clone(),
                region: l.region.clone(),
                rules: all,
                // Sent as read: a write without it would switch the other
                // rules of a configuration made before September 2024 to
                // S3's 128 KB default.
                transition_default_minimum_object_size: Some(l.default_minimum_size().to_string()),
            })
        })
        .collect();
    done(ops, guide_warning(ARCHIVE_TO_GLACIER))
}

// ---------------------------------------------------------------------------
// cloudtrail.bucket-access-logging

/// The statement letting S3's log delivery write server access logs.
pub fn access_log_statement(partition: &str, target: &str, account: &str) -> Value {
    json!({
        "Sid": "S3ServerAccessLogsPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": format!("arn:{partition}:s3:::{target}/*"),
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    })
}

pub fn bucket_access_logging(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let s3 = s3_ready(inv)?;
    ready_trails(inv)?;
    let account = account(inv)?;
    let mut ops = vec![];
    let mut prepared: Vec<String> = vec![];
    for (b, _) in trail_buckets(inv) {
        if !matches!(b.logging, Fetched::Ready(None)) || !req.wants(&bucket_resource(&b.name)) {
            continue;
        }
        // The target must be in the source bucket's region.
        let target = format!("moat-access-logs-{account}-{}", b.region);
        if !prepared.contains(&target) {
            let statement = access_log_statement(inv.partition(), &target, &account);
            match s3.bucket(&target) {
                None => ops.extend(new_private_bucket(
                    &target,
                    &b.region,
                    merged(None, [statement]),
                )),
                Some(t) => {
                    let current = known_policy(t)?;
                    let next = merged(current, [statement]);
                    if Some(&next) != current {
                        ops.push(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                            bucket: target.clone(),
                            region: t.region.clone(),
                            policy: next,
                        }));
                    }
                }
            }
            prepared.push(target.clone());
        }
        ops.push(a(ops::PutBucketLogging {
            bucket: b.name.clone(),
            region: b.region.clone(),
            logging: Some(Logging {
                target_bucket: target,
                target_prefix: format!("{}/", b.name),
            }),
        }));
    }
    done(ops, guide_warning(BUCKET_ACCESS_LOGGING))
}

// ---------------------------------------------------------------------------
// cloudwatch.billing-alarms

/// A topic for alarms in `region`, created with a policy letting CloudWatch
/// alarms of the account publish, and the e-mail subscribed.
fn alarm_topic(
    inv: &Inventory,
    region: &str,
    account: &str,
    name: &str,
    email: &str,
) -> (Vec<Op>, String) {
    let mut ops = vec![];
    let t = topic(inv, region, name);
    if t.is_none() {
        ops.push(a(ops::CreateSnsTopic {
            region: region.into(),
            name: name.into(),
            policy: Some(topic_policy(
                inv.partition(),
                region,
                account,
                name,
                "cloudwatch.amazonaws.com",
                vec![format!(
                    "arn:{}:cloudwatch:{region}:{account}:alarm:*",
                    inv.partition()
                )],
            )),
        }));
    }
    let subscribed = t.is_some_and(|t| {
        t.subscriptions
            .iter()
            .any(|s| s.protocol == "email" && s.endpoint == email)
    });
    if !subscribed {
        ops.push(a(ops::SubscribeSnsTopic {
            region: region.into(),
            topic: name.into(),
            protocol: "email".into(),
            endpoint: email.into(),
        }));
    }
    let arn = t
        .map(|t| t.arn.clone())
        .unwrap_or_else(|| format!("arn:{}:sns:{region}:{account}:{name}", inv.partition()));
    (ops, arn)
}

fn billing_alarm(name: &str, description: String, threshold: f64, topic_arn: &str) -> MetricAlarm {
    MetricAlarm {
        name: name.into(),
        description: Some(description),
        namespace: "AWS/Billing".into(),
        metric_name: "EstimatedCharges".into(),
        dimensions: vec![Dimension {
            name: "Currency".into(),
            value: "USD".into(),
        }],
        statistic: "Maximum".into(),
        // Billing data arrives a few times a day: a six-hour period.
        period: 21600,
        evaluation_periods: 1,
        threshold: Threshold(threshold),
        comparison_operator: "GreaterThanThreshold".into(),
        alarm_actions: vec![topic_arn.to_string()],
        actions_enabled: true,
        treat_missing_data: Some("missing".into()),
        extended_statistic: None,
        datapoints_to_alarm: None,
        math_metrics: vec![],
        unit: None,
    }
}

pub fn billing_alarms(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    inv.metric_alarms
        .ready()
        .ok_or(PlanError::NotReady(PartId::MetricAlarms))?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    if (crate::checks::item(BILLING_ALARMS).map(|d| (d.check)(inv, ctx).status))
        == Some(crate::checks::Status::Pass)
    {
        return Err(nothing());
    }
    if let Some(e) = crate::inventory::regional_error(&inv.metric_alarms, BILLING_REGION) {
        return Err(PlanError::Invalid(e.summary()));
    }
    inv.billing_metrics
        .ready()
        .ok_or(PlanError::NotReady(PartId::BillingMetrics))?;
    // An alarm on a metric CloudWatch does not publish never fires: only a
    // person can turn billing alerts on (a console setting).
    if crate::checks::cloudwatch::no_billing_metric(inv) {
        return Err(PlanError::Guided(msg(
            BILLING_ALARMS,
            "no_metric_plan",
            &[],
        )));
    }
    // Two alarms that will notify once a subscription is confirmed (or
    // whose topic moat cannot read): nothing moat could send would help.
    let may_reach = crate::checks::cloudwatch::billing_alarms_that_count(
        regional(&inv.metric_alarms, BILLING_REGION)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    )
    .filter(|a| {
        !matches!(
            crate::checks::cloudwatch::alarm_reach(inv, a),
            Reach::Nobody(_)
        )
    })
    .count();
    if may_reach >= 2 {
        let summary = crate::checks::item(BILLING_ALARMS)
            .map(|d| (d.check)(inv, ctx).summary)
            .unwrap_or_default();
        return Err(PlanError::Guided(summary));
    }
    let account = account(inv)?;
    let monthly: f64 = req
        .get(&BILLING_INPUTS[0])?
        .parse()
        .map_err(|_| PlanError::Input {
            name: "monthly".into(),
            message: "not an amount".into(),
        })?;
    let email = req.get(&BILLING_INPUTS[1])?;
    let high = (monthly * BILLING_MARGIN * 100.0).round() / 100.0;
    let (mut ops, arn) = alarm_topic(inv, BILLING_REGION, &account, BILLING_TOPIC, &email);
    let usual = format!("{monthly:.2}");
    let above = format!("{high:.2}");
    ops.push(a(ops::PutMetricAlarm {
        region: BILLING_REGION.into(),
        alarm: Box::new(billing_alarm(
            "moat-billing-usual",
            msg(BILLING_ALARMS, "usual_description", &[("amount", &usual)]),
            monthly,
            &arn,
        )),
    }));
    ops.push(a(ops::PutMetricAlarm {
        region: BILLING_REGION.into(),
        alarm: Box::new(billing_alarm(
            "moat-billing-high",
            msg(BILLING_ALARMS, "high_description", &[("amount", &above)]),
            high,
            &arn,
        )),
    }));
    let mut warnings = guide_warning(BILLING_ALARMS);
    warnings.push(msg(BILLING_ALARMS, "pending", &[("email", &email)]));
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// cloudwatch.security-event-alarms

pub fn security_event_alarms(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    ready_trails(inv)?;
    let Some((_, region, group)) = watched_trail(inv) else {
        // Events that reach another account's organization trail log group
        // are watched (or not) there: say where, not "no trail sends events".
        if let Some(f) = crate::checks::cloudtrail::watched_elsewhere(inv)
            .and_then(|o| o.findings.into_iter().next())
        {
            return Err(PlanError::Guided(f.detail));
        }
        return Err(PlanError::Guided(msg(
            SECURITY_EVENT_ALARMS,
            "no_log_group_plan",
            &[],
        )));
    };
    let filters =
        regional(&inv.metric_filters, &region).ok_or(PlanError::NotReady(PartId::MetricFilters))?;
    let alarms =
        regional(&inv.metric_alarms, &region).ok_or(PlanError::NotReady(PartId::MetricAlarms))?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    let account = account(inv)?;
    // Events no filter fully catches, or whose alarms tell no one. One
    // waiting for a confirmation, or whose topic moat cannot read, is left.
    let missing: Vec<_> = SECURITY_EVENTS
        .iter()
        .map(|e| (e, event_watch(inv, filters, alarms, &group, e)))
        .filter(|(_, w)| !w.missing.is_empty() || matches!(w.reach, None | Some(Reach::Nobody(_))))
        .filter(|(e, w)| {
            let name = w
                .filter
                .map(|f| f.name.clone())
                .unwrap_or_else(|| e.filter_name());
            req.wants(
                &crate::inventory::ResourceRef::Audit(crate::inventory::AuditRef::MetricFilter {
                    region: region.clone(),
                    log_group: group.clone(),
                    name,
                })
                .to_string(),
            )
        })
        .collect();
    if missing.is_empty() {
        return Err(nothing());
    }
    let email = req.get(&SECURITY_INPUTS[0])?;
    let (mut ops, arn) = alarm_topic(inv, &region, &account, SECURITY_TOPIC, &email);
    for (e, w) in missing {
        // A filter that catches every event by itself keeps its metric;
        // otherwise moat's own filter is written (replacing one of its
        // name that misses events).
        let reused = w.filter.filter(|_| w.whole && w.missing.is_empty());
        let (namespace, metric) = match reused {
            Some(f) => (f.metric_namespace.clone(), f.metric_name.clone()),
            None => {
                ops.push(a(ops::PutMetricFilter {
                    region: region.clone(),
                    filter: Box::new(MetricFilter {
                        log_group: group.clone(),
                        name: e.filter_name(),
                        pattern: e.pattern.into(),
                        metric_namespace: SECURITY_NAMESPACE.into(),
                        metric_name: e.metric.into(),
                        metric_value: "1".into(),
                        dimensions: vec![],
                        unit: None,
                        default_value: None,
                    }),
                }));
                (SECURITY_NAMESPACE.to_string(), e.metric.to_string())
            }
        };
        ops.push(a(ops::PutMetricAlarm {
            region: region.clone(),
            alarm: Box::new(MetricAlarm {
                name: e.filter_name(),
                description: Some(msg(
                    SECURITY_EVENT_ALARMS,
                    "alarm_description",
                    &[("event", e.metric)],
                )),
                namespace,
                metric_name: metric,
                dimensions: vec![],
                statistic: "Sum".into(),
                period: 300,
                evaluation_periods: 1,
                threshold: Threshold(1.0),
                comparison_operator: "GreaterThanOrEqualToThreshold".into(),
                alarm_actions: vec![arn.clone()],
                actions_enabled: true,
                treat_missing_data: Some("notBreaching".into()),
                extended_statistic: None,
                datapoints_to_alarm: None,
                math_metrics: vec![],
                unit: None,
            }),
        }));
    }
    let mut warnings = guide_warning(SECURITY_EVENT_ALARMS);
    warnings.push(msg(BILLING_ALARMS, "pending", &[("email", &email)]));
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// cloudwatch.rds-connection-alarms

/// The name of moat's connection alarm for a DB instance.
pub fn connection_alarm_name(id: &str) -> String {
    format!("moat-rds-connections-{id}")
}

/// One alarm per selected DB instance without one, in the instance's region,
/// on its maximum `DatabaseConnections` over five minutes, notifying an
/// e-mail topic in that region (created when missing).
pub fn rds_connection_alarms(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    inv.metric_alarms
        .ready()
        .ok_or(PlanError::NotReady(PartId::MetricAlarms))?;
    inv.sns_topics
        .ready()
        .ok_or(PlanError::NotReady(PartId::SnsTopics))?;
    let account = account(inv)?;
    let mut targets: Vec<(&str, &str)> = vec![];
    for (region, r) in &rds.regions {
        // A region whose instances or alarms could not be read is not planned.
        let Fetched::Ready(r) = r else { continue };
        if crate::inventory::regional_error(&inv.metric_alarms, region).is_some() {
            continue;
        }
        let alarms = regional(&inv.metric_alarms, region)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for i in &r.instances {
            // No alarm, or alarms that tell no one; pending ones wait for a confirmation.
            let unheard = matches!(
                connection_reach(inv, alarms, &i.id),
                None | Some(Reach::Nobody(_))
            );
            if unheard && req.wants(&crate::checks::rds::instance_resource(region, i)) {
                targets.push((region.as_str(), i.id.as_str()));
            }
        }
    }
    if targets.is_empty() {
        return Err(nothing());
    }
    let connections: f64 =
        req.get(&RDS_ALARM_INPUTS[0])?
            .parse()
            .map_err(|_| PlanError::Input {
                name: "connections".into(),
                message: "not a whole number".into(),
            })?;
    let email = req.get(&RDS_ALARM_INPUTS[1])?;
    let mut ops = vec![];
    let mut topic_region: Option<&str> = None;
    let mut arn = String::new();
    for (region, id) in targets {
        if topic_region != Some(region) {
            let (topic_ops, a) = alarm_topic(inv, region, &account, RDS_TOPIC, &email);
            ops.extend(topic_ops);
            arn = a;
            topic_region = Some(region);
        }
        let limit = format!("{connections}");
        ops.push(a(ops::PutMetricAlarm {
            region: region.into(),
            alarm: Box::new(MetricAlarm {
                name: connection_alarm_name(id),
                description: Some(msg(
                    RDS_CONNECTION_ALARMS,
                    "alarm_description",
                    &[("name", id), ("connections", &limit)],
                )),
                namespace: RDS_NAMESPACE.into(),
                metric_name: RDS_CONNECTIONS_METRIC.into(),
                dimensions: vec![Dimension {
                    name: RDS_DIMENSION.into(),
                    value: id.into(),
                }],
                statistic: "Maximum".into(),
                period: 300,
                evaluation_periods: 1,
                threshold: Threshold(connections),
                comparison_operator: "GreaterThanThreshold".into(),
                alarm_actions: vec![arn.clone()],
                actions_enabled: true,
                treat_missing_data: Some("notBreaching".into()),
                extended_statistic: None,
                datapoints_to_alarm: None,
                math_metrics: vec![],
                unit: None,
            }),
        }));
    }
    let mut warnings = guide_warning(RDS_CONNECTION_ALARMS);
    warnings.push(msg(BILLING_ALARMS, "pending", &[("email", &email)]));
    done(ops, warnings)
}

/// Principals IAM would refuse the deny: left out of the batch, named in
/// the preview.
#[cfg(test)]
mod api_protected_limits {
    use super::*;
    use crate::checks::testkit::T;
    use crate::inventory::{Group, IamQuotas, InlinePolicy, Role, User};

    fn allow_cloudtrail() -> Vec<InlinePolicy> {
        vec![InlinePolicy {
            name: "trails".into(),
            document: json!({"Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
        }]
    }

    fn policies(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("arn:aws:iam::111122223333:policy/p{i}"))
            .collect()
    }

    fn role(name: &str, attached: usize) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:role/{name}"),
            trust_policy: json!({"Statement": []}),
            attached_policies: policies(attached),
            inline_policies: allow_cloudtrail(),
            permissions_boundary: None,
        }
    }

    /// The demo account plus roles and a group that may stop trails: one at
    /// its quota of managed policies, one Control Tower protects, and
    /// ordinary ones.
    fn inventory() -> Inventory {
        let mut inv = crate::collect::demo::demo_inventory().expect("demo");
        let iam = inv.iam.ready_mut().expect("iam");
        iam.roles.push(role("full-role", 10));
        iam.roles.push(role("roomy-role", 9));
        iam.roles
            .push(role("aws-controltower-ReadOnlyExecutionRole", 0));
        iam.roles.push(role("stacksets-exec-0123abcd", 0));
        iam.groups.push(Group {
            name: "full-group".into(),
            arn: "arn:aws:iam::111122223333:group/full-group".into(),
            attached_policies: policies(10),
            inline_policies: allow_cloudtrail(),
        });
        iam.users.push(User {
            name: "member".into(),
            arn: "arn:aws:iam::111122223333:user/member".into(),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec!["full-group".into()],
            attached_policies: vec![],
            inline_policies: vec![],
            permissions_boundary: None,
            unreadable: None,
        });
        inv
    }

    fn targets(plan: &crate::plan::Plan) -> Vec<String> {
        plan.ops()
            .filter_map(|o| match o {
                Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy { group, .. }) => {
                    Some(format!("group/{group}"))
                }
                Op::AttachUserPolicy(ops::AttachUserPolicy { user, .. }) => {
                    Some(format!("user/{user}"))
                }
                Op::AttachRolePolicy(ops::AttachRolePolicy { role, .. }) => {
                    Some(format!("role/{role}"))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn principals_at_their_quota_or_locked_by_control_tower_are_left_out() {
        let t = T::new();
        let inv = inventory();
        let plan = t
            .plan(&inv, API_PROTECTED, &Inputs::default())
            .expect("plan");
        let to = targets(&plan);
        assert!(to.contains(&"role/roomy-role".to_string()), "{to:?}");
        for left in [
            "role/full-role",
            "group/full-group",
            "role/aws-controltower-ReadOnlyExecutionRole",
            "role/stacksets-exec-0123abcd",
        ] {
            assert!(!to.iter().any(|x| x == left), "{left} in {to:?}");
            assert!(
                plan.warnings
                    .iter()
                    .any(|w| w.contains(&format!("Not changed: {left}."))),
                "{left}: {:?}",
                plan.warnings
            );
        }
        // The group's member is not covered by a deny its group cannot
        // take, so it gets its own.
        assert!(to.contains(&"user/member".to_string()), "{to:?}");
        let w = plan.warnings.join("\n");
        assert!(
            w.contains("LimitExceeded") && w.contains("Control Tower"),
            "{w}"
        );

        // A quota raised to 20 (GetAccountSummary says so) lets it in.
        let mut raised = inv.clone();
        raised.account_summary = crate::inventory::Part::Ready(crate::inventory::AccountSummary {
            quotas: IamQuotas {
                policies_per_role: 20,
                ..IamQuotas::default()
            },
            ..Default::default()
        });
        let to = targets(
            &t.plan(&raised, API_PROTECTED, &Inputs::default())
                .expect("plan"),
        );
        assert!(to.contains(&"role/full-role".to_string()), "{to:?}");
        assert!(!to.contains(&"group/full-group".to_string()), "{to:?}");

        // Only refused principals selected: guidance, nothing to send.
        let only = Inputs {
            resources: vec!["role/full-role".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, API_PROTECTED, &only),
            Err(PlanError::Guided(m)) if m.contains("role/full-role")
        ));
    }
}
