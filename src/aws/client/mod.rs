//! The AWS client: SDK clients from the aws-config default chain (one per
//! service and region, see [`AwsBackend::client`]), one semaphore bounding
//! every request in flight, request counting, retries and timeouts.
//!
//! # Requests, pages and counts
//!
//! Every read goes through [`AwsBackend::send`] (every write through
//! [`AwsBackend::send_write`]), which holds the request under the
//! concurrency bound and maps its error to a [`CallError`] named by the
//! action. A list call is one such request for the whole listing: the SDK's
//! paginator (`.into_paginator().send().try_collect()`) sends its pages in
//! order and stops at the last page, or when a service repeats the token it
//! was given; a read keeps a page loop of its own only where the SDK has no
//! paginator for that operation (a comment there says so). Requests are
//! counted by an SDK interceptor on every client (`counting`): once per
//! operation (each page is one), not per attempt; a mutation is an
//! operation sent by `send_write`.
//!
//! # Retries and timeouts
//!
//! A scan must come back complete even when AWS answers some requests with
//! throttling or a transient failure, and must still end promptly when a
//! service is down. The policy (tested with 30 % injected faults in
//! `tests/faults_moto.rs`):
//!
//! - **What is retried**: the SDK's standard classifiers — throttling codes
//!   (`Throttling`, `ThrottlingException`, `SlowDown`, `RequestLimitExceeded`,
//!   `TooManyRequestsException` …), HTTP 500/502/503/504, connection errors
//!   (refused, reset, closed before the answer) and per-attempt timeouts.
//!   Service errors such as AccessDenied or NoSuchEntity are answers, not
//!   retried.
//! - **Attempts**: [`DEFAULT_ATTEMPTS`] (10) per request, including the first;
//!   `AwsOptions::max_attempts` (`MOAT_MAX_ATTEMPTS`) overrides it. Ten, not
//!   the SDK's three: at a 30 % failure rate three attempts lose ~3 % of
//!   requests (a scan of a few hundred requests would lose items), ten lose
//!   6·10⁻⁶. The start-up identity check uses at most
//!   [`IDENTITY_ATTEMPTS`] so a wrong endpoint is reported quickly.
//! - **Backoff**: exponential with full jitter, from [`INITIAL_BACKOFF`]
//!   (250 ms) doubling up to [`MAX_BACKOFF`] (10 s); an answer's retry-after
//!   hint is honoured by the SDK.
//! - **Timeouts**: connect [`CONNECT_TIMEOUT`], each attempt
//!   [`ATTEMPT_TIMEOUT`] (a hung answer is cut and retried), each operation
//!   with all its attempts and backoffs [`OPERATION_TIMEOUT`]. Worst case for
//!   one request against a dead service is therefore bounded.
//! - **Retry quota**: one retry partition (token bucket) per service and
//!   region, owned by this backend — not the process-wide default, and not
//!   shared between services or regions, so a dead S3 endpoint cannot use up
//!   IAM's retries, nor a region that hangs the retries of the same service
//!   elsewhere. Each bucket holds [`RETRY_QUOTA`] tokens; a retry costs 5
//!   (a timeout or a transient error 10) and [`RETRY_REFILL_PER_SEC`] tokens
//!   come back per second. At 30 % faults the bucket stays level on a scan
//!   of any size; against a region that is hard down it empties after a few
//!   dozen failed requests and further requests to it fail on their first
//!   error (fast, not a retry storm).
//! - **Concurrency**: one semaphore bounds the requests in flight; a
//!   request holds its slot while an attempt is sent and answered, and gives
//!   it back while it backs off before a retry (a throttled request does not
//!   stall the others; see `limiter`). With several accounts, each account
//!   also has a bound of its own (`AwsOptions::max_per_account`), so one
//!   slow or throttled account cannot hold every shared slot.
//! - **Writes**: a write that sets a state, or creates a named entity, is
//!   retried like a read. A retried write may meet the effect of an earlier
//!   attempt whose answer was lost: a second CreateUser answers
//!   EntityAlreadyExists, a second DeleteBucketPolicy NoSuchBucketPolicy, and
//!   a write whose last attempt was dropped or timed out may or may not have
//!   been applied. So when a write fails with such an error (no answer, a
//!   transient error after the last attempt, or a conflict code — see
//!   `PartError::may_hide_an_applied_write`), the backend re-reads the
//!   resource and checks whether the op's effect is in place (the op applied
//!   to the re-read state changes nothing; for a create, the entity exists).
//!   `execute`'s preflight read the resource moments before and found the
//!   effect absent, so an effect now in place is ours: the op is reported
//!   applied (and journaled `done`). Otherwise the error stands and says that
//!   the re-read found the change absent, or — when the re-read fails too —
//!   that it "may or may not have been applied; re-scan".
//! - **Creates that are not idempotent**: a create that makes a new resource
//!   each time it is sent would make duplicates when retried after a lost
//!   answer. Where the API takes a client token, moat sends one per change
//!   (ec2:CreateFlowLogs; guardduty:CreateDetector's is filled by the SDK),
//!   so AWS answers a retry with what the first attempt made. Where it does
//!   not (ec2:CreateSnapshot, kms:CreateKey) the SDK does not retry it: the
//!   resource is tagged with a value unique to the change, and after a
//!   failure that may hide an applied create the account is re-read by that
//!   tag (`send_create_once`): what it finds is used, and the create is sent
//!   again only when nothing was made.

