//! Amazon CloudFront: distributions and origin access controls. Each
//! distribution's configuration (the parts moat checks and changes) is kept
//! with its ETag.

pub mod ops;
pub(crate) mod sdk;

use serde::{Deserialize, Serialize};

/// One change to a distribution's configuration. UpdateDistribution sends the
/// whole configuration as read just before, with these fields changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum DistributionEdit {
    /// A cache behavior's viewer protocol policy (`path_pattern: None`: the default one).
    ViewerProtocolPolicy {
        path_pattern: Option<String>,
        policy: String,
    },
    /// The origin access control on an origin, by OAC name (or id); `None` removes it.
    OriginAccessControl {
        origin_id: String,
        oac: Option<String>,
    },
    /// How viewers' TLS is negotiated with a custom certificate.
    ViewerTls {
        ssl_support_method: Option<String>,
        minimum_protocol_version: Option<String>,
    },
}

/// An origin access control (OAC): how CloudFront signs requests to an S3 origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginAccessControl {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `s3`, `mediastore`, …
    pub origin_type: String,
    /// `always`, `never` or `no-override`.
    pub signing_behavior: String,
    /// `sigv4`.
    pub signing_protocol: String,
}

/// One origin of a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub id: String,
    pub domain_name: String,
    /// `Some` for an S3 (REST endpoint) origin: its legacy origin access
    /// identity path (`origin-access-identity/cloudfront/E…`), empty when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_oai: Option<String>,
    /// The origin access control attached, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oac_id: Option<String>,
}

impl Origin {
    /// The bucket an S3 origin serves from, read from its domain name
    /// (`BUCKET.s3.amazonaws.com`, `BUCKET.s3.REGION.amazonaws.com`,
    /// `BUCKET.s3-REGION.amazonaws.com`). Website endpoints are custom origins
    /// and cannot use origin access control, so they give `None`.
    pub fn s3_bucket(&self) -> Option<&str> {
        let d = self.domain_name.trim_end_matches('.');
        let d = d
            .strip_suffix(".amazonaws.com")
            .or_else(|| d.strip_suffix(".amazonaws.com.cn"))?;
        if d.contains("s3-website") {
            return None;
        }
        // The bucket name may hold dots; the S3 label is the last `s3` or `s3-REGION` one.
        let idx = d
            .rfind(".s3.")
            .or_else(|| d.rfind(".s3-"))
            .or_else(|| d.strip_suffix(".s3").map(|b| b.len()))?;
        let bucket = &d[..idx];
        (!bucket.is_empty()).then_some(bucket)
    }

    /// Uses a legacy origin access identity.
    pub fn has_oai(&self) -> bool {
        self.s3_oai.as_deref().is_some_and(|o| !o.trim().is_empty())
    }
}

/// A cache behavior; `path_pattern: None` is the default behavior.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheBehavior {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_pattern: Option<String>,
    pub target_origin_id: String,
    /// `allow-all`, `redirect-to-https` or `https-only`.
    pub viewer_protocol_policy: String,
}

impl CacheBehavior {
    pub fn label(&self) -> &str {
        self.path_pattern.as_deref().unwrap_or("(default)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ViewerCertificate {
    /// The `*.cloudfront.net` certificate.
    pub cloudfront_default: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acm_certificate_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_certificate_id: Option<String>,
    /// `sni-only`, `vip` or `static-ip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_support_method: Option<String>,
    /// e.g. `TLSv1.2_2021`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_protocol_version: Option<String>,
}

impl ViewerCertificate {
    /// A certificate of the user's own (ACM or IAM), not CloudFront's. The
    /// certificate decides, not the `CloudFrontDefaultCertificate` flag (moto
    /// reports the flag true next to an ACM certificate; AWS never does).
    pub fn is_custom(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        set(&self.acm_certificate_arn) || set(&self.iam_certificate_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    pub domain_name: String,
    /// The ETag GetDistributionConfig answered with (UpdateDistribution's If-Match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    pub enabled: bool,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub origins: Vec<Origin>,
    /// The default behavior first, then the others in order.
    pub behaviors: Vec<CacheBehavior>,
    pub viewer_certificate: ViewerCertificate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_acl_id: Option<String>,
}

/// The CloudFront part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CloudFront {
    pub distributions: Vec<Distribution>,
    pub origin_access_controls: Vec<OriginAccessControl>,
}

impl CloudFront {
    pub fn distribution(&self, id: &str) -> Option<&Distribution> {
        self.distributions.iter().find(|d| d.id == id)
    }
    pub fn oac_by_name(&self, name: &str) -> Option<&OriginAccessControl> {
        self.origin_access_controls.iter().find(|o| o.name == name)
    }
    pub fn oac_by_id(&self, id: &str) -> Option<&OriginAccessControl> {
        self.origin_access_controls.iter().find(|o| o.id == id)
    }
    /// An OAC named or identified by `r` (ops name OACs, which may not exist yet).
    pub fn resolve_oac(&self, r: &str) -> Option<&OriginAccessControl> {
        self.oac_by_name(r).or_else(|| self.oac_by_id(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(domain: &str) -> Origin {
        Origin {
            id: "o".into(),
            domain_name: domain.into(),
            s3_oai: Some(String::new()),
            oac_id: None,
        }
    }

    #[test]
    fn s3_bucket_from_origin_domain() {
        assert_eq!(
            origin("assets.s3.amazonaws.com").s3_bucket(),
            Some("assets")
        );
        assert_eq!(
            origin("my.dotted.bucket.s3.eu-west-1.amazonaws.com").s3_bucket(),
            Some("my.dotted.bucket")
        );
        assert_eq!(
            origin("old-style.s3-eu-west-1.amazonaws.com").s3_bucket(),
            Some("old-style")
        );
        assert_eq!(
            origin("site.s3-website-us-east-1.amazonaws.com").s3_bucket(),
            None
        );
        assert_eq!(origin("example.com").s3_bucket(), None);
    }
}
