use super::*;
use crate::aws::inventory::{
    AccessKey, Group, Identity, InlinePolicy, ManagedPolicy, Part, PasswordPolicy, Role,
    VirtualMfaDevice,
};
use crate::checks::testkit::{T, midnight as now};
use crate::checks::{Status, evaluate, item};
use crate::collect::demo::demo_inventory;
use crate::plan::{Draft, Inputs, PlanError};
use chrono::Duration;
use serde_json::json;

/// The demo account outside any organization: these tests judge the root
/// user from the account's own reads (see `central_root_tests` for a member
/// account audited by its organization).
fn demo() -> Inventory {
    let mut inv = demo_inventory().expect("demo");
    inv.root_access = Part::of(crate::aws::iam::root_access::RootAccess::default());
    inv
}

fn key(id: &str, status: KeyStatus, created_days: i64, used_days: Option<i64>) -> AccessKey {
    AccessKey {
        id: id.into(),
        status,
        created: now() - Duration::days(created_days),
        last_used: used_days.map(|d| now() - Duration::days(d)),
        last_used_service: None,
    }
}

fn as_root(mut inv: Inventory, keys: Vec<AccessKey>) -> Inventory {
    inv.identity = Part::of(Identity {
        account: "111122223333".into(),
        arn: "arn:aws:iam::111122223333:root".into(),
        user_id: "111122223333".into(),
    });
    if let Some(iam) = inv.iam.ready_mut() {
        iam.root_keys = keys;
    }
    inv
}

#[test]
fn root_keys_absent_passes() {
    let t = T::at(now());
    let mut inv = demo();
    if let Some(s) = inv.account_summary.ready_mut() {
        s.account_access_keys_present = false;
    }
    assert_eq!(t.status(&inv, ROOT_KEYS), Status::Pass);
}

#[test]
fn root_keys_seen_by_non_root_are_guided() {
    let t = T::at(now());
    let inv = demo();
    assert_eq!(t.status(&inv, ROOT_KEYS), Status::Fail);
    assert_eq!(t.resources(&inv, ROOT_KEYS), vec!["account"]);
    assert!(matches!(
        t.plan(&inv, ROOT_KEYS, &Inputs::default()),
        Err(PlanError::Guided(_))
    ));
}

#[test]
fn root_caller_deactivates_its_keys_most_recently_used_last() {
    let t = T::at(now());
    let inv = as_root(
        demo(),
        vec![
            key("AKIAROOTINUSE", KeyStatus::Active, 300, Some(0)),
            key("AKIAROOTOLD", KeyStatus::Active, 900, Some(400)),
            key("AKIAROOTOFF", KeyStatus::Inactive, 900, None),
        ],
    );
    assert_eq!(
        t.resources(&inv, ROOT_KEYS),
        vec!["root/key/AKIAROOTINUSE", "root/key/AKIAROOTOLD"]
    );
    let plan = t.plan(&inv, ROOT_KEYS, &Inputs::default()).expect("plan");
    let ids: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
    assert_eq!(ids, vec!["root/key/AKIAROOTOLD", "root/key/AKIAROOTINUSE"]);
    assert!(!plan.warnings.is_empty(), "lock-out warning");
    assert!(plan.is_reversible());
    let after = t.fix(&inv, ROOT_KEYS, &Inputs::default());
    // Deactivated keys still exist: the item says to delete them, and there
    // is nothing more moat itself can do.
    let r = evaluate(item(ROOT_KEYS).expect("item"), &after, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.findings.iter().all(|f| f.detail.contains("inactive")),
        "{:?}",
        r.findings
    );
    assert!(matches!(
        t.plan(&after, ROOT_KEYS, &Inputs::default()),
        Err(PlanError::NothingToDo(_))
    ));
}

#[test]
fn root_mfa() {
    let t = T::at(now());
    let mut inv = demo();
    assert_eq!(t.status(&inv, "account.root-mfa"), Status::Fail);
    if let Some(s) = inv.account_summary.ready_mut() {
        s.account_mfa_enabled = true;
    }
    assert_eq!(t.status(&inv, "account.root-mfa"), Status::Pass);
}

fn virtual_device(serial: &str, user_arn: Option<&str>) -> VirtualMfaDevice {
    VirtualMfaDevice {
        serial: serial.into(),
        user_arn: user_arn.map(str::to_string),
    }
}

/// CIS 2.5 / IAM.6: root MFA through a virtual device is not hardware MFA.
#[test]
fn root_mfa_through_a_virtual_device_fails() {
    const ID: &str = "account.root-mfa";
    let t = T::at(now());
    let mut inv = demo();
    if let Some(s) = inv.account_summary.ready_mut() {
        s.account_mfa_enabled = true;
    }
    const ROOT_SERIAL: &str = "arn:aws:iam::111122223333:mfa/root-account-mfa-device";
    if let Some(iam) = inv.iam.ready_mut() {
        iam.virtual_mfa_devices = crate::aws::inventory::Fetched::Ready(vec![
            // Other users' devices, assigned or not, do not matter.
            virtual_device(
                "arn:aws:iam::111122223333:mfa/dana-phone",
                Some("arn:aws:iam::111122223333:user/dana"),
            ),
            virtual_device("arn:aws:iam::111122223333:mfa/spare", None),
        ]);
    }
    assert_eq!(t.status(&inv, ID), Status::Pass);
    if let Some(all) = inv
        .iam
        .ready_mut()
        .and_then(|iam| iam.virtual_mfa_devices.ready_mut())
    {
        all.push(virtual_device(
            ROOT_SERIAL,
            Some("arn:aws:iam::111122223333:root"),
        ));
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].resource, "account");
    assert!(
        r.findings[0].detail.contains(ROOT_SERIAL),
        "{:?}",
        r.findings
    );
    assert!(r.summary.contains("2.5"), "{}", r.summary);
    // The fix stays guided: only root, in a browser, registers a hardware key.
    assert!(matches!(item(ID).expect("item").fix, Fix::Guided));
    // A denied ListVirtualMFADevices is an error of this item only.
    if let Some(iam) = inv.iam.ready_mut() {
        iam.virtual_mfa_devices =
            crate::aws::inventory::Fetched::Error(crate::aws::inventory::PartError::new(
                "iam:ListVirtualMFADevices",
                Some("AccessDenied".into()),
                "denied",
            ));
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(
        r.summary.contains("iam:ListVirtualMFADevices"),
        "{}",
        r.summary
    );
    assert_ne!(t.status(&inv, "account.backup-admin"), Status::Error);
    // MFA off: the plain finding, whatever the devices.
    if let Some(s) = inv.account_summary.ready_mut() {
        s.account_mfa_enabled = false;
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert!(!r.findings[0].detail.contains(ROOT_SERIAL));
}

fn admin_inline() -> InlinePolicy {
    InlinePolicy {
        name: "all".into(),
        document: json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    }
}

fn admin_role(name: &str, path: &str, trust: serde_json::Value) -> Role {
    Role {
        name: name.into(),
        arn: format!("arn:aws:iam::111122223333:role{path}{name}"),
        trust_policy: trust,
        attached_policies: vec![],
        inline_policies: vec![admin_inline()],
        permissions_boundary: None,
    }
}

fn trust(principal: serde_json::Value, action: &str) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]})
}

