//! KMS's SDK calls: the requests each op sends (CreateKmsKey names the new
//! key with CreateAlias right after CreateKey: the alias is how moat finds it).

use super::ops::{CreateKmsKey, ScheduleKmsKeyDeletion};
use crate::aws::client::{AwsBackend, CallError, Created, Outcome, SendOp, unique_token};
use crate::aws::inventory::{CREATED_BY_TAG, CREATED_BY_VALUE};
use crate::aws::op::OpKind;
use aws_sdk_kms::config::retry::RetryConfig;

/// The tag that marks a key with the change that made it (see CreateKmsKey).
const CREATE_TOKEN_TAG: &str = "moat:create-token";

fn bad_input(action: &str, what: impl std::fmt::Display) -> CallError {
    CallError::new(action, None, what.to_string())
}

fn kms_tag(key: &str, value: &str) -> Result<aws_sdk_kms::types::Tag, CallError> {
    aws_sdk_kms::types::Tag::builder()
        .tag_key(key)
        .tag_value(value)
        .build()
        .map_err(|e| bad_input("kms:CreateKey", e))
}

impl AwsBackend {
    /// The key of this account in `region` tagged `moat:create-token =
    /// token` (ListKeys, then ListResourceTags per key, newest listed last).
    async fn key_tagged(&self, region: &str, token: &str) -> Result<Option<String>, CallError> {
        let kms = self.kms(region);
        let pages = kms.list_keys().into_paginator().send().try_collect();
        let pages = self.send("kms:ListKeys", pages).await?;
        let keys = pages.iter().flat_map(|out| out.keys());
        let ids: Vec<String> = keys.filter_map(|k| k.key_id()).map(String::from).collect();
        for id in ids.iter().rev() {
            let tags = match self
                .send(
                    "kms:ListResourceTags",
                    kms.list_resource_tags().key_id(id).send(),
                )
                .await
            {
                Ok(out) => out,
                // Keys whose tags this caller may not read are not moat's.
                Err(e) if e.is_access_denied() => continue,
                Err(e) => return Err(e),
            };
            if tags
                .tags()
                .iter()
                .any(|t| t.tag_key() == CREATE_TOKEN_TAG && t.tag_value() == token)
            {
                return Ok(Some(id.clone()));
            }
        }
        Ok(None)
    }

    async fn key_id_of(&self, region: &str, alias: &str) -> Result<String, CallError> {
        let out = self
            .send(
                "kms:DescribeKey",
                self.kms(region).describe_key().key_id(alias).send(),
            )
            .await?;
        out.key_metadata()
            .map(|m| m.key_id().to_string())
            .ok_or_else(|| bad_input("kms:DescribeKey", format!("no key behind {alias}")))
    }
}

impl SendOp for CreateKmsKey {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let action = Self::ACTION;
        let (region, alias) = (&self.region, &self.alias);
        let kms = aws.kms(region);
        let policy = serde_json::to_string(&self.policy).map_err(|e| bad_input(action, e))?;
        // CreateKey takes no client token: a retried request whose first
        // answer was lost would make a second key that no alias names.
        // The key is tagged with a token unique to this change, so the
        // account tells what the lost attempt made.
        let token = unique_token();
        let tags = vec![
            kms_tag(CREATED_BY_TAG, CREATED_BY_VALUE)?,
            kms_tag(CREATE_TOKEN_TAG, &token)?,
        ];
        let send = || {
            kms.create_key()
                .policy(&policy)
                .description(&self.description)
                .set_tags(Some(tags.clone()))
                .customize()
                .config_override(
                    aws_sdk_kms::config::Builder::default().retry_config(RetryConfig::disabled()),
                )
                .send()
        };
        let token = token.as_str();
        let find = move || aws.key_tagged(region, token);
        let key_id = match aws.send_create_once(action, send, find).await? {
            Created::Answered(out) => out
                .key_metadata()
                .map(|m| m.key_id().to_string())
                .ok_or_else(|| bad_input(action, "KMS answered without a key id"))?,
            Created::Found(id) => id,
        };
        tracing::info!(key_id = %key_id, alias = %alias, "created a KMS key");
        let r = kms.create_alias().alias_name(alias).target_key_id(&key_id);
        aws.send_write("kms:CreateAlias", r.send()).await?;
        // The journal names the key by its id: an alias can be
        // moved to another key later.
        Ok(Outcome {
            created: Some(key_id),
            ..Outcome::default()
        })
    }
}

impl SendOp for ScheduleKmsKeyDeletion {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        // The key moat created, by the id the journal holds: the
        // alias may name another key by now.
        let key_id = match &self.key_id {
            Some(id) => id.clone(),
            None => aws.key_id_of(&self.region, &self.alias).await?,
        };
        let r = aws
            .kms(&self.region)
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(self.pending_days);
        aws.write(Self::ACTION, r.send()).await
    }
}
