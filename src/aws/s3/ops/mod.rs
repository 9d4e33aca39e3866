//! S3's mutating calls (and S3 Control's account public access block), one
//! type each (see [`OpKind`]).

use super::MfaToken;
use crate::aws::inventory::{
    Acl, ApplyError, Bucket, Encryption, Fetched, Grant, Grantee, Inventory, PublicAccessBlock,
    ResourceRef, Versioning, VersioningStatus,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `resource` and `region` of an op on the bucket in its `bucket` and
/// `region` fields; with `undo: f`, also its `inverse`, `f(before, bucket, region)`.
macro_rules! on_bucket {
    () => {
        fn resource(&self) -> $crate::aws::inventory::ResourceRef {
            bucket_ref(&self.bucket)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }
    };
    (undo: $inverse:ident) => {
        on_bucket!();

        fn inverse(
            &self,
            before: &$crate::aws::inventory::Inventory,
        ) -> Option<Vec<$crate::aws::op::Op>> {
            $inverse(before, &self.bucket, &self.region)
        }
    };
}

mod lifecycle;

pub use lifecycle::*;

fn bucket_mut<'a>(inv: &'a mut Inventory, name: &str) -> Result<&'a mut Bucket, ApplyError> {
    inv.s3
        .ready_mut()
        .ok_or(ApplyError::NotReady("S3"))?
        .bucket_mut(name)
        .ok_or_else(|| ApplyError::NoSuch(format!("bucket {name}")))
}

fn bucket<'a>(before: &'a Inventory, name: &str) -> Option<&'a Bucket> {
    before.s3.ready()?.bucket(name)
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

/// The undo of a change to an optional setting of the bucket `b` in
/// `region`: the setting as it was before, set back with `put`, or `delete`
/// when there was none.
fn set_back_or_delete<T>(
    prev: &Option<T>,
    (b, region): (&str, &str),
    put: impl FnOnce(String, String, &T) -> Op,
    delete: impl FnOnce(String, String) -> Op,
) -> Option<Vec<Op>> {
    let (b, region) = (b.to_string(), region.to_string());
    Some(vec![match prev {
        Some(prev) => put(b, region, prev),
        None => delete(b, region),
    }])
}

fn bucket_ref(bucket: &str) -> ResourceRef {
    ResourceRef::Bucket {
        name: bucket.to_string(),
    }
}

/// s3control:PutPublicAccessBlock for the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutAccountPublicAccessBlock {
    pub config: PublicAccessBlock,
}

impl OpKind for PutAccountPublicAccessBlock {
    const ACTION: &'static str = "s3:PutAccountPublicAccessBlock";

    fn resource(&self) -> ResourceRef {
        ResourceRef::S3AccountPublicAccessBlock
    }

    fn describe(&self) -> String {
        if self.config.all_on() {
            "block public access to every bucket of the account".to_string()
        } else {
            "set the account's S3 public access block".to_string()
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        *inv.s3_account_pab
            .ready_mut()
            .ok_or(ApplyError::NotReady("S3 account public access block"))? = Some(self.config);
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        account_pab_inverse(before)
    }
}

/// The account's public access block before: set back, or deleted.
fn account_pab_inverse(before: &Inventory) -> Option<Vec<Op>> {
    Some(match before.s3_account_pab.ready()? {
        Some(prev) => vec![PutAccountPublicAccessBlock { config: *prev }.into()],
        None => vec![DeleteAccountPublicAccessBlock.into()],
    })
}

/// s3control:DeletePublicAccessBlock for the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteAccountPublicAccessBlock;

impl OpKind for DeleteAccountPublicAccessBlock {
    // S3's IAM actions: a delete needs the Put permission.
    const ACTION: &'static str = "s3:PutAccountPublicAccessBlock";

    fn resource(&self) -> ResourceRef {
        ResourceRef::S3AccountPublicAccessBlock
    }

