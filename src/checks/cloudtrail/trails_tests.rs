use super::*;
use crate::aws::inventory::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Part,
    PartError,
};
use crate::checks::testkit::{T, empty, statuses, trail};
use crate::plan::{Inputs, PlanError};

fn basic(rw: &str, management: bool, data: bool) -> EventSelector {
    EventSelector {
        read_write_type: rw.into(),
        include_management_events: management,
        data_resources: if data {
            vec![DataResource {
                kind: "AWS::S3::Object".into(),
                values: vec!["arn:aws:s3:::payroll/".into()],
            }]
        } else {
            vec![]
        },
        exclude_management_event_sources: vec![],
    }
}

fn field(name: &str, equals: &str) -> FieldSelector {
    FieldSelector {
        field: name.into(),
        equals: vec![equals.into()],
        ..FieldSelector::default()
    }
}

fn advanced(fields: Vec<FieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: None,
        field_selectors: fields,
    }
}

/// An account whose multi-region item can be judged, with `trails`.
fn account(trails: Vec<Trail>) -> Inventory {
    let mut inv = empty();
    inv.trails = Part::of(trails);
    inv.kms_keys = Part::Ready(Default::default());
    inv.s3 = Part::Ready(Default::default());
    inv.session_regions = Part::of(crate::aws::inventory::SessionRegions {
        home: "us-east-1".into(),
        regions: vec!["us-east-1".into()],
    });
    inv
}

fn with(selectors: EventSelectors) -> Inventory {
    let mut t = trail("org", "us-east-1", true);
    t.event_selectors = Some(Fetched::Ready(selectors));
    account(vec![t])
}

fn b(list: Vec<EventSelector>) -> EventSelectors {
    EventSelectors {
        basic: list,
        advanced: vec![],
    }
}

fn adv(list: Vec<AdvancedEventSelector>) -> EventSelectors {
    EventSelectors {
        basic: vec![],
        advanced: list,
    }
}

#[test]
fn a_logging_trail_must_record_management_events_read_and_write() {
    let t = T::new();
    let mut kms = basic("All", true, false);
    kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
    let failing = [
        ("no management events", b(vec![basic("All", false, true)])),
        ("read only", b(vec![basic("ReadOnly", true, false)])),
        ("write only", b(vec![basic("WriteOnly", true, true)])),
        ("kms excluded", b(vec![kms])),
        ("no selectors", b(vec![])),
        (
            "advanced data only",
            adv(vec![advanced(vec![
                field("eventCategory", "Data"),
                field("resources.type", "AWS::S3::Object"),
            ])]),
        ),
        (
            "advanced read-only management",
            adv(vec![advanced(vec![
                field("eventCategory", "Management"),
                field("readOnly", "true"),
            ])]),
        ),
        (
            "advanced management without kms",
            adv(vec![advanced(vec![
                field("eventCategory", "Management"),
                FieldSelector {
                    field: "eventSource".into(),
                    not_equals: vec!["kms.amazonaws.com".into()],
                    ..FieldSelector::default()
                },
            ])]),
        ),
    ];
    for (shape, selectors) in failing {
        let r = t.eval(&with(selectors.clone()), MULTI_REGION);
        assert_eq!(r.status, Status::Fail, "{shape}: {r:?}");
        assert_eq!(r.findings.len(), 1, "{shape}");
        assert_eq!(r.findings[0].resource, "trail/us-east-1/org", "{shape}");
        // The fix makes it pass and keeps the data events.
        let fixed = selectors.with_management().expect("fixable");
        assert!(fixed.management().complete(), "{shape}: {fixed:?}");
        let data = |s: &EventSelectors| {
            s.basic
                .iter()
                .map(|x| x.data_resources.len())
                .sum::<usize>()
                + s.advanced
                    .iter()
                    .filter(|a| a.field_selectors.contains(&field("eventCategory", "Data")))
                    .count()
        };
        assert_eq!(data(&fixed), data(&selectors), "{shape}: {fixed:?}");
        assert_eq!(
            t.status(&with(fixed), MULTI_REGION),
            Status::Pass,
            "{shape}"
        );
    }
    let r = t.eval(&with(b(vec![basic("ReadOnly", true, false)])), MULTI_REGION);
    assert!(r.findings[0].detail.contains("write"), "{r:?}");
    let mut kms = basic("All", true, false);
    kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
    let r = t.eval(&with(b(vec![kms])), MULTI_REGION);
    assert!(r.findings[0].detail.contains("kms.amazonaws.com"), "{r:?}");

    let passing = [
        ("aws default", EventSelectors::aws_default()),
        (
            "read and write across selectors",
            b(vec![
                basic("ReadOnly", true, false),
                basic("WriteOnly", true, true),
            ]),
        ),
        (
            "advanced management",
            adv(vec![
                advanced(vec![field("eventCategory", "Management")]),
                advanced(vec![field("eventCategory", "Data")]),
            ]),
        ),
        (
            "advanced read and write across selectors",
            adv(vec![
                advanced(vec![
                    field("eventCategory", "Management"),
                    field("readOnly", "true"),
                ]),
                advanced(vec![
                    field("eventCategory", "Management"),
                    field("readOnly", "false"),
                ]),
            ]),
        ),
    ];
    for (shape, selectors) in passing {
        assert_eq!(
            t.status(&with(selectors), MULTI_REGION),
            Status::Pass,
            "{shape}"
        );
    }
}

