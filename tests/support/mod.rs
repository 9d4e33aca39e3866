//! Test harness shared by the integration tests (`mod support;`).
//!
//! - [`Moto`]: a moto server per test on a free 127.0.0.1 port, killed on drop.
//! - [`Proxy`]: a counting HTTP proxy in front of moto (`operations()`,
//!   `mutating()`), for "sends no mutating request" proofs.
//! - [`moat_cmd`]: the built `moat` binary with an isolated, emulator-only
//!   environment.
//! - [`iam_client`], [`account_client`], [`sts_client`], [`s3_client`],
//!   [`cloudfront_client`]: SDK clients to seed and read back state (static
//!   credentials, us-east-1 unless given, one attempt).
//!
//! ```ignore
//! mod support;
//! use support::*;
//!
//! #[tokio::test(flavor = "multi_thread")]
//! async fn scan_sends_no_mutation() {
//!     let moto = Moto::start();
//!     let iam = iam_client(&moto.endpoint).await;
//!     iam.create_user().user_name("alice").send().await.unwrap();
//!     let proxy = Proxy::start(moto.port);
//!     let state = temp_state_dir();
//!     let out = moat_cmd(&proxy.endpoint, state.path()).arg("scan").output().unwrap();
//!     assert!(proxy.mutating().is_empty(), "{:?}", proxy.operations());
//! }
//! ```
#![allow(dead_code)]

/// Per-operation timeout of every test client: a wedged emulator fails the
/// test instead of hanging it.
pub const CLIENT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The one way tests build an SDK client: `test_client!(aws_sdk_x, endpoint)`
/// signs for [`REGION`]; `test_client!(aws_sdk_x, endpoint, region)` for
/// another region; a fourth argument, `|builder| builder…`, adds settings
/// (an S3 client's path-style addressing) and a fifth, `(key, source)`, signs
/// with another access key (the ones the taught emulator lets through). Every
/// client has test credentials, one attempt and [`CLIENT_OPERATION_TIMEOUT`].
macro_rules! test_client {
    ($krate:ident, $endpoint:expr) => {
        $crate::support::test_client!($krate, $endpoint, $crate::support::REGION)
    };
    ($krate:ident, $endpoint:expr, $region:expr) => {
        $crate::support::test_client!($krate, $endpoint, $region, |b| b)
    };
    ($krate:ident, $endpoint:expr, $region:expr, $extra:expr) => {
        $crate::support::test_client!(
            $krate,
            $endpoint,
            $region,
            $extra,
            ("testing", "moat-tests")
        )
    };
    ($krate:ident, $endpoint:expr, $region:expr, $extra:expr, ($key:expr, $source:expr)) => {{
        use $krate::config::{
            BehaviorVersion, Credentials, Region, retry::RetryConfig, timeout::TimeoutConfig,
        };
        let builder = $krate::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .credentials_provider(Credentials::new($key, "testing", None, None, $source))
            .region(Region::new(String::from($region)))
            .endpoint_url($endpoint)
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout($crate::support::CLIENT_OPERATION_TIMEOUT)
                    .build(),
            );
        let extra: fn($krate::config::Builder) -> $krate::config::Builder = $extra;
        $krate::Client::from_conf(extra(builder).build())
    }};
}
#[allow(unused_imports)]
pub(crate) use test_client;

pub mod backend;
pub mod command;
pub mod http;
pub mod moto;
pub mod proxy;
pub mod run;
pub mod seed_cloudfront;
pub mod seed_cloudtrail;
pub mod seed_cloudwatch;
pub mod seed_ebs;
pub mod seed_ec2;
pub mod seed_elb;
pub mod seed_iam;
pub mod seed_org;
pub mod seed_other;
pub mod seed_rds;
pub mod seed_route53;
pub mod seed_vpc;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

// Not every test crate uses every item.
#[allow(unused_imports)]
pub use command::output_text;
#[allow(unused_imports)]
pub use moto::{Moto, free_port, pid_alive};
#[allow(unused_imports)]
pub use proxy::{Classified, Proxy, RecordedRequest, classify, is_mutating_operation};

