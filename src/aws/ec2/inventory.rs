//! The account model of EC2: security groups and
//! the network interfaces that use them, instances, and the account's own
//! images (AMIs), per region; the resources moat can change ([`Ec2Ref`],
//! wrapped by `ResourceRef::Ec2`) and their documents.
//!
//! Security groups are named by (region, VPC, group name), never by id: a
//! group that moat deletes and undo recreates gets a new id from AWS, and its
//! name in the VPC is what stays (AWS keeps names unique per VPC). Ops refer
//! to groups the same way and the backend resolves the id when it sends.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{ByRegion, Fetched, Inventory, Part, PartId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

// ---------------------------------------------------------------------------
// Security groups

/// Where a rule admits traffic from (ingress) or to (egress).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgSource {
    /// An IPv4 CIDR block (IpRanges).
    Ipv4(String),
    /// An IPv6 CIDR block (Ipv6Ranges).
    Ipv6(String),
    /// A managed prefix list (PrefixListIds), by id.
    PrefixList(String),
    /// Another security group (UserIdGroupPairs), by id.
    Group(String),
}

impl SgSource {
    /// The whole internet: 0.0.0.0/0 or ::/0.
    pub fn is_open(&self) -> bool {
        matches!(self, SgSource::Ipv4(c) if c == "0.0.0.0/0")
            || matches!(self, SgSource::Ipv6(c) if c == "::/0")
    }
    /// A CIDR block of either family.
    pub fn cidr(&self) -> Option<&str> {
        match self {
            SgSource::Ipv4(c) | SgSource::Ipv6(c) => Some(c),
            _ => None,
        }
    }
    /// The source for a CIDR block: IPv6 when it has a colon.
    pub fn from_cidr(cidr: &str) -> SgSource {
        if cidr.contains(':') {
            SgSource::Ipv6(cidr.to_string())
        } else {
            SgSource::Ipv4(cidr.to_string())
        }
    }
}

/// One rule of a security group: a protocol, a port range and one source (AWS
/// groups several sources under one IpPermission; moat keeps one per rule, so
/// a change names exactly the range it touches).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SgRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number.
    pub protocol: String,
    /// First port (ICMP: the type); `None` for all protocols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    /// Last port (ICMP: the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    pub source: SgSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SgRule {
    /// Protocol and ports, for messages and documents: `tcp 22`,
    /// `tcp 1024-2048`, `all traffic`, `icmp type 8 code 0`.
    pub fn ports_label(&self) -> String {
        match (self.protocol.as_str(), self.from_port, self.to_port) {
            ("-1", _, _) => "all traffic".to_string(),
            (p @ ("icmp" | "icmpv6"), Some(t), Some(c)) => match (t, c) {
                (-1, _) => format!("{p} all types"),
                (t, -1) => format!("{p} type {t}"),
                (t, c) => format!("{p} type {t} code {c}"),
            },
            (p, Some(a), Some(b)) if a == b => format!("{p} {a}"),
            (p, Some(a), Some(b)) => format!("{p} {a}-{b}"),
            (p, _, _) => format!("protocol {p}"),
        }
    }

    /// Does the rule admit TCP or UDP port `port` (or every protocol)?
    pub fn covers_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" => true,
            "tcp" | "udp" => match (self.from_port, self.to_port) {
                (Some(a), Some(b)) => (a..=b).contains(&port) || (a == -1 && b == -1),
                _ => true,
            },
            _ => false,
        }
    }

    /// The same protocol and ports, another source.
    pub fn with_source(&self, source: SgSource) -> SgRule {
        SgRule {
            source,
            ..self.clone()
        }
    }

    /// Same protocol, ports and source (descriptions aside): what AWS matches
    /// a revoke on and refuses a duplicate of.
    pub fn same_permission(&self, other: &SgRule) -> bool {
        self.protocol == other.protocol
            && self.from_port == other.from_port
            && self.to_port == other.to_port
            && self.source == other.source
    }
}

/// A security group as DescribeSecurityGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Changes when a group is recreated; never part of a document or name.
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    #[serde(default)]
    pub egress: Vec<SgRule>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl SecurityGroup {
    pub fn is_default(&self) -> bool {
        self.name == "default"
    }
    /// Does any rule of this group refer to the group itself?
    pub fn refers_to_itself(&self) -> bool {
        self.ingress
            .iter()
            .chain(&self.egress)
            .any(|r| r.source == SgSource::Group(self.id.clone()))
    }
}

