//! Amazon CloudWatch: metric alarms and metrics.

pub mod alarm;
pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::CloudWatchRef;
