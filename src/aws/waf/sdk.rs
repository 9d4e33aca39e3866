//! AWS WAF's SDK calls: the regional client.

use crate::collect::aws::AwsBackend;

impl AwsBackend {
    pub(crate) fn wafv2_client(&self, region: &str) -> aws_sdk_wafv2::Client {
        self.client("wafv2", region, |sdk, region, partition| {
            aws_sdk_wafv2::Client::from_conf(
                aws_sdk_wafv2::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }
}
