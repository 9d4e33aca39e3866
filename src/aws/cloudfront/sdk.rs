//! CloudFront's SDK calls: the reads (distributions with their configs and
//! ETags, origin access controls) and the requests each op sends.
//!
//! ListDistributions gives each distribution's id and domain name; its
//! configuration (and the ETag UpdateDistribution needs) comes from
//! GetDistributionConfig, read per distribution concurrently.

use super::DistributionEdit;
use super::ops::{CreateOriginAccessControl, DeleteOriginAccessControl, UpdateDistribution};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{
    CacheBehavior, CloudFront, Distribution, Origin, OriginAccessControl, ViewerCertificate,
};
use crate::aws::op::OpKind;
use aws_sdk_cloudfront::types::{
    DistributionConfig, MinimumProtocolVersion, OriginAccessControlConfig,
    OriginAccessControlOriginTypes, OriginAccessControlSigningBehaviors,
    OriginAccessControlSigningProtocols, S3OriginConfig, SslSupportMethod, ViewerProtocolPolicy,
};

const GET_OAC: &str = "cloudfront:GetOriginAccessControl";
/// CloudFront's own code for a missing origin access control.
const NO_SUCH_OAC: &str = "NoSuchOriginAccessControl";

const VIEWER_PROTOCOL_POLICIES: &[&str] = &["allow-all", "redirect-to-https", "https-only"];

const LIST_DISTRIBUTIONS: &str = "cloudfront:ListDistributions";
const GET_DISTRIBUTION_CONFIG: &str = "cloudfront:GetDistributionConfig";
const LIST_OACS: &str = "cloudfront:ListOriginAccessControls";

/// A distribution deleted between the listing and the read.
const NO_SUCH_DISTRIBUTION: &str = "NoSuchDistribution";

/// What ListDistributions says about one distribution.
struct Listed {
    id: String,
    domain_name: String,
}

impl AwsBackend {
    pub(crate) async fn collect_cloudfront(&self) -> Result<CloudFront, CallError> {
        let (listed, oacs) = futures::try_join!(self.list_distributions(), self.list_oacs())?;
        let read = self
            .try_join_bounded(listed.into_iter().map(|d| self.read_distribution(d)))
            .await?;
        let mut distributions: Vec<Distribution> = read.into_iter().flatten().collect();
        distributions.sort_by(|a, b| a.id.cmp(&b.id));
        let mut origin_access_controls: Vec<OriginAccessControl> =
            oacs.iter().map(oac_from).collect();
        origin_access_controls.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(CloudFront {
            distributions,
            origin_access_controls,
        })
    }

    async fn list_distributions(&self) -> Result<Vec<Listed>, CallError> {
        let pages = self.cloudfront().list_distributions().into_paginator();
        let pages = self
            .send(LIST_DISTRIBUTIONS, pages.send().try_collect())
            .await?;
        let lists = pages.iter().filter_map(|page| page.distribution_list());
        Ok(lists
            .flat_map(|list| list.items())
            .map(|d| Listed {
                id: d.id().to_string(),
                domain_name: d.domain_name().to_string(),
            })
            .collect())
    }

    /// Every origin access control of the account (ListOriginAccessControls, paged).
    async fn list_oacs(
        &self,
    ) -> Result<Vec<aws_sdk_cloudfront::types::OriginAccessControlSummary>, CallError> {
        let pages = self.cloudfront().list_origin_access_controls();
        let pages = self
            .send(LIST_OACS, pages.into_paginator().send().try_collect())
            .await?;
        let lists = pages
            .iter()
            .filter_map(|page| page.origin_access_control_list());
        Ok(lists
            .flat_map(|list| list.items.iter().flatten().cloned())
            .collect())
    }

    /// GetDistributionConfig: the configuration and its ETag.
    async fn distribution_config(
        &self,
        id: &str,
    ) -> Result<(DistributionConfig, Option<String>), CallError> {
        let out = self
            .send(
                GET_DISTRIBUTION_CONFIG,
                self.cloudfront().get_distribution_config().id(id).send(),
            )
            .await?;
        let etag = out.e_tag().map(str::to_string);
        let config = out.distribution_config.ok_or_else(|| {
            CallError::new(
                GET_DISTRIBUTION_CONFIG,
                None,
                format!("the answer for distribution {id} held no configuration"),
            )
        })?;
        Ok((config, etag))
    }

