//! The bound on requests in flight, held per attempt.
//!
//! `AwsBackend::send` takes a slot of the one semaphore before a request
//! starts (so waiting for a slot never counts against a timeout) and runs
//! the request in a scope that knows its slot. A request is one SDK
//! operation, or a whole paginated listing (every page in turn, under the
//! one slot; `AwsBackend::send` of the paginator's stream). The SDK retries inside the
//! request; between two attempts it sleeps (a backoff, up to 10 s, or what a
//! throttling answer asked for). Holding the slot through that sleep would
//! let a few throttled requests stall every other request, so:
//!
//! - [`LimitedHttpClient`] marks the end of each attempt's HTTP exchange;
//! - [`LimitedSleep`] recognises the sleep that follows an exchange as the
//!   backoff before the next attempt: it gives the slot back while it sleeps
//!   and takes one again before the next attempt is sent (outside the
//!   attempt's timeout, like the first slot);
//! - an attempt that finds its slot missing (a retry without a backoff)
//!   takes one before sending.
//!
//! Requests sent outside `send` (no scope) are not bounded here.
//!
//! A slot is two permits: one of the account's own bound, taken first, and
//! one of the bound shared by every account. A request waiting for its
//! account's bound holds no shared permit, so an account whose requests are
//! slow or throttled fills its own bound, never the whole shared one.

use aws_sdk_iam::config::{AsyncSleep, Sleep};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

tokio::task_local! {
    static SLOT: Arc<Slot>;
}

/// The bounds a request is held to: its account's, and the one shared by
/// every account.
#[derive(Debug, Clone)]
pub(crate) struct Bounds {
    pub(crate) account: Arc<Semaphore>,
    pub(crate) shared: Arc<Semaphore>,
}

impl Bounds {
    /// Both permits: the account's first (waiting for it holds nothing shared).
    async fn acquire(&self) -> Result<Permits, AcquireError> {
        let account = self.account.clone().acquire_owned().await?;
        let shared = self.shared.clone().acquire_owned().await?;
        Ok(Permits {
            _account: account,
            _shared: shared,
        })
    }
}

/// A slot's two permits, given back together.
#[derive(Debug)]
struct Permits {
    _account: OwnedSemaphorePermit,
    _shared: OwnedSemaphorePermit,
}

/// One request's place in the bound.
#[derive(Debug)]
struct Slot {
    bounds: Bounds,
    state: Mutex<SlotState>,
}

#[derive(Debug, Default)]
struct SlotState {
    permit: Option<Permits>,
    /// An attempt's exchange ended: the next sleep is the backoff.
    exchanged: bool,
}

impl Slot {
    fn state(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn take(&self) {
        if self.state().permit.is_some() {
            return;
        }
        // The semaphores are never closed while the backend lives.
        if let Ok(p) = self.bounds.acquire().await {
            self.state().permit = Some(p);
        }
    }
}

fn current() -> Option<Arc<Slot>> {
    SLOT.try_with(Arc::clone).ok()
}

/// An operation of the current request starts (called by the interceptor in
/// `counting`, before the operation's timeouts start): no sleep is a backoff
/// until one of its own exchanges has ended. A paginated listing sends one
/// operation per page under one slot; the sleep of a page's timeout is not
/// the backoff of the page before.
pub(crate) fn operation_starts() {
    if let Some(slot) = current() {
        slot.state().exchanged = false;
    }
}

/// Run `request` holding a slot of `bounds` (given back during backoffs).
pub(crate) async fn limited<F: Future>(
    bounds: &Bounds,
    request: F,
) -> Result<F::Output, AcquireError> {
    let permit = bounds.acquire().await?;
    let slot = Arc::new(Slot {
        bounds: bounds.clone(),
        state: Mutex::new(SlotState {
            permit: Some(permit),
            exchanged: false,
        }),
    });
    Ok(SLOT.scope(slot, request).await)
}

/// Slots held by the requests in flight of this task (for tests).
#[cfg(test)]
fn holds() -> Option<bool> {
    current().map(|s| s.state().permit.is_some())
}

/// An HTTP client whose exchanges tell their request's slot when they end.
#[derive(Debug, Clone)]
pub(crate) struct LimitedHttpClient {
    inner: SharedHttpClient,
}

impl LimitedHttpClient {
    pub(crate) fn new(inner: SharedHttpClient) -> LimitedHttpClient {
        LimitedHttpClient { inner }
    }
}

impl HttpClient for LimitedHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        LimitedConnector {
            inner: self.inner.http_connector(settings, components),
        }
        .into_shared()
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
}

