//! CloudFront's mutating calls, one type each (see [`OpKind`]).

use super::DistributionEdit;
use crate::aws::inventory::{ApplyError, CloudFront, Inventory, OriginAccessControl, ResourceRef};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

fn oac_ref(name: &str) -> ResourceRef {
    ResourceRef::OriginAccessControl {
        name: name.to_string(),
    }
}

fn cloudfront_mut(inv: &mut Inventory) -> Result<&mut CloudFront, ApplyError> {
    inv.cloudfront
        .ready_mut()
        .ok_or(ApplyError::NotReady("CloudFront"))
}

/// cloudfront:CreateOriginAccessControl, for S3 origins, signing every request (SigV4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOriginAccessControl {
    pub name: String,
    pub description: String,
}

impl OpKind for CreateOriginAccessControl {
    const ACTION: &'static str = "cloudfront:CreateOriginAccessControl";

    fn resource(&self) -> ResourceRef {
        oac_ref(&self.name)
    }

    fn describe(&self) -> String {
        format!("create CloudFront origin access control {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let cf = cloudfront_mut(inv)?;
        if cf.oac_by_name(name).is_some() {
            return Err(ApplyError::Exists(format!("origin access control {name}")));
        }
        cf.origin_access_controls.push(OriginAccessControl {
            // The real id is known once CloudFront creates it; documents name OACs.
            id: format!("(new:{name})"),
            name: name.clone(),
            description: self.description.clone(),
            origin_type: "s3".into(),
            signing_behavior: "always".into(),
            signing_protocol: "sigv4".into(),
        });
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteOriginAccessControl {
                name: self.name.clone(),
            }
            .into(),
        ])
    }
}

/// cloudfront:DeleteOriginAccessControl, by name, of an OAC no distribution uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteOriginAccessControl {
    pub name: String,
}

impl OpKind for DeleteOriginAccessControl {
    const ACTION: &'static str = "cloudfront:DeleteOriginAccessControl";

    fn resource(&self) -> ResourceRef {
        oac_ref(&self.name)
    }

    fn describe(&self) -> String {
        format!("delete CloudFront origin access control {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let name = &self.name;
        let cf = cloudfront_mut(inv)?;
        let oac = cf
            .oac_by_name(name)
            .ok_or_else(|| ApplyError::NoSuch(format!("origin access control {name}")))?;
        let id = oac.id.clone();
        if cf.distributions.iter().any(|d| {
            d.origins
                .iter()
                .any(|o| o.oac_id.as_deref() == Some(id.as_str()))
        }) {
            return Err(ApplyError::Conflict(format!(
                "origin access control {name} is still used by a distribution"
            )));
        }
        cf.origin_access_controls.retain(|o| o.name != *name);
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let prev = before.cloudfront.ready()?.oac_by_name(&self.name)?;
        Some(vec![
            CreateOriginAccessControl {
                name: self.name.clone(),
                description: prev.description.clone(),
            }
            .into(),
        ])
    }
}

/// cloudfront:UpdateDistribution with If-Match `etag` (`None`: the ETag
/// read just before sending, for undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateDistribution {
    pub id: String,
    pub etag: Option<String>,
    pub edits: Vec<DistributionEdit>,
}

impl OpKind for UpdateDistribution {
    const ACTION: &'static str = "cloudfront:UpdateDistribution";

    fn resource(&self) -> ResourceRef {
        ResourceRef::Distribution {
            id: self.id.clone(),
        }
    }

