//! The `vpc` section: flow logs, threat detection (GuardDuty), trail
//! coverage of the VPC regions, and guidance on firewalls and VPNs.

pub mod fix;

use super::kit;
use super::regions::{
    fail_in, region_errors, region_resource, regional_counted, regional_outcome, res,
};
use super::{Ctx, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{Fetched, Inventory, PartId, TrailGap};
use crate::aws::inventory::{GuardDutyRef, ResourceRef, Vpc, VpcRef};
use crate::guide::msg;

pub const FLOW_LOGS: &str = "vpc.flow-logs";
pub const THREAT_DETECTION: &str = "vpc.threat-detection";
pub const TRAIL_COVERAGE: &str = "vpc.trail-coverage";
pub const FIREWALL_AND_VPN: &str = "vpc.firewall-and-vpn";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: FLOW_LOGS,
        section: "vpc",
        // The plan needs the buckets: it reuses or creates the log bucket.
        needs: &[PartId::VpcFlowLogs, PartId::S3Buckets],
        cis: &["4.7"],
        security_hub: &["EC2.6"],
        check: flow_logs,
        fix: Fix::Plan(fix::flow_logs),
        inputs: fix::FLOW_LOG_INPUTS,
    },
    ItemDef {
        id: THREAT_DETECTION,
        section: "vpc",
        needs: &[PartId::GuardDuty],
        cis: &[],
        security_hub: &["GuardDuty.1"],
        check: threat_detection,
        fix: Fix::Plan(fix::threat_detection),
        inputs: &[],
    },
    ItemDef {
        id: TRAIL_COVERAGE,
        section: "vpc",
        needs: &[PartId::Trails, PartId::VpcFlowLogs],
        cis: &[],
        security_hub: &[],
        check: trail_coverage,
        // The fix is cloudtrail.multi-region-trail's.
        fix: Fix::None,
        inputs: &[],
    },
    ItemDef {
        id: FIREWALL_AND_VPN,
        section: "vpc",
        needs: &[],
        cis: &[],
        security_hub: &[],
        check: firewall_and_vpn,
        fix: Fix::Guided,
        inputs: &[],
    },
];

/// How findings name a VPC: its id, with its Name tag when it has one.
pub fn vpc_label(v: &Vpc) -> String {
    match &v.name {
        Some(n) => format!("{} ({n})", v.id),
        None => v.id.clone(),
    }
}

fn flow_logs(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(p) = inv.vpc_flow_logs.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = region_errors(p);
    let mut total = 0usize;
    for (region, r) in p.iter_ready() {
        total += r.vpcs.len();
        for v in r.vpcs.iter().filter(|v| v.active_flow_log().is_none()) {
            let detail = match v.flow_logs.iter().find(|f| f.status == "ACTIVE") {
                Some(f) => msg(
                    FLOW_LOGS,
                    "failing",
                    &[
                        ("vpc", &vpc_label(v)),
                        ("destination", &f.destination),
                        (
                            "error",
                            f.deliver_error.as_deref().unwrap_or("no reason given"),
                        ),
                    ],
                ),
                None => msg(
                    FLOW_LOGS,
                    if v.is_default { "none_default" } else { "none" },
                    &[("vpc", &vpc_label(v)), ("cidr", &v.cidr_block)],
                ),
            };
            findings.push(fail_in(
                ResourceRef::Vpc(VpcRef::Vpc {
                    region: region.to_string(),
                    id: v.id.clone(),
                }),
                region,
                detail,
            ));
        }
    }
    if total == 0 && findings.is_empty() {
        return Outcome::pass(msg(FLOW_LOGS, "no_vpcs", &[]));
    }
    regional_counted(FLOW_LOGS, findings, total)
}

fn threat_detection(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(p) = inv.guardduty.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    for (region, f) in &p.regions {
        let r = res(ResourceRef::GuardDuty(GuardDutyRef::Detector {
            region: region.clone(),
        }));
        match f {
            Fetched::Ready(Some(d)) if d.enabled() => {}
            Fetched::Ready(Some(_)) => findings.push(kit::finding(
                r,
                Some(region),
                Status::Fail,
                msg(THREAT_DETECTION, "suspended", &[("region", region)]),
            )),
            Fetched::Ready(None) => findings.push(kit::finding(
                r,
                Some(region),
                Status::Fail,
                msg(THREAT_DETECTION, "none", &[("region", region)]),
            )),
            Fetched::Error(e) => findings.push(kit::region_error(r, region, e, None)),
        }
    }
    regional_counted(THREAT_DETECTION, findings, p.regions.len())
}

