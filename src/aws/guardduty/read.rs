//! GuardDuty reads: the detector of each region.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{ByRegion, Detector};

pub(crate) const LIST_DETECTORS: &str = "guardduty:ListDetectors";

pub(crate) const GET_DETECTOR: &str = "guardduty:GetDetector";

impl AwsBackend {
    pub(crate) async fn collect_guardduty(&self) -> Result<ByRegion<Option<Detector>>, CallError> {
        self.per_region_part(|region| async move { self.detector(&region).await })
            .await
    }

    /// The region's detector id (a region holds at most one).
    pub(crate) async fn detector_id(
        &self,
        gd: &aws_sdk_guardduty::Client,
    ) -> Result<Option<String>, CallError> {
        let pages = gd.list_detectors().into_paginator().send().try_collect();
        let mut ids: Vec<String> = self
            .send(LIST_DETECTORS, pages)
            .await?
            .iter()
            .flat_map(|page| page.detector_ids())
            .cloned()
            .collect();
        ids.sort();
        Ok(ids.into_iter().next())
    }

    pub(crate) async fn detector(&self, region: &str) -> Result<Option<Detector>, CallError> {
        let gd = self.guardduty(region);
        let Some(id) = self.detector_id(&gd).await? else {
            return Ok(None);
        };
        let out = self
            .send(GET_DETECTOR, gd.get_detector().detector_id(&id).send())
            .await?;
        Ok(Some(Detector {
            id: Some(id),
            status: out
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }))
    }
}
