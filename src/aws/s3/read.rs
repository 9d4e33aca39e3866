//! S3 reads of the trails' buckets: each bucket's region and lifecycle rules
//! (SDK ↔ model, every field both ways).

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{
    BucketLifecycle, BucketLifecycles, Expiration, Fetched, LifecycleFilter, LifecycleRule,
    NoncurrentExpiration, NoncurrentTransition, Tag, Transition,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use std::collections::BTreeMap;

pub(crate) fn date_string(d: &DateTime) -> String {
    d.fmt(Format::DateTime).unwrap_or_default()
}

// The top-level Prefix is deprecated but still in use on old rules: it is
// read and written back so such rules survive a merge unchanged.
#[allow(deprecated)]
pub(crate) fn rule_from(r: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let filter = r.filter().map(|f| match f.and() {
        Some(and) => LifecycleFilter {
            prefix: and.prefix().map(str::to_string),
            tags: and
                .tags()
                .iter()
                .map(|t| Tag {
                    key: t.key().to_string(),
                    value: t.value().to_string(),
                })
                .collect(),
            object_size_greater_than: and.object_size_greater_than(),
            object_size_less_than: and.object_size_less_than(),
        },
        None => LifecycleFilter {
            prefix: f.prefix().map(str::to_string),
            tags: f
                .tag()
                .map(|t| Tag {
                    key: t.key().to_string(),
                    value: t.value().to_string(),
                })
                .into_iter()
                .collect(),
            object_size_greater_than: f.object_size_greater_than(),
            object_size_less_than: f.object_size_less_than(),
        },
    });
    LifecycleRule {
        id: r.id().map(str::to_string),
        status: r.status().as_str().to_string(),
        filter,
        prefix: r.prefix().map(str::to_string),
        transitions: r
            .transitions()
            .iter()
            .map(|t| Transition {
                days: t.days(),
                date: t.date().map(date_string),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        expiration: r.expiration().map(|e| Expiration {
            days: e.days(),
            date: e.date().map(date_string),
            expired_object_delete_marker: e.expired_object_delete_marker(),
        }),
        noncurrent_transitions: r
            .noncurrent_version_transitions()
            .iter()
            .map(|t| NoncurrentTransition {
                noncurrent_days: t.noncurrent_days(),
                newer_noncurrent_versions: t.newer_noncurrent_versions(),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        noncurrent_expiration: r
            .noncurrent_version_expiration()
            .map(|e| NoncurrentExpiration {
                noncurrent_days: e.noncurrent_days(),
                newer_noncurrent_versions: e.newer_noncurrent_versions(),
            }),
        abort_incomplete_multipart_days: r
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation()),
    }
}

impl AwsBackend {
    pub(crate) async fn collect_trail_lifecycles(&self) -> Result<BucketLifecycles, CallError> {
        let out = self.describe_trails().await?;
        let mut names: Vec<String> = out
            .iter()
            .filter_map(|t| t.s3_bucket_name())
            .filter(|b| !b.trim().is_empty())
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        // Only this account's buckets (a trail may write to another account's).
        let owned = self.owned_buckets().await?;
        let reads = names
            .into_iter()
            .filter_map(|n| owned.get(&n).map(|r| (n, r.clone())))
            .map(|(name, region)| async move {
                let region = match region {
                    Some(r) => r,
                    None => self.bucket_region(&name).await?,
                };
                let (rules, min_size) = match self.lifecycle_rules(&name, &region).await {
                    Ok((rules, min_size)) => (Ok(rules), min_size),
                    Err(e) => (Err(e), None),
                };
                Ok::<_, CallError>((
                    name,
                    BucketLifecycle {
                        region,
                        rules: Fetched::from(rules),
                        transition_default_minimum_object_size: min_size,
                    },
                ))
            });
        let mut out = BTreeMap::new();
        for r in self.join_bounded(reads).await {
            let (name, l) = r?;
            out.insert(name, l);
        }
        Ok(out)
    }

    /// Buckets this account owns, with their region when ListBuckets gives it.
    pub(crate) async fn owned_buckets(
        &self,
    ) -> Result<BTreeMap<String, Option<String>>, CallError> {
        let s3 = self.s3(self.region());
        let mut out = BTreeMap::new();
        let pages = s3.list_buckets().into_paginator().send().try_collect();
        for page in self.send("s3:ListAllMyBuckets", pages).await? {
            for b in page.buckets() {
                if let Some(n) = b.name() {
                    out.insert(
                        n.to_string(),
                        b.bucket_region()
                            .map(str::to_string)
                            .filter(|r| !r.is_empty()),
                    );
                }
            }
        }
        Ok(out)
    }

    pub(crate) async fn bucket_region(&self, name: &str) -> Result<String, CallError> {
        let out = self
            .send(
                "s3:GetBucketLocation",
                self.s3(self.region())
                    .get_bucket_location()
                    .bucket(name)
                    .send(),
            )
            .await?;
        Ok(match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(r) => r.to_string(),
        })
    }

    /// A bucket's lifecycle rules and its default minimum object size for
    /// transitions (the `x-amz-transition-default-minimum-object-size`
    /// response header); no configuration = no rules and no setting.
    pub(crate) async fn lifecycle_rules(
        &self,
        bucket: &str,
        region: &str,
    ) -> Result<(Vec<LifecycleRule>, Option<String>), CallError> {
        let r = self
            .send(
                "s3:GetLifecycleConfiguration",
                self.s3(region)
                    .get_bucket_lifecycle_configuration()
                    .bucket(bucket)
                    .send(),
            )
            .await;
        match r {
            Ok(out) => Ok((
                out.rules().iter().map(rule_from).collect(),
                out.transition_default_minimum_object_size()
                    .map(|m| m.as_str().to_string())
                    .filter(|m| !m.is_empty()),
            )),
            Err(e) if e.is_code("NoSuchLifecycleConfiguration") => Ok((vec![], None)),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_rules_round_trip_through_the_sdk_types() {
        let rules = vec![
            LifecycleRule {
                id: Some("expire-tmp".into()),
                status: "Enabled".into(),
                filter: Some(LifecycleFilter {
                    prefix: Some("tmp/".into()),
                    tags: vec![Tag {
                        key: "k".into(),
                        value: "v".into(),
                    }],
                    object_size_greater_than: Some(1024),
                    object_size_less_than: None,
                }),
                prefix: None,
                transitions: vec![Transition {
                    days: None,
                    date: Some("2030-01-01T00:00:00Z".into()),
                    storage_class: "STANDARD_IA".into(),
                }],
                expiration: Some(Expiration {
                    days: Some(365),
                    date: None,
                    expired_object_delete_marker: None,
                }),
                noncurrent_transitions: vec![NoncurrentTransition {
                    noncurrent_days: Some(30),
                    newer_noncurrent_versions: Some(2),
                    storage_class: "GLACIER".into(),
                }],
                noncurrent_expiration: Some(NoncurrentExpiration {
                    noncurrent_days: Some(400),
                    newer_noncurrent_versions: None,
                }),
                abort_incomplete_multipart_days: Some(7),
            },
            LifecycleRule {
                id: Some("everything".into()),
                status: "Disabled".into(),
                filter: Some(LifecycleFilter {
                    prefix: Some(String::new()),
                    ..Default::default()
                }),
                prefix: None,
                transitions: vec![],
                expiration: Some(Expiration {
                    days: None,
                    date: None,
                    expired_object_delete_marker: Some(true),
                }),
                noncurrent_transitions: vec![],
                noncurrent_expiration: None,
                abort_incomplete_multipart_days: None,
            },
        ];
        for r in &rules {
            let sdk = crate::aws::s3::sdk::rule_to(r).expect("to sdk");
            assert_eq!(&rule_from(&sdk), r);
        }
    }
}
