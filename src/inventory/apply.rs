//! `Inventory::apply`: the predicted effect of an op on the account model. The
//! demo backend uses it as its "AWS", and the preview diffs its result.

use super::{
    Acl, Bucket, Encryption, Fetched, Grant, Grantee, Group, Inventory, ManagedPolicy,
    OriginAccessControl, Part, PublicAccessBlock, Versioning,
};
use crate::plan::{DistributionEdit, Op};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ApplyError {
    #[error("the {0} part of the inventory has not been collected")]
    NotReady(&'static str),
    #[error("{0} does not exist")]
    NoSuch(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0}")]
    Conflict(String),
}

fn ready<'a, T>(p: &'a mut Part<T>, what: &'static str) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

fn bucket<'a>(inv: &'a mut Inventory, name: &str) -> Result<&'a mut Bucket, ApplyError> {
    ready(&mut inv.s3, "S3")?
        .bucket_mut(name)
        .ok_or_else(|| ApplyError::NoSuch(format!("bucket {name}")))
}

/// A bucket setting that could not be read cannot be changed blindly.
fn known<'a, T>(f: &'a mut Fetched<T>, what: &str) -> Result<&'a mut T, ApplyError> {
    match f {
        Fetched::Ready(v) => Ok(v),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the {what} could not be read ({})",
            e.summary()
        ))),
    }
}

impl Inventory {
    /// Apply one op to this model, as AWS would.
    pub fn apply(&mut self, op: &Op) -> Result<(), ApplyError> {
        op.predict(self)
    }

