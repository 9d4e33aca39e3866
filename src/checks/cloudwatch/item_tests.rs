use super::*;
use crate::aws::inventory::{Fetched, PartError, Subscription, Threshold, Topic};
use crate::checks::testkit::midnight as now;
use crate::checks::testkit::*;
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
    let t = T::at(now());
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
    let t = T::at(now());
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    if let Some(a) = inv.metric_alarms.ready_mut() {
        a.regions.insert(
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
    let err = errors(&r);
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
        for f in m.regions.values_mut() {
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
        m.regions.insert(region.into(), Fetched::Ready(topics));
    }
}

pub(super) fn set_alarms(inv: &mut Inventory, region: &str, alarms: Vec<MetricAlarm>) {
    if let Some(m) = inv.metric_alarms.ready_mut() {
        m.regions.insert(region.into(), Fetched::Ready(alarms));
    }
}

pub(super) fn set_filters(inv: &mut Inventory, region: &str, filters: Vec<MetricFilter>) {
    if let Some(m) = inv.metric_filters.ready_mut() {
        m.regions.insert(region.into(), Fetched::Ready(filters));
    }
}

pub(super) fn alarm(name: &str, namespace: &str, metric: &str, actions: &[String]) -> MetricAlarm {
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
    let t = T::at(now());
    let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
    let billing = |n: &str, actions: &[String]| MetricAlarm {
        dimensions: vec![crate::aws::inventory::Dimension {
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
    assert!(r.findings.iter().any(
        |f| f.resource == "alarm/us-east-1/a" && f.detail.contains("no confirmed subscription")
    ));
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
    let t = T::at(now());
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
            t.event_selectors = Some(crate::aws::inventory::Fetched::Ready(
                crate::aws::inventory::EventSelectors::aws_default(),
            ));
        }
    }
    inv
}

/// Filters on the log group of a trail that is not working (stopped,
/// or blind to write events), or of another account, watch nothing.
#[test]
fn only_a_working_trail_s_own_log_group_is_watched() {
    let t = T::at(now());
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
    let t = T::at(now());
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
    let t = T::at(now());
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
        && let Some(Fetched::Ready(fs)) = m.regions.get_mut(US)
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
    let t = T::at(now());
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
    if let Some(Fetched::Ready(ts)) = inv
        .sns_topics
        .ready_mut()
        .and_then(|m| m.regions.get_mut(US))
    {
        for x in ts.iter_mut() {
            x.policy = Some(crate::plan::topic::topic_policy(
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
