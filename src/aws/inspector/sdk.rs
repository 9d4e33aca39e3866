//! Amazon Inspector's SDK calls: the regional client and the requests each op sends.

use super::ops::{DisableInspector, EnableInspector};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::plan::OpKind;

impl AwsBackend {
    pub(crate) fn inspector_client(&self, region: &str) -> aws_sdk_inspector2::Client {
        self.client("inspector2", region, |sdk, region, partition| {
            aws_sdk_inspector2::Client::from_conf(
                aws_sdk_inspector2::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }
}

impl SendOp for EnableInspector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .inspector_client(&self.region)
            .enable()
            .account_ids(&self.account)
            .set_resource_types(Some(scan_types(&self.resource_types)));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DisableInspector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .inspector_client(&self.region)
            .disable()
            .account_ids(&self.account)
            .set_resource_types(Some(scan_types(&self.resource_types)));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

fn scan_types(types: &[String]) -> Vec<aws_sdk_inspector2::types::ResourceScanType> {
    types
        .iter()
        .map(|t| aws_sdk_inspector2::types::ResourceScanType::from(t.as_str()))
        .collect()
}
