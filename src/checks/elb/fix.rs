//! Plan builders of the `elb` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline. Regions or resources
//! that could not be read are never planned.

use crate::aws::inventory::{Fetched, Inventory, ListenerAction, PartId};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::ec2::fix::selected_rules;
use crate::checks::elb::{
    HTTPS_LISTENERS, SECURITY_GROUPS, TLS_POLICY, classic_resource, listener_resource,
    open_lb_rules, outdated_listeners, plain_http_listeners, replacement_policy,
};
use crate::guide::msg;
use crate::plan::build::{draft, nothing};
use crate::plan::{Draft, Inputs, Op, PlanError};

/// load balancer's group beyond its listener ports.
pub fn elb_security_groups(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let net = inv
        .ec2_network
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Network))?;
    let targets = selected_rules(open_lb_rules(elb, net), req);
    crate::checks::ec2::fix::tighten_each(
        inv,
        &targets,
        req,
        SECURITY_GROUPS,
        crate::checks::ec2::fix::REVOKE_FIRST_INPUTS,
    )
}

/// Redirect plain HTTP to HTTPS on internet-facing ALBs: the default
/// actions, and every rule that serves content over HTTP (ModifyRule keeps
/// its conditions and replaces its actions with the same redirect, so undo
/// can put the old actions back). Classic Load Balancers cannot redirect, so
/// they are named in a warning (or the answer is "guided" when they are all
/// that fails).
pub fn elb_https_listeners(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let mut ops = vec![];
    let mut classic = vec![];
    let mut kept = vec![];
    for (region, r) in &elb.regions {
        let Fetched::Ready(r) = r else { continue };
        for lb in &r.load_balancers {
            for p in plain_http_listeners(lb) {
                let l = p.listener;
                if !req.wants(&listener_resource(region, lb, l)) {
                    continue;
                }
                // Undo must be able to send the old actions back as they were.
                let restorable = (!p.default
                    || l.default_actions.iter().all(ListenerAction::is_restorable))
                    && p.rules.iter().all(|r| {
                        !r.actions.is_empty() && r.actions.iter().all(ListenerAction::is_restorable)
                    });
                if !restorable {
                    kept.push(format!("{}:{}", lb.name, l.port));
                    continue;
                }
                if p.default {
                    ops.push(Op::ModifyListenerDefaultActions(
                        ops::ModifyListenerDefaultActions {
                            region: region.clone(),
                            load_balancer: lb.name.clone(),
                            port: l.port,
                            listener_arn: l.arn.clone(),
                            actions: vec![ListenerAction::redirect_to_https()],
                        },
                    ));
                }
                for rule in &p.rules {
                    ops.push(Op::ModifyRuleActions(ops::ModifyRuleActions {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                        rule_arn: rule.arn.clone(),
                        priority: rule.priority.clone(),
                        actions: vec![ListenerAction::redirect_to_https()],
                    }));
                }
            }
        }
        for c in r
            .classic
            .iter()
            .filter(|c| c.is_internet_facing() && c.listeners.iter().any(|l| l.protocol == "HTTP"))
        {
            if req.wants(&classic_resource(region, c)) {
                classic.push(c.name.clone());
            }
        }
    }
    if ops.is_empty() {
        if !classic.is_empty() {
            return Err(PlanError::Guided(msg(
                HTTPS_LISTENERS,
                "classic_guided",
                &[("names", &classic.join(", "))],
            )));
        }
        if !kept.is_empty() {
            return Err(PlanError::Guided(msg(
                HTTPS_LISTENERS,
                "unsupported_guided",
                &[("names", &kept.join(", "))],
            )));
        }
        return Err(nothing());
    }
    let mut d = draft(HTTPS_LISTENERS, ops)?;
    if !classic.is_empty() {
        d.warnings.push(msg(
            HTTPS_LISTENERS,
            "classic_left",
            &[("names", &classic.join(", "))],
        ));
    }
    if !kept.is_empty() {
        d.warnings.push(msg(
            HTTPS_LISTENERS,
            "unsupported_left",
            &[("names", &kept.join(", "))],
        ));
    }
    Ok(d)
}

/// ModifyListener SslPolicy on HTTPS/TLS listeners with an outdated policy.
pub fn elb_tls_policy(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let mut ops = vec![];
    let mut classic = vec![];
    for (region, r) in &elb.regions {
        let Fetched::Ready(r) = r else { continue };
        for lb in &r.load_balancers {
            for l in outdated_listeners(lb) {
                if req.wants(&listener_resource(region, lb, l)) {
                    ops.push(Op::ModifyListenerSslPolicy(ops::ModifyListenerSslPolicy {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                        listener_arn: l.arn.clone(),
                        ssl_policy: replacement_policy(l.ssl_policy.as_deref()).to_string(),
                    }));
                }
            }
        }
        for c in &r.classic {
            let bad = c.listeners.iter().any(|l| {
                l.is_tls()
                    && !l
                        .security_policy
                        .as_deref()
                        .is_some_and(|p| crate::checks::elb::CLASSIC_TLS12_POLICIES.contains(&p))
            });
            if bad && req.wants(&classic_resource(region, c)) {
                classic.push(c.name.clone());
            }
        }
    }
    if ops.is_empty() {
        if !classic.is_empty() {
            return Err(PlanError::Guided(msg(
                TLS_POLICY,
                "classic_guided",
                &[("names", &classic.join(", "))],
            )));
        }
        return Err(nothing());
    }
    let mut d = draft(TLS_POLICY, ops)?;
    if !classic.is_empty() {
        d.warnings.push(msg(
            TLS_POLICY,
            "classic_left",
            &[("names", &classic.join(", "))],
        ));
    }
    Ok(d)
}
