//! CloudWatch Logs' SDK calls: the requests each op sends.

use super::ops::{DeleteMetricFilter, PutMetricFilter};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::op::OpKind;

impl SendOp for PutMetricFilter {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let filter = &self.filter;
        let mut t = aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
            .metric_name(&filter.metric_name)
            .metric_namespace(&filter.metric_namespace)
            .metric_value(&filter.metric_value)
            .set_unit(
                filter
                    .unit
                    .as_deref()
                    .map(aws_sdk_cloudwatchlogs::types::StandardUnit::from),
            )
            .set_default_value(filter.default_value.map(|d| d.0));
        for d in &filter.dimensions {
            t = t.dimensions(&d.name, &d.value);
        }
        let t = t
            .build()
            .map_err(|e| CallError::new(Self::ACTION, None, e.to_string()))?;
        let r = aws
            .logs(&self.region)
            .put_metric_filter()
            .log_group_name(&filter.log_group)
            .filter_name(&filter.name)
            .filter_pattern(&filter.pattern)
            .metric_transformations(t);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for DeleteMetricFilter {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .logs(&self.region)
            .delete_metric_filter()
            .log_group_name(&self.log_group)
            .filter_name(&self.name);
        aws.write(Self::ACTION, r.send()).await
    }
}
