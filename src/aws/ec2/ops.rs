//! EC2's mutating calls, one type each (see [`OpKind`]).
//!
//! Security groups are named by region, VPC and name ([`SgKey`]), never by
//! id: undo may recreate a deleted group, which gets a new id, and every op
//! journaled before or after must still find it. The backend looks the id up
//! (DescribeSecurityGroups by VPC and name) when it sends.

use crate::aws::inventory::{
    ApplyError, Ec2Network, Ec2Ref, Fetched, Inventory, ResourceRef, SecurityGroup, SgKey, SgRule,
    SgSource, default_egress,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The resource of an op on the security group `k`.
fn group_resource(k: &SgKey) -> ResourceRef {
    ResourceRef::Ec2(Ec2Ref::SecurityGroup(k.clone()))
}

/// Rules as a description lists them: `tcp 22 0.0.0.0/0, …`.
fn rules_label(rs: &[SgRule]) -> String {
    rs.iter()
        .map(|r| {
            let src = match &r.source {
                SgSource::Ipv4(c) | SgSource::Ipv6(c) => c.clone(),
                SgSource::PrefixList(p) => p.clone(),
                SgSource::Group(g) => g.clone(),
            };
            format!("{} {src}", r.ports_label())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The group named `k` in the inventory `before` an op.
fn group_before<'a>(before: &'a Inventory, k: &SgKey) -> Option<&'a SecurityGroup> {
    before
        .ec2_network
        .ready()
        .and_then(|p| p.ready(&k.region))
        .and_then(|n| n.group(&k.vpc_id, &k.group_name))
}

fn network<'a>(inv: &'a mut Inventory, region: &str) -> Result<&'a mut Ec2Network, ApplyError> {
    let part = inv
        .ec2_network
        .ready_mut()
        .ok_or(ApplyError::NotReady("EC2 security groups"))?;
    match part.regions.get_mut(region) {
        Some(Fetched::Ready(n)) => Ok(n),
        Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
            "the security groups of {region} could not be read ({})",
            e.summary()
        ))),
        None => Err(ApplyError::NoSuch(format!("region {region}"))),
    }
}

fn group_mut<'a>(inv: &'a mut Inventory, k: &SgKey) -> Result<&'a mut SecurityGroup, ApplyError> {
    network(inv, &k.region)?
        .group_mut(&k.vpc_id, &k.group_name)
        .ok_or_else(|| ApplyError::NoSuch(format!("security group {k}")))
}

/// Add rules as AWS does: a rule already there is refused (InvalidPermission.Duplicate).
fn authorize(list: &mut Vec<SgRule>, rules: &[SgRule], k: &SgKey) -> Result<(), ApplyError> {
    for r in rules {
        if list.iter().any(|x| x.same_permission(r)) {
            return Err(ApplyError::Exists(format!(
                "rule {} in security group {k}",
                r.ports_label()
            )));
        }
        list.push(r.clone());
    }
    list.sort();
    Ok(())
}

/// Remove rules as AWS does: a rule that is not there is refused (InvalidPermission.NotFound).
fn revoke(list: &mut Vec<SgRule>, rules: &[SgRule], k: &SgKey) -> Result<(), ApplyError> {
    for r in rules {
        let before = list.len();
        list.retain(|x| !x.same_permission(r));
        if list.len() == before {
            return Err(ApplyError::NoSuch(format!(
                "rule {} in security group {k}",
                r.ports_label()
            )));
        }
    }
    Ok(())
}

/// `resource` and `region` of an op on the security group in its `group` field.
macro_rules! on_group {
    () => {
        fn resource(&self) -> ResourceRef {
            group_resource(&self.group)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.group.region)
        }
    };
}

