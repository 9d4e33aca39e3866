//! Amazon S3: buckets and their settings, and the account's public access block (S3 Control).
//!
//! The settings the checks read (public access block, policy, ACL, default
//! encryption, access logging, versioning) are each read by a request of
//! their own, so each can fail on its own ([`Fetched`]) without hiding the others.
//! Versioning is read only for the buckets an item judges it on (log,
//! trail and irreplaceable buckets, see `buckets.rs`): on the others it is
//! `None`, "not read", which no check takes for on or off.

mod buckets;
pub mod lifecycle;
pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;

use crate::aws::inventory::Fetched;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The four public-access-block flags (bucket or account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four flags on.
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    pub fn all_on(&self) -> bool {
        *self == Self::ALL
    }

    /// The names of the flags that are off, as AWS spells them.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = vec![];
        if !self.block_public_acls {
            out.push("BlockPublicAcls");
        }
        if !self.ignore_public_acls {
            out.push("IgnorePublicAcls");
        }
        if !self.block_public_policy {
            out.push("BlockPublicPolicy");
        }
        if !self.restrict_public_buckets {
            out.push("RestrictPublicBuckets");
        }
        out
    }
}

/// Who an ACL grant is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Grantee {
    CanonicalUser {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
    },
    /// A predefined group, by URI.
    Group { uri: String },
    /// A grant by e-mail address (legacy regions only).
    Email { address: String },
}

/// Everyone on the internet.
pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// Anyone with any AWS account.
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

impl Grantee {
    /// AllUsers or AuthenticatedUsers: a public grant.
    pub fn is_public(&self) -> bool {
        matches!(self, Grantee::Group { uri } if uri == ALL_USERS || uri == AUTHENTICATED_USERS)
    }

    /// A short label: the group's name, the user's id.
    pub fn label(&self) -> String {
        match self {
            Grantee::CanonicalUser { id, display_name } => match display_name {
                Some(n) if !n.is_empty() => format!("{n} ({id})"),
                _ => id.clone(),
            },
            Grantee::Group { uri } => uri.rsplit('/').next().unwrap_or(uri).to_string(),
            Grantee::Email { address } => address.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    /// FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP.
    pub permission: String,
}

/// A bucket ACL: owner and grants, as GetBucketAcl returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Acl {
    pub owner_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_display_name: Option<String>,
    pub grants: Vec<Grant>,
}

impl Acl {
    pub fn public_grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(|g| g.grantee.is_public())
    }
}

/// Default encryption (the first rule of GetBucketEncryption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key: Option<bool>,
}

/// Where a bucket's server access logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logging {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersioningStatus {
    Enabled,
    Suspended,
}

impl VersioningStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
        }
    }
}

/// GetBucketVersioning: `status: None` = versioning was never enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Versioning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VersioningStatus>,
    #[serde(default)]
    pub mfa_delete: bool,
}

impl Versioning {
    pub fn enabled(&self) -> bool {
        self.status == Some(VersioningStatus::Enabled)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    pub public_access_block: Fetched<Option<PublicAccessBlock>>,
    /// The bucket policy, parsed; `None` when the bucket has none.
    pub policy: Fetched<Option<Value>>,
    pub acl: Fetched<Acl>,
    pub encryption: Fetched<Option<Encryption>>,
    pub logging: Fetched<Option<Logging>>,
    /// `None`: not read, as no item judged this bucket's versioning when
    /// the buckets were read (it was not a log, trail or irreplaceable
    /// bucket). Never "off": a check or plan that needs it says it is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<Fetched<Versioning>>,
}

impl Bucket {
    /// A bucket with nothing set (what CreateBucket makes, minus the owner ACL).
    pub fn new(name: &str, region: &str) -> Bucket {
        Bucket {
            name: name.to_string(),
            region: region.to_string(),
            public_access_block: Fetched::Ready(None),
            policy: Fetched::Ready(None),
            acl: Fetched::Ready(Acl::default()),
            encryption: Fetched::Ready(None),
            logging: Fetched::Ready(None),
            versioning: Some(Fetched::Ready(Versioning::default())),
        }
    }

    /// The versioning setting, when it was read.
    pub fn versioning_read(&self) -> Option<&Versioning> {
        self.versioning.as_ref().and_then(Fetched::ready)
    }

    /// The bucket's ARN in `partition` (the caller's: [`Inventory::partition`](crate::aws::inventory::Inventory::partition)).
    pub fn arn(&self, partition: &str) -> String {
        bucket_arn(partition, &self.name)
    }
}

/// `arn:PARTITION:s3:::BUCKET`.
pub fn bucket_arn(partition: &str, bucket: &str) -> String {
    format!("arn:{partition}:s3:::{bucket}")
}

/// The S3 part: every bucket the caller can list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct S3 {
    pub buckets: Vec<Bucket>,
    /// The account's canonical user id (ListBuckets' Owner): the owner of
    /// every bucket it creates, known even when it has no bucket yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

impl S3 {
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }
    pub fn bucket_mut(&mut self, name: &str) -> Option<&mut Bucket> {
        self.buckets.iter_mut().find(|b| b.name == name)
    }
}

/// An MFA device serial and the code it shows now: what S3 needs to change
/// MFA Delete. Never serialized (the journal and plans skip it) and never
/// printed (its `Debug` hides the code).
#[derive(Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub serial: String,
    pub code: String,
}

impl MfaToken {
    /// The `x-amz-mfa` header value: serial, space, code.
    pub fn header(&self) -> String {
        format!("{} {}", self.serial, self.code)
    }
}

impl std::fmt::Debug for MfaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_access_block_names_what_is_off() {
        assert!(PublicAccessBlock::ALL.all_on());
        assert_eq!(
            PublicAccessBlock {
                block_public_acls: true,
                ..Default::default()
            }
            .missing(),
            vec![
                "IgnorePublicAcls",
                "BlockPublicPolicy",
                "RestrictPublicBuckets"
            ]
        );
    }

    #[test]
    fn public_grantees() {
        assert!(
            Grantee::Group {
                uri: ALL_USERS.into()
            }
            .is_public()
        );
        assert!(
            Grantee::Group {
                uri: AUTHENTICATED_USERS.into()
            }
            .is_public()
        );
        assert!(
            !Grantee::Group {
                uri: "http://acs.amazonaws.com/groups/s3/LogDelivery".into()
            }
            .is_public()
        );
        assert_eq!(
            Grantee::Group {
                uri: ALL_USERS.into()
            }
            .label(),
            "AllUsers"
        );
    }
}
