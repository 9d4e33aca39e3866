//! Seeds moto with resources that fail the workloads group's items, for the tests
//! that cover every item (zero mutation, least-privilege IAM policy), and
//! the clients `tests/workloads_moto.rs` reads the results back with.

#![allow(dead_code)]

pub const ACCOUNT: &str = "123456789012";
/// A public, unencrypted MySQL instance.
pub const PUBLIC_DB: &str = "seeded-public-db";
/// A manual snapshot of it, restorable by everyone and by one partner account.
pub const PUBLIC_SNAPSHOT: &str = "seeded-public-snap";
/// A public cluster snapshot.
pub const PUBLIC_CLUSTER: &str = "seeded-cluster";
pub const PUBLIC_CLUSTER_SNAPSHOT: &str = "seeded-cluster-snap";
pub const PARTNER: &str = "444455556666";
/// A DB instance whose security group admits PostgreSQL from the internet.
pub const OPEN_DB: &str = "seeded-open-db";
/// Its group (in the default VPC).
pub const OPEN_DB_GROUP: &str = "seeded-db-open";
/// A user whose inline policy may change every zone's records.
pub const DNS_USER: &str = "dns-bot";
/// A public zone whose apex holds a verification token and no SPF or MX.
pub const ZONE: &str = "seeded-example.com";
pub const TOKEN: &str = "\"google-site-verification=seeded123\"";
/// An internet-facing ALB with an HTTP listener that forwards and an HTTPS
/// listener with an outdated policy.
pub const ALB: &str = "seeded-web";
pub const OLD_POLICY: &str = "ELBSecurityPolicy-2016-08";
/// An internet-facing Classic Load Balancer with HTTP:80 and HTTPS:443 on
/// an SSL negotiation policy that refers to an outdated predefined policy.
pub const CLASSIC: &str = "seeded-classic";

pub fn rds(ep: &str, region: &str) -> aws_sdk_rds::Client {
    test_client!(aws_sdk_rds, ep, region)
}
pub fn route53(ep: &str) -> aws_sdk_route53::Client {
    test_client!(aws_sdk_route53, ep, "us-east-1")
}
pub fn elbv2(ep: &str, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    test_client!(aws_sdk_elasticloadbalancingv2, ep, region)
}
pub fn elb(ep: &str, region: &str) -> aws_sdk_elasticloadbalancing::Client {
    test_client!(aws_sdk_elasticloadbalancing, ep, region)
}
pub fn ec2(ep: &str, region: &str) -> aws_sdk_ec2::Client {
    test_client!(aws_sdk_ec2, ep, region)
}
pub fn iam(ep: &str) -> aws_sdk_iam::Client {
    test_client!(aws_sdk_iam, ep, "us-east-1")
}
pub fn inspector(ep: &str, region: &str) -> aws_sdk_inspector2::Client {
    test_client!(aws_sdk_inspector2, ep, region)
}
pub fn wafv2(ep: &str, region: &str) -> aws_sdk_wafv2::Client {
    test_client!(aws_sdk_wafv2, ep, region)
}

/// A public, unencrypted DB instance named `id` in `region`.
pub async fn public_db(ep: &str, region: &str, id: &str) {
    rds(ep, region)
        .create_db_instance()
        .db_instance_identifier(id)
        .engine("mysql")
        .db_instance_class("db.t3.micro")
        .master_username("admin")
        .master_user_password("not-a-real-password-1")
        .allocated_storage(20)
        .publicly_accessible(true)
        .send()
        .await
        .expect("db instance");
}

/// [`OPEN_DB`] in [`OPEN_DB_GROUP`], which admits 5432 from 0.0.0.0/0 and
/// from 10.0.0.0/8. Returns the group's VPC.
pub async fn open_db(ep: &str, region: &str) -> String {
    use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
    let ec2 = ec2(ep, region);
    let vpc = ec2
        .describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .send()
        .await
        .expect("vpcs")
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id().map(str::to_string))
        .expect("default vpc");
    let sg = ec2
        .create_security_group()
        .group_name(OPEN_DB_GROUP)
        .description("PostgreSQL for the seeded app")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("db group")
        .group_id()
        .map(str::to_string)
        .expect("group id");
    let range = |c: &str| IpRange::builder().cidr_ip(c).build();
    ec2.authorize_security_group_ingress()
        .group_id(&sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .ip_ranges(range("0.0.0.0/0"))
                .ip_ranges(range("10.0.0.0/8"))
                .build(),
        )
        .send()
        .await
        .expect("db rule");
    rds(ep, region)
        .create_db_instance()
        .db_instance_identifier(OPEN_DB)
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .master_username("app")
        .master_user_password("not-a-real-password-1")
        .allocated_storage(20)
        .vpc_security_group_ids(&sg)
        .storage_encrypted(true)
        .send()
        .await
        .expect("db instance");
    vpc
}

