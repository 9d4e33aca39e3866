//! A confirmed subscription is not enough: notifications that AWS would
//! never deliver fail, against moto. Here moto keeps what AWS keeps (a
//! deleted queue is gone, a subscription's filter policy and a topic's key
//! are read back as set); what it does not do, the checks do not ask of it:
//! moto publishes to a topic encrypted with aws/sns, which AWS refuses to
//! CloudWatch and CloudTrail (SNS Developer Guide, "Encryption at rest":
//! compatibility between event sources from AWS services and encrypted
//! topics), so the check reads the topic's `KmsMasterKeyId`, not a delivery.
//! Likewise moto publishes whatever a topic's or a queue's access policy
//! says; AWS refuses an alarm's publish the topic policy does not allow
//! ("is not authorized to perform: SNS:Publish") and delivers nothing to a
//! queue whose policy does not let sns.amazonaws.com send to it, so the
//! check reads those policies (and the queue's key), as the scan does here.

mod support;

use serde_json::Value;
use support::run::scan_item;
use support::{ACCOUNT_ID, Moto, block_on, output_text, run_moat, temp_state_dir};
use support::{seed_cloudtrail, seed_cloudwatch};

const US: &str = "us-east-1";
const R: &[&str] = &["--region", US];
const BILLING: &str = "cloudwatch.billing-alarms";
const TRAIL_TOPIC: &str = "cloudtrail.sns-notifications";

fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:{US}:{ACCOUNT_ID}:{name}")
}

/// AWS's default access policy of a new topic: the account's principals,
/// and services publishing for the account's resources (AWS:SourceOwner).
fn default_policy(arn: &str) -> Value {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT_ID}},
        }],
    })
}

/// A statement letting CloudTrail publish to topic `arn`.
fn cloudtrail_statement(arn: &str) -> Value {
    serde_json::json!({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "SNS:Publish", "Resource": arn})
}

/// A topic whose policy is AWS's default plus CloudTrail's statement, with
/// extra `attributes` (KmsMasterKeyId, …).
async fn create_topic(ep: &str, name: &str, attributes: &[(&str, &str)]) -> String {
    let arn = topic_arn(name);
    let mut policy = default_policy(&arn);
    if let Some(Value::Array(a)) = policy.get_mut("Statement") {
        a.push(cloudtrail_statement(&arn));
    }
    create_topic_with(ep, name, &policy, attributes).await
}

/// A topic with access policy `policy` and extra `attributes`.
async fn create_topic_with(
    ep: &str,
    name: &str,
    policy: &Value,
    attributes: &[(&str, &str)],
) -> String {
    let policy = policy.to_string();
    let mut all = vec![("Policy", policy.as_str())];
    all.extend(attributes);
    seed_cloudwatch::create_topic(ep, name, &all).await
}

/// Subscribe, and confirm as the recipient would; the subscription's ARN.
async fn subscribe(ep: &str, topic: &str, protocol: &str, endpoint: &str) -> String {
    let sns = seed_cloudwatch::sns(ep, US);
    let out = sns
        .subscribe()
        .topic_arn(topic)
        .protocol(protocol)
        .endpoint(endpoint)
        .return_subscription_arn(true)
        .send()
        .await
        .expect("subscribe");
    if protocol == "email" {
        seed_cloudwatch::confirm(ep, topic, endpoint).await;
    }
    out.subscription_arn().unwrap_or_default().to_string()
}

async fn billing_alarms(ep: &str, topic: &str) {
    seed_cloudwatch::billing_alerts_on(ep).await;
    for (name, threshold) in [("bill-usual", 100.0), ("bill-high", 115.0)] {
        seed_cloudwatch::bill_alarm(ep, name, threshold, &[topic.to_string()]).await;
    }
}

fn details(item: &Value) -> String {
    item["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["detail"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn a_deleted_queue_reaches_no_one() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let queue = format!("arn:aws:sqs:{US}:{ACCOUNT_ID}:billing-pipeline");
    let url = block_on(async {
        let t = create_topic(ep, "billing", &[]).await;
        let url = seed_cloudwatch::queue_for_topics(ep, US, "billing-pipeline", &[&t]).await;
        subscribe(ep, &t, "sqs", &queue).await;
        billing_alarms(ep, &t).await;
        url
    });
    // The queue exists: the account's own system receives the alarms.
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "pass", "{item}");

    // Deleted: the subscription stays confirmed, and delivers nothing.
    block_on(async {
        seed_cloudwatch::sqs(ep, US)
            .delete_queue()
            .queue_url(url)
            .send()
            .await
            .expect("delete queue");
    });
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    let d = details(&item);
    assert!(
        d.contains("no longer exists") && d.contains(&queue),
        "{item}"
    );
}

#[test]
fn a_filter_policy_on_attributes_drops_alarm_notifications() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let sub = block_on(async {
        let t = create_topic(ep, "billing", &[]).await;
        let sub = subscribe(ep, &t, "email", "finance@example.com").await;
        billing_alarms(ep, &t).await;
        sub
    });
    assert_eq!(scan_item(ep, state.path(), R, BILLING)["status"], "pass");

    // Only messages whose `severity` attribute is critical: alarm
    // notifications have no attributes, so none gets through.
    block_on(async {
        seed_cloudwatch::sns(ep, US)
            .set_subscription_attributes()
            .subscription_arn(&sub)
            .attribute_name("FilterPolicy")
            .attribute_value(r#"{"severity": ["critical"]}"#)
            .send()
            .await
            .expect("filter policy");
    });
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    let d = details(&item);
    assert!(
        d.contains("filter policy") && d.contains("finance@example.com"),
        "{item}"
    );
}

