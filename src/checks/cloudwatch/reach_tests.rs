//! Whether a notification really reaches someone: the shapes of account in
//! which a topic with a confirmed subscription still delivers nothing on AWS
//! (a deleted queue, a filter policy, a key the publisher cannot use, a
//! topic policy that leaves CloudTrail out), on hand-built inventories.

use super::*;
use crate::aws::inventory::{Fetched, QueueAccess, Subscription, Topic, TopicKey};
use crate::checks::cloudtrail::SNS_NOTIFICATIONS;
use crate::checks::testkit::midnight as now;
use crate::checks::testkit::*;
use crate::plan::{Inputs, Op, TrailEdit};
use serde_json::{Value, json};

fn arn(name: &str) -> String {
    format!("arn:aws:sns:{US}:{ACCOUNT}:{name}")
}

fn sub(protocol: &str, endpoint: &str) -> Subscription {
    Subscription {
        protocol: protocol.into(),
        endpoint: endpoint.into(),
        ..Subscription::default()
    }
}

fn email() -> Subscription {
    sub("email", "ops@example.com")
}

/// AWS's default topic policy (the account, and services publishing for
/// its resources), plus a statement letting CloudTrail publish.
fn trail_policy(name: &str) -> Value {
    let mut p = default_topic_policy(&arn(name), ACCOUNT);
    let trail = crate::plan::topic::topic_policy(
        "aws",
        US,
        ACCOUNT,
        name,
        CLOUDTRAIL_PRINCIPAL,
        vec![format!("arn:aws:cloudtrail:{US}:{ACCOUNT}:trail/*")],
    );
    if let (Some(Value::Array(a)), Some(Value::Array(b))) =
        (p.get_mut("Statement"), trail.get("Statement"))
    {
        a.extend(b.iter().skip(1).cloned());
    }
    p
}

fn topic(name: &str, subs: Vec<Subscription>) -> Topic {
    Topic {
        name: name.into(),
        arn: arn(name),
        policy: Some(trail_policy(name)),
        subscriptions: subs,
        key: None,
    }
}

/// The demo account with `topics` in us-east-1, two billing alarms that
/// notify topic `alarms`, and every trail announcing on topic `trail`.
fn account(topics: Vec<Topic>) -> Inventory {
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    if let Some(m) = inv.sns_topics.ready_mut() {
        m.regions.insert(US.into(), Fetched::Ready(topics));
    }
    let billing = |name: &str| MetricAlarm {
        name: name.into(),
        description: None,
        namespace: "AWS/Billing".into(),
        metric_name: "EstimatedCharges".into(),
        dimensions: vec![crate::aws::inventory::Dimension {
            name: "Currency".into(),
            value: "USD".into(),
        }],
        statistic: "Maximum".into(),
        period: 21600,
        evaluation_periods: 1,
        threshold: crate::aws::inventory::Threshold(100.0),
        comparison_operator: "GreaterThanThreshold".into(),
        alarm_actions: vec![arn("alarms")],
        actions_enabled: true,
        treat_missing_data: None,
        datapoints_to_alarm: None,
        extended_statistic: None,
        math_metrics: vec![],
        unit: None,
    };
    if let Some(m) = inv.metric_alarms.ready_mut() {
        m.regions.insert(
            US.into(),
            Fetched::Ready(vec![billing("usual"), billing("high")]),
        );
    }
    if let Some(ts) = inv.trails.ready_mut() {
        for t in ts.iter_mut() {
            t.sns_topic_arn = Some(arn("trail"));
        }
    }
    inv
}

/// Both topics (`alarms` and `trail`) with the same subscriptions and key.
fn both(subs: Vec<Subscription>, key: Option<TopicKey>) -> Inventory {
    let mut a = topic("alarms", subs.clone());
    let mut t = topic("trail", subs);
    a.key = key.clone();
    t.key = key;
    account(vec![a, t])
}

