//! The RDS resources moat names ([`RdsRef`]) and their documents.

use super::{instance_document, snapshot_document};
use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, PartId};
use serde_json::Value;
use std::fmt;

/// An RDS resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RdsRef {
    /// `db/REGION/ID`
    DbInstance { region: String, id: String },
    /// `db-snapshot/REGION/ID`
    DbSnapshot { region: String, id: String },
    /// `db-cluster-snapshot/REGION/ID`
    DbClusterSnapshot { region: String, id: String },
    /// `rds/REGION`: a region whose RDS listing failed (findings only; no
    /// document).
    Region { region: String },
}

impl RdsRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "db/REGION/ID",
        "db-snapshot/REGION/ID",
        "db-cluster-snapshot/REGION/ID",
    ];

    /// Parse a resource name split on `/`; `None` when it is not an RDS resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &str| x.to_string();
        Some(match parts {
            ["db", region, id] => RdsRef::DbInstance {
                region: s(region),
                id: s(id),
            },
            ["db-snapshot", region, id] => RdsRef::DbSnapshot {
                region: s(region),
                id: s(id),
            },
            ["db-cluster-snapshot", region, id] => RdsRef::DbClusterSnapshot {
                region: s(region),
                id: s(id),
            },
            ["rds", region] => RdsRef::Region { region: s(region) },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::Rds]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            RdsRef::DbInstance { region, .. }
            | RdsRef::DbSnapshot { region, .. }
            | RdsRef::DbClusterSnapshot { region, .. }
            | RdsRef::Region { region } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let in_region = |region: &str| inv.rds.region(region);
        Ok(match self {
            RdsRef::DbInstance { region, id } => in_region(region)
                .and_then(|r| r.instances.iter().find(|i| &i.id == id))
                .map(instance_document),
            RdsRef::DbSnapshot { region, id } => in_region(region)
                .and_then(|r| r.snapshots.iter().find(|s| &s.id == id))
                .map(|s| snapshot_document("DBSnapshotIdentifier", s)),
            RdsRef::DbClusterSnapshot { region, id } => in_region(region)
                .and_then(|r| r.cluster_snapshots.iter().find(|s| &s.id == id))
                .map(|s| snapshot_document("DBClusterSnapshotIdentifier", s)),
            RdsRef::Region { .. } => None,
        })
    }
}

impl fmt::Display for RdsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdsRef::DbInstance { region, id } => write!(f, "db/{region}/{id}"),
            RdsRef::DbSnapshot { region, id } => write!(f, "db-snapshot/{region}/{id}"),
            RdsRef::DbClusterSnapshot { region, id } => {
                write!(f, "db-cluster-snapshot/{region}/{id}")
            }
            RdsRef::Region { region } => write!(f, "rds/{region}"),
        }
    }
}