mod connect;
mod counting;
mod credentials;
mod endpoint;
mod error;
mod limiter;
mod services;
mod shared;

use crate::aws::inventory::Identity;
use crate::aws::op::Op;
use aws_config::BehaviorVersion;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::identity::IdentityCache;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_iam::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_iam::config::timeout::TimeoutConfig;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use aws_types::region::Region;
pub use connect::AwsInitError;
use connect::{caller_identity, ensure_profile_exists, resolve_credentials, resolve_region};
use counting::CountRequests;
use credentials::{CredentialSource, SingleFlight, credential_source};
pub(crate) use error::CallError;
use futures::future::BoxFuture;
use limiter::{LimitedHttpClient, LimitedSleep};
use std::any::Any;
use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
/// Connect timeout for every request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Timeout of one attempt (sending and reading the whole answer).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// Whole-operation timeout (all attempts and backoffs) for every request.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
/// First retry waits up to this long (full jitter), doubling per attempt.
const INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Retry tokens per service (see the module docs).
const RETRY_QUOTA: usize = 1000;
/// Retry tokens regained per second per service.
const RETRY_REFILL_PER_SEC: f32 = 2.0;
/// Attempts of the start-up identity check at most.
const IDENTITY_ATTEMPTS: u32 = 3;
/// Bound on the start-up identity check, so a dead endpoint fails fast.
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on resolving the default region (env, profile, IMDS).
const REGION_TIMEOUT: Duration = Duration::from_secs(3);
/// Bound on resolving credentials: long, because a `credential_process`,
/// `aws login` or SSO may wait for a person (an MFA push, a browser page).
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(300);
/// Attempts per request including the first, unless `max_attempts` says otherwise.
const DEFAULT_ATTEMPTS: u32 = 10;
const DEFAULT_REGION: &str = "us-east-1";

/// How to reach the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// Named profile (`--profile`); `None`: environment keys, else the
    /// default chain (`AWS_PROFILE`, SSO, …), as the AWS CLI orders them.
    pub profile: Option<String>,
    /// Regions to scan; the first is the home region.
    pub regions: Vec<String>,
    /// Custom endpoint (emulators); overrides `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// Requests in flight at most (0 is treated as 1).
    pub max_concurrency: usize,
    /// Requests in flight at most in each other account's backend
    /// ([`AwsBackend::assume`], [`AwsBackend::same_account`]); `None`: all
    /// of `max_concurrency` (the CLI halves it when a run has several accounts).
    pub max_per_account: Option<usize>,
    /// Attempts per request including the first (default 10).
    pub max_attempts: Option<u32>,
    /// Buckets the user declared irreplaceable (the config's `[s3]
    /// irreplaceable_buckets`): their versioning is read with the buckets,
    /// as for log buckets (see [`crate::aws::s3`]).
    pub irreplaceable_buckets: Vec<String>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            profile: None,
            regions: Vec::new(),
            endpoint_url: None,
            max_concurrency: 16,
            max_per_account: None,
            max_attempts: None,
            irreplaceable_buckets: Vec::new(),
        }
    }
}

/// The session name of moat's assumed-role sessions, which the member
/// account's CloudTrail shows: `moat-` and the caller's name (the last part
/// of its ARN: a user name, or the caller's own session name), cut to what
/// STS takes (2–64 of `[\w+=,.@-]`).
fn role_session_name(caller_arn: &str) -> String {
    let caller = caller_arn.rsplit(['/', ':']).next().unwrap_or_default();
    let kept: String = caller
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .collect();
    let mut name = format!("moat-{kept}");
    name.truncate(64);
    if kept.is_empty() {
        name.pop();
    }
    name
}

/// A role to work through in another account (`--account`, `--role`,
/// `--external-id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTarget {
    /// The account's 12-digit id.
    pub account: String,
    /// The role's name, with its path if it has one (`team/Auditor`).
    pub role: String,
    /// The external id the role's trust policy asks for, if any.
    pub external_id: Option<String>,
}

impl RoleTarget {
    /// The role's ARN in `partition` (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn role_arn(&self, partition: &str) -> String {
        format!(
            "arn:{partition}:iam::{}:role/{}",
            self.account,
            self.role.trim_matches('/')
        )
    }
}