    fn describe(&self) -> String {
        "remove the account's S3 public access block".to_string()
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let p = inv
            .s3_account_pab
            .ready_mut()
            .ok_or(ApplyError::NotReady("S3 account public access block"))?;
        if p.take().is_none() {
            return Err(ApplyError::NoSuch(
                "account public access block".to_string(),
            ));
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        account_pab_inverse(before)
    }
}

/// s3:PutPublicAccessBlock on a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutBucketPublicAccessBlock {
    pub bucket: String,
    pub region: String,
    pub config: PublicAccessBlock,
}

impl OpKind for PutBucketPublicAccessBlock {
    const ACTION: &'static str = "s3:PutBucketPublicAccessBlock";

    on_bucket!(undo: bucket_pab_inverse);

    fn describe(&self) -> String {
        let bucket = &self.bucket;
        if self.config.all_on() {
            format!("block public access to bucket {bucket}")
        } else {
            format!("set the public access block of bucket {bucket}")
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.public_access_block = Fetched::Ready(Some(self.config));
        Ok(())
    }
}

/// The bucket's public access block before: set back, or deleted.
fn bucket_pab_inverse(before: &Inventory, b: &str, region: &str) -> Option<Vec<Op>> {
    set_back_or_delete(
        bucket(before, b)?.public_access_block.ready()?,
        (b, region),
        |bucket, region, prev| {
            PutBucketPublicAccessBlock {
                bucket,
                region,
                config: *prev,
            }
            .into()
        },
        |bucket, region| DeleteBucketPublicAccessBlock { bucket, region }.into(),
    )
}

/// s3:DeletePublicAccessBlock on a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBucketPublicAccessBlock {
    pub bucket: String,
    pub region: String,
}

impl OpKind for DeleteBucketPublicAccessBlock {
    // S3's IAM actions: a delete needs the Put permission.
    const ACTION: &'static str = "s3:PutBucketPublicAccessBlock";

    on_bucket!(undo: bucket_pab_inverse);

    fn describe(&self) -> String {
        format!("remove the public access block of bucket {}", self.bucket)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.public_access_block = Fetched::Ready(None);
        Ok(())
    }
}

/// s3:PutBucketPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutBucketPolicy {
    pub bucket: String,
    pub region: String,
    pub policy: Value,
}

impl OpKind for PutBucketPolicy {
    const ACTION: &'static str = "s3:PutBucketPolicy";

    on_bucket!(undo: bucket_policy_inverse);

    fn describe(&self) -> String {
        format!("set the policy of bucket {}", self.bucket)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.policy = Fetched::Ready(Some(self.policy.clone()));
        Ok(())
    }
}

/// The bucket's policy before: set back, or deleted.
fn bucket_policy_inverse(before: &Inventory, b: &str, region: &str) -> Option<Vec<Op>> {
    set_back_or_delete(
        bucket(before, b)?.policy.ready()?,
        (b, region),
        |bucket, region, prev| {
            PutBucketPolicy {
                bucket,
                region,
                policy: prev.clone(),
            }
            .into()
        },
        |bucket, region| DeleteBucketPolicy { bucket, region }.into(),
    )
}

/// s3:DeleteBucketPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBucketPolicy {
    pub bucket: String,
    pub region: String,
}

impl OpKind for DeleteBucketPolicy {
    const ACTION: &'static str = "s3:DeleteBucketPolicy";

    on_bucket!(undo: bucket_policy_inverse);

    fn describe(&self) -> String {
        format!("delete the policy of bucket {}", self.bucket)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.policy = Fetched::Ready(None);
        Ok(())
    }
}

/// The whole ACL (owner and grants), as PutBucketAcl takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutBucketAcl {
    pub bucket: String,
    pub region: String,
    pub acl: Acl,
}

impl OpKind for PutBucketAcl {
    const ACTION: &'static str = "s3:PutBucketAcl";

    on_bucket!();

    fn describe(&self) -> String {
        format!("set the ACL of bucket {}", self.bucket)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.acl = Fetched::Ready(self.acl.clone());
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            PutBucketAcl {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
                acl: bucket(before, &self.bucket)?.acl.ready()?.clone(),
            }
            .into(),
        ])
    }
}

/// s3:PutBucketEncryption: the bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutBucketEncryption {
    pub bucket: String,
    pub region: String,
    pub encryption: Encryption,
}

