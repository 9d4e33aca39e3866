//! CloudWatch's mutating calls, one type each (see [`OpKind`]).
//!
//! The alarm ops are generic (any namespace, metric, dimensions, threshold
//! and actions): other items (e.g. RDS connection alarms) build them with
//! their own [`MetricAlarm`].

use crate::aws::inventory::{ApplyError, CloudWatchRef, Inventory, MetricAlarm, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn alarm_ref(region: &str, name: &str) -> ResourceRef {
    ResourceRef::CloudWatch(CloudWatchRef::Alarm {
        region: region.to_string(),
        name: name.to_string(),
    })
}

/// cloudwatch:PutMetricAlarm (creates or replaces the alarm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutMetricAlarm {
    pub region: String,
    pub alarm: Box<MetricAlarm>,
}

impl OpKind for PutMetricAlarm {
    const ACTION: &'static str = "cloudwatch:PutMetricAlarm";

    fn resource(&self) -> ResourceRef {
        alarm_ref(&self.region, &self.alarm.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let alarm = &self.alarm;
        format!(
            "set CloudWatch alarm {} in {} ({} {} {})",
            alarm.name, self.region, alarm.metric_name, alarm.comparison_operator, alarm.threshold
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let alarm = &self.alarm;
        let alarms = inv
            .metric_alarms
            .region_or_new_mut("CloudWatch alarms", &self.region)?;
        match alarms.iter_mut().find(|a| a.name == alarm.name) {
            Some(a) => *a = (**alarm).clone(),
            None => alarms.push((**alarm).clone()),
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let region = &self.region;
        Some(vec![match before
            .metric_alarms
            .region(region)?
            .iter()
            .find(|a| a.name == self.alarm.name)
        {
            Some(prev) => PutMetricAlarm {
                region: region.clone(),
                alarm: Box::new(prev.clone()),
            }
            .into(),
            None => DeleteMetricAlarm {
                region: region.clone(),
                name: self.alarm.name.clone(),
            }
            .into(),
        }])
    }
}

/// cloudwatch:DeleteAlarms of one alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteMetricAlarm {
    pub region: String,
    pub name: String,
}

impl OpKind for DeleteMetricAlarm {
    const ACTION: &'static str = "cloudwatch:DeleteAlarms";

    fn resource(&self) -> ResourceRef {
        alarm_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("delete CloudWatch alarm {} in {}", self.name, self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let alarms = inv
            .metric_alarms
            .region_or_new_mut("CloudWatch alarms", &self.region)?;
        let before = alarms.len();
        alarms.retain(|a| a.name != *name);
        if alarms.len() == before {
            return Err(ApplyError::NoSuch(format!("alarm {name}")));
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let prev = before
            .metric_alarms
            .region(&self.region)?
            .iter()
            .find(|a| a.name == self.name)?;
        Some(vec![
            PutMetricAlarm {
                region: self.region.clone(),
                alarm: Box::new(prev.clone()),
            }
            .into(),
        ])
    }
}