/// The standard retry policy with `attempts` attempts (see the module docs).
fn retry_config(attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// The clients a backend holds from the start, and their request counts
/// (the interceptor on every client of the backend, regional ones too).
#[derive(Debug)]
struct Clients {
    iam: aws_sdk_iam::Client,
    account: aws_sdk_account::Client,
    s3control: aws_sdk_s3control::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    cloudtrail: aws_sdk_cloudtrail::Client,
    sts: aws_sdk_sts::Client,
    counts: CountRequests,
}

impl Clients {
    /// Retry partitions (own token buckets) per service and region, owned
    /// by this backend (regional clients: `services`).
    fn build(sdk: &SdkConfig, region: &str, endpoint: Option<&str>, attempts: u32) -> Clients {
        let global = Region::new(global_signing_region(region));
        let home = Region::new(region.to_string());
        let counts = CountRequests::default();
        let shared = services::Shared {
            sdk,
            endpoint: None,
            counts: &counts,
        };
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(sdk)
                .region(global.clone())
                .retry_partition(retry_partition("sts"))
                .retry_config(retry_config(attempts.min(IDENTITY_ATTEMPTS)))
                .interceptor(counts.clone())
                .build(),
        );
        Clients {
            iam: services::build(&shared, global.clone(), "iam"),
            account: services::build(&shared, global.clone(), "account"),
            cloudfront: services::build(&shared, global, "cloudfront"),
            cloudtrail: services::build(&shared, home.clone(), "cloudtrail"),
            s3control: services::build(&services::Shared { endpoint, ..shared }, home, "s3control"),
            sts,
            counts,
        }
    }
}

/// A cached SDK client of some service (see [`AwsBackend::client`]).
type AnyClient = Box<dyn Any + Send + Sync>;

/// The live backend. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct AwsBackend {
    sdk: SdkConfig,
    /// The custom endpoint (`--endpoint-url` or `AWS_ENDPOINT_URL`), for emulators.
    endpoint: Option<String>,
    /// The clients built at connect: IAM, Account, S3 Control, CloudFront,
    /// the home CloudTrail, and STS (re-reading the caller right before a
    /// change: the account pin); with the request counts of every client.
    base: Clients,
    /// Regional clients by (service, region), built on first use (see
    /// [`AwsBackend::client`]).
    clients: Mutex<HashMap<(&'static str, String), AnyClient>>,
    /// `--region` as given (empty: every enabled region).
    scan_regions: Vec<String>,
    /// The enabled regions, read once (see [`AwsBackend::regions`]).
    enabled_regions: tokio::sync::OnceCell<Vec<String>>,
    identity: Identity,
    region: String,
    /// The bounds on requests in flight: this account's own and the one
    /// shared with every account of the run (see `limiter`).
    bounds: limiter::Bounds,
    /// The bound of each other account's backend (see [`AwsOptions::max_per_account`]).
    per_account: usize,
    /// Reads alive at once in a fan-out over resources (see [`AwsBackend::join_bounded`]).
    fan_out_width: usize,
    /// Attempts per request including the first (see the module docs).
    attempts: u32,
    /// [`AwsOptions::irreplaceable_buckets`].
    irreplaceable_buckets: Vec<String>,
    /// The caller's own credentials: the account's when moat works in the
    /// caller's account, the organization's administrator's when it works
    /// in another account through a role (`--account`, `--org`). Centralized
    /// root access of member accounts goes through them.
    admin: Arc<Admin>,
    /// This account's root sessions (sts:AssumeRoot) by task policy, kept
    /// until shortly before they expire (see `crate::aws::iam::sdk::root_access`).
    root_sessions:
        tokio::sync::Mutex<HashMap<&'static str, (aws_sdk_iam::Client, std::time::Instant)>>,
    /// The changes sent by every backend of the run (see `shared`).
    pub(crate) changes: shared::Changes,
    /// Every trail of the account (DescribeTrails and ListTrails), shared
    /// by the parts that ask while it is read (see `shared`).
    pub(crate) trails: shared::SharedRead<Result<Vec<aws_sdk_cloudtrail::types::Trail>, CallError>>,
}

/// The caller's own configuration and identity (see [`AwsBackend::admin`]).
#[derive(Debug)]
struct Admin {
    sdk: SdkConfig,
    identity: Identity,
}

