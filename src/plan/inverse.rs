//! The inverse of each op, computed against the state just before it.

use super::{DistributionEdit, Op};

/// What an undo of `op` leaves in place on purpose, for the undo preview.
pub fn undo_note(op: &Op) -> Option<String> {
    op.undo_note()
}

/// A resource an undo of `op` leaves as `op` made it, on purpose.
pub fn kept_on_undo(op: &Op) -> Option<crate::inventory::ResourceRef> {
    op.kept_on_undo()
}

/// The ops an undo of `op` sends, from the inverse journaled with it.
pub fn undo_ops(op: &Op, journaled: Vec<Op>) -> Vec<Op> {
    op.undo_ops(journaled)
}

/// Ops that undo `op`, given the inventory `before` it; `None` when the op
/// cannot be undone.
pub fn inverse(op: &Op, before: &Inventory) -> Option<Vec<Op>> {
    op.inverse(before)
}
use crate::inventory::{Bucket, Inventory, VersioningStatus};

/// Ops that undo `op`, given the inventory `before` it; `None` when the op
/// cannot be undone.
pub(super) fn legacy_inverse(op: &Op, before: &Inventory) -> Option<Vec<Op>> {
    let iam = before.iam.ready();
    let bucket = |name: &str| -> Option<&Bucket> { before.s3.ready()?.bucket(name) };
    Some(match op {
        Op::CreateGroup { name } => vec![Op::DeleteGroup { name: name.clone() }],
        Op::DeleteGroup { name } => vec![Op::CreateGroup { name: name.clone() }],
        Op::AddUserToGroup { user, group } => vec![Op::RemoveUserFromGroup {
            user: user.clone(),
            group: group.clone(),
        }],
        Op::RemoveUserFromGroup { user, group } => vec![Op::AddUserToGroup {
            user: user.clone(),
            group: group.clone(),
        }],
        Op::AttachGroupPolicy { group, policy_arn } => {
            vec![Op::DetachGroupPolicy {
                group: group.clone(),
                policy_arn: policy_arn.clone(),
            }]
        }
        Op::DetachGroupPolicy { group, policy_arn } => {
            vec![Op::AttachGroupPolicy {
                group: group.clone(),
                policy_arn: policy_arn.clone(),
            }]
        }
        Op::CreatePolicy { name, .. } => {
            let account = before.account_id().unwrap_or("000000000000");
            vec![Op::DeletePolicy {
                name: name.clone(),
                arn: crate::inventory::customer_policy_arn(before.partition(), account, name),
            }]
        }
        Op::DeletePolicy { arn, name } => {
            let doc = iam
                .and_then(|i| i.policy(arn))
                .map(|p| p.document.clone())?;
            vec![Op::CreatePolicy {
                name: name.clone(),
                document: doc,
            }]
        }
        Op::UpdatePasswordPolicy { .. } | Op::DeletePasswordPolicy => {
            match before.password_policy.ready()? {
                Some(prev) => vec![Op::UpdatePasswordPolicy {
                    policy: prev.clone(),
                }],
                None => vec![Op::DeletePasswordPolicy],
            }
        }
        Op::PutAlternateContact { contact_type, .. }
        | Op::DeleteAlternateContact { contact_type } => {
            match before
                .alternate_contacts
                .ready()?
                .contacts
                .get(contact_type)
            {
                Some(prev) => vec![Op::PutAlternateContact {
                    contact_type: *contact_type,
                    contact: prev.clone(),
                }],
                None => vec![Op::DeleteAlternateContact {
                    contact_type: *contact_type,
                }],
            }
        }
        Op::PutAccountPublicAccessBlock { .. } | Op::DeleteAccountPublicAccessBlock => {
            match before.s3_account_pab.ready()? {
                Some(prev) => vec![Op::PutAccountPublicAccessBlock { config: *prev }],
                None => vec![Op::DeleteAccountPublicAccessBlock],
            }
        }
        Op::PutBucketPublicAccessBlock {
            bucket: b, region, ..
        }
        | Op::DeleteBucketPublicAccessBlock { bucket: b, region } => {
            match bucket(b)?.public_access_block.ready()? {
                Some(prev) => vec![Op::PutBucketPublicAccessBlock {
                    bucket: b.clone(),
                    region: region.clone(),
                    config: *prev,
                }],
                None => vec![Op::DeleteBucketPublicAccessBlock {
                    bucket: b.clone(),
                    region: region.clone(),
                }],
            }
        }
        Op::PutBucketPolicy {
            bucket: b, region, ..
        }
        | Op::DeleteBucketPolicy { bucket: b, region } => match bucket(b)?.policy.ready()? {
            Some(prev) => vec![Op::PutBucketPolicy {
                bucket: b.clone(),
                region: region.clone(),
                policy: prev.clone(),
            }],
            None => vec![Op::DeleteBucketPolicy {
                bucket: b.clone(),
                region: region.clone(),
            }],
        },
        Op::PutBucketAcl {
            bucket: b, region, ..
        } => vec![Op::PutBucketAcl {
            bucket: b.clone(),
            region: region.clone(),
            acl: bucket(b)?.acl.ready()?.clone(),
        }],
        Op::PutBucketEncryption {
            bucket: b, region, ..
        }
        | Op::DeleteBucketEncryption { bucket: b, region } => {
            match bucket(b)?.encryption.ready()? {
                Some(prev) => vec![Op::PutBucketEncryption {
                    bucket: b.clone(),
                    region: region.clone(),
                    encryption: prev.clone(),
                }],
                None => vec![Op::DeleteBucketEncryption {
                    bucket: b.clone(),
                    region: region.clone(),
                }],
            }
        }
        Op::PutBucketVersioning {
            bucket: b,
            region,
            mfa_delete,
            ..
        } => {
            let prev = bucket(b)?.versioning.ready()?;
            // A bucket never versioned cannot go back to that: Suspended is the closest.
            vec![Op::PutBucketVersioning {
                bucket: b.clone(),
                region: region.clone(),
                status: prev.status.unwrap_or(VersioningStatus::Suspended),
                mfa_delete: mfa_delete.map(|_| prev.mfa_delete),
                mfa: None,
            }]
        }
        Op::CreateOriginAccessControl { name, .. } => {
            vec![Op::DeleteOriginAccessControl { name: name.clone() }]
        }
        Op::DeleteOriginAccessControl { name } => {
            let prev = before.cloudfront.ready()?.oac_by_name(name)?;
            vec![Op::CreateOriginAccessControl {
                name: name.clone(),
                description: prev.description.clone(),
            }]
        }
        Op::UpdateDistribution { id, edits, .. } => {
            let cf = before.cloudfront.ready()?;
            let d = cf.distribution(id)?;
            let mut back = Vec::with_capacity(edits.len());
            for e in edits {
                back.push(match e {
                    DistributionEdit::ViewerProtocolPolicy { path_pattern, .. } => {
                        let b = d
                            .behaviors
                            .iter()
                            .find(|b| b.path_pattern == *path_pattern)?;
                        DistributionEdit::ViewerProtocolPolicy {
                            path_pattern: path_pattern.clone(),
                            policy: b.viewer_protocol_policy.clone(),
                        }
                    }
                    DistributionEdit::OriginAccessControl { origin_id, .. } => {
                        let o = d.origins.iter().find(|o| o.id == *origin_id)?;
                        DistributionEdit::OriginAccessControl {
                            origin_id: origin_id.clone(),
                            // By name when known: a name survives re-creation, an id does not.
                            oac: o.oac_id.as_deref().map(|oid| {
                                cf.oac_by_id(oid)
                                    .map(|x| x.name.clone())
                                    .unwrap_or_else(|| oid.to_string())
                            }),
                        }
                    }
                    DistributionEdit::ViewerTls { .. } => DistributionEdit::ViewerTls {
                        ssl_support_method: d.viewer_certificate.ssl_support_method.clone(),
                        minimum_protocol_version: d
                            .viewer_certificate
                            .minimum_protocol_version
                            .clone(),
                    },
                });
            }
            // Undo reads the ETag afresh when it runs.
            vec![Op::UpdateDistribution {
                id: id.clone(),
                etag: None,
                edits: back,
            }]
        }
        Op::CreateBucket { bucket, region } => vec![Op::DeleteBucket {
            bucket: bucket.clone(),
            region: region.clone(),
        }],
        // A deleted bucket's name may be taken by anyone: moat only deletes
        // buckets it created, to undo CreateBucket.
        Op::DeleteBucket { .. } => return None,
        Op::Ec2(o) => return o.inverse(before),
        Op::EbsVpc(o) => return o.inverse(before),
        Op::Workloads(o) => return o.inverse(before),
        _ => unreachable!("typed ops are dispatched by the registry"),
    })
}
