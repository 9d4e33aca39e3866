//! Ops of EC2 (issue 4: the ec2 section).
//!
//! `Op::Ec2` wraps [`Ec2Op`]; it is `#[serde(untagged)]` there, so each
//! variant serializes exactly like a top-level op: `{"op": "snake_case_name", …}`.
//!
//! Security groups are named by region, VPC and name ([`SgKey`]), never by
//! id: undo may recreate a deleted group, which gets a new id, and every op
//! journaled before or after must still find it. The backend looks the id up
//! (DescribeSecurityGroups by VPC and name) when it sends.

use super::Op;
use crate::inventory::{Ec2Ref, Inventory, ResourceRef, SgKey, SgRule, default_egress};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Ec2Op {
    /// ec2:AuthorizeSecurityGroupIngress with exactly these rules.
    AuthorizeSecurityGroupIngress {
        #[serde(flatten)]
        group: SgKey,
        rules: Vec<SgRule>,
    },
    /// ec2:RevokeSecurityGroupIngress of exactly these rules.
    RevokeSecurityGroupIngress {
        #[serde(flatten)]
        group: SgKey,
        rules: Vec<SgRule>,
    },
    AuthorizeSecurityGroupEgress {
        #[serde(flatten)]
        group: SgKey,
        rules: Vec<SgRule>,
    },
    RevokeSecurityGroupEgress {
        #[serde(flatten)]
        group: SgKey,
        rules: Vec<SgRule>,
    },
    /// ec2:CreateSecurityGroup in the VPC, with its tags (undo of a delete).
    /// AWS gives it a new id and the default egress rule (all traffic out).
    CreateSecurityGroup {
        #[serde(flatten)]
        group: SgKey,
        description: String,
        #[serde(default)]
        tags: BTreeMap<String, String>,
    },
    /// ec2:DeleteSecurityGroup. Its inverse, computed before it, recreates the
    /// group with its description, tags and every rule.
    DeleteSecurityGroup {
        #[serde(flatten)]
        group: SgKey,
    },
    /// ec2:CreateTags on a security group (sets or overwrites these keys).
    TagSecurityGroup {
        #[serde(flatten)]
        group: SgKey,
        tags: BTreeMap<String, String>,
    },
    /// ec2:DeleteTags on a security group.
    UntagSecurityGroup {
        #[serde(flatten)]
        group: SgKey,
        keys: Vec<String>,
    },
    /// ec2:ModifyImageAttribute: add (`public: true`) or remove the launch
    /// permission of the group `all`.
    ModifyImageAttribute {
        region: String,
        image_id: String,
        public: bool,
    },
    /// ec2:ModifyInstanceMetadataOptions HttpTokens (`required` or `optional`).
    ModifyInstanceMetadataOptions {
        region: String,
        instance_id: String,
        http_tokens: String,
    },
}

