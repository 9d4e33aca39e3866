//! Elastic Load Balancing's SDK calls: the regional clients, the reads of the
//! `Elb` part (ELBv2 and Classic, region by region, each region's failure its
//! own), the requests each op sends, and listener actions converted both ways.

use super::ops::{ModifyListenerDefaultActions, ModifyListenerSslPolicy, ModifyRuleActions};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{
    ClassicListener, ClassicLoadBalancer, Elb, ElbRegion, Fetched, FixedResponse, ForwardConfig,
    Listener, ListenerAction, ListenerRule, LoadBalancer, RedirectConfig, WeightedTargetGroup,
};
use crate::aws::op::OpKind;
use std::collections::BTreeMap;

pub(crate) type Elbv2 = aws_sdk_elasticloadbalancingv2::Client;

impl AwsBackend {
    pub(crate) async fn collect_elb(&self) -> Result<Elb, CallError> {
        Ok(Elb {
            regions: self
                .by_region(|r| async move { self.elb_region(&r).await })
                .await?,
        })
    }

    async fn elb_region(&self, region: &str) -> Result<ElbRegion, CallError> {
        let (load_balancers, classic) = futures::try_join!(
            self.load_balancers(region),
            self.classic_load_balancers(region)
        )?;
        Ok(ElbRegion {
            load_balancers,
            classic,
        })
    }

    async fn load_balancers(&self, region: &str) -> Result<Vec<LoadBalancer>, CallError> {
        let elb = self.elbv2(region);
        let list = elb.describe_load_balancers().into_paginator().send();
        let pages = self.send(DESCRIBE_LOAD_BALANCERS, list.try_collect());
        let mut listed = vec![];
        for page in pages.await? {
            for lb in page.load_balancers() {
                let (Some(name), Some(arn)) = (lb.load_balancer_name(), lb.load_balancer_arn())
                else {
                    continue;
                };
                let mut groups = lb.security_groups().to_vec();
                groups.sort();
                listed.push(LoadBalancer {
                    name: name.to_string(),
                    arn: arn.to_string(),
                    kind: lb
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    scheme: lb
                        .scheme()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    security_groups: groups,
                    listeners: vec![],
                    web_acl: None,
                });
            }
        }
        let waf = self.wafv2(region);
        let read = self
            .try_join_bounded(listed.into_iter().map(|mut lb| {
                let elb = elb.clone();
                let waf = waf.clone();
                async move {
                    lb.listeners = self.listeners(&elb, &lb.arn).await?;
                    // elb.https-listeners judges every rule of these listeners.
                    if lb.rules_matter() {
                        for l in lb.listeners.iter_mut().filter(|l| l.protocol == "HTTP") {
                            l.rules = self.listener_rules(&elb, &l.arn).await?;
                        }
                    }
                    if lb.is_application() && lb.is_internet_facing() {
                        lb.web_acl = Some(Fetched::from(self.web_acl(&waf, &lb.arn).await));
                    }
                    Ok::<LoadBalancer, CallError>(lb)
                }
            }))
            .await?;
        let mut load_balancers = read;
        load_balancers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(load_balancers)
    }

    async fn listeners(&self, elb: &Elbv2, lb_arn: &str) -> Result<Vec<Listener>, CallError> {
        let mut out = vec![];
        let request = elb.describe_listeners().load_balancer_arn(lb_arn);
        let pages = self
            .send(
                "elasticloadbalancing:DescribeListeners",
                request.into_paginator().send().try_collect(),
            )
            .await?;
        for page in pages {
            for l in page.listeners() {
                let (Some(arn), Some(port)) = (l.listener_arn(), l.port()) else {
                    continue;
                };
                let mut certificates: Vec<String> = l
                    .certificates()
                    .iter()
                    .filter_map(|c| c.certificate_arn().map(str::to_string))
                    .collect();
                certificates.sort();
                out.push(Listener {
                    arn: arn.to_string(),
                    protocol: l
                        .protocol()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    port,
                    ssl_policy: l.ssl_policy().map(str::to_string),
                    certificates,
                    default_actions: l.default_actions().iter().map(action_from).collect(),
                    rules: vec![],
                });
            }
        }
        out.sort_by_key(|l| l.port);
        Ok(out)
    }

