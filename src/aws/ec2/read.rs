//! EC2 (instances, AMIs, security groups, network interfaces): collectors of
//! its parts.
//!
//! Every region is read concurrently (the backend's semaphore bounds the
//! requests in flight); a region that fails (an opt-in region not enabled,
//! AuthFailure, AccessDenied) is recorded as that region's error and does not
//! fail the others. Every list call is paginated with the largest page the
//! API allows, so a region with 500 groups costs one request per list, not
//! one per group.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{
    ByRegion, Ec2Image, Ec2Images, Ec2Instance, Ec2Instances, Ec2Network, Fetched, ImageOrigin,
    NetworkInterface, SecurityGroup, SgKey, SgRule, SgSource,
};
use aws_sdk_ec2::types::Tag;
use aws_sdk_ec2::types::{Filter, IpPermission};
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

/// An EC2 list filter.
pub(crate) fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The error code of a group that is not there (deleted meanwhile).
const NO_SUCH_GROUP: &str = "InvalidGroup.NotFound";

pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

pub(crate) fn name_tag(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl AwsBackend {
    /// Read every covered region concurrently with `read`.
    pub(crate) async fn per_region_part<'a, T, F, Fut>(
        &'a self,
        read: F,
    ) -> Result<ByRegion<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CallError>> + 'a,
    {
        let mut out = ByRegion::default();
        let mut first_error: Option<CallError> = None;
        let mut all_same = true;
        for (region, r) in self.by_region(read).await? {
            if let Fetched::Error(e) = &r {
                match &first_error {
                    None => first_error = Some(e.clone()),
                    Some(f) => all_same &= f.code == e.code && f.action == e.action,
                }
            } else {
                all_same = false;
            }
            out.regions.insert(region, r);
        }
        // Every region refused alike (a missing permission, a dead endpoint):
        // one error for the part says it once.
        if all_same && let Some(e) = first_error {
            return Err(e);
        }
        Ok(out)
    }

    /// Run `read` for every region concurrently; a region's failure is kept
    /// as that region's error.
    async fn per_region<'a, T, F, Fut>(&'a self, read: F) -> Result<ByRegion<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, CallError>> + 'a,
    {
        let mut out = ByRegion::default();
        for (region, r) in self.by_region(read).await? {
            if let Fetched::Error(e) = &r {
                tracing::warn!(region = %region, "ec2 region failed: {}", e.summary());
            }
            out.regions.insert(region, r);
        }
        Ok(out)
    }

    pub(crate) async fn collect_ec2_network(&self) -> Result<ByRegion<Ec2Network>, CallError> {
        self.per_region(|region| async move { self.read_network(&region).await })
            .await
    }

    pub(crate) async fn collect_ec2_instances(&self) -> Result<ByRegion<Ec2Instances>, CallError> {
        self.per_region(|region| async move { self.read_instances(&region).await })
            .await
    }

    pub(crate) async fn collect_ec2_images(&self) -> Result<ByRegion<Ec2Images>, CallError> {
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
        let req = ec2
            .describe_security_groups()
            .set_filters((!filters.is_empty()).then_some(filters));
        // MaxResults cannot be combined with group ids, only with filters.
        let req = req.max_results(PAGE);
        let pages = req.into_paginator().send().try_collect();
        let pages = self.send(DESCRIBE_SGS, pages).await?;
        let mut out: Vec<SecurityGroup> = pages
            .iter()
            .flat_map(|page| page.security_groups())
            .map(group_from)
            .collect();
        out.sort_by(|a, b| (&a.vpc_id, &a.name, &a.id).cmp(&(&b.vpc_id, &b.name, &b.id)));
        Ok(out)
    }

    async fn interfaces(&self, region: &str) -> Result<Vec<NetworkInterface>, CallError> {
        let ec2 = self.ec2(region);
        let mut out = vec![];
        let req = ec2.describe_network_interfaces().max_results(PAGE);
        let pages = req.into_paginator().send().try_collect();
        for page in self.send(DESCRIBE_ENIS, pages).await? {
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
                    instance_id: n
                        .attachment()
                        .and_then(|a| a.instance_id())
                        .map(str::to_string),
                    interface_type: n.interface_type().map(|t| t.as_str().to_string()),
                    requester_id: n.requester_id().map(str::to_string),
                    requester_managed: n.requester_managed().unwrap_or(false),
                }
            }));
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    async fn read_instances(&self, region: &str) -> Result<Ec2Instances, CallError> {
        let ec2 = self.ec2(region);
        let mut instances = vec![];
        let req = ec2.describe_instances().max_results(PAGE);
        let pages = req.into_paginator().send().try_collect();
        for page in self.send(DESCRIBE_INSTANCES, pages).await? {
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
        let chunks = self
            .join_bounded(ids.chunks(IMAGE_IDS_PER_REQUEST).map(|chunk| {
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
        let req = ec2
            .describe_images()
            .set_owners(owner.map(|o| vec![o.to_string()]))
            .set_filters(filter.map(|f| vec![f]))
            .max_results(PAGE);
        let pages = req.into_paginator().send().try_collect();
        let pages = self.send(DESCRIBE_IMAGES, pages).await?;
        Ok(pages
            .iter()
            .flat_map(|page| page.images())
            .cloned()
            .collect())
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
    pub(crate) async fn group_id(&self, action: &str, k: &SgKey) -> Result<String, CallError> {
        self.group(action, k).await.map(|g| g.id)
    }

    /// The group named `k` as DescribeSecurityGroups shows it now.
    pub(crate) async fn group(&self, action: &str, k: &SgKey) -> Result<SecurityGroup, CallError> {
        self.find_group(k).await?.ok_or_else(|| {
            CallError::new(
                action,
                Some(NO_SUCH_GROUP.to_string()),
                format!("there is no security group {k}"),
            )
        })
    }

    /// The group named `k`, if there is one.
    pub(crate) async fn find_group(&self, k: &SgKey) -> Result<Option<SecurityGroup>, CallError> {
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
}

/// AWS spells protocols by name when it knows them.
pub(crate) fn protocol_name(p: &str) -> String {
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
pub(crate) fn rules_from(perms: &[IpPermission]) -> Vec<SgRule> {
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
