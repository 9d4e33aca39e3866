//! CloudWatch reads: the metric alarms of each region and the billing metrics.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{
    BillingMetrics, Dimension, MathMetric, MetricAlarm, Regional, Threshold,
};

/// An alarm's or a metric's dimensions, as the inventory holds them.
pub(crate) fn dimensions(ds: &[aws_sdk_cloudwatch::types::Dimension]) -> Vec<Dimension> {
    ds.iter()
        .map(|d| Dimension {
            name: d.name().unwrap_or_default().to_string(),
            value: d.value().unwrap_or_default().to_string(),
        })
        .collect()
}

impl AwsBackend {
    /// Where alarms and their topics are read: the session regions, us-east-1
    /// (billing metrics exist only there) and every scanned region (an RDS
    /// instance's alarm lives in the instance's region).
    pub(crate) async fn alarm_regions(&self) -> Result<Vec<String>, CallError> {
        let mut regions = self.trail_regions(&["us-east-1"]).await?;
        regions.extend(self.regions().await?);
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    pub(crate) async fn collect_metric_alarms(&self) -> Result<Regional<MetricAlarm>, CallError> {
        let regions = self.alarm_regions().await?;
        Ok(Regional {
            regions: crate::aws::client::in_regions(regions, |r| async move {
                self.alarms_in(&r).await
            })
            .await,
        })
    }

    pub(crate) async fn alarms_in(&self, region: &str) -> Result<Vec<MetricAlarm>, CallError> {
        let cw = self.cloudwatch(region);
        let mut out = vec![];
        let pages = cw.describe_alarms().into_paginator().send().try_collect();
        for page in self.send("cloudwatch:DescribeAlarms", pages).await? {
            for a in page.metric_alarms() {
                let Some(name) = a.alarm_name() else {
                    continue;
                };
                // An alarm on metric math has no single metric: its metrics
                // are kept so that the checks can name it as not judged.
                let math_metrics: Vec<MathMetric> = a
                    .metrics()
                    .iter()
                    .filter_map(|q| q.metric_stat()?.metric())
                    .map(|m| MathMetric {
                        namespace: m.namespace().unwrap_or_default().to_string(),
                        metric_name: m.metric_name().unwrap_or_default().to_string(),
                        dimensions: dimensions(m.dimensions()),
                    })
                    .collect();
                let single = a.namespace().zip(a.metric_name());
                if single.is_none() && math_metrics.is_empty() {
                    continue;
                }
                let (namespace, metric) = single.unwrap_or_default();
                let mut actions: Vec<String> = a.alarm_actions().to_vec();
                actions.sort();
                out.push(MetricAlarm {
                    name: name.to_string(),
                    description: a.alarm_description().map(str::to_string),
                    namespace: namespace.to_string(),
                    metric_name: metric.to_string(),
                    dimensions: dimensions(a.dimensions()),
                    statistic: a
                        .statistic()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    extended_statistic: a.extended_statistic().map(str::to_string),
                    period: a.period().unwrap_or_default(),
                    evaluation_periods: a.evaluation_periods().unwrap_or_default(),
                    datapoints_to_alarm: a.datapoints_to_alarm(),
                    threshold: Threshold(a.threshold().unwrap_or_default()),
                    comparison_operator: a
                        .comparison_operator()
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    alarm_actions: actions,
                    actions_enabled: a.actions_enabled().unwrap_or(true),
                    treat_missing_data: a.treat_missing_data().map(str::to_string),
                    math_metrics,
                    unit: a.unit().map(|u| u.as_str().to_string()),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The `EstimatedCharges` metrics of us-east-1 (one ListMetrics call:
    /// whether any exists is what counts).
    pub(crate) async fn collect_billing_metrics(&self) -> Result<BillingMetrics, CallError> {
        let page = self
            .send(
                "cloudwatch:ListMetrics",
                self.cloudwatch("us-east-1")
                    .list_metrics()
                    .namespace("AWS/Billing")
                    .metric_name("EstimatedCharges")
                    .send(),
            )
            .await?;
        let metrics = page
            .metrics()
            .iter()
            .map(|m| {
                m.dimensions()
                    .iter()
                    .map(|d| Dimension {
                        name: d.name().unwrap_or_default().to_string(),
                        value: d.value().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .collect();
        Ok(BillingMetrics { metrics })
    }
}
