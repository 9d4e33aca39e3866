//! Plan builders for the `account` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline from them.

use crate::aws::inventory::{
    Contact, ContactType, Iam, Inventory, KeyStatus, PartId, PasswordPolicy, ResourceRef,
    aws_managed_policy_arn, customer_policy_arn, iam_quotas, is_aws_managed_policy,
};
use crate::checks::Ctx;
use crate::checks::account::{
    administrators, group_enforces_mfa, key_staleness, mfa_groups, stale_passwords,
    uncovered_console_users,
};
use crate::guide::msg;
use crate::plan::build::EMAIL;
use crate::plan::{Draft, InputKind, InputSpec, Inputs, Op, PlanError};
use serde_json::Value;

pub const ADMIN_GROUP: &str = "Administrators";
/// The AWS-managed policy the Administrators group carries (its name; the
/// ARN names the caller's partition).
pub const ADMIN_POLICY: &str = "AdministratorAccess";
pub const MFA_POLICY: &str = "RequireMFA";
pub const MFA_GROUP: &str = "MFARequired";

pub const BACKUP_ADMIN_INPUTS: &[InputSpec] = &[InputSpec {
    name: "user",
    kind: InputKind::IamName,
    default: Some("break-glass-admin"),
}];

pub const CONTACT_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "name",
        kind: InputKind::Text { max: 64 },
        default: None,
    },
    InputSpec {
        name: "title",
        kind: InputKind::Text { max: 50 },
        default: None,
    },
    EMAIL,
    InputSpec {
        name: "phone",
        kind: InputKind::Phone,
        default: None,
    },
];

fn iam(inv: &Inventory) -> Result<&Iam, PlanError> {
    inv.iam.ready().ok_or(PlanError::NotReady(PartId::Iam))
}

fn nothing(_item: &str) -> PlanError {
    PlanError::NothingToDo(msg("plan", "nothing", &[]))
}

/// The RequireMFA policy document (assets/policies/require-mfa.json), its
/// resource ARNs in `partition` (IAM refuses a policy naming another one).
pub fn require_mfa_document(partition: &str) -> Result<Value, PlanError> {
    let mut doc =
        serde_json::from_str(include_str!("../../../assets/policies/require-mfa.json"))
            .map_err(|e| PlanError::Invalid(format!("assets/policies/require-mfa.json: {e}")))?;
    in_partition(&mut doc, partition);
    Ok(doc)
}

/// Rewrites every `arn:aws:…` string of a bundled document to `partition`.
fn in_partition(v: &mut Value, partition: &str) {
    match v {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("arn:aws:") {
                *s = format!("arn:{partition}:{rest}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| in_partition(x, partition)),
        Value::Object(map) => map.values_mut().for_each(|x| in_partition(x, partition)),
        _ => {}
    }
}

pub fn root_access_keys(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.root-access-keys";
    let id = inv
        .identity
        .ready()
        .ok_or(PlanError::NotReady(PartId::Identity))?;
    if super::audited_root(inv).is_some() && !id.is_root() {
        return Err(PlanError::Guided(msg(ID, "member_account", &[])));
    }
    if !id.is_root() {
        return Err(PlanError::Guided(msg(ID, "not_root", &[])));
    }
    let iam = iam(inv)?;
    let mut keys: Vec<_> = iam
        .root_keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .filter(|k| {
            req.wants(
                &ResourceRef::RootKey {
                    key_id: k.id.clone(),
                }
                .to_string(),
            )
        })
        .collect();
    // The key most recently used is probably the one this session signs with:
    // deactivate it last, so everything else is done before the session stops.
    keys.sort_by_key(|k| k.last_used);
    let ops: Vec<Op> = keys
        .iter()
        .map(|k| {
            Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
                user: None,
                key_id: k.id.clone(),
                status: KeyStatus::Inactive,
            })
        })
        .collect();
    if ops.is_empty() {
        return Err(nothing(ID));
    }
    let warnings = crate::guide::guide()
        .item(ID)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect();
    Ok(Draft { ops, warnings })
}

