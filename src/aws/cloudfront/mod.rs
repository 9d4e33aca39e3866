//! Amazon CloudFront: distributions and origin access controls.

pub mod ops;
pub(crate) mod sdk;
