//! The trail's log bucket: not public, MFA Delete, archived to Glacier,
//! access-logged.

use super::*;

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
        // The block goes on after the policy is narrowed: S3 refuses a
        // public policy under BlockPublicPolicy, so undo (which runs the
        // inverses newest first) must lift the block before it puts the
        // old policy back.
        let block = match &b.public_access_block {
            Fetched::Ready(p)
                if !p.is_some_and(|p| p.all_on()) && !account_pab.is_some_and(|a| a.all_on()) =>
            {
                Some(Op::PutBucketPublicAccessBlock(
                    crate::aws::ops::PutBucketPublicAccessBlock {
                        bucket: b.name.clone(),
                        region: b.region.clone(),
                        config: PublicAccessBlock::ALL,
                    },
                ))
            }
            _ => None,
        };
        let Fetched::Ready(current) = &b.policy else {
            ops.extend(block);
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
        ops.extend(block);
    }
    done(ops, item_warning(BUCKET_NOT_PUBLIC))
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
    crate::checks::s3::fix::mfa_delete(inv, ctx, &scoped)
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
        let r = crate::aws::inventory::ResourceRef::Lifecycle {
            bucket: bucket.clone(),
        }
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
                let to_glacier = Transition {
                    storage_class: "GLACIER".into(),
                    days: Some(days),
                    date: None,
                };
                all.push(LifecycleRule {
                    id: Some(id),
                    status: "Enabled".into(),
                    filter: Some(LifecycleFilter {
                        prefix: Some(log_prefix),
                        object_size_greater_than: Some(ARCHIVE_FROM_BYTES),
                        ..Default::default()
                    }),
                    transitions: vec![to_glacier],
                    prefix: None,
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
    done(ops, item_warning(ARCHIVE_TO_GLACIER))
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
    done(ops, item_warning(BUCKET_ACCESS_LOGGING))
}
