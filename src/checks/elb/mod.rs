//! The `elb` section: plain HTTP on internet-facing load balancers, and the
//! TLS security policies of HTTPS and TLS listeners. Application and Network
//! Load Balancers (ELBv2) get a plan; Classic Load Balancers are checked and
//! get migration steps. elb.security-groups judges each load balancer's
//! security groups by its listener ports, with the ec2 section's analysis.

pub mod fix;

use super::ec2::{
    GroupUser, UsedRule, admits_beyond, group_label, network_error, rules_of_used_groups,
};
use super::kit::in_region;
use super::regions::{counted, each_region, outcome, res};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{ByRegion, Ec2Network, ElbRef, ResourceRef};
use crate::aws::inventory::{
    ClassicLoadBalancer, ElbRegion, Inventory, Listener, ListenerRule, LoadBalancer, PartId,
};
use crate::checks::regions::RegionScope;
use crate::guide::msg;

pub const HTTPS_LISTENERS: &str = "elb.https-listeners";
pub const TLS_POLICY: &str = "elb.tls-policy";
pub const SECURITY_GROUPS: &str = "elb.security-groups";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: HTTPS_LISTENERS,
        section: "elb",
        needs: &[PartId::Elb],
        cis: &[],
        security_hub: &["ELB.1"],
        check: https_listeners,
        fix: Fix::Plan(fix::elb_https_listeners),
        inputs: &[],
    },
    ItemDef {
        id: TLS_POLICY,
        section: "elb",
        needs: &[PartId::Elb],
        cis: &[],
        security_hub: &["ELB.17", "ELB.8"],
        check: tls_policy,
        fix: Fix::Plan(fix::elb_tls_policy),
        inputs: &[],
    },
    ItemDef {
        id: SECURITY_GROUPS,
        section: "elb",
        needs: &[PartId::Elb, PartId::Ec2Network],
        cis: &[],
        security_hub: &[],
        check: security_groups,
        fix: Fix::Plan(fix::elb_security_groups),
        inputs: crate::checks::ec2::fix::REVOKE_FIRST_INPUTS,
    },
];

/// What the fix sets: TLS 1.3 and 1.2 with forward-secret ciphers.
pub const RECOMMENDED_TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/// What the fix sets on a listener that uses a FIPS policy.
pub const RECOMMENDED_FIPS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04";

/// ELBv2 security policies that pass: TLS 1.2 at least, TLS 1.3 offered.
/// Newer policies of the same families (`ELBSecurityPolicy-TLS13-1-2-…`,
/// `ELBSecurityPolicy-TLS13-1-3-…`) pass too, so a policy AWS publishes
/// after this list was written is not flagged.
pub const CURRENT_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];

/// Policies that fail, for the tests and the messages: they admit TLS 1.0
/// or 1.1, or do not offer TLS 1.3.
pub const OUTDATED_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
];

/// Classic Load Balancers cannot offer TLS 1.3; these (TLS 1.2 only) are
/// the best they have, and pass.
pub const CLASSIC_TLS12_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
];

/// Is `policy` ELBSecurityPolicy-TLS13-1-2-2021-06 or as strict and newer?
pub fn tls_policy_is_current(policy: &str) -> bool {
    CURRENT_TLS_POLICIES.contains(&policy)
        || policy.starts_with("ELBSecurityPolicy-TLS13-1-2-")
        || policy.starts_with("ELBSecurityPolicy-TLS13-1-3-")
}

/// The policy the fix sets in place of `current`.
pub fn replacement_policy(current: Option<&str>) -> &'static str {
    if current.is_some_and(|p| p.contains("FIPS")) {
        RECOMMENDED_FIPS_POLICY
    } else {
        RECOMMENDED_TLS_POLICY
    }
}

pub fn listener_resource(region: &str, lb: &LoadBalancer, l: &Listener) -> String {
    res(ResourceRef::Elb(ElbRef::Listener {
        region: region.to_string(),
        load_balancer: lb.name.clone(),
        port: l.port,
    }))
}

