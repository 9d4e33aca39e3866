//! GuardDuty: the detector of each region.

use moat::aws::inventory::{Detector, Fetched, GuardDutyRef, Inventory, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

/// One op of every GuardDuty op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let r = || "us-east-1".to_string();
    vec![
        Op::CreateDetector(ops::CreateDetector { region: r() }),
        Op::DeleteDetector(ops::DeleteDetector { region: r() }),
        Op::UpdateDetector(ops::UpdateDetector {
            region: r(),
            detector_id: "d".into(),
            enable: true,
        }),
    ]
}

/// The position of a GuardDuty op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateDetector(_) => 0,
        Op::DeleteDetector(_) => 1,
        Op::UpdateDetector(_) => 2,
        other => unreachable!("not a GuardDuty op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "delete_detector",
    "deleting a detector deletes its findings; moat only sends it to undo a CreateDetector",
)];

/// The demo account fails every GuardDuty item in the ways their plans fix.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    if let Some(p) = inv.guardduty.ready() {
        for region in p.regions.keys() {
            out.insert(ResourceRef::GuardDuty(GuardDutyRef::Detector {
                region: region.clone(),
            }));
        }
    }
}

pub fn drift(inv: &mut Inventory, r: &GuardDutyRef) {
    let GuardDutyRef::Detector { region } = r;
    let p = inv.guardduty.ready_mut().expect("guardduty");
    match p.ready_mut(region) {
        Some(Some(d)) => d.status = if d.enabled() { "DISABLED" } else { "ENABLED" }.into(),
        Some(d @ None) => {
            *d = Some(Detector {
                id: Some("drift".into()),
                status: "ENABLED".into(),
            })
        }
        None => {
            p.regions.insert(
                region.clone(),
                Fetched::Ready(Some(Detector {
                    id: Some("drift".into()),
                    status: "ENABLED".into(),
                })),
            );
        }
    }
}
