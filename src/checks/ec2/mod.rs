//! The `ec2` section: images, instance metadata, security groups.
//!
//! Every finding carries its region. A region that could not be read gives
//! an `error` finding (`ec2/REGION`) and leaves the other regions' findings
//! as they are; the item is `error` only when nothing else fails.

pub mod fix;

use super::kit::{self, Rollup, Unread};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    ByRegion, Ec2Network, Ec2Ref, Inventory, Part, PartError, PartId, ResourceRef, SecurityGroup,
    SgKey, SgRule, SgRuleRef,
};
use crate::guide::msg;

pub const PUBLIC_AMIS: &str = "ec2.public-amis";
pub const THIRD_PARTY_AMIS: &str = "ec2.third-party-amis";
pub const IMDSV2: &str = "ec2.imdsv2";
pub const UNUSED_SGS: &str = "ec2.unused-security-groups";
pub const OPEN_ADMIN_PORTS: &str = "ec2.open-admin-ports";
pub const DEFAULT_SG: &str = "ec2.default-security-group";
pub const SG_DOCUMENTATION: &str = "ec2.security-group-documentation";

/// Messages shared by the section's items.
const SHARED: &str = "ec2";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: PUBLIC_AMIS,
        section: "ec2",
        needs: &[PartId::Ec2Images],
        cis: &[],
        security_hub: &[],
        check: public_amis,
        fix: Fix::Plan(fix::public_amis),
        inputs: &[],
    },
    ItemDef {
        id: THIRD_PARTY_AMIS,
        section: "ec2",
        needs: &[PartId::Ec2Instances, PartId::Identity],
        cis: &[],
        security_hub: &[],
        check: third_party_amis,
        fix: Fix::Guided,
        inputs: &[],
    },
    ItemDef {
        id: IMDSV2,
        section: "ec2",
        needs: &[PartId::Ec2Instances],
        cis: &["6.7"],
        security_hub: &["EC2.8"],
        check: imdsv2,
        fix: Fix::Plan(fix::imdsv2),
        inputs: &[],
    },
    ItemDef {
        id: UNUSED_SGS,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &[],
        security_hub: &["EC2.22"],
        check: unused_security_groups,
        fix: Fix::Plan(fix::unused_security_groups),
        inputs: &[],
    },
    ItemDef {
        id: OPEN_ADMIN_PORTS,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &["6.3", "6.4"],
        security_hub: &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "EC2.53", "EC2.54"],
        check: open_admin_ports,
        fix: Fix::Plan(fix::open_admin_ports),
        inputs: fix::TIGHTEN_INPUTS,
    },
    ItemDef {
        id: DEFAULT_SG,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &["6.5"],
        security_hub: &["EC2.2"],
        check: default_security_group,
        fix: Fix::Plan(fix::default_security_group),
        inputs: &[],
    },
    ItemDef {
        id: SG_DOCUMENTATION,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &[],
        security_hub: &[],
        check: security_group_documentation,
        fix: Fix::Plan(fix::security_group_documentation),
        inputs: fix::PURPOSE_INPUTS,
    },
];

/// Ports the open-ports item lets the world reach: plain and TLS web traffic.
pub const WEB_PORTS: [i32; 2] = [80, 443];
/// Remote administration ports, reported first.
pub const ADMIN_PORTS: [(i32, &str); 2] = [(22, "SSH"), (3389, "RDP")];

fn finding(resource: String, region: &str, status: Status, detail: String) -> Finding {
    kit::finding(resource, Some(region), status, detail)
}

/// A finding of image `id` in `region`.
fn image_finding(region: &str, id: &str, status: Status, detail: String) -> Finding {
    let r = Ec2Ref::Image {
        region: region.to_string(),
        id: id.to_string(),
    };
    finding(ResourceRef::Ec2(r).to_string(), region, status, detail)
}

/// A finding of instance `id` in `region`.
fn instance_finding(region: &str, id: &str, status: Status, detail: String) -> Finding {
    let r = Ec2Ref::Instance {
        region: region.to_string(),
        id: id.to_string(),
    };
    finding(ResourceRef::Ec2(r).to_string(), region, status, detail)
}

/// `error` findings for the regions of `part` that could not be read.
fn region_errors<T>(part: &ByRegion<T>) -> Vec<Finding> {
    part.errors()
        .map(|(region, e): (&str, &PartError)| {
            let r = ResourceRef::Ec2(Ec2Ref::Region {
                region: region.to_string(),
            });
            kit::region_error(r.to_string(), region, e, Some(SHARED))
        })
        .collect()
}

/// The outcome of per-resource findings plus per-region errors: fail when a
/// finding fails, else error when a region could not be read, else manual
/// or pass; the summary names the regions that could not be read.
fn outcome(
    mut findings: Vec<Finding>,
    errors: Vec<Finding>,
    pass: String,
    fail: String,
) -> Outcome {
    findings.extend(errors);
    Rollup::given(pass, fail)
        .unread(Unread::Regions {
            table: SHARED,
            key: "regions_unreadable",
            also_failing: true,
        })
        .outcome(findings)
}

/// [`outcome`] with the item's `pass` (given `{count}`: the `total`
/// checked) and `fail` (`{count}`: every finding) messages.
fn counted<T>(item: &str, findings: Vec<Finding>, part: &ByRegion<T>, total: usize) -> Outcome {
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(item, "pass", &[("count", &total.to_string())]),
        msg(item, "fail", &[("count", &bad)]),
    )
}

fn ready<T>(p: &Part<T>) -> Option<&T> {
    p.ready()
}

/// `sg/REGION/VPC/NAME`.
pub fn group_resource(region: &str, g: &SecurityGroup) -> String {
    ResourceRef::Ec2(Ec2Ref::SecurityGroup(SgKey::of(region, g))).to_string()
}

/// `web (sg-0abc…) in vpc-1`.
pub(crate) fn group_label(g: &SecurityGroup) -> String {
    format!("{} ({}) in {}", g.name, g.id, g.vpc_id)
}

// ---------------------------------------------------------------------------
// Images and instances

