//! SNS reads: the topics of each region, their subscriptions and their keys.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{QueueAccess, Regional, Subscription, Topic, TopicKey};
use crate::aws::sqs::read::queue_arn_parts;
use serde_json::Value;
use std::collections::BTreeMap;

impl AwsBackend {
    pub(crate) async fn collect_sns_topics(&self) -> Result<Regional<Topic>, CallError> {
        // Alarms publish to topics in their own region.
        let regions = self.alarm_regions().await?;
        let mut topics = Regional {
            regions: crate::aws::client::in_regions(regions, |r| async move {
                self.topics_in(&r).await
            })
            .await,
        };
        self.read_endpoints(&mut topics).await;
        self.read_topic_keys(&mut topics).await;
        Ok(topics)
    }

    /// For each SQS queue of this account that a confirmed subscription
    /// delivers to, once per queue ARN: whether it still exists (GetQueueUrl)
    /// and who may send to it (GetQueueAttributes: `Policy`,
    /// `KmsMasterKeyId`). A queue of another account is not looked up.
    pub(crate) async fn read_endpoints(&self, topics: &mut Regional<Topic>) {
        let me = self.identity().account.clone();
        let mut queues: Vec<String> = topics
            .regions
            .values()
            .filter_map(|f| f.ready())
            .flatten()
            .flat_map(|t| t.confirmed())
            .filter(|s| s.protocol == "sqs")
            .filter(|s| s.endpoint.split(':').nth(4) == Some(me.as_str()))
            // A malformed ARN is not looked up: the check says it was not read.
            .filter(|s| queue_arn_parts(&s.endpoint).is_some())
            .map(|s| s.endpoint.clone())
            .collect();
        queues.sort();
        queues.dedup();
        let found = self
            .join_bounded(
                queues
                    .iter()
                    .filter_map(|arn| queue_arn_parts(arn))
                    .map(|(region, account, name)| self.read_queue(region, account, name)),
            )
            .await;
        let found: BTreeMap<&String, Result<Option<QueueAccess>, String>> =
            queues.iter().zip(found).collect();
        for t in topics
            .regions
            .values_mut()
            .filter_map(|f| f.ready_mut())
            .flatten()
        {
            for s in t.subscriptions.iter_mut().filter(|s| !s.pending) {
                match found.get(&s.endpoint) {
                    Some(Ok(q)) => {
                        s.endpoint_exists = Some(q.is_some());
                        s.queue = q.clone();
                    }
                    Some(Err(e)) => s.unread = Some(e.clone()),
                    None => {}
                }
            }
        }
    }

    /// The key of each encrypted topic and of each queue a confirmed
    /// subscription delivers to: AWS managed keys (`aws/sns`, `aws/sqs`)
    /// are known by their alias; any other is described (DescribeKey) and,
    /// when customer managed, its key policy read (GetKeyPolicy), once per
    /// key and region.
    pub(crate) async fn read_topic_keys(&self, topics: &mut Regional<Topic>) {
        // A queue's key lives in the queue's region.
        let queue_region = |s: &Subscription| s.endpoint.split(':').nth(3).map(str::to_string);
        let mut keys: Vec<(String, String)> = vec![];
        for (region, f) in topics.regions.iter() {
            for t in f.ready().into_iter().flatten() {
                if let Some(k) = t.key.as_ref().filter(|k| !k.is_aws_managed()) {
                    keys.push((region.clone(), k.id.clone()));
                }
                for s in t.confirmed() {
                    let k = s.queue.as_ref().and_then(|q| q.key.as_ref());
                    if let (Some(k), Some(r)) = (k.filter(|k| !k.is_aws_managed()), queue_region(s))
                    {
                        keys.push((r, k.id.clone()));
                    }
                }
            }
        }
        keys.sort();
        keys.dedup();
        let read = self
            .join_bounded(
                keys.iter()
                    .map(|(region, id)| async move { self.read_key(region, id).await }),
            )
            .await;
        let read: BTreeMap<&(String, String), Result<TopicKey, CallError>> =
            keys.iter().zip(read).collect();
        let fill = |k: &mut TopicKey, region: String| match read.get(&(region, k.id.clone())) {
            Some(Ok(x)) => *k = x.clone(),
            Some(Err(e)) => k.unread = Some(e.summary()),
            None => {}
        };
        for (region, f) in topics.regions.iter_mut() {
            for t in f.ready_mut().into_iter().flatten() {
                if let Some(k) = t.key.as_mut() {
                    fill(k, region.clone());
                }
                for s in t.subscriptions.iter_mut().filter(|s| !s.pending) {
                    let r = queue_region(s);
                    if let (Some(k), Some(r)) = (s.queue.as_mut().and_then(|q| q.key.as_mut()), r) {
                        fill(k, r);
                    }
                }
            }
        }
    }