/// An op that authorizes or revokes exactly `rules` in one list of a security
/// group (`ingress` or `egress`); its undo is the opposite op, with the rules
/// `$undo_rules` gives.
macro_rules! rules_op {
    (
        $(#[$doc:meta])*
        $name:ident, $list:ident, $describe:literal, $predict:ident, $undo:ident, $undo_rules:ident
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            #[serde(flatten)]
            pub group: SgKey,
            pub rules: Vec<SgRule>,
        }

        impl OpKind for $name {
            const ACTION: &'static str = concat!("ec2:", stringify!($name));

            on_group!();

            fn describe(&self) -> String {
                format!($describe, rules_label(&self.rules), self.group)
            }

            fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                let g = group_mut(inv, &self.group)?;
                $predict(&mut g.$list, &self.rules, &self.group)
            }

            fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                let rules = $undo_rules(before, &self.group, &self.rules, |g| &g.$list)?;
                Some(vec![
                    $undo {
                        group: self.group.clone(),
                        rules,
                    }
                    .into(),
                ])
            }
        }
    };
}

/// The rules an authorize's undo revokes: authorize only adds what was not
/// there (AWS refuses a duplicate), so exactly its own.
fn rules_added(
    _before: &Inventory,
    _k: &SgKey,
    rules: &[SgRule],
    _list: fn(&SecurityGroup) -> &Vec<SgRule>,
) -> Option<Vec<SgRule>> {
    Some(rules.to_vec())
}

/// The rules a revoke's undo authorizes again: those it removed, as they were
/// (with their descriptions).
fn rules_removed(
    before: &Inventory,
    k: &SgKey,
    rules: &[SgRule],
    list: fn(&SecurityGroup) -> &Vec<SgRule>,
) -> Option<Vec<SgRule>> {
    let g = group_before(before, k)?;
    Some(rules_as_before(list(g), rules))
}

rules_op! {
    /// ec2:AuthorizeSecurityGroupIngress with exactly these rules.
    AuthorizeSecurityGroupIngress, ingress, "allow inbound {} in security group {}",
    authorize, RevokeSecurityGroupIngress, rules_added
}

rules_op! {
    /// ec2:RevokeSecurityGroupIngress of exactly these rules.
    RevokeSecurityGroupIngress, ingress, "remove inbound {} from security group {}",
    revoke, AuthorizeSecurityGroupIngress, rules_removed
}

rules_op! {
    /// ec2:AuthorizeSecurityGroupEgress with exactly these rules.
    AuthorizeSecurityGroupEgress, egress, "allow outbound {} in security group {}",
    authorize, RevokeSecurityGroupEgress, rules_added
}

rules_op! {
    /// ec2:RevokeSecurityGroupEgress of exactly these rules.
    RevokeSecurityGroupEgress, egress, "remove outbound {} from security group {}",
    revoke, AuthorizeSecurityGroupEgress, rules_removed
}

/// ec2:CreateSecurityGroup in the VPC, with its tags (undo of a delete).
/// AWS gives it a new id and the default egress rule (all traffic out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSecurityGroup {
    #[serde(flatten)]
    pub group: SgKey,
    pub description: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl OpKind for CreateSecurityGroup {
    const ACTION: &'static str = "ec2:CreateSecurityGroup";

    on_group!();

    fn describe(&self) -> String {
        format!("recreate security group {} (it gets a new id)", self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let group = &self.group;
        let net = network(inv, &group.region)?;
        if net.group(&group.vpc_id, &group.group_name).is_some() {
            return Err(ApplyError::Exists(format!("security group {group}")));
        }
        net.security_groups.push(SecurityGroup {
            // AWS gives the id; until it does, the model names the group.
            id: format!("(new:{})", group.group_name),
            name: group.group_name.clone(),
            vpc_id: group.vpc_id.clone(),
            description: self.description.clone(),
            ingress: vec![],
            egress: vec![default_egress()],
            tags: self.tags.clone(),
        });
        // In the order DescribeSecurityGroups is read in (see the collector).
        net.security_groups
            .sort_by(|a, b| (&a.vpc_id, &a.name, &a.id).cmp(&(&b.vpc_id, &b.name, &b.id)));
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteSecurityGroup {
                group: self.group.clone(),
            }
            .into(),
        ])
    }
}

/// ec2:DeleteSecurityGroup. Its inverse, computed before it, recreates the
/// group with its description, tags and every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSecurityGroup {
    #[serde(flatten)]
    pub group: SgKey,
}

impl OpKind for DeleteSecurityGroup {
    const ACTION: &'static str = "ec2:DeleteSecurityGroup";

    on_group!();

