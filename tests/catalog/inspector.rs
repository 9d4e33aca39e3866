//! Inspector: the scan status of each region.

use super::{ACCOUNT, insert_documented};
use moat::aws::inventory::{Fetched, InspectorRef, InspectorStatus, Inventory, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every Inspector op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::EnableInspector(ops::EnableInspector {
            region: r(),
            account: ACCOUNT.into(),
            resource_types: vec!["EC2".into(), "ECR".into()],
        }),
        Op::DisableInspector(ops::DisableInspector {
            region: r(),
            account: ACCOUNT.into(),
            resource_types: vec!["EC2".into(), "ECR".into()],
        }),
    ]
}

/// The position of an Inspector op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::EnableInspector(_) => 0,
        Op::DisableInspector(_) => 1,
        other => unreachable!("not an Inspector op: {other:?}"),
    }
}

/// Enabling and disabling scans undo each other.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo account fails every Inspector item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    if let Some(i) = inv.inspector.ready() {
        for region in i.regions.keys() {
            add(ResourceRef::Inspector(InspectorRef::Status {
                region: region.clone(),
            }));
        }
    }
}

pub fn drift(inv: &mut Inventory, r: &InspectorRef) {
    let InspectorRef::Status { region } = r;
    let Some(i) = inv.inspector.ready_mut() else {
        return;
    };
    let s = i
        .regions
        .entry(region.clone())
        .or_insert_with(|| Fetched::Ready(InspectorStatus::default()));
    if let Fetched::Ready(s) = s {
        let on = s.is_on("EC2");
        s.scans
            .insert("EC2".into(), if on { "DISABLED" } else { "ENABLED" }.into());
    }
}
