//! AWS WAF's SDK calls: the regional client and the web ACL of a resource.

use crate::aws::client::{AwsBackend, CallError};

impl AwsBackend {
    /// The regional web ACL protecting a resource (`None`: none).
    pub(crate) async fn web_acl(
        &self,
        waf: &aws_sdk_wafv2::Client,
        resource_arn: &str,
    ) -> Result<Option<String>, CallError> {
        match self
            .send(
                "wafv2:GetWebACLForResource",
                waf.get_web_acl_for_resource()
                    .resource_arn(resource_arn)
                    .send(),
            )
            .await
        {
            Ok(out) => Ok(out.web_acl().map(|a| a.arn().to_string())),
            // Deleted between the listing and this read: no web ACL.
            Err(e) if e.is_code("WAFNonexistentItemException") => Ok(None),
            Err(e) => Err(e),
        }
    }
}
