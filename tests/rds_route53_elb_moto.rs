//! The rds, route53, elb and other sections against moto: for each item moto
//! can hold, seed a failing state, scan → fail, apply → the live state (read
//! back with the SDK) is what the preview said, scan → pass, undo → the
//! previous state is back. Plus a scan across two regions.
//!
//! Not here (unit-tested in src/checks and src/plan instead):
//! - rds.storage-encrypted and other.waf-on-load-balancers are guided (no
//!   change to round-trip); their checks are covered by the scan tests below
//!   and by unit tests.
//! - A region that refuses (an opt-in region): moto answers in every region.
//! - Real AWS's intermediate states (Inspector ENABLING, RDS "modifying").

mod support;

use serde_json::Value;
use std::path::Path;
use support::run::{
    apply_item, apply_resource, assert_ok, finding, region_args, resource_status, scan_item,
    undo_ok,
};
use support::seed_elb::{ALB, OLD_POLICY};
use support::seed_rds::PARTNER;
use support::seed_route53::{TOKEN, ZONE};
use support::{Moto, block_on, output_text, run_moat, temp_state_dir};
use support::{seed_elb, seed_other, seed_rds, seed_route53};

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

/// scan fail → apply (verified) → `check` → scan pass → undo → `read` is back.
fn round_trip<T: PartialEq + std::fmt::Debug>(
    ep: &str,
    state: &Path,
    item: &str,
    resource: &str,
    inputs: &[&str],
    read: impl Fn() -> T,
    check: impl Fn(&T),
) {
    let before = read();
    let scan = scan_item(ep, state, &["--region", US], item);
    assert_eq!(resource_status(&scan, resource), "fail", "{item}: {scan}");

    apply_resource(ep, state, &["--region", US], item, resource, inputs);
    check(&read());
    let scan = scan_item(ep, state, &["--region", US], item);
    assert_eq!(resource_status(&scan, resource), "pass", "{item}: {scan}");

    undo_ok(ep, state, &["--region", US]);
    assert_eq!(read(), before, "{item}: undo restores it");
}

async fn publicly_accessible(ep: &str, region: &str, id: &str) -> bool {
    seed_rds::rds(ep, region)
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .expect("describe")
        .db_instances()
        .first()
        .and_then(|i| i.publicly_accessible())
        .expect("flag")
}

async fn snapshot_restore(ep: &str, id: &str) -> Vec<String> {
    let out = seed_rds::rds(ep, US)
        .describe_db_snapshot_attributes()
        .db_snapshot_identifier(id)
        .send()
        .await
        .expect("attributes");
    let attrs = out
        .db_snapshot_attributes_result()
        .map(|r| r.db_snapshot_attributes())
        .unwrap_or_default();
    restore_accounts(
        attrs
            .iter()
            .map(|a| (a.attribute_name(), a.attribute_values())),
    )
}

/// The values of the `restore` attribute (the accounts that may restore a
/// snapshot), sorted.
fn restore_accounts<'a>(
    attrs: impl Iterator<Item = (Option<&'a str>, &'a [String])>,
) -> Vec<String> {
    let mut v: Vec<String> = attrs
        .filter(|(name, _)| *name == Some("restore"))
        .flat_map(|(_, values)| values.to_vec())
        .collect();
    v.sort();
    v
}

async fn cluster_snapshot_restore(ep: &str, id: &str) -> Vec<String> {
    let out = seed_rds::rds(ep, US)
        .describe_db_cluster_snapshot_attributes()
        .db_cluster_snapshot_identifier(id)
        .send()
        .await
        .expect("attributes");
    let attrs = out
        .db_cluster_snapshot_attributes_result()
        .map(|r| r.db_cluster_snapshot_attributes())
        .unwrap_or_default();
    restore_accounts(
        attrs
            .iter()
            .map(|a| (a.attribute_name(), a.attribute_values())),
    )
}

