//! The regional parts of EBS, VPC and GuardDuty: the resources moat can
//! change there ([`EbsVpcRef`], wrapped by `ResourceRef::EbsVpc`) and the
//! container of their per-region data. The services' own types live in
//! `crate::aws::{ebs, vpc, guardduty}`.
//!
//! Every part is regional: [`PerRegion`] keeps each covered region, read or
//! failed on its own, so one region's failure errors only its own findings
//! and the "every enabled region" items know which regions exist.
//!
//! Resources created by an op get their AWS id only when AWS answers, so
//! documents never hold ids that a plan cannot predict: a snapshot moat
//! creates is named by its `Name` tag (`snapshot/REGION/moat-vol-…`), a flow
//! log by its VPC and destination, a detector by its region.

use super::Fetched;
use super::apply::ApplyError;
use super::document::NotReady;
use super::{Inventory, PartError, PartId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

pub use crate::aws::ebs::{
    ALL_GROUP, CREATED_BY_TAG, CREATED_BY_VALUE, EbsRegion, Snapshot, SnapshotPermissionChange,
    Volume, VolumeAttachment,
};
use crate::aws::ebs::{snapshot_document, volume_document};
pub use crate::aws::guardduty::{DETECTOR_DISABLED, DETECTOR_ENABLED, Detector};
use crate::aws::vpc::vpc_document;
pub use crate::aws::vpc::{
    DESTINATION_S3, FLOW_LOG_ACTIVE, FlowLog, TRAFFIC_ALL, Vpc, VpcRegion, is_ours,
};

/// Per-region data of one part: every region covered (the enabled regions,
/// or `--region`), each read or failed on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize",
    deserialize = "T: serde::de::DeserializeOwned"
))]
pub struct PerRegion<T> {
    pub regions: BTreeMap<String, Fetched<T>>,
}

impl<T> Default for PerRegion<T> {
    fn default() -> Self {
        Self {
            regions: BTreeMap::new(),
        }
    }
}

impl<T> PerRegion<T> {
    pub fn ready(&self, region: &str) -> Option<&T> {
        self.regions.get(region).and_then(Fetched::ready)
    }
    pub fn ready_mut(&mut self, region: &str) -> Option<&mut T> {
        self.regions.get_mut(region).and_then(Fetched::ready_mut)
    }
    /// The regions read, in order, with their data.
    pub fn iter_ready(&self) -> impl Iterator<Item = (&str, &T)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.ready().map(|v| (r.as_str(), v)))
    }
    /// The regions that could not be read, with why.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &PartError)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.error().map(|e| (r.as_str(), e)))
    }
}

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EbsVpcRef {
    /// A region's EBS encryption-by-default setting.
    EbsEncryption {
        region: String,
    },
    Volume {
        region: String,
        id: String,
    },
    /// A snapshot by id, or a snapshot moat creates by its `Name` tag.
    Snapshot {
        region: String,
        id: String,
    },
    Vpc {
        region: String,
        id: String,
    },
    /// A region's GuardDuty detector.
    GuardDuty {
        region: String,
    },
    /// A region as a whole: names the findings of a region that could not
    /// be read. No document (nothing to change).
    Region {
        region: String,
    },
}