    /// The effect of the ops not yet given types of their own.
    pub(crate) fn legacy_apply(&mut self, op: &Op) -> Result<(), ApplyError> {
        let account = self.account_id().unwrap_or("000000000000").to_string();
        let partition = self.partition().to_string();
        match op {
            Op::Ec2(o) => return super::ec2::apply_op(self, o),
            Op::EbsVpc(o) => return super::ebs_vpc::apply_op(self, o),
            Op::Workloads(o) => return super::workloads::apply_op(self, o),
            Op::CreateGroup { name } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.group(name).is_some() {
                    return Err(ApplyError::Exists(format!("group {name}")));
                }
                iam.groups.push(Group {
                    name: name.clone(),
                    arn: format!("arn:{partition}:iam::{account}:group/{name}"),
                    attached_policies: vec![],
                    inline_policies: vec![],
                });
            }
            Op::DeleteGroup { name } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let g = iam
                    .group(name)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {name}")))?;
                if !g.attached_policies.is_empty() || iam.members(name).next().is_some() {
                    return Err(ApplyError::Conflict(format!(
                        "group {name} still has members or attached policies"
                    )));
                }
                iam.groups.retain(|g| &g.name != name);
            }
            Op::AddUserToGroup { user, group } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.group(group).is_none() {
                    return Err(ApplyError::NoSuch(format!("group {group}")));
                }
                let u = iam
                    .users
                    .iter_mut()
                    .find(|u| &u.name == user)
                    .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))?;
                if !u.groups.contains(group) {
                    u.groups.push(group.clone());
                }
            }
            Op::RemoveUserFromGroup { user, group } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let u = iam
                    .users
                    .iter_mut()
                    .find(|u| &u.name == user)
                    .ok_or_else(|| ApplyError::NoSuch(format!("user {user}")))?;
                if !u.groups.contains(group) {
                    return Err(ApplyError::NoSuch(format!(
                        "membership of {user} in {group}"
                    )));
                }
                u.groups.retain(|g| g != group);
            }
            Op::AttachGroupPolicy { group, policy_arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                // AWS-managed policies exist in the caller's partition only.
                let aws_managed = super::strip_arn_prefix(policy_arn, "iam::aws:policy/").is_some()
                    && super::arn_partition(policy_arn) == Some(partition.as_str());
                if iam.policy(policy_arn).is_none() && !aws_managed {
                    return Err(ApplyError::NoSuch(format!("policy {policy_arn}")));
                }
                let g = iam
                    .groups
                    .iter_mut()
                    .find(|g| &g.name == group)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {group}")))?;
                if !g.attached_policies.contains(policy_arn) {
                    g.attached_policies.push(policy_arn.clone());
                }
            }
            Op::DetachGroupPolicy { group, policy_arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                let g = iam
                    .groups
                    .iter_mut()
                    .find(|g| &g.name == group)
                    .ok_or_else(|| ApplyError::NoSuch(format!("group {group}")))?;
                if !g.attached_policies.contains(policy_arn) {
                    return Err(ApplyError::NoSuch(format!(
                        "attachment of {policy_arn} to {group}"
                    )));
                }
                g.attached_policies.retain(|p| p != policy_arn);
            }
            Op::CreatePolicy { name, document } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.policy_by_name(name).is_some() {
                    return Err(ApplyError::Exists(format!("policy {name}")));
                }
                iam.policies.push(ManagedPolicy {
                    arn: super::customer_policy_arn(&partition, &account, name),
                    name: name.clone(),
                    aws_managed: false,
                    default_version: "v1".into(),
                    document: document.clone(),
                });
            }
            Op::DeletePolicy { name, arn } => {
                let iam = ready(&mut self.iam, "IAM")?;
                if iam.policy(arn).is_none() {
                    return Err(ApplyError::NoSuch(format!("policy {name}")));
                }
                let attached = iam.users.iter().any(|u| u.attached_policies.contains(arn))
                    || iam.groups.iter().any(|g| g.attached_policies.contains(arn))
                    || iam.roles.iter().any(|r| r.attached_policies.contains(arn));
                if attached {
                    return Err(ApplyError::Conflict(format!(
                        "policy {name} is still attached"
                    )));
                }
                iam.policies.retain(|p| &p.arn != arn);
            }
            Op::UpdatePasswordPolicy { policy } => {
                let p = ready(&mut self.password_policy, "password policy")?;
                *p = Some(policy.clone());
            }
            Op::DeletePasswordPolicy => {
                let p = ready(&mut self.password_policy, "password policy")?;
                if p.is_none() {
                    return Err(ApplyError::NoSuch("password policy".into()));
                }
                *p = None;
            }
            Op::PutAlternateContact {
                contact_type,
                contact,
            } => {
                let c = ready(&mut self.alternate_contacts, "alternate contacts")?;
                c.contacts.insert(*contact_type, contact.clone());
            }
            Op::DeleteAlternateContact { contact_type } => {
                let c = ready(&mut self.alternate_contacts, "alternate contacts")?;
                if c.contacts.remove(contact_type).is_none() {
                    return Err(ApplyError::NoSuch(format!(
                        "{} alternate contact",
                        contact_type.as_str()
                    )));
                }
            }
            Op::PutAccountPublicAccessBlock { config } => {
                *ready(&mut self.s3_account_pab, "S3 account public access block")? = Some(*config);
            }
            Op::DeleteAccountPublicAccessBlock => {
                let p = ready(&mut self.s3_account_pab, "S3 account public access block")?;
                if p.take().is_none() {
                    return Err(ApplyError::NoSuch(
                        "account public access block".to_string(),
                    ));
                }
            }
            Op::PutBucketPublicAccessBlock {
                bucket: b, config, ..
            } => {
                let b = bucket(self, b)?;
                b.public_access_block = Fetched::Ready(Some(*config));
            }
            Op::DeleteBucketPublicAccessBlock { bucket: b, .. } => {
                let b = bucket(self, b)?;
                b.public_access_block = Fetched::Ready(None);
            }
            Op::PutBucketPolicy {
                bucket: b, policy, ..
            } => {
                let b = bucket(self, b)?;
                b.policy = Fetched::Ready(Some(policy.clone()));
            }
            Op::DeleteBucketPolicy { bucket: b, .. } => {
                let b = bucket(self, b)?;
                b.policy = Fetched::Ready(None);
            }
            Op::PutBucketAcl { bucket: b, acl, .. } => {
                let b = bucket(self, b)?;
                b.acl = Fetched::Ready(acl.clone());
            }
            Op::PutBucketEncryption {
                bucket: b,
                encryption,
                ..
            } => {
                let b = bucket(self, b)?;
                b.encryption = Fetched::Ready(Some(encryption.clone()));
            }
            Op::DeleteBucketEncryption { bucket: b, .. } => {
                let b = bucket(self, b)?;
                b.encryption = Fetched::Ready(None);
            }
            Op::PutBucketVersioning {
                bucket: b,
                status,
                mfa_delete,
                ..
            } => {
                let b = bucket(self, b)?;
                let v: &mut Versioning = known(&mut b.versioning, "versioning setting")?;
                v.status = Some(*status);
                if let Some(m) = mfa_delete {
                    v.mfa_delete = *m;
                }
            }
            Op::CreateOriginAccessControl { name, description } => {
                let cf = ready(&mut self.cloudfront, "CloudFront")?;
                if cf.oac_by_name(name).is_some() {
                    return Err(ApplyError::Exists(format!("origin access control {name}")));
                }
                cf.origin_access_controls.push(OriginAccessControl {
                    // The real id is known once CloudFront creates it; documents name OACs.
                    id: format!("(new:{name})"),
                    name: name.clone(),
                    description: description.clone(),
                    origin_type: "s3".into(),
                    signing_behavior: "always".into(),
                    signing_protocol: "sigv4".into(),
                });
            }
            Op::DeleteOriginAccessControl { name } => {
                let cf = ready(&mut self.cloudfront, "CloudFront")?;
                let oac = cf
                    .oac_by_name(name)
                    .ok_or_else(|| ApplyError::NoSuch(format!("origin access control {name}")))?;
                let id = oac.id.clone();
                if cf.distributions.iter().any(|d| {
                    d.origins
                        .iter()
                        .any(|o| o.oac_id.as_deref() == Some(id.as_str()))
                }) {
                    return Err(ApplyError::Conflict(format!(
                        "origin access control {name} is still used by a distribution"
                    )));
                }
                cf.origin_access_controls.retain(|o| o.name != *name);
            }
            Op::UpdateDistribution { id, edits, .. } => {
                let cf = ready(&mut self.cloudfront, "CloudFront")?;
                // Resolve OAC names first (the borrow of the list ends here).
                let mut resolved: Vec<Option<String>> = Vec::with_capacity(edits.len());
                for e in edits {
                    resolved.push(match e {
                        DistributionEdit::OriginAccessControl { oac: Some(r), .. } => {
                            Some(cf.resolve_oac(r).map(|o| o.id.clone()).ok_or_else(|| {
                                ApplyError::NoSuch(format!("origin access control {r}"))
                            })?)
                        }
                        _ => None,
                    });
                }
                let d = cf
                    .distributions
                    .iter_mut()
                    .find(|d| d.id == *id)
                    .ok_or_else(|| ApplyError::NoSuch(format!("distribution {id}")))?;
                for (e, oac_id) in edits.iter().zip(resolved) {
                    match e {
                        DistributionEdit::ViewerProtocolPolicy {
                            path_pattern,
                            policy,
                        } => {
                            let b = d
                                .behaviors
                                .iter_mut()
                                .find(|b| b.path_pattern == *path_pattern)
                                .ok_or_else(|| {
                                    ApplyError::NoSuch(format!(
                                        "cache behavior {} of {id}",
                                        path_pattern.as_deref().unwrap_or("(default)")
                                    ))
                                })?;
                            b.viewer_protocol_policy = policy.clone();
                        }
                        DistributionEdit::OriginAccessControl { origin_id, .. } => {
                            let o = d
                                .origins
                                .iter_mut()
                                .find(|o| o.id == *origin_id)
                                .ok_or_else(|| {
                                    ApplyError::NoSuch(format!("origin {origin_id} of {id}"))
                                })?;
                            o.oac_id = oac_id;
                        }
                        DistributionEdit::ViewerTls {
                            ssl_support_method,
                            minimum_protocol_version,
                        } => {
                            d.viewer_certificate.ssl_support_method = ssl_support_method.clone();
                            d.viewer_certificate.minimum_protocol_version =
                                minimum_protocol_version.clone();
                        }
                    }
                }
            }
            Op::CreateBucket { bucket, region } => {
                let s3 = ready(&mut self.s3, "S3")?;
                if s3.bucket(bucket).is_some() {
                    return Err(ApplyError::Exists(format!("bucket {bucket}")));
                }
                // As S3 creates a bucket since April 2023: public access
                // blocked, SSE-S3, ACLs disabled (the owner's grant only).
                // Plans still set the block and encryption explicitly after
                // creating, so the result does not depend on account defaults.
                let owner = s3
                    .owner_id
                    .clone()
                    .or_else(|| {
                        s3.buckets.iter().find_map(|b| match &b.acl {
                            Fetched::Ready(a) if !a.owner_id.is_empty() => Some(a.owner_id.clone()),
                            _ => None,
                        })
                    })
                    .unwrap_or_default();
                let mut b = Bucket::new(bucket, region);
                b.public_access_block = Fetched::Ready(Some(PublicAccessBlock::ALL));
                b.encryption = Fetched::Ready(Some(Encryption {
                    algorithm: "AES256".into(),
                    kms_key: None,
                    bucket_key: None,
                }));
                b.acl = Fetched::Ready(Acl {
                    owner_id: owner.clone(),
                    owner_display_name: None,
                    grants: vec![Grant {
                        grantee: Grantee::CanonicalUser {
                            id: owner,
                            display_name: None,
                        },
                        permission: "FULL_CONTROL".into(),
                    }],
                });
                s3.buckets.push(b);
            }
            Op::DeleteBucket { bucket, .. } => {
                let s3 = ready(&mut self.s3, "S3")?;
                let before = s3.buckets.len();
                s3.buckets.retain(|b| b.name != *bucket);
                if s3.buckets.len() == before {
                    return Err(ApplyError::NoSuch(format!("bucket {bucket}")));
                }
            }
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
        Ok(())
    }
}
