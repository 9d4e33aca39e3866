//! CloudTrail, CloudWatch, CloudWatch Logs, SNS and KMS: collectors of the
//! group's parts.
//!
//! Regional parts are read in every region concurrently; a region that
//! fails is recorded as that region's error and does not fail the others.

use crate::aws::client::{AwsBackend, CallError};
use crate::inventory::{
    AuditRegions, BillingMetrics, BucketLifecycle, BucketLifecycles, Dimension, Expiration,
    Fetched, KmsKey, LifecycleFilter, LifecycleRule, MathMetric, MetricAlarm, MetricFilter,
    NoncurrentExpiration, NoncurrentTransition, QueueAccess, Regional, Subscription, Tag,
    Threshold, Topic, TopicKey, Transition,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use futures::future::join_all;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;

/// The alias prefix of keys moat creates: their policy is read too.
const MOAT_ALIAS: &str = "alias/moat-";

fn bad_input(action: &str, what: impl std::fmt::Display) -> CallError {
    CallError::new(action, None, what.to_string())
}

/// `arn:PARTITION:sqs:REGION:ACCOUNT:NAME` → (region, account, name).
fn queue_arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    match p.as_slice() {
        ["arn", _, "sqs", region, account, name]
            if !region.is_empty() && !account.is_empty() && !name.is_empty() =>
        {
            Some((*region, *account, *name))
        }
        _ => None,
    }
}

impl AwsBackend {
    /// The regions this group reads: the session's (`--region`, else the
    /// home region), every trail's home region and log group region, and
    /// `extra`. Trails decide where CloudTrail, its keys, topics, log groups
    /// and alarms live, so the enabled regions are not all listed: a scan of
    /// every region for alarms and topics would cost dozens of requests for
    /// nothing any item reads.
    async fn audit_regions(&self, extra: &[&str]) -> Result<Vec<String>, CallError> {
        let mut regions: Vec<String> = if self.scan_regions().is_empty() {
            vec![self.region().to_string()]
        } else {
            self.scan_regions().to_vec()
        };
        let out = self
            .send(
                "cloudtrail:DescribeTrails",
                self.home_cloudtrail()
                    .describe_trails()
                    .include_shadow_trails(true)
                    .send(),
            )
            .await?;
        for t in out.trail_list() {
            regions.extend(t.home_region().map(str::to_string));
            regions.extend(
                t.cloud_watch_logs_log_group_arn()
                    .and_then(|a| a.split(':').nth(3))
                    .map(str::to_string),
            );
        }
        regions.extend(extra.iter().map(|r| r.to_string()));
        regions.retain(|r| !r.trim().is_empty());
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    /// Read `f` in every region of [`Self::audit_regions`] concurrently,
    /// keeping each region's error.
    async fn audit_per_region<'a, T, F, Fut>(
        &'a self,
        extra: &[&str],
        f: F,
    ) -> Result<Regional<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<Vec<T>, CallError>> + 'a,
    {
        let regions = self.audit_regions(extra).await?;
        Ok(crate::aws::client::in_regions(regions, f)
            .await
            .into_iter()
            .collect())
    }

    pub(super) async fn collect_audit_regions(&self) -> Result<AuditRegions, CallError> {
        Ok(AuditRegions {
            home: self.region().to_string(),
            regions: self.audit_regions(&[]).await?,
        })
    }

    /// Whether a trail is logging (GetTrailStatus in its home region, by ARN).
    pub(super) async fn trail_is_logging(&self, arn: &str, home: &str) -> Result<bool, CallError> {
        let out = self
            .send(
                "cloudtrail:GetTrailStatus",
                self.cloudtrail(home).get_trail_status().name(arn).send(),
            )
            .await?;
        Ok(out.is_logging().unwrap_or(false))
    }

    // -- Lifecycle rules of the trail buckets

    pub(super) async fn collect_trail_lifecycles(&self) -> Result<BucketLifecycles, CallError> {
        let out = self
            .send(
                "cloudtrail:DescribeTrails",
                self.home_cloudtrail()
                    .describe_trails()
                    .include_shadow_trails(true)
                    .send(),
            )
            .await?;
        let mut names: Vec<String> = out
            .trail_list()
            .iter()
            .filter_map(|t| t.s3_bucket_name())
            .filter(|b| !b.trim().is_empty())
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        // Only this account's buckets (a trail may write to another account's).
        let owned = self.owned_buckets().await?;
        let reads = names
            .into_iter()
            .filter_map(|n| owned.get(&n).map(|r| (n, r.clone())))
            .map(|(name, region)| async move {
                let region = match region {
                    Some(r) => r,
                    None => self.bucket_region(&name).await?,
                };
                let (rules, min_size) = match self.lifecycle_rules(&name, &region).await {
                    Ok((rules, min_size)) => (Ok(rules), min_size),
                    Err(e) => (Err(e), None),
                };
                Ok::<_, CallError>((
                    name,
                    BucketLifecycle {
                        region,
                        rules: Fetched::from(rules),
                        transition_default_minimum_object_size: min_size,
                    },
                ))
            });
        let mut out = BTreeMap::new();
        for r in join_all(reads).await {
            let (name, l) = r?;
            out.insert(name, l);
        }
        Ok(out)
    }

