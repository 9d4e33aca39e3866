//! AWS Security Token Service: who the caller is.

pub mod ops;
pub(crate) mod sdk;
