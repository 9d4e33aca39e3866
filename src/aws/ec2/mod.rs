//! Amazon EC2: security groups, network interfaces, instances and images.

pub mod ops;
pub(crate) mod sdk;
