//! SNS: topics and their subscriptions.

use super::{ACCOUNT, in_regions, insert_documented, region_list};
use moat::aws::inventory::{Inventory, ResourceRef, SnsRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every SNS op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::CreateSnsTopic(ops::CreateSnsTopic {
            region: r(),
            name: "t".into(),
            policy: None,
        }),
        Op::DeleteSnsTopic(ops::DeleteSnsTopic {
            region: r(),
            name: "t".into(),
        }),
        Op::SubscribeSnsTopic(ops::SubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        }),
        Op::UnsubscribeSnsTopic(ops::UnsubscribeSnsTopic {
            region: r(),
            topic: "t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        }),
    ]
}

/// The position of an SNS op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateSnsTopic(_) => 0,
        Op::DeleteSnsTopic(_) => 1,
        Op::SubscribeSnsTopic(_) => 2,
        Op::UnsubscribeSnsTopic(_) => 3,
        other => unreachable!("not an SNS op: {other:?}"),
    }
}

/// A deleted topic is created again with the policy the journal keeps.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every SNS item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    for (region, t) in in_regions(&inv.sns_topics) {
        add(ResourceRef::Sns(SnsRef::Topic {
            region: region.clone(),
            name: t.name.clone(),
        }));
    }
}

pub fn drift(inv: &mut Inventory, r: &SnsRef) {
    let SnsRef::Topic { region, name } = r;
    if let Some(topics) = region_list(&mut inv.sns_topics, region) {
        match topics.iter_mut().find(|t| t.name == *name) {
            Some(t) => t.subscriptions.push(moat::aws::inventory::Subscription {
                protocol: "email".into(),
                endpoint: "intruder@example.net".into(),
                pending: false,
                ..Default::default()
            }),
            None => topics.push(moat::aws::inventory::Topic {
                name: name.clone(),
                arn: format!("arn:aws:sns:{region}:{ACCOUNT}:{name}"),
                policy: None,
                subscriptions: vec![],
                key: None,
            }),
        }
    }
}
