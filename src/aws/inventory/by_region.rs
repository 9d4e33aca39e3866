//! The per-region container of a regional part: each region read or failed
//! on its own ([`Fetched`]), so a region that refuses (an opt-in region, a
//! service not offered there) marks only its own findings as errors.

use super::{ApplyError, Fetched};
use std::collections::BTreeMap;

/// Per-region data of a regional part: region name → what was read there.
pub type ByRegion<T> = BTreeMap<String, Fetched<T>>;

/// The data of `region` in a regional part, for predicting an op's effect:
/// a region that could not be read or was not read refuses the op.
pub(crate) fn in_region<'a, T>(
    regions: &'a mut ByRegion<T>,
    region: &str,
    what: &str,
) -> Result<&'a mut T, ApplyError> {
    match regions.get_mut(region) {
        Some(Fetched::Ready(r)) => Ok(r),
        Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
            "{what} in {region} could not be read ({})",
            e.summary()
        ))),
        None => Err(ApplyError::NoSuch(format!("{what} in {region}"))),
    }
}
