//! `Op`: one variant per mutating AWS call moat makes. Plain data (serde), so a
//! plan can be printed, journaled and replayed.

use crate::inventory::{
    Acl, ApplyError, Contact, ContactType, Encryption, Inventory, PasswordPolicy,
    PublicAccessBlock, ResourceRef, VersioningStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::ops_ebs_vpc::EbsVpcOp;
pub use super::ops_ec2::Ec2Op;
pub use super::ops_workloads::WorkloadsOp;

/// An MFA device serial and the code it shows now: what S3 needs to change
/// MFA Delete. Never serialized (the journal and plans skip it) and never
/// printed (its `Debug` hides the code).
#[derive(Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub serial: String,
    pub code: String,
}

impl MfaToken {
    /// The `x-amz-mfa` header value: serial, space, code.
    pub fn header(&self) -> String {
        format!("{} {}", self.serial, self.code)
    }
}

impl std::fmt::Debug for MfaToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaToken(***)")
    }
}

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

/// One mutating AWS call: everything moat knows about it, in one place. Each
/// op type implements this next to its service's other code
/// (`crate::aws::<service>::ops`), its SDK request beside it
/// (`crate::aws::<service>::sdk`), and is listed once in [`for_each_op!`],
/// which generates [`Op`] and every dispatch over it.
pub trait OpKind: Clone + Into<Op> {
    /// `service:Action`: the IAM permission the call needs.
    const ACTION: &'static str;

    /// Whether moat sends this op: `false` for one kept only so that
    /// journals of earlier versions still read (undo drops it, no plan makes
    /// it), whose action no policy grants.
    const SENT: bool = true;

    /// The resource whose document this op changes.
    fn resource(&self) -> ResourceRef;

    /// Other resources whose documents this op changes besides
    /// [`resource`](Self::resource): a user lists its keys' status, a group
    /// its members. The preview shows them and the drift check compares them.
    fn also_touches(&self) -> Vec<ResourceRef> {
        Vec::new()
    }

    /// The AWS region the call goes to (`None`: a global service).
    fn region(&self) -> Option<&str> {
        None
    }

    /// A short human description, e.g. `deactivate access key AKIA… of alice`.
    fn describe(&self) -> String;

    /// The predicted effect on the account model, as AWS would apply it (the
    /// demo backend uses it as its "AWS", and the preview diffs its result).
    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError>;

    /// Ops that undo this one, given the inventory `before` it; `None` when
    /// it cannot be undone.
    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>>;

    /// Whether sending this op needs an MFA code (S3 MFA Delete changes).
    fn needs_mfa(&self) -> bool {
        false
    }

    /// Give an op that needs MFA the device serial and code (undo asks for them).
    fn set_mfa(&mut self, _token: &MfaToken) {}

    /// What an undo of this op leaves in place on purpose, for the undo preview.
    fn undo_note(&self) -> Option<String> {
        None
    }

    /// A resource an undo of this op leaves as the op made it, on purpose (see
    /// [`undo_note`](Self::undo_note)): its documents do not go back to "before".
    fn kept_on_undo(&self) -> Option<ResourceRef> {
        None
    }

    /// The ops an undo sends, from the inverse journaled with this op (a
    /// journal of an earlier version may hold an inverse that is no longer sent).
    fn undo_ops(&self, journaled: Vec<Op>) -> Vec<Op> {
        journaled
    }
}