    fn describe(&self) -> String {
        let what: Vec<String> = self
            .edits
            .iter()
            .map(|e| match e {
                DistributionEdit::ViewerProtocolPolicy {
                    path_pattern,
                    policy,
                } => format!(
                    "behavior {} viewers: {policy}",
                    path_pattern.as_deref().unwrap_or("(default)")
                ),
                DistributionEdit::OriginAccessControl {
                    origin_id,
                    oac: Some(oac),
                } => format!("origin {origin_id} signs with {oac}"),
                DistributionEdit::OriginAccessControl {
                    origin_id,
                    oac: None,
                } => format!("origin {origin_id} without origin access control"),
                DistributionEdit::ViewerTls {
                    ssl_support_method,
                    minimum_protocol_version,
                } => format!(
                    "viewer TLS {} {}",
                    ssl_support_method.as_deref().unwrap_or("-"),
                    minimum_protocol_version.as_deref().unwrap_or("-")
                ),
            })
            .collect();
        format!("update distribution {} ({})", self.id, what.join("; "))
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (id, edits) = (&self.id, &self.edits);
        let cf = cloudfront_mut(inv)?;
        // Resolve OAC names first (the borrow of the list ends here).
        let mut resolved: Vec<Option<String>> = Vec::with_capacity(edits.len());
        for e in edits {
            resolved.push(match e {
                DistributionEdit::OriginAccessControl { oac: Some(r), .. } => Some(
                    cf.resolve_oac(r)
                        .map(|o| o.id.clone())
                        .ok_or_else(|| ApplyError::NoSuch(format!("origin access control {r}")))?,
                ),
                _ => None,
            });
        }
        let d = cf
            .distributions
            .iter_mut()
            .find(|d| d.id == *id)
            .ok_or_else(|| ApplyError::NoSuch(format!("distribution {id}")))?;
        for (e, oac_id) in edits.iter().zip(resolved) {
            match e {
                DistributionEdit::ViewerProtocolPolicy {
                    path_pattern,
                    policy,
                } => {
                    let b = d
                        .behaviors
                        .iter_mut()
                        .find(|b| b.path_pattern == *path_pattern)
                        .ok_or_else(|| {
                            ApplyError::NoSuch(format!(
                                "cache behavior {} of {id}",
                                path_pattern.as_deref().unwrap_or("(default)")
                            ))
                        })?;
                    b.viewer_protocol_policy = policy.clone();
                }
                DistributionEdit::OriginAccessControl { origin_id, .. } => {
                    let o = d
                        .origins
                        .iter_mut()
                        .find(|o| o.id == *origin_id)
                        .ok_or_else(|| ApplyError::NoSuch(format!("origin {origin_id} of {id}")))?;
                    o.oac_id = oac_id;
                }
                DistributionEdit::ViewerTls {
                    ssl_support_method,
                    minimum_protocol_version,
                } => {
                    d.viewer_certificate.ssl_support_method = ssl_support_method.clone();
                    d.viewer_certificate.minimum_protocol_version =
                        minimum_protocol_version.clone();
                }
            }
        }
        // Every update gives the distribution a new ETag, which nobody knows
        // before AWS answers: a later update of the same plan must not send
        // the old one as If-Match (AWS: PreconditionFailed), so it reads the
        // current one just before sending (the drift check before the plan
        // still guards against changes made by others).
        d.etag = None;
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let cf = before.cloudfront.ready()?;
        let d = cf.distribution(&self.id)?;
        let mut back = Vec::with_capacity(self.edits.len());
        for e in &self.edits {
            back.push(match e {
                DistributionEdit::ViewerProtocolPolicy { path_pattern, .. } => {
                    let b = d
                        .behaviors
                        .iter()
                        .find(|b| b.path_pattern == *path_pattern)?;
                    DistributionEdit::ViewerProtocolPolicy {
                        path_pattern: path_pattern.clone(),
                        policy: b.viewer_protocol_policy.clone(),
                    }
                }
                DistributionEdit::OriginAccessControl { origin_id, .. } => {
                    let o = d.origins.iter().find(|o| o.id == *origin_id)?;
                    DistributionEdit::OriginAccessControl {
                        origin_id: origin_id.clone(),
                        // By name when known: a name survives re-creation, an id does not.
                        oac: o.oac_id.as_deref().map(|oid| {
                            cf.oac_by_id(oid)
                                .map(|x| x.name.clone())
                                .unwrap_or_else(|| oid.to_string())
                        }),
                    }
                }
                DistributionEdit::ViewerTls { .. } => DistributionEdit::ViewerTls {
                    ssl_support_method: d.viewer_certificate.ssl_support_method.clone(),
                    minimum_protocol_version: d.viewer_certificate.minimum_protocol_version.clone(),
                },
            });
        }
        // Undo reads the ETag afresh when it runs.
        Some(vec![
            UpdateDistribution {
                id: self.id.clone(),
                etag: None,
                edits: back,
            }
            .into(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two updates of one distribution in one plan: the second cannot know
    /// the ETag the first one leaves, so the model forgets it.
    #[test]
    fn an_update_forgets_the_etag_it_changes() {
        let mut inv = crate::collect::demo::demo_inventory().expect("demo");
        let cf = inv.cloudfront.ready().expect("cloudfront");
        let d = cf.distributions.first().expect("a distribution");
        let (id, etag) = (d.id.clone(), d.etag.clone());
        assert!(etag.is_some(), "the demo distribution has an ETag");
        let op = UpdateDistribution {
            id: id.clone(),
            etag,
            edits: vec![DistributionEdit::ViewerTls {
                ssl_support_method: Some("sni-only".into()),
                minimum_protocol_version: Some("TLSv1.2_2021".into()),
            }],
        };
        op.predict(&mut inv).expect("applies");
        let after = inv.cloudfront.ready().expect("cloudfront");
        let d = after.distribution(&id).expect("still there");
        assert_eq!(d.etag, None);
        assert_eq!(
            d.viewer_certificate.minimum_protocol_version.as_deref(),
            Some("TLSv1.2_2021")
        );
    }
}