impl EbsVpcRef {
    /// Examples for the "unknown resource" message, e.g. `"sg/REGION/ID"`.
    pub const EXAMPLES: &'static [&'static str] = &[
        "ebs-encryption/REGION",
        "volume/REGION/ID",
        "snapshot/REGION/ID",
        "vpc/REGION/ID",
        "guardduty/REGION",
        "region/REGION",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &&str| x.to_string();
        Some(match parts {
            ["ebs-encryption", region] => EbsVpcRef::EbsEncryption { region: s(region) },
            ["volume", region, id] => EbsVpcRef::Volume {
                region: s(region),
                id: s(id),
            },
            ["snapshot", region, id] => EbsVpcRef::Snapshot {
                region: s(region),
                id: s(id),
            },
            ["vpc", region, id] => EbsVpcRef::Vpc {
                region: s(region),
                id: s(id),
            },
            ["guardduty", region] => EbsVpcRef::GuardDuty { region: s(region) },
            ["region", region] => EbsVpcRef::Region { region: s(region) },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            EbsVpcRef::EbsEncryption { .. } => &[PartId::EbsEncryption],
            EbsVpcRef::Volume { .. } | EbsVpcRef::Snapshot { .. } => &[PartId::Ebs],
            EbsVpcRef::Vpc { .. } => &[PartId::VpcFlowLogs],
            EbsVpcRef::GuardDuty { .. } => &[PartId::GuardDuty],
            EbsVpcRef::Region { .. } => &[],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            EbsVpcRef::EbsEncryption { region }
            | EbsVpcRef::Volume { region, .. }
            | EbsVpcRef::Snapshot { region, .. }
            | EbsVpcRef::Vpc { region, .. }
            | EbsVpcRef::GuardDuty { region }
            | EbsVpcRef::Region { region } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let region = self.region().unwrap_or_default();
        // A region that could not be read renders as its error, so a plan
        // never pretends to know it.
        let unreadable = |e: &PartError| json!({"Region": region, "Unreadable": e.summary()});
        Ok(match self {
            EbsVpcRef::EbsEncryption { region } => {
                let part = inv
                    .ebs_encryption
                    .ready()
                    .ok_or(NotReady(PartId::EbsEncryption))?;
                part.regions.get(region).map(|f| match f {
                    Fetched::Ready(on) => json!({"Region": region, "EbsEncryptionByDefault": on}),
                    Fetched::Error(e) => unreadable(e),
                })
            }
            EbsVpcRef::Volume { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.volume(id))
                    .map(|v| volume_document(region, v))
            }
            EbsVpcRef::Snapshot { region, id } => {
                let part = inv.ebs.ready().ok_or(NotReady(PartId::Ebs))?;
                part.ready(region)
                    .and_then(|r| r.snapshot(id))
                    .map(|s| snapshot_document(region, s))
            }
            EbsVpcRef::Vpc { region, id } => {
                let part = inv
                    .vpc_flow_logs
                    .ready()
                    .ok_or(NotReady(PartId::VpcFlowLogs))?;
                part.ready(region)
                    .and_then(|r| r.vpc(id))
                    .map(|v| vpc_document(region, v))
            }
            EbsVpcRef::GuardDuty { region } => {
                let part = inv.guardduty.ready().ok_or(NotReady(PartId::GuardDuty))?;
                part.regions.get(region).map(|f| match f {
                    Fetched::Ready(d) => json!({
                        "Region": region,
                        "Detector": d.as_ref().map(|d| json!({"Status": d.status})),
                    }),
                    Fetched::Error(e) => unreadable(e),
                })
            }
            EbsVpcRef::Region { .. } => None,
        })
    }
}

impl fmt::Display for EbsVpcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EbsVpcRef::EbsEncryption { region } => write!(f, "ebs-encryption/{region}"),
            EbsVpcRef::Volume { region, id } => write!(f, "volume/{region}/{id}"),
            EbsVpcRef::Snapshot { region, id } => write!(f, "snapshot/{region}/{id}"),
            EbsVpcRef::Vpc { region, id } => write!(f, "vpc/{region}/{id}"),
            EbsVpcRef::GuardDuty { region } => write!(f, "guardduty/{region}"),
            EbsVpcRef::Region { region } => write!(f, "region/{region}"),
        }
    }
}

pub(crate) fn part<'a, T>(
    p: &'a mut super::Part<T>,
    what: &'static str,
) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

/// The region's data, which must have been read: a setting that could not
/// be read is never changed blindly.
pub(crate) fn region_mut<'a, T>(
    p: &'a mut PerRegion<T>,
    region: &str,
    what: &str,
) -> Result<&'a mut T, ApplyError> {
    match p.regions.get_mut(region) {
        Some(Fetched::Ready(v)) => Ok(v),
        Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
        None => Err(ApplyError::NoSuch(format!("{what} of region {region}"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::aws::inventory::ResourceRef;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "ebs-encryption/us-east-1",
            "volume/eu-west-1/vol-0abc",
            "snapshot/us-east-1/snap-1",
            "snapshot/us-east-1/moat-vol-1-20261129-120000",
            "vpc/us-east-1/vpc-1",
            "guardduty/ap-south-1",
            "region/eu-central-1",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::EbsVpc(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        assert!("volume/us-east-1".parse::<ResourceRef>().is_err());
        assert!("guardduty/".parse::<ResourceRef>().is_err());
        assert!("vpc/a/b/c".parse::<ResourceRef>().is_err());
    }
}