pub fn classic_resource(region: &str, c: &ClassicLoadBalancer) -> String {
    res(ResourceRef::Elb(ElbRef::ClassicLoadBalancer {
        region: region.to_string(),
        name: c.name.clone(),
    }))
}

/// How an HTTP listener of an internet-facing ALB serves plain HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainHttp<'a> {
    pub listener: &'a Listener,
    /// Its default actions do anything but one redirect to HTTPS.
    pub default: bool,
    /// Its rules that do anything but redirect to HTTPS or answer a fixed
    /// response without content.
    pub rules: Vec<&'a ListenerRule>,
}

/// Does a rule keep a listener on HTTPS? Security Hub ELB.1 asks that an
/// HTTP listener redirect to HTTPS: a rule passes when it redirects to
/// HTTPS, or when it answers a fixed response with no body (a bare 403 or
/// 404 serves nothing and reaches no target). A forward, a fixed response
/// with content, or an authentication step serves the site over HTTP.
pub fn rule_keeps_https(rule: &ListenerRule) -> bool {
    !rule.actions.is_empty()
        && rule
            .actions
            .iter()
            .all(|a| a.redirects_to_https() || a.serves_nothing())
}

/// HTTP listeners of internet-facing ALBs that do not just redirect to
/// HTTPS: by their default actions or by any of their rules.
pub fn plain_http_listeners(lb: &LoadBalancer) -> impl Iterator<Item = PlainHttp<'_>> {
    lb.listeners.iter().filter_map(move |l| {
        if !(lb.rules_matter() && l.protocol == "HTTP") {
            return None;
        }
        let default = !(l.default_actions.len() == 1 && l.default_actions[0].redirects_to_https());
        let rules: Vec<&ListenerRule> = l.rules.iter().filter(|r| !rule_keeps_https(r)).collect();
        (default || !rules.is_empty()).then_some(PlainHttp {
            listener: l,
            default,
            rules,
        })
    })
}

