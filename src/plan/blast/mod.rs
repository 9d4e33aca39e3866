//! The blast radius of a plan: what else its changes reach, read from the
//! inventory the plan was built on (never a new AWS call).
//!
//! - a security group change names the network interfaces, instances, load
//!   balancers and DB instances that use the group (or says none do);
//! - a bucket policy, ACL or public access block change names the
//!   CloudFront distributions that serve the bucket and the principals the
//!   bucket grants read today that would lose it;
//! - retiring a KMS key says how to find its last use (moat does not read it);
//! - creating a KMS key, a trail or an alarm names its monthly cost, "about";
//!   flow logs, GuardDuty, Inspector and metric filters their price by volume.
//!
//! [`radius`] computes the notes from the inventories before and after the
//! ops; [`Note::lines`] words them from `assets/guide/blast.messages.toml`,
//! the same words in `moat plan` and the TUI preview.

mod buckets;
mod costs;
mod groups;
#[cfg(test)]
mod testkit;

pub use buckets::readers;

use super::Op;
use crate::aws::inventory::{Inventory, PartId, SgKey};
use crate::guide::msg;
use buckets::{bucket_note, kms_bucket_note, kms_trail_note};
use costs::{other_trails, usage_cost};
pub use groups::SourceCut;
use groups::group_note;
use serde::{Deserialize, Serialize};

/// The messages table of this module.
const T: &str = "blast";

/// Names listed per kind before "and N more".
const SHOWN: usize = 8;

/// One thing a plan's changes reach beyond the resources its diff shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// A security group the plan changes, and what uses it. A list is
    /// `None` when its part (or the group's region) was not read.
    SecurityGroup {
        group: SgKey,
        deleted: bool,
        interfaces: Option<Vec<String>>,
        instances: Option<Vec<String>>,
        load_balancers: Option<Vec<String>>,
        db_instances: Option<Vec<String>>,
        /// Groups named by rules the plan removes or narrows: their members
        /// lose that access.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sources: Vec<SourceCut>,
    },
    /// A bucket whose policy, ACL or public access block the plan changes.
    Bucket {
        bucket: String,
        /// Distributions with an origin on this bucket (`None`: CloudFront
        /// was not read).
        distributions: Option<Vec<String>>,
        /// Principals the bucket grants read today that lose it (`None`: the
        /// policy or ACL could not be read).
        losing: Option<Vec<String>>,
        /// Why `losing` may miss readers (a message key of the `blast`
        /// table): the change is one moat does not fully judge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unjudged: Option<String>,
    },
    /// A bucket whose objects the plan has encrypted with a KMS key (a trail
    /// that encrypts its logs, or the bucket's default encryption): its
    /// readers then also need kms:Decrypt on the key.
    KmsReaders {
        bucket: String,
        /// The key (id, ARN or alias); `None`: the AWS managed key aws/s3.
        key: Option<String>,
        /// The trail whose logs it encrypts; `None`: the bucket's default
        /// encryption (new objects only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trail: Option<String>,
        /// The readers moat counts today (`None`: not read).
        readers: Option<Vec<String>>,
    },
    /// A KMS key the plan retires: where to look for its last use.
    KeyRetired {
        region: String,
        alias: String,
        arn: Option<String>,
    },
    /// A customer managed KMS key the plan creates.
    KeyCost { region: String, alias: String },
    /// A trail the plan creates; `other`: a trail that already delivers
    /// management events there (`None` when trails were not read, empty
    /// when none does).
    TrailCost {
        name: String,
        other: Option<Vec<String>>,
        /// Trails whose status or event selectors could not be read: they
        /// may deliver management events already.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unsure: Vec<String>,
    },
    /// A creation priced by volume (flow logs, GuardDuty, Inspector, a
    /// metric filter's metric): `price` is the message key of its price.
    UsageCost {
        price: String,
        region: String,
        name: String,
    },
    /// An alarm the plan creates.
    AlarmCost {
        region: String,
        name: String,
        high_resolution: bool,
    },
}

/// The parts the notes read besides those of the items whose plans they
/// follow: `parts` with them added (a command collects these up front, so
/// the preview never asks AWS).
pub fn parts(parts: &[PartId]) -> Vec<PartId> {
    let mut out = parts.to_vec();
    if parts.contains(&PartId::Ec2Network) {
        out.extend([PartId::Ec2Instances, PartId::Elb, PartId::Rds]);
    }
    if parts.contains(&PartId::S3Buckets) {
        out.extend([PartId::CloudFront, PartId::S3AccountPublicAccessBlock]);
    }
    // A trail's logs encrypted with KMS: the readers of its bucket.
    if parts.contains(&PartId::Trails) {
        out.extend([PartId::S3Buckets, PartId::S3AccountPublicAccessBlock]);
    }
    out.sort();
    out.dedup();
    out
}

