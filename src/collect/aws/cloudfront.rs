//! CloudFront collector (distributions with their configs and ETags, origin
//! access controls) and CloudFront ops.

use super::AwsBackend;
use super::error::CallError;
use crate::inventory::CloudFront;
use crate::plan::Op;

impl AwsBackend {
    pub(super) async fn collect_cloudfront(&self) -> Result<CloudFront, CallError> {
        Err(CallError::new(
            "cloudfront:ListDistributions",
            None,
            "not implemented yet",
        ))
    }

    pub(super) async fn apply_cloudfront(&self, op: &Op) -> Result<(), CallError> {
        Err(CallError::new(op.action(), None, "not implemented yet"))
    }
}
