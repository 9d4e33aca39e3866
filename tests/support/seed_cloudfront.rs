//! CloudFront and S3 seeding shared by the S3 and CloudFront tests and the
//! tests that cover every item.

#![allow(dead_code)]

use super::{ACCOUNT_ID, cloudfront_client};

/// A distribution of `bucket` (its origin named `origin`) that allows HTTP on
/// its default behavior and serves a custom certificate on an old TLS policy
/// with a dedicated IP, and no origin access; its id.
pub async fn http_distribution(
    ep: &str,
    caller_reference: &str,
    comment: &str,
    origin: &str,
    bucket: &str,
) -> String {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, MinimumProtocolVersion, Origin, Origins,
        S3OriginConfig, SslSupportMethod, ViewerCertificate, ViewerProtocolPolicy,
    };
    let s3_origin = Origin::builder()
        .id(origin)
        .domain_name(format!("{bucket}.s3.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .expect("origin");
    let config = DistributionConfig::builder()
        .caller_reference(caller_reference)
        .comment(comment)
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(s3_origin)
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(origin)
                .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
                .build()
                .expect("behavior"),
        )
        .viewer_certificate(
            ViewerCertificate::builder()
                .acm_certificate_arn(format!(
                    "arn:aws:acm:us-east-1:{ACCOUNT_ID}:certificate/0f0f0f0f-1111-2222-3333-444455556666"
                ))
                .ssl_support_method(SslSupportMethod::Vip)
                .minimum_protocol_version(MinimumProtocolVersion::TlSv12016)
                .build(),
        )
        .build()
        .expect("distribution config");
    cloudfront_client(ep)
        .await
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("distribution")
        .distribution()
        .map(|d| d.id().to_string())
        .expect("id")
}

/// `bucket` delivers its access logs to `target` under `prefix`.
pub async fn log_to(s3: &aws_sdk_s3::Client, bucket: &str, target: &str, prefix: &str) {
    use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
    s3.put_bucket_logging()
        .bucket(bucket)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket(target)
                        .target_prefix(prefix)
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("logging");
}
