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
use std::process::Output;
use support::seed_workloads::{self as seed, ALB, OLD_POLICY, PARTNER, TOKEN, ZONE};
use support::{Moto, block_on, output_text, run_moat, temp_state_dir};

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

fn assert_ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", output_text(o));
}

fn with_regions<'a>(regions: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
    let mut out = vec![];
    for r in regions {
        out.extend(["--region", r]);
    }
    out.extend_from_slice(args);
    out
}

/// `scan --item ID --format json` in us-east-1 → the item's JSON.
fn scan_item(ep: &str, state: &Path, regions: &[&str], id: &str) -> Value {
    let args = with_regions(regions, &["scan", "--item", id, "--format", "json"]);
    let o = run_moat(ep, state, &args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}\n{}", output_text(&o)));
    v["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("{id} in the scan: {v}"))
}

fn finding<'a>(item: &'a Value, resource: &str) -> Option<&'a Value> {
    item["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["resource"] == resource))
}

fn status_of(item: &Value, resource: &str) -> String {
    finding(item, resource)
        .and_then(|f| f["status"].as_str())
        .unwrap_or("pass")
        .to_string()
}

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
    let scan = scan_item(ep, state, &[US], item);
    assert_eq!(status_of(&scan, resource), "fail", "{item}: {scan}");

    let mut args = vec![
        "--region",
        US,
        "apply",
        item,
        "--resource",
        resource,
        "--yes",
    ];
    for i in inputs {
        args.extend(["--input", i]);
    }
    let o = run_moat(ep, state, &args);
    assert_ok(&o);
    let out = output_text(&o);
    assert!(out.contains("verified"), "{item}: {out}");
    check(&read());
    let scan = scan_item(ep, state, &[US], item);
    assert_eq!(status_of(&scan, resource), "pass", "{item}: {scan}");

    let o = run_moat(ep, state, &["--region", US, "undo", "--last", "--yes"]);
    assert_ok(&o);
    assert_eq!(read(), before, "{item}: undo restores it");
}

