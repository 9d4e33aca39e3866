//! A static analyser of IAM identity policies: who in the account may call
//! some actions on a resource, judged from the documents alone (no API call;
//! moto cannot simulate policies, and AWS's simulator costs a request per
//! principal and action).
//!
//! # What it evaluates
//!
//! For every user, group and role of the [`Iam`] part it gathers the identity
//! policies that apply: inline policies and attached managed policies
//! (customer-managed and AWS-managed, whose documents the part holds), and for
//! a user those of every group it belongs to. Then, per action asked about:
//!
//! - a statement **matches** when its `Action` has a pattern matching the
//!   action (or its `NotAction` has none), and its `Resource` has a pattern
//!   matching the resource (or its `NotResource` has none; no resource element
//!   counts as `*`). Action patterns are case-insensitive with `*` and `?`
//!   wildcards (`cloudtrail:*`, `*`, `cloud*:Stop*`); resource patterns are
//!   case-sensitive with the same wildcards. An `Allow` on an unrelated
//!   resource does not grant.
//! - an **unconditional `Deny`** that matches wins over any `Allow`. A `Deny`
//!   with a `Condition` is not counted as protection: whether it applies
//!   depends on the request (source IP, MFA, tags…), so a caller may well
//!   avoid it.
//! - an **`Allow` with a `Condition`** still counts: the principal *may*
//!   perform the action under some circumstances (reported as conditional).
//! - a **permissions boundary** (users and roles) caps what the identity
//!   policies grant: the action must also be allowed by the boundary, and a
//!   `Deny` in the boundary denies. The effective permission is the
//!   intersection. A boundary whose document is not in the inventory is
//!   treated as allowing everything, so nobody is hidden by what moat could
//!   not read.
//!
//! Not considered: service control policies, resource policies, session
//! policies, and who may assume a role (each role is reported by itself).
//!
//! # Administrators
//!
//! [`is_admin`]: a principal with the AWS-managed `AdministratorAccess`
//! policy (attached directly or through a group), or any policy that allows
//! `*` on `*` with no condition. Items that ask "only administrators may …"
//! leave them out.

use crate::aws::inventory::{Iam, InlinePolicy, is_aws_managed_policy};
use crate::policy;
use serde_json::Value;
use std::fmt;

/// The AWS-managed policy that makes an administrator (its name: the ARN
/// names the partition, `arn:PARTITION:iam::aws:policy/AdministratorAccess`).
pub const ADMINISTRATOR_ACCESS: &str = "AdministratorAccess";

/// What kind of IAM identity a [`Principal`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    User,
    Group,
    Role,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

/// A principal that may call at least one of the actions asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    /// The policies that grant, e.g. `PowerUserAccess (attached)`,
    /// `inline ops-tools`, `CloudTrailAdmins via group ops`.
    pub via: Vec<String>,
    /// The actions it may call (as asked, in the order asked).
    pub actions: Vec<String>,
    /// Every grant found carries a condition: it may only hold sometimes.
    pub conditional: bool,
    /// It has the rights of its own policies only, not of a group (users:
    /// whether one of its own policies grants; groups and roles: always).
    pub direct: bool,
}

impl Principal {
    /// Fold in what another resource's answer says about the same principal:
    /// the actions and grants of both, direct if either is, conditional only
    /// if both are.
    pub fn absorb(&mut self, other: Principal) {
        for a in other.actions {
            if !self.actions.contains(&a) {
                self.actions.push(a);
            }
        }
        for v in other.via {
            if !self.via.contains(&v) {
                self.via.push(v);
            }
        }
        self.direct |= other.direct;
        self.conditional &= other.conditional;
    }
}

/// A role AWS manages for one of its services: no policy can be attached
/// to it, so findings leave it out.
pub fn is_service_linked(iam: &Iam, kind: PrincipalKind, name: &str) -> bool {
    kind == PrincipalKind::Role
        && iam
            .roles
            .iter()
            .any(|r| r.name == name && r.arn.contains(":role/aws-service-role/"))
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.as_str(), self.name)
    }
}

/// One policy document that applies to a principal, with a label.
struct Source<'a> {
    label: String,
    doc: &'a Value,
    /// Comes from the principal's own attachment (not a group's).
    own: bool,
}

