//! GuardDuty's SDK calls: the requests each op sends.

use super::ops::{CreateDetector, DeleteDetector, UpdateDetector};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::op::OpKind;

impl SendOp for CreateDetector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let gd = aws.guardduty(&self.region);
        // The SDK fills CreateDetector's client token once for all
        // attempts, so a retry makes no second detector.
        aws.send_write(Self::ACTION, gd.create_detector().enable(true).send())
            .await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteDetector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let region = &self.region;
        let gd = aws.guardduty(region);
        let Some(id) = aws.detector_id(&gd).await? else {
            return Err(CallError::new(
                Self::ACTION,
                Some("ResourceNotFoundException".into()),
                format!("no GuardDuty detector in {region}"),
            ));
        };
        aws.send_write(Self::ACTION, gd.delete_detector().detector_id(id).send())
            .await?;
        Ok(Outcome::default())
    }
}

impl SendOp for UpdateDetector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let gd = aws.guardduty(&self.region);
        let request = gd
            .update_detector()
            .detector_id(&self.detector_id)
            .enable(self.enable);
        aws.write(Self::ACTION, request.send()).await
    }
}
