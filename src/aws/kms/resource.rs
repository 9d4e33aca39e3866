//! The KMS resources moat names ([`KmsRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, KEY_PENDING_DELETION, PartId, kms_key};
use serde_json::{Value, json};
use std::fmt;

/// A KMS resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KmsRef {
    /// `kms/REGION/alias/NAME`: a key by its alias.
    Key { region: String, alias: String },
}

impl KmsRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["kms/REGION/alias/NAME"];

    /// Parse a resource name split on `/`; `None` when it is not a KMS resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["kms", region, "alias", rest @ ..] if !rest.is_empty() => Some(KmsRef::Key {
                region: region.to_string(),
                alias: format!("alias/{}", rest.join("/")),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::KmsKeys]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            KmsRef::Key { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist, or is pending
    /// deletion). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let KmsRef::Key { region, alias } = self;
        Ok(kms_key(inv, region, alias)
            .filter(|k| k.state != KEY_PENDING_DELETION)
            .map(|k| {
                json!({
                    "Alias": k.alias,
                    "Description": k.description,
                    "KeyState": k.state,
                    "KeyPolicy": k.policy,
                })
            }))
    }
}

impl fmt::Display for KmsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KmsRef::Key { region, alias } => write!(f, "kms/{region}/{alias}"),
        }
    }
}
