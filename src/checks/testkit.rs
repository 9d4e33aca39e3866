//! The one harness of the checks' and plans' unit tests: a context
//! ([`T`]) that evaluates an item, builds its plan, applies it to a copy and
//! proves that undo restores every document; and hand-built inventories.

use crate::aws::inventory::ebs_vpc::{
    Detector, EbsRegion, FlowLog, PerRegion, Snapshot, Volume, VolumeAttachment, Vpc, VpcRegion,
};
use crate::aws::inventory::{
    Fetched, Identity, Inventory, OriginAccessControl, Part, PartError, S3, Trail,
};
use crate::checks::{Ctx, Finding, Fix, ItemResult, Status, evaluate, item};
use crate::config::{PublicBucket, Settings};
use crate::plan::{Inputs, Plan, PlanError, make_plan};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;

pub const ACCOUNT: &str = "111122223333";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
        .single()
        .expect("date")
}

pub fn days_ago(n: i64) -> DateTime<Utc> {
    now() - chrono::Duration::days(n)
}

pub fn denied(action: &str) -> PartError {
    PartError::new(action, Some("UnauthorizedOperation".into()), "no")
}

pub fn regions<T>(list: Vec<(&str, Fetched<T>)>) -> PerRegion<T> {
    PerRegion {
        regions: list.into_iter().map(|(r, v)| (r.to_string(), v)).collect(),
    }
}

pub fn volume(id: &str, encrypted: bool, attached_to: Option<&str>) -> Volume {
    Volume {
        id: id.into(),
        availability_zone: "us-east-1a".into(),
        size: 30,
        volume_type: "gp3".into(),
        encrypted,
        kms_key_id: None,
        state: if attached_to.is_some() {
            "in-use"
        } else {
            "available"
        }
        .into(),
        attachments: attached_to
            .map(|i| VolumeAttachment {
                instance_id: i.into(),
                device: "/dev/xvda".into(),
            })
            .into_iter()
            .collect(),
        name: None,
    }
}

pub fn snapshot(id: &str, volume: &str, age_days: i64, public: bool) -> Snapshot {
    Snapshot {
        id: id.into(),
        volume_id: Some(volume.into()),
        description: String::new(),
        encrypted: false,
        state: "completed".into(),
        start_time: Some(days_ago(age_days)),
        tags: BTreeMap::new(),
        public: Fetched::Ready(public),
    }
}

pub fn vpc(id: &str, logs: Vec<FlowLog>) -> Vpc {
    Vpc {
        id: id.into(),
        cidr_block: "10.0.0.0/16".into(),
        is_default: false,
        name: None,
        flow_logs: logs,
    }
}

pub fn s3_log(bucket: &str) -> FlowLog {
    FlowLog {
        id: Some("fl-1".into()),
        traffic_type: "ALL".into(),
        destination_type: "s3".into(),
        destination: format!("arn:aws:s3:::{bucket}"),
        status: "ACTIVE".into(),
        deliver_status: Some("SUCCESS".into()),
        deliver_error: None,
    }
}

/// An account with every part of the group ready and nothing in it.
pub fn empty() -> Inventory {
    let mut inv = Inventory {
        identity: Part::Ready(Identity {
            account: ACCOUNT.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/ops"),
            user_id: "AIDA".into(),
        }),
        ..Inventory::default()
    };
    inv.ebs_encryption = Part::Ready(PerRegion::default());
    inv.ebs = Part::Ready(PerRegion::default());
    inv.vpc_flow_logs = Part::Ready(PerRegion::default());
    inv.guardduty = Part::Ready(PerRegion::default());
    inv.s3 = Part::Ready(S3::default());
    inv.trails = Part::Ready(vec![]);
    inv
}

pub fn with_ebs(mut inv: Inventory, list: Vec<(&str, Fetched<EbsRegion>)>) -> Inventory {
    inv.ebs = Part::Ready(regions(list));
    inv
}

pub fn with_vpcs(mut inv: Inventory, list: Vec<(&str, Fetched<VpcRegion>)>) -> Inventory {
    inv.vpc_flow_logs = Part::Ready(regions(list));
    inv
}

pub fn with_detectors(
    mut inv: Inventory,
    list: Vec<(&str, Fetched<Option<Detector>>)>,
) -> Inventory {
    inv.guardduty = Part::Ready(regions(list));
    inv
}

pub fn trail(name: &str, region: &str, multi: bool) -> Trail {
    Trail {
        name: name.into(),
        arn: format!("arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"),
        home_region: region.into(),
        s3_bucket: None,
        s3_key_prefix: None,
        is_multi_region: multi,
        log_file_validation: false,
        kms_key_id: None,
        cloudwatch_logs_log_group_arn: None,
        is_logging: true,
        sns_topic_arn: None,
        status_error: None,
        event_selectors: Some(crate::aws::inventory::Fetched::Ready(
            crate::aws::inventory::EventSelectors::aws_default(),
        )),
    }
}

/// The CloudFront origin access control `id` that signs S3 requests.
pub fn site_oac(id: &str) -> OriginAccessControl {
    OriginAccessControl {
        id: id.into(),
        name: "site-oac".into(),
        description: String::new(),
        origin_type: "s3".into(),
        signing_behavior: "always".into(),
        signing_protocol: "sigv4".into(),
    }
}

