//! Amazon Inspector: the scanning status of each region (the `Inspector` part).

pub mod ops;
mod resource;
pub(crate) mod sdk;
pub use resource::InspectorRef;

use crate::aws::inventory::ByRegion;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Amazon Inspector's state for the account in one region. Scan types are
/// named as Enable takes them (`EC2`, `ECR`, `LAMBDA`, `LAMBDA_CODE`, …);
/// states as AWS reports them (`ENABLED`, `ENABLING`, `DISABLED`, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InspectorStatus {
    /// The account's overall state (`DISABLED` when Inspector was never enabled).
    pub status: String,
    /// Scan type → state.
    pub scans: BTreeMap<String, String>,
}

/// The scan types other.inspector asks for.
pub const INSPECTOR_SCANS: &[&str] = &["EC2", "ECR"];

impl InspectorStatus {
    /// Enabled, or on its way (`ENABLING`).
    pub fn is_on(&self, scan: &str) -> bool {
        matches!(
            self.scans.get(scan).map(String::as_str),
            Some("ENABLED" | "ENABLING")
        )
    }
    /// The state a document shows: a change on its way counts as done, so
    /// a re-read right after apply matches the prediction.
    pub(crate) fn shown(&self, scan: &str) -> &str {
        match self.scans.get(scan).map(String::as_str) {
            Some("ENABLED" | "ENABLING") => "ENABLED",
            Some("DISABLED" | "DISABLING") | None => "DISABLED",
            Some(other) => other,
        }
    }
}

/// The Inspector part: every scanned region.
pub type Inspector = ByRegion<InspectorStatus>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspector_counts_enabling_as_on() {
        let mut s = InspectorStatus::default();
        assert!(!s.is_on("EC2"));
        assert_eq!(s.shown("EC2"), "DISABLED");
        s.scans.insert("EC2".into(), "ENABLING".into());
        assert!(s.is_on("EC2"));
        assert_eq!(s.shown("EC2"), "ENABLED");
        s.scans.insert("ECR".into(), "SUSPENDED".into());
        assert_eq!(s.shown("ECR"), "SUSPENDED");
    }
}