impl AwsBackend {
    /// Build the clients and check who we are (sts:GetCallerIdentity, once).
    pub async fn connect(opts: AwsOptions) -> Result<AwsBackend, AwsInitError> {
        if let Some(p) = &opts.profile {
            ensure_profile_exists(p).await?;
        }
        let region = resolve_region(&opts).await;
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build();
        let attempts = opts.max_attempts.unwrap_or(DEFAULT_ATTEMPTS).max(1);
        let retry = retry_config(attempts);

        // One provider for every client, resolved once (see `credentials`).
        let provider_config = ProviderConfig::default()
            .with_behavior_version(Some(BehaviorVersion::latest()))
            .with_region(Some(Region::new(region.clone())))
            .with_timeout_config(timeouts.clone())
            .with_retry_config(retry.clone());
        let source = credential_source(opts.profile.as_deref(), |k| std::env::var(k).ok());
        tracing::debug!(?source, "credential source");
        let provider = match &source {
            CredentialSource::Profile(p) => SingleFlight::new(
                ProfileFileCredentialsProvider::builder()
                    .profile_name(p.clone())
                    .configure(&provider_config)
                    .build(),
            ),
            CredentialSource::Environment => {
                SingleFlight::new(EnvironmentVariableCredentialsProvider::new())
            }
            CredentialSource::Chain => SingleFlight::new(
                DefaultCredentialsChain::builder()
                    .configure(provider_config)
                    .build()
                    .await,
            ),
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .timeout_config(timeouts.clone())
            .retry_config(retry.clone())
            .credentials_provider(provider)
            // The bound on requests in flight is held per attempt (see `limiter`).
            .http_client(LimitedHttpClient::new(default_http_client()))
            .sleep_impl(LimitedSleep)
            // A refresh mid-session may wait for a person too (an MFA push).
            .identity_cache(
                IdentityCache::lazy()
                    .load_timeout(CREDENTIALS_TIMEOUT)
                    .build(),
            );
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p.clone());
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        let sdk = loader.load().await;
        let endpoint = opts
            .endpoint_url
            .clone()
            .or_else(|| sdk.endpoint_url().map(str::to_string))
            .filter(|u| !u.trim().is_empty());
        let clients = Clients::build(&sdk, &region, endpoint.as_deref(), attempts);

        // Credentials first, with all the time a person may need (an MFA
        // push, a browser sign-in): the identity check's short bound is for
        // the endpoint, not for them.
        resolve_credentials(&sdk, &opts).await?;
        let identity = caller_identity(&clients.sts, &sdk, &opts).await?;
        tracing::info!(account = %identity.account, arn = %identity.arn, region = %region, "connected");
        let admin = Arc::new(Admin {
            sdk: sdk.clone(),
            identity: identity.clone(),
        });
        Ok(AwsBackend {
            admin,
            root_sessions: Default::default(),
            changes: Default::default(),
            trails: Default::default(),
            sdk,
            endpoint,
            base: clients,
            clients: Mutex::new(HashMap::new()),
            scan_regions: opts
                .regions
                .iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            enabled_regions: tokio::sync::OnceCell::new(),
            identity,
            region,
            bounds: limiter::Bounds {
                account: Arc::new(Semaphore::new(opts.max_concurrency.max(1))),
                shared: Arc::new(Semaphore::new(opts.max_concurrency.max(1))),
            },
            per_account: opts
                .max_per_account
                .unwrap_or(opts.max_concurrency)
                .clamp(1, opts.max_concurrency.max(1)),
            fan_out_width: fan_out_width(opts.max_concurrency),
            attempts,
            irreplaceable_buckets: opts.irreplaceable_buckets,
        })
    }

