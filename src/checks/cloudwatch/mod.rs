//! The `cloudwatch` section: billing alarms (always in us-east-1, the only
//! region with billing metrics) and alarms on security events found in the
//! CloudTrail log group (the CIS monitoring controls).
//!
//! `cloudwatch.rds-connection-alarms` watches each RDS instance's
//! connection count, in the instance's own region.
//!
//! An alarm counts only when its notification reaches someone ([`Reach`]):
//! an SNS topic whose access policy lets CloudWatch publish, not encrypted
//! with the AWS managed key (whose policy CloudWatch cannot use), with at
//! least one confirmed subscription that delivers it: to a person (e-mail,
//! SMS, HTTP(S)) or to an SQS queue of this account that exists and that
//! SNS may send to (queue policy and queue key), with no filter policy that
//! drops it. A queue is a system, not a person: it counts because the
//! account's own tooling reads it, and only when delivery to it is possible. A topic nobody subscribed to, one whose only
//! subscriber never confirmed, actions that are not topics, or actions that
//! are turned off, alert no one; a queue of another account, a Lambda
//! function or a key policy with conditions are left for a person to check. The
//! security-event filters are recognised by what they catch, not by name
//! ([`pattern`]).

pub mod fix;

#[cfg(test)]
mod alarm_tests;
mod pattern;
#[cfg(test)]
mod reach_tests;

mod alarm_rules;
mod billing;
mod rds_connections;
mod reach;
mod security_events;
pub use crate::checks::reach::*;
pub use alarm_rules::*;
pub use billing::*;
pub use pattern::{Cond, Op as PatternOp, Pattern};
pub use rds_connections::*;
pub use reach::*;
pub use security_events::*;

use super::cloudtrail::trails;
use super::kit::{Rollup, Unread};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    CloudWatchRef, Inventory, MetricAlarm, MetricFilter, PartId, ResourceRef, Trail,
};
use crate::guide::msg;

pub const BILLING_ALARMS: &str = "cloudwatch.billing-alarms";
pub const SECURITY_EVENT_ALARMS: &str = "cloudwatch.security-event-alarms";
pub const RDS_CONNECTION_ALARMS: &str = "cloudwatch.rds-connection-alarms";

/// Messages shared by the items that judge notifications.
pub const SHARED: &str = "cloudwatch";

/// The metric cloudwatch.rds-connection-alarms watches.
pub const RDS_NAMESPACE: &str = "AWS/RDS";
pub const RDS_CONNECTIONS_METRIC: &str = "DatabaseConnections";
pub const RDS_DIMENSION: &str = "DBInstanceIdentifier";

/// Billing metrics exist only in this region.
pub const BILLING_REGION: &str = "us-east-1";
/// The metric cloudwatch.billing-alarms watches.
pub const BILLING_NAMESPACE: &str = "AWS/Billing";
pub const BILLING_METRIC: &str = "EstimatedCharges";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: BILLING_ALARMS,
        section: "cloudwatch",
        needs: &[
            PartId::Identity,
            PartId::MetricAlarms,
            PartId::BillingMetrics,
            PartId::SnsTopics,
        ],
        cis: &[],
        security_hub: &[],
        check: billing_alarms,
        fix: Fix::Plan(fix::billing_alarms),
        inputs: fix::BILLING_INPUTS,
    },
    ItemDef {
        id: SECURITY_EVENT_ALARMS,
        section: "cloudwatch",
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::MetricFilters,
            PartId::MetricAlarms,
            PartId::SnsTopics,
        ],
        cis: &[
            "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "5.9", "5.10", "5.11", "5.12",
            "5.13", "5.14",
        ],
        security_hub: &[
            "CloudWatch.1",
            "CloudWatch.2",
            "CloudWatch.3",
            "CloudWatch.4",
            "CloudWatch.5",
            "CloudWatch.6",
            "CloudWatch.7",
            "CloudWatch.8",
            "CloudWatch.9",
            "CloudWatch.10",
            "CloudWatch.11",
            "CloudWatch.12",
            "CloudWatch.13",
            "CloudWatch.14",
        ],
        check: security_event_alarms,
        fix: Fix::Plan(fix::security_event_alarms),
        inputs: fix::SECURITY_INPUTS,
    },
    ItemDef {
        id: RDS_CONNECTION_ALARMS,
        section: "cloudwatch",
        needs: &[
            PartId::Identity,
            PartId::Rds,
            PartId::MetricAlarms,
            PartId::SnsTopics,
        ],
        cis: &[],
        security_hub: &[],
        check: rds_connection_alarms,
        fix: Fix::Plan(fix::rds_connection_alarms),
        inputs: fix::RDS_ALARM_INPUTS,
    },
];

/// The status of findings: fail, else error, else pass. The summary is
/// `pass`, `fail`, `error`, or `pending` when every failure (`waiting` of
/// them) only waits for a subscription to be confirmed.
fn settle(
    findings: Vec<Finding>,
    waiting: usize,
    pass: String,
    fail: String,
    pending: String,
    error: String,
) -> Outcome {
    Rollup::given(pass, fail)
        .pending(waiting, pending)
        .unread(Unread::Text(error))
        .manual(msg(SHARED, "unchecked_summary", &[]))
        .outcome(findings)
}

fn alarm_resource(region: &str, name: &str) -> String {
    ResourceRef::CloudWatch(CloudWatchRef::Alarm {
        region: region.into(),
        name: name.into(),
    })
    .to_string()
}

#[cfg(test)]
mod item_tests;
