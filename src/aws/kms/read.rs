//! KMS reads: the keys of each region, and the key of an SNS topic.

use crate::aws::client::bad_input;
use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{KmsKey, Regional, TopicKey};
use serde_json::Value;

/// The alias prefix of keys moat creates: their policy is read too.
pub(crate) const MOAT_ALIAS: &str = "alias/moat-";

impl AwsBackend {
    pub(crate) async fn collect_kms_keys(&self) -> Result<Regional<KmsKey>, CallError> {
        self.in_trail_regions(&[], |r| async move { self.kms_keys_in(&r).await })
            .await
    }

    pub(crate) async fn kms_keys_in(&self, region: &str) -> Result<Vec<KmsKey>, CallError> {
        let kms = self.kms(region);
        let account = &self.identity().account;
        let mut keys = vec![];
        let pages = kms.list_aliases().into_paginator().send().try_collect();
        for out in self.send("kms:ListAliases", pages).await? {
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

    /// Key `id` in `region`: DescribeKey, and GetKeyPolicy when customer
    /// managed (a policy that cannot be read is noted on the key).
    pub(crate) async fn read_key(&self, region: &str, id: &str) -> Result<TopicKey, CallError> {
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
}
