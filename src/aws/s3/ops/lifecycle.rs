//! Lifecycle rules and server access logging of a bucket.

use super::bucket_ref;

fn lifecycle_ref(bucket: &str) -> crate::aws::inventory::ResourceRef {
    crate::aws::inventory::ResourceRef::Lifecycle {
        bucket: bucket.to_string(),
    }
}

/// `resource`, `region` and `inverse` of an op on the lifecycle
/// configuration of the bucket in its `bucket` and `region` fields: the undo
/// writes the configuration as it was.
macro_rules! on_lifecycle {
    () => {
        fn resource(&self) -> crate::aws::inventory::ResourceRef {
            lifecycle_ref(&self.bucket)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }

        fn inverse(
            &self,
            before: &crate::aws::inventory::Inventory,
        ) -> Option<Vec<crate::aws::op::Op>> {
            lifecycle_as_before(before, &self.bucket, &self.region)
        }
    };
}

/// Write the lifecycle configuration of `bucket` in the model, as a put or a
/// delete leaves it.
fn set_lifecycle(
    inv: &mut crate::aws::inventory::Inventory,
    bucket: &str,
    region: &str,
    rules: Vec<crate::aws::inventory::LifecycleRule>,
    transition_default_minimum_object_size: Option<String>,
) -> Result<(), crate::aws::inventory::ApplyError> {
    lifecycles(inv)?.insert(
        bucket.to_string(),
        crate::aws::inventory::BucketLifecycle {
            region: region.to_string(),
            rules: crate::aws::inventory::Fetched::Ready(rules),
            transition_default_minimum_object_size,
        },
    );
    Ok(())
}

fn lifecycles(
    inv: &mut crate::aws::inventory::Inventory,
) -> Result<&mut crate::aws::inventory::BucketLifecycles, crate::aws::inventory::ApplyError> {
    inv.trail_lifecycles
        .ready_mut()
        .ok_or(crate::aws::inventory::ApplyError::NotReady(
            "bucket lifecycle",
        ))
}

/// The previous rules with the previous default minimum size: a write
/// without it would switch a configuration made before September 2024 to
/// S3's new default.
fn lifecycle_as_before(
    before: &crate::aws::inventory::Inventory,
    bucket: &str,
    region: &str,
) -> Option<Vec<crate::aws::op::Op>> {
    let l = before.trail_lifecycles.ready()?.get(bucket);
    let (rules, min_size) = match l {
        None => (vec![], None),
        Some(l) => (
            l.rules.ready()?.clone(),
            l.transition_default_minimum_object_size.clone(),
        ),
    };
    Some(vec![if rules.is_empty() {
        DeleteBucketLifecycle {
            bucket: bucket.to_string(),
            region: region.to_string(),
        }
        .into()
    } else {
        PutBucketLifecycle {
            bucket: bucket.to_string(),
            region: region.to_string(),
            rules,
            transition_default_minimum_object_size: min_size,
        }
        .into()
    }])
}

/// s3:PutLifecycleConfiguration with the whole rule list (existing rules
/// kept as read, new ones added) and the configuration's
/// `TransitionDefaultMinimumObjectSize` (sent as the
/// `x-amz-transition-default-minimum-object-size` header; without it S3
/// applies `all_storage_classes_128K`, whatever the bucket had).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutBucketLifecycle {
    pub bucket: String,
    pub region: String,
    pub rules: Vec<crate::aws::inventory::LifecycleRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_default_minimum_object_size: Option<String>,
}

impl crate::aws::op::OpKind for PutBucketLifecycle {
    // S3's IAM action names: a delete needs the put permission.
    const ACTION: &'static str = "s3:PutLifecycleConfiguration";

    on_lifecycle!();

    fn describe(&self) -> String {
        format!(
            "set the lifecycle rules of bucket {} ({} rule(s), default minimum object size {})",
            self.bucket,
            self.rules.len(),
            self.transition_default_minimum_object_size
                .as_deref()
                .unwrap_or(crate::aws::inventory::MIN_SIZE_128K)
        )
    }

    fn predict(
        &self,
        inv: &mut crate::aws::inventory::Inventory,
    ) -> Result<(), crate::aws::inventory::ApplyError> {
        // A write without the setting gets S3's default.
        let min_size = self
            .transition_default_minimum_object_size
            .clone()
            .unwrap_or_else(|| crate::aws::inventory::MIN_SIZE_128K.to_string());
        set_lifecycle(
            inv,
            &self.bucket,
            &self.region,
            self.rules.clone(),
            Some(min_size),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeleteBucketLifecycle {
    pub bucket: String,
    pub region: String,
}

impl crate::aws::op::OpKind for DeleteBucketLifecycle {
    // S3's IAM action names: a delete needs the put permission.
    const ACTION: &'static str = "s3:PutLifecycleConfiguration";

    on_lifecycle!();

    fn describe(&self) -> String {
        format!(
            "remove the lifecycle configuration of bucket {}",
            self.bucket
        )
    }

    fn predict(
        &self,
        inv: &mut crate::aws::inventory::Inventory,
    ) -> Result<(), crate::aws::inventory::ApplyError> {
        set_lifecycle(inv, &self.bucket, &self.region, vec![], None)
    }
}

/// s3:PutBucketLogging; `logging: None` turns server access logging off.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutBucketLogging {
    pub bucket: String,
    pub region: String,
    pub logging: Option<crate::aws::inventory::Logging>,
}

impl crate::aws::op::OpKind for PutBucketLogging {
    const ACTION: &'static str = "s3:PutBucketLogging";

    on_bucket!();

    fn describe(&self) -> String {
        match &self.logging {
            Some(l) => format!(
                "log requests to bucket {} into {}/{}",
                self.bucket, l.target_bucket, l.target_prefix
            ),
            None => format!("turn off server access logging of bucket {}", self.bucket),
        }
    }

    fn predict(
        &self,
        inv: &mut crate::aws::inventory::Inventory,
    ) -> Result<(), crate::aws::inventory::ApplyError> {
        use crate::aws::inventory::ApplyError;
        let bucket = &self.bucket;
        let s3 = inv.s3.ready_mut().ok_or(ApplyError::NotReady("S3"))?;
        if let Some(l) = &self.logging
            && s3.bucket(&l.target_bucket).is_none()
        {
            return Err(ApplyError::NoSuch(format!("bucket {}", l.target_bucket)));
        }
        let b = s3
            .bucket_mut(bucket)
            .ok_or_else(|| ApplyError::NoSuch(format!("bucket {bucket}")))?;
        b.logging = crate::aws::inventory::Fetched::Ready(self.logging.clone());
        Ok(())
    }

    fn inverse(
        &self,
        before: &crate::aws::inventory::Inventory,
    ) -> Option<Vec<crate::aws::op::Op>> {
        let b = before.s3.ready()?.bucket(&self.bucket)?;
        Some(vec![
            PutBucketLogging {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
                logging: b.logging.ready()?.clone(),
            }
            .into(),
        ])
    }
}