fn with_roles(inv: &Inventory, roles: Vec<Role>) -> Inventory {
    let mut inv = inv.clone();
    if let Some(iam) = inv.iam.ready_mut() {
        iam.roles.extend(roles);
    }
    inv
}

/// Give `user` a console password (in the credential report).
fn set_password(inv: &mut Inventory, user: &str) {
    if let Some(rows) = inv.credential_report.ready_mut()
        && let Some(r) = rows.iter_mut().find(|r| r.user == user)
    {
        r.password_enabled = true;
    }
}

#[test]
fn backup_admin_counts_users_and_human_roles() {
    const ID: &str = "account.backup-admin";
    let t = T::at(now());
    let inv = demo();
    assert_eq!(t.status(&inv, ID), Status::Fail);
    // A service role with admin rights is not a backup for people.
    let svc = admin_role(
        "svc",
        "/",
        trust(json!({"Service": "ec2.amazonaws.com"}), "sts:AssumeRole"),
    );
    assert_eq!(t.status(&with_roles(&inv, vec![svc]), ID), Status::Fail);
    let saml = admin_role(
        "sso-admin",
        "/",
        trust(
            json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
            "sts:AssumeRoleWithSAML",
        ),
    );
    let with_saml = with_roles(&inv, vec![saml]);
    assert_eq!(t.status(&with_saml, ID), Status::Pass);
    let r = evaluate(item(ID).expect("item"), &with_saml, &t.ctx());
    assert!(
        r.summary.contains("role/sso-admin") && r.summary.contains("user/ops-admin"),
        "{}",
        r.summary
    );
    // The fix creates group + user; the user counts once a person has set
    // its console password (moat never does), and undo is complete.
    let after = t.fix(&inv, ID, &Inputs::default());
    assert!(
        after
            .iam
            .ready()
            .and_then(|i| i.user("break-glass-admin"))
            .is_some_and(|u| u.access_keys.is_empty())
    );
    let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.findings[0].detail.contains("user/break-glass-admin"),
        "{:?}",
        r.findings
    );
    assert!(matches!(
        t.plan(&after, ID, &Inputs::default()),
        Err(PlanError::Guided(m)) if m.contains("break-glass-admin")
    ));
    let mut with_password = after.clone();
    set_password(&mut with_password, "break-glass-admin");
    assert_eq!(t.status(&with_password, ID), Status::Pass);
    let taken = Inputs::default().with("user", "dana");
    assert!(matches!(
        t.plan(&inv, ID, &taken),
        Err(PlanError::Input { .. })
    ));
    let bad = Inputs::default().with("user", "no spaces");
    assert!(matches!(
        t.plan(&inv, ID, &bad),
        Err(PlanError::Input { .. })
    ));
}

/// Roles any principal can assume are not people's emergency access:
/// cross-account (OrganizationAccountAccessRole), CI (an AWS principal or
/// a workload OIDC issuer), this account's root, services; nor are admin
/// users without a console password.
#[test]
fn backup_admin_leaves_out_roles_and_users_nobody_signs_in_as() {
    const ID: &str = "account.backup-admin";
    let t = T::at(now());
    let mut inv = demo();
    // A second admin user, with access keys only.
    if let Some(iam) = inv.iam.ready_mut()
        && let Some(u) = iam.users.iter_mut().find(|u| u.name == "ci-deploy")
    {
        u.groups.push("Admins".into());
    }
    let roles = vec![
        admin_role(
            "OrganizationAccountAccessRole",
            "/",
            trust(
                json!({"AWS": "arn:aws:iam::999988887777:root"}),
                "sts:AssumeRole",
            ),
        ),
        admin_role(
            "ci-deployer",
            "/",
            trust(
                json!({"AWS": "arn:aws:iam::111122223333:user/ci-deploy"}),
                "sts:AssumeRole",
            ),
        ),
        admin_role(
            "own-root",
            "/",
            trust(json!({"AWS": "111122223333"}), "sts:AssumeRole"),
        ),
        admin_role(
            "github-deploy",
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}),
                "sts:AssumeRoleWithWebIdentity",
            ),
        ),
        admin_role(
            // Another account's SAML provider is not this account's sign-in.
            "foreign-saml",
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::999988887777:saml-provider/Corp"}),
                "sts:AssumeRoleWithSAML",
            ),
        ),
        admin_role(
            // A SAML provider, but the trust allows only plain AssumeRole.
            "saml-wrong-action",
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                "sts:AssumeRole",
            ),
        ),
        admin_role(
            "lambda-admin",
            "/",
            trust(json!({"Service": "lambda.amazonaws.com"}), "sts:AssumeRole"),
        ),
    ];
    let inv = with_roles(&inv, roles);
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail, "{}", r.summary);
    assert!(r.summary.contains("Only 1"), "{}", r.summary);
    let detail = &r.findings[0].detail;
    for left_out in [
        "user/ci-deploy",
        "role/OrganizationAccountAccessRole",
        "role/ci-deployer",
        "role/own-root",
        "role/github-deploy",
        "role/foreign-saml",
        "role/saml-wrong-action",
        "role/lambda-admin",
    ] {
        assert!(detail.contains(left_out), "{left_out} not named: {detail}");
    }
    assert!(
        detail.contains("user/ops-admin (console password)"),
        "{detail}"
    );
    assert!(detail.contains("999988887777"), "{detail}");

    // People's sign-ins count: IAM Identity Center, SAML with a wildcard
    // action. A web identity (OIDC) provider does not, whatever its
    // issuer: web identity tokens mostly go to apps and workloads.
    let sso = admin_role(
        "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
        "/aws-reserved/sso.amazonaws.com/",
        trust(
            json!({"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_0123_DO_NOT_DELETE"}),
            "sts:AssumeRoleWithSAML",
        ),
    );
    assert_eq!(t.status(&with_roles(&inv, vec![sso]), ID), Status::Pass);
    let oidc = admin_role(
        "okta-admin",
        "/",
        trust(
            json!({"Federated": ["arn:aws:iam::111122223333:oidc-provider/corp.okta.com"]}),
            "sts:AssumeRoleWith*",
        ),
    );
    let r = evaluate(
        item(ID).expect("item"),
        &with_roles(&inv, vec![oidc]),
        &t.ctx(),
    );
    assert_eq!(r.status, Status::Fail);
    let detail = &r.findings[0].detail;
    assert!(
        detail.contains(
            "role/okta-admin (reached through the web identity (OIDC) provider corp.okta.com"
        ),
        "{detail}"
    );
    let saml_any = admin_role(
        "saml-any",
        "/",
        trust(
            json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
            "sts:AssumeRoleWith*",
        ),
    );
    assert_eq!(
        t.status(&with_roles(&inv, vec![saml_any]), ID),
        Status::Pass
    );
    // An admin user with a console password counts.
    let mut two_users = inv.clone();
    set_password(&mut two_users, "ci-deploy");
    assert_eq!(t.status(&two_users, ID), Status::Pass);
}

