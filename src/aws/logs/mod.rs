//! Amazon CloudWatch Logs: log groups and metric filters.

pub mod metric_filter;
pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::LogsRef;
