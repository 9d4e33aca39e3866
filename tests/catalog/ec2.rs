//! `catalog_safety`'s samples, scenarios and drifts for the Ec2 group
//! (`Op::Ec2`, `ResourceRef::Ec2`). The loops in `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::inventory::{Ec2Ref, Inventory, ResourceRef};
use moat::plan::{Ec2Op, Op};
use std::collections::BTreeSet;

/// One op of every `Ec2Op` variant, in declaration order.
pub fn samples() -> Vec<Op> {
    vec![]
}

/// The position of `op`'s variant in [`samples`]. Exhaustive on purpose.
pub fn sample_index(op: &Ec2Op) -> usize {
    match *op {}
}

/// Variants that never have an inverse (serde tag, why).
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// Make `inv` (every scenario, demo included) fail this group's items in the
/// ways their plans fix, beyond what the demo data already does. Most groups
/// need nothing here: the demo account is insecure already.
pub fn scenario(_inv: &mut Inventory) {}

/// Every resource of this group in `inv` that has a document.
pub fn resources(_inv: &Inventory, _out: &mut BTreeSet<ResourceRef>) {}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
pub fn drift(_inv: &mut Inventory, r: &Ec2Ref) {
    match *r {}
}
