//! The ec2 section against moto: for each item moto can hold, seed a failing
//! state, scan → fail, apply → the live state (read back with the SDK) is
//! what the preview said, undo → the previous state is back. Plus: findings
//! in every region given with `--region` (and only an unreadable region's
//! findings `error`), a malformed CIDR refused with nothing changed, and 500
//! groups over 4 regions collected with a bounded number of requests.
//!
//! Not here: ec2.third-party-amis (moto gives every image the caller's own
//! account as owner, so nothing is third-party; unit-tested in
//! src/checks/ec2.rs), and the checks' edge cases (unit-tested there).

mod support;

use aws_sdk_ec2::types::{Filter, IpPermission, IpRange};
use serde_json::Value;
use support::run::{
    apply_item, apply_resource, assert_ok, finding, region_args, resource_status, scan_item,
    undo_ok,
};
use support::seed_ec2::{allow_in_default_group, create_group, default_vpc, ec2_client, tcp};
use support::{Moto, Proxy, block_on, output_text, run_moat, temp_state_dir};

const US: &str = "us-east-1";

/// A group as the SDK reads it: id, description, tags and rule lines, sorted.
async fn read_group(ep: &str, region: &str, name: &str) -> Option<Value> {
    let ec2 = ec2_client(ep, region);
    let vpc = default_vpc(&ec2).await;
    let out = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(Filter::builder().name("group-name").values(name).build())
        .send()
        .await
        .expect("describe");
    let g = out.security_groups().first()?;
    let lines = |perms: &[IpPermission]| {
        let mut v: Vec<String> = vec![];
        for p in perms {
            let head = format!(
                "{} {:?}-{:?}",
                p.ip_protocol().unwrap_or("?"),
                p.from_port(),
                p.to_port()
            );
            for r in p.ip_ranges() {
                v.push(format!(
                    "{head} v4 {} {}",
                    r.cidr_ip().unwrap_or("?"),
                    r.description().unwrap_or("")
                ));
            }
            for r in p.ipv6_ranges() {
                v.push(format!(
                    "{head} v6 {} {}",
                    r.cidr_ipv6().unwrap_or("?"),
                    r.description().unwrap_or("")
                ));
            }
            for r in p.user_id_group_pairs() {
                v.push(format!("{head} group {}", r.group_id().unwrap_or("?")));
            }
        }
        v.sort();
        v
    };
    let mut tags: Vec<String> = g
        .tags()
        .iter()
        .map(|t| format!("{}={}", t.key().unwrap_or(""), t.value().unwrap_or("")))
        .collect();
    tags.sort();
    Some(serde_json::json!({
        "id": g.group_id(),
        "description": g.description(),
        "tags": tags,
        "ingress": lines(g.ip_permissions()),
        "egress": lines(g.ip_permissions_egress()),
    }))
}

/// The same, without the id (which a recreated group does not keep).
fn without_id(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("id");
    }
    v
}

fn group_ref(ep: &str, region: &str, name: &str) -> String {
    let vpc = block_on(async { default_vpc(&ec2_client(ep, region)).await });
    format!("sg/{region}/{vpc}/{name}")
}

fn rule_ref(ep: &str, region: &str, name: &str, ports: &str, cidr: &str) -> String {
    let vpc = block_on(async { default_vpc(&ec2_client(ep, region)).await });
    format!("sg-rule/{region}/{vpc}/{name}/{ports}/{cidr}")
}