impl Ec2Op {
    /// Every IAM action these ops send (part of `Op::all_actions`).
    pub const ALL_ACTIONS: &'static [&'static str] = &[
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:ModifyImageAttribute",
        "ec2:ModifyInstanceMetadataOptions",
    ];

    /// `service:Action`, as IAM policies and CloudTrail name the call.
    pub fn action(&self) -> &'static str {
        match self {
            Ec2Op::AuthorizeSecurityGroupIngress { .. } => "ec2:AuthorizeSecurityGroupIngress",
            Ec2Op::RevokeSecurityGroupIngress { .. } => "ec2:RevokeSecurityGroupIngress",
            Ec2Op::AuthorizeSecurityGroupEgress { .. } => "ec2:AuthorizeSecurityGroupEgress",
            Ec2Op::RevokeSecurityGroupEgress { .. } => "ec2:RevokeSecurityGroupEgress",
            Ec2Op::CreateSecurityGroup { .. } => "ec2:CreateSecurityGroup",
            Ec2Op::DeleteSecurityGroup { .. } => "ec2:DeleteSecurityGroup",
            Ec2Op::TagSecurityGroup { .. } => "ec2:CreateTags",
            Ec2Op::UntagSecurityGroup { .. } => "ec2:DeleteTags",
            Ec2Op::ModifyImageAttribute { .. } => "ec2:ModifyImageAttribute",
            Ec2Op::ModifyInstanceMetadataOptions { .. } => "ec2:ModifyInstanceMetadataOptions",
        }
    }

    /// The security group an op changes, if it is one.
    pub fn group(&self) -> Option<&SgKey> {
        match self {
            Ec2Op::AuthorizeSecurityGroupIngress { group, .. }
            | Ec2Op::RevokeSecurityGroupIngress { group, .. }
            | Ec2Op::AuthorizeSecurityGroupEgress { group, .. }
            | Ec2Op::RevokeSecurityGroupEgress { group, .. }
            | Ec2Op::CreateSecurityGroup { group, .. }
            | Ec2Op::DeleteSecurityGroup { group }
            | Ec2Op::TagSecurityGroup { group, .. }
            | Ec2Op::UntagSecurityGroup { group, .. } => Some(group),
            _ => None,
        }
    }

    /// The resource whose document this op changes.
    pub fn resource(&self) -> ResourceRef {
        ResourceRef::Ec2(match self {
            Ec2Op::ModifyImageAttribute {
                region, image_id, ..
            } => Ec2Ref::Image {
                region: region.clone(),
                id: image_id.clone(),
            },
            Ec2Op::ModifyInstanceMetadataOptions {
                region,
                instance_id,
                ..
            } => Ec2Ref::Instance {
                region: region.clone(),
                id: instance_id.clone(),
            },
            other => match other.group() {
                Some(g) => Ec2Ref::SecurityGroup(g.clone()),
                None => Ec2Ref::Region {
                    region: String::new(),
                },
            },
        })
    }

    /// Other resources whose documents this op changes. A group's rule table
    /// names the groups its rules refer to, so deleting or creating a group
    /// changes no other document (references block a delete).
    pub fn also_touches(&self) -> Vec<ResourceRef> {
        vec![]
    }

    /// The region the call goes to.
    pub fn region(&self) -> Option<&str> {
        match self {
            Ec2Op::ModifyImageAttribute { region, .. }
            | Ec2Op::ModifyInstanceMetadataOptions { region, .. } => Some(region),
            other => other.group().map(|g| g.region.as_str()),
        }
    }

    /// A short human description.
    pub fn describe(&self) -> String {
        let rules = |rs: &[SgRule]| {
            rs.iter()
                .map(|r| {
                    let src = match &r.source {
                        crate::inventory::SgSource::Ipv4(c)
                        | crate::inventory::SgSource::Ipv6(c) => c.clone(),
                        crate::inventory::SgSource::PrefixList(p) => p.clone(),
                        crate::inventory::SgSource::Group(g) => g.clone(),
                    };
                    format!("{} {src}", r.ports_label())
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Ec2Op::AuthorizeSecurityGroupIngress { group, rules: r } => {
                format!("allow inbound {} in security group {group}", rules(r))
            }
            Ec2Op::RevokeSecurityGroupIngress { group, rules: r } => {
                format!("remove inbound {} from security group {group}", rules(r))
            }
            Ec2Op::AuthorizeSecurityGroupEgress { group, rules: r } => {
                format!("allow outbound {} in security group {group}", rules(r))
            }
            Ec2Op::RevokeSecurityGroupEgress { group, rules: r } => {
                format!("remove outbound {} from security group {group}", rules(r))
            }
            Ec2Op::CreateSecurityGroup { group, .. } => {
                format!("recreate security group {group} (it gets a new id)")
            }
            Ec2Op::DeleteSecurityGroup { group } => format!("delete security group {group}"),
            Ec2Op::TagSecurityGroup { group, tags } => {
                let t: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("tag security group {group} with {}", t.join(", "))
            }
            Ec2Op::UntagSecurityGroup { group, keys } => {
                format!(
                    "remove tag(s) {} from security group {group}",
                    keys.join(", ")
                )
            }
            Ec2Op::ModifyImageAttribute {
                region,
                image_id,
                public: false,
            } => format!(
                "make image {image_id} ({region}) private: remove launch permission for all"
            ),
            Ec2Op::ModifyImageAttribute {
                region,
                image_id,
                public: true,
            } => {
                format!("make image {image_id} ({region}) public again: launch permission for all")
            }
            Ec2Op::ModifyInstanceMetadataOptions {
                region,
                instance_id,
                http_tokens,
            } => format!(
                "set instance {instance_id} ({region}) metadata tokens to {http_tokens}{}",
                if http_tokens == "required" {
                    " (IMDSv2 only)"
                } else {
                    ""
                }
            ),
        }
    }

    /// Ops that undo this one, given the inventory just before it; `None`
    /// when it cannot be undone.
    pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let net = |k: &SgKey| before.ec2_network.ready().and_then(|p| p.region(&k.region));
        let group = |k: &SgKey| net(k).and_then(|n| n.group(&k.vpc_id, &k.group_name));
        let wrap = |o: Ec2Op| Op::Ec2(o);
        Some(match self {
            // Authorize only adds what was not there (AWS refuses a duplicate),
            // so undo removes exactly those rules.
            Ec2Op::AuthorizeSecurityGroupIngress { group: k, rules } => {
                vec![wrap(Ec2Op::RevokeSecurityGroupIngress {
                    group: k.clone(),
                    rules: rules.clone(),
                })]
            }
            Ec2Op::AuthorizeSecurityGroupEgress { group: k, rules } => {
                vec![wrap(Ec2Op::RevokeSecurityGroupEgress {
                    group: k.clone(),
                    rules: rules.clone(),
                })]
            }
            // Revoke: put back the rules as they were (with their descriptions).
            Ec2Op::RevokeSecurityGroupIngress { group: k, rules } => {
                let g = group(k)?;
                let prev: Vec<SgRule> = rules
                    .iter()
                    .filter_map(|r| g.ingress.iter().find(|x| x.same_permission(r)).cloned())
                    .collect();
                vec![wrap(Ec2Op::AuthorizeSecurityGroupIngress {
                    group: k.clone(),
                    rules: prev,
                })]
            }
            Ec2Op::RevokeSecurityGroupEgress { group: k, rules } => {
                let g = group(k)?;
                let prev: Vec<SgRule> = rules
                    .iter()
                    .filter_map(|r| g.egress.iter().find(|x| x.same_permission(r)).cloned())
                    .collect();
                vec![wrap(Ec2Op::AuthorizeSecurityGroupEgress {
                    group: k.clone(),
                    rules: prev,
                })]
            }
            Ec2Op::CreateSecurityGroup { group: k, .. } => {
                vec![wrap(Ec2Op::DeleteSecurityGroup { group: k.clone() })]
            }
            Ec2Op::DeleteSecurityGroup { group: k } => {
                let g = group(k)?;
                // A rule that refers to the group itself would name an id
                // that no longer exists once the group is recreated.
                if g.refers_to_itself() {
                    return None;
                }
                recreate(k, g).into_iter().map(wrap).collect()
            }
            Ec2Op::TagSecurityGroup { group: k, tags } => {
                let g = group(k)?;
                let mut restore = BTreeMap::new();
                let mut remove = vec![];
                for key in tags.keys() {
                    match g.tags.get(key) {
                        Some(v) => {
                            restore.insert(key.clone(), v.clone());
                        }
                        None => remove.push(key.clone()),
                    }
                }
                let mut out = vec![];
                if !remove.is_empty() {
                    out.push(wrap(Ec2Op::UntagSecurityGroup {
                        group: k.clone(),
                        keys: remove,
                    }));
                }
                if !restore.is_empty() {
                    out.push(wrap(Ec2Op::TagSecurityGroup {
                        group: k.clone(),
                        tags: restore,
                    }));
                }
                out
            }
            Ec2Op::UntagSecurityGroup { group: k, keys } => {
                let g = group(k)?;
                let restore: BTreeMap<String, String> = keys
                    .iter()
                    .filter_map(|key| g.tags.get(key).map(|v| (key.clone(), v.clone())))
                    .collect();
                if restore.is_empty() {
                    vec![]
                } else {
                    vec![wrap(Ec2Op::TagSecurityGroup {
                        group: k.clone(),
                        tags: restore,
                    })]
                }
            }
            Ec2Op::ModifyImageAttribute {
                region, image_id, ..
            } => {
                let img = before
                    .ec2_images
                    .ready()?
                    .region(region)?
                    .images
                    .iter()
                    .find(|i| &i.id == image_id)?;
                vec![wrap(Ec2Op::ModifyImageAttribute {
                    region: region.clone(),
                    image_id: image_id.clone(),
                    public: img.public,
                })]
            }
            Ec2Op::ModifyInstanceMetadataOptions {
                region,
                instance_id,
                ..
            } => {
                let i = before
                    .ec2_instances
                    .ready()?
                    .region(region)?
                    .instances
                    .iter()
                    .find(|i| &i.id == instance_id)?;
                vec![wrap(Ec2Op::ModifyInstanceMetadataOptions {
                    region: region.clone(),
                    instance_id: instance_id.clone(),
                    http_tokens: i.http_tokens.clone(),
                })]
            }
        })
    }
}

