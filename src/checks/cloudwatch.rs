//! The `cloudwatch` section: billing alarms (always in us-east-1, the only
//! region with billing metrics) and alarms on security events found in the
//! CloudTrail log group (the CIS monitoring controls).
//!
//! `cloudwatch.rds-connection-alarms` watches each RDS instance's
//! connection count, in the instance's own region.

use super::cloudtrail::trails;
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::guide::msg;
use crate::inventory::{
    AuditRef, Inventory, MetricAlarm, MetricFilter, PartId, ResourceRef, Trail, regional,
    regional_error,
};
use crate::plan::audit as plans;

pub const BILLING_ALARMS: &str = "cloudwatch.billing-alarms";
pub const SECURITY_EVENT_ALARMS: &str = "cloudwatch.security-event-alarms";
pub const RDS_CONNECTION_ALARMS: &str = "cloudwatch.rds-connection-alarms";

/// The metric cloudwatch.rds-connection-alarms watches.
pub const RDS_NAMESPACE: &str = "AWS/RDS";
pub const RDS_CONNECTIONS_METRIC: &str = "DatabaseConnections";
pub const RDS_DIMENSION: &str = "DBInstanceIdentifier";

/// Billing metrics exist only in this region.
pub const BILLING_REGION: &str = "us-east-1";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: BILLING_ALARMS,
        section: "cloudwatch",
        needs: &[PartId::MetricAlarms, PartId::SnsTopics],
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
        needs: &[PartId::Rds, PartId::MetricAlarms, PartId::SnsTopics],
        cis: &[],
        security_hub: &[],
        check: rds_connection_alarms,
        fix: Fix::Plan(plans::rds_connection_alarms),
        inputs: plans::RDS_ALARM_INPUTS,
    },
];

/// The alarm with an action that watches the connections of DB instance
/// `id` (among one region's alarms).
pub fn connection_alarm<'a>(alarms: &'a [MetricAlarm], id: &str) -> Option<&'a MetricAlarm> {
    alarms.iter().find(|a| {
        a.namespace == RDS_NAMESPACE
            && a.metric_name == RDS_CONNECTIONS_METRIC
            && !a.alarm_actions.is_empty()
            && a.dimensions
                .iter()
                .any(|d| d.name == RDS_DIMENSION && d.value == id)
    })
}

fn rds_connection_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    use super::rds::{each_region, in_region, instance_resource, outcome};
    let Some(rds) = inv.rds.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
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
                if connection_alarm(alarms, &i.id).is_none() {
                    out.push(in_region(
                        Finding::fail(
                            instance_resource(region, i),
                            msg(
                                RDS_CONNECTION_ALARMS,
                                "missing",
                                &[("name", &i.id), ("region", region)],
                            ),
                        ),
                        region,
                    ));
                }
            }
        },
    );
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(RDS_CONNECTION_ALARMS, "none", &[]));
    }
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(
            RDS_CONNECTION_ALARMS,
            "pass",
            &[("count", &total.to_string())],
        ),
        msg(
            RDS_CONNECTION_ALARMS,
            "fail",
            &[("count", &bad.to_string())],
        ),
    )
}

/// One security event to watch: the slug names moat's filter and alarm
/// (`moat-cis-<slug>`), the metric is `<metric>` in [`SECURITY_NAMESPACE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityEvent {
    pub slug: &'static str,
    pub metric: &'static str,
    pub pattern: &'static str,
}

/// The namespace of moat's security-event metrics.
pub const SECURITY_NAMESPACE: &str = "CloudTrailMetrics";

/// The CIS monitoring controls' filter patterns, in the benchmark's order.
pub const SECURITY_EVENTS: &[SecurityEvent] = &[
    SecurityEvent {
        slug: "unauthorized-api-calls",
        metric: "UnauthorizedAPICalls",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
    },
    SecurityEvent {
        slug: "console-signin-without-mfa",
        metric: "ConsoleSigninWithoutMFA",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    },
    SecurityEvent {
        slug: "root-usage",
        metric: "RootAccountUsage",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    },
    SecurityEvent {
        slug: "iam-policy-changes",
        metric: "IAMPolicyChanges",
        pattern: r#"{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = SetDefaultPolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }"#,
    },
    SecurityEvent {
        slug: "cloudtrail-changes",
        metric: "CloudTrailChanges",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) || ($.eventName = PutEventSelectors) }"#,
    },
    SecurityEvent {
        slug: "console-auth-failures",
        metric: "ConsoleAuthenticationFailures",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    },
    SecurityEvent {
        slug: "cmk-disable-or-delete",
        metric: "DisableOrDeleteCMK",
        pattern: r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
    },
    SecurityEvent {
        slug: "s3-bucket-policy-changes",
        metric: "S3BucketPolicyChanges",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
    },
    SecurityEvent {
        slug: "config-changes",
        metric: "AWSConfigChanges",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
    },
    SecurityEvent {
        slug: "security-group-changes",
        metric: "SecurityGroupChanges",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
    },
    SecurityEvent {
        slug: "nacl-changes",
        metric: "NACLChanges",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
    },
    SecurityEvent {
        slug: "network-gateway-changes",
        metric: "NetworkGatewayChanges",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
    },
    SecurityEvent {
        slug: "route-table-changes",
        metric: "RouteTableChanges",
        pattern: r#"{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"#,
    },
    SecurityEvent {
        slug: "vpc-changes",
        metric: "VPCChanges",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
    },
    SecurityEvent {
        slug: "organizations-changes",
        metric: "OrganizationsChanges",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"#,
    },
];