/// A network interface: which groups it uses, and the instance it is
/// attached to (what a change to one of its groups reaches).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    #[serde(default)]
    pub description: String,
    pub groups: Vec<String>,
    /// The instance it is attached to (`Attachment.InstanceId`); `None` for
    /// a detached interface or one a service manages (load balancer, RDS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// `InterfaceType` as AWS reports it (`interface`, `lambda`,
    /// `natGateway`, `vpc_endpoint`, `network_load_balancer`, …): what kind
    /// of owner created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface_type: Option<String>,
    /// `RequesterId`: the AWS service or principal that created an
    /// interface it manages (`amazon-elb`, `amazon-rds`, a role's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_id: Option<String>,
    /// `RequesterManaged`: an AWS service manages it, not the account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requester_managed: bool,
}

/// Security groups and network interfaces of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ec2Network {
    pub security_groups: Vec<SecurityGroup>,
    pub network_interfaces: Vec<NetworkInterface>,
}

impl Ec2Network {
    pub fn group(&self, vpc: &str, name: &str) -> Option<&SecurityGroup> {
        self.security_groups
            .iter()
            .find(|g| g.vpc_id == vpc && g.name == name)
    }
    pub fn group_mut(&mut self, vpc: &str, name: &str) -> Option<&mut SecurityGroup> {
        self.security_groups
            .iter_mut()
            .find(|g| g.vpc_id == vpc && g.name == name)
    }
    pub fn group_by_id(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }
    /// Group ids that some network interface uses.
    pub fn used_by_interfaces(&self) -> BTreeSet<&str> {
        self.network_interfaces
            .iter()
            .flat_map(|n| n.groups.iter().map(String::as_str))
            .collect()
    }
    /// Group ids that a rule of another group refers to.
    pub fn referenced_by_others(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        for g in &self.security_groups {
            for r in g.ingress.iter().chain(&g.egress) {
                if let SgSource::Group(id) = &r.source
                    && *id != g.id
                {
                    out.insert(id.as_str());
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Instances and images

/// An instance (not terminated) with what the checks read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Instance {
    pub id: String,
    /// The `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub image_id: String,
    /// `windows`, or `None` for Linux/UNIX.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub state: String,
    /// MetadataOptions.HttpTokens: `required` (IMDSv2 only) or `optional`.
    pub http_tokens: String,
    /// MetadataOptions.HttpEndpoint: `enabled` or `disabled`.
    pub http_endpoint: String,
}

impl Ec2Instance {
    /// `web-1 (i-0abc…)`, or the id alone.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => format!("{n} ({})", self.id),
            _ => self.id.clone(),
        }
    }
}

/// Who owns an image an instance was launched from (DescribeImages by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageOrigin {
    pub owner_id: String,
    /// `amazon`, `aws-marketplace`, or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_alias: Option<String>,
    #[serde(default)]
    pub name: String,
}

/// Instances of one region and the origin of the images they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ec2Instances {
    pub instances: Vec<Ec2Instance>,
    /// Image id → owner; an image no longer visible (deregistered, no longer
    /// shared) is absent.
    #[serde(default)]
    pub images: BTreeMap<String, ImageOrigin>,
}

/// An image the account owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Image {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Launch permission for the group `all`: anyone can launch it.
    pub public: bool,
}

/// The account's images in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ec2Images {
    pub images: Vec<Ec2Image>,
}

// ---------------------------------------------------------------------------
// Resource names

/// A security group, by region, VPC and name (stable across a recreate).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SgKey {
    pub region: String,
    pub vpc_id: String,
    pub group_name: String,
}

impl SgKey {
    pub fn of(region: &str, g: &SecurityGroup) -> SgKey {
        SgKey {
            region: region.to_string(),
            vpc_id: g.vpc_id.clone(),
            group_name: g.name.clone(),
        }
    }
}

impl fmt::Display for SgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {} ({})",
            self.group_name, self.vpc_id, self.region
        )
    }
}

