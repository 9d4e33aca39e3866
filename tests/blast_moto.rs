//! The blast radius against moto: a security group used by an instance
//! (through the instance's network interface) is named with that instance in
//! `moat plan`, and a group nothing uses says so, from what the scan read.

mod support;

use support::seed_ec2::{create_group, ec2_client, tcp};
use support::{Moto, block_on, output_text, run_moat, temp_state_dir};

const US: &str = "us-east-1";

#[test]
fn plan_names_the_instance_behind_a_group_it_tightens() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let instance = block_on(async {
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
        let run = ec2
            .run_instances()
            .image_id("ami-12c6146b")
            .security_group_ids(&used)
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
    assert!(
        text.lines()
            .any(|l| l.contains("Security group blast-spare in") && l.contains("uses it now")),
        "{text}"
    );
}
