//! VPC reads (EC2 API): the VPCs of each region and their flow logs.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::ec2::read::name_tag;
use crate::aws::inventory::{ByRegion, FlowLog, Vpc, VpcRegion};
use crate::aws::vpc::sdk::DESCRIBE_FLOW_LOGS;

pub(crate) const DESCRIBE_VPCS: &str = "ec2:DescribeVpcs";

impl AwsBackend {
    pub(crate) async fn collect_vpc_flow_logs(&self) -> Result<ByRegion<VpcRegion>, CallError> {
        self.per_region_part(|region| async move { self.vpc_region(&region).await })
            .await
    }

    pub(crate) async fn vpc_region(&self, region: &str) -> Result<VpcRegion, CallError> {
        let ec2 = self.ec2(region);
        let (mut vpcs, logs) =
            futures::future::try_join(self.vpcs(&ec2), self.flow_logs(&ec2)).await?;
        for (resource, log) in logs {
            if let Some(v) = vpcs.iter_mut().find(|v| v.id == resource) {
                v.flow_logs.push(log);
            }
        }
        Ok(VpcRegion { vpcs })
    }

    pub(crate) async fn vpcs(&self, ec2: &aws_sdk_ec2::Client) -> Result<Vec<Vpc>, CallError> {
        let mut out = vec![];
        let vpcs = ec2.describe_vpcs().max_results(1000).into_paginator();
        for page in self.send(DESCRIBE_VPCS, vpcs.send().try_collect()).await? {
            for v in page.vpcs() {
                let Some(id) = v.vpc_id() else { continue };
                out.push(Vpc {
                    id: id.to_string(),
                    cidr_block: v.cidr_block().unwrap_or_default().to_string(),
                    is_default: v.is_default().unwrap_or(false),
                    name: name_tag(v.tags()),
                    flow_logs: vec![],
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every flow log of the region with the resource it is attached to.
    pub(crate) async fn flow_logs(
        &self,
        ec2: &aws_sdk_ec2::Client,
    ) -> Result<Vec<(String, FlowLog)>, CallError> {
        let mut out = vec![];
        let flow_logs = ec2.describe_flow_logs().max_results(1000).into_paginator();
        for page in self
            .send(DESCRIBE_FLOW_LOGS, flow_logs.send().try_collect())
            .await?
        {
            for f in page.flow_logs() {
                let Some(resource) = f.resource_id() else {
                    continue;
                };
                let destination_type = f
                    .log_destination_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| "cloud-watch-logs".into());
                let destination = f
                    .log_destination()
                    .or(f.log_group_name())
                    .unwrap_or_default()
                    .to_string();
                out.push((
                    resource.to_string(),
                    FlowLog {
                        id: f.flow_log_id().map(str::to_string),
                        traffic_type: f
                            .traffic_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        destination_type,
                        destination,
                        status: f.flow_log_status().unwrap_or_default().to_string(),
                        deliver_status: f.deliver_logs_status().map(str::to_string),
                        deliver_error: f.deliver_logs_error_message().map(str::to_string),
                    },
                ));
            }
        }
        Ok(out)
    }
}
