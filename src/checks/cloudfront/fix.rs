//! Plan builders for the `cloudfront` section. Each chooses ops only;
//! `make_plan` derives the preview, inverses and drift baseline from them.
//! Every change is one UpdateDistribution per distribution, guarded by the
//! ETag the distribution was read with.

use crate::aws::inventory::{CloudFront, Distribution, Inventory, PartId, ResourceRef};
use crate::checks::Ctx;
use crate::checks::cloudfront::{
    HTTPS_ONLY, MIN_TLS_POLICY, REDIRECT_TO_HTTPS, SNI_ONLY, TLS_VERSION, http_behaviors,
    tls_policy_is_current, tls_problems,
};
use crate::guide::msg;
use crate::plan::build::{item_warning, nothing};
use crate::plan::{DistributionEdit, Draft, Inputs, Op, PlanError};

fn cloudfront(inv: &Inventory) -> Result<&CloudFront, PlanError> {
    inv.cloudfront
        .ready()
        .ok_or(PlanError::NotReady(PartId::CloudFront))
}

fn wanted(req: &Inputs, d: &Distribution) -> bool {
    req.wants(&ResourceRef::Distribution { id: d.id.clone() }.to_string())
}

fn update(d: &Distribution, edits: Vec<DistributionEdit>) -> Op {
    Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
        id: d.id.clone(),
        etag: d.etag.clone(),
        edits,
    })
}

/// Redirect plain HTTP to HTTPS on every behavior that allows it.
pub fn https_only(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let cf = cloudfront(inv)?;
    let ops: Vec<Op> = cf
        .distributions
        .iter()
        .filter(|d| wanted(req, d))
        .filter_map(|d| {
            let edits: Vec<DistributionEdit> = http_behaviors(d)
                .map(|b| DistributionEdit::ViewerProtocolPolicy {
                    path_pattern: b.path_pattern.clone(),
                    policy: REDIRECT_TO_HTTPS.to_string(),
                })
                .collect();
            (!edits.is_empty()).then(|| update(d, edits))
        })
        .collect();
    if ops.is_empty() {
        return Err(nothing());
    }
    Ok(Draft {
        ops,
        warnings: item_warning(HTTPS_ONLY),
    })
}

/// SNI, and a security policy of at least TLSv1.2_2021 (a newer one is kept).
pub fn tls_version(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let cf = cloudfront(inv)?;
    let targets: Vec<&Distribution> = cf
        .distributions
        .iter()
        .filter(|d| wanted(req, d))
        .filter(|d| !tls_problems(d).is_empty())
        .collect();
    if targets.is_empty() {
        return Err(nothing());
    }
    let leaves_dedicated_ips = targets.iter().any(|d| {
        d.viewer_certificate
            .ssl_support_method
            .as_deref()
            .is_some_and(|m| m != SNI_ONLY)
    });
    let ops = targets
        .into_iter()
        .map(|d| {
            let version = d
                .viewer_certificate
                .minimum_protocol_version
                .as_deref()
                .filter(|v| tls_policy_is_current(v))
                .unwrap_or(MIN_TLS_POLICY);
            update(
                d,
                vec![DistributionEdit::ViewerTls {
                    ssl_support_method: Some(SNI_ONLY.to_string()),
                    minimum_protocol_version: Some(version.to_string()),
                }],
            )
        })
        .collect();
    let mut warnings = item_warning(TLS_VERSION);
    if leaves_dedicated_ips {
        warnings.push(msg(TLS_VERSION, "vip_warning", &[]));
    }
    Ok(Draft { ops, warnings })
}
