//! GuardDuty's mutating calls, one type each (see [`OpKind`]).
//!
//! A detector's id comes only in AWS's answer, and the inverse is computed
//! before the op is sent: it names the detector by its region (a region
//! holds at most one). The backend looks the id up just before deleting.

use crate::aws::inventory::GuardDutyRef;
use crate::aws::inventory::{
    ApplyError, DETECTOR_DISABLED, DETECTOR_ENABLED, Detector, Inventory, ResourceRef,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn detector_resource(region: &str) -> ResourceRef {
    ResourceRef::GuardDuty(GuardDutyRef::Detector {
        region: region.to_string(),
    })
}

/// guardduty:CreateDetector, enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDetector {
    pub region: String,
}

impl OpKind for CreateDetector {
    const ACTION: &'static str = "guardduty:CreateDetector";

    fn resource(&self) -> ResourceRef {
        detector_resource(&self.region)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("turn on GuardDuty in {} (new detector)", self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let region = &self.region;
        let d = inv.guardduty.region_mut("GuardDuty detector", region)?;
        if d.is_some() {
            return Err(ApplyError::Exists(format!(
                "GuardDuty detector in {region}"
            )));
        }
        *d = Some(Detector {
            id: None,
            status: DETECTOR_ENABLED.into(),
        });
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteDetector {
                region: self.region.clone(),
            }
            .into(),
        ])
    }
}

/// guardduty:DeleteDetector of the region's detector (undo of CreateDetector).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteDetector {
    pub region: String,
}

impl OpKind for DeleteDetector {
    const ACTION: &'static str = "guardduty:DeleteDetector";

    fn resource(&self) -> ResourceRef {
        detector_resource(&self.region)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("delete the GuardDuty detector in {}", self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let region = &self.region;
        let d = inv.guardduty.region_mut("GuardDuty detector", region)?;
        if d.take().is_none() {
            return Err(ApplyError::NoSuch(format!(
                "GuardDuty detector in {region}"
            )));
        }
        Ok(())
    }

    /// Deleting a detector deletes its findings: a new one starts empty.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}

/// guardduty:UpdateDetector: enable or disable an existing detector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateDetector {
    pub region: String,
    pub detector_id: String,
    pub enable: bool,
}

impl OpKind for UpdateDetector {
    const ACTION: &'static str = "guardduty:UpdateDetector";

    fn resource(&self) -> ResourceRef {
        detector_resource(&self.region)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let verb = if self.enable { "enable" } else { "suspend" };
        format!(
            "{verb} GuardDuty detector {} in {}",
            self.detector_id, self.region
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (region, detector_id) = (&self.region, &self.detector_id);
        let d = inv
            .guardduty
            .region_mut("GuardDuty detector", region)?
            .as_mut()
            .ok_or_else(|| ApplyError::NoSuch(format!("GuardDuty detector in {region}")))?;
        if d.id.as_deref().is_some_and(|id| id != detector_id) {
            return Err(ApplyError::NoSuch(format!(
                "GuardDuty detector {detector_id}"
            )));
        }
        d.status = if self.enable {
            DETECTOR_ENABLED
        } else {
            DETECTOR_DISABLED
        }
        .into();
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let d = before.guardduty.ready()?.ready(&self.region)?.as_ref()?;
        Some(vec![
            UpdateDetector {
                region: self.region.clone(),
                detector_id: self.detector_id.clone(),
                enable: d.enabled(),
            }
            .into(),
        ])
    }
}