pub fn backup_admin(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.backup-admin";
    let iam = iam(inv)?;
    inv.credential_report
        .ready()
        .ok_or(PlanError::NotReady(PartId::CredentialReport))?;
    let admins = administrators(inv);
    if admins.counted.len() >= 2 {
        return Err(nothing(ID));
    }
    let user = req.get(&BACKUP_ADMIN_INPUTS[0])?;
    if admins.without_password.contains(&user) {
        // Created earlier (by moat or by hand): what it lacks is a password,
        // which a person sets; moat never handles one.
        return Err(PlanError::Guided(msg(
            ID,
            "needs_password",
            &[("user", &user)],
        )));
    }
    if iam.user(&user).is_some() {
        return Err(PlanError::Input {
            name: "user".into(),
            message: msg(ID, "user_exists", &[("user", &user)]),
        });
    }
    let mut ops = vec![];
    let admin_policy = aws_managed_policy_arn(inv.partition(), ADMIN_POLICY);
    match iam.group(ADMIN_GROUP) {
        None => {
            ops.push(Op::CreateGroup(crate::aws::ops::CreateGroup {
                name: ADMIN_GROUP.into(),
            }));
            ops.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
                group: ADMIN_GROUP.into(),
                policy_arn: admin_policy,
            }));
        }
        Some(g)
            if !g
                .attached_policies
                .iter()
                .any(|p| is_aws_managed_policy(p, ADMIN_POLICY)) =>
        {
            let quota = iam_quotas(inv.account_summary.ready()).policies_per_group;
            if g.attached_policies.len() >= quota as usize {
                return Err(PlanError::Guided(msg(
                    ID,
                    "admin_group_full",
                    &[
                        ("group", ADMIN_GROUP),
                        ("count", &g.attached_policies.len().to_string()),
                    ],
                )));
            }
            ops.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
                group: ADMIN_GROUP.into(),
                policy_arn: admin_policy,
            }));
        }
        Some(_) => {}
    }
    ops.push(Op::CreateUser(crate::aws::ops::CreateUser {
        name: user.clone(),
    }));
    ops.push(Op::AddUserToGroup(crate::aws::ops::AddUserToGroup {
        user,
        group: ADMIN_GROUP.into(),
    }));
    Ok(Draft {
        ops,
        warnings: vec![],
    })
}

pub fn alternate_contacts(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.alternate-contacts";
    let c = inv
        .alternate_contacts
        .ready()
        .ok_or(PlanError::NotReady(PartId::AlternateContacts))?;
    let missing: Vec<ContactType> = ContactType::ALL
        .into_iter()
        .filter(|t| !c.contacts.contains_key(t))
        .filter(|t| req.wants(&ResourceRef::AlternateContact(*t).to_string()))
        .collect();
    if missing.is_empty() {
        return Err(nothing(ID));
    }
    let contact = Contact {
        name: req.get(&CONTACT_INPUTS[0])?,
        title: req.get(&CONTACT_INPUTS[1])?,
        email: req.get(&CONTACT_INPUTS[2])?,
        phone: req.get(&CONTACT_INPUTS[3])?,
    };
    let ops = missing
        .into_iter()
        .map(|t| {
            Op::PutAlternateContact(crate::aws::ops::PutAlternateContact {
                contact_type: t,
                contact: contact.clone(),
            })
        })
        .collect();
    Ok(Draft {
        ops,
        warnings: vec![],
    })
}

/// The caller's own IAM user name, when moat runs as an IAM user.
fn caller_user(inv: &Inventory) -> Option<&str> {
    let id = inv.identity.ready()?;
    let (_, path) = id.arn.split_once(":user/")?;
    path.rsplit('/').next().filter(|n| !n.is_empty())
}

/// The group moat puts console users into (`MFARequired`) and the ops that
/// make it exist with `RequireMFA` attached. The group must carry nothing
/// but MFA-enforcing policies: adding people to it grants them what it carries.
fn mfa_group_ops(inv: &Inventory, iam: &Iam) -> Result<(String, Vec<Op>), PlanError> {
    const ID: &str = "account.mfa-policy";
    let account = inv
        .account_id()
        .ok_or(PlanError::NotReady(PartId::Identity))?;
    let mut ops = vec![];
    let arn = match iam.policy_by_name(MFA_POLICY) {
        Some(p) if crate::policy::enforces_mfa(&p.document) => p.arn.clone(),
        Some(_) => {
            return Err(PlanError::Guided(msg(
                ID,
                "policy_name_taken",
                &[("policy", MFA_POLICY)],
            )));
        }
        None => {
            ops.push(Op::CreatePolicy(crate::aws::ops::CreatePolicy {
                name: MFA_POLICY.into(),
                document: require_mfa_document(inv.partition())?,
            }));
            customer_policy_arn(inv.partition(), account, MFA_POLICY)
        }
    };
    match iam.group(MFA_GROUP) {
        None => {
            ops.push(Op::CreateGroup(crate::aws::ops::CreateGroup {
                name: MFA_GROUP.into(),
            }));
            ops.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
                group: MFA_GROUP.into(),
                policy_arn: arn,
            }));
        }
        Some(g) => {
            let other: Vec<String> = g
                .attached_policies
                .iter()
                .filter(|a| {
                    !iam.policy(a)
                        .is_some_and(|p| crate::policy::enforces_mfa(&p.document))
                })
                .cloned()
                .chain(
                    g.inline_policies
                        .iter()
                        .filter(|p| !crate::policy::enforces_mfa(&p.document))
                        .map(|p| p.name.clone()),
                )
                .collect();
            if !other.is_empty() {
                return Err(PlanError::Guided(msg(
                    ID,
                    "group_not_only_mfa",
                    &[("group", MFA_GROUP), ("policies", &other.join(", "))],
                )));
            }
            if !group_enforces_mfa(iam, g) {
                ops.push(Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy {
                    group: MFA_GROUP.into(),
                    policy_arn: arn,
                }));
            }
        }
    }
    Ok((MFA_GROUP.to_string(), ops))
}