fn details(r: &crate::checks::ItemResult) -> String {
    r.findings
        .iter()
        .map(|f| f.detail.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_confirmed_email_still_reaches_someone() {
    let t = T::at(now());
    let inv = both(vec![email()], None);
    let r = t.eval(&inv, BILLING_ALARMS);
    assert_eq!(r.status, Status::Pass, "{r:?}");
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Pass);
}

#[test]
fn a_deleted_queue_reaches_no_one() {
    let t = T::at(now());
    let queue = format!("arn:aws:sqs:{US}:{ACCOUNT}:alerts");
    let mut gone = sub("sqs", &queue);
    gone.endpoint_exists = Some(false);
    let inv = both(vec![gone.clone()], None);
    for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
        let r = t.eval(&inv, item);
        assert_eq!(r.status, Status::Fail, "{item}: {r:?}");
        assert!(details(&r).contains("no longer exists"), "{r:?}");
        assert!(details(&r).contains(&queue), "{r:?}");
    }
    // The queue exists and lets SNS send to it: a system of the account
    // receives it.
    let mut there = gone.clone();
    there.endpoint_exists = Some(true);
    there.queue = Some(sns_queue_access(ACCOUNT));
    let inv = both(vec![there], None);
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Pass);
    // Not looked up: not a pass.
    let inv = both(vec![sub("sqs", &queue)], None);
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Manual);
}

#[test]
fn a_queue_of_another_account_or_a_function_is_not_checked() {
    let t = T::at(now());
    let foreign = "arn:aws:sqs:us-east-1:999988887777:central-alerts";
    let inv = both(vec![sub("sqs", foreign)], None);
    for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
        let r = t.eval(&inv, item);
        assert_eq!(r.status, Status::Manual, "{item}: {r:?}");
        assert!(details(&r).contains("999988887777"), "{r:?}");
    }
    let function = format!("arn:aws:lambda:{US}:{ACCOUNT}:function:to-slack");
    let inv = both(vec![sub("lambda", &function)], None);
    let r = t.eval(&inv, BILLING_ALARMS);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert!(details(&r).contains("to-slack"), "{r:?}");
    // Beside a confirmed address, the others do not matter.
    let inv = both(vec![sub("lambda", &function), email()], None);
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
}

#[test]
fn a_filter_policy_on_attributes_drops_the_notification() {
    let t = T::at(now());
    let mut filtered = email();
    filtered.filter_policy = Some(json!({"severity": ["critical"]}));
    let inv = both(vec![filtered.clone()], None);
    for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
        let r = t.eval(&inv, item);
        assert_eq!(r.status, Status::Fail, "{item}: {r:?}");
        assert!(details(&r).contains("filter policy"), "{r:?}");
        assert!(details(&r).contains("ops@example.com"), "{r:?}");
    }
    // The fix subscribes the address again, without a filter.
    let req = Inputs::default().with("email", "alerts@example.com");
    let plan = t.plan(&inv, SNS_NOTIFICATIONS, &req).expect("plan");
    assert!(plan.ops().any(|o| matches!(
        o,
        Op::SubscribeSnsTopic(crate::aws::ops::SubscribeSnsTopic { topic, .. }) if topic == "trail"
    )));
    // On the body: moat cannot tell, a person checks.
    let mut body = filtered.clone();
    body.filter_scope = Some("MessageBody".into());
    let inv = both(vec![body], None);
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Manual);
    // A policy that asks for an attribute to be absent lets them through.
    let mut absent = filtered;
    absent.filter_policy = Some(json!({"team": [{"exists": false}]}));
    let inv = both(vec![absent], None);
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
}

#[test]
fn a_topic_encrypted_with_the_aws_managed_key_reaches_no_one() {
    let t = T::at(now());
    for id in [
        "alias/aws/sns".to_string(),
        format!("arn:aws:kms:{US}:{ACCOUNT}:alias/aws/sns"),
    ] {
        let key = TopicKey {
            id,
            ..TopicKey::default()
        };
        let inv = both(vec![email()], Some(key));
        for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
            let r = t.eval(&inv, item);
            assert_eq!(r.status, Status::Fail, "{item}: {r:?}");
            assert!(details(&r).contains("AWS managed key"), "{r:?}");
        }
    }
    // Known as AWS managed by DescribeKey (the topic names its key id).
    let key = TopicKey {
        id: "0f1e2d3c-aaaa-bbbb-cccc-111122223333".into(),
        manager: Some("AWS".into()),
        state: Some("Enabled".into()),
        ..TopicKey::default()
    };
    let inv = both(vec![email()], Some(key));
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Fail);
    // The trail's fix points it at moat's own topic, unencrypted, which
    // passes once the address confirms.
    let req = Inputs::default().with("email", "alerts@example.com");
    let plan = t.plan(&inv, SNS_NOTIFICATIONS, &req).expect("plan");
    assert!(
        plan.ops().any(|o| matches!(
            o,
            Op::UpdateTrail(crate::aws::ops::UpdateTrail { edits, .. })
                if matches!(edits.as_slice(), [TrailEdit::SnsTopic { topic: Some(x) }] if x != "trail")
        )),
        "{plan:?}"
    );
    let mut after = t.fix(&inv, SNS_NOTIFICATIONS, &req);
    confirm_keyless_moat_topics(&mut after);
    assert_eq!(t.status(&after, SNS_NOTIFICATIONS), Status::Pass);
    // The billing fix makes its own alarms on moat's topic, unencrypted.
    let req = Inputs::default()
        .with("monthly", "100")
        .with("email", "billing@example.com");
    let mut after = t.fix(&inv, BILLING_ALARMS, &req);
    confirm_keyless_moat_topics(&mut after);
    assert_eq!(t.status(&after, BILLING_ALARMS), Status::Pass);
}

