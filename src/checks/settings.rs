//! What the user tunes about checks and plans (thresholds, accepted
//! exceptions, CIDRs, buckets public or irreplaceable on purpose). The config
//! file fills it; checks and plan builders read it through [`super::Ctx`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A failing resource the user accepts, with a reason; after `expires` it fails again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    pub item: String,
    pub resource: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// A bucket that is public on purpose (a website, public datasets): the S3
/// public-access items show it as `accepted` with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicBucket {
    pub bucket: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// The items a `[[public_bucket]]` entry accepts the bucket for.
pub const PUBLIC_BUCKET_ITEMS: &[&str] = &[
    "s3.bucket-public-access-block",
    "s3.public-policies",
    "s3.public-acls",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// account.password-policy: minimum length.
    pub password_min_length: i32,
    /// account.password-policy: passwords remembered.
    pub password_reuse_prevention: i32,
    /// account.stale-access-keys: an active key unused this many days is stale.
    pub key_unused_days: i64,
    /// account.stale-access-keys: an active key older than this is stale.
    pub key_max_age_days: i64,
    /// ebs.recent-snapshots: a snapshot older than this is not recent.
    pub snapshot_max_age_days: i64,
    /// Failing resources accepted on purpose.
    pub exceptions: Vec<Exception>,
    /// CIDRs offered when tightening an open rule.
    pub cidrs: Vec<String>,
    /// Buckets public on purpose.
    pub public_buckets: Vec<PublicBucket>,
    /// Buckets whose data cannot be recreated: versioning and MFA Delete
    /// are checked on them as on log buckets.
    pub irreplaceable_buckets: Vec<String>,
}

impl Settings {
    /// The exception accepting `resource` for `item`: an `[[exception]]`, or a
    /// `[[public_bucket]]` for the S3 public-access items.
    pub fn exception_for(&self, item: &str, resource: &str) -> Option<Exception> {
        if let Some(e) = self
            .exceptions
            .iter()
            .find(|e| e.item == item && e.resource == resource)
        {
            return Some(e.clone());
        }
        if !PUBLIC_BUCKET_ITEMS.contains(&item) {
            return None;
        }
        let bucket = resource.strip_prefix("bucket/")?;
        self.public_bucket(bucket).map(|p| Exception {
            item: item.to_string(),
            resource: resource.to_string(),
            reason: p.reason.clone(),
            expires: p.expires,
        })
    }

    /// The `[[public_bucket]]` entry for `bucket`, if any.
    pub fn public_bucket(&self, bucket: &str) -> Option<&PublicBucket> {
        self.public_buckets.iter().find(|p| p.bucket == bucket)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_min_length: 14,
            password_reuse_prevention: 24,
            key_unused_days: 45,
            key_max_age_days: 90,
            snapshot_max_age_days: 7,
            exceptions: Vec::new(),
            cidrs: Vec::new(),
            public_buckets: Vec::new(),
            irreplaceable_buckets: Vec::new(),
        }
    }
}
