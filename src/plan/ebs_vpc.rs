//! Plan builders of the `ebs` and `vpc` sections. Each chooses ops only;
//! `make_plan` derives the preview, inverses and drift baseline from them.
//! A region that could not be read is never planned for.

use super::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};
use crate::checks::Ctx;
use crate::checks::ebs::{
    ENCRYPTION_BY_DEFAULT, PUBLIC_SNAPSHOTS, RECENT_SNAPSHOTS, resource, stale_volumes,
};
use crate::checks::vpc::{FLOW_LOGS, THREAT_DETECTION};
use crate::guide::msg;
use crate::inventory::ebs_vpc::{EbsVpcRef, SnapshotPermissionChange, Vpc};
use crate::inventory::{Encryption, Fetched, Inventory, PartId, PublicAccessBlock, S3};
use crate::policy::statements as policy_statements;
use serde_json::{Value, json};

/// The value of the `bucket` input that lets moat choose.
pub const AUTO_BUCKET: &str = "auto";

pub const FLOW_LOG_INPUTS: &[InputSpec] = &[InputSpec {
    name: "bucket",
    kind: InputKind::BucketName,
    default: Some(AUTO_BUCKET),
}];

/// Sids of the statements that let the log-delivery service write.
pub const DELIVERY_WRITE_SID: &str = "AWSLogDeliveryWrite";
pub const DELIVERY_ACL_SID: &str = "AWSLogDeliveryAclCheck";

fn nothing() -> PlanError {
    PlanError::NothingToDo(msg("plan", "nothing", &[]))
}

/// The item's confirmation warning, from its guide text.
fn item_warning(id: &str) -> Vec<String> {
    crate::guide::guide()
        .item(id)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect()
}

fn done(ops: Vec<Op>, warnings: Vec<String>) -> Result<Draft, PlanError> {
    if ops.is_empty() {
        return Err(nothing());
    }
    Ok(Draft { ops, warnings })
}

fn wanted(req: &Inputs, r: EbsVpcRef) -> bool {
    req.wants(&resource(r))
}

/// Turn on encryption by default in every region where it is off.
pub fn encryption_by_default(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv
        .ebs_encryption
        .ready()
        .ok_or(PlanError::NotReady(PartId::EbsEncryption))?;
    let ops = p
        .iter_ready()
        .filter(|(_, on)| !**on)
        .map(|(region, _)| region.to_string())
        .filter(|region| {
            wanted(
                req,
                EbsVpcRef::EbsEncryption {
                    region: region.clone(),
                },
            )
        })
        .map(|region| {
            Op::EnableEbsEncryptionByDefault(crate::aws::ops::EnableEbsEncryptionByDefault {
                region,
            })
        })
        .collect();
    done(ops, item_warning(ENCRYPTION_BY_DEFAULT))
}

/// The `Name` tag of the snapshot moat takes of `volume` at `now`: unique
/// per volume and second, so undo can find exactly this snapshot.
pub fn snapshot_name(volume: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    format!("moat-{volume}-{}", now.format("%Y%m%d-%H%M%S"))
}

/// Snapshot every in-use volume whose newest snapshot is too old.
pub fn recent_snapshots(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv.ebs.ready().ok_or(PlanError::NotReady(PartId::Ebs))?;
    let date = ctx.now.format("%Y-%m-%d").to_string();
    let ops = stale_volumes(p, ctx)
        .into_iter()
        .filter(|(region, v, _)| {
            wanted(
                req,
                EbsVpcRef::Volume {
                    region: region.to_string(),
                    id: v.id.clone(),
                },
            )
        })
        .map(|(region, v, _)| {
            Op::CreateSnapshot(crate::aws::ops::CreateSnapshot {
                region: region.to_string(),
                volume_id: v.id.clone(),
                name: snapshot_name(&v.id, ctx.now),
                description: msg(
                    RECENT_SNAPSHOTS,
                    "snapshot_description",
                    &[("volume", &v.id), ("date", &date)],
                ),
            })
        })
        .collect();
    done(ops, item_warning(RECENT_SNAPSHOTS))
}

