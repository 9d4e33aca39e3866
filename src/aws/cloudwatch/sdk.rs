//! CloudWatch's SDK calls: the requests each op sends.

use super::ops::{DeleteMetricAlarm, PutMetricAlarm};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::op::OpKind;

impl SendOp for PutMetricAlarm {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        use aws_sdk_cloudwatch::types::{
            ComparisonOperator, Dimension as CwDimension, StandardUnit, Statistic,
        };
        let alarm = &self.alarm;
        // moat keeps only the metrics of a metric-math alarm, not
        // its expressions: it never writes one back.
        if alarm.is_math() {
            return Err(CallError::new(
                Self::ACTION,
                None,
                format!("alarm {} uses metric math", alarm.name),
            ));
        }
        let mut r = aws
            .cloudwatch(&self.region)
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .set_alarm_description(alarm.description.clone())
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric_name)
            .set_statistic(
                (!alarm.statistic.is_empty()).then(|| Statistic::from(alarm.statistic.as_str())),
            )
            .set_extended_statistic(alarm.extended_statistic.clone())
            .period(alarm.period)
            .evaluation_periods(alarm.evaluation_periods)
            .set_datapoints_to_alarm(alarm.datapoints_to_alarm)
            .threshold(alarm.threshold.0)
            .comparison_operator(ComparisonOperator::from(alarm.comparison_operator.as_str()))
            .set_alarm_actions(Some(alarm.alarm_actions.clone()))
            .actions_enabled(alarm.actions_enabled)
            .set_treat_missing_data(alarm.treat_missing_data.clone())
            .set_unit(alarm.unit.as_deref().map(StandardUnit::from));
        for d in &alarm.dimensions {
            r = r.dimensions(CwDimension::builder().name(&d.name).value(&d.value).build());
        }
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for DeleteMetricAlarm {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .cloudwatch(&self.region)
            .delete_alarms()
            .alarm_names(&self.name);
        aws.write(Self::ACTION, r.send()).await
    }
}