impl OpKind for PutBucketEncryption {
    const ACTION: &'static str = "s3:PutEncryptionConfiguration";

    on_bucket!(undo: bucket_encryption_inverse);

    fn describe(&self) -> String {
        let bucket = &self.bucket;
        match &self.encryption.kms_key {
            Some(k) => format!("encrypt new objects in bucket {bucket} with KMS key {k}"),
            None => format!(
                "encrypt new objects in bucket {bucket} by default ({})",
                self.encryption.algorithm
            ),
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.encryption = Fetched::Ready(Some(self.encryption.clone()));
        Ok(())
    }
}

/// The bucket's default encryption before: set back, or deleted.
fn bucket_encryption_inverse(before: &Inventory, b: &str, region: &str) -> Option<Vec<Op>> {
    set_back_or_delete(
        bucket(before, b)?.encryption.ready()?,
        (b, region),
        |bucket, region, prev| {
            PutBucketEncryption {
                bucket,
                region,
                encryption: prev.clone(),
            }
            .into()
        },
        |bucket, region| DeleteBucketEncryption { bucket, region }.into(),
    )
}

/// s3:DeleteBucketEncryption: the bucket's default encryption setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBucketEncryption {
    pub bucket: String,
    pub region: String,
}

impl OpKind for DeleteBucketEncryption {
    const ACTION: &'static str = "s3:PutEncryptionConfiguration";

    on_bucket!(undo: bucket_encryption_inverse);

    fn describe(&self) -> String {
        format!(
            "remove the default encryption setting of bucket {}",
            self.bucket
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        b.encryption = Fetched::Ready(None);
        Ok(())
    }
}

/// `mfa_delete: Some(_)` changes MFA Delete too, which needs `mfa`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutBucketVersioning {
    pub bucket: String,
    pub region: String,
    pub status: VersioningStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<bool>,
    #[serde(skip)]
    pub mfa: Option<MfaToken>,
}

impl OpKind for PutBucketVersioning {
    const ACTION: &'static str = "s3:PutBucketVersioning";

    on_bucket!();

    fn describe(&self) -> String {
        let bucket = &self.bucket;
        let v = match self.status {
            VersioningStatus::Enabled => "enable",
            VersioningStatus::Suspended => "suspend",
        };
        match self.mfa_delete {
            Some(true) => format!("{v} versioning of bucket {bucket} with MFA Delete on"),
            Some(false) => {
                format!("{v} versioning of bucket {bucket} with MFA Delete off")
            }
            None => format!("{v} versioning of bucket {bucket}"),
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let b = bucket_mut(inv, &self.bucket)?;
        let v: &mut Versioning = match &mut b.versioning {
            Some(f) => known(f, "versioning setting")?,
            None => return Err(ApplyError::NotRead("versioning setting")),
        };
        v.status = Some(self.status);
        if let Some(m) = self.mfa_delete {
            v.mfa_delete = m;
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let prev = bucket(before, &self.bucket)?.versioning_read()?;
        // A bucket never versioned cannot go back to that: Suspended is the closest.
        Some(vec![
            PutBucketVersioning {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
                status: prev.status.unwrap_or(VersioningStatus::Suspended),
                mfa_delete: self.mfa_delete.map(|_| prev.mfa_delete),
                mfa: None,
            }
            .into(),
        ])
    }

    fn needs_mfa(&self) -> bool {
        self.mfa_delete.is_some()
    }

    fn set_mfa(&mut self, token: &MfaToken) {
        if self.mfa_delete.is_some() {
            self.mfa = Some(token.clone());
        }
    }
}

/// s3:CreateBucket, private (object ownership enforced, public access
/// blocked by S3's defaults) — log buckets for trails, flow logs and access logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateBucket {
    pub bucket: String,
    pub region: String,
}

impl OpKind for CreateBucket {
    const ACTION: &'static str = "s3:CreateBucket";

    on_bucket!();

