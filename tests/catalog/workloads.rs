//! `catalog_safety`'s samples, scenarios and drifts for the RDS, Route 53,
//! ELB and Inspector ops (`ResourceRef::Workloads`). The loops in
//! `catalog_safety.rs` do the rest.

#![allow(dead_code)]

use moat::aws::inventory::{
    ApexRecords, ClassicListener, DbInstance, DbSnapshot, ElbRef, Fetched, FixedResponse,
    HostedZone, InspectorRef, InspectorStatus, Inventory, Listener, ListenerAction, LoadBalancer,
    RdsRef, RdsRegion, RecordSet, RecordType, ResourceRef,
};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

const REGION: &str = "us-east-1";

fn record(name: &str, rtype: &str, values: &[&str]) -> RecordSet {
    RecordSet {
        name: name.into(),
        rtype: rtype.into(),
        ttl: 300,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// One op of every RDS, Route 53, ELB and Inspector variant, in declaration order.
pub fn samples() -> Vec<Op> {
    vec![
        Op::ModifyDbInstancePublicAccess(ops::ModifyDbInstancePublicAccess {
            region: REGION.into(),
            instance: "db".into(),
            publicly_accessible: false,
            apply_immediately: false,
        }),
        Op::ModifyDbSnapshotRestore(ops::ModifyDbSnapshotRestore {
            region: REGION.into(),
            snapshot: "snap".into(),
            add: vec![],
            remove: vec!["all".into()],
        }),
        Op::ModifyDbClusterSnapshotRestore(ops::ModifyDbClusterSnapshotRestore {
            region: REGION.into(),
            snapshot: "csnap".into(),
            add: vec![],
            remove: vec!["all".into()],
        }),
        Op::UpsertRecordSet(ops::UpsertRecordSet {
            zone: "Z1".into(),
            record: record("example.com.", "TXT", &["\"v=spf1 -all\""]),
        }),
        Op::DeleteRecordSet(ops::DeleteRecordSet {
            zone: "Z1".into(),
            record: record("example.com.", "MX", &["0 ."]),
        }),
        Op::ModifyListenerDefaultActions(ops::ModifyListenerDefaultActions {
            region: REGION.into(),
            load_balancer: "web".into(),
            port: 80,
            listener_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/1/2".into(),
            actions: vec![ListenerAction::redirect_to_https()],
        }),
        Op::ModifyRuleActions(ops::ModifyRuleActions {
            region: REGION.into(),
            load_balancer: "web".into(),
            port: 80,
            rule_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule/app/web/1/2/10"
                    .into(),
            priority: "10".into(),
            actions: vec![ListenerAction::redirect_to_https()],
        }),
        Op::ModifyListenerSslPolicy(ops::ModifyListenerSslPolicy {
            region: REGION.into(),
            load_balancer: "web".into(),
            port: 443,
            listener_arn:
                "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/1/3".into(),
            ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
        }),
        Op::EnableInspector(ops::EnableInspector {
            region: REGION.into(),
            account: "111122223333".into(),
            resource_types: vec!["EC2".into(), "ECR".into()],
        }),
        Op::DisableInspector(ops::DisableInspector {
            region: REGION.into(),
            account: "111122223333".into(),
            resource_types: vec!["EC2".into(), "ECR".into()],
        }),
    ]
}

/// The position of `op`'s variant in [`samples`] (`catalog_safety`'s
/// exhaustive match names every variant sent here).
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::ModifyDbInstancePublicAccess(_) => 0,
        Op::ModifyDbSnapshotRestore(_) => 1,
        Op::ModifyDbClusterSnapshotRestore(_) => 2,
        Op::UpsertRecordSet(_) => 3,
        Op::DeleteRecordSet(_) => 4,
        Op::ModifyListenerDefaultActions(_) => 5,
        Op::ModifyRuleActions(_) => 6,
        Op::ModifyListenerSslPolicy(_) => 7,
        Op::EnableInspector(_) => 8,
        Op::DisableInspector(_) => 9,
        other => unreachable!("not an op of this file: {other:?}"),
    }
}

/// Variants that never have an inverse (serde tag, why).
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// Make `inv` (every scenario, demo included) fail this group's items in the
/// ways their plans fix, beyond what the demo data already does. The demo
/// already fails every item of the group (a zone without TXT or MX records
/// makes the SPF and MX plans create record sets that undo deletes).
pub fn scenario(_inv: &mut Inventory) {}

