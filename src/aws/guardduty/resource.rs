//! The GuardDuty resources moat names ([`GuardDutyRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Fetched, Inventory, PartId};
use serde_json::{Value, json};
use std::fmt;

/// A GuardDuty resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GuardDutyRef {
    /// `guardduty/REGION`: a region's detector (there is at most one).
    Detector { region: String },
}

impl GuardDutyRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["guardduty/REGION"];

    /// Parse a resource name split on `/`; `None` when it is not a GuardDuty resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["guardduty", region] => Some(GuardDutyRef::Detector {
                region: region.to_string(),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::GuardDuty]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            GuardDutyRef::Detector { region } => Some(region),
        }
    }

    /// The document (`None`: the region was not read). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let GuardDutyRef::Detector { region } = self;
        let part = inv.guardduty.ready().ok_or(NotReady(PartId::GuardDuty))?;
        Ok(part.regions.get(region).map(|f| match f {
            Fetched::Ready(d) => json!({
                "Region": region,
                "Detector": d.as_ref().map(|d| json!({"Status": d.status})),
            }),
            // A region that could not be read renders as its error.
            Fetched::Error(e) => json!({"Region": region, "Unreadable": e.summary()}),
        }))
    }
}

impl fmt::Display for GuardDutyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardDutyRef::Detector { region } => write!(f, "guardduty/{region}"),
        }
    }
}