/// Remove the `all` group from every public snapshot's create-volume permission.
pub fn public_snapshots(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv.ebs.ready().ok_or(PlanError::NotReady(PartId::Ebs))?;
    let mut ops = vec![];
    for (region, r) in p.iter_ready() {
        for s in r
            .snapshots
            .iter()
            .filter(|s| s.public == Fetched::Ready(true))
        {
            if !wanted(
                req,
                EbsVpcRef::Snapshot {
                    region: region.to_string(),
                    id: s.id.clone(),
                },
            ) {
                continue;
            }
            ops.push(Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: region.to_string(),
                    snapshot_id: s.id.clone(),
                    change: SnapshotPermissionChange::Remove,
                },
            ));
        }
    }
    done(ops, item_warning(PUBLIC_SNAPSHOTS))
}

/// The AWS partition of the caller (`aws`, `aws-cn`, `aws-us-gov`).
fn partition(inv: &Inventory) -> String {
    inv.partition().to_string()
}

/// The bucket moat proposes: one the account's flow logs already go to,
/// else `moat-flow-logs-ACCOUNT` (bucket names are global: the account id
/// keeps it unique).
pub fn proposed_bucket(inv: &Inventory, s3: &S3, account: &str) -> String {
    let mut used: Vec<&str> = inv
        .vpc_flow_logs
        .ready()
        .into_iter()
        .flat_map(|p| p.iter_ready())
        .flat_map(|(_, r)| r.vpcs.iter())
        .flat_map(|v| v.flow_logs.iter())
        .filter(|f| f.is_working())
        .filter_map(|f| f.s3_bucket())
        .filter(|b| s3.bucket(b).is_some())
        .collect();
    used.sort();
    used.first()
        .map(|b| b.to_string())
        .unwrap_or_else(|| format!("moat-flow-logs-{account}"))
}

