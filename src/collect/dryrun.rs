//! `DryRun<B>`: collects through the wrapped backend, records every op it is
//! asked to apply and sends none. Dry-run is enforced here, by type.

use super::{Applied, Backend, Mode, OpError};
use crate::aws::inventory::{Identity, PartError, PartId, PartValue, Versioning};
use crate::plan::Op;
use futures::future::BoxFuture;
use std::sync::Mutex;

pub struct DryRun<B> {
    inner: B,
    recorded: Mutex<Vec<Op>>,
}

impl<B: Backend> DryRun<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            recorded: Mutex::new(vec![]),
        }
    }
}

impl<B: Backend> Backend for DryRun<B> {
    fn mode(&self) -> Mode {
        Mode::DryRun {
            demo: self.inner.mode() == Mode::Demo,
        }
    }

    fn collect(&self, part: PartId) -> BoxFuture<'_, Result<PartValue, PartError>> {
        self.inner.collect(part)
    }

    fn caller(&self) -> BoxFuture<'_, Result<Identity, PartError>> {
        self.inner.caller()
    }

    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a str,
        region: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, PartError>> {
        self.inner.bucket_policy(bucket, region)
    }

    fn bucket_versioning<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<Versioning, PartError>> {
        self.inner.bucket_versioning(bucket, region)
    }

    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>> {
        Box::pin(async move {
            tracing::info!("dry-run: would send {} ({})", op.action(), op.describe());
            if let Ok(mut r) = self.recorded.lock() {
                r.push(op.clone());
            }
            Ok(Applied::Recorded)
        })
    }

    fn recorded(&self) -> Vec<Op> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }
}
