//! Seeds moto with resources that fail the ELB section's items, for the
//! tests that cover every item (zero mutation, least-privilege IAM policy),
//! and the ELB clients the tests read the results back with.

#![allow(dead_code)]

use super::seed_ec2::ec2_client as ec2;
use super::seed_route53::iam;

/// An internet-facing ALB with an HTTP listener that forwards and an HTTPS
/// listener with an outdated policy.
pub const ALB: &str = "seeded-web";

pub const OLD_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// An internet-facing Classic Load Balancer with HTTP:80 and HTTPS:443 on
/// an SSL negotiation policy that refers to an outdated predefined policy.
pub const CLASSIC: &str = "seeded-classic";

pub fn elbv2(ep: &str, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    test_client!(aws_sdk_elasticloadbalancingv2, ep, region)
}

pub fn elb(ep: &str, region: &str) -> aws_sdk_elasticloadbalancing::Client {
    test_client!(aws_sdk_elasticloadbalancing, ep, region)
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

/// Create resources that fail (some of) this section's items. The ALB has
/// no web ACL, so the other section's WAF item fails too.
pub async fn seed_failing(ep: &str) {
    let alb = seed_alb(ep, "us-east-1", ALB).await;
    forward_rule(ep, "us-east-1", ALB, &alb).await;
    seed_classic(ep, "us-east-1").await;
}
