//! Plan builders of the `cloudtrail` section. Each chooses ops only;
//! `make_plan` derives the preview, inverses and drift baseline.
//!
//! Policies are edited, never replaced: bucket policy statements are
//! removed or merged and lifecycle rules are appended to the rules as read.

mod api_protected;
mod bucket;

pub use api_protected::{api_protected, protect_document};
pub use bucket::{
    access_log_statement, archive_to_glacier, bucket_access_logging, bucket_mfa_delete,
    bucket_not_public,
};

use crate::aws::inventory::{
    Bucket, Encryption, Fetched, Inventory, LifecycleFilter, LifecycleRule, Logging, PartId,
    PublicAccessBlock, Trail, Transition, customer_policy_arn, kms_key, topic, trail_arn,
};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::cloudtrail::{
    API_PROTECTED, ARCHIVE_TO_GLACIER, BUCKET_ACCESS_LOGGING, BUCKET_NOT_PUBLIC, ENCRYPTED,
    LOG_VALIDATION, MULTI_REGION, SNS_NOTIFICATIONS, TAMPER_ACTIONS, cloudtrail_can_write,
    foreign_owner, left_alone, log_prefixes, offenders, over_broad, trail_buckets, trail_resource,
    unarchived_prefixes,
};
use crate::checks::reach::{Reach, find_topic};
use crate::checks::s3::bucket_resource;
use crate::guide::msg;
use crate::plan::build::{EMAIL, account, alnum, done, item_warning, nothing};
use crate::plan::topic::topic_policy;
use crate::plan::{Draft, InputKind, InputSpec, Inputs, Op, PlanError, TrailEdit};
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

/// cloudtrail.sns-notifications: who receives the trail's announcements.
pub const SNS_INPUTS: &[InputSpec] = &[EMAIL];

/// The trail moat creates.
pub const TRAIL_NAME: &str = "moat-multi-region";
/// The managed policy that denies tampering with trails.
pub const PROTECT_POLICY: &str = "ProtectCloudTrail";
/// The KMS alias of the key moat creates for trails.
pub const TRAIL_KEY_ALIAS: &str = "alias/moat-cloudtrail";
pub const TRAIL_TOPIC: &str = "moat-cloudtrail-notifications";
pub const GLACIER_RULE: &str = "moat-archive-cloudtrail-logs";
/// The size filter of moat's archive rule: objects larger than this many
/// bytes transition, overriding S3's default 128 KB minimum for this rule
/// only (the value of AWS's own example for small objects).
pub const ARCHIVE_FROM_BYTES: i64 = 1;

fn a(op: impl Into<Op>) -> Op {
    op.into()
}

fn home(inv: &Inventory) -> Result<String, PlanError> {
    inv.session_regions
        .ready()
        .map(|r| r.home.clone())
        .filter(|h| !h.is_empty())
        .ok_or(PlanError::NotReady(PartId::SessionRegions))
}

pub(crate) fn ready_trails(inv: &Inventory) -> Result<&[Trail], PlanError> {
    inv.trails
        .ready()
        .map(Vec::as_slice)
        .ok_or(PlanError::NotReady(PartId::Trails))
}

fn s3_ready(inv: &Inventory) -> Result<&crate::aws::inventory::S3, PlanError> {
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
    done(ops, item_warning(MULTI_REGION))
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
    done(ops, item_warning(ENCRYPTED))
}

// ---------------------------------------------------------------------------
// cloudtrail.sns-notifications

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
    let unheard: Vec<(&Trail, &crate::aws::inventory::Topic)> = all
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
            inv.sns_topics
                .region(region)?
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
    let mut warnings = item_warning(SNS_NOTIFICATIONS);
    warnings.push(msg(SNS_NOTIFICATIONS, "email", &[("email", &email)]));
    done(ops, warnings)
}
