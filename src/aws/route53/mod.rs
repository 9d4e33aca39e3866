//! Amazon Route 53: hosted zones, query logging and domains.

pub mod ops;
pub(crate) mod sdk;
