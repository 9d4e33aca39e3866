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

#[cfg(test)]
mod alarm_tests;
mod pattern;
#[cfg(test)]
mod reach_tests;

pub use pattern::{Cond, Op as PatternOp, Pattern};

use super::cloudtrail::trails;
use super::kit::{Rollup, Unread};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::guide::msg;
use crate::inventory::{
    AuditRef, Fetched, Inventory, MetricAlarm, MetricFilter, PartId, QueueAccess, ResourceRef,
    Subscription, Topic, TopicKey, Trail, regional, regional_error,
};
use crate::plan::audit as plans;
use serde_json::Value;

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
        fix: Fix::Plan(plans::billing_alarms),
        inputs: plans::BILLING_INPUTS,
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
        fix: Fix::Plan(plans::security_event_alarms),
        inputs: plans::SECURITY_INPUTS,
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
        fix: Fix::Plan(plans::rds_connection_alarms),
        inputs: plans::RDS_ALARM_INPUTS,
    },
];

// ---------------------------------------------------------------------------
// Whether a notification reaches someone

/// Where an alarm's (or a trail's) notifications end up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// An SNS topic the publisher may use, with at least one confirmed
    /// subscription that delivers to a person (e-mail, SMS, HTTP(S)) or to
    /// an SQS queue of this account that exists.
    Someone,
    /// Delivered somewhere moat cannot see into (a queue of another
    /// account, a Lambda function, a filter on the message body, a key
    /// policy with conditions): the sentence says what to check by hand.
    Unchecked(String),
    /// Cannot be told (a topic of another account, or a region whose
    /// topics could not be read): the sentence says why.
    Unknown(String),
    /// Only subscriptions still waiting for their endpoint to confirm
    /// (e-mail not yet confirmed): their endpoints.
    Pending(Vec<String>),
    /// No one: the sentence says why.
    Nobody(String),
}

impl Reach {
    fn rank(&self) -> u8 {
        match self {
            Reach::Nobody(_) => 0,
            Reach::Pending(_) => 1,
            Reach::Unknown(_) => 2,
            Reach::Unchecked(_) => 3,
            Reach::Someone => 4,
        }
    }

    /// The better of two (notifications go to every action).
    pub fn or(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Pending(mut a), Reach::Pending(b)) => {
                for e in b {
                    if !a.contains(&e) {
                        a.push(e);
                    }
                }
                Reach::Pending(a)
            }
            (a, b) if b.rank() > a.rank() => b,
            (a, _) => a,
        }
    }

    /// The worse of two (every part must reach someone).
    pub fn and(self, other: Reach) -> Reach {
        if other.rank() < self.rank() {
            other
        } else {
            self
        }
    }

    /// The finding for a resource whose notifications reach `self`; `None`
    /// when they reach someone.
    pub fn finding(&self, resource: String, region: Option<&str>) -> Option<Finding> {
        let (status, detail) = match self {
            Reach::Someone => return None,
            Reach::Pending(endpoints) => (
                Status::Fail,
                msg(SHARED, "pending", &[("endpoints", &endpoints.join(", "))]),
            ),
            Reach::Unchecked(why) => (Status::Manual, why.clone()),
            Reach::Unknown(why) => (Status::Error, why.clone()),
            Reach::Nobody(why) => (Status::Fail, why.clone()),
        };
        Some(Finding {
            resource,
            region: region.map(str::to_string),
            status,
            detail,
        })
    }
}

/// The service principal CloudWatch alarms publish as.
pub const CLOUDWATCH_PRINCIPAL: &str = "cloudwatch.amazonaws.com";
/// The service principal CloudTrail publishes log-file notifications as.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";
/// The service principal SNS delivers to SQS queues as.
pub const SNS_PRINCIPAL: &str = "sns.amazonaws.com";

/// Services whose requests carry the legacy `AWS:SourceOwner` key (the
/// account of the resource they act for), which the default topic policy
/// conditions on: a CloudWatch alarm publishes to a topic of its account
/// that keeps its default policy.
const SETS_SOURCE_OWNER: &[&str] = &[CLOUDWATCH_PRINCIPAL];

/// Who publishes to a topic: a service principal, on behalf of a resource
/// (an alarm's or a trail's ARN) of an account. Key and topic policies
/// are judged for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    pub service: &'static str,
    pub source_arn: Option<String>,
    pub source_account: Option<String>,
}

/// Whether a policy lets a publisher make its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Allowed,
    /// No statement allows it, or a statement denies it.
    Denied,
    /// Only statements whose conditions moat does not evaluate: the
    /// condition keys.
    Unsure(String),
}

impl Publisher {
    /// The value of condition key `key` (lower case) in `self`'s requests:
    /// `Ok(None)` when the request does not carry it, `Err` when moat does
    /// not know.
    fn key(&self, key: &str) -> Result<Option<&str>, ()> {
        match key {
            "aws:sourcearn" => Ok(self.source_arn.as_deref()),
            "aws:sourceaccount" => Ok(self.source_account.as_deref()),
            "aws:sourceowner" if SETS_SOURCE_OWNER.contains(&self.service) => {
                Ok(self.source_account.as_deref())
            }
            // AWS services call each other over TLS.
            "aws:securetransport" => Ok(Some("true")),
            _ => Err(()),
        }
    }
}

/// The strings of a condition's values (`true`, `"true"`, …).
fn condition_values(v: &Value) -> Vec<String> {
    let one = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        x => one(x).into_iter().collect(),
    }
}

/// Whether a statement's conditions hold for `by`: `Err` (naming the
/// condition) when moat cannot tell. Known: `aws:SourceArn`,
/// `aws:SourceAccount`, `AWS:SourceOwner` (for the services that set it)
/// and `aws:SecureTransport`.
fn conditions_hold(stmt: &Value, by: &Publisher) -> Result<bool, String> {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return Ok(true);
    };
    let mut all = true;
    for (op, body) in cond {
        let op_l = op.to_ascii_lowercase();
        let base = op_l.rsplit(':').next().unwrap_or(&op_l);
        let base = base.strip_suffix("ifexists").unwrap_or(base);
        let Value::Object(keys) = body else {
            return Err(op.clone());
        };
        for (k, v) in keys {
            let Ok(actual) = by.key(&k.to_ascii_lowercase()) else {
                return Err(k.clone());
            };
            let values = condition_values(v);
            if base == "null" {
                // "true": the key must be absent; "false": present.
                let absent = values.iter().all(|x| x.eq_ignore_ascii_case("true"));
                all &= absent == actual.is_none();
                continue;
            }
            let Some(actual) = actual else {
                // A key the request does not carry: an `...IfExists`
                // condition holds; moat leaves the others to a person.
                if op_l.ends_with("ifexists") {
                    continue;
                }
                return Err(k.clone());
            };
            let eq = values.iter().any(|x| x == actual);
            let like = values.iter().any(|x| crate::access::glob(x, actual, false));
            let holds = match base {
                "stringequals" | "arnequals" => eq,
                "stringlike" | "arnlike" => like,
                "stringnotequals" | "arnnotequals" => !eq,
                "stringnotlike" | "arnnotlike" => !like,
                "bool" => values.iter().any(|x| x.eq_ignore_ascii_case(actual)),
                _ => return Err(format!("{op} {k}")),
            };
            all &= holds;
        }
    }
    Ok(all)
}

fn names_principal(stmt: &Value, service: &str) -> bool {
    if crate::policy::principal_is_everyone(stmt.get("Principal")) {
        return true;
    }
    match stmt.get("Principal") {
        Some(Value::Object(m)) => m.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("Service")
                && crate::policy::as_list(Some(v)).iter().any(|p| p == service)
        }),
        _ => false,
    }
}

/// Whether resource policy `doc` (a key policy, a topic policy) lets `by`
/// make every request of `actions` (an explicit Deny wins).
pub fn service_grant(doc: &Value, by: &Publisher, actions: &[&str]) -> Grant {
    let mut unsure: Vec<String> = vec![];
    for action in actions {
        let mut allowed = false;
        let (mut open_allow, mut open_deny) = (vec![], vec![]);
        for s in crate::policy::statements(doc) {
            // `NotPrincipal` / `NotAction` apply to every principal / action
            // they do not list (IAM JSON policy elements), service principals
            // included: a Deny so written applies; an Allow so written is
            // left to a person (moat does not reason about it).
            let principal = match s.get("NotPrincipal") {
                Some(not) => {
                    !crate::policy::principal_is_everyone(Some(not))
                        && !names_principal(&serde_json::json!({ "Principal": not }), by.service)
                }
                None => names_principal(s, by.service),
            };
            let acting = match s.get("NotAction") {
                Some(not) => !crate::policy::as_list(Some(not))
                    .iter()
                    .any(|a| crate::access::glob(a, action, true)),
                None => crate::policy::as_list(s.get("Action"))
                    .iter()
                    .any(|a| crate::access::glob(a, action, true)),
            };
            if !principal || !acting {
                continue;
            }
            let negated = s.get("NotPrincipal").is_some() || s.get("NotAction").is_some();
            if negated && crate::policy::effect(s) == "Allow" {
                open_allow.push(if s.get("NotPrincipal").is_some() {
                    "NotPrincipal".to_string()
                } else {
                    "NotAction".to_string()
                });
                continue;
            }
            match (crate::policy::effect(s), conditions_hold(s, by)) {
                ("Deny", Ok(true)) => return Grant::Denied,
                ("Deny", Err(k)) => open_deny.push(k),
                ("Allow", Err(k)) => open_allow.push(k),
                ("Allow", Ok(true)) => allowed = true,
                _ => {}
            }
        }
        if !allowed && open_allow.is_empty() {
            return Grant::Denied;
        }
        // A Deny moat cannot evaluate leaves even an allowed request open.
        unsure.extend(open_deny);
        if !allowed {
            unsure.extend(open_allow);
        }
    }
    if unsure.is_empty() {
        Grant::Allowed
    } else {
        unsure.sort();
        unsure.dedup();
        Grant::Unsure(unsure.join(", "))
    }
}

/// AWS's default access policy of a new topic `arn` of `account`: the
/// account's principals, and services publishing for its resources
/// (`AWS:SourceOwner`). For tests on hand-built inventories.
#[cfg(test)]
pub(crate) fn default_topic_policy(arn: &str, account: &str) -> Value {
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
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
}

