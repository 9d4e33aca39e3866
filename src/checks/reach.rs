//! Whether a notification reaches someone: the SNS topic's policy and key, its
//! subscriptions, and the queues they deliver to.

use crate::aws::inventory::{Fetched, Inventory, QueueAccess, Subscription, Topic, TopicKey};
use crate::checks::{Finding, Status};
use crate::guide::msg;
use serde_json::Value;

/// The sentences about notifications sit in the cloudwatch message table.
pub const MESSAGES: &str = "cloudwatch";

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
    pub(crate) fn rank(&self) -> u8 {
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
                msg(MESSAGES, "pending", &[("endpoints", &endpoints.join(", "))]),
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
pub(crate) const SETS_SOURCE_OWNER: &[&str] = &[CLOUDWATCH_PRINCIPAL];

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
pub(crate) fn condition_values(v: &Value) -> Vec<String> {
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
pub(crate) fn conditions_hold(stmt: &Value, by: &Publisher) -> Result<bool, String> {
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

pub(crate) fn names_principal(stmt: &Value, service: &str) -> bool {
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
pub(crate) fn topic_arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut p = arn.splitn(6, ':');
    let (arn_, _partition, service) = (p.next()?, p.next()?, p.next()?);
    let (region, account, name) = (p.next()?, p.next()?, p.next()?);
    (arn_ == "arn" && service == "sns" && !region.is_empty() && !name.is_empty())
        .then_some((region, account, name))
}

/// Protocols whose confirmed endpoint is a person, or a service that
/// forwards to people (a chat or paging webhook): delivered means heard.
pub(crate) const PERSON_PROTOCOLS: &[&str] = &["email", "email-json", "sms", "http", "https"];

/// Whether a filter policy on message attributes lets through a message
/// that has none (alarm and CloudTrail notifications carry no message
/// attributes): only when every property asks `{"exists": false}`.
pub(crate) fn passes_without_attributes(policy: &Value) -> bool {
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
pub(crate) fn delivery(
    s: &Subscription,
    topic: &str,
    me: &str,
) -> Result<(), Result<String, String>> {
    let ep = s.endpoint.as_str();
    if let Some(p) = s
        .filter_policy
        .as_ref()
        .filter(|p| !matches!(p, Value::Null) && !matches!(p, Value::Object(m) if m.is_empty()))
    {
        if s.filter_scope.as_deref() == Some("MessageBody") {
            return Err(Err(msg(
                MESSAGES,
                "filter_body",
                &[("endpoint", ep), ("topic", topic)],
            )));
        }
        if !passes_without_attributes(p) {
            return Err(Ok(msg(MESSAGES, "filter_attributes", &[("endpoint", ep)])));
        }
    }
    if let Some(why) = &s.unread {
        return Err(Err(msg(
            MESSAGES,
            "subscription_unread",
            &[("endpoint", ep), ("error", why)],
        )));
    }
    let owner = ep.split(':').nth(4).unwrap_or_default();
    match s.protocol.as_str() {
        p if PERSON_PROTOCOLS.contains(&p) => Ok(()),
        "sqs" if owner != me => Err(Err(msg(
            MESSAGES,
            "queue_other_account",
            &[("endpoint", ep), ("account", owner)],
        ))),
        "sqs" => match (s.endpoint_exists, &s.queue) {
            (Some(false), _) => Err(Ok(msg(MESSAGES, "queue_gone", &[("endpoint", ep)]))),
            (Some(true), Some(q)) => queue_delivery(q, ep, topic, me),
            _ => Err(Err(msg(MESSAGES, "queue_not_read", &[("endpoint", ep)]))),
        },
        "lambda" => Err(Err(msg(MESSAGES, "lambda", &[("endpoint", ep)]))),
        p => Err(Err(msg(
            MESSAGES,
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
pub(crate) fn queue_delivery(
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
        return Err(Ok(msg(MESSAGES, "queue_no_policy", &args)));
    };
    match service_grant(policy, &by, &["sqs:SendMessage"]) {
        Grant::Allowed => {}
        Grant::Denied => return Err(Ok(msg(MESSAGES, "queue_policy_denies", &args))),
        Grant::Unsure(keys) => {
            return Err(Err(msg(
                MESSAGES,
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
            MESSAGES,
            "nothing_delivered",
            &[("topic", &t.arn), ("why", &lost.join(" "))],
        ))
    } else {
        Reach::Nobody(msg(MESSAGES, "no_subscriber", &[("topic", &t.arn)]))
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
pub(crate) fn kms_reach(k: &TopicKey, resource: &str, by: &Publisher, prefix: &str) -> Reach {
    let m = |name: &str| format!("{prefix}{name}");
    let args = [
        ("topic", resource),
        ("endpoint", resource),
        ("key", k.id.as_str()),
        ("service", by.service),
    ];
    if k.is_aws_managed() {
        return Reach::Nobody(msg(MESSAGES, &m("aws_managed_key"), &args));
    }
    if let Some(state) = k.state.as_deref().filter(|s| *s != "Enabled") {
        return Reach::Nobody(msg(
            MESSAGES,
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
            MESSAGES,
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
        Grant::Denied => Reach::Nobody(msg(MESSAGES, &m("key_denies"), &args)),
        Grant::Unsure(keys) => Reach::Unchecked(msg(
            MESSAGES,
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
        return Reach::Unchecked(msg(MESSAGES, "topic_policy_not_read", &args));
    };
    match service_grant(policy, by, &["SNS:Publish"]) {
        Grant::Allowed => Reach::Someone,
        Grant::Denied => Reach::Nobody(msg(MESSAGES, "topic_policy_denies", &args)),
        Grant::Unsure(keys) => Reach::Unchecked(msg(
            MESSAGES,
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
            MESSAGES,
            "not_a_topic",
            &[("action", arn)],
        )));
    };
    match inv.account_id() {
        Some(me) if me == account => {}
        Some(_) => {
            return Err(Reach::Unknown(msg(
                MESSAGES,
                "other_account",
                &[("topic", arn), ("account", account)],
            )));
        }
        None => return Err(Reach::Unknown(msg(MESSAGES, "not_read", &[("topic", arn)]))),
    }
    let topics = match inv.sns_topics.ready().and_then(|m| m.regions.get(region)) {
        None => return Err(Reach::Unknown(msg(MESSAGES, "not_read", &[("topic", arn)]))),
        Some(Fetched::Error(e)) => {
            return Err(Reach::Unknown(msg(
                MESSAGES,
                "unreadable",
                &[("topic", arn), ("error", &e.summary())],
            )));
        }
        Some(Fetched::Ready(t)) => t,
    };
    topics
        .iter()
        .find(|t| t.arn == arn || t.name == name)
        .ok_or_else(|| Reach::Nobody(msg(MESSAGES, "no_topic", &[("topic", arn)])))
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
