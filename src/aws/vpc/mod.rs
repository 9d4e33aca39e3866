//! Amazon VPC (EC2 API): VPCs and their flow logs. A flow log moat creates
//! is named by its VPC and destination (AWS gives the id).

pub mod ops;
pub(crate) mod read;
mod resource;
pub(crate) mod sdk;
pub use resource::VpcRef;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A flow log that records every packet's summary, accepted and rejected.
pub const TRAFFIC_ALL: &str = "ALL";
pub const FLOW_LOG_ACTIVE: &str = "ACTIVE";
pub const DESTINATION_S3: &str = "s3";
/// One region's VPCs with their flow logs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VpcRegion {
    pub vpcs: Vec<Vpc>,
}

impl VpcRegion {
    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    #[serde(default)]
    pub cidr_block: String,
    #[serde(default)]
    pub is_default: bool,
    /// The `Name` tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The flow logs attached to the VPC itself (not to its subnets or
    /// interfaces).
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
}

impl Vpc {
    /// A flow log that is active and not failing to deliver.
    pub fn active_flow_log(&self) -> Option<&FlowLog> {
        self.flow_logs.iter().find(|f| f.is_working())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    /// `None` for one a plan creates (AWS gives the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// ACCEPT, REJECT or ALL.
    pub traffic_type: String,
    /// s3, cloud-watch-logs or kinesis-data-firehose.
    pub destination_type: String,
    /// The destination's ARN (for CloudWatch Logs, the log group's ARN or name).
    pub destination: String,
    /// ACTIVE.
    pub status: String,
    /// SUCCESS or FAILED (`None`: not reported yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_error: Option<String>,
}

impl FlowLog {
    pub fn is_working(&self) -> bool {
        self.status == FLOW_LOG_ACTIVE && self.deliver_status.as_deref() != Some("FAILED")
    }
    /// The bucket of an S3 destination (`arn:aws:s3:::bucket[/prefix]`).
    pub fn s3_bucket(&self) -> Option<&str> {
        if self.destination_type != DESTINATION_S3 {
            return None;
        }
        let rest = self.destination.split(":::").nth(1)?;
        rest.split('/').next().filter(|b| !b.is_empty())
    }
}

pub(crate) fn vpc_document(region: &str, v: &Vpc) -> Value {
    let mut logs: Vec<Value> = v
        .flow_logs
        .iter()
        .map(|f| {
            json!({
                "TrafficType": f.traffic_type,
                "LogDestinationType": f.destination_type,
                "LogDestination": f.destination,
                "FlowLogStatus": f.status,
            })
        })
        .collect();
    logs.sort_by_key(|a| a.to_string());
    json!({
        "Region": region,
        "VpcId": v.id,
        "CidrBlock": v.cidr_block,
        "IsDefault": v.is_default,
        "FlowLogs": logs,
    })
}

/// The flow log moat creates: all traffic to `destination` in S3.
pub fn is_ours(f: &FlowLog, destination: &str) -> bool {
    f.destination_type == DESTINATION_S3
        && f.traffic_type == TRAFFIC_ALL
        && f.destination == destination
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_log_bucket_from_destination() {
        let mut f = FlowLog {
            id: None,
            traffic_type: "ALL".into(),
            destination_type: "s3".into(),
            destination: "arn:aws:s3:::logs-bucket/vpc/".into(),
            status: "ACTIVE".into(),
            deliver_status: Some("SUCCESS".into()),
            deliver_error: None,
        };
        assert_eq!(f.s3_bucket(), Some("logs-bucket"));
        assert!(f.is_working());
        f.deliver_status = Some("FAILED".into());
        assert!(!f.is_working());
        f.destination_type = "cloud-watch-logs".into();
        assert_eq!(f.s3_bucket(), None);
    }
}
