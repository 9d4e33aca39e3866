//! `Op`: one variant per mutating AWS call moat makes. Plain data (serde), so a
//! plan can be printed, journaled and replayed.

use crate::aws::inventory::{ApplyError, Inventory, ResourceRef};
use serde::{Deserialize, Serialize};

pub use crate::aws::cloudfront::DistributionEdit;
pub use crate::aws::s3::MfaToken;

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

    /// Whether moat sends this op in a root session of the account
    /// (sts:AssumeRoot with a task policy, asked with the caller's
    /// credentials): the task policy grants the call, the caller's own
    /// policy only sts:AssumeRoot, so no least-privilege policy names it.
    const ROOT_SESSION: bool = false;

    /// The call sent, when one type sends several (`ACTION` otherwise).
    fn call(&self) -> &'static str {
        Self::ACTION
    }

    /// The account id the person must type to confirm this op (a change
    /// that cannot be undone and locks people out, such as removing a root
    /// user's credentials); `None`: a yes is enough.
    fn typed_confirmation(&self) -> Option<&str> {
        None
    }

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
            ModifyDbInstancePublicAccess(crate::aws::rds::ops::ModifyDbInstancePublicAccess),
            ModifyDbSnapshotRestore(crate::aws::rds::ops::ModifyDbSnapshotRestore),
            ModifyDbClusterSnapshotRestore(crate::aws::rds::ops::ModifyDbClusterSnapshotRestore),
            UpsertRecordSet(crate::aws::route53::ops::UpsertRecordSet),
            DeleteRecordSet(crate::aws::route53::ops::DeleteRecordSet),
            ModifyListenerDefaultActions(crate::aws::elb::ops::ModifyListenerDefaultActions),
            ModifyRuleActions(crate::aws::elb::ops::ModifyRuleActions),
            ModifyListenerSslPolicy(crate::aws::elb::ops::ModifyListenerSslPolicy),
            EnableInspector(crate::aws::inspector::ops::EnableInspector),
            DisableInspector(crate::aws::inspector::ops::DisableInspector),
            PutAccountPublicAccessBlock(crate::aws::s3::ops::PutAccountPublicAccessBlock),
            DeleteAccountPublicAccessBlock(crate::aws::s3::ops::DeleteAccountPublicAccessBlock),
            PutBucketPublicAccessBlock(crate::aws::s3::ops::PutBucketPublicAccessBlock),
            DeleteBucketPublicAccessBlock(crate::aws::s3::ops::DeleteBucketPublicAccessBlock),
            PutBucketPolicy(crate::aws::s3::ops::PutBucketPolicy),
            DeleteBucketPolicy(crate::aws::s3::ops::DeleteBucketPolicy),
            PutBucketAcl(crate::aws::s3::ops::PutBucketAcl),
            PutBucketEncryption(crate::aws::s3::ops::PutBucketEncryption),
            DeleteBucketEncryption(crate::aws::s3::ops::DeleteBucketEncryption),
            PutBucketVersioning(crate::aws::s3::ops::PutBucketVersioning),
            CreateBucket(crate::aws::s3::ops::CreateBucket),
            DeleteBucket(crate::aws::s3::ops::DeleteBucket),
            CreateOriginAccessControl(crate::aws::cloudfront::ops::CreateOriginAccessControl),
            DeleteOriginAccessControl(crate::aws::cloudfront::ops::DeleteOriginAccessControl),
            UpdateDistribution(crate::aws::cloudfront::ops::UpdateDistribution),
            CreateGroup(crate::aws::iam::ops::CreateGroup),
            DeleteGroup(crate::aws::iam::ops::DeleteGroup),
            AddUserToGroup(crate::aws::iam::ops::AddUserToGroup),
            RemoveUserFromGroup(crate::aws::iam::ops::RemoveUserFromGroup),
            AttachGroupPolicy(crate::aws::iam::ops::AttachGroupPolicy),
            DetachGroupPolicy(crate::aws::iam::ops::DetachGroupPolicy),
            CreatePolicy(crate::aws::iam::ops::CreatePolicy),
            DeletePolicy(crate::aws::iam::ops::DeletePolicy),
            UpdatePasswordPolicy(crate::aws::iam::ops::UpdatePasswordPolicy),
            DeletePasswordPolicy(crate::aws::iam::ops::DeletePasswordPolicy),
            PutAlternateContact(crate::aws::account::ops::PutAlternateContact),
            EnableIamTrustedAccess(crate::aws::iam::ops::EnableIamTrustedAccess),
            EnableRootCredentialsManagement(crate::aws::iam::ops::EnableRootCredentialsManagement),
            DisableRootCredentialsManagement(crate::aws::iam::ops::DisableRootCredentialsManagement),
            EnableRootSessions(crate::aws::iam::ops::EnableRootSessions),
            DisableRootSessions(crate::aws::iam::ops::DisableRootSessions),
            DeleteRootCredential(crate::aws::iam::ops::DeleteRootCredential),
            DeleteAlternateContact(crate::aws::account::ops::DeleteAlternateContact),
            AuthorizeSecurityGroupIngress(crate::aws::ec2::ops::AuthorizeSecurityGroupIngress),
            RevokeSecurityGroupIngress(crate::aws::ec2::ops::RevokeSecurityGroupIngress),
            AuthorizeSecurityGroupEgress(crate::aws::ec2::ops::AuthorizeSecurityGroupEgress),
            RevokeSecurityGroupEgress(crate::aws::ec2::ops::RevokeSecurityGroupEgress),
            CreateSecurityGroup(crate::aws::ec2::ops::CreateSecurityGroup),
            DeleteSecurityGroup(crate::aws::ec2::ops::DeleteSecurityGroup),
            TagSecurityGroup(crate::aws::ec2::ops::TagSecurityGroup),
            UntagSecurityGroup(crate::aws::ec2::ops::UntagSecurityGroup),
            ModifyImageAttribute(crate::aws::ec2::ops::ModifyImageAttribute),
            ModifyInstanceMetadataOptions(crate::aws::ec2::ops::ModifyInstanceMetadataOptions),
            EnableEbsEncryptionByDefault(crate::aws::ebs::ops::EnableEbsEncryptionByDefault),
            DisableEbsEncryptionByDefault(crate::aws::ebs::ops::DisableEbsEncryptionByDefault),
            CreateSnapshot(crate::aws::ebs::ops::CreateSnapshot),
            DeleteSnapshot(crate::aws::ebs::ops::DeleteSnapshot),
            ModifySnapshotCreateVolumePermission(crate::aws::ebs::ops::ModifySnapshotCreateVolumePermission),
            CreateFlowLogs(crate::aws::vpc::ops::CreateFlowLogs),
            DeleteFlowLogs(crate::aws::vpc::ops::DeleteFlowLogs),
            CreateDetector(crate::aws::guardduty::ops::CreateDetector),
            DeleteDetector(crate::aws::guardduty::ops::DeleteDetector),
            UpdateDetector(crate::aws::guardduty::ops::UpdateDetector),
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