    /// Buckets this account owns, with their region when ListBuckets gives it.
    async fn owned_buckets(&self) -> Result<BTreeMap<String, Option<String>>, CallError> {
        let s3 = self.s3(self.region());
        let mut out = BTreeMap::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    "s3:ListAllMyBuckets",
                    s3.list_buckets()
                        .set_continuation_token(token.clone())
                        .send(),
                )
                .await?;
            for b in page.buckets() {
                if let Some(n) = b.name() {
                    out.insert(
                        n.to_string(),
                        b.bucket_region()
                            .map(str::to_string)
                            .filter(|r| !r.is_empty()),
                    );
                }
            }
            match page.continuation_token() {
                Some(t) if Some(t) != token.as_deref() && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok(out)
    }

    async fn bucket_region(&self, name: &str) -> Result<String, CallError> {
        let out = self
            .send(
                "s3:GetBucketLocation",
                self.s3(self.region())
                    .get_bucket_location()
                    .bucket(name)
                    .send(),
            )
            .await?;
        Ok(match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(r) => r.to_string(),
        })
    }

    /// A bucket's lifecycle rules and its default minimum object size for
    /// transitions (the `x-amz-transition-default-minimum-object-size`
    /// response header); no configuration = no rules and no setting.
    async fn lifecycle_rules(
        &self,
        bucket: &str,
        region: &str,
    ) -> Result<(Vec<LifecycleRule>, Option<String>), CallError> {
        let r = self
            .send(
                "s3:GetLifecycleConfiguration",
                self.s3(region)
                    .get_bucket_lifecycle_configuration()
                    .bucket(bucket)
                    .send(),
            )
            .await;
        match r {
            Ok(out) => Ok((
                out.rules().iter().map(rule_from).collect(),
                out.transition_default_minimum_object_size()
                    .map(|m| m.as_str().to_string())
                    .filter(|m| !m.is_empty()),
            )),
            Err(e) if e.is_code("NoSuchLifecycleConfiguration") => Ok((vec![], None)),
            Err(e) => Err(e),
        }
    }

    // -- KMS

    pub(super) async fn collect_kms_keys(&self) -> Result<Regional<KmsKey>, CallError> {
        self.audit_per_region(&[], |r| async move { self.kms_keys_in(&r).await })
            .await
    }

    async fn kms_keys_in(&self, region: &str) -> Result<Vec<KmsKey>, CallError> {
        let kms = self.kms(region);
        let account = &self.identity().account;
        let mut keys = vec![];
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .send(
                    "kms:ListAliases",
                    kms.list_aliases().set_marker(marker.clone()).send(),
                )
                .await?;
            for a in out.aliases() {
                let (Some(alias), Some(key_id)) = (a.alias_name(), a.target_key_id()) else {
                    continue;
                };
                if alias.starts_with("alias/aws/") {
                    continue;
                }
                keys.push(KmsKey {
                    alias: alias.to_string(),
                    key_id: key_id.to_string(),
                    arn: format!(
                        "arn:{}:kms:{region}:{account}:key/{key_id}",
                        self.identity().partition()
                    ),
                    state: String::new(),
                    description: String::new(),
                    policy: None,
                });
            }
            match (out.truncated(), out.next_marker()) {
                (true, Some(m)) if marker.as_deref() != Some(m) => marker = Some(m.to_string()),
                _ => break,
            }
        }
        // Moat's own keys: state, description and key policy.
        for k in keys.iter_mut().filter(|k| k.alias.starts_with(MOAT_ALIAS)) {
            let d = self
                .send(
                    "kms:DescribeKey",
                    kms.describe_key().key_id(&k.key_id).send(),
                )
                .await?;
            if let Some(m) = d.key_metadata() {
                k.state = m
                    .key_state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default();
                k.description = m.description().unwrap_or_default().to_string();
                if let Some(arn) = m.arn() {
                    k.arn = arn.to_string();
                }
            }
            let p = self
                .send(
                    "kms:GetKeyPolicy",
                    kms.get_key_policy()
                        .key_id(&k.key_id)
                        .policy_name("default")
                        .send(),
                )
                .await?;
            k.policy = p
                .policy()
                .and_then(|s| serde_json::from_str::<Value>(s).ok());
        }
        keys.sort_by(|a, b| a.alias.cmp(&b.alias));
        Ok(keys)
    }

    // -- SNS

    pub(super) async fn collect_sns_topics(&self) -> Result<Regional<Topic>, CallError> {
        // Alarms publish to topics in their own region.
        let regions = self.alarm_regions().await?;
        let mut topics =
            crate::aws::client::in_regions(regions, |r| async move { self.topics_in(&r).await })
                .await;
        self.read_endpoints(&mut topics).await;
        self.read_topic_keys(&mut topics).await;
        Ok(topics)
    }

    /// For each SQS queue of this account that a confirmed subscription
    /// delivers to, once per queue ARN: whether it still exists (GetQueueUrl)
    /// and who may send to it (GetQueueAttributes: `Policy`,
    /// `KmsMasterKeyId`). A queue of another account is not looked up.
    async fn read_endpoints(&self, topics: &mut Regional<Topic>) {
        let me = self.identity().account.clone();
        let mut queues: Vec<String> = topics
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
        let found = join_all(
            queues
                .iter()
                .filter_map(|arn| queue_arn_parts(arn))
                .map(|(region, account, name)| self.read_queue(region, account, name)),
        )
        .await;
        let found: BTreeMap<&String, Result<Option<QueueAccess>, String>> =
            queues.iter().zip(found).collect();
        for t in topics.values_mut().filter_map(|f| f.ready_mut()).flatten() {
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

    /// Queue `name` of `account` in `region`: `None` when it does not
    /// exist; `Err` says why it could not be read.
    async fn read_queue(
        &self,
        region: &str,
        account: &str,
        name: &str,
    ) -> Result<Option<QueueAccess>, String> {
        use aws_sdk_sqs::types::QueueAttributeName;
        let sqs = self.sqs(region);
        let gone = |e: &CallError| {
            e.is_code("AWS.SimpleQueueService.NonExistentQueue") || e.is_code("QueueDoesNotExist")
        };
        let url = match self
            .send(
                "sqs:GetQueueUrl",
                sqs.get_queue_url()
                    .queue_name(name)
                    .queue_owner_aws_account_id(account)
                    .send(),
            )
            .await
        {
            Ok(out) => out.queue_url().unwrap_or_default().to_string(),
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.summary()),
        };
        let attrs = match self
            .send(
                "sqs:GetQueueAttributes",
                sqs.get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::Policy)
                    .attribute_names(QueueAttributeName::KmsMasterKeyId)
                    .send(),
            )
            .await
        {
            Ok(out) => out,
            Err(e) if gone(&e) => return Ok(None),
            Err(e) => return Err(e.summary()),
        };
        let get = |k: QueueAttributeName| {
            attrs
                .attributes()
                .and_then(|m| m.get(&k))
                .filter(|v| !v.trim().is_empty())
        };
        let policy = match get(QueueAttributeName::Policy) {
            None => None,
            Some(p) => Some(
                serde_json::from_str::<Value>(p)
                    .map_err(|e| bad_input("sqs:GetQueueAttributes", e).summary())?,
            ),
        };
        let key = get(QueueAttributeName::KmsMasterKeyId).map(|k| TopicKey {
            id: k.clone(),
            ..TopicKey::default()
        });
        Ok(Some(QueueAccess { policy, key }))
    }

    /// The key of each encrypted topic and of each queue a confirmed
    /// subscription delivers to: AWS managed keys (`aws/sns`, `aws/sqs`)
    /// are known by their alias; any other is described (DescribeKey) and,
    /// when customer managed, its key policy read (GetKeyPolicy), once per
    /// key and region.
    async fn read_topic_keys(&self, topics: &mut Regional<Topic>) {
        // A queue's key lives in the queue's region.
        let queue_region = |s: &Subscription| s.endpoint.split(':').nth(3).map(str::to_string);
        let mut keys: Vec<(String, String)> = vec![];
        for (region, f) in topics.iter() {
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
        let read = join_all(
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
        for (region, f) in topics.iter_mut() {
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

    /// Key `id` in `region`: DescribeKey, and GetKeyPolicy when customer
    /// managed (a policy that cannot be read is noted on the key).
    async fn read_key(&self, region: &str, id: &str) -> Result<TopicKey, CallError> {
        let kms = self.kms(region);
        let d = self
            .send("kms:DescribeKey", kms.describe_key().key_id(id).send())
            .await?;
        let Some(m) = d.key_metadata() else {
            return Err(bad_input("kms:DescribeKey", format!("no key behind {id}")));
        };
        let mut k = TopicKey {
            id: id.to_string(),
            manager: m.key_manager().map(|x| x.as_str().to_string()),
            state: m.key_state().map(|x| x.as_str().to_string()),
            ..TopicKey::default()
        };
        if k.manager.as_deref() == Some("CUSTOMER") {
            match self
                .send(
                    "kms:GetKeyPolicy",
                    kms.get_key_policy()
                        .key_id(m.key_id())
                        .policy_name("default")
                        .send(),
                )
                .await
            {
                Ok(p) => {
                    k.policy = p
                        .policy()
                        .and_then(|s| serde_json::from_str::<Value>(s).ok())
                }
                Err(e) => k.unread = Some(e.summary()),
            }
        }
        Ok(k)
    }

    async fn topics_in(&self, region: &str) -> Result<Vec<Topic>, CallError> {
        let sns = self.sns(region);
        let mut arns: Vec<String> = vec![];
        let mut token: Option<String> = None;
        loop {
            let out = self
                .send(
                    "sns:ListTopics",
                    sns.list_topics().set_next_token(token.clone()).send(),
                )
                .await?;
            arns.extend(
                out.topics()
                    .iter()
                    .filter_map(|t| t.topic_arn())
                    .map(str::to_string),
            );
            match out.next_token() {
                Some(t) if Some(t) != token.as_deref() && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        // Each topic's attributes and its subscriptions: ListSubscriptionsByTopic
        // gives the topic owner every subscription, including those made by
        // other accounts (ListSubscriptions gives only the caller's own).
        let reads = join_all(arns.iter().map(|arn| {
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
    async fn topic_subscriptions(
        &self,
        sns: &aws_sdk_sns::Client,
        arn: &str,
    ) -> Result<Vec<Subscription>, CallError> {
        let mut subs = vec![];
        let mut token: Option<String> = None;
        loop {
            let out = self
                .send(
                    "sns:ListSubscriptionsByTopic",
                    sns.list_subscriptions_by_topic()
                        .topic_arn(arn)
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
            for s in out.subscriptions() {
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
            match out.next_token() {
                Some(t) if Some(t) != token.as_deref() && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        // A confirmed subscription's filter policy decides what it receives
        // (GetSubscriptionAttributes, one call each).
        let attrs = join_all(subs.iter().map(|(sub_arn, _)| async move {
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

    // -- CloudWatch alarms

    /// Where alarms and their topics are read: the audit regions, us-east-1
    /// (billing metrics exist only there) and every scanned region (an RDS
    /// instance's alarm lives in the instance's region).
    async fn alarm_regions(&self) -> Result<Vec<String>, CallError> {
        let mut regions = self.audit_regions(&["us-east-1"]).await?;
        regions.extend(self.regions().await?);
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    pub(super) async fn collect_metric_alarms(&self) -> Result<Regional<MetricAlarm>, CallError> {
        let regions = self.alarm_regions().await?;
        Ok(
            crate::aws::client::in_regions(regions, |r| async move { self.alarms_in(&r).await })
                .await,
        )
    }

    async fn alarms_in(&self, region: &str) -> Result<Vec<MetricAlarm>, CallError> {
        let cw = self.cloudwatch(region);
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    "cloudwatch:DescribeAlarms",
                    cw.describe_alarms().set_next_token(token.clone()).send(),
                )
                .await?;
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
            match page.next_token() {
                Some(t) if Some(t) != token.as_deref() && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The `EstimatedCharges` metrics of us-east-1 (one ListMetrics call:
    /// whether any exists is what counts).
    pub(super) async fn collect_billing_metrics(&self) -> Result<BillingMetrics, CallError> {
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

    // -- CloudWatch Logs metric filters

    pub(super) async fn collect_metric_filters(&self) -> Result<Regional<MetricFilter>, CallError> {
        self.audit_per_region(&[], |r| async move { self.filters_in(&r).await })
            .await
    }

    async fn filters_in(&self, region: &str) -> Result<Vec<MetricFilter>, CallError> {
        let logs = self.logs(region);
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(
                    "logs:DescribeMetricFilters",
                    logs.describe_metric_filters()
                        .set_next_token(token.clone())
                        .send(),
                )
                .await?;
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
            match page.next_token() {
                Some(t) if Some(t) != token.as_deref() && !t.is_empty() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        out.sort_by(|a, b| (&a.log_group, &a.name).cmp(&(&b.log_group, &b.name)));
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Lifecycle rules: SDK ↔ model, every field both ways.

fn date_string(d: &DateTime) -> String {
    d.fmt(Format::DateTime).unwrap_or_default()
}

// The top-level Prefix is deprecated but still in use on old rules: it is
// read and written back so such rules survive a merge unchanged.
#[allow(deprecated)]
fn rule_from(r: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    let filter = r.filter().map(|f| match f.and() {
        Some(and) => LifecycleFilter {
            prefix: and.prefix().map(str::to_string),
            tags: and
                .tags()
                .iter()
                .map(|t| Tag {
                    key: t.key().to_string(),
                    value: t.value().to_string(),
                })
                .collect(),
            object_size_greater_than: and.object_size_greater_than(),
            object_size_less_than: and.object_size_less_than(),
        },
        None => LifecycleFilter {
            prefix: f.prefix().map(str::to_string),
            tags: f
                .tag()
                .map(|t| Tag {
                    key: t.key().to_string(),
                    value: t.value().to_string(),
                })
                .into_iter()
                .collect(),
            object_size_greater_than: f.object_size_greater_than(),
            object_size_less_than: f.object_size_less_than(),
        },
    });
    LifecycleRule {
        id: r.id().map(str::to_string),
        status: r.status().as_str().to_string(),
        filter,
        prefix: r.prefix().map(str::to_string),
        transitions: r
            .transitions()
            .iter()
            .map(|t| Transition {
                days: t.days(),
                date: t.date().map(date_string),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        expiration: r.expiration().map(|e| Expiration {
            days: e.days(),
            date: e.date().map(date_string),
            expired_object_delete_marker: e.expired_object_delete_marker(),
        }),
        noncurrent_transitions: r
            .noncurrent_version_transitions()
            .iter()
            .map(|t| NoncurrentTransition {
                noncurrent_days: t.noncurrent_days(),
                newer_noncurrent_versions: t.newer_noncurrent_versions(),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        noncurrent_expiration: r
            .noncurrent_version_expiration()
            .map(|e| NoncurrentExpiration {
                noncurrent_days: e.noncurrent_days(),
                newer_noncurrent_versions: e.newer_noncurrent_versions(),
            }),
        abort_incomplete_multipart_days: r
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation()),
    }
}

/// An alarm's or a metric's dimensions, as the inventory holds them.
fn dimensions(ds: &[aws_sdk_cloudwatch::types::Dimension]) -> Vec<Dimension> {
    ds.iter()
        .map(|d| Dimension {
            name: d.name().unwrap_or_default().to_string(),
            value: d.value().unwrap_or_default().to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_rules_round_trip_through_the_sdk_types() {
        let rules = vec![
            LifecycleRule {
                id: Some("expire-tmp".into()),
                status: "Enabled".into(),
                filter: Some(LifecycleFilter {
                    prefix: Some("tmp/".into()),
                    tags: vec![Tag {
                        key: "k".into(),
                        value: "v".into(),
                    }],
                    object_size_greater_than: Some(1024),
                    object_size_less_than: None,
                }),
                prefix: None,
                transitions: vec![Transition {
                    days: None,
                    date: Some("2030-01-01T00:00:00Z".into()),
                    storage_class: "STANDARD_IA".into(),
                }],
                expiration: Some(Expiration {
                    days: Some(365),
                    date: None,
                    expired_object_delete_marker: None,
                }),
                noncurrent_transitions: vec![NoncurrentTransition {
                    noncurrent_days: Some(30),
                    newer_noncurrent_versions: Some(2),
                    storage_class: "GLACIER".into(),
                }],
                noncurrent_expiration: Some(NoncurrentExpiration {
                    noncurrent_days: Some(400),
                    newer_noncurrent_versions: None,
                }),
                abort_incomplete_multipart_days: Some(7),
            },
            LifecycleRule {
                id: Some("everything".into()),
                status: "Disabled".into(),
                filter: Some(LifecycleFilter {
                    prefix: Some(String::new()),
                    ..Default::default()
                }),
                prefix: None,
                transitions: vec![],
                expiration: Some(Expiration {
                    days: None,
                    date: None,
                    expired_object_delete_marker: Some(true),
                }),
                noncurrent_transitions: vec![],
                noncurrent_expiration: None,
                abort_incomplete_multipart_days: None,
            },
        ];
        for r in &rules {
            let sdk = crate::aws::s3::sdk::rule_to(r).expect("to sdk");
            assert_eq!(&rule_from(&sdk), r);
        }
    }
}
