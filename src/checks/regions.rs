//! What the regional checks share: their resource names, per-region errors
//! that become `error` findings of that region only, and their roll-up (RDS,
//! Elastic Load Balancing, Amazon Inspector and Route 53 with their message
//! table [`TABLE`]; EBS and VPC with the `regions` table), and which of their
//! resources a plan may change.

use super::kit::{self, Rollup, Unread};
use super::{Finding, Outcome, Status};
use crate::aws::inventory::{ByRegion, ElbRef, InspectorRef, PartError, RdsRef, ResourceRef};
use crate::guide::msg;
use crate::plan::Inputs;

/// The message table these checks share.
pub(crate) const TABLE: &str = "regional";

/// The name of a resource of these checks.
pub(crate) fn res(r: ResourceRef) -> String {
    r.to_string()
}

/// Which regional listing a region-wide finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionScope {
    /// RDS in a region (`rds/REGION`).
    Rds,
    /// Load balancers in a region (`elb/REGION`).
    Elb,
    /// Amazon Inspector in a region (`inspector/REGION`).
    Inspector,
}

impl RegionScope {
    /// The resource that names the region's findings.
    fn resource(self, region: &str) -> ResourceRef {
        let region = region.to_string();
        match self {
            RegionScope::Rds => ResourceRef::Rds(RdsRef::Region { region }),
            RegionScope::Elb => ResourceRef::Elb(ElbRef::Region { region }),
            RegionScope::Inspector => ResourceRef::Inspector(InspectorRef::Status { region }),
        }
    }
}

/// The `error` finding of a region whose listing failed.
fn region_error(resource: String, region: &str, e: &PartError) -> Finding {
    kit::region_error(resource, region, e, Some(TABLE))
}

/// The `error` finding of a region (`rds/REGION`, `elb/REGION`) whose data
/// could not be read.
pub(crate) fn scope_error(scope: RegionScope, region: &str, e: &PartError) -> Finding {
    region_error(res(scope.resource(region)), region, e)
}

/// Visit every region's data; a failed region adds its `error` finding.
pub(crate) fn each_region<'a, T>(
    regions: &'a ByRegion<T>,
    scope: RegionScope,
    findings: &mut Vec<Finding>,
    visit: impl FnMut(&'a str, &'a T, &mut Vec<Finding>),
) {
    let failed = |region: &str, e| scope_error(scope, region, e);
    kit::each_region(regions, findings, failed, visit);
}

/// Fail when a finding fails; else `error` when a region or resource could
/// not be read (the rest passing says nothing about it); else pass.
pub(crate) fn outcome(findings: Vec<Finding>, pass: String, fail: String) -> Outcome {
    Rollup::given(pass, fail)
        .unread(Unread::Count(TABLE))
        .outcome(findings)
}

/// [`outcome`] with `item`'s `pass` (given `{count}`: the `total` checked)
/// and `fail` (`{count}` failing) messages; with nothing checked and no
/// finding, a pass that says `item`'s `none`.
pub(crate) fn counted(item: &str, findings: Vec<Finding>, total: usize) -> Outcome {
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(item, "none", &[]));
    }
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(item, "pass", &[("count", &total.to_string())]),
        msg(item, "fail", &[("count", &bad.to_string())]),
    )
}

/// Is this resource selected?
pub(crate) fn wanted(req: &Inputs, r: ResourceRef) -> bool {
    req.wants(&res(r))
}

/// A failing finding of `r`, in `region`.
pub(crate) fn fail_in(r: ResourceRef, region: &str, detail: String) -> Finding {
    kit::finding(res(r), Some(region), Status::Fail, detail)
}

/// The `error` findings of the regions of `p` that could not be read.
pub(crate) fn region_errors<T>(p: &ByRegion<T>) -> Vec<Finding> {
    p.errors()
        .map(|(region, e)| kit::region_error(region_resource(region), region, e, None))
        .collect()
}

/// The name for a region as a whole (a region whose data could not be read).
pub(crate) fn region_resource(region: &str) -> String {
    res(ResourceRef::Region {
        region: region.to_string(),
    })
}

/// Fail when a finding fails; else `error` when a region could not be read
/// (its findings say which and why); else pass.
pub(crate) fn regional_outcome(findings: Vec<Finding>, pass: String, fail: String) -> Outcome {
    Rollup::given(pass, fail)
        .unread(Unread::Regions {
            table: "regions",
            key: "unreadable",
            also_failing: false,
        })
        .outcome(findings)
}

/// How many findings fail, as a message argument.
pub(crate) fn fails(findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .count()
        .to_string()
}

/// [`regional_outcome`] with the item's `pass` (given `{count}`: the
/// `total` checked) and `fail` (`{count}` failing of `{total}`) messages.
pub(crate) fn regional_counted(item: &str, findings: Vec<Finding>, total: usize) -> Outcome {
    let bad = fails(&findings);
    let total = total.to_string();
    regional_outcome(
        findings,
        msg(item, "pass", &[("count", &total)]),
        msg(item, "fail", &[("count", &bad), ("total", &total)]),
    )
}
