//! CloudWatch Logs reads: the metric filters of each region.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{Dimension, MetricFilter, Regional, Threshold};

impl AwsBackend {
    pub(crate) async fn collect_metric_filters(&self) -> Result<Regional<MetricFilter>, CallError> {
        self.in_trail_regions(&[], |r| async move { self.filters_in(&r).await })
            .await
    }

    pub(crate) async fn filters_in(&self, region: &str) -> Result<Vec<MetricFilter>, CallError> {
        let logs = self.logs(region);
        let mut out = vec![];
        let pages = logs.describe_metric_filters().into_paginator().send();
        let pages = pages.try_collect();
        for page in self.send("logs:DescribeMetricFilters", pages).await? {
            for f in page.metric_filters() {
                let (Some(group), Some(name)) = (f.log_group_name(), f.filter_name()) else {
                    continue;
                };
                let Some(t) = f.metric_transformations().first() else {
                    continue;
                };
                out.push(MetricFilter {
                    log_group: group.to_string(),
                    name: name.to_string(),
                    pattern: f.filter_pattern().unwrap_or_default().to_string(),
                    metric_namespace: t.metric_namespace().to_string(),
                    metric_name: t.metric_name().to_string(),
                    metric_value: t.metric_value().to_string(),
                    dimensions: {
                        let mut d: Vec<Dimension> = t
                            .dimensions()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| Dimension {
                                name: k.clone(),
                                value: v.clone(),
                            })
                            .collect();
                        d.sort_by(|a, b| a.name.cmp(&b.name));
                        d
                    },
                    unit: t.unit().map(|u| u.as_str().to_string()),
                    default_value: t.default_value().map(Threshold),
                });
            }
        }
        out.sort_by(|a, b| (&a.log_group, &a.name).cmp(&(&b.log_group, &b.name)));
        Ok(out)
    }
}