/// Every topic moat made is unencrypted; its subscribers confirm.
fn confirm_keyless_moat_topics(after: &mut Inventory) {
    if let Some(m) = after.sns_topics.ready_mut() {
        for f in m.regions.values_mut() {
            for x in f.ready_mut().into_iter().flatten() {
                assert!(!x.name.starts_with("moat-") || x.key.is_none(), "{x:?}");
                for s in &mut x.subscriptions {
                    s.pending = false;
                }
            }
        }
    }
}

#[test]
fn a_customer_managed_key_must_let_the_publisher_use_it() {
    let t = T::at(now());
    let key = |policy: Option<Value>| TopicKey {
        id: "alias/alerts".into(),
        manager: Some("CUSTOMER".into()),
        state: Some("Enabled".into()),
        policy,
        unread: None,
    };
    let root_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "kms:*", "Resource": "*"
    }]});
    let inv = both(vec![email()], Some(key(Some(root_only))));
    for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
        let r = t.eval(&inv, item);
        assert_eq!(r.status, Status::Fail, "{item}: {r:?}");
        assert!(details(&r).contains("alias/alerts"), "{r:?}");
    }
    let services = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": [CLOUDWATCH_PRINCIPAL, CLOUDTRAIL_PRINCIPAL]},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"
    }]});
    let inv = both(vec![email()], Some(key(Some(services))));
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Pass);
    // Only CloudWatch: the trail's notifications still fail.
    let cloudwatch_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    }]});
    let inv = both(vec![email()], Some(key(Some(cloudwatch_only))));
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Fail);
    // Conditions moat does not evaluate, or a policy it could not read: a
    // person checks.
    let vpc = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
        "Action": "kms:*", "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}
    }]});
    let inv = both(vec![email()], Some(key(Some(vpc))));
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Manual);
    let mut unread = key(None);
    unread.unread = Some("access denied: the credentials lack kms:GetKeyPolicy".into());
    let inv = both(vec![email()], Some(unread));
    let r = t.eval(&inv, BILLING_ALARMS);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert!(details(&r).contains("kms:GetKeyPolicy"), "{r:?}");
    // A disabled key takes nothing.
    let mut off = key(None);
    off.state = Some("Disabled".into());
    let inv = both(vec![email()], Some(off));
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Fail);
}

#[test]
fn cloudtrail_must_be_allowed_to_publish_to_the_trail_topic() {
    let t = T::at(now());
    let mut trail = topic("trail", vec![email()]);
    // The default policy of a new topic: the account only.
    trail.policy = Some(json!({"Version": "2008-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["SNS:Publish", "SNS:Subscribe"],
        "Resource": arn("trail"),
        "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    }]}));
    let inv = account(vec![topic("alarms", vec![email()]), trail.clone()]);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Manual);
    trail.policy = Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "SNS:Publish", "Resource": arn("trail")
    }]}));
    let inv = account(vec![topic("alarms", vec![email()]), trail.clone()]);
    let r = t.eval(&inv, SNS_NOTIFICATIONS);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(details(&r).contains("cloudtrail.amazonaws.com"), "{r:?}");
    // For other trails only.
    trail.policy = Some(crate::plan::topic::topic_policy(
        "aws",
        US,
        ACCOUNT,
        "trail",
        CLOUDTRAIL_PRINCIPAL,
        vec![format!(
            "arn:aws:cloudtrail:{US}:{ACCOUNT}:trail/someone-else"
        )],
    ));
    let inv = account(vec![topic("alarms", vec![email()]), trail]);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Fail);
    // The alarms do not depend on it.
    assert_eq!(t.status(&inv, BILLING_ALARMS), Status::Pass);
}