/// One ingress rule open to a CIDR block: what `ec2.open-admin-ports` finds
/// and its plan changes (`sg-rule/REGION/VPC/NAME/PROTO[:PORTS]/CIDR`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SgRuleRef {
    pub group: SgKey,
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// The CIDR block (IPv4 or IPv6) the rule admits.
    pub cidr: String,
}

impl SgRuleRef {
    /// The name of `rule` (whose source is a CIDR block) of group `g`.
    pub fn for_rule(region: &str, g: &SecurityGroup, rule: &SgRule) -> Option<SgRuleRef> {
        Some(SgRuleRef {
            group: SgKey::of(region, g),
            protocol: rule.protocol.clone(),
            from_port: rule.from_port,
            to_port: rule.to_port,
            cidr: rule.source.cidr()?.to_string(),
        })
    }

    /// Does `rule` (of this group) match this name?
    pub fn matches(&self, rule: &SgRule) -> bool {
        rule.protocol == self.protocol
            && rule.from_port == self.from_port
            && rule.to_port == self.to_port
            && rule.source.cidr() == Some(self.cidr.as_str())
    }

    /// `tcp:22`, `tcp:1024-2048`, `all`, `icmp:8:0`.
    fn ports_segment(&self) -> String {
        let p = if self.protocol == "-1" {
            "all"
        } else {
            self.protocol.as_str()
        };
        match (self.from_port, self.to_port) {
            (Some(a), Some(b)) if self.protocol == "icmp" || self.protocol == "icmpv6" => {
                format!("{p}:{a}:{b}")
            }
            (Some(a), Some(b)) if a == b => format!("{p}:{a}"),
            (Some(a), Some(b)) => format!("{p}:{a}-{b}"),
            _ => p.to_string(),
        }
    }

    fn parse_ports(s: &str) -> Option<(String, Option<i32>, Option<i32>)> {
        let mut it = s.split(':');
        let proto = it.next()?;
        if proto.is_empty() || !proto.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let protocol = if proto == "all" { "-1" } else { proto }.to_string();
        let num = |x: &str| x.parse::<i32>().ok();
        match (it.next(), it.next(), it.next()) {
            (None, ..) => Some((protocol, None, None)),
            (Some(a), Some(b), None) => Some((protocol, Some(num(a)?), Some(num(b)?))),
            (Some(r), None, None) => match r.split_once('-') {
                Some((a, b)) if !a.is_empty() => Some((protocol, Some(num(a)?), Some(num(b)?))),
                _ => {
                    let n = num(r)?;
                    Some((protocol, Some(n), Some(n)))
                }
            },
            _ => None,
        }
    }
}

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ec2Ref {
    /// `sg/REGION/VPC/NAME` (a name may hold `/`).
    SecurityGroup(SgKey),
    /// `sg-rule/REGION/VPC/NAME/PROTO[:PORTS]/CIDR`.
    SgRule(SgRuleRef),
    /// `instance/REGION/ID`.
    Instance { region: String, id: String },
    /// `ami/REGION/ID`.
    Image { region: String, id: String },
    /// `ec2/REGION`: a region as a whole (findings of a region that could
    /// not be read); it has no document.
    Region { region: String },
}

