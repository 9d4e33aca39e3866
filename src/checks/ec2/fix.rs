//! Plan builders for the `ec2` section. Each chooses ops only; `make_plan`
//! derives the preview (a group's rule table before and after), the inverses
//! and the drift baseline from them.
//!
//! [`tighten`] is the reusable part: any item that finds a security group
//! rule open to the internet (`rds.open-security-groups`,
//! `elb.security-groups`) builds its plan with it, from the rule's
//! [`SgRuleRef`] and what the user chose ([`Tighten`]).

use crate::aws::inventory::{
    ByRegion, Ec2Network, Ec2Ref, Inventory, PartId, ResourceRef, SgKey, SgRuleRef, SgSource,
};
use crate::checks::Ctx;
use crate::checks::ec2::{
    DEFAULT_SG, IMDSV2, OPEN_ADMIN_PORTS, PUBLIC_AMIS, SG_DOCUMENTATION, UNUSED_SGS,
    accepts_imdsv1, group_resource, is_documented, open_rules, unused_groups,
};
use crate::guide::msg;
use crate::plan::build::{done, item_warning, nothing};
use crate::plan::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};
use std::collections::BTreeMap;

/// ec2.open-admin-ports: what to do with the open range, and the networks to
/// admit instead.
pub const TIGHTEN_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "action",
        kind: InputKind::Choice {
            options: &["tighten", "revoke"],
        },
        default: Some("tighten"),
    },
    InputSpec {
        name: "cidr",
        kind: InputKind::Cidrs,
        default: None,
    },
];

/// elb.security-groups: the same choice, revoke first (a port no listener
/// serves needs no network admitted at all).
pub const REVOKE_FIRST_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "action",
        kind: InputKind::Choice {
            options: &["revoke", "tighten"],
        },
        default: Some("revoke"),
    },
    InputSpec {
        name: "cidr",
        kind: InputKind::Cidrs,
        default: None,
    },
];

/// ec2.security-group-documentation: the `Purpose` tag's value.
pub const PURPOSE_INPUTS: &[InputSpec] = &[InputSpec {
    name: "purpose",
    kind: InputKind::Text { max: 255 },
    default: None,
}];

/// The tag ec2.security-group-documentation adds.
pub const PURPOSE_TAG: &str = "Purpose";

/// What to do with a rule open to the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tighten {
    /// Replace the open range with these CIDR blocks (validated and
    /// normalised, as `InputKind::Cidrs` gives them; never 0.0.0.0/0 or ::/0).
    To(Vec<String>),
    /// Remove the open range and admit nothing in its place.
    Revoke,
}

impl Tighten {
    /// Read `action` and `cidr` as `specs` ([`TIGHTEN_INPUTS`] or
    /// [`REVOKE_FIRST_INPUTS`]) declare them.
    pub fn from_inputs(req: &Inputs, specs: &[InputSpec]) -> Result<Tighten, PlanError> {
        let spec = |name: &str| {
            specs
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| PlanError::Invalid(format!("no input named {name}")))
        };
        let action = req.get(spec("action")?)?;
        if action == "revoke" {
            return Ok(Tighten::Revoke);
        }
        let cidrs = req.get(spec("cidr")?)?;
        Ok(Tighten::To(cidrs.split(',').map(str::to_string).collect()))
    }
}

fn network(inv: &Inventory) -> Result<&ByRegion<Ec2Network>, PlanError> {
    inv.ec2_network
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Network))
}

/// Tighten (or revoke) one ingress rule open to a CIDR block. Only that
/// range of that rule changes: the new blocks are authorized first (IPv6
/// ones as Ipv6Ranges, IPv4 ones as IpRanges, whatever the open range's
/// family), skipping any the group already admits on the same ports, then
/// the open range is revoked. The rule's description carries over.
pub fn tighten(inv: &Inventory, rule: &SgRuleRef, what: &Tighten) -> Result<Draft, PlanError> {
    let k = &rule.group;
    let net = network(inv)?.ready(&k.region).ok_or_else(nothing)?;
    let g = net.group(&k.vpc_id, &k.group_name).ok_or_else(nothing)?;
    let open = g
        .ingress
        .iter()
        .find(|r| rule.matches(r))
        .ok_or_else(nothing)?;
    let mut ops = vec![];
    if let Tighten::To(cidrs) = what {
        let mut add = vec![];
        for c in cidrs {
            let new = open.with_source(SgSource::from_cidr(c));
            if new.same_permission(open) {
                continue;
            }
            if !g.ingress.iter().any(|x| x.same_permission(&new))
                && !add
                    .iter()
                    .any(|x: &crate::aws::inventory::SgRule| x.same_permission(&new))
            {
                add.push(new);
            }
        }
        if !add.is_empty() {
            ops.push(Op::AuthorizeSecurityGroupIngress(
                crate::aws::ops::AuthorizeSecurityGroupIngress {
                    group: k.clone(),
                    rules: add,
                },
            ));
        }
    }
    ops.push(Op::RevokeSecurityGroupIngress(
        crate::aws::ops::RevokeSecurityGroupIngress {
            group: k.clone(),
            rules: vec![open.clone()],
        },
    ));
    Ok(Draft {
        ops,
        warnings: vec![],
    })
}