/// A queue whose policy lets SNS send what any topic of `account`
/// publishes, not encrypted with KMS. For tests on hand-built inventories.
#[cfg(test)]
pub(crate) fn sns_queue_access(account: &str) -> QueueAccess {
    QueueAccess {
        policy: Some(serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": SNS_PRINCIPAL},
                "Action": "sqs:SendMessage",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:sns:*:{account}:*")}}
            }]
        })),
        key: None,
    }
}

/// `arn:PARTITION:sns:REGION:ACCOUNT:NAME` → (region, account, name).
fn topic_arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut p = arn.splitn(6, ':');
    let (arn_, _partition, service) = (p.next()?, p.next()?, p.next()?);
    let (region, account, name) = (p.next()?, p.next()?, p.next()?);
    (arn_ == "arn" && service == "sns" && !region.is_empty() && !name.is_empty())
        .then_some((region, account, name))
}

/// Protocols whose confirmed endpoint is a person, or a service that
/// forwards to people (a chat or paging webhook): delivered means heard.
const PERSON_PROTOCOLS: &[&str] = &["email", "email-json", "sms", "http", "https"];

/// Whether a filter policy on message attributes lets through a message
/// that has none (alarm and CloudTrail notifications carry no message
/// attributes): only when every property asks `{"exists": false}`.
fn passes_without_attributes(policy: &Value) -> bool {
    let Value::Object(m) = policy else {
        return false;
    };
    m.iter().all(|(k, v)| {
        !k.starts_with('$')
            && matches!(v, Value::Array(conds) if conds.iter().any(|c| {
                c.get("exists") == Some(&Value::Bool(false))
            }))
    })
}

/// Where one confirmed subscription delivers: `Ok` heard, `Err(Ok(why))`
/// nothing gets through, `Err(Err(why))` moat cannot tell.
fn delivery(s: &Subscription, topic: &str, me: &str) -> Result<(), Result<String, String>> {
    let ep = s.endpoint.as_str();
    if let Some(p) = s
        .filter_policy
        .as_ref()
        .filter(|p| !matches!(p, Value::Null) && !matches!(p, Value::Object(m) if m.is_empty()))
    {
        if s.filter_scope.as_deref() == Some("MessageBody") {
            return Err(Err(msg(
                SHARED,
                "filter_body",
                &[("endpoint", ep), ("topic", topic)],
            )));
        }
        if !passes_without_attributes(p) {
            return Err(Ok(msg(SHARED, "filter_attributes", &[("endpoint", ep)])));
        }
    }
    if let Some(why) = &s.unread {
        return Err(Err(msg(
            SHARED,
            "subscription_unread",
            &[("endpoint", ep), ("error", why)],
        )));
    }
    let owner = ep.split(':').nth(4).unwrap_or_default();
    match s.protocol.as_str() {
        p if PERSON_PROTOCOLS.contains(&p) => Ok(()),
        "sqs" if owner != me => Err(Err(msg(
            SHARED,
            "queue_other_account",
            &[("endpoint", ep), ("account", owner)],
        ))),
        "sqs" => match (s.endpoint_exists, &s.queue) {
            (Some(false), _) => Err(Ok(msg(SHARED, "queue_gone", &[("endpoint", ep)]))),
            (Some(true), Some(q)) => queue_delivery(q, ep, topic, me),
            _ => Err(Err(msg(SHARED, "queue_not_read", &[("endpoint", ep)]))),
        },
        "lambda" => Err(Err(msg(SHARED, "lambda", &[("endpoint", ep)]))),
        p => Err(Err(msg(
            SHARED,
            "endpoint_kind",
            &[("endpoint", ep), ("protocol", p)],
        ))),
    }
}

/// Whether SNS may deliver topic `topic`'s messages to queue `ep` of
/// account `me`: the queue policy must let `sns.amazonaws.com` send
/// (`sqs:SendMessage`) for the topic, and the queue's key, if any, must let
/// SNS use it (an AWS managed key, `aws/sqs`, never does). Same shape as
/// [`delivery`]'s answer.
fn queue_delivery(
    q: &QueueAccess,
    ep: &str,
    topic: &str,
    me: &str,
) -> Result<(), Result<String, String>> {
    let by = Publisher {
        service: SNS_PRINCIPAL,
        source_arn: Some(topic.to_string()),
        source_account: Some(me.to_string()),
    };
    let args = [("endpoint", ep), ("topic", topic)];
    let Some(policy) = &q.policy else {
        return Err(Ok(msg(SHARED, "queue_no_policy", &args)));
    };
    match service_grant(policy, &by, &["sqs:SendMessage"]) {
        Grant::Allowed => {}
        Grant::Denied => return Err(Ok(msg(SHARED, "queue_policy_denies", &args))),
        Grant::Unsure(keys) => {
            return Err(Err(msg(
                SHARED,
                "queue_policy_conditions",
                &[("endpoint", ep), ("topic", topic), ("conditions", &keys)],
            )));
        }
    }
    match &q.key {
        None => Ok(()),
        Some(k) => match kms_reach(k, ep, &by, "queue_") {
            Reach::Nobody(why) => Err(Ok(why)),
            Reach::Someone => Ok(()),
            Reach::Unchecked(why) | Reach::Unknown(why) => Err(Err(why)),
            Reach::Pending(_) => Ok(()),
        },
    }
}

/// How far a topic's subscriptions carry what is published to it.
pub fn subscribers_reach(t: &Topic, me: &str) -> Reach {
    let mut unsure: Vec<String> = vec![];
    let mut lost: Vec<String> = vec![];
    for s in t.confirmed() {
        match delivery(s, &t.arn, me) {
            Ok(()) => return Reach::Someone,
            Err(Ok(why)) => lost.push(why),
            Err(Err(why)) => unsure.push(why),
        }
    }
    if !unsure.is_empty() {
        return Reach::Unchecked(unsure.join(" "));
    }
    let pending: Vec<String> = t.pending().map(|s| s.endpoint.clone()).collect();
    if !pending.is_empty() {
        Reach::Pending(pending)
    } else if !lost.is_empty() {
        Reach::Nobody(msg(
            SHARED,
            "nothing_delivered",
            &[("topic", &t.arn), ("why", &lost.join(" "))],
        ))
    } else {
        Reach::Nobody(msg(SHARED, "no_subscriber", &[("topic", &t.arn)]))
    }
}

/// Whether `by` can publish to a topic encrypted with `t.key`: the
/// publishing service needs kms:GenerateDataKey* and kms:Decrypt on the
/// key, which the key policy of the AWS managed key (aws/sns) never grants.
pub fn key_reach(t: &Topic, by: &Publisher) -> Reach {
    match &t.key {
        None => Reach::Someone,
        Some(k) => kms_reach(k, &t.arn, by, ""),
    }
}

/// Whether `by` can use key `k`, which encrypts `resource` (a topic, or a
/// queue: its messages name it with `prefix`, "" or "queue_").
fn kms_reach(k: &TopicKey, resource: &str, by: &Publisher, prefix: &str) -> Reach {
    let m = |name: &str| format!("{prefix}{name}");
    let args = [
        ("topic", resource),
        ("endpoint", resource),
        ("key", k.id.as_str()),
        ("service", by.service),
    ];
    if k.is_aws_managed() {
        return Reach::Nobody(msg(SHARED, &m("aws_managed_key"), &args));
    }
    if let Some(state) = k.state.as_deref().filter(|s| *s != "Enabled") {
        return Reach::Nobody(msg(
            SHARED,
            &m("key_not_enabled"),
            &[
                ("topic", resource),
                ("endpoint", resource),
                ("key", &k.id),
                ("state", state),
            ],
        ));
    }
    let Some(policy) = &k.policy else {
        let why = k.unread.clone().unwrap_or_default();
        return Reach::Unchecked(msg(
            SHARED,
            &m("key_unread"),
            &[
                ("topic", resource),
                ("endpoint", resource),
                ("key", &k.id),
                ("service", by.service),
                ("error", &why),
            ],
        ));
    };
    match service_grant(policy, by, &["kms:GenerateDataKey", "kms:Decrypt"]) {
        Grant::Allowed => Reach::Someone,
        Grant::Denied => Reach::Nobody(msg(SHARED, &m("key_denies"), &args)),
        Grant::Unsure(keys) => Reach::Unchecked(msg(
            SHARED,
            &m("key_conditions"),
            &[
                ("topic", resource),
                ("endpoint", resource),
                ("key", &k.id),
                ("service", by.service),
                ("conditions", &keys),
            ],
        )),
    }
}

/// Whether topic `t`'s access policy lets `by` publish (`SNS:Publish`).
pub fn topic_policy_reach(t: &Topic, by: &Publisher) -> Reach {
    let args = [("topic", t.arn.as_str()), ("service", by.service)];
    let Some(policy) = &t.policy else {
        return Reach::Unchecked(msg(SHARED, "topic_policy_not_read", &args));
    };
    match service_grant(policy, by, &["SNS:Publish"]) {
        Grant::Allowed => Reach::Someone,
        Grant::Denied => Reach::Nobody(msg(SHARED, "topic_policy_denies", &args)),
        Grant::Unsure(keys) => Reach::Unchecked(msg(
            SHARED,
            "topic_policy_conditions",
            &[
                ("topic", t.arn.as_str()),
                ("service", by.service),
                ("conditions", &keys),
            ],
        )),
    }
}

/// The topic `arn` names, when it is this account's and its region was
/// read; else how far it reaches for want of it.
pub fn find_topic<'a>(inv: &'a Inventory, arn: &str) -> Result<&'a Topic, Reach> {
    let Some((region, account, name)) = topic_arn_parts(arn) else {
        return Err(Reach::Nobody(msg(
            SHARED,
            "not_a_topic",
            &[("action", arn)],
        )));
    };
    match inv.account_id() {
        Some(me) if me == account => {}
        Some(_) => {
            return Err(Reach::Unknown(msg(
                SHARED,
                "other_account",
                &[("topic", arn), ("account", account)],
            )));
        }
        None => return Err(Reach::Unknown(msg(SHARED, "not_read", &[("topic", arn)]))),
    }
    let topics = match inv.sns_topics.ready().and_then(|m| m.get(region)) {
        None => return Err(Reach::Unknown(msg(SHARED, "not_read", &[("topic", arn)]))),
        Some(Fetched::Error(e)) => {
            return Err(Reach::Unknown(msg(
                SHARED,
                "unreadable",
                &[("topic", arn), ("error", &e.summary())],
            )));
        }
        Some(Fetched::Ready(t)) => t,
    };
    topics
        .iter()
        .find(|t| t.arn == arn || t.name == name)
        .ok_or_else(|| Reach::Nobody(msg(SHARED, "no_topic", &[("topic", arn)])))
}