/// The statements that let VPC Flow Logs (the log-delivery service) write
/// to `bucket` for this account only.
pub fn delivery_statements(partition: &str, bucket: &str, account: &str) -> Vec<Value> {
    let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
    let source_arn = format!("arn:{partition}:logs:*:{account}:*");
    vec![
        json!({
            "Sid": DELIVERY_WRITE_SID,
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{bucket_arn}/AWSLogs/{account}/*"),
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": account,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                },
                "ArnLike": {"aws:SourceArn": source_arn},
            },
        }),
        json!({
            "Sid": DELIVERY_ACL_SID,
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": source_arn},
            },
        }),
    ]
}

/// Does this policy already let the log-delivery service write?
fn grants_delivery(policy: &Value) -> bool {
    policy_statements(policy).iter().any(|s| {
        s.get("Sid").and_then(Value::as_str) == Some(DELIVERY_WRITE_SID)
            || (s.get("Effect").and_then(Value::as_str) == Some("Allow")
                && s.pointer("/Principal/Service").and_then(Value::as_str)
                    == Some("delivery.logs.amazonaws.com")
                && s.to_string().contains("s3:PutObject"))
    })
}

/// An all-traffic flow log to S3 for every VPC without a working one; the
/// bucket is created (private, encrypted, TLS only, writable by log
/// delivery) when it does not exist, or its policy extended when it lacks
/// the log-delivery statements.
pub fn flow_logs(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv
        .vpc_flow_logs
        .ready()
        .ok_or(PlanError::NotReady(PartId::VpcFlowLogs))?;
    let s3 = inv
        .s3
        .ready()
        .ok_or(PlanError::NotReady(PartId::S3Buckets))?;
    let account = inv
        .account_id()
        .ok_or(PlanError::NotReady(PartId::Identity))?
        .to_string();
    let targets: Vec<(&str, &Vpc)> = p
        .iter_ready()
        .flat_map(|(region, r)| r.vpcs.iter().map(move |v| (region, v)))
        .filter(|(_, v)| v.active_flow_log().is_none())
        .filter(|(region, v)| {
            wanted(
                req,
                EbsVpcRef::Vpc {
                    region: region.to_string(),
                    id: v.id.clone(),
                },
            )
        })
        .collect();
    let Some((first_region, _)) = targets.first() else {
        return Err(nothing());
    };
    let given = req.get(&FLOW_LOG_INPUTS[0])?;
    let bucket = if given == AUTO_BUCKET {
        proposed_bucket(inv, s3, &account)
    } else {
        given
    };
    let partition = partition(inv);
    let mut ops = vec![];
    let mut warnings = item_warning(FLOW_LOGS);
    let bucket_region = match s3.bucket(&bucket) {
        None => {
            let region = first_region.to_string();
            let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
            let mut statements = delivery_statements(&partition, &bucket, &account);
            statements.push(crate::plan::s3::deny_insecure_statement(&bucket_arn));
            ops.push(Op::CreateBucket(crate::aws::ops::CreateBucket {
                bucket: bucket.clone(),
                region: region.clone(),
            }));
            ops.push(Op::PutBucketPublicAccessBlock(
                crate::aws::ops::PutBucketPublicAccessBlock {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    config: PublicAccessBlock::ALL,
                },
            ));
            ops.push(Op::PutBucketEncryption(
                crate::aws::ops::PutBucketEncryption {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    encryption: Encryption {
                        algorithm: "AES256".into(),
                        kms_key: None,
                        bucket_key: None,
                    },
                },
            ));
            ops.push(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                bucket: bucket.clone(),
                region: region.clone(),
                policy: json!({"Version": "2012-10-17", "Statement": statements}),
            }));
            warnings.push(msg(
                FLOW_LOGS,
                "new_bucket",
                &[("bucket", &bucket), ("region", &region)],
            ));
            region
        }
        Some(b) => {
            let current = match &b.policy {
                Fetched::Ready(p) => p.clone(),
                Fetched::Error(e) => {
                    return Err(PlanError::Invalid(msg(
                        FLOW_LOGS,
                        "policy_unreadable",
                        &[("bucket", &bucket), ("error", &e.summary())],
                    )));
                }
            };
            if !current.as_ref().is_some_and(grants_delivery) {
                let mut statements: Vec<Value> = current
                    .as_ref()
                    .map(|p| policy_statements(p).into_iter().cloned().collect())
                    .unwrap_or_default();
                statements.extend(delivery_statements(&partition, &bucket, &account));
                let mut policy = current
                    .clone()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| json!({"Version": "2012-10-17"}));
                policy["Statement"] = Value::Array(statements);
                ops.push(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                    bucket: bucket.clone(),
                    region: b.region.clone(),
                    policy,
                }));
                warnings.push(msg(FLOW_LOGS, "policy_extended", &[("bucket", &bucket)]));
            }
            b.region.clone()
        }
    };
    let destination = format!("arn:{partition}:s3:::{bucket}");
    let mut elsewhere: Vec<&str> = vec![];
    for (region, v) in &targets {
        if *region != bucket_region && !elsewhere.contains(region) {
            elsewhere.push(*region);
        }
        ops.push(Op::CreateFlowLogs(crate::aws::ops::CreateFlowLogs {
            region: region.to_string(),
            vpc_id: v.id.clone(),
            destination: destination.clone(),
        }));
    }
    if !elsewhere.is_empty() {
        warnings.push(msg(
            FLOW_LOGS,
            "cross_region",
            &[
                ("bucket", &bucket),
                ("region", &bucket_region),
                ("regions", &elsewhere.join(", ")),
            ],
        ));
    }
    Ok(Draft { ops, warnings })
}

/// Turn GuardDuty on where it is off: a new detector, or a suspended one enabled.
pub fn threat_detection(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let p = inv
        .guardduty
        .ready()
        .ok_or(PlanError::NotReady(PartId::GuardDuty))?;
    let mut ops = vec![];
    for (region, d) in p.iter_ready() {
        if !wanted(
            req,
            EbsVpcRef::GuardDuty {
                region: region.to_string(),
            },
        ) {
            continue;
        }
        let region = region.to_string();
        match d {
            None => ops.push(Op::CreateDetector(crate::aws::ops::CreateDetector {
                region,
            })),
            Some(d) if !d.enabled() => {
                let Some(id) = d.id.clone() else { continue };
                ops.push(Op::UpdateDetector(crate::aws::ops::UpdateDetector {
                    region,
                    detector_id: id,
                    enable: true,
                }));
            }
            Some(_) => {}
        }
    }
    done(ops, item_warning(THREAT_DETECTION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::testkit::*;
    use crate::inventory::ebs_vpc::{Detector, EbsRegion, VpcRegion};
    use crate::inventory::{Bucket, ResourceRef};

    #[test]
    fn encryption_plan_enables_only_the_regions_that_are_off() {
        let t = T::new();
        let mut inv = empty();
        inv.ebs_encryption = crate::inventory::Part::Ready(regions(vec![
            ("eu-west-1", Fetched::Ready(false)),
            ("us-east-1", Fetched::Ready(true)),
            (
                "us-west-2",
                Fetched::Error(denied("ec2:GetEbsEncryptionByDefault")),
            ),
        ]));
        let plan = t
            .plan(&inv, ENCRYPTION_BY_DEFAULT, &Inputs::default())
            .expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::EnableEbsEncryptionByDefault(
                crate::aws::ops::EnableEbsEncryptionByDefault {
                    region: "eu-west-1".into()
                }
            )]
        );
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DisableEbsEncryptionByDefault(
                crate::aws::ops::DisableEbsEncryptionByDefault {
                    region: "eu-west-1".into()
                }
            )])
        );
        assert!(!plan.warnings.is_empty(), "the aws/ebs sharing caveat");
        let after = t.fix(&inv, ENCRYPTION_BY_DEFAULT, &Inputs::default());
        // The unreadable region stays an error, the others pass.
        assert_eq!(t.status(&after, ENCRYPTION_BY_DEFAULT), Status::Error);
        let only = Inputs {
            resources: vec!["ebs-encryption/us-east-1".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, ENCRYPTION_BY_DEFAULT, &only),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn snapshot_plan_tags_a_snapshot_that_undo_deletes() {
        let t = T::new();
        let inv = with_ebs(
            empty(),
            vec![(
                "us-east-1",
                Fetched::Ready(EbsRegion {
                    volumes: vec![
                        volume("vol-old", false, Some("i-1")),
                        volume("vol-new", false, Some("i-2")),
                        volume("vol-idle", false, None),
                    ],
                    snapshots: vec![
                        snapshot("snap-1", "vol-old", 30, false),
                        snapshot("snap-2", "vol-new", 1, false),
                    ],
                }),
            )],
        );
        let plan = t
            .plan(&inv, RECENT_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        let name = "moat-vol-old-20261129-120000";
        match plan.ops().next() {
            Some(Op::CreateSnapshot(crate::aws::ops::CreateSnapshot {
                region,
                volume_id,
                name: n,
                description,
            })) => {
                assert_eq!(
                    (region.as_str(), volume_id.as_str(), n.as_str()),
                    ("us-east-1", "vol-old", name)
                );
                assert!(description.contains("vol-old"), "{description}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DeleteSnapshot(crate::aws::ops::DeleteSnapshot {
                region: "us-east-1".into(),
                volume_id: "vol-old".into(),
                name: name.into(),
                snapshot_id: None,
            })])
        );
        // The preview is the new snapshot, named by its tag, with moat's tags.
        let rc = &plan.resources[0];
        assert_eq!(
            rc.resource.to_string(),
            format!("snapshot/us-east-1/{name}")
        );
        assert_eq!(rc.before, None);
        let after = rc.after.as_ref().expect("after");
        assert_eq!(after["Tags"]["moat:created-by"], "moat");
        assert_eq!(after["Tags"]["Name"], name);
        let fixed = t.fix(&inv, RECENT_SNAPSHOTS, &Inputs::default());
        assert_eq!(t.status(&fixed, RECENT_SNAPSHOTS), Status::Pass);
        // Once AWS gave it an id, the plan's name still finds it.
        let mut real = fixed.clone();
        if let Some(r) = real.ebs.ready_mut().and_then(|p| p.ready_mut("us-east-1"))
            && let Some(s) = r.snapshots.iter_mut().find(|s| s.id == name)
        {
            s.id = "snap-0real".into();
        }
        assert_eq!(
            real.document(&rc.resource).expect("doc"),
            fixed.document(&rc.resource).expect("doc")
        );
    }

    #[test]
    fn public_snapshot_plan_removes_all_and_undo_adds_it() {
        let t = T::new();
        let mut unreadable = snapshot("snap-3", "vol-1", 1, false);
        unreadable.public = Fetched::Error(denied("ec2:DescribeSnapshotAttribute"));
        let inv = with_ebs(
            empty(),
            vec![(
                "eu-west-1",
                Fetched::Ready(EbsRegion {
                    volumes: vec![],
                    snapshots: vec![
                        snapshot("snap-1", "vol-1", 1, true),
                        snapshot("snap-2", "vol-1", 1, false),
                        unreadable,
                    ],
                }),
            )],
        );
        let plan = t
            .plan(&inv, PUBLIC_SNAPSHOTS, &Inputs::default())
            .expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: "eu-west-1".into(),
                    snapshot_id: "snap-1".into(),
                    change: SnapshotPermissionChange::Remove,
                }
            )]
        );
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::ModifySnapshotCreateVolumePermission(
                crate::aws::ops::ModifySnapshotCreateVolumePermission {
                    region: "eu-west-1".into(),
                    snapshot_id: "snap-1".into(),
                    change: SnapshotPermissionChange::Add,
                }
            )])
        );
        let after = t.fix(&inv, PUBLIC_SNAPSHOTS, &Inputs::default());
        // snap-3 could not be read: error, never planned for.
        assert_eq!(t.status(&after, PUBLIC_SNAPSHOTS), Status::Error);
    }

    fn bucket_policy(inv: &Inventory, name: &str) -> Option<Value> {
        inv.s3
            .ready()
            .and_then(|s| s.bucket(name))
            .and_then(|b| b.policy.ready().cloned().flatten())
    }

    #[test]
    fn flow_log_plan_creates_the_bucket_then_the_flow_logs() {
        let t = T::new();
        let inv = with_vpcs(
            empty(),
            vec![
                (
                    "eu-west-1",
                    Fetched::Ready(VpcRegion {
                        vpcs: vec![vpc("vpc-eu", vec![])],
                    }),
                ),
                (
                    "us-east-1",
                    Fetched::Ready(VpcRegion {
                        vpcs: vec![
                            vpc("vpc-us", vec![]),
                            vpc("vpc-ok", vec![s3_log("elsewhere")]),
                        ],
                    }),
                ),
            ],
        );
        let plan = t.plan(&inv, FLOW_LOGS, &Inputs::default()).expect("plan");
        let bucket = format!("moat-flow-logs-{ACCOUNT}");
        let tags: Vec<String> = plan
            .ops()
            .map(|o| {
                serde_json::to_value(o).expect("json")["op"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        assert_eq!(
            tags,
            vec![
                "create_bucket",
                "put_bucket_public_access_block",
                "put_bucket_encryption",
                "put_bucket_policy",
                "create_flow_logs",
                "create_flow_logs",
            ]
        );
        assert!(
            matches!(plan.ops().next(), Some(Op::CreateBucket(crate::aws::ops::CreateBucket { bucket: b, region })) if *b == bucket && region == "eu-west-1")
        );
        // The other region's logs cross regions: the warning says so.
        assert!(
            plan.warnings.iter().any(|w| w.contains("us-east-1")),
            "{:?}",
            plan.warnings
        );
        let after = t.fix(&inv, FLOW_LOGS, &Inputs::default());
        assert_eq!(t.status(&after, FLOW_LOGS), Status::Pass);
        let policy = bucket_policy(&after, &bucket).expect("policy");
        let text = policy.to_string();
        for needle in [
            "delivery.logs.amazonaws.com",
            &format!("arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*"),
            "aws:SourceAccount",
            &format!("arn:aws:logs:*:{ACCOUNT}:*"),
            "aws:SecureTransport",
        ] {
            assert!(text.contains(needle), "{needle}: {policy}");
        }
        // The new bucket passes the S3 items it could fail.
        for id in [
            "s3.bucket-public-access-block",
            "s3.public-policies",
            "s3.default-encryption",
            "s3.deny-insecure-transport",
        ] {
            let r = t.eval(&after, id);
            assert!(
                !r.findings
                    .iter()
                    .any(|f| f.resource == format!("bucket/{bucket}")),
                "{id}: {:?}",
                r.findings
            );
        }
    }

    #[test]
    fn flow_log_plan_reuses_or_extends_an_existing_bucket() {
        let t = T::new();
        let mut inv = with_vpcs(
            empty(),
            vec![(
                "us-east-1",
                Fetched::Ready(VpcRegion {
                    vpcs: vec![
                        vpc("vpc-1", vec![]),
                        vpc("vpc-2", vec![s3_log("shared-logs")]),
                    ],
                }),
            )],
        );
        let mut shared = Bucket::new("shared-logs", "us-east-1");
        shared.policy = Fetched::Ready(Some(json!({
            "Version": "2012-10-17",
            "Statement": delivery_statements("aws", "shared-logs", ACCOUNT),
        })));
        let mut team = Bucket::new("team-logs", "us-east-1");
        team.policy = Fetched::Ready(Some(json!({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Team", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-logs/*"}],
        })));
        let mut broken = Bucket::new("broken-logs", "us-east-1");
        broken.policy = Fetched::Error(denied("s3:GetBucketPolicy"));
        if let Some(s3) = inv.s3.ready_mut() {
            s3.buckets = vec![shared, team, broken];
        }
        // auto: the bucket the working flow log uses, policy already fine.
        let plan = t.plan(&inv, FLOW_LOGS, &Inputs::default()).expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::CreateFlowLogs(crate::aws::ops::CreateFlowLogs {
                region: "us-east-1".into(),
                vpc_id: "vpc-1".into(),
                destination: "arn:aws:s3:::shared-logs".into(),
            })]
        );
        let after = t.fix(&inv, FLOW_LOGS, &Inputs::default());
        assert_eq!(t.status(&after, FLOW_LOGS), Status::Pass);
        // A bucket of the user's: statements added, its own kept.
        let req = Inputs::default().with("bucket", "team-logs");
        let plan = t.plan(&inv, FLOW_LOGS, &req).expect("plan");
        match plan.ops().next() {
            Some(Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                bucket, policy, ..
            })) => {
                assert_eq!(bucket, "team-logs");
                let sids: Vec<&str> = policy["Statement"]
                    .as_array()
                    .expect("statements")
                    .iter()
                    .filter_map(|s| s["Sid"].as_str())
                    .collect();
                assert_eq!(sids, vec!["Team", DELIVERY_WRITE_SID, DELIVERY_ACL_SID]);
            }
            other => panic!("{other:?}"),
        }
        t.fix(&inv, FLOW_LOGS, &req);
        // A policy that could not be read is never overwritten.
        let req = Inputs::default().with("bucket", "broken-logs");
        assert!(matches!(
            t.plan(&inv, FLOW_LOGS, &req),
            Err(PlanError::Invalid(_))
        ));
        // An invalid bucket name is an input error.
        let req = Inputs::default().with("bucket", "Not_A_Bucket");
        assert!(matches!(
            t.plan(&inv, FLOW_LOGS, &req),
            Err(PlanError::Input { .. })
        ));
    }

    #[test]
    fn threat_detection_plan_creates_or_enables_detectors() {
        let t = T::new();
        let inv = with_detectors(
            empty(),
            vec![
                ("ap-south-1", Fetched::Ready(None)),
                (
                    "eu-west-1",
                    Fetched::Ready(Some(Detector {
                        id: Some("det-eu".into()),
                        status: "DISABLED".into(),
                    })),
                ),
                (
                    "us-east-1",
                    Fetched::Ready(Some(Detector {
                        id: Some("det-us".into()),
                        status: "ENABLED".into(),
                    })),
                ),
                (
                    "us-west-2",
                    Fetched::Error(denied("guardduty:ListDetectors")),
                ),
            ],
        );
        let plan = t
            .plan(&inv, THREAT_DETECTION, &Inputs::default())
            .expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![
                &Op::CreateDetector(crate::aws::ops::CreateDetector {
                    region: "ap-south-1".into()
                }),
                &Op::UpdateDetector(crate::aws::ops::UpdateDetector {
                    region: "eu-west-1".into(),
                    detector_id: "det-eu".into(),
                    enable: true,
                }),
            ]
        );
        assert_eq!(
            plan.steps[1].inverse,
            Some(vec![Op::UpdateDetector(crate::aws::ops::UpdateDetector {
                region: "eu-west-1".into(),
                detector_id: "det-eu".into(),
                enable: false,
            })])
        );
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("30-day free trial")),
            "{:?}",
            plan.warnings
        );
        let after = t.fix(&inv, THREAT_DETECTION, &Inputs::default());
        assert_eq!(
            t.findings(&after, THREAT_DETECTION),
            vec![(
                "guardduty/us-west-2".to_string(),
                "us-west-2".to_string(),
                Status::Error
            )]
        );
    }

    #[test]
    fn ops_name_their_region_and_resource() {
        let op = Op::CreateFlowLogs(crate::aws::ops::CreateFlowLogs {
            region: "eu-west-1".into(),
            vpc_id: "vpc-1".into(),
            destination: "arn:aws:s3:::b".into(),
        });
        assert_eq!(op.region(), Some("eu-west-1"));
        assert_eq!(
            op.resource(),
            "vpc/eu-west-1/vpc-1".parse::<ResourceRef>().expect("ref")
        );
        let json = serde_json::to_value(op.clone()).expect("json");
        assert_eq!(json["op"], "create_flow_logs");
        let back: Op = serde_json::from_value(json).expect("back");
        assert_eq!(back, op);
    }
}