/// What one set of documents decides for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// An unconditional Deny matches.
    Denied,
    /// Allowed: `true` when every matching Allow has a condition.
    Allowed { conditional: bool },
    /// Nothing matches (implicit deny).
    NotAllowed,
}

/// Does `pattern` (with `*` and `?` wildcards) match `text`?
pub fn glob(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let norm = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (norm(pattern), norm(text));
    // Iterative matcher with backtracking to the last `*`: linear in practice.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does the statement apply to `action` on `resource`?
fn statement_matches(stmt: &Value, action: &str, resource: &str) -> bool {
    let action_ok = if let Some(a) = stmt.get("Action") {
        policy::as_list(Some(a))
            .iter()
            .any(|p| glob(p, action, true))
    } else if let Some(na) = stmt.get("NotAction") {
        !policy::as_list(Some(na))
            .iter()
            .any(|p| glob(p, action, true))
    } else {
        false
    };
    if !action_ok {
        return false;
    }
    if let Some(r) = stmt.get("Resource") {
        policy::as_list(Some(r))
            .iter()
            .any(|p| glob(p, resource, false))
    } else if let Some(nr) = stmt.get("NotResource") {
        !policy::as_list(Some(nr))
            .iter()
            .any(|p| glob(p, resource, false))
    } else {
        true
    }
}

fn has_condition(stmt: &Value) -> bool {
    stmt.get("Condition")
        .is_some_and(|c| c.as_object().is_none_or(|m| !m.is_empty()))
}

/// Evaluate documents for one action: an unconditional Deny wins, then any
/// Allow; the labels of the granting documents are returned too.
fn decide<'a>(
    docs: &'a [Source<'a>],
    action: &str,
    resource: &str,
) -> (Decision, Vec<&'a Source<'a>>) {
    let mut allowed_by = vec![];
    let mut unconditional = false;
    for src in docs {
        let mut grants = false;
        for s in policy::statements(src.doc) {
            if !statement_matches(s, action, resource) {
                continue;
            }
            match policy::effect(s) {
                "Deny" if !has_condition(s) => return (Decision::Denied, vec![]),
                "Allow" => {
                    grants = true;
                    unconditional |= !has_condition(s);
                }
                _ => {}
            }
        }
        if grants {
            allowed_by.push(src);
        }
    }
    if allowed_by.is_empty() {
        (Decision::NotAllowed, vec![])
    } else {
        (
            Decision::Allowed {
                conditional: !unconditional,
            },
            allowed_by,
        )
    }
}

fn managed_label(iam: &Iam, arn: &str) -> String {
    iam.policy(arn)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_string())
}

fn push_policies<'a>(
    out: &mut Vec<Source<'a>>,
    iam: &'a Iam,
    attached: &'a [String],
    inline: &'a [InlinePolicy],
    suffix: &str,
    own: bool,
) {
    for arn in attached {
        // An attached policy whose document was not read grants nothing
        // moat can see; AdministratorAccess is recognised by ARN anyway.
        if let Some(p) = iam.policy(arn) {
            out.push(Source {
                label: format!("{}{suffix}", managed_label(iam, arn)),
                doc: &p.document,
                own,
            });
        }
    }
    for p in inline {
        out.push(Source {
            label: format!("inline {}{suffix}", p.name),
            doc: &p.document,
            own,
        });
    }
}

/// Every identity policy that applies to a principal (a user's groups too).
fn sources<'a>(iam: &'a Iam, kind: PrincipalKind, name: &str) -> Vec<Source<'a>> {
    let mut out = vec![];
    match kind {
        PrincipalKind::User => {
            if let Some(u) = iam.user(name) {
                push_policies(
                    &mut out,
                    iam,
                    &u.attached_policies,
                    &u.inline_policies,
                    "",
                    true,
                );
                for g in &u.groups {
                    if let Some(g) = iam.group(g) {
                        let suffix = format!(" via group {}", g.name);
                        push_policies(
                            &mut out,
                            iam,
                            &g.attached_policies,
                            &g.inline_policies,
                            &suffix,
                            false,
                        );
                    }
                }
            }
        }
        PrincipalKind::Group => {
            if let Some(g) = iam.group(name) {
                push_policies(
                    &mut out,
                    iam,
                    &g.attached_policies,
                    &g.inline_policies,
                    "",
                    true,
                );
            }
        }
        PrincipalKind::Role => {
            if let Some(r) = iam.roles.iter().find(|r| r.name == name) {
                push_policies(
                    &mut out,
                    iam,
                    &r.attached_policies,
                    &r.inline_policies,
                    "",
                    true,
                );
            }
        }
    }
    out
}

