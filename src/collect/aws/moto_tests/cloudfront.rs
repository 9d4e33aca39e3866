//! CloudFront: distributions and origin access controls.

use super::{apply, connect, endpoint, tag};
use crate::aws::client::AwsBackend;
use crate::aws::inventory::CloudFront;
use crate::collect::{Applied, Backend};
use crate::plan::{DistributionEdit, Op};

async fn cloudfront_part(b: &AwsBackend) -> CloudFront {
    part!(b, CloudFront)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn cloudfront_distributions_and_origin_access_controls() {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        ViewerProtocolPolicy,
    };
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let oac_name = format!("moat-oac-{t}");
    let origin_id = format!("s3-site-{t}");
    let domain = format!("site-{t}.s3.amazonaws.com");

    let config = DistributionConfig::builder()
        .caller_reference(format!("moat-{t}"))
        .comment(format!("moat test {t}"))
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(
                    Origin::builder()
                        .id(&origin_id)
                        .domain_name(&domain)
                        .s3_origin_config(
                            S3OriginConfig::builder().origin_access_identity("").build(),
                        )
                        .build()
                        .expect("origin"),
                )
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(&origin_id)
                .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                .build()
                .expect("behavior"),
        )
        .build()
        .expect("config");
    let created = b
        .cloudfront()
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("create distribution");
    let id = created
        .distribution()
        .map(|d| d.id().to_string())
        .expect("distribution id");

    let before = b.requests_sent();
    let cf = cloudfront_part(&b).await;
    let sent = b.requests_sent() - before;
    let n = cf.distributions.len() as u64;
    assert!(sent <= 2 + n, "{sent} requests for {n} distributions");
    let d = cf.distribution(&id).expect("distribution collected");
    assert_eq!(
        d.arn,
        format!("arn:aws:cloudfront::123456789012:distribution/{id}")
    );
    assert!(
        d.domain_name.ends_with(".cloudfront.net"),
        "{}",
        d.domain_name
    );
    assert!(d.enabled);
    assert_eq!(d.comment, format!("moat test {t}"));
    let etag = d.etag.clone().expect("etag");
    assert_eq!(d.origins.len(), 1);
    assert_eq!(d.origins[0].id, origin_id);
    assert_eq!(d.origins[0].domain_name, domain);
    // moto drops S3OriginConfig from its answers; CloudFront answers it with an empty OAI.
    assert_eq!(d.origins[0].s3_oai.as_deref().unwrap_or_default(), "");
    assert!(!d.origins[0].has_oai());
    assert_eq!(d.origins[0].oac_id, None);
    assert_eq!(d.origins[0].s3_bucket(), Some(format!("site-{t}").as_str()));
    assert_eq!(d.behaviors.len(), 1);
    assert_eq!(d.behaviors[0].path_pattern, None);
    assert_eq!(d.behaviors[0].target_origin_id, origin_id);
    assert_eq!(d.behaviors[0].viewer_protocol_policy, "allow-all");
    assert!(d.viewer_certificate.cloudfront_default);
    assert_eq!(d.web_acl_id, None);

    // Origin access control.
    apply(
        &b,
        Op::CreateOriginAccessControl(crate::aws::ops::CreateOriginAccessControl {
            name: oac_name.clone(),
            description: "moat: CloudFront reads the bucket".into(),
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    let oac = cf.oac_by_name(&oac_name).expect("OAC collected").clone();
    assert_eq!(oac.origin_type, "s3");
    assert_eq!(oac.signing_behavior, "always");
    assert_eq!(oac.signing_protocol, "sigv4");
    assert_eq!(oac.description, "moat: CloudFront reads the bucket");

    // UpdateDistribution with the plan's ETag.
    apply(
        &b,
        Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
            id: id.clone(),
            etag: Some(etag.clone()),
            edits: vec![
                DistributionEdit::ViewerProtocolPolicy {
                    path_pattern: None,
                    policy: "redirect-to-https".into(),
                },
                DistributionEdit::OriginAccessControl {
                    origin_id: origin_id.clone(),
                    oac: Some(oac_name.clone()),
                },
            ],
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    let d = cf.distribution(&id).expect("distribution");
    assert_eq!(d.behaviors[0].viewer_protocol_policy, "redirect-to-https");
    assert!(!d.origins[0].has_oai());
    // moto drops OriginAccessControlId (MOTO.md); real CloudFront keeps it.
    assert!(
        d.origins[0].oac_id.is_none() || d.origins[0].oac_id.as_deref() == Some(oac.id.as_str()),
        "{:?}",
        d.origins[0]
    );
    // Undo-style: no ETag given, the fresh one is used.
    apply(
        &b,
        Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
            id: id.clone(),
            etag: None,
            edits: vec![DistributionEdit::ViewerProtocolPolicy {
                path_pattern: None,
                policy: "https-only".into(),
            }],
        }),
    )
    .await;
    let cf = cloudfront_part(&b).await;
    assert_eq!(
        cf.distribution(&id).expect("distribution").behaviors[0].viewer_protocol_policy,
        "https-only"
    );

    // A missing behavior, origin or OAC is an error, and nothing is written.
    let mutations = b.mutations_sent();
    for edit in [
        DistributionEdit::ViewerProtocolPolicy {
            path_pattern: Some("/nope/*".into()),
            policy: "https-only".into(),
        },
        DistributionEdit::OriginAccessControl {
            origin_id: "nope".into(),
            oac: None,
        },
        DistributionEdit::OriginAccessControl {
            origin_id: origin_id.clone(),
            oac: Some(format!("nope-{t}")),
        },
    ] {
        let err = b
            .apply(&Op::UpdateDistribution(
                crate::aws::ops::UpdateDistribution {
                    id: id.clone(),
                    etag: None,
                    edits: vec![edit.clone()],
                },
            ))
            .await
            .expect_err("missing target");
        assert_eq!(err.action, "cloudfront:UpdateDistribution", "{edit:?}");
        assert!(err.message.contains("nope"), "{}", err.message);
    }
    assert_eq!(b.mutations_sent(), mutations);

    apply(
        &b,
        Op::DeleteOriginAccessControl(crate::aws::ops::DeleteOriginAccessControl {
            name: oac_name.clone(),
        }),
    )
    .await;
    assert!(cloudfront_part(&b).await.oac_by_name(&oac_name).is_none());
    // Deleting it again: the effect is already in place.
    assert_eq!(
        b.apply(&Op::DeleteOriginAccessControl(
            crate::aws::ops::DeleteOriginAccessControl {
                name: oac_name.clone(),
            }
        ))
        .await
        .ok(),
        Some(Applied::Sent)
    );

    b.cloudfront()
        .delete_distribution()
        .id(&id)
        .if_match(&etag)
        .send()
        .await
        .expect("delete distribution");
}