/// The alarms' topic with policy `policy` (the trail's topic keeps its own).
fn alarms_policy(policy: Option<Value>) -> Inventory {
    let mut a = topic("alarms", vec![email()]);
    a.policy = policy;
    account(vec![a, topic("trail", vec![email()])])
}

#[test]
fn alarm_topics_must_let_cloudwatch_publish() {
    let t = T::at(now());
    let default = default_topic_policy(&arn("alarms"), ACCOUNT);
    // AWS's default policy: CloudWatch publishes for the account's alarms.
    assert_eq!(
        t.status(&alarms_policy(Some(default.clone())), BILLING_ALARMS),
        Status::Pass
    );
    // Only CloudTrail (and the account's root): the publish is refused.
    let trail_only = crate::plan::topic::topic_policy(
        "aws",
        US,
        ACCOUNT,
        "alarms",
        CLOUDTRAIL_PRINCIPAL,
        vec![format!("arn:aws:cloudtrail:{US}:{ACCOUNT}:trail/*")],
    );
    let r = t.eval(&alarms_policy(Some(trail_only)), BILLING_ALARMS);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(details(&r).contains(CLOUDWATCH_PRINCIPAL), "{r:?}");
    assert!(details(&r).contains(&arn("alarms")), "{r:?}");
    // CloudWatch for this account's alarms, as AWS's troubleshooting page
    // writes it.
    let cloudwatch = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
        "Action": "sns:Publish", "Resource": arn("alarms"),
        "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:cloudwatch:{US}:{ACCOUNT}:alarm:*")}}
    }]});
    assert_eq!(
        t.status(&alarms_policy(Some(cloudwatch)), BILLING_ALARMS),
        Status::Pass
    );
    // The default policy with a Deny of requests without TLS: services use
    // TLS, so it still publishes.
    let with = |extra: Value| {
        let mut p = default.clone();
        if let Some(Value::Array(a)) = p.get_mut("Statement") {
            a.push(extra);
        }
        p
    };
    let tls = with(
        json!({"Effect": "Deny", "Principal": "*", "Action": "SNS:Publish",
        "Resource": arn("alarms"),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
    );
    assert_eq!(
        t.status(&alarms_policy(Some(tls)), BILLING_ALARMS),
        Status::Pass
    );
    // An unconditioned Deny of SNS:Publish to everyone.
    let frozen = with(json!({"Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": "sns:*", "Resource": arn("alarms")}));
    assert_eq!(
        t.status(&alarms_policy(Some(frozen)), BILLING_ALARMS),
        Status::Fail
    );
    // The default policy naming another account: not these alarms.
    let other = default_topic_policy(&arn("alarms"), "999988887777");
    assert_eq!(
        t.status(&alarms_policy(Some(other)), BILLING_ALARMS),
        Status::Fail
    );
    // A condition moat does not evaluate, or a policy not read: a person
    // checks.
    let org = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": arn("alarms"),
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
    }]});
    assert_eq!(
        t.status(&alarms_policy(Some(org)), BILLING_ALARMS),
        Status::Manual
    );
    assert_eq!(
        t.status(&alarms_policy(None), BILLING_ALARMS),
        Status::Manual
    );
    // A Deny written with NotPrincipal applies to every principal it does
    // not list, service principals included: CloudWatch is refused.
    let not_root = with(json!({"Effect": "Deny",
        "NotPrincipal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "sns:Publish", "Resource": arn("alarms")}));
    assert_eq!(
        t.status(&alarms_policy(Some(not_root)), BILLING_ALARMS),
        Status::Fail
    );
    // ...unless it lists CloudWatch.
    let not_cloudwatch = with(json!({"Effect": "Deny",
        "NotPrincipal": {"Service": CLOUDWATCH_PRINCIPAL},
        "Action": "sns:Publish", "Resource": arn("alarms")}));
    assert_eq!(
        t.status(&alarms_policy(Some(not_cloudwatch)), BILLING_ALARMS),
        Status::Pass
    );
    // A Deny of every action but reads (NotAction) covers SNS:Publish.
    let not_action = with(json!({"Effect": "Deny", "Principal": "*",
        "NotAction": ["sns:GetTopicAttributes", "sns:Subscribe"],
        "Resource": arn("alarms")}));
    assert_eq!(
        t.status(&alarms_policy(Some(not_action)), BILLING_ALARMS),
        Status::Fail
    );
    // An Allow written with NotAction is left to a person.
    let allow_not = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
        "NotAction": "sns:DeleteTopic", "Resource": arn("alarms")}]});
    assert_eq!(
        t.status(&alarms_policy(Some(allow_not)), BILLING_ALARMS),
        Status::Manual
    );
    // AWS:SourceOwner is not known for CloudTrail: its trail stays manual
    // on the default policy, as before.
    let mut trail = topic("trail", vec![email()]);
    trail.policy = Some(default_topic_policy(&arn("trail"), ACCOUNT));
    let inv = account(vec![topic("alarms", vec![email()]), trail]);
    assert_eq!(t.status(&inv, SNS_NOTIFICATIONS), Status::Manual);
}