/// Every resource of this group in `inv` that has a document.
pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r: ResourceRef| {
        if inv.document(&r).ok().flatten().is_some() {
            out.insert(r);
        }
    };
    if let Some(rds) = inv.rds.ready() {
        for (region, r) in &rds.regions {
            let Fetched::Ready(r) = r else { continue };
            for i in &r.instances {
                add(ResourceRef::Rds(RdsRef::DbInstance {
                    region: region.clone(),
                    id: i.id.clone(),
                }));
            }
            for s in &r.snapshots {
                add(ResourceRef::Rds(RdsRef::DbSnapshot {
                    region: region.clone(),
                    id: s.id.clone(),
                }));
            }
            for s in &r.cluster_snapshots {
                add(ResourceRef::Rds(RdsRef::DbClusterSnapshot {
                    region: region.clone(),
                    id: s.id.clone(),
                }));
            }
        }
    }
    if let Some(r53) = inv.route53.ready() {
        for z in &r53.zones {
            for rtype in [RecordType::Txt, RecordType::Mx] {
                add(ResourceRef::RecordSet {
                    zone: z.id.clone(),
                    rtype,
                });
            }
        }
    }
    if let Some(elb) = inv.elb.ready() {
        for (region, r) in &elb.regions {
            let Fetched::Ready(r) = r else { continue };
            for lb in &r.load_balancers {
                add(ResourceRef::Elb(ElbRef::LoadBalancer {
                    region: region.clone(),
                    name: lb.name.clone(),
                }));
                for l in &lb.listeners {
                    add(ResourceRef::Elb(ElbRef::Listener {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                    }));
                }
            }
            for c in &r.classic {
                add(ResourceRef::Elb(ElbRef::ClassicLoadBalancer {
                    region: region.clone(),
                    name: c.name.clone(),
                }));
            }
        }
    }
    if let Some(i) = inv.inspector.ready() {
        for region in i.regions.keys() {
            add(ResourceRef::Inspector(InspectorRef::Status {
                region: region.clone(),
            }));
        }
    }
}

fn rds_region<'a>(inv: &'a mut Inventory, region: &str) -> Option<&'a mut RdsRegion> {
    inv.rds
        .ready_mut()?
        .regions
        .entry(region.to_string())
        .or_insert_with(|| Fetched::Ready(RdsRegion::default()))
        .ready_mut()
}

fn drift_snapshot(list: &mut Vec<DbSnapshot>, id: &str) {
    match list.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            if let Fetched::Ready(v) = &mut s.restore {
                v.push("999988887777".into());
            }
        }
        None => list.push(DbSnapshot {
            id: id.into(),
            source: "drift".into(),
            engine: "mysql".into(),
            encrypted: false,
            restore: Fetched::Ready(vec!["999988887777".into()]),
        }),
    }
}

fn drift_listener(lb: &mut LoadBalancer, port: i32) {
    let fixed = ListenerAction {
        kind: "fixed-response".into(),
        order: None,
        target_group_arn: None,
        forward: None,
        redirect: None,
        fixed_response: Some(FixedResponse {
            status_code: "503".into(),
            content_type: Some("text/plain".into()),
            message_body: Some("drift".into()),
        }),
    };
    match lb.listeners.iter_mut().find(|l| l.port == port) {
        Some(l) => l.default_actions = vec![fixed],
        None => lb.listeners.push(Listener {
            arn: format!("{}/drift", lb.arn),
            protocol: "HTTP".into(),
            port,
            ssl_policy: None,
            certificates: vec![],
            default_actions: vec![fixed],
            rules: vec![],
        }),
    }
}