fn public_amis(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_images) else {
        return Outcome::pass(String::new());
    };
    let mut total = 0usize;
    let mut findings = vec![];
    for (region, x) in part.iter_ready() {
        total += x.images.len();
        for i in x.images.iter().filter(|i| i.public) {
            findings.push(image_finding(
                region,
                &i.id,
                Status::Fail,
                msg(
                    PUBLIC_AMIS,
                    "finding",
                    &[("id", &i.id), ("name", &i.name), ("region", region)],
                ),
            ));
        }
    }
    counted(PUBLIC_AMIS, findings, part, total)
}

/// Amazon's own images (owner alias `amazon`): trusted like the account's own.
pub fn is_amazon(origin: &crate::aws::inventory::ImageOrigin) -> bool {
    origin.owner_alias.as_deref() == Some("amazon")
}

fn third_party_amis(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_instances) else {
        return Outcome::pass(String::new());
    };
    let account = inv.account_id().unwrap_or_default();
    let mut total = 0usize;
    let mut findings = vec![];
    for (region, x) in part.iter_ready() {
        total += x.instances.len();
        for i in &x.instances {
            let origin = x.images.get(&i.image_id);
            let owner = match origin {
                Some(o) if o.owner_id == account || is_amazon(o) => continue,
                Some(o) => match &o.owner_alias {
                    Some(a) => format!("{a} ({})", o.owner_id),
                    None => msg(THIRD_PARTY_AMIS, "owner_account", &[("owner", &o.owner_id)]),
                },
                None => msg(THIRD_PARTY_AMIS, "owner_unknown", &[]),
            };
            let ami = match origin.map(|o| o.name.as_str()).filter(|n| !n.is_empty()) {
                Some(n) => format!("{} ({n})", i.image_id),
                None => i.image_id.clone(),
            };
            let key = if i.platform.as_deref() == Some("windows") {
                "finding_windows"
            } else {
                "finding_linux"
            };
            findings.push(instance_finding(
                region,
                &i.id,
                Status::Manual,
                msg(
                    THIRD_PARTY_AMIS,
                    key,
                    &[
                        ("instance", &i.label()),
                        ("ami", &ami),
                        ("owner", &owner),
                        ("region", region),
                    ],
                ),
            ));
        }
    }
    counted(THIRD_PARTY_AMIS, findings, part, total)
}

/// Does the instance accept IMDSv1 (tokens optional, endpoint on)?
pub fn accepts_imdsv1(i: &crate::aws::inventory::Ec2Instance) -> bool {
    i.http_tokens != "required" && i.http_endpoint != "disabled"
}

fn imdsv2(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_instances) else {
        return Outcome::pass(String::new());
    };
    let mut total = 0usize;
    let mut findings = vec![];
    for (region, x) in part.iter_ready() {
        total += x.instances.len();
        for i in x.instances.iter().filter(|i| accepts_imdsv1(i)) {
            findings.push(instance_finding(
                region,
                &i.id,
                Status::Fail,
                msg(
                    IMDSV2,
                    "finding",
                    &[("instance", &i.label()), ("tokens", &i.http_tokens)],
                ),
            ));
        }
    }
    counted(IMDSV2, findings, part, total)
}

// ---------------------------------------------------------------------------
// Security groups

/// Groups nothing uses: not `default`, on no network interface, named by no
/// other group's rule.
pub fn unused_groups(net: &Ec2Network) -> Vec<&SecurityGroup> {
    let used = net.used_by_interfaces();
    let referenced = net.referenced_by_others();
    net.security_groups
        .iter()
        .filter(|g| {
            !g.is_default() && !used.contains(g.id.as_str()) && !referenced.contains(g.id.as_str())
        })
        .collect()
}

fn groups_total(part: &ByRegion<Ec2Network>) -> usize {
    part.iter_ready()
        .map(|(_, n)| n.security_groups.len())
        .sum()
}

fn unused_security_groups(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    for (region, net) in part.iter_ready() {
        for g in unused_groups(net) {
            findings.push(finding(
                group_resource(region, g),
                region,
                Status::Fail,
                msg(UNUSED_SGS, "finding", &[("group", &group_label(g))]),
            ));
        }
    }
    counted(UNUSED_SGS, findings, part, groups_total(part))
}

/// Does an ingress rule from the whole internet reach something other than
/// web traffic? ICMP has no ports and is left alone.
pub fn is_open_beyond_web(r: &SgRule) -> bool {
    if !r.source.is_open() {
        return false;
    }
    match r.protocol.as_str() {
        "icmp" | "icmpv6" | "1" | "58" => false,
        "tcp" | "udp" => match (r.from_port, r.to_port) {
            (Some(a), Some(b)) if a >= 0 && b >= a => (a..=b).any(|p| !WEB_PORTS.contains(&p)),
            _ => true,
        },
        _ => true,
    }
}

/// The admin ports a rule opens (`SSH (22)`), for sorting and messages.
fn admin_ports(r: &SgRule) -> Vec<String> {
    ADMIN_PORTS
        .iter()
        .filter(|(p, _)| r.covers_port(*p))
        .map(|(p, n)| format!("{n} ({p})"))
        .collect()
}

/// Every open rule, admin ports first: (region, group, rule).
pub fn open_rules(net: &Ec2Network) -> Vec<(&SecurityGroup, &SgRule)> {
    let mut out: Vec<(&SecurityGroup, &SgRule)> = net
        .security_groups
        .iter()
        .flat_map(|g| g.ingress.iter().map(move |r| (g, r)))
        .filter(|(_, r)| is_open_beyond_web(r))
        .collect();
    out.sort_by_key(|(g, r)| (admin_ports(r).is_empty(), g.name.clone(), (*r).clone()));
    out
}

/// A resource that uses security groups (an RDS instance, a load balancer),
/// for the items that judge a group's rules by what uses it.
#[derive(Debug, Clone)]
pub struct GroupUser<'u> {
    pub region: &'u str,
    /// The ids of its VPC security groups.
    pub groups: &'u [String],
    /// How messages name it.
    pub name: String,
    /// The ports it serves (a load balancer's listener ports).
    pub ports: Vec<i32>,
}