/// An existing Administrators group at its quota of managed policies
/// cannot take AdministratorAccess (LimitExceeded): guidance, nothing sent.
#[test]
fn backup_admin_fix_does_not_attach_to_a_full_group() {
    const ID: &str = "account.backup-admin";
    let t = T::at(now());
    let mut inv = demo();
    if let Some(iam) = inv.iam.ready_mut() {
        iam.groups.push(Group {
            name: "Administrators".into(),
            arn: "arn:aws:iam::111122223333:group/Administrators".into(),
            attached_policies: (0..10)
                .map(|i| format!("arn:aws:iam::111122223333:policy/p{i}"))
                .collect(),
            inline_policies: vec![],
        });
    }
    assert!(matches!(
        t.plan(&inv, ID, &Inputs::default()),
        Err(PlanError::Guided(m)) if m.contains("LimitExceeded")
    ));
}

/// Full rights on paper are not enough: an explicit Deny (the user's,
/// a group's, attached or inline) or a permissions boundary that does
/// not allow everything (or that moat could not read) leaves the
/// principal out, named with the policy; a Deny that applies only
/// without MFA does not.
#[test]
fn backup_admin_counts_only_effective_administrators() {
    const ID: &str = "account.backup-admin";
    let t = T::at(now());
    let saml = |name: &str| {
        admin_role(
            name,
            "/",
            trust(
                json!({"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}),
                "sts:AssumeRoleWithSAML",
            ),
        )
    };
    let deny_iam = |name: &str| InlinePolicy {
        name: name.into(),
        document: json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}),
    };
    let managed = |name: &str, document: serde_json::Value| ManagedPolicy {
        arn: format!("arn:aws:iam::111122223333:policy/{name}"),
        name: name.into(),
        aws_managed: false,
        default_version: "v1".into(),
        document,
    };
    // The demo's ops-admin plus a SAML admin role pass, as a baseline.
    let base = with_roles(&demo(), vec![saml("saml-admin")]);
    assert_eq!(t.status(&base, ID), Status::Pass);

    type Change = Box<dyn Fn(&mut Iam)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "no-iam",
            Box::new(move |iam: &mut Iam| {
                if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                    r.inline_policies.push(deny_iam("no-iam"));
                }
            }),
        ),
        (
            "of group Admins",
            Box::new(move |iam: &mut Iam| {
                // ops-admin's rights come through group Admins; a Deny there cuts them.
                if let Some(g) = iam.groups.iter_mut().find(|g| g.name == "Admins") {
                    g.inline_policies.push(deny_iam("guardrail"));
                }
            }),
        ),
        (
            "s3-only",
            Box::new(move |iam: &mut Iam| {
                iam.policies.push(managed(
                    "s3-only",
                    json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
                ));
                if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                    r.permissions_boundary =
                        Some("arn:aws:iam::111122223333:policy/s3-only".into());
                }
            }),
        ),
        (
            "could not be read",
            Box::new(move |iam: &mut Iam| {
                if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
                    r.permissions_boundary = Some("arn:aws:iam::111122223333:policy/gone".into());
                }
            }),
        ),
        (
            "boundary-with-deny",
            Box::new(move |iam: &mut Iam| {
                iam.policies.push(managed(
                    "boundary-with-deny",
                    json!({"Statement": [
                            {"Effect": "Allow", "Action": "*", "Resource": "*"},
                            {"Effect": "Deny", "Action": "organizations:*", "Resource": "*"}]}),
                ));
                if let Some(u) = iam.users.iter_mut().find(|u| u.name == "ops-admin") {
                    u.permissions_boundary =
                        Some("arn:aws:iam::111122223333:policy/boundary-with-deny".into());
                }
            }),
        ),
    ];
    for (why, change) in cases {
        let mut inv = base.clone();
        if let Some(iam) = inv.iam.ready_mut() {
            change(iam);
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail, "{why}: {}", r.summary);
        assert!(
            r.findings[0].detail.contains(why),
            "{why}: {}",
            r.findings[0].detail
        );
    }

    // A Deny while AWS sees no MFA: a SAML (or Identity Center) session
    // never shows AWS an MFA sign-in, so the key is false (Bool
    // matches) or absent (BoolIfExists matches), and the role is cut
    // either way.
    let mfa_deny = |op: &str| InlinePolicy {
        name: "mfa".into(),
        document: json!({"Statement": [{"Effect": "Deny", "NotAction": "iam:ListMFADevices",
                "Resource": "*", "Condition": {op: {"aws:MultiFactorAuthPresent": "false"}}}]}),
    };
    for op in ["BoolIfExists", "Bool"] {
        let mut inv = base.clone();
        if let Some(r) = inv
            .iam
            .ready_mut()
            .and_then(|iam| iam.roles.iter_mut().find(|r| r.name == "saml-admin"))
        {
            r.inline_policies.push(mfa_deny(op));
        }
        let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
        assert_eq!(r.status, Status::Fail, "{op}: {}", r.summary);
        let detail = &r.findings[0].detail;
        assert!(
            detail.contains("role/saml-admin") && detail.contains("inline policy mfa"),
            "{op}: {detail}"
        );
        assert!(
            detail.contains("SAML or IAM Identity Center"),
            "{op}: {detail}"
        );
    }

    // Kept: the same Deny on a user who signs in to the console with
    // MFA; on the role, a Deny on an MFA age its sessions never carry
    // (no IfExists), and a boundary that allows everything.
    let mut inv = base.clone();
    if let Some(iam) = inv.iam.ready_mut() {
        iam.policies.push(managed(
            "admin-boundary",
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ));
        if let Some(u) = iam.users.iter_mut().find(|u| u.name == "ops-admin") {
            u.inline_policies.push(mfa_deny("BoolIfExists"));
        }
        if let Some(r) = iam.roles.iter_mut().find(|r| r.name == "saml-admin") {
            r.permissions_boundary = Some("arn:aws:iam::111122223333:policy/admin-boundary".into());
            r.inline_policies.push(InlinePolicy {
                name: "mfa-age".into(),
                document: json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}}]}),
            });
        }
    }
    assert_eq!(t.status(&inv, ID), Status::Pass);
    // With IfExists, that age Deny applies to every such session.
    if let Some(r) = inv
        .iam
        .ready_mut()
        .and_then(|iam| iam.roles.iter_mut().find(|r| r.name == "saml-admin"))
    {
        for p in r.inline_policies.iter_mut().filter(|p| p.name == "mfa-age") {
            p.document = json!({"Statement": [{"Effect": "Deny", "Action": "*",
                    "Resource": "*", "Condition": {"NumericGreaterThanIfExists":
                        {"aws:MultiFactorAuthAge": "3600"}}}]});
        }
    }
    assert_eq!(t.status(&inv, ID), Status::Fail);
}