#[test]
fn open_admin_ports_tighten_ipv4_ipv6_revoke_and_refuse_bad_cidrs() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    block_on(async {
        let ec2 = ec2_client(ep, US);
        create_group(
            &ec2,
            "admin-web",
            "web servers with admin access",
            vec![
                tcp(22, &["0.0.0.0/0", "10.1.0.0/16"], &["::/0"]),
                tcp(443, &["0.0.0.0/0"], &[]),
                tcp(3389, &["0.0.0.0/0"], &[]),
            ],
            &[],
        )
        .await;
    });
    let ssh4 = rule_ref(ep, US, "admin-web", "tcp:22", "0.0.0.0/0");
    let ssh6 = rule_ref(ep, US, "admin-web", "tcp:22", "::/0");
    let rdp = rule_ref(ep, US, "admin-web", "tcp:3389", "0.0.0.0/0");
    let https = rule_ref(ep, US, "admin-web", "tcp:443", "0.0.0.0/0");
    let scan = scan_item(ep, st, &["--region", US], "ec2.open-admin-ports");
    for r in [&ssh4, &ssh6, &rdp] {
        assert_eq!(resource_status(&scan, r), "fail", "{r}: {scan}");
        assert_eq!(finding(&scan, r).expect("finding")["region"], US);
    }
    assert!(finding(&scan, &https).is_none(), "443 may be open: {scan}");
    let before = block_on(read_group(ep, US, "admin-web")).expect("group");

    // The preview is the group's rule table before and after.
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "plan",
            "ec2.open-admin-ports",
            "--resource",
            &ssh4,
            "--input",
            "cidr=192.0.2.0/24,2001:db8::/32",
        ],
    );
    assert_ok(&o);
    let preview = String::from_utf8_lossy(&o.stdout).to_string();
    for line in [
        "-    \"from tcp 22 0.0.0.0/0\"",
        "+    \"from tcp 22 192.0.2.0/24\"",
        "+    \"from tcp 22 2001:db8::/32\"",
    ] {
        assert!(preview.contains(line), "{line} in {preview}");
    }
    assert!(!preview.contains("-    \"from tcp 22 ::/0\""), "{preview}");

    // Tighten the IPv4 rule with an IPv4 and an IPv6 block.
    apply_resource(
        ep,
        st,
        &["--region", US],
        "ec2.open-admin-ports",
        &ssh4,
        &["cidr=192.0.2.0/24,2001:db8::/32"],
    );
    let after = block_on(read_group(ep, US, "admin-web")).expect("group");
    let ingress: Vec<String> = serde_json::from_value(after["ingress"].clone()).expect("lines");
    assert_eq!(
        ingress,
        vec![
            "tcp Some(22)-Some(22) v4 10.1.0.0/16 ",
            "tcp Some(22)-Some(22) v4 192.0.2.0/24 ",
            "tcp Some(22)-Some(22) v6 2001:db8::/32 ",
            "tcp Some(22)-Some(22) v6 ::/0 ",
            "tcp Some(3389)-Some(3389) v4 0.0.0.0/0 ",
            "tcp Some(443)-Some(443) v4 0.0.0.0/0 ",
        ],
        "only the open range of the chosen rule changed"
    );
    assert_eq!(after["egress"], before["egress"]);
    let scan = scan_item(ep, st, &["--region", US], "ec2.open-admin-ports");
    assert_eq!(resource_status(&scan, &ssh4), "pass", "{scan}");
    assert_eq!(resource_status(&scan, &ssh6), "fail", "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(
        block_on(read_group(ep, US, "admin-web")),
        Some(before.clone())
    );

    // Revoke the IPv6 rule instead.
    apply_resource(
        ep,
        st,
        &["--region", US],
        "ec2.open-admin-ports",
        &ssh6,
        &["action=revoke"],
    );
    let after = block_on(read_group(ep, US, "admin-web")).expect("group");
    let ingress: Vec<String> = serde_json::from_value(after["ingress"].clone()).expect("lines");
    assert!(!ingress.iter().any(|l| l.contains("::/0")), "{ingress:?}");
    assert_eq!(ingress.len(), 4, "{ingress:?}");
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(
        block_on(read_group(ep, US, "admin-web")),
        Some(before.clone())
    );

    // A malformed or whole-internet CIDR is refused, one clear line, nothing sent.
    let proxy = Proxy::start(moto.port);
    for (bad, says) in [
        ("cidr=10.0.0.1/8", "did you mean 10.0.0.0/8"),
        ("cidr=0.0.0.0/0", "whole internet"),
        ("cidr=banana", "not a CIDR block"),
    ] {
        let o = run_moat(
            &proxy.endpoint,
            st,
            &[
                "--region",
                US,
                "apply",
                "ec2.open-admin-ports",
                "--resource",
                &rdp,
                "--input",
                bad,
                "--yes",
            ],
        );
        let text = output_text(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {text}");
        assert!(text.contains(says), "{bad}: {text}");
        assert!(text.contains("cidr"), "{bad}: names the input: {text}");
    }
    assert!(proxy.mutating().is_empty(), "{:?}", proxy.mutating());
    assert_eq!(block_on(read_group(ep, US, "admin-web")), Some(before));
}

