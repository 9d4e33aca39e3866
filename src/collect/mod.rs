//! Backends: where inventory parts come from and where ops go. One trait, three
//! faces: [`crate::aws::client::AwsBackend`] (the SDK), [`demo::DemoBackend`] (the built-in
//! insecure account) and [`dryrun::DryRun`] (wraps either; records ops, sends none).

pub mod aws;
pub mod demo;
pub mod dryrun;

use crate::aws::inventory::{Fetched, Identity, PartError, PartId, PartValue, Versioning};
use crate::plan::Op;
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What kind of session this is; shown as the header badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Demo,
    /// Dry-run over a live or a demo account.
    DryRun {
        demo: bool,
    },
}

impl Mode {
    pub fn badge(self) -> &'static str {
        match self {
            Mode::Live => "LIVE",
            Mode::Demo => "DEMO",
            Mode::DryRun { demo: false } => "DRY-RUN",
            Mode::DryRun { demo: true } => "DEMO · DRY-RUN",
        }
    }
    pub fn is_dry_run(self) -> bool {
        matches!(self, Mode::DryRun { .. })
    }
}

/// How an op was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Sent to the account and accepted.
    Sent,
    /// Dry-run: recorded, nothing sent.
    Recorded,
}

use crate::aws::client::Outcome;

/// An op the account refused (or that could not be sent): the same shape as a
/// failed read.
pub type OpError = PartError;

pub trait Backend: Send + Sync {
    fn mode(&self) -> Mode;

    /// Read one part of the account.
    fn collect(&self, part: PartId) -> BoxFuture<'_, Result<PartValue, PartError>>;

    /// Send one op.
    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>>;

    /// Send one op and say what the account made of it (see [`Outcome`]):
    /// the executor journals that, not only the op it asked for.
    fn apply_outcome<'a>(
        &'a self,
        op: &'a Op,
    ) -> BoxFuture<'a, Result<(Applied, Outcome), OpError>> {
        Box::pin(async move { Ok((self.apply(op).await?, Outcome::default())) })
    }

    /// Who the credentials are *now*: asked again, not the answer at start-up
    /// (SSO or `credential_process` may have moved to another account since).
    /// Apply and undo pin the plan's account with it right before sending.
    fn caller(&self) -> BoxFuture<'_, Result<Identity, PartError>> {
        Box::pin(async move {
            match self.collect(PartId::Identity).await? {
                PartValue::Identity(i) => Ok(i),
                _ => Err(PartError::new(
                    "sts:GetCallerIdentity",
                    None,
                    "the backend answered with another part",
                )),
            }
        })
    }

    /// One bucket's policy as it is now (`None`: the bucket has none), read
    /// right before a write replaces it. `region` is the bucket's, when known.
    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a str,
        region: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, PartError>> {
        let _ = region;
        Box::pin(async move {
            let missing = || {
                PartError::new(
                    "s3:GetBucketPolicy",
                    Some("NoSuchBucket".to_string()),
                    format!("the bucket {bucket} does not exist"),
                )
            };
            match self.collect(PartId::S3Buckets).await? {
                PartValue::S3Buckets(s3) => match s3.bucket(bucket).ok_or_else(missing)?.policy {
                    crate::aws::inventory::Fetched::Ready(ref p) => Ok(p.clone()),
                    crate::aws::inventory::Fetched::Error(ref e) => Err(e.clone()),
                },
                _ => Err(missing()),
            }
        })
    }

    /// One bucket's versioning as it is now, read where a scan did not read
    /// it (no item judges it on that bucket) but a plan or an undo acts on
    /// the bucket. `region` is the bucket's. By default it is taken from the
    /// S3 part, for backends whose buckets always carry their versioning.
    fn bucket_versioning<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<Versioning, PartError>> {
        let _ = region;
        Box::pin(async move {
            let missing = || {
                PartError::new(
                    "s3:GetBucketVersioning",
                    Some("NoSuchBucket".to_string()),
                    format!("the bucket {bucket} does not exist"),
                )
            };
            match self.collect(PartId::S3Buckets).await? {
                PartValue::S3Buckets(s3) => {
                    match s3.bucket(bucket).ok_or_else(missing)?.versioning {
                        Some(Fetched::Ready(ref v)) => Ok(*v),
                        Some(Fetched::Error(ref e)) => Err(e.clone()),
                        None => Err(PartError::new(
                            "s3:GetBucketVersioning",
                            None,
                            format!("the versioning of the bucket {bucket} was not read"),
                        )),
                    }
                }
                _ => Err(missing()),
            }
        })
    }

    /// Ops a dry-run backend recorded instead of sending.
    fn recorded(&self) -> Vec<Op> {
        Vec::new()
    }
}

/// One part's outcome, as collection reports it.
pub type PartResult = (PartId, Result<PartValue, PartError>);

/// Collect `parts` concurrently; each result is sent on `tx` as it arrives (so
/// a UI can fill in item by item). The backend bounds requests in flight.
pub async fn collect_parts(
    backend: Arc<dyn Backend>,
    parts: &[PartId],
    tx: mpsc::UnboundedSender<PartResult>,
) {
    let mut set = tokio::task::JoinSet::new();
    for &part in parts {
        let b = backend.clone();
        let tx = tx.clone();
        set.spawn(async move {
            let r = b.collect(part).await;
            let _ = tx.send((part, r));
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Err(e) = joined {
            tracing::error!("collector task failed: {e}");
        }
    }
}

/// Collect `parts` into a fresh inventory (CLI and the apply pipeline).
pub async fn collect_inventory(
    backend: Arc<dyn Backend>,
    parts: &[PartId],
) -> crate::aws::inventory::Inventory {
    let (tx, mut rx) = mpsc::unbounded_channel();
    collect_parts(backend, parts, tx).await;
    let mut inv = crate::aws::inventory::Inventory::default();
    while let Ok((id, r)) = rx.try_recv() {
        match r {
            Ok(v) => inv.set(v),
            Err(e) => inv.set_error(id, e),
        }
    }
    inv
}
