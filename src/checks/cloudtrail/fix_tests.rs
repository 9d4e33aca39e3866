use super::*;
use crate::aws::inventory::{InlinePolicy, Role, Transition, User};
use crate::checks::testkit::midnight as now;
use crate::checks::testkit::*;
use crate::plan::{Inputs, Op, PlanError};
use serde_json::json;

const BUCKET: &str = "example-corp-cloudtrail";

fn demo() -> Inventory {
    crate::collect::demo::demo_inventory().expect("demo inventory")
}

fn glacier_rule(id: &str, size_greater_than: Option<i64>) -> LifecycleRule {
    LifecycleRule {
        id: Some(id.into()),
        status: "Enabled".into(),
        filter: Some(crate::aws::inventory::LifecycleFilter {
            prefix: Some("AWSLogs/".into()),
            object_size_greater_than: size_greater_than,
            ..Default::default()
        }),
        prefix: None,
        transitions: vec![Transition {
            days: Some(30),
            date: None,
            storage_class: "GLACIER".into(),
        }],
        expiration: None,
        noncurrent_transitions: vec![],
        noncurrent_expiration: None,
        abort_incomplete_multipart_days: None,
    }
}

/// The demo trail bucket with `rule` added and the given default minimum size.
fn with_rule(rule: Option<LifecycleRule>, min_size: Option<&str>) -> Inventory {
    let mut inv = demo();
    let lc = inv.trail_lifecycles.ready_mut().expect("lifecycles");
    let l = lc.get_mut(BUCKET).expect("demo trail bucket");
    if let (Some(r), Fetched::Ready(rules)) = (rule, &mut l.rules) {
        rules.push(r);
    }
    l.transition_default_minimum_object_size = min_size.map(str::to_string);
    inv
}

#[test]
fn a_glacier_rule_under_the_128k_default_does_not_archive_log_files() {
    let t = T::at(now());
    let inv = with_rule(
        Some(glacier_rule("to-glacier", None)),
        Some(crate::aws::inventory::MIN_SIZE_128K),
    );
    let r = t.eval(&inv, ARCHIVE_TO_GLACIER);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert_eq!(r.findings.len(), 1);
    let d = &r.findings[0].detail;
    assert!(
        d.contains("to-glacier") && d.contains("all_storage_classes_128K"),
        "{d}"
    );
    assert!(d.contains("128 KB"), "{d}");
    // S3 not saying is S3's default.
    let unsaid = with_rule(Some(glacier_rule("to-glacier", None)), None);
    assert_eq!(t.status(&unsaid, ARCHIVE_TO_GLACIER), Status::Fail);
    // A rule-level size filter above a log file's size does not help either.
    let big = with_rule(
        Some(glacier_rule("big-only", Some(200_000))),
        Some("varies_by_storage_class"),
    );
    let r = t.eval(&big, ARCHIVE_TO_GLACIER);
    assert_eq!(r.status, Status::Fail);
    assert!(r.findings[0].detail.contains("200000"), "{:?}", r.findings);
}

#[test]
fn small_log_files_transition_with_varies_or_a_small_size_filter() {
    let t = T::at(now());
    let varies = with_rule(
        Some(glacier_rule("to-glacier", None)),
        Some(MIN_SIZE_VARIES),
    );
    assert_eq!(t.status(&varies, ARCHIVE_TO_GLACIER), Status::Pass);
    let filtered = with_rule(
        Some(glacier_rule("to-glacier", Some(1))),
        Some(crate::aws::inventory::MIN_SIZE_128K),
    );
    assert_eq!(t.status(&filtered, ARCHIVE_TO_GLACIER), Status::Pass);
    // An upper size bound leaves the larger log files out.
    let mut capped = glacier_rule("capped", Some(1));
    if let Some(f) = capped.filter.as_mut() {
        f.object_size_less_than = Some(4096);
    }
    let capped = with_rule(Some(capped), Some(MIN_SIZE_VARIES));
    assert_eq!(t.status(&capped, ARCHIVE_TO_GLACIER), Status::Fail);
}

