//! Amazon CloudWatch: metric alarms and metrics.

pub mod ops;
pub(crate) mod sdk;
