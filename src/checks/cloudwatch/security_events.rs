//! cloudwatch.security-event-alarms: the CIS monitoring events, each with
//! a metric filter on the CloudTrail log group and an alarm on it.

use super::*;
use crate::aws::inventory::{LogsRef, ResourceRef};

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

pub(super) const SIGNIN: &[(&str, &str)] = &[
    ("$.eventSource", "signin.amazonaws.com"),
    ("$.eventType", "AwsConsoleSignIn"),
];
pub(super) const EC2: &[(&str, &str)] = &[("$.eventSource", "ec2.amazonaws.com")];

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

pub(super) fn security_event_alarms(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some((trail, region, group)) = watched_trail(inv) else {
        if let Some(o) = crate::checks::cloudtrail::watched_elsewhere(inv) {
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
    if let Some(e) = inv
        .metric_filters
        .region_error(&region)
        .or_else(|| inv.metric_alarms.region_error(&region))
    {
        return Outcome {
            status: Status::Error,
            summary: e.summary(),
            findings: vec![],
        };
    }
    let filters = inv.metric_filters.region_items(&region);
    let alarms = inv.metric_alarms.region_items(&region);
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
            let resource = ResourceRef::Logs(LogsRef::MetricFilter {
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