fn contact_inputs() -> Inputs {
    Inputs::default()
        .with("name", "Sam Rivera")
        .with("title", "Security lead")
        .with("email", "security@example.com")
        .with("phone", "+1 555 0100")
}

#[test]
fn alternate_contacts_fill_only_missing_ones() {
    let t = T::at(now());
    let inv = demo();
    const ID: &str = "account.alternate-contacts";
    assert_eq!(
        t.resources(&inv, ID),
        vec!["contact/OPERATIONS", "contact/SECURITY"]
    );
    let missing = Inputs::default().with("name", "Sam");
    assert!(
        matches!(t.plan(&inv, ID, &missing), Err(PlanError::Input { name, .. }) if name == "title")
    );
    let bad_mail = contact_inputs().with("email", "security-at-example");
    assert!(
        matches!(t.plan(&inv, ID, &bad_mail), Err(PlanError::Input { name, .. }) if name == "email")
    );
    let only_security = Inputs {
        resources: vec!["contact/SECURITY".into()],
        ..contact_inputs()
    };
    assert_eq!(
        t.plan(&inv, ID, &only_security).expect("plan").steps.len(),
        1
    );
    let after = t.fix(&inv, ID, &contact_inputs());
    assert_eq!(t.status(&after, ID), Status::Pass);
    let plan = t.plan(&inv, ID, &contact_inputs()).expect("plan");
    assert!(plan.steps.iter().all(|s| matches!(
        s.inverse.as_deref(),
        Some([Op::DeleteAlternateContact(
            crate::aws::ops::DeleteAlternateContact { .. }
        )])
    )));
}

use crate::plan::Op;

/// The MFA group's plan: create the policy and the group, attach the one to
/// the other, then add `users` users to the group.
fn assert_mfa_group_actions(plan: &crate::plan::Plan, users: usize) {
    let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
    let mut want = vec![
        "iam:CreatePolicy",
        "iam:CreateGroup",
        "iam:AttachGroupPolicy",
    ];
    want.extend(std::iter::repeat_n("iam:AddUserToGroup", users));
    assert_eq!(actions, want);
}

#[test]
fn console_users_get_enforced_and_show_pending_enrolment() {
    let t = T::at(now());
    let inv = demo();
    const ID: &str = "account.console-users-mfa";
    assert_eq!(t.resources(&inv, ID), vec!["user/dana", "user/lee"]);
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    assert_mfa_group_actions(&plan, 2);
    let after = t.fix(&inv, ID, &Inputs::default());
    // Still failing until they enrol, but now enforced.
    let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.findings.iter().all(|f| f.detail.contains(MFA_GROUP_NAME)),
        "{:?}",
        r.findings
    );
    assert!(matches!(
        t.plan(&after, ID, &Inputs::default()),
        Err(PlanError::NothingToDo(_))
    ));
    // ops-admin, the user moat runs as in the demo, has a device and
    // stays out of the group: the MFA policy item still names it.
    assert_eq!(
        t.resources(&after, "account.mfa-policy"),
        vec!["user/ops-admin"]
    );
    // A user with a device passes.
    let mut enrolled = after.clone();
    if let Some(rows) = enrolled.credential_report.ready_mut() {
        for r in rows.iter_mut() {
            r.mfa_active = true;
        }
    }
    assert_eq!(t.status(&enrolled, ID), Status::Pass);
}

const MFA_GROUP_NAME: &str = "MFARequired";

/// moat signed in through a role, not as one of the users.
fn as_role(mut inv: Inventory) -> Inventory {
    inv.identity = Part::of(Identity {
        account: "111122223333".into(),
        arn: "arn:aws:sts::111122223333:assumed-role/SecurityAudit/moat".into(),
        user_id: "AROADEMO:moat".into(),
    });
    inv
}

