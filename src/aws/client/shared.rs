//! One read shared by the parts that ask for it at the same time.
//!
//! Several parts read the same account-wide answer (every trail of the
//! account: S3 for the trail buckets, CloudTrail, and the parts read in the
//! trails' regions: alarms, topics, metric filters, keys), and a scan
//! collects them at once. A caller that asks while the same read is in
//! flight waits for that read instead of sending its own. No answer is
//! reused: once the read has finished, the next caller reads again. A read
//! is joined only when no change was sent, or ended, since it began
//! ([`Changes`], one count for every backend of the run, as a change in one
//! account can show in another's answer: an organization trail), so the
//! re-read that verifies a change always sees the account after it.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The changes sent by every backend of the run: counted when each is sent
/// and when it ends (answered, failed or given up on).
#[derive(Debug, Default, Clone)]
pub(crate) struct Changes(Arc<AtomicU64>);

impl Changes {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Send `change`, counted (see [`Changes`]).
    pub(crate) async fn made<F: Future>(&self, change: F) -> F::Output {
        /// Counts the change's end, also when its caller drops it.
        struct Ended<'a>(&'a AtomicU64);
        impl Drop for Ended<'_> {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        self.0.fetch_add(1, Ordering::SeqCst);
        let _ended = Ended(&self.0);
        change.await
    }
}

/// The read in flight, with the change count when it began.
#[derive(Debug)]
pub(crate) struct SharedRead<T> {
    in_flight: Mutex<Option<(u64, Arc<OnceCell<T>>)>>,
}

impl<T> Default for SharedRead<T> {
    fn default() -> Self {
        SharedRead {
            in_flight: Mutex::new(None),
        }
    }
}

impl<T: Clone> SharedRead<T> {
    /// The answer of the read in flight, when it began at today's change
    /// count, else of `read`, which the callers that come while it runs then
    /// share. A cancelled reader hands the read to the next waiting caller,
    /// who sends it anew.
    pub(crate) async fn get<F, Fut>(&self, changes: &Changes, read: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Read under the lock: the count an entry holds only grows.
            let now = changes.now();
            match &*in_flight {
                Some((began, cell)) if *began == now && !cell.initialized() => cell.clone(),
                _ => {
                    let cell = Arc::new(OnceCell::new());
                    *in_flight = Some((now, cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_init(read).await.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;
    use tokio::sync::oneshot;

    /// A read that counts itself and answers its number when `release` fires.
    async fn held(reads: &AtomicUsize, release: oneshot::Receiver<()>) -> usize {
        let n = reads.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = release.await;
        n
    }

    /// `f` polled once, and still waiting (a read or change in flight).
    async fn started<F: Future>(f: F) -> std::pin::Pin<Box<F>> {
        let mut f = Box::pin(f);
        assert!(futures::poll!(f.as_mut()).is_pending());
        f
    }

    #[tokio::test]
    async fn callers_during_a_read_share_it() {
        let (shared, changes) = (SharedRead::default(), Changes::default());
        let reads = AtomicUsize::new(0);
        let (tx1, rx1) = oneshot::channel();
        let (_tx2, rx2) = oneshot::channel();
        // The first read is in flight (polled once) before the second asks.
        let first = started(shared.get(&changes, || held(&reads, rx1))).await;
        let second = started(shared.get(&changes, || held(&reads, rx2))).await;
        tx1.send(()).ok();
        assert_eq!((first.await, second.await), (1, 1));
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_finished_read_is_not_reused() {
        let (shared, changes) = (SharedRead::default(), Changes::default());
        let reads = AtomicUsize::new(0);
        for want in 1..=2 {
            let (tx, rx) = oneshot::channel();
            tx.send(()).ok();
            assert_eq!(shared.get(&changes, || held(&reads, rx)).await, want);
        }
    }

    /// The verification of a change: its re-read never joins a read begun
    /// before the change ended, nor while it was in flight.
    #[tokio::test]
    async fn a_read_begun_before_a_change_ended_is_not_joined() {
        let (shared, changes) = (SharedRead::default(), Changes::default());
        let reads = AtomicUsize::new(0);
        let (tx1, rx1) = oneshot::channel();
        let before = started(shared.get(&changes, || held(&reads, rx1))).await;
        // A change in flight: a read begun now is not joined after it ends.
        let (change_tx, change_rx) = oneshot::channel::<()>();
        let change = started(changes.made(change_rx)).await;
        let (tx2, rx2) = oneshot::channel();
        let during = started(shared.get(&changes, || held(&reads, rx2))).await;
        change_tx.send(()).ok();
        assert!(change.await.is_ok());
        let (tx3, rx3) = oneshot::channel();
        let after = started(shared.get(&changes, || held(&reads, rx3))).await;
        for tx in [tx1, tx2, tx3] {
            tx.send(()).ok();
        }
        assert_eq!((before.await, during.await, after.await), (1, 2, 3));
    }

    #[tokio::test]
    async fn a_change_given_up_on_still_counts_as_ended() {
        let (shared, changes) = (SharedRead::default(), Changes::default());
        let reads = AtomicUsize::new(0);
        let (_change_tx, change_rx) = oneshot::channel::<()>();
        let change = started(changes.made(change_rx)).await;
        let (tx1, rx1) = oneshot::channel();
        let during = started(shared.get(&changes, || held(&reads, rx1))).await;
        drop(change);
        let (tx2, rx2) = oneshot::channel();
        let after = started(shared.get(&changes, || held(&reads, rx2))).await;
        tx1.send(()).ok();
        tx2.send(()).ok();
        assert_eq!((during.await, after.await), (1, 2));
    }

    #[tokio::test]
    async fn a_cancelled_reader_hands_the_read_on() {
        let (shared, changes) = (SharedRead::default(), Changes::default());
        let reads = AtomicUsize::new(0);
        let (_tx1, rx1) = oneshot::channel();
        let first = started(shared.get(&changes, || held(&reads, rx1))).await;
        let (tx2, rx2) = oneshot::channel();
        let second = started(shared.get(&changes, || held(&reads, rx2))).await;
        drop(first);
        tx2.send(()).ok();
        let second = tokio::time::timeout(Duration::from_secs(10), second).await;
        assert_eq!(second.ok(), Some(2), "the waiting caller sends the read");
    }
}
