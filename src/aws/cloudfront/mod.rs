//! Amazon CloudFront: distributions and origin access controls.

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
