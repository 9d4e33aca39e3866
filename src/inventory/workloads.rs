//! The account model of RDS, Route 53, load balancers and other tools (issue 6): the types its parts hold, the resources
//! moat can change ([`WorkloadsRef`], wrapped by `ResourceRef::Workloads`), their
//! documents.
//!
//! The regional parts (RDS, load balancers, Inspector) hold one entry per
//! region, each read or failed on its own ([`Fetched`]): a region that
//! refuses (an opt-in region, a service not offered there) marks only its own
//! findings as errors.

use super::apply::ApplyError;
use super::document::NotReady;
use super::{Fetched, Inventory, PartId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// Per-region data of a regional part: region name → what was read there.
pub type ByRegion<T> = BTreeMap<String, Fetched<T>>;

// ---------------------------------------------------------------------------
// RDS

/// One DB instance (the settings the rds items read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInstance {
    pub id: String,
    #[serde(default)]
    pub arn: String,
    pub engine: String,
    #[serde(default)]
    pub engine_version: String,
    #[serde(default)]
    pub class: String,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// The Aurora (or Multi-AZ DB) cluster the instance belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The port it listens on (for the security-group items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// The VPC security groups (ids), for the security-group items.
    #[serde(default)]
    pub vpc_security_groups: Vec<String>,
    /// Allocated storage in GiB (shown beside a pending storage change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_storage: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_type: Option<String>,
    /// The modifications RDS holds for the next maintenance window
    /// (`PendingModifiedValues`), by API member name (`DBInstanceClass`,
    /// `EngineVersion`, …) with the value they will set. A ModifyDBInstance
    /// with ApplyImmediately applies them all at once.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
}

impl DbInstance {
    /// The live value of a setting that can be pending, by API member name
    /// (`None`: not one moat reads).
    pub fn live_setting(&self, member: &str) -> Option<String> {
        match member {
            "DBInstanceClass" => Some(self.class.clone()),
            "EngineVersion" => Some(self.engine_version.clone()),
            "AllocatedStorage" => self.allocated_storage.map(|v| v.to_string()),
            "MultiAZ" => self.multi_az.map(|v| v.to_string()),
            "StorageType" => self.storage_type.clone(),
            _ => None,
        }
    }

    /// What ApplyImmediately does to the queue: every pending value becomes live.
    pub(crate) fn apply_pending(&mut self) {
        for (member, value) in std::mem::take(&mut self.pending) {
            match member.as_str() {
                "DBInstanceClass" => self.class = value,
                "EngineVersion" => self.engine_version = value,
                "AllocatedStorage" => {
                    if let Ok(v) = value.parse() {
                        self.allocated_storage = Some(v);
                    }
                }
                "MultiAZ" => self.multi_az = Some(value == "true"),
                "StorageType" => self.storage_type = Some(value),
                _ => {}
            }
        }
    }

    /// The pending modifications as `Member live → pending`, one per entry.
    pub fn pending_changes(&self) -> Vec<String> {
        self.pending
            .iter()
            .map(|(member, value)| match self.live_setting(member) {
                Some(live) if !live.is_empty() => format!("{member} {live} → {value}"),
                _ => format!("{member} → {value}"),
            })
            .collect()
    }
}

/// A manual DB snapshot or DB cluster snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub id: String,
    /// The instance (or cluster) it was taken from.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub engine: String,
    pub encrypted: bool,
    /// The `restore` attribute: account ids allowed to copy or restore it,
    /// `all` for everyone.
    pub restore: Fetched<Vec<String>>,
}

impl DbSnapshot {
    pub fn is_public(&self) -> bool {
        matches!(&self.restore, Fetched::Ready(v) if v.iter().any(|a| a == PUBLIC))
    }
}

/// The `restore` attribute value that makes a snapshot public.
pub const PUBLIC: &str = "all";

/// RDS in one region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RdsRegion {
    pub instances: Vec<DbInstance>,
    /// Manual DB snapshots.
    #[serde(default)]
    pub snapshots: Vec<DbSnapshot>,
    /// Manual DB cluster snapshots (Aurora, Multi-AZ clusters).
    #[serde(default)]
    pub cluster_snapshots: Vec<DbSnapshot>,
}