    pub(crate) async fn topics_in(&self, region: &str) -> Result<Vec<Topic>, CallError> {
        let sns = self.sns(region);
        let pages = sns.list_topics().into_paginator().send().try_collect();
        let arns: Vec<String> = self
            .send("sns:ListTopics", pages)
            .await?
            .iter()
            .flat_map(|out| out.topics())
            .filter_map(|t| t.topic_arn())
            .map(str::to_string)
            .collect();
        // Each topic's attributes and its subscriptions: ListSubscriptionsByTopic
        // gives the topic owner every subscription, including those made by
        // other accounts (ListSubscriptions gives only the caller's own).
        let reads = self
            .join_bounded(arns.iter().map(|arn| {
                let sns = &sns;
                async move {
                    let attrs = self
                        .send(
                            "sns:GetTopicAttributes",
                            sns.get_topic_attributes().topic_arn(arn).send(),
                        )
                        .await?;
                    let subs = self.topic_subscriptions(sns, arn).await?;
                    Ok::<_, CallError>((attrs, subs))
                }
            }))
            .await;
        let mut topics = vec![];
        for (arn, read) in arns.iter().zip(reads) {
            let (a, mut subscriptions) = match read {
                Ok(r) => r,
                // Deleted between the list and the read.
                Err(e) if e.is_code("NotFound") => continue,
                Err(e) => return Err(e),
            };
            let policy = a
                .attributes()
                .and_then(|m| m.get("Policy"))
                .and_then(|p| serde_json::from_str::<Value>(p).ok());
            let key = a
                .attributes()
                .and_then(|m| m.get("KmsMasterKeyId"))
                .filter(|k| !k.trim().is_empty())
                .map(|k| TopicKey {
                    id: k.clone(),
                    ..TopicKey::default()
                });
            subscriptions
                .sort_by(|a, b| (&a.protocol, &a.endpoint).cmp(&(&b.protocol, &b.endpoint)));
            topics.push(Topic {
                name: arn.rsplit(':').next().unwrap_or(arn).to_string(),
                arn: arn.clone(),
                policy,
                subscriptions,
                key,
            });
        }
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(topics)
    }

    /// Every subscription of one topic (ListSubscriptionsByTopic, paged).
    /// A subscription waiting for its endpoint to confirm has the
    /// `SubscriptionArn` `PendingConfirmation`; one being removed
    /// (`Deleted`) receives nothing and is left out.
    pub(crate) async fn topic_subscriptions(
        &self,
        sns: &aws_sdk_sns::Client,
        arn: &str,
    ) -> Result<Vec<Subscription>, CallError> {
        let mut subs = vec![];
        let list = sns.list_subscriptions_by_topic().topic_arn(arn);
        let list = list.into_paginator().send().try_collect();
        let pages = self.send("sns:ListSubscriptionsByTopic", list).await?;
        for s in pages.iter().flat_map(|out| out.subscriptions()) {
            let (Some(p), Some(e)) = (s.protocol(), s.endpoint()) else {
                continue;
            };
            let state = s.subscription_arn().unwrap_or_default();
            let pending = if state.starts_with("arn:") {
                false
            } else if state.eq_ignore_ascii_case("PendingConfirmation")
                || state.eq_ignore_ascii_case("pending confirmation")
            {
                true
            } else {
                continue;
            };
            subs.push((
                (!pending).then(|| state.to_string()),
                Subscription {
                    protocol: p.to_string(),
                    endpoint: e.to_string(),
                    pending,
                    ..Subscription::default()
                },
            ));
        }
        // A confirmed subscription's filter policy decides what it receives
        // (GetSubscriptionAttributes, one call each).
        let attrs = self
            .join_bounded(subs.iter().map(|(sub_arn, _)| async move {
                match sub_arn {
                    Some(a) => Some(
                        self.send(
                            "sns:GetSubscriptionAttributes",
                            sns.get_subscription_attributes().subscription_arn(a).send(),
                        )
                        .await,
                    ),
                    None => None,
                }
            }))
            .await;
        let mut out = vec![];
        for ((_, mut sub), read) in subs.into_iter().zip(attrs) {
            match read {
                None => {}
                Some(Ok(a)) => {
                    let m = a.attributes();
                    let get = |k: &str| m.and_then(|m| m.get(k)).filter(|v| !v.trim().is_empty());
                    sub.filter_policy = get("FilterPolicy").map(|p| {
                        serde_json::from_str::<Value>(p).unwrap_or(Value::String(p.clone()))
                    });
                    sub.filter_scope = get("FilterPolicyScope").cloned();
                }
                // Removed since it was listed.
                Some(Err(e)) if e.is_code("NotFound") => continue,
                Some(Err(e)) => sub.unread = Some(e.summary()),
            }
            out.push(sub);
        }
        Ok(out)
    }

    pub(crate) fn topic_arn(&self, region: &str, name: &str) -> String {
        format!(
            "arn:{}:sns:{region}:{}:{name}",
            self.identity().partition(),
            self.identity().account
        )
    }
}
