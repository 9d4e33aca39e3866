//! CloudWatch Logs' mutating calls, one type each (see [`OpKind`]).
//!
//! The metric-filter ops are generic (any log group, pattern and metric).

use crate::aws::inventory::{ApplyError, Inventory, LogsRef, MetricFilter, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn filter_ref(region: &str, log_group: &str, name: &str) -> ResourceRef {
    ResourceRef::Logs(LogsRef::MetricFilter {
        region: region.to_string(),
        log_group: log_group.to_string(),
        name: name.to_string(),
    })
}

/// logs:PutMetricFilter (creates or replaces the filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutMetricFilter {
    pub region: String,
    pub filter: Box<MetricFilter>,
}

impl OpKind for PutMetricFilter {
    const ACTION: &'static str = "logs:PutMetricFilter";

    fn resource(&self) -> ResourceRef {
        filter_ref(&self.region, &self.filter.log_group, &self.filter.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "set metric filter {} on log group {}",
            self.filter.name, self.filter.log_group
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let filter = &self.filter;
        let filters = inv
            .metric_filters
            .region_or_new_mut("metric filters", &self.region)?;
        match filters
            .iter_mut()
            .find(|f| f.log_group == filter.log_group && f.name == filter.name)
        {
            Some(f) => *f = (**filter).clone(),
            None => filters.push((**filter).clone()),
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let (region, filter) = (&self.region, &self.filter);
        Some(vec![match before
            .metric_filters
            .region(region)?
            .iter()
            .find(|f| f.log_group == filter.log_group && f.name == filter.name)
        {
            Some(prev) => PutMetricFilter {
                region: region.clone(),
                filter: Box::new(prev.clone()),
            }
            .into(),
            None => DeleteMetricFilter {
                region: region.clone(),
                log_group: filter.log_group.clone(),
                name: filter.name.clone(),
            }
            .into(),
        }])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteMetricFilter {
    pub region: String,
    pub log_group: String,
    pub name: String,
}

impl OpKind for DeleteMetricFilter {
    const ACTION: &'static str = "logs:DeleteMetricFilter";

    fn resource(&self) -> ResourceRef {
        filter_ref(&self.region, &self.log_group, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "delete metric filter {} from log group {}",
            self.name, self.log_group
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let DeleteMetricFilter {
            region,
            log_group,
            name,
        } = self;
        let filters = inv
            .metric_filters
            .region_or_new_mut("metric filters", region)?;
        let before = filters.len();
        filters.retain(|f| !(f.log_group == *log_group && f.name == *name));
        if filters.len() == before {
            return Err(ApplyError::NoSuch(format!("metric filter {name}")));
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let prev = before
            .metric_filters
            .region(&self.region)?
            .iter()
            .find(|f| f.log_group == self.log_group && f.name == self.name)?;
        Some(vec![
            PutMetricFilter {
                region: self.region.clone(),
                filter: Box::new(prev.clone()),
            }
            .into(),
        ])
    }
}
