//! Amazon Inspector's SDK calls: the regional client, the reads of the
//! `Inspector` part (one status per region) and the requests each op sends.

use super::ops::{DisableInspector, EnableInspector};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{Inspector, InspectorStatus};
use crate::aws::op::OpKind;
use std::collections::BTreeMap;

impl AwsBackend {
    pub(crate) async fn collect_inspector(&self) -> Result<Inspector, CallError> {
        let account = self.identity().account.clone();
        let mut regions = self
            .by_region(|r| {
                let account = account.clone();
                async move { self.inspector_status(&r, &account).await }
            })
            .await?;
        // Where Inspector is not offered it cannot be enabled either: a failed
        // read there is no finding. Once AWS offers it, the read succeeds and
        // the region is checked like any other.
        regions.retain(|region, f| {
            !(INSPECTOR_NOT_OFFERED.contains(&region.as_str()) && f.error().is_some())
        });
        Ok(Inspector { regions })
    }

    async fn inspector_status(
        &self,
        region: &str,
        account: &str,
    ) -> Result<InspectorStatus, CallError> {
        const ACTION: &str = "inspector2:BatchGetAccountStatus";
        let client = self.inspector2(region);
        // The account id is optional on AWS but required by some emulators.
        let out = self
            .send(
                ACTION,
                client
                    .batch_get_account_status()
                    .account_ids(account)
                    .send(),
            )
            .await?;
        if let Some(f) = out.failed_accounts().first() {
            return Err(CallError::new(
                ACTION,
                Some(f.error_code().as_str().to_string()),
                f.error_message().to_string(),
            ));
        }
        let Some(a) = out.accounts().iter().find(|a| a.account_id() == account) else {
            // Never enabled: the account is not listed.
            return Ok(InspectorStatus {
                status: "DISABLED".into(),
                scans: BTreeMap::new(),
            });
        };
        let status = a
            .state()
            .map(|s| s.status().as_str().to_string())
            .unwrap_or_else(|| "DISABLED".into());
        let mut scans = BTreeMap::new();
        if let Some(r) = a.resource_state() {
            for (name, state) in [
                ("EC2", r.ec2()),
                ("ECR", r.ecr()),
                ("LAMBDA", r.lambda()),
                ("LAMBDA_CODE", r.lambda_code()),
            ] {
                if let Some(s) = state {
                    scans.insert(name.to_string(), s.status().as_str().to_string());
                }
            }
        }
        Ok(InspectorStatus { status, scans })
    }
}

impl SendOp for EnableInspector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .inspector2(&self.region)
            .enable()
            .account_ids(&self.account)
            .set_resource_types(Some(scan_types(&self.resource_types)));
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DisableInspector {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .inspector2(&self.region)
            .disable()
            .account_ids(&self.account)
            .set_resource_types(Some(scan_types(&self.resource_types)));
        aws.write(Self::ACTION, request.send()).await
    }
}

fn scan_types(types: &[String]) -> Vec<aws_sdk_inspector2::types::ResourceScanType> {
    types
        .iter()
        .map(|t| aws_sdk_inspector2::types::ResourceScanType::from(t.as_str()))
        .collect()
}

/// Enabled regions without an Amazon Inspector endpoint (the AWS SDKs'
/// endpoint data, November 2026).
const INSPECTOR_NOT_OFFERED: &[&str] = &["ap-southeast-6"];