#[test]
fn rds_items_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_rds::seed_rds(ep, US));
    let st = state.path();

    round_trip(
        ep,
        st,
        "rds.public-instances",
        &format!("db/{US}/{}", seed_rds::PUBLIC_DB),
        &[],
        || block_on(publicly_accessible(ep, US, seed_rds::PUBLIC_DB)),
        |public| assert!(!public),
    );
    round_trip(
        ep,
        st,
        "rds.public-snapshots",
        &format!("db-snapshot/{US}/{}", seed_rds::PUBLIC_SNAPSHOT),
        &[],
        || block_on(snapshot_restore(ep, seed_rds::PUBLIC_SNAPSHOT)),
        // The partner account keeps its access.
        |v| assert_eq!(v, &vec![PARTNER.to_string()]),
    );
    round_trip(
        ep,
        st,
        "rds.public-snapshots",
        &format!(
            "db-cluster-snapshot/{US}/{}",
            seed_rds::PUBLIC_CLUSTER_SNAPSHOT
        ),
        &[],
        || {
            block_on(cluster_snapshot_restore(
                ep,
                seed_rds::PUBLIC_CLUSTER_SNAPSHOT,
            ))
        },
        |v| assert!(v.is_empty(), "{v:?}"),
    );

    // Unencrypted storage is guided, with the instance's names filled in.
    let scan = scan_item(ep, st, &["--region", US], "rds.storage-encrypted");
    assert_eq!(scan["status"], "fail");
    let f = finding(&scan, &format!("db/{US}/{}", seed_rds::PUBLIC_DB)).expect("finding");
    let detail = f["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("{}-pre-encryption", seed_rds::PUBLIC_DB))
            && detail.contains("alias/aws/rds"),
        "{detail}"
    );
    let o = run_moat(
        ep,
        st,
        &["--region", US, "apply", "rds.storage-encrypted", "--yes"],
    );
    assert!(output_text(&o).contains("Steps"), "{}", output_text(&o));
}

#[test]
fn a_scan_covers_every_given_region_and_names_it() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_rds::public_db(ep, US, "east-db").await;
        seed_rds::public_db(ep, EU, "west-db").await;
    });
    let scan = scan_item(
        ep,
        state.path(),
        &region_args(&[US, EU]),
        "rds.public-instances",
    );
    assert_eq!(scan["status"], "fail");
    let east = finding(&scan, "db/us-east-1/east-db").expect("east");
    let west = finding(&scan, "db/eu-west-1/west-db").expect("west");
    assert_eq!(east["region"], US);
    assert_eq!(west["region"], EU);
    // One region only: the other's instance is not seen.
    let scan = scan_item(
        ep,
        state.path(),
        &region_args(&[EU]),
        "rds.public-instances",
    );
    assert!(finding(&scan, "db/us-east-1/east-db").is_none(), "{scan}");
    // Inspector is off in both regions: one finding per region.
    let scan = scan_item(ep, state.path(), &region_args(&[US, EU]), "other.inspector");
    assert_eq!(resource_status(&scan, "inspector/us-east-1"), "fail");
    assert_eq!(resource_status(&scan, "inspector/eu-west-1"), "fail");
}

async fn apex(ep: &str, zone: &str, rtype: &str) -> Option<(i64, Vec<String>)> {
    let out = seed_route53::route53(ep)
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .send()
        .await
        .expect("records");
    out.resource_record_sets()
        .iter()
        .find(|r| r.name().trim_end_matches('.') == ZONE && r.r#type().as_str() == rtype)
        .map(|r| {
            let mut v: Vec<String> = r
                .resource_records()
                .iter()
                .map(|x| x.value().to_string())
                .collect();
            v.sort();
            (r.ttl().unwrap_or(0), v)
        })
}

#[test]
fn spf_and_null_mx_round_trip_and_keep_the_verification_token() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let zone = block_on(seed_route53::seed_zone(ep));
    let st = state.path();

    // A domain that sends no mail: v=spf1 -all next to the token, same TTL.
    round_trip(
        ep,
        st,
        "route53.spf-records",
        &format!("dns/{zone}/TXT"),
        &["sends_mail=no"],
        || block_on(apex(ep, &zone, "TXT")),
        |txt| {
            let (ttl, values) = txt.clone().expect("txt");
            assert_eq!(ttl, 600);
            assert_eq!(
                values,
                vec![TOKEN.to_string(), "\"v=spf1 -all\"".to_string()]
            );
        },
    );
    // A domain that sends mail: the record the user gives.
    let spf = |inputs: &[&str]| {
        apply_item(
            ep,
            st,
            &["--region", US],
            "route53.spf-records",
            None,
            inputs,
        )
    };
    let o = spf(&["sends_mail=yes", "spf=v=spf1 include:amazonses.com ~all"]);
    assert_ok(&o);
    let (_, values) = block_on(apex(ep, &zone, "TXT")).expect("txt");
    assert_eq!(
        values,
        vec![
            TOKEN.to_string(),
            "\"v=spf1 include:amazonses.com ~all\"".to_string()
        ]
    );
    // An SPF record that is not one is refused before anything is sent.
    let o = spf(&["sends_mail=yes", "spf=include:x"]);
    assert_eq!(o.status.code(), Some(2), "{}", output_text(&o));

    // No MX at all: the null MX, and undo deletes it again.
    round_trip(
        ep,
        st,
        "route53.mx-records",
        &format!("dns/{zone}/MX"),
        &["receives_mail=no"],
        || block_on(apex(ep, &zone, "MX")),
        |mx| assert_eq!(mx.clone().map(|m| m.1), Some(vec!["0 .".to_string()])),
    );
    // A domain that receives mail is guided: nothing is sent.
    let o = apply_item(
        ep,
        st,
        &["--region", US],
        "route53.mx-records",
        None,
        &["receives_mail=yes"],
    );
    assert!(output_text(&o).contains(ZONE), "{}", output_text(&o));
    assert_eq!(block_on(apex(ep, &zone, "MX")), None);
}

