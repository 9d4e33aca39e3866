//! S3 collectors (buckets, account public access block) and S3 ops.

use super::AwsBackend;
use super::error::CallError;
use crate::inventory::{PublicAccessBlock, S3};
use crate::plan::Op;

impl AwsBackend {
    pub(super) async fn collect_s3(&self) -> Result<S3, CallError> {
        Err(CallError::new(
            "s3:ListAllMyBuckets",
            None,
            "not implemented yet",
        ))
    }

    pub(super) async fn collect_account_pab(&self) -> Result<Option<PublicAccessBlock>, CallError> {
        Err(CallError::new(
            "s3:GetAccountPublicAccessBlock",
            None,
            "not implemented yet",
        ))
    }

    pub(super) async fn apply_s3(&self, op: &Op) -> Result<(), CallError> {
        Err(CallError::new(op.action(), None, "not implemented yet"))
    }
}