fn require_mfa_policy() -> ManagedPolicy {
    ManagedPolicy {
        arn: "arn:aws:iam::111122223333:policy/RequireMFA".into(),
        name: "RequireMFA".into(),
        aws_managed: false,
        default_version: "v1".into(),
        document: crate::checks::account::fix::require_mfa_document("aws").expect("document"),
    }
}

/// The demo plus the policy RequireMFA on an empty group MFARequired.
fn with_empty_mfa_group(inv: &Inventory) -> Inventory {
    let mut inv = inv.clone();
    if let Some(iam) = inv.iam.ready_mut() {
        iam.policies.push(require_mfa_policy());
        iam.groups.push(Group {
            name: "MFARequired".into(),
            arn: "arn:aws:iam::111122223333:group/MFARequired".into(),
            attached_policies: vec!["arn:aws:iam::111122223333:policy/RequireMFA".into()],
            inline_policies: vec![],
        });
    }
    inv
}

#[test]
fn mfa_policy_on_a_group_without_the_console_users_fails() {
    const ID: &str = "account.mfa-policy";
    let t = T::at(now());
    let mut inv = with_empty_mfa_group(&as_role(demo()));
    let all = vec!["user/ops-admin", "user/dana", "user/lee"];
    assert_eq!(t.resources(&inv, ID), all, "an empty group covers nobody");
    // A member without a console password does not cover the others.
    if let Some(iam) = inv.iam.ready_mut()
        && let Some(u) = iam.users.iter_mut().find(|u| u.name == "backup-sync")
    {
        u.groups.push("MFARequired".into());
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    let res: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
    assert_eq!(res, all);
    assert!(
        r.findings.iter().all(|f| f.detail.contains("MFARequired")),
        "{:?}",
        r.findings
    );
    assert!(r.summary.contains("3 of 3"), "{}", r.summary);

    // The fix adds exactly the uncovered console users, listed in the
    // group's document, and creates nothing that exists.
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    let ops: Vec<String> = plan.ops().map(|o| o.describe()).collect();
    assert_eq!(
        ops,
        vec![
            "add user ops-admin to group MFARequired",
            "add user dana to group MFARequired",
            "add user lee to group MFARequired",
        ]
    );
    let group = plan
        .resources
        .iter()
        .find(|r| r.resource.to_string() == "group/MFARequired")
        .expect("the group is previewed");
    assert_eq!(
        group.before.as_ref().map(|d| d["Members"].clone()),
        Some(json!(["backup-sync"]))
    );
    assert_eq!(
        group.after.as_ref().map(|d| d["Members"].clone()),
        Some(json!(["backup-sync", "dana", "lee", "ops-admin"]))
    );
    let after = t.fix(&inv, ID, &Inputs::default());
    let r = evaluate(item(ID).expect("item"), &after, &t.ctx());
    assert_eq!(r.status, Status::Pass, "{:?}", r.findings);
    assert!(
        r.summary.contains("dana (group MFARequired)"),
        "{}",
        r.summary
    );
    // Undo removes exactly the users moat added.
    let mut undone = after.clone();
    for s in plan.steps.iter().rev() {
        for op in s.inverse.as_ref().expect("reversible") {
            undone.apply(op).expect("undo");
        }
    }
    assert_eq!(undone, inv);
    assert!(plan.steps.iter().all(|s| matches!(
        s.inverse.as_deref(),
        Some([Op::RemoveUserFromGroup(
            crate::aws::ops::RemoveUserFromGroup { .. }
        )])
    )));
}

#[test]
fn mfa_policy_counts_direct_attachment_and_boundaries() {
    const ID: &str = "account.mfa-policy";
    let t = T::at(now());
    let mut inv = with_empty_mfa_group(&as_role(demo()));
    let arn = "arn:aws:iam::111122223333:policy/RequireMFA".to_string();
    if let Some(iam) = inv.iam.ready_mut() {
        for u in iam.users.iter_mut() {
            match u.name.as_str() {
                "dana" => u.attached_policies.push(arn.clone()),
                "lee" => u.permissions_boundary = Some(arn.clone()),
                "ops-admin" => u.inline_policies.push(InlinePolicy {
                    name: "mfa".into(),
                    document: require_mfa_policy().document,
                }),
                _ => {}
            }
        }
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Pass, "{:?}", r.findings);
    for how in [
        "dana (policy RequireMFA attached to the user)",
        "lee (permissions boundary RequireMFA)",
        "ops-admin (the user's inline policy mfa)",
    ] {
        assert!(r.summary.contains(how), "{how}: {}", r.summary);
    }
    // No console user at all: nobody to cover.
    let mut none = demo();
    if let Some(rows) = none.credential_report.ready_mut() {
        for r in rows.iter_mut() {
            r.password_enabled = false;
        }
    }
    assert_eq!(t.status(&none, ID), Status::Pass);
}

#[test]
fn mfa_policy_fix_creates_policy_and_group_and_adds_the_users() {
    let t = T::at(now());
    let inv = as_role(demo());
    const ID: &str = "account.mfa-policy";
    assert_eq!(t.status(&inv, ID), Status::Fail);
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    assert_mfa_group_actions(&plan, 3);
    // Users whose access keys are active are named: their key-signed
    // calls will need an MFA session.
    let mut keyed = inv.clone();
    if let Some(u) = keyed
        .iam
        .ready_mut()
        .and_then(|iam| iam.users.iter_mut().find(|u| u.name == "lee"))
    {
        u.access_keys.push(crate::aws::inventory::AccessKey {
            id: "AKIAEXAMPLEKEY000001".into(),
            status: KeyStatus::Active,
            created: t.ctx().now,
            last_used: None,
            last_used_service: None,
        });
    }
    let keyed_plan = t.plan(&keyed, ID, &Inputs::default()).expect("plan");
    assert!(
        keyed_plan
            .warnings
            .iter()
            .any(|w| w.contains("lee (last used never)")),
        "{:?}",
        keyed_plan.warnings
    );
    let after = t.fix(&inv, ID, &Inputs::default());
    assert_eq!(t.status(&after, ID), Status::Pass);
    // Undo (inverses in reverse order) restores the exact inventory.
    let mut undone = after.clone();
    for s in plan.steps.iter().rev() {
        for op in s.inverse.as_ref().expect("reversible") {
            undone.apply(op).expect("undo");
        }
    }
    assert_eq!(undone, inv);
    // `--resource` picks users.
    let one = Inputs {
        resources: vec!["user/lee".into()],
        ..Inputs::default()
    };
    let plan = t.plan(&inv, ID, &one).expect("plan");
    assert_eq!(
        plan.ops()
            .filter(|o| o.action() == "iam:AddUserToGroup")
            .count(),
        1
    );
    // The 2015 guide's `aws = MultiFactorAuthAge` key enforces nothing.
    let mut typo = inv.clone();
    if let Some(iam) = typo.iam.ready_mut()
        && let Some(g) = iam.groups.iter_mut().find(|g| g.name == "Developers")
    {
        g.inline_policies.push(InlinePolicy {
            name: "mfa".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
                    "Condition": {"NumericLessThan": {"aws = MultiFactorAuthAge": "300"}}}]}),
        });
    }
    assert_eq!(t.status(&typo, ID), Status::Fail);
}

