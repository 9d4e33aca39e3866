//! Notifications that reach someone, and security-event filters recognised
//! by what they catch, against moto taught the SNS confirmation AWS
//! requires (tests/support/aws_behaviours/sns_pending_confirmation.py: an
//! e-mail subscription stays `PendingConfirmation` until its recipient
//! confirms; here the test confirms it as the recipient would).

mod support;

use support::run::scan_item;
use support::seed_cloudtrail::LOG_GROUP;
use support::seed_cloudwatch::confirm;
use support::{ACCOUNT_ID, Moto, block_on, output_text, run_moat, temp_state_dir};
use support::{seed_cloudtrail, seed_cloudwatch};

const US: &str = "us-east-1";
const R: &[&str] = &["--region", US];

fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:{US}:{ACCOUNT_ID}:{name}")
}

async fn create_topic(ep: &str, name: &str) -> String {
    seed_cloudwatch::create_topic(ep, name, &[]).await
}

async fn subscribe(ep: &str, topic: &str, protocol: &str, endpoint: &str) {
    seed_cloudwatch::sns(ep, US)
        .subscribe()
        .topic_arn(topic)
        .protocol(protocol)
        .endpoint(endpoint)
        .send()
        .await
        .expect("subscribe");
}

/// A logging trail in us-east-1 announcing to `topic`, whose policy lets
/// CloudTrail publish (AWS's CreateTrail refuses a topic without it:
/// InsufficientSnsTopicPolicyException).
async fn trail_with_topic(ep: &str, topic: &str) {
    let arn = topic_arn(topic);
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")},
             "Action": "SNS:*", "Resource": arn},
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "SNS:Publish", "Resource": arn},
        ],
    });
    seed_cloudwatch::sns(ep, US)
        .set_topic_attributes()
        .topic_arn(&arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .expect("topic policy");
    seed_cloudtrail::trail_with_topic(ep, topic).await;
}

#[test]
fn trail_topic_must_reach_a_confirmed_subscriber() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let id = "cloudtrail.sns-notifications";
    let topic = block_on(async {
        let t = create_topic(ep, "trail-announcements").await;
        trail_with_topic(ep, "trail-announcements").await;
        t
    });

    // A topic nobody subscribed to announces to no one.
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(item["status"], "fail", "{item}");
    let detail = item["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no confirmed subscription"), "{item}");

    // An e-mail subscription not yet confirmed: a pending finding.
    block_on(subscribe(ep, &topic, "email", "logs@example.com"));
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(item["status"], "fail", "{item}");
    let detail = item["findings"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Pending confirmation") && detail.contains("logs@example.com"),
        "{item}"
    );

    // Confirmed: the trail's announcements reach someone.
    block_on(confirm(ep, &topic, "logs@example.com"));
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "pass");
}

#[test]
fn same_account_queue_subscriptions_are_confirmed_at_once() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let id = "cloudtrail.sns-notifications";
    block_on(async {
        let t = create_topic(ep, "trail-announcements").await;
        trail_with_topic(ep, "trail-announcements").await;
        // A queue of another account waits for that account to confirm.
        subscribe(ep, &t, "sqs", "arn:aws:sqs:us-east-1:999999999999:siem").await;
    });
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "fail");
    block_on(async {
        let t = topic_arn("trail-announcements");
        seed_cloudwatch::queue_for_topics(ep, US, "log-pipeline", &[&t]).await;
        subscribe(
            ep,
            &t,
            "sqs",
            &format!("arn:aws:sqs:{US}:{ACCOUNT_ID}:log-pipeline"),
        )
        .await;
    });
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "pass");
}

#[test]
fn trail_fix_subscribes_an_address_and_says_it_is_pending() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_cloudtrail::seed_failing(ep).await;
        seed_cloudwatch::seed_failing(ep).await;
    });
    let state = temp_state_dir();
    let id = "cloudtrail.sns-notifications";
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "fail");
    let mut args: Vec<&str> = R.to_vec();
    args.extend(["apply", "--yes", id, "--input", "email=logs@example.com"]);
    let o = run_moat(ep, state.path(), &args);
    let out = output_text(&o);
    // Applied and verified, not a failed change; the state says what is left.
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("verified"), "{out}");
    assert!(out.contains("Pending confirmation"), "{out}");
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(item["status"], "fail", "{item}");
    block_on(confirm(
        ep,
        &topic_arn("moat-cloudtrail-notifications"),
        "logs@example.com",
    ));
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "pass");
}

async fn billing_alarm(ep: &str, name: &str, actions: &[String]) {
    seed_cloudwatch::bill_alarm(ep, name, 100.0, actions).await;
}