/// [`DNS_USER`], whose inline policy may change any zone's records.
pub async fn dns_user(ep: &str) {
    let iam = iam(ep);
    iam.create_user()
        .user_name(DNS_USER)
        .send()
        .await
        .expect("user");
    iam.put_user_policy()
        .user_name(DNS_USER)
        .policy_name("manage-dns")
        .policy_document(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow",
                 "Action": ["route53:ChangeResourceRecordSets", "route53:List*"],
                 "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("policy");
}

/// The RDS resources: a public instance, a public snapshot shared with a
/// partner too, and a public cluster snapshot.
pub async fn seed_rds(ep: &str, region: &str) {
    public_db(ep, region, PUBLIC_DB).await;
    let rds = rds(ep, region);
    rds.create_db_snapshot()
        .db_instance_identifier(PUBLIC_DB)
        .db_snapshot_identifier(PUBLIC_SNAPSHOT)
        .send()
        .await
        .expect("snapshot");
    rds.modify_db_snapshot_attribute()
        .db_snapshot_identifier(PUBLIC_SNAPSHOT)
        .attribute_name("restore")
        .values_to_add("all")
        .values_to_add(PARTNER)
        .send()
        .await
        .expect("public snapshot");
    rds.create_db_cluster()
        .db_cluster_identifier(PUBLIC_CLUSTER)
        .engine("aurora-postgresql")
        .master_username("admin")
        .master_user_password("not-a-real-password-1")
        .send()
        .await
        .expect("cluster");
    rds.create_db_cluster_snapshot()
        .db_cluster_identifier(PUBLIC_CLUSTER)
        .db_cluster_snapshot_identifier(PUBLIC_CLUSTER_SNAPSHOT)
        .send()
        .await
        .expect("cluster snapshot");
    rds.modify_db_cluster_snapshot_attribute()
        .db_cluster_snapshot_identifier(PUBLIC_CLUSTER_SNAPSHOT)
        .attribute_name("restore")
        .values_to_add("all")
        .send()
        .await
        .expect("public cluster snapshot");
}

/// A public zone with a verification token at its apex; returns its id.
pub async fn seed_zone(ep: &str) -> String {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let r53 = route53(ep);
    let zone = r53
        .create_hosted_zone()
        .name(ZONE)
        .caller_reference("moat-seed")
        .send()
        .await
        .expect("zone");
    let id = zone
        .hosted_zone()
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
        .expect("zone id");
    let set = ResourceRecordSet::builder()
        .name(format!("{ZONE}."))
        .r#type(RrType::Txt)
        .ttl(600)
        .resource_records(ResourceRecord::builder().value(TOKEN).build().expect("rr"))
        .build()
        .expect("set");
    r53.change_resource_record_sets()
        .hosted_zone_id(&id)
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(set)
                        .build()
                        .expect("change"),
                )
                .build()
                .expect("batch"),
        )
        .send()
        .await
        .expect("token");
    id
}

/// An internet-facing ALB named `name` with HTTP:80 forwarding and
/// HTTPS:443 on an outdated policy; returns its ARN.
pub async fn seed_alb(ep: &str, region: &str, name: &str) -> String {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, Certificate, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
        ProtocolEnum,
    };
    let ec2 = ec2(ep, region);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc()
        .and_then(|v| v.vpc_id().map(str::to_string))
        .expect("vpc id");
    let mut subnets = vec![];
    for (i, az) in ["a", "b"].iter().enumerate() {
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.20.{i}.0/24"))
            .availability_zone(format!("{region}{az}"))
            .send()
            .await
            .expect("subnet");
        subnets.push(
            s.subnet()
                .and_then(|s| s.subnet_id().map(str::to_string))
                .expect("subnet id"),
        );
    }
    let sg = ec2
        .create_security_group()
        .group_name(format!("{name}-lb"))
        .description("load balancer")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("sg")
        .group_id()
        .map(str::to_string)
        .expect("sg id");
    // The listener ports, and a port no listener serves, open to the internet.
    for port in [80, 443, 8443] {
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(port)
                    .to_port(port)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("lb rule");
    }
    let cert = iam(ep)
        .upload_server_certificate()
        .server_certificate_name(format!("{name}-cert"))
        .certificate_body("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
        .private_key("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")
        .send()
        .await
        .expect("certificate")
        .server_certificate_metadata()
        .map(|m| m.arn().to_string())
        .expect("certificate arn");
    let elb = elbv2(ep, region);
    let lb = elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets))
        .security_groups(&sg)
        .scheme(LoadBalancerSchemeEnum::InternetFacing)
        .r#type(LoadBalancerTypeEnum::Application)
        .send()
        .await
        .expect("load balancer");
    let lb_arn = lb
        .load_balancers()
        .first()
        .and_then(|l| l.load_balancer_arn())
        .expect("lb arn")
        .to_string();
    let tg = elb
        .create_target_group()
        .name(format!("{name}-tg"))
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .send()
        .await
        .expect("target group")
        .target_groups()
        .first()
        .and_then(|t| t.target_group_arn())
        .expect("tg arn")
        .to_string();
    let forward = || {
        Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .target_group_arn(&tg)
            .build()
    };
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(forward())
        .send()
        .await
        .expect("http listener");
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .ssl_policy(OLD_POLICY)
        .certificates(Certificate::builder().certificate_arn(cert).build())
        .default_actions(forward())
        .send()
        .await
        .expect("https listener");
    lb_arn
}