/// An ingress rule that some [`GroupUser`]s should not have, with them.
#[derive(Debug, Clone)]
pub struct UsedRule<'a> {
    pub region: String,
    pub group: &'a SecurityGroup,
    pub rule: &'a SgRule,
    pub rule_ref: SgRuleRef,
    /// The names of the users it is flagged for, in order, once each.
    pub users: Vec<String>,
}

impl UsedRule<'_> {
    /// `sg-rule/REGION/VPC/NAME/PROTO[:PORTS]/CIDR`: the finding's resource
    /// and what `--resource` takes.
    pub fn resource(&self) -> String {
        ResourceRef::Ec2(Ec2Ref::SgRule(self.rule_ref.clone())).to_string()
    }
}

/// The CIDR rules of the users' groups that `bad` flags for a user, one
/// entry per rule, in group and rule order. Groups not in the network data
/// (another account's, or a region that could not be read: see
/// [`network_error`]) are skipped.
pub fn rules_of_used_groups<'a>(
    part: &'a ByRegion<Ec2Network>,
    users: &[GroupUser],
    bad: impl Fn(&GroupUser, &SgRule) -> bool,
) -> Vec<UsedRule<'a>> {
    let mut out: Vec<UsedRule<'a>> = vec![];
    for u in users {
        let Some(net) = part.ready(u.region) else {
            continue;
        };
        for id in u.groups {
            let Some(g) = net.security_groups.iter().find(|g| &g.id == id) else {
                continue;
            };
            for r in g.ingress.iter().filter(|r| bad(u, r)) {
                let Some(rule_ref) = SgRuleRef::for_rule(u.region, g, r) else {
                    continue;
                };
                match out.iter_mut().find(|x| x.rule_ref == rule_ref) {
                    Some(x) if !x.users.contains(&u.name) => x.users.push(u.name.clone()),
                    Some(_) => {}
                    None => out.push(UsedRule {
                        region: u.region.to_string(),
                        group: g,
                        rule: r,
                        rule_ref,
                        users: vec![u.name.clone()],
                    }),
                }
            }
        }
    }
    out.sort_by(|a, b| a.rule_ref.cmp(&b.rule_ref));
    out
}

/// Why the security groups of `region` could not be read, if they could not.
pub fn network_error<'a>(part: &'a ByRegion<Ec2Network>, region: &str) -> Option<&'a PartError> {
    part.regions.get(region).and_then(|f| f.error())
}

/// Does the rule admit a TCP or UDP port outside `ports` (or every
/// protocol)? ICMP has no ports and is left alone.
pub fn admits_beyond(r: &SgRule, ports: &[i32]) -> bool {
    match r.protocol.as_str() {
        "icmp" | "icmpv6" | "1" | "58" => false,
        "tcp" | "udp" | "6" | "17" => match (r.from_port, r.to_port) {
            (Some(a), Some(b)) if a >= 0 && b >= a => (a..=b).any(|p| !ports.contains(&p)),
            _ => true,
        },
        _ => true,
    }
}

fn open_admin_ports(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut admin = vec![];
    let mut other = vec![];
    for (region, net) in part.iter_ready() {
        for (g, r) in open_rules(net) {
            let Some(rr) = SgRuleRef::for_rule(region, g, r) else {
                continue;
            };
            let ports = admin_ports(r);
            let detail = if ports.is_empty() {
                msg(
                    OPEN_ADMIN_PORTS,
                    "finding",
                    &[
                        ("group", &group_label(g)),
                        ("rule", &r.ports_label()),
                        ("cidr", &rr.cidr),
                    ],
                )
            } else {
                msg(
                    OPEN_ADMIN_PORTS,
                    "finding_admin",
                    &[
                        ("group", &group_label(g)),
                        ("rule", &r.ports_label()),
                        ("cidr", &rr.cidr),
                        ("admin", &ports.join(", ")),
                    ],
                )
            };
            let f = finding(
                ResourceRef::Ec2(Ec2Ref::SgRule(rr)).to_string(),
                region,
                Status::Fail,
                detail,
            );
            if ports.is_empty() {
                other.push(f);
            } else {
                admin.push(f);
            }
        }
    }
    // SSH and RDP first, across regions.
    admin.extend(other);
    let bad = admin.len().to_string();
    outcome(
        admin,
        region_errors(part),
        msg(
            OPEN_ADMIN_PORTS,
            "pass",
            &[("count", &groups_total(part).to_string())],
        ),
        msg(OPEN_ADMIN_PORTS, "fail", &[("count", &bad)]),
    )
}

fn default_security_group(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
    for (region, net) in part.iter_ready() {
        let used = net.used_by_interfaces();
        for g in net.security_groups.iter().filter(|g| g.is_default()) {
            total += 1;
            if g.ingress.is_empty() && g.egress.is_empty() {
                continue;
            }
            let key = if used.contains(g.id.as_str()) {
                "finding_in_use"
            } else {
                "finding"
            };
            findings.push(finding(
                group_resource(region, g),
                region,
                Status::Fail,
                msg(
                    DEFAULT_SG,
                    key,
                    &[
                        ("group", &group_label(g)),
                        ("ingress", &g.ingress.len().to_string()),
                        ("egress", &g.egress.len().to_string()),
                    ],
                ),
            ));
        }
    }
    counted(DEFAULT_SG, findings, part, total)
}

/// Descriptions the console or a tool writes by itself, which say nothing
/// about what a group is for.
pub fn is_placeholder_description(g: &SecurityGroup) -> bool {
    let d = g.description.trim();
    let lower = d.to_ascii_lowercase();
    d.is_empty()
        || d == g.name
        || lower.starts_with("launch-wizard")
        || lower == "managed by terraform"
        || lower == "security group"
        || lower == "default"
}

/// A group documents itself with a description of its own or a `Name` or
/// `Purpose` tag. Default groups are AWS's own and are left to
/// `ec2.default-security-group`.
pub fn is_documented(g: &SecurityGroup) -> bool {
    g.is_default()
        || !is_placeholder_description(g)
        || ["Name", "Purpose"]
            .iter()
            .any(|k| g.tags.get(*k).is_some_and(|v| !v.trim().is_empty()))
}

