//! `catalog_safety`'s knowledge of each AWS service, one file per service:
//! one sample op of every op type, the seeding of the scenarios, every
//! resource with a document, and how each resource drifts. The loops in
//! `catalog_safety/` do the rest.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use moat::aws::inventory::{Inventory, ResourceRef};
use moat::checks::Ctx;
use moat::config::Settings;
use moat::plan::Op;
use std::collections::{BTreeMap, BTreeSet};

/// What `catalog_safety` needs of one service's file.
pub struct Service {
    pub name: &'static str,
    /// One op of every op type of the service, in the order of `sample_index`.
    pub samples: fn() -> Vec<Op>,
    /// The position of an op's type in `samples` (a service's own ops only).
    pub sample_index: fn(&Op) -> usize,
    /// Op types that never have an inverse (serde tag, why).
    pub irreversible: &'static [(&'static str, &'static str)],
    /// Make a scenario (by name) fail the service's items in the ways their
    /// plans fix, beyond what the demo data already does.
    pub seed: fn(&str, &mut Inventory),
    /// Every resource of the service in an inventory that has a document.
    pub resources: fn(&Inventory, &mut BTreeSet<ResourceRef>),
}

/// The data of `region` in a part read region by region (its `regions`),
/// created empty when missing; `None` when the part or the region could not
/// be read.
macro_rules! region_mut {
    ($part:expr, $region:expr) => {
        $part
            .ready_mut()
            .map(|p| {
                p.regions
                    .entry($region.to_string())
                    .or_insert_with(|| moat::aws::inventory::Fetched::Ready(Default::default()))
            })
            .and_then(|r| r.ready_mut())
    };
}

/// The services, one file each, in the order their samples are listed.
/// Adding a service is one name here.
macro_rules! services {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        pub const SERVICES: &[Service] = &[$(Service {
            name: stringify!($m),
            samples: $m::samples,
            sample_index: $m::sample_index,
            irreversible: $m::IRREVERSIBLE,
            seed: $m::seed,
            resources: $m::resources,
        }),*];
    };
}

services!(
    iam,
    account,
    s3,
    cloudfront,
    ec2,
    ebs,
    vpc,
    guardduty,
    cloudtrail,
    kms,
    sns,
    cloudwatch,
    logs,
    rds,
    route53,
    elb,
    inspector,
    organizations,
);

pub const ACCOUNT: &str = "111122223333";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
        .single()
        .expect("date")
}

/// `f` with the default settings, nothing done yet, at [`now`].
pub fn with_ctx<T>(f: impl FnOnce(&Ctx) -> T) -> T {
    let settings = Settings::default();
    let done = BTreeMap::new();
    f(&Ctx {
        now: now(),
        settings: &settings,
        done: &done,
    })
}

/// The scenarios: the demo account and variants of it where the demo passes
/// or an op type would never appear. Each service seeds them by name.
pub const SCENARIOS: &[&str] = &[
    "demo",
    "root-caller",
    "bare-account",
    "half-done",
    "mfa-group-exists",
];

/// One op of every op type, service by service.
pub fn samples() -> Vec<Op> {
    SERVICES.iter().flat_map(|s| (s.samples)()).collect()
}

/// The position of `op`'s type in [`samples`]: its service's offset plus its
/// position among the service's samples.
pub fn sample_index(op: &Op) -> usize {
    let name = service_of(op);
    let mut offset = 0;
    for s in SERVICES {
        if s.name == name {
            return offset + (s.sample_index)(op);
        }
        offset += (s.samples)().len();
    }
    panic!("no service {name} in SERVICES")
}

/// Op types that never have an inverse, and why.
pub fn irreversible() -> Vec<(&'static str, &'static str)> {
    SERVICES
        .iter()
        .flat_map(|s| s.irreversible)
        .copied()
        .collect()
}

/// Apply every service's seeding of `scenario` to `inv`.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    for s in SERVICES {
        (s.seed)(scenario, inv);
    }
}

