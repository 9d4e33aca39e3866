//! The trails: multi-region and logging, recording management events, log file
//! validation, and who may stop or change them.

use super::*;
use crate::aws::inventory::ResourceRef;

/// The trails that count as working for CIS 4.1: multi-region and
/// recording every management event (see `Trail::records_management_events`).
pub fn working_multi_region(inv: &Inventory) -> Vec<&Trail> {
    trails(inv)
        .iter()
        .filter(|t| t.is_working_multi_region())
        .collect()
}

/// What CloudTrail answers a member account for another account's
/// organization trail it will not show: its event selectors (by ARN,
/// CloudTrailARNInvalidException "AccountID in ARN is wrong"), or anything
/// read by name (TrailNotFoundException).
pub(super) fn refused(e: &crate::aws::inventory::PartError) -> bool {
    [
        "TrailNotFoundException",
        "CloudTrailARNInvalidException",
        "OperationNotPermittedException",
    ]
    .iter()
    .any(|c| e.is_code(c))
}

/// Another account's organization trail that this account sees logging,
/// but whose event selectors CloudTrail refuses to show a member account:
/// whether it records every management event is known only to its owner.
/// Never a pass (moat cannot see what it records), never an error (nothing
/// this account can grant would let it read them). The refusal, if so.
pub fn owner_only_selectors<'a>(
    inv: &Inventory,
    t: &'a Trail,
) -> Option<&'a crate::aws::inventory::PartError> {
    foreign_owner(inv, t)?;
    if t.status_error.is_some() || !t.is_logging {
        return None;
    }
    match &t.event_selectors {
        Some(Fetched::Error(e)) if refused(e) => Some(e),
        _ => None,
    }
}

/// What a trail's finding says about why it is not a working trail; the
/// status is `error` when it could not be read (it may be working), or
/// `manual` when AWS does not let this account read another account's
/// organization trail (nothing this account can grant would change that).
pub fn gap_finding(inv: &Inventory, t: &Trail, gap: &TrailGap) -> Finding {
    if let (Some(e), Some(owner)) = (owner_only_selectors(inv, t), foreign_owner(inv, t)) {
        return trail_finding(
            t,
            Status::Manual,
            msg(
                SHARED,
                "foreign_selectors",
                &[("owner", owner), ("error", &e.summary())],
            ),
        );
    }
    if let (TrailGap::Unreadable(e), Some(owner)) = (gap, foreign_owner(inv, t))
        && refused(e)
    {
        return trail_finding(
            t,
            Status::Manual,
            msg(
                SHARED,
                "foreign_unreadable",
                &[("owner", owner), ("error", &e.summary())],
            ),
        );
    }
    let (status, detail) = gap_detail(gap);
    trail_finding(t, status, owned_detail(inv, t, detail))
}

/// The status and sentence for one [`TrailGap`].
pub fn gap_detail(gap: &TrailGap) -> (Status, String) {
    match gap {
        TrailGap::Unreadable(e) => (
            Status::Error,
            msg(SHARED, "trail_unreadable", &[("error", &e.summary())]),
        ),
        TrailGap::NotRead => (Status::Error, msg(SHARED, "selectors_not_read", &[])),
        TrailGap::NotLogging => (Status::Fail, msg(MULTI_REGION, "not_logging", &[])),
        TrailGap::Management(c) => {
            let key = match (c.read, c.write) {
                (false, false) => "no_management",
                (true, false) => "read_only",
                (false, true) => "write_only",
                (true, true) => "excluded",
            };
            let sources = c.excluded.join("; ");
            let mut detail = msg(MULTI_REGION, key, &[("sources", &sources)]);
            if key != "excluded" && !c.excluded.is_empty() {
                detail.push(' ');
                detail.push_str(&msg(
                    MULTI_REGION,
                    "also_excluded",
                    &[("sources", &sources)],
                ));
            }
            (Status::Fail, detail)
        }
    }
}

pub(super) fn multi_region(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    let working = working_multi_region(inv);
    if !working.is_empty() {
        let names: Vec<&str> = working.iter().map(|t| t.name.as_str()).collect();
        return Outcome::pass(msg(MULTI_REGION, "pass", &[("trails", &names.join(", "))]));
    }
    let multi: Vec<&Trail> = all.iter().filter(|t| t.is_multi_region).collect();
    if multi.is_empty() {
        let findings = vec![Finding::fail(
            ResourceRef::Account.to_string(),
            msg(
                MULTI_REGION,
                if all.is_empty() {
                    "none"
                } else {
                    "single_region"
                },
                &[("count", &all.len().to_string())],
            ),
        )];
        return Outcome::from_findings(findings, String::new(), msg(MULTI_REGION, "fail", &[]));
    }
    let findings: Vec<Finding> = multi
        .iter()
        .filter_map(|t| {
            t.records_management_events()
                .err()
                .map(|g| gap_finding(inv, t, &g))
        })
        .collect();
    // A trail that could not be read may be the working one: the item is
    // then `error` (or `manual` when only its owner can tell), not `fail`,
    // whatever the other trails show.
    if findings.iter().any(|f| f.status == Status::Manual)
        && !findings.iter().any(|f| f.status == Status::Error)
    {
        return Outcome {
            status: Status::Manual,
            summary: msg(MULTI_REGION, "manual", &[]),
            findings,
        };
    }
    if findings.iter().any(|f| f.status == Status::Error) {
        let errors = findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .count()
            .to_string();
        return Outcome {
            status: Status::Error,
            summary: msg(MULTI_REGION, "error", &[("errors", &errors)]),
            findings,
        };
    }
    Outcome::from_findings(findings, String::new(), msg(MULTI_REGION, "fail", &[]))
}

