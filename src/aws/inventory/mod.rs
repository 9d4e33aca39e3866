//! The typed account model. Every collector fills one [`Part`] of the
//! [`Inventory`]; checks read it; [`Inventory::apply`] predicts the effect of an
//! [`Op`](crate::aws::op::Op) so the preview is derived from the very ops that apply sends.
//!
//! The parts are declared once, in the `parts!` list below: adding a section's
//! data means adding a line there (and its types in a file of their own).

mod apply;
mod by_region;
pub mod document;
pub use crate::aws::ec2::inventory as ec2;
mod fetched;
mod resource;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use crate::aws::account::{AlternateContacts, Contact, ContactType};
pub use crate::aws::cloudfront::{
    CacheBehavior, CloudFront, Distribution, Origin, OriginAccessControl, ViewerCertificate,
};
pub use crate::aws::cloudtrail::CloudTrailRef;
pub use crate::aws::cloudtrail::trail::*;
pub use crate::aws::cloudwatch::CloudWatchRef;
pub use crate::aws::cloudwatch::alarm::*;
pub use crate::aws::ebs::{
    ALL_GROUP, CREATED_BY_TAG, CREATED_BY_VALUE, EbsRef, EbsRegion, Snapshot,
    SnapshotPermissionChange, Volume, VolumeAttachment,
};
pub use crate::aws::elb::{
    ClassicListener, ClassicLoadBalancer, Elb, ElbRef, ElbRegion, FixedResponse, ForwardConfig,
    Listener, ListenerAction, ListenerRule, LoadBalancer, RedirectConfig, WeightedTargetGroup,
    action_document,
};
pub use crate::aws::guardduty::{DETECTOR_DISABLED, DETECTOR_ENABLED, Detector, GuardDutyRef};
pub use crate::aws::iam::root_access::RootAccess;
pub use crate::aws::iam::{
    AccessKey, AccountSummary, CredentialReportRow, DEFAULT_IAM_ATTACHMENT_QUOTA, Group, Iam,
    IamQuotas, InlinePolicy, KeyStatus, ManagedPolicy, PasswordPolicy, Role, User,
    VirtualMfaDevice, aws_managed_policy_arn, aws_managed_policy_name, customer_policy_arn,
    iam_quotas, is_aws_managed_policy, is_control_tower_role,
};
pub use crate::aws::inspector::{INSPECTOR_SCANS, Inspector, InspectorRef, InspectorStatus};
pub use crate::aws::kms::KmsRef;
pub use crate::aws::kms::key::*;
pub use crate::aws::logs::LogsRef;
pub use crate::aws::logs::metric_filter::*;
pub use crate::aws::rds::{DbInstance, DbSnapshot, PUBLIC, Rds, RdsRef, RdsRegion};
pub use crate::aws::route53::{
    ApexRecords, HostedZone, RecordSet, RecordType, Route53, record_of, same_name,
};
pub use crate::aws::s3::lifecycle::*;
pub use crate::aws::s3::{
    ALL_USERS, AUTHENTICATED_USERS, Acl, Bucket, Encryption, Grant, Grantee, Logging,
    PublicAccessBlock, S3, Versioning, VersioningStatus, bucket_arn,
};
pub use crate::aws::sns::SnsRef;
pub use crate::aws::sns::topic::*;
pub use crate::aws::sqs::queue::*;
pub use crate::aws::sts::{DEFAULT_PARTITION, Identity, arn_partition, strip_arn_prefix};
pub use crate::aws::vpc::{
    DESTINATION_S3, FLOW_LOG_ACTIVE, FlowLog, TRAFFIC_ALL, Vpc, VpcRef, VpcRegion, is_ours,
};
pub use crate::kit::json::canonical_json;
pub use apply::ApplyError;
pub use by_region::*;
pub use ec2::*;
pub use fetched::Fetched;
pub use resource::ResourceRef;