    /// A backend for `target`'s account, working through the role assumed
    /// there with this backend's credentials (sts:AssumeRole, renewed
    /// before it expires). It shares this backend's bound on requests in
    /// flight, regions and settings; the role's session is checked at once
    /// (sts:GetCallerIdentity), so a role that cannot be assumed is an
    /// error here, with AWS's reason.
    pub async fn assume(&self, target: &RoleTarget) -> Result<AwsBackend, AwsInitError> {
        let arn = target.role_arn(self.identity.partition());
        if self.identity.is_root() {
            return Err(AwsInitError::AssumeRole {
                arn,
                reason: "AWS does not let the root user assume roles: run moat with an IAM \
                         user's or role's credentials"
                    .into(),
            });
        }
        // STS of the partition's home region, always active (a regional
        // endpoint the account turned off would answer RegionDisabledException);
        // its sessions are valid in every region.
        let mut role = aws_config::sts::AssumeRoleProvider::builder(arn.clone())
            .session_name(role_session_name(&self.identity.arn))
            .configure(&self.sdk)
            .region(Region::new(global_signing_region(&self.region)));
        if let Some(id) = &target.external_id {
            role = role.external_id(id.clone());
        }
        let provider = SingleFlight::new(role.build().await);
        // The session is fetched once here, so a refusal is said as one;
        // every client then shares that answer until it nears its expiry.
        match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(connect::assume_role_failure(&arn, &e)),
            Err(_) => {
                return Err(AwsInitError::AssumeRole {
                    arn,
                    reason: format!("no answer within {} s", CREDENTIALS_TIMEOUT.as_secs()),
                });
            }
        }
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .identity_cache(
                IdentityCache::lazy()
                    .load_timeout(CREDENTIALS_TIMEOUT)
                    .build(),
            )
            .build();
        let clients = Clients::build(&sdk, &self.region, self.endpoint.as_deref(), self.attempts);
        let opts = AwsOptions {
            endpoint_url: self.endpoint.clone(),
            ..AwsOptions::default()
        };
        let identity = caller_identity(&clients.sts, &sdk, &opts)
            .await
            .map_err(|e| AwsInitError::AssumeRole {
                arn: arn.clone(),
                reason: format!("the role's session could not be used: {e}"),
            })?;
        if identity.account != target.account {
            return Err(AwsInitError::AssumeRole {
                arn,
                reason: format!(
                    "the session is in account {}, not {}",
                    identity.account, target.account
                ),
            });
        }
        tracing::info!(account = %identity.account, arn = %identity.arn, "role assumed");
        Ok(self.sibling(sdk, clients, identity))
    }

    /// Another backend of this backend's own credentials and account (for
    /// the caller's own account among several): new clients, the same
    /// bound on requests in flight.
    pub fn same_account(&self) -> AwsBackend {
        let clients = Clients::build(
            &self.sdk,
            &self.region,
            self.endpoint.as_deref(),
            self.attempts,
        );
        self.sibling(self.sdk.clone(), clients, self.identity.clone())
    }

    /// A backend of `sdk` in `identity`'s account, sharing this one's bound
    /// on requests in flight, regions and settings (the enabled regions are
    /// the account's own: read again).
    fn sibling(&self, sdk: SdkConfig, clients: Clients, identity: Identity) -> AwsBackend {
        AwsBackend {
            admin: self.admin.clone(),
            root_sessions: Default::default(),
            changes: self.changes.clone(),
            trails: Default::default(),
            sdk,
            endpoint: self.endpoint.clone(),
            base: clients,
            clients: Mutex::new(HashMap::new()),
            scan_regions: self.scan_regions.clone(),
            enabled_regions: tokio::sync::OnceCell::new(),
            identity,
            region: self.region.clone(),
            bounds: limiter::Bounds {
                account: Arc::new(Semaphore::new(self.per_account)),
                shared: self.bounds.shared.clone(),
            },
            per_account: self.per_account,
            fan_out_width: self.fan_out_width,
            attempts: self.attempts,
            irreplaceable_buckets: self.irreplaceable_buckets.clone(),
        }
    }

    /// The caller, as sts:GetCallerIdentity answered at connect.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The home region (first `--region`, else the configured one, else us-east-1).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The buckets the user declared irreplaceable.
    pub(crate) fn irreplaceable_buckets(&self) -> &[String] {
        &self.irreplaceable_buckets
    }

    /// `--region` as given (empty: every enabled region).
    pub(crate) fn scan_regions(&self) -> &[String] {
        &self.scan_regions
    }

    /// The CloudTrail client of the home region (its own retry partition).
    pub(crate) fn home_cloudtrail(&self) -> &aws_sdk_cloudtrail::Client {
        &self.base.cloudtrail
    }

    /// The loaded SDK configuration (for regional clients).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    /// The IAM client (a global service: one client).
    pub(crate) fn iam(&self) -> &aws_sdk_iam::Client {
        &self.base.iam
    }

    /// The S3 Control client (the account's public access block).
    pub(crate) fn s3control(&self) -> &aws_sdk_s3control::Client {
        &self.base.s3control
    }

    /// The CloudFront client (a global service: one client).
    pub(crate) fn cloudfront(&self) -> &aws_sdk_cloudfront::Client {
        &self.base.cloudfront
    }

    /// The Account Management client (a global service: one client).
    pub(crate) fn account(&self) -> &aws_sdk_account::Client {
        &self.base.account
    }

    /// The STS client.
    /// The caller whose credentials opened this backend (see [`AwsBackend::admin`]).
    pub(crate) fn admin_identity(&self) -> &Identity {
        &self.admin.identity
    }

    /// A client of the global service `C` signed with the caller's own
    /// credentials (see [`AwsBackend::admin`]), counted with this backend's requests.
    pub(crate) fn admin_client<C: services::Service>(&self) -> C {
        let shared = services::Shared {
            sdk: &self.admin.sdk,
            endpoint: None,
            counts: &self.base.counts,
        };
        services::build(
            &shared,
            Region::new(global_signing_region(&self.region)),
            C::NAME,
        )
    }

    /// STS of the partition's home region with the caller's own credentials.
    pub(crate) fn admin_sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.admin.sdk)
                .region(Region::new(global_signing_region(&self.region)))
                .retry_partition(retry_partition("sts"))
                .retry_config(retry_config(self.attempts.min(IDENTITY_ATTEMPTS)))
                .interceptor(self.base.counts.clone())
                .build(),
        )
    }

    /// An IAM client signed with `credentials` (a root session of this
    /// account), counted with this backend's requests.
    pub(crate) fn iam_with(
        &self,
        credentials: aws_credential_types::Credentials,
    ) -> aws_sdk_iam::Client {
        let sdk = self
            .admin
            .sdk
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        let shared = services::Shared {
            sdk: &sdk,
            endpoint: None,
            counts: &self.base.counts,
        };
        services::build(
            &shared,
            Region::new(global_signing_region(&self.region)),
            "iam-root",
        )
    }

    /// The cache of this account's root sessions (see [`AwsBackend::root_sessions`]).
    pub(crate) fn root_sessions(
        &self,
    ) -> &tokio::sync::Mutex<HashMap<&'static str, (aws_sdk_iam::Client, std::time::Instant)>> {
        &self.root_sessions
    }

    pub(crate) fn sts(&self) -> &aws_sdk_sts::Client {
        &self.base.sts
    }

    /// The regions regional items cover: `--region` when given, else every
    /// region enabled for the account (ec2:DescribeRegions, asked once from
    /// the home region).
    pub(crate) async fn regions(&self) -> Result<Vec<String>, CallError> {
        if !self.scan_regions.is_empty() {
            return Ok(self.scan_regions.clone());
        }
        self.enabled_regions
            .get_or_try_init(|| async {
                let ec2 = self.ec2(&self.region);
                let out = self
                    .send(
                        "ec2:DescribeRegions",
                        ec2.describe_regions().all_regions(false).send(),
                    )
                    .await?;
                let mut regions: Vec<String> = out
                    .regions()
                    .iter()
                    .filter_map(|r| r.region_name().map(str::to_string))
                    .collect();
                regions.sort();
                regions.dedup();
                if regions.is_empty() {
                    regions.push(self.region.clone());
                }
                Ok(regions)
            })
            .await
            .cloned()
    }

    /// Run `read` in every region of [`Self::regions`] concurrently (each
    /// request still under the one semaphore); each region keeps its own
    /// result, so one failing region fails only its own findings.
    pub(crate) async fn by_region<T, F, Fut>(
        &self,
        read: F,
    ) -> Result<std::collections::BTreeMap<String, crate::aws::inventory::Fetched<T>>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        Ok(in_regions(self.regions().await?, read).await)
    }

    /// [`futures::future::join_all`] with at most `fan_out_width` futures
    /// alive: give it a lazy iterator (`items.iter().map(|x| read(x))`), so
    /// each read is made only when there is room for it.
    pub(crate) fn join_bounded<'a, I, T>(&self, reads: I) -> FanOut<'a, T>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: Future<Output = T> + Send + 'a,
    {
        FanOut::new(self.fan_out_width, reads, |_| false)
    }

    /// [`futures::future::try_join_all`] with at most `fan_out_width`
    /// futures alive (see [`Self::join_bounded`]): the first error to
    /// arrive is returned, and no further read is made.
    pub(crate) fn try_join_bounded<'a, I, T, E>(
        &self,
        reads: I,
    ) -> impl Future<Output = Result<Vec<T>, E>> + 'a
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: Future<Output = Result<T, E>> + Send + 'a,
        T: 'a,
        E: 'a,
    {
        let all = FanOut::new(self.fan_out_width, reads, Result::is_err);
        async move { all.await.into_iter().collect() }
    }

    /// The semaphore bounding requests in flight of every account (share it
    /// with other collectors).
    pub fn limiter(&self) -> Arc<Semaphore> {
        self.bounds.shared.clone()
    }

    /// Requests sent so far (reads and writes): SDK operations, each counted
    /// once however many attempts it took (see `counting`).
    pub fn requests_sent(&self) -> u64 {
        self.base.counts.requests()
    }

    /// Mutating requests sent so far (operations sent by [`Self::send_write`]).
    pub fn mutations_sent(&self) -> u64 {
        self.base.counts.mutations()
    }

    /// Send one read request under the concurrency bound (one slot per
    /// attempt: none while backing off between attempts). The request is
    /// one SDK operation, or a whole paginated listing
    /// (`.into_paginator().send().try_collect()`: its pages in order, under
    /// the one slot). The interceptor counts each operation (`counting`).
    pub(crate) async fn send<T, E, F>(&self, action: &str, request: F) -> Result<T, CallError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + Error + 'static,
    {
        // On the heap: an SDK request's future is large, and the wrapper
        // below would otherwise hold a copy of it.
        let request = Box::pin(request);
        // The slot is given back while the SDK backs off between attempts
        // (see `limiter`).
        let answer = limiter::limited(&self.bounds, request)
            .await
            .map_err(|_| CallError::new(action, None, "the request limiter was closed"))?;
        answer.map_err(|e| {
            let e = CallError::from_sdk(action, e);
            tracing::debug!(action, code = ?e.code, message = %e.message, "request failed");
            e
        })
    }

    /// Send one mutating request under the concurrency bound.
    pub(crate) async fn send_write<T, E, F>(&self, action: &str, request: F) -> Result<T, CallError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + Error + 'static,
    {
        self.changes
            .made(self.send(action, counting::as_write(Box::pin(request))))
            .await
    }

    /// Send one mutating request whose answer moat needs nothing from: the
    /// op is applied as planned.
    pub(crate) async fn write<T, E, F>(
        &self,
        action: &str,
        request: F,
    ) -> Result<Outcome, CallError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + Error + 'static,
    {
        self.send_write(action, request).await?;
        Ok(Outcome::default())
    }

    /// Send a create that AWS does not make idempotent (no client token:
    /// ec2:CreateSnapshot, kms:CreateKey), so that a lost answer never makes
    /// a second resource. `send` builds the request with the SDK's retries
    /// turned off and a tag unique to this change; `find` re-reads the
    /// account by that tag. When an attempt fails in a way that may hide an
    /// applied create (no answer, a transient error), the account is re-read
    /// first: what it finds is the resource this attempt made
    /// ([`Created::Found`]); only when it finds nothing is the create sent
    /// again, after a backoff, up to the backend's attempts.
    pub(crate) async fn send_create_once<T, E, S, SFut, R, RFut>(
        &self,
        action: &str,
        send: S,
        find: R,
    ) -> Result<Created<T>, CallError>
    where
        S: Fn() -> SFut,
        SFut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + Error + 'static,
        R: Fn() -> RFut,
        RFut: Future<Output = Result<Option<String>, CallError>>,
    {
        let mut attempt = 1;
        loop {
            let e = match self.send_write(action, Box::pin(send())).await {
                Ok(out) => return Ok(Created::Answered(out)),
                Err(e) if !e.may_hide_an_applied_write() => return Err(e),
                Err(e) => e,
            };
            // On AWS a resource just made can take a moment to be listed: a
            // lost answer (no code) is looked for twice.
            let looks = if e.code.is_none() { 2 } else { 1 };
            for look in 0..looks {
                if look > 0 {
                    tokio::time::sleep(backoff(look)).await;
                }
                match Box::pin(find()).await {
                    Ok(Some(id)) => {
                        tracing::warn!(
                            action,
                            id = %id,
                            "the create was applied although its answer was lost; using what it made"
                        );
                        return Ok(Created::Found(id));
                    }
                    Ok(None) => {}
                    Err(read) => {
                        return Err(CallError::new(
                            e.action,
                            e.code,
                            format!(
                                "{}; the resource may or may not have been created (re-reading failed: {}); re-scan",
                                e.message,
                                read.summary()
                            ),
                        )
                        .with_unknown_outcome());
                    }
                }
            }
            if attempt >= self.attempts {
                return Err(e);
            }
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }
}

