//! EC2's SDK calls: the requests each op sends. A security group is named
//! by region, VPC and name: its id is looked up right before each call.

use super::ops::{
    AuthorizeSecurityGroupEgress, AuthorizeSecurityGroupIngress, CreateSecurityGroup,
    DeleteSecurityGroup, ModifyImageAttribute, ModifyInstanceMetadataOptions,
    RevokeSecurityGroupEgress, RevokeSecurityGroupIngress, TagSecurityGroup, UntagSecurityGroup,
};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::ec2::read::{protocol_name, rules_from};
use crate::aws::inventory::{SecurityGroup, SgKey, SgRule, SgSource};
use crate::aws::op::{Op, OpKind};
use aws_sdk_ec2::types::{
    HttpTokensState, IpPermission, IpRange, Ipv6Range, LaunchPermission,
    LaunchPermissionModifications, PermissionGroup, PrefixListId, ResourceType, Tag,
    TagSpecification, UserIdGroupPair,
};
use std::collections::BTreeMap;

/// The rule ops: each sends its side of the group (ingress, or egress)
/// through the request its kind shares with the other side.
macro_rules! rule_ops {
    ($($op:ident => $send:ident($egress:literal)),* $(,)?) => {$(
        impl SendOp for $op {
            async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
                let sent = Rules {
                    action: Self::ACTION,
                    group: &self.group,
                    rules: &self.rules,
                    egress: $egress,
                };
                aws.$send(sent).await
            }
        }
    )*};
}

rule_ops! {
    AuthorizeSecurityGroupIngress => authorize(false),
    RevokeSecurityGroupIngress => revoke(false),
    AuthorizeSecurityGroupEgress => authorize(true),
    RevokeSecurityGroupEgress => revoke(true),
}

impl SendOp for CreateSecurityGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (action, group) = (Self::ACTION, &self.group);
        let mut req = aws
            .ec2(&group.region)
            .create_security_group()
            .group_name(&group.group_name)
            .vpc_id(&group.vpc_id)
            .description(&self.description);
        if !self.tags.is_empty() {
            req = req.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::SecurityGroup)
                    .set_tags(Some(sdk_tags(&self.tags)))
                    .build(),
            );
        }
        let out = aws.send_write(action, req.send()).await?;
        tracing::info!(
            group = %group,
            id = out.group_id().unwrap_or_default(),
            "recreated security group under a new id"
        );
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteSecurityGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (action, group) = (Self::ACTION, &self.group);
        let id = aws.group_id(action, group).await?;
        let req = aws.ec2(&group.region).delete_security_group().group_id(id);
        aws.write(action, req.send()).await
    }
}

impl SendOp for TagSecurityGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (action, group) = (Self::ACTION, &self.group);
        let id = aws.group_id(action, group).await?;
        let req = aws
            .ec2(&group.region)
            .create_tags()
            .resources(id)
            .set_tags(Some(sdk_tags(&self.tags)));
        aws.write(action, req.send()).await
    }
}

impl SendOp for UntagSecurityGroup {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (action, group) = (Self::ACTION, &self.group);
        let id = aws.group_id(action, group).await?;
        let tags = self
            .keys
            .iter()
            .map(|k| Tag::builder().key(k).build())
            .collect();
        let req = aws
            .ec2(&group.region)
            .delete_tags()
            .resources(id)
            .set_tags(Some(tags));
        aws.write(action, req.send()).await
    }
}

impl SendOp for ModifyImageAttribute {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let all = LaunchPermission::builder()
            .group(PermissionGroup::All)
            .build();
        let change = if self.public {
            LaunchPermissionModifications::builder().add(all)
        } else {
            LaunchPermissionModifications::builder().remove(all)
        };
        let req = aws
            .ec2(&self.region)
            .modify_image_attribute()
            .image_id(&self.image_id)
            .launch_permission(change.build());
        aws.write(Self::ACTION, req.send()).await
    }
}

impl SendOp for ModifyInstanceMetadataOptions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let req = aws
            .ec2(&self.region)
            .modify_instance_metadata_options()
            .instance_id(&self.instance_id)
            .http_tokens(HttpTokensState::from(self.http_tokens.as_str()));
        aws.write(Self::ACTION, req.send()).await
    }
}

