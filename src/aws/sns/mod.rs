//! Amazon SNS: topics, their policies and subscriptions.

pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub mod topic;
pub use resource::SnsRef;