/// The RDS part: every scanned region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rds {
    pub regions: ByRegion<RdsRegion>,
}

// ---------------------------------------------------------------------------
// Route 53

/// A record set as Route 53 holds it (simple routing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Fully qualified, with the trailing dot.
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub ttl: i64,
    /// As Route 53 holds them: TXT values quoted (`"v=spf1 -all"`).
    pub values: Vec<String>,
}

/// The apex records the route53 items read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApexRecords {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txt: Option<RecordSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<RecordSet>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// The domain, with the trailing dot.
    pub name: String,
    pub private: bool,
    /// The apex TXT and MX record sets (public zones only; private zones
    /// are not read and hold the default).
    pub records: Fetched<ApexRecords>,
}

impl HostedZone {
    /// The domain without its trailing dot.
    pub fn domain(&self) -> &str {
        self.name.strip_suffix('.').unwrap_or(&self.name)
    }
}

/// The Route 53 part: every hosted zone.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Route53 {
    pub zones: Vec<HostedZone>,
}

impl Route53 {
    pub fn zone(&self, id: &str) -> Option<&HostedZone> {
        self.zones.iter().find(|z| z.id == id)
    }
}

/// `TXT` or `MX`: the record types moat manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordType {
    #[serde(rename = "TXT")]
    Txt,
    #[serde(rename = "MX")]
    Mx,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Txt => "TXT",
            RecordType::Mx => "MX",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "TXT" => Some(RecordType::Txt),
            "MX" => Some(RecordType::Mx),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Elastic Load Balancing

/// A forward action's target groups and stickiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardConfig {
    pub target_groups: Vec<WeightedTargetGroup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stickiness_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stickiness_duration: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightedTargetGroup {
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedResponse {
    pub status_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_body: Option<String>,
}

/// One of a listener's default actions. moat changes only the default
/// actions of HTTP listeners, which hold forward, redirect or fixed-response
/// actions; any other kind is kept by name only (and such a listener is not
/// changed, since undo could not restore it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, …
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward: Option<ForwardConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_response: Option<FixedResponse>,
}

