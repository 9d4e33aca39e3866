//! The backend against a running moto_server (ignored by default). Start one with
//! `MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p PORT`, then:
//!
//! ```text
//! MOAT_MOTO_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=testing \
//! AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
//!   cargo test --lib collect::aws::moto_tests -- --ignored --test-threads 1
//! ```
//!
//! It seeds what it needs (names carry a unique suffix) and reads the results back.
//!
//! One file per service or topic: [`iam`] (users, groups, policies, the
//! credential report, the password policy, alternate contacts), [`s3`],
//! [`cloudfront`], [`cloudtrail`], [`connect`] (start-up errors) and
//! [`log_redaction`] (what the logs never show). This module holds the
//! harness they share.

/// The value of part `$part` as the backend `$b` collects it now.
macro_rules! part {
    ($b:expr, $part:ident) => {
        match $crate::collect::Backend::collect($b, $crate::aws::inventory::PartId::$part)
            .await
            .expect(stringify!($part))
        {
            $crate::aws::inventory::PartValue::$part(value) => value,
            other => panic!("unexpected {other:?}"),
        }
    };
}

mod cloudfront;
mod cloudtrail;
mod connect;
mod iam;
mod log_redaction;
mod s3;

use crate::aws::client::{AwsBackend, AwsOptions};
use crate::collect::{Applied, Backend};
use crate::plan::Op;
use std::time::{SystemTime, UNIX_EPOCH};

fn endpoint() -> Option<String> {
    let url = std::env::var("MOAT_MOTO_ENDPOINT")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("MOAT_MOTO_ENDPOINT is not set: skipping");
    }
    url
}

async fn connect(endpoint: &str) -> AwsBackend {
    let opts = AwsOptions {
        endpoint_url: Some(endpoint.to_string()),
        max_attempts: Some(1),
        max_concurrency: 8,
        ..AwsOptions::default()
    };
    AwsBackend::connect(opts).await.expect("connects to moto")
}

fn tag() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", nanos % 0xffff_ffff)
}

async fn apply(b: &AwsBackend, op: Op) {
    assert_eq!(b.apply(&op).await, Ok(Applied::Sent), "{}", op.describe());
}

async fn create_bucket(b: &AwsBackend, name: &str, region: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut request = b.s3(region).create_bucket().bucket(name);
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    request.send().await.expect("create bucket");
}

async fn delete_bucket(b: &AwsBackend, name: &str, region: &str) {
    b.s3(region)
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .expect("delete bucket");
}
