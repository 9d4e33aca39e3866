//! The `cloudtrail` section: a multi-region trail that is logging, log file
//! validation, who may tamper with trails, and the trail buckets (not
//! public, MFA Delete, encryption, archiving, access logging) and
//! notifications.
//!
//! Buckets are judged only when they are in this account's inventory: a
//! trail may log to another account's bucket, whose settings are not ours
//! to read. A setting that could not be read gives an `error` finding.

pub mod fix;

mod buckets;
mod trail_delivery;
mod trails;
use super::kit::{self, Rollup, finding, not_applicable};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::access::{self, PrincipalKind};
use crate::aws::inventory::{
    Bucket, BucketLifecycle, CloudTrailRef, Fetched, Inventory, LifecycleRule, MIN_SIZE_VARIES,
    PartId, ResourceRef, Topic, Trail, TrailGap, trail_arn,
};
use crate::guide::msg;
use crate::policy;
pub use buckets::*;
use serde_json::Value;
pub use trail_delivery::*;
pub use trails::*;

pub const MULTI_REGION: &str = "cloudtrail.multi-region-trail";
pub const LOG_VALIDATION: &str = "cloudtrail.log-validation";
pub const API_PROTECTED: &str = "cloudtrail.api-protected";
pub const BUCKET_NOT_PUBLIC: &str = "cloudtrail.bucket-not-public";
pub const BUCKET_MFA_DELETE: &str = "cloudtrail.bucket-mfa-delete";
pub const ENCRYPTED: &str = "cloudtrail.encrypted";
pub const SNS_NOTIFICATIONS: &str = "cloudtrail.sns-notifications";
pub const ARCHIVE_TO_GLACIER: &str = "cloudtrail.archive-to-glacier";
pub const BUCKET_ACCESS_LOGGING: &str = "cloudtrail.bucket-access-logging";

/// Messages shared by the section's items.
const SHARED: &str = "cloudtrail";

/// The calls that stop, remove or blind a trail.
pub const TAMPER_ACTIONS: &[&str] = &[
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
];

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: MULTI_REGION,
        section: "cloudtrail",
        // The plan creates the bucket in the home region, and a trail's
        // document names its KMS key by alias.
        // The caller's account: another account's organization trail is
        // judged, but only its owner can change it.
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::KmsKeys,
            PartId::S3Buckets,
            PartId::SessionRegions,
        ],
        cis: &["4.1"],
        security_hub: &["CloudTrail.1"],
        check: multi_region,
        fix: Fix::Plan(fix::multi_region),
        inputs: fix::MULTI_REGION_INPUTS,
    },
    ItemDef {
        id: LOG_VALIDATION,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::KmsKeys],
        cis: &["4.2"],
        security_hub: &["CloudTrail.4"],
        check: log_validation,
        fix: Fix::Plan(fix::log_validation),
        inputs: &[],
    },
    ItemDef {
        id: API_PROTECTED,
        section: "cloudtrail",
        // The caller's identity: moat never denies itself.
        needs: &[PartId::Iam, PartId::Trails, PartId::Identity],
        cis: &[],
        security_hub: &[],
        check: api_protected,
        fix: Fix::Plan(fix::api_protected),
        inputs: &[],
    },
    ItemDef {
        id: BUCKET_NOT_PUBLIC,
        section: "cloudtrail",
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::S3Buckets,
            PartId::S3AccountPublicAccessBlock,
        ],
        cis: &[],
        security_hub: &["CloudTrail.6"],
        check: bucket_not_public,
        fix: Fix::Plan(fix::bucket_not_public),
        inputs: &[],
    },
    ItemDef {
        id: BUCKET_MFA_DELETE,
        section: "cloudtrail",
        needs: &[PartId::Identity, PartId::Trails, PartId::S3Buckets],
        cis: &["3.1.2"],
        security_hub: &["S3.20"],
        check: bucket_mfa_delete,
        fix: Fix::Plan(fix::bucket_mfa_delete),
        inputs: crate::checks::s3::fix::MFA_INPUTS,
    },
    ItemDef {
        id: ENCRYPTED,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::S3Buckets, PartId::KmsKeys],
        cis: &["4.5"],
        security_hub: &["CloudTrail.2"],
        check: encrypted,
        fix: Fix::Plan(fix::encrypted),
        inputs: &[],
    },
    ItemDef {
        id: SNS_NOTIFICATIONS,
        section: "cloudtrail",
        needs: &[
            PartId::Identity,
            PartId::Trails,
            PartId::SnsTopics,
            PartId::KmsKeys,
        ],
        cis: &[],
        security_hub: &[],
        check: sns_notifications,
        fix: Fix::Plan(fix::sns_notifications),
        inputs: fix::SNS_INPUTS,
    },
    ItemDef {
        id: ARCHIVE_TO_GLACIER,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::TrailBucketLifecycles],
        cis: &[],
        security_hub: &[],
        check: archive_to_glacier,
        fix: Fix::Plan(fix::archive_to_glacier),
        inputs: fix::GLACIER_INPUTS,
    },
    ItemDef {
        id: BUCKET_ACCESS_LOGGING,
        section: "cloudtrail",
        needs: &[PartId::Trails, PartId::S3Buckets],
        cis: &["4.4"],
        security_hub: &["CloudTrail.7"],
        check: bucket_access_logging,
        fix: Fix::Plan(fix::bucket_access_logging),
        inputs: &[],
    },
];