/// The SDK request of one op type, written beside its service's other SDK
/// code (`crate::aws::<service>::sdk`).
pub(crate) trait SendOp {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError>;
}

/// What the account made of an op it accepted, when the journal must know
/// more than "applied": the op as really applied (AWS took part of it), the
/// id AWS gave what it created, and what the user must be told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The op narrowed to what the account really changed (a revoke whose
    /// rules AWS matched only in part); `None`: all of it.
    pub applied: Option<Op>,
    /// The id AWS gave the resource the op created (a snapshot id, a KMS
    /// key id), from the create's answer or the re-read after a lost one.
    pub created: Option<String>,
    /// What was not applied, and why.
    pub warning: Option<String>,
}

/// Reads alive at once in a fan-out: twice the requests in flight, so a
/// read that sends two requests, or one that has just finished, leaves no
/// slot idle.
fn fan_out_width(max_concurrency: usize) -> usize {
    max_concurrency.max(1).saturating_mul(2)
}

/// The future of [`AwsBackend::join_bounded`]: the reads in their order,
/// with at most `width` of them made and not yet answered.
///
/// A future of its own rather than an `async fn` over a stream: a caller's
/// future must stay `Send`, and rustc cannot prove that for an iterator held
/// across an await when the iterator's closure takes a reference (its
/// higher-ranked closure limitation); a struct's auto traits are plain.
pub(crate) struct FanOut<'a, T> {
    // Boxed as `dyn Future + Send`: the erased type is what keeps callers `Send`.
    reads: Box<dyn Iterator<Item = BoxFuture<'a, T>> + Send + 'a>,
    width: usize,
    made: usize,
    running: futures::stream::FuturesUnordered<Indexed<BoxFuture<'a, T>>>,
    done: Vec<(usize, T)>,
    /// An answer that ends the fan-out: the reads not yet made are not
    /// made, those running are dropped (`try_join_bounded`: an error).
    stop: fn(&T) -> bool,
}