/// Whether what `by` publishes to topic `arn` reaches someone: the topic's
/// access policy must let `by` publish and its key let `by` encrypt, and a
/// confirmed subscription must deliver it (no filter policy that drops it,
/// an endpoint that exists and accepts it).
pub fn topic_reach(inv: &Inventory, arn: &str, by: &Publisher) -> Reach {
    let t = match find_topic(inv, arn) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let me = inv.account_id().unwrap_or_default();
    subscribers_reach(t, me)
        .and(key_reach(t, by))
        .and(topic_policy_reach(t, by))
}

/// Whether an alarm's actions notify someone. Only SNS topics notify: an
/// Auto Scaling, EC2 or Systems Manager action changes something, it
/// tells no one.
pub fn alarm_reach(inv: &Inventory, a: &MetricAlarm) -> Reach {
    if !a.actions_enabled {
        return Reach::Nobody(msg(SHARED, "actions_disabled", &[("alarm", &a.name)]));
    }
    let account = inv.account_id().unwrap_or_default().to_string();
    a.alarm_actions
        .iter()
        .map(|x| match topic_arn_parts(x) {
            Some((region, _, _)) => topic_reach(
                inv,
                x,
                &Publisher {
                    service: CLOUDWATCH_PRINCIPAL,
                    source_arn: Some(format!(
                        "arn:{}:cloudwatch:{region}:{account}:alarm:{}",
                        inv.partition(),
                        a.name
                    )),
                    source_account: Some(account.clone()),
                },
            ),
            None => Reach::Nobody(msg(SHARED, "not_a_topic", &[("action", x)])),
        })
        .reduce(Reach::or)
        .unwrap_or_else(|| Reach::Nobody(msg(SHARED, "no_actions", &[("alarm", &a.name)])))
}

/// The best reach among `alarms` (`None`: there is none).
fn best_reach<'a>(inv: &Inventory, alarms: impl Iterator<Item = &'a MetricAlarm>) -> Option<Reach> {
    alarms.map(|a| alarm_reach(inv, a)).reduce(Reach::or)
}

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
    ResourceRef::Audit(AuditRef::Alarm {
        region: region.into(),
        name: name.into(),
    })
    .to_string()
}

// ---------------------------------------------------------------------------
// What an alarm would do
//
// An alarm counts only when it would go to ALARM on what the item is about:
// the right metric (namespace, name and exactly its dimensions: a metric
// with other dimensions is another metric), a statistic and comparison
// that the condition breaches, and, for a single event, one breaching
// period (CloudWatch "Evaluating an alarm": DatapointsToAlarm, the M of
// "M out of N", defaults to EvaluationPeriods).

/// Messages naming why an alarm or a filter does not count.
pub const RULES: &str = "cloudwatch.alarm-rules";

/// Why an alarm does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// It never fires on the condition: the sentence says why.
    Never(String),
    /// moat cannot tell (metric math, a value read from each event).
    NotJudged(String),
}

impl Fault {
    pub fn text(&self) -> &str {
        match self {
            Fault::Never(s) | Fault::NotJudged(s) => s,
        }
    }
}

/// The findings' status for a resource left with only `faults`: manual
/// when each is only not judged, fail otherwise.
fn fault_status(faults: &[Fault]) -> Status {
    if !faults.is_empty() && faults.iter().all(|f| matches!(f, Fault::NotJudged(_))) {
        Status::Manual
    } else {
        Status::Fail
    }
}

fn faults_text(faults: &[Fault]) -> String {
    faults.iter().map(Fault::text).collect::<Vec<_>>().join(" ")
}

fn dims_text(d: &[crate::inventory::Dimension]) -> String {
    d.iter()
        .map(|d| format!("{}={}", d.name, d.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `a` watches `namespace`/`metric` (directly, or among the metrics
/// of its metric math).
fn on_metric(a: &MetricAlarm, namespace: &str, metric: &str) -> bool {
    (a.namespace == namespace && a.metric_name == metric)
        || a.math_metrics
            .iter()
            .any(|m| m.namespace == namespace && m.metric_name == metric)
}

fn math_fault(a: &MetricAlarm) -> Fault {
    Fault::NotJudged(msg(RULES, "math", &[("alarm", &a.name)]))
}

/// The unit `EstimatedCharges` is published with (CloudWatch user guide,
/// "AWS billing metrics": no unit).
pub const BILLING_UNIT: &str = "None";
/// The unit `DatabaseConnections` is published with (RDS user guide,
/// "Amazon CloudWatch metrics for Amazon RDS").
pub const RDS_CONNECTIONS_UNIT: &str = "Count";

/// Why alarm `a` sees no data point of a metric published with unit
/// `published` (`None`: it does). PutMetricAlarm `Unit`: set, the alarm
/// reads only the data points published with that unit, and a unit the
/// metric is not published with leaves it in INSUFFICIENT_DATA.
fn unit_fault(a: &MetricAlarm, published: &str) -> Option<Fault> {
    let unit = a.unit.as_deref()?;
    (unit != published).then(|| {
        Fault::Never(msg(
            RULES,
            "unit",
            &[("alarm", &a.name), ("unit", unit), ("published", published)],
        ))
    })
}

/// The unit a metric filter publishes with (unset: `None`).
pub fn filter_unit(f: &MetricFilter) -> &str {
    f.unit.as_deref().unwrap_or("None")
}

/// The value one event publishes to the metric of filter `f`, or why it
/// publishes nothing an alarm on the plain metric would see.
pub fn filter_value(f: &MetricFilter) -> Result<f64, Fault> {
    if !f.dimensions.is_empty() {
        let names: Vec<&str> = f.dimensions.iter().map(|d| d.name.as_str()).collect();
        return Err(Fault::Never(msg(
            RULES,
            "filter_dimensions",
            &[("filter", &f.name), ("dimensions", &names.join(", "))],
        )));
    }
    let v = f.metric_value.trim();
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        Ok(_) => Err(Fault::Never(msg(
            RULES,
            "filter_value",
            &[("filter", &f.name), ("value", v)],
        ))),
        Err(_) => Err(Fault::NotJudged(msg(
            RULES,
            "filter_value_field",
            &[("filter", &f.name), ("value", v)],
        ))),
    }
}

/// Why alarm `a`, on the metric of filter `f` publishing `value` per event
/// without dimensions, does not go to ALARM on one event (`None`: it
/// does). CIS: `--threshold 1 --comparison-operator
/// GreaterThanOrEqualToThreshold --statistic Sum --evaluation-periods 1`.
pub fn event_fault(a: &MetricAlarm, f: &MetricFilter, value: f64) -> Option<Fault> {
    let never = |key: &str, args: &[(&str, &str)]| {
        let mut all = vec![("alarm", a.name.as_str())];
        all.extend_from_slice(args);
        Some(Fault::Never(msg(RULES, key, &all)))
    };
    if a.is_math() {
        return Some(math_fault(a));
    }
    if !a.dimensions.is_empty() {
        return never(
            "event_dimensions",
            &[("dimensions", &dims_text(&a.dimensions))],
        );
    }
    if let Some(x) = unit_fault(a, filter_unit(f)) {
        return Some(x);
    }
    let stat = a.extended_statistic.as_deref().unwrap_or(&a.statistic);
    // One event in a period: its value for Sum and Maximum, a count of 1.
    // Without a default value the event is the period's only data point,
    // so Average and Minimum are its value too; with one, every other log
    // event publishes the default and pulls them down.
    let seen = match stat {
        "Sum" | "Maximum" => value,
        "Average" | "Minimum" if f.default_value.is_none() => value,
        "SampleCount" => 1.0,
        _ => return never("event_statistic", &[("statistic", stat)]),
    };
    let t = a.threshold.0;
    let breaches = match a.comparison_operator.as_str() {
        "GreaterThanOrEqualToThreshold" => seen >= t,
        "GreaterThanThreshold" => seen > t,
        other => return never("event_comparison", &[("comparison", other)]),
    };
    if !breaches {
        return never(
            "event_threshold",
            &[
                ("threshold", &a.threshold.to_string()),
                ("comparison", &a.comparison_operator),
                ("seen", &seen.to_string()),
            ],
        );
    }
    if a.datapoints() != 1 {
        return never(
            "event_datapoints",
            &[("datapoints", &a.datapoints().to_string())],
        );
    }
    None
}

/// Why a billing alarm does not watch the account's whole estimated bill
/// rising (`None`: it does). Billing metrics (us-east-1 only) carry a
/// `Currency` dimension; `ServiceName` and `LinkedAccount` narrow them to
/// one service or one linked account.
pub fn billing_fault(a: &MetricAlarm) -> Option<Fault> {
    let never = |key: &str, args: &[(&str, &str)]| {
        let mut all = vec![("alarm", a.name.as_str())];
        all.extend_from_slice(args);
        Some(Fault::Never(msg(RULES, key, &all)))
    };
    if a.is_math() {
        return Some(math_fault(a));
    }
    let narrow: Vec<&str> = a
        .dimensions
        .iter()
        .filter(|d| d.name != "Currency")
        .map(|d| d.name.as_str())
        .collect();
    if !narrow.is_empty() {
        return never("billing_narrow", &[("dimensions", &narrow.join(", "))]);
    }
    if !a.dimensions.iter().any(|d| d.name == "Currency") {
        return never("billing_currency", &[]);
    }
    if let Some(f) = unit_fault(a, BILLING_UNIT) {
        return Some(f);
    }
    if !a.comparison_operator.starts_with("GreaterThan") {
        return never(
            "billing_comparison",
            &[("comparison", &a.comparison_operator)],
        );
    }
    if a.extended_statistic.is_none() && a.statistic == "SampleCount" {
        return never("billing_statistic", &[]);
    }
    None
}

/// Why an alarm on the connections of DB instance `id` does not fire when
/// they rise (`None`: it does).
pub fn connection_fault(a: &MetricAlarm, id: &str) -> Option<Fault> {
    let never = |key: &str, args: &[(&str, &str)]| {
        let mut all = vec![("alarm", a.name.as_str())];
        all.extend_from_slice(args);
        Some(Fault::Never(msg(RULES, key, &all)))
    };
    if a.is_math() {
        return Some(math_fault(a));
    }
    let only_instance = a.dimensions.len() == 1
        && a.dimensions
            .iter()
            .all(|d| d.name == RDS_DIMENSION && d.value == id);
    if !only_instance {
        return never(
            "rds_dimensions",
            &[("dimensions", &dims_text(&a.dimensions)), ("name", id)],
        );
    }
    if let Some(f) = unit_fault(a, RDS_CONNECTIONS_UNIT) {
        return Some(f);
    }
    if !a.comparison_operator.starts_with("GreaterThan") {
        return never("rds_comparison", &[("comparison", &a.comparison_operator)]);
    }
    if a.extended_statistic.is_none() && a.statistic == "SampleCount" {
        return never("rds_statistic", &[]);
    }
    None
}

// ---------------------------------------------------------------------------
// cloudwatch.rds-connection-alarms

/// Whether `a` is about the connections of DB instance `id`.
fn about_connections(a: &MetricAlarm, id: &str) -> bool {
    let names = |d: &[crate::inventory::Dimension]| {
        d.iter().any(|d| d.name == RDS_DIMENSION && d.value == id)
    };
    (a.namespace == RDS_NAMESPACE
        && a.metric_name == RDS_CONNECTIONS_METRIC
        && names(&a.dimensions))
        || a.math_metrics.iter().any(|m| {
            m.namespace == RDS_NAMESPACE
                && m.metric_name == RDS_CONNECTIONS_METRIC
                && names(&m.dimensions)
        })
}

/// The alarms that fire when the connections of DB instance `id` rise
/// (among one region's alarms).
pub fn connection_alarms<'a>(
    alarms: &'a [MetricAlarm],
    id: &'a str,
) -> impl Iterator<Item = &'a MetricAlarm> {
    alarms
        .iter()
        .filter(move |a| about_connections(a, id) && connection_fault(a, id).is_none())
}

/// Why each other alarm about the connections of DB instance `id` does not count.
pub fn connection_faults(alarms: &[MetricAlarm], id: &str) -> Vec<Fault> {
    alarms
        .iter()
        .filter(|a| about_connections(a, id))
        .filter_map(|a| connection_fault(a, id))
        .collect()
}

/// How far the connection alarms of DB instance `id` reach (`None`: no alarm).
pub fn connection_reach(inv: &Inventory, alarms: &[MetricAlarm], id: &str) -> Option<Reach> {
    best_reach(inv, connection_alarms(alarms, id))
}

fn rds_connection_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    use super::kit::in_region;
    use super::rds::{each_region, instance_resource, outcome};
    let Some(rds) = inv.rds.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
    let mut waiting = 0usize;
    each_region(
        &rds.regions,
        Some(crate::inventory::RegionScope::Rds),
        &mut findings,
        |region, r, out| {
            total += r.instances.len();
            if r.instances.is_empty() {
                return;
            }
            if let Some(e) = regional_error(&inv.metric_alarms, region) {
                out.push(super::rds::scope_error(
                    crate::inventory::RegionScope::Rds,
                    region,
                    e,
                ));
                return;
            }
            let alarms = regional(&inv.metric_alarms, region)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for i in &r.instances {
                let resource = instance_resource(region, i);
                let f = match connection_reach(inv, alarms, &i.id) {
                    None => {
                        let faults = connection_faults(alarms, &i.id);
                        let mut detail = msg(
                            RDS_CONNECTION_ALARMS,
                            "missing",
                            &[("name", &i.id), ("region", region)],
                        );
                        if !faults.is_empty() {
                            detail = format!("{detail} {}", faults_text(&faults));
                        }
                        Some(Finding {
                            status: fault_status(&faults),
                            ..Finding::fail(resource, detail)
                        })
                    }
                    Some(reach) => {
                        waiting += usize::from(matches!(reach, Reach::Pending(_)));
                        reach.finding(resource, None)
                    }
                };
                if let Some(f) = f {
                    out.push(in_region(f, region));
                }
            }
        },
    );
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(RDS_CONNECTION_ALARMS, "none", &[]));
    }
    let bad = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Manual))
        .count();
    let fail_key = if bad > 0 && bad == waiting {
        "pending"
    } else {
        "fail"
    };
    let mut out = outcome(
        findings,
        msg(
            RDS_CONNECTION_ALARMS,
            "pass",
            &[("count", &total.to_string())],
        ),
        msg(
            RDS_CONNECTION_ALARMS,
            fail_key,
            &[("count", &bad.to_string())],
        ),
    );
    // Nothing fails, but some notifications go where moat cannot look.
    if out.status == Status::Manual {
        out.summary = msg(SHARED, "unchecked_summary", &[]);
    }
    out
}

