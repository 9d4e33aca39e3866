//! The `s3` section: public access, policies, ACLs, encryption, transport, versioning.

use super::ItemDef;

pub const ITEMS: &[ItemDef] = &[];
