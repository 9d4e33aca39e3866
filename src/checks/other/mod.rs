//! The `other` section: Amazon Inspector in every region, and AWS WAF in
//! front of internet-facing Application Load Balancers.

pub mod fix;

use super::kit::in_region;
use super::regions::{counted, each_region, outcome, res};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    ElbRef, Fetched, INSPECTOR_SCANS, InspectorRef, Inventory, PartId, ResourceRef,
};
use crate::checks::regions::RegionScope;
use crate::guide::msg;

pub const INSPECTOR: &str = "other.inspector";
pub const WAF_ON_LOAD_BALANCERS: &str = "other.waf-on-load-balancers";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: INSPECTOR,
        section: "other",
        needs: &[PartId::Identity, PartId::Inspector],
        cis: &[],
        security_hub: &["Inspector.1", "Inspector.2"],
        check: inspector,
        fix: Fix::Plan(fix::other_inspector),
        inputs: &[],
    },
    ItemDef {
        id: WAF_ON_LOAD_BALANCERS,
        section: "other",
        needs: &[PartId::Elb],
        cis: &[],
        security_hub: &["ELB.16"],
        check: waf_on_load_balancers,
        // Guided (a rule design is needed), yet the live state decides.
        fix: Fix::Guided,
        inputs: &[],
    },
];

pub fn inspector_resource(region: &str) -> String {
    res(ResourceRef::Inspector(InspectorRef::Status {
        region: region.to_string(),
    }))
}

fn inspector(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = inv.inspector.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    each_region(
        part,
        RegionScope::Inspector,
        &mut findings,
        |region, s, out| {
            let off: Vec<&str> = INSPECTOR_SCANS
                .iter()
                .copied()
                .filter(|t| !s.is_on(t))
                .collect();
            if !off.is_empty() {
                out.push(in_region(
                    Finding::fail(
                        inspector_resource(region),
                        msg(
                            INSPECTOR,
                            "finding",
                            &[("region", region), ("scans", &off.join(" and "))],
                        ),
                    ),
                    region,
                ));
            }
        },
    );
    let total = part.regions.len().to_string();
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(INSPECTOR, "pass", &[("count", &total)]),
        msg(INSPECTOR, "fail", &[("count", &bad.to_string())]),
    )
}