impl Ec2Ref {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "sg/REGION/VPC-ID/GROUP-NAME",
        "sg-rule/REGION/VPC-ID/GROUP-NAME/tcp:22/0.0.0.0/0",
        "instance/REGION/ID",
        "ami/REGION/ID",
    ];

    pub fn group(key: SgKey) -> ResourceRefAlias {
        crate::aws::inventory::ResourceRef::Ec2(Ec2Ref::SecurityGroup(key))
    }

    /// Parse a resource name split on `/`; `None` when it is not one of this
    /// group's. Only the canonical spelling parses (so names round-trip).
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let r = Self::parse_loose(parts)?;
        (r.to_string() == parts.join("/")).then_some(r)
    }

    fn parse_loose(parts: &[&str]) -> Option<Self> {
        let s = |x: &str| x.to_string();
        match parts {
            ["instance", region, id] => Some(Ec2Ref::Instance {
                region: s(region),
                id: s(id),
            }),
            ["ami", region, id] => Some(Ec2Ref::Image {
                region: s(region),
                id: s(id),
            }),
            ["ec2", region] => Some(Ec2Ref::Region { region: s(region) }),
            ["sg", region, vpc, name @ ..] if !name.is_empty() => {
                Some(Ec2Ref::SecurityGroup(SgKey {
                    region: s(region),
                    vpc_id: s(vpc),
                    group_name: name.join("/"),
                }))
            }
            ["sg-rule", region, vpc, rest @ ..] if rest.len() >= 4 => {
                let n = rest.len();
                let (name, tail) = rest.split_at(n - 3);
                let (protocol, from_port, to_port) = SgRuleRef::parse_ports(tail[0])?;
                let cidr = format!("{}/{}", tail[1], tail[2]);
                crate::kit::cidr::parse_cidr(&cidr).ok()?;
                Some(Ec2Ref::SgRule(SgRuleRef {
                    group: SgKey {
                        region: s(region),
                        vpc_id: s(vpc),
                        group_name: name.join("/"),
                    },
                    protocol,
                    from_port,
                    to_port,
                    cidr,
                }))
            }
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            Ec2Ref::SecurityGroup(_) | Ec2Ref::SgRule(_) => &[PartId::Ec2Network],
            Ec2Ref::Instance { .. } => &[PartId::Ec2Instances],
            Ec2Ref::Image { .. } => &[PartId::Ec2Images],
            Ec2Ref::Region { .. } => &[],
        }
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        Some(match self {
            Ec2Ref::SecurityGroup(k) => &k.region,
            Ec2Ref::SgRule(r) => &r.group.region,
            Ec2Ref::Instance { region, .. }
            | Ec2Ref::Image { region, .. }
            | Ec2Ref::Region { region } => region,
        })
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            Ec2Ref::SecurityGroup(k) => group_document(inv, k),
            // A rule's document is its group's rule table: the change is seen
            // in context, and the group is what the ops change.
            Ec2Ref::SgRule(r) => group_document(inv, &r.group),
            Ec2Ref::Instance { region, id } => match regional(&inv.ec2_instances, region) {
                Err(v) => Some(v),
                Ok(None) => None,
                Ok(Some(x)) => x.instances.iter().find(|i| &i.id == id).map(|i| {
                    json!({
                        "InstanceId": i.id,
                        "Name": i.name,
                        "Region": region,
                        "MetadataOptions": {
                            "HttpTokens": i.http_tokens,
                            "HttpEndpoint": i.http_endpoint,
                        },
                    })
                }),
            },
            Ec2Ref::Image { region, id } => match regional(&inv.ec2_images, region) {
                Err(v) => Some(v),
                Ok(None) => None,
                Ok(Some(x)) => x.images.iter().find(|i| &i.id == id).map(|i| {
                    let perms: Vec<Value> = if i.public {
                        vec![json!({"Group": "all"})]
                    } else {
                        vec![]
                    };
                    json!({
                        "ImageId": i.id,
                        "Name": i.name,
                        "Region": region,
                        "LaunchPermissions": perms,
                    })
                }),
            },
            Ec2Ref::Region { .. } => None,
        })
    }
}

type ResourceRefAlias = crate::aws::inventory::ResourceRef;

impl fmt::Display for Ec2Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ec2Ref::SecurityGroup(k) => {
                write!(f, "sg/{}/{}/{}", k.region, k.vpc_id, k.group_name)
            }
            Ec2Ref::SgRule(r) => write!(
                f,
                "sg-rule/{}/{}/{}/{}/{}",
                r.group.region,
                r.group.vpc_id,
                r.group.group_name,
                r.ports_segment(),
                r.cidr
            ),
            Ec2Ref::Instance { region, id } => write!(f, "instance/{region}/{id}"),
            Ec2Ref::Image { region, id } => write!(f, "ami/{region}/{id}"),
            Ec2Ref::Region { region } => write!(f, "ec2/{region}"),
        }
    }
}

/// A region's data: `Err` is the document of a region that could not be read
/// (a plan never pretends to know it); `Ok(None)`: the region was not read.
fn regional<'a, T>(part: &'a Part<ByRegion<T>>, region: &str) -> Result<Option<&'a T>, Value> {
    match part.ready().and_then(|p| p.regions.get(region)) {
        Some(Fetched::Ready(v)) => Ok(Some(v)),
        Some(Fetched::Error(e)) => Err(json!({ "Unreadable": e.summary() })),
        None => Ok(None),
    }
}

