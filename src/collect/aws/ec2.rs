//! EC2 (instances, AMIs, security groups, network interfaces): collectors of
//! the group's parts and one SDK call per [`Ec2Op`].
//!
//! Every region is read concurrently (the backend's semaphore bounds the
//! requests in flight); a region that fails (an opt-in region not enabled,
//! AuthFailure, AccessDenied) is recorded as that region's error and does not
//! fail the others. Every list call is paginated with the largest page the
//! API allows, so a region with 500 groups costs one request per list, not
//! one per group.

use super::AwsBackend;
use super::error::CallError;
use crate::inventory::{
    Ec2Image, Ec2Images, Ec2Instance, Ec2Instances, Ec2Network, Ec2Regional, Fetched, ImageOrigin,
    NetworkInterface, SecurityGroup, SgKey, SgRule, SgSource,
};
use crate::plan::Ec2Op;
use aws_sdk_ec2::types::{
    Filter, HttpTokensState, IpPermission, IpRange, Ipv6Range, LaunchPermission,
    LaunchPermissionModifications, PermissionGroup, PrefixListId, ResourceType, Tag,
    TagSpecification, UserIdGroupPair,
};
use futures::future::join_all;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

const DESCRIBE_SGS: &str = "ec2:DescribeSecurityGroups";
const DESCRIBE_ENIS: &str = "ec2:DescribeNetworkInterfaces";
const DESCRIBE_INSTANCES: &str = "ec2:DescribeInstances";
const DESCRIBE_IMAGES: &str = "ec2:DescribeImages";

/// The largest page DescribeSecurityGroups / DescribeNetworkInterfaces /
/// DescribeInstances / DescribeImages accept.
const PAGE: i32 = 1000;
/// Image ids per DescribeImages filter (the API's limit on filter values).
const IMAGE_IDS_PER_REQUEST: usize = 200;

/// The error code of a group that is not there (deleted meanwhile).
const NO_SUCH_GROUP: &str = "InvalidGroup.NotFound";

impl AwsBackend {
    /// The EC2 client of `region` (the ebs/vpc collectors use it too).
    pub(super) fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        self.client("ec2", region, |sdk, region, partition| {
            aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }

    /// Run `read` for every region concurrently; a region's failure is kept
    /// as that region's error.
    async fn per_region<'a, T, F, Fut>(&'a self, read: F) -> Result<Ec2Regional<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CallError>> + 'a,
    {
        let mut out = Ec2Regional::default();
        for (region, r) in self.by_region(read).await? {
            if let Fetched::Error(e) = &r {
                tracing::warn!(region = %region, "ec2 region failed: {}", e.summary());
            }
            out.regions.insert(region, r);
        }
        Ok(out)
    }

    pub(super) async fn collect_ec2_network(&self) -> Result<Ec2Regional<Ec2Network>, CallError> {
        self.per_region(|region| async move { self.read_network(&region).await })
            .await
    }

    pub(super) async fn collect_ec2_instances(
        &self,
    ) -> Result<Ec2Regional<Ec2Instances>, CallError> {
        self.per_region(|region| async move { self.read_instances(&region).await })
            .await
    }

    pub(super) async fn collect_ec2_images(&self) -> Result<Ec2Regional<Ec2Images>, CallError> {
        self.per_region(|region| async move { self.read_images(&region).await })
            .await
    }

    async fn read_network(&self, region: &str) -> Result<Ec2Network, CallError> {
        let (groups, interfaces) = futures::try_join!(
            self.security_groups(region, vec![]),
            self.interfaces(region)
        )?;
        Ok(Ec2Network {
            security_groups: groups,
            network_interfaces: interfaces,
        })
    }