/// The registry of op types: every mutating call moat makes, listed once as
/// `Variant(type)`. `for_each_op!(m, extra)` calls `m! { extra; list }`: the
/// [`Op`] enum and its dispatch are generated here, the SDK dispatch in the
/// AWS backend. The variant name is the op's `"op"` tag in plans and journals
/// (snake_case), so a variant is never renamed.
macro_rules! for_each_op {
    ($m:ident, $extra:tt) => {
        $m! { $extra;
            UpdateAccessKey(crate::aws::iam::ops::UpdateAccessKey),
            CreateUser(crate::aws::iam::ops::CreateUser),
            DeleteUser(crate::aws::iam::ops::DeleteUser),
            AttachUserPolicy(crate::aws::iam::ops::AttachUserPolicy),
            DetachUserPolicy(crate::aws::iam::ops::DetachUserPolicy),
            AttachRolePolicy(crate::aws::iam::ops::AttachRolePolicy),
            DetachRolePolicy(crate::aws::iam::ops::DetachRolePolicy),
            PutBucketLifecycle(crate::aws::s3::ops::PutBucketLifecycle),
            DeleteBucketLifecycle(crate::aws::s3::ops::DeleteBucketLifecycle),
            PutBucketLogging(crate::aws::s3::ops::PutBucketLogging),
            CreateTrail(crate::aws::cloudtrail::ops::CreateTrail),
            DeleteTrail(crate::aws::cloudtrail::ops::DeleteTrail),
            StartLogging(crate::aws::cloudtrail::ops::StartLogging),
            StopLogging(crate::aws::cloudtrail::ops::StopLogging),
            UpdateTrail(crate::aws::cloudtrail::ops::UpdateTrail),
            PutEventSelectors(crate::aws::cloudtrail::ops::PutEventSelectors),
            PutMetricAlarm(crate::aws::cloudwatch::ops::PutMetricAlarm),
            DeleteMetricAlarm(crate::aws::cloudwatch::ops::DeleteMetricAlarm),
            PutMetricFilter(crate::aws::logs::ops::PutMetricFilter),
            DeleteMetricFilter(crate::aws::logs::ops::DeleteMetricFilter),
            CreateSnsTopic(crate::aws::sns::ops::CreateSnsTopic),
            DeleteSnsTopic(crate::aws::sns::ops::DeleteSnsTopic),
            SubscribeSnsTopic(crate::aws::sns::ops::SubscribeSnsTopic),
            UnsubscribeSnsTopic(crate::aws::sns::ops::UnsubscribeSnsTopic),
            CreateKmsKey(crate::aws::kms::ops::CreateKmsKey),
            ScheduleKmsKeyDeletion(crate::aws::kms::ops::ScheduleKmsKeyDeletion),
        }
    };
}
pub(crate) use for_each_op;

/// Generates [`Op`] (one variant per registered type, plus the op groups not
/// yet given types of their own) and its dispatch.
macro_rules! define_op {
    ({ $($legacy:tt)* }; $( $variant:ident($ty:ty), )*) => {
        /// One mutating AWS call. Plain data (serde), so a plan can be printed,
        /// journaled and replayed: `{"op": "snake_case_variant", ...fields}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum Op {
            $( $variant($ty), )*
            $($legacy)*
        }

        $(
            impl From<$ty> for Op {
                fn from(op: $ty) -> Op {
                    Op::$variant(op)
                }
            }
        )*

        impl Op {
            /// `service:Action`, as IAM policies and CloudTrail name the call.
            pub fn action(&self) -> &'static str {
                match self {
                    $( Op::$variant(_) => <$ty as OpKind>::ACTION, )*
                    _ => self.legacy_action(),
                }
            }

            /// Every action moat can send, once each, for the least-privilege
            /// policy and tests.
            pub fn all_actions() -> Vec<&'static str> {
                let mut all: Vec<&'static str> = [$( (<$ty as OpKind>::SENT, <$ty as OpKind>::ACTION), )*]
                    .into_iter()
                    .filter_map(|(sent, action)| sent.then_some(action))
                    .collect();
                all.extend(Self::legacy_actions());
                let mut seen = std::collections::HashSet::new();
                all.retain(|a| seen.insert(*a));
                all
            }

            /// The resource whose document this op changes.
            pub fn resource(&self) -> ResourceRef {
                match self {
                    $( Op::$variant(o) => o.resource(), )*
                    _ => self.legacy_resource(),
                }
            }

            /// See [`OpKind::also_touches`].
            pub fn also_touches(&self) -> Vec<ResourceRef> {
                match self {
                    $( Op::$variant(o) => o.also_touches(), )*
                    _ => self.legacy_also_touches(),
                }
            }

            /// The AWS region the call goes to (`None`: a global service).
            pub fn region(&self) -> Option<&str> {
                match self {
                    $( Op::$variant(o) => o.region(), )*
                    _ => self.legacy_region(),
                }
            }

            /// Whether sending this op needs an MFA code (S3 MFA Delete changes).
            pub fn needs_mfa(&self) -> bool {
                match self {
                    $( Op::$variant(o) => o.needs_mfa(), )*
                    _ => self.legacy_needs_mfa(),
                }
            }

            /// Give an op that needs MFA the device serial and code.
            pub fn set_mfa(&mut self, token: &MfaToken) {
                match self {
                    $( Op::$variant(o) => o.set_mfa(token), )*
                    _ => self.legacy_set_mfa(token),
                }
            }

            /// A short human description, e.g. `deactivate access key AKIA… of alice`.
            pub fn describe(&self) -> String {
                match self {
                    $( Op::$variant(o) => o.describe(), )*
                    _ => self.legacy_describe(),
                }
            }

            /// The predicted effect of this op on `inv` (see [`OpKind::predict`]).
            pub fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                match self {
                    $( Op::$variant(o) => o.predict(inv), )*
                    _ => inv.legacy_apply(self),
                }
            }

            /// Ops that undo this one, given the inventory `before` it; `None`
            /// when it cannot be undone.
            pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                match self {
                    $( Op::$variant(o) => o.inverse(before), )*
                    _ => super::inverse::legacy_inverse(self, before),
                }
            }

            /// See [`OpKind::undo_note`].
            pub fn undo_note(&self) -> Option<String> {
                match self {
                    $( Op::$variant(o) => o.undo_note(), )*
                    _ => None,
                }
            }

            /// See [`OpKind::kept_on_undo`].
            pub fn kept_on_undo(&self) -> Option<ResourceRef> {
                match self {
                    $( Op::$variant(o) => o.kept_on_undo(), )*
                    _ => None,
                }
            }

            /// See [`OpKind::undo_ops`].
            pub fn undo_ops(&self, journaled: Vec<Op>) -> Vec<Op> {
                match self {
                    $( Op::$variant(o) => o.undo_ops(journaled), )*
                    _ => journaled,
                }
            }
        }
    };
}

