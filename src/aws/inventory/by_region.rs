//! The per-region containers of the regional parts: each region read or
//! failed on its own ([`Fetched`]), so a region that refuses (an opt-in
//! region, a service not offered there) marks only its own findings as
//! errors, and the "every enabled region" items know which regions exist.

use super::{ApplyError, Fetched, Part, PartError};
use serde::{Deserialize, Serialize};
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

/// Per-region data: each region read, or the call that failed there.
pub type Regional<T> = BTreeMap<String, Fetched<Vec<T>>>;

/// The items of one region of a regional part, when read.
pub fn regional<'a, T>(p: &'a Part<Regional<T>>, region: &str) -> Option<&'a Vec<T>> {
    p.ready()?.get(region)?.ready()
}

/// The error of one region of a regional part, if that region failed.
pub fn regional_error<'a, T>(p: &'a Part<Regional<T>>, region: &str) -> Option<&'a PartError> {
    p.ready()?.get(region)?.error()
}

/// One region's list, which must have been read.
pub(crate) fn region_mut<'a, T>(
    p: &'a mut Part<Regional<T>>,
    what: &'static str,
    region: &str,
) -> Result<&'a mut Vec<T>, ApplyError> {
    let m = part(p, what)?;
    match m
        .entry(region.to_string())
        .or_insert(Fetched::Ready(vec![]))
    {
        Fetched::Ready(v) => Ok(v),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
    }
}

/// Per-region data of one part: every region covered (the enabled regions,
/// or `--region`), each read or failed on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize",
    deserialize = "T: serde::de::DeserializeOwned"
))]
pub struct PerRegion<T> {
    pub regions: BTreeMap<String, Fetched<T>>,
}

impl<T> Default for PerRegion<T> {
    fn default() -> Self {
        Self {
            regions: BTreeMap::new(),
        }
    }
}

impl<T> PerRegion<T> {
    pub fn ready(&self, region: &str) -> Option<&T> {
        self.regions.get(region).and_then(Fetched::ready)
    }
    pub fn ready_mut(&mut self, region: &str) -> Option<&mut T> {
        self.regions.get_mut(region).and_then(Fetched::ready_mut)
    }
    /// The regions read, in order, with their data.
    pub fn iter_ready(&self) -> impl Iterator<Item = (&str, &T)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.ready().map(|v| (r.as_str(), v)))
    }
    /// The regions that could not be read, with why.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &PartError)> {
        self.regions
            .iter()
            .filter_map(|(r, f)| f.error().map(|e| (r.as_str(), e)))
    }

    /// The region's data, which must have been read: a setting that could not
    /// be read is never changed blindly.
    pub(crate) fn read_mut(&mut self, region: &str, what: &str) -> Result<&mut T, ApplyError> {
        match self.regions.get_mut(region) {
            Some(Fetched::Ready(v)) => Ok(v),
            Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
                "the {what} of {region} could not be read ({})",
                e.summary()
            ))),
            None => Err(ApplyError::NoSuch(format!("{what} of region {region}"))),
        }
    }
}

/// A part that must have been read before an op's effect is predicted.
pub(crate) fn part<'a, T>(p: &'a mut Part<T>, what: &'static str) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

/// Where moat creates new trails, topics and keys, and which regions it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditRegions {
    /// The session's home region (new trails, topics and keys go there).
    pub home: String,
    pub regions: Vec<String>,
}
