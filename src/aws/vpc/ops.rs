//! VPC's mutating calls (EC2 API), one type each (see [`OpKind`]).
//!
//! A flow log's id comes only in AWS's answer, and the inverse is computed
//! before the op is sent: it names the flow log by its VPC and destination.
//! The backend looks the id up just before deleting.

use crate::aws::inventory::VpcRef;
use crate::aws::inventory::{
    ApplyError, DESTINATION_S3, FLOW_LOG_ACTIVE, FlowLog, Inventory, ResourceRef, TRAFFIC_ALL, Vpc,
    is_ours,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn vpc_resource(region: &str, vpc_id: &str) -> ResourceRef {
    ResourceRef::Vpc(VpcRef::Vpc {
        region: region.to_string(),
        id: vpc_id.to_string(),
    })
}

/// The VPC `vpc_id` of `region` in the model.
fn vpc_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    vpc_id: &str,
) -> Result<&'a mut Vpc, ApplyError> {
    let r = inv.vpc_flow_logs.region_mut("VPCs", region)?;
    r.vpcs
        .iter_mut()
        .find(|v| v.id == *vpc_id)
        .ok_or_else(|| ApplyError::NoSuch(format!("VPC {vpc_id}")))
}

/// An op on the all-traffic flow logs of the VPC `vpc_id` of `region` to
/// `destination`; its undo is the opposite op (`$undo`).
macro_rules! flow_logs_op {
    (
        $(#[$doc:meta])*
        $name:ident, $action:literal, $describe:literal, $change:ident, $undo:ident
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            pub region: String,
            pub vpc_id: String,
            pub destination: String,
        }

        impl OpKind for $name {
            const ACTION: &'static str = $action;

            fn resource(&self) -> ResourceRef {
                vpc_resource(&self.region, &self.vpc_id)
            }

            fn region(&self) -> Option<&str> {
                Some(&self.region)
            }

            fn describe(&self) -> String {
                format!($describe, self.vpc_id, self.region, self.destination)
            }

            fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                let v = vpc_mut(inv, &self.region, &self.vpc_id)?;
                $change(v, &self.destination)
            }

            fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
                Some(vec![
                    $undo {
                        region: self.region.clone(),
                        vpc_id: self.vpc_id.clone(),
                        destination: self.destination.clone(),
                    }
                    .into(),
                ])
            }
        }
    };
}

flow_logs_op! {
    /// ec2:CreateFlowLogs for a VPC: all traffic, to an S3 bucket (ARN).
    CreateFlowLogs, "ec2:CreateFlowLogs", "log all traffic of VPC {} in {} to {}",
    add_flow_log, DeleteFlowLogs
}

flow_logs_op! {
    /// ec2:DeleteFlowLogs of the VPC's all-traffic flow logs to `destination`.
    DeleteFlowLogs, "ec2:DeleteFlowLogs", "delete the flow log of VPC {} in {} to {}",
    remove_flow_logs, CreateFlowLogs
}

fn add_flow_log(v: &mut Vpc, destination: &str) -> Result<(), ApplyError> {
    // AWS refuses a second flow log with the same destination and traffic type.
    if v.flow_logs.iter().any(|f| is_ours(f, destination)) {
        return Err(ApplyError::Exists(format!(
            "flow log of {} to {destination}",
            v.id
        )));
    }
    v.flow_logs.push(FlowLog {
        id: None,
        traffic_type: TRAFFIC_ALL.into(),
        destination_type: DESTINATION_S3.into(),
        destination: destination.to_string(),
        status: FLOW_LOG_ACTIVE.into(),
        deliver_status: None,
        deliver_error: None,
    });
    Ok(())
}

fn remove_flow_logs(v: &mut Vpc, destination: &str) -> Result<(), ApplyError> {
    let before = v.flow_logs.len();
    v.flow_logs.retain(|f| !is_ours(f, destination));
    if v.flow_logs.len() == before {
        return Err(ApplyError::NoSuch(format!(
            "flow log of {} to {destination}",
            v.id
        )));
    }
    Ok(())
}