/// moat never adds the user it runs as: without an MFA session it (and
/// its undo) would lose every permission on joining.
#[test]
fn mfa_policy_fix_leaves_out_the_caller_and_foreign_groups() {
    const ID: &str = "account.mfa-policy";
    let t = T::at(now());
    // The demo signs in as ops-admin.
    let inv = with_empty_mfa_group(&demo());
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    let added: Vec<String> = plan
        .ops()
        .filter_map(|o| match o {
            Op::AddUserToGroup(crate::aws::ops::AddUserToGroup { user, .. }) => Some(user.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(added, vec!["dana", "lee"]);
    assert!(
        plan.warnings.iter().any(|w| w.contains("ops-admin")),
        "{:?}",
        plan.warnings
    );
    let me = Inputs {
        resources: vec!["user/ops-admin".into()],
        ..Inputs::default()
    };
    assert!(matches!(t.plan(&inv, ID, &me), Err(PlanError::Guided(m)) if m.contains("ops-admin")));
    // A group MFARequired that grants more than MFA enforcement is not used.
    let mut wide = as_role(inv.clone());
    if let Some(iam) = wide.iam.ready_mut()
        && let Some(g) = iam.groups.iter_mut().find(|g| g.name == "MFARequired")
    {
        g.attached_policies
            .push("arn:aws:iam::aws:policy/AdministratorAccess".into());
    }
    assert!(matches!(
        t.plan(&wide, ID, &Inputs::default()),
        Err(PlanError::Guided(m)) if m.contains("AdministratorAccess")
    ));
}

/// A console user already in as many groups as IAM allows cannot join
/// MFARequired (LimitExceeded): both MFA plans leave them out and say so;
/// the quota GetAccountSummary reports is the one used.
#[test]
fn mfa_plans_leave_out_users_at_the_groups_quota() {
    let t = T::at(now());
    let mut inv = with_empty_mfa_group(&demo());
    if let Some(iam) = inv.iam.ready_mut()
        && let Some(u) = iam.users.iter_mut().find(|u| u.name == "dana")
    {
        u.groups = (0..10).map(|i| format!("team-{i}")).collect();
    }
    let added = |plan: &crate::plan::Plan| -> Vec<String> {
        plan.ops()
            .filter_map(|o| match o {
                Op::AddUserToGroup(crate::aws::ops::AddUserToGroup { user, .. }) => {
                    Some(user.clone())
                }
                _ => None,
            })
            .collect()
    };
    for id in ["account.mfa-policy", "account.console-users-mfa"] {
        let plan = t.plan(&inv, id, &Inputs::default()).expect("plan");
        assert!(!added(&plan).contains(&"dana".to_string()), "{id}");
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("dana") && w.contains("LimitExceeded")),
            "{id}: {:?}",
            plan.warnings
        );
    }
    let only = Inputs {
        resources: vec!["user/dana".into()],
        ..Inputs::default()
    };
    assert!(matches!(
        t.plan(&inv, "account.mfa-policy", &only),
        Err(PlanError::Guided(m)) if m.contains("dana")
    ));
    // An account whose summary reports a larger quota.
    if let Some(s) = inv.account_summary.ready_mut() {
        s.quotas.groups_per_user = 11;
    }
    let plan = t
        .plan(&inv, "account.mfa-policy", &Inputs::default())
        .expect("plan");
    assert!(added(&plan).contains(&"dana".to_string()));
}

/// In the China partition every ARN the account plans write names
/// `aws-cn`, and the preview model accepts them.
#[test]
fn account_plans_name_the_caller_partition() {
    let t = T::at(now());
    let mut inv = demo();
    inv.identity = Part::of(Identity {
        account: "111122223333".into(),
        arn: "arn:aws-cn:sts::111122223333:assumed-role/Admin/moat".into(),
        user_id: "AROADEMO:moat".into(),
    });
    if let Some(iam) = inv.iam.ready_mut() {
        iam.groups.retain(|g| g.name != "Administrators");
    }
    for id in ["account.backup-admin", "account.mfa-policy"] {
        let plan = t.plan(&inv, id, &Inputs::default()).expect("plan");
        let ops: Vec<_> = plan.ops().collect();
        let text = serde_json::to_string(&ops).expect("json");
        assert!(text.contains("arn:aws-cn:"), "{id}: {text}");
        assert!(!text.contains("arn:aws:"), "{id}: {text}");
        t.fix(&inv, id, &Inputs::default());
    }
}

#[test]
fn password_policy_raises_thresholds_and_keeps_the_rest() {
    let mut t = T::at(now());
    let inv = demo();
    const ID: &str = "account.password-policy";
    assert_eq!(t.status(&inv, ID), Status::Fail);
    let before = inv
        .password_policy
        .ready()
        .cloned()
        .flatten()
        .expect("demo has a policy");
    let after = t.fix(&inv, ID, &Inputs::default());
    let p = after
        .password_policy
        .ready()
        .cloned()
        .flatten()
        .expect("policy");
    assert_eq!(p.minimum_password_length, 14);
    assert_eq!(p.password_reuse_prevention, Some(24));
    assert_eq!(p.require_symbols, before.require_symbols);
    assert_eq!(
        p.allow_users_to_change_password,
        before.allow_users_to_change_password
    );
    assert_eq!(t.status(&after, ID), Status::Pass);
    // No policy: create one; undo deletes it.
    let mut none = inv.clone();
    none.password_policy = Part::of(None);
    assert_eq!(t.status(&none, ID), Status::Fail);
    let plan = t.plan(&none, ID, &Inputs::default()).expect("plan");
    assert_eq!(
        plan.steps[0].inverse,
        Some(vec![Op::DeletePasswordPolicy(
            crate::aws::ops::DeletePasswordPolicy
        )])
    );
    // A stronger policy than the thresholds is never weakened.
    let mut strong = inv.clone();
    strong.password_policy = Part::of(Some(PasswordPolicy {
        minimum_password_length: 20,
        password_reuse_prevention: Some(24),
        ..PasswordPolicy::default()
    }));
    assert_eq!(t.status(&strong, ID), Status::Pass);
    // Thresholds are settings.
    t.settings.password_min_length = 21;
    assert_eq!(t.status(&strong, ID), Status::Fail);
    let p = t
        .fix(&strong, ID, &Inputs::default())
        .password_policy
        .ready()
        .cloned()
        .flatten()
        .expect("p");
    assert_eq!(p.minimum_password_length, 21);
}

#[test]
fn a_user_that_could_not_be_read_is_an_error_for_that_user_only() {
    let t = T::at(now());
    let mut inv = demo();
    let unreadable = crate::aws::inventory::PartError::new(
        "iam:ListAccessKeys",
        Some("ServiceUnavailable".into()),
        "x",
    );
    let (reader, other) = {
        let iam = inv.iam.ready_mut().expect("iam");
        for u in iam.users.iter_mut() {
            u.access_keys.clear();
        }
        // Its keys are unknown: empty in the inventory, so never a pass.
        iam.users[0].unreadable = Some(unreadable);
        iam.users[0].mfa_devices.clear();
        (iam.users[0].name.clone(), iam.users[1].name.clone())
    };
    const KEYS: &str = "account.stale-access-keys";
    let r = evaluate(item(KEYS).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert_eq!(r.findings.len(), 1, "{r:?}");
    assert_eq!(r.findings[0].resource, format!("user/{reader}"));
    assert_eq!(r.findings[0].status, Status::Error);
    assert!(r.findings[0].detail.contains("ServiceUnavailable"), "{r:?}");
    // Another user's stale key still fails the item, beside the error.
    if let Some(u) = inv
        .iam
        .ready_mut()
        .and_then(|i| i.users.iter_mut().find(|u| u.name == other))
    {
        u.access_keys = vec![key("AKIAOLD90", KeyStatus::Active, 90, Some(1))];
    }
    let r = evaluate(item(KEYS).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.resource.as_str(), f.status))
            .collect::<Vec<_>>(),
        vec![
            (format!("user/{other}/key/AKIAOLD90").as_str(), Status::Fail),
            (format!("user/{reader}").as_str(), Status::Error),
        ]
    );
    // Console MFA: a console user without MFA in the report whose devices
    // could not be read is unknown, not failing.
    if let Some(rows) = inv.credential_report.ready_mut() {
        for r in rows.iter_mut().filter(|r| !r.is_root()) {
            r.mfa_active = r.user != reader;
            r.password_enabled = true;
        }
    }
    const MFA: &str = "account.console-users-mfa";
    let r = evaluate(item(MFA).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.resource.clone(), f.status))
            .collect::<Vec<_>>(),
        vec![(format!("user/{reader}"), Status::Error)]
    );
}