fn rules_summary(rules: &[&ListenerRule]) -> String {
    rules
        .iter()
        .map(|r| {
            let kinds: Vec<&str> = r.actions.iter().map(|a| a.kind.as_str()).collect();
            format!("{}: {}", r.label(), kinds.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// HTTPS/TLS listeners whose policy falls short.
pub fn outdated_listeners(lb: &LoadBalancer) -> impl Iterator<Item = &Listener> {
    lb.listeners
        .iter()
        .filter(|l| l.is_tls() && !l.ssl_policy.as_deref().is_some_and(tls_policy_is_current))
}

fn elb(inv: &Inventory) -> Option<&crate::aws::inventory::ByRegion<ElbRegion>> {
    inv.elb.ready()
}

fn action_summary(l: &Listener) -> String {
    let kinds: Vec<&str> = l.default_actions.iter().map(|a| a.kind.as_str()).collect();
    if kinds.is_empty() {
        "-".into()
    } else {
        kinds.join(", ")
    }
}

/// The rules of the load balancers' security groups that admit the whole
/// internet (0.0.0.0/0, ::/0) on a port no listener of the load balancer
/// serves, with the load balancers each one concerns. Regions whose load
/// balancers or groups could not be read are left out.
pub fn open_lb_rules<'a>(
    regions: &'a ByRegion<ElbRegion>,
    net: &'a ByRegion<Ec2Network>,
) -> Vec<UsedRule<'a>> {
    let mut users: Vec<GroupUser> = vec![];
    for (region, r) in regions {
        let Some(r) = r.ready() else { continue };
        for lb in &r.load_balancers {
            users.push(GroupUser {
                region,
                groups: &lb.security_groups,
                name: lb.name.clone(),
                ports: lb.listeners.iter().map(|l| l.port).collect(),
            });
        }
        for c in &r.classic {
            users.push(GroupUser {
                region,
                groups: &c.security_groups,
                name: c.name.clone(),
                ports: c.listeners.iter().map(|l| l.port).collect(),
            });
        }
    }
    rules_of_used_groups(net, &users, |u, r| {
        r.source.is_open() && admits_beyond(r, &u.ports)
    })
}

fn security_groups(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(regions), Some(net)) = (elb(inv), inv.ec2_network.ready()) else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut total = 0usize;
    each_region(
        regions,
        RegionScope::Elb,
        &mut findings,
        |region, r, out| {
            let n = r.load_balancers.len() + r.classic.len();
            total += n;
            if let (Some(e), true) = (network_error(net, region), n > 0) {
                out.push(super::regions::scope_error(RegionScope::Elb, region, e));
            }
        },
    );
    for u in open_lb_rules(regions, net) {
        findings.push(in_region(
            Finding::fail(
                u.resource(),
                msg(
                    SECURITY_GROUPS,
                    "finding",
                    &[
                        ("group", &group_label(u.group)),
                        ("rule", &u.rule.ports_label()),
                        ("cidr", &u.rule_ref.cidr),
                        ("load_balancers", &u.users.join(", ")),
                    ],
                ),
            ),
            &u.region,
        ));
    }
    counted(SECURITY_GROUPS, findings, total)
}

/// The findings `visit` makes of every region's load balancers (a region
/// that could not be read: its `error` finding); `None` before they were read.
fn elb_findings<'a>(
    inv: &'a Inventory,
    visit: impl FnMut(&'a str, &'a ElbRegion, &mut Vec<Finding>),
) -> Option<Vec<Finding>> {
    let mut findings = vec![];
    each_region(elb(inv)?, RegionScope::Elb, &mut findings, visit);
    Some(findings)
}

fn https_listeners(inv: &Inventory, _: &Ctx) -> Outcome {
    let mut facing = 0usize;
    let Some(findings) = elb_findings(inv, |region, r, out| {
        for lb in &r.load_balancers {
            if lb.is_internet_facing() {
                facing += 1;
            }
            for p in plain_http_listeners(lb) {
                let l = p.listener;
                let args = [
                    ("name", lb.name.as_str()),
                    ("port", &l.port.to_string()),
                    ("region", region),
                    ("actions", &action_summary(l)),
                    ("rules", &rules_summary(&p.rules)),
                ];
                let mut detail = vec![];
                if p.default {
                    detail.push(msg(HTTPS_LISTENERS, "finding", &args));
                }
                if !p.rules.is_empty() {
                    let key = if p.default {
                        "finding_rules_too"
                    } else {
                        "finding_rules"
                    };
                    detail.push(msg(HTTPS_LISTENERS, key, &args));
                }
                out.push(in_region(
                    Finding::fail(listener_resource(region, lb, l), detail.join(" ")),
                    region,
                ));
            }
        }
        for c in r.classic.iter().filter(|c| c.is_internet_facing()) {
            facing += 1;
            let ports: Vec<String> = c
                .listeners
                .iter()
                .filter(|l| l.protocol == "HTTP")
                .map(|l| l.port.to_string())
                .collect();
            if !ports.is_empty() {
                out.push(in_region(
                    Finding::fail(
                        classic_resource(region, c),
                        msg(
                            HTTPS_LISTENERS,
                            "classic",
                            &[
                                ("name", &c.name),
                                ("ports", &ports.join(", ")),
                                ("region", region),
                            ],
                        ),
                    ),
                    region,
                ));
            }
        }
    }) else {
        return Outcome::pass(String::new());
    };
    counted(HTTPS_LISTENERS, findings, facing)
}

