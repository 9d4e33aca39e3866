//! One SDK call per [`Op`].

use super::AwsBackend;
use super::error::CallError;
use crate::collect::Outcome;
use crate::plan::Op;

/// The SDK request of one op type, written beside its service's other SDK
/// code (`crate::aws::<service>::sdk`).
pub(crate) trait SendOp {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError>;
}

/// Generates [`AwsBackend::apply_op`] from the op registry.
macro_rules! send_op {
    ({}; $( $variant:ident($ty:ty), )*) => {
        impl AwsBackend {
            /// Send `op`: its SDK request, under the backend's bound and retries.
            pub(super) async fn apply_op(&self, op: &Op) -> Result<Outcome, CallError> {
                match op {
                    $( Op::$variant(o) => o.send(self).await, )*
                    _ => self.legacy_apply_op(op).await,
                }
            }
        }
    };
}
crate::plan::for_each_op!(send_op, {});

impl AwsBackend {
    async fn legacy_apply_op(&self, op: &Op) -> Result<Outcome, CallError> {
        match op {
            Op::PutAccountPublicAccessBlock { .. }
            | Op::DeleteAccountPublicAccessBlock
            | Op::PutBucketPublicAccessBlock { .. }
            | Op::DeleteBucketPublicAccessBlock { .. }
            | Op::PutBucketPolicy { .. }
            | Op::DeleteBucketPolicy { .. }
            | Op::PutBucketAcl { .. }
            | Op::PutBucketEncryption { .. }
            | Op::DeleteBucketEncryption { .. }
            | Op::PutBucketVersioning { .. }
            | Op::CreateBucket { .. }
            | Op::DeleteBucket { .. } => {
                return self.apply_s3(op).await.map(|()| Outcome::default());
            }
            Op::Ec2(o) => return self.apply_ec2(o).await,
            Op::EbsVpc(o) => return self.apply_ebs_vpc(o).await,
            Op::Audit(o) => return self.apply_audit(o).await,
            Op::Workloads(o) => return self.apply_workloads(o).await.map(|()| Outcome::default()),
            Op::CreateOriginAccessControl { .. }
            | Op::DeleteOriginAccessControl { .. }
            | Op::UpdateDistribution { .. } => {
                return self.apply_cloudfront(op).await.map(|()| Outcome::default());
            }
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
    }
}

/// Re-reads made right before a change is sent (see [`crate::collect::Backend`]).
impl AwsBackend {
    /// One GetBucketPolicy in the bucket's region (`None`: no policy). Without
    /// the region, the bucket is located first.
    pub(super) async fn reread_bucket_policy(
        &self,
        bucket: &str,
        region: Option<&str>,
    ) -> Result<Option<serde_json::Value>, CallError> {
        const ACTION: &str = "s3:GetBucketPolicy";
        let Some(region) = region else {
            let read = self.read_bucket(bucket.to_string(), None).await;
            return match read {
                Some(b) => match b.policy {
                    crate::inventory::Fetched::Ready(p) => Ok(p),
                    crate::inventory::Fetched::Error(e) => Err(e),
                },
                None => Err(CallError::new(
                    ACTION,
                    Some("NoSuchBucket".to_string()),
                    format!("the bucket {bucket} does not exist"),
                )),
            };
        };
        let client = self.s3(region);
        let out = match self
            .send(ACTION, client.get_bucket_policy().bucket(bucket).send())
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchBucketPolicy") => return Ok(None),
            Err(e) => return Err(e),
        };
        match out.policy().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
                CallError::new(
                    ACTION,
                    None,
                    format!("the bucket policy is not valid JSON: {e}"),
                )
            }),
        }
    }
}
