//! Amazon CloudWatch: metric alarms and metrics.

pub mod alarm;
pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;