for_each_op!(define_op, {
    CreateGroup {
        name: String,
    },
    DeleteGroup {
        name: String,
    },
    AddUserToGroup {
        user: String,
        group: String,
    },
    RemoveUserFromGroup {
        user: String,
        group: String,
    },
    AttachGroupPolicy {
        group: String,
        policy_arn: String,
    },
    DetachGroupPolicy {
        group: String,
        policy_arn: String,
    },
    CreatePolicy {
        name: String,
        document: Value,
    },
    DeletePolicy {
        name: String,
        arn: String,
    },
    UpdatePasswordPolicy {
        policy: PasswordPolicy,
    },
    DeletePasswordPolicy,
    PutAlternateContact {
        contact_type: ContactType,
        contact: Contact,
    },
    DeleteAlternateContact {
        contact_type: ContactType,
    },
    /// s3control:PutPublicAccessBlock for the account.
    PutAccountPublicAccessBlock {
        config: PublicAccessBlock,
    },
    DeleteAccountPublicAccessBlock,
    PutBucketPublicAccessBlock {
        bucket: String,
        region: String,
        config: PublicAccessBlock,
    },
    DeleteBucketPublicAccessBlock {
        bucket: String,
        region: String,
    },
    PutBucketPolicy {
        bucket: String,
        region: String,
        policy: Value,
    },
    DeleteBucketPolicy {
        bucket: String,
        region: String,
    },
    /// The whole ACL (owner and grants), as PutBucketAcl takes it.
    PutBucketAcl {
        bucket: String,
        region: String,
        acl: Acl,
    },
    PutBucketEncryption {
        bucket: String,
        region: String,
        encryption: Encryption,
    },
    DeleteBucketEncryption {
        bucket: String,
        region: String,
    },
    /// `mfa_delete: Some(_)` changes MFA Delete too, which needs `mfa`.
    PutBucketVersioning {
        bucket: String,
        region: String,
        status: VersioningStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mfa_delete: Option<bool>,
        #[serde(skip)]
        mfa: Option<MfaToken>,
    },
    CreateOriginAccessControl {
        name: String,
        description: String,
    },
    DeleteOriginAccessControl {
        name: String,
    },
    /// cloudfront:UpdateDistribution with If-Match `etag` (`None`: the ETag
    /// read just before sending, for undo).
    UpdateDistribution {
        id: String,
        etag: Option<String>,
        edits: Vec<DistributionEdit>,
    },
    /// s3:CreateBucket, private (object ownership enforced, public access
    /// blocked by S3's defaults) — log buckets for trails, flow logs and access logs.
    CreateBucket {
        bucket: String,
        region: String,
    },
    /// s3:DeleteBucket (undo of CreateBucket; S3 refuses a bucket that holds objects).
    DeleteBucket {
        bucket: String,
        region: String,
    },
    // Section groups, each in a file of its own. Untagged: their variants
    // serialize as `{"op": …}` like the ones above.
    #[serde(untagged)]
    Ec2(Ec2Op),
    #[serde(untagged)]
    EbsVpc(EbsVpcOp),
    #[serde(untagged)]
    Workloads(WorkloadsOp),
});

