//! Whether an alarm's notifications reach someone, through the SNS topics
//! its actions name ([`crate::checks::reach`]).

use super::*;

/// Whether an alarm's actions notify someone. Only SNS topics notify: an
/// Auto Scaling, EC2 or Systems Manager action changes something, it
/// tells no one.
pub fn alarm_reach(inv: &Inventory, a: &MetricAlarm) -> Reach {
    if !a.actions_enabled {
        return Reach::Nobody(msg(SHARED, "actions_disabled", &[("alarm", &a.name)]));
    }
    let account = inv.account_id().unwrap_or_default().to_string();
    a.alarm_actions
        .iter()
        .map(|x| match topic_arn_parts(x) {
            Some((region, _, _)) => topic_reach(
                inv,
                x,
                &Publisher {
                    service: CLOUDWATCH_PRINCIPAL,
                    source_arn: Some(format!(
                        "arn:{}:cloudwatch:{region}:{account}:alarm:{}",
                        inv.partition(),
                        a.name
                    )),
                    source_account: Some(account.clone()),
                },
            ),
            None => Reach::Nobody(msg(SHARED, "not_a_topic", &[("action", x)])),
        })
        .reduce(Reach::or)
        .unwrap_or_else(|| Reach::Nobody(msg(SHARED, "no_actions", &[("alarm", &a.name)])))
}

/// The best reach among `alarms` (`None`: there is none).
pub(super) fn best_reach<'a>(
    inv: &Inventory,
    alarms: impl Iterator<Item = &'a MetricAlarm>,
) -> Option<Reach> {
    alarms.map(|a| alarm_reach(inv, a)).reduce(Reach::or)
}
