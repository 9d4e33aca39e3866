//! Request counting: one SDK interceptor ([`CountRequests`]) on every client
//! the backend builds (the one builder in `services`, and the STS client of
//! `connect`). It sees each operation once, however many attempts its
//! retries take, and however the operation was sent (one request, or one
//! page of a paginated listing).
//!
//! - `read_before_execution` (the start of an operation, before its
//!   timeouts start): tells the request's slot of the concurrency bound that
//!   a new operation begins (see `limiter`);
//! - `read_before_serialization` (once per operation, with its name known):
//!   counts the request, and counts it as a mutation when it was sent inside
//!   [`as_write`] (`AwsBackend::send_write`); writes the tracing line of the
//!   request.

use super::limiter;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::{Intercept, OverriddenHooks};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    /// Set while a mutating request is sent.
    static WRITE: ();
}

/// Run `request` as a mutating request: its operations count as mutations.
pub(crate) async fn as_write<F: Future>(request: F) -> F::Output {
    WRITE.scope((), request).await
}

#[derive(Debug, Default)]
struct Counts {
    requests: AtomicU64,
    mutations: AtomicU64,
}

/// The interceptor, and the counts it keeps (shared by every client of one
/// backend).
#[derive(Debug, Clone, Default)]
pub(crate) struct CountRequests(Arc<Counts>);

impl CountRequests {
    /// Operations sent so far (reads and writes).
    pub(crate) fn requests(&self) -> u64 {
        self.0.requests.load(Ordering::Relaxed)
    }

