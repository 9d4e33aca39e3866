//! CloudTrail collector (trails visible from the home region: its own and the
//! multi-region trails of other regions, as shadow trails), with each trail's
//! logging status.

use super::AwsBackend;
use super::error::CallError;
use crate::inventory::Trail;

const DESCRIBE_TRAILS: &str = "cloudtrail:DescribeTrails";

impl AwsBackend {
    pub(super) async fn collect_trails(&self) -> Result<Vec<Trail>, CallError> {
        let request = self
            .cloudtrail
            .describe_trails()
            .include_shadow_trails(true);
        let out = self.send(DESCRIBE_TRAILS, request.send()).await?;
        let mut trails: Vec<Trail> = Vec::new();
        for t in out.trail_list() {
            let trail = trail_from(t, &self.region);
            if !trails.iter().any(|x| x.arn == trail.arn) {
                trails.push(trail);
            }
        }
        // Each trail's status, from its home region, concurrently.
        let status = futures::future::try_join_all(
            trails
                .iter()
                .map(|t| self.trail_is_logging(&t.arn, &t.home_region)),
        )
        .await?;
        for (t, logging) in trails.iter_mut().zip(status) {
            t.is_logging = logging;
        }
        trails.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        Ok(trails)
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty()).map(str::to_string)
}

fn trail_from(t: &aws_sdk_cloudtrail::types::Trail, home: &str) -> Trail {
    let name = t.name().unwrap_or_default().to_string();
    Trail {
        arn: non_empty(t.trail_arn()).unwrap_or_else(|| name.clone()),
        name,
        home_region: non_empty(t.home_region()).unwrap_or_else(|| home.to_string()),
        s3_bucket: non_empty(t.s3_bucket_name()),
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: non_empty(t.kms_key_id()),
        cloudwatch_logs_log_group_arn: non_empty(t.cloud_watch_logs_log_group_arn()),
        is_logging: false,
        sns_topic_arn: non_empty(t.sns_topic_arn()),
    }
}