// ---------------------------------------------------------------------------
// cloudwatch.security-event-alarms

/// One security event to watch: the slug names moat's filter and alarm
/// (`moat-cis-<slug>`), the metric is `<metric>` in [`SECURITY_NAMESPACE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityEvent {
    pub slug: &'static str,
    pub metric: &'static str,
    /// The filter pattern moat writes.
    pub pattern: &'static str,
    /// What the CIS control (v6) asks to catch, fully parenthesised: a
    /// filter counts when it catches every event this pattern matches.
    pub required: &'static str,
    /// `$.field = value` conditions every such event has (the service that
    /// records it), so a filter narrowed to them still catches them all.
    pub implied: &'static [(&'static str, &'static str)],
}

/// The namespace of moat's security-event metrics.
pub const SECURITY_NAMESPACE: &str = "CloudTrailMetrics";

const SIGNIN: &[(&str, &str)] = &[
    ("$.eventSource", "signin.amazonaws.com"),
    ("$.eventType", "AwsConsoleSignIn"),
];
const EC2: &[(&str, &str)] = &[("$.eventSource", "ec2.amazonaws.com")];

/// The CIS monitoring controls, in the benchmark's order.
pub const SECURITY_EVENTS: &[SecurityEvent] = &[
    SecurityEvent {
        slug: "unauthorized-api-calls",
        metric: "UnauthorizedAPICalls",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
        // CIS leaves out S3's own log delivery and HeadBucket probes.
        required: r#"{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
        implied: &[],
    },
    SecurityEvent {
        slug: "console-signin-without-mfa",
        metric: "ConsoleSigninWithoutMFA",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
        // CIS accepts the shorter form too, which catches more.
        required: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
        implied: SIGNIN,
    },
    SecurityEvent {
        slug: "root-usage",
        metric: "RootAccountUsage",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        required: r#"{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }"#,
        implied: &[],
    },
    SecurityEvent {
        slug: "iam-policy-changes",
        metric: "IAMPolicyChanges",
        pattern: r#"{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = SetDefaultPolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }"#,
        required: r#"{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }"#,
        implied: &[("$.eventSource", "iam.amazonaws.com")],
    },
    SecurityEvent {
        slug: "cloudtrail-changes",
        metric: "CloudTrailChanges",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) || ($.eventName = PutEventSelectors) }"#,
        required: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
        implied: &[("$.eventSource", "cloudtrail.amazonaws.com")],
    },
    SecurityEvent {
        slug: "console-auth-failures",
        metric: "ConsoleAuthenticationFailures",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        required: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        implied: SIGNIN,
    },
    SecurityEvent {
        slug: "cmk-disable-or-delete",
        metric: "DisableOrDeleteCMK",
        pattern: r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
        required: r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
        implied: &[],
    },
    SecurityEvent {
        slug: "s3-bucket-policy-changes",
        metric: "S3BucketPolicyChanges",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
        required: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
        implied: &[],
    },
    SecurityEvent {
        slug: "config-changes",
        metric: "AWSConfigChanges",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
        required: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
        implied: &[],
    },
    SecurityEvent {
        slug: "security-group-changes",
        metric: "SecurityGroupChanges",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }"#,
        required: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }"#,
        implied: EC2,
    },
    SecurityEvent {
        slug: "nacl-changes",
        metric: "NACLChanges",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
        required: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
        implied: EC2,
    },
    SecurityEvent {
        slug: "network-gateway-changes",
        metric: "NetworkGatewayChanges",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
        required: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
        implied: EC2,
    },
    SecurityEvent {
        slug: "route-table-changes",
        metric: "RouteTableChanges",
        pattern: r#"{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"#,
        required: r#"{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
        implied: EC2,
    },
    SecurityEvent {
        slug: "vpc-changes",
        metric: "VPCChanges",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
        required: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
        implied: EC2,
    },
    SecurityEvent {
        slug: "organizations-changes",
        metric: "OrganizationsChanges",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"#,
        required: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"#,
        implied: &[],
    },
];

impl SecurityEvent {
    pub fn filter_name(&self) -> String {
        format!("moat-cis-{}", self.slug)
    }

    /// The alternatives the control asks to catch, each with the
    /// conditions every such event has.
    pub fn alternatives(&self) -> Vec<Vec<Cond>> {
        let implied: Vec<Cond> = self
            .implied
            .iter()
            .map(|(s, v)| Cond {
                selector: (*s).into(),
                op: PatternOp::Eq,
                value: (*v).into(),
            })
            .collect();
        Pattern::parse(self.required)
            .map(|p| p.alternatives())
            .unwrap_or_default()
            .into_iter()
            .map(|mut c| {
                c.extend(implied.iter().cloned());
                c
            })
            .collect()
    }
}

