//! Amazon RDS: DB instances and their settings.

pub mod ops;
pub(crate) mod sdk;