impl AwsBackend {
    /// AuthorizeSecurityGroupIngress or AuthorizeSecurityGroupEgress (when
    /// `egress`): `rules` added to the group, looked up by name first.
    async fn authorize(&self, sent: Rules<'_>) -> Result<Outcome, CallError> {
        let (action, egress) = (sent.action, sent.egress);
        let id = self.group_id(action, sent.group).await?;
        let ec2 = self.ec2(&sent.group.region);
        let permissions = Some(permissions(sent.rules));
        if egress {
            let req = ec2.authorize_security_group_egress().group_id(id);
            let req = req.set_ip_permissions(permissions);
            self.send_write(action, req.send()).await?;
        } else {
            let req = ec2.authorize_security_group_ingress().group_id(id);
            let req = req.set_ip_permissions(permissions);
            self.send_write(action, req.send()).await?;
        }
        Ok(Outcome::default())
    }

    /// RevokeSecurityGroupIngress or RevokeSecurityGroupEgress (when
    /// `egress`), narrowed to the rules AWS really revoked.
    async fn revoke(&self, sent: Rules<'_>) -> Result<Outcome, CallError> {
        let Rules {
            action,
            group,
            rules,
            egress,
        } = sent;
        // The group as it is right before the revoke: only rules it
        // shows can be revoked by moat (and restored by undo).
        let before = self.group(action, group).await?;
        let ec2 = self.ec2(&group.region);
        let permissions = Some(permissions(rules));
        let unknown = if egress {
            let req = ec2.revoke_security_group_egress().group_id(&before.id);
            let req = req.set_ip_permissions(permissions);
            let out = self.send_write(action, req.send()).await?;
            unmatched(action, out.r#return(), out.unknown_ip_permissions())?
        } else {
            let req = ec2.revoke_security_group_ingress().group_id(&before.id);
            let req = req.set_ip_permissions(permissions);
            let out = self.send_write(action, req.send()).await?;
            unmatched(action, out.r#return(), out.unknown_ip_permissions())?
        };
        let sent = Revoke {
            action,
            group,
            before: &before,
            rules,
            egress,
        };
        self.partly_revoked(sent, &unknown).await
    }

    /// A revoke AWS accepted: which of the rules sent it really revoked. In
    /// a default VPC, rules that match no rule of the group are not an
    /// error: AWS answers `Return=true` and lists them in
    /// `UnknownIpPermissions` (RevokeSecurityGroupIngress / Egress, EC2 API
    /// reference), possibly "in a different format from the request
    /// parameter", and revokes the others. The op is narrowed to the rules
    /// moat knows it revoked, so the journal (and undo) holds exactly those:
    /// a rule the group showed right before the revoke, that AWS did not
    /// list as unknown (in either spelling): AWS revoked it. The group is
    /// re-read until it stops showing those rules (EC2 is eventually
    /// consistent) only to word the warning: a rule a lagging read still
    /// shows is named, and still journaled as revoked, so undo restores it.
    /// A rule listed as unknown, or missing before the revoke, was not
    /// revoked and is never added back. Nothing revoked is a failure.
    async fn partly_revoked(
        &self,
        sent: Revoke<'_>,
        unknown: &[SgRule],
    ) -> Result<Outcome, CallError> {
        if unknown.is_empty() {
            return Ok(Outcome::default());
        }
        let Revoke {
            action,
            group,
            before,
            rules,
            egress,
        } = sent;
        let side = |g: &SecurityGroup| -> Vec<SgRule> {
            if egress {
                g.egress.clone()
            } else {
                g.ingress.clone()
            }
        };
        let shows = |rules: &[SgRule], r: &SgRule| rules.iter().any(|x| same_rule(x, r));
        let had = side(before);
        let listed = |r: &SgRule| unknown.iter().any(|u| same_rule(u, r));
        // The rules AWS says it revoked: the group must stop showing them.
        let claimed: Vec<SgRule> = rules
            .iter()
            .filter(|r| shows(&had, r) && !listed(r))
            .cloned()
            .collect();
        let live = self.settled_group(group, egress, &claimed).await;
        let now = match &live {
            Ok(Some(g)) => Some(side(g)),
            _ => None,
        };
        let state = |r: &SgRule| {
            let key = match (&live, &now) {
                (Ok(Some(_)), Some(rules)) if shows(rules, r) => "rule_in_group",
                (Ok(Some(_)), _) => "rule_not_in_group",
                (Ok(None), _) => "group_gone",
                (Err(_), _) => "group_unreadable",
            };
            msg(key, &[])
        };
        let mut revoked = vec![];
        let mut not_revoked = vec![];
        let mut uncertain = vec![];
        for r in rules {
            let rule = rule_label(r);
            if listed(r) {
                not_revoked.push(msg(
                    "revoke_unmatched",
                    &[("rule", &rule), ("state", &state(r))],
                ));
            } else if !shows(&had, r) {
                not_revoked.push(msg("revoke_absent", &[("rule", &rule)]));
            } else {
                // AWS's answer is authoritative: it revoked every rule it
                // did not list. A re-read that still shows one only lags
                // (eventual consistency); it is named, and undo restores it.
                if now.as_ref().is_none_or(|rules| shows(rules, r)) {
                    uncertain.push(msg(
                        "revoke_uncertain",
                        &[("rule", &rule), ("state", &state(r))],
                    ));
                }
                revoked.push(r.clone());
            }
        }
        let group_name = group.to_string();
        let mut told = vec![];
        if !not_revoked.is_empty() {
            told.push(msg(
                "revoke_not_revoked",
                &[("rules", &not_revoked.join("; "))],
            ));
        }
        if !uncertain.is_empty() {
            told.push(msg(
                "revoke_not_sure",
                &[("rules", &uncertain.join("; ")), ("group", &group_name)],
            ));
        }
        if revoked.is_empty() {
            return Err(CallError::new(
                action,
                Some("UnknownIpPermissions".to_string()),
                msg("revoke_none", &[("told", &told.join(" "))]),
            ));
        }
        told.push(msg("revoke_others", &[]));
        let applied: Op = if egress {
            RevokeSecurityGroupEgress {
                group: group.clone(),
                rules: revoked,
            }
            .into()
        } else {
            RevokeSecurityGroupIngress {
                group: group.clone(),
                rules: revoked,
            }
            .into()
        };
        Ok(Outcome {
            applied: Some(applied),
            created: None,
            warning: Some(told.join(" ")),
        })
    }

    /// The group re-read after a revoke, until it settles (EC2 is eventually
    /// consistent: a read right after a change may not show it): read again,
    /// a bounded number of times, while a rule of `claimed` (revoked, says
    /// AWS) still shows.
    async fn settled_group(
        &self,
        group: &SgKey,
        egress: bool,
        claimed: &[SgRule],
    ) -> Result<Option<SecurityGroup>, CallError> {
        let rules_of = |g: &Result<Option<SecurityGroup>, CallError>| match g {
            Ok(Some(g)) => Some(if egress {
                g.egress.clone()
            } else {
                g.ingress.clone()
            }),
            _ => None,
        };
        let mut waits = SETTLE_WAITS.iter();
        loop {
            let read = self.find_group(group).await;
            let rules = rules_of(&read);
            let settled = match (&read, &rules) {
                (Ok(None), _) => true,
                (Ok(Some(_)), Some(now)) => {
                    !claimed.iter().any(|r| now.iter().any(|x| same_rule(x, r)))
                }
                _ => false,
            };
            if settled {
                return read;
            }
            match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => return read,
            }
        }
    }
}

/// How long to wait between reads of a group after a revoke (about 3.5 s
/// in all; AWS recommends describing again with a backoff).
const SETTLE_WAITS: [std::time::Duration; 4] = [
    std::time::Duration::from_millis(200),
    std::time::Duration::from_millis(400),
    std::time::Duration::from_millis(900),
    std::time::Duration::from_millis(2000),
];

/// The rules of one side of a group (ingress, or egress when `egress`) a
/// rule op sends.
struct Rules<'a> {
    action: &'static str,
    group: &'a SgKey,
    rules: &'a [SgRule],
    egress: bool,
}

