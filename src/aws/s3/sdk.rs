//! The SDK requests of this service's ops.

// Lifecycle and server access logging.

impl crate::collect::aws::SendOp for super::ops::PutBucketLifecycle {
    async fn send(
        &self,
        aws: &crate::collect::aws::AwsBackend,
    ) -> Result<crate::collect::Outcome, crate::collect::aws::CallError> {
        use crate::collect::aws::CallError;
        let action = <Self as crate::plan::OpKind>::ACTION;
        let bad = |e: String| CallError::new(action, None, e);
        let rules = self
            .rules
            .iter()
            .map(rule_to)
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad)?;
        let config = aws_sdk_s3::types::BucketLifecycleConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let r = aws
            .s3(&self.region)
            .put_bucket_lifecycle_configuration()
            .bucket(&self.bucket)
            .lifecycle_configuration(config)
            .set_transition_default_minimum_object_size(
                self.transition_default_minimum_object_size
                    .as_deref()
                    .map(aws_sdk_s3::types::TransitionDefaultMinimumObjectSize::from),
            );
        aws.send_write(action, r.send()).await?;
        Ok(crate::collect::Outcome::default())
    }
}

impl crate::collect::aws::SendOp for super::ops::DeleteBucketLifecycle {
    async fn send(
        &self,
        aws: &crate::collect::aws::AwsBackend,
    ) -> Result<crate::collect::Outcome, crate::collect::aws::CallError> {
        let action = <Self as crate::plan::OpKind>::ACTION;
        let r = aws
            .s3(&self.region)
            .delete_bucket_lifecycle()
            .bucket(&self.bucket);
        aws.send_write(action, r.send()).await?;
        Ok(crate::collect::Outcome::default())
    }
}

impl crate::collect::aws::SendOp for super::ops::PutBucketLogging {
    async fn send(
        &self,
        aws: &crate::collect::aws::AwsBackend,
    ) -> Result<crate::collect::Outcome, crate::collect::aws::CallError> {
        let action = <Self as crate::plan::OpKind>::ACTION;
        let mut status = aws_sdk_s3::types::BucketLoggingStatus::builder();
        if let Some(l) = &self.logging {
            status = status.logging_enabled(
                aws_sdk_s3::types::LoggingEnabled::builder()
                    .target_bucket(&l.target_bucket)
                    .target_prefix(&l.target_prefix)
                    .build()
                    .map_err(|e| {
                        crate::collect::aws::CallError::new(action, None, e.to_string())
                    })?,
            );
        }
        let r = aws
            .s3(&self.region)
            .put_bucket_logging()
            .bucket(&self.bucket)
            .bucket_logging_status(status.build());
        aws.send_write(action, r.send()).await?;
        Ok(crate::collect::Outcome::default())
    }
}

fn date_parse(s: &str) -> Result<aws_smithy_types::DateTime, String> {
    aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
        .map_err(|e| format!("date {s}: {e}"))
}

fn tag_to(t: &crate::inventory::Tag) -> Result<aws_sdk_s3::types::Tag, String> {
    aws_sdk_s3::types::Tag::builder()
        .key(&t.key)
        .value(&t.value)
        .build()
        .map_err(|e| e.to_string())
}

/// A lifecycle rule as PutBucketLifecycleConfiguration takes it, every field
/// of the model's (the inverse of the rule read from S3).
#[allow(deprecated)]
pub(crate) fn rule_to(
    r: &crate::inventory::LifecycleRule,
) -> Result<aws_sdk_s3::types::LifecycleRule, String> {
    use aws_sdk_s3::types as s;
    let mut b = s::LifecycleRule::builder()
        .set_id(r.id.clone())
        .status(s::ExpirationStatus::from(r.status.as_str()))
        .set_prefix(r.prefix.clone());
    if let Some(f) = &r.filter {
        let conditions = f.prefix.is_some() as usize
            + f.tags.len()
            + f.object_size_greater_than.is_some() as usize
            + f.object_size_less_than.is_some() as usize;
        let filter = if conditions > 1 {
            let mut and = s::LifecycleRuleAndOperator::builder()
                .set_prefix(f.prefix.clone())
                .set_object_size_greater_than(f.object_size_greater_than)
                .set_object_size_less_than(f.object_size_less_than);
            for t in &f.tags {
                and = and.tags(tag_to(t)?);
            }
            s::LifecycleRuleFilter::builder().and(and.build()).build()
        } else {
            let mut fb = s::LifecycleRuleFilter::builder()
                .set_prefix(f.prefix.clone())
                .set_object_size_greater_than(f.object_size_greater_than)
                .set_object_size_less_than(f.object_size_less_than);
            if let Some(t) = f.tags.first() {
                fb = fb.tag(tag_to(t)?);
            }
            // An empty filter is the whole bucket: an empty prefix says so.
            if conditions == 0 {
                fb = fb.prefix("");
            }
            fb.build()
        };
        b = b.filter(filter);
    }
    for t in &r.transitions {
        let mut tb = s::Transition::builder()
            .set_days(t.days)
            .storage_class(s::TransitionStorageClass::from(t.storage_class.as_str()));
        if let Some(d) = &t.date {
            tb = tb.date(date_parse(d)?);
        }
        b = b.transitions(tb.build());
    }
    if let Some(e) = &r.expiration {
        let mut eb = s::LifecycleExpiration::builder()
            .set_days(e.days)
            .set_expired_object_delete_marker(e.expired_object_delete_marker);
        if let Some(d) = &e.date {
            eb = eb.date(date_parse(d)?);
        }
        b = b.expiration(eb.build());
    }
    for t in &r.noncurrent_transitions {
        b = b.noncurrent_version_transitions(
            s::NoncurrentVersionTransition::builder()
                .set_noncurrent_days(t.noncurrent_days)
                .set_newer_noncurrent_versions(t.newer_noncurrent_versions)
                .storage_class(s::TransitionStorageClass::from(t.storage_class.as_str()))
                .build(),
        );
    }
    if let Some(e) = &r.noncurrent_expiration {
        b = b.noncurrent_version_expiration(
            s::NoncurrentVersionExpiration::builder()
                .set_noncurrent_days(e.noncurrent_days)
                .set_newer_noncurrent_versions(e.newer_noncurrent_versions)
                .build(),
        );
    }
    if let Some(d) = r.abort_incomplete_multipart_days {
        b = b.abort_incomplete_multipart_upload(
            s::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(d)
                .build(),
        );
    }
    b.build().map_err(|e| e.to_string())
}