fn waf_on_load_balancers(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = inv.elb.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    let mut albs = 0usize;
    each_region(part, RegionScope::Elb, &mut findings, |region, r, out| {
        for lb in r
            .load_balancers
            .iter()
            .filter(|l| l.is_application() && l.is_internet_facing())
        {
            albs += 1;
            let resource = res(ResourceRef::Elb(ElbRef::LoadBalancer {
                region: region.to_string(),
                name: lb.name.clone(),
            }));
            match &lb.web_acl {
                Some(Fetched::Ready(Some(_))) => {}
                Some(Fetched::Error(e)) => out.push(Finding {
                    resource,
                    region: Some(region.to_string()),
                    status: Status::Error,
                    detail: msg(
                        WAF_ON_LOAD_BALANCERS,
                        "unreadable",
                        &[("name", &lb.name), ("error", &e.summary())],
                    ),
                }),
                Some(Fetched::Ready(None)) | None => out.push(in_region(
                    Finding::fail(
                        resource,
                        msg(
                            WAF_ON_LOAD_BALANCERS,
                            "finding",
                            &[("name", &lb.name), ("region", region), ("arn", &lb.arn)],
                        ),
                    ),
                    region,
                )),
            }
        }
    });
    counted(WAF_ON_LOAD_BALANCERS, findings, albs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::PartError;
    use crate::aws::ops;
    use crate::checks::testkit::midnight as now;
    use crate::checks::testkit::*;
    use crate::plan::{Inputs, Op, PlanError};

    #[test]
    fn inspector_plan_enables_what_is_off_and_undo_disables_it_again() {
        let t = T::at(now());
        let mut inv = inventory();
        // EU has EC2 on and ECR off: only ECR is enabled there.
        if let Some(Fetched::Ready(s)) = inv
            .inspector
            .ready_mut()
            .and_then(|i| i.regions.get_mut(EU))
        {
            s.scans.insert("ECR".into(), "DISABLED".into());
        }
        let r = t.eval(&inv, INSPECTOR);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings.len(), 2);
        assert!(r.findings[0].detail.contains("ECR"));
        let plan = t.plan(&inv, INSPECTOR, &Inputs::default()).expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![
                &Op::EnableInspector(ops::EnableInspector {
                    region: EU.into(),
                    account: ACCOUNT.into(),
                    resource_types: vec!["ECR".into()],
                }),
                &Op::EnableInspector(ops::EnableInspector {
                    region: US.into(),
                    account: ACCOUNT.into(),
                    resource_types: vec!["EC2".into(), "ECR".into()],
                }),
            ]
        );
        // The cost note is shown before confirming.
        assert!(
            plan.warnings.iter().any(|w| w.contains("charge")),
            "{:?}",
            plan.warnings
        );
        match plan.steps[0].inverse.as_deref() {
            Some([Op::DisableInspector(ops::DisableInspector { resource_types, .. })]) => {
                assert_eq!(resource_types, &vec!["ECR".to_string()])
            }
            other => panic!("{other:?}"),
        }
        let after = t.fix(&inv, INSPECTOR, &Inputs::default());
        assert_eq!(t.status(&after, INSPECTOR), Status::Pass);
        assert!(matches!(
            t.plan(&after, INSPECTOR, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn inspector_region_errors_are_errors_of_that_region() {
        let t = T::at(now());
        let mut inv = inventory();
        if let Some(i) = inv.inspector.ready_mut() {
            i.regions.insert(
                "me-south-1".into(),
                Fetched::Error(PartError::new(
                    "inspector2:BatchGetAccountStatus",
                    Some("UnrecognizedClientException".into()),
                    "region not enabled",
                )),
            );
            i.regions.insert(
                US.into(),
                Fetched::Ready(inspector_status(
                    "ENABLED",
                    &[("EC2", "ENABLING"), ("ECR", "ENABLED")],
                )),
            );
        }
        let r = t.eval(&inv, INSPECTOR);
        assert_eq!(r.status, Status::Error);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].resource, "inspector/me-south-1");
        assert!(matches!(
            t.plan(&inv, INSPECTOR, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn waf_is_guided_and_names_the_albs() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, WAF_ON_LOAD_BALANCERS);
        assert_eq!(r.status, Status::Fail);
        // Only internet-facing ALBs; the protected one passes.
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, vec!["lb/us-east-1/web"]);
        assert!(r.findings[0].detail.contains("loadbalancer/app/web"));
        let def = crate::checks::item(WAF_ON_LOAD_BALANCERS).expect("item");
        assert!(def.has_steps() && !def.can_mark_done());
    }

    #[test]
    fn every_message_key_used_exists() {
        let t = T::at(now());
        let mut broken = inventory();
        for p in [PartId::Rds, PartId::Elb, PartId::Inspector] {
            let e = PartError::new("x:Y", Some("AccessDenied".into()), "no");
            match p {
                PartId::Rds => {
                    if let Some(r) = broken.rds.ready_mut() {
                        r.regions.insert("ap-east-1".into(), Fetched::Error(e));
                    }
                }
                PartId::Elb => {
                    if let Some(r) = broken.elb.ready_mut() {
                        r.regions.insert("ap-east-1".into(), Fetched::Error(e));
                    }
                }
                _ => {
                    if let Some(r) = broken.inspector.ready_mut() {
                        r.regions.insert("ap-east-1".into(), Fetched::Error(e));
                    }
                }
            }
        }
        zone_mut(&mut broken, "Z2MAIL").records =
            Fetched::Error(PartError::new("route53:ListResourceRecordSets", None, "x"));
        let invs = [
            Inventory::default(),
            inventory(),
            broken,
            crate::collect::demo::demo_inventory().expect("demo"),
        ];
        let ids: Vec<&str> = crate::checks::items()
            .iter()
            .filter(|d| ["rds", "route53", "elb", "other"].contains(&d.section))
            .map(|d| d.id)
            .collect();
        let fallback = |s: &str| {
            ids.iter()
                .chain(["plan", "regional"].iter())
                .any(|k| s.contains(&format!("{k}: ")))
        };
        let inputs = [
            Inputs::default(),
            Inputs::default()
                .with("sends_mail", "no")
                .with("receives_mail", "no"),
            Inputs::default()
                .with("sends_mail", "yes")
                .with("receives_mail", "yes"),
        ];
        for inv in &invs {
            for id in &ids {
                let def = crate::checks::item(id).expect("item");
                let r = t.eval(inv, id);
                assert!(!fallback(&r.summary), "{}", r.summary);
                for f in &r.findings {
                    assert!(!fallback(&f.detail), "{}", f.detail);
                }
                if let Fix::Plan(p) = def.fix {
                    for req in &inputs {
                        let mut req = req.clone();
                        req.values
                            .retain(|k, _| def.inputs.iter().any(|i| i.name == k));
                        match p(inv, &t.ctx(), &req) {
                            Ok(d) => {
                                for w in d.warnings {
                                    assert!(!fallback(&w), "{w}");
                                }
                            }
                            Err(e) => assert!(!fallback(&e.to_string()), "{e}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn demo_account_exercises_the_group() {
        let t = T::at(now());
        let inv = crate::collect::demo::demo_inventory().expect("demo");
        // The items with a plan, then two without.
        let planned = [
            crate::checks::rds::PUBLIC_INSTANCES,
            crate::checks::rds::PUBLIC_SNAPSHOTS,
            crate::checks::route53::SPF_RECORDS,
            crate::checks::route53::MX_RECORDS,
            crate::checks::elb::HTTPS_LISTENERS,
            crate::checks::elb::TLS_POLICY,
            INSPECTOR,
        ];
        for id in planned
            .into_iter()
            .chain([crate::checks::rds::STORAGE_ENCRYPTED, WAF_ON_LOAD_BALANCERS])
        {
            let r = t.eval(&inv, id);
            assert_eq!(r.status, Status::Fail, "{id}: {}", r.summary);
            // Some resources pass too: the item names fewer than all of them.
            assert!(
                r.findings
                    .iter()
                    .all(|f| f.region.is_some() || id.starts_with("route53"))
            );
        }
        let mail = Inputs::default()
            .with("sends_mail", "no")
            .with("receives_mail", "no");
        for id in planned {
            let def = crate::checks::item(id).expect("item");
            let mut req = mail.clone();
            req.values
                .retain(|k, _| def.inputs.iter().any(|i| i.name == k));
            t.fix(&inv, id, &req);
        }
    }
}