/// Declares the parts: `PartId`, `PartValue`, the `Inventory` fields and the
/// accessors that map one to the other.
macro_rules! parts {
    ($( $(#[$doc:meta])* $variant:ident => $field:ident : $ty:ty, $label:literal; )*) => {
        /// One independently collected piece of the account. Items declare which
        /// parts they need; until those have arrived the item is `loading`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum PartId {
            $( $(#[$doc])* $variant, )*
        }

        impl PartId {
            pub const ALL: &'static [PartId] = &[$(PartId::$variant),*];

            pub fn label(self) -> &'static str {
                match self {
                    $( PartId::$variant => $label, )*
                }
            }
        }

        /// The value a collector produces for one part.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "part", content = "value", rename_all = "snake_case")]
        pub enum PartValue {
            $( $variant($ty), )*
        }

        impl PartValue {
            pub fn id(&self) -> PartId {
                match self {
                    $( PartValue::$variant(_) => PartId::$variant, )*
                }
            }
        }

        /// Everything moat knows about the account.
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct Inventory {
            $( pub $field: Part<$ty>, )*
        }

        impl Inventory {
            pub fn status(&self, id: PartId) -> PartStatus<'_> {
                match id {
                    $( PartId::$variant => status_of(&self.$field), )*
                }
            }

            /// Store a collected part.
            pub fn set(&mut self, value: PartValue) {
                match value {
                    $( PartValue::$variant(v) => self.$field = Part::Ready(Arc::new(v)), )*
                }
            }

            /// Record that a part could not be collected.
            pub fn set_error(&mut self, id: PartId, err: PartError) {
                match id {
                    $( PartId::$variant => self.$field = Part::Error(err), )*
                }
            }

            /// Mark a part as being collected again.
            pub fn reset(&mut self, id: PartId) {
                match id {
                    $( PartId::$variant => self.$field = Part::Loading, )*
                }
            }

            /// The part's value, when ready (the demo backend answers `collect` with it).
            pub fn get(&self, id: PartId) -> Option<PartValue> {
                Some(match id {
                    $( PartId::$variant => PartValue::$variant(self.$field.ready()?.clone()), )*
                })
            }
        }
    };
}

parts! {
    Identity => identity: Identity, "caller identity";
    AccountSummary => account_summary: AccountSummary, "account summary";
    Iam => iam: Iam, "IAM users, groups, roles and policies";
    CredentialReport => credential_report: Vec<CredentialReportRow>, "credential report";
    PasswordPolicy => password_policy: Option<PasswordPolicy>, "password policy";
    AlternateContacts => alternate_contacts: AlternateContacts, "alternate contacts";
    /// The organization's centralized root access and the account's root
    /// user credentials as the organization's administrator reads them.
    RootAccess => root_access: RootAccess, "centralized root access";
    /// Every bucket with its per-bucket settings.
    S3Buckets => s3: S3, "S3 buckets";
    /// The account-wide S3 public access block (`None`: not set).
    S3AccountPublicAccessBlock => s3_account_pab: Option<PublicAccessBlock>, "S3 account public access block";
    CloudFront => cloudfront: CloudFront, "CloudFront distributions";
    /// Trails visible from the home region (multi-region ones and its own).
    Trails => trails: Vec<Trail>, "CloudTrail trails";
    /// Security groups and the network interfaces using them, per region.
    Ec2Network => ec2_network: ByRegion<Ec2Network>, "EC2 security groups and network interfaces";
    /// Instances and the owners of the images they run, per region.
    Ec2Instances => ec2_instances: ByRegion<Ec2Instances>, "EC2 instances";
    /// The account's own images (AMIs), per region.
    Ec2Images => ec2_images: ByRegion<Ec2Images>, "EC2 images (AMIs)";

    /// EBS encryption by default, per region (the regions covered).
    EbsEncryption => ebs_encryption: ByRegion<bool>, "EBS encryption by default";
    /// EBS volumes and the snapshots the account owns, per region.
    Ebs => ebs: ByRegion<EbsRegion>, "EBS volumes and snapshots";
    /// VPCs with their flow logs, per region.
    VpcFlowLogs => vpc_flow_logs: ByRegion<VpcRegion>, "VPCs and flow logs";
    /// The GuardDuty detector of each region (`None`: none there).
    GuardDuty => guardduty: ByRegion<Option<Detector>>, "GuardDuty detectors";

    /// The home region (where new trails, topics and keys go) and the regions read.
    SessionRegions => session_regions: SessionRegions, "regions of the session";
    /// Lifecycle rules of the trails' buckets, by bucket.
    TrailBucketLifecycles => trail_lifecycles: BucketLifecycles, "lifecycle rules of the trail buckets";
    /// Customer KMS keys with aliases, per region (policies of moat's own keys).
    KmsKeys => kms_keys: Regional<KmsKey>, "KMS keys";
    /// SNS topics with their policies and subscriptions, per region.
    SnsTopics => sns_topics: Regional<Topic>, "SNS topics";
    /// CloudWatch metric alarms, per region (us-east-1 always: billing).
    MetricAlarms => metric_alarms: Regional<MetricAlarm>, "CloudWatch alarms";
    /// CloudWatch Logs metric filters, per region.
    MetricFilters => metric_filters: Regional<MetricFilter>, "CloudWatch Logs metric filters";
    /// The billing metrics CloudWatch publishes (us-east-1).
    BillingMetrics => billing_metrics: BillingMetrics, "CloudWatch billing metrics";

    /// RDS instances, manual DB and cluster snapshots, per region.
    Rds => rds: Rds, "RDS instances and snapshots";
    /// Hosted zones with their apex TXT and MX records.
    Route53 => route53: Route53, "Route 53 hosted zones";
    /// Load balancers (ELBv2 and Classic) with listeners and web ACLs, per region.
    Elb => elb: Elb, "load balancers and listeners";
    /// Amazon Inspector's account status, per region.
    Inspector => inspector: Inspector, "Amazon Inspector status";

}

/// A failed AWS call, a read (a part could not be collected) or a change (an
/// op was refused): the action, the service's error code, one line of message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartError {
    /// The IAM action that failed, e.g. `iam:GetAccountPasswordPolicy`.
    pub action: String,
    /// The service error code (`AccessDenied`, …) when there was one.
    pub code: Option<String>,
    pub message: String,
    /// A change whose outcome is unknown (no answer, and re-reading the
    /// account failed too): it may or may not have been applied, so the
    /// journal leaves its entry `unknown` rather than `failed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outcome_unknown: bool,
}

