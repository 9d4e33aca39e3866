//! Elastic Load Balancing's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{ApplyError, ElbRef, Inventory, Listener, ListenerAction, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// `resource` and `region` of an op on the listener on `port` of the load
/// balancer `load_balancer` in `region` (its fields).
macro_rules! on_listener {
    () => {
        fn resource(&self) -> ResourceRef {
            listener_ref(&self.region, &self.load_balancer, self.port)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }
    };
}

/// elasticloadbalancing:ModifyListener DefaultActions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyListenerDefaultActions {
    pub region: String,
    pub load_balancer: String,
    pub port: i32,
    pub listener_arn: String,
    pub actions: Vec<ListenerAction>,
}

impl OpKind for ModifyListenerDefaultActions {
    const ACTION: &'static str = "elasticloadbalancing:ModifyListener";

    on_listener!();

    fn describe(&self) -> String {
        let ModifyListenerDefaultActions {
            region,
            load_balancer,
            port,
            actions,
            ..
        } = self;
        format!(
            "set the default action of listener {load_balancer}:{port} ({region}) to {}",
            kinds(actions)
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        listener_mut(inv, &self.region, &self.load_balancer, self.port)?.default_actions =
            self.actions.clone();
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let l = listener(before, &self.region, &self.load_balancer, self.port)?;
        if !l.default_actions.iter().all(ListenerAction::is_restorable) {
            return None;
        }
        Some(vec![
            ModifyListenerDefaultActions {
                region: self.region.clone(),
                load_balancer: self.load_balancer.clone(),
                port: self.port,
                listener_arn: self.listener_arn.clone(),
                actions: l.default_actions.clone(),
            }
            .into(),
        ])
    }
}

/// elasticloadbalancing:ModifyRule Actions (the conditions are kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyRuleActions {
    pub region: String,
    pub load_balancer: String,
    pub port: i32,
    pub rule_arn: String,
    /// For the description and the finding it fixes.
    pub priority: String,
    pub actions: Vec<ListenerAction>,
}

impl OpKind for ModifyRuleActions {
    const ACTION: &'static str = "elasticloadbalancing:ModifyRule";

    on_listener!();

    fn describe(&self) -> String {
        let ModifyRuleActions {
            region,
            load_balancer,
            port,
            priority,
            actions,
            ..
        } = self;
        format!(
            "set the actions of rule {priority} of listener {load_balancer}:{port} ({region}) to {}",
            kinds(actions)
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let ModifyRuleActions {
            region,
            load_balancer,
            port,
            rule_arn,
            actions,
            ..
        } = self;
        let l = listener_mut(inv, region, load_balancer, *port)?;
        let rule = l
            .rules
            .iter_mut()
            .find(|r| &r.arn == rule_arn)
            .ok_or_else(|| {
                ApplyError::NoSuch(format!(
                    "rule {rule_arn} of listener {load_balancer}:{port}"
                ))
            })?;
        if actions.is_empty() {
            return Err(ApplyError::Conflict(format!(
                "a rule of listener {load_balancer}:{port} needs at least one action"
            )));
        }
        rule.actions = actions.clone();
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let rule = listener(before, &self.region, &self.load_balancer, self.port)?
            .rules
            .iter()
            .find(|r| r.arn == self.rule_arn)?;
        if rule.actions.is_empty() || !rule.actions.iter().all(ListenerAction::is_restorable) {
            return None;
        }
        Some(vec![
            ModifyRuleActions {
                region: self.region.clone(),
                load_balancer: self.load_balancer.clone(),
                port: self.port,
                rule_arn: self.rule_arn.clone(),
                priority: self.priority.clone(),
                actions: rule.actions.clone(),
            }
            .into(),
        ])
    }
}

/// elasticloadbalancing:ModifyListener SslPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyListenerSslPolicy {
    pub region: String,
    pub load_balancer: String,
    pub port: i32,
    pub listener_arn: String,
    pub ssl_policy: String,
}

impl OpKind for ModifyListenerSslPolicy {
    const ACTION: &'static str = "elasticloadbalancing:ModifyListener";

    on_listener!();

    fn describe(&self) -> String {
        let ModifyListenerSslPolicy {
            region,
            load_balancer,
            port,
            ssl_policy,
            ..
        } = self;
        format!(
            "set the security policy of listener {load_balancer}:{port} ({region}) to {ssl_policy}"
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (load_balancer, port) = (&self.load_balancer, self.port);
        let l = listener_mut(inv, &self.region, load_balancer, port)?;
        if !l.is_tls() {
            return Err(ApplyError::Conflict(format!(
                "the {} listener {load_balancer}:{port} has no security policy",
                l.protocol
            )));
        }
        l.ssl_policy = Some(self.ssl_policy.clone());
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let l = listener(before, &self.region, &self.load_balancer, self.port)?;
        Some(vec![
            ModifyListenerSslPolicy {
                region: self.region.clone(),
                load_balancer: self.load_balancer.clone(),
                port: self.port,
                listener_arn: self.listener_arn.clone(),
                ssl_policy: l.ssl_policy.clone()?,
            }
            .into(),
        ])
    }
}

fn listener_ref(region: &str, load_balancer: &str, port: i32) -> ResourceRef {
    ResourceRef::Elb(ElbRef::Listener {
        region: region.to_string(),
        load_balancer: load_balancer.to_string(),
        port,
    })
}

/// The actions' types, for a description.
fn kinds(actions: &[ListenerAction]) -> String {
    let kinds: Vec<String> = actions.iter().map(|a| a.kind.clone()).collect();
    kinds.join(", ")
}

fn listener<'a>(
    inv: &'a Inventory,
    region: &str,
    load_balancer: &str,
    port: i32,
) -> Option<&'a Listener> {
    inv.elb
        .ready()?
        .regions
        .get(region)?
        .ready()?
        .load_balancer(load_balancer)?
        .listener(port)
}

fn listener_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    load_balancer: &str,
    port: i32,
) -> Result<&'a mut Listener, ApplyError> {
    let r = inv.elb.region_mut("load balancers", region)?;
    r.load_balancers
        .iter_mut()
        .find(|l| l.name == load_balancer)
        .ok_or_else(|| ApplyError::NoSuch(format!("load balancer {load_balancer}")))?
        .listeners
        .iter_mut()
        .find(|l| l.port == port)
        .ok_or_else(|| ApplyError::NoSuch(format!("listener {load_balancer}:{port}")))
}
