//! SNS's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    ApplyError, Inventory, ResourceRef, SnsRef, Subscription, Topic, topic,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn topic_ref(region: &str, name: &str) -> ResourceRef {
    ResourceRef::Sns(SnsRef::Topic {
        region: region.to_string(),
        name: name.to_string(),
    })
}

/// `resource` and `region` of an op on the topic of its `region` field named
/// by its field `$name`.
macro_rules! on_topic {
    ($name:ident) => {
        fn resource(&self) -> ResourceRef {
            topic_ref(&self.region, &self.$name)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }
    };
}

/// Whether `s` is the subscription of `endpoint` over `protocol`.
fn subscribes(s: &Subscription, protocol: &str, endpoint: &str) -> bool {
    s.protocol == protocol && s.endpoint == endpoint
}

fn topics<'a>(inv: &'a mut Inventory, region: &str) -> Result<&'a mut Vec<Topic>, ApplyError> {
    inv.sns_topics.region_or_new_mut("SNS topics", region)
}

/// sns:CreateTopic (with its access policy, when given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSnsTopic {
    pub region: String,
    pub name: String,
    pub policy: Option<Value>,
}

impl OpKind for CreateSnsTopic {
    const ACTION: &'static str = "sns:CreateTopic";

    on_topic!(name);

    fn describe(&self) -> String {
        format!("create SNS topic {} in {}", self.name, self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (account, partition) = (
            inv.account_id().unwrap_or("000000000000").to_string(),
            inv.partition().to_string(),
        );
        let CreateSnsTopic {
            region,
            name,
            policy,
        } = self;
        let topics = topics(inv, region)?;
        if topics.iter().any(|t| t.name == *name) {
            return Err(ApplyError::Exists(format!("SNS topic {name}")));
        }
        topics.push(Topic {
            name: name.clone(),
            arn: format!("arn:{partition}:sns:{region}:{account}:{name}"),
            policy: policy.clone(),
            subscriptions: vec![],
            key: None,
        });
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteSnsTopic {
                region: self.region.clone(),
                name: self.name.clone(),
            }
            .into(),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSnsTopic {
    pub region: String,
    pub name: String,
}

impl OpKind for DeleteSnsTopic {
    const ACTION: &'static str = "sns:DeleteTopic";

    on_topic!(name);

    fn describe(&self) -> String {
        format!("delete SNS topic {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let topics = topics(inv, &self.region)?;
        let before = topics.len();
        topics.retain(|t| t.name != *name);
        if topics.len() == before {
            return Err(ApplyError::NoSuch(format!("SNS topic {name}")));
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let t = topic(before, &self.region, &self.name)?;
        // Subscriptions would have to be confirmed again: recreate only a bare topic.
        if !t.subscriptions.is_empty() {
            return None;
        }
        Some(vec![
            CreateSnsTopic {
                region: self.region.clone(),
                name: self.name.clone(),
                policy: t.policy.clone(),
            }
            .into(),
        ])
    }
}

/// The topic `name` of `region`, which must be in the model.
fn topic_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    name: &str,
) -> Result<&'a mut Topic, ApplyError> {
    topics(inv, region)?
        .iter_mut()
        .find(|t| t.name == *name)
        .ok_or_else(|| ApplyError::NoSuch(format!("SNS topic {name}")))
}

/// sns:Subscribe; e-mail subscriptions stay pending until confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeSnsTopic {
    pub region: String,
    pub topic: String,
    pub protocol: String,
    pub endpoint: String,
}

impl OpKind for SubscribeSnsTopic {
    const ACTION: &'static str = "sns:Subscribe";

    on_topic!(topic);

    fn describe(&self) -> String {
        format!(
            "subscribe {} {} to SNS topic {}",
            self.protocol, self.endpoint, self.topic
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (protocol, endpoint) = (&self.protocol, &self.endpoint);
        let t = topic_mut(inv, &self.region, &self.topic)?;
        if !t
            .subscriptions
            .iter()
            .any(|s| subscribes(s, protocol, endpoint))
        {
            t.subscriptions.push(Subscription {
                protocol: protocol.clone(),
                endpoint: endpoint.clone(),
                pending: protocol == "email" || protocol == "email-json",
                ..Subscription::default()
            });
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let SubscribeSnsTopic {
            region,
            topic: tn,
            protocol,
            endpoint,
        } = self;
        let t = topic(before, region, tn);
        if t.is_some_and(|t| {
            t.subscriptions
                .iter()
                .any(|s| subscribes(s, protocol, endpoint))
        }) {
            return Some(vec![]);
        }
        Some(vec![
            UnsubscribeSnsTopic {
                region: region.clone(),
                topic: tn.clone(),
                protocol: protocol.clone(),
                endpoint: endpoint.clone(),
            }
            .into(),
        ])
    }
}

/// sns:Unsubscribe of the matching subscription. A subscription still
/// pending confirmation has no ARN and cannot be removed by any API:
/// nothing is sent then (AWS drops it after three days, and deleting
/// the topic removes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeSnsTopic {
    pub region: String,
    pub topic: String,
    pub protocol: String,
    pub endpoint: String,
}

impl OpKind for UnsubscribeSnsTopic {
    const ACTION: &'static str = "sns:Unsubscribe";

    on_topic!(topic);

    fn describe(&self) -> String {
        format!(
            "unsubscribe {} {} from SNS topic {}",
            self.protocol, self.endpoint, self.topic
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (topic, protocol, endpoint) = (&self.topic, &self.protocol, &self.endpoint);
        let t = topic_mut(inv, &self.region, topic)?;
        let before = t.subscriptions.len();
        t.subscriptions
            .retain(|s| !subscribes(s, protocol, endpoint));
        if t.subscriptions.len() == before {
            return Err(ApplyError::NoSuch(format!(
                "subscription of {endpoint} to {topic}"
            )));
        }
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            SubscribeSnsTopic {
                region: self.region.clone(),
                topic: self.topic.clone(),
                protocol: self.protocol.clone(),
                endpoint: self.endpoint.clone(),
            }
            .into(),
        ])
    }
}