fn trail_coverage(inv: &Inventory, _: &Ctx) -> Outcome {
    let (Some(trails), Some(p)) = (inv.trails.ready(), inv.vpc_flow_logs.ready()) else {
        return Outcome::pass(String::new());
    };
    let mut findings = region_errors(p);
    let vpc_regions: Vec<(&str, usize)> = p
        .iter_ready()
        .filter(|(_, r)| !r.vpcs.is_empty())
        .map(|(region, r)| (region, r.vpcs.len()))
        .collect();
    let count = vpc_regions.len().to_string();
    // One definition of a working trail, shared with cloudtrail.multi-region-trail.
    if let Some(t) = trails.iter().find(|t| t.is_working_multi_region()) {
        return regional_outcome(
            findings,
            msg(
                TRAIL_COVERAGE,
                "pass_multi",
                &[("trail", &t.name), ("count", &count)],
            ),
            String::new(),
        );
    }
    for (region, n) in &vpc_regions {
        let covering: Vec<_> = trails
            .iter()
            .filter(|t| t.is_multi_region || t.home_region == *region)
            .collect();
        if covering
            .iter()
            .any(|t| t.records_management_events().is_ok())
        {
            continue;
        }
        // A trail that could not be read may be the one recording the region.
        let unreadable: Vec<&str> = covering
            .iter()
            .filter(|t| {
                matches!(
                    t.records_management_events(),
                    Err(TrailGap::Unreadable(_) | TrailGap::NotRead)
                )
            })
            .map(|t| t.name.as_str())
            .collect();
        // Unreadable here is an error, unless every such trail is another
        // account's organization trail CloudTrail will not show a member:
        // then only its owner can say (manual), as in multi-region-trail.
        let only_foreign = covering
            .iter()
            .all(|t| match t.records_management_events() {
                Err(gap @ (TrailGap::Unreadable(_) | TrailGap::NotRead)) => {
                    crate::checks::cloudtrail::gap_finding(inv, t, &gap).status == Status::Manual
                }
                _ => true,
            });
        // Logging, with selectors only its owner can read: say so.
        let logging = covering.iter().any(|t| {
            t.records_management_events().is_err()
                && crate::checks::cloudtrail::owner_only_selectors(inv, t).is_some()
        });
        let (status, key) = if unreadable.is_empty() {
            (Status::Fail, "finding")
        } else if only_foreign && logging {
            (Status::Manual, "foreign_logging")
        } else if only_foreign {
            (Status::Manual, "foreign")
        } else {
            (Status::Error, "unknown")
        };
        findings.push(kit::finding(
            region_resource(region),
            Some(region),
            status,
            msg(
                TRAIL_COVERAGE,
                key,
                &[
                    ("region", region),
                    ("count", &n.to_string()),
                    ("trails", &unreadable.join(", ")),
                ],
            ),
        ));
    }
    if vpc_regions.is_empty() && findings.is_empty() {
        return Outcome::pass(msg(TRAIL_COVERAGE, "no_vpcs", &[]));
    }
    let bad = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .count()
        .to_string();
    regional_outcome(
        findings,
        msg(TRAIL_COVERAGE, "pass_single", &[("count", &count)]),
        msg(TRAIL_COVERAGE, "fail", &[("count", &bad)]),
    )
}