#[test]
fn a_queue_must_let_sns_deliver() {
    let t = T::at(now());
    let queue = format!("arn:aws:sqs:{US}:{ACCOUNT}:alerts");
    let with = |access: Option<QueueAccess>| {
        let mut s = sub("sqs", &queue);
        s.endpoint_exists = Some(true);
        s.queue = access;
        both(vec![s], None)
    };
    // Its attributes not read: not a pass.
    assert_eq!(t.status(&with(None), BILLING_ALARMS), Status::Manual);
    // No policy: SNS may not send to it.
    let none = QueueAccess::default();
    for item in [BILLING_ALARMS, SNS_NOTIFICATIONS] {
        let r = t.eval(&with(Some(none.clone())), item);
        assert_eq!(r.status, Status::Fail, "{item}: {r:?}");
        assert!(details(&r).contains("no access policy"), "{r:?}");
        assert!(details(&r).contains(&queue), "{r:?}");
    }
    // A policy for another topic only, or for the account's principals.
    let policy = |principal: Value, source: &str| QueueAccess {
        policy: Some(json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": principal, "Action": "SQS:SendMessage",
            "Resource": queue,
            "Condition": {"ArnEquals": {"aws:SourceArn": source}}
        }]})),
        key: None,
    };
    let sns = json!({"Service": SNS_PRINCIPAL});
    let other = policy(sns.clone(), &arn("someone-else"));
    assert_eq!(t.status(&with(Some(other)), BILLING_ALARMS), Status::Fail);
    let root = QueueAccess {
        policy: Some(json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
            "Action": "sqs:*", "Resource": queue
        }]})),
        key: None,
    };
    assert_eq!(t.status(&with(Some(root)), BILLING_ALARMS), Status::Fail);
    // For the alarms' topic (and, in the older form, to everyone for it).
    assert_eq!(
        t.status(
            &with(Some(policy(sns.clone(), &arn("alarms")))),
            BILLING_ALARMS
        ),
        Status::Pass
    );
    assert_eq!(
        t.status(
            &with(Some(policy(json!("*"), &arn("alarms")))),
            BILLING_ALARMS
        ),
        Status::Pass
    );
    // Encrypted with aws/sqs: SNS cannot use that key.
    let mut managed = sns_queue_access(ACCOUNT);
    managed.key = Some(TopicKey {
        id: "alias/aws/sqs".into(),
        ..TopicKey::default()
    });
    let r = t.eval(&with(Some(managed)), BILLING_ALARMS);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(details(&r).contains("aws/sqs"), "{r:?}");
    // A customer managed key: its policy must let SNS use it.
    let key = |policy: Value| {
        let mut q = sns_queue_access(ACCOUNT);
        q.key = Some(TopicKey {
            id: "alias/queue-key".into(),
            manager: Some("CUSTOMER".into()),
            state: Some("Enabled".into()),
            policy: Some(policy),
            unread: None,
        });
        q
    };
    let root_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "kms:*", "Resource": "*"
    }]});
    let r = t.eval(&with(Some(key(root_only))), BILLING_ALARMS);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(details(&r).contains("alias/queue-key"), "{r:?}");
    let for_sns = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": SNS_PRINCIPAL},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"
    }]});
    assert_eq!(
        t.status(&with(Some(key(for_sns))), BILLING_ALARMS),
        Status::Pass
    );
}