impl Op {
    fn legacy_action(&self) -> &'static str {
        match self {
            Op::CreateGroup { .. } => "iam:CreateGroup",
            Op::DeleteGroup { .. } => "iam:DeleteGroup",
            Op::AddUserToGroup { .. } => "iam:AddUserToGroup",
            Op::RemoveUserFromGroup { .. } => "iam:RemoveUserFromGroup",
            Op::AttachGroupPolicy { .. } => "iam:AttachGroupPolicy",
            Op::DetachGroupPolicy { .. } => "iam:DetachGroupPolicy",
            Op::CreatePolicy { .. } => "iam:CreatePolicy",
            Op::DeletePolicy { .. } => "iam:DeletePolicy",
            Op::UpdatePasswordPolicy { .. } => "iam:UpdateAccountPasswordPolicy",
            Op::DeletePasswordPolicy => "iam:DeleteAccountPasswordPolicy",
            Op::PutAlternateContact { .. } => "account:PutAlternateContact",
            Op::DeleteAlternateContact { .. } => "account:DeleteAlternateContact",
            Op::PutAccountPublicAccessBlock { .. } => "s3:PutAccountPublicAccessBlock",
            // S3's IAM actions: a delete needs the Put permission.
            Op::DeleteAccountPublicAccessBlock => "s3:PutAccountPublicAccessBlock",
            Op::PutBucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Op::DeleteBucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Op::PutBucketPolicy { .. } => "s3:PutBucketPolicy",
            Op::DeleteBucketPolicy { .. } => "s3:DeleteBucketPolicy",
            Op::PutBucketAcl { .. } => "s3:PutBucketAcl",
            Op::PutBucketEncryption { .. } => "s3:PutEncryptionConfiguration",
            Op::DeleteBucketEncryption { .. } => "s3:PutEncryptionConfiguration",
            Op::PutBucketVersioning { .. } => "s3:PutBucketVersioning",
            Op::CreateOriginAccessControl { .. } => "cloudfront:CreateOriginAccessControl",
            Op::DeleteOriginAccessControl { .. } => "cloudfront:DeleteOriginAccessControl",
            Op::UpdateDistribution { .. } => "cloudfront:UpdateDistribution",
            Op::CreateBucket { .. } => "s3:CreateBucket",
            Op::DeleteBucket { .. } => "s3:DeleteBucket",
            Op::Ec2(o) => o.action(),
            Op::EbsVpc(o) => o.action(),
            Op::Workloads(o) => o.action(),
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
    }