// ---------------------------------------------------------------------------
// Shared helpers (the plans use them too)

pub fn trails(inv: &Inventory) -> &[Trail] {
    inv.trails.ready().map(Vec::as_slice).unwrap_or(&[])
}

pub fn trail_resource(t: &Trail) -> String {
    ResourceRef::CloudTrail(CloudTrailRef::Trail {
        region: t.home_region.clone(),
        name: t.name.clone(),
    })
    .to_string()
}

fn trail_finding(t: &Trail, status: Status, detail: String) -> Finding {
    finding(trail_resource(t), Some(&t.home_region), status, detail)
}

/// The item's status from its findings: fail, else error, else pass. The
/// summary is the item's `pass`, `fail` or `error` message with `{count}`
/// (failing), `{errors}` and `{total}`.
pub fn outcome(item: &str, findings: Vec<Finding>, total: usize) -> Outcome {
    Rollup::counted(item, total)
        .manual_passes()
        .outcome(findings)
}

/// Each trail bucket of this account (once), with the trails writing to it.
/// Buckets of other accounts are left out: their settings are not ours.
pub fn trail_buckets(inv: &Inventory) -> Vec<(&Bucket, Vec<&Trail>)> {
    let Some(s3) = inv.s3.ready() else {
        return vec![];
    };
    let mut out: Vec<(&Bucket, Vec<&Trail>)> = vec![];
    for t in trails(inv) {
        let Some(name) = t.s3_bucket.as_deref() else {
            continue;
        };
        let Some(b) = s3.bucket(name) else { continue };
        match out.iter_mut().find(|(x, _)| x.name == b.name) {
            Some((_, ts)) => ts.push(t),
            None => out.push((b, vec![t])),
        }
    }
    out
}

use super::s3::{bucket_finding, bucket_resource};

fn unreadable(b: &Bucket, e: &crate::aws::inventory::PartError) -> Finding {
    kit::unreadable(bucket_resource(&b.name), Some(&b.region), SHARED, e)
}

/// The account owning `t` when it is not the caller's: an organization
/// trail seen from a member account, which only the management account
/// (or the organization's delegated administrator) can change.
pub fn foreign_owner<'a>(inv: &Inventory, t: &'a Trail) -> Option<&'a str> {
    let me = inv.account_id()?;
    t.owner_account().filter(|o| *o != me)
}

/// `detail`, followed by who can change `t` when another account owns it.
fn owned_detail(inv: &Inventory, t: &Trail, mut detail: String) -> String {
    if let Some(owner) = foreign_owner(inv, t) {
        detail.push(' ');
        detail.push_str(&msg(SHARED, "foreign_trail", &[("owner", owner)]));
    }
    detail
}

fn trail_names(ts: &[&Trail]) -> String {
    ts.iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod trails_tests;

#[cfg(test)]
mod fix_tests;
