//! The SNS resources moat names ([`SnsRef`]) and their documents.

use crate::aws::inventory::document::NotReady;
use crate::aws::inventory::{Inventory, PartId, topic};
use serde_json::{Value, json};
use std::fmt;

/// An SNS resource, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SnsRef {
    /// `sns/REGION/TOPIC`
    Topic { region: String, name: String },
}

impl SnsRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &["sns/REGION/TOPIC"];

    /// Parse a resource name split on `/`; `None` when it is not an SNS resource.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        match parts {
            ["sns", region, name] => Some(SnsRef::Topic {
                region: region.to_string(),
                name: name.to_string(),
            }),
            _ => None,
        }
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        &[PartId::SnsTopics]
    }

    /// The region the resource lives in.
    pub fn region(&self) -> Option<&str> {
        match self {
            SnsRef::Topic { region, .. } => Some(region),
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(crate) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        let SnsRef::Topic { region, name } = self;
        Ok(topic(inv, region, name).map(|t| {
            let mut subs: Vec<Value> = t
                .subscriptions
                .iter()
                .map(|s| json!({"Protocol": s.protocol, "Endpoint": s.endpoint}))
                .collect();
            subs.sort_by_key(|s| s.to_string());
            subs.dedup();
            json!({"TopicArn": t.arn, "Policy": t.policy, "Subscriptions": subs})
        }))
    }
}

impl fmt::Display for SnsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnsRef::Topic { region, name } => write!(f, "sns/{region}/{name}"),
        }
    }
}
