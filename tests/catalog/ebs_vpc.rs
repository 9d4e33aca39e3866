//! `catalog_safety`'s samples, scenarios and drifts for the EbsVpc group
//! (`Op::EbsVpc`, `ResourceRef::EbsVpc`). The loops in `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::inventory::{EbsVpcRef, Inventory, ResourceRef};
use moat::plan::{EbsVpcOp, Op};
use std::collections::BTreeSet;

/// One op of every `EbsVpcOp` variant, in declaration order.
pub fn samples() -> Vec<Op> {
    vec![]
}

/// The position of `op`'s variant in [`samples`]. Exhaustive on purpose.
pub fn sample_index(op: &EbsVpcOp) -> usize {
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
pub fn drift(_inv: &mut Inventory, r: &EbsVpcRef) {
    match *r {}
}
