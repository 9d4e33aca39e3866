//! AWS CloudTrail: trails, their status and event selectors.

pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub mod trail;
pub use resource::CloudTrailRef;