fn tls_policy(inv: &Inventory, _: &Ctx) -> Outcome {
    let mut tls = 0usize;
    let Some(findings) = elb_findings(inv, |region, r, out| {
        for lb in &r.load_balancers {
            tls += lb.listeners.iter().filter(|l| l.is_tls()).count();
            for l in outdated_listeners(lb) {
                let policy = l.ssl_policy.as_deref().unwrap_or("-");
                out.push(in_region(
                    Finding::fail(
                        listener_resource(region, lb, l),
                        msg(
                            TLS_POLICY,
                            "finding",
                            &[
                                ("name", &lb.name),
                                ("protocol", &l.protocol),
                                ("port", &l.port.to_string()),
                                ("region", region),
                                ("policy", policy),
                                ("min", RECOMMENDED_TLS_POLICY),
                            ],
                        ),
                    ),
                    region,
                ));
            }
        }
        for c in &r.classic {
            let listeners: Vec<_> = c.listeners.iter().filter(|l| l.is_tls()).collect();
            tls += listeners.len();
            let bad: Vec<String> = listeners
                .iter()
                .filter(|l| {
                    !l.security_policy
                        .as_deref()
                        .is_some_and(|p| CLASSIC_TLS12_POLICIES.contains(&p))
                })
                .map(|l| {
                    format!(
                        "{}:{} ({})",
                        l.protocol,
                        l.port,
                        l.security_policy.as_deref().unwrap_or("custom or none")
                    )
                })
                .collect();
            if !bad.is_empty() {
                out.push(in_region(
                    Finding::fail(
                        classic_resource(region, c),
                        msg(
                            TLS_POLICY,
                            "classic",
                            &[
                                ("name", &c.name),
                                ("region", region),
                                ("listeners", &bad.join(", ")),
                                ("policy", CLASSIC_TLS12_POLICIES[0]),
                            ],
                        ),
                    ),
                    region,
                ));
            }
        }
    }) else {
        return Outcome::pass(String::new());
    };
    if tls == 0 && findings.is_empty() {
        return Outcome::pass(msg(TLS_POLICY, "none", &[]));
    }
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(
            TLS_POLICY,
            "pass",
            &[("count", &tls.to_string()), ("min", RECOMMENDED_TLS_POLICY)],
        ),
        msg(TLS_POLICY, "fail", &[("count", &bad.to_string())]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::ListenerAction;
    use crate::aws::ops;
    use crate::checks::testkit::midnight as now;
    use crate::checks::testkit::*;
    use crate::plan::{Inputs, Op, PlanError};

    #[test]
    fn tls_policy_list() {
        for p in CURRENT_TLS_POLICIES {
            assert!(tls_policy_is_current(p), "{p}");
        }
        for p in OUTDATED_TLS_POLICIES {
            assert!(!tls_policy_is_current(p), "{p}");
        }
        assert!(CURRENT_TLS_POLICIES.contains(&RECOMMENDED_TLS_POLICY));
        assert!(CURRENT_TLS_POLICIES.contains(&RECOMMENDED_FIPS_POLICY));
        // A newer policy of a passing family passes without a code change.
        assert!(tls_policy_is_current("ELBSecurityPolicy-TLS13-1-2-2027-01"));
        assert!(!tls_policy_is_current(""));
        assert_eq!(
            replacement_policy(Some("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04")),
            RECOMMENDED_FIPS_POLICY
        );
        assert_eq!(
            replacement_policy(Some("ELBSecurityPolicy-2016-08")),
            RECOMMENDED_TLS_POLICY
        );
    }

    #[test]
    fn https_listeners_flags_internet_facing_http_and_classic() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, HTTPS_LISTENERS);
        assert_eq!(r.status, Status::Fail);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        // The internal ALB is not flagged.
        assert_eq!(
            names,
            vec![
                "listener/us-east-1/web/80",
                "classic-lb/us-east-1/legacy-classic"
            ]
        );
        let plan = t
            .plan(&inv, HTTPS_LISTENERS, &Inputs::default())
            .expect("plan");
        match plan.ops().collect::<Vec<_>>().as_slice() {
            [
                Op::ModifyListenerDefaultActions(ops::ModifyListenerDefaultActions {
                    actions,
                    port,
                    ..
                }),
            ] => {
                assert_eq!(*port, 80);
                assert_eq!(actions, &vec![ListenerAction::redirect_to_https()]);
            }
            other => panic!("{other:?}"),
        }
        // The preview shows the listener before and after.
        let rc = &plan.resources[0];
        assert!(rc.before_text().contains("\"forward\""));
        assert!(rc.after_text().contains("HTTP_301"));
        // The classic one is named in the warnings.
        assert!(
            plan.warnings.iter().any(|w| w.contains("legacy-classic")),
            "{:?}",
            plan.warnings
        );
        let after = t.fix(&inv, HTTPS_LISTENERS, &Inputs::default());
        let r = t.eval(&after, HTTPS_LISTENERS);
        assert_eq!(r.findings.len(), 1);
        // Only the classic one remains: guided.
        assert!(matches!(
            t.plan(&after, HTTPS_LISTENERS, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("legacy-classic")
        ));
    }

    fn rule(priority: &str, condition: &str, actions: Vec<ListenerAction>) -> ListenerRule {
        ListenerRule {
            arn: format!(
                "arn:aws:elasticloadbalancing:{US}:{ACCOUNT}:listener-rule/app/web/1/80/{priority}"
            ),
            priority: priority.into(),
            conditions: vec![condition.into()],
            actions,
        }
    }

    fn fixed(status: &str, body: Option<&str>) -> ListenerAction {
        ListenerAction {
            kind: "fixed-response".into(),
            order: None,
            target_group_arn: None,
            forward: None,
            redirect: None,
            fixed_response: Some(crate::aws::inventory::FixedResponse {
                status_code: status.into(),
                content_type: body.map(|_| "text/html".into()),
                message_body: body.map(str::to_string),
            }),
        }
    }

    /// web:80 redirects by default; its rules forward /api/*, answer a
    /// bare 403 for /admin/* and a page for /maintenance.
    fn redirect_with_rules() -> Inventory {
        let mut inv = inventory();
        let l = &mut elb_mut(&mut inv, US).load_balancers[0].listeners[0];
        assert_eq!(l.port, 80);
        l.default_actions = vec![ListenerAction::redirect_to_https()];
        l.rules = vec![
            rule(
                "10",
                "path-pattern /api/*",
                vec![action_forward("arn:tg/api")],
            ),
            rule("20", "path-pattern /admin/*", vec![fixed("403", None)]),
            rule(
                "30",
                "path-pattern /maintenance",
                vec![fixed("503", Some("<h1>Back soon</h1>"))],
            ),
            rule(
                "40",
                "host-header old.example.com",
                vec![ListenerAction::redirect_to_https()],
            ),
        ];
        inv
    }

    #[test]
    fn https_listeners_judge_every_rule_of_a_redirecting_listener() {
        let t = T::at(now());
        let inv = redirect_with_rules();
        let r = t.eval(&inv, HTTPS_LISTENERS);
        let f = r
            .findings
            .iter()
            .find(|f| f.resource == "listener/us-east-1/web/80")
            .expect("the listener fails on its rules");
        assert_eq!(f.status, Status::Fail);
        // Which rules, by priority and conditions; not the ones that are fine.
        assert!(
            f.detail
                .contains("priority 10 (path-pattern /api/*): forward")
                && f.detail.contains("priority 30 (path-pattern /maintenance)"),
            "{}",
            f.detail
        );
        assert!(
            !f.detail.contains("priority 20") && !f.detail.contains("priority 40"),
            "{}",
            f.detail
        );
        let plan = t
            .plan(
                &inv,
                HTTPS_LISTENERS,
                &Inputs {
                    resources: vec!["listener/us-east-1/web/80".into()],
                    ..Inputs::default()
                },
            )
            .expect("plan");
        // The default action already redirects: only the two rules change.
        let changed: Vec<&str> = plan
            .ops()
            .map(|o| match o {
                Op::ModifyRuleActions(ops::ModifyRuleActions {
                    priority, actions, ..
                }) => {
                    assert_eq!(actions, &vec![ListenerAction::redirect_to_https()]);
                    priority.as_str()
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(changed, vec!["10", "30"]);
        // The preview shows the rules before and after.
        let rc = &plan.resources[0];
        assert!(rc.before_text().contains("/api/*") && rc.before_text().contains("arn:tg/api"));
        assert!(
            !rc.after_text().contains("arn:tg/api"),
            "{}",
            rc.after_text()
        );
        assert!(
            !rc.after_text().contains("Back soon"),
            "{}",
            rc.after_text()
        );
        // Applied (and undone exactly, by `fix`), every rule keeps HTTPS.
        let after = t.fix(&inv, HTTPS_LISTENERS, &Inputs::default());
        assert!(
            !t.eval(&after, HTTPS_LISTENERS)
                .findings
                .iter()
                .any(|f| f.resource == "listener/us-east-1/web/80")
        );
    }

    #[test]
    fn https_listeners_fix_default_and_rules_together_or_not_at_all() {
        let t = T::at(now());
        let mut inv = redirect_with_rules();
        let l = &mut elb_mut(&mut inv, US).load_balancers[0].listeners[0];
        l.default_actions = vec![action_forward("arn:tg/web")];
        let r = t.eval(&inv, HTTPS_LISTENERS);
        let f = &r.findings[0];
        assert!(
            f.detail.contains("default action: forward") && f.detail.contains("priority 10"),
            "{}",
            f.detail
        );
        let plan = t
            .plan(&inv, HTTPS_LISTENERS, &Inputs::default())
            .expect("plan");
        assert_eq!(plan.ops().count(), 3, "{plan:?}");
        // A rule moat could not put back (authentication) keeps the whole
        // listener out of the plan: guided.
        let mut auth = action_forward("arn:tg/api");
        auth.kind = "authenticate-oidc".into();
        elb_mut(&mut inv, US).load_balancers[0].listeners[0].rules[0].actions =
            vec![auth, action_forward("arn:tg/api")];
        elb_mut(&mut inv, US).classic.clear();
        assert_eq!(t.status(&inv, HTTPS_LISTENERS), Status::Fail);
        assert!(matches!(
            t.plan(&inv, HTTPS_LISTENERS, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("web:80")
        ));
    }

    #[test]
    fn rules_that_answer_without_content_keep_https() {
        let ok = rule("1", "path-pattern /x", vec![fixed("404", None)]);
        assert!(rule_keeps_https(&ok));
        assert!(rule_keeps_https(&rule(
            "1",
            "path-pattern /x",
            vec![fixed("404", Some(""))]
        )));
        assert!(!rule_keeps_https(&rule(
            "1",
            "path-pattern /x",
            vec![fixed("200", Some("hello"))]
        )));
        assert!(!rule_keeps_https(&rule("1", "path-pattern /x", vec![])));
        assert!(!rule_keeps_https(&rule(
            "1",
            "path-pattern /x",
            vec![action_forward("arn:tg")]
        )));
    }

    #[test]
    fn tls_policy_plan_upgrades_old_policies_only() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, TLS_POLICY);
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "listener/us-east-1/web/443",
                "classic-lb/us-east-1/legacy-classic"
            ]
        );
        let plan = t.plan(&inv, TLS_POLICY, &Inputs::default()).expect("plan");
        match plan.ops().collect::<Vec<_>>().as_slice() {
            [
                Op::ModifyListenerSslPolicy(ops::ModifyListenerSslPolicy {
                    ssl_policy, port, ..
                }),
            ] => {
                assert_eq!(*port, 443);
                assert_eq!(ssl_policy, RECOMMENDED_TLS_POLICY);
            }
            other => panic!("{other:?}"),
        }
        let after = t.fix(&inv, TLS_POLICY, &Inputs::default());
        assert_eq!(t.eval(&after, TLS_POLICY).findings.len(), 1);
    }

    #[test]
    fn http_listeners_never_count_their_reported_policy() {
        // Emulators report an SslPolicy on HTTP listeners: the protocol decides.
        let t = T::at(now());
        let mut inv = inventory();
        let lb = &mut elb_mut(&mut inv, US).load_balancers[0];
        lb.listeners[0].ssl_policy = Some("ELBSecurityPolicy-2016-08".into());
        let r = t.eval(&inv, TLS_POLICY);
        assert!(
            !r.findings
                .iter()
                .any(|f| f.resource == "listener/us-east-1/web/80")
        );
    }

    #[test]
    fn security_groups_flag_internet_rules_beyond_the_listener_ports() {
        use crate::plan::PlanError;
        let t = T::at(now());
        let inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let r = t.eval(&inv, SECURITY_GROUPS);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        let open = format!("sg-rule/{US}/vpc-0a1b2c3d4e5f60718/public-alb/tcp:8443/0.0.0.0/0");
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        // 80 and 443 are listener ports; the internal group admits 10.0.0.0/8 only.
        assert_eq!(names, vec![open.as_str()]);
        let d = &r.findings[0].detail;
        for lb in [
            "example-corp-web",
            "example-corp-api",
            "example-corp-legacy",
        ] {
            assert!(d.contains(lb), "{d}");
        }
        // Revoke is the default: no CIDR needed.
        let plan = t
            .plan(&inv, SECURITY_GROUPS, &Inputs::default())
            .expect("plan");
        assert_eq!(plan.ops().count(), 1, "{plan:?}");
        let after = t.fix(&inv, SECURITY_GROUPS, &Inputs::default());
        assert_eq!(t.status(&after, SECURITY_GROUPS), Status::Pass);
        // The listener ports' rules stay.
        let g = after
            .ec2_network
            .ready()
            .and_then(|n| n.ready(US))
            .and_then(|n| n.group("vpc-0a1b2c3d4e5f60718", "public-alb"))
            .expect("group");
        assert_eq!(g.ingress.len(), 3);
        // Tighten needs networks.
        assert!(matches!(
            t.plan(&inv, SECURITY_GROUPS, &Inputs::default().with("action", "tighten")),
            Err(PlanError::Input { name, .. }) if name == "cidr"
        ));
        let after = t.fix(
            &inv,
            SECURITY_GROUPS,
            &Inputs::default()
                .with("action", "tighten")
                .with("cidr", "198.51.100.0/24"),
        );
        assert_eq!(t.status(&after, SECURITY_GROUPS), Status::Pass);
    }

    #[test]
    fn admits_beyond_counts_every_port_but_icmp() {
        use crate::aws::inventory::{SgRule, SgSource};
        use crate::checks::ec2::admits_beyond;
        let rule = |protocol: &str, from: Option<i32>, to: Option<i32>| SgRule {
            protocol: protocol.into(),
            from_port: from,
            to_port: to,
            source: SgSource::Ipv4("0.0.0.0/0".into()),
            description: None,
        };
        assert!(!admits_beyond(
            &rule("tcp", Some(443), Some(443)),
            &[80, 443]
        ));
        assert!(admits_beyond(&rule("tcp", Some(80), Some(443)), &[80, 443]));
        assert!(admits_beyond(&rule("-1", None, None), &[80, 443]));
        assert!(admits_beyond(&rule("udp", Some(53), Some(53)), &[443]));
        assert!(!admits_beyond(&rule("icmp", Some(-1), Some(-1)), &[]));
        assert!(admits_beyond(&rule("tcp", Some(443), Some(443)), &[]));
    }
}