#[test]
fn unused_group_is_deleted_and_undo_recreates_it_with_rules_and_tags() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    block_on(async {
        let ec2 = ec2_client(ep, US);
        let id = create_group(
            &ec2,
            "old-batch",
            "nightly batch workers (retired)",
            vec![
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(
                        IpRange::builder()
                            .cidr_ip("10.0.0.0/8")
                            .description("ops VPN")
                            .build(),
                    )
                    .build(),
            ],
            &[("Purpose", "batch"), ("team", "data")],
        )
        .await;
        // Egress: only HTTPS out, not the default "all traffic".
        ec2.revoke_security_group_egress()
            .group_id(&id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("-1")
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build(),
            )
            .send()
            .await
            .expect("revoke egress");
        ec2.authorize_security_group_egress()
            .group_id(&id)
            .ip_permissions(tcp(443, &["0.0.0.0/0"], &[]))
            .send()
            .await
            .expect("egress");
    });
    let r = group_ref(ep, US, "old-batch");
    let scan = scan_item(ep, st, &["--region", US], "ec2.unused-security-groups");
    assert_eq!(resource_status(&scan, &r), "fail", "{scan}");
    let before = block_on(read_group(ep, US, "old-batch")).expect("group");

    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "plan",
            "ec2.unused-security-groups",
            "--resource",
            &r,
        ],
    );
    assert_ok(&o);
    assert!(
        output_text(&o).contains("new group id"),
        "the warning says the id changes: {}",
        output_text(&o)
    );
    apply_resource(
        ep,
        st,
        &["--region", US],
        "ec2.unused-security-groups",
        &r,
        &[],
    );
    assert_eq!(block_on(read_group(ep, US, "old-batch")), None, "deleted");

    let out = output_text(&undo_ok(ep, st, &["--region", US]));
    assert!(out.contains("new id"), "undo says the id changes: {out}");
    let back = block_on(read_group(ep, US, "old-batch")).expect("recreated");
    assert_ne!(back["id"], before["id"], "a new id");
    assert_eq!(
        without_id(back),
        without_id(before),
        "same rules, tags, description"
    );
    let scan = scan_item(ep, st, &["--region", US], "ec2.unused-security-groups");
    assert_eq!(
        resource_status(&scan, &r),
        "fail",
        "found again by VPC and name: {scan}"
    );
}

#[test]
fn default_group_rules_are_revoked_and_restored() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    block_on(async {
        let ec2 = ec2_client(ep, US);
        allow_in_default_group(&ec2, tcp(443, &["10.0.0.0/8"], &["2001:db8::/32"])).await;
    });
    let r = group_ref(ep, US, "default");
    let scan = scan_item(ep, st, &["--region", US], "ec2.default-security-group");
    assert_eq!(resource_status(&scan, &r), "fail", "{scan}");
    let before = block_on(read_group(ep, US, "default")).expect("group");
    assert_eq!(before["ingress"].as_array().map(Vec::len), Some(2));
    assert_eq!(before["egress"].as_array().map(Vec::len), Some(1));

    apply_resource(
        ep,
        st,
        &["--region", US],
        "ec2.default-security-group",
        &r,
        &[],
    );
    let after = block_on(read_group(ep, US, "default")).expect("group");
    assert_eq!(after["ingress"], serde_json::json!([]));
    assert_eq!(after["egress"], serde_json::json!([]));
    let scan = scan_item(ep, st, &["--region", US], "ec2.default-security-group");
    assert_eq!(resource_status(&scan, &r), "pass", "{scan}");

    undo_ok(ep, st, &["--region", US]);
    assert_eq!(block_on(read_group(ep, US, "default")), Some(before));
}

