//! Alarms count only when they would fire on what the item watches: an
//! alarm on one service's share of the bill, or one that a rising bill
//! never breaches, does not make `cloudwatch.billing-alarms` pass; nor do
//! alarms on a bill CloudWatch does not publish (billing alerts off).

mod support;

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricStat, StandardUnit, Statistic,
};
use serde_json::Value;
use support::run::scan_item;
use support::seed_cloudwatch;
use support::{ACCOUNT_ID, Moto, block_on, output_text, temp_state_dir};

const US: &str = "us-east-1";
const R: &[&str] = &["--region", US];
const ID: &str = "cloudwatch.billing-alarms";

fn finding<'a>(item: &'a Value, alarm: &str) -> &'a Value {
    item["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["resource"] == format!("alarm/{US}/{alarm}"))
        })
        .unwrap_or_else(|| panic!("{alarm} named: {item}"))
}

/// A topic whose queue subscriber (same account, an existing queue) is
/// confirmed at once.
async fn heard_topic(ep: &str) -> String {
    // A queue whose policy lets SNS deliver the topic's messages.
    let topic = format!("arn:aws:sns:{US}:{ACCOUNT_ID}:billing");
    seed_cloudwatch::queue_for_topics(ep, US, "finance", &[&topic]).await;
    let sns = seed_cloudwatch::sns(ep, US);
    let arn = seed_cloudwatch::create_topic(ep, "billing", &[]).await;
    sns.subscribe()
        .topic_arn(&arn)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{US}:{ACCOUNT_ID}:finance"))
        .send()
        .await
        .expect("subscribe");
    arn
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

async fn billing_alarm(
    ep: &str,
    name: &str,
    topic: &str,
    dims: &[Dimension],
    comparison: ComparisonOperator,
) {
    seed_cloudwatch::cloudwatch(ep, US)
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Billing")
        .metric_name("EstimatedCharges")
        .set_dimensions(Some(dims.to_vec()))
        .statistic(Statistic::Maximum)
        .period(21600)
        .evaluation_periods(1)
        .threshold(100.0)
        .comparison_operator(comparison)
        .alarm_actions(topic)
        .send()
        .await
        .expect("alarm");
}

#[test]
fn billing_alarms_that_would_not_fire_on_the_whole_bill_do_not_count() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        seed_cloudwatch::billing_alerts_on(ep).await;
        let t = heard_topic(ep).await;
        let usd = dim("Currency", "USD");
        billing_alarm(
            ep,
            "bill-usual",
            &t,
            std::slice::from_ref(&usd),
            ComparisonOperator::GreaterThanThreshold,
        )
        .await;
        // One service's charges only.
        billing_alarm(
            ep,
            "bill-ec2",
            &t,
            &[usd.clone(), dim("ServiceName", "AmazonEC2")],
            ComparisonOperator::GreaterThanThreshold,
        )
        .await;
        // A bill that rises never breaches it.
        billing_alarm(
            ep,
            "bill-low",
            &t,
            std::slice::from_ref(&usd),
            ComparisonOperator::LessThanThreshold,
        )
        .await;
        // EstimatedCharges has no unit: an alarm reading Count sees nothing.
        seed_cloudwatch::cloudwatch(ep, US)
            .put_metric_alarm()
            .alarm_name("bill-count")
            .namespace("AWS/Billing")
            .metric_name("EstimatedCharges")
            .dimensions(usd.clone())
            .statistic(Statistic::Maximum)
            .unit(StandardUnit::Count)
            .period(21600)
            .evaluation_periods(1)
            .threshold(100.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .alarm_actions(&t)
            .send()
            .await
            .expect("alarm with a unit");
        // Metric math: read, and named as not judged.
        let stat = MetricStat::builder()
            .metric(
                Metric::builder()
                    .namespace("AWS/Billing")
                    .metric_name("EstimatedCharges")
                    .dimensions(usd)
                    .build(),
            )
            .period(21600)
            .stat("Maximum")
            .build();
        seed_cloudwatch::cloudwatch(ep, US)
            .put_metric_alarm()
            .alarm_name("bill-math")
            .metrics(
                MetricDataQuery::builder()
                    .id("m1")
                    .metric_stat(stat)
                    .return_data(false)
                    .build(),
            )
            .metrics(
                MetricDataQuery::builder()
                    .id("e1")
                    .expression("m1 * 2")
                    .return_data(true)
                    .build(),
            )
            .evaluation_periods(1)
            .threshold(100.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .alarm_actions(&t)
            .send()
            .await
            .expect("math alarm");
    });
    // Four alarms on the bill, all notifying a confirmed subscriber: only
    // one would fire on the whole bill rising.
    let item = scan_item(ep, state.path(), R, ID);
    assert_eq!(item["status"], "fail", "{item}");
    let ec2 = finding(&item, "bill-ec2");
    assert_eq!(ec2["status"], "fail", "{item}");
    assert!(
        ec2["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("ServiceName"),
        "{item}"
    );
    let low = finding(&item, "bill-low");
    assert!(
        low["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("LessThanThreshold"),
        "{item}"
    );
    let count = finding(&item, "bill-count");
    assert_eq!(count["status"], "fail", "{item}");
    assert!(
        count["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("unit Count"),
        "{item}"
    );
    let math = finding(&item, "bill-math");
    assert_eq!(math["status"], "manual", "{item}");

    // The fix: moat's alarms on the whole bill, which count once the
    // address confirms.
    let o = seed_cloudwatch::apply_billing_alarms(ep, state.path());
    let out = output_text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("verified"), "{out}");
    block_on(async {
        seed_cloudwatch::sns(ep, US)
            .confirm_subscription()
            .topic_arn(format!("arn:aws:sns:{US}:{ACCOUNT_ID}:moat-billing-alarms"))
            .token("billing@example.com")
            .send()
            .await
            .expect("confirm");
    });
    let item = scan_item(ep, state.path(), R, ID);
    assert_eq!(item["status"], "pass", "{item}");
}

#[test]
fn billing_alarms_without_billing_alerts_never_fire() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        let t = heard_topic(ep).await;
        let usd = dim("Currency", "USD");
        for name in ["bill-usual", "bill-high"] {
            billing_alarm(
                ep,
                name,
                &t,
                std::slice::from_ref(&usd),
                ComparisonOperator::GreaterThanThreshold,
            )
            .await;
        }
    });
    // Two alarms on the whole bill, heard by a confirmed subscriber, but
    // CloudWatch publishes no EstimatedCharges: they never leave
    // INSUFFICIENT_DATA.
    let item = scan_item(ep, state.path(), R, ID);
    assert_eq!(item["status"], "fail", "{item}");
    assert!(item.to_string().contains("billing alerts"), "{item}");

    // The fix creates no alarm that could never fire: it is a guided step.
    let o = seed_cloudwatch::apply_billing_alarms(ep, state.path());
    let out = output_text(&o);
    assert!(out.contains("billing alerts"), "{out}");
    let names: Vec<String> = block_on(async {
        seed_cloudwatch::cloudwatch(ep, US)
            .describe_alarms()
            .send()
            .await
            .expect("alarms")
            .metric_alarms()
            .iter()
            .filter_map(|a| a.alarm_name().map(str::to_string))
            .collect()
    });
    assert!(!names.iter().any(|n| n.starts_with("moat-")), "{names:?}");

    // Billing alerts on: the same alarms pass.
    block_on(seed_cloudwatch::billing_alerts_on(ep));
    let item = scan_item(ep, state.path(), R, ID);
    assert_eq!(item["status"], "pass", "{item}");
}
