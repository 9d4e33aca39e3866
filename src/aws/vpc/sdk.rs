//! VPC's SDK calls (EC2 API): the requests each op sends.

use super::ops::{CreateFlowLogs, DeleteFlowLogs};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp, unique_token};
use crate::aws::ec2::read::filter;
use crate::aws::inventory::{FlowLog, is_ours};
use crate::aws::op::OpKind;
use aws_sdk_ec2::types::{FlowLogsResourceType, LogDestinationType, TrafficType};

pub(crate) const DESCRIBE_FLOW_LOGS: &str = "ec2:DescribeFlowLogs";

impl SendOp for CreateFlowLogs {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let action = Self::ACTION;
        let ec2 = aws.ec2(&self.region);
        let request = ec2
            .create_flow_logs()
            .resource_ids(&self.vpc_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::S3)
            .log_destination(&self.destination)
            // One token for every attempt of this change: AWS answers
            // a retry whose first attempt was applied with that flow
            // log, and makes no second one.
            .client_token(unique_token());
        let out = aws.send_write(action, request.send()).await?;
        // CreateFlowLogs answers 200 and lists what it refused.
        refused(action, out.unsuccessful())
    }
}

impl SendOp for DeleteFlowLogs {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let action = Self::ACTION;
        let (region, vpc_id, destination) = (&self.region, &self.vpc_id, &self.destination);
        let ec2 = aws.ec2(region);
        let found = aws
            .send(
                DESCRIBE_FLOW_LOGS,
                ec2.describe_flow_logs()
                    .filter(filter("resource-id", vpc_id))
                    .send(),
            )
            .await?;
        let ids: Vec<String> = found
            .flow_logs()
            .iter()
            .filter(|f| {
                let log = FlowLog {
                    id: None,
                    traffic_type: f
                        .traffic_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    destination_type: f
                        .log_destination_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    destination: f.log_destination().unwrap_or_default().to_string(),
                    status: String::new(),
                    deliver_status: None,
                    deliver_error: None,
                };
                f.resource_id() == Some(vpc_id.as_str()) && is_ours(&log, destination)
            })
            .filter_map(|f| f.flow_log_id().map(str::to_string))
            .collect();
        if ids.is_empty() {
            return Err(CallError::new(
                action,
                Some("InvalidFlowLogId.NotFound".into()),
                format!("no flow log of {vpc_id} to {destination} in {region}"),
            ));
        }
        let out = aws
            .send_write(
                action,
                ec2.delete_flow_logs().set_flow_log_ids(Some(ids)).send(),
            )
            .await?;
        refused(action, out.unsuccessful())
    }
}

/// What CreateFlowLogs or DeleteFlowLogs refused: they answer 200 and list
/// it; the first refusal is the op's error.
fn refused(
    action: &str,
    unsuccessful: &[aws_sdk_ec2::types::UnsuccessfulItem],
) -> Result<Outcome, CallError> {
    let Some(u) = unsuccessful.first() else {
        return Ok(Outcome::default());
    };
    let (code, message) = u
        .error()
        .map(|e| {
            (
                e.code().map(str::to_string),
                e.message().unwrap_or_default().to_string(),
            )
        })
        .unwrap_or((None, "refused".to_string()));
    Err(CallError::new(action, code, message))
}
