//! A bucket's lifecycle configuration, with every field S3 has.

use crate::aws::inventory::Fetched;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// What a lifecycle rule applies to (`Filter`; empty = the whole bucket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LifecycleFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    /// ISO 8601 date, as S3 gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Expiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentTransition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NoncurrentExpiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
}

/// One S3 lifecycle rule, with every field S3 has (so a rule moat rewrites
/// is sent back exactly as read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<LifecycleFilter>,
    /// The legacy top-level prefix (rules without a `Filter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_multipart_days: Option<i32>,
}

impl LifecycleRule {
    /// The prefix the rule is limited to ("" = every object), and whether
    /// it has other conditions (tags, sizes) that narrow it further.
    pub fn scope(&self) -> (&str, bool) {
        match &self.filter {
            Some(f) => (
                f.prefix.as_deref().unwrap_or(""),
                !f.tags.is_empty()
                    || f.object_size_greater_than.is_some()
                    || f.object_size_less_than.is_some(),
            ),
            None => (self.prefix.as_deref().unwrap_or(""), false),
        }
    }
}

/// One bucket's lifecycle configuration (no configuration = no rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketLifecycle {
    pub region: String,
    pub rules: Fetched<Vec<LifecycleRule>>,
    /// The configuration's `TransitionDefaultMinimumObjectSize`
    /// (GetBucketLifecycleConfiguration's
    /// `x-amz-transition-default-minimum-object-size` header):
    /// [`MIN_SIZE_128K`] or [`MIN_SIZE_VARIES`]; `None` when the bucket has
    /// no configuration or S3 did not say (S3 then applies [`MIN_SIZE_128K`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_default_minimum_object_size: Option<String>,
}

/// S3's default since September 2024: objects under 128 KB never transition.
pub const MIN_SIZE_128K: &str = "all_storage_classes_128K";
/// Objects under 128 KB may transition to GLACIER and DEEP_ARCHIVE only.
pub const MIN_SIZE_VARIES: &str = "varies_by_storage_class";
/// The size under which S3's default keeps an object from transitioning.
pub const MIN_TRANSITION_BYTES: i64 = 128 * 1024;

impl BucketLifecycle {
    /// The default minimum object size S3 applies to this bucket's rules
    /// (a configuration that does not say gets S3's default).
    pub fn default_minimum_size(&self) -> &str {
        self.transition_default_minimum_object_size
            .as_deref()
            .unwrap_or(MIN_SIZE_128K)
    }
}

/// Lifecycle configurations of the trails' buckets, by bucket name.
pub type BucketLifecycles = BTreeMap<String, BucketLifecycle>;

/// A bucket's lifecycle rules as a document (rules sorted by id).
pub(crate) fn lifecycle_document(bucket: &str, l: &BucketLifecycle) -> serde_json::Value {
    use serde_json::{Value, json};
    let rules = match &l.rules {
        Fetched::Ready(r) => {
            let mut r: Vec<Value> = r
                .iter()
                .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
                .collect();
            r.sort_by_key(|x| x["id"].as_str().unwrap_or_default().to_string());
            Value::Array(r)
        }
        Fetched::Error(e) => json!({"Unreadable": e.summary()}),
    };
    let mut doc = json!({"Bucket": bucket, "Rules": rules});
    // A configuration always has a minimum size setting (S3's default when
    // it did not say); no configuration has none.
    if l.rules.ready().is_some_and(|r| !r.is_empty()) {
        doc["TransitionDefaultMinimumObjectSize"] = json!(l.default_minimum_size());
    }
    doc
}