/// The principal's permissions boundary document: `None` when it has none;
/// `Some(None)` when it has one moat could not read.
fn boundary<'a>(iam: &'a Iam, kind: PrincipalKind, name: &str) -> Option<Option<&'a Value>> {
    let arn = match kind {
        PrincipalKind::User => iam.user(name)?.permissions_boundary.as_deref()?,
        PrincipalKind::Role => iam
            .roles
            .iter()
            .find(|r| r.name == name)?
            .permissions_boundary
            .as_deref()?,
        PrincipalKind::Group => return None,
    };
    Some(iam.policy(arn).map(|p| &p.document))
}

/// Is the principal an administrator (see the module docs)? A user counts
/// its groups' policies.
pub fn is_admin(iam: &Iam, kind: PrincipalKind, name: &str) -> bool {
    let attached: Vec<&String> = match kind {
        PrincipalKind::User => match iam.user(name) {
            Some(u) => u
                .attached_policies
                .iter()
                .chain(
                    u.groups
                        .iter()
                        .filter_map(|g| iam.group(g))
                        .flat_map(|g| g.attached_policies.iter()),
                )
                .collect(),
            None => return false,
        },
        PrincipalKind::Group => match iam.group(name) {
            Some(g) => g.attached_policies.iter().collect(),
            None => return false,
        },
        PrincipalKind::Role => match iam.roles.iter().find(|r| r.name == name) {
            Some(r) => r.attached_policies.iter().collect(),
            None => return false,
        },
    };
    attached
        .iter()
        .any(|a| is_aws_managed_policy(a, ADMINISTRATOR_ACCESS))
        || sources(iam, kind, name)
            .iter()
            .any(|s| policy::grants_full_admin(s.doc))
}

/// What one principal may do with `actions` on `resource`; `None` when none.
pub fn evaluate(
    iam: &Iam,
    kind: PrincipalKind,
    name: &str,
    actions: &[&str],
    resource: &str,
) -> Option<Principal> {
    let docs = sources(iam, kind, name);
    let bound = boundary(iam, kind, name);
    let mut via: Vec<String> = vec![];
    let mut allowed: Vec<String> = vec![];
    let mut conditional = true;
    let mut direct = false;
    for action in actions {
        let (d, by) = decide(&docs, action, resource);
        let Decision::Allowed { conditional: c } = d else {
            continue;
        };
        let mut c = c;
        // A boundary moat could not read (`Some(None)`) hides nobody.
        if let Some(Some(doc)) = bound {
            let wrapped = [Source {
                label: String::new(),
                doc,
                own: true,
            }];
            match decide(&wrapped, action, resource).0 {
                Decision::Allowed { conditional: bc } => c |= bc,
                Decision::Denied | Decision::NotAllowed => continue,
            }
        }
        conditional &= c;
        allowed.push(action.to_string());
        for s in by {
            direct |= s.own;
            if !via.contains(&s.label) {
                via.push(s.label.clone());
            }
        }
    }
    if allowed.is_empty() {
        return None;
    }
    Some(Principal {
        kind,
        name: name.to_string(),
        via,
        actions: allowed,
        conditional,
        direct,
    })
}