#[test]
fn public_image_imdsv2_and_purpose_tag_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let ec2 = ec2_client(ep, US);
    let (instance, image) = block_on(async {
        support::seed_ec2::seed_failing(ep).await;
        let i = ec2
            .describe_instances()
            .send()
            .await
            .expect("instances")
            .reservations()[0]
            .instances()[0]
            .instance_id()
            .expect("id")
            .to_string();
        let img = ec2
            .describe_images()
            .owners("self")
            .send()
            .await
            .expect("images")
            .images()[0]
            .image_id()
            .expect("id")
            .to_string();
        (i, img)
    });
    let public = || {
        block_on(async {
            ec2.describe_images()
                .image_ids(&image)
                .send()
                .await
                .expect("image")
                .images()[0]
                .public()
        })
    };
    let tokens = || {
        block_on(async {
            ec2.describe_instances()
                .instance_ids(&instance)
                .send()
                .await
                .expect("instance")
                .reservations()[0]
                .instances()[0]
                .metadata_options()
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str().to_string())
        })
    };

    // ec2.public-amis
    let r = format!("ami/{US}/{image}");
    assert_eq!(
        resource_status(&scan_item(ep, st, &["--region", US], "ec2.public-amis"), &r),
        "fail"
    );
    assert_eq!(public(), Some(true));
    apply_resource(ep, st, &["--region", US], "ec2.public-amis", &r, &[]);
    assert_eq!(public(), Some(false));
    assert_eq!(
        resource_status(&scan_item(ep, st, &["--region", US], "ec2.public-amis"), &r),
        "pass"
    );
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(public(), Some(true));

    // ec2.imdsv2
    let r = format!("instance/{US}/{instance}");
    assert_eq!(
        resource_status(&scan_item(ep, st, &["--region", US], "ec2.imdsv2"), &r),
        "fail"
    );
    assert_eq!(tokens().as_deref(), Some("optional"));
    apply_resource(ep, st, &["--region", US], "ec2.imdsv2", &r, &[]);
    assert_eq!(tokens().as_deref(), Some("required"));
    assert_eq!(
        resource_status(&scan_item(ep, st, &["--region", US], "ec2.imdsv2"), &r),
        "pass"
    );
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(tokens().as_deref(), Some("optional"));

    // ec2.security-group-documentation
    let r = group_ref(ep, US, "launch-wizard-1");
    let scan = scan_item(
        ep,
        st,
        &["--region", US],
        "ec2.security-group-documentation",
    );
    assert_eq!(resource_status(&scan, &r), "fail", "{scan}");
    let before = block_on(read_group(ep, US, "launch-wizard-1")).expect("group");
    apply_resource(
        ep,
        st,
        &["--region", US],
        "ec2.security-group-documentation",
        &r,
        &["purpose=Jump host for the ops team"],
    );
    let after = block_on(read_group(ep, US, "launch-wizard-1")).expect("group");
    assert_eq!(
        after["tags"],
        serde_json::json!(["Purpose=Jump host for the ops team"])
    );
    let scan = scan_item(
        ep,
        st,
        &["--region", US],
        "ec2.security-group-documentation",
    );
    assert_eq!(resource_status(&scan, &r), "pass", "{scan}");
    undo_ok(ep, st, &["--region", US]);
    assert_eq!(
        block_on(read_group(ep, US, "launch-wizard-1")),
        Some(before)
    );
}

#[test]
fn scan_reports_each_region_and_an_unreadable_region_alone_is_error() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
    block_on(async {
        for r in regions {
            create_group(
                &ec2_client(ep, r),
                &format!("ssh-{r}"),
                "ssh",
                vec![tcp(22, &["0.0.0.0/0"], &[])],
                &[],
            )
            .await;
        }
    });
    let scan = scan_item(ep, st, &region_args(&regions), "ec2.open-admin-ports");
    assert_eq!(scan["status"], "fail", "{scan}");
    let findings = scan["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3, "{scan}");
    for r in regions {
        let f = finding(
            &scan,
            &rule_ref(ep, r, &format!("ssh-{r}"), "tcp:22", "0.0.0.0/0"),
        )
        .unwrap_or_else(|| panic!("{r}: {scan}"));
        assert_eq!(f["region"], r, "{f}");
    }

    // A region whose every call fails gives that region's finding `error`;
    // the others are reported as before.
    let proxy = Proxy::start(moto.port);
    let o = run_moat(
        &proxy.endpoint,
        st,
        &[
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--region",
            "xx-nowhere-1",
            "scan",
            "--item",
            "ec2.open-admin-ports",
            "--format",
            "json",
        ],
    );
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", output_text(&o)));
    let item = &v["items"][0];
    assert_eq!(item["status"], "fail", "{item}");
    assert_eq!(resource_status(item, "ec2/xx-nowhere-1"), "error", "{item}");
    for r in ["us-east-1", "eu-west-1"] {
        let rr = rule_ref(ep, r, &format!("ssh-{r}"), "tcp:22", "0.0.0.0/0");
        assert_eq!(resource_status(item, &rr), "fail", "{item}");
    }
}

