//! SNS's SDK calls: the requests each op sends.

use super::ops::{CreateSnsTopic, DeleteSnsTopic, SubscribeSnsTopic, UnsubscribeSnsTopic};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::op::OpKind;

impl SendOp for CreateSnsTopic {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let mut r = aws.sns(&self.region).create_topic().name(&self.name);
        if let Some(p) = &self.policy {
            let p = serde_json::to_string(p)
                .map_err(|e| CallError::new(Self::ACTION, None, e.to_string()))?;
            r = r.attributes("Policy", p);
        }
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for DeleteSnsTopic {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .sns(&self.region)
            .delete_topic()
            .topic_arn(aws.topic_arn(&self.region, &self.name));
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for SubscribeSnsTopic {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let r = aws
            .sns(&self.region)
            .subscribe()
            .topic_arn(aws.topic_arn(&self.region, &self.topic))
            .protocol(&self.protocol)
            .endpoint(&self.endpoint);
        aws.write(Self::ACTION, r.send()).await
    }
}

impl SendOp for UnsubscribeSnsTopic {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (protocol, endpoint) = (&self.protocol, &self.endpoint);
        let sns = aws.sns(&self.region);
        let arn = aws.topic_arn(&self.region, &self.topic);
        let mut pages = sns
            .list_subscriptions_by_topic()
            .topic_arn(&arn)
            .into_paginator()
            .send();
        // Page by page, up to the page that has the subscription.
        let find = async {
            while let Some(out) = pages.try_next().await? {
                let found = out.subscriptions().iter().find(|s| {
                    s.protocol() == Some(protocol.as_str())
                        && s.endpoint() == Some(endpoint.as_str())
                });
                if let Some(arn) = found.and_then(|s| s.subscription_arn()) {
                    return Ok(Some(arn.to_string()));
                }
            }
            Ok(None)
        };
        let found: Option<String> = aws.send("sns:ListSubscriptionsByTopic", find).await?;
        match found {
            // Pending or already gone: no API removes a pending
            // subscription (AWS drops it after three days, and
            // deleting the topic removes it).
            None => {}
            Some(s) if !s.starts_with("arn:") => {}
            Some(s) => {
                aws.send_write(Self::ACTION, sns.unsubscribe().subscription_arn(s).send())
                    .await?;
            }
        }
        Ok(Outcome::default())
    }
}