#[test]
fn archive_plan_filters_its_rule_by_size_and_keeps_the_bucket_default() {
    let t = T::at(now());
    let req = Inputs::default().with("days", "90");
    for min in [crate::aws::inventory::MIN_SIZE_128K, MIN_SIZE_VARIES] {
        let inv = with_rule(Some(glacier_rule("to-glacier", None)), Some(min));
        let plan = t.plan(&inv, ARCHIVE_TO_GLACIER, &req);
        if min == MIN_SIZE_VARIES {
            assert!(matches!(plan, Err(PlanError::NothingToDo(_))), "{plan:?}");
            continue;
        }
        let plan = plan.expect("plan");
        let Some(Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
            rules,
            transition_default_minimum_object_size,
            ..
        })) = plan.ops().next()
        else {
            panic!("{plan:?}")
        };
        assert_eq!(transition_default_minimum_object_size.as_deref(), Some(min));
        let new = rules.last().expect("new rule");
        let f = new.filter.as_ref().expect("filter");
        assert_eq!(f.object_size_greater_than, Some(1));
        assert_eq!(f.prefix.as_deref(), Some("AWSLogs/"));
        // Applied, the item passes; undo gives back rules and setting.
        let after = t.fix(&inv, ARCHIVE_TO_GLACIER, &req);
        assert_eq!(t.status(&after, ARCHIVE_TO_GLACIER), Status::Pass);
        let undo = &plan.steps[0].inverse;
        assert!(
            matches!(
                undo.as_deref(),
                Some([Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
                    transition_default_minimum_object_size: Some(m),
                    ..
                })]) if m == min
            ),
            "{undo:?}"
        );
    }
    // A bucket configured before September 2024 keeps varies_by_storage_class
    // for its other rules even when moat adds its own rule.
    let old = with_rule(None, Some(MIN_SIZE_VARIES));
    let plan = t.plan(&old, ARCHIVE_TO_GLACIER, &req).expect("plan");
    assert!(
        plan.ops().any(
            |o| matches!(o, Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle {
                transition_default_minimum_object_size: Some(m), ..
            }) if m == MIN_SIZE_VARIES)
        ),
        "{plan:?}"
    );
}

/// An organization trail of another account: its topic is managed
/// there, so the member account gets a manual note, not an error, and
/// the plan never touches it.
#[test]
fn another_account_s_trail_is_left_to_its_owner() {
    let t = T::at(now());
    let mut inv = demo();
    if let Some(ts) = inv.trails.ready_mut() {
        for tr in ts.iter_mut() {
            tr.arn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org".into();
            tr.sns_topic_arn = None;
        }
    }
    let r = t.eval(&inv, SNS_NOTIFICATIONS);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert!(r.findings.iter().all(|f| f.detail.contains("999988887777")));
    let plan = t.plan(
        &inv,
        SNS_NOTIFICATIONS,
        &Inputs::default().with("email", "ops@example.com"),
    );
    assert!(matches!(plan, Err(PlanError::NothingToDo(_))), "{plan:?}");
}

/// A trail with an S3KeyPrefix writes under PREFIX/AWSLogs/: a rule on
/// AWSLogs/ archives nothing of it, and the fix's rule names the prefix.
#[test]
fn archiving_follows_the_trails_key_prefix() {
    let t = T::at(now());
    let req = Inputs::default().with("days", "90");
    let mut inv = with_rule(
        Some(glacier_rule("to-glacier", Some(1))),
        Some(crate::aws::inventory::MIN_SIZE_128K),
    );
    assert_eq!(t.status(&inv, ARCHIVE_TO_GLACIER), Status::Pass);
    if let Some(trails) = inv.trails.ready_mut() {
        for tr in trails
            .iter_mut()
            .filter(|tr| tr.s3_bucket.as_deref() == Some(BUCKET))
        {
            tr.s3_key_prefix = Some("org-logs".into());
        }
    }
    let r = t.eval(&inv, ARCHIVE_TO_GLACIER);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(
        r.findings[0].detail.contains("org-logs/AWSLogs/"),
        "{:?}",
        r.findings
    );
    let plan = t.plan(&inv, ARCHIVE_TO_GLACIER, &req).expect("plan");
    let Some(Op::PutBucketLifecycle(crate::aws::ops::PutBucketLifecycle { rules, .. })) =
        plan.ops().next()
    else {
        panic!("{plan:?}")
    };
    let new = rules
        .last()
        .and_then(|r| r.filter.as_ref())
        .expect("filter");
    assert_eq!(new.prefix.as_deref(), Some("org-logs/AWSLogs/"));
    let after = t.fix(&inv, ARCHIVE_TO_GLACIER, &req);
    assert_eq!(t.status(&after, ARCHIVE_TO_GLACIER), Status::Pass);
}

