//! The resources of RDS, Route 53, Elastic Load Balancing and Inspector that
//! moat names ([`WorkloadsRef`], wrapped by `ResourceRef::Workloads`), and
//! their documents. The types of those services live in `crate::aws`.

use super::document::NotReady;
use super::{ElbRegion, Fetched, Inventory, PartId, RdsRegion, RecordType, record_of};
use crate::aws::{elb, rds, route53};
use serde_json::{Value, json};
use std::fmt;

/// Which regional listing a region-wide finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionScope {
    /// RDS in a region (`rds/REGION`).
    Rds,
    /// Load balancers in a region (`elb/REGION`).
    Elb,
}

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadsRef {
    /// `db/REGION/ID`
    DbInstance { region: String, id: String },
    /// `db-snapshot/REGION/ID`
    DbSnapshot { region: String, id: String },
    /// `db-cluster-snapshot/REGION/ID`
    DbClusterSnapshot { region: String, id: String },
    /// `dns/ZONE-ID/TXT`: the record set at the zone's apex.
    RecordSet { zone: String, rtype: RecordType },
    /// `lb/REGION/NAME` (ELBv2)
    LoadBalancer { region: String, name: String },
    /// `listener/REGION/LB-NAME/PORT`
    Listener {
        region: String,
        load_balancer: String,
        port: i32,
    },
    /// `classic-lb/REGION/NAME`
    ClassicLoadBalancer { region: String, name: String },
    /// `inspector/REGION`
    Inspector { region: String },
    /// `rds/REGION`, `elb/REGION`: a region whose listing failed (findings
    /// only; no document).
    Region { scope: RegionScope, region: String },
}

impl WorkloadsRef {
    /// Examples for the "unknown resource" message, e.g. `"sg/REGION/ID"`.
    pub const EXAMPLES: &'static [&'static str] = &[
        "db/REGION/ID",
        "db-snapshot/REGION/ID",
        "db-cluster-snapshot/REGION/ID",
        "dns/ZONE-ID/TXT",
        "dns/ZONE-ID/MX",
        "lb/REGION/NAME",
        "listener/REGION/LB-NAME/PORT",
        "classic-lb/REGION/NAME",
        "inspector/REGION",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &str| x.to_string();
        Some(match parts {
            ["db", region, id] => WorkloadsRef::DbInstance {
                region: s(region),
                id: s(id),
            },
            ["db-snapshot", region, id] => WorkloadsRef::DbSnapshot {
                region: s(region),
                id: s(id),
            },
            ["db-cluster-snapshot", region, id] => WorkloadsRef::DbClusterSnapshot {
                region: s(region),
                id: s(id),
            },
            ["dns", zone, t] => WorkloadsRef::RecordSet {
                zone: s(zone),
                rtype: RecordType::parse(t)?,
            },
            ["lb", region, name] => WorkloadsRef::LoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["listener", region, name, port] => {
                let p: i32 = port.parse().ok()?;
                // Only the canonical spelling, so the name prints back as given.
                if p.to_string() != *port {
                    return None;
                }
                WorkloadsRef::Listener {
                    region: s(region),
                    load_balancer: s(name),
                    port: p,
                }
            }
            ["classic-lb", region, name] => WorkloadsRef::ClassicLoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["inspector", region] => WorkloadsRef::Inspector { region: s(region) },
            ["rds", region] => WorkloadsRef::Region {
                scope: RegionScope::Rds,
                region: s(region),
            },
            ["elb", region] => WorkloadsRef::Region {
                scope: RegionScope::Elb,
                region: s(region),
            },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            WorkloadsRef::DbInstance { .. }
            | WorkloadsRef::DbSnapshot { .. }
            | WorkloadsRef::DbClusterSnapshot { .. }
            | WorkloadsRef::Region {
                scope: RegionScope::Rds,
                ..
            } => &[PartId::Rds],
            WorkloadsRef::RecordSet { .. } => &[PartId::Route53],
            WorkloadsRef::LoadBalancer { .. }
            | WorkloadsRef::Listener { .. }
            | WorkloadsRef::ClassicLoadBalancer { .. }
            | WorkloadsRef::Region {
                scope: RegionScope::Elb,
                ..
            } => &[PartId::Elb],
            WorkloadsRef::Inspector { .. } => &[PartId::Inspector],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            WorkloadsRef::DbInstance { region, .. }
            | WorkloadsRef::DbSnapshot { region, .. }
            | WorkloadsRef::DbClusterSnapshot { region, .. }
            | WorkloadsRef::LoadBalancer { region, .. }
            | WorkloadsRef::Listener { region, .. }
            | WorkloadsRef::ClassicLoadBalancer { region, .. }
            | WorkloadsRef::Inspector { region }
            | WorkloadsRef::Region { region, .. } => Some(region),
            WorkloadsRef::RecordSet { .. } => None,
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            WorkloadsRef::DbInstance { region, id } => rds_region(inv, region)
                .and_then(|r| r.instances.iter().find(|i| &i.id == id))
                .map(rds::instance_document),
            WorkloadsRef::DbSnapshot { region, id } => rds_region(inv, region)
                .and_then(|r| r.snapshots.iter().find(|s| &s.id == id))
                .map(|s| rds::snapshot_document("DBSnapshotIdentifier", s)),
            WorkloadsRef::DbClusterSnapshot { region, id } => rds_region(inv, region)
                .and_then(|r| r.cluster_snapshots.iter().find(|s| &s.id == id))
                .map(|s| rds::snapshot_document("DBClusterSnapshotIdentifier", s)),
            WorkloadsRef::RecordSet { zone, rtype } => inv
                .route53
                .ready()
                .and_then(|r| r.zone(zone))
                .and_then(|z| match &z.records {
                    Fetched::Ready(r) => record_of(r, *rtype).map(route53::record_document),
                    Fetched::Error(e) => Some(json!({ "Unreadable": e.summary() })),
                }),
            WorkloadsRef::LoadBalancer { region, name } => elb_region(inv, region)
                .and_then(|r| r.load_balancer(name))
                .map(elb::load_balancer_document),
            WorkloadsRef::Listener {
                region,
                load_balancer,
                port,
            } => elb_region(inv, region)
                .and_then(|r| r.load_balancer(load_balancer))
                .and_then(|lb| lb.listener(*port).map(|l| elb::listener_document(lb, l))),
            WorkloadsRef::ClassicLoadBalancer { region, name } => elb_region(inv, region)
                .and_then(|r| r.classic.iter().find(|c| &c.name == name))
                .map(elb::classic_document),
            WorkloadsRef::Inspector { region } => inv
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
                }),
            WorkloadsRef::Region { .. } => None,
        })
    }
}