/// A rule on the HTTP:80 listener of the ALB `lb_arn` (made by [`seed_alb`]
/// as `name`) that forwards /api/* to its target group; returns the
/// listener's ARN.
pub async fn forward_rule(ep: &str, region: &str, name: &str, lb_arn: &str) -> String {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, PathPatternConditionConfig, RuleCondition,
    };
    let elb = elbv2(ep, region);
    let listener = elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("listeners")
        .listeners()
        .iter()
        .find(|l| l.port() == Some(80))
        .and_then(|l| l.listener_arn())
        .expect("http listener")
        .to_string();
    let tg = elb
        .describe_target_groups()
        .names(format!("{name}-tg"))
        .send()
        .await
        .expect("target groups")
        .target_groups()
        .first()
        .and_then(|t| t.target_group_arn())
        .expect("tg arn")
        .to_string();
    elb.create_rule()
        .listener_arn(&listener)
        .priority(10)
        .conditions(
            RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    PathPatternConditionConfig::builder()
                        .values("/api/*")
                        .build(),
                )
                .build(),
        )
        .actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&tg)
                .build(),
        )
        .send()
        .await
        .expect("forward rule");
    listener
}

/// The Classic Load Balancer [`CLASSIC`] in `region`.
pub async fn seed_classic(ep: &str, region: &str) {
    use aws_sdk_elasticloadbalancing::types::{Listener, PolicyAttribute};
    let elb = elb(ep, region);
    let listener = |protocol: &str, port: i32, cert: Option<&str>| {
        Listener::builder()
            .protocol(protocol)
            .load_balancer_port(port)
            .instance_protocol("HTTP")
            .instance_port(8080)
            .set_ssl_certificate_id(cert.map(str::to_string))
            .build()
            .expect("listener")
    };
    elb.create_load_balancer()
        .load_balancer_name(CLASSIC)
        .listeners(listener("HTTP", 80, None))
        .listeners(listener(
            "HTTPS",
            443,
            Some("arn:aws:iam::123456789012:server-certificate/seeded-classic"),
        ))
        .availability_zones(format!("{region}a"))
        .scheme("internet-facing")
        .send()
        .await
        .expect("classic load balancer");
    elb.create_load_balancer_policy()
        .load_balancer_name(CLASSIC)
        .policy_name("seeded-old-tls")
        .policy_type_name("SSLNegotiationPolicyType")
        .policy_attributes(
            PolicyAttribute::builder()
                .attribute_name("Reference-Security-Policy")
                .attribute_value(OLD_POLICY)
                .build(),
        )
        .send()
        .await
        .expect("policy");
    elb.set_load_balancer_policies_of_listener()
        .load_balancer_name(CLASSIC)
        .load_balancer_port(443)
        .policy_names("seeded-old-tls")
        .send()
        .await
        .expect("listener policy");
}

/// Create resources that fail (some of) this group's items. Idempotent enough
/// to be called once per fresh moto. Inspector is off in a fresh moto, and
/// the ALB has no web ACL, so those items fail too.
pub async fn seed_failing(ep: &str) {
    seed_rds(ep, "us-east-1").await;
    open_db(ep, "us-east-1").await;
    seed_zone(ep).await;
    dns_user(ep).await;
    let alb = seed_alb(ep, "us-east-1", ALB).await;
    forward_rule(ep, "us-east-1", ALB, &alb).await;
    seed_classic(ep, "us-east-1").await;
}