async fn publicly_accessible(ep: &str, region: &str, id: &str) -> bool {
    seed::rds(ep, region)
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
    let out = seed::rds(ep, US)
        .describe_db_snapshot_attributes()
        .db_snapshot_identifier(id)
        .send()
        .await
        .expect("attributes");
    let mut v: Vec<String> = out
        .db_snapshot_attributes_result()
        .map(|r| {
            r.db_snapshot_attributes()
                .iter()
                .filter(|a| a.attribute_name() == Some("restore"))
                .flat_map(|a| a.attribute_values().to_vec())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn cluster_snapshot_restore(ep: &str, id: &str) -> Vec<String> {
    let out = seed::rds(ep, US)
        .describe_db_cluster_snapshot_attributes()
        .db_cluster_snapshot_identifier(id)
        .send()
        .await
        .expect("attributes");
    let mut v: Vec<String> = out
        .db_cluster_snapshot_attributes_result()
        .map(|r| {
            r.db_cluster_snapshot_attributes()
                .iter()
                .filter(|a| a.attribute_name() == Some("restore"))
                .flat_map(|a| a.attribute_values().to_vec())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn rds_items_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed::seed_rds(ep, US));
    let st = state.path();

    round_trip(
        ep,
        st,
        "rds.public-instances",
        &format!("db/{US}/{}", seed::PUBLIC_DB),
        &[],
        || block_on(publicly_accessible(ep, US, seed::PUBLIC_DB)),
        |public| assert!(!public),
    );
    round_trip(
        ep,
        st,
        "rds.public-snapshots",
        &format!("db-snapshot/{US}/{}", seed::PUBLIC_SNAPSHOT),
        &[],
        || block_on(snapshot_restore(ep, seed::PUBLIC_SNAPSHOT)),
        // The partner account keeps its access.
        |v| assert_eq!(v, &vec![PARTNER.to_string()]),
    );
    round_trip(
        ep,
        st,
        "rds.public-snapshots",
        &format!("db-cluster-snapshot/{US}/{}", seed::PUBLIC_CLUSTER_SNAPSHOT),
        &[],
        || block_on(cluster_snapshot_restore(ep, seed::PUBLIC_CLUSTER_SNAPSHOT)),
        |v| assert!(v.is_empty(), "{v:?}"),
    );

    // Unencrypted storage is guided, with the instance's names filled in.
    let scan = scan_item(ep, st, &[US], "rds.storage-encrypted");
    assert_eq!(scan["status"], "fail");
    let f = finding(&scan, &format!("db/{US}/{}", seed::PUBLIC_DB)).expect("finding");
    let detail = f["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&format!("{}-pre-encryption", seed::PUBLIC_DB))
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
        seed::public_db(ep, US, "east-db").await;
        seed::public_db(ep, EU, "west-db").await;
    });
    let scan = scan_item(ep, state.path(), &[US, EU], "rds.public-instances");
    assert_eq!(scan["status"], "fail");
    let east = finding(&scan, "db/us-east-1/east-db").expect("east");
    let west = finding(&scan, "db/eu-west-1/west-db").expect("west");
    assert_eq!(east["region"], US);
    assert_eq!(west["region"], EU);
    // One region only: the other's instance is not seen.
    let scan = scan_item(ep, state.path(), &[EU], "rds.public-instances");
    assert!(finding(&scan, "db/us-east-1/east-db").is_none(), "{scan}");
    // Inspector is off in both regions: one finding per region.
    let scan = scan_item(ep, state.path(), &[US, EU], "other.inspector");
    assert_eq!(status_of(&scan, "inspector/us-east-1"), "fail");
    assert_eq!(status_of(&scan, "inspector/eu-west-1"), "fail");
}

async fn apex(ep: &str, zone: &str, rtype: &str) -> Option<(i64, Vec<String>)> {
    let out = seed::route53(ep)
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
    let zone = block_on(seed::seed_zone(ep));
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
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "apply",
            "route53.spf-records",
            "--input",
            "sends_mail=yes",
            "--input",
            "spf=v=spf1 include:amazonses.com ~all",
            "--yes",
        ],
    );
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
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "apply",
            "route53.spf-records",
            "--input",
            "sends_mail=yes",
            "--input",
            "spf=include:x",
            "--yes",
        ],
    );
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
    let o = run_moat(
        ep,
        st,
        &[
            "--region",
            US,
            "apply",
            "route53.mx-records",
            "--input",
            "receives_mail=yes",
            "--yes",
        ],
    );
    assert!(output_text(&o).contains(ZONE), "{}", output_text(&o));
    assert_eq!(block_on(apex(ep, &zone, "MX")), None);
}

async fn listener(ep: &str, lb_arn: &str, port: i32) -> Value {
    let out = seed::elbv2(ep, US)
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
    let lb = block_on(seed::seed_alb(ep, US, ALB));
    block_on(seed::seed_classic(ep, US));
    let st = state.path();

    // The Classic Load Balancer is checked through its listener policy, and guided.
    let classic = format!("classic-lb/{US}/{}", seed::CLASSIC);
    for item in ["elb.https-listeners", "elb.tls-policy"] {
        let scan = scan_item(ep, st, &[US], item);
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
        let o = run_moat(
            ep,
            st,
            &[
                "--region",
                US,
                "apply",
                item,
                "--resource",
                &classic,
                "--yes",
            ],
        );
        let out = output_text(&o);
        assert!(
            out.contains(seed::CLASSIC) && out.contains("  1. "),
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
    let scan = scan_item(ep, st, &[US], "other.waf-on-load-balancers");
    assert_eq!(status_of(&scan, &resource), "fail", "{scan}");
    block_on(async {
        use aws_sdk_wafv2::types::{AllowAction, DefaultAction, Scope, VisibilityConfig};
        let waf = seed::wafv2(ep, US);
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
    let scan = scan_item(ep, st, &[US], "other.waf-on-load-balancers");
    assert_eq!(status_of(&scan, &resource), "pass", "{scan}");
}

async fn inspector_scans(ep: &str) -> Vec<(String, String)> {
    let out = seed::inspector(ep, US)
        .batch_get_account_status()
        .account_ids(seed::ACCOUNT)
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