#[test]
fn billing_alarms_that_notify_nobody_fail() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let id = "cloudwatch.billing-alarms";
    let topic = block_on(async {
        seed_cloudwatch::billing_alerts_on(ep).await;
        let t = create_topic(ep, "billing").await;
        billing_alarm(ep, "bill-usual", std::slice::from_ref(&t)).await;
        billing_alarm(ep, "bill-high", std::slice::from_ref(&t)).await;
        t
    });
    let item = scan_item(ep, state.path(), R, id);
    assert_eq!(item["status"], "fail", "{item}");
    assert!(
        item.to_string().contains("no confirmed subscription"),
        "{item}"
    );

    // The fix: moat's topic and alarms, verified; pending until confirmed.
    let o = seed_cloudwatch::apply_billing_alarms(ep, state.path());
    let out = output_text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("verified"), "{out}");
    assert!(
        out.contains("is now fail") && out.contains("Pending confirmation"),
        "{out}"
    );
    block_on(confirm(
        ep,
        &topic_arn("moat-billing-alarms"),
        "billing@example.com",
    ));
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "pass");

    // The account's own topic, once someone confirms, is enough as well.
    let mut args: Vec<&str> = R.to_vec();
    args.extend(["undo", "--last", "--yes"]);
    let o = run_moat(ep, state.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", output_text(&o));
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "fail");
    block_on(async {
        subscribe(ep, &topic, "email", "finance@example.com").await;
        confirm(ep, &topic, "finance@example.com").await;
    });
    assert_eq!(scan_item(ep, state.path(), R, id)["status"], "pass");
}

/// Filters as another tool writes them (spacing, quotes, order of terms).
const OTHER_TOOL: &[(&str, &str)] = &[
    (
        "root-usage",
        "{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }",
    ),
    (
        "unauthorized-api-calls",
        r#"{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}"#,
    ),
    (
        "cloudtrail-changes",
        r#"{($.eventName="StopLogging")||($.eventName="StartLogging")||($.eventName="DeleteTrail")||($.eventName="UpdateTrail")||($.eventName="CreateTrail")}"#,
    ),
    // Close, but without ModifySecurityGroupRules: not recognised.
    (
        "security-group-changes",
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    ),
];

#[test]
fn security_event_filters_written_by_another_tool_are_recognised() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    block_on(async {
        seed_cloudtrail::seed_failing(ep).await;
        seed_cloudwatch::seed_failing(ep).await;
        let t = create_topic(ep, "soc").await;
        seed_cloudwatch::queue_for_topics(ep, US, "soc-queue", &[&t]).await;
        subscribe(
            ep,
            &t,
            "sqs",
            &format!("arn:aws:sqs:{US}:{ACCOUNT_ID}:soc-queue"),
        )
        .await;
        let logs = seed_cloudwatch::logs(ep, US);
        for (slug, pattern) in OTHER_TOOL {
            let metric = format!("cis_{}", slug.replace('-', "_"));
            logs.put_metric_filter()
                .log_group_name(LOG_GROUP)
                .filter_name(format!("cis-{slug}"))
                .filter_pattern(*pattern)
                .metric_transformations(
                    aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                        .metric_name(&metric)
                        .metric_namespace("CISBenchmark")
                        .metric_value("1")
                        .build()
                        .expect("transformation"),
                )
                .send()
                .await
                .expect("filter");
            use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
            seed_cloudwatch::cloudwatch(ep, US)
                .put_metric_alarm()
                .alarm_name(format!("cis-{slug}-alarm"))
                .namespace("CISBenchmark")
                .metric_name(&metric)
                .statistic(Statistic::Sum)
                .period(300)
                .evaluation_periods(1)
                .threshold(1.0)
                .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
                .alarm_actions(&t)
                .send()
                .await
                .expect("alarm");
        }
    });
    let state = temp_state_dir();
    let item = scan_item(ep, state.path(), R, "cloudwatch.security-event-alarms");
    assert_eq!(item["status"], "fail", "{item}");
    let failing: Vec<String> = item["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["resource"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let group = "seeded%2FCloudTrail";
    for slug in ["root-usage", "unauthorized-api-calls", "cloudtrail-changes"] {
        let r = format!("metric-filter/{US}/{group}/cis-{slug}");
        assert!(!failing.contains(&r), "{slug} recognised: {item}");
        assert!(
            !failing.contains(&format!("metric-filter/{US}/{group}/moat-cis-{slug}")),
            "{slug}: {item}"
        );
    }
    let sg = item["findings"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|f| {
                f["resource"] == format!("metric-filter/{US}/{group}/cis-security-group-changes")
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("security groups: {item}"));
    assert!(
        sg["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("ModifySecurityGroupRules"),
        "{sg}"
    );
    // 15 events, three of them watched; the seeded trail records one
    // region and is not logging, which is a finding of its own.
    let events = failing
        .iter()
        .filter(|r| r.starts_with("metric-filter/"))
        .count();
    assert_eq!(events, 12, "{item}");
    assert!(
        failing.iter().any(|r| r.starts_with("trail/")),
        "the partial trail is named: {item}"
    );
}