#[test]
fn stale_keys_thresholds() {
    let t = T::at(now());
    let mut inv = demo();
    if let Some(iam) = inv.iam.ready_mut() {
        for u in iam.users.iter_mut() {
            u.access_keys.clear();
        }
        // Not the caller (users[0], ops-admin): its own keys are left out
        // of the plan (see the test after this one).
        let u = &mut iam.users[1];
        u.access_keys = vec![
            key("AKIAUNUSED44", KeyStatus::Active, 60, Some(44)),
            key("AKIAUNUSED45", KeyStatus::Active, 60, Some(45)),
            key("AKIANEVER50", KeyStatus::Active, 50, None),
            key("AKIAOLD90", KeyStatus::Active, 90, Some(1)),
            key("AKIAOLDINACTIVE", KeyStatus::Inactive, 900, Some(800)),
        ];
    }
    const ID: &str = "account.stale-access-keys";
    let user = inv
        .iam
        .ready()
        .map(|i| i.users[1].name.clone())
        .expect("user");
    let res = t.resources(&inv, ID);
    assert_eq!(
        res,
        vec![
            format!("user/{user}/key/AKIAUNUSED45"),
            format!("user/{user}/key/AKIANEVER50"),
            format!("user/{user}/key/AKIAOLD90"),
        ]
    );
    let one = Inputs {
        resources: vec![res[1].clone()],
        ..Inputs::default()
    };
    let plan = t.plan(&inv, ID, &one).expect("plan");
    assert_eq!(plan.steps.len(), 1);
    let after = t.fix(&inv, ID, &Inputs::default());
    assert_eq!(t.status(&after, ID), Status::Pass);
    assert!(matches!(
        t.plan(&after, ID, &Inputs::default()),
        Err(PlanError::NothingToDo(_))
    ));
}

/// The caller's own stale key fails the item but is left out of the plan:
/// it may be the key the session signs with, and AWS would refuse every
/// later call. With only the caller's keys stale, the plan is guided.
#[test]
fn the_callers_own_stale_keys_are_left_out_of_the_plan() {
    let t = T::at(now());
    let mut inv = demo();
    let caller = inv
        .identity
        .ready()
        .and_then(|i| i.arn.rsplit('/').next().map(str::to_string))
        .expect("the demo runs as an IAM user");
    if let Some(iam) = inv.iam.ready_mut() {
        for u in iam.users.iter_mut() {
            u.access_keys.clear();
        }
        let me = iam
            .users
            .iter_mut()
            .find(|u| u.name == caller)
            .expect("the caller's user");
        me.access_keys = vec![key("AKIAMINEOLD90", KeyStatus::Active, 90, Some(1))];
    }
    const ID: &str = "account.stale-access-keys";
    assert_eq!(t.status(&inv, ID), Status::Fail);
    let Err(PlanError::Guided(why)) = t.plan(&inv, ID, &Inputs::default()) else {
        panic!("the caller's key alone is not planned")
    };
    assert!(
        why.contains("AKIAMINEOLD90") && why.contains(&caller),
        "{why}"
    );
    // Beside another user's stale key: only that one is deactivated, and
    // the plan says why the caller's is not.
    if let Some(u) = inv
        .iam
        .ready_mut()
        .and_then(|i| i.users.iter_mut().find(|u| u.name != caller))
    {
        u.access_keys = vec![key("AKIAOTHER90", KeyStatus::Active, 90, Some(1))];
    }
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    let keys: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with("AKIAOTHER90"), "{keys:?}");
    assert!(
        plan.warnings.iter().any(|w| w.contains("AKIAMINEOLD90")),
        "{:?}",
        plan.warnings
    );
}

