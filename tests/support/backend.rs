//! The library's live backend against an emulator, for the tests that drive
//! `moat::collect` and `moat::execute` directly instead of the binary.

use moat::aws::client::{AwsBackend, AwsOptions};
use moat::collect::Backend;
use std::sync::Arc;

/// The library reads credentials from the environment, like the binary:
/// static test credentials, us-east-1, no IMDS, no shared config files, no
/// profile.
pub fn set_test_env() {
    // SAFETY: the same static test values in every test of a binary, set
    // before any thread of the test reads the environment.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_REGION", super::REGION);
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/moat-test/config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/moat-test/credentials",
        );
        std::env::remove_var("AWS_PROFILE");
    }
}

/// A backend for the emulator at `endpoint`: `regions` (none: the
/// session's), `attempts` per request, `slots` requests at once.
pub async fn connect(endpoint: &str, regions: &[&str], attempts: u32, slots: usize) -> AwsBackend {
    AwsBackend::connect(AwsOptions {
        endpoint_url: Some(endpoint.to_string()),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        max_attempts: Some(attempts),
        max_concurrency: slots,
        ..AwsOptions::default()
    })
    .await
    .expect("connect")
}

/// A backend for the emulator at `endpoint` in `regions` (none: the
/// session's), one attempt per request.
pub async fn connect_once(endpoint: &str, regions: &[&str]) -> AwsBackend {
    connect(endpoint, regions, 1, AwsOptions::default().max_concurrency).await
}

/// The plan of item `id` against the account as `b` reads it now (default
/// settings and inputs).
pub async fn item_plan(b: &Arc<dyn Backend>, id: &str) -> moat::plan::Plan {
    let def = moat::checks::item(id).expect("item");
    let inv = moat::collect::collect_inventory(b.clone(), &moat::checks::parts_for(&[def])).await;
    let settings = moat::config::Settings::default();
    let done = Default::default();
    let ctx = moat::checks::Ctx {
        now: chrono::Utc::now(),
        settings: &settings,
        done: &done,
    };
    let moat::checks::Fix::Plan(f) = def.fix else {
        panic!("plan item")
    };
    let draft = f(&inv, &ctx, &moat::plan::Inputs::default()).expect("draft");
    moat::plan::make_plan(&inv, def.id, draft).expect("plan")
}