/// Change `r` in `inv` the way someone else might between plan and apply
/// (the document must change; a resource that does not exist is created).
pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    match r {
        ResourceRef::Rds(RdsRef::DbInstance { region, id }) => {
            let Some(r) = rds_region(inv, region) else {
                return;
            };
            match r.instances.iter_mut().find(|i| &i.id == id) {
                Some(i) => i.publicly_accessible = !i.publicly_accessible,
                None => r.instances.push(DbInstance {
                    id: id.clone(),
                    arn: String::new(),
                    engine: "mysql".into(),
                    engine_version: String::new(),
                    class: String::new(),
                    publicly_accessible: true,
                    storage_encrypted: false,
                    kms_key_id: None,
                    cluster: None,
                    port: None,
                    vpc_security_groups: vec![],
                    allocated_storage: None,
                    multi_az: None,
                    storage_type: None,
                    pending: Default::default(),
                }),
            }
        }
        ResourceRef::Rds(RdsRef::DbSnapshot { region, id }) => {
            if let Some(r) = rds_region(inv, region) {
                drift_snapshot(&mut r.snapshots, id);
            }
        }
        ResourceRef::Rds(RdsRef::DbClusterSnapshot { region, id }) => {
            if let Some(r) = rds_region(inv, region) {
                drift_snapshot(&mut r.cluster_snapshots, id);
            }
        }
        ResourceRef::RecordSet { zone, rtype } => {
            let Some(r53) = inv.route53.ready_mut() else {
                return;
            };
            if r53.zone(zone).is_none() {
                r53.zones.push(HostedZone {
                    id: zone.clone(),
                    name: "drift.example.".into(),
                    private: false,
                    records: Fetched::Ready(ApexRecords::default()),
                });
            }
            let Some(z) = r53.zones.iter_mut().find(|z| &z.id == zone) else {
                return;
            };
            let name = z.name.clone();
            let Fetched::Ready(records) = &mut z.records else {
                return;
            };
            let (slot, value) = match rtype {
                RecordType::Txt => (&mut records.txt, "\"drift-verification=1\""),
                RecordType::Mx => (&mut records.mx, "20 mx.drift.example."),
            };
            match slot {
                Some(s) => s.values.push(value.into()),
                None => *slot = Some(record(&name, rtype.as_str(), &[value])),
            }
        }
        ResourceRef::Elb(ElbRef::LoadBalancer { region, name }) => {
            if let Some(lb) = elb_lb(inv, region, name) {
                lb.security_groups.push("sg-0drift".into());
            }
        }
        ResourceRef::Elb(ElbRef::Listener {
            region,
            load_balancer,
            port,
        }) => {
            if let Some(lb) = elb_lb(inv, region, load_balancer) {
                drift_listener(lb, *port);
            }
        }
        ResourceRef::Elb(ElbRef::ClassicLoadBalancer { region, name }) => {
            let Some(r) = elb_region(inv, region) else {
                return;
            };
            let listener = ClassicListener {
                protocol: "TCP".into(),
                port: 2222,
                instance_protocol: "TCP".into(),
                instance_port: 22,
                certificate: None,
                security_policy: None,
            };
            match r.classic.iter_mut().find(|c| &c.name == name) {
                Some(c) => c.listeners.push(listener),
                None => r.classic.push(moat::aws::inventory::ClassicLoadBalancer {
                    name: name.clone(),
                    scheme: "internet-facing".into(),
                    security_groups: vec![],
                    listeners: vec![listener],
                }),
            }
        }
        ResourceRef::Inspector(InspectorRef::Status { region }) => {
            let Some(i) = inv.inspector.ready_mut() else {
                return;
            };
            let s = i
                .regions
                .entry(region.clone())
                .or_insert_with(|| Fetched::Ready(InspectorStatus::default()));
            if let Fetched::Ready(s) = s {
                let on = s.is_on("EC2");
                s.scans
                    .insert("EC2".into(), if on { "DISABLED" } else { "ENABLED" }.into());
            }
        }
        // Findings only: no document, never part of a plan.
        ResourceRef::Rds(RdsRef::Region { .. }) | ResourceRef::Elb(ElbRef::Region { .. }) => {}
        other => panic!("{other} is not a resource of this file"),
    }
}

fn elb_region<'a>(
    inv: &'a mut Inventory,
    region: &str,
) -> Option<&'a mut moat::aws::inventory::ElbRegion> {
    inv.elb
        .ready_mut()?
        .regions
        .entry(region.to_string())
        .or_insert_with(|| Fetched::Ready(Default::default()))
        .ready_mut()
}

fn elb_lb<'a>(inv: &'a mut Inventory, region: &str, name: &str) -> Option<&'a mut LoadBalancer> {
    let r = elb_region(inv, region)?;
    if !r.load_balancers.iter().any(|l| l.name == name) {
        r.load_balancers.push(LoadBalancer {
            name: name.into(),
            arn: format!(
                "arn:aws:elasticloadbalancing:{region}:111122223333:loadbalancer/app/{name}/drift"
            ),
            kind: "application".into(),
            scheme: "internet-facing".into(),
            security_groups: vec![],
            listeners: vec![],
            web_acl: Some(Fetched::Ready(None)),
        });
    }
    r.load_balancers.iter_mut().find(|l| l.name == name)
}
