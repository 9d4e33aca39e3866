//! CloudTrail collector (trails visible from the home region).

use super::AwsBackend;
use super::error::CallError;
use crate::inventory::Trail;

impl AwsBackend {
    pub(super) async fn collect_trails(&self) -> Result<Vec<Trail>, CallError> {
        Err(CallError::new(
            "cloudtrail:DescribeTrails",
            None,
            "not implemented yet",
        ))
    }
}
