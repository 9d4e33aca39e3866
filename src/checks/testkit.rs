//! The one harness of the checks' and plans' unit tests: a context
//! ([`T`]) that evaluates an item, builds its plan, applies it to a copy and
//! proves that undo restores every document; and hand-built inventories
//! (the tests of RDS, Route 53, load balancers and Inspector read their clock
//! at [`midnight`]).

use crate::aws::inventory::{
    ApexRecords, ClassicListener, ClassicLoadBalancer, DbInstance, DbSnapshot, Elb, ElbRegion,
    Fetched, HostedZone, Identity, Inspector, InspectorStatus, Inventory, Listener, ListenerAction,
    LoadBalancer, OriginAccessControl, Part, PartError, Rds, RdsRegion, RecordSet, Route53, S3,
    Trail,
};
use crate::aws::inventory::{
    ByRegion, Detector, EbsRegion, FlowLog, Snapshot, Volume, VolumeAttachment, Vpc, VpcRegion,
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

pub fn regions<T>(list: Vec<(&str, Fetched<T>)>) -> ByRegion<T> {
    ByRegion {
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
        identity: Part::of(Identity {
            account: ACCOUNT.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/ops"),
            user_id: "AIDA".into(),
        }),
        ..Inventory::default()
    };
    inv.ebs_encryption = Part::of(ByRegion::default());
    inv.ebs = Part::of(ByRegion::default());
    inv.vpc_flow_logs = Part::of(ByRegion::default());
    inv.guardduty = Part::of(ByRegion::default());
    inv.s3 = Part::of(S3::default());
    inv.trails = Part::of(vec![]);
    inv
}

pub fn with_ebs(mut inv: Inventory, list: Vec<(&str, Fetched<EbsRegion>)>) -> Inventory {
    inv.ebs = Part::of(regions(list));
    inv
}

pub fn with_vpcs(mut inv: Inventory, list: Vec<(&str, Fetched<VpcRegion>)>) -> Inventory {
    inv.vpc_flow_logs = Part::of(regions(list));
    inv
}

pub fn with_detectors(
    mut inv: Inventory,
    list: Vec<(&str, Fetched<Option<Detector>>)>,
) -> Inventory {
    inv.guardduty = Part::of(regions(list));
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
            // A distribution's ETag is AWS's version stamp, not state: an
            // update (and its undo) leaves it unknown until re-read.
            let forget_etags = |mut i: Inventory| {
                if let Some(cf) = i.cloudfront.ready_mut() {
                    for d in &mut cf.distributions {
                        d.etag = None;
                    }
                }
                i
            };
            assert_eq!(
                forget_etags(undone),
                forget_etags(inv.clone()),
                "undo of {id}"
            );
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

pub const US: &str = "us-east-1";
pub const EU: &str = "eu-west-1";

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

pub fn db_snapshot(id: &str, source: &str, restore: &[&str]) -> DbSnapshot {
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
        identity: Part::of(Identity {
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
            snapshots: vec![db_snapshot(
                "legacy-before-upgrade",
                "legacy-mysql",
                &["210987654321", "all"],
            )],
            cluster_snapshots: vec![db_snapshot("reports-q3", "reports-cluster", &["all"])],
        }),
    );
    let mut orders = instance("orders-db", "postgres", "16.3", true);
    orders.vpc_security_groups = vec!["sg-0db2222222222222b".into()];
    rds.regions.insert(
        EU.into(),
        Fetched::Ready(RdsRegion {
            instances: vec![orders],
            snapshots: vec![db_snapshot("orders-weekly", "orders-db", &[])],
            cluster_snapshots: vec![],
        }),
    );
    inv.rds = Part::of(rds);

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
    inv.route53 = Part::of(Route53 {
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
    inv.elb = Part::of(elb);

    let mut inspector = Inspector::default();
    inspector
        .regions
        .insert(US.into(), Fetched::Ready(inspector_status("DISABLED", &[])));
    inspector.regions.insert(
        EU.into(),
        Fetched::Ready(inspector_status(
            "ENABLED",
            &[("EC2", "ENABLED"), ("ECR", "ENABLED")],
        )),
    );
    inv.inspector = Part::of(inspector);
    inv
}

/// Inspector's account status with these (resource type, status) scans.
pub fn inspector_status(status: &str, scans: &[(&str, &str)]) -> InspectorStatus {
    InspectorStatus {
        status: status.into(),
        scans: scans
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    }
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