    /// Every action moat can send, for the least-privilege policy and tests.
    fn legacy_actions() -> Vec<&'static str> {
        let mut all = Self::CORE_ACTIONS.to_vec();
        all.extend_from_slice(Ec2Op::ALL_ACTIONS);
        all.extend_from_slice(EbsVpcOp::ALL_ACTIONS);
        all.extend_from_slice(WorkloadsOp::ALL_ACTIONS);
        all
    }

    /// The actions of the variants declared in this file.
    const CORE_ACTIONS: &'static [&'static str] = &[
        "iam:CreateGroup",
        "iam:DeleteGroup",
        "iam:AddUserToGroup",
        "iam:RemoveUserFromGroup",
        "iam:AttachGroupPolicy",
        "iam:DetachGroupPolicy",
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:UpdateAccountPasswordPolicy",
        "iam:DeleteAccountPasswordPolicy",
        "account:PutAlternateContact",
        "account:DeleteAlternateContact",
        "s3:PutAccountPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketAcl",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketVersioning",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
        "cloudfront:UpdateDistribution",
        "s3:CreateBucket",
        "s3:DeleteBucket",
    ];

    /// The resource whose document this op changes.
    fn legacy_resource(&self) -> ResourceRef {
        match self {
            Op::AddUserToGroup { user, .. } | Op::RemoveUserFromGroup { user, .. } => {
                ResourceRef::User { name: user.clone() }
            }
            Op::CreateGroup { name } | Op::DeleteGroup { name } => {
                ResourceRef::Group { name: name.clone() }
            }
            Op::AttachGroupPolicy { group, .. } | Op::DetachGroupPolicy { group, .. } => {
                ResourceRef::Group {
                    name: group.clone(),
                }
            }
            Op::CreatePolicy { name, .. } | Op::DeletePolicy { name, .. } => {
                ResourceRef::Policy { name: name.clone() }
            }
            Op::UpdatePasswordPolicy { .. } | Op::DeletePasswordPolicy => {
                ResourceRef::PasswordPolicy
            }
            Op::PutAlternateContact { contact_type, .. }
            | Op::DeleteAlternateContact { contact_type } => {
                ResourceRef::AlternateContact(*contact_type)
            }
            Op::PutAccountPublicAccessBlock { .. } | Op::DeleteAccountPublicAccessBlock => {
                ResourceRef::S3AccountPublicAccessBlock
            }
            Op::PutBucketPublicAccessBlock { bucket, .. }
            | Op::DeleteBucketPublicAccessBlock { bucket, .. }
            | Op::PutBucketPolicy { bucket, .. }
            | Op::DeleteBucketPolicy { bucket, .. }
            | Op::PutBucketAcl { bucket, .. }
            | Op::PutBucketEncryption { bucket, .. }
            | Op::DeleteBucketEncryption { bucket, .. }
            | Op::PutBucketVersioning { bucket, .. }
            | Op::CreateBucket { bucket, .. }
            | Op::DeleteBucket { bucket, .. } => ResourceRef::Bucket {
                name: bucket.clone(),
            },
            Op::CreateOriginAccessControl { name, .. } | Op::DeleteOriginAccessControl { name } => {
                ResourceRef::OriginAccessControl { name: name.clone() }
            }
            Op::UpdateDistribution { id, .. } => ResourceRef::Distribution { id: id.clone() },
            Op::Ec2(o) => o.resource(),
            Op::EbsVpc(o) => o.resource(),
            Op::Workloads(o) => o.resource(),
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
    }

    /// Other resources whose documents this op changes besides
    /// [`resource`](Self::resource): a user lists its keys' status, a group its
    /// members. The preview shows them and the drift check compares them.
    fn legacy_also_touches(&self) -> Vec<ResourceRef> {
        match self {
            Op::AddUserToGroup { group, .. } | Op::RemoveUserFromGroup { group, .. } => {
                vec![ResourceRef::Group {
                    name: group.clone(),
                }]
            }
            Op::Ec2(o) => o.also_touches(),
            Op::EbsVpc(o) => o.also_touches(),
            Op::Workloads(o) => o.also_touches(),
            _ => vec![],
        }
    }

    /// The AWS region the call goes to (`None`: a global service).
    fn legacy_region(&self) -> Option<&str> {
        match self {
            Op::PutBucketPublicAccessBlock { region, .. }
            | Op::DeleteBucketPublicAccessBlock { region, .. }
            | Op::PutBucketPolicy { region, .. }
            | Op::DeleteBucketPolicy { region, .. }
            | Op::PutBucketAcl { region, .. }
            | Op::PutBucketEncryption { region, .. }
            | Op::DeleteBucketEncryption { region, .. }
            | Op::PutBucketVersioning { region, .. }
            | Op::CreateBucket { region, .. }
            | Op::DeleteBucket { region, .. } => Some(region),
            Op::Ec2(o) => o.region(),
            Op::EbsVpc(o) => o.region(),
            Op::Workloads(o) => o.region(),
            _ => None,
        }
    }

    /// Whether sending this op needs an MFA code (S3 MFA Delete changes).
    fn legacy_needs_mfa(&self) -> bool {
        matches!(
            self,
            Op::PutBucketVersioning {
                mfa_delete: Some(_),
                ..
            }
        )
    }

    /// Give an op that needs MFA the device serial and code (undo asks for them).
    fn legacy_set_mfa(&mut self, token: &MfaToken) {
        if let Op::PutBucketVersioning {
            mfa_delete: Some(_),
            mfa,
            ..
        } = self
        {
            *mfa = Some(token.clone());
        }
    }

    /// A short human description, e.g. `deactivate access key AKIA… of alice`.
    fn legacy_describe(&self) -> String {
        match self {
            Op::CreateGroup { name } => format!("create IAM group {name}"),
            Op::DeleteGroup { name } => format!("delete IAM group {name}"),
            Op::AddUserToGroup { user, group } => format!("add user {user} to group {group}"),
            Op::RemoveUserFromGroup { user, group } => {
                format!("remove user {user} from group {group}")
            }
            Op::AttachGroupPolicy { group, policy_arn } => {
                format!("attach {policy_arn} to group {group}")
            }
            Op::DetachGroupPolicy { group, policy_arn } => {
                format!("detach {policy_arn} from group {group}")
            }
            Op::CreatePolicy { name, .. } => format!("create managed policy {name}"),
            Op::DeletePolicy { name, .. } => format!("delete managed policy {name}"),
            Op::UpdatePasswordPolicy { .. } => "set the account password policy".to_string(),
            Op::DeletePasswordPolicy => "delete the account password policy".to_string(),
            Op::PutAlternateContact { contact_type, .. } => {
                format!(
                    "set the {} alternate contact",
                    contact_type.as_str().to_lowercase()
                )
            }
            Op::DeleteAlternateContact { contact_type } => {
                format!(
                    "remove the {} alternate contact",
                    contact_type.as_str().to_lowercase()
                )
            }
            Op::PutAccountPublicAccessBlock { config } => {
                if config.all_on() {
                    "block public access to every bucket of the account".to_string()
                } else {
                    "set the account's S3 public access block".to_string()
                }
            }
            Op::DeleteAccountPublicAccessBlock => {
                "remove the account's S3 public access block".to_string()
            }
            Op::PutBucketPublicAccessBlock { bucket, config, .. } => {
                if config.all_on() {
                    format!("block public access to bucket {bucket}")
                } else {
                    format!("set the public access block of bucket {bucket}")
                }
            }
            Op::DeleteBucketPublicAccessBlock { bucket, .. } => {
                format!("remove the public access block of bucket {bucket}")
            }
            Op::PutBucketPolicy { bucket, .. } => format!("set the policy of bucket {bucket}"),
            Op::DeleteBucketPolicy { bucket, .. } => {
                format!("delete the policy of bucket {bucket}")
            }
            Op::PutBucketAcl { bucket, .. } => format!("set the ACL of bucket {bucket}"),
            Op::PutBucketEncryption {
                bucket, encryption, ..
            } => match &encryption.kms_key {
                Some(k) => format!("encrypt new objects in bucket {bucket} with KMS key {k}"),
                None => format!(
                    "encrypt new objects in bucket {bucket} by default ({})",
                    encryption.algorithm
                ),
            },
            Op::DeleteBucketEncryption { bucket, .. } => {
                format!("remove the default encryption setting of bucket {bucket}")
            }
            Op::PutBucketVersioning {
                bucket,
                status,
                mfa_delete,
                ..
            } => {
                let v = match status {
                    VersioningStatus::Enabled => "enable",
                    VersioningStatus::Suspended => "suspend",
                };
                match mfa_delete {
                    Some(true) => format!("{v} versioning of bucket {bucket} with MFA Delete on"),
                    Some(false) => {
                        format!("{v} versioning of bucket {bucket} with MFA Delete off")
                    }
                    None => format!("{v} versioning of bucket {bucket}"),
                }
            }
            Op::CreateOriginAccessControl { name, .. } => {
                format!("create CloudFront origin access control {name}")
            }
            Op::DeleteOriginAccessControl { name } => {
                format!("delete CloudFront origin access control {name}")
            }
            Op::UpdateDistribution { id, edits, .. } => {
                let what: Vec<String> = edits
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
                format!("update distribution {id} ({})", what.join("; "))
            }
            Op::CreateBucket { bucket, region } => {
                format!("create private bucket {bucket} in {region}")
            }
            Op::DeleteBucket { bucket, .. } => format!("delete empty bucket {bucket}"),
            Op::Ec2(o) => o.describe(),
            Op::EbsVpc(o) => o.describe(),
            Op::Workloads(o) => o.describe(),
            _ => unreachable!("typed ops are dispatched by the registry"),
        }
    }
}