/// Marks the exchange ended when dropped (answered, failed or cut).
struct Exchanged(Arc<Slot>);

impl Drop for Exchanged {
    fn drop(&mut self) {
        self.0.state().exchanged = true;
    }
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let Some(slot) = current() else {
            return self.inner.call(request);
        };
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            slot.state().exchanged = false;
            slot.take().await;
            let _ended = Exchanged(slot);
            inner.call(request).await
        })
    }
}

/// Tokio's sleep; the backoff after an exchange frees the request's slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct LimitedSleep;

impl AsyncSleep for LimitedSleep {
    fn sleep(&self, duration: Duration) -> Sleep {
        let slot = current().filter(|s| std::mem::take(&mut s.state().exchanged));
        let Some(slot) = slot else {
            return Sleep::new(tokio::time::sleep(duration));
        };
        slot.state().permit = None;
        Sleep::new(async move {
            tokio::time::sleep(duration).await;
            slot.take().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_backoff_gives_the_slot_back_and_takes_it_again() {
        let limiter = Arc::new(Semaphore::new(1));
        let l = limiter.clone();
        let bounds = Bounds {
            account: Arc::new(Semaphore::new(1)),
            shared: limiter.clone(),
        };
        let r = limited(&bounds, async move {
            assert_eq!(holds(), Some(true));
            // An ordinary sleep (a timeout) keeps the slot.
            let keep = LimitedSleep.sleep(Duration::from_millis(1));
            assert_eq!(l.available_permits(), 0);
            keep.await;
            // After an exchange, the sleep is a backoff.
            if let Some(s) = current() {
                s.state().exchanged = true;
            }
            let backoff = LimitedSleep.sleep(Duration::from_millis(50));
            assert_eq!(holds(), Some(false));
            assert_eq!(l.available_permits(), 1, "free while backing off");
            backoff.await;
            assert_eq!(holds(), Some(true));
            assert_eq!(l.available_permits(), 0);
            7
        })
        .await;
        assert_eq!(r.ok(), Some(7));
        assert_eq!(limiter.available_permits(), 1);
        assert_eq!(holds(), None);
    }

    /// An account whose requests hang fills its own bound and waits there:
    /// another account's request still finds a shared slot.
    #[tokio::test]
    async fn one_account_cannot_take_every_shared_slot() {
        let shared = Arc::new(Semaphore::new(3));
        let slow = Bounds {
            account: Arc::new(Semaphore::new(2)),
            shared: shared.clone(),
        };
        let other = Bounds {
            account: Arc::new(Semaphore::new(2)),
            shared: shared.clone(),
        };
        let (release, hold) = tokio::sync::watch::channel(false);
        let mut stuck = Vec::new();
        for _ in 0..5 {
            let slow = slow.clone();
            let mut hold = hold.clone();
            stuck.push(tokio::spawn(async move {
                limited(&slow, async move {
                    let _ = hold.wait_for(|go| *go).await;
                })
                .await
            }));
        }
        // The slow account holds two shared slots at most, however many
        // requests it has waiting.
        while slow.account.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(shared.available_permits(), 1);
        let answered = tokio::time::timeout(Duration::from_secs(5), limited(&other, async { 9 }))
            .await
            .expect("another account is not starved");
        assert_eq!(answered.ok(), Some(9));
        let _ = release.send(true);
        for s in stuck {
            assert!(s.await.is_ok());
        }
        assert_eq!(shared.available_permits(), 3);
    }
}