/// The trail whose log group the security alarms watch: a working
/// multi-region trail (`Trail::is_working_multi_region`) first, then any
/// trail with a log group of this account (moat can put filters there, but
/// the item fails until that trail records every region: see
/// `security_event_alarms`). Another account's log group (an organization
/// trail's) is not this account's to watch.
pub fn watched_trail(inv: &Inventory) -> Option<(&Trail, String, String)> {
    let account = inv.identity.ready().map(|i| i.account.as_str());
    let mut ordered: Vec<&Trail> = trails(inv)
        .iter()
        .filter(|t| match (account, t.log_group_account()) {
            (Some(me), Some(owner)) => me == owner,
            _ => true,
        })
        .collect();
    ordered.sort_by_key(|t| (!t.is_working_multi_region(), !t.is_multi_region));
    ordered
        .into_iter()
        .find_map(|t| t.log_group().map(|(r, g)| (t, r, g)))
}

/// How one security event is watched on a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventWatch<'a> {
    /// The filter that catches the most of the event's alternatives (all of
    /// them when `missing` is empty).
    pub filter: Option<&'a MetricFilter>,
    /// Whether that one filter catches every alternative.
    pub whole: bool,
    /// The alternatives no filter catches, written out.
    pub missing: Vec<String>,
    /// How far the alarms on the catching filters' metrics reach (`None`:
    /// some alternative is caught only by filters without an alarm that
    /// goes to ALARM on one event).
    pub reach: Option<Reach>,
    /// Why the catching filters, or the alarms on their metrics, do not
    /// count ([`filter_value`], [`event_fault`]).
    pub faults: Vec<Fault>,
}