/// (resource, status) of every finding of `r`.
pub fn statuses(r: &ItemResult) -> Vec<(&str, Status)> {
    r.findings
        .iter()
        .map(|f| (f.resource.as_str(), f.status))
        .collect()
}

/// The findings of `r` that are errors.
pub fn errors(r: &ItemResult) -> Vec<&Finding> {
    r.findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .collect()
}

/// The harness: the user's settings and marks, and the clock the checks
/// read ([`now`] unless made with [`T::at`]).
pub struct T {
    pub settings: Settings,
    pub done: BTreeMap<String, DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// Undo must restore the whole inventory, not only the touched documents.
    pub exact_undo: bool,
}

/// Midnight of the day [`now`] is in, the clock of some tests.
pub fn midnight() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0)
        .single()
        .expect("valid date")
}

impl T {
    pub fn new() -> Self {
        Self::at(now())
    }
    /// Checks that read the clock see `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        T {
            settings: Settings::default(),
            done: BTreeMap::new(),
            now,
            exact_undo: false,
        }
    }
    /// `bucket` is public on purpose (a static website).
    pub fn public(mut self, bucket: &str) -> Self {
        self.settings.public_buckets.push(PublicBucket {
            bucket: bucket.into(),
            reason: "static website".into(),
            expires: None,
        });
        self
    }
    /// Undo must restore the whole inventory exactly.
    pub fn exact_undo(mut self) -> Self {
        self.exact_undo = true;
        self
    }
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now: self.now,
            settings: &self.settings,
            done: &self.done,
        }
    }
    pub fn eval(&self, inv: &Inventory, id: &str) -> ItemResult {
        evaluate(item(id).expect("item"), inv, &self.ctx())
    }
    pub fn status(&self, inv: &Inventory, id: &str) -> Status {
        self.eval(inv, id).status
    }
    /// The resource of every finding.
    pub fn resources(&self, inv: &Inventory, id: &str) -> Vec<String> {
        self.eval(inv, id)
            .findings
            .into_iter()
            .map(|f| f.resource)
            .collect()
    }
    /// (resource, region, status) of every finding.
    pub fn findings(&self, inv: &Inventory, id: &str) -> Vec<(String, String, Status)> {
        self.eval(inv, id)
            .findings
            .into_iter()
            .map(|f| (f.resource, f.region.unwrap_or_default(), f.status))
            .collect()
    }
    /// (resource, status) of every finding.
    pub fn finding_statuses(&self, inv: &Inventory, id: &str) -> Vec<(String, Status)> {
        self.eval(inv, id)
            .findings
            .into_iter()
            .map(|f| (f.resource, f.status))
            .collect()
    }
    pub fn plan(&self, inv: &Inventory, id: &str, req: &Inputs) -> Result<Plan, PlanError> {
        let Fix::Plan(f) = item(id).expect("item").fix else {
            panic!("{id} has no plan")
        };
        f(inv, &self.ctx(), req).and_then(|d| make_plan(inv, id, d))
    }
    /// [`T::fix_plan`]'s result.
    pub fn fix(&self, inv: &Inventory, id: &str, req: &Inputs) -> Inventory {
        self.fix_plan(inv, id, req).1
    }
    /// Plan, apply to a copy (the preview is the applied result), and check
    /// that undo restores every document; the plan and the result.
    pub fn fix_plan(&self, inv: &Inventory, id: &str, req: &Inputs) -> (Plan, Inventory) {
        let plan = self.plan(inv, id, req).expect("plan");
        let mut after = inv.clone();
        for op in plan.ops() {
            after.apply(op).expect("apply");
        }
        for rc in &plan.resources {
            assert_eq!(
                after.document(&rc.resource).expect("doc"),
                rc.after,
                "{}",
                rc.resource
            );
        }
        let mut undone = after.clone();
        for s in plan.steps.iter().rev() {
            for op in s.inverse.as_ref().expect("reversible") {
                undone.apply(op).expect("undo");
            }
        }
        for rc in &plan.resources {
            assert_eq!(
                undone.document(&rc.resource).expect("doc"),
                inv.document(&rc.resource).expect("doc"),
                "undo of {}",
                rc.resource
            );
        }
        if self.exact_undo {
            assert_eq!(undone, *inv, "undo of {id}");
        }
        (plan, after)
    }
    /// [`T::fix_plan`], and the preview's before documents are the
    /// inventory's, and the item passes (or is accepted) after the fix.
    pub fn fix_passing(&self, inv: &Inventory, id: &str, req: &Inputs) -> (Plan, Inventory) {
        let (plan, after) = self.fix_plan(inv, id, req);
        for rc in &plan.resources {
            assert_eq!(
                inv.document(&rc.resource).expect("doc"),
                rc.before,
                "{}",
                rc.resource
            );
        }
        let r = self.eval(&after, id);
        assert!(
            matches!(r.status, Status::Pass | Status::Accepted),
            "{id} after the fix: {:?} {} {:?}",
            r.status,
            r.summary,
            r.findings
        );
        (plan, after)
    }
}