/// Account id moto reports for the default credentials.
pub const ACCOUNT_ID: &str = "123456789012";
/// Caller ARN moto reports for the default credentials.
pub const CALLER_ARN: &str = "arn:aws:sts::123456789012:user/moto";
pub const REGION: &str = "us-east-1";

/// The built `moat` binary, configured for an emulator at `endpoint`:
/// static test credentials, us-east-1, no IMDS, one attempt per request,
/// `MOAT_STATE_DIR=state_dir`. Every inherited `AWS_*` / `MOAT_*`
/// variable is removed first and the shared AWS config/credentials files
/// point nowhere, so a developer's profile cannot leak in. Stdin is null.
pub fn moat_cmd(endpoint: &str, state_dir: &Path) -> Command {
    let mut cmd = command::isolated_moat(state_dir, &state_dir.join("xdg-config"));
    command::without_aws_profile(&mut cmd)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("MOAT_MAX_ATTEMPTS", "1");
    cmd
}

/// moto's header to act as `account` on one SDK request
/// (`.customize().mutate_request(as_account(A))`).
pub fn as_account(
    account: &str,
) -> impl Fn(&mut aws_smithy_runtime_api::http::Request) + Send + Sync + 'static {
    let account = account.to_string();
    move |r| {
        r.headers_mut().insert("x-moto-account-id", account.clone());
    }
}

/// A fresh private state directory for one test (removed on drop).
pub fn temp_state_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("moat-test-state-")
        .tempdir()
        .expect("create temp state dir")
}

/// Runs a future to completion on a fresh current-thread runtime (for
/// synchronous tests that seed with the SDK, then run the binary).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// IAM client for the emulator at `endpoint` (moto or a [`Proxy`]).
pub async fn iam_client(endpoint: &str) -> aws_sdk_iam::Client {
    test_client!(aws_sdk_iam, endpoint)
}

/// Account (alternate contacts) client for the emulator at `endpoint`.
pub async fn account_client(endpoint: &str) -> aws_sdk_account::Client {
    test_client!(aws_sdk_account, endpoint)
}

/// S3 client for the emulator at `endpoint`, signing for `region` (path-style
/// addressing, checksums only when required, as moat does for emulators).
pub async fn s3_client(endpoint: &str, region: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};
    test_client!(aws_sdk_s3, endpoint, region, |b| {
        b.force_path_style(true)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
    })
}

/// CloudFront client for the emulator at `endpoint`.
pub async fn cloudfront_client(endpoint: &str) -> aws_sdk_cloudfront::Client {
    test_client!(aws_sdk_cloudfront, endpoint)
}

/// STS client for the emulator at `endpoint`.
pub async fn sts_client(endpoint: &str) -> aws_sdk_sts::Client {
    test_client!(aws_sdk_sts, endpoint)
}

/// Run the binary (see [`moat_cmd`]) with `args` and wait for it.
#[allow(dead_code)]
pub fn run_moat(endpoint: &str, state_dir: &Path, args: &[&str]) -> std::process::Output {
    moat_cmd(endpoint, state_dir)
        .args(args)
        .output()
        .expect("run moat")
}

/// `--input` arguments that satisfy every item that takes some.
#[allow(dead_code)]
pub const ALL_INPUTS: &[&str] = &[
    "--input",
    "name=Sam Rivera",
    "--input",
    "title=Security lead",
    "--input",
    "email=security@example.com",
    "--input",
    "phone=+1 555 0100",
    "--input",
    "user=spare-admin",
    // route53.spf-records / route53.mx-records: the seeded zone sends and receives no mail.
    "--input",
    "sends_mail=no",
    "--input",
    "receives_mail=no",
    "--input",
    "cidr=203.0.113.0/24",
    "--input",
    "purpose=Seeded by the moat tests",
    "--input",
    "monthly=250",
    "--input",
    "connections=200",
];