/// The notes for `ops`, with `before` the inventory the plan was built on
/// and `after` the same with every op applied.
pub fn radius<'a>(
    before: &Inventory,
    after: &Inventory,
    ops: impl IntoIterator<Item = &'a Op>,
) -> Vec<Note> {
    let mut notes: Vec<Note> = vec![];
    let mut groups: Vec<(SgKey, bool)> = vec![];
    let mut buckets: Vec<String> = vec![];
    let mut account_pab = false;
    for op in ops {
        match op {
            Op::AuthorizeSecurityGroupIngress(o) => push_group(&mut groups, &o.group, false),
            Op::RevokeSecurityGroupIngress(o) => push_group(&mut groups, &o.group, false),
            Op::AuthorizeSecurityGroupEgress(o) => push_group(&mut groups, &o.group, false),
            Op::RevokeSecurityGroupEgress(o) => push_group(&mut groups, &o.group, false),
            Op::DeleteSecurityGroup(o) => push_group(&mut groups, &o.group, true),
            Op::PutBucketPolicy(o) => push_unique(&mut buckets, &o.bucket),
            Op::DeleteBucketPolicy(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutBucketAcl(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutBucketPublicAccessBlock(o) => push_unique(&mut buckets, &o.bucket),
            Op::DeleteBucketPublicAccessBlock(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutAccountPublicAccessBlock(_) | Op::DeleteAccountPublicAccessBlock(_) => {
                account_pab = true
            }
            Op::UpdateTrail(o) => notes.extend(kms_trail_note(before, o)),
            Op::PutBucketEncryption(o) => notes.extend(kms_bucket_note(before, o)),
            Op::ScheduleKmsKeyDeletion(o) => notes.push(Note::KeyRetired {
                region: o.region.clone(),
                alias: o.alias.clone(),
                arn: crate::aws::inventory::kms_key(before, &o.region, &o.alias)
                    .map(|k| k.arn.clone()),
            }),
            Op::CreateKmsKey(o) => notes.push(Note::KeyCost {
                region: o.region.clone(),
                alias: o.alias.clone(),
            }),
            Op::CreateTrail(o) => {
                let found = other_trails(before, &o.name, &o.region, o.multi_region);
                let (other, unsure) = match found {
                    Some((d, u)) => (Some(d), u),
                    None => (None, vec![]),
                };
                notes.push(Note::TrailCost {
                    name: o.name.clone(),
                    other,
                    unsure,
                })
            }
            Op::CreateFlowLogs(_)
            | Op::CreateDetector(_)
            | Op::UpdateDetector(_)
            | Op::EnableInspector(_)
            | Op::PutMetricFilter(_) => notes.extend(usage_cost(before, op)),
            Op::PutMetricAlarm(o) => {
                let exists = before
                    .metric_alarms
                    .region_items(&o.region)
                    .iter()
                    .any(|a| a.name == o.alarm.name);
                if !exists {
                    notes.push(Note::AlarmCost {
                        region: o.region.clone(),
                        name: o.alarm.name.clone(),
                        high_resolution: o.alarm.period < 60,
                    });
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<Note> = groups
        .into_iter()
        .map(|(g, deleted)| group_note(before, after, g, deleted))
        .collect();
    for b in &buckets {
        // A bucket the plan creates has no readers and no distribution yet.
        if before.s3.ready().is_some_and(|s| s.bucket(b).is_none()) {
            continue;
        }
        out.push(bucket_note(before, after, b));
    }
    if account_pab {
        // The account's block reaches every bucket: name those it changes.
        let names: Vec<String> = before
            .s3
            .ready()
            .map(|s| s.buckets.iter().map(|b| b.name.clone()).collect())
            .unwrap_or_default();
        for b in names.iter().filter(|b| !buckets.contains(b)) {
            let n = bucket_note(before, after, b);
            // Those where someone loses read, and those moat cannot judge.
            if !matches!(&n, Note::Bucket { losing: Some(l), .. } if l.is_empty()) {
                out.push(n);
            }
        }
    }
    out.extend(notes);
    out
}

fn sorted(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = names.collect();
    v.sort();
    v
}

fn push_group(groups: &mut Vec<(SgKey, bool)>, g: &SgKey, deleted: bool) {
    match groups.iter_mut().find(|(k, _)| k == g) {
        Some((_, d)) => *d |= deleted,
        None => groups.push((g.clone(), deleted)),
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

// ---------------------------------------------------------------------------
// Words

fn list(names: &Option<Vec<String>>) -> String {
    match names {
        None => msg(T, "not_read", &[]),
        Some(v) if v.is_empty() => msg(T, "none", &[]),
        Some(v) if v.len() > SHOWN => {
            let more = (v.len() - SHOWN).to_string();
            format!(
                "{} {}",
                v[..SHOWN].join(", "),
                msg(T, "more", &[("count", &more)])
            )
        }
        Some(v) => v.join(", "),
    }
}

impl Note {
    /// The note in words: a first line, and the lines under it.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Note::SecurityGroup {
                group,
                deleted,
                interfaces,
                instances,
                load_balancers,
                db_instances,
                sources,
            } => {
                let g = group.to_string();
                let lists = [interfaces, instances, load_balancers, db_instances];
                let mut out = if lists.iter().all(|l| matches!(l, Some(v) if v.is_empty())) {
                    let key = if *deleted {
                        "group_unused_deleted"
                    } else {
                        "group_unused"
                    };
                    vec![msg(T, key, &[("group", &g)])]
                } else {
                    let key = if *deleted { "group_deleted" } else { "group" };
                    vec![
                        msg(T, key, &[("group", &g)]),
                        msg(T, "interfaces", &[("list", &list(interfaces))]),
                        msg(T, "instances", &[("list", &list(instances))]),
                        msg(T, "load_balancers", &[("list", &list(load_balancers))]),
                        msg(T, "db_instances", &[("list", &list(db_instances))]),
                    ]
                };
                out.extend(sources.iter().map(SourceCut::line));
                out
            }
            Note::Bucket {
                bucket,
                distributions,
                losing,
                unjudged,
            } => {
                let why = unjudged.as_deref().map(|k| msg(T, k, &[]));
                let mut out = vec![
                    msg(T, "bucket", &[("bucket", bucket)]),
                    msg(T, "distributions", &[("list", &list(distributions))]),
                ];
                match (losing, why) {
                    (None, _) => out.push(msg(T, "losing_unknown", &[])),
                    (Some(v), Some(why)) if v.is_empty() => {
                        out.push(msg(T, "losing_unjudged", &[("why", &why)]))
                    }
                    (Some(v), None) if v.is_empty() => out.push(msg(T, "losing_none", &[])),
                    (Some(_), why) => {
                        out.push(msg(T, "losing", &[("list", &list(losing))]));
                        out.extend(why.map(|w| msg(T, "losing_more", &[("why", &w)])));
                    }
                }
                out
            }
            Note::KmsReaders {
                bucket,
                key,
                trail,
                readers,
            } => {
                let k = key
                    .clone()
                    .unwrap_or_else(|| msg(T, "kms_aws_managed", &[]));
                let head = match trail {
                    Some(t) => msg(
                        T,
                        "kms_trail",
                        &[("trail", t), ("key", &k), ("bucket", bucket)],
                    ),
                    None => msg(T, "kms_bucket", &[("key", &k), ("bucket", bucket)]),
                };
                let mut out = vec![head];
                out.push(match readers {
                    Some(v) if v.is_empty() => msg(T, "kms_readers_none", &[]),
                    _ => msg(T, "kms_readers", &[("list", &list(readers))]),
                });
                if key.is_none() {
                    out.push(msg(T, "kms_managed_cuts", &[]));
                }
                out
            }
            Note::KeyRetired { region, alias, arn } => {
                let id = arn.clone().unwrap_or_else(|| alias.clone());
                vec![
                    msg(T, "key_retired", &[("alias", alias), ("region", region)]),
                    msg(T, "key_lookup", &[("key", &id), ("region", region)]),
                ]
            }
            Note::KeyCost { region, alias } => {
                vec![msg(T, "key_cost", &[("alias", alias), ("region", region)])]
            }
            Note::TrailCost {
                name,
                other,
                unsure,
            } => vec![match other {
                None => msg(T, "trail_cost_unknown", &[("trail", name)]),
                Some(v) if v.is_empty() && !unsure.is_empty() => msg(
                    T,
                    "trail_cost_unsure",
                    &[("trail", name), ("others", &unsure.join(", "))],
                ),
                Some(v) if v.is_empty() => msg(T, "trail_cost_first", &[("trail", name)]),
                Some(v) => msg(
                    T,
                    "trail_cost_copy",
                    &[("trail", name), ("others", &v.join(", "))],
                ),
            }],
            Note::UsageCost {
                price,
                region,
                name,
            } => vec![msg(T, price, &[("name", name), ("region", region)])],
            Note::AlarmCost {
                region,
                name,
                high_resolution,
            } => {
                let key = if *high_resolution {
                    "alarm_cost_high"
                } else {
                    "alarm_cost"
                };
                vec![msg(T, key, &[("alarm", name), ("region", region)])]
            }
        }
    }
}

/// The heading above the notes.
pub fn heading() -> String {
    msg(T, "heading", &[])
}

/// The line under every cost note: where the prices come from.
pub fn prices_note(notes: &[Note]) -> Option<String> {
    notes
        .iter()
        .any(|n| {
            matches!(
                n,
                Note::KeyCost { .. }
                    | Note::TrailCost { .. }
                    | Note::AlarmCost { .. }
                    | Note::UsageCost { .. }
            )
        })
        .then(|| msg(T, "prices", &[]))
}

/// Every note in words, in order: each note's first line, then its other
/// lines; the prices' date last when a cost is named.
pub fn text(notes: &[Note]) -> Vec<(bool, String)> {
    let mut out = vec![];
    for n in notes {
        for (i, l) in n.lines().into_iter().enumerate() {
            out.push((i == 0, l));
        }
    }
    if let Some(p) = prices_note(notes) {
        out.push((true, p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ops;
    use crate::plan::blast::testkit::*;
    use serde_json::json;

    #[test]
    fn a_retired_key_points_to_its_last_use_without_inventing_one() {
        let inv = inventory(json!({"kms_keys": regional(json!([
            {"alias": "alias/moat-x", "key_id": "k1",
             "arn": "arn:aws:kms:us-east-1:111122223333:key/k1", "state": "Enabled"}
        ]))}));
        let op = Op::ScheduleKmsKeyDeletion(ops::ScheduleKmsKeyDeletion {
            region: R.into(),
            alias: "alias/moat-x".into(),
            pending_days: 30,
            key_id: None,
        });
        let n = radius(&inv, &inv, &[op]);
        let lines = n[0].lines();
        assert!(lines[1].contains("lookup-events"), "{lines:?}");
        assert!(
            lines[1].contains("AttributeValue=arn:aws:kms:us-east-1:111122223333:key/k1"),
            "{lines:?}"
        );
        assert!(lines[1].contains("get-key-last-usage"), "{lines:?}");
    }

    #[test]
    fn the_parts_the_notes_read_are_collected_with_the_items() {
        let p = parts(&[PartId::Trails]);
        assert!(p.contains(&PartId::S3Buckets), "{p:?}");
        assert!(p.contains(&PartId::S3AccountPublicAccessBlock), "{p:?}");
        let p = parts(&[PartId::Ec2Network]);
        assert!(
            p.contains(&PartId::Rds) && p.contains(&PartId::Elb),
            "{p:?}"
        );
    }

    #[test]
    fn every_message_of_the_table_is_written() {
        for n in [
            "heading",
            "not_read",
            "none",
            "more",
            "group",
            "group_deleted",
            "group_unused",
            "group_unused_deleted",
            "interfaces",
            "instances",
            "load_balancers",
            "db_instances",
            "source_ingress",
            "source_egress",
            "source_unread",
            "members_none",
            "source_self",
            "owner_lambda",
            "owner_nat",
            "owner_vpce",
            "owner_gwlbe",
            "owner_alb",
            "owner_nlb",
            "owner_gwlb",
            "owner_clb",
            "owner_elb",
            "owner_tgw",
            "owner_rds",
            "owner_efs",
            "owner_ecs",
            "owner_eks",
            "owner_elasticache",
            "owner_apigw",
            "owner_quicksight",
            "owner_ga",
            "owner_iot",
            "owner_codestar",
            "owner_ds",
            "owner_dms",
            "owner_aws",
            "owner_aws_unknown",
            "owner_named",
            "bucket",
            "distributions",
            "via_oac",
            "via_oai",
            "via_public",
            "via_website",
            "losing",
            "losing_none",
            "losing_unknown",
            "losing_unjudged",
            "losing_more",
            "why_negated",
            "why_deny",
            "why_object_acls",
            "principal_public",
            "principal_public_condition",
            "principal_any_account",
            "principal_account",
            "principal_iam",
            "principal_oai",
            "principal_service",
            "principal_canonical",
            "principal_federated",
            "principal_other",
            "principal_condition",
            "by_acl",
            "kms_trail",
            "kms_bucket",
            "kms_aws_managed",
            "kms_readers",
            "kms_readers_none",
            "kms_managed_cuts",
            "key_retired",
            "key_lookup",
            "key_cost",
            "trail_cost_first",
            "trail_cost_copy",
            "trail_cost_unknown",
            "trail_cost_unsure",
            "alarm_cost",
            "cost_flow_logs_s3",
            "cost_flow_logs_cwl",
            "cost_guardduty",
            "cost_inspector",
            "cost_metric_filter",
            "alarm_cost_high",
            "prices",
        ] {
            assert!(crate::guide::guide().template(T, n).is_some(), "blast.{n}");
        }
    }
}