fn security_group_documentation(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    for (region, net) in part.iter_ready() {
        for g in net.security_groups.iter().filter(|g| !is_documented(g)) {
            findings.push(finding(
                group_resource(region, g),
                region,
                Status::Fail,
                msg(
                    SG_DOCUMENTATION,
                    "finding",
                    &[("group", &group_label(g)), ("description", &g.description)],
                ),
            ));
        }
    }
    counted(SG_DOCUMENTATION, findings, part, groups_total(part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{
        Ec2Image, Ec2Images, Ec2Instance, Ec2Instances, Fetched, Identity, ImageOrigin,
        NetworkInterface, SgSource,
    };
    use crate::checks::item;
    use crate::checks::testkit::{T, midnight as now, statuses};
    use crate::plan::{Inputs, Op, Plan, PlanError};
    use std::collections::BTreeMap;

    const VPC: &str = "vpc-1";

    fn rule(proto: &str, ports: Option<(i32, i32)>, src: SgSource) -> SgRule {
        SgRule {
            protocol: proto.into(),
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            source: src,
            description: None,
        }
    }

    fn v4(c: &str) -> SgSource {
        SgSource::Ipv4(c.into())
    }
    fn v6(c: &str) -> SgSource {
        SgSource::Ipv6(c.into())
    }

    fn group(id: &str, name: &str, ingress: Vec<SgRule>) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: name.into(),
            vpc_id: VPC.into(),
            description: format!("{name} servers of the shop"),
            ingress,
            egress: vec![crate::aws::inventory::default_egress()],
            tags: BTreeMap::new(),
        }
    }

    fn eni(id: &str, groups: &[&str]) -> NetworkInterface {
        NetworkInterface {
            id: id.into(),
            description: String::new(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            instance_id: None,
            interface_type: None,
            requester_id: None,
            requester_managed: false,
        }
    }

    fn base() -> Inventory {
        Inventory {
            identity: Part::of(Identity {
                account: "111122223333".into(),
                arn: "arn:aws:iam::111122223333:user/ops".into(),
                user_id: "AIDA".into(),
            }),
            ..Inventory::default()
        }
    }

    fn with_network(regions: Vec<(&str, Fetched<Ec2Network>)>) -> Inventory {
        let mut inv = base();
        inv.ec2_network = Part::of(ByRegion {
            regions: regions
                .into_iter()
                .map(|(r, n)| (r.to_string(), n))
                .collect(),
        });
        inv
    }

    fn net(groups: Vec<SecurityGroup>, enis: Vec<NetworkInterface>) -> Fetched<Ec2Network> {
        let mut groups = groups;
        groups.sort_by(|a, b| (&a.vpc_id, &a.name, &a.id).cmp(&(&b.vpc_id, &b.name, &b.id)));
        Fetched::Ready(Ec2Network {
            security_groups: groups,
            network_interfaces: enis,
        })
    }

    fn denied() -> PartError {
        PartError::new(
            "ec2:DescribeSecurityGroups",
            Some("AuthFailure".into()),
            "region not enabled",
        )
    }

    fn rule_name(region: &str, group: &str, ports: &str, cidr: &str) -> String {
        format!("sg-rule/{region}/{VPC}/{group}/{ports}/{cidr}")
    }

    /// A web group (SSH open on IPv4 and IPv6, web ports open), a used
    /// database group, and an unused group with RDP open.
    fn shop() -> Inventory {
        let web = group(
            "sg-web",
            "web",
            vec![
                rule("tcp", Some((22, 22)), v4("0.0.0.0/0")),
                rule("tcp", Some((22, 22)), v4("10.1.0.0/16")),
                rule("tcp", Some((22, 22)), v6("::/0")),
                rule("tcp", Some((80, 80)), v4("0.0.0.0/0")),
                rule("tcp", Some((443, 443)), v6("::/0")),
                rule("icmp", Some((8, -1)), v4("0.0.0.0/0")),
            ],
        );
        let db = group(
            "sg-db",
            "db",
            vec![rule(
                "tcp",
                Some((5432, 5432)),
                SgSource::Group("sg-web".into()),
            )],
        );
        let rdp = group(
            "sg-rdp",
            "rdp",
            vec![rule("tcp", Some((3389, 3389)), v4("0.0.0.0/0"))],
        );
        let mut default = group(
            "sg-def",
            "default",
            vec![rule("-1", None, SgSource::Group("sg-def".into()))],
        );
        default.description = "default VPC security group".into();
        with_network(vec![(
            "us-east-1",
            net(
                vec![web, db, rdp, default],
                vec![
                    eni("eni-1", &["sg-web"]),
                    eni("eni-2", &["sg-db", "sg-def"]),
                ],
            ),
        )])
    }

    fn ops(p: &Plan) -> Vec<&Op> {
        p.ops().collect()
    }

    #[test]
    fn open_rules_are_anything_but_web_ports_from_the_internet() {
        let open = |r: SgRule| is_open_beyond_web(&r);
        assert!(open(rule("tcp", Some((22, 22)), v4("0.0.0.0/0"))));
        assert!(open(rule("tcp", Some((22, 22)), v6("::/0"))));
        assert!(open(rule("udp", Some((53, 53)), v4("0.0.0.0/0"))));
        assert!(open(rule("tcp", Some((80, 443)), v4("0.0.0.0/0"))));
        assert!(open(rule("-1", None, v4("0.0.0.0/0"))));
        assert!(open(rule("50", None, v4("0.0.0.0/0"))));
        assert!(!open(rule("tcp", Some((80, 80)), v4("0.0.0.0/0"))));
        assert!(!open(rule("tcp", Some((443, 443)), v6("::/0"))));
        assert!(!open(rule("icmp", Some((-1, -1)), v4("0.0.0.0/0"))));
        assert!(!open(rule("tcp", Some((22, 22)), v4("10.0.0.0/8"))));
        assert!(!open(rule(
            "tcp",
            Some((22, 22)),
            SgSource::Group("sg-1".into())
        )));
    }

    #[test]
    fn open_admin_ports_one_finding_per_open_rule_admin_first() {
        let t = T::at(now());
        let inv = shop();
        let r = t.eval(&inv, OPEN_ADMIN_PORTS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.resources(&inv, OPEN_ADMIN_PORTS),
            vec![
                rule_name("us-east-1", "rdp", "tcp:3389", "0.0.0.0/0"),
                rule_name("us-east-1", "web", "tcp:22", "0.0.0.0/0"),
                rule_name("us-east-1", "web", "tcp:22", "::/0"),
            ]
        );
        for f in &r.findings {
            assert_eq!(f.region.as_deref(), Some("us-east-1"));
            assert!(
                f.detail.contains("SSH (22)") || f.detail.contains("RDP (3389)"),
                "{}",
                f.detail
            );
            // Names parse back.
            let back: ResourceRef = f.resource.parse().expect("parses");
            assert_eq!(back.to_string(), f.resource);
        }
    }

    #[test]
    fn tighten_replaces_only_the_open_range_with_both_families() {
        let t = T::at(now());
        let inv = shop();
        let req = Inputs {
            resources: vec![rule_name("us-east-1", "web", "tcp:22", "0.0.0.0/0")],
            ..Inputs::default()
        }
        .with("cidr", "192.0.2.0/24, 2001:db8::/32,10.1.0.0/16");
        let (plan, after) = t.fix_plan(&inv, OPEN_ADMIN_PORTS, &req);
        let k = SgKey {
            region: "us-east-1".into(),
            vpc_id: VPC.into(),
            group_name: "web".into(),
        };
        assert_eq!(
            ops(&plan),
            vec![
                &Op::AuthorizeSecurityGroupIngress(
                    crate::aws::ops::AuthorizeSecurityGroupIngress {
                        group: k.clone(),
                        // 10.1.0.0/16 is admitted already: not added twice.
                        rules: vec![
                            rule("tcp", Some((22, 22)), v4("192.0.2.0/24")),
                            rule("tcp", Some((22, 22)), v6("2001:db8::/32")),
                        ],
                    }
                ),
                &Op::RevokeSecurityGroupIngress(crate::aws::ops::RevokeSecurityGroupIngress {
                    group: k,
                    rules: vec![rule("tcp", Some((22, 22)), v4("0.0.0.0/0"))],
                }),
            ]
        );
        // The preview is the rule table: exactly one line goes, two come.
        let rc = &plan.resources[0];
        let before = rc.before_text();
        let after_text = rc.after_text();
        assert!(before.contains("\"from tcp 22 0.0.0.0/0\""), "{before}");
        assert!(
            !after_text.contains("\"from tcp 22 0.0.0.0/0\""),
            "{after_text}"
        );
        assert!(
            after_text.contains("\"from tcp 22 ::/0\""),
            "other rule stays"
        );
        assert!(after_text.contains("\"from tcp 22 2001:db8::/32\""));
        assert!(after_text.contains("\"from tcp 22 192.0.2.0/24\""));
        assert!(after_text.contains("\"from tcp 22 10.1.0.0/16\""));
        let remaining = t.resources(&after, OPEN_ADMIN_PORTS);
        assert_eq!(remaining.len(), 2, "{remaining:?}");
        assert!(!plan.warnings.is_empty());
    }

    #[test]
    fn tighten_all_rules_of_a_group_adds_each_block_once_and_revoke_adds_none() {
        let t = T::at(now());
        let inv = shop();
        // Naming the group takes both of its open rules.
        let req = Inputs {
            resources: vec!["sg/us-east-1/vpc-1/web".into()],
            ..Inputs::default()
        }
        .with("cidr", "203.0.113.0/24");
        let (plan, after) = t.fix_plan(&inv, OPEN_ADMIN_PORTS, &req);
        let adds: usize = plan
            .ops()
            .filter_map(|o| match o {
                Op::AuthorizeSecurityGroupIngress(
                    crate::aws::ops::AuthorizeSecurityGroupIngress { rules, .. },
                ) => Some(rules.len()),
                _ => None,
            })
            .sum();
        assert_eq!(adds, 1, "{:?}", ops(&plan));
        assert!(plan.warnings.iter().any(|w| w.contains("2 open rules")));
        assert_eq!(
            t.resources(&after, OPEN_ADMIN_PORTS),
            vec![rule_name("us-east-1", "rdp", "tcp:3389", "0.0.0.0/0")]
        );
        // revoke: no input needed, no block added.
        let req = Inputs {
            resources: vec![rule_name("us-east-1", "rdp", "tcp:3389", "0.0.0.0/0")],
            ..Inputs::default()
        }
        .with("action", "revoke");
        let (plan, _) = t.fix_plan(&inv, OPEN_ADMIN_PORTS, &req);
        assert_eq!(plan.steps.len(), 1);
        assert!(matches!(
            plan.steps[0].op,
            Op::RevokeSecurityGroupIngress(crate::aws::ops::RevokeSecurityGroupIngress { .. })
        ));
    }

    #[test]
    fn tighten_inputs_are_validated_and_required() {
        let t = T::at(now());
        let inv = shop();
        let one = Inputs {
            resources: vec![rule_name("us-east-1", "rdp", "tcp:3389", "0.0.0.0/0")],
            ..Inputs::default()
        };
        for (value, says) in [
            (None, "missing"),
            (Some("10.0.0.1/8"), "did you mean 10.0.0.0/8"),
            (Some("0.0.0.0/0"), "whole internet"),
            (Some("::/0"), "whole internet"),
            (Some("nonsense"), "not a CIDR"),
        ] {
            let req = match value {
                Some(v) => one.clone().with("cidr", v),
                None => one.clone(),
            };
            match t.plan(&inv, OPEN_ADMIN_PORTS, &req) {
                Err(PlanError::Input { name, message }) => {
                    assert_eq!(name, "cidr");
                    assert!(message.contains(says), "{value:?}: {message}");
                }
                other => panic!("{value:?}: {other:?}"),
            }
        }
        let req = one.clone().with("action", "delete");
        assert!(matches!(
            t.plan(&inv, OPEN_ADMIN_PORTS, &req),
            Err(PlanError::Input { name, .. }) if name == "action"
        ));
        // Nothing selected that fails: nothing to do (no input asked for).
        let none = Inputs {
            resources: vec!["sg-rule/us-east-1/vpc-1/web/tcp:80/0.0.0.0/0".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, OPEN_ADMIN_PORTS, &none),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn tighten_is_reusable_for_any_rule() {
        let inv = shop();
        let rr = SgRuleRef {
            group: SgKey {
                region: "us-east-1".into(),
                vpc_id: VPC.into(),
                group_name: "rdp".into(),
            },
            protocol: "tcp".into(),
            from_port: Some(3389),
            to_port: Some(3389),
            cidr: "0.0.0.0/0".into(),
        };
        let d = crate::checks::ec2::fix::tighten(
            &inv,
            &rr,
            &crate::checks::ec2::fix::Tighten::To(vec!["2001:db8::/48".into()]),
        )
        .expect("draft");
        assert_eq!(d.ops.len(), 2);
        let mut gone = rr.clone();
        gone.cidr = "198.51.100.0/24".into();
        assert!(matches!(
            crate::checks::ec2::fix::tighten(
                &inv,
                &gone,
                &crate::checks::ec2::fix::Tighten::Revoke
            ),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn unused_groups_and_their_deletion_round_trip() {
        let t = T::at(now());
        let mut inv = shop();
        // A group only another group's rule refers to is used; one whose
        // own rule refers to itself is unused but not deleted by moat.
        if let Some(n) = inv
            .ec2_network
            .ready_mut()
            .and_then(|p| p.ready_mut("us-east-1"))
        {
            let mut selfish = group(
                "sg-self",
                "cluster",
                vec![rule("-1", None, SgSource::Group("sg-self".into()))],
            );
            selfish.tags.insert("team".into(), "data".into());
            n.security_groups.push(selfish);
        }
        let r = t.eval(&inv, UNUSED_SGS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.resources(&inv, UNUSED_SGS),
            vec!["sg/us-east-1/vpc-1/rdp", "sg/us-east-1/vpc-1/cluster"]
        );
        let (plan, after) = t.fix_plan(&inv, UNUSED_SGS, &Inputs::default());
        assert_eq!(plan.steps.len(), 1, "{:?}", ops(&plan));
        assert!(
            plan.warnings.iter().any(|w| w.contains("new group id")),
            "{:?}",
            plan.warnings
        );
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("sg/us-east-1/vpc-1/cluster")),
            "{:?}",
            plan.warnings
        );
        // The inverse recreates the group and its rule (default egress kept).
        let inverse = plan.steps[0].inverse.as_ref().expect("inverse");
        assert!(matches!(
            inverse.as_slice(),
            [
                Op::CreateSecurityGroup(crate::aws::ops::CreateSecurityGroup { .. }),
                Op::AuthorizeSecurityGroupIngress(
                    crate::aws::ops::AuthorizeSecurityGroupIngress { .. }
                )
            ]
        ));
        assert_eq!(
            t.resources(&after, UNUSED_SGS),
            vec!["sg/us-east-1/vpc-1/cluster"]
        );
    }

    #[test]
    fn recreate_restores_custom_egress_and_descriptions() {
        let mut g = group("sg-x", "x", vec![]);
        g.egress = vec![rule("tcp", Some((443, 443)), v4("0.0.0.0/0"))];
        let k = SgKey::of("eu-west-1", &g);
        let ops = crate::checks::ec2::fix::recreate_for_tests(&k, &g);
        assert!(matches!(ops[1], Op::RevokeSecurityGroupEgress(_)));
        assert!(matches!(ops[2], Op::AuthorizeSecurityGroupEgress(_)));
        let mut inv = with_network(vec![("eu-west-1", net(vec![g.clone()], vec![]))]);
        let doc = inv
            .document(&ResourceRef::Ec2(Ec2Ref::SecurityGroup(k.clone())))
            .expect("doc");
        inv.apply(&Op::DeleteSecurityGroup(
            crate::aws::ops::DeleteSecurityGroup { group: k.clone() },
        ))
        .expect("delete");
        for op in ops {
            inv.apply(&op).expect("recreate");
        }
        assert_eq!(
            inv.document(&ResourceRef::Ec2(Ec2Ref::SecurityGroup(k)))
                .expect("doc"),
            doc
        );
    }

    #[test]
    fn model_refuses_what_aws_refuses() {
        let mut inv = shop();
        let k = |n: &str| SgKey {
            region: "us-east-1".into(),
            vpc_id: VPC.into(),
            group_name: n.into(),
        };
        for (name, why) in [("web", "in use"), ("db", "in use"), ("default", "default")] {
            let e = inv
                .apply(&Op::DeleteSecurityGroup(
                    crate::aws::ops::DeleteSecurityGroup { group: k(name) },
                ))
                .expect_err(name);
            assert!(e.to_string().contains(why), "{name}: {e}");
        }
        let dup =
            Op::AuthorizeSecurityGroupIngress(crate::aws::ops::AuthorizeSecurityGroupIngress {
                group: k("web"),
                rules: vec![rule("tcp", Some((22, 22)), v4("10.1.0.0/16"))],
            });
        assert!(inv.apply(&dup).is_err());
        let missing = Op::RevokeSecurityGroupIngress(crate::aws::ops::RevokeSecurityGroupIngress {
            group: k("web"),
            rules: vec![rule("tcp", Some((25, 25)), v4("10.1.0.0/16"))],
        });
        assert!(inv.apply(&missing).is_err());
    }

    #[test]
    fn default_group_rules_are_all_revoked_with_a_warning_when_in_use() {
        let t = T::at(now());
        let inv = shop();
        let r = t.eval(&inv, DEFAULT_SG);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings[0].resource, "sg/us-east-1/vpc-1/default");
        let (plan, after) = t.fix_plan(&inv, DEFAULT_SG, &Inputs::default());
        assert_eq!(plan.steps.len(), 2);
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("1 network interface"))
        );
        assert_eq!(t.eval(&after, DEFAULT_SG).status, Status::Pass);
    }

    #[test]
    fn documentation_needs_a_real_description_or_a_tag() {
        let t = T::at(now());
        let mut wizard = group("sg-w", "launch-wizard-3", vec![]);
        wizard.description = "launch-wizard-3 created 2024-05-01T10:00:00.000Z".into();
        let mut same = group("sg-s", "api", vec![]);
        same.description = "api".into();
        let mut tagged = group("sg-t", "launch-wizard-4", vec![]);
        tagged.description = "launch-wizard-4 created 2024-05-01".into();
        tagged.tags.insert("Name".into(), "payments API".into());
        let mut blank_purpose = group("sg-b", "batch", vec![]);
        blank_purpose.description = String::new();
        blank_purpose.tags.insert("Purpose".into(), " ".into());
        let good = group("sg-g", "shop", vec![]);
        let mut default = group("sg-d", "default", vec![]);
        default.description = "default VPC security group".into();
        let inv = with_network(vec![(
            "eu-west-1",
            net(
                vec![wizard, same, tagged, blank_purpose, good, default],
                vec![],
            ),
        )]);
        assert_eq!(
            t.resources(&inv, SG_DOCUMENTATION),
            vec![
                "sg/eu-west-1/vpc-1/api",
                "sg/eu-west-1/vpc-1/batch",
                "sg/eu-west-1/vpc-1/launch-wizard-3",
            ]
        );
        // One group: its own text; the blank Purpose comes back on undo.
        let one = Inputs {
            resources: vec!["sg/eu-west-1/vpc-1/batch".into()],
            ..Inputs::default()
        }
        .with("purpose", "Nightly batch jobs, team data");
        let (plan, after) = t.fix_plan(&inv, SG_DOCUMENTATION, &one);
        assert_eq!(plan.steps.len(), 1);
        assert!(matches!(
            plan.steps[0].inverse.as_deref(),
            Some([Op::TagSecurityGroup(
                crate::aws::ops::TagSecurityGroup { .. }
            )])
        ));
        assert_eq!(t.resources(&after, SG_DOCUMENTATION).len(), 2);
        // All of them: the same text, and a warning that says so.
        let all = Inputs::default().with("purpose", "to be sorted out");
        let (plan, after) = t.fix_plan(&inv, SG_DOCUMENTATION, &all);
        assert_eq!(plan.steps.len(), 3);
        assert!(plan.warnings.iter().any(|w| w.contains("same Purpose")));
        assert_eq!(t.eval(&after, SG_DOCUMENTATION).status, Status::Pass);
        assert!(matches!(
            t.plan(&inv, SG_DOCUMENTATION, &Inputs::default()),
            Err(PlanError::Input { name, .. }) if name == "purpose"
        ));
    }

    fn instances(list: Vec<Ec2Instance>, images: Vec<(&str, ImageOrigin)>) -> Inventory {
        let mut inv = base();
        inv.ec2_instances = Part::of(ByRegion {
            regions: BTreeMap::from([(
                "ap-south-1".to_string(),
                Fetched::Ready(Ec2Instances {
                    instances: list,
                    images: images
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                }),
            )]),
        });
        inv
    }

    fn instance(id: &str, ami: &str, tokens: &str, platform: Option<&str>) -> Ec2Instance {
        Ec2Instance {
            id: id.into(),
            name: Some(format!("{id}-name")),
            image_id: ami.into(),
            platform: platform.map(str::to_string),
            state: "running".into(),
            http_tokens: tokens.into(),
            http_endpoint: "enabled".into(),
        }
    }

    fn origin(owner: &str, alias: Option<&str>) -> ImageOrigin {
        ImageOrigin {
            owner_id: owner.into(),
            owner_alias: alias.map(str::to_string),
            name: "img".into(),
        }
    }

    #[test]
    fn third_party_images_are_listed_for_review() {
        let t = T::at(now());
        let inv = instances(
            vec![
                instance("i-own", "ami-own", "required", None),
                instance("i-amzn", "ami-amzn", "required", None),
                instance("i-mkt", "ami-mkt", "required", None),
                instance("i-win", "ami-other", "required", Some("windows")),
                instance("i-gone", "ami-gone", "required", None),
            ],
            vec![
                ("ami-own", origin("111122223333", None)),
                ("ami-amzn", origin("137112412989", Some("amazon"))),
                ("ami-mkt", origin("679593333241", Some("aws-marketplace"))),
                ("ami-other", origin("444455556666", None)),
            ],
        );
        let r = t.eval(&inv, THIRD_PARTY_AMIS);
        assert_eq!(r.status, Status::Manual);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "instance/ap-south-1/i-mkt",
                "instance/ap-south-1/i-win",
                "instance/ap-south-1/i-gone"
            ]
        );
        assert!(
            r.findings[0].detail.contains("Linux")
                && r.findings[0].detail.contains("aws-marketplace")
        );
        assert!(
            r.findings[1].detail.contains("Windows")
                && r.findings[1].detail.contains("444455556666")
        );
        assert!(
            r.findings[2].detail.contains("unknown owner"),
            "{}",
            r.findings[2].detail
        );
        assert!(r.findings[0].detail.contains("i-mkt-name (i-mkt)"));
        let def = item(THIRD_PARTY_AMIS).expect("item");
        assert!(def.has_steps() && !def.can_mark_done());
    }

    #[test]
    fn imdsv2_is_required_and_undone_to_what_it_was() {
        let t = T::at(now());
        let mut off = instance("i-off", "ami-1", "optional", None);
        off.http_endpoint = "disabled".into();
        let inv = instances(
            vec![
                instance("i-v1", "ami-1", "optional", None),
                instance("i-v2", "ami-1", "required", None),
                off,
            ],
            vec![],
        );
        assert_eq!(t.resources(&inv, IMDSV2), vec!["instance/ap-south-1/i-v1"]);
        let (plan, after) = t.fix_plan(&inv, IMDSV2, &Inputs::default());
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(t.eval(&after, IMDSV2).status, Status::Pass);
    }

    #[test]
    fn public_images_are_made_private() {
        let t = T::at(now());
        let mut inv = base();
        inv.ec2_images = Part::of(ByRegion {
            regions: BTreeMap::from([(
                "us-west-2".to_string(),
                Fetched::Ready(Ec2Images {
                    images: vec![
                        Ec2Image {
                            id: "ami-pub".into(),
                            name: "golden".into(),
                            public: true,
                        },
                        Ec2Image {
                            id: "ami-priv".into(),
                            name: "base".into(),
                            public: false,
                        },
                    ],
                }),
            )]),
        });
        assert_eq!(
            t.resources(&inv, PUBLIC_AMIS),
            vec!["ami/us-west-2/ami-pub"]
        );
        let (plan, after) = t.fix_plan(&inv, PUBLIC_AMIS, &Inputs::default());
        assert_eq!(plan.steps[0].op.region(), Some("us-west-2"));
        assert_eq!(t.eval(&after, PUBLIC_AMIS).status, Status::Pass);
    }

    /// Instances to review in one region do not make the item `manual`
    /// while another region could not be read: it is `error`, and keeps
    /// both the review and the unreadable region.
    #[test]
    fn review_findings_next_to_an_unreadable_region_are_error() {
        let t = T::at(now());
        let mut inv = instances(
            vec![instance("i-mkt", "ami-mkt", "required", None)],
            vec![("ami-mkt", origin("679593333241", Some("aws-marketplace")))],
        );
        if let Some(p) = inv.ec2_instances.ready_mut() {
            p.regions
                .insert("me-south-1".to_string(), Fetched::Error(denied()));
        }
        let r = t.eval(&inv, THIRD_PARTY_AMIS);
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(r.summary.contains("me-south-1"), "{}", r.summary);
        assert_eq!(
            statuses(&r),
            vec![
                ("instance/ap-south-1/i-mkt", Status::Manual),
                ("ec2/me-south-1", Status::Error),
            ]
        );
    }

    #[test]
    fn an_unreadable_region_errors_only_its_own_findings() {
        let t = T::at(now());
        let web = group(
            "sg-web",
            "web",
            vec![rule("tcp", Some((22, 22)), v4("0.0.0.0/0"))],
        );
        let inv = with_network(vec![
            ("us-east-1", net(vec![web], vec![eni("eni-1", &["sg-web"])])),
            ("me-south-1", Fetched::Error(denied())),
        ]);
        let r = t.eval(&inv, OPEN_ADMIN_PORTS);
        assert_eq!(r.status, Status::Fail);
        let statuses: Vec<(String, Status)> = r
            .findings
            .iter()
            .map(|f| (f.resource.clone(), f.status))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (
                    rule_name("us-east-1", "web", "tcp:22", "0.0.0.0/0"),
                    Status::Fail
                ),
                ("ec2/me-south-1".to_string(), Status::Error),
            ]
        );
        assert!(r.summary.contains("me-south-1"), "{}", r.summary);
        // Nothing else fails: the item is error, not pass.
        let r = t.eval(&inv, UNUSED_SGS);
        assert_eq!(r.status, Status::Error);
        assert!(
            r.findings[0].detail.contains("AuthFailure") || r.findings[0].detail.contains("denied"),
            "{}",
            r.findings[0].detail
        );
        // Plans leave the unreadable region alone.
        let (plan, _) = t.fix_plan(
            &inv,
            OPEN_ADMIN_PORTS,
            &Inputs::default().with("action", "revoke"),
        );
        assert!(plan.ops().all(|o| o.region() == Some("us-east-1")));
        // And so does the model.
        let mut m = inv.clone();
        let k = SgKey {
            region: "me-south-1".into(),
            vpc_id: VPC.into(),
            group_name: "x".into(),
        };
        assert!(
            m.apply(&Op::DeleteSecurityGroup(
                crate::aws::ops::DeleteSecurityGroup { group: k.clone() }
            ))
            .is_err()
        );
        let doc = inv
            .document(&ResourceRef::Ec2(Ec2Ref::SecurityGroup(k)))
            .expect("doc");
        assert!(doc.is_some_and(|d| d.get("Unreadable").is_some()));
    }

    #[test]
    fn loading_and_part_error() {
        let t = T::at(now());
        let mut inv = shop();
        inv.ec2_network = Part::Loading;
        assert_eq!(t.eval(&inv, UNUSED_SGS).status, Status::Loading);
        inv.set_error(PartId::Ec2Network, denied());
        let r = t.eval(&inv, OPEN_ADMIN_PORTS);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("ec2:DescribeSecurityGroups"));
    }

    #[test]
    fn every_message_key_used_exists_and_the_demo_exercises_the_section() {
        let t = T::at(now());
        let demo = crate::collect::demo::demo_inventory().expect("demo");
        let fallback = |s: &str| {
            [
                "plan",
                SHARED,
                PUBLIC_AMIS,
                THIRD_PARTY_AMIS,
                IMDSV2,
                UNUSED_SGS,
                OPEN_ADMIN_PORTS,
                DEFAULT_SG,
                SG_DOCUMENTATION,
            ]
            .iter()
            .any(|k| s.contains(&format!("{k}: ")))
        };
        let mut errored = shop();
        if let Some(p) = errored.ec2_network.ready_mut() {
            p.regions
                .insert("me-south-1".into(), Fetched::Error(denied()));
        }
        let empty = with_network(vec![]);
        let req = Inputs::default()
            .with("cidr", "10.0.0.0/8")
            .with("purpose", "shop");
        for inv in [&demo, &shop(), &errored, &empty, &base()] {
            for def in ITEMS {
                let r = t.eval(inv, def.id);
                assert!(!fallback(&r.summary), "{}", r.summary);
                for f in &r.findings {
                    assert!(!fallback(&f.detail), "{}", f.detail);
                    assert!(f.region.is_some(), "{}: {}", def.id, f.resource);
                }
                if let Fix::Plan(p) = def.fix {
                    match p(inv, &t.ctx(), &req) {
                        Ok(d) => d.warnings.iter().for_each(|w| assert!(!fallback(w), "{w}")),
                        Err(e) => assert!(!fallback(&e.to_string()), "{e}"),
                    }
                }
            }
        }
        for def in ITEMS {
            let s = t.eval(&demo, def.id).status;
            assert!(
                matches!(s, Status::Fail | Status::Manual),
                "{}: {s:?}",
                def.id
            );
            if let Fix::Plan(_) = def.fix {
                let (_, after) = t.fix_plan(&demo, def.id, &req);
                assert_eq!(t.eval(&after, def.id).status, Status::Pass, "{}", def.id);
            }
        }
    }
}
