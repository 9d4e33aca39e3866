//! Elastic Load Balancing: load balancers, listeners and rules.

pub mod ops;
pub(crate) mod sdk;