/// ec2.open-admin-ports: tighten or revoke every selected open rule (a rule's
/// finding, or a group to take all its open rules).
pub fn open_admin_ports(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let part = network(inv)?;
    let mut targets: Vec<SgRuleRef> = vec![];
    for (region, net) in part.iter_ready() {
        for (g, r) in open_rules(net) {
            let Some(rr) = SgRuleRef::for_rule(region, g, r) else {
                continue;
            };
            let name = ResourceRef::Ec2(Ec2Ref::SgRule(rr.clone())).to_string();
            let group_named = req
                .resources
                .iter()
                .any(|x| *x == group_resource(region, g));
            if req.wants(&name) || group_named {
                targets.push(rr);
            }
        }
    }
    tighten_each(inv, &targets, req, OPEN_ADMIN_PORTS, TIGHTEN_INPUTS)
}

/// Tighten or revoke each of `targets` as `action` and `cidr` say
/// (as `specs` declares them): the plan of every item whose findings are
/// open rules. The warnings are `item`'s own, and its `many_rules` message
/// when the plan changes more than one rule.
pub fn tighten_each(
    inv: &Inventory,
    targets: &[SgRuleRef],
    req: &Inputs,
    item: &str,
    specs: &[InputSpec],
) -> Result<Draft, PlanError> {
    if targets.is_empty() {
        return Err(nothing());
    }
    let what = Tighten::from_inputs(req, specs)?;
    // Each rule is planned against the state the earlier ones leave, so two
    // open rules on the same ports (IPv4 and IPv6) do not both add a block.
    let mut scratch = inv.clone();
    let mut ops = vec![];
    for t in targets {
        let d = tighten(&scratch, t, &what)?;
        for op in &d.ops {
            scratch
                .apply(op)
                .map_err(|e| PlanError::Invalid(format!("{}: {e}", op.describe())))?;
        }
        ops.extend(d.ops);
    }
    let mut warnings = item_warning(item);
    if targets.len() > 1 {
        warnings.push(msg(
            item,
            "many_rules",
            &[("count", &targets.len().to_string())],
        ));
    }
    done(ops, warnings)
}

/// The selected rules: a rule's finding, or its group (`sg/…`) to take all
/// of that group's.
pub(crate) fn selected_rules(
    rules: Vec<crate::checks::ec2::UsedRule>,
    req: &Inputs,
) -> Vec<crate::aws::inventory::SgRuleRef> {
    rules
        .into_iter()
        .filter(|u| {
            req.wants(&u.resource())
                || req
                    .resources
                    .iter()
                    .any(|x| *x == crate::checks::ec2::group_resource(&u.region, u.group))
        })
        .map(|u| u.rule_ref)
        .collect()
}

/// ec2.unused-security-groups: delete each selected unused group. A group
/// whose own rules refer to it is left out (its recreated self could not
/// refer to the old id), and said so.
pub fn unused_security_groups(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let part = network(inv)?;
    let mut ops = vec![];
    let mut skipped = vec![];
    for (region, net) in part.iter_ready() {
        for g in unused_groups(net) {
            if !req.wants(&group_resource(region, g)) {
                continue;
            }
            if g.refers_to_itself() {
                skipped.push(group_resource(region, g));
                continue;
            }
            ops.push(Op::DeleteSecurityGroup(
                crate::aws::ops::DeleteSecurityGroup {
                    group: SgKey::of(region, g),
                },
            ));
        }
    }
    let mut warnings = item_warning(UNUSED_SGS);
    if !skipped.is_empty() {
        warnings.push(msg(
            UNUSED_SGS,
            "self_referencing",
            &[("groups", &skipped.join(", "))],
        ));
    }
    done(ops, warnings)
}

