//! KMS: keys, by alias.

use super::{in_regions, insert_documented, region_list};
use moat::aws::inventory::{Inventory, KmsRef, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use serde_json::json;
use std::collections::BTreeSet;

/// One op of every KMS op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::CreateKmsKey(ops::CreateKmsKey {
            region: r(),
            alias: "alias/k".into(),
            description: "d".into(),
            policy: json!({}),
        }),
        Op::ScheduleKmsKeyDeletion(ops::ScheduleKmsKeyDeletion {
            region: r(),
            alias: "alias/k".into(),
            pending_days: 7,
            key_id: None,
        }),
    ]
}

/// The position of a KMS op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateKmsKey(_) => 0,
        Op::ScheduleKmsKeyDeletion(_) => 1,
        other => unreachable!("not a KMS op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "schedule_kms_key_deletion",
    "a key scheduled for deletion is recovered by hand (CancelKeyDeletion, then EnableKey)",
)];

/// Op types kept only so that journals of earlier versions still read; no
/// plan or undo sends them now.
pub const LEGACY: &[(&str, &str)] = &[(
    "schedule_kms_key_deletion",
    "the undo of create_kms_key in earlier journals; undo leaves the key now, since the logs written with it need it",
)];

/// The demo account fails every KMS item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    for (region, k) in in_regions(&inv.kms_keys) {
        add(ResourceRef::Kms(KmsRef::Key {
            region: region.clone(),
            alias: k.alias.clone(),
        }));
    }
}

pub fn drift(inv: &mut Inventory, r: &KmsRef) {
    let KmsRef::Key { region, alias } = r;
    if let Some(keys) = region_list(&mut inv.kms_keys, region) {
        match keys.iter_mut().find(|k| k.alias == *alias) {
            Some(k) => k.description.push_str(" (edited)"),
            None => keys.push(moat::aws::inventory::KmsKey {
                alias: alias.clone(),
                key_id: "someone".into(),
                arn: "arn:aws:kms:r:1:key/someone".into(),
                state: "Enabled".into(),
                description: String::new(),
                policy: None,
            }),
        }
    }
}
