//! Seeds moto with resources that fail the EC2 section's items, for the tests
//! that cover every item (zero mutation, least-privilege IAM policy), and the
//! EC2 client the ec2 tests seed and read back with.

use aws_sdk_ec2::types::{
    Filter, IpPermission, IpRange, Ipv6Range, LaunchPermission, LaunchPermissionModifications,
    PermissionGroup, ResourceType, Tag, TagSpecification,
};

/// EC2 client for the emulator at `ep`, signing for `region` (one attempt).
pub fn ec2_client(ep: &str, region: &str) -> aws_sdk_ec2::Client {
    test_client!(aws_sdk_ec2, ep, region)
}

/// The default VPC of the region.
pub async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let vpcs = ec2
        .describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .send()
        .await
        .expect("vpcs");
    vpcs.vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .expect("default vpc")
        .to_string()
}

/// Adds `rule` to the default security group of the default VPC.
pub async fn allow_in_default_group(ec2: &aws_sdk_ec2::Client, rule: IpPermission) {
    let vpc = default_vpc(ec2).await;
    let default = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("default group");
    let id = default
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .expect("the default VPC's default group");
    ec2.authorize_security_group_ingress()
        .group_id(id)
        .ip_permissions(rule)
        .send()
        .await
        .expect("default group rule");
}

/// Runs one instance in security group `group`; its id.
pub async fn run_instance(ec2: &aws_sdk_ec2::Client, group: &str) -> String {
    let run = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .security_group_ids(group)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .expect("instance");
    run.instances()
        .first()
        .and_then(|i| i.instance_id())
        .expect("instance id")
        .to_string()
}

/// A TCP permission on one port from IPv4 and IPv6 blocks.
pub fn tcp(port: i32, v4: &[&str], v6: &[&str]) -> IpPermission {
    let mut p = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port);
    for c in v4 {
        p = p.ip_ranges(IpRange::builder().cidr_ip(*c).build());
    }
    for c in v6 {
        p = p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(*c).build());
    }
    p.build()
}

/// Create a group in the default VPC with `ingress` and `tags`; its id.
pub async fn create_group(
    ec2: &aws_sdk_ec2::Client,
    name: &str,
    description: &str,
    ingress: Vec<IpPermission>,
    tags: &[(&str, &str)],
) -> String {
    let vpc = default_vpc(ec2).await;
    let mut req = ec2
        .create_security_group()
        .group_name(name)
        .description(description)
        .vpc_id(vpc);
    if !tags.is_empty() {
        let mut spec = TagSpecification::builder().resource_type(ResourceType::SecurityGroup);
        for (k, v) in tags {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        req = req.tag_specifications(spec.build());
    }
    let id = req
        .send()
        .await
        .expect("create group")
        .group_id()
        .expect("group id")
        .to_string();
    if !ingress.is_empty() {
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(ingress))
            .send()
            .await
            .expect("authorize");
    }
    id
}

/// Create resources that fail (some of) this section's items, in us-east-1:
/// an unused, undocumented group with SSH open to the world, a default group
/// with a rule, an instance that accepts IMDSv1 in an undocumented group of
/// its own, and a public image made from the instance.
pub async fn seed_failing(ep: &str) {
    let ec2 = ec2_client(ep, "us-east-1");
    create_group(
        &ec2,
        "launch-wizard-1",
        "launch-wizard-1 created 2024-01-01T00:00:00.000Z",
        vec![tcp(22, &["0.0.0.0/0"], &["::/0"])],
        &[],
    )
    .await;
    allow_in_default_group(&ec2, tcp(443, &["10.0.0.0/8"], &[])).await;
    // Undocumented but in use (the instance below), so only
    // ec2.security-group-documentation touches it.
    let app = create_group(
        &ec2,
        "launch-wizard-2",
        "launch-wizard-2 created 2024-01-01T00:00:00.000Z",
        vec![tcp(443, &["10.0.0.0/8"], &[])],
        &[],
    )
    .await;
    let instance = run_instance(&ec2, &app).await;
    let image = ec2
        .create_image()
        .instance_id(&instance)
        .name("seeded-public-image")
        .send()
        .await
        .expect("image")
        .image_id()
        .expect("image id")
        .to_string();
    ec2.modify_image_attribute()
        .image_id(&image)
        .launch_permission(
            LaunchPermissionModifications::builder()
                .add(
                    LaunchPermission::builder()
                        .group(PermissionGroup::All)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("public image");
}