/// A revoke AWS accepted, with the group as it was right before it.
struct Revoke<'a> {
    action: &'static str,
    group: &'a SgKey,
    before: &'a SecurityGroup,
    rules: &'a [SgRule],
    egress: bool,
}

/// A sentence of the apply and journal messages (`assets/guide`).
fn msg(key: &str, args: &[(&str, &str)]) -> String {
    crate::guide::msg("exec", key, args)
}

/// Do `a` and `b` name the same rule, however either is spelled (AWS may
/// answer a permission in another form than it was sent)?
fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    a.same_permission(b) || canonical_rule(a).same_permission(&canonical_rule(b))
}

/// One spelling of a rule: the protocol by name, no ports for all traffic,
/// an address range by its network address (IPv6 compressed, lower case),
/// ids in lower case.
fn canonical_rule(r: &SgRule) -> SgRule {
    let protocol = protocol_name(r.protocol.trim());
    let all = protocol == "-1";
    let source = match &r.source {
        SgSource::Ipv4(c) => SgSource::Ipv4(canonical_cidr(c)),
        SgSource::Ipv6(c) => SgSource::Ipv6(canonical_cidr(c)),
        SgSource::PrefixList(p) => SgSource::PrefixList(p.trim().to_ascii_lowercase()),
        SgSource::Group(g) => SgSource::Group(g.trim().to_ascii_lowercase()),
    };
    SgRule {
        protocol,
        from_port: if all { None } else { r.from_port },
        to_port: if all { None } else { r.to_port },
        source,
        description: None,
    }
}

