//! Elastic Load Balancing: load balancers, their listeners and rules, and
//! classic load balancers.

use super::{ACCOUNT, insert_documented};
use moat::aws::inventory::{
    ClassicListener, ElbRef, ElbRegion, Fetched, FixedResponse, Inventory, Listener,
    ListenerAction, LoadBalancer, ResourceRef,
};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every ELB op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::ModifyListenerDefaultActions(ops::ModifyListenerDefaultActions {
            region: r(),
            load_balancer: "web".into(),
            port: 80,
            listener_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/1/2".into(),
            actions: vec![ListenerAction::redirect_to_https()],
        }),
        Op::ModifyRuleActions(ops::ModifyRuleActions {
            region: r(),
            load_balancer: "web".into(),
            port: 80,
            rule_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule/app/web/1/2/10"
                    .into(),
            priority: "10".into(),
            actions: vec![ListenerAction::redirect_to_https()],
        }),
        Op::ModifyListenerSslPolicy(ops::ModifyListenerSslPolicy {
            region: r(),
            load_balancer: "web".into(),
            port: 443,
            listener_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/1/3".into(),
            ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
        }),
    ]
}

/// The position of an ELB op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::ModifyListenerDefaultActions(_) => 0,
        Op::ModifyRuleActions(_) => 1,
        Op::ModifyListenerSslPolicy(_) => 2,
        other => unreachable!("not an ELB op: {other:?}"),
    }
}

/// Every ELB op is undone by putting back the actions or policy it replaced.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every ELB item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    if let Some(elb) = inv.elb.ready() {
        for (region, r) in &elb.regions {
            let Fetched::Ready(r) = r else { continue };
            for lb in &r.load_balancers {
                add(ResourceRef::Elb(ElbRef::LoadBalancer {
                    region: region.clone(),
                    name: lb.name.clone(),
                }));
                for l in &lb.listeners {
                    add(ResourceRef::Elb(ElbRef::Listener {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                    }));
                }
            }
            for c in &r.classic {
                add(ResourceRef::Elb(ElbRef::ClassicLoadBalancer {
                    region: region.clone(),
                    name: c.name.clone(),
                }));
            }
        }
    }
}

fn drift_listener(lb: &mut LoadBalancer, port: i32) {
    let fixed = ListenerAction {
        kind: "fixed-response".into(),
        order: None,
        target_group_arn: None,
        forward: None,
        redirect: None,
        fixed_response: Some(FixedResponse {
            status_code: "503".into(),
            content_type: Some("text/plain".into()),
            message_body: Some("drift".into()),
        }),
    };
    match lb.listeners.iter_mut().find(|l| l.port == port) {
        Some(l) => l.default_actions = vec![fixed],
        None => lb.listeners.push(Listener {
            arn: format!("{}/drift", lb.arn),
            protocol: "HTTP".into(),
            port,
            ssl_policy: None,
            certificates: vec![],
            default_actions: vec![fixed],
            rules: vec![],
        }),
    }
}

pub fn drift(inv: &mut Inventory, r: &ElbRef) {
    match r {
        ElbRef::LoadBalancer { region, name } => {
            if let Some(lb) = elb_lb(inv, region, name) {
                lb.security_groups.push("sg-0drift".into());
            }
        }
        ElbRef::Listener {
            region,
            load_balancer,
            port,
        } => {
            if let Some(lb) = elb_lb(inv, region, load_balancer) {
                drift_listener(lb, *port);
            }
        }
        ElbRef::ClassicLoadBalancer { region, name } => {
            let Some(r) = elb_region(inv, region) else {
                return;
            };
            let listener = ClassicListener {
                protocol: "TCP".into(),
                port: 2222,
                instance_protocol: "TCP".into(),
                instance_port: 22,
                certificate: None,
                security_policy: None,
            };
            match r.classic.iter_mut().find(|c| &c.name == name) {
                Some(c) => c.listeners.push(listener),
                None => r.classic.push(moat::aws::inventory::ClassicLoadBalancer {
                    name: name.clone(),
                    scheme: "internet-facing".into(),
                    security_groups: vec![],
                    listeners: vec![listener],
                }),
            }
        }
        // Findings only: no document, never part of a plan.
        ElbRef::Region { .. } => {}
    }
}

fn elb_region<'a>(inv: &'a mut Inventory, region: &str) -> Option<&'a mut ElbRegion> {
    region_mut!(inv.elb, region)
}

fn elb_lb<'a>(inv: &'a mut Inventory, region: &str, name: &str) -> Option<&'a mut LoadBalancer> {
    let r = elb_region(inv, region)?;
    if !r.load_balancers.iter().any(|l| l.name == name) {
        r.load_balancers.push(LoadBalancer {
            name: name.into(),
            arn: format!(
                "arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/app/{name}/drift"
            ),
            kind: "application".into(),
            scheme: "internet-facing".into(),
            security_groups: vec![],
            listeners: vec![],
            web_acl: Some(Fetched::Ready(None)),
        });
    }
    r.load_balancers.iter_mut().find(|l| l.name == name)
}