#[test]
fn an_unreadable_trail_is_an_error_only_when_nothing_else_works() {
    let t = T::new();
    let denied = PartError::new(
        "cloudtrail:GetTrailStatus",
        Some("TrailNotFoundException".into()),
        "Unknown trail",
    );
    let mut org = trail("organization", "us-east-1", true);
    org.status_error = Some(denied.clone());
    let mut read_only = trail("local", "us-east-1", true);
    read_only.event_selectors = Some(Fetched::Ready(b(vec![basic("ReadOnly", true, false)])));
    let mut inv = account(vec![org.clone(), read_only]);
    let r = t.eval(&inv, MULTI_REGION);
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert_eq!(
        statuses(&r),
        vec![
            ("trail/us-east-1/organization", Status::Error),
            ("trail/us-east-1/local", Status::Fail),
        ]
    );
    // The other items that read trails judge the readable ones.
    assert_ne!(t.status(&inv, LOG_VALIDATION), Status::Error);
    // Selectors that cannot be read count the same.
    let mut org2 = trail("organization", "us-east-1", true);
    org2.event_selectors = Some(Fetched::Error(denied));
    inv.trails = Part::of(vec![org2]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
    // A working trail beside the unreadable one: pass.
    inv.trails = Part::of(vec![org, trail("good", "us-east-1", true)]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
}

/// What CloudTrail answers a member reading an organization trail's
/// event selectors by ARN.
fn selectors_refused() -> PartError {
    PartError::new(
        "cloudtrail:GetEventSelectors",
        Some("CloudTrailARNInvalidException".into()),
        "AccountID in ARN is wrong, you can only access resources with AccountID 123456789012.",
    )
}

/// The management account's organization trail, as a member sees it:
/// its status read by ARN, its event selectors refused.
fn org_trail() -> Trail {
    let mut t = trail("organization", "us-east-1", true);
    t.arn = "arn:aws:cloudtrail:us-east-1:999988887777:trail/organization".into();
    t.event_selectors = Some(Fetched::Error(selectors_refused()));
    t
}

/// A member account whose organization trail is logging, selectors
/// unreadable, and sends events to a log group of the management
/// account (Control Tower's default): none of the trail items fails,
/// none passes, none errors; each names where to check.
#[test]
fn a_logging_organization_trail_whose_selectors_a_member_cannot_read_is_manual() {
    let t = T::new();
    let mut watched = org_trail();
    watched.cloudwatch_logs_log_group_arn = Some(
        "arn:aws:logs:us-east-1:999988887777:log-group:aws-controltower/CloudTrailLogs:*".into(),
    );
    let mut inv = account(vec![watched.clone()]);
    inv.metric_filters = Part::Ready(Default::default());
    inv.metric_alarms = Part::Ready(Default::default());
    inv.sns_topics = Part::Ready(Default::default());

    let r = t.eval(&inv, MULTI_REGION);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert_eq!(r.findings[0].status, Status::Manual, "{r:?}");
    assert!(
        r.findings[0].detail.contains("is logging")
            && r.findings[0].detail.contains("999988887777"),
        "{r:?}"
    );

    let alarms = crate::checks::cloudwatch::SECURITY_EVENT_ALARMS;
    let r = t.eval(&inv, alarms);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    let detail = &r.findings[0].detail;
    assert!(
        detail.contains("aws-controltower/CloudTrailLogs") && detail.contains("999988887777"),
        "{r:?}"
    );
    match t.plan(&inv, alarms, &Inputs::default()) {
        Err(PlanError::Guided(m)) => {
            assert_eq!(&m, detail);
            assert!(m.contains("aws-controltower/CloudTrailLogs"), "{m}");
        }
        other => panic!("{other:?}"),
    }

    // Stopped: the member sees that much, and it fails.
    let mut stopped = watched.clone();
    stopped.is_logging = false;
    inv.trails = Part::of(vec![stopped]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
    assert_eq!(t.status(&inv, alarms), Status::Fail);
    // A refusal of this account's own trail, or access denied on the
    // organization trail, stays an error: nothing says it is logging
    // what it should, and this account can fix its credentials.
    let mut denied = watched.clone();
    denied.event_selectors = Some(Fetched::Error(PartError::new(
        "cloudtrail:GetEventSelectors",
        Some("AccessDeniedException".into()),
        "denied",
    )));
    inv.trails = Part::of(vec![denied]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
    assert_ne!(t.status(&inv, alarms), Status::Manual);
    let mut own = trail("organization", "us-east-1", true);
    own.event_selectors = Some(Fetched::Error(selectors_refused()));
    inv.trails = Part::of(vec![own]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);
}

#[test]
fn another_accounts_organization_trail_is_judged_and_left_to_its_owner() {
    let t = T::new();
    let mut inv = account(vec![org_trail()]);
    inv.metric_filters = Part::Ready(Default::default());
    inv.metric_alarms = Part::Ready(Default::default());
    inv.sns_topics = Part::Ready(Default::default());
    // Logging, its selectors shown only to its owner: manual.
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Manual);
    // Where CloudTrail does show them (the management account's own
    // view, or a delegated administrator), a complete trail passes.
    let mut shown = org_trail();
    shown.event_selectors = Some(Fetched::Ready(EventSelectors::aws_default()));
    inv.trails = Part::of(vec![shown]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);

    // Stopped: fail, the finding names its owner; the plan is a guided
    // step for the owner, never NothingToDo, never a change.
    let mut stopped = org_trail();
    stopped.is_logging = false;
    inv.trails = Part::of(vec![stopped.clone()]);
    let r = t.eval(&inv, MULTI_REGION);
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(r.findings[0].detail.contains("999988887777"), "{r:?}");
    for id in [MULTI_REGION, LOG_VALIDATION, ENCRYPTED] {
        match t.plan(&inv, id, &Inputs::default()) {
            Err(PlanError::Guided(m)) => assert!(m.contains("999988887777"), "{id}: {m}"),
            other => panic!("{id}: {other:?}"),
        }
    }
    // Selectors leaving write events out: the same.
    let mut read_only = org_trail();
    read_only.event_selectors = Some(Fetched::Ready(b(vec![basic("ReadOnly", true, false)])));
    inv.trails = Part::of(vec![read_only]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
    assert!(matches!(
        t.plan(&inv, MULTI_REGION, &Inputs::default()),
        Err(PlanError::Guided(_))
    ));

    // CloudTrail refusing to show it to this account: manual (only the
    // owner can tell), not an error this account cannot clear.
    let mut hidden = org_trail();
    hidden.status_error = Some(PartError::new(
        "cloudtrail:GetTrailStatus",
        Some("TrailNotFoundException".into()),
        "Unknown trail",
    ));
    inv.trails = Part::of(vec![hidden.clone()]);
    let r = t.eval(&inv, MULTI_REGION);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert_eq!(r.findings[0].status, Status::Manual);
    // Access denied to this account's credentials stays an error.
    hidden.status_error = Some(PartError::new(
        "cloudtrail:GetTrailStatus",
        Some("AccessDeniedException".into()),
        "denied",
    ));
    inv.trails = Part::of(vec![hidden]);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Error);

    // Security alarms on the owner's log group of a trail whose
    // selectors are shown: checked there.
    let mut watched = org_trail();
    watched.event_selectors = Some(Fetched::Ready(EventSelectors::aws_default()));
    watched.cloudwatch_logs_log_group_arn =
        Some("arn:aws:logs:us-east-1:999988887777:log-group:org-trail:*".into());
    inv.trails = Part::of(vec![watched.clone()]);
    let r = t.eval(&inv, crate::checks::cloudwatch::SECURITY_EVENT_ALARMS);
    assert_eq!(r.status, Status::Manual, "{r:?}");
    assert!(r.findings[0].detail.contains("org-trail"), "{r:?}");
    // ...and its plan says so, rather than "no trail sends events".
    match t.plan(
        &inv,
        crate::checks::cloudwatch::SECURITY_EVENT_ALARMS,
        &Inputs::default(),
    ) {
        Err(PlanError::Guided(m)) => assert_eq!(m, r.findings[0].detail),
        other => panic!("{other:?}"),
    }
    // ...but not when it stopped logging.
    watched.is_logging = false;
    inv.trails = Part::of(vec![watched]);
    assert_eq!(
        t.status(&inv, crate::checks::cloudwatch::SECURITY_EVENT_ALARMS),
        Status::Fail
    );
}

#[test]
fn five_basic_data_selectors_move_to_advanced_or_make_a_guided_step() {
    let t = T::new();
    let selectors = b((0..5).map(|_| basic("WriteOnly", false, true)).collect());
    let inv = with(selectors);
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Fail);
    let plan = t
        .plan(&inv, MULTI_REGION, &Inputs::default())
        .expect("plan");
    let fixed = t.fix(&inv, MULTI_REGION, &Inputs::default());
    assert_eq!(t.status(&fixed, MULTI_REGION), Status::Pass, "{plan:?}");
    let mut lambda = b((0..5).map(|_| basic("WriteOnly", false, true)).collect());
    lambda.basic[0].data_resources[0] = DataResource {
        kind: "AWS::Lambda::Function".into(),
        values: vec!["arn:aws:lambda".into()],
    };
    match t.plan(&with(lambda), MULTI_REGION, &Inputs::default()) {
        Err(PlanError::Guided(m)) => assert!(m.contains("five"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_complete_selector_beside_an_excluding_one_passes() {
    let t = T::new();
    let mut kms = basic("All", true, true);
    kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
    let inv = with(b(vec![basic("All", true, false), kms]));
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
    let inv = with(adv(vec![
        advanced(vec![field("eventCategory", "Management")]),
        advanced(vec![
            field("eventCategory", "Management"),
            FieldSelector {
                field: "eventSource".into(),
                not_equals: vec!["kms.amazonaws.com".into()],
                ..FieldSelector::default()
            },
        ]),
    ]));
    assert_eq!(t.status(&inv, MULTI_REGION), Status::Pass);
}

/// A trail bucket whose versioning the scan did not read is unknown (an
/// error), never "unversioned".
#[test]
fn trail_bucket_versioning_not_read_is_unknown() {
    let mut t = trail("org", "us-east-1", true);
    t.s3_bucket = Some("trail-logs".into());
    let mut inv = account(vec![t]);
    let mut bucket = crate::aws::inventory::Bucket::new("trail-logs", "us-east-1");
    bucket.versioning = None;
    inv.s3 = Part::of(crate::aws::inventory::S3 {
        buckets: vec![bucket.clone()],
        owner_id: None,
    });
    let t = T::new();
    let r = t.eval(&inv, BUCKET_MFA_DELETE);
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(r.findings[0].detail.contains("not read"), "{r:?}");
    bucket.versioning = Some(Fetched::Ready(crate::aws::inventory::Versioning::default()));
    inv.s3 = Part::of(crate::aws::inventory::S3 {
        buckets: vec![bucket],
        owner_id: None,
    });
    assert_eq!(t.status(&inv, BUCKET_MFA_DELETE), Status::Fail);
}