/// An address range by its network address: `10.1.2.3/8` is `10.0.0.0/8`,
/// `2001:DB8:0:0::/32` is `2001:db8::/32`.
fn canonical_cidr(c: &str) -> String {
    let c = c.trim();
    let Some((addr, len)) = c.split_once('/') else {
        return c.to_ascii_lowercase();
    };
    let Ok(len) = len.parse::<u32>() else {
        return c.to_ascii_lowercase();
    };
    if let Ok(a) = addr.parse::<std::net::Ipv4Addr>()
        && len <= 32
    {
        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
        return format!("{}/{len}", std::net::Ipv4Addr::from(u32::from(a) & mask));
    }
    if let Ok(a) = addr.parse::<std::net::Ipv6Addr>()
        && len <= 128
    {
        let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
        return format!("{}/{len}", std::net::Ipv6Addr::from(u128::from(a) & mask));
    }
    c.to_ascii_lowercase()
}

/// A rule as the user reads it: `tcp port 22 from 0.0.0.0/0`.
fn rule_label(r: &SgRule) -> String {
    let source = match &r.source {
        SgSource::Ipv4(c) | SgSource::Ipv6(c) => c.as_str(),
        SgSource::PrefixList(p) => p.as_str(),
        SgSource::Group(g) => g.as_str(),
    };
    format!("{} from {source}", r.ports_label())
}

fn sdk_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Rules → IpPermissions, one per rule: each names exactly one range.
fn permissions(rules: &[SgRule]) -> Vec<IpPermission> {
    rules
        .iter()
        .map(|r| {
            let desc = r.description.clone();
            let mut p = IpPermission::builder()
                .ip_protocol(&r.protocol)
                .set_from_port(r.from_port)
                .set_to_port(r.to_port);
            p = match &r.source {
                SgSource::Ipv4(c) => {
                    p.ip_ranges(IpRange::builder().cidr_ip(c).set_description(desc).build())
                }
                SgSource::Ipv6(c) => p.ipv6_ranges(
                    Ipv6Range::builder()
                        .cidr_ipv6(c)
                        .set_description(desc)
                        .build(),
                ),
                SgSource::PrefixList(id) => p.prefix_list_ids(
                    PrefixListId::builder()
                        .prefix_list_id(id)
                        .set_description(desc)
                        .build(),
                ),
                SgSource::Group(id) => p.user_id_group_pairs(
                    UserIdGroupPair::builder()
                        .group_id(id)
                        .set_description(desc)
                        .build(),
                ),
            };
            p.build()
        })
        .collect()
}