/// A public website bucket (public ACL, a public statement), an unversioned
/// access-log target without a policy, and a distribution serving the
/// website bucket over HTTP with an old TLS policy and no origin access.
pub async fn seed_failing_s3_and_cloudfront(ep: &str) {
    use aws_sdk_s3::types::BucketCannedAcl;
    let s3 = s3_client(ep, "us-east-1").await;
    for b in [WEB_BUCKET, LOG_BUCKET] {
        s3.create_bucket().bucket(b).send().await.expect("bucket");
    }
    s3.put_bucket_acl()
        .bucket(LOG_BUCKET)
        .acl(BucketCannedAcl::from("log-delivery-write"))
        .send()
        .await
        .expect("log acl");
    s3.put_bucket_acl()
        .bucket(WEB_BUCKET)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("public acl");
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": format!("arn:aws:s3:::{WEB_BUCKET}/*")},
            {"Sid": "Team", "Effect": "Allow",
             "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")},
             "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::{WEB_BUCKET}")}
        ]
    });
    s3.put_bucket_policy()
        .bucket(WEB_BUCKET)
        .policy(policy.to_string())
        .send()
        .await
        .expect("policy");
    seed_cloudfront::log_to(&s3, WEB_BUCKET, LOG_BUCKET, "web/").await;
    seed_cloudfront::http_distribution(ep, "moat-iam-test", "web", "web", WEB_BUCKET).await;
}

/// The website bucket [`seed_failing_s3_and_cloudfront`] creates.
pub const WEB_BUCKET: &str = "seeded-web";
/// The access-log bucket [`seed_failing_s3_and_cloudfront`] creates.
pub const LOG_BUCKET: &str = "seeded-logs";

/// IAM and S3/CloudFront items failing: a weak password policy, a console
/// user without MFA with an access key, plus [`seed_failing_s3_and_cloudfront`].
pub async fn seed_failing_account(ep: &str) {
    let iam = iam_client(ep).await;
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .send()
        .await
        .expect("policy");
    seed_iam::console_user(&iam, "dana").await;
    iam.create_access_key()
        .user_name("dana")
        .send()
        .await
        .expect("key");
    seed_failing_s3_and_cloudfront(ep).await;
}

/// Seed every later section's failing resources (EC2, VPC, EBS, CloudTrail,
/// CloudWatch, RDS, Route 53, ELB), each from its own file.
pub async fn seed_failing_sections(ep: &str) {
    seed_ec2::seed_failing(ep).await;
    seed_vpc::seed_failing(ep).await;
    seed_ebs::seed_failing(ep).await;
    seed_cloudtrail::seed_failing(ep).await;
    seed_cloudwatch::seed_failing(ep).await;
    seed_rds::seed_failing(ep).await;
    seed_route53::seed_failing(ep).await;
    seed_elb::seed_failing(ep).await;
}

/// Make `proxy` answer sts:GetCallerIdentity with the account's root ARN, as
/// AWS does for root credentials (moto has no root caller).
pub fn answer_as_root(proxy: &Proxy) {
    answer_caller(
        proxy,
        &format!("arn:aws:iam::{ACCOUNT_ID}:root"),
        ACCOUNT_ID,
        ACCOUNT_ID,
    );
}

/// Make `proxy` answer sts:GetCallerIdentity with this caller.
pub fn answer_caller(proxy: &Proxy, arn: &str, user_id: &str, account: &str) {
    proxy.answer(
        "GetCallerIdentity",
        200,
        "text/xml",
        &format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>{arn}</Arn>\
             <UserId>{user_id}</UserId><Account>{account}</Account>\
             </GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>\
             </ResponseMetadata></GetCallerIdentityResponse>"
        ),
    );
}

/// Where `secret` occurs in `text`. A numeric secret (an MFA code) counts
/// only as a whole number: timestamps and ids are digit runs that may hold
/// any six digits by chance.
pub fn find_secret(text: &str, secret: &str) -> Option<usize> {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return text.find(secret);
    }
    let b = text.as_bytes();
    text.match_indices(secret).map(|(i, _)| i).find(|&i| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let after = b.get(i + secret.len()).copied();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}
