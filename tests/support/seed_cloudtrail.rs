//! Seeds moto with resources that fail the CloudTrail section's items, for
//! the tests that cover every item (zero mutation, least-privilege IAM
//! policy), and the CloudTrail and KMS clients the tests use.

#![allow(dead_code)]

use super::seed_cloudwatch::logs;

/// The bucket of the seeded trail.
pub const TRAIL_BUCKET: &str = "seeded-trail-logs";

/// A single-region trail: not logging, no validation, no key, no topic.
pub const TRAIL: &str = "seeded-trail";

/// The log group the seeded trail sends to.
pub const LOG_GROUP: &str = "seeded/CloudTrail";

/// A user who may stop the trail.
pub const TRAIL_USER: &str = "trail-fiddler";

/// A role (not an administrator) whose inline policy may stop trails.
pub const TRAIL_ROLE: &str = "ci-deployer";

pub fn cloudtrail(ep: &str, region: &str) -> aws_sdk_cloudtrail::Client {
    test_client!(aws_sdk_cloudtrail, ep, region)
}

pub fn kms(ep: &str, region: &str) -> aws_sdk_kms::Client {
    test_client!(aws_sdk_kms, ep, region)
}

/// Trail `name` in us-east-1 as GetTrail answers it.
pub async fn get_trail(ep: &str, name: &str) -> Option<aws_sdk_cloudtrail::types::Trail> {
    cloudtrail(ep, "us-east-1")
        .get_trail()
        .name(name)
        .send()
        .await
        .expect("trail")
        .trail()
        .cloned()
}

/// The key behind `alias/moat-cloudtrail` in us-east-1 (the key moat makes
/// for trails).
pub async fn moat_trail_key(ep: &str) -> Option<aws_sdk_kms::types::KeyMetadata> {
    kms(ep, "us-east-1")
        .describe_key()
        .key_id("alias/moat-cloudtrail")
        .send()
        .await
        .expect("the key behind alias/moat-cloudtrail")
        .key_metadata()
        .cloned()
}

/// Trail `trail` in us-east-1 writing to its own new bucket `bucket`, with
/// the policy CloudTrail needs.
pub async fn trail_to_bucket(ep: &str, trail: &str, bucket: &str) {
    trail_bucket(ep, bucket, trail).await;
    cloudtrail(ep, "us-east-1")
        .create_trail()
        .name(trail)
        .s3_bucket_name(bucket)
        .send()
        .await
        .expect("trail");
}

/// The two statements CloudTrail needs, for `trail` writing to `bucket`.
pub fn trail_bucket_policy(bucket: &str, trail: &str) -> String {
    let arn = format!(
        "arn:aws:cloudtrail:us-east-1:{}:trail/{trail}",
        super::ACCOUNT_ID
    );
    serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": format!("arn:aws:s3:::{bucket}"),
         "Condition": {"StringEquals": {"aws:SourceArn": arn}}},
        {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{}/*", super::ACCOUNT_ID),
         "Condition": {"StringEquals": {"aws:SourceArn": arn, "s3:x-amz-acl": "bucket-owner-full-control"}}}
    ]})
    .to_string()
}

/// Bucket `bucket` in us-east-1 with the policy CloudTrail needs to write
/// `trail`'s logs.
pub async fn trail_bucket(ep: &str, bucket: &str, trail: &str) {
    let s3 = super::s3_client(ep, "us-east-1").await;
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(trail_bucket_policy(bucket, trail))
        .send()
        .await
        .expect("bucket policy");
}

/// [`TRAIL`] in us-east-1, writing to [`TRAIL_BUCKET`] and announcing its
/// log files on the SNS topic `topic` (a name).
pub async fn trail_with_topic(ep: &str, topic: &str) {
    trail_bucket(ep, TRAIL_BUCKET, TRAIL).await;
    cloudtrail(ep, "us-east-1")
        .create_trail()
        .name(TRAIL)
        .s3_bucket_name(TRAIL_BUCKET)
        .sns_topic_name(topic)
        .send()
        .await
        .expect("trail");
}

/// Create resources that fail (some of) this section's items: a single-region
/// trail that does not log (no validation, key, topic or access logging),
/// sending to a log group without metric filters; its bucket with two
/// lifecycle rules, none archiving; a user and a role allowed to stop trails.
pub async fn seed_failing(ep: &str) {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
        LifecycleRuleFilter,
    };
    let s3 = super::s3_client(ep, "us-east-1").await;
    s3.create_bucket()
        .bucket(TRAIL_BUCKET)
        .send()
        .await
        .expect("trail bucket");
    s3.put_bucket_policy()
        .bucket(TRAIL_BUCKET)
        .policy(trail_bucket_policy(TRAIL_BUCKET, TRAIL))
        .send()
        .await
        .expect("trail bucket policy");
    let rule = |id: &str, prefix: &str, days: i32| {
        LifecycleRule::builder()
            .id(id)
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix(prefix).build())
            .expiration(LifecycleExpiration::builder().days(days).build())
            .build()
            .expect("rule")
    };
    s3.put_bucket_lifecycle_configuration()
        .bucket(TRAIL_BUCKET)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(rule("expire-tmp", "tmp/", 7))
                .rules(rule("expire-scratch", "scratch/", 30))
                .build()
                .expect("lifecycle"),
        )
        .send()
        .await
        .expect("lifecycle rules");
    logs(ep, "us-east-1")
        .create_log_group()
        .log_group_name(LOG_GROUP)
        .send()
        .await
        .expect("log group");
    cloudtrail(ep, "us-east-1")
        .create_trail()
        .name(TRAIL)
        .s3_bucket_name(TRAIL_BUCKET)
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:us-east-1:{}:log-group:{LOG_GROUP}:*",
            super::ACCOUNT_ID
        ))
        .cloud_watch_logs_role_arn(format!(
            "arn:aws:iam::{}:role/CloudTrailToLogs",
            super::ACCOUNT_ID
        ))
        .send()
        .await
        .expect("trail");
    let iam = super::iam_client(ep).await;
    iam.create_user()
        .user_name(TRAIL_USER)
        .send()
        .await
        .expect("user");
    iam.put_user_policy()
        .user_name(TRAIL_USER)
        .policy_name("manage-trails")
        .policy_document(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("inline policy");
    iam.create_role()
        .role_name(TRAIL_ROLE)
        .assume_role_policy_document(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
                 "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("role");
    iam.put_role_policy()
        .role_name(TRAIL_ROLE)
        .policy_name("deploy-trails")
        .policy_document(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow",
                 "Action": ["cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
                 "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("role policy");
}
