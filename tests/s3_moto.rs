//! The S3 and CloudFront sections against moto: for each item moto can hold,
//! seed a failing state, scan → fail, apply → the live state (read back with
//! the SDK) is what the preview said, scan → pass, undo → the previous state
//! is back. Buckets live in two regions, so every call must go to the
//! bucket's own region.
//!
//! Not here (moto cannot hold them; unit-tested in src/checks and src/plan):
//! s3.mfa-delete (needs the root user; moto ignores the MFA header and never
//! reports MFA Delete), s3.cloudfront-origin-access (moto drops the origin
//! access control id from distribution origins).

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::run::{apply_resource, assert_ok, resource_status, scan_item, undo_ok};
use support::seed_cloudfront;
use support::{
    ACCOUNT_ID, Moto, block_on, cloudfront_client, moat_cmd, output_text, run_moat, s3_client,
    temp_state_dir,
};

const SITE: &str = "site-assets-1";
const LOGS: &str = "access-logs-1";
const EU_DATA: &str = "eu-data-1";
const EU: &str = "eu-west-1";

fn policy_doc(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// Buckets in two regions: a website bucket in us-east-1 with a public ACL,
/// a policy with a public statement next to a private one, and access logs
/// going to an unversioned bucket (logs stay in their region); a data bucket
/// in eu-west-1 without default encryption.
async fn seed_buckets(ep: &str) {
    let us = s3_client(ep, "us-east-1").await;
    let eu = s3_client(ep, EU).await;
    us.create_bucket()
        .bucket(SITE)
        .send()
        .await
        .expect("bucket");
    us.create_bucket()
        .bucket(LOGS)
        .send()
        .await
        .expect("log bucket");
    eu.create_bucket()
        .bucket(EU_DATA)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("eu bucket");
    // Access logs need the log-delivery group's grants on the target bucket.
    us.put_bucket_acl()
        .bucket(LOGS)
        .acl(aws_sdk_s3::types::BucketCannedAcl::from(
            "log-delivery-write",
        ))
        .send()
        .await
        .expect("log-delivery acl");
    us.put_bucket_acl()
        .bucket(SITE)
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("public acl");
    let policy = policy_doc(json!([
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{SITE}/*"),
        },
        {
            "Sid": "TeamList",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")},
            "Action": "s3:ListBucket",
            "Resource": format!("arn:aws:s3:::{SITE}"),
        }
    ]));
    us.put_bucket_policy()
        .bucket(SITE)
        .policy(policy)
        .send()
        .await
        .expect("policy");
    seed_cloudfront::log_to(&us, SITE, LOGS, "site/").await;
}

/// The bucket's settings as the SDK reads them, one JSON value.
async fn read_bucket(ep: &str, bucket: &str, region: &str) -> Value {
    let s3 = s3_client(ep, region).await;
    let policy = match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(p) => p
            .policy()
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let grants: Vec<String> = s3
        .get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .expect("acl")
        .grants()
        .iter()
        .map(|g| {
            let who = g
                .grantee()
                .and_then(|x| x.uri().or(x.id()))
                .unwrap_or("?")
                .to_string();
            format!(
                "{who}:{}",
                g.permission().map(|p| p.as_str()).unwrap_or("?")
            )
        })
        .collect();
    let encryption = match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(e) => e
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| json!(d.sse_algorithm().as_str()))
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let pab = match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(p) => p
            .public_access_block_configuration()
            .map(|c| {
                json!([
                    c.block_public_acls(),
                    c.ignore_public_acls(),
                    c.block_public_policy(),
                    c.restrict_public_buckets()
                ])
            })
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let versioning = s3
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .expect("versioning")
        .status()
        .map(|s| s.as_str().to_string());
    json!({
        "policy": policy,
        "grants": grants,
        "encryption": encryption,
        "pab": pab,
        "versioning": versioning,
    })
}

/// Seed → scan fail → apply (verified) → `check` the live state → scan pass
/// → undo → the live state is back to what it was.
fn round_trip(
    ep: &str,
    state: &Path,
    item: &str,
    bucket: &str,
    region: &str,
    check: impl Fn(&Value),
) {
    let resource = format!("bucket/{bucket}");
    let before = block_on(read_bucket(ep, bucket, region));
    let scan = scan_item(ep, state, &[], item);
    assert_eq!(resource_status(&scan, &resource), "fail", "{item}: {scan}");

    let out = apply_resource(ep, state, &[], item, &resource, &[]);
    if region != "us-east-1" {
        assert!(
            out.contains(region),
            "{item}: the op names its region: {out}"
        );
    }
    let after = block_on(read_bucket(ep, bucket, region));
    check(&after);
    let scan = scan_item(ep, state, &[], item);
    assert_eq!(resource_status(&scan, &resource), "pass", "{item}: {scan}");

    undo_ok(ep, state, &[]);
    let restored = block_on(read_bucket(ep, bucket, region));
    if item == "s3.versioning" {
        // A bucket that was never versioned can only go back to Suspended.
        assert_eq!(restored["versioning"], "Suspended", "{item}");
    } else {
        assert_eq!(restored, before, "{item}: undo restores the bucket");
    }
}

#[test]
fn bucket_items_round_trip_in_their_regions() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_buckets(ep));
    let st = state.path();

    round_trip(
        ep,
        st,
        "s3.bucket-public-access-block",
        SITE,
        "us-east-1",
        |b| {
            assert_eq!(b["pab"], json!([true, true, true, true]), "{b}");
        },
    );
    round_trip(ep, st, "s3.public-acls", SITE, "us-east-1", |b| {
        let grants = b["grants"].to_string();
        assert!(!grants.contains("AllUsers"), "{grants}");
        assert!(
            grants.contains("FULL_CONTROL"),
            "the owner keeps its grant: {grants}"
        );
    });
    round_trip(ep, st, "s3.public-policies", SITE, "us-east-1", |b| {
        let statements = b["policy"]["Statement"].as_array().expect("statements");
        let sids: Vec<&str> = statements
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(
            sids,
            vec!["TeamList"],
            "only the public statement goes: {b}"
        );
    });
    // The data bucket lives in eu-west-1: every call goes to its region.
    round_trip(ep, st, "s3.default-encryption", EU_DATA, EU, |b| {
        assert_eq!(b["encryption"], "AES256", "{b}");
    });
    round_trip(
        ep,
        st,
        "s3.deny-insecure-transport",
        SITE,
        "us-east-1",
        |b| {
            let statements = b["policy"]["Statement"].as_array().expect("statements");
            assert_eq!(statements.len(), 3, "merged, nothing dropped: {b}");
            assert!(
                statements.iter().any(|s| s["Effect"] == "Deny"
                    && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
                "{b}"
            );
        },
    );
    // The access-log target is a log bucket: versioning on.
    round_trip(ep, st, "s3.versioning", LOGS, "us-east-1", |b| {
        assert_eq!(b["versioning"], "Enabled", "{b}");
    });
    // The policy preview is canonical JSON and shows only what changes.
    let o = run_moat(
        ep,
        st,
        &[
            "plan",
            "s3.deny-insecure-transport",
            "--resource",
            &format!("bucket/{SITE}"),
        ],
    );
    assert_ok(&o);
    let text = String::from_utf8_lossy(&o.stdout);
    let added: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .collect();
    assert!(
        added.iter().any(|l| l.contains("aws:SecureTransport")),
        "{text}"
    );
    assert!(
        !added
            .iter()
            .any(|l| l.contains("PublicRead") || l.contains("TeamList")),
        "untouched statements are context, not changes: {text}"
    );
}

/// Versioning is read only on the buckets an item judges it on: a log
/// bucket whose versioning moat enabled, and that stopped being a log
/// bucket since (the logging to it removed), is undone all the same.
#[test]
fn versioning_of_a_bucket_no_longer_a_log_bucket_is_undone() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_buckets(ep));
    let st = state.path();

    let resource = format!("bucket/{LOGS}");
    apply_resource(ep, st, &[], "s3.versioning", &resource, &[]);
    let after = block_on(read_bucket(ep, LOGS, "us-east-1"));
    assert_eq!(after["versioning"], "Enabled", "{after}");

    // The site no longer logs to it: it is no log bucket any more.
    block_on(async {
        let us = s3_client(ep, "us-east-1").await;
        us.put_bucket_logging()
            .bucket(SITE)
            .bucket_logging_status(aws_sdk_s3::types::BucketLoggingStatus::builder().build())
            .send()
            .await
            .expect("logging off");
    });

    let o = undo_ok(ep, st, &[]);
    let restored = block_on(read_bucket(ep, LOGS, "us-east-1"));
    // A bucket that was never versioned can only go back to Suspended.
    assert_eq!(
        restored["versioning"],
        "Suspended",
        "{restored}: {}",
        output_text(&o)
    );
}

#[test]
fn account_public_access_block_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_buckets(ep));
    let st = state.path();
    let id = "s3.account-public-access-block";
    let scan = scan_item(ep, st, &[], id);
    assert_eq!(scan["status"], "fail", "{scan}");
    let plan = run_moat(ep, st, &["plan", id]);
    assert_ok(&plan);
    let text = output_text(&plan);
    // The public bucket is named in the warning: the block cuts it off.
    assert!(text.contains(SITE), "{text}");
    let o = run_moat(ep, st, &["apply", id, "--yes"]);
    assert_ok(&o);
    assert!(output_text(&o).contains("verified"), "{}", output_text(&o));
    assert_eq!(scan_item(ep, st, &[], id)["status"], "pass");
    assert_ok(&run_moat(ep, st, &["undo", "--last", "--yes"]));
    assert_eq!(scan_item(ep, st, &[], id)["status"], "fail");
}

#[test]
fn declared_public_bucket_is_accepted_with_its_reason() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_buckets(ep));
    let config = state.path().join("moat.toml");
    std::fs::write(
        &config,
        format!("[[public_bucket]]\nbucket = \"{SITE}\"\nreason = \"the public website\"\n"),
    )
    .expect("config");
    let config = config.to_string_lossy().to_string();
    for id in [
        "s3.public-acls",
        "s3.public-policies",
        "s3.bucket-public-access-block",
    ] {
        let item = scan_item(ep, state.path(), &["--config", &config], id);
        let resource = format!("bucket/{SITE}");
        assert_eq!(
            resource_status(&item, &resource),
            "accepted",
            "{id}: {item}"
        );
        let detail = item["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["resource"] == resource.as_str()))
            .map(|f| f["detail"].to_string())
            .unwrap_or_default();
        assert!(detail.contains("the public website"), "{id}: {detail}");
    }
    // Nothing to do for an accepted bucket unless it is asked for by name.
    let o = moat_cmd(ep, state.path())
        .args(["--config", &config, "plan", "s3.public-acls"])
        .output()
        .expect("plan");
    assert_ok(&o);
    assert!(
        !output_text(&o).contains("s3:PutBucketAcl"),
        "{}",
        output_text(&o)
    );
}

/// A distribution with an S3 origin, HTTP allowed on the default behavior and
/// a custom certificate on an old TLS policy with a dedicated IP.
async fn seed_distribution(ep: &str) -> String {
    seed_cloudfront::http_distribution(ep, "moat-test", "test", "assets", SITE).await
}

async fn read_distribution(ep: &str, id: &str) -> Value {
    let cf = cloudfront_client(ep).await;
    let out = cf
        .get_distribution_config()
        .id(id)
        .send()
        .await
        .expect("config");
    let c = out.distribution_config().expect("config");
    let vc = c.viewer_certificate();
    json!({
        "viewers": c.default_cache_behavior().map(|b| b.viewer_protocol_policy().as_str().to_string()),
        "ssl": vc.and_then(|v| v.ssl_support_method()).map(|s| s.as_str().to_string()),
        "tls": vc.and_then(|v| v.minimum_protocol_version()).map(|s| s.as_str().to_string()),
        "origins": c.origins().map(|o| o.items().len()),
        "comment": c.comment(),
    })
}

#[test]
fn cloudfront_items_round_trip() {
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.as_str();
    block_on(seed_buckets(ep));
    let id = block_on(seed_distribution(ep));
    let st = state.path();
    let resource = format!("distribution/{id}");
    for (item, field, want) in [
        ("cloudfront.https-only", "viewers", "redirect-to-https"),
        ("cloudfront.tls-version", "tls", "TLSv1.2_2021"),
    ] {
        let before = block_on(read_distribution(ep, &id));
        let scan = scan_item(ep, st, &[], item);
        assert_eq!(resource_status(&scan, &resource), "fail", "{item}: {scan}");
        let o = run_moat(ep, st, &["apply", item, "--yes"]);
        assert_ok(&o);
        assert!(
            output_text(&o).contains("verified"),
            "{item}: {}",
            output_text(&o)
        );
        let after = block_on(read_distribution(ep, &id));
        assert_eq!(after[field], want, "{item}: {after}");
        // Everything else in the configuration is kept.
        assert_eq!(after["origins"], before["origins"]);
        assert_eq!(after["comment"], before["comment"]);
        if item == "cloudfront.tls-version" {
            assert_eq!(after["ssl"], "sni-only", "{after}");
        }
        let scan = scan_item(ep, st, &[], item);
        assert_eq!(resource_status(&scan, &resource), "pass", "{item}: {scan}");
        assert_ok(&run_moat(ep, st, &["undo", "--last", "--yes"]));
        assert_eq!(block_on(read_distribution(ep, &id)), before, "{item}: undo");
    }
}

/// A bucket setting the credentials may not read: that bucket is `error` for
/// the items that need it, naming the denied action; every other bucket and
/// setting is still judged.
#[test]
fn denied_bucket_policy_read_is_an_error_for_that_item_only() {
    let moto = Moto::start();
    let state = temp_state_dir();
    block_on(seed_buckets(&moto.endpoint));
    let proxy = support::Proxy::start(moto.port);
    proxy.answer(
        "GetBucketPolicy",
        403,
        "application/xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
         <Message>Access Denied</Message><RequestId>1</RequestId></Error>",
    );
    let ep = proxy.endpoint.as_str();
    let o = run_moat(
        ep,
        state.path(),
        &["scan", "--section", "s3", "--format", "json"],
    );
    let v = support::run::stdout_json(&o);
    let item = |id: &str| support::run::item(&v, id).clone();
    let policies = item("s3.public-policies");
    let site = format!("bucket/{SITE}");
    assert_eq!(resource_status(&policies, &site), "error", "{policies}");
    assert!(
        policies.to_string().contains("s3:GetBucketPolicy"),
        "names the denied action: {policies}"
    );
    // Settings read by other calls are judged as usual.
    assert_eq!(
        resource_status(&item("s3.public-acls"), &site),
        "fail",
        "{}",
        item("s3.public-acls")
    );
    assert_eq!(
        resource_status(&item("s3.default-encryption"), &format!("bucket/{EU_DATA}")),
        "fail"
    );
    // No plan writes over a policy it could not read.
    let o = run_moat(ep, state.path(), &["plan", "s3.deny-insecure-transport"]);
    assert!(
        !output_text(&o).contains(&format!("s3:PutBucketPolicy  bucket/{SITE}")),
        "{}",
        output_text(&o)
    );
}

/// The request budget of the S3 section: one ListBuckets, sent paginated
/// (`max-buckets`), the form S3 answers with each bucket's region (the
/// launcher answers as AWS documents it), so no GetBucketLocation; then five
/// reads per bucket (public access block, policy, ACL, encryption, logging)
/// in the bucket's region, and versioning as a sixth only on the buckets an
/// item judges it on: the target of the access logs, the trail's bucket and
/// the bucket the config declares irreplaceable. A call added per bucket
/// (or versioning read on every bucket again) fails this test.
#[test]
fn five_requests_per_bucket_and_six_on_log_trail_and_irreplaceable_buckets() {
    const PLAIN: [&str; 3] = ["plain-1", "plain-2", "plain-3"];
    const TRAIL_LOGS: &str = "count-trail-logs";
    let moto = Moto::start();
    let state = temp_state_dir();
    block_on(async {
        seed_buckets(&moto.endpoint).await;
        let us = s3_client(&moto.endpoint, "us-east-1").await;
        for b in PLAIN {
            us.create_bucket().bucket(b).send().await.expect("bucket");
        }
        support::seed_cloudtrail::trail_to_bucket(&moto.endpoint, "count-trail", TRAIL_LOGS).await;
    });
    let config = state.path().join("moat.toml");
    std::fs::write(
        &config,
        format!("[s3]\nirreplaceable_buckets = [\"{EU_DATA}\"]\n"),
    )
    .expect("config");
    let proxy = support::Proxy::start(moto.port);
    let o = moat_cmd(&proxy.endpoint, state.path())
        .env("MOAT_CONFIG", &config)
        .args(["scan", "--section", "s3", "--format", "json"])
        .output()
        .expect("run moat");
    assert_eq!(o.status.code(), Some(1), "{}", output_text(&o));
    let s3: Vec<support::RecordedRequest> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("s3") && !r.target.starts_with("/v20180820/"))
        .collect();
    assert_eq!(
        proxy.count("GetBucketLocation"),
        0,
        "{:?}",
        proxy.operations()
    );
    assert_eq!(proxy.count("ListBuckets"), 1);
    let list = s3
        .iter()
        .find(|r| r.operation == "ListBuckets")
        .map(|r| r.target.clone())
        .unwrap_or_default();
    assert!(list.contains("max-buckets=10000"), "{list}");
    let five = [
        "GetBucketAcl",
        "GetBucketEncryption",
        "GetBucketLogging",
        "GetBucketPolicy",
        "GetPublicAccessBlock",
    ];
    let mut six = five.to_vec();
    six.push("GetBucketVersioning");
    six.sort();
    let mut expected: Vec<(&str, &[&str])> = vec![(SITE, &five)];
    expected.extend(PLAIN.iter().map(|b| (*b, &five[..])));
    expected.extend([LOGS, TRAIL_LOGS, EU_DATA].map(|b| (b, &six[..])));
    let mut total = 1;
    for (b, ops) in expected {
        let mut per: Vec<&str> = s3
            .iter()
            .filter(|r| r.target.trim_start_matches('/').split(['/', '?']).next() == Some(b))
            .map(|r| r.operation.as_str())
            .collect();
        per.sort();
        assert_eq!(per, ops, "{b}");
        total += ops.len();
    }
    // 1 + 4 × 5 + 3 × 6: no request for any other bucket, none account-wide
    // beyond ListBuckets.
    assert_eq!(s3.len(), total, "{:?}", proxy.operations());
    assert_eq!(total, 39);
}

/// s3.cloudfront-origin-access is one plan over three resources. When a step
/// fails (here CloudFront refuses the distribution update: its ETag changed
/// since the plan), apply says what was applied, and `undo --last` reverses
/// exactly that: the new origin access control and the bucket policy.
#[test]
fn origin_access_failing_step_reports_and_undoes_what_was_applied() {
    let moto = Moto::start();
    let state = temp_state_dir();
    block_on(seed_buckets(&moto.endpoint));
    block_on(seed_distribution(&moto.endpoint));
    let proxy = support::Proxy::start(moto.port);
    let ep = proxy.endpoint.as_str();
    let before = block_on(read_bucket(&moto.endpoint, SITE, "us-east-1"));
    let item = "s3.cloudfront-origin-access";

    let plan = run_moat(ep, state.path(), &["plan", item]);
    assert_ok(&plan);
    let text = output_text(&plan);
    for r in [
        "oac/moat-".to_string(),
        format!("bucket/{SITE}"),
        "distribution/".to_string(),
    ] {
        assert!(
            text.contains(&format!("+++ {r}")),
            "one diff per resource ({r}): {text}"
        );
    }

    proxy.answer(
        "UpdateDistribution",
        412,
        "text/xml",
        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">\
         <Error><Type>Sender</Type><Code>PreconditionFailed</Code><Message>The If-Match version \
         is missing or not valid for the resource.</Message></Error><RequestId>1</RequestId>\
         </ErrorResponse>",
    );
    let o = run_moat(ep, state.path(), &["apply", item, "--yes"]);
    let out = output_text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("PreconditionFailed"), "{out}");
    assert!(out.contains("2 of 3 changes were applied"), "{out}");
    let oacs = || {
        block_on(async {
            cloudfront_client(&moto.endpoint)
                .await
                .list_origin_access_controls()
                .send()
                .await
                .expect("list OACs")
                .origin_access_control_list()
                .map(|l| l.items().len())
                .unwrap_or(0)
        })
    };
    assert_eq!(oacs(), 1, "the OAC was created");
    let mid = block_on(read_bucket(&moto.endpoint, SITE, "us-east-1"));
    assert!(
        mid["policy"]
            .to_string()
            .contains("cloudfront.amazonaws.com"),
        "the bucket policy grants CloudFront: {mid}"
    );

    let o = run_moat(ep, state.path(), &["undo", "--last", "--yes"]);
    assert_ok(&o);
    assert_eq!(oacs(), 0, "undo deleted the OAC: {}", output_text(&o));
    assert_eq!(
        block_on(read_bucket(&moto.endpoint, SITE, "us-east-1")),
        before,
        "undo restored the bucket policy"
    );
}
