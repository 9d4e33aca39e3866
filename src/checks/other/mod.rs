//! The `other` section: Amazon Inspector in every region, and AWS WAF in
//! front of internet-facing Application Load Balancers.

pub mod fix;

use super::kit::in_region;
use super::regions::{counted, each_region, outcome, res};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    Fetched, INSPECTOR_SCANS, Inventory, PartId, RegionScope, WorkloadsRef,
};
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
    res(WorkloadsRef::Inspector {
        region: region.to_string(),
    })
}

fn inspector(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(part) = inv.inspector.ready() else {
        return Outcome::pass(String::new());
    };
    let mut findings = vec![];
    each_region(&part.regions, None, &mut findings, |region, s, out| {
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
    });
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
    each_region(
        &part.regions,
        Some(RegionScope::Elb),
        &mut findings,
        |region, r, out| {
            for lb in r
                .load_balancers
                .iter()
                .filter(|l| l.is_application() && l.is_internet_facing())
            {
                albs += 1;
                let resource = res(WorkloadsRef::LoadBalancer {
                    region: region.to_string(),
                    name: lb.name.clone(),
                });
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
        },
    );
    counted(WAF_ON_LOAD_BALANCERS, findings, albs)
}

/// Hand-built inventories and a harness for the group's tests.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::aws::inventory::*;
    use std::collections::BTreeMap;

    pub const ACCOUNT: &str = "111122223333";
    pub const US: &str = "us-east-1";
    pub const EU: &str = "eu-west-1";

    /// The clock of these tests: midnight.
    pub use crate::checks::testkit::{T, midnight as now};

    pub fn instance(id: &str, engine: &str, version: &str, encrypted: bool) -> DbInstance {
        DbInstance {
            id: id.into(),
            arn: format!("arn:aws:rds:{US}:{ACCOUNT}:db:{id}"),
            engine: engine.into(),
            engine_version: version.into(),
            class: "db.t3.medium".into(),
            publicly_accessible: false,
            storage_encrypted: encrypted,
            kms_key_id: None,
            cluster: None,
            port: Some(5432),
            vpc_security_groups: vec!["sg-0db1111111111111a".into()],
            allocated_storage: None,
            multi_az: None,
            storage_type: None,
            pending: Default::default(),
        }
    }

    pub fn snapshot(id: &str, source: &str, restore: &[&str]) -> DbSnapshot {
        DbSnapshot {
            id: id.into(),
            source: source.into(),
            engine: "mysql".into(),
            encrypted: false,
            restore: Fetched::Ready(restore.iter().map(|s| s.to_string()).collect()),
        }
    }

    pub fn txt(name: &str, values: &[&str]) -> RecordSet {
        RecordSet {
            name: name.into(),
            rtype: "TXT".into(),
            ttl: 3600,
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn zone(id: &str, name: &str, private: bool) -> HostedZone {
        HostedZone {
            id: id.into(),
            name: name.into(),
            private,
            records: Fetched::Ready(ApexRecords::default()),
        }
    }

    pub fn action_forward(tg: &str) -> ListenerAction {
        ListenerAction {
            kind: "forward".into(),
            order: None,
            target_group_arn: Some(tg.into()),
            forward: None,
            redirect: None,
            fixed_response: None,
        }
    }

    pub fn listener(lb: &str, protocol: &str, port: i32, policy: Option<&str>) -> Listener {
        Listener {
            arn: format!("arn:aws:elasticloadbalancing:{US}:{ACCOUNT}:listener/app/{lb}/1/{port}"),
            protocol: protocol.into(),
            port,
            ssl_policy: policy.map(str::to_string),
            certificates: if policy.is_some() {
                vec![format!("arn:aws:acm:{US}:{ACCOUNT}:certificate/1")]
            } else {
                vec![]
            },
            default_actions: vec![action_forward(&format!(
                "arn:aws:elasticloadbalancing:{US}:{ACCOUNT}:targetgroup/{lb}/1"
            ))],
            rules: vec![],
        }
    }

    pub fn load_balancer(
        name: &str,
        kind: &str,
        scheme: &str,
        listeners: Vec<Listener>,
    ) -> LoadBalancer {
        LoadBalancer {
            name: name.into(),
            arn: format!("arn:aws:elasticloadbalancing:{US}:{ACCOUNT}:loadbalancer/app/{name}/1"),
            kind: kind.into(),
            scheme: scheme.into(),
            security_groups: vec!["sg-0lb".into()],
            listeners,
            web_acl: (kind == "application" && scheme == "internet-facing")
                .then_some(Fetched::Ready(None)),
        }
    }

    /// Two regions: EU passes everything; US fails every item.
    pub fn inventory() -> Inventory {
        let mut inv = Inventory {
            identity: Part::Ready(Identity {
                account: ACCOUNT.into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:user/ops-admin"),
                user_id: "AIDAEXAMPLE".into(),
            }),
            ..Inventory::default()
        };
        let mut aurora = instance("reports-aurora-1", "aurora-postgresql", "15.4", false);
        aurora.cluster = Some("reports-cluster".into());
        let mut rds = Rds::default();
        rds.regions.insert(
            US.into(),
            Fetched::Ready(RdsRegion {
                instances: vec![instance("legacy-mysql", "mysql", "8.0.35", false), aurora],
                snapshots: vec![snapshot(
                    "legacy-before-upgrade",
                    "legacy-mysql",
                    &["210987654321", "all"],
                )],
                cluster_snapshots: vec![snapshot("reports-q3", "reports-cluster", &["all"])],
            }),
        );
        let mut orders = instance("orders-db", "postgres", "16.3", true);
        orders.vpc_security_groups = vec!["sg-0db2222222222222b".into()];
        rds.regions.insert(
            EU.into(),
            Fetched::Ready(RdsRegion {
                instances: vec![orders],
                snapshots: vec![snapshot("orders-weekly", "orders-db", &[])],
                cluster_snapshots: vec![],
            }),
        );
        inv.rds = Part::Ready(rds);

        let mut example = zone("Z1EXAMPLECOM", "example.com.", false);
        example.records = Fetched::Ready(ApexRecords {
            txt: Some(txt(
                "example.com.",
                &["\"google-site-verification=abc123\""],
            )),
            mx: None,
        });
        let mut mail = zone("Z2MAIL", "mail.example.org.", false);
        mail.records = Fetched::Ready(ApexRecords {
            txt: Some(txt(
                "mail.example.org.",
                &["\"v=spf1 include:_spf.google.com ~all\""],
            )),
            mx: Some(RecordSet {
                name: "mail.example.org.".into(),
                rtype: "MX".into(),
                ttl: 3600,
                values: vec!["10 mx.mail.example.org.".into()],
            }),
        });
        inv.route53 = Part::Ready(Route53 {
            zones: vec![example, mail, zone("Z3PRIVATE", "internal.example.", true)],
        });

        let mut elb = Elb::default();
        elb.regions.insert(
            US.into(),
            Fetched::Ready(ElbRegion {
                load_balancers: vec![
                    load_balancer(
                        "web",
                        "application",
                        "internet-facing",
                        vec![
                            listener("web", "HTTP", 80, None),
                            listener("web", "HTTPS", 443, Some("ELBSecurityPolicy-2016-08")),
                        ],
                    ),
                    load_balancer(
                        "admin",
                        "application",
                        "internal",
                        vec![listener("admin", "HTTP", 80, None)],
                    ),
                    load_balancer(
                        "tls-nlb",
                        "network",
                        "internet-facing",
                        vec![listener(
                            "tls-nlb",
                            "TLS",
                            443,
                            Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                        )],
                    ),
                ],
                classic: vec![ClassicLoadBalancer {
                    name: "legacy-classic".into(),
                    scheme: "internet-facing".into(),
                    security_groups: vec![],
                    listeners: vec![
                        ClassicListener {
                            protocol: "HTTP".into(),
                            port: 80,
                            instance_protocol: "HTTP".into(),
                            instance_port: 8080,
                            certificate: None,
                            security_policy: None,
                        },
                        ClassicListener {
                            protocol: "HTTPS".into(),
                            port: 443,
                            instance_protocol: "HTTP".into(),
                            instance_port: 8080,
                            certificate: Some(
                                "arn:aws:acm:us-east-1:111122223333:certificate/2".into(),
                            ),
                            security_policy: Some("ELBSecurityPolicy-2016-08".into()),
                        },
                    ],
                }],
            }),
        );
        let mut protected = load_balancer(
            "shop",
            "application",
            "internet-facing",
            vec![listener(
                "shop",
                "HTTPS",
                443,
                Some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            )],
        );
        protected.web_acl = Some(Fetched::Ready(Some(format!(
            "arn:aws:wafv2:{EU}:{ACCOUNT}:regional/webacl/shop/1"
        ))));
        elb.regions.insert(
            EU.into(),
            Fetched::Ready(ElbRegion {
                load_balancers: vec![protected],
                classic: vec![],
            }),
        );
        inv.elb = Part::Ready(elb);

        let mut inspector = Inspector::default();
        inspector.regions.insert(
            US.into(),
            Fetched::Ready(InspectorStatus {
                status: "DISABLED".into(),
                scans: BTreeMap::new(),
            }),
        );
        inspector.regions.insert(
            EU.into(),
            Fetched::Ready(InspectorStatus {
                status: "ENABLED".into(),
                scans: [("EC2", "ENABLED"), ("ECR", "ENABLED")]
                    .into_iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
            }),
        );
        inv.inspector = Part::Ready(inspector);
        inv
    }

    pub fn rds_mut<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut RdsRegion {
        inv.rds
            .ready_mut()
            .and_then(|r| r.regions.get_mut(region))
            .and_then(|r| r.ready_mut())
            .expect("rds region")
    }

    pub fn elb_mut<'a>(inv: &'a mut Inventory, region: &str) -> &'a mut ElbRegion {
        inv.elb
            .ready_mut()
            .and_then(|r| r.regions.get_mut(region))
            .and_then(|r| r.ready_mut())
            .expect("elb region")
    }

    pub fn zone_mut<'a>(inv: &'a mut Inventory, id: &str) -> &'a mut HostedZone {
        inv.route53
            .ready_mut()
            .and_then(|r| r.zones.iter_mut().find(|z| z.id == id))
            .expect("zone")
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;
    use crate::aws::inventory::{InspectorStatus, PartError};
    use crate::aws::ops;
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
                Fetched::Ready(InspectorStatus {
                    status: "ENABLED".into(),
                    scans: [("EC2", "ENABLING"), ("ECR", "ENABLED")]
                        .into_iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect(),
                }),
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
                .chain(["plan", "workloads"].iter())
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
        for id in [
            crate::checks::rds::PUBLIC_INSTANCES,
            crate::checks::rds::STORAGE_ENCRYPTED,
            crate::checks::rds::PUBLIC_SNAPSHOTS,
            crate::checks::route53::SPF_RECORDS,
            crate::checks::route53::MX_RECORDS,
            crate::checks::elb::HTTPS_LISTENERS,
            crate::checks::elb::TLS_POLICY,
            INSPECTOR,
            WAF_ON_LOAD_BALANCERS,
        ] {
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
        for id in [
            crate::checks::rds::PUBLIC_INSTANCES,
            crate::checks::rds::PUBLIC_SNAPSHOTS,
            crate::checks::route53::SPF_RECORDS,
            crate::checks::route53::MX_RECORDS,
            crate::checks::elb::HTTPS_LISTENERS,
            crate::checks::elb::TLS_POLICY,
            INSPECTOR,
        ] {
            let def = crate::checks::item(id).expect("item");
            let mut req = mail.clone();
            req.values
                .retain(|k, _| def.inputs.iter().any(|i| i.name == k));
            t.fix(&inv, id, &req);
        }
    }
}