    fn describe(&self) -> String {
        format!("delete security group {}", self.group)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let group = &self.group;
        let net = network(inv, &group.region)?;
        let g = net
            .group(&group.vpc_id, &group.group_name)
            .ok_or_else(|| ApplyError::NoSuch(format!("security group {group}")))?;
        if g.is_default() {
            return Err(ApplyError::Conflict(format!(
                "the default security group {group} cannot be deleted"
            )));
        }
        let id = g.id.clone();
        if net.used_by_interfaces().contains(id.as_str())
            || net.referenced_by_others().contains(id.as_str())
        {
            return Err(ApplyError::Conflict(format!(
                "security group {group} is in use (DependencyViolation)"
            )));
        }
        net.security_groups.retain(|g| g.id != id);
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let g = group_before(before, &self.group)?;
        // A rule that refers to the group itself would name an id
        // that no longer exists once the group is recreated.
        if g.refers_to_itself() {
            return None;
        }
        Some(recreate(&self.group, g))
    }
}

/// ec2:CreateTags on a security group (sets or overwrites these keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSecurityGroup {
    #[serde(flatten)]
    pub group: SgKey,
    pub tags: BTreeMap<String, String>,
}

impl OpKind for TagSecurityGroup {
    const ACTION: &'static str = "ec2:CreateTags";

    on_group!();

    fn describe(&self) -> String {
        let t: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("tag security group {} with {}", self.group, t.join(", "))
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let g = group_mut(inv, &self.group)?;
        for (k, v) in &self.tags {
            g.tags.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let g = group_before(before, &self.group)?;
        let mut restore = BTreeMap::new();
        let mut remove = vec![];
        for key in self.tags.keys() {
            match g.tags.get(key) {
                Some(v) => {
                    restore.insert(key.clone(), v.clone());
                }
                None => remove.push(key.clone()),
            }
        }
        let mut out = vec![];
        if !remove.is_empty() {
            out.push(
                UntagSecurityGroup {
                    group: self.group.clone(),
                    keys: remove,
                }
                .into(),
            );
        }
        out.extend(tag_again(&self.group, restore));
        Some(out)
    }
}

/// ec2:DeleteTags on a security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntagSecurityGroup {
    #[serde(flatten)]
    pub group: SgKey,
    pub keys: Vec<String>,
}

impl OpKind for UntagSecurityGroup {
    const ACTION: &'static str = "ec2:DeleteTags";

    on_group!();

    fn describe(&self) -> String {
        format!(
            "remove tag(s) {} from security group {}",
            self.keys.join(", "),
            self.group
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let g = group_mut(inv, &self.group)?;
        // DeleteTags of a key that is not there succeeds, as in AWS.
        for k in &self.keys {
            g.tags.remove(k);
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let g = group_before(before, &self.group)?;
        let restore: BTreeMap<String, String> = self
            .keys
            .iter()
            .filter_map(|key| g.tags.get(key).map(|v| (key.clone(), v.clone())))
            .collect();
        Some(tag_again(&self.group, restore).into_iter().collect())
    }
}

/// The op that sets the tags `restore` on the group `k` again (none when empty).
fn tag_again(k: &SgKey, restore: BTreeMap<String, String>) -> Option<Op> {
    (!restore.is_empty()).then(|| {
        TagSecurityGroup {
            group: k.clone(),
            tags: restore,
        }
        .into()
    })
}

/// ec2:ModifyImageAttribute: add (`public: true`) or remove the launch
/// permission of the group `all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyImageAttribute {
    pub region: String,
    pub image_id: String,
    pub public: bool,
}

impl OpKind for ModifyImageAttribute {
    const ACTION: &'static str = "ec2:ModifyImageAttribute";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Ec2(Ec2Ref::Image {
            region: self.region.clone(),
            id: self.image_id.clone(),
        })
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let (region, image_id) = (&self.region, &self.image_id);
        if self.public {
            format!("make image {image_id} ({region}) public again: launch permission for all")
        } else {
            format!("make image {image_id} ({region}) private: remove launch permission for all")
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (region, image_id) = (&self.region, &self.image_id);
        let part = inv
            .ec2_images
            .ready_mut()
            .ok_or(ApplyError::NotReady("EC2 images"))?;
        let img = part
            .ready_mut(region)
            .and_then(|x| x.images.iter_mut().find(|i| &i.id == image_id))
            .ok_or_else(|| ApplyError::NoSuch(format!("image {image_id} in {region}")))?;
        img.public = self.public;
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let img = before
            .ec2_images
            .ready()?
            .ready(&self.region)?
            .images
            .iter()
            .find(|i| i.id == self.image_id)?;
        Some(vec![
            ModifyImageAttribute {
                region: self.region.clone(),
                image_id: self.image_id.clone(),
                public: img.public,
            }
            .into(),
        ])
    }
}

