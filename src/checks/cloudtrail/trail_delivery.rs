//! Where the trails deliver: their log files encrypted with KMS, and their
//! SNS notifications reaching someone.

use super::*;

pub(super) fn encrypted(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let mut findings: Vec<Finding> = all
        .iter()
        .filter(|t| t.kms_key_id.is_none())
        .map(|t| {
            trail_finding(
                t,
                Status::Fail,
                owned_detail(inv, t, msg(ENCRYPTED, "no_key", &[])),
            )
        })
        .collect();
    for (b, ts) in trail_buckets(inv) {
        match &b.encryption {
            Fetched::Error(e) => findings.push(unreadable(b, e)),
            Fetched::Ready(Some(_)) => {}
            Fetched::Ready(None) => findings.push(bucket_finding(
                b,
                Status::Fail,
                msg(ENCRYPTED, "bucket", &[("trails", &trail_names(&ts))]),
            )),
        }
    }
    outcome(ENCRYPTED, findings, all.len())
}

/// Whether CloudTrail may publish trail `t`'s notifications to `topic`:
/// the topic policy must allow it SNS:Publish, and the topic's key must let
/// it encrypt (see `reach::key_reach`).
pub fn trail_publish(inv: &Inventory, t: &Trail, topic: &Topic) -> crate::checks::reach::Reach {
    use crate::checks::reach::{
        CLOUDTRAIL_PRINCIPAL, Grant, MESSAGES as CW, Publisher, Reach, key_reach, service_grant,
    };
    let by = Publisher {
        service: CLOUDTRAIL_PRINCIPAL,
        source_arn: Some(t.arn.clone()),
        source_account: t.owner_account().or(inv.account_id()).map(str::to_string),
    };
    let arn = topic.arn.as_str();
    let policy = match &topic.policy {
        None => Reach::Unchecked(msg(CW, "topic_policy_unread", &[("topic", arn)])),
        Some(p) => match service_grant(p, &by, &["SNS:Publish"]) {
            Grant::Allowed => Reach::Someone,
            Grant::Denied => Reach::Nobody(msg(
                SNS_NOTIFICATIONS,
                "policy_denies",
                &[("topic", arn), ("trail", &t.name)],
            )),
            Grant::Unsure(keys) => Reach::Unchecked(msg(
                SNS_NOTIFICATIONS,
                "policy_conditions",
                &[("topic", arn), ("conditions", &keys)],
            )),
        },
    };
    key_reach(topic, &by).and(policy)
}

/// How far trail `t`'s notifications to topic `arn` reach: CloudTrail must
/// be allowed to publish ([`trail_publish`]) and a confirmed subscription
/// must deliver them (see `reach::subscribers_reach`).
pub fn trail_topic_reach(inv: &Inventory, t: &Trail, arn: &str) -> crate::checks::reach::Reach {
    use crate::checks::reach::{find_topic, subscribers_reach};
    match find_topic(inv, arn) {
        Ok(topic) => subscribers_reach(topic, inv.account_id().unwrap_or_default())
            .and(trail_publish(inv, t, topic)),
        Err(r) => r,
    }
}

/// A trail passes when CloudTrail may publish to its topic and a confirmed
/// subscription delivers what it publishes: a topic nobody (or nobody yet)
/// receives, or one CloudTrail cannot use, announces log files to no one.
pub(super) fn sns_notifications(inv: &Inventory, _: &Ctx) -> Outcome {
    use crate::checks::reach::Reach;
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let mut pending: Vec<String> = vec![];
    let mut waiting = 0usize;
    let me = inv.identity.ready().map(|i| i.account.clone());
    // An organization trail seen from a member account is managed (and its
    // notifications read) in the account that owns it.
    let foreign = |t: &Trail| match (me.as_deref(), t.owner_account()) {
        (Some(me), Some(owner)) => me != owner,
        _ => false,
    };
    let findings: Vec<Finding> = all
        .iter()
        .filter_map(|t| match t.sns_topic_arn.as_deref() {
            _ if foreign(t) => Some(trail_finding(
                t,
                Status::Manual,
                msg(
                    SNS_NOTIFICATIONS,
                    "foreign",
                    &[("owner", t.owner_account().unwrap_or_default())],
                ),
            )),
            None | Some("") => Some(trail_finding(
                t,
                Status::Fail,
                msg(SNS_NOTIFICATIONS, "none", &[]),
            )),
            Some(arn) => {
                let reach = trail_topic_reach(inv, t, arn);
                if let Reach::Pending(e) = &reach {
                    pending.extend(e.iter().cloned());
                    waiting += 1;
                }
                reach.finding(trail_resource(t), Some(&t.home_region))
            }
        })
        .collect();
    let fails = findings.iter().filter(|f| f.status == Status::Fail).count();
    let manual = findings.iter().any(|f| f.status == Status::Manual);
    let unchecked = all.iter().any(|t| {
        !foreign(t)
            && findings
                .iter()
                .any(|f| f.status == Status::Manual && f.resource == trail_resource(t))
    });
    let mut out = outcome(SNS_NOTIFICATIONS, findings, all.len());
    if fails > 0 && fails == waiting {
        pending.sort();
        pending.dedup();
        out.summary = msg(
            SNS_NOTIFICATIONS,
            "pending_summary",
            &[("endpoints", &pending.join(", "))],
        );
    }
    if out.status == Status::Pass && manual {
        out.status = Status::Manual;
        let key = if unchecked {
            "unchecked_summary"
        } else {
            "foreign_summary"
        };
        out.summary = msg(SNS_NOTIFICATIONS, key, &[]);
    }
    out
}