#[test]
fn five_hundred_groups_over_four_regions_take_a_bounded_number_of_requests() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let (ep, st) = (moto.endpoint.as_str(), state.path());
    let regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"];
    block_on(async {
        for r in regions {
            let ec2 = ec2_client(ep, r);
            let vpc = default_vpc(&ec2).await;
            // One at a time: moto's EC2 backend is not safe for concurrent creates.
            for i in 0..125 {
                ec2.create_security_group()
                    .group_name(format!("bulk-{i:03}"))
                    .description("bulk")
                    .vpc_id(&vpc)
                    .send()
                    .await
                    .expect("create");
            }
        }
    });
    let proxy = Proxy::start(moto.port);
    let mut args: Vec<&str> = vec![];
    for r in regions {
        args.extend(["--region", r]);
    }
    args.extend([
        "scan",
        "--item",
        "ec2.unused-security-groups",
        "--format",
        "json",
    ]);
    let o = run_moat(&proxy.endpoint, st, &args);
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", output_text(&o)));
    let findings = v["items"][0]["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 500, "every bulk group is unused");
    let ops = proxy.operations();
    let sgs = proxy.count("DescribeSecurityGroups");
    let enis = proxy.count("DescribeNetworkInterfaces");
    // One page per region and list (moto answers in one page; AWS pages by 1,000).
    assert_eq!(sgs, regions.len(), "{ops:?}");
    assert_eq!(enis, regions.len(), "{ops:?}");
    assert!(
        ops.len() <= 2 * regions.len() + 4,
        "{} requests: {ops:?}",
        ops.len()
    );
    assert!(proxy.mutating().is_empty());
}

/// In a default VPC, AWS answers a revoke whose rules match nothing with
/// 200 and lists them in `UnknownIpPermissions` (RevokeSecurityGroupIngress,
/// API reference). Here the proxy answers so, leaving the rule in place: the
/// change must be reported failed (re-read: the rule is still there), never
/// journaled as applied.
#[test]
fn a_revoke_that_matched_nothing_is_not_applied() {
    let moto = Moto::start();
    let state = temp_state_dir();
    block_on(async {
        let ec2 = ec2_client(&moto.endpoint, US);
        allow_in_default_group(&ec2, tcp(443, &["10.0.0.0/8"], &[])).await;
    });
    let proxy = support::Proxy::start(moto.port);
    proxy.answer(
        "RevokeSecurityGroupIngress",
        200,
        "text/xml;charset=UTF-8",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RevokeSecurityGroupIngressResponse \
         xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>moat-test</requestId>\
         <return>true</return><unknownIpPermissionSet><item><ipProtocol>tcp</ipProtocol>\
         <fromPort>443</fromPort><toPort>443</toPort><ipRanges><item><cidrIp>10.0.0.0/8</cidrIp>\
         </item></ipRanges></item></unknownIpPermissionSet></RevokeSecurityGroupIngressResponse>",
    );
    let (ep, st) = (proxy.endpoint.as_str(), state.path());
    let before = block_on(read_group(&moto.endpoint, US, "default")).expect("group");
    let r = group_ref(&moto.endpoint, US, "default");
    let o = apply_item(
        ep,
        st,
        &["--region", US],
        "ec2.default-security-group",
        Some(r.as_str()),
        &[],
    );
    let out = output_text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("found no rule matching"), "{out}");
    let after = block_on(read_group(&moto.endpoint, US, "default")).expect("group");
    assert_eq!(after["ingress"], before["ingress"]);
    // The ingress revoke was not applied, so there is nothing to undo.
    let o = run_moat(ep, st, &["--region", US, "undo", "--last", "--yes"]);
    let out = output_text(&o);
    assert!(
        !out.contains("AuthorizeSecurityGroupIngress"),
        "undo must not re-add a rule that was never revoked: {out}"
    );
}
