//! Amazon GuardDuty: the detector of each region.

pub mod ops;
pub(crate) mod sdk;
