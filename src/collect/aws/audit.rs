//! CloudTrail, CloudWatch, CloudWatch Logs, SNS and KMS: collectors of the group's parts and one SDK call per [`AuditOp`].
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.

use super::AwsBackend;
use super::error::CallError;
use crate::plan::AuditOp;

impl AwsBackend {
    /// Send one op of this group.
    pub(super) async fn apply_audit(&self, op: &AuditOp) -> Result<(), CallError> {
        match *op {}
    }
}
