//! The `ec2` section: images, instance metadata, security groups.
//!
//! Every finding carries its region. A region that could not be read gives
//! an `error` finding (`ec2/REGION`) and leaves the other regions' findings
//! as they are; the item is `error` only when nothing else fails.

use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::guide::msg;
use crate::inventory::{
    Ec2Network, Ec2Ref, Ec2Regional, Inventory, Part, PartError, PartId, ResourceRef,
    SecurityGroup, SgKey, SgRule, SgRuleRef,
};
use crate::plan::ec2 as plans;

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
        fix: Fix::Plan(plans::public_amis),
        inputs: &[],
    },
    ItemDef {
        id: THIRD_PARTY_AMIS,
        section: "ec2",
        needs: &[PartId::Ec2Instances],
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
        fix: Fix::Plan(plans::imdsv2),
        inputs: &[],
    },
    ItemDef {
        id: UNUSED_SGS,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &[],
        security_hub: &["EC2.22"],
        check: unused_security_groups,
        fix: Fix::Plan(plans::unused_security_groups),
        inputs: &[],
    },
    ItemDef {
        id: OPEN_ADMIN_PORTS,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &["6.3", "6.4"],
        security_hub: &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "EC2.53", "EC2.54"],
        check: open_admin_ports,
        fix: Fix::Plan(plans::open_admin_ports),
        inputs: plans::TIGHTEN_INPUTS,
    },
    ItemDef {
        id: DEFAULT_SG,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &["6.5"],
        security_hub: &["EC2.2"],
        check: default_security_group,
        fix: Fix::Plan(plans::default_security_group),
        inputs: &[],
    },
    ItemDef {
        id: SG_DOCUMENTATION,
        section: "ec2",
        needs: &[PartId::Ec2Network],
        cis: &[],
        security_hub: &[],
        check: security_group_documentation,
        fix: Fix::Plan(plans::security_group_documentation),
        inputs: plans::PURPOSE_INPUTS,
    },
];

/// Ports the open-ports item lets the world reach: plain and TLS web traffic.
pub const WEB_PORTS: [i32; 2] = [80, 443];
/// Remote administration ports, reported first.
pub const ADMIN_PORTS: [(i32, &str); 2] = [(22, "SSH"), (3389, "RDP")];

fn finding(resource: String, region: &str, status: Status, detail: String) -> Finding {
    Finding {
        resource,
        region: Some(region.to_string()),
        status,
        detail,
    }
}

/// `error` findings for the regions of `part` that could not be read.
fn region_errors<T>(part: &Ec2Regional<T>) -> Vec<Finding> {
    part.failed()
        .map(|(region, e): (&str, &PartError)| {
            finding(
                ResourceRef::Ec2(Ec2Ref::Region {
                    region: region.to_string(),
                })
                .to_string(),
                region,
                Status::Error,
                msg(
                    SHARED,
                    "region_error",
                    &[("region", region), ("error", &e.summary())],
                ),
            )
        })
        .collect()
}

/// The outcome of per-resource findings plus per-region errors: fail when a
/// finding fails, else error when a region could not be read, else manual
/// or pass.
fn outcome(
    mut findings: Vec<Finding>,
    errors: Vec<Finding>,
    pass: String,
    fail: String,
) -> Outcome {
    let failing = findings
        .iter()
        .any(|f| matches!(f.status, Status::Fail | Status::Manual));
    let region_summary = (!errors.is_empty()).then(|| {
        let regions: Vec<&str> = errors.iter().filter_map(|f| f.region.as_deref()).collect();
        msg(
            SHARED,
            "regions_unreadable",
            &[("regions", &regions.join(", "))],
        )
    });
    findings.extend(errors);
    let mut o = Outcome::from_findings(findings, pass, fail);
    if let Some(s) = region_summary {
        if failing {
            o.summary = format!("{} {s}", o.summary);
        } else {
            o.status = Status::Error;
            o.summary = s;
        }
    }
    o
}

fn ready<T>(p: &Part<T>) -> Option<&T> {
    p.ready()
}

/// `sg/REGION/VPC/NAME`.
pub fn group_resource(region: &str, g: &SecurityGroup) -> String {
    ResourceRef::Ec2(Ec2Ref::SecurityGroup(SgKey::of(region, g))).to_string()
}