fn allow_cloudtrail() -> Vec<InlinePolicy> {
    vec![InlinePolicy {
        name: "trail-ops".into(),
        document: json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}]}),
    }]
}

fn role(name: &str, path: &str) -> Role {
    Role {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"),
        trust_policy: json!({"Version": "2012-10-17", "Statement": []}),
        attached_policies: vec![],
        inline_policies: allow_cloudtrail(),
        permissions_boundary: None,
    }
}

const SSO_ROLE: &str = "AWSReservedSSO_TrailAdmins_0123456789abcdef";

/// The demo account plus an Identity Center role, a role moat may run
/// as, and a group (with one user) that may all stop trails.
fn tamper_inventory(caller: &str) -> Inventory {
    let mut inv = demo();
    let iam = inv.iam.ready_mut().expect("iam");
    iam.roles
        .push(role(SSO_ROLE, "/aws-reserved/sso.amazonaws.com/eu-west-1/"));
    iam.roles.push(role("ci-runner", "/"));
    iam.groups.push(crate::aws::inventory::Group {
        name: "TrailOps".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:group/TrailOps"),
        attached_policies: vec![],
        inline_policies: allow_cloudtrail(),
    });
    iam.users.push(User {
        name: "operator".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/ops/operator"),
        created: None,
        access_keys: vec![],
        mfa_devices: vec![],
        groups: vec!["TrailOps".into()],
        attached_policies: vec![],
        inline_policies: vec![],
        permissions_boundary: None,
        unreadable: None,
    });
    if let Some(i) = inv.identity.ready_mut() {
        i.arn = caller.to_string();
    }
    inv
}