async fn listener(ep: &str, lb_arn: &str, port: i32) -> Value {
    let out = seed_elb::elbv2(ep, US)
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("listeners");
    let l = out
        .listeners()
        .iter()
        .find(|l| l.port() == Some(port))
        .expect("listener");
    let actions: Vec<Value> = l
        .default_actions()
        .iter()
        .map(|a| {
            serde_json::json!({
                "type": a.r#type().map(|t| t.as_str().to_string()),
                "target": a.target_group_arn(),
                "redirect": a.redirect_config().map(|r| serde_json::json!({
                    "protocol": r.protocol(), "port": r.port(),
                    "status": r.status_code().map(|s| s.as_str().to_string()),
                })),
            })
        })
        .collect();
    serde_json::json!({
        "actions": actions,
        "policy": l.ssl_policy(),
    })
}

#[test]
fn load_balancer_listeners_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let lb = block_on(seed_elb::seed_alb(ep, US, ALB));
    block_on(seed_elb::seed_classic(ep, US));
    let st = state.path();

    // The Classic Load Balancer is checked through its listener policy, and guided.
    let classic = format!("classic-lb/{US}/{}", seed_elb::CLASSIC);
    for item in ["elb.https-listeners", "elb.tls-policy"] {
        let scan = scan_item(ep, st, &["--region", US], item);
        let f = finding(&scan, &classic).unwrap_or_else(|| panic!("{item}: {scan}"));
        assert_eq!(f["status"], "fail", "{item}: {f}");
        if item == "elb.tls-policy" {
            assert!(
                f["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(OLD_POLICY),
                "{f}"
            );
        }
        let o = apply_item(ep, st, &["--region", US], item, Some(classic.as_str()), &[]);
        let out = output_text(&o);
        assert!(
            out.contains(seed_elb::CLASSIC) && out.contains("  1. "),
            "{item}: {out}"
        );
    }

    round_trip(
        ep,
        st,
        "elb.https-listeners",
        &format!("listener/{US}/{ALB}/80"),
        &[],
        || block_on(listener(ep, &lb, 80)),
        |l| {
            assert_eq!(l["actions"][0]["type"], "redirect", "{l}");
            assert_eq!(l["actions"][0]["redirect"]["protocol"], "HTTPS", "{l}");
            assert_eq!(l["actions"][0]["redirect"]["port"], "443", "{l}");
            assert_eq!(l["actions"][0]["redirect"]["status"], "HTTP_301", "{l}");
            assert_eq!(l["actions"].as_array().map(Vec::len), Some(1));
        },
    );
    round_trip(
        ep,
        st,
        "elb.tls-policy",
        &format!("listener/{US}/{ALB}/443"),
        &[],
        || block_on(listener(ep, &lb, 443)),
        |l| assert_eq!(l["policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06", "{l}"),
    );
    assert_eq!(
        block_on(listener(ep, &lb, 443))["policy"],
        OLD_POLICY,
        "undo restored the old policy"
    );

    // WAF: guided; the load balancer passes once a web ACL is associated.
    let resource = format!("lb/{US}/{ALB}");
    let scan = scan_item(ep, st, &["--region", US], "other.waf-on-load-balancers");
    assert_eq!(resource_status(&scan, &resource), "fail", "{scan}");
    block_on(async {
        use aws_sdk_wafv2::types::{AllowAction, DefaultAction, Scope, VisibilityConfig};
        let waf = seed_other::wafv2(ep, US);
        let acl = waf
            .create_web_acl()
            .name("app-protection")
            .scope(Scope::Regional)
            .default_action(
                DefaultAction::builder()
                    .allow(AllowAction::builder().build())
                    .build(),
            )
            .visibility_config(
                VisibilityConfig::builder()
                    .sampled_requests_enabled(false)
                    .cloud_watch_metrics_enabled(false)
                    .metric_name("app")
                    .build()
                    .expect("visibility"),
            )
            .send()
            .await
            .expect("web acl");
        let arn = acl
            .summary()
            .and_then(|s| s.arn())
            .expect("arn")
            .to_string();
        waf.associate_web_acl()
            .web_acl_arn(arn)
            .resource_arn(&lb)
            .send()
            .await
            .expect("associate");
    });
    let scan = scan_item(ep, st, &["--region", US], "other.waf-on-load-balancers");
    assert_eq!(resource_status(&scan, &resource), "pass", "{scan}");
}

async fn inspector_scans(ep: &str) -> Vec<(String, String)> {
    let out = seed_other::inspector(ep, US)
        .batch_get_account_status()
        .account_ids(seed_rds::ACCOUNT)
        .send()
        .await
        .expect("status");
    let Some(a) = out.accounts().first() else {
        return vec![
            ("EC2".into(), "DISABLED".into()),
            ("ECR".into(), "DISABLED".into()),
        ];
    };
    let r = a.resource_state().expect("resource state");
    vec![
        (
            "EC2".into(),
            r.ec2()
                .map(|s| s.status().as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "ECR".into(),
            r.ecr()
                .map(|s| s.status().as_str().to_string())
                .unwrap_or_default(),
        ),
    ]
}

#[test]
fn inspector_enable_and_undo() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    round_trip(
        ep,
        state.path(),
        "other.inspector",
        &format!("inspector/{US}"),
        &[],
        || block_on(inspector_scans(ep)),
        |s| {
            assert_eq!(
                s,
                &vec![
                    ("EC2".to_string(), "ENABLED".to_string()),
                    ("ECR".to_string(), "ENABLED".to_string())
                ]
            )
        },
    );
}

/// A group's inbound rules as sorted `proto from-to cidr` lines.
async fn ingress(ep: &str, region: &str, group: &str) -> Vec<String> {
    use aws_sdk_ec2::types::Filter;
    let out = seed_rds::ec2(ep, region)
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(group).build())
        .send()
        .await
        .expect("groups");
    let mut v = vec![];
    for g in out.security_groups() {
        for p in g.ip_permissions() {
            let head = format!(
                "{} {}-{}",
                p.ip_protocol().unwrap_or("?"),
                p.from_port().unwrap_or(-1),
                p.to_port().unwrap_or(-1)
            );
            for r in p.ip_ranges() {
                v.push(format!("{head} {}", r.cidr_ip().unwrap_or("?")));
            }
            for r in p.ipv6_ranges() {
                v.push(format!("{head} {}", r.cidr_ipv6().unwrap_or("?")));
            }
        }
    }
    v.sort();
    v
}

