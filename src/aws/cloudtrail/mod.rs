//! AWS CloudTrail: trails, their status and event selectors.

pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;
pub mod trail;
