//! Amazon SNS: topics, their policies and subscriptions.

pub mod ops;
pub(crate) mod read;
pub(crate) mod sdk;
pub mod topic;
