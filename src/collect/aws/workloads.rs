//! RDS, Route 53, Elastic Load Balancing, Inspector and WAF: collectors of the group's parts and one SDK call per [`WorkloadsOp`].
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.

use super::AwsBackend;
use super::error::CallError;
use crate::plan::WorkloadsOp;

impl AwsBackend {
    /// Send one op of this group.
    pub(super) async fn apply_workloads(&self, op: &WorkloadsOp) -> Result<(), CallError> {
        match *op {}
    }
}
