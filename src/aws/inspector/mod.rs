//! Amazon Inspector: the scanning status of each region.

pub mod ops;
pub(crate) mod sdk;