/// Set a console user's password dates (days before `now()`).
fn password(
    inv: &mut Inventory,
    user: &str,
    used: Option<i64>,
    changed: Option<i64>,
    created: Option<i64>,
) {
    let at = |d: Option<i64>| d.map(|d| now() - Duration::days(d));
    if let Some(rows) = inv.credential_report.ready_mut()
        && let Some(r) = rows.iter_mut().find(|r| r.user == user)
    {
        r.password_enabled = true;
        r.password_last_used = at(used);
        r.password_last_changed = at(changed);
        r.user_creation_time = at(created);
    }
}

/// CIS 2.11: console passwords unused for 45 days are stale too; a
/// password never used is aged from when it was set, not from the user.
#[test]
fn stale_console_passwords() {
    const ID: &str = "account.stale-access-keys";
    let t = T::at(now());
    let mut inv = demo();
    if let Some(iam) = inv.iam.ready_mut() {
        for u in iam.users.iter_mut() {
            u.access_keys.clear();
        }
    }
    assert_eq!(t.status(&inv, ID), Status::Pass);
    password(&mut inv, "ops-admin", Some(44), Some(300), Some(900));
    password(&mut inv, "dana", Some(45), Some(300), Some(900));
    // Never used: set 50 days ago (stale), 10 days ago for an old user (not).
    password(&mut inv, "lee", None, Some(50), Some(900));
    password(&mut inv, "ci-deploy", None, Some(10), Some(900));
    // No password-set date: the user's creation counts.
    password(&mut inv, "backup-sync", None, None, Some(60));
    // A disabled password is not a credential.
    if let Some(rows) = inv.credential_report.ready_mut() {
        for r in rows.iter_mut() {
            if r.user == "legacy-reporting" {
                r.password_enabled = false;
                r.password_last_used = Some(now() - Duration::days(400));
            }
        }
    }
    let r = evaluate(item(ID).expect("item"), &inv, &t.ctx());
    assert_eq!(r.status, Status::Fail);
    let res: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
    assert_eq!(res, vec!["user/dana", "user/lee", "user/backup-sync"]);
    assert!(r.findings[0].detail.contains("45 days"), "{:?}", r.findings);
    assert!(r.findings[1].detail.contains("never"), "{:?}", r.findings);
    assert!(r.summary.contains("3 console password"), "{}", r.summary);
    // The password part is guided: deleting a login profile has no undo.
    assert!(matches!(
        t.plan(&inv, ID, &Inputs::default()),
        Err(PlanError::Guided(m)) if m.contains("dana, lee, backup-sync")
    ));
    // With a stale key too, the plan deactivates the key and says the
    // passwords are left to the user.
    if let Some(iam) = inv.iam.ready_mut()
        && let Some(u) = iam.users.iter_mut().find(|u| u.name == "ci-deploy")
    {
        u.access_keys = vec![key("AKIAOLD", KeyStatus::Active, 200, Some(100))];
    }
    let plan = t.plan(&inv, ID, &Inputs::default()).expect("plan");
    let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
    assert_eq!(actions, vec!["iam:UpdateAccessKey"]);
    assert!(plan.is_reversible());
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("dana, lee, backup-sync")),
        "{:?}",
        plan.warnings
    );
    let only_dana = Inputs {
        resources: vec!["user/dana".into()],
        ..Inputs::default()
    };
    assert!(matches!(
        t.plan(&inv, ID, &only_dana),
        Err(PlanError::Guided(m)) if m.contains("dana") && !m.contains("lee")
    ));
}

#[test]
fn guided_items_pass_once_marked_done() {
    let mut t = T::at(now());
    let inv = Inventory::default();
    assert_eq!(t.status(&inv, "account.security-questions"), Status::Manual);
    t.done.insert("account.security-questions".into(), now());
    assert_eq!(t.status(&inv, "account.security-questions"), Status::Pass);
    assert_eq!(t.status(&inv, "account.billing-access"), Status::Manual);
}

#[test]
fn loading_and_error_states() {
    let t = T::at(now());
    let mut inv = Inventory::default();
    assert_eq!(t.status(&inv, "account.password-policy"), Status::Loading);
    inv.set_error(
        PartId::PasswordPolicy,
        crate::aws::inventory::PartError::new(
            "iam:GetAccountPasswordPolicy",
            Some("AccessDenied".into()),
            "no",
        ),
    );
    let r = evaluate(
        item("account.password-policy").expect("item"),
        &inv,
        &t.ctx(),
    );
    assert_eq!(r.status, Status::Error);
    assert!(
        r.summary.contains("iam:GetAccountPasswordPolicy"),
        "{}",
        r.summary
    );
}

#[test]
fn every_message_key_used_exists() {
    // Every check and plan on the demo account and on edge cases renders
    // without falling back to a raw key.
    let t = T::at(now());
    let invs = [
        demo(),
        Inventory::default(),
        as_root(demo(), vec![key("AKIAR", KeyStatus::Active, 1, None)]),
    ];
    for inv in &invs {
        for def in crate::checks::items() {
            let r = evaluate(def, inv, &t.ctx());
            assert!(
                !r.summary.contains(": pass") && !r.summary.starts_with(def.id),
                "{}",
                r.summary
            );
            for f in r.findings {
                assert!(!f.detail.starts_with(def.id), "{}", f.detail);
            }
        }
    }
    let _ = Draft::default();
}
