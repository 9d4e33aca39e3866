//! AWS KMS: keys, aliases and key policies.

pub mod key;
pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;
