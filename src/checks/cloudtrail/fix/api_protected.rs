//! cloudtrail.api-protected: the `ProtectCloudTrail` policy, attached to
//! every principal that may change trails.

use super::*;

/// The `ProtectCloudTrail` policy: deny every call that stops, deletes or
/// blinds a trail.
pub fn protect_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyCloudTrailTampering",
            "Effect": "Deny",
            "Action": TAMPER_ACTIONS,
            "Resource": "*",
        }],
    })
}

/// Why IAM would refuse to attach one more managed policy to a principal,
/// as the inventory already shows: a role AWS Control Tower protects (its
/// SCP answers AccessDenied), or a principal that already has as many
/// managed policies attached as the account's quota allows (LimitExceeded).
/// Such a principal is left out of the batch, so that it cannot stop
/// halfway; the preview names it and what to do.
fn attach_refused(
    iam: &crate::aws::inventory::Iam,
    quotas: &crate::aws::inventory::IamQuotas,
    kind: crate::access::PrincipalKind,
    name: &str,
) -> Option<String> {
    use crate::access::PrincipalKind as K;
    const LIMITS: &str = "iam-limits";
    if kind == K::Role && crate::aws::inventory::is_control_tower_role(name) {
        return Some(msg(LIMITS, "control_tower", &[]));
    }
    let (attached, quota) = match kind {
        K::User => (
            iam.user(name).map(|u| u.attached_policies.len()),
            quotas.policies_per_user,
        ),
        K::Group => (
            iam.group(name).map(|g| g.attached_policies.len()),
            quotas.policies_per_group,
        ),
        K::Role => (
            iam.roles
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.attached_policies.len()),
            quotas.policies_per_role,
        ),
    };
    let attached = attached?;
    (attached >= quota as usize).then(|| {
        msg(
            LIMITS,
            "policy_quota",
            &[
                ("count", &attached.to_string()),
                ("kind", kind.as_str()),
                ("quota", &quota.to_string()),
            ],
        )
    })
}

pub fn api_protected(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let iam = inv.iam.ready().ok_or(PlanError::NotReady(PartId::Iam))?;
    ready_trails(inv)?;
    let account = account(inv)?;
    let quotas = crate::aws::inventory::iam_quotas(inv.account_summary.ready());
    let selected: Vec<_> = offenders(inv)
        .into_iter()
        .filter(|o| req.wants(&o.resource()))
        .collect();
    if selected.is_empty() {
        return Err(nothing());
    }
    let left_msg = |o: &crate::checks::cloudtrail::Offender, reason: &str| {
        msg(
            API_PROTECTED,
            "left",
            &[("principal", &o.resource()), ("reason", reason)],
        )
    };
    // Identity Center roles (IAM refuses changes) and the caller's own
    // principals (the deny would lock moat and its undo out) stay as they
    // are; the preview says why.
    let mut left: Vec<String> = vec![];
    let mut offenders = vec![];
    for o in selected {
        match left_alone(inv, &o.principal) {
            Some(why) => left.push(left_msg(&o, &why.reason())),
            None => offenders.push(o),
        }
    }
    use crate::access::PrincipalKind as K;
    // Groups first: their members are then covered without an attachment
    // each. A group IAM would refuse the attachment covers nobody.
    let mut groups: Vec<&String> = vec![];
    for o in offenders.iter().filter(|o| o.principal.kind == K::Group) {
        match attach_refused(iam, &quotas, K::Group, &o.principal.name) {
            Some(why) => left.push(left_msg(o, &why)),
            None => groups.push(&o.principal.name),
        }
    }
    let arn = customer_policy_arn(inv.partition(), &account, PROTECT_POLICY);
    let mut attach = vec![];
    for g in &groups {
        attach.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
            group: (*g).clone(),
            policy_arn: arn.clone(),
        }));
    }
    for o in &offenders {
        let p = &o.principal;
        match p.kind {
            K::Group => {}
            K::User => {
                // Covered by a group that gets the deny, unless its own policies grant.
                let covered = !p.direct
                    && iam
                        .user(&p.name)
                        .is_some_and(|u| u.groups.iter().any(|g| groups.contains(&g)));
                if covered
                    || iam
                        .user(&p.name)
                        .is_some_and(|u| u.attached_policies.contains(&arn))
                {
                    continue;
                }
                match attach_refused(iam, &quotas, K::User, &p.name) {
                    Some(why) => left.push(left_msg(o, &why)),
                    None => attach.push(a(ops::AttachUserPolicy {
                        user: p.name.clone(),
                        policy_arn: arn.clone(),
                    })),
                }
            }
            K::Role => match attach_refused(iam, &quotas, K::Role, &p.name) {
                Some(why) => left.push(left_msg(o, &why)),
                None => attach.push(a(ops::AttachRolePolicy {
                    role: p.name.clone(),
                    policy_arn: arn.clone(),
                })),
            },
        }
    }
    if attach.is_empty() {
        if left.is_empty() {
            return Err(nothing());
        }
        return Err(PlanError::Guided(left.join("\n")));
    }
    let mut ops = vec![];
    if iam.policy(&arn).is_none() {
        ops.push(Op::CreatePolicy(crate::aws::ops::CreatePolicy {
            name: PROTECT_POLICY.into(),
            document: protect_document(),
        }));
    }
    ops.extend(attach);
    let mut warnings = item_warning(API_PROTECTED);
    warnings.extend(left);
    done(ops, warnings)
}
/// Principals IAM would refuse the deny: left out of the batch, named in
/// the preview.
#[cfg(test)]
mod api_protected_limits {
    use super::*;
    use crate::aws::inventory::{Group, IamQuotas, InlinePolicy, Role, User};
    use crate::checks::testkit::T;