/// The ops that recreate `g` as it is: the group with its description and
/// tags, then its egress rules (AWS adds "all traffic out" to a new group:
/// removed when `g` did not have it), then its ingress rules.
pub fn recreate(k: &SgKey, g: &crate::inventory::SecurityGroup) -> Vec<Ec2Op> {
    let mut ops = vec![Ec2Op::CreateSecurityGroup {
        group: k.clone(),
        description: g.description.clone(),
        tags: g.tags.clone(),
    }];
    let auto = default_egress();
    let keeps_auto = g.egress.iter().any(|r| r.same_permission(&auto));
    if !keeps_auto {
        ops.push(Ec2Op::RevokeSecurityGroupEgress {
            group: k.clone(),
            rules: vec![auto.clone()],
        });
    }
    // The automatic rule comes back without a description: set it as it was.
    let egress: Vec<SgRule> = g
        .egress
        .iter()
        .filter(|r| !r.same_permission(&auto) || r.description.is_some())
        .cloned()
        .collect();
    if keeps_auto && egress.iter().any(|r| r.same_permission(&auto)) {
        ops.push(Ec2Op::RevokeSecurityGroupEgress {
            group: k.clone(),
            rules: vec![auto],
        });
    }
    if !egress.is_empty() {
        ops.push(Ec2Op::AuthorizeSecurityGroupEgress {
            group: k.clone(),
            rules: egress,
        });
    }
    if !g.ingress.is_empty() {
        ops.push(Ec2Op::AuthorizeSecurityGroupIngress {
            group: k.clone(),
            rules: g.ingress.clone(),
        });
    }
    ops
}
