//! CloudTrail's SDK calls: the requests each op sends.

use super::ops::{
    CreateTrail, DeleteTrail, PutEventSelectors, StartLogging, StopLogging, TrailEdit, UpdateTrail,
};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::op::OpKind;

impl SendOp for CreateTrail {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .cloudtrail(&self.region)
            .create_trail()
            .name(&self.name)
            .s3_bucket_name(&self.bucket)
            .is_multi_region_trail(self.multi_region)
            .enable_log_file_validation(self.log_file_validation);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for DeleteTrail {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws.cloudtrail(&self.region).delete_trail().name(&self.name);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for StartLogging {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .cloudtrail(&self.region)
            .start_logging()
            .name(&self.name);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for StopLogging {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws.cloudtrail(&self.region).stop_logging().name(&self.name);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for UpdateTrail {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let mut r = aws.cloudtrail(&self.region).update_trail().name(&self.name);
        for e in &self.edits {
            r = match e {
                TrailEdit::LogFileValidation { enabled } => r.enable_log_file_validation(*enabled),
                // An empty value turns the setting off.
                TrailEdit::KmsKey { key } => r.kms_key_id(key.clone().unwrap_or_default()),
                TrailEdit::SnsTopic { topic } => {
                    r.sns_topic_name(topic.clone().unwrap_or_default())
                }
            };
        }
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for PutEventSelectors {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        aws.put_event_selectors(&self.name, &self.region, &self.selectors)
            .await?;
        Ok(Outcome::default())
    }
}