    /// A listener's rules but its default rule (whose actions DescribeListeners
    /// already gave), by priority. DescribeRules pages with Marker/NextMarker.
    async fn listener_rules(
        &self,
        elb: &Elbv2,
        listener_arn: &str,
    ) -> Result<Vec<ListenerRule>, CallError> {
        let list = elb.describe_rules().listener_arn(listener_arn);
        let list = list.into_paginator().send().try_collect();
        let pages = self.send("elasticloadbalancing:DescribeRules", list);
        let mut out = vec![];
        for page in pages.await? {
            for r in page.rules() {
                let (Some(arn), Some(priority)) = (r.rule_arn(), r.priority()) else {
                    continue;
                };
                if r.is_default() == Some(true) || priority == "default" {
                    continue;
                }
                out.push(ListenerRule {
                    arn: arn.to_string(),
                    priority: priority.to_string(),
                    conditions: r.conditions().iter().map(condition_text).collect(),
                    actions: r.actions().iter().map(action_from).collect(),
                });
            }
        }
        out.sort_by_key(|r| (r.priority.parse::<u64>().unwrap_or(u64::MAX), r.arn.clone()));
        Ok(out)
    }

    async fn classic_load_balancers(
        &self,
        region: &str,
    ) -> Result<Vec<ClassicLoadBalancer>, CallError> {
        let elb = self.elb(region);
        let list = elb.describe_load_balancers().into_paginator().send();
        let pages = self.send(DESCRIBE_LOAD_BALANCERS, list.try_collect());
        let mut listed: Vec<(ClassicLoadBalancer, ListenerPolicies)> = vec![];
        for page in pages.await? {
            for d in page.load_balancer_descriptions() {
                let Some(name) = d.load_balancer_name() else {
                    continue;
                };
                let mut policies = vec![];
                let listeners = d
                    .listener_descriptions()
                    .iter()
                    .filter_map(|ld| {
                        let l = ld.listener()?;
                        policies.push((l.load_balancer_port(), ld.policy_names().to_vec()));
                        Some(ClassicListener {
                            protocol: l.protocol().to_ascii_uppercase(),
                            port: l.load_balancer_port(),
                            instance_protocol: l
                                .instance_protocol()
                                .unwrap_or_default()
                                .to_ascii_uppercase(),
                            instance_port: l.instance_port(),
                            certificate: l.ssl_certificate_id().map(str::to_string),
                            security_policy: None,
                        })
                    })
                    .collect();
                let mut groups = d.security_groups().to_vec();
                groups.sort();
                listed.push((
                    ClassicLoadBalancer {
                        name: name.to_string(),
                        scheme: d.scheme().unwrap_or_default().to_string(),
                        security_groups: groups,
                        listeners,
                    },
                    policies,
                ));
            }
        }
        // The predefined policy behind each HTTPS/SSL listener: one read per
        // load balancer that has such a listener.
        let read = self
            .try_join_bounded(listed.into_iter().map(|(mut c, policies)| {
                let elb = elb.clone();
                async move {
                    let names: Vec<String> = c
                        .listeners
                        .iter()
                        .filter(|l| l.is_tls())
                        .flat_map(|l| {
                            policies
                                .iter()
                                .filter(|(p, _)| *p == l.port)
                                .flat_map(|(_, n)| n.iter().cloned())
                        })
                        .collect();
                    if names.is_empty() {
                        return Ok::<ClassicLoadBalancer, CallError>(c);
                    }
                    let out = self
                        .send(
                            "elasticloadbalancing:DescribeLoadBalancerPolicies",
                            elb.describe_load_balancer_policies()
                                .load_balancer_name(&c.name)
                                .send(),
                        )
                        .await?;
                    let reference: BTreeMap<String, String> = out
                        .policy_descriptions()
                        .iter()
                        .filter_map(|p| {
                            let r = p.policy_attribute_descriptions().iter().find(|a| {
                                a.attribute_name() == Some("Reference-Security-Policy")
                            })?;
                            Some((
                                p.policy_name()?.to_string(),
                                r.attribute_value()?.to_string(),
                            ))
                        })
                        .collect();
                    for l in c.listeners.iter_mut().filter(|l| l.is_tls()) {
                        l.security_policy = policies
                            .iter()
                            .filter(|(p, _)| *p == l.port)
                            .flat_map(|(_, n)| n.iter())
                            .find_map(|n| reference.get(n).cloned());
                    }
                    Ok(c)
                }
            }))
            .await?;
        let mut out = read;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

/// Both APIs (v2, and classic) name their listing so.
const DESCRIBE_LOAD_BALANCERS: &str = "elasticloadbalancing:DescribeLoadBalancers";

impl SendOp for ModifyListenerDefaultActions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let actions = actions_to(Self::ACTION, &self.actions)?;
        let request = aws
            .elbv2(&self.region)
            .modify_listener()
            .listener_arn(&self.listener_arn)
            .set_default_actions(Some(actions));
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for ModifyRuleActions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let actions = actions_to(Self::ACTION, &self.actions)?;
        // Conditions and transforms left out: ModifyRule keeps them.
        let request = aws
            .elbv2(&self.region)
            .modify_rule()
            .rule_arn(&self.rule_arn)
            .set_actions(Some(actions));
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for ModifyListenerSslPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .elbv2(&self.region)
            .modify_listener()
            .listener_arn(&self.listener_arn)
            .ssl_policy(&self.ssl_policy);
        aws.write(Self::ACTION, request.send()).await
    }
}

