//! Amazon VPC (EC2 API): VPCs and their flow logs.

pub mod ops;
pub(crate) mod sdk;
