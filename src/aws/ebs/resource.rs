//! The EBS resources moat names ([`EbsRef`]) and their documents. A snapshot
//! moat creates gets its id only when AWS answers, so it is named by its
//! `Name` tag (`snapshot/REGION/moat-vol-…`) until then.

use super::{snapshot_document, volume_document};
use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Fetched, Inventory, PartId};
use serde_json::{Value, json};
use std::fmt;

/// An EBS resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EbsRef {
    /// `ebs-encryption/REGION`: a region's encryption-by-default setting.
    Encryption { region: String },
    /// `volume/REGION/ID`
    Volume { region: String, id: String },
    /// `snapshot/REGION/ID`: a snapshot by id, or one moat creates by its `Name` tag.
    Snapshot { region: String, id: String },
}

impl EbsRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "ebs-encryption/REGION",
        "volume/REGION/ID",
        "snapshot/REGION/ID",
    ];

    /// Parse a resource name split on `/`; `None` when it is not an EBS resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &&str| x.to_string();
        Some(match parts {
            ["ebs-encryption", region] => EbsRef::Encryption { region: s(region) },
            ["volume", region, id] => EbsRef::Volume {
                region: s(region),
                id: s(id),
            },
            ["snapshot", region, id] => EbsRef::Snapshot {
                region: s(region),
                id: s(id),
            },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            EbsRef::Encryption { .. } => &[PartId::EbsEncryption],
            EbsRef::Volume { .. } | EbsRef::Snapshot { .. } => &[PartId::Ebs],
        }
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            EbsRef::Encryption { region }
            | EbsRef::Volume { region, .. }
            | EbsRef::Snapshot { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            EbsRef::Encryption { region } => {
                let part = inv
                    .ebs_encryption
                    .ready()
                    .ok_or(NotReady(PartId::EbsEncryption))?;
                // A region that could not be read renders as its error, so a
                // plan never pretends to know it.
                part.regions.get(region).map(|f| match f {
                    Fetched::Ready(on) => json!({"Region": region, "EbsEncryptionByDefault": on}),
                    Fetched::Error(e) => json!({"Region": region, "Unreadable": e.summary()}),
                })
            }
            EbsRef::Volume { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.volume(id))
                    .map(|v| volume_document(region, v))
            }
            EbsRef::Snapshot { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.snapshot(id))
                    .map(|s| snapshot_document(region, s))
            }
        })
    }
}

impl fmt::Display for EbsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EbsRef::Encryption { region } => write!(f, "ebs-encryption/{region}"),
            EbsRef::Volume { region, id } => write!(f, "volume/{region}/{id}"),
            EbsRef::Snapshot { region, id } => write!(f, "snapshot/{region}/{id}"),
        }
    }
}