fn firewall_and_vpn(_: &Inventory, ctx: &Ctx) -> Outcome {
    super::kit::guided_only(FIREWALL_AND_VPN, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::Part;
    use crate::aws::inventory::{Detector, VpcRegion};
    use crate::checks::testkit::*;

    #[test]
    fn flow_logs_must_be_active_and_delivering() {
        let t = T::new();
        let mut failing = s3_log("logs");
        failing.deliver_status = Some("FAILED".into());
        failing.deliver_error = Some("Access error".into());
        let mut default = vpc("vpc-default", vec![]);
        default.is_default = true;
        let inv = with_vpcs(
            empty(),
            vec![
                (
                    "eu-west-1",
                    Fetched::Ready(VpcRegion {
                        vpcs: vec![
                            vpc("vpc-ok", vec![s3_log("logs")]),
                            vpc("vpc-broken", vec![failing]),
                            default,
                        ],
                    }),
                ),
                ("us-east-1", Fetched::Error(denied("ec2:DescribeFlowLogs"))),
            ],
        );
        let r = t.eval(&inv, FLOW_LOGS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.findings(&inv, FLOW_LOGS),
            vec![
                ("region/us-east-1".into(), "us-east-1".into(), Status::Error),
                (
                    "vpc/eu-west-1/vpc-broken".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
                (
                    "vpc/eu-west-1/vpc-default".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
            ]
        );
        assert!(r.findings[1].detail.contains("Access error"));
        assert!(r.findings[2].detail.contains("default VPC"));
        let none = with_vpcs(
            empty(),
            vec![("us-east-1", Fetched::Ready(VpcRegion::default()))],
        );
        assert_eq!(t.status(&none, FLOW_LOGS), Status::Pass);
    }

    #[test]
    fn threat_detection_needs_an_enabled_detector_everywhere() {
        let t = T::new();
        let det = |s: &str| {
            Fetched::Ready(Some(Detector {
                id: Some("d".into()),
                status: s.into(),
            }))
        };
        let inv = with_detectors(
            empty(),
            vec![
                ("eu-west-1", det("DISABLED")),
                ("us-east-1", det("ENABLED")),
                ("us-west-2", Fetched::Ready(None)),
            ],
        );
        let r = t.eval(&inv, THREAT_DETECTION);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.findings(&inv, THREAT_DETECTION),
            vec![
                (
                    "guardduty/eu-west-1".into(),
                    "eu-west-1".into(),
                    Status::Fail
                ),
                (
                    "guardduty/us-west-2".into(),
                    "us-west-2".into(),
                    Status::Fail
                ),
            ]
        );
        assert!(r.findings[0].detail.contains("suspended"));
        let inv = with_detectors(empty(), vec![("us-east-1", det("ENABLED"))]);
        assert_eq!(t.status(&inv, THREAT_DETECTION), Status::Pass);
    }

    #[test]
    fn trail_coverage_wants_a_multi_region_trail() {
        let t = T::new();
        let base = with_vpcs(
            empty(),
            vec![
                (
                    "eu-west-1",
                    Fetched::Ready(VpcRegion {
                        vpcs: vec![vpc("vpc-eu", vec![])],
                    }),
                ),
                (
                    "us-east-1",
                    Fetched::Ready(VpcRegion {
                        vpcs: vec![vpc("vpc-us", vec![])],
                    }),
                ),
                ("us-west-2", Fetched::Ready(VpcRegion::default())),
            ],
        );
        // No trail: every region with a VPC fails.
        assert_eq!(
            t.findings(&base, TRAIL_COVERAGE),
            vec![
                ("region/eu-west-1".into(), "eu-west-1".into(), Status::Fail),
                ("region/us-east-1".into(), "us-east-1".into(), Status::Fail),
            ]
        );
        // A single-region trail covers its own region only.
        let mut inv = base.clone();
        inv.trails = Part::of(vec![trail("local", "us-east-1", false)]);
        assert_eq!(
            t.findings(&inv, TRAIL_COVERAGE),
            vec![("region/eu-west-1".into(), "eu-west-1".into(), Status::Fail)]
        );
        let r = t.eval(&inv, TRAIL_COVERAGE);
        assert!(
            r.findings[0]
                .detail
                .contains("cloudtrail.multi-region-trail")
        );
        // A multi-region trail covers them all.
        inv.trails = Part::of(vec![trail("org", "us-east-1", true)]);
        let r = t.eval(&inv, TRAIL_COVERAGE);
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("org"), "{}", r.summary);
        // Check only.
        assert!(matches!(
            crate::checks::item(TRAIL_COVERAGE).expect("item").fix,
            Fix::None
        ));
    }

    #[test]
    fn trail_coverage_needs_a_working_trail() {
        use crate::aws::inventory::{EventSelector, EventSelectors, PartError};
        let t = T::new();
        let base = with_vpcs(
            empty(),
            vec![(
                "us-east-1",
                Fetched::Ready(VpcRegion {
                    vpcs: vec![vpc("vpc-us", vec![])],
                }),
            )],
        );
        let failing = vec![("region/us-east-1".into(), "us-east-1".into(), Status::Fail)];
        // A multi-region trail that is not logging covers nothing.
        let mut stopped = trail("org", "us-east-1", true);
        stopped.is_logging = false;
        let mut inv = base.clone();
        inv.trails = Part::of(vec![stopped]);
        assert_eq!(t.findings(&inv, TRAIL_COVERAGE), failing);
        // Nor one whose selectors record only read-only management events.
        let mut read_only = trail("org", "us-east-1", true);
        let mut s = EventSelector::management();
        s.read_write_type = "ReadOnly".into();
        read_only.event_selectors = Some(Fetched::Ready(EventSelectors {
            basic: vec![s],
            advanced: vec![],
        }));
        inv.trails = Part::of(vec![read_only.clone()]);
        assert_eq!(t.findings(&inv, TRAIL_COVERAGE), failing);
        // Nor a single-region trail of the region that is not logging.
        let mut local = trail("local", "us-east-1", false);
        local.is_logging = false;
        inv.trails = Part::of(vec![local]);
        assert_eq!(t.findings(&inv, TRAIL_COVERAGE), failing);
        // A trail that could not be read may cover it: error, not fail.
        let mut org = trail("org", "us-east-1", true);
        org.status_error = Some(PartError::new(
            "cloudtrail:GetTrailStatus",
            Some("TrailNotFoundException".into()),
            "Unknown trail",
        ));
        inv.trails = Part::of(vec![org.clone(), read_only]);
        let r = t.eval(&inv, TRAIL_COVERAGE);
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(r.findings[0].detail.contains("org"), "{r:?}");
        // Another account's organization trail that CloudTrail will not show
        // this member: only its owner can say, so manual (as in
        // cloudtrail.multi-region-trail), never an error the member cannot clear.
        let mut foreign = org.clone();
        foreign.arn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org".into();
        inv.trails = Part::of(vec![foreign.clone()]);
        let r = t.eval(&inv, TRAIL_COVERAGE);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert_eq!(r.findings[0].status, Status::Manual, "{r:?}");
        assert!(r.findings[0].detail.contains("org"), "{r:?}");
        // Logging, with the event selectors CloudTrail shows only its owner
        // (a member reading them by ARN gets CloudTrailARNInvalidException):
        // manual, saying it is logging.
        let mut logging = foreign.clone();
        logging.status_error = None;
        logging.event_selectors = Some(Fetched::Error(PartError::new(
            "cloudtrail:GetEventSelectors",
            Some("CloudTrailARNInvalidException".into()),
            "AccountID in ARN is wrong",
        )));
        inv.trails = Part::of(vec![logging]);
        let r = t.eval(&inv, TRAIL_COVERAGE);
        assert_eq!(r.status, Status::Manual, "{r:?}");
        assert_eq!(r.findings[0].status, Status::Manual, "{r:?}");
        assert!(r.findings[0].detail.contains("is logging"), "{r:?}");
        // Access denied to this account's own credentials stays an error.
        foreign.status_error = Some(PartError::new(
            "cloudtrail:GetTrailStatus",
            Some("AccessDeniedException".into()),
            "denied",
        ));
        inv.trails = Part::of(vec![foreign]);
        assert_eq!(t.status(&inv, TRAIL_COVERAGE), Status::Error);
        // A working trail beside it: pass.
        inv.trails = Part::of(vec![org, trail("good", "us-east-1", true)]);
        assert_eq!(t.status(&inv, TRAIL_COVERAGE), Status::Pass);
    }

    #[test]
    fn firewall_and_vpn_is_guided_and_can_be_marked_done() {
        let mut t = T::new();
        let inv = Inventory::default();
        assert_eq!(t.status(&inv, FIREWALL_AND_VPN), Status::Manual);
        let def = crate::checks::item(FIREWALL_AND_VPN).expect("item");
        assert!(def.can_mark_done() && def.has_steps());
        t.done.insert(FIREWALL_AND_VPN.into(), now());
        assert_eq!(t.status(&inv, FIREWALL_AND_VPN), Status::Pass);
    }
}
