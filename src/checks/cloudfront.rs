//! The `cloudfront` section: HTTPS to viewers, TLS versions, web ACLs.

use super::ItemDef;

pub const ITEMS: &[ItemDef] = &[];