/// A rule as one line of the rule table: `tcp 22 from 0.0.0.0/0 "ssh"`.
/// Other groups are named (`sg web`) when they are in the same region.
pub fn rule_line(net: &Ec2Network, r: &SgRule) -> String {
    let src = match &r.source {
        SgSource::Ipv4(c) | SgSource::Ipv6(c) => c.clone(),
        SgSource::PrefixList(p) => format!("prefix list {p}"),
        SgSource::Group(id) => match net.group_by_id(id) {
            Some(g) => format!("group {}", g.name),
            None => format!("group {id}"),
        },
    };
    let mut line = format!("{} {src}", r.ports_label());
    if let Some(d) = r.description.as_deref().filter(|d| !d.is_empty()) {
        line.push_str(&format!(" \"{d}\""));
    }
    line
}

fn rule_table(net: &Ec2Network, rules: &[SgRule], dir: &str) -> Vec<String> {
    let mut lines: Vec<String> = rules
        .iter()
        .map(|r| format!("{dir} {}", rule_line(net, r)))
        .collect();
    lines.sort();
    lines
}

/// A group's document: its rule table, description and tags. No id: a
/// recreated group reads the same.
fn group_document(inv: &Inventory, k: &SgKey) -> Option<Value> {
    let net = match regional(&inv.ec2_network, &k.region) {
        Err(v) => return Some(v),
        Ok(n) => n?,
    };
    let g = net.group(&k.vpc_id, &k.group_name)?;
    Some(json!({
        "GroupName": g.name,
        "VpcId": g.vpc_id,
        "Region": k.region,
        "Description": g.description,
        "Tags": g.tags,
        "Ingress": rule_table(net, &g.ingress, "from"),
        "Egress": rule_table(net, &g.egress, "to"),
    }))
}

/// The egress rule AWS gives every new VPC security group.
pub fn default_egress() -> SgRule {
    SgRule {
        protocol: "-1".into(),
        from_port: None,
        to_port: None,
        source: SgSource::Ipv4("0.0.0.0/0".into()),
        description: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::ResourceRef;

    #[test]
    fn names_round_trip() {
        for s in [
            "sg/us-east-1/vpc-1/web",
            "sg/us-east-1/vpc-1/a/b c",
            "sg-rule/eu-west-1/vpc-9/web/tcp:22/0.0.0.0/0",
            "sg-rule/eu-west-1/vpc-9/web/tcp:1024-2048/::/0",
            "sg-rule/eu-west-1/vpc-9/odd/name/all/0.0.0.0/0",
            "sg-rule/eu-west-1/vpc-9/web/udp:53/10.0.0.0/8",
            "instance/us-east-1/i-0abc",
            "ami/us-west-2/ami-123",
            "ec2/ap-south-1",
        ] {
            let r: ResourceRef = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(matches!(r, ResourceRef::Ec2(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "sg/us-east-1/vpc-1",
            "sg-rule/r/v/n/tcp:22-22/0.0.0.0/0",
            "sg-rule/r/v/n/tcp:22/10.0.0.1/8",
            "sg-rule/r/v/n/tcp:x/0.0.0.0/0",
            "sg-rule/r/v/tcp:22/0.0.0.0/0",
            "instance/us-east-1",
        ] {
            assert!(
                !matches!(bad.parse::<ResourceRef>(), Ok(ResourceRef::Ec2(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rule_labels_and_ports() {
        let r = |p: &str, a: Option<i32>, b: Option<i32>| SgRule {
            protocol: p.into(),
            from_port: a,
            to_port: b,
            source: SgSource::Ipv4("0.0.0.0/0".into()),
            description: None,
        };
        assert_eq!(r("tcp", Some(22), Some(22)).ports_label(), "tcp 22");
        assert_eq!(r("tcp", Some(1), Some(9)).ports_label(), "tcp 1-9");
        assert_eq!(r("-1", None, None).ports_label(), "all traffic");
        assert_eq!(
            r("icmp", Some(-1), Some(-1)).ports_label(),
            "icmp all types"
        );
        assert!(r("tcp", Some(20), Some(25)).covers_port(22));
        assert!(!r("tcp", Some(80), Some(80)).covers_port(22));
        assert!(r("-1", None, None).covers_port(3389));
        assert!(!r("icmp", Some(8), Some(0)).covers_port(8));
    }
}