/// Every user, group and role that may call at least one of `actions`
/// (`service:Action`) on `resource` (an ARN), administrators included, in
/// the order users, groups, roles (each by name). Groups are reported for
/// their own policies; their members are reported as users with the group
/// named in `via`.
pub fn who_can(iam: &Iam, actions: &[&str], resource: &str) -> Vec<Principal> {
    let users = iam.users.iter().map(|u| (PrincipalKind::User, &u.name));
    let groups = iam.groups.iter().map(|g| (PrincipalKind::Group, &g.name));
    let roles = iam.roles.iter().map(|r| (PrincipalKind::Role, &r.name));
    let mut out: Vec<Principal> = users
        .chain(groups)
        .chain(roles)
        .filter_map(|(k, n)| evaluate(iam, k, n, actions, resource))
        .collect();
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{Group, ManagedPolicy, Role, User};
    use serde_json::json;

    const TRAIL: &str = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main";
    const ACTIONS: &[&str] = &[
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
    ];

    fn user(name: &str, attached: &[&str], inline: Vec<Value>) -> User {
        User {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:user/{name}"),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec![],
            attached_policies: attached.iter().map(|s| s.to_string()).collect(),
            inline_policies: inline
                .into_iter()
                .enumerate()
                .map(|(i, d)| InlinePolicy {
                    name: format!("p{i}"),
                    document: d,
                })
                .collect(),
            permissions_boundary: None,
            unreadable: None,
        }
    }

    fn doc(statements: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn managed(name: &str, aws: bool, document: Value) -> ManagedPolicy {
        ManagedPolicy {
            arn: if aws {
                format!("arn:aws:iam::aws:policy/{name}")
            } else {
                format!("arn:aws:iam::111122223333:policy/{name}")
            },
            name: name.into(),
            aws_managed: aws,
            default_version: "v1".into(),
            document,
        }
    }

    fn one(statements: Value) -> Iam {
        Iam {
            users: vec![user("u", &[], vec![doc(statements)])],
            ..Iam::default()
        }
    }

    /// The table: one inline policy on one user; may it touch the trail?
    #[test]
    fn policy_table() {
        let cases: Vec<(&str, Value, bool)> = vec![
            ("nothing", json!([]), false),
            (
                "exact action",
                json!([{"Effect": "Allow", "Action": "cloudtrail:StopLogging", "Resource": "*"}]),
                true,
            ),
            (
                "service wildcard",
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]),
                true,
            ),
            (
                "everything",
                json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
                true,
            ),
            (
                "wildcards inside service and action",
                json!([{"Effect": "Allow", "Action": "cloud*:Stop*", "Resource": "*"}]),
                true,
            ),
            (
                "question mark",
                json!([{"Effect": "Allow", "Action": "cloudtrail:?eleteTrail", "Resource": "*"}]),
                true,
            ),
            (
                "actions are case-insensitive",
                json!([{"Effect": "Allow", "Action": "CloudTrail:stoplogging", "Resource": "*"}]),
                true,
            ),
            (
                "read-only wildcard does not grant",
                json!([{"Effect": "Allow", "Action": ["cloudtrail:Get*", "cloudtrail:Describe*", "cloudtrail:List*"], "Resource": "*"}]),
                false,
            ),
            (
                "another service",
                json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
                false,
            ),
            (
                "NotAction excluding another service grants",
                json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]),
                true,
            ),
            (
                "NotAction excluding cloudtrail does not",
                json!([{"Effect": "Allow", "NotAction": ["cloudtrail:*", "iam:*"], "Resource": "*"}]),
                false,
            ),
            (
                "the trail's ARN",
                json!([{"Effect": "Allow", "Action": "cloudtrail:UpdateTrail", "Resource": TRAIL}]),
                true,
            ),
            (
                "a resource pattern covering the trail",
                json!([{"Effect": "Allow", "Action": "cloudtrail:UpdateTrail", "Resource": "arn:aws:cloudtrail:*:111122223333:trail/*"}]),
                true,
            ),
            (
                "an unrelated resource",
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/other"}]),
                false,
            ),
            (
                "resources are case-sensitive",
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/MAIN"}]),
                false,
            ),
            (
                "NotResource excluding the trail",
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "NotResource": TRAIL}]),
                false,
            ),
            (
                "NotResource excluding something else",
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "NotResource": "arn:aws:s3:::x"}]),
                true,
            ),
            (
                "a Deny on * overrides the Allow",
                json!([
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"], "Resource": "*"}
                ]),
                false,
            ),
            (
                "a Deny of one action leaves the others",
                json!([
                    {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}
                ]),
                true,
            ),
            (
                "a Deny on another resource does not protect",
                json!([
                    {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/other"}
                ]),
                true,
            ),
            (
                "a conditional Deny does not protect",
                json!([
                    {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
                ]),
                true,
            ),
            (
                "a conditional Allow still may",
                json!([{"Effect": "Allow", "Action": "cloudtrail:StopLogging", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]),
                true,
            ),
            (
                "a NotAction Deny covering cloudtrail",
                json!([
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
                ]),
                false,
            ),
            (
                "a single statement object",
                json!({"Effect": "Allow", "Action": "cloudtrail:DeleteTrail", "Resource": "*"}),
                true,
            ),
        ];
        for (name, statements, may) in cases {
            let iam = one(statements);
            let got = who_can(&iam, ACTIONS, TRAIL);
            assert_eq!(!got.is_empty(), may, "{name}: {got:?}");
        }
    }

    #[test]
    fn conditions_are_reported() {
        let iam = one(
            json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]),
        );
        let p = &who_can(&iam, ACTIONS, TRAIL)[0];
        assert!(p.conditional);
        assert_eq!(p.actions.len(), 4);
        let iam =
            one(json!([{"Effect": "Allow", "Action": "cloudtrail:UpdateTrail", "Resource": "*"}]));
        let p = &who_can(&iam, ACTIONS, TRAIL)[0];
        assert!(!p.conditional);
        assert_eq!(p.actions, vec!["cloudtrail:UpdateTrail"]);
        assert_eq!(p.via, vec!["inline p0"]);
        assert!(p.direct);
    }

    #[test]
    fn managed_policies_groups_roles_and_admins() {
        let power = managed(
            "PowerUserAccess",
            true,
            doc(
                json!([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}]),
            ),
        );
        let admin = managed(
            "AdministratorAccess",
            true,
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        );
        let mut dev = user("dev", &[], vec![]);
        dev.groups = vec!["developers".into()];
        let mut boss = user("boss", &[], vec![]);
        boss.groups = vec!["admins".into()];
        let iam = Iam {
            users: vec![boss, dev, user("reader", &[], vec![])],
            groups: vec![
                Group {
                    name: "admins".into(),
                    arn: "arn:aws:iam::111122223333:group/admins".into(),
                    attached_policies: vec![admin.arn.clone()],
                    inline_policies: vec![],
                },
                Group {
                    name: "developers".into(),
                    arn: "arn:aws:iam::111122223333:group/developers".into(),
                    attached_policies: vec![power.arn.clone()],
                    inline_policies: vec![],
                },
            ],
            roles: vec![Role {
                name: "ci".into(),
                arn: "arn:aws:iam::111122223333:role/ci".into(),
                trust_policy: Value::Null,
                attached_policies: vec![],
                inline_policies: vec![InlinePolicy {
                    name: "deploy".into(),
                    document: doc(
                        json!([{"Effect": "Allow", "Action": "cloudtrail:PutEventSelectors", "Resource": "*"}]),
                    ),
                }],
                permissions_boundary: None,
            }],
            policies: vec![admin, power],
            root_keys: vec![],
            virtual_mfa_devices: crate::aws::inventory::Fetched::Ready(vec![]),
        };
        let got: Vec<String> = who_can(&iam, ACTIONS, TRAIL)
            .iter()
            .map(|p| format!("{p} {:?} {}", p.via, p.direct))
            .collect();
        assert_eq!(
            got,
            vec![
                "user/boss [\"AdministratorAccess via group admins\"] false",
                "user/dev [\"PowerUserAccess via group developers\"] false",
                "group/admins [\"AdministratorAccess\"] true",
                "group/developers [\"PowerUserAccess\"] true",
                "role/ci [\"inline deploy\"] true",
            ]
        );
        assert!(is_admin(&iam, PrincipalKind::User, "boss"));
        assert!(is_admin(&iam, PrincipalKind::Group, "admins"));
        assert!(!is_admin(&iam, PrincipalKind::User, "dev"));
        assert!(!is_admin(&iam, PrincipalKind::Role, "ci"));
        // An inline Allow * on * makes an administrator too; with a condition it does not.
        let iam = one(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
        assert!(is_admin(&iam, PrincipalKind::User, "u"));
        let iam = one(json!([{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]));
        assert!(!is_admin(&iam, PrincipalKind::User, "u"));
    }

    #[test]
    fn a_deny_in_a_group_protects_its_members() {
        let deny = managed(
            "ProtectCloudTrail",
            false,
            doc(json!([{"Effect": "Deny", "Action": ACTIONS, "Resource": "*"}])),
        );
        let mut u = user(
            "ops",
            &[],
            vec![doc(
                json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]),
            )],
        );
        u.groups = vec!["guarded".into()];
        let iam = Iam {
            users: vec![u],
            groups: vec![Group {
                name: "guarded".into(),
                arn: String::new(),
                attached_policies: vec![deny.arn.clone()],
                inline_policies: vec![],
            }],
            policies: vec![deny],
            ..Iam::default()
        };
        assert!(who_can(&iam, ACTIONS, TRAIL).is_empty());
    }

    #[test]
    fn boundaries_intersect() {
        let narrow = managed(
            "S3Only",
            false,
            doc(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])),
        );
        let wide = managed(
            "Wide",
            false,
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        );
        let denying = managed(
            "DenyTrail",
            false,
            doc(json!([
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}
            ])),
        );
        let base = |boundary: Option<&ManagedPolicy>| {
            let mut u = user(
                "u",
                &[],
                vec![doc(
                    json!([{"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]),
                )],
            );
            u.permissions_boundary = boundary.map(|b| b.arn.clone());
            Iam {
                users: vec![u],
                policies: vec![narrow.clone(), wide.clone(), denying.clone()],
                ..Iam::default()
            }
        };
        assert!(!who_can(&base(None), ACTIONS, TRAIL).is_empty());
        assert!(who_can(&base(Some(&narrow)), ACTIONS, TRAIL).is_empty());
        assert!(!who_can(&base(Some(&wide)), ACTIONS, TRAIL).is_empty());
        assert!(who_can(&base(Some(&denying)), ACTIONS, TRAIL).is_empty());
        // The boundary alone grants nothing.
        let mut only = base(Some(&wide));
        only.users[0].inline_policies.clear();
        assert!(who_can(&only, ACTIONS, TRAIL).is_empty());
        // An unreadable boundary hides nobody.
        let mut unknown = base(None);
        unknown.users[0].permissions_boundary =
            Some("arn:aws:iam::111122223333:policy/Unknown".into());
        assert!(!who_can(&unknown, ACTIONS, TRAIL).is_empty());
        // Roles have boundaries too.
        let iam = Iam {
            roles: vec![Role {
                name: "r".into(),
                arn: String::new(),
                trust_policy: Value::Null,
                attached_policies: vec![wide.arn.clone()],
                inline_policies: vec![],
                permissions_boundary: Some(narrow.arn.clone()),
            }],
            policies: vec![narrow.clone(), wide.clone()],
            ..Iam::default()
        };
        assert!(who_can(&iam, ACTIONS, TRAIL).is_empty());
    }

    #[test]
    fn glob_matching() {
        assert!(glob("*", "", false));
        assert!(glob("a*b*c", "aXXbYYc", false));
        assert!(!glob("a*b*c", "aXXbYY", false));
        assert!(glob(
            "route53:Change*",
            "ROUTE53:ChangeResourceRecordSets",
            true
        ));
        assert!(!glob("abc", "ABC", false));
        assert!(glob("a?c", "abc", false));
        assert!(!glob("a?c", "ac", false));
        assert!(glob("**", "x", false));
    }

    #[test]
    fn administrator_access_counts_in_every_partition() {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            let arn = format!("arn:{partition}:iam::aws:policy/AdministratorAccess");
            let iam = Iam {
                users: vec![user("ops", &[&arn], vec![])],
                ..Iam::default()
            };
            assert!(is_admin(&iam, PrincipalKind::User, "ops"), "{arn}");
        }
        // A customer policy that merely shares the name is not AWS's.
        let iam = Iam {
            users: vec![user(
                "ops",
                &["arn:aws-cn:iam::111122223333:policy/AdministratorAccess"],
                vec![],
            )],
            ..Iam::default()
        };
        assert!(!is_admin(&iam, PrincipalKind::User, "ops"));
    }
}