impl fmt::Display for WorkloadsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkloadsRef::DbInstance { region, id } => write!(f, "db/{region}/{id}"),
            WorkloadsRef::DbSnapshot { region, id } => write!(f, "db-snapshot/{region}/{id}"),
            WorkloadsRef::DbClusterSnapshot { region, id } => {
                write!(f, "db-cluster-snapshot/{region}/{id}")
            }
            WorkloadsRef::RecordSet { zone, rtype } => write!(f, "dns/{zone}/{}", rtype.as_str()),
            WorkloadsRef::LoadBalancer { region, name } => write!(f, "lb/{region}/{name}"),
            WorkloadsRef::Listener {
                region,
                load_balancer,
                port,
            } => write!(f, "listener/{region}/{load_balancer}/{port}"),
            WorkloadsRef::ClassicLoadBalancer { region, name } => {
                write!(f, "classic-lb/{region}/{name}")
            }
            WorkloadsRef::Inspector { region } => write!(f, "inspector/{region}"),
            WorkloadsRef::Region {
                scope: RegionScope::Rds,
                region,
            } => write!(f, "rds/{region}"),
            WorkloadsRef::Region {
                scope: RegionScope::Elb,
                region,
            } => write!(f, "elb/{region}"),
        }
    }
}

fn rds_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a RdsRegion> {
    inv.rds.ready()?.regions.get(region)?.ready()
}

fn elb_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a ElbRegion> {
    inv.elb.ready()?.regions.get(region)?.ready()
}

#[cfg(test)]
mod tests {
    use crate::aws::inventory::ResourceRef;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "db/eu-west-1/orders-db",
            "db-snapshot/us-east-1/orders-2026-01",
            "db-cluster-snapshot/us-east-1/aurora-snap",
            "dns/Z0123456789ABC/TXT",
            "dns/Z0123456789ABC/MX",
            "lb/us-east-1/web",
            "listener/us-east-1/web/80",
            "classic-lb/eu-west-1/legacy",
            "inspector/us-east-1",
            "rds/us-east-1",
            "elb/ap-south-1",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::Workloads(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "dns/Z1/A",
            "listener/us-east-1/web/080",
            "listener/us-east-1/web/x",
            "db/us-east-1",
        ] {
            assert!(bad.parse::<ResourceRef>().is_err(), "{bad}");
        }
    }
}
