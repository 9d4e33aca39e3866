//! Start-up: an endpoint nobody answers and an unknown profile fail fast,
//! each with its own error.

use crate::aws::client::{AwsBackend, AwsInitError, AwsOptions};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "opens a local port; run with the moto tests"]
async fn unreachable_endpoint_fails_fast() {
    let start = Instant::now();
    let opts = AwsOptions {
        endpoint_url: Some("http://127.0.0.1:9".to_string()),
        max_attempts: Some(1),
        ..AwsOptions::default()
    };
    let err = AwsBackend::connect(opts)
        .await
        .expect_err("nothing listens on port 9");
    assert!(
        matches!(
            err,
            AwsInitError::Unreachable { .. } | AwsInitError::NoCredentials
        ),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(!err.to_string().contains('\n'));
}

#[tokio::test]
async fn unknown_profile_is_named() {
    let opts = AwsOptions {
        profile: Some("moat-no-such-profile-3f9c".to_string()),
        ..AwsOptions::default()
    };
    match AwsBackend::connect(opts).await {
        Err(AwsInitError::UnknownProfile(p)) => assert_eq!(p, "moat-no-such-profile-3f9c"),
        // Unreadable config files are the other acceptable answer.
        Err(AwsInitError::ConfigFiles(_)) => {}
        other => panic!("unexpected {other:?}"),
    }
}
