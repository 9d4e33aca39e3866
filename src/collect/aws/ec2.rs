//! EC2 (instances, AMIs, security groups, network interfaces): collectors of the group's parts and one SDK call per [`Ec2Op`].
//! Regional clients come from `AwsBackend::client`; regions from
//! `AwsBackend::regions`; every request goes through `send` / `send_write`.

use super::AwsBackend;
use super::error::CallError;
use crate::plan::Ec2Op;

impl AwsBackend {
    /// Send one op of this group.
    pub(super) async fn apply_ec2(&self, op: &Ec2Op) -> Result<(), CallError> {
        match *op {}
    }
}