/// The rules a revoke AWS accepted did not match: `UnknownIpPermissions`,
/// one rule per source. `Return=false` without them is refused outright.
fn unmatched(
    action: &str,
    returned: Option<bool>,
    unknown: &[aws_sdk_ec2::types::IpPermission],
) -> Result<Vec<SgRule>, CallError> {
    if unknown.is_empty() && returned == Some(false) {
        return Err(CallError::new(
            action,
            Some("InvalidPermission.NotFound".to_string()),
            "AWS answered that the revoke did not succeed".to_string(),
        ));
    }
    Ok(rules_from(unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: &str, port: Option<i32>, source: SgSource) -> SgRule {
        SgRule {
            protocol: protocol.into(),
            from_port: port,
            to_port: port,
            source,
            description: None,
        }
    }

    /// Every sentence a partly matched revoke reports is in the guide's
    /// messages (assets/guide/exec.messages.toml), not in the code.
    #[test]
    fn revoke_sentences_come_from_the_guide() {
        for key in [
            "rule_in_group",
            "rule_not_in_group",
            "group_gone",
            "group_unreadable",
            "revoke_unmatched",
            "revoke_absent",
            "revoke_uncertain",
            "revoke_not_revoked",
            "revoke_not_sure",
            "revoke_others",
            "revoke_none",
        ] {
            assert!(
                crate::guide::guide().template("exec", key).is_some(),
                "exec.{key} is missing"
            );
        }
        let told = msg(
            "revoke_unmatched",
            &[("rule", "tcp 22 from 0.0.0.0/0"), ("state", "x")],
        );
        assert!(
            told.contains("tcp 22 from 0.0.0.0/0") && !told.contains('{'),
            "{told}"
        );
    }

    /// AWS may answer an unknown permission in another spelling than it
    /// was sent: the protocol by number, a range with host bits, an IPv6
    /// range written out in full. Each still names the rule sent, and no
    /// other.
    #[test]
    fn a_rule_matches_itself_in_another_spelling_only() {
        let v4 = |c: &str| SgSource::Ipv4(c.into());
        let v6 = |c: &str| SgSource::Ipv6(c.into());
        let sent = rule("tcp", Some(22), v4("0.0.0.0/0"));
        assert!(same_rule(&rule("6", Some(22), v4("0.0.0.1/0")), &sent));
        assert!(same_rule(&rule("TCP", Some(22), v4("0.0.0.0/0")), &sent));
        assert!(!same_rule(&rule("tcp", Some(23), v4("0.0.0.0/0")), &sent));
        assert!(!same_rule(&rule("udp", Some(22), v4("0.0.0.0/0")), &sent));
        assert!(!same_rule(&rule("tcp", Some(22), v4("0.0.0.0/1")), &sent));
        let sent = rule("tcp", Some(443), v4("10.0.0.0/8"));
        assert!(same_rule(&rule("tcp", Some(443), v4("10.1.2.3/8")), &sent));
        assert!(!same_rule(&rule("tcp", Some(443), v4("11.0.0.0/8")), &sent));
        let sent = rule("tcp", Some(443), v6("2001:db8::/32"));
        assert!(same_rule(
            &rule(
                "6",
                Some(443),
                v6("2001:0DB8:0000:0000:0000:0000:0000:0000/32")
            ),
            &sent
        ));
        assert!(!same_rule(
            &rule("tcp", Some(443), v6("2001:db9::/32")),
            &sent
        ));
        let all = rule("-1", None, v4("0.0.0.0/0"));
        assert!(same_rule(&rule("all", Some(-1), v4("0.0.0.0/0")), &all));
        let pl = rule("tcp", Some(22), SgSource::PrefixList("pl-0abc".into()));
        assert!(same_rule(
            &rule("tcp", Some(22), SgSource::PrefixList("PL-0ABC".into())),
            &pl
        ));
        assert_eq!(canonical_cidr("not a range"), "not a range");
        assert_eq!(canonical_cidr("10.0.0.0/33"), "10.0.0.0/33");
    }

    #[test]
    fn permissions_split_into_one_rule_per_source_and_back() {
        let p = IpPermission::builder()
            .ip_protocol("6")
            .from_port(22)
            .to_port(22)
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip("0.0.0.0/0")
                    .description("ssh")
                    .build(),
            )
            .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
            .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").build())
            .build();
        let all = IpPermission::builder()
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        let rules = rules_from(&[p, all]);
        assert_eq!(rules.len(), 5);
        assert!(
            rules
                .iter()
                .all(|r| r.protocol == "tcp" || r.protocol == "-1")
        );
        let everything = rules.iter().find(|r| r.protocol == "-1").expect("all");
        assert_eq!((everything.from_port, everything.to_port), (None, None));
        let ssh = rules
            .iter()
            .find(|r| r.source == SgSource::Ipv4("0.0.0.0/0".into()) && r.protocol == "tcp")
            .expect("ssh");
        assert_eq!(ssh.description.as_deref(), Some("ssh"));
        // Back to one permission per rule, each with exactly its range.
        let back = permissions(&rules);
        assert_eq!(back.len(), 5);
        assert_eq!(rules_from(&back), rules);
    }
}