    /// Mutating operations sent so far.
    pub(crate) fn mutations(&self) -> u64 {
        self.0.mutations.load(Ordering::Relaxed)
    }
}

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        limiter::operation_starts();
        Ok(())
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.requests.fetch_add(1, Ordering::Relaxed);
        let write = WRITE.try_with(|_| ()).is_ok();
        if write {
            self.0.mutations.fetch_add(1, Ordering::Relaxed);
        }
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("", ""), |m| (m.service(), m.name()));
        tracing::debug!(service, operation, write, "request");
        Ok(())
    }

    fn overridden_hooks(&self) -> OverriddenHooks {
        OverriddenHooks::READ_BEFORE_EXECUTION | OverriddenHooks::READ_BEFORE_SERIALIZATION
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::client::limiter::{LimitedSleep, limited};
    use aws_sdk_iam::config::retry::RetryConfig;
    use aws_sdk_iam::config::timeout::TimeoutConfig;
    use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_runtime_api::shared::IntoShared;
    use aws_smithy_types::body::SdkBody;
    use std::collections::VecDeque;
    use std::sync::Mutex;
    use std::time::Duration;
    use tokio::sync::Semaphore;

    /// Answers each request with the next canned (status, body), and keeps
    /// the bodies of the requests it was sent.
    #[derive(Debug, Clone, Default)]
    struct Canned {
        answers: Arc<Mutex<VecDeque<(u16, String)>>>,
        sent: Arc<Mutex<Vec<String>>>,
    }

    impl HttpConnector for Canned {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let body = request.body().bytes().unwrap_or_default();
            let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
            sent.push(String::from_utf8_lossy(body).into_owned());
            let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
            let (status, body) = answers.pop_front().unwrap_or((599, String::new()));
            let status = StatusCode::try_from(status).unwrap_or_else(|_| unreachable!());
            HttpConnectorFuture::ready(Ok(HttpResponse::new(status, SdkBody::from(body))))
        }
    }

    impl HttpClient for Canned {
        fn http_connector(
            &self,
            _settings: &HttpConnectorSettings,
            _components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            self.clone().into_shared()
        }
    }

    /// A ListUsers page whose marker is `marker`.
    fn users_page(marker: Option<&str>) -> (u16, String) {
        let marker = marker.map(|m| format!("<Marker>{m}</Marker>"));
        let body = format!(
            "<ListUsersResponse><ListUsersResult><Users/><IsTruncated>{}</IsTruncated>{}</ListUsersResult></ListUsersResponse>",
            marker.is_some(),
            marker.clone().unwrap_or_default()
        );
        (200, body)
    }

    fn iam(canned: &Canned, counts: &CountRequests) -> aws_sdk_iam::Client {
        let retry = RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1));
        // Timeouts as the backend sets them: each page's own timeout sleeps
        // must not be taken for backoffs.
        let timeouts = TimeoutConfig::builder()
            .operation_timeout(Duration::from_secs(60))
            .operation_attempt_timeout(Duration::from_secs(15))
            .build();
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("id", "secret", None, None, "test"))
            .http_client(canned.clone())
            .sleep_impl(LimitedSleep)
            .retry_config(retry)
            .timeout_config(timeouts)
            .interceptor(counts.clone());
        aws_sdk_iam::Client::from_conf(config.build())
    }

    /// The markers the requests carried, in order (`-` for none).
    fn markers(canned: &Canned) -> Vec<String> {
        let sent = canned.sent.lock().unwrap_or_else(|p| p.into_inner());
        let marker = |body: &String| {
            let m = body.split('&').find_map(|kv| kv.strip_prefix("Marker="));
            m.unwrap_or("-").to_string()
        };
        sent.iter().map(marker).collect()
    }

    #[tokio::test]
    async fn a_listing_stops_at_the_last_page_an_empty_marker_or_a_repeated_one() {
        let limiter = Arc::new(Semaphore::new(1));
        let bounds = one_slot(&limiter);
        for (pages, expected) in [
            (vec![None], vec!["-"]),
            (vec![Some("")], vec!["-"]),
            (vec![Some("a"), Some("b"), None], vec!["-", "a", "b"]),
            // A service that repeats the marker it was given would loop forever.
            (vec![Some("a"), Some("a"), Some("c")], vec!["-", "a"]),
        ] {
            let canned = Canned::default();
            let answers = pages.iter().map(|m| users_page(*m)).collect();
            *canned.answers.lock().unwrap_or_else(|p| p.into_inner()) = answers;
            let counts = CountRequests::default();
            let listing = iam(&canned, &counts).list_users().into_paginator();
            let got = limited(&bounds, listing.send().try_collect()).await;
            let got = got.ok().and_then(Result::ok).map(|p| p.len());
            assert_eq!(got, Some(expected.len()), "{pages:?}");
            assert_eq!(markers(&canned), expected, "{pages:?}");
            assert_eq!(counts.requests(), expected.len() as u64, "one per page");
            assert_eq!(counts.mutations(), 0);
        }
        assert_eq!(limiter.available_permits(), 1);
    }

    #[tokio::test]
    async fn an_operation_counts_once_however_many_attempts_it_takes() {
        let limiter = Arc::new(Semaphore::new(1));
        let limiter = one_slot(&limiter);
        let canned = Canned::default();
        let failure = (
            503,
            "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"
                .to_string(),
        );
        *canned.answers.lock().unwrap_or_else(|p| p.into_inner()) =
            VecDeque::from([failure, users_page(None), users_page(None)]);
        let counts = CountRequests::default();
        let client = iam(&canned, &counts);
        let read = limited(&limiter, client.list_users().send()).await;
        assert!(read.is_ok_and(|r| r.is_ok()));
        assert_eq!(canned.sent.lock().map(|s| s.len()).ok(), Some(2));
        assert_eq!((counts.requests(), counts.mutations()), (1, 0));
        // A request sent as a write counts as a mutation too.
        let write = limited(&limiter, as_write(client.list_users().send())).await;
        assert!(write.is_ok_and(|r| r.is_ok()));
        assert_eq!((counts.requests(), counts.mutations()), (2, 1));
    }

    /// One slot shared by the account and the run.
    fn one_slot(shared: &Arc<Semaphore>) -> crate::aws::client::limiter::Bounds {
        crate::aws::client::limiter::Bounds {
            account: Arc::new(Semaphore::new(1)),
            shared: shared.clone(),
        }
    }
}