/// `web (sg-0abc…) in vpc-1`.
fn group_label(g: &SecurityGroup) -> String {
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
    for (region, x) in part.ready() {
        total += x.images.len();
        for i in x.images.iter().filter(|i| i.public) {
            findings.push(finding(
                ResourceRef::Ec2(Ec2Ref::Image {
                    region: region.to_string(),
                    id: i.id.clone(),
                })
                .to_string(),
                region,
                Status::Fail,
                msg(
                    PUBLIC_AMIS,
                    "finding",
                    &[("id", &i.id), ("name", &i.name), ("region", region)],
                ),
            ));
        }
    }
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(PUBLIC_AMIS, "pass", &[("count", &total.to_string())]),
        msg(PUBLIC_AMIS, "fail", &[("count", &bad)]),
    )
}

/// Amazon's own images (owner alias `amazon`): trusted like the account's own.
pub fn is_amazon(origin: &crate::inventory::ImageOrigin) -> bool {
    origin.owner_alias.as_deref() == Some("amazon")
}

fn third_party_amis(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_instances) else {
        return Outcome::pass(String::new());
    };
    let account = inv.account_id().unwrap_or_default();
    let mut total = 0usize;
    let mut findings = vec![];
    for (region, x) in part.ready() {
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
            findings.push(finding(
                ResourceRef::Ec2(Ec2Ref::Instance {
                    region: region.to_string(),
                    id: i.id.clone(),
                })
                .to_string(),
                region,
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
    let n = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(THIRD_PARTY_AMIS, "pass", &[("count", &total.to_string())]),
        msg(THIRD_PARTY_AMIS, "fail", &[("count", &n)]),
    )
}

/// Does the instance accept IMDSv1 (tokens optional, endpoint on)?
pub fn accepts_imdsv1(i: &crate::inventory::Ec2Instance) -> bool {
    i.http_tokens != "required" && i.http_endpoint != "disabled"
}

fn imdsv2(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_instances) else {
        return Outcome::pass(String::new());
    };
    let mut total = 0usize;
    let mut findings = vec![];
    for (region, x) in part.ready() {
        total += x.instances.len();
        for i in x.instances.iter().filter(|i| accepts_imdsv1(i)) {
            findings.push(finding(
                ResourceRef::Ec2(Ec2Ref::Instance {
                    region: region.to_string(),
                    id: i.id.clone(),
                })
                .to_string(),
                region,
                Status::Fail,
                msg(
                    IMDSV2,
                    "finding",
                    &[("instance", &i.label()), ("tokens", &i.http_tokens)],
                ),
            ));
        }
    }
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(IMDSV2, "pass", &[("count", &total.to_string())]),
        msg(IMDSV2, "fail", &[("count", &bad)]),
    )
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

fn groups_total(part: &Ec2Regional<Ec2Network>) -> usize {
    part.ready().map(|(_, n)| n.security_groups.len()).sum()
}

fn unused_security_groups(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    for (region, net) in part.ready() {
        for g in unused_groups(net) {
            findings.push(finding(
                group_resource(region, g),
                region,
                Status::Fail,
                msg(UNUSED_SGS, "finding", &[("group", &group_label(g))]),
            ));
        }
    }
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(
            UNUSED_SGS,
            "pass",
            &[("count", &groups_total(part).to_string())],
        ),
        msg(UNUSED_SGS, "fail", &[("count", &bad)]),
    )
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

fn open_admin_ports(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = ready(&inv.ec2_network) else {
        return Outcome::pass(String::new());
    };
    let mut admin = vec![];
    let mut other = vec![];
    for (region, net) in part.ready() {
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
    for (region, net) in part.ready() {
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
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(DEFAULT_SG, "pass", &[("count", &total.to_string())]),
        msg(DEFAULT_SG, "fail", &[("count", &bad)]),
    )
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
    for (region, net) in part.ready() {
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
    let bad = findings.len().to_string();
    outcome(
        findings,
        region_errors(part),
        msg(
            SG_DOCUMENTATION,
            "pass",
            &[("count", &groups_total(part).to_string())],
        ),
        msg(SG_DOCUMENTATION, "fail", &[("count", &bad)]),
    )
}