    fn allow_cloudtrail() -> Vec<InlinePolicy> {
        vec![InlinePolicy {
            name: "trails".into(),
            document: json!({"Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
        }]
    }

    fn policies(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("arn:aws:iam::111122223333:policy/p{i}"))
            .collect()
    }

    fn role(name: &str, attached: usize) -> Role {
        Role {
            name: name.into(),
            arn: format!("arn:aws:iam::111122223333:role/{name}"),
            trust_policy: json!({"Statement": []}),
            attached_policies: policies(attached),
            inline_policies: allow_cloudtrail(),
            permissions_boundary: None,
        }
    }

    /// The demo account plus roles and a group that may stop trails: one at
    /// its quota of managed policies, one Control Tower protects, and
    /// ordinary ones.
    fn inventory() -> Inventory {
        let mut inv = crate::collect::demo::demo_inventory().expect("demo");
        let iam = inv.iam.ready_mut().expect("iam");
        iam.roles.push(role("full-role", 10));
        iam.roles.push(role("roomy-role", 9));
        iam.roles
            .push(role("aws-controltower-ReadOnlyExecutionRole", 0));
        iam.roles.push(role("stacksets-exec-0123abcd", 0));
        iam.groups.push(Group {
            name: "full-group".into(),
            arn: "arn:aws:iam::111122223333:group/full-group".into(),
            attached_policies: policies(10),
            inline_policies: allow_cloudtrail(),
        });
        iam.users.push(User {
            name: "member".into(),
            arn: "arn:aws:iam::111122223333:user/member".into(),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec!["full-group".into()],
            attached_policies: vec![],
            inline_policies: vec![],
            permissions_boundary: None,
            unreadable: None,
        });
        inv
    }

    fn targets(plan: &crate::plan::Plan) -> Vec<String> {
        plan.ops()
            .filter_map(|o| match o {
                Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy { group, .. }) => {
                    Some(format!("group/{group}"))
                }
                Op::AttachUserPolicy(ops::AttachUserPolicy { user, .. }) => {
                    Some(format!("user/{user}"))
                }
                Op::AttachRolePolicy(ops::AttachRolePolicy { role, .. }) => {
                    Some(format!("role/{role}"))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn principals_at_their_quota_or_locked_by_control_tower_are_left_out() {
        let t = T::new();
        let inv = inventory();
        let plan = t
            .plan(&inv, API_PROTECTED, &Inputs::default())
            .expect("plan");
        let to = targets(&plan);
        assert!(to.contains(&"role/roomy-role".to_string()), "{to:?}");
        for left in [
            "role/full-role",
            "group/full-group",
            "role/aws-controltower-ReadOnlyExecutionRole",
            "role/stacksets-exec-0123abcd",
        ] {
            assert!(!to.iter().any(|x| x == left), "{left} in {to:?}");
            assert!(
                plan.warnings
                    .iter()
                    .any(|w| w.contains(&format!("Not changed: {left}."))),
                "{left}: {:?}",
                plan.warnings
            );
        }
        // The group's member is not covered by a deny its group cannot
        // take, so it gets its own.
        assert!(to.contains(&"user/member".to_string()), "{to:?}");
        let w = plan.warnings.join("\n");
        assert!(
            w.contains("LimitExceeded") && w.contains("Control Tower"),
            "{w}"
        );

        // A quota raised to 20 (GetAccountSummary says so) lets it in.
        let mut raised = inv.clone();
        raised.account_summary =
            crate::aws::inventory::Part::of(crate::aws::inventory::AccountSummary {
                quotas: IamQuotas {
                    policies_per_role: 20,
                    ..IamQuotas::default()
                },
                ..Default::default()
            });
        let to = targets(
            &t.plan(&raised, API_PROTECTED, &Inputs::default())
                .expect("plan"),
        );
        assert!(to.contains(&"role/full-role".to_string()), "{to:?}");
        assert!(!to.contains(&"group/full-group".to_string()), "{to:?}");

        // Only refused principals selected: guidance, nothing to send.
        let only = Inputs {
            resources: vec!["role/full-role".into()],
            ..Inputs::default()
        };
        assert!(matches!(
            t.plan(&inv, API_PROTECTED, &only),
            Err(PlanError::Guided(m)) if m.contains("role/full-role")
        ));
    }
}