fn attached(plan: &crate::plan::Plan) -> Vec<String> {
    plan.ops()
        .filter_map(|o| match o {
            Op::AttachGroupPolicy(crate::aws::ops::AttachGroupPolicy { group, .. }) => {
                Some(format!("group/{group}"))
            }
            Op::AttachUserPolicy(crate::aws::ops::AttachUserPolicy { user, .. }) => {
                Some(format!("user/{user}"))
            }
            Op::AttachRolePolicy(crate::aws::ops::AttachRolePolicy { role, .. }) => {
                Some(format!("role/{role}"))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn identity_center_roles_and_the_callers_role_are_never_targeted() {
    let t = T::at(now());
    let inv = tamper_inventory(&format!(
        "arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/moat-session"
    ));
    let r = t.eval(&inv, API_PROTECTED);
    assert_eq!(r.status, Status::Fail);
    let sso = r
        .findings
        .iter()
        .find(|f| f.resource == format!("role/{SSO_ROLE}"))
        .expect("the Identity Center role stays a finding");
    assert!(sso.detail.contains("TrailAdmins"), "{}", sso.detail);
    assert!(sso.detail.contains("IAM Identity Center"), "{}", sso.detail);
    let me = r
        .findings
        .iter()
        .find(|f| f.resource == "role/ci-runner")
        .expect("the caller stays a finding");
    assert!(me.detail.contains("moat runs as"), "{}", me.detail);

    let plan = t
        .plan(&inv, API_PROTECTED, &Inputs::default())
        .expect("plan");
    let targets = attached(&plan);
    assert!(
        targets.contains(&"group/TrailOps".to_string()),
        "{targets:?}"
    );
    assert!(
        !targets.iter().any(|x| x == &format!("role/{SSO_ROLE}")),
        "{targets:?}"
    );
    assert!(
        !targets.iter().any(|x| x == "role/ci-runner"),
        "{targets:?}"
    );
    let w = plan.warnings.join("\n");
    assert!(
        w.contains(&format!("role/{SSO_ROLE}")) && w.contains("role/ci-runner"),
        "{w}"
    );

    // Only those two selected: nothing moat may do, said as guidance.
    let only = Inputs {
        resources: vec![format!("role/{SSO_ROLE}"), "role/ci-runner".into()],
        ..Inputs::default()
    };
    assert!(
        matches!(
            t.plan(&inv, API_PROTECTED, &only),
            Err(PlanError::Guided(_))
        ),
        "reserved and caller roles only"
    );
}

/// A role AWS Control Tower protects is never changed by the fix (its
/// SCP refuses the attachment), so its finding is a manual one naming
/// Control Tower; any other offender still fails the item.
#[test]
fn control_tower_roles_are_a_manual_finding_others_still_fail() {
    let t = T::at(now());
    let ct = "aws-controltower-AdministratorExecutionRole";
    // The demo account without its offenders passes.
    let mut inv = demo();
    let gone: Vec<access::Principal> = offenders(&inv).into_iter().map(|o| o.principal).collect();
    let is_gone =
        |kind: PrincipalKind, name: &str| gone.iter().any(|p| p.kind == kind && p.name == name);
    if let Some(iam) = inv.iam.ready_mut() {
        iam.users.retain(|u| !is_gone(PrincipalKind::User, &u.name));
        iam.groups
            .retain(|g| !is_gone(PrincipalKind::Group, &g.name));
        iam.roles.retain(|r| !is_gone(PrincipalKind::Role, &r.name));
        for u in &mut iam.users {
            u.groups.retain(|g| !is_gone(PrincipalKind::Group, g));
        }
    }
    assert_eq!(t.status(&inv, API_PROTECTED), Status::Pass);
    if let Some(iam) = inv.iam.ready_mut() {
        iam.roles.push(role(ct, "/"));
    }
    let r = t.eval(&inv, API_PROTECTED);
    let f = r
        .findings
        .iter()
        .find(|f| f.resource == format!("role/{ct}"))
        .expect("the Control Tower role stays a finding");
    assert_eq!(f.status, Status::Manual, "{}", f.detail);
    assert!(f.detail.contains("Control Tower"), "{}", f.detail);
    assert_eq!(r.status, Status::Manual, "{}", r.summary);
    assert!(r.summary.contains("Control Tower"), "{}", r.summary);
    // The plan leaves it out too: nothing moat may do.
    assert!(
        matches!(
            t.plan(&inv, API_PROTECTED, &Inputs::default()),
            Err(PlanError::Guided(_))
        ),
        "a Control Tower role only"
    );

    // A role that only looks alike is not protected, and still fails.
    let mut other = inv.clone();
    if let Some(iam) = other.iam.ready_mut() {
        iam.roles.push(role("controltower-helper", "/"));
    }
    let r = t.eval(&other, API_PROTECTED);
    assert_eq!(r.status, Status::Fail, "{}", r.summary);
    let f = r
        .findings
        .iter()
        .find(|f| f.resource == "role/controltower-helper")
        .expect("the other role");
    assert_eq!(f.status, Status::Fail);
    assert!(!f.detail.contains("Control Tower"), "{}", f.detail);
}

#[test]
fn the_calling_user_and_its_groups_are_never_targeted() {
    let t = T::at(now());
    let inv = tamper_inventory(&format!("arn:aws:iam::{ACCOUNT}:user/ops/operator"));
    let plan = t.plan(&inv, API_PROTECTED, &Inputs::default());
    let targets = match &plan {
        Ok(p) => attached(p),
        Err(PlanError::Guided(_)) => vec![],
        Err(e) => panic!("{e}"),
    };
    assert!(
        !targets.iter().any(|x| x == "group/TrailOps"),
        "{targets:?}"
    );
    assert!(!targets.iter().any(|x| x == "user/operator"), "{targets:?}");
    let r = t.eval(&inv, API_PROTECTED);
    let group = r
        .findings
        .iter()
        .find(|f| f.resource == "group/TrailOps")
        .expect("group finding");
    assert!(
        group.detail.contains("is in this group"),
        "{}",
        group.detail
    );
}

#[test]
fn caller_principals_from_arns() {
    use PrincipalKind as K;
    assert_eq!(
        caller_principal("arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_x/alice"),
        Some((K::Role, "AWSReservedSSO_Admin_x".into()))
    );
    assert_eq!(
        caller_principal("arn:aws:iam::1:user/division/bob"),
        Some((K::User, "bob".into()))
    );
    // moto names its caller this way.
    assert_eq!(
        caller_principal("arn:aws:sts::123456789012:user/moto"),
        Some((K::User, "moto".into()))
    );
    assert_eq!(caller_principal("arn:aws:iam::1:root"), None);
    assert_eq!(
        caller_principal("arn:aws:sts::1:federated-user/carol"),
        None
    );
    assert_eq!(permission_set("AWSReservedSSO_Admin_x"), "Admin");
    assert_eq!(
        permission_set("AWSReservedSSO_Read_Only_0123abcd"),
        "Read_Only"
    );
}

#[test]
fn undo_of_the_trail_key_leaves_the_key_and_says_so() {
    let t = T::at(now());
    let inv = demo();
    let plan = t.plan(&inv, ENCRYPTED, &Inputs::default()).expect("plan");
    let create = plan
        .steps
        .iter()
        .find(|s| matches!(s.op, Op::CreateKmsKey(crate::aws::ops::CreateKmsKey { .. })))
        .expect("a key is created");
    assert_eq!(create.inverse, Some(vec![]), "the key stays on undo");
    let inverses: Vec<&Op> = plan
        .steps
        .iter()
        .flat_map(|s| s.inverse.iter().flatten())
        .collect();
    assert!(
        !inverses.iter().any(|o| matches!(
            o,
            Op::ScheduleKmsKeyDeletion(crate::aws::ops::ScheduleKmsKeyDeletion { .. })
        )),
        "{inverses:?}"
    );
    // The trail goes back to no key.
    assert!(inverses.iter().any(|o| matches!(o,
            Op::UpdateTrail(crate::aws::ops::UpdateTrail { edits, .. })
                if edits == &vec![crate::plan::TrailEdit::KmsKey { key: None }])));
    let note = create.op.undo_note().expect("undo note");
    assert!(
        note.contains("1 USD") && note.contains("your decision"),
        "{note}"
    );
    // A journal of an earlier version scheduled the deletion: undo drops it.
    let legacy = vec![Op::ScheduleKmsKeyDeletion(
        crate::aws::ops::ScheduleKmsKeyDeletion {
            region: US.into(),
            alias: "alias/moat-cloudtrail".into(),
            pending_days: 7,
            key_id: None,
        },
    )];
    assert!(create.op.undo_ops(legacy).is_empty());
}

/// A public trail bucket without a block: the policy is narrowed before
/// the block goes on, so that S3 (which refuses a public policy under
/// BlockPublicPolicy) accepts the undo too: it lifts the block first, then
/// puts the public policy back.
#[test]
fn bucket_not_public_narrows_the_policy_before_the_block_so_undo_works() {
    let mut inv = demo();
    let s3 = inv.s3.ready_mut().expect("s3");
    let b = s3
        .bucket_mut("example-corp-cloudtrail")
        .expect("the demo's trail bucket");
    b.public_access_block = Fetched::Ready(None);
    let mut doc = b.policy.ready().and_then(|p| p.clone()).expect("a policy");
    if let Some(list) = doc["Statement"].as_array_mut() {
        list.push(json!({
            "Sid": "Public", "Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-corp-cloudtrail/*"
        }));
    }
    b.policy = Fetched::Ready(Some(doc));
    let ctx = crate::checks::Ctx {
        now: now(),
        settings: &Default::default(),
        done: &Default::default(),
    };
    let draft = super::fix::bucket_not_public(&inv, &ctx, &Inputs::default()).expect("a plan");
    let actions: Vec<&str> = draft.ops.iter().map(|o| o.action()).collect();
    assert_eq!(
        actions,
        ["s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock"],
        "{actions:?}"
    );
    let plan = crate::plan::make_plan(&inv, BUCKET_NOT_PUBLIC, draft).expect("planned");
    let mut after = inv.clone();
    for op in plan.ops() {
        after.apply(op).expect("applies");
    }
    let undo: Vec<Op> = plan
        .steps
        .iter()
        .rev()
        .flat_map(|s| s.inverse.clone().expect("reversible"))
        .collect();
    crate::plan::make_plan(
        &after,
        "undo",
        crate::plan::Draft {
            ops: undo,
            warnings: vec![],
        },
    )
    .expect("S3 accepts the undo: the block is lifted before the public policy returns");
}