// Nothing is pinned in place: the reads are boxed.
impl<T> Unpin for FanOut<'_, T> {}

impl<'a, T> FanOut<'a, T> {
    fn new<I>(width: usize, reads: I, stop: fn(&T) -> bool) -> Self
    where
        I: IntoIterator,
        I::IntoIter: Send + 'a,
        I::Item: Future<Output = T> + Send + 'a,
    {
        Self {
            reads: Box::new(
                reads
                    .into_iter()
                    .map(|read| Box::pin(read) as BoxFuture<'a, T>),
            ),
            width: width.max(1),
            made: 0,
            running: futures::stream::FuturesUnordered::new(),
            done: Vec::new(),
            stop,
        }
    }
}

impl<T> Future for FanOut<'_, T> {
    type Output = Vec<T>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        use futures::Stream;
        use std::task::Poll;
        let this = &mut *self;
        loop {
            while this.running.len() < this.width {
                let Some(read) = this.reads.next() else { break };
                this.running.push(Indexed {
                    index: this.made,
                    read,
                });
                this.made += 1;
            }
            match std::pin::Pin::new(&mut this.running).poll_next(cx) {
                Poll::Ready(Some(answer)) => {
                    let stop = (this.stop)(&answer.1);
                    this.done.push(answer);
                    if !stop {
                        continue;
                    }
                    // The reads still running are dropped, the rest never made.
                    this.running.clear();
                }
                Poll::Ready(None) => {}
                Poll::Pending => return Poll::Pending,
            }
            let mut done = std::mem::take(&mut this.done);
            done.sort_unstable_by_key(|(i, _)| *i);
            return Poll::Ready(done.into_iter().map(|(_, t)| t).collect());
        }
    }
}

/// A read and its place among the reads.
struct Indexed<Fut> {
    index: usize,
    read: Fut,
}

impl<Fut: Future + Unpin> Future for Indexed<Fut> {
    type Output = (usize, Fut::Output);

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let index = self.index;
        std::pin::Pin::new(&mut self.read)
            .poll(cx)
            .map(|t| (index, t))
    }
}

/// Run `read` in each of `regions` concurrently: every region's result, by region.
pub(crate) async fn in_regions<T, F, Fut>(
    regions: Vec<String>,
    read: F,
) -> std::collections::BTreeMap<String, crate::aws::inventory::Fetched<T>>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, CallError>>,
{
    let results = futures::future::join_all(regions.iter().map(|r| read(r.clone()))).await;
    regions
        .into_iter()
        .zip(
            results
                .into_iter()
                .map(crate::aws::inventory::Fetched::from),
        )
        .collect()
}

