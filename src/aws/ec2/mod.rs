//! Amazon EC2: security groups, network interfaces, instances and images.

pub mod inventory;
pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;

pub use inventory::*;