#[test]
fn a_topic_encrypted_with_aws_sns_reaches_no_one() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        let t = create_topic(ep, "alerts", &[("KmsMasterKeyId", "alias/aws/sns")]).await;
        subscribe(ep, &t, "email", "ops@example.com").await;
        billing_alarms(ep, &t).await;
        seed_cloudtrail::trail_with_topic(ep, "alerts").await;
    });
    for id in [BILLING, TRAIL_TOPIC] {
        let item = scan_item(ep, state.path(), R, id);
        assert_eq!(item["status"], "fail", "{id}: {item}");
        assert!(details(&item).contains("AWS managed key"), "{id}: {item}");
    }

    // The trail's fix points it at moat's own topic (not encrypted), which
    // passes once its address confirms; the encrypted topic is left alone.
    let mut args: Vec<&str> = R.to_vec();
    args.extend([
        "apply",
        "--yes",
        TRAIL_TOPIC,
        "--input",
        "email=logs@example.com",
    ]);
    let o = run_moat(ep, state.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", output_text(&o));
    block_on(async {
        seed_cloudwatch::sns(ep, US)
            .confirm_subscription()
            .topic_arn(topic_arn("moat-cloudtrail-notifications"))
            .token("logs@example.com")
            .send()
            .await
            .expect("confirm");
    });
    let item = scan_item(ep, state.path(), R, TRAIL_TOPIC);
    assert_eq!(item["status"], "pass", "{item}");
}

#[test]
fn alarm_topics_must_let_cloudwatch_publish() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let arn = topic_arn("billing");
    // The account's principals and CloudTrail only: CloudWatch's publish is
    // refused on AWS.
    let not_cloudwatch = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")},
             "Action": "SNS:*", "Resource": arn},
            cloudtrail_statement(&arn),
        ],
    });
    block_on(async {
        let t = create_topic_with(ep, "billing", &not_cloudwatch, &[]).await;
        subscribe(ep, &t, "email", "finance@example.com").await;
        billing_alarms(ep, &t).await;
    });
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    let d = details(&item);
    assert!(
        d.contains("cloudwatch.amazonaws.com") && d.contains(&arn),
        "{item}"
    );

    // AWS's default policy (the account, by AWS:SourceOwner), with a Deny
    // of requests without TLS, as security baselines add: alarms publish.
    let mut default = default_policy(&arn);
    if let Some(Value::Array(a)) = default.get_mut("Statement") {
        a.push(serde_json::json!({
            "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "SNS:Publish",
            "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }));
    }
    let set_policy = |p: &Value| {
        block_on(async {
            seed_cloudwatch::sns(ep, US)
                .set_topic_attributes()
                .topic_arn(&arn)
                .attribute_name("Policy")
                .attribute_value(p.to_string())
                .send()
                .await
                .expect("topic policy");
        })
    };
    set_policy(&default);
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "pass", "{item}");

    // A Deny of SNS:Publish to everyone, without condition.
    if let Some(Value::Array(a)) = default.get_mut("Statement") {
        a.push(serde_json::json!({
            "Sid": "Frozen", "Effect": "Deny", "Principal": "*", "Action": "SNS:Publish",
            "Resource": arn
        }));
    }
    set_policy(&default);
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
}

#[test]
fn a_queue_sns_may_not_send_to_reaches_no_one() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let queue = format!("arn:aws:sqs:{US}:{ACCOUNT_ID}:billing-pipeline");
    let (t, url) = block_on(async {
        // The queue exists, with no access policy: SNS may not send to it.
        let url = seed_cloudwatch::sqs(ep, US)
            .create_queue()
            .queue_name("billing-pipeline")
            .send()
            .await
            .expect("queue")
            .queue_url()
            .map(str::to_string)
            .expect("queue url");
        let t = create_topic(ep, "billing", &[]).await;
        subscribe(ep, &t, "sqs", &queue).await;
        billing_alarms(ep, &t).await;
        (t, url)
    });
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    let d = details(&item);
    assert!(
        d.contains("no access policy") && d.contains(&queue),
        "{item}"
    );

    use aws_sdk_sqs::types::QueueAttributeName as Q;
    let set = |attributes: Vec<(Q, String)>| {
        block_on(async {
            seed_cloudwatch::sqs(ep, US)
                .set_queue_attributes()
                .queue_url(&url)
                .set_attributes(Some(attributes.into_iter().collect()))
                .send()
                .await
                .expect("queue attributes");
        })
    };
    // A policy for another topic only.
    let other = topic_arn("someone-else");
    set(vec![(
        Q::Policy,
        seed_cloudwatch::queue_policy_for_topics(&queue, &[&other]),
    )]);
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    assert!(details(&item).contains("sqs:SendMessage"), "{item}");

    // The policy SNS documents: the queue receives the alarms.
    let policy = seed_cloudwatch::queue_policy_for_topics(&queue, &[&t]);
    set(vec![(Q::Policy, policy.clone())]);
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "pass", "{item}");

    // Encrypted with aws/sqs, whose key policy cannot let SNS use it. (The
    // policy is sent again: moto 5.2.1 drops a queue's policy on any
    // SetQueueAttributes without one, which AWS does not.)
    set(vec![
        (Q::Policy, policy),
        (Q::KmsMasterKeyId, "alias/aws/sqs".into()),
    ]);
    let item = scan_item(ep, state.path(), R, BILLING);
    assert_eq!(item["status"], "fail", "{item}");
    assert!(details(&item).contains("aws/sqs"), "{item}");
}