/// How the filters and alarms of one region watch event `e` on `log_group`.
pub fn event_watch<'a>(
    inv: &Inventory,
    filters: &'a [MetricFilter],
    alarms: &[MetricAlarm],
    log_group: &str,
    e: &SecurityEvent,
) -> EventWatch<'a> {
    let alts = e.alternatives();
    let on_group: Vec<(&MetricFilter, Vec<bool>)> = filters
        .iter()
        .filter(|f| f.log_group == log_group)
        .filter_map(|f| {
            let p = Pattern::parse(&f.pattern)?;
            Some((f, alts.iter().map(|a| p.catches(a)).collect::<Vec<bool>>()))
        })
        .collect();
    let caught = |i: usize| on_group.iter().filter(move |(_, c)| c[i]).map(|(f, _)| *f);
    let best = on_group
        .iter()
        .filter(|(_, c)| c.iter().any(|x| *x))
        .fold(None::<&(&MetricFilter, Vec<bool>)>, |acc, x| {
            let n = |c: &Vec<bool>| c.iter().filter(|y| **y).count();
            match acc {
                Some(a) if n(&a.1) >= n(&x.1) => Some(a),
                _ => Some(x),
            }
        })
        .map(|(f, c)| (*f, c.iter().all(|x| *x)));
    // Common to every alternative: left out when naming what is missing.
    let common: Vec<&Cond> = alts
        .first()
        .map(|a| {
            a.iter()
                .filter(|c| alts.iter().all(|b| b.contains(c)))
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<String> = alts
        .iter()
        .enumerate()
        .filter(|(i, _)| caught(*i).next().is_none())
        .map(|(_, a)| {
            let own: Vec<String> = a
                .iter()
                .filter(|c| !common.contains(c) || alts.len() == 1)
                .filter(|c| {
                    !e.implied
                        .iter()
                        .any(|(s, v)| c.selector == *s && c.value == *v)
                })
                .map(|c| c.to_string())
                .collect();
            own.join(" && ")
        })
        .collect();
    // Each catching filter: the reach of the alarms on its metric that go
    // to ALARM on one event (`None`: none does); why the others do not.
    let mut faults: Vec<Fault> = vec![];
    let judged: Vec<(&MetricFilter, Option<Reach>)> = on_group
        .iter()
        .filter(|(_, c)| c.iter().any(|x| *x))
        .map(|(f, _)| {
            let reach = match filter_value(f) {
                Err(fault) => {
                    faults.push(fault);
                    None
                }
                Ok(v) => {
                    let mut firing = vec![];
                    for a in alarms
                        .iter()
                        .filter(|a| on_metric(a, &f.metric_namespace, &f.metric_name))
                    {
                        match event_fault(a, f, v) {
                            None => firing.push(a),
                            Some(x) => faults.push(x),
                        }
                    }
                    best_reach(inv, firing.into_iter())
                }
            };
            (*f, reach)
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    faults.retain(|f| seen.insert(f.text().to_string()));
    let reach_of = |f: &MetricFilter| {
        judged
            .iter()
            .find(|(g, _)| std::ptr::eq(*g, f))
            .and_then(|(_, r)| r.clone())
    };
    let reach = if missing.is_empty() {
        let per_alt = (0..alts.len()).map(|i| caught(i).filter_map(reach_of).reduce(Reach::or));
        per_alt
            .reduce(|a, b| match (a, b) {
                (Some(a), Some(b)) => Some(a.and(b)),
                _ => None,
            })
            .flatten()
    } else {
        None
    };
    // A filter that catches everything by itself and publishes a value an
    // alarm sees, with the best reach, names the event.
    let whole_filter = if missing.is_empty() {
        on_group
            .iter()
            .filter(|(f, c)| c.iter().all(|x| *x) && filter_value(f).is_ok())
            .map(|(f, _)| *f)
            .max_by_key(|f| reach_of(f).map(|r| r.rank() + 1).unwrap_or(0))
    } else {
        None
    };
    EventWatch {
        filter: whole_filter.or(best.map(|(f, _)| f)),
        whole: whole_filter.is_some(),
        missing,
        reach,
        faults,
    }
}

/// Whether CloudWatch publishes no billing metric for the account (billing
/// alerts not turned on, or the bill held by a payer account): then no
/// billing alarm can ever leave INSUFFICIENT_DATA.
pub fn no_billing_metric(inv: &Inventory) -> bool {
    inv.billing_metrics
        .ready()
        .is_some_and(|m| m.metrics.is_empty())
}

fn billing_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    if let Some(e) = regional_error(&inv.metric_alarms, BILLING_REGION) {
        return Outcome {
            status: Status::Error,
            summary: e.summary(),
            findings: vec![],
        };
    }
    let alarms = regional(&inv.metric_alarms, BILLING_REGION)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let all = alarms
        .iter()
        .filter(|a| on_metric(a, BILLING_NAMESPACE, BILLING_METRIC))
        .count();
    if no_billing_metric(inv) {
        let detail = msg(BILLING_ALARMS, "no_metric", &[("total", &all.to_string())]);
        return Outcome::from_findings(
            vec![Finding {
                region: Some(BILLING_REGION.into()),
                ..Finding::fail(ResourceRef::Account.to_string(), detail)
            }],
            String::new(),
            msg(BILLING_ALARMS, "no_metric_summary", &[]),
        );
    }
    let billing: Vec<(&MetricAlarm, Reach)> = billing_alarms_that_count(alarms)
        .map(|a| (a, alarm_reach(inv, a)))
        .collect();
    let reaching = billing.iter().filter(|(_, r)| *r == Reach::Someone).count();
    let count = reaching.to_string();
    if reaching >= 2 {
        return Outcome::pass(msg(BILLING_ALARMS, "pass", &[("count", &count)]));
    }
    let waiting = billing
        .iter()
        .filter(|(_, r)| matches!(r, Reach::Pending(_)))
        .count();
    // Enough alarms once their subscriptions are confirmed: only that is
    // missing (alarms that tell no one are not needed then).
    let enough_once_confirmed = reaching + waiting >= 2;
    let mut findings: Vec<Finding> = billing
        .iter()
        .filter(|(_, r)| !enough_once_confirmed || matches!(r, Reach::Pending(_)))
        .filter_map(|(a, r)| {
            r.finding(
                alarm_resource(BILLING_REGION, &a.name),
                Some(BILLING_REGION),
            )
        })
        .collect();
    // Alarms on the bill that would not fire on it rising, named (not
    // needed once enough others wait only for a confirmation).
    if !enough_once_confirmed {
        findings.extend(alarms.iter().filter_map(|a| {
            let fault =
                billing_fault(a).filter(|_| on_metric(a, BILLING_NAMESPACE, BILLING_METRIC))?;
            Some(Finding {
                resource: alarm_resource(BILLING_REGION, &a.name),
                region: Some(BILLING_REGION.into()),
                status: fault_status(std::slice::from_ref(&fault)),
                detail: fault.text().to_string(),
            })
        }));
    }
    // Too few even if every alarm that may reach someone does.
    let possible = billing
        .iter()
        .filter(|(_, r)| !matches!(r, Reach::Nobody(_)))
        .count();
    if possible < 2 {
        findings.push(Finding {
            resource: ResourceRef::Account.to_string(),
            region: Some(BILLING_REGION.into()),
            status: Status::Fail,
            detail: msg(
                BILLING_ALARMS,
                "few",
                &[("count", &count), ("total", &all.to_string())],
            ),
        });
    }
    let endpoints: Vec<String> = billing
        .iter()
        .filter_map(|(_, r)| match r {
            Reach::Pending(e) => Some(e.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    settle(
        findings,
        waiting,
        String::new(),
        msg(BILLING_ALARMS, "fail", &[("count", &count)]),
        msg(
            BILLING_ALARMS,
            "pending_summary",
            &[("endpoints", &dedup(endpoints).join(", "))],
        ),
        msg(BILLING_ALARMS, "error", &[]),
    )
}

/// The alarms (among us-east-1's) that fire when the whole estimated bill
/// rises past their threshold.
pub fn billing_alarms_that_count(alarms: &[MetricAlarm]) -> impl Iterator<Item = &MetricAlarm> {
    alarms.iter().filter(|a| {
        a.namespace == BILLING_NAMESPACE
            && a.metric_name == BILLING_METRIC
            && billing_fault(a).is_none()
    })
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn security_event_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((trail, region, group)) = watched_trail(inv) else {
        if let Some(o) = super::cloudtrail::watched_elsewhere(inv) {
            return o;
        }
        if trails(inv).is_empty() {
            return Outcome::from_findings(
                vec![Finding::fail(
                    ResourceRef::Account.to_string(),
                    msg(SECURITY_EVENT_ALARMS, "no_trail", &[]),
                )],
                String::new(),
                msg(SECURITY_EVENT_ALARMS, "no_trail", &[]),
            );
        }
        let names: Vec<&str> = trails(inv).iter().map(|t| t.name.as_str()).collect();
        return Outcome::from_findings(
            vec![Finding::fail(
                ResourceRef::Account.to_string(),
                msg(
                    SECURITY_EVENT_ALARMS,
                    "no_log_group",
                    &[("trails", &names.join(", "))],
                ),
            )],
            String::new(),
            msg(SECURITY_EVENT_ALARMS, "no_log_group_summary", &[]),
        );
    };
    if let Some(e) = regional_error(&inv.metric_filters, &region)
        .or_else(|| regional_error(&inv.metric_alarms, &region))
    {
        return Outcome {
            status: Status::Error,
            summary: e.summary(),
            findings: vec![],
        };
    }
    let filters = regional(&inv.metric_filters, &region)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let alarms = regional(&inv.metric_alarms, &region)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut endpoints: Vec<String> = vec![];
    let waiting = std::cell::Cell::new(0usize);
    let findings: Vec<Finding> = SECURITY_EVENTS
        .iter()
        .filter_map(|e| {
            let w = event_watch(inv, filters, alarms, &group, e);
            let name = w
                .filter
                .map(|f| f.name.clone())
                .unwrap_or_else(|| e.filter_name());
            let resource = ResourceRef::Audit(AuditRef::MetricFilter {
                region: region.clone(),
                log_group: group.clone(),
                name,
            })
            .to_string();
            let fail = |detail: String| Finding {
                resource: resource.clone(),
                region: Some(region.clone()),
                status: Status::Fail,
                detail,
            };
            if !w.missing.is_empty() {
                let key = if w.filter.is_some() {
                    "partial_filter"
                } else {
                    "no_filter"
                };
                return Some(fail(msg(
                    SECURITY_EVENT_ALARMS,
                    key,
                    &[("event", e.metric), ("missing", &w.missing.join("; "))],
                )));
            }
            match w.reach {
                None if w.faults.is_empty() => Some(fail(msg(
                    SECURITY_EVENT_ALARMS,
                    "no_alarm",
                    &[("event", e.metric)],
                ))),
                None => Some(Finding {
                    status: fault_status(&w.faults),
                    ..fail(msg(
                        SECURITY_EVENT_ALARMS,
                        "no_firing_alarm",
                        &[("event", e.metric), ("why", &faults_text(&w.faults))],
                    ))
                }),
                Some(Reach::Nobody(why)) => Some(fail(msg(
                    SECURITY_EVENT_ALARMS,
                    "alarm_nobody",
                    &[("event", e.metric), ("why", &why)],
                ))),
                Some(r) => {
                    if let Reach::Pending(eps) = &r {
                        endpoints.extend(eps.iter().cloned());
                        waiting.set(waiting.get() + 1);
                    }
                    r.finding(resource.clone(), Some(&region))
                }
            }
        })
        .collect();
    // Filters on a trail that misses regions, is stopped or is blind to
    // management events see only part of the account: not a pass.
    let mut findings = findings;
    if !trail.is_working_multi_region() {
        findings.push(Finding {
            resource: crate::checks::cloudtrail::trail_resource(trail),
            region: Some(trail.home_region.clone()),
            status: Status::Fail,
            detail: msg(
                SECURITY_EVENT_ALARMS,
                "partial_trail",
                &[("trail", &trail.name), ("group", &group)],
            ),
        });
    }
    let count = findings.len().to_string();
    let total = SECURITY_EVENTS.len().to_string();
    let waiting = waiting.get();
    settle(
        findings,
        waiting,
        msg(
            SECURITY_EVENT_ALARMS,
            "pass",
            &[("group", &group), ("trail", &trail.name), ("total", &total)],
        ),
        msg(
            SECURITY_EVENT_ALARMS,
            "fail",
            &[("group", &group), ("count", &count), ("total", &total)],
        ),
        msg(
            SECURITY_EVENT_ALARMS,
            "pending_summary",
            &[("endpoints", &dedup(endpoints).join(", "))],
        ),
        msg(
            SECURITY_EVENT_ALARMS,
            "error",
            &[("group", &group), ("count", &count), ("total", &total)],
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::other::testkit::*;
    use crate::inventory::{Fetched, PartError, Subscription, Threshold, Topic};
    use crate::plan::{Inputs, Op, PlanError};

    fn alarms_of(plan: &crate::plan::Plan) -> Vec<(String, MetricAlarm)> {
        plan.ops()
            .filter_map(|o| match o {
                Op::PutMetricAlarm(crate::aws::ops::PutMetricAlarm { region, alarm }) => {
                    Some((region.clone(), (**alarm).clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn rds_connection_alarms_per_instance_in_its_region() {
        let t = T::new();
        let inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let r = t.eval(&inv, RDS_CONNECTION_ALARMS);
        assert_eq!(r.status, Status::Fail);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        // example-corp-app-db has one (with an action) already.
        assert_eq!(
            names,
            vec![
                "db/eu-west-1/example-corp-eu-orders",
                "db/us-east-1/example-corp-legacy-mysql",
                "db/us-east-1/example-corp-reports-1",
            ]
        );

        // Inputs are checked: both are needed, the count is a whole number.
        let missing = t.plan(&inv, RDS_CONNECTION_ALARMS, &Inputs::default());
        assert!(
            matches!(&missing, Err(PlanError::Input { name, .. }) if name == "connections"),
            "{missing:?}"
        );
        let bad = Inputs::default()
            .with("connections", "lots")
            .with("email", "db@example.com");
        assert!(matches!(
            t.plan(&inv, RDS_CONNECTION_ALARMS, &bad),
            Err(PlanError::Input { name, .. }) if name == "connections"
        ));

        // One instance: its alarm, in its region, on its own dimension.
        let one = Inputs {
            resources: vec!["db/eu-west-1/example-corp-eu-orders".into()],
            ..Inputs::default()
        }
        .with("connections", "150")
        .with("email", "db@example.com");
        let plan = t.plan(&inv, RDS_CONNECTION_ALARMS, &one).expect("plan");
        let alarms = alarms_of(&plan);
        assert_eq!(alarms.len(), 1);
        let (region, a) = &alarms[0];
        assert_eq!(region, EU);
        assert_eq!(a.name, "moat-rds-connections-example-corp-eu-orders");
        assert_eq!(
            (a.namespace.as_str(), a.metric_name.as_str()),
            (RDS_NAMESPACE, RDS_CONNECTIONS_METRIC)
        );
        assert_eq!(a.dimensions.len(), 1);
        assert_eq!(a.dimensions[0].value, "example-corp-eu-orders");
        assert_eq!(a.threshold.0, 150.0);
        assert_eq!(
            a.alarm_actions,
            vec![format!("arn:aws:sns:{EU}:{ACCOUNT}:moat-rds-alarms")]
        );
        // All of them: a topic per region. The e-mail subscription waits
        // for its confirmation: the item says so, and passes once confirmed.
        let all = Inputs::default()
            .with("connections", "150")
            .with("email", "db@example.com");
        let mut after = t.fix(&inv, RDS_CONNECTION_ALARMS, &all);
        let r = t.eval(&after, RDS_CONNECTION_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.starts_with("Pending confirmation"), "{r:?}");
        assert!(
            r.findings
                .iter()
                .all(|f| f.detail.contains("db@example.com")),
            "{r:?}"
        );
        // Nothing to plan while the confirmation is awaited.
        assert!(matches!(
            t.plan(&after, RDS_CONNECTION_ALARMS, &all),
            Err(PlanError::NothingToDo(_))
        ));
        confirm_all(&mut after);
        assert_eq!(t.status(&after, RDS_CONNECTION_ALARMS), Status::Pass);
        let plan = t.plan(&inv, RDS_CONNECTION_ALARMS, &all).expect("plan");
        let topics = plan
            .ops()
            .filter(|o| {
                matches!(
                    o,
                    Op::CreateSnsTopic(crate::aws::ops::CreateSnsTopic { .. })
                )
            })
            .count();
        assert_eq!(topics, 2);
        assert!(matches!(
            t.plan(&after, RDS_CONNECTION_ALARMS, &all),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn rds_connection_alarms_unreadable_alarms_are_an_error_of_their_region() {
        let t = T::new();
        let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        if let Some(a) = inv.metric_alarms.ready_mut() {
            a.insert(
                EU.into(),
                Fetched::Error(PartError::new(
                    "cloudwatch:DescribeAlarms",
                    Some("AccessDenied".into()),
                    "denied",
                )),
            );
        }
        let r = t.eval(&inv, RDS_CONNECTION_ALARMS);
        assert_eq!(r.status, Status::Fail);
        let err: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .collect();
        assert_eq!(err.len(), 1, "{r:?}");
        assert_eq!(err[0].region.as_deref(), Some(EU));
        // The plan leaves that region alone.
        let all = Inputs::default()
            .with("connections", "150")
            .with("email", "db@example.com");
        let plan = t.plan(&inv, RDS_CONNECTION_ALARMS, &all).expect("plan");
        assert!(alarms_of(&plan).iter().all(|(r, _)| r == US));
    }

    /// Every pending subscription confirmed (the recipient followed the link).
    fn confirm_all(inv: &mut Inventory) {
        if let Some(m) = inv.sns_topics.ready_mut() {
            for f in m.values_mut() {
                if let Fetched::Ready(ts) = f {
                    for t in ts {
                        for s in &mut t.subscriptions {
                            s.pending = false;
                        }
                    }
                }
            }
        }
    }

    fn topic_with(region: &str, name: &str, subs: &[(&str, &str, bool)]) -> Topic {
        Topic {
            name: name.into(),
            arn: format!("arn:aws:sns:{region}:{ACCOUNT}:{name}"),
            policy: Some(default_topic_policy(
                &format!("arn:aws:sns:{region}:{ACCOUNT}:{name}"),
                ACCOUNT,
            )),
            subscriptions: subs
                .iter()
                .map(|(p, e, pending)| Subscription {
                    protocol: (*p).into(),
                    endpoint: (*e).into(),
                    pending: *pending,
                    ..Subscription::default()
                })
                .collect(),
            key: None,
        }
    }

    fn set_topics(inv: &mut Inventory, region: &str, topics: Vec<Topic>) {
        if let Some(m) = inv.sns_topics.ready_mut() {
            m.insert(region.into(), Fetched::Ready(topics));
        }
    }

    fn set_alarms(inv: &mut Inventory, region: &str, alarms: Vec<MetricAlarm>) {
        if let Some(m) = inv.metric_alarms.ready_mut() {
            m.insert(region.into(), Fetched::Ready(alarms));
        }
    }

    fn set_filters(inv: &mut Inventory, region: &str, filters: Vec<MetricFilter>) {
        if let Some(m) = inv.metric_filters.ready_mut() {
            m.insert(region.into(), Fetched::Ready(filters));
        }
    }

    fn alarm(name: &str, namespace: &str, metric: &str, actions: &[String]) -> MetricAlarm {
        MetricAlarm {
            name: name.into(),
            description: None,
            namespace: namespace.into(),
            metric_name: metric.into(),
            dimensions: vec![],
            statistic: "Sum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: Threshold(1.0),
            comparison_operator: "GreaterThanOrEqualToThreshold".into(),
            alarm_actions: actions.to_vec(),
            actions_enabled: true,
            treat_missing_data: None,
            extended_statistic: None,
            datapoints_to_alarm: None,
            math_metrics: vec![],
            unit: None,
        }
    }

    fn arn(region: &str, name: &str) -> String {
        format!("arn:aws:sns:{region}:{ACCOUNT}:{name}")
    }

    #[test]
    fn billing_alarms_must_notify_a_confirmed_subscriber() {
        let t = T::new();
        let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let billing = |n: &str, actions: &[String]| MetricAlarm {
            dimensions: vec![crate::inventory::Dimension {
                name: "Currency".into(),
                value: "USD".into(),
            }],
            comparison_operator: "GreaterThanThreshold".into(),
            ..alarm(n, "AWS/Billing", "EstimatedCharges", actions)
        };
        let quiet = arn(US, "quiet");
        let ops = arn(US, "ops-notifications");
        set_topics(
            &mut inv,
            US,
            vec![
                topic_with(US, "quiet", &[]),
                topic_with(
                    US,
                    "ops-notifications",
                    &[("email", "ops@example.com", false)],
                ),
                topic_with(US, "waiting", &[("email", "new@example.com", true)]),
            ],
        );
        // Two alarms, but their topic has no subscriber.
        set_alarms(
            &mut inv,
            US,
            vec![
                billing("a", std::slice::from_ref(&quiet)),
                billing("b", std::slice::from_ref(&quiet)),
            ],
        );
        let r = t.eval(&inv, BILLING_ALARMS);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(
            r.findings.iter().any(|f| f.resource == "alarm/us-east-1/a"
                && f.detail.contains("no confirmed subscription"))
        );
        // Actions that are not topics (Auto Scaling, EC2) notify nobody, and
        // neither do actions turned off.
        let scale = "arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:x".to_string();
        let mut off = billing("b", std::slice::from_ref(&ops));
        off.actions_enabled = false;
        set_alarms(&mut inv, US, vec![billing("a", &[scale]), off]);
        assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Fail);
        // One confirmed, one only pending: pending, the address named.
        set_alarms(
            &mut inv,
            US,
            vec![
                billing("a", &[arn(US, "waiting")]),
                billing("b", &[arn(US, "waiting")]),
            ],
        );
        let r = t.eval(&inv, BILLING_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.starts_with("Pending confirmation"), "{r:?}");
        assert!(r.summary.contains("new@example.com"), "{r:?}");
        // Planning while the confirmation is awaited changes nothing.
        let req = Inputs::default()
            .with("monthly", "100")
            .with("email", "new@example.com");
        assert!(matches!(
            t.plan(&inv, BILLING_ALARMS, &req),
            Err(PlanError::Guided(_))
        ));
        // A topic of another account cannot be read: not a pass, not a fail.
        let foreign = "arn:aws:sns:us-east-1:999999999999:central-billing".to_string();
        set_alarms(
            &mut inv,
            US,
            vec![
                billing("a", std::slice::from_ref(&foreign)),
                billing("b", &[foreign]),
            ],
        );
        let r = t.eval(&inv, BILLING_ALARMS);
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(r.findings.iter().all(|f| f.detail.contains("999999999999")));
        // Two alarms on a confirmed subscriber (one with an extra action): pass.
        set_alarms(
            &mut inv,
            US,
            vec![billing("a", &[ops.clone(), quiet]), billing("b", &[ops])],
        );
        assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
    }

    #[test]
    fn billing_fix_is_pending_until_the_address_confirms() {
        let t = T::new();
        let inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let req = Inputs::default()
            .with("monthly", "100")
            .with("email", "billing@example.com");
        let mut after = t.fix(&inv, BILLING_ALARMS, &req);
        let r = t.eval(&after, BILLING_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.starts_with("Pending confirmation"), "{r:?}");
        assert!(r.summary.contains("billing@example.com"), "{r:?}");
        confirm_all(&mut after);
        assert_eq!(t.status(&after, BILLING_ALARMS), Status::Pass);
    }

    /// The CIS v6 sample patterns, written as other tools write them.
    const RECOGNISED: &[(&str, &str)] = &[
        (
            "unauthorized-api-calls",
            r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
        ),
        (
            "unauthorized-api-calls",
            r#"{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}"#,
        ),
        (
            "unauthorized-api-calls",
            r#"{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" }"#,
        ),
        (
            "console-signin-without-mfa",
            "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }",
        ),
        (
            "console-signin-without-mfa",
            r#"{($.responseElements.ConsoleLogin="Success")&&($.userIdentity.type="IAMUser")&&($.additionalEventData.MFAUsed!="Yes")&&($.eventName="ConsoleLogin")}"#,
        ),
        (
            "root-usage",
            "{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }",
        ),
        (
            "root-usage",
            r#"{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }"#,
        ),
        (
            "iam-policy-changes",
            "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
        ),
        (
            "iam-policy-changes",
            r#"{ ($.eventSource = "iam.amazonaws.com") && (($.eventName = "DetachGroupPolicy") || ($.eventName = "AttachGroupPolicy") || ($.eventName = "DetachUserPolicy") || ($.eventName = "AttachUserPolicy") || ($.eventName = "DetachRolePolicy") || ($.eventName = "AttachRolePolicy") || ($.eventName = "DeletePolicyVersion") || ($.eventName = "CreatePolicyVersion") || ($.eventName = "DeletePolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "PutUserPolicy") || ($.eventName = "PutRolePolicy") || ($.eventName = "PutGroupPolicy") || ($.eventName = "DeleteUserPolicy") || ($.eventName = "DeleteRolePolicy") || ($.eventName = "DeleteGroupPolicy")) }"#,
        ),
        (
            "cloudtrail-changes",
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        ),
        (
            "console-auth-failures",
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        ),
        (
            "console-auth-failures",
            "{ ($.errorMessage = Failed authentication) && ($.eventName = ConsoleLogin) }",
        ),
        (
            "cmk-disable-or-delete",
            "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
        ),
        (
            "s3-bucket-policy-changes",
            "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
        ),
        (
            "config-changes",
            "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
        ),
        (
            "security-group-changes",
            "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }",
        ),
        (
            "security-group-changes",
            r#"{ $.eventSource = "ec2.amazonaws.com" && ($.eventName = "ModifySecurityGroupRules" || $.eventName = "DeleteSecurityGroup" || $.eventName = "CreateSecurityGroup" || $.eventName = "RevokeSecurityGroupEgress" || $.eventName = "RevokeSecurityGroupIngress" || $.eventName = "AuthorizeSecurityGroupEgress" || $.eventName = "AuthorizeSecurityGroupIngress") }"#,
        ),
        (
            "nacl-changes",
            "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
        ),
        (
            "network-gateway-changes",
            "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
        ),
        (
            "route-table-changes",
            "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }",
        ),
        (
            "vpc-changes",
            "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
        ),
        (
            "organizations-changes",
            "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }",
        ),
    ];

    /// Close to a CIS sample, but missing (or changing) a term.
    const NOT_RECOGNISED: &[(&str, &str)] = &[
        (
            "unauthorized-api-calls",
            r#"{ $.errorCode = "AccessDenied*" }"#,
        ),
        (
            "unauthorized-api-calls",
            r#"{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") }"#,
        ),
        (
            "console-signin-without-mfa",
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }"#,
        ),
        (
            "root-usage",
            r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy EXISTS }"#,
        ),
        ("root-usage", r#"{ $.userIdentity.type = "root" }"#),
        (
            "iam-policy-changes",
            "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)}",
        ),
        (
            "iam-policy-changes",
            "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)) }",
        ),
        (
            "cloudtrail-changes",
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }",
        ),
        (
            "cmk-disable-or-delete",
            "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }",
        ),
        // moat's own pattern before CIS added ModifySecurityGroupRules.
        (
            "security-group-changes",
            "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        ),
        (
            "console-auth-failures",
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed") }"#,
        ),
        ("console-auth-failures", "ConsoleLogin Failed"),
    ];

    fn event(slug: &str) -> &'static SecurityEvent {
        SECURITY_EVENTS
            .iter()
            .find(|e| e.slug == slug)
            .unwrap_or_else(|| panic!("event {slug}"))
    }

    fn catches_all(e: &SecurityEvent, pattern: &str) -> bool {
        let alts = e.alternatives();
        assert!(!alts.is_empty(), "{}", e.slug);
        Pattern::parse(pattern).is_some_and(|p| alts.iter().all(|a| p.catches(a)))
    }

    #[test]
    fn filters_are_recognised_by_meaning() {
        for e in SECURITY_EVENTS {
            assert!(catches_all(e, e.pattern), "moat's own {}", e.slug);
        }
        for (slug, p) in RECOGNISED {
            assert!(catches_all(event(slug), p), "{slug}: {p}");
        }
        for (slug, p) in NOT_RECOGNISED {
            assert!(!catches_all(event(slug), p), "{slug}: {p}");
        }
    }

    /// The demo account with its trail sending to `CloudTrail/Default` in us-east-1.
    fn with_log_group() -> Inventory {
        let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        if let Some(ts) = inv.trails.ready_mut() {
            for t in ts.iter_mut() {
                t.cloudwatch_logs_log_group_arn = Some(format!(
                    "arn:aws:logs:{US}:{ACCOUNT}:log-group:CloudTrail/Default:*"
                ));
                // A working multi-region trail: only its log group counts.
                t.is_logging = true;
                t.event_selectors = Some(crate::inventory::Fetched::Ready(
                    crate::inventory::EventSelectors::aws_default(),
                ));
            }
        }
        inv
    }

    /// Filters on the log group of a trail that is not working (stopped,
    /// or blind to write events), or of another account, watch nothing.
    #[test]
    fn only_a_working_trail_s_own_log_group_is_watched() {
        let t = T::new();
        let mut inv = with_log_group();
        other_tool(&mut inv, &arn(US, "soc"));
        assert!(watched_trail(&inv).is_some());
        assert!(
            !t.eval(&inv, SECURITY_EVENT_ALARMS)
                .findings
                .iter()
                .any(|f| f.detail.contains("every region"))
        );
        let mut stopped = inv.clone();
        if let Some(ts) = stopped.trails.ready_mut() {
            ts.iter_mut().for_each(|t| t.is_logging = false);
        }
        let r = t.eval(&stopped, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(
            r.findings.iter().any(|f| f.detail.contains("every region")),
            "{r:?}"
        );
        let mut foreign = inv.clone();
        if let Some(ts) = foreign.trails.ready_mut() {
            for t in ts.iter_mut() {
                t.cloudwatch_logs_log_group_arn = Some(format!(
                    "arn:aws:logs:{US}:999988887777:log-group:CloudTrail/Default:*"
                ));
            }
        }
        assert!(watched_trail(&foreign).is_none());
    }

    fn filter(name: &str, pattern: &str, metric: &str) -> MetricFilter {
        MetricFilter {
            log_group: "CloudTrail/Default".into(),
            name: name.into(),
            pattern: pattern.into(),
            metric_namespace: "CISBenchmark".into(),
            metric_name: metric.into(),
            metric_value: "1".into(),
            dimensions: vec![],
            unit: None,
            default_value: None,
        }
    }

    /// One other-tool filter per event, each with an alarm on `topic`.
    fn other_tool(inv: &mut Inventory, topic: &str) {
        let mut filters = vec![];
        let mut alarms = vec![];
        for e in SECURITY_EVENTS {
            let (_, p) = RECOGNISED
                .iter()
                .rev()
                .find(|(s, _)| *s == e.slug)
                .unwrap_or_else(|| panic!("{}", e.slug));
            let metric = format!("{}_metric", e.slug.replace('-', "_"));
            filters.push(filter(&format!("cis-{}", e.slug), p, &metric));
            alarms.push(alarm(
                &format!("cis-{}-alarm", e.slug),
                "CISBenchmark",
                &metric,
                &[topic.to_string()],
            ));
        }
        set_filters(inv, US, filters);
        set_alarms(inv, US, alarms);
    }

    #[test]
    fn security_events_watched_by_another_tool_pass() {
        let t = T::new();
        let mut inv = with_log_group();
        set_topics(
            &mut inv,
            US,
            vec![
                topic_with(
                    US,
                    "soc",
                    &[("https", "https://hooks.example.com/soc", false)],
                ),
                topic_with(US, "waiting", &[("email", "soc@example.com", true)]),
                topic_with(US, "quiet", &[]),
            ],
        );
        other_tool(&mut inv, &arn(US, "soc"));
        let r = t.eval(&inv, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(matches!(
            t.plan(
                &inv,
                SECURITY_EVENT_ALARMS,
                &Inputs::default().with("email", "a@example.com")
            ),
            Err(PlanError::NothingToDo(_))
        ));

        // Alarms whose topic nobody receives: fail, and the plan adds moat's
        // alarm on the same metric (no second filter).
        other_tool(&mut inv, &arn(US, "quiet"));
        let r = t.eval(&inv, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings.len(), SECURITY_EVENTS.len());
        assert!(
            r.findings[0].detail.contains("no confirmed subscription"),
            "{r:?}"
        );
        let req = Inputs::default().with("email", "soc@example.com");
        let plan = t.plan(&inv, SECURITY_EVENT_ALARMS, &req).expect("plan");
        assert!(!plan.ops().any(|o| matches!(
            o,
            Op::PutMetricFilter(crate::aws::ops::PutMetricFilter { .. })
        )));
        assert!(
            alarms_of(&plan)
                .iter()
                .all(|(_, a)| a.namespace == "CISBenchmark")
        );
        let mut after = t.fix(&inv, SECURITY_EVENT_ALARMS, &req);
        let r = t.eval(&after, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.starts_with("Pending confirmation"), "{r:?}");
        confirm_all(&mut after);
        assert_eq!(t.status(&after, SECURITY_EVENT_ALARMS), Status::Pass);

        // Only pending subscribers: pending, nothing to plan.
        other_tool(&mut inv, &arn(US, "waiting"));
        let r = t.eval(&inv, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("soc@example.com"), "{r:?}");
        assert!(matches!(
            t.plan(&inv, SECURITY_EVENT_ALARMS, &req),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn a_filter_missing_a_term_fails_and_names_it() {
        let t = T::new();
        let mut inv = with_log_group();
        set_topics(
            &mut inv,
            US,
            vec![topic_with(
                US,
                "soc",
                &[("email", "soc@example.com", false)],
            )],
        );
        other_tool(&mut inv, &arn(US, "soc"));
        // The security-group filter of moat's earlier version.
        let old = NOT_RECOGNISED
            .iter()
            .find(|(s, _)| *s == "security-group-changes")
            .map(|(_, p)| *p)
            .unwrap_or_default();
        if let Some(m) = inv.metric_filters.ready_mut()
            && let Some(Fetched::Ready(fs)) = m.get_mut(US)
        {
            for f in fs
                .iter_mut()
                .filter(|f| f.name == "cis-security-group-changes")
            {
                f.pattern = old.into();
            }
        }
        let r = t.eval(&inv, SECURITY_EVENT_ALARMS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings.len(), 1, "{r:?}");
        assert!(
            r.findings[0].detail.contains("ModifySecurityGroupRules"),
            "{r:?}"
        );
        assert_eq!(
            r.findings[0].resource,
            "metric-filter/us-east-1/CloudTrail%2FDefault/cis-security-group-changes"
        );
        // The fix writes moat's filter (which catches it) and an alarm.
        let req = Inputs::default().with("email", "soc@example.com");
        let plan = t.plan(&inv, SECURITY_EVENT_ALARMS, &req).expect("plan");
        let filters: Vec<String> = plan
            .ops()
            .filter_map(|o| match o {
                Op::PutMetricFilter(crate::aws::ops::PutMetricFilter { filter, .. }) => {
                    Some(filter.pattern.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(filters.len(), 1);
        assert!(filters[0].contains("ModifySecurityGroupRules"));
    }

    #[test]
    fn sns_notifications_need_a_confirmed_subscriber() {
        use crate::checks::cloudtrail::SNS_NOTIFICATIONS;
        let t = T::new();
        let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let set_topic = |inv: &mut Inventory, arn: &str| {
            if let Some(ts) = inv.trails.ready_mut() {
                for t in ts.iter_mut() {
                    t.sns_topic_arn = Some(arn.into());
                }
            }
        };
        set_topics(
            &mut inv,
            US,
            vec![
                topic_with(US, "quiet", &[]),
                topic_with(US, "waiting", &[("email", "logs@example.com", true)]),
                topic_with(US, "heard", &[("email", "logs@example.net", false)]),
            ],
        );
        // Each topic lets CloudTrail publish (as CreateTrail requires).
        if let Some(Fetched::Ready(ts)) = inv.sns_topics.ready_mut().and_then(|m| m.get_mut(US)) {
            for x in ts.iter_mut() {
                x.policy = Some(plans::topic_policy(
                    "aws",
                    US,
                    ACCOUNT,
                    &x.name,
                    CLOUDTRAIL_PRINCIPAL,
                    vec![format!("arn:aws:cloudtrail:{US}:{ACCOUNT}:trail/*")],
                ));
            }
        }
        set_topic(&mut inv, &arn(US, "quiet"));
        let r = t.eval(&inv, SNS_NOTIFICATIONS);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(r.findings[0].detail.contains("no confirmed subscription"));
        // The plan subscribes the address to that topic.
        let req = Inputs::default().with("email", "logs@example.com");
        let mut after = t.fix(&inv, SNS_NOTIFICATIONS, &req);
        let r = t.eval(&after, SNS_NOTIFICATIONS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.starts_with("Pending confirmation"), "{r:?}");
        confirm_all(&mut after);
        assert_eq!(t.status(&after, SNS_NOTIFICATIONS), Status::Pass);

        set_topic(&mut inv, &arn(US, "waiting"));
        let r = t.eval(&inv, SNS_NOTIFICATIONS);
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("logs@example.com"), "{r:?}");
        assert!(matches!(
            t.plan(&inv, SNS_NOTIFICATIONS, &req),
            Err(PlanError::NothingToDo(_))
        ));

        set_topic(&mut inv, &arn(US, "heard"));
        assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Pass);

        set_topic(&mut inv, &arn(US, "deleted"));
        assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Fail);

        set_topic(&mut inv, "arn:aws:sns:us-east-1:999999999999:org-trail");
        let r = t.eval(&inv, SNS_NOTIFICATIONS);
        assert_eq!(r.status, Status::Error, "{r:?}");

        // A topic in a region that was not read.
        set_topic(&mut inv, &arn("ap-south-1", "far"));
        assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Error);

        // No topic at all: the fix creates one and subscribes the address.
        if let Some(ts) = inv.trails.ready_mut() {
            for t in ts.iter_mut() {
                t.sns_topic_arn = None;
            }
        }
        assert!(matches!(
            t.plan(&inv, SNS_NOTIFICATIONS, &Inputs::default()),
            Err(PlanError::Input { name, .. }) if name == "email"
        ));
        let mut after = t.fix(&inv, SNS_NOTIFICATIONS, &req);
        assert_eq!(t.status(&after, SNS_NOTIFICATIONS), Status::Fail);
        confirm_all(&mut after);
        assert_eq!(t.status(&after, SNS_NOTIFICATIONS), Status::Pass);
    }
}