    /// One distribution; `None` when it was deleted after the listing.
    async fn read_distribution(&self, d: Listed) -> Result<Option<Distribution>, CallError> {
        let (config, etag) = match self.distribution_config(&d.id).await {
            Ok(v) => v,
            Err(e) if e.is_code(NO_SUCH_DISTRIBUTION) => return Ok(None),
            Err(e) => return Err(e),
        };
        let arn = format!(
            "arn:{}:cloudfront::{}:distribution/{}",
            self.partition_name(),
            self.identity().account,
            d.id
        );
        Ok(Some(distribution_from(d, arn, etag, &config)))
    }

    /// The partition of the caller's ARN (`aws`, `aws-cn`, `aws-us-gov`).
    fn partition_name(&self) -> &str {
        self.identity().partition()
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn distribution_from(
    d: Listed,
    arn: String,
    etag: Option<String>,
    c: &DistributionConfig,
) -> Distribution {
    let origins = c
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| Origin {
            id: o.id().to_string(),
            domain_name: o.domain_name().to_string(),
            s3_oai: o
                .s3_origin_config()
                .map(|s| s.origin_access_identity().to_string()),
            oac_id: non_empty(o.origin_access_control_id()),
        })
        .collect();
    let mut behaviors: Vec<CacheBehavior> = c
        .default_cache_behavior()
        .map(|b| CacheBehavior {
            path_pattern: None,
            target_origin_id: b.target_origin_id().to_string(),
            viewer_protocol_policy: b.viewer_protocol_policy().as_str().to_string(),
        })
        .into_iter()
        .collect();
    behaviors.extend(
        c.cache_behaviors()
            .and_then(|b| b.items.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|b| CacheBehavior {
                path_pattern: Some(b.path_pattern().to_string()),
                target_origin_id: b.target_origin_id().to_string(),
                viewer_protocol_policy: b.viewer_protocol_policy().as_str().to_string(),
            }),
    );
    let viewer_certificate = match c.viewer_certificate() {
        // No settings: CloudFront serves its own certificate.
        None => ViewerCertificate {
            cloudfront_default: true,
            ..ViewerCertificate::default()
        },
        Some(v) => ViewerCertificate {
            cloudfront_default: v.cloud_front_default_certificate().unwrap_or(false),
            acm_certificate_arn: non_empty(v.acm_certificate_arn()),
            iam_certificate_id: non_empty(v.iam_certificate_id()),
            ssl_support_method: non_empty(v.ssl_support_method().map(|m| m.as_str())),
            minimum_protocol_version: non_empty(v.minimum_protocol_version().map(|m| m.as_str())),
        },
    };
    Distribution {
        id: d.id,
        arn,
        domain_name: d.domain_name,
        etag,
        enabled: c.enabled(),
        comment: c.comment().to_string(),
        aliases: c
            .aliases()
            .and_then(|a| a.items.clone())
            .unwrap_or_default(),
        origins,
        behaviors,
        viewer_certificate,
        web_acl_id: non_empty(c.web_acl_id()),
    }
}

fn oac_from(o: &aws_sdk_cloudfront::types::OriginAccessControlSummary) -> OriginAccessControl {
    OriginAccessControl {
        id: o.id.clone(),
        name: o.name.clone(),
        description: o.description.clone(),
        origin_type: o.origin_access_control_origin_type.as_str().to_string(),
        signing_behavior: o.signing_behavior.as_str().to_string(),
        signing_protocol: o.signing_protocol.as_str().to_string(),
    }
}

impl SendOp for CreateOriginAccessControl {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
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
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteOriginAccessControl {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let name = &self.name;
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
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for UpdateDistribution {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let (id, etag, edits) = (&self.id, &self.etag, &self.edits);
        let action = Self::ACTION;
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
        aws.write(action, request.send()).await
    }
}
/// Apply one edit to a configuration read just before. `oac_id` is the
/// resolved id for an OriginAccessControl edit that sets one.
fn apply_edit(
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudfront::types::{
        CacheBehaviors, DefaultCacheBehavior, MinimumProtocolVersion, Origins, S3OriginConfig,
        SslSupportMethod, ViewerCertificate as SdkViewerCertificate, ViewerProtocolPolicy,
    };

    fn config() -> DistributionConfig {
        let origin = aws_sdk_cloudfront::types::Origin::builder()
            .id("web")
            .domain_name("site.s3.amazonaws.com")
            .s3_origin_config(
                S3OriginConfig::builder()
                    .origin_access_identity("origin-access-identity/cloudfront/E1")
                    .build(),
            )
            .build()
            .expect("origin");
        let default = DefaultCacheBehavior::builder()
            .target_origin_id("web")
            .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
            .build()
            .expect("default behavior");
        let images = aws_sdk_cloudfront::types::CacheBehavior::builder()
            .path_pattern("/img/*")
            .target_origin_id("web")
            .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
            .build()
            .expect("behavior");
        DistributionConfig::builder()
            .caller_reference("r")
            .comment("c")
            .enabled(true)
            .origins(
                Origins::builder()
                    .quantity(1)
                    .items(origin)
                    .build()
                    .expect("origins"),
            )
            .default_cache_behavior(default)
            .cache_behaviors(
                CacheBehaviors::builder()
                    .quantity(1)
                    .items(images)
                    .build()
                    .expect("behaviors"),
            )
            .viewer_certificate(
                SdkViewerCertificate::builder()
                    .acm_certificate_arn("arn:aws:acm:us-east-1:1:certificate/x")
                    .ssl_support_method(SslSupportMethod::Vip)
                    .minimum_protocol_version(MinimumProtocolVersion::TlSv1)
                    .build(),
            )
            .build()
            .expect("config")
    }

    fn listed() -> Listed {
        Listed {
            id: "E123".into(),
            domain_name: "d1.cloudfront.net".into(),
        }
    }

    #[test]
    fn maps_a_configuration() {
        let d = distribution_from(listed(), "arn".into(), Some("ET".into()), &config());
        assert_eq!(d.etag.as_deref(), Some("ET"));
        assert_eq!(d.origins.len(), 1);
        assert!(d.origins[0].has_oai());
        assert_eq!(d.origins[0].oac_id, None);
        assert_eq!(d.behaviors.len(), 2);
        assert_eq!(d.behaviors[0].path_pattern, None);
        assert_eq!(d.behaviors[1].path_pattern.as_deref(), Some("/img/*"));
        assert!(d.viewer_certificate.is_custom());
        assert_eq!(
            d.viewer_certificate.ssl_support_method.as_deref(),
            Some("vip")
        );
        assert_eq!(d.web_acl_id, None);
    }

    #[test]
    fn edits_apply_and_missing_targets_are_errors() {
        let mut c = config();
        apply_edit(
            &mut c,
            &DistributionEdit::ViewerProtocolPolicy {
                path_pattern: Some("/img/*".into()),
                policy: "https-only".into(),
            },
            None,
        )
        .expect("behavior exists");
        apply_edit(
            &mut c,
            &DistributionEdit::ViewerProtocolPolicy {
                path_pattern: None,
                policy: "redirect-to-https".into(),
            },
            None,
        )
        .expect("default exists");
        apply_edit(
            &mut c,
            &DistributionEdit::OriginAccessControl {
                origin_id: "web".into(),
                oac: Some("moat-oac".into()),
            },
            Some("OAC1".into()),
        )
        .expect("origin exists");
        apply_edit(
            &mut c,
            &DistributionEdit::ViewerTls {
                ssl_support_method: Some("sni-only".into()),
                minimum_protocol_version: Some("TLSv1.2_2021".into()),
            },
            None,
        )
        .expect("certificate settings exist");
        let d = distribution_from(listed(), "arn".into(), None, &c);
        assert_eq!(d.behaviors[0].viewer_protocol_policy, "redirect-to-https");
        assert_eq!(d.behaviors[1].viewer_protocol_policy, "https-only");
        assert_eq!(d.origins[0].oac_id.as_deref(), Some("OAC1"));
        assert_eq!(d.origins[0].s3_oai.as_deref(), Some(""));
        assert_eq!(
            d.viewer_certificate.minimum_protocol_version.as_deref(),
            Some("TLSv1.2_2021")
        );

        apply_edit(
            &mut c,
            &DistributionEdit::OriginAccessControl {
                origin_id: "web".into(),
                oac: None,
            },
            None,
        )
        .expect("origin exists");
        let d = distribution_from(listed(), "arn".into(), None, &c);
        assert_eq!(d.origins[0].oac_id, None);

        let missing = [
            DistributionEdit::ViewerProtocolPolicy {
                path_pattern: Some("/nope/*".into()),
                policy: "https-only".into(),
            },
            DistributionEdit::ViewerProtocolPolicy {
                path_pattern: None,
                policy: "sometimes-https".into(),
            },
            DistributionEdit::OriginAccessControl {
                origin_id: "nope".into(),
                oac: None,
            },
        ];
        for e in &missing {
            assert!(apply_edit(&mut c, e, None).is_err(), "{e:?}");
        }
    }
}
