//! Elastic Load Balancing: load balancers (ELBv2 and Classic), listeners
//! and rules, as moat reads them (the `Elb` part), and their documents.

pub mod ops;
mod resource;
pub(crate) mod sdk;
pub use resource::ElbRef;

use crate::aws::inventory::{ByRegion, Fetched};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
pub type Elb = ByRegion<ElbRegion>;

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
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

pub(crate) fn listener_document(lb: &LoadBalancer, l: &Listener) -> Value {
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

pub(crate) fn load_balancer_document(lb: &LoadBalancer) -> Value {
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

pub(crate) fn classic_document(c: &ClassicLoadBalancer) -> Value {
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
