//! AWS WAF: web ACLs and what they protect.

pub mod ops;
pub(crate) mod sdk;