pub(crate) fn action_from(a: &aws_sdk_elasticloadbalancingv2::types::Action) -> ListenerAction {
    ListenerAction {
        kind: a
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        order: a.order(),
        target_group_arn: a.target_group_arn().map(str::to_string),
        forward: a.forward_config().map(|f| ForwardConfig {
            target_groups: f
                .target_groups()
                .iter()
                .filter_map(|g| {
                    Some(WeightedTargetGroup {
                        arn: g.target_group_arn()?.to_string(),
                        weight: g.weight(),
                    })
                })
                .collect(),
            stickiness_enabled: f.target_group_stickiness_config().and_then(|s| s.enabled()),
            stickiness_duration: f
                .target_group_stickiness_config()
                .and_then(|s| s.duration_seconds()),
        }),
        redirect: a.redirect_config().map(|r| RedirectConfig {
            protocol: r.protocol().map(str::to_string),
            port: r.port().map(str::to_string),
            host: r.host().map(str::to_string),
            path: r.path().map(str::to_string),
            query: r.query().map(str::to_string),
            status_code: r
                .status_code()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }),
        fixed_response: a.fixed_response_config().map(|x| FixedResponse {
            status_code: x.status_code().unwrap_or_default().to_string(),
            content_type: x.content_type().map(str::to_string),
            message_body: x.message_body().map(str::to_string),
        }),
    }
}

/// A listener's or rule's actions as the SDK sends them.
fn actions_to(
    action: &str,
    actions: &[ListenerAction],
) -> Result<Vec<aws_sdk_elasticloadbalancingv2::types::Action>, CallError> {
    actions.iter().map(|a| action_to(action, a)).collect()
}

