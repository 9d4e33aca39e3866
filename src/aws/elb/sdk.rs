//! Elastic Load Balancing's SDK calls: the regional clients, the requests
//! each op sends, and listener actions converted both ways.

use super::ops::{ModifyListenerDefaultActions, ModifyListenerSslPolicy, ModifyRuleActions};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::inventory::{
    FixedResponse, ForwardConfig, ListenerAction, RedirectConfig, WeightedTargetGroup,
};
use crate::plan::OpKind;

pub(crate) type Elbv2 = aws_sdk_elasticloadbalancingv2::Client;

impl AwsBackend {
    pub(crate) fn elbv2_client(&self, region: &str) -> Elbv2 {
        self.client(
            "elasticloadbalancingv2",
            region,
            |sdk, region, partition| {
                aws_sdk_elasticloadbalancingv2::Client::from_conf(
                    aws_sdk_elasticloadbalancingv2::config::Builder::from(sdk)
                        .region(region)
                        .retry_partition(partition)
                        .build(),
                )
            },
        )
    }

    pub(crate) fn elb_client(&self, region: &str) -> aws_sdk_elasticloadbalancing::Client {
        self.client("elasticloadbalancing", region, |sdk, region, partition| {
            aws_sdk_elasticloadbalancing::Client::from_conf(
                aws_sdk_elasticloadbalancing::config::Builder::from(sdk)
                    .region(region)
                    .retry_partition(partition)
                    .build(),
            )
        })
    }
}

impl SendOp for ModifyListenerDefaultActions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let actions = actions_to(Self::ACTION, &self.actions)?;
        let request = aws
            .elbv2_client(&self.region)
            .modify_listener()
            .listener_arn(&self.listener_arn)
            .set_default_actions(Some(actions));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for ModifyRuleActions {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let actions = actions_to(Self::ACTION, &self.actions)?;
        // Conditions and transforms left out: ModifyRule keeps them.
        let request = aws
            .elbv2_client(&self.region)
            .modify_rule()
            .rule_arn(&self.rule_arn)
            .set_actions(Some(actions));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for ModifyListenerSslPolicy {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .elbv2_client(&self.region)
            .modify_listener()
            .listener_arn(&self.listener_arn)
            .ssl_policy(&self.ssl_policy);
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

pub(crate) fn action_from(a: &aws_sdk_elasticloadbalancingv2::types::Action) -> ListenerAction {
    ListenerAction {
        kind: a
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        order: a.order(),
        target_group_arn: a.target_group_arn().map(str::to_string),
        forward: a.forward_config().map(|f| ForwardConfig {
            target_groups: f
                .target_groups()
                .iter()
                .filter_map(|g| {
                    Some(WeightedTargetGroup {
                        arn: g.target_group_arn()?.to_string(),
                        weight: g.weight(),
                    })
                })
                .collect(),
            stickiness_enabled: f.target_group_stickiness_config().and_then(|s| s.enabled()),
            stickiness_duration: f
                .target_group_stickiness_config()
                .and_then(|s| s.duration_seconds()),
        }),
        redirect: a.redirect_config().map(|r| RedirectConfig {
            protocol: r.protocol().map(str::to_string),
            port: r.port().map(str::to_string),
            host: r.host().map(str::to_string),
            path: r.path().map(str::to_string),
            query: r.query().map(str::to_string),
            status_code: r
                .status_code()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }),
        fixed_response: a.fixed_response_config().map(|x| FixedResponse {
            status_code: x.status_code().unwrap_or_default().to_string(),
            content_type: x.content_type().map(str::to_string),
            message_body: x.message_body().map(str::to_string),
        }),
    }
}

/// A listener's or rule's actions as the SDK sends them.
fn actions_to(
    action: &str,
    actions: &[ListenerAction],
) -> Result<Vec<aws_sdk_elasticloadbalancingv2::types::Action>, CallError> {
    actions.iter().map(|a| action_to(action, a)).collect()
}

fn action_to(
    action: &str,
    a: &ListenerAction,
) -> Result<aws_sdk_elasticloadbalancingv2::types::Action, CallError> {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig,
        RedirectActionConfig, RedirectActionStatusCodeEnum, TargetGroupStickinessConfig,
        TargetGroupTuple,
    };
    if !a.is_restorable() {
        return Err(CallError::new(
            action,
            None,
            format!("moat cannot send a listener action of type {}", a.kind),
        ));
    }
    let mut b = Action::builder()
        .r#type(ActionTypeEnum::from(a.kind.as_str()))
        .set_order(a.order)
        .set_target_group_arn(a.target_group_arn.clone());
    if let Some(f) = &a.forward {
        let stickiness =
            (f.stickiness_enabled.is_some() || f.stickiness_duration.is_some()).then(|| {
                TargetGroupStickinessConfig::builder()
                    .set_enabled(f.stickiness_enabled)
                    .set_duration_seconds(f.stickiness_duration)
                    .build()
            });
        b = b.forward_config(
            ForwardActionConfig::builder()
                .set_target_groups(Some(
                    f.target_groups
                        .iter()
                        .map(|g| {
                            TargetGroupTuple::builder()
                                .target_group_arn(&g.arn)
                                .set_weight(g.weight)
                                .build()
                        })
                        .collect(),
                ))
                .set_target_group_stickiness_config(stickiness)
                .build(),
        );
    }
    if let Some(r) = &a.redirect {
        b = b.redirect_config(
            RedirectActionConfig::builder()
                .set_protocol(r.protocol.clone())
                .set_port(r.port.clone())
                .set_host(r.host.clone())
                .set_path(r.path.clone())
                .set_query(r.query.clone())
                .status_code(RedirectActionStatusCodeEnum::from(r.status_code.as_str()))
                .build(),
        );
    }
    if let Some(x) = &a.fixed_response {
        b = b.fixed_response_config(
            FixedResponseActionConfig::builder()
                .status_code(&x.status_code)
                .set_content_type(x.content_type.clone())
                .set_message_body(x.message_body.clone())
                .build(),
        );
    }
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_actions_convert_both_ways() {
        let a = ListenerAction::redirect_to_https();
        let sdk = action_to("x", &a).expect("builds");
        assert_eq!(action_from(&sdk), a);
        let fwd = ListenerAction {
            kind: "forward".into(),
            order: Some(1),
            target_group_arn: Some("arn:tg".into()),
            forward: Some(ForwardConfig {
                target_groups: vec![WeightedTargetGroup {
                    arn: "arn:tg".into(),
                    weight: Some(1),
                }],
                stickiness_enabled: Some(false),
                stickiness_duration: None,
            }),
            redirect: None,
            fixed_response: None,
        };
        assert_eq!(action_from(&action_to("x", &fwd).expect("builds")), fwd);
        let auth = ListenerAction {
            kind: "authenticate-oidc".into(),
            ..fwd
        };
        assert!(action_to("x", &auth).is_err());
    }
}