    fn describe(&self) -> String {
        format!("create private bucket {} in {}", self.bucket, self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let bucket = &self.bucket;
        let s3 = inv.s3.ready_mut().ok_or(ApplyError::NotReady("S3"))?;
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
        let mut b = Bucket::new(bucket, &self.region);
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
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteBucket {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
            }
            .into(),
        ])
    }
}

/// s3:DeleteBucket (undo of CreateBucket; S3 refuses a bucket that holds objects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteBucket {
    pub bucket: String,
    pub region: String,
}

impl OpKind for DeleteBucket {
    const ACTION: &'static str = "s3:DeleteBucket";

    on_bucket!();

    fn describe(&self) -> String {
        format!("delete empty bucket {}", self.bucket)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let bucket = &self.bucket;
        let s3 = inv.s3.ready_mut().ok_or(ApplyError::NotReady("S3"))?;
        let before = s3.buckets.len();
        s3.buckets.retain(|b| b.name != *bucket);
        if s3.buckets.len() == before {
            return Err(ApplyError::NoSuch(format!("bucket {bucket}")));
        }
        Ok(())
    }

    /// A deleted bucket's name may be taken by anyone: moat only deletes
    /// buckets it created, to undo CreateBucket.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_the_ops_tag_and_fields() {
        let cases: [(Op, &str); 3] = [
            (
                DeleteAccountPublicAccessBlock.into(),
                r#"{"op":"delete_account_public_access_block"}"#,
            ),
            (
                PutBucketVersioning {
                    bucket: "b".into(),
                    region: "eu-west-1".into(),
                    status: VersioningStatus::Enabled,
                    mfa_delete: None,
                    mfa: None,
                }
                .into(),
                r#"{"op":"put_bucket_versioning","bucket":"b","region":"eu-west-1","status":"Enabled"}"#,
            ),
            (
                DeleteBucket {
                    bucket: "b".into(),
                    region: "us-east-1".into(),
                }
                .into(),
                r#"{"op":"delete_bucket","bucket":"b","region":"us-east-1"}"#,
            ),
        ];
        for (op, json) in cases {
            assert_eq!(serde_json::to_string(&op).expect("serializes"), json);
            let back: Op = serde_json::from_str(json).expect("deserializes");
            assert_eq!(back, op);
        }
    }

    /// A bucket whose versioning the scan did not read is never taken for
    /// unversioned: enabling it cannot be predicted, and has no inverse.
    #[test]
    fn versioning_not_read_is_not_predicted_or_undone() {
        let mut inv = Inventory::default();
        let mut b = Bucket::new("b", "us-east-1");
        b.versioning = None;
        inv.set(crate::aws::inventory::PartValue::S3Buckets(
            crate::aws::inventory::S3 {
                buckets: vec![b],
                owner_id: None,
            },
        ));
        let op = PutBucketVersioning {
            bucket: "b".into(),
            region: "us-east-1".into(),
            status: VersioningStatus::Enabled,
            mfa_delete: None,
            mfa: None,
        };
        assert!(op.inverse(&inv).is_none());
        let before = inv.clone();
        match op.predict(&mut inv) {
            Err(e @ ApplyError::NotRead(_)) => assert!(e.to_string().contains("not read"), "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(inv, before);
        // Read: predicted, and undone to Suspended.
        if let Some(b) = inv.s3.ready_mut().and_then(|s| s.bucket_mut("b")) {
            b.versioning = Some(Fetched::Ready(Versioning::default()));
        }
        assert!(op.inverse(&inv).is_some());
        op.predict(&mut inv).expect("predicted");
    }

    #[test]
    fn the_mfa_token_is_never_serialized() {
        let op: Op = PutBucketVersioning {
            bucket: "b".into(),
            region: "us-east-1".into(),
            status: VersioningStatus::Enabled,
            mfa_delete: Some(true),
            mfa: Some(MfaToken {
                serial: "SERIAL".into(),
                code: "123456".into(),
            }),
        }
        .into();
        let json = serde_json::to_string(&op).expect("serializes");
        assert!(
            !json.contains("SERIAL") && !json.contains("123456"),
            "{json}"
        );
        assert!(json.contains(r#""mfa_delete":true"#), "{json}");
    }
}
