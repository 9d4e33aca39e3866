//! CloudFront's SDK calls: the requests each op sends, each as a boxed
//! future of its own (the SDK's futures are large in debug builds).

use super::DistributionEdit;
use super::ops::{CreateOriginAccessControl, DeleteOriginAccessControl, UpdateDistribution};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::plan::OpKind;
use aws_sdk_cloudfront::types::{
    DistributionConfig, MinimumProtocolVersion, OriginAccessControlConfig,
    OriginAccessControlOriginTypes, OriginAccessControlSigningBehaviors,
    OriginAccessControlSigningProtocols, S3OriginConfig, SslSupportMethod, ViewerProtocolPolicy,
};

const GET_OAC: &str = "cloudfront:GetOriginAccessControl";
/// CloudFront's own code for a missing origin access control.
const NO_SUCH_OAC: &str = "NoSuchOriginAccessControl";

const VIEWER_PROTOCOL_POLICIES: &[&str] = &["allow-all", "redirect-to-https", "https-only"];

impl SendOp for CreateOriginAccessControl {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        Box::pin(async move {
            let config = OriginAccessControlConfig::builder()
                .name(&self.name)
                .description(&self.description)
                .signing_protocol(OriginAccessControlSigningProtocols::Sigv4)
                .signing_behavior(OriginAccessControlSigningBehaviors::Always)
                .origin_access_control_origin_type(OriginAccessControlOriginTypes::S3)
                .build()
                .map_err(|e| CallError::new(Self::ACTION, None, e.to_string()))?;
            let request = aws
                .cloudfront()
                .create_origin_access_control()
                .origin_access_control_config(config);
            aws.send_write(Self::ACTION, request.send()).await?;
            Ok(Outcome::default())
        })
        .await
    }
}

impl SendOp for DeleteOriginAccessControl {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let name = &self.name;
        Box::pin(async move {
            let oacs = aws.list_oacs().await?;
            let Some(oac) = oacs.iter().find(|o| o.name == *name) else {
                return Err(CallError::new(
                    Self::ACTION,
                    Some(NO_SUCH_OAC.to_string()),
                    format!("there is no origin access control named {name}"),
                ));
            };
            let got = aws
                .send(
                    GET_OAC,
                    aws.cloudfront()
                        .get_origin_access_control()
                        .id(&oac.id)
                        .send(),
                )
                .await?;
            let request = aws
                .cloudfront()
                .delete_origin_access_control()
                .id(&oac.id)
                .set_if_match(got.e_tag().map(str::to_string));
            aws.send_write(Self::ACTION, request.send()).await?;
            Ok(Outcome::default())
        })
        .await
    }
}

impl SendOp for UpdateDistribution {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (id, etag, edits) = (&self.id, &self.etag, &self.edits);
        let action = Self::ACTION;
        Box::pin(async move {
            let (mut config, fresh_etag) = aws.distribution_config(id).await?;
            // OAC names (or ids) to ids, listing the OACs once if needed.
            let mut oacs = None;
            for edit in edits {
                let oac_id = match edit {
                    DistributionEdit::OriginAccessControl { oac: Some(r), .. } => {
                        if oacs.is_none() {
                            oacs = Some(aws.list_oacs().await?);
                        }
                        let list = oacs.as_deref().unwrap_or_default();
                        let found = list
                            .iter()
                            .find(|o| o.name == *r)
                            .or_else(|| list.iter().find(|o| o.id == *r));
                        match found {
                            Some(o) => Some(o.id.clone()),
                            None => {
                                return Err(CallError::new(
                                    action,
                                    Some(NO_SUCH_OAC.to_string()),
                                    format!("there is no origin access control named {r}"),
                                ));
                            }
                        }
                    }
                    _ => None,
                };
                apply_edit(&mut config, edit, oac_id)
                    .map_err(|m| CallError::new(action, None, format!("distribution {id}: {m}")))?;
            }
            let if_match = etag.clone().or(fresh_etag);
            let request = aws
                .cloudfront()
                .update_distribution()
                .id(id)
                .set_if_match(if_match)
                .distribution_config(config);
            aws.send_write(action, request.send()).await?;
            Ok(Outcome::default())
        })
        .await
    }
}
/// Apply one edit to a configuration read just before. `oac_id` is the
/// resolved id for an OriginAccessControl edit that sets one.
pub(crate) fn apply_edit(
    config: &mut DistributionConfig,
    edit: &DistributionEdit,
    oac_id: Option<String>,
) -> Result<(), String> {
    match edit {
        DistributionEdit::ViewerProtocolPolicy {
            path_pattern,
            policy,
        } => {
            if !VIEWER_PROTOCOL_POLICIES.contains(&policy.as_str()) {
                return Err(format!("unknown viewer protocol policy {policy}"));
            }
            let policy = ViewerProtocolPolicy::from(policy.as_str());
            match path_pattern {
                None => {
                    let b = config
                        .default_cache_behavior
                        .as_mut()
                        .ok_or("it has no default cache behavior")?;
                    b.viewer_protocol_policy = policy;
                }
                Some(p) => {
                    let b = config
                        .cache_behaviors
                        .as_mut()
                        .and_then(|c| c.items.as_mut())
                        .and_then(|items| items.iter_mut().find(|b| b.path_pattern == *p))
                        .ok_or_else(|| format!("it has no cache behavior for {p}"))?;
                    b.viewer_protocol_policy = policy;
                }
            }
        }
        DistributionEdit::OriginAccessControl { origin_id, oac } => {
            let origin = config
                .origins
                .as_mut()
                .and_then(|o| o.items.iter_mut().find(|o| o.id == *origin_id))
                .ok_or_else(|| format!("it has no origin {origin_id}"))?;
            match (oac, oac_id) {
                (Some(r), None) => return Err(format!("origin access control {r} not resolved")),
                (Some(_), Some(id)) => {
                    origin.origin_access_control_id = Some(id);
                    // An origin signs with an OAC or a legacy OAI, not both; an
                    // S3 origin keeps its S3OriginConfig with an empty OAI.
                    match origin.s3_origin_config.as_mut() {
                        Some(s3) => s3.origin_access_identity = String::new(),
                        None if origin.custom_origin_config.is_none()
                            && origin.vpc_origin_config.is_none() =>
                        {
                            origin.s3_origin_config =
                                Some(S3OriginConfig::builder().origin_access_identity("").build());
                        }
                        None => {}
                    }
                }
                (None, _) => origin.origin_access_control_id = Some(String::new()),
            }
        }
        DistributionEdit::ViewerTls {
            ssl_support_method,
            minimum_protocol_version,
        } => {
            let vc = config
                .viewer_certificate
                .as_mut()
                .ok_or("it has no viewer certificate settings")?;
            vc.ssl_support_method = ssl_support_method.as_deref().map(SslSupportMethod::from);
            vc.minimum_protocol_version = minimum_protocol_version
                .as_deref()
                .map(MinimumProtocolVersion::from);
        }
    }
    Ok(())
}
