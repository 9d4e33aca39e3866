//! AWS WAF: web ACLs and what they protect.

pub(crate) mod sdk;