impl ListenerAction {
    /// The kinds moat can send back exactly as read.
    pub fn is_restorable(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "forward" | "redirect" | "fixed-response"
        )
    }

    /// A permanent redirect to HTTPS on port 443, keeping host, path and
    /// query (the values AWS fills in when they are left out, spelled out so
    /// the model matches what DescribeListeners answers).
    pub fn redirect_to_https() -> ListenerAction {
        ListenerAction {
            kind: "redirect".into(),
            order: None,
            target_group_arn: None,
            forward: None,
            redirect: Some(RedirectConfig {
                protocol: Some("HTTPS".into()),
                port: Some("443".into()),
                host: Some("#{host}".into()),
                path: Some("/#{path}".into()),
                query: Some("#{query}".into()),
                status_code: "HTTP_301".into(),
            }),
            fixed_response: None,
        }
    }

    /// A fixed response without a body: it serves no content (e.g. a bare
    /// 403 or 404) and reaches no target.
    pub fn serves_nothing(&self) -> bool {
        self.kind == "fixed-response"
            && self
                .fixed_response
                .as_ref()
                .is_none_or(|x| x.message_body.as_deref().is_none_or(str::is_empty))
    }

    /// Redirects to HTTPS (any port, 301 or 302).
    pub fn redirects_to_https(&self) -> bool {
        self.kind == "redirect"
            && self
                .redirect
                .as_ref()
                .and_then(|r| r.protocol.as_deref())
                .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    pub arn: String,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`.
    pub protocol: String,
    pub port: i32,
    /// Meaningful for HTTPS and TLS listeners only (some emulators report
    /// one on HTTP listeners too: read the protocol first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// Certificate ARNs (the default one).
    #[serde(default)]
    pub certificates: Vec<String>,
    pub default_actions: Vec<ListenerAction>,
    /// The listener's rules other than its default rule (whose actions are
    /// `default_actions`), by priority. Read for the HTTP listeners of
    /// internet-facing Application Load Balancers only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ListenerRule>,
}

/// A listener rule: when its conditions match, its actions run instead of
/// the listener's default actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerRule {
    pub arn: String,
    /// `1` to `50000` (the default rule is not kept here).
    pub priority: String,
    /// Each condition as text, e.g. `path-pattern /api/*`.
    #[serde(default)]
    pub conditions: Vec<String>,
    pub actions: Vec<ListenerAction>,
}

impl ListenerRule {
    /// `priority 10 (path-pattern /api/*)`, as findings name a rule.
    pub fn label(&self) -> String {
        if self.conditions.is_empty() {
            format!("priority {}", self.priority)
        } else {
            format!(
                "priority {} ({})",
                self.priority,
                self.conditions.join("; ")
            )
        }
    }
    fn priority_key(&self) -> (u64, String) {
        (
            self.priority.parse().unwrap_or(u64::MAX),
            self.priority.clone(),
        )
    }
}

impl Listener {
    /// HTTPS or TLS: a listener with a security policy.
    pub fn is_tls(&self) -> bool {
        matches!(self.protocol.as_str(), "HTTPS" | "TLS")
    }
}

/// An Application, Network or Gateway Load Balancer (ELBv2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub name: String,
    pub arn: String,
    /// `application`, `network` or `gateway`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    #[serde(default)]
    pub security_groups: Vec<String>,
    pub listeners: Vec<Listener>,
    /// The regional AWS WAF web ACL (ARN) of an internet-facing ALB; `None`
    /// for load balancers moat does not ask about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_acl: Option<Fetched<Option<String>>>,
}

impl LoadBalancer {
    pub fn is_internet_facing(&self) -> bool {
        self.scheme == "internet-facing"
    }
    pub fn is_application(&self) -> bool {
        self.kind == "application"
    }
    pub fn listener(&self, port: i32) -> Option<&Listener> {
        self.listeners.iter().find(|l| l.port == port)
    }
    /// Do the HTTP listeners of this load balancer need their rules read?
    /// (Internet-facing Application Load Balancers: elb.https-listeners.)
    pub fn rules_matter(&self) -> bool {
        self.is_internet_facing() && self.is_application()
    }
}

/// A listener of a Classic Load Balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassicListener {
    /// `HTTP`, `HTTPS`, `TCP` or `SSL`.
    pub protocol: String,
    pub port: i32,
    pub instance_protocol: String,
    pub instance_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The predefined policy its SSL negotiation policy refers to
    /// (`Reference-Security-Policy`); `None` for a custom or missing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<String>,
}

impl ClassicListener {
    pub fn is_tls(&self) -> bool {
        matches!(self.protocol.as_str(), "HTTPS" | "SSL")
    }
}

/// A Classic Load Balancer (checked only: moat proposes a migration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassicLoadBalancer {
    pub name: String,
    pub scheme: String,
    #[serde(default)]
    pub security_groups: Vec<String>,
    pub listeners: Vec<ClassicListener>,
}

impl ClassicLoadBalancer {
    pub fn is_internet_facing(&self) -> bool {
        self.scheme == "internet-facing"
    }
}

/// Load balancers in one region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ElbRegion {
    pub load_balancers: Vec<LoadBalancer>,
    #[serde(default)]
    pub classic: Vec<ClassicLoadBalancer>,
}

impl ElbRegion {
    pub fn load_balancer(&self, name: &str) -> Option<&LoadBalancer> {
        self.load_balancers.iter().find(|l| l.name == name)
    }
}

/// The load-balancer part: every scanned region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Elb {
    pub regions: ByRegion<ElbRegion>,
}

// ---------------------------------------------------------------------------
// Inspector

/// Amazon Inspector's state for the account in one region. Scan types are
/// named as Enable takes them (`EC2`, `ECR`, `LAMBDA`, `LAMBDA_CODE`, …);
/// states as AWS reports them (`ENABLED`, `ENABLING`, `DISABLED`, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InspectorStatus {
    /// The account's overall state (`DISABLED` when Inspector was never enabled).
    pub status: String,
    /// Scan type → state.
    pub scans: BTreeMap<String, String>,
}

/// The scan types other.inspector asks for.
pub const INSPECTOR_SCANS: &[&str] = &["EC2", "ECR"];

impl InspectorStatus {
    /// Enabled, or on its way (`ENABLING`).
    pub fn is_on(&self, scan: &str) -> bool {
        matches!(
            self.scans.get(scan).map(String::as_str),
            Some("ENABLED" | "ENABLING")
        )
    }
    /// The state a document shows: a change on its way counts as done, so
    /// a re-read right after apply matches the prediction.
    fn shown(&self, scan: &str) -> &str {
        match self.scans.get(scan).map(String::as_str) {
            Some("ENABLED" | "ENABLING") => "ENABLED",
            Some("DISABLED" | "DISABLING") | None => "DISABLED",
            Some(other) => other,
        }
    }
}

/// The Inspector part: every scanned region.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Inspector {
    pub regions: ByRegion<InspectorStatus>,
}

// ---------------------------------------------------------------------------
// Resources

/// Which regional listing a region-wide finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionScope {
    /// RDS in a region (`rds/REGION`).
    Rds,
    /// Load balancers in a region (`elb/REGION`).
    Elb,
}

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadsRef {
    /// `db/REGION/ID`
    DbInstance { region: String, id: String },
    /// `db-snapshot/REGION/ID`
    DbSnapshot { region: String, id: String },
    /// `db-cluster-snapshot/REGION/ID`
    DbClusterSnapshot { region: String, id: String },
    /// `dns/ZONE-ID/TXT`: the record set at the zone's apex.
    RecordSet { zone: String, rtype: RecordType },
    /// `lb/REGION/NAME` (ELBv2)
    LoadBalancer { region: String, name: String },
    /// `listener/REGION/LB-NAME/PORT`
    Listener {
        region: String,
        load_balancer: String,
        port: i32,
    },
    /// `classic-lb/REGION/NAME`
    ClassicLoadBalancer { region: String, name: String },
    /// `inspector/REGION`
    Inspector { region: String },
    /// `rds/REGION`, `elb/REGION`: a region whose listing failed (findings
    /// only; no document).
    Region { scope: RegionScope, region: String },
}

impl WorkloadsRef {
    /// Examples for the "unknown resource" message, e.g. `"sg/REGION/ID"`.
    pub const EXAMPLES: &'static [&'static str] = &[
        "db/REGION/ID",
        "db-snapshot/REGION/ID",
        "db-cluster-snapshot/REGION/ID",
        "dns/ZONE-ID/TXT",
        "dns/ZONE-ID/MX",
        "lb/REGION/NAME",
        "listener/REGION/LB-NAME/PORT",
        "classic-lb/REGION/NAME",
        "inspector/REGION",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &str| x.to_string();
        Some(match parts {
            ["db", region, id] => WorkloadsRef::DbInstance {
                region: s(region),
                id: s(id),
            },
            ["db-snapshot", region, id] => WorkloadsRef::DbSnapshot {
                region: s(region),
                id: s(id),
            },
            ["db-cluster-snapshot", region, id] => WorkloadsRef::DbClusterSnapshot {
                region: s(region),
                id: s(id),
            },
            ["dns", zone, t] => WorkloadsRef::RecordSet {
                zone: s(zone),
                rtype: RecordType::parse(t)?,
            },
            ["lb", region, name] => WorkloadsRef::LoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["listener", region, name, port] => {
                let p: i32 = port.parse().ok()?;
                // Only the canonical spelling, so the name prints back as given.
                if p.to_string() != *port {
                    return None;
                }
                WorkloadsRef::Listener {
                    region: s(region),
                    load_balancer: s(name),
                    port: p,
                }
            }
            ["classic-lb", region, name] => WorkloadsRef::ClassicLoadBalancer {
                region: s(region),
                name: s(name),
            },
            ["inspector", region] => WorkloadsRef::Inspector { region: s(region) },
            ["rds", region] => WorkloadsRef::Region {
                scope: RegionScope::Rds,
                region: s(region),
            },
            ["elb", region] => WorkloadsRef::Region {
                scope: RegionScope::Elb,
                region: s(region),
            },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            WorkloadsRef::DbInstance { .. }
            | WorkloadsRef::DbSnapshot { .. }
            | WorkloadsRef::DbClusterSnapshot { .. }
            | WorkloadsRef::Region {
                scope: RegionScope::Rds,
                ..
            } => &[PartId::Rds],
            WorkloadsRef::RecordSet { .. } => &[PartId::Route53],
            WorkloadsRef::LoadBalancer { .. }
            | WorkloadsRef::Listener { .. }
            | WorkloadsRef::ClassicLoadBalancer { .. }
            | WorkloadsRef::Region {
                scope: RegionScope::Elb,
                ..
            } => &[PartId::Elb],
            WorkloadsRef::Inspector { .. } => &[PartId::Inspector],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            WorkloadsRef::DbInstance { region, .. }
            | WorkloadsRef::DbSnapshot { region, .. }
            | WorkloadsRef::DbClusterSnapshot { region, .. }
            | WorkloadsRef::LoadBalancer { region, .. }
            | WorkloadsRef::Listener { region, .. }
            | WorkloadsRef::ClassicLoadBalancer { region, .. }
            | WorkloadsRef::Inspector { region }
            | WorkloadsRef::Region { region, .. } => Some(region),
            WorkloadsRef::RecordSet { .. } => None,
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            WorkloadsRef::DbInstance { region, id } => rds_region(inv, region)
                .and_then(|r| r.instances.iter().find(|i| &i.id == id))
                .map(instance_document),
            WorkloadsRef::DbSnapshot { region, id } => rds_region(inv, region)
                .and_then(|r| r.snapshots.iter().find(|s| &s.id == id))
                .map(|s| snapshot_document("DBSnapshotIdentifier", s)),
            WorkloadsRef::DbClusterSnapshot { region, id } => rds_region(inv, region)
                .and_then(|r| r.cluster_snapshots.iter().find(|s| &s.id == id))
                .map(|s| snapshot_document("DBClusterSnapshotIdentifier", s)),
            WorkloadsRef::RecordSet { zone, rtype } => inv
                .route53
                .ready()
                .and_then(|r| r.zone(zone))
                .and_then(|z| match &z.records {
                    Fetched::Ready(r) => record_of(r, *rtype).map(record_document),
                    Fetched::Error(e) => Some(json!({ "Unreadable": e.summary() })),
                }),
            WorkloadsRef::LoadBalancer { region, name } => elb_region(inv, region)
                .and_then(|r| r.load_balancer(name))
                .map(load_balancer_document),
            WorkloadsRef::Listener {
                region,
                load_balancer,
                port,
            } => elb_region(inv, region)
                .and_then(|r| r.load_balancer(load_balancer))
                .and_then(|lb| lb.listener(*port).map(|l| listener_document(lb, l))),
            WorkloadsRef::ClassicLoadBalancer { region, name } => elb_region(inv, region)
                .and_then(|r| r.classic.iter().find(|c| &c.name == name))
                .map(classic_document),
            WorkloadsRef::Inspector { region } => inv
                .inspector
                .ready()
                .and_then(|i| i.regions.get(region))
                .map(|f| match f {
                    Fetched::Ready(s) => json!({
                        "Region": region,
                        "EC2": s.shown("EC2"),
                        "ECR": s.shown("ECR"),
                    }),
                    Fetched::Error(e) => json!({ "Unreadable": e.summary() }),
                }),
            WorkloadsRef::Region { .. } => None,
        })
    }
}

impl fmt::Display for WorkloadsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkloadsRef::DbInstance { region, id } => write!(f, "db/{region}/{id}"),
            WorkloadsRef::DbSnapshot { region, id } => write!(f, "db-snapshot/{region}/{id}"),
            WorkloadsRef::DbClusterSnapshot { region, id } => {
                write!(f, "db-cluster-snapshot/{region}/{id}")
            }
            WorkloadsRef::RecordSet { zone, rtype } => write!(f, "dns/{zone}/{}", rtype.as_str()),
            WorkloadsRef::LoadBalancer { region, name } => write!(f, "lb/{region}/{name}"),
            WorkloadsRef::Listener {
                region,
                load_balancer,
                port,
            } => write!(f, "listener/{region}/{load_balancer}/{port}"),
            WorkloadsRef::ClassicLoadBalancer { region, name } => {
                write!(f, "classic-lb/{region}/{name}")
            }
            WorkloadsRef::Inspector { region } => write!(f, "inspector/{region}"),
            WorkloadsRef::Region {
                scope: RegionScope::Rds,
                region,
            } => write!(f, "rds/{region}"),
            WorkloadsRef::Region {
                scope: RegionScope::Elb,
                region,
            } => write!(f, "elb/{region}"),
        }
    }
}

fn rds_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a RdsRegion> {
    inv.rds.ready()?.regions.get(region)?.ready()
}

fn elb_region<'a>(inv: &'a Inventory, region: &str) -> Option<&'a ElbRegion> {
    inv.elb.ready()?.regions.get(region)?.ready()
}

pub fn record_of(r: &ApexRecords, t: RecordType) -> Option<&RecordSet> {
    match t {
        RecordType::Txt => r.txt.as_ref(),
        RecordType::Mx => r.mx.as_ref(),
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn instance_document(i: &DbInstance) -> Value {
    let mut doc = json!({
        "DBInstanceIdentifier": i.id,
        "Engine": i.engine,
        "EngineVersion": i.engine_version,
        "DBInstanceClass": i.class,
        "PubliclyAccessible": i.publicly_accessible,
        "StorageEncrypted": i.storage_encrypted,
        "VpcSecurityGroups": sorted(&i.vpc_security_groups),
    });
    if !i.pending.is_empty() {
        doc["PendingModifiedValues"] = json!(i.pending);
    }
    doc
}

fn snapshot_document(id_key: &str, s: &DbSnapshot) -> Value {
    let restore = match &s.restore {
        Fetched::Ready(v) => json!(sorted(v)),
        Fetched::Error(e) => json!({ "Unreadable": e.summary() }),
    };
    json!({
        id_key: s.id,
        "Source": s.source,
        "Encrypted": s.encrypted,
        "Attributes": { "restore": restore },
    })
}

fn record_document(r: &RecordSet) -> Value {
    json!({
        "Name": r.name,
        "Type": r.rtype,
        "TTL": r.ttl,
        "ResourceRecords": sorted(&r.values),
    })
}

pub fn action_document(a: &ListenerAction) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("Type".into(), json!(a.kind));
    if let Some(t) = &a.target_group_arn {
        m.insert("TargetGroupArn".into(), json!(t));
    }
    if let Some(f) = &a.forward {
        let mut groups: Vec<Value> = f
            .target_groups
            .iter()
            .map(|g| json!({"TargetGroupArn": g.arn, "Weight": g.weight}))
            .collect();
        groups.sort_by_key(|g| g["TargetGroupArn"].as_str().unwrap_or_default().to_string());
        m.insert(
            "ForwardConfig".into(),
            json!({
                "TargetGroups": groups,
                "StickinessEnabled": f.stickiness_enabled,
                "StickinessDuration": f.stickiness_duration,
            }),
        );
    }
    if let Some(r) = &a.redirect {
        m.insert(
            "RedirectConfig".into(),
            json!({
                "Protocol": r.protocol,
                "Port": r.port,
                "Host": r.host,
                "Path": r.path,
                "Query": r.query,
                "StatusCode": r.status_code,
            }),
        );
    }
    if let Some(x) = &a.fixed_response {
        m.insert(
            "FixedResponseConfig".into(),
            json!({
                "StatusCode": x.status_code,
                "ContentType": x.content_type,
                "MessageBody": x.message_body,
            }),
        );
    }
    Value::Object(m)
}

fn actions_document(actions: &[ListenerAction]) -> Vec<Value> {
    let mut actions = actions.to_vec();
    actions.sort_by_key(|a| a.order.unwrap_or(0));
    actions.iter().map(action_document).collect()
}

fn listener_document(lb: &LoadBalancer, l: &Listener) -> Value {
    let mut doc = json!({
        "LoadBalancer": lb.name,
        "Protocol": l.protocol,
        "Port": l.port,
        "DefaultActions": actions_document(&l.default_actions),
        // HTTP listeners have no security policy, whatever an emulator says.
        "SslPolicy": if l.is_tls() { l.ssl_policy.clone() } else { None },
        "Certificates": sorted(&l.certificates),
    });
    if !l.rules.is_empty() {
        let mut rules: Vec<&ListenerRule> = l.rules.iter().collect();
        rules.sort_by_key(|r| r.priority_key());
        doc["Rules"] = json!(
            rules
                .iter()
                .map(|r| json!({
                    "Priority": r.priority,
                    "Conditions": r.conditions,
                    "Actions": actions_document(&r.actions),
                }))
                .collect::<Vec<_>>()
        );
    }
    doc
}

fn load_balancer_document(lb: &LoadBalancer) -> Value {
    let web_acl = match &lb.web_acl {
        None => Value::Null,
        Some(Fetched::Ready(a)) => json!(a),
        Some(Fetched::Error(e)) => json!({ "Unreadable": e.summary() }),
    };
    let mut listeners: Vec<String> = lb
        .listeners
        .iter()
        .map(|l| format!("{}:{}", l.protocol, l.port))
        .collect();
    listeners.sort();
    json!({
        "LoadBalancerName": lb.name,
        "Type": lb.kind,
        "Scheme": lb.scheme,
        "SecurityGroups": sorted(&lb.security_groups),
        "Listeners": listeners,
        "WebACL": web_acl,
    })
}

fn classic_document(c: &ClassicLoadBalancer) -> Value {
    let mut listeners: Vec<&ClassicListener> = c.listeners.iter().collect();
    listeners.sort_by_key(|l| l.port);
    json!({
        "LoadBalancerName": c.name,
        "Scheme": c.scheme,
        "SecurityGroups": sorted(&c.security_groups),
        "Listeners": listeners.iter().map(|l| json!({
            "Protocol": l.protocol,
            "LoadBalancerPort": l.port,
            "InstanceProtocol": l.instance_protocol,
            "InstancePort": l.instance_port,
            "SSLCertificateId": l.certificate,
            "ReferenceSecurityPolicy": l.security_policy,
        })).collect::<Vec<_>>(),
    })
}

/// The data of `region` in a regional part, for predicting an op's effect:
/// a region that could not be read or was not read refuses the op.
pub(crate) fn in_region<'a, T>(
    regions: &'a mut ByRegion<T>,
    region: &str,
    what: &str,
) -> Result<&'a mut T, ApplyError> {
    match regions.get_mut(region) {
        Some(Fetched::Ready(r)) => Ok(r),
        Some(Fetched::Error(e)) => Err(ApplyError::Conflict(format!(
            "{what} in {region} could not be read ({})",
            e.summary()
        ))),
        None => Err(ApplyError::NoSuch(format!("{what} in {region}"))),
    }
}

/// DNS names compare without case and without the trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ResourceRef;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "db/eu-west-1/orders-db",
            "db-snapshot/us-east-1/orders-2026-01",
            "db-cluster-snapshot/us-east-1/aurora-snap",
            "dns/Z0123456789ABC/TXT",
            "dns/Z0123456789ABC/MX",
            "lb/us-east-1/web",
            "listener/us-east-1/web/80",
            "classic-lb/eu-west-1/legacy",
            "inspector/us-east-1",
            "rds/us-east-1",
            "elb/ap-south-1",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::Workloads(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "dns/Z1/A",
            "listener/us-east-1/web/080",
            "listener/us-east-1/web/x",
            "db/us-east-1",
        ] {
            assert!(bad.parse::<ResourceRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn inspector_counts_enabling_as_on() {
        let mut s = InspectorStatus::default();
        assert!(!s.is_on("EC2"));
        assert_eq!(s.shown("EC2"), "DISABLED");
        s.scans.insert("EC2".into(), "ENABLING".into());
        assert!(s.is_on("EC2"));
        assert_eq!(s.shown("EC2"), "ENABLED");
        s.scans.insert("ECR".into(), "SUSPENDED".into());
        assert_eq!(s.shown("ECR"), "SUSPENDED");
    }
}
