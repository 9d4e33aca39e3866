//! EC2: security groups and their rules, instances and images.

use moat::aws::inventory::{
    Ec2Image, Ec2Instance, Ec2Ref, Inventory, ResourceRef, SecurityGroup, SgKey, SgRule, SgSource,
};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::{BTreeMap, BTreeSet};

fn key() -> SgKey {
    SgKey {
        region: "us-east-1".into(),
        vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
        group_name: "web-servers".into(),
    }
}

fn ssh_from(cidr: &str) -> SgRule {
    SgRule {
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        source: SgSource::from_cidr(cidr),
        description: None,
    }
}

/// One op of every EC2 op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    // A rule change on the web servers' group: SSH from `cidr`.
    macro_rules! rules {
        ($op:ident, $cidr:expr) => {
            Op::$op(ops::$op {
                group: key(),
                rules: vec![ssh_from($cidr)],
            })
        };
    }
    vec![
        rules!(AuthorizeSecurityGroupIngress, "10.0.0.0/8"),
        rules!(RevokeSecurityGroupIngress, "0.0.0.0/0"),
        rules!(AuthorizeSecurityGroupEgress, "10.0.0.0/8"),
        rules!(RevokeSecurityGroupEgress, "0.0.0.0/0"),
        Op::CreateSecurityGroup(ops::CreateSecurityGroup {
            group: key(),
            description: "web".into(),
            tags: BTreeMap::new(),
        }),
        Op::DeleteSecurityGroup(ops::DeleteSecurityGroup { group: key() }),
        Op::TagSecurityGroup(ops::TagSecurityGroup {
            group: key(),
            tags: BTreeMap::from([("Purpose".to_string(), "web".to_string())]),
        }),
        Op::UntagSecurityGroup(ops::UntagSecurityGroup {
            group: key(),
            keys: vec!["Purpose".into()],
        }),
        Op::ModifyImageAttribute(ops::ModifyImageAttribute {
            region: "us-east-1".into(),
            image_id: "ami-0a3c4d5e6f7a8b944".into(),
            public: false,
        }),
        Op::ModifyInstanceMetadataOptions(ops::ModifyInstanceMetadataOptions {
            region: "us-east-1".into(),
            instance_id: "i-0a7a8b9c0d1e2f301".into(),
            http_tokens: "required".into(),
        }),
    ]
}

/// The position of an EC2 op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::AuthorizeSecurityGroupIngress(_) => 0,
        Op::RevokeSecurityGroupIngress(_) => 1,
        Op::AuthorizeSecurityGroupEgress(_) => 2,
        Op::RevokeSecurityGroupEgress(_) => 3,
        Op::CreateSecurityGroup(_) => 4,
        Op::DeleteSecurityGroup(_) => 5,
        Op::TagSecurityGroup(_) => 6,
        Op::UntagSecurityGroup(_) => 7,
        Op::ModifyImageAttribute(_) => 8,
        Op::ModifyInstanceMetadataOptions(_) => 9,
        other => unreachable!("not an EC2 op: {other:?}"),
    }
}

/// Every EC2 op has an inverse: a deleted group is recreated from what the
/// journal keeps.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every EC2 item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    if let Some(p) = inv.ec2_network.ready() {
        for (region, net) in p.iter_ready() {
            for g in &net.security_groups {
                out.insert(ResourceRef::Ec2(Ec2Ref::SecurityGroup(SgKey::of(
                    region, g,
                ))));
            }
        }
    }
    if let Some(p) = inv.ec2_instances.ready() {
        for (region, x) in p.iter_ready() {
            for i in &x.instances {
                out.insert(ResourceRef::Ec2(Ec2Ref::Instance {
                    region: region.to_string(),
                    id: i.id.clone(),
                }));
            }
        }
    }
    if let Some(p) = inv.ec2_images.ready() {
        for (region, x) in p.iter_ready() {
            for i in &x.images {
                out.insert(ResourceRef::Ec2(Ec2Ref::Image {
                    region: region.to_string(),
                    id: i.id.clone(),
                }));
            }
        }
    }
}

fn drift_group(inv: &mut Inventory, k: &SgKey) {
    let Some(net) = region_mut!(inv.ec2_network, k.region) else {
        return;
    };
    match net.group_mut(&k.vpc_id, &k.group_name) {
        Some(g) => {
            g.tags.insert("changed-by".into(), "someone else".into());
        }
        None => net.security_groups.push(SecurityGroup {
            id: "sg-0ffffffffffffff01".into(),
            name: k.group_name.clone(),
            vpc_id: k.vpc_id.clone(),
            description: "made by someone else".into(),
            ingress: vec![],
            egress: vec![],
            tags: BTreeMap::new(),
        }),
    }
}

pub fn drift(inv: &mut Inventory, r: &Ec2Ref) {
    match r {
        Ec2Ref::SecurityGroup(k) => drift_group(inv, k),
        Ec2Ref::SgRule(rr) => drift_group(inv, &rr.group),
        Ec2Ref::Instance { region, id } => {
            let Some(x) = region_mut!(inv.ec2_instances, region) else {
                return;
            };
            match x.instances.iter_mut().find(|i| &i.id == id) {
                Some(i) => {
                    i.http_endpoint = if i.http_endpoint == "enabled" {
                        "disabled".into()
                    } else {
                        "enabled".into()
                    }
                }
                None => x.instances.push(Ec2Instance {
                    id: id.clone(),
                    name: None,
                    image_id: "ami-0ffffffffffffff01".into(),
                    platform: None,
                    state: "running".into(),
                    http_tokens: "optional".into(),
                    http_endpoint: "enabled".into(),
                }),
            }
        }
        Ec2Ref::Image { region, id } => {
            let Some(x) = region_mut!(inv.ec2_images, region) else {
                return;
            };
            match x.images.iter_mut().find(|i| &i.id == id) {
                Some(i) => i.public = !i.public,
                None => x.images.push(Ec2Image {
                    id: id.clone(),
                    name: "someone else's".into(),
                    public: true,
                }),
            }
        }
        // A region as a whole has no document and no op changes it.
        Ec2Ref::Region { .. } => {}
    }
}
