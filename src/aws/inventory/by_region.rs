//! The per-region container of the regional parts ([`ByRegion`]): each
//! region read or failed on its own ([`Fetched`]), so a region that refuses
//! (an opt-in region, a service not offered there) marks only its own
//! findings as errors, and the "every enabled region" items know which
//! regions exist ([`SessionRegions`]).

use super::{ApplyError, Fetched, Part, PartError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per-region data of one part: every region covered (the enabled regions,
/// or `--region`), each read or failed on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    bound(
        serialize = "T: Serialize",
        deserialize = "T: serde::de::DeserializeOwned"
    ),
    from = "Stored<T>"
)]
pub struct ByRegion<T> {
    pub regions: BTreeMap<String, Fetched<T>>,
}

/// How a saved inventory (the demo account's state) holds a regional part:
/// today `{"regions": {…}}`; earlier builds saved the per-region lists of
/// CloudWatch, Logs, SNS and KMS as the bare map, which still loads.
#[derive(Deserialize)]
#[serde(untagged, bound(deserialize = "T: serde::de::DeserializeOwned"))]
enum Stored<T> {
    Current {
        regions: BTreeMap<String, Fetched<T>>,
    },
    Bare(BTreeMap<String, Fetched<T>>),
}

impl<T> From<Stored<T>> for ByRegion<T> {
    fn from(s: Stored<T>) -> Self {
        match s {
            Stored::Current { regions } | Stored::Bare(regions) => Self { regions },
        }
    }
}

/// Per-region lists: each region's items, or the call that failed there.
pub type Regional<T> = ByRegion<Vec<T>>;

impl<T> Default for ByRegion<T> {
    fn default() -> Self {
        Self {
            regions: BTreeMap::new(),
        }
    }
}

impl<T> FromIterator<(String, Fetched<T>)> for ByRegion<T> {
    fn from_iter<I: IntoIterator<Item = (String, Fetched<T>)>>(iter: I) -> Self {
        Self {
            regions: iter.into_iter().collect(),
        }
    }
}

impl<'a, T> IntoIterator for &'a ByRegion<T> {
    type Item = (&'a String, &'a Fetched<T>);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Fetched<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.regions.iter()
    }
}

impl<T> ByRegion<T> {
    /// The region's data, when it was read.
    pub fn ready(&self, region: &str) -> Option<&T> {
        self.regions.get(region).and_then(Fetched::ready)
    }
    pub fn ready_mut(&mut self, region: &str) -> Option<&mut T> {
        self.regions.get_mut(region).and_then(Fetched::ready_mut)
    }
    /// The region's error, when it could not be read.
    pub fn error(&self, region: &str) -> Option<&PartError> {
        self.regions.get(region).and_then(Fetched::error)
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
            Some(f) => ready_or_conflict(f, region, what),
            None => Err(ApplyError::NoSuch(format!("{what} of region {region}"))),
        }
    }
}

fn ready_or_conflict<'a, T>(
    f: &'a mut Fetched<T>,
    region: &str,
    what: &str,
) -> Result<&'a mut T, ApplyError> {
    match f {
        Fetched::Ready(v) => Ok(v),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
    }
}

impl<T> Part<ByRegion<T>> {
    /// One region's data, when the part and that region were read.
    pub fn region(&self, region: &str) -> Option<&T> {
        self.ready()?.ready(region)
    }
    /// One region's error, when the part was read and that region failed.
    pub fn region_error(&self, region: &str) -> Option<&PartError> {
        self.ready()?.error(region)
    }
}

impl<T: Clone> Part<ByRegion<T>> {
    /// One region's data, for predicting an op's effect: the part and the
    /// region must have been read.
    pub(crate) fn region_mut(
        &mut self,
        what: &'static str,
        region: &str,
    ) -> Result<&mut T, ApplyError> {
        self.ready_mut()
            .ok_or(ApplyError::NotReady(what))?
            .read_mut(region, what)
    }
}

impl<T> Part<Regional<T>> {
    /// One region's items; none when the part or that region was not read.
    pub fn region_items(&self, region: &str) -> &[T] {
        self.region(region).map(Vec::as_slice).unwrap_or(&[])
    }
}

impl<T: Default + Clone> Part<ByRegion<T>> {
    /// [`Self::region_mut`] where a region not read yet starts empty (a list
    /// moat adds the first item to).
    pub(crate) fn region_or_new_mut(
        &mut self,
        what: &'static str,
        region: &str,
    ) -> Result<&mut T, ApplyError> {
        let p = self.ready_mut().ok_or(ApplyError::NotReady(what))?;
        let f = p
            .regions
            .entry(region.to_string())
            .or_insert_with(|| Fetched::Ready(T::default()));
        ready_or_conflict(f, region, what)
    }
}

/// Where moat creates new trails, topics and keys, and which regions it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionRegions {
    /// The session's home region (new trails, topics and keys go there).
    pub home: String,
    pub regions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_map_saved_by_an_earlier_build_still_loads() {
        let now: ByRegion<Vec<u32>> =
            serde_json::from_str(r#"{"regions":{"eu-west-1":{"state":"ready","value":[1]}}}"#)
                .expect("current");
        let before: ByRegion<Vec<u32>> =
            serde_json::from_str(r#"{"eu-west-1":{"state":"ready","value":[1]}}"#).expect("bare");
        assert_eq!(now, before);
        assert_eq!(now.ready("eu-west-1"), Some(&vec![1]));
        assert_eq!(
            serde_json::to_string(&before).expect("json"),
            r#"{"regions":{"eu-west-1":{"state":"ready","value":[1]}}}"#
        );
        assert!(serde_json::from_str::<ByRegion<u32>>("[1]").is_err());
    }
}