/// Add `users` to the MFA group (created first if needed). The caller's own
/// user is never added: without an MFA session moat (and its undo) would
/// lose every permission the moment it joins; that is said as a warning, or
/// as the answer when it is the only one.
fn enforce_mfa_for(
    inv: &Inventory,
    iam: &Iam,
    item: &str,
    users: Vec<&str>,
) -> Result<Draft, PlanError> {
    let me = caller_user(inv);
    let (skipped, targets): (Vec<&str>, Vec<&str>) =
        users.into_iter().partition(|u| Some(*u) == me);
    let mut notes: Vec<String> = skipped
        .first()
        .map(|u| msg("account.mfa-policy", "caller_skipped", &[("user", u)]))
        .into_iter()
        .collect();
    // A user already in as many groups as IAM allows cannot join one more
    // (LimitExceeded): left out before anything is sent, and named.
    let quota = iam_quotas(inv.account_summary.ready()).groups_per_user;
    let (full, targets): (Vec<&str>, Vec<&str>) = targets.into_iter().partition(|u| {
        iam.user(u)
            .is_some_and(|u| u.groups.len() >= quota as usize)
    });
    notes.extend(full.iter().map(|u| {
        let count = iam.user(u).map(|u| u.groups.len()).unwrap_or_default();
        msg(
            "iam-limits",
            "group_quota",
            &[
                ("user", u),
                ("count", &count.to_string()),
                ("quota", &quota.to_string()),
                ("group", MFA_GROUP),
            ],
        )
    }));
    if targets.is_empty() {
        return if notes.is_empty() {
            Err(nothing(item))
        } else {
            Err(PlanError::Guided(notes.join("\n")))
        };
    }
    // Calls signed with a long-term access key carry no MFA: the Deny
    // refuses them too. Name the users whose keys are active, with their
    // last use, so scripts that use them are not cut off unawares.
    let key_users: Vec<String> = targets
        .iter()
        .filter_map(|u| iam.user(u))
        .filter_map(|u| {
            let active: Vec<&crate::aws::inventory::AccessKey> = u
                .access_keys
                .iter()
                .filter(|k| k.status == crate::aws::inventory::KeyStatus::Active)
                .collect();
            if active.is_empty() {
                return None;
            }
            let last = active
                .iter()
                .filter_map(|k| k.last_used)
                .max()
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "never".to_string());
            Some(format!("{} (last used {last})", u.name))
        })
        .collect();
    let (group, mut ops) = mfa_group_ops(inv, iam)?;
    ops.extend(targets.into_iter().map(|u| {
        Op::AddUserToGroup(crate::aws::ops::AddUserToGroup {
            user: u.to_string(),
            group: group.clone(),
        })
    }));
    let mut warnings: Vec<String> = crate::guide::guide()
        .item(item)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect();
    warnings.extend(notes);
    if !key_users.is_empty() {
        warnings.push(msg(
            "account.mfa-policy",
            "access_keys",
            &[("users", &key_users.join(", "))],
        ));
    }
    Ok(Draft { ops, warnings })
}

fn wanted_user(req: &Inputs, name: &str) -> bool {
    req.wants(
        &ResourceRef::User {
            name: name.to_string(),
        }
        .to_string(),
    )
}

/// Put every console user no MFA-enforcing policy covers into `MFARequired`
/// (creating the policy and group first if needed).
pub fn mfa_policy(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.mfa-policy";
    let iam = iam(inv)?;
    inv.credential_report
        .ready()
        .ok_or(PlanError::NotReady(PartId::CredentialReport))?;
    let users: Vec<&str> = uncovered_console_users(inv, iam)
        .into_iter()
        .filter(|u| wanted_user(req, &u.name))
        .map(|u| u.name.as_str())
        .collect();
    enforce_mfa_for(inv, iam, ID, users)
}