/// Every resource in the inventory that has a document.
pub fn all_resources(inv: &Inventory) -> BTreeSet<ResourceRef> {
    let mut out = BTreeSet::new();
    for s in SERVICES {
        (s.resources)(inv, &mut out);
    }
    out
}

/// A value read from its JSON form (the fields left out take their defaults).
pub fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("a valid JSON form")
}

/// Insert `r` into `out` when `inv` holds a document for it.
pub fn insert_documented(inv: &Inventory, out: &mut BTreeSet<ResourceRef>, r: ResourceRef) {
    if inv.document(&r).ok().flatten().is_some() {
        out.insert(r);
    }
}

/// The service whose file holds `op`'s sample. Exhaustive on purpose: a new
/// op type does not compile until it has a service (and so a sample).
fn service_of(op: &Op) -> &'static str {
    match op {
        Op::UpdateAccessKey(_)
        | Op::CreateUser(_)
        | Op::DeleteUser(_)
        | Op::CreateGroup(_)
        | Op::DeleteGroup(_)
        | Op::AddUserToGroup(_)
        | Op::RemoveUserFromGroup(_)
        | Op::AttachGroupPolicy(_)
        | Op::DetachGroupPolicy(_)
        | Op::CreatePolicy(_)
        | Op::DeletePolicy(_)
        | Op::UpdatePasswordPolicy(_)
        | Op::DeletePasswordPolicy(_)
        | Op::AttachUserPolicy(_)
        | Op::DetachUserPolicy(_)
        | Op::AttachRolePolicy(_)
        | Op::DetachRolePolicy(_) => "iam",
        Op::PutAlternateContact(_) | Op::DeleteAlternateContact(_) => "account",
        Op::PutAccountPublicAccessBlock(_)
        | Op::DeleteAccountPublicAccessBlock(_)
        | Op::PutBucketPublicAccessBlock(_)
        | Op::DeleteBucketPublicAccessBlock(_)
        | Op::PutBucketPolicy(_)
        | Op::DeleteBucketPolicy(_)
        | Op::PutBucketAcl(_)
        | Op::PutBucketEncryption(_)
        | Op::DeleteBucketEncryption(_)
        | Op::PutBucketVersioning(_)
        | Op::CreateBucket(_)
        | Op::DeleteBucket(_)
        | Op::PutBucketLifecycle(_)
        | Op::DeleteBucketLifecycle(_)
        | Op::PutBucketLogging(_) => "s3",
        Op::CreateOriginAccessControl(_)
        | Op::DeleteOriginAccessControl(_)
        | Op::UpdateDistribution(_) => "cloudfront",
        Op::AuthorizeSecurityGroupIngress(_)
        | Op::RevokeSecurityGroupIngress(_)
        | Op::AuthorizeSecurityGroupEgress(_)
        | Op::RevokeSecurityGroupEgress(_)
        | Op::CreateSecurityGroup(_)
        | Op::DeleteSecurityGroup(_)
        | Op::TagSecurityGroup(_)
        | Op::UntagSecurityGroup(_)
        | Op::ModifyImageAttribute(_)
        | Op::ModifyInstanceMetadataOptions(_) => "ec2",
        Op::EnableEbsEncryptionByDefault(_)
        | Op::DisableEbsEncryptionByDefault(_)
        | Op::CreateSnapshot(_)
        | Op::DeleteSnapshot(_)
        | Op::ModifySnapshotCreateVolumePermission(_) => "ebs",
        Op::CreateFlowLogs(_) | Op::DeleteFlowLogs(_) => "vpc",
        Op::CreateDetector(_) | Op::DeleteDetector(_) | Op::UpdateDetector(_) => "guardduty",
        Op::CreateTrail(_)
        | Op::DeleteTrail(_)
        | Op::StartLogging(_)
        | Op::StopLogging(_)
        | Op::UpdateTrail(_)
        | Op::PutEventSelectors(_) => "cloudtrail",
        Op::CreateKmsKey(_) | Op::ScheduleKmsKeyDeletion(_) => "kms",
        Op::CreateSnsTopic(_)
        | Op::DeleteSnsTopic(_)
        | Op::SubscribeSnsTopic(_)
        | Op::UnsubscribeSnsTopic(_) => "sns",
        Op::PutMetricAlarm(_) | Op::DeleteMetricAlarm(_) => "cloudwatch",
        Op::PutMetricFilter(_) | Op::DeleteMetricFilter(_) => "logs",
        Op::ModifyDbInstancePublicAccess(_)
        | Op::ModifyDbSnapshotRestore(_)
        | Op::ModifyDbClusterSnapshotRestore(_) => "rds",
        Op::UpsertRecordSet(_) | Op::DeleteRecordSet(_) => "route53",
        Op::ModifyListenerDefaultActions(_)
        | Op::ModifyRuleActions(_)
        | Op::ModifyListenerSslPolicy(_) => "elb",
        Op::EnableInspector(_) | Op::DisableInspector(_) => "inspector",
        Op::EnableIamTrustedAccess(_)
        | Op::EnableRootCredentialsManagement(_)
        | Op::DisableRootCredentialsManagement(_)
        | Op::EnableRootSessions(_)
        | Op::DisableRootSessions(_)
        | Op::DeleteRootCredential(_) => "organizations",
    }
}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
/// Exhaustive: a new resource kind does not compile until it can drift.
pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    match r {
        ResourceRef::Account
        | ResourceRef::RootKey { .. }
        | ResourceRef::User { .. }
        | ResourceRef::AccessKey { .. }
        | ResourceRef::Group { .. }
        | ResourceRef::Policy { .. }
        | ResourceRef::PasswordPolicy
        | ResourceRef::Role { .. } => iam::drift(inv, r),
        ResourceRef::AlternateContact(t) => account::drift(inv, t),
        ResourceRef::OrgRootAccess | ResourceRef::RootCredentials => organizations::drift(inv, r),
        ResourceRef::S3AccountPublicAccessBlock
        | ResourceRef::Bucket { .. }
        | ResourceRef::Lifecycle { .. } => s3::drift(inv, r),
        ResourceRef::Distribution { .. } | ResourceRef::OriginAccessControl { .. } => {
            cloudfront::drift(inv, r)
        }
        ResourceRef::Ec2(r) => ec2::drift(inv, r),
        ResourceRef::Ebs(r) => ebs::drift(inv, r),
        ResourceRef::Vpc(r) => vpc::drift(inv, r),
        ResourceRef::GuardDuty(r) => guardduty::drift(inv, r),
        // No document: no plan touches a region as a whole.
        ResourceRef::Region { .. } => {}
        ResourceRef::CloudTrail(r) => cloudtrail::drift(inv, r),
        ResourceRef::Kms(r) => kms::drift(inv, r),
        ResourceRef::Sns(r) => sns::drift(inv, r),
        ResourceRef::CloudWatch(r) => cloudwatch::drift(inv, r),
        ResourceRef::Logs(r) => logs::drift(inv, r),
        ResourceRef::Rds(r) => rds::drift(inv, r),
        ResourceRef::RecordSet { zone, rtype } => route53::drift(inv, zone, rtype),
        ResourceRef::Elb(r) => elb::drift(inv, r),
        ResourceRef::Inspector(r) => inspector::drift(inv, r),
    }
}

/// Every item of a part read as one list per region, with its region.
pub fn in_regions<T>(
    p: &moat::aws::inventory::Part<moat::aws::inventory::Regional<T>>,
) -> impl Iterator<Item = (&String, &T)> {
    p.ready()
        .into_iter()
        .flat_map(|b| b.regions.iter())
        .flat_map(|(region, list)| list.ready().into_iter().flatten().map(move |x| (region, x)))
}

/// The list of a regional part in `region`, created empty when missing.
pub fn region_list<'a, T: Clone>(
    p: &'a mut moat::aws::inventory::Part<moat::aws::inventory::Regional<T>>,
    region: &str,
) -> Option<&'a mut Vec<T>> {
    p.ready_mut()?
        .regions
        .entry(region.to_string())
        .or_insert(moat::aws::inventory::Fetched::Ready(vec![]))
        .ready_mut()
}