/// ec2:ModifyInstanceMetadataOptions HttpTokens (`required` or `optional`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyInstanceMetadataOptions {
    pub region: String,
    pub instance_id: String,
    pub http_tokens: String,
}

impl OpKind for ModifyInstanceMetadataOptions {
    const ACTION: &'static str = "ec2:ModifyInstanceMetadataOptions";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Ec2(Ec2Ref::Instance {
            region: self.region.clone(),
            id: self.instance_id.clone(),
        })
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let (region, instance_id, http_tokens) =
            (&self.region, &self.instance_id, &self.http_tokens);
        format!(
            "set instance {instance_id} ({region}) metadata tokens to {http_tokens}{}",
            if http_tokens == "required" {
                " (IMDSv2 only)"
            } else {
                ""
            }
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (region, instance_id) = (&self.region, &self.instance_id);
        let part = inv
            .ec2_instances
            .ready_mut()
            .ok_or(ApplyError::NotReady("EC2 instances"))?;
        let i = part
            .ready_mut(region)
            .and_then(|x| x.instances.iter_mut().find(|i| &i.id == instance_id))
            .ok_or_else(|| ApplyError::NoSuch(format!("instance {instance_id} in {region}")))?;
        i.http_tokens = self.http_tokens.clone();
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let i = before
            .ec2_instances
            .ready()?
            .ready(&self.region)?
            .instances
            .iter()
            .find(|i| i.id == self.instance_id)?;
        Some(vec![
            ModifyInstanceMetadataOptions {
                region: self.region.clone(),
                instance_id: self.instance_id.clone(),
                http_tokens: i.http_tokens.clone(),
            }
            .into(),
        ])
    }
}

/// The ops that recreate `g` as it is: the group with its description and
/// tags, then its egress rules (AWS adds "all traffic out" to a new group:
/// removed when `g` did not have it), then its ingress rules.
pub fn recreate(k: &SgKey, g: &SecurityGroup) -> Vec<Op> {
    let mut ops: Vec<Op> = vec![
        CreateSecurityGroup {
            group: k.clone(),
            description: g.description.clone(),
            tags: g.tags.clone(),
        }
        .into(),
    ];
    let auto = default_egress();
    let keeps_auto = g.egress.iter().any(|r| r.same_permission(&auto));
    if !keeps_auto {
        ops.push(
            RevokeSecurityGroupEgress {
                group: k.clone(),
                rules: vec![auto.clone()],
            }
            .into(),
        );
    }
    // The automatic rule comes back without a description: set it as it was.
    let egress: Vec<SgRule> = g
        .egress
        .iter()
        .filter(|r| !r.same_permission(&auto) || r.description.is_some())
        .cloned()
        .collect();
    if keeps_auto && egress.iter().any(|r| r.same_permission(&auto)) {
        ops.push(
            RevokeSecurityGroupEgress {
                group: k.clone(),
                rules: vec![auto],
            }
            .into(),
        );
    }
    if !egress.is_empty() {
        ops.push(
            AuthorizeSecurityGroupEgress {
                group: k.clone(),
                rules: egress,
            }
            .into(),
        );
    }
    if !g.ingress.is_empty() {
        ops.push(
            AuthorizeSecurityGroupIngress {
                group: k.clone(),
                rules: g.ingress.clone(),
            }
            .into(),
        );
    }
    ops
}

/// The rules among `list` that `rules` name, as they were (with their
/// descriptions): what a revoke's undo authorizes again.
fn rules_as_before(list: &[SgRule], rules: &[SgRule]) -> Vec<SgRule> {
    rules
        .iter()
        .filter_map(|r| list.iter().find(|x| x.same_permission(r)).cloned())
        .collect()
}
