//! AWS KMS: keys, aliases and key policies.

pub mod key;
pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::KmsRef;
