//! The Elastic Load Balancing resources moat names ([`ElbRef`]) and their
//! documents.

use super::{classic_document, listener_document, load_balancer_document};
use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, PartId};
use serde_json::Value;
use std::fmt;

/// A load balancing resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ElbRef {
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
    /// `elb/REGION`: a region whose load balancer listing failed (findings
    /// only; no document).
    Region { region: String },
}

impl ElbRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "lb/REGION/NAME",
        "listener/REGION/LB-NAME/PORT",
        "classic-lb/REGION/NAME",
    ];

    /// Parse a resource name split on `/`; `None` when it is not a load
    /// balancing resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &str| x.to_string();
        Some(match parts {
            ["lb", region, name] => ElbRef::LoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["listener", region, name, port] => {
                let p: i32 = port.parse().ok()?;
                // Only the canonical spelling, so the name prints back as given.
                if p.to_string() != *port {
                    return None;
                }
                ElbRef::Listener {
                    region: s(region),
                    load_balancer: s(name),
                    port: p,
                }
            }
            ["classic-lb", region, name] => ElbRef::ClassicLoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["elb", region] => ElbRef::Region { region: s(region) },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::Elb]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            ElbRef::LoadBalancer { region, .. }
            | ElbRef::Listener { region, .. }
            | ElbRef::ClassicLoadBalancer { region, .. }
            | ElbRef::Region { region } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let in_region = |region: &str| inv.elb.region(region);
        Ok(match self {
            ElbRef::LoadBalancer { region, name } => in_region(region)
                .and_then(|r| r.load_balancer(name))
                .map(load_balancer_document),
            ElbRef::Listener {
                region,
                load_balancer,
                port,
            } => in_region(region)
                .and_then(|r| r.load_balancer(load_balancer))
                .and_then(|lb| lb.listener(*port).map(|l| listener_document(lb, l))),
            ElbRef::ClassicLoadBalancer { region, name } => in_region(region)
                .and_then(|r| r.classic.iter().find(|c| &c.name == name))
                .map(classic_document),
            ElbRef::Region { .. } => None,
        })
    }
}

impl fmt::Display for ElbRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElbRef::LoadBalancer { region, name } => write!(f, "lb/{region}/{name}"),
            ElbRef::Listener {
                region,
                load_balancer,
                port,
            } => write!(f, "listener/{region}/{load_balancer}/{port}"),
            ElbRef::ClassicLoadBalancer { region, name } => {
                write!(f, "classic-lb/{region}/{name}")
            }
            ElbRef::Region { region } => write!(f, "elb/{region}"),
        }
    }
}