async fn group_vpc(ep: &str, region: &str, group: &str) -> String {
    use aws_sdk_ec2::types::Filter;
    seed_rds::ec2(ep, region)
        .describe_security_groups()
        .filters(Filter::builder().name("group-name").values(group).build())
        .send()
        .await
        .expect("groups")
        .security_groups()
        .first()
        .and_then(|g| g.vpc_id().map(str::to_string))
        .expect("vpc")
}

#[test]
fn open_groups_of_databases_and_load_balancers_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let st = state.path();
    let vpc = block_on(async {
        seed_elb::seed_alb(ep, US, ALB).await;
        seed_rds::open_db(ep, US).await
    });

    // The database's group: tighten 5432 from the internet to one network;
    // the 10.0.0.0/8 range of the same rule stays.
    let rule = format!(
        "sg-rule/{US}/{vpc}/{}/tcp:5432/0.0.0.0/0",
        seed_rds::OPEN_DB_GROUP
    );
    let scan = scan_item(ep, st, &["--region", US], "rds.open-security-groups");
    let f = finding(&scan, &rule).unwrap_or_else(|| panic!("{scan}"));
    assert!(
        f["detail"]
            .as_str()
            .is_some_and(|d| d.contains(seed_rds::OPEN_DB)),
        "{f}"
    );
    round_trip(
        ep,
        st,
        "rds.open-security-groups",
        &rule,
        &["cidr=192.168.10.0/24"],
        || block_on(ingress(ep, US, seed_rds::OPEN_DB_GROUP)),
        |rules| {
            assert_eq!(
                rules,
                &vec![
                    "tcp 5432-5432 10.0.0.0/8".to_string(),
                    "tcp 5432-5432 192.168.10.0/24".to_string(),
                ]
            )
        },
    );

    // The load balancer's group: 8443 is no listener's port; revoke is the
    // default, and the listener ports stay open.
    let lb_group = format!("{ALB}-lb");
    let lb_vpc = block_on(group_vpc(ep, US, &lb_group));
    let rule = format!("sg-rule/{US}/{lb_vpc}/{lb_group}/tcp:8443/0.0.0.0/0");
    let scan = scan_item(ep, st, &["--region", US], "elb.security-groups");
    let names: Vec<&str> = scan["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["resource"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec![rule.as_str()], "{scan}");
    round_trip(
        ep,
        st,
        "elb.security-groups",
        &rule,
        &[],
        || block_on(ingress(ep, US, &lb_group)),
        |rules| {
            assert_eq!(
                rules,
                &vec![
                    "tcp 443-443 0.0.0.0/0".to_string(),
                    "tcp 80-80 0.0.0.0/0".to_string(),
                ]
            )
        },
    );
}

