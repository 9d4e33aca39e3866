//! Amazon EBS (EC2 API): encryption by default, volumes and snapshots.

pub mod ops;
pub(crate) mod sdk;
