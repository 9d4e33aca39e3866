//! Amazon GuardDuty: the detector of each region (at most one; a detector
//! moat creates is named by its region until AWS gives it an id).

pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::GuardDutyRef;

use serde::{Deserialize, Serialize};

pub const DETECTOR_ENABLED: &str = "ENABLED";
pub const DETECTOR_DISABLED: &str = "DISABLED";

/// A region's GuardDuty detector (a region has at most one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detector {
    /// `None` for one a plan creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ENABLED or DISABLED.
    pub status: String,
}

impl Detector {
    pub fn enabled(&self) -> bool {
        self.status == DETECTOR_ENABLED
    }
}