pub fn console_users_mfa(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.console-users-mfa";
    let iam = iam(inv)?;
    let rows = inv
        .credential_report
        .ready()
        .ok_or(PlanError::NotReady(PartId::CredentialReport))?;
    let enforcing = mfa_groups(iam);
    let targets: Vec<&str> = rows
        .iter()
        .filter(|r| !r.is_root() && r.password_enabled && !r.mfa_active)
        .filter_map(|r| iam.user(&r.user))
        .filter(|u| u.mfa_devices.is_empty())
        .filter(|u| !u.groups.iter().any(|g| enforcing.contains(&g.as_str())))
        .filter(|u| wanted_user(req, &u.name))
        .map(|u| u.name.as_str())
        .collect();
    if targets.is_empty() {
        return Err(PlanError::NothingToDo(msg(ID, "all_enforced", &[])));
    }
    enforce_mfa_for(inv, iam, ID, targets)
}

pub fn password_policy(inv: &Inventory, ctx: &Ctx, _: &Inputs) -> Result<Draft, PlanError> {
    let current = inv
        .password_policy
        .ready()
        .ok_or(PlanError::NotReady(PartId::PasswordPolicy))?;
    let mut p = current.clone().unwrap_or(PasswordPolicy {
        allow_users_to_change_password: true,
        ..PasswordPolicy::default()
    });
    p.minimum_password_length = p
        .minimum_password_length
        .max(ctx.settings.password_min_length);
    p.password_reuse_prevention = Some(
        p.password_reuse_prevention
            .unwrap_or(0)
            .max(ctx.settings.password_reuse_prevention),
    );
    if current.as_ref() == Some(&p) {
        return Err(nothing("account.password-policy"));
    }
    Ok(Draft {
        ops: vec![Op::UpdatePasswordPolicy(
            crate::aws::ops::UpdatePasswordPolicy { policy: p },
        )],
        warnings: vec![],
    })
}

/// Deactivate stale access keys (undo re-activates them). Stale console
/// passwords are guided: deleting a login profile loses the password for
/// good, so moat names them and leaves the removal to a person.
pub fn stale_access_keys(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    const ID: &str = "account.stale-access-keys";
    let iam = iam(inv)?;
    let me = caller_user(inv);
    let wanted: Vec<_> = iam
        .users
        .iter()
        .flat_map(|u| u.access_keys.iter().map(move |k| (u, k)))
        .filter(|(_, k)| key_staleness(k, ctx).is_some())
        .filter(|(u, k)| {
            req.wants(
                &ResourceRef::AccessKey {
                    user: u.name.clone(),
                    key_id: k.id.clone(),
                }
                .to_string(),
            )
        })
        .collect();
    // A key of the user moat runs as may be the key this session signs
    // with: deactivating it would make AWS refuse every later call
    // (InvalidClientTokenId), the check after apply and the undo included.
    let own: Vec<&str> = wanted
        .iter()
        .filter(|(u, _)| Some(u.name.as_str()) == me)
        .map(|(_, k)| k.id.as_str())
        .collect();
    let own_note = (!own.is_empty()).then(|| {
        msg(
            ID,
            "own_keys_left",
            &[("user", me.unwrap_or_default()), ("keys", &own.join(", "))],
        )
    });
    let ops: Vec<Op> = wanted
        .iter()
        .filter(|(u, _)| Some(u.name.as_str()) != me)
        .map(|(u, k)| {
            Op::UpdateAccessKey(crate::aws::ops::UpdateAccessKey {
                user: Some(u.name.clone()),
                key_id: k.id.clone(),
                status: KeyStatus::Inactive,
            })
        })
        .collect();
    let passwords: Vec<&str> = stale_passwords(inv, iam, ctx)
        .into_iter()
        .map(|(u, _)| u)
        .filter(|u| wanted_user(req, u))
        .collect();
    let note = (!passwords.is_empty())
        .then(|| msg(ID, "passwords_guided", &[("users", &passwords.join(", "))]));
    let notes: Vec<String> = own_note.into_iter().chain(note).collect();
    if ops.is_empty() {
        return match notes.is_empty() {
            false => Err(PlanError::Guided(notes.join(" "))),
            true => Err(nothing(ID)),
        };
    }
    Ok(Draft {
        ops,
        warnings: notes,
    })
}
