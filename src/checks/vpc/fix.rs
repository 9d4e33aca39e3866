//! Plan builders of the `vpc` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline from them. A region
//! that could not be read is never planned for.

use crate::aws::inventory::{Encryption, Fetched, Inventory, PartId, PublicAccessBlock, S3};
use crate::aws::inventory::{GuardDutyRef, ResourceRef, Vpc, VpcRef};
use crate::checks::Ctx;
use crate::checks::regions::wanted;
use crate::checks::vpc::{FLOW_LOGS, THREAT_DETECTION};
use crate::guide::msg;
use crate::plan::build::{done, item_warning, nothing};
use crate::plan::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};
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
                ResourceRef::Vpc(VpcRef::Vpc {
                    region: region.to_string(),
                    id: v.id.clone(),
                }),
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
            statements.push(crate::checks::s3::fix::deny_insecure_statement(&bucket_arn));
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
            ResourceRef::GuardDuty(GuardDutyRef::Detector {
                region: region.to_string(),
            }),
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
    use crate::aws::inventory::{Bucket, ResourceRef};
    use crate::aws::inventory::{Detector, VpcRegion};
    use crate::checks::Status;
    use crate::checks::testkit::*;

    /// The inventory with these VPCs in each region, read.
    fn vpcs_in(list: Vec<(&str, Vec<Vpc>)>) -> Inventory {
        let regions = list
            .into_iter()
            .map(|(region, vpcs)| (region, Fetched::Ready(VpcRegion { vpcs })))
            .collect();
        with_vpcs(empty(), regions)
    }

    /// The statement ids of a bucket policy, in order.
    fn sids(policy: &Value) -> Vec<&str> {
        policy["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect()
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
        let inv = vpcs_in(vec![
            ("eu-west-1", vec![vpc("vpc-eu", vec![])]),
            (
                "us-east-1",
                vec![
                    vpc("vpc-us", vec![]),
                    vpc("vpc-ok", vec![s3_log("elsewhere")]),
                ],
            ),
        ]);
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
        let mut inv = vpcs_in(vec![(
            "us-east-1",
            vec![
                vpc("vpc-1", vec![]),
                vpc("vpc-2", vec![s3_log("shared-logs")]),
            ],
        )]);
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
                assert_eq!(
                    sids(policy),
                    vec!["Team", DELIVERY_WRITE_SID, DELIVERY_ACL_SID]
                );
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
