//! AWS Account Management: the account's alternate contacts.

pub mod ops;
pub(crate) mod sdk;
