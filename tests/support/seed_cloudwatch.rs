//! Seeds moto with resources that fail the CloudWatch section's items (its
//! alarms and the SNS topics and SQS queues they notify), for the tests that
//! cover every item (zero mutation, least-privilege IAM policy), and the
//! clients the tests use.

#![allow(dead_code)]

use super::run_moat;
use super::seed_cloudtrail::kms;
use std::path::Path;
use std::process::Output;

/// `moat --region us-east-1 apply --yes cloudwatch.billing-alarms` for a
/// monthly bill of 250 USD, notifying billing@example.com.
pub fn apply_billing_alarms(ep: &str, state: &Path) -> Output {
    run_moat(
        ep,
        state,
        &[
            "--region",
            "us-east-1",
            "apply",
            "--yes",
            "cloudwatch.billing-alarms",
            "--input",
            "monthly=250",
            "--input",
            "email=billing@example.com",
        ],
    )
}

/// An SNS topic nobody subscribed to (so a scan reads topics and their
/// subscriptions).
pub const UNHEARD_TOPIC: &str = "seeded-unheard";

/// An encrypted topic delivering to an SQS queue of the same name.
pub const PIPELINE_TOPIC: &str = "seeded-pipeline";

pub fn sns(ep: &str, region: &str) -> aws_sdk_sns::Client {
    test_client!(aws_sdk_sns, ep, region)
}

pub fn cloudwatch(ep: &str, region: &str) -> aws_sdk_cloudwatch::Client {
    test_client!(aws_sdk_cloudwatch, ep, region)
}

pub fn logs(ep: &str, region: &str) -> aws_sdk_cloudwatchlogs::Client {
    test_client!(aws_sdk_cloudwatchlogs, ep, region)
}

pub fn sqs(ep: &str, region: &str) -> aws_sdk_sqs::Client {
    test_client!(aws_sdk_sqs, ep, region)
}

/// A queue policy that lets SNS deliver what the topics `topics` publish
/// (SNS Developer Guide, "Sending Amazon SNS messages to an Amazon SQS
/// queue": sqs:SendMessage for sns.amazonaws.com, with aws:SourceArn).
pub fn queue_policy_for_topics(queue_arn: &str, topics: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TopicsSend",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topics}},
        }],
    })
    .to_string()
}

/// Queue `name` in `region`, whose policy lets SNS deliver what `topics`
/// publish; its URL.
pub async fn queue_for_topics(ep: &str, region: &str, name: &str, topics: &[&str]) -> String {
    let arn = format!("arn:aws:sqs:{region}:{}:{name}", super::ACCOUNT_ID);
    sqs(ep, region)
        .create_queue()
        .queue_name(name)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::Policy,
            queue_policy_for_topics(&arn, topics),
        )
        .send()
        .await
        .expect("queue")
        .queue_url()
        .map(str::to_string)
        .expect("queue url")
}

/// Billing alerts turned on: AWS then publishes `AWS/Billing`
/// `EstimatedCharges` (Currency=USD) in us-east-1 for the account, which
/// ListMetrics lists. moto lists a metric once data was put to it, so one
/// data point stands in for what AWS publishes.
pub async fn billing_alerts_on(ep: &str) {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    cloudwatch(ep, "us-east-1")
        .put_metric_data()
        .namespace("AWS/Billing")
        .metric_data(
            MetricDatum::builder()
                .metric_name("EstimatedCharges")
                .dimensions(Dimension::builder().name("Currency").value("USD").build())
                .value(42.0)
                .build(),
        )
        .send()
        .await
        .expect("billing metric");
}

/// Topic `name` in us-east-1 with `attributes`; its ARN.
pub async fn create_topic(ep: &str, name: &str, attributes: &[(&str, &str)]) -> String {
    let mut req = sns(ep, "us-east-1").create_topic().name(name);
    for (k, v) in attributes {
        req = req.attributes(*k, *v);
    }
    req.send()
        .await
        .expect("topic")
        .topic_arn()
        .map(str::to_string)
        .expect("topic arn")
}

/// The recipient of `endpoint` on `topic` (us-east-1) follows the link in
/// AWS's confirmation message.
pub async fn confirm(ep: &str, topic: &str, endpoint: &str) {
    sns(ep, "us-east-1")
        .confirm_subscription()
        .topic_arn(topic)
        .token(endpoint)
        .send()
        .await
        .expect("confirm");
}

/// Alarm `name` on the whole bill in USD (us-east-1) above `threshold`,
/// notifying `actions`.
pub async fn bill_alarm(ep: &str, name: &str, threshold: f64, actions: &[String]) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    cloudwatch(ep, "us-east-1")
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .dimensions(Dimension::builder().name("Currency").value("USD").build())
        .statistic(Statistic::Maximum)
        .period(21600)
        .evaluation_periods(1)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .set_alarm_actions(Some(actions.to_vec()))
        .send()
        .await
        .expect("alarm");
}

/// Create resources that fail (some of) this section's items: no billing
/// alarm; a topic without subscribers; an encrypted topic delivering to a
/// queue.
pub async fn seed_failing(ep: &str) {
    sns(ep, "us-east-1")
        .create_topic()
        .name(UNHEARD_TOPIC)
        .send()
        .await
        .expect("topic");
    // A topic encrypted with a customer managed key whose policy leaves
    // CloudWatch out, delivering to a queue: a scan reads the key, the
    // subscription's filter policy and the queue's policy and key.
    let key = kms(ep, "us-east-1")
        .create_key()
        .description("seeded pipeline key")
        .send()
        .await
        .expect("key")
        .key_metadata()
        .map(|m| m.key_id().to_string())
        .expect("key id");
    let pipeline = create_topic(ep, PIPELINE_TOPIC, &[("KmsMasterKeyId", key.as_str())]).await;
    queue_for_topics(ep, "us-east-1", PIPELINE_TOPIC, &[&pipeline]).await;
    sns(ep, "us-east-1")
        .subscribe()
        .topic_arn(pipeline)
        .protocol("sqs")
        .endpoint(format!(
            "arn:aws:sqs:us-east-1:{}:{PIPELINE_TOPIC}",
            super::ACCOUNT_ID
        ))
        .send()
        .await
        .expect("subscribe");
}
