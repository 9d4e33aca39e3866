//! The policy of an SNS topic moat creates.

use super::build::alnum;
use serde_json::{Value, json};

/// A topic policy: the account keeps full use of the topic, and `service`
/// may publish for the sources given.
pub fn topic_policy(
    partition: &str,
    region: &str,
    account: &str,
    name: &str,
    service: &str,
    source_arns: Vec<String>,
) -> Value {
    let arn = format!("arn:{partition}:sns:{region}:{account}:{name}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountOwnerUse",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
                "Action": [
                    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                    "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic", "SNS:Publish",
                ],
                "Resource": arn,
            },
            {
                "Sid": format!("Allow{}Publish", alnum(service.split('.').next().unwrap_or(service))),
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "SNS:Publish",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": source_arns}},
            },
        ],
    })
}