/// For cloudwatch.security-event-alarms, when no trail sends events to a
/// log group of this account: a multi-region organization trail of another
/// account that sends them to its owner's log group, working, or logging
/// with selectors only its owner can read ([`owner_only_selectors`]). Its
/// metric filters and alarms live in that account, out of this one's
/// sight: a `manual` finding naming where to check, not a fail this
/// account cannot fix (nor a pass).
pub fn watched_elsewhere(inv: &Inventory) -> Option<Outcome> {
    let t = trails(inv).iter().find(|t| {
        t.is_multi_region
            && (t.is_working_multi_region() || owner_only_selectors(inv, t).is_some())
            && foreign_owner(inv, t).is_some()
            && t.log_group_account() == t.owner_account()
    })?;
    let owner = t.owner_account().unwrap_or_default();
    let (_, group) = t.log_group()?;
    let mut detail = msg(
        SHARED,
        "alarms_elsewhere",
        &[("trail", &t.name), ("owner", owner), ("group", &group)],
    );
    if owner_only_selectors(inv, t).is_some() {
        detail.push(' ');
        detail.push_str(&msg(
            SHARED,
            "alarms_elsewhere_selectors",
            &[("owner", owner)],
        ));
    }
    Some(Outcome {
        status: Status::Manual,
        summary: detail.clone(),
        findings: vec![trail_finding(t, Status::Manual, detail)],
    })
}

pub(super) fn log_validation(inv: &Inventory, _: &Ctx) -> Outcome {
    let all = trails(inv);
    if all.is_empty() {
        return not_applicable(msg(SHARED, "no_trails", &[]));
    }
    let findings = all
        .iter()
        .filter(|t| !t.log_file_validation)
        .map(|t| {
            trail_finding(
                t,
                Status::Fail,
                owned_detail(inv, t, msg(LOG_VALIDATION, "off", &[])),
            )
        })
        .collect();
    outcome(LOG_VALIDATION, findings, all.len())
}

/// A non-administrator who may tamper with a trail, with what and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offender {
    pub principal: access::Principal,
}

impl Offender {
    pub fn resource(&self) -> String {
        principal_resource(&self.principal)
    }
}

/// `user/NAME`, `group/NAME` or `role/NAME`: how findings about a principal
/// name it.
pub fn principal_resource(p: &access::Principal) -> String {
    let name = p.name.clone();
    match p.kind {
        PrincipalKind::User => ResourceRef::User { name },
        PrincipalKind::Group => ResourceRef::Group { name },
        PrincipalKind::Role => ResourceRef::Role { name },
    }
    .to_string()
}

/// The resources the tamper check is run against: every trail, or (without
/// trails) any trail a principal might create in the account.
pub(super) fn tamper_resources(inv: &Inventory) -> Vec<String> {
    let t: Vec<String> = trails(inv).iter().map(|t| t.arn.clone()).collect();
    if !t.is_empty() {
        return t;
    }
    let account = inv.account_id().unwrap_or("000000000000");
    vec![trail_arn(
        inv.partition(),
        "us-east-1",
        account,
        "any-trail",
    )]
}

/// Non-administrators that may call any of [`TAMPER_ACTIONS`] on any trail.
pub fn offenders(inv: &Inventory) -> Vec<Offender> {
    let Some(iam) = inv.iam.ready() else {
        return vec![];
    };
    let mut out: Vec<Offender> = vec![];
    for resource in tamper_resources(inv) {
        for p in access::who_can(iam, TAMPER_ACTIONS, &resource) {
            if access::is_admin(iam, p.kind, &p.name)
                || access::is_service_linked(iam, p.kind, &p.name)
            {
                continue;
            }
            match out
                .iter_mut()
                .find(|o| o.principal.kind == p.kind && o.principal.name == p.name)
            {
                Some(o) => o.principal.absorb(p),
                None => out.push(Offender { principal: p }),
            }
        }
    }
    out
}