/// ec2.default-security-group: revoke every rule of each selected default group.
pub fn default_security_group(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let part = network(inv)?;
    let mut ops = vec![];
    let mut in_use = 0usize;
    for (region, net) in part.iter_ready() {
        for g in net.security_groups.iter().filter(|g| g.is_default()) {
            if (g.ingress.is_empty() && g.egress.is_empty())
                || !req.wants(&group_resource(region, g))
            {
                continue;
            }
            let k = SgKey::of(region, g);
            if !g.ingress.is_empty() {
                ops.push(Op::RevokeSecurityGroupIngress(
                    crate::aws::ops::RevokeSecurityGroupIngress {
                        group: k.clone(),
                        rules: g.ingress.clone(),
                    },
                ));
            }
            if !g.egress.is_empty() {
                ops.push(Op::RevokeSecurityGroupEgress(
                    crate::aws::ops::RevokeSecurityGroupEgress {
                        group: k,
                        rules: g.egress.clone(),
                    },
                ));
            }
            in_use += net
                .network_interfaces
                .iter()
                .filter(|n| n.groups.contains(&g.id))
                .count();
        }
    }
    let mut warnings = item_warning(DEFAULT_SG);
    if in_use > 0 {
        warnings.push(msg(DEFAULT_SG, "in_use", &[("count", &in_use.to_string())]));
    }
    done(ops, warnings)
}

/// ec2.security-group-documentation: tag each selected undocumented group
/// with `Purpose` = the text the user typed.
pub fn security_group_documentation(
    inv: &Inventory,
    _: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    let part = network(inv)?;
    let mut targets = vec![];
    for (region, net) in part.iter_ready() {
        for g in net.security_groups.iter().filter(|g| !is_documented(g)) {
            if req.wants(&group_resource(region, g)) {
                targets.push(SgKey::of(region, g));
            }
        }
    }
    if targets.is_empty() {
        return Err(nothing());
    }
    let purpose = req.get(&PURPOSE_INPUTS[0])?;
    let mut warnings = item_warning(SG_DOCUMENTATION);
    if targets.len() > 1 {
        warnings.push(msg(
            SG_DOCUMENTATION,
            "same_purpose",
            &[("count", &targets.len().to_string())],
        ));
    }
    let ops = targets
        .into_iter()
        .map(|k| {
            Op::TagSecurityGroup(crate::aws::ops::TagSecurityGroup {
                group: k,
                tags: BTreeMap::from([(PURPOSE_TAG.to_string(), purpose.clone())]),
            })
        })
        .collect();
    done(ops, warnings)
}

/// ec2.public-amis: remove the launch permission for `all` from each
/// selected public image.
pub fn public_amis(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let part = inv
        .ec2_images
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Images))?;
    let mut ops = vec![];
    for (region, x) in part.iter_ready() {
        for i in x.images.iter().filter(|i| i.public) {
            let r = ResourceRef::Ec2(Ec2Ref::Image {
                region: region.to_string(),
                id: i.id.clone(),
            });
            if req.wants(&r.to_string()) {
                ops.push(Op::ModifyImageAttribute(
                    crate::aws::ops::ModifyImageAttribute {
                        region: region.to_string(),
                        image_id: i.id.clone(),
                        public: false,
                    },
                ));
            }
        }
    }
    done(ops, item_warning(PUBLIC_AMIS))
}

/// ec2.imdsv2: require session tokens on each selected instance that accepts IMDSv1.
pub fn imdsv2(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let part = inv
        .ec2_instances
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Instances))?;
    let mut ops = vec![];
    for (region, x) in part.iter_ready() {
        for i in x.instances.iter().filter(|i| accepts_imdsv1(i)) {
            let r = ResourceRef::Ec2(Ec2Ref::Instance {
                region: region.to_string(),
                id: i.id.clone(),
            });
            if req.wants(&r.to_string()) {
                ops.push(Op::ModifyInstanceMetadataOptions(
                    crate::aws::ops::ModifyInstanceMetadataOptions {
                        region: region.to_string(),
                        instance_id: i.id.clone(),
                        http_tokens: "required".into(),
                    },
                ));
            }
        }
    }
    done(ops, item_warning(IMDSV2))
}

/// The ops that recreate a group (for tests of the inverse of a delete).
#[cfg(test)]
pub fn recreate_for_tests(k: &SgKey, g: &crate::aws::inventory::SecurityGroup) -> Vec<Op> {
    crate::aws::ec2::ops::recreate(k, g)
}
