//! AWS Identity and Access Management: users, groups, roles, policies and
//! access keys.

pub mod ops;
pub(crate) mod sdk;
