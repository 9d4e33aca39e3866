//! EBS, VPC flow logs and GuardDuty: collectors of the group's parts and one SDK call per [`EbsVpcOp`].
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.

use super::AwsBackend;
use super::error::CallError;
use crate::plan::EbsVpcOp;

impl AwsBackend {
    /// Send one op of this group.
    pub(super) async fn apply_ebs_vpc(&self, op: &EbsVpcOp) -> Result<(), CallError> {
        match *op {}
    }
}