async fn connection_alarms(ep: &str, region: &str) -> Vec<(String, Vec<String>, f64)> {
    let out = support::seed_cloudwatch::cloudwatch(ep, region)
        .describe_alarms()
        .send()
        .await
        .expect("alarms");
    out.metric_alarms()
        .iter()
        .filter(|a| a.metric_name() == Some("DatabaseConnections"))
        .map(|a| {
            (
                a.alarm_name().unwrap_or_default().to_string(),
                a.dimensions()
                    .iter()
                    .map(|d| {
                        format!(
                            "{}={}",
                            d.name().unwrap_or_default(),
                            d.value().unwrap_or_default()
                        )
                    })
                    .collect(),
                a.threshold().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn database_connection_alarm_round_trip_and_dns_change_access() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    let st = state.path();
    block_on(async {
        seed_rds::open_db(ep, US).await;
        seed_route53::seed_zone(ep).await;
        seed_route53::dns_user(ep).await;
    });

    round_trip(
        ep,
        st,
        "cloudwatch.rds-connection-alarms",
        &format!("db/{US}/{}", seed_rds::OPEN_DB),
        &["connections=120", "email=dba@example.com"],
        || block_on(connection_alarms(ep, US)),
        |alarms| {
            assert_eq!(
                alarms,
                &vec![(
                    format!("moat-rds-connections-{}", seed_rds::OPEN_DB),
                    vec![format!("DBInstanceIdentifier={}", seed_rds::OPEN_DB)],
                    120.0
                )]
            );
            // The alarm notifies only once the address confirms its
            // subscription (the emulator takes the endpoint as the token).
            block_on(async {
                support::seed_cloudwatch::sns(ep, US)
                    .confirm_subscription()
                    .topic_arn(format!(
                        "arn:aws:sns:{US}:{}:moat-rds-alarms",
                        support::ACCOUNT_ID
                    ))
                    .token("dba@example.com")
                    .send()
                    .await
                    .expect("confirm the subscription");
            });
        },
    );

    // route53.change-access is guided: the user with the inline policy is
    // named, with the zone and the policy; the administrator moat runs as
    // is not.
    let scan = scan_item(ep, st, &["--region", US], "route53.change-access");
    assert_eq!(scan["status"], "fail", "{scan}");
    let names: Vec<&str> = scan["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["resource"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        vec![format!("user/{}", seed_route53::DNS_USER).as_str()]
    );
    let detail = scan["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(ZONE) && detail.contains("manage-dns"),
        "{detail}"
    );
    let o = run_moat(
        ep,
        st,
        &["--region", US, "apply", "route53.change-access", "--yes"],
    );
    assert!(output_text(&o).contains("Steps"), "{}", output_text(&o));
}
