//! The VPC resources moat names ([`VpcRef`]) and their documents. A flow log
//! moat creates is shown in its VPC's document, by its destination.

use super::vpc_document;
use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, PartId};
use serde_json::Value;
use std::fmt;

/// A VPC resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VpcRef {
    /// `vpc/REGION/ID`: a VPC with its flow logs.
    Vpc { region: String, id: String },
}

impl VpcRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["vpc/REGION/ID"];

    /// Parse a resource name split on `/`; `None` when it is not a VPC resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["vpc", region, id] => Some(VpcRef::Vpc {
                region: region.to_string(),
                id: id.to_string(),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::VpcFlowLogs]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            VpcRef::Vpc { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let VpcRef::Vpc { region, id } = self;
        let part = inv
            .vpc_flow_logs
            .ready()
            .ok_or(NotReady(PartId::VpcFlowLogs))?;
        Ok(part
            .ready(region)
            .and_then(|r| r.vpc(id))
            .map(|v| vpc_document(region, v)))
    }
}

impl fmt::Display for VpcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VpcRef::Vpc { region, id } => write!(f, "vpc/{region}/{id}"),
        }
    }
}
