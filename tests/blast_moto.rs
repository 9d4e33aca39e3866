//! The blast radius against moto: a security group used by an instance
//! (through the instance's network interface) is named with that instance in
//! `moat plan`, an interface a service owns is named by that service, a
//! group nothing uses says so, and revoking a rule whose source is another
//! group names that group's instances, from what the scan read.

mod support;

use aws_sdk_ec2::types::{IpPermission, UserIdGroupPair};
use support::seed_ec2::{allow_in_default_group, create_group, ec2_client, tcp};
use support::{Moto, block_on, output_text, run_moat, temp_state_dir};

const US: &str = "us-east-1";

#[test]
fn plan_names_the_instance_behind_a_group_it_tightens() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let (instance, eni) = block_on(async {
        let ec2 = ec2_client(ep, US);
        let used = create_group(
            &ec2,
            "blast-web",
            "web servers",
            vec![tcp(22, &["0.0.0.0/0"], &[])],
            &[],
        )
        .await;
        create_group(
            &ec2,
            "blast-spare",
            "nothing uses it",
            vec![tcp(3389, &["0.0.0.0/0"], &[])],
            &[],
        )
        .await;
        let instance = support::seed_ec2::run_instance(&ec2, &used).await;
        // An interface a Lambda function would own, on the same group.
        let subnet = ec2
            .describe_subnets()
            .send()
            .await
            .expect("subnets")
            .subnets()
            .first()
            .and_then(|s| s.subnet_id())
            .expect("a default subnet")
            .to_string();
        let eni = ec2
            .create_network_interface()
            .subnet_id(subnet)
            .description("AWS Lambda VPC ENI-blast-thumbnailer")
            .groups(&used)
            .send()
            .await
            .expect("interface");
        let eni = eni
            .network_interface()
            .and_then(|n| n.network_interface_id())
            .expect("interface id")
            .to_string();
        // What moto says of its owner: the fields moat reads.
        let read = ec2
            .describe_network_interfaces()
            .network_interface_ids(&eni)
            .send()
            .await
            .expect("describe");
        let n = read.network_interfaces().first().expect("the interface");
        assert_eq!(n.interface_type().map(|t| t.as_str()), Some("interface"));
        assert!(n.requester_id().is_some(), "{n:?}");
        assert_eq!(n.requester_managed(), Some(false));
        (instance, eni)
    });
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "plan",
            "ec2.open-admin-ports",
            "--input",
            "cidr=10.0.0.0/8",
        ],
    );
    let text = output_text(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    let web = text
        .lines()
        .skip_while(|l| !l.contains("Security group blast-web in"))
        .take(5)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(web.contains("is used by:"), "{text}");
    assert!(
        web.lines()
            .any(|l| l.contains("instances:") && l.contains(&instance)),
        "the instance {instance} is named: {text}"
    );
    assert!(
        web.lines().any(|l| l.contains("network interfaces: eni-")),
        "{text}"
    );
    // The Lambda interface is named by its owner.
    assert!(
        web.lines()
            .any(|l| l.contains("network interfaces:") && l.contains(&format!("{eni} (Lambda)"))),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("Security group blast-spare in") && l.contains("uses it now")),
        "{text}"
    );
}

#[test]
fn plan_names_the_members_of_a_source_group_whose_rule_it_revokes() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let (group, instance) = block_on(async {
        let ec2 = ec2_client(ep, US);
        let app = create_group(&ec2, "blast-app", "app servers", vec![], &[]).await;
        // The default group admits Postgres from the app servers.
        allow_in_default_group(
            &ec2,
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(5432)
                .to_port(5432)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&app).build())
                .build(),
        )
        .await;
        let instance = support::seed_ec2::run_instance(&ec2, &app).await;
        (app, instance)
    });
    let o = run_moat(
        ep,
        st,
        &["--region", US, "plan", "ec2.default-security-group"],
    );
    let text = output_text(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    let cut = text
        .lines()
        .find(|l| {
            l.contains(&format!(
                "members of {group} (blast-app) lose the inbound access"
            ))
        })
        .unwrap_or_else(|| panic!("the source group is named: {text}"));
    assert!(cut.contains(&instance), "{cut}");
}