impl PartError {
    pub fn new(
        action: impl Into<String>,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        let message: String = message.into();
        let message = redact_key_ids(&message.split_whitespace().collect::<Vec<_>>().join(" "));
        Self {
            action: action.into(),
            code,
            message,
            outcome_unknown: false,
        }
    }

    /// Mark a failed change as possibly applied (see `outcome_unknown`).
    pub fn with_unknown_outcome(mut self) -> Self {
        self.outcome_unknown = true;
        self
    }

    /// Whether the service answered with `code`.
    pub fn is_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "AccessDenied"
                    | "AccessDeniedException"
                    | "UnauthorizedOperation"
                    | "AllAccessDisabled"
            )
        )
    }

    /// One line for the UI: names the denied action when it was a permission problem.
    pub fn summary(&self) -> String {
        if self.is_access_denied() {
            format!("access denied: the credentials lack {}", self.action)
        } else {
            match &self.code {
                Some(code) => format!("{} failed: {code}: {}", self.action, self.message),
                None => format!("{} failed: {}", self.action, self.message),
            }
        }
    }
}

impl std::error::Error for PartError {}

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// Replace AWS access key ids (`AKIA…`, `ASIA…`: 20 upper-case letters and
/// digits) in a service's message: some errors echo the caller's own key id,
/// and an error line ends up on screen and in the log. Findings that name a
/// user's key are not messages and keep it.
pub fn redact_key_ids(message: &str) -> String {
    let b = message.as_bytes();
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 20 <= b.len() {
        let starts = (b[i..].starts_with(b"AKIA") || b[i..].starts_with(b"ASIA"))
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        let body = starts
            && b[i..i + 20]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && b.get(i + 20).is_none_or(|c| !c.is_ascii_alphanumeric());
        if body {
            out.push_str(&message[copied..i]);
            out.push_str(&message[i..i + 4]);
            out.push_str("…(redacted)");
            i += 20;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&message[copied..]);
    out
}

/// The collection state of one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Part<T> {
    #[default]
    Loading,
    /// Shared: cloning the inventory (a plan or an evaluation off the UI
    /// task takes a copy) copies no account data; a change copies only the
    /// part it changes ([`Part::ready_mut`]).
    Ready(Arc<T>),
    Error(PartError),
}

impl<T> Part<T> {
    /// A part read as `value`.
    pub fn of(value: T) -> Self {
        Part::Ready(Arc::new(value))
    }
    pub fn ready(&self) -> Option<&T> {
        match self {
            Part::Ready(v) => Some(v),
            _ => None,
        }
    }
    /// The part's value to change; copied first when another inventory
    /// shares it.
    pub fn ready_mut(&mut self) -> Option<&mut T>
    where
        T: Clone,
    {
        match self {
            Part::Ready(v) => Some(Arc::make_mut(v)),
            _ => None,
        }
    }
    pub fn is_loading(&self) -> bool {
        matches!(self, Part::Loading)
    }
    pub fn error(&self) -> Option<&PartError> {
        match self {
            Part::Error(e) => Some(e),
            _ => None,
        }
    }
}

/// Whether a part is loading, ready or failed, without its data.
#[derive(Debug, Clone, PartialEq)]
pub enum PartStatus<'a> {
    Loading,
    Ready,
    Error(&'a PartError),
}

fn status_of<T>(p: &Part<T>) -> PartStatus<'_> {
    match p {
        Part::Loading => PartStatus::Loading,
        Part::Ready(_) => PartStatus::Ready,
        Part::Error(e) => PartStatus::Error(e),
    }
}

impl Inventory {
    pub fn account_id(&self) -> Option<&str> {
        self.identity.ready().map(|i| i.account.as_str())
    }

    /// The caller's partition ([`Identity::partition`]); `aws` until the
    /// identity is known.
    pub fn partition(&self) -> &str {
        self.identity
            .ready()
            .map_or(DEFAULT_PARTITION, Identity::partition)
    }

    /// Parts done (ready or failed) out of all parts.
    pub fn progress(&self) -> (usize, usize) {
        let done = PartId::ALL
            .iter()
            .filter(|p| !matches!(self.status(**p), PartStatus::Loading))
            .count();
        (done, PartId::ALL.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_an_access_key_id() {
        let e = PartError::new(
            "iam:ListAccessKeys",
            Some("NoSuchEntity".into()),
            "The Access Key with id AKIAMOATLEAKCHECK001 cannot be found",
        );
        assert_eq!(
            e.message,
            "The Access Key with id AKIA…(redacted) cannot be found"
        );
        assert_eq!(
            redact_key_ids("ASIAABCDEFGHIJKLMNOP, XAKIAABCDEFGHIJKLMNOP, AKIASHORT"),
            "ASIA…(redacted), XAKIAABCDEFGHIJKLMNOP, AKIASHORT"
        );
        assert_eq!(redact_key_ids("plain é text"), "plain é text");
    }
}