    /// DescribeSecurityGroups, every page (`filters` narrow it, e.g. to one group).
    async fn security_groups(
        &self,
        region: &str,
        filters: Vec<Filter>,
    ) -> Result<Vec<SecurityGroup>, CallError> {
        let ec2 = self.ec2(region);
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let mut req = ec2
                .describe_security_groups()
                .set_next_token(token.clone())
                .set_filters((!filters.is_empty()).then(|| filters.clone()));
            // MaxResults cannot be combined with group ids, only with filters.
            req = req.max_results(PAGE);
            let page = self.send(DESCRIBE_SGS, req.send()).await?;
            out.extend(page.security_groups().iter().map(group_from));
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| (&a.vpc_id, &a.name, &a.id).cmp(&(&b.vpc_id, &b.name, &b.id)));
        Ok(out)
    }

    async fn interfaces(&self, region: &str) -> Result<Vec<NetworkInterface>, CallError> {
        let ec2 = self.ec2(region);
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let req = ec2
                .describe_network_interfaces()
                .set_next_token(token.clone())
                .max_results(PAGE);
            let page = self.send(DESCRIBE_ENIS, req.send()).await?;
            out.extend(page.network_interfaces().iter().map(|n| {
                let mut groups: Vec<String> = n
                    .groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_string))
                    .collect();
                groups.sort();
                NetworkInterface {
                    id: n.network_interface_id().unwrap_or_default().to_string(),
                    description: n.description().unwrap_or_default().to_string(),
                    groups,
                }
            }));
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn read_instances(&self, region: &str) -> Result<Ec2Instances, CallError> {
        let ec2 = self.ec2(region);
        let mut instances = vec![];
        let mut token: Option<String> = None;
        loop {
            let req = ec2
                .describe_instances()
                .set_next_token(token.clone())
                .max_results(PAGE);
            let page = self.send(DESCRIBE_INSTANCES, req.send()).await?;
            for r in page.reservations() {
                for i in r.instances() {
                    let state = i
                        .state()
                        .and_then(|s| s.name())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default();
                    // Terminated instances linger in the answer for a while.
                    if state == "terminated" || state == "shutting-down" {
                        continue;
                    }
                    let md = i.metadata_options();
                    instances.push(Ec2Instance {
                        id: i.instance_id().unwrap_or_default().to_string(),
                        name: i
                            .tags()
                            .iter()
                            .find(|t| t.key() == Some("Name"))
                            .and_then(|t| t.value())
                            .map(str::to_string),
                        image_id: i.image_id().unwrap_or_default().to_string(),
                        platform: i.platform().map(|p| p.as_str().to_lowercase()),
                        state,
                        http_tokens: md
                            .and_then(|m| m.http_tokens())
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_else(|| "optional".into()),
                        // Absent means the default: enabled.
                        http_endpoint: md
                            .and_then(|m| m.http_endpoint())
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_else(|| "enabled".into()),
                    });
                }
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => break,
            }
        }
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        let ids: BTreeSet<&str> = instances
            .iter()
            .map(|i| i.image_id.as_str())
            .filter(|i| !i.is_empty())
            .collect();
        let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
        // By filter, not ImageIds: an image that is gone is simply absent
        // instead of failing the whole request.
        let chunks = join_all(ids.chunks(IMAGE_IDS_PER_REQUEST).map(|chunk| {
            let filter = Filter::builder()
                .name("image-id")
                .set_values(Some(chunk.to_vec()))
                .build();
            self.images(region, None, Some(filter))
        }))
        .await;
        let mut images = BTreeMap::new();
        for chunk in chunks {
            for i in chunk? {
                let Some(id) = i.image_id() else { continue };
                images.insert(
                    id.to_string(),
                    ImageOrigin {
                        owner_id: i.owner_id().unwrap_or_default().to_string(),
                        owner_alias: i.image_owner_alias().map(str::to_string),
                        name: i.name().unwrap_or_default().to_string(),
                    },
                );
            }
        }
        Ok(Ec2Instances { instances, images })
    }

    /// DescribeImages, every page.
    async fn images(
        &self,
        region: &str,
        owner: Option<&str>,
        filter: Option<Filter>,
    ) -> Result<Vec<aws_sdk_ec2::types::Image>, CallError> {
        let ec2 = self.ec2(region);
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let req = ec2
                .describe_images()
                .set_owners(owner.map(|o| vec![o.to_string()]))
                .set_filters(filter.clone().map(|f| vec![f]))
                .set_next_token(token.clone())
                .max_results(PAGE);
            let page = self.send(DESCRIBE_IMAGES, req.send()).await?;
            out.extend(page.images().iter().cloned());
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn read_images(&self, region: &str) -> Result<Ec2Images, CallError> {
        // `Public` in the answer says whether the group all may launch it:
        // no DescribeImageAttribute per image.
        let mut images: Vec<Ec2Image> = self
            .images(region, Some("self"), None)
            .await?
            .iter()
            .map(|i| Ec2Image {
                id: i.image_id().unwrap_or_default().to_string(),
                name: i.name().unwrap_or_default().to_string(),
                public: i.public().unwrap_or(false),
            })
            .collect();
        images.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Ec2Images { images })
    }

    /// The id of the group named `k` now (ops name groups by VPC and name:
    /// undo may have recreated one under a new id).
    async fn group_id(&self, action: &str, k: &SgKey) -> Result<String, CallError> {
        self.group(action, k).await.map(|g| g.id)
    }

    /// The group named `k` as DescribeSecurityGroups shows it now.
    async fn group(&self, action: &str, k: &SgKey) -> Result<SecurityGroup, CallError> {
        self.find_group(k).await?.ok_or_else(|| {
            CallError::new(
                action,
                Some(NO_SUCH_GROUP.to_string()),
                format!("there is no security group {k}"),
            )
        })
    }

    /// The group named `k`, if there is one.
    async fn find_group(&self, k: &SgKey) -> Result<Option<SecurityGroup>, CallError> {
        let filters = vec![
            Filter::builder()
                .name("vpc-id")
                .values(k.vpc_id.clone())
                .build(),
            Filter::builder()
                .name("group-name")
                .values(k.group_name.clone())
                .build(),
        ];
        let groups = self.security_groups(&k.region, filters).await?;
        Ok(groups
            .into_iter()
            .find(|g| g.vpc_id == k.vpc_id && g.name == k.group_name))
    }

    /// Send one op of this group.
    pub(super) async fn apply_ec2(&self, op: &Ec2Op) -> Result<crate::collect::Outcome, CallError> {
        let action = op.action();
        match op {
            Ec2Op::AuthorizeSecurityGroupIngress { group, rules } => {
                let id = self.group_id(action, group).await?;
                let req = self
                    .ec2(&group.region)
                    .authorize_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(permissions(rules)));
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::RevokeSecurityGroupIngress { group, rules } => {
                // The group as it is right before the revoke: only rules it
                // shows can be revoked by moat (and restored by undo).
                let before = self.group(action, group).await?;
                let req = self
                    .ec2(&group.region)
                    .revoke_security_group_ingress()
                    .group_id(&before.id)
                    .set_ip_permissions(Some(permissions(rules)));
                let out = self.send_write(action, req.send()).await?;
                let unknown = unmatched(action, out.r#return(), out.unknown_ip_permissions())?;
                let sent = Revoke {
                    op,
                    group,
                    before: &before,
                    rules,
                    egress: false,
                };
                return self.partly_revoked(sent, &unknown).await;
            }
            Ec2Op::AuthorizeSecurityGroupEgress { group, rules } => {
                let id = self.group_id(action, group).await?;
                let req = self
                    .ec2(&group.region)
                    .authorize_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(permissions(rules)));
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::RevokeSecurityGroupEgress { group, rules } => {
                // The group as it is right before the revoke: only rules it
                // shows can be revoked by moat (and restored by undo).
                let before = self.group(action, group).await?;
                let req = self
                    .ec2(&group.region)
                    .revoke_security_group_egress()
                    .group_id(&before.id)
                    .set_ip_permissions(Some(permissions(rules)));
                let out = self.send_write(action, req.send()).await?;
                let unknown = unmatched(action, out.r#return(), out.unknown_ip_permissions())?;
                let sent = Revoke {
                    op,
                    group,
                    before: &before,
                    rules,
                    egress: true,
                };
                return self.partly_revoked(sent, &unknown).await;
            }
            Ec2Op::CreateSecurityGroup {
                group,
                description,
                tags,
            } => {
                let mut req = self
                    .ec2(&group.region)
                    .create_security_group()
                    .group_name(&group.group_name)
                    .vpc_id(&group.vpc_id)
                    .description(description);
                if !tags.is_empty() {
                    req = req.tag_specifications(
                        TagSpecification::builder()
                            .resource_type(ResourceType::SecurityGroup)
                            .set_tags(Some(sdk_tags(tags)))
                            .build(),
                    );
                }
                let out = self.send_write(action, req.send()).await?;
                tracing::info!(
                    group = %group,
                    id = out.group_id().unwrap_or_default(),
                    "recreated security group under a new id"
                );
            }
            Ec2Op::DeleteSecurityGroup { group } => {
                let id = self.group_id(action, group).await?;
                let req = self.ec2(&group.region).delete_security_group().group_id(id);
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::TagSecurityGroup { group, tags } => {
                let id = self.group_id(action, group).await?;
                let req = self
                    .ec2(&group.region)
                    .create_tags()
                    .resources(id)
                    .set_tags(Some(sdk_tags(tags)));
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::UntagSecurityGroup { group, keys } => {
                let id = self.group_id(action, group).await?;
                let tags = keys.iter().map(|k| Tag::builder().key(k).build()).collect();
                let req = self
                    .ec2(&group.region)
                    .delete_tags()
                    .resources(id)
                    .set_tags(Some(tags));
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::ModifyImageAttribute {
                region,
                image_id,
                public,
            } => {
                let all = LaunchPermission::builder()
                    .group(PermissionGroup::All)
                    .build();
                let change = if *public {
                    LaunchPermissionModifications::builder().add(all)
                } else {
                    LaunchPermissionModifications::builder().remove(all)
                };
                let req = self
                    .ec2(region)
                    .modify_image_attribute()
                    .image_id(image_id)
                    .launch_permission(change.build());
                self.send_write(action, req.send()).await?;
            }
            Ec2Op::ModifyInstanceMetadataOptions {
                region,
                instance_id,
                http_tokens,
            } => {
                let req = self
                    .ec2(region)
                    .modify_instance_metadata_options()
                    .instance_id(instance_id)
                    .http_tokens(HttpTokensState::from(http_tokens.as_str()));
                self.send_write(action, req.send()).await?;
            }
        }
        Ok(crate::collect::Outcome::default())
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
    ) -> Result<crate::collect::Outcome, CallError> {
        if unknown.is_empty() {
            return Ok(crate::collect::Outcome::default());
        }
        let Revoke {
            op,
            group,
            before,
            rules,
            egress,
        } = sent;
        let action = op.action();
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
        let applied = match op {
            Ec2Op::RevokeSecurityGroupEgress { .. } => Ec2Op::RevokeSecurityGroupEgress {
                group: group.clone(),
                rules: revoked,
            },
            _ => Ec2Op::RevokeSecurityGroupIngress {
                group: group.clone(),
                rules: revoked,
            },
        };
        Ok(crate::collect::Outcome {
            applied: Some(crate::plan::Op::Ec2(applied)),
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

/// A revoke AWS accepted, with the group as it was right before it.
struct Revoke<'a> {
    op: &'a Ec2Op,
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

/// AWS spells protocols by name when it knows them.
fn protocol_name(p: &str) -> String {
    match p {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        "all" => "-1",
        other => other,
    }
    .to_ascii_lowercase()
}

/// One AWS IpPermission → one rule per source.
fn rules_from(perms: &[IpPermission]) -> Vec<SgRule> {
    let mut out = vec![];
    for p in perms {
        let protocol = protocol_name(p.ip_protocol().unwrap_or("-1"));
        let all = protocol == "-1";
        let rule = |source: SgSource, description: Option<&str>| SgRule {
            protocol: protocol.clone(),
            from_port: if all { None } else { p.from_port() },
            to_port: if all { None } else { p.to_port() },
            source,
            description: description.filter(|d| !d.is_empty()).map(str::to_string),
        };
        for r in p.ip_ranges() {
            if let Some(c) = r.cidr_ip() {
                out.push(rule(SgSource::Ipv4(c.to_string()), r.description()));
            }
        }
        for r in p.ipv6_ranges() {
            if let Some(c) = r.cidr_ipv6() {
                out.push(rule(SgSource::Ipv6(c.to_string()), r.description()));
            }
        }
        for r in p.prefix_list_ids() {
            if let Some(id) = r.prefix_list_id() {
                out.push(rule(SgSource::PrefixList(id.to_string()), r.description()));
            }
        }
        for r in p.user_id_group_pairs() {
            if let Some(id) = r.group_id() {
                out.push(rule(SgSource::Group(id.to_string()), r.description()));
            }
        }
    }
    out.sort();
    out
}

fn group_from(g: &aws_sdk_ec2::types::SecurityGroup) -> SecurityGroup {
    SecurityGroup {
        id: g.group_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        vpc_id: g.vpc_id().unwrap_or_default().to_string(),
        description: g.description().unwrap_or_default().to_string(),
        ingress: rules_from(g.ip_permissions()),
        egress: rules_from(g.ip_permissions_egress()),
        tags: g
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
    }
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
