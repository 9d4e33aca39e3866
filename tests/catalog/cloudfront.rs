//! CloudFront: distributions and origin access controls.

use moat::aws::inventory::{Inventory, OriginAccessControl, ResourceRef};
use moat::aws::ops;
use moat::plan::{DistributionEdit, Op};
use std::collections::BTreeSet;

/// One op of every CloudFront op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    vec![
        Op::CreateOriginAccessControl(ops::CreateOriginAccessControl {
            name: "o".into(),
            description: String::new(),
        }),
        Op::DeleteOriginAccessControl(ops::DeleteOriginAccessControl { name: "o".into() }),
        Op::UpdateDistribution(ops::UpdateDistribution {
            id: "E1".into(),
            etag: None,
            edits: vec![DistributionEdit::ViewerProtocolPolicy {
                path_pattern: None,
                policy: "https-only".into(),
            }],
        }),
    ]
}

/// The position of a CloudFront op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::CreateOriginAccessControl(_) => 0,
        Op::DeleteOriginAccessControl(_) => 1,
        Op::UpdateDistribution(_) => 2,
        other => unreachable!("not a CloudFront op: {other:?}"),
    }
}

/// A distribution's edits are reversed from its configuration before them.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo's distributions fail the CloudFront items as they are.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    if let Some(cf) = inv.cloudfront.ready() {
        for d in &cf.distributions {
            out.insert(ResourceRef::Distribution { id: d.id.clone() });
        }
        for o in &cf.origin_access_controls {
            out.insert(ResourceRef::OriginAccessControl {
                name: o.name.clone(),
            });
        }
    }
}

pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    let cf = inv.cloudfront.ready_mut().expect("cloudfront");
    match r {
        ResourceRef::Distribution { id } => {
            let d = cf
                .distributions
                .iter_mut()
                .find(|d| &d.id == id)
                .expect("distribution");
            d.enabled = !d.enabled;
            d.etag = Some("EDRIFTED".into());
        }
        ResourceRef::OriginAccessControl { name } => match cf
            .origin_access_controls
            .iter_mut()
            .find(|o| &o.name == name)
        {
            Some(o) => o.description.push_str(" (drift)"),
            None => cf.origin_access_controls.push(OriginAccessControl {
                id: "EDRIFTOAC".into(),
                name: name.clone(),
                description: "made by someone else".into(),
                origin_type: "s3".into(),
                signing_behavior: "always".into(),
                signing_protocol: "sigv4".into(),
            }),
        },
        other => panic!("{other} is not a CloudFront resource"),
    }
}