/// An answer moat cannot read as `action` promised: a failed call.
pub(crate) fn bad_input(action: &str, what: impl std::fmt::Display) -> CallError {
    CallError::new(action, None, what.to_string())
}

/// What [`AwsBackend::send_create_once`] got: the create's answer, or the
/// id of the resource a create whose answer was lost made.
pub(crate) enum Created<T> {
    Answered(T),
    Found(String),
}

/// The wait before attempt `n + 1` of a create moat retries itself: from
/// [`INITIAL_BACKOFF`], doubling, at most [`MAX_BACKOFF`], with jitter.
fn backoff(n: u32) -> Duration {
    let base = INITIAL_BACKOFF
        .saturating_mul(1u32 << n.min(16))
        .min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // Between half and all of `base`.
    base / 2 + base.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

/// An SDK timestamp as a UTC time (`None` when out of chrono's range).
pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// A value unique to one change, for a tag or a client token: what moat
/// made is found by it, and a retried request is recognised by it. At most
/// 64 ASCII characters (EC2 client tokens).
pub(crate) fn unique_token() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "moat-{nanos:x}-{:x}-{:x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// A retry partition with its own token bucket (see the module docs).
fn retry_partition(service: &str) -> RetryPartition {
    RetryPartition::custom(format!("moat-{service}"))
        .token_bucket(
            TokenBucket::builder()
                .capacity(RETRY_QUOTA)
                .refill_rate(RETRY_REFILL_PER_SEC)
                .build(),
        )
        .build()
}

/// The HTTPS client the SDK would use by default (rustls with aws-lc).
fn default_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .build_https()
}

/// IAM, STS, Account and CloudFront are global: sign for the partition's home region.
pub(crate) fn global_signing_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-north-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        DEFAULT_REGION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_arn_is_in_the_callers_partition() {
        let t = RoleTarget {
            account: "111122223333".into(),
            role: "/audit/Moat/".into(),
            external_id: None,
        };
        assert_eq!(
            t.role_arn("aws-us-gov"),
            "arn:aws-us-gov:iam::111122223333:role/audit/Moat"
        );
    }

    #[test]
    fn the_session_name_carries_the_callers_name_as_sts_takes_it() {
        assert_eq!(
            role_session_name("arn:aws:iam::1:user/ops/alice"),
            "moat-alice"
        );
        assert_eq!(
            role_session_name("arn:aws:sts::1:assumed-role/Admin/bob@example.com"),
            "moat-bob@example.com"
        );
        assert_eq!(role_session_name("arn:aws:sts::1:user/m o#t"), "moat-mot");
        assert_eq!(role_session_name(""), "moat");
        let long = format!("arn:aws:iam::1:user/{}", "a".repeat(90));
        assert_eq!(role_session_name(&long).len(), 64);
    }

    #[test]
    fn global_region_per_partition() {
        assert_eq!(global_signing_region("eu-west-1"), "us-east-1");
        assert_eq!(global_signing_region("cn-northwest-1"), "cn-north-1");
        assert_eq!(global_signing_region("us-gov-east-1"), "us-gov-west-1");
    }

    #[tokio::test]
    async fn fan_out_keeps_order_and_bounds_reads_alive() {
        use std::sync::atomic::AtomicUsize;
        let alive = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let out = FanOut::new(
            4,
            (0..40u64).map(|i| {
                // Counted from the moment the read is made, as an SDK future's
                // memory is.
                let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let (alive, i) = (&alive, i);
                async move {
                    // Later items answer sooner: the order must still hold.
                    tokio::time::sleep(Duration::from_millis(40 - i)).await;
                    alive.fetch_sub(1, Ordering::SeqCst);
                    i * 10
                }
            }),
            |_| false,
        )
        .await;
        assert_eq!(out, (0..40u64).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 4);
        assert_eq!(fan_out_width(0), 2);
        assert_eq!(fan_out_width(32), 64);
    }

    #[tokio::test]
    async fn try_fan_out_stops_making_reads_at_the_first_error() {
        use std::sync::atomic::AtomicUsize;
        let made = AtomicUsize::new(0);
        let out: Result<Vec<u64>, String> = FanOut::new(
            2,
            (0..100u64).map(|i| {
                made.fetch_add(1, Ordering::SeqCst);
                async move {
                    tokio::task::yield_now().await;
                    if i == 3 {
                        Err(format!("read {i} failed"))
                    } else {
                        Ok(i)
                    }
                }
            }),
            Result::is_err,
        )
        .await
        .into_iter()
        .collect();
        assert_eq!(out, Err("read 3 failed".to_string()));
        // Reads 0..=3 and at most one beside read 3 in the window of two.
        assert!(made.load(Ordering::SeqCst) <= 5, "{made:?}");
    }

    #[test]
    fn default_options() {
        let o = AwsOptions::default();
        assert!(o.max_concurrency > 0);
        assert_eq!(o.max_attempts, None);
    }
}