impl SecurityEvent {
    pub fn filter_name(&self) -> String {
        format!("moat-cis-{}", self.slug)
    }
}

/// Whitespace does not change a filter pattern's meaning.
fn same_pattern(a: &str, b: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(a) == squash(b)
}

/// An alarm with at least one action on this metric.
pub fn alarm_on<'a>(
    alarms: &'a [MetricAlarm],
    namespace: &str,
    metric: &str,
) -> Option<&'a MetricAlarm> {
    alarms.iter().find(|a| {
        a.namespace == namespace && a.metric_name == metric && !a.alarm_actions.is_empty()
    })
}

/// The trail whose log group the security alarms watch: a working
/// multi-region trail first (`Trail::is_working_multi_region`), then any
/// trail with a log group.
pub fn watched_trail(inv: &Inventory) -> Option<(&Trail, String, String)> {
    let all = trails(inv);
    let mut ordered: Vec<&Trail> = all.iter().collect();
    ordered.sort_by_key(|t| (!t.is_working_multi_region(), !t.is_multi_region));
    ordered
        .into_iter()
        .find_map(|t| t.log_group().map(|(r, g)| (t, r, g)))
}

/// Per security event: the filter on the log group that matches (if any)
/// and whether an alarm with an action watches its metric.
pub fn event_state<'a>(
    filters: &'a [MetricFilter],
    alarms: &[MetricAlarm],
    log_group: &str,
    e: &SecurityEvent,
) -> (Option<&'a MetricFilter>, bool) {
    let f = filters
        .iter()
        .filter(|f| f.log_group == log_group)
        .find(|f| same_pattern(&f.pattern, e.pattern) || f.name == e.filter_name());
    let alarmed =
        f.is_some_and(|f| alarm_on(alarms, &f.metric_namespace, &f.metric_name).is_some());
    (f, alarmed)
}

fn billing_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    let r = ResourceRef::Account.to_string();
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
    let billing: Vec<&MetricAlarm> = alarms
        .iter()
        .filter(|a| {
            a.namespace == "AWS/Billing"
                && a.metric_name == "EstimatedCharges"
                && !a.alarm_actions.is_empty()
        })
        .collect();
    let count = billing.len().to_string();
    if billing.len() >= 2 {
        return Outcome::pass(msg(BILLING_ALARMS, "pass", &[("count", &count)]));
    }
    Outcome::from_findings(
        vec![Finding {
            resource: r,
            region: Some(BILLING_REGION.into()),
            status: Status::Fail,
            detail: msg(BILLING_ALARMS, "few", &[("count", &count)]),
        }],
        String::new(),
        msg(BILLING_ALARMS, "fail", &[("count", &count)]),
    )
}

fn security_event_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((trail, region, group)) = watched_trail(inv) else {
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
    let findings: Vec<Finding> = SECURITY_EVENTS
        .iter()
        .filter_map(|e| {
            let (f, alarmed) = event_state(filters, alarms, &group, e);
            let name = f.map(|f| f.name.clone()).unwrap_or_else(|| e.filter_name());
            let resource = ResourceRef::Audit(AuditRef::MetricFilter {
                region: region.clone(),
                log_group: group.clone(),
                name,
            })
            .to_string();
            let key = match (f, alarmed) {
                (Some(_), true) => return None,
                (Some(_), false) => "no_alarm",
                (None, _) => "no_filter",
            };
            Some(Finding {
                resource,
                region: Some(region.clone()),
                status: Status::Fail,
                detail: msg(SECURITY_EVENT_ALARMS, key, &[("event", e.metric)]),
            })
        })
        .collect();
    let count = findings.len().to_string();
    let total = SECURITY_EVENTS.len().to_string();
    Outcome::from_findings(
        findings,
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
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::other::testkit::*;
    use crate::inventory::{Fetched, PartError};
    use crate::plan::{AuditOp, Inputs, Op, PlanError};

    fn alarms_of(plan: &crate::plan::Plan) -> Vec<(String, MetricAlarm)> {
        plan.ops()
            .filter_map(|o| match o {
                Op::Audit(AuditOp::PutMetricAlarm { region, alarm }) => {
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
        // All of them: a topic per region, and the item passes afterwards.
        let all = Inputs::default()
            .with("connections", "150")
            .with("email", "db@example.com");
        let after = t.fix(&inv, RDS_CONNECTION_ALARMS, &all);
        assert_eq!(t.status(&after, RDS_CONNECTION_ALARMS), Status::Pass);
        let plan = t.plan(&inv, RDS_CONNECTION_ALARMS, &all).expect("plan");
        let topics = plan
            .ops()
            .filter(|o| matches!(o, Op::Audit(AuditOp::CreateSnsTopic { .. })))
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
}