/// The path IAM Identity Center creates its roles under (a Region may follow).
pub const IDENTITY_CENTER_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// Why moat leaves an offender as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftAlone {
    /// A role IAM Identity Center created for a permission set: IAM refuses
    /// every change to it (UnmodifiableEntity); the permission set is
    /// where it changes.
    IdentityCenter { permission_set: String },
    /// The principal moat runs as: the deny would lock moat (and undo) out.
    Caller,
    /// A group the user moat runs as is in (same lock-out).
    CallerGroup,
}

impl LeftAlone {
    /// Why, in the guide's words.
    pub fn reason(&self) -> String {
        match self {
            LeftAlone::IdentityCenter { permission_set } => msg(
                API_PROTECTED,
                "left_identity_center",
                &[("permission_set", permission_set)],
            ),
            LeftAlone::Caller => msg(API_PROTECTED, "left_caller", &[]),
            LeftAlone::CallerGroup => msg(API_PROTECTED, "left_caller_group", &[]),
        }
    }
}

/// A role under [`IDENTITY_CENTER_PATH`] (its ARN carries the path).
pub fn is_identity_center_role(iam: &crate::aws::inventory::Iam, name: &str) -> bool {
    iam.roles.iter().any(|r| {
        r.name == name
            && r.arn
                .split_once(":role/")
                .is_some_and(|(_, path)| format!("/{path}").starts_with(IDENTITY_CENTER_PATH))
    })
}

/// The permission set of an Identity Center role
/// (`AWSReservedSSO_<permission set>_<suffix>`).
pub fn permission_set(role: &str) -> String {
    let rest = role.strip_prefix("AWSReservedSSO_").unwrap_or(role);
    match rest.rsplit_once('_') {
        Some((set, _)) if !set.is_empty() => set.to_string(),
        _ => rest.to_string(),
    }
}

/// The IAM principal a caller ARN acts as: `…:user/[path/]NAME` is that
/// user, `…:assumed-role/NAME/SESSION` that role; root and federated users
/// have none a policy can be attached to.
pub fn caller_principal(arn: &str) -> Option<(PrincipalKind, String)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let (kind, name) = if let Some(rest) = resource.strip_prefix("assumed-role/") {
        (PrincipalKind::Role, rest.split('/').next()?)
    } else if let Some(rest) = resource.strip_prefix("user/") {
        (PrincipalKind::User, rest.rsplit('/').next()?)
    } else {
        return None;
    };
    (!name.is_empty()).then(|| (kind, name.to_string()))
}

/// Whether (and why) moat must not attach the deny to `p`.
pub fn left_alone(inv: &Inventory, p: &access::Principal) -> Option<LeftAlone> {
    let iam = inv.iam.ready()?;
    if p.kind == PrincipalKind::Role && is_identity_center_role(iam, &p.name) {
        return Some(LeftAlone::IdentityCenter {
            permission_set: permission_set(&p.name),
        });
    }
    let (kind, name) = inv
        .identity
        .ready()
        .and_then(|i| caller_principal(&i.arn))?;
    if kind == p.kind && name == p.name {
        return Some(LeftAlone::Caller);
    }
    (kind == PrincipalKind::User
        && p.kind == PrincipalKind::Group
        && iam.user(&name).is_some_and(|u| u.groups.contains(&p.name)))
    .then_some(LeftAlone::CallerGroup)
}

pub(super) fn api_protected(inv: &Inventory, _: &Ctx) -> Outcome {
    let offenders = offenders(inv);
    let findings: Vec<Finding> = offenders
        .iter()
        .map(|o| {
            let p = &o.principal;
            let key = if p.conditional {
                "may_conditionally"
            } else {
                "may"
            };
            let mut detail = msg(
                API_PROTECTED,
                key,
                &[
                    ("actions", &p.actions.join(", ")),
                    ("via", &p.via.join("; ")),
                ],
            );
            // A role AWS Control Tower protects (the plan's own rule): its
            // SCP refuses the deny, so the fix never clears it; a person
            // changes it through Control Tower or an SCP.
            if p.kind == PrincipalKind::Role
                && crate::aws::inventory::is_control_tower_role(&p.name)
            {
                let why = msg(API_PROTECTED, "control_tower", &[]);
                return Finding::manual(o.resource(), format!("{detail} {why}"));
            }
            if let Some(why) = left_alone(inv, p) {
                detail = format!("{detail} {}", why.reason());
            }
            Finding::fail(o.resource(), detail)
        })
        .collect();
    let count = findings.len().to_string();
    let mut out = Outcome::from_findings(
        findings,
        msg(API_PROTECTED, "pass", &[]),
        msg(API_PROTECTED, "fail", &[("count", &count)]),
    );
    if out.status == Status::Manual {
        out.summary = msg(API_PROTECTED, "manual", &[("count", &count)]);
    }
    out
}
