//! Amazon CloudWatch: metric alarms and metrics.

pub mod alarm;
pub mod ops;
pub(crate) mod sdk;
