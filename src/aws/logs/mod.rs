//! Amazon CloudWatch Logs: log groups and metric filters.

pub mod ops;
pub(crate) mod sdk;
