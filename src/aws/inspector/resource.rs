//! The Amazon Inspector resources moat names ([`InspectorRef`]) and their
//! documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Fetched, Inventory, PartId};
use serde_json::{Value, json};
use std::fmt;

/// An Inspector resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InspectorRef {
    /// `inspector/REGION`: the account's scan types in a region.
    Status { region: String },
}

impl InspectorRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["inspector/REGION"];

    /// Parse a resource name split on `/`; `None` when it is not an Inspector resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["inspector", region] => Some(InspectorRef::Status {
                region: region.to_string(),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::Inspector]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            InspectorRef::Status { region } => Some(region),
        }
    }

    /// The document (`None`: the region was not read). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let InspectorRef::Status { region } = self;
        Ok(inv
            .inspector
            .ready()
            .and_then(|i| i.regions.get(region))
            .map(|f| match f {
                Fetched::Ready(s) => json!({
                    "Region": region,
                    "EC2": s.shown("EC2"),
                    "ECR": s.shown("ECR"),
                }),
                Fetched::Error(e) => json!({ "Unreadable": e.summary() }),
            }))
    }
}

impl fmt::Display for InspectorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectorRef::Status { region } => write!(f, "inspector/{region}"),
        }
    }
}