/// Generates [`Op`] (one variant per registered type) and its dispatch.
macro_rules! define_op {
    ({}; $( $variant:ident($ty:ty), )*) => {
        /// One mutating AWS call. Plain data (serde), so a plan can be printed,
        /// journaled and replayed: `{"op": "snake_case_variant", ...fields}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum Op {
            $( $variant($ty), )*
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
                    $( Op::$variant(o) => o.call(), )*
                }
            }

            /// See [`OpKind::ROOT_SESSION`].
            pub fn in_root_session(&self) -> bool {
                match self {
                    $( Op::$variant(_) => <$ty as OpKind>::ROOT_SESSION, )*
                }
            }

            /// See [`OpKind::typed_confirmation`].
            pub fn typed_confirmation(&self) -> Option<&str> {
                match self {
                    $( Op::$variant(o) => o.typed_confirmation(), )*
                }
            }

            /// Every action moat can send, once each, for the least-privilege
            /// policy and tests.
            pub fn all_actions() -> Vec<&'static str> {
                let mut all: Vec<&'static str> = [$( (<$ty as OpKind>::SENT && !<$ty as OpKind>::ROOT_SESSION, <$ty as OpKind>::ACTION), )*]
                    .into_iter()
                    .filter_map(|(sent, action)| sent.then_some(action))
                    .collect();
                let mut seen = std::collections::HashSet::new();
                all.retain(|a| seen.insert(*a));
                all
            }

            /// The resource whose document this op changes.
            pub fn resource(&self) -> ResourceRef {
                match self {
                    $( Op::$variant(o) => o.resource(), )*
                }
            }

            /// See [`OpKind::also_touches`].
            pub fn also_touches(&self) -> Vec<ResourceRef> {
                match self {
                    $( Op::$variant(o) => o.also_touches(), )*
                }
            }

            /// The AWS region the call goes to (`None`: a global service).
            pub fn region(&self) -> Option<&str> {
                match self {
                    $( Op::$variant(o) => o.region(), )*
                }
            }

            /// Whether sending this op needs an MFA code (S3 MFA Delete changes).
            pub fn needs_mfa(&self) -> bool {
                match self {
                    $( Op::$variant(o) => o.needs_mfa(), )*
                }
            }

            /// Give an op that needs MFA the device serial and code.
            pub fn set_mfa(&mut self, token: &MfaToken) {
                match self {
                    $( Op::$variant(o) => o.set_mfa(token), )*
                }
            }

            /// A short human description, e.g. `deactivate access key AKIA… of alice`.
            pub fn describe(&self) -> String {
                match self {
                    $( Op::$variant(o) => o.describe(), )*
                }
            }

            /// The predicted effect of this op on `inv` (see [`OpKind::predict`]).
            pub fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
                match self {
                    $( Op::$variant(o) => o.predict(inv), )*
                }
            }

            /// Ops that undo this one, given the inventory `before` it; `None`
            /// when it cannot be undone.
            pub fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
                match self {
                    $( Op::$variant(o) => o.inverse(before), )*
                }
            }

            /// See [`OpKind::undo_note`].
            pub fn undo_note(&self) -> Option<String> {
                match self {
                    $( Op::$variant(o) => o.undo_note(), )*
                }
            }

            /// See [`OpKind::kept_on_undo`].
            pub fn kept_on_undo(&self) -> Option<ResourceRef> {
                match self {
                    $( Op::$variant(o) => o.kept_on_undo(), )*
                }
            }

            /// See [`OpKind::undo_ops`].
            pub fn undo_ops(&self, journaled: Vec<Op>) -> Vec<Op> {
                match self {
                    $( Op::$variant(o) => o.undo_ops(journaled), )*
                }
            }
        }
    };
}

for_each_op!(define_op, {});