fn action_to(
    action: &str,
    a: &ListenerAction,
) -> Result<aws_sdk_elasticloadbalancingv2::types::Action, CallError> {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig,
        RedirectActionConfig, RedirectActionStatusCodeEnum, TargetGroupStickinessConfig,
        TargetGroupTuple,
    };
    if !a.is_restorable() {
        return Err(CallError::new(
            action,
            None,
            format!("moat cannot send a listener action of type {}", a.kind),
        ));
    }
    let mut b = Action::builder()
        .r#type(ActionTypeEnum::from(a.kind.as_str()))
        .set_order(a.order)
        .set_target_group_arn(a.target_group_arn.clone());
    if let Some(f) = &a.forward {
        let stickiness =
            (f.stickiness_enabled.is_some() || f.stickiness_duration.is_some()).then(|| {
                TargetGroupStickinessConfig::builder()
                    .set_enabled(f.stickiness_enabled)
                    .set_duration_seconds(f.stickiness_duration)
                    .build()
            });
        b = b.forward_config(
            ForwardActionConfig::builder()
                .set_target_groups(Some(
                    f.target_groups
                        .iter()
                        .map(|g| {
                            TargetGroupTuple::builder()
                                .target_group_arn(&g.arn)
                                .set_weight(g.weight)
                                .build()
                        })
                        .collect(),
                ))
                .set_target_group_stickiness_config(stickiness)
                .build(),
        );
    }
    if let Some(r) = &a.redirect {
        b = b.redirect_config(
            RedirectActionConfig::builder()
                .set_protocol(r.protocol.clone())
                .set_port(r.port.clone())
                .set_host(r.host.clone())
                .set_path(r.path.clone())
                .set_query(r.query.clone())
                .status_code(RedirectActionStatusCodeEnum::from(r.status_code.as_str()))
                .build(),
        );
    }
    if let Some(x) = &a.fixed_response {
        b = b.fixed_response_config(
            FixedResponseActionConfig::builder()
                .status_code(&x.status_code)
                .set_content_type(x.content_type.clone())
                .set_message_body(x.message_body.clone())
                .build(),
        );
    }
    Ok(b.build())
}

/// A Classic Load Balancer's listener ports with their policy names.
type ListenerPolicies = Vec<(i32, Vec<String>)>;

/// A rule condition as text: `path-pattern /api/*, /v2/*`.
fn condition_text(c: &aws_sdk_elasticloadbalancingv2::types::RuleCondition) -> String {
    let field = c.field().unwrap_or("condition");
    let mut values: Vec<String> = c.values().to_vec();
    values.extend(c.regex_values().iter().map(|v| format!("regex {v}")));
    if let Some(h) = c.host_header_config() {
        values.extend(h.values().iter().cloned());
        values.extend(h.regex_values().iter().map(|v| format!("regex {v}")));
    }
    if let Some(p) = c.path_pattern_config() {
        values.extend(p.values().iter().cloned());
        values.extend(p.regex_values().iter().map(|v| format!("regex {v}")));
    }
    if let Some(h) = c.http_header_config() {
        let name = h.http_header_name().unwrap_or_default();
        values.extend(h.values().iter().map(|v| format!("{name}: {v}")));
        values.extend(
            h.regex_values()
                .iter()
                .map(|v| format!("{name}: regex {v}")),
        );
    }
    if let Some(q) = c.query_string_config() {
        values.extend(q.values().iter().map(|kv| match kv.key() {
            Some(k) => format!("{k}={}", kv.value().unwrap_or_default()),
            None => kv.value().unwrap_or_default().to_string(),
        }));
    }
    if let Some(m) = c.http_request_method_config() {
        values.extend(m.values().iter().cloned());
    }
    if let Some(s) = c.source_ip_config() {
        values.extend(s.values().iter().cloned());
    }
    values.dedup();
    if values.is_empty() {
        field.to_string()
    } else {
        format!("{field} {}", values.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_actions_convert_both_ways() {
        let a = ListenerAction::redirect_to_https();
        let sdk = action_to("x", &a).expect("builds");
        assert_eq!(action_from(&sdk), a);
        let fwd = ListenerAction {
            kind: "forward".into(),
            order: Some(1),
            target_group_arn: Some("arn:tg".into()),
            forward: Some(ForwardConfig {
                target_groups: vec![WeightedTargetGroup {
                    arn: "arn:tg".into(),
                    weight: Some(1),
                }],
                stickiness_enabled: Some(false),
                stickiness_duration: None,
            }),
            redirect: None,
            fixed_response: None,
        };
        assert_eq!(action_from(&action_to("x", &fwd).expect("builds")), fwd);
        let auth = ListenerAction {
            kind: "authenticate-oidc".into(),
            ..fwd
        };
        assert!(action_to("x", &auth).is_err());
    }
}
