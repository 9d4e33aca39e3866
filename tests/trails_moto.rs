//! What counts as a working trail, against moto taught CloudTrail's event
//! selectors and organization trails (tests/support/aws_behaviours/
//! cloudtrail_*.py): a multi-region trail that is logging but whose
//! selectors leave management events out fails (selectors are ORed); a
//! member account reads an organization trail's status by ARN but not its
//! selectors, so a logging one is left for its owner to confirm (manual),
//! with its fixes; vpc.trail-coverage agrees;
//! the fix sets the selectors, keeps data events, and undo restores the
//! exact previous selectors.

mod support;

use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
};
use serde_json::Value;
use std::path::Path;
use support::run::{US_EAST_1 as R, assert_ok, item, moat, stdout_json};
use support::seed_cloudtrail::{cloudtrail, trail_bucket};
use support::seed_cloudwatch::logs;
use support::{Moto, block_on, output_text, s3_client, temp_state_dir};

const MULTI: &str = "cloudtrail.multi-region-trail";
const VPC: &str = "vpc.trail-coverage";
const BUCKET: &str = "trail-selector-logs";
const TRAIL: &str = "org-wide";
/// The management account of the organization, in the org-trail test.
const MANAGEMENT_ACCOUNT: &str = "999988887777";

fn scan(ep: &str, state: &Path, ids: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    for id in ids {
        args.extend(["--item", id]);
    }
    stdout_json(&moat(ep, state, R, &args))
}

fn status(ep: &str, state: &Path, id: &str) -> (String, Value) {
    let v = scan(ep, state, &[id]);
    let i = item(&v, id).clone();
    (i["status"].as_str().unwrap_or_default().to_string(), i)
}

/// A bucket and a multi-region trail that is logging, with AWS's default
/// selectors (every management event).
async fn seed_logging_trail(ep: &str) {
    trail_bucket(ep, BUCKET, TRAIL).await;
    let ct = cloudtrail(ep, "us-east-1");
    ct.create_trail()
        .name(TRAIL)
        .s3_bucket_name(BUCKET)
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("trail");
    ct.start_logging()
        .name(TRAIL)
        .send()
        .await
        .expect("start logging");
}

fn s3_data_resource() -> DataResource {
    DataResource::builder()
        .r#type("AWS::S3::Object")
        .values("arn:aws:s3:::payroll-exports/")
        .build()
}

fn basic(rw: ReadWriteType, management: bool, data: bool) -> EventSelector {
    let b = EventSelector::builder()
        .read_write_type(rw)
        .include_management_events(management);
    if data {
        b.data_resources(s3_data_resource()).build()
    } else {
        b.build()
    }
}

fn field(name: &str, equals: &str) -> AdvancedFieldSelector {
    AdvancedFieldSelector::builder()
        .field(name)
        .equals(equals)
        .build()
        .expect("field selector")
}

fn advanced_data_only() -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name("S3 object writes")
        .field_selectors(field("eventCategory", "Data"))
        .field_selectors(field("resources.type", "AWS::S3::Object"))
        .field_selectors(field("readOnly", "false"))
        .build()
        .expect("advanced selector")
}

enum Selectors {
    Basic(Vec<EventSelector>),
    Advanced(Vec<AdvancedEventSelector>),
}

/// The trail of [`seed_logging_trail`] with these basic event selectors.
async fn logging_trail_with_basic(ep: &str, selectors: Vec<EventSelector>) {
    seed_logging_trail(ep).await;
    put_basic(ep, selectors).await;
}

async fn put_basic(ep: &str, selectors: Vec<EventSelector>) {
    cloudtrail(ep, "us-east-1")
        .put_event_selectors()
        .trail_name(TRAIL)
        .set_event_selectors(Some(selectors))
        .send()
        .await
        .expect("put basic selectors");
}

async fn put_advanced(ep: &str, selectors: Vec<AdvancedEventSelector>) {
    cloudtrail(ep, "us-east-1")
        .put_event_selectors()
        .trail_name(TRAIL)
        .set_advanced_event_selectors(Some(selectors))
        .send()
        .await
        .expect("put advanced selectors");
}

async fn read_selectors(ep: &str) -> (Vec<EventSelector>, Vec<AdvancedEventSelector>) {
    let out = cloudtrail(ep, "us-east-1")
        .get_event_selectors()
        .trail_name(TRAIL)
        .send()
        .await
        .expect("get selectors");
    (
        out.event_selectors().to_vec(),
        out.advanced_event_selectors().to_vec(),
    )
}

#[test]
fn logging_trail_without_read_and_write_management_events_fails() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(seed_logging_trail(ep));
    // AWS's default selectors: every management event.
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "{i}");

    let shapes: Vec<(&str, Selectors)> = vec![
        (
            "no management events",
            Selectors::Basic(vec![basic(ReadWriteType::All, false, true)]),
        ),
        (
            "read-only management events",
            Selectors::Basic(vec![basic(ReadWriteType::ReadOnly, true, false)]),
        ),
        (
            "write-only management events",
            Selectors::Basic(vec![basic(ReadWriteType::WriteOnly, true, false)]),
        ),
        (
            "data events only, advanced",
            Selectors::Advanced(vec![advanced_data_only()]),
        ),
        (
            "management events without KMS",
            Selectors::Basic(vec![
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .exclude_management_event_sources("kms.amazonaws.com")
                    .build(),
            ]),
        ),
    ];
    for (shape, selectors) in shapes {
        block_on(async {
            match selectors {
                Selectors::Basic(b) => put_basic(ep, b).await,
                Selectors::Advanced(a) => put_advanced(ep, a).await,
            }
        });
        let (s, i) = status(ep, state.path(), MULTI);
        assert_eq!(s, "fail", "{shape}: {i}");
        let findings = i["findings"].as_array().cloned().unwrap_or_default();
        assert!(
            findings
                .iter()
                .any(|f| f["resource"] == format!("trail/us-east-1/{TRAIL}")
                    && f["status"] == "fail"),
            "{shape}: the finding names the trail: {i}"
        );
    }

    // Read and write covered across two basic selectors: pass.
    block_on(put_basic(
        ep,
        vec![
            basic(ReadWriteType::ReadOnly, true, false),
            basic(ReadWriteType::WriteOnly, true, true),
        ],
    ));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "read + write across selectors: {i}");
    // Advanced: management events, with data events beside them: pass.
    block_on(put_advanced(
        ep,
        vec![
            AdvancedEventSelector::builder()
                .name("Management events")
                .field_selectors(field("eventCategory", "Management"))
                .build()
                .expect("advanced"),
            advanced_data_only(),
        ],
    ));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "advanced management selector: {i}");
}

#[test]
fn a_multi_region_trail_that_is_not_logging_does_not_cover_vpcs() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(seed_logging_trail(ep));
    // A VPC in the region (moto may also hold a default one).
    create_vpc(ep);
    let (s, i) = status(ep, state.path(), VPC);
    assert_eq!(s, "pass", "logging trail covers the region: {i}");
    block_on(async {
        cloudtrail(ep, "us-east-1")
            .stop_logging()
            .name(TRAIL)
            .send()
            .await
            .expect("stop logging")
    });
    let v = scan(ep, state.path(), &[VPC, MULTI]);
    assert_eq!(item(&v, VPC)["status"], "fail", "{v}");
    assert_eq!(item(&v, MULTI)["status"], "fail", "{v}");
    // The same verdict for a trail that logs no management events.
    block_on(async {
        cloudtrail(ep, "us-east-1")
            .start_logging()
            .name(TRAIL)
            .send()
            .await
            .expect("start logging");
        put_advanced(ep, vec![advanced_data_only()]).await;
    });
    let v = scan(ep, state.path(), &[VPC, MULTI]);
    assert_eq!(item(&v, VPC)["status"], "fail", "{v}");
    assert_eq!(item(&v, MULTI)["status"], "fail", "{v}");
}

/// The header moto takes to act as another account.
fn as_management(r: &mut aws_smithy_runtime_api::http::Request) {
    r.headers_mut()
        .insert("x-moto-account-id", MANAGEMENT_ACCOUNT);
}

const ORG_TRAIL: &str = "organization-trail";
const ALARMS: &str = "cloudwatch.security-event-alarms";
/// Where Control Tower's organization trail sends events: a log group of
/// the management account.
const ORG_LOG_GROUP: &str = "aws-controltower/CloudTrailLogs";

/// An organization trail of the management account, logging, as a member
/// sees it: listed by DescribeTrails, its status read by ARN, its event
/// selectors refused, changed only by its owner. With `log_group`, it
/// sends events to that log group of the management account.
async fn seed_organization_trail(ep: &str, log_group: Option<&str>) {
    let bucket = "org-trail-logs-central";
    s3_client(ep, "us-east-1")
        .await
        .create_bucket()
        .bucket(bucket)
        .customize()
        .mutate_request(as_management)
        .send()
        .await
        .expect("org bucket");
    if let Some(group) = log_group {
        logs(ep, "us-east-1")
            .create_log_group()
            .log_group_name(group)
            .customize()
            .mutate_request(as_management)
            .send()
            .await
            .expect("org log group");
    }
    let ct = cloudtrail(ep, "us-east-1");
    ct.create_trail()
        .name(ORG_TRAIL)
        .s3_bucket_name(bucket)
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .set_cloud_watch_logs_log_group_arn(
            log_group
                .map(|g| format!("arn:aws:logs:us-east-1:{MANAGEMENT_ACCOUNT}:log-group:{g}:*")),
        )
        .set_cloud_watch_logs_role_arn(
            log_group.map(|_| format!("arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/CloudTrailToLogs")),
        )
        .customize()
        .mutate_request(as_management)
        .send()
        .await
        .expect("org trail");
    ct.start_logging()
        .name(ORG_TRAIL)
        .customize()
        .mutate_request(as_management)
        .send()
        .await
        .expect("org trail logging");
}

fn plan_text(ep: &str, state: &Path, id: &str) -> String {
    output_text(&moat(ep, state, R, &["plan", id]))
}

fn create_vpc(ep: &str) {
    block_on(async {
        support::seed_ebs::ec2_client(ep, "us-east-1")
            .await
            .create_vpc()
            .cidr_block("10.42.0.0/16")
            .send()
            .await
            .expect("vpc");
    });
}

/// The finding of `id` on the organization trail (or the first one).
fn first_detail(v: &Value, id: &str) -> String {
    item(v, id)["findings"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A member account whose only trail is the organization's: its status is
/// read by ARN (as AWS requires of a member) but CloudTrail refuses its
/// event selectors, so a logging one is for its owner to confirm (manual,
/// never pass, never error) and one that stopped logging fails with a
/// finding naming its owner; the fixes, which CloudTrail refuses from a
/// member, are guided steps.
#[test]
fn a_member_account_judges_the_organization_trail_it_can_only_read() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        seed_organization_trail(ep, None).await;
    });
    create_vpc(ep);
    let v = scan(ep, state.path(), &[MULTI, VPC, ALARMS]);
    assert_eq!(item(&v, MULTI)["status"], "manual", "{v}");
    assert!(first_detail(&v, MULTI).contains(MANAGEMENT_ACCOUNT), "{v}");
    assert_eq!(item(&v, VPC)["status"], "manual", "{v}");
    // The organization trail sends nothing to a log group: no alarm can
    // watch this account, and that is a finding, not an error.
    assert_eq!(item(&v, ALARMS)["status"], "fail", "{v}");

    // The management account stops it: the member sees it stop.
    block_on(async {
        cloudtrail(ep, "us-east-1")
            .stop_logging()
            .name(ORG_TRAIL)
            .customize()
            .mutate_request(as_management)
            .send()
            .await
            .expect("stop org trail")
    });
    let v = scan(ep, state.path(), &[MULTI, VPC, ALARMS]);
    let multi = item(&v, MULTI);
    assert_eq!(multi["status"], "fail", "{v}");
    let finding = multi["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["resource"] == format!("trail/us-east-1/{ORG_TRAIL}"))
        })
        .cloned()
        .unwrap_or_else(|| panic!("a finding on the trail: {v}"));
    assert_eq!(finding["status"], "fail", "{v}");
    let detail = finding["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("not logging") && detail.contains(MANAGEMENT_ACCOUNT),
        "{detail}"
    );
    assert_eq!(item(&v, VPC)["status"], "fail", "{v}");
    assert_ne!(item(&v, ALARMS)["status"], "pass", "{v}");
    assert_ne!(item(&v, ALARMS)["status"], "error", "{v}");

    // The plan asks the owner; nothing is sent to the trail.
    let text = plan_text(ep, state.path(), MULTI);
    assert!(
        text.contains(MANAGEMENT_ACCOUNT) && text.contains("delegated administrator"),
        "{text}"
    );
    assert!(!text.contains("nothing to change"), "{text}");
    for id in ["cloudtrail.log-validation", "cloudtrail.encrypted"] {
        let text = plan_text(ep, state.path(), id);
        assert!(
            text.contains(MANAGEMENT_ACCOUNT) && !text.contains("update trail "),
            "{id}: {text}"
        );
    }
    let o = moat(
        ep,
        state.path(),
        R,
        &["apply", "--yes", MULTI, "cloudtrail.log-validation"],
    );
    assert!(
        !output_text(&o).contains("NotOrganizationMasterAccountException"),
        "{}",
        output_text(&o)
    );

    // A working trail of the account's own beside it: pass.
    block_on(seed_logging_trail(ep));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "{i}");
}

/// A member account whose organization trail is logging and sends events
/// to a log group of the management account (Control Tower's default),
/// with event selectors CloudTrail shows only to its owner: nothing fails
/// and nothing passes; security-event-alarms names the owner's log group,
/// and its plan is a guided step naming it, not "no trail sends events".
#[test]
fn a_member_account_watched_through_the_owners_log_group_is_manual() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(seed_organization_trail(ep, Some(ORG_LOG_GROUP)));
    create_vpc(ep);
    let v = scan(ep, state.path(), &[MULTI, VPC, ALARMS]);
    for id in [MULTI, VPC, ALARMS] {
        assert_eq!(item(&v, id)["status"], "manual", "{id}: {v}");
    }
    let detail = first_detail(&v, ALARMS);
    assert!(
        detail.contains(ORG_LOG_GROUP) && detail.contains(MANAGEMENT_ACCOUNT),
        "{detail}"
    );
    assert!(first_detail(&v, VPC).contains(ORG_TRAIL), "{v}");
    let text = plan_text(ep, state.path(), ALARMS);
    assert!(
        text.contains(ORG_LOG_GROUP) && !text.contains("No trail sends its events"),
        "{text}"
    );
}

/// A complete management selector beside one that leaves KMS out records
/// every management event: selectors are ORed.
#[test]
fn an_exclusion_in_one_selector_does_not_hide_what_another_records() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let selectors = vec![
        basic(ReadWriteType::All, true, false),
        EventSelector::builder()
            .read_write_type(ReadWriteType::WriteOnly)
            .include_management_events(true)
            .exclude_management_event_sources("kms.amazonaws.com")
            .data_resources(s3_data_resource())
            .build(),
    ];
    block_on(logging_trail_with_basic(ep, selectors));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "basic: {i}");
    let not_kms = AdvancedFieldSelector::builder()
        .field("eventSource")
        .not_equals("kms.amazonaws.com")
        .build()
        .expect("field selector");
    block_on(put_advanced(
        ep,
        vec![
            AdvancedEventSelector::builder()
                .name("Management events without KMS")
                .field_selectors(field("eventCategory", "Management"))
                .field_selectors(not_kms.clone())
                .build()
                .expect("advanced"),
            AdvancedEventSelector::builder()
                .name("KMS management events")
                .field_selectors(field("eventCategory", "Management"))
                .field_selectors(field("eventSource", "kms.amazonaws.com"))
                .build()
                .expect("advanced"),
        ],
    ));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "pass", "advanced: {i}");
    // Both leave KMS out: fail, naming it.
    block_on(put_advanced(
        ep,
        vec![
            AdvancedEventSelector::builder()
                .name("Read without KMS")
                .field_selectors(field("eventCategory", "Management"))
                .field_selectors(field("readOnly", "true"))
                .field_selectors(not_kms.clone())
                .build()
                .expect("advanced"),
            AdvancedEventSelector::builder()
                .name("Without KMS")
                .field_selectors(field("eventCategory", "Management"))
                .field_selectors(not_kms)
                .build()
                .expect("advanced"),
        ],
    ));
    let (s, i) = status(ep, state.path(), MULTI);
    assert_eq!(s, "fail", "{i}");
    assert!(i.to_string().contains("kms.amazonaws.com"), "{i}");
}

/// Five basic selectors (AWS's maximum), all logging data events: the fix
/// moves the trail to advanced selectors with the same data events (before,
/// it widened the last selector to read data events too), and undo puts
/// back the exact basic ones.
#[test]
fn five_data_selectors_move_to_advanced_ones_and_undo_restores_them() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let selectors: Vec<EventSelector> = (0..5)
        .map(|n| {
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(false)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values(format!("arn:aws:s3:::bucket-{n}/"))
                        .build(),
                )
                .build()
        })
        .collect();
    block_on(logging_trail_with_basic(ep, selectors));
    // The emulator keeps AWS's limit.
    let six = block_on(async {
        cloudtrail(ep, "us-east-1")
            .put_event_selectors()
            .trail_name(TRAIL)
            .set_event_selectors(Some(
                (0..6)
                    .map(|_| basic(ReadWriteType::All, true, false))
                    .collect(),
            ))
            .send()
            .await
    });
    assert!(six.is_err(), "six basic selectors are refused");
    let before = block_on(read_selectors(ep));
    assert_eq!(status(ep, state.path(), MULTI).0, "fail");
    // The preview shows the basic selectors before and the advanced after.
    let text = plan_text(ep, state.path(), MULTI);
    assert!(
        text.contains("AdvancedEventSelectors") && text.contains("ReadWriteType"),
        "{text}"
    );
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", MULTI]));
    let (basic_now, advanced_now) = block_on(read_selectors(ep));
    assert!(basic_now.is_empty(), "{basic_now:?}");
    for n in 0..5 {
        let prefix = AdvancedFieldSelector::builder()
            .field("resources.ARN")
            .starts_with(format!("arn:aws:s3:::bucket-{n}/"))
            .build()
            .expect("field");
        assert!(
            advanced_now.iter().any(|a| {
                let f = a.field_selectors();
                f.contains(&field("eventCategory", "Data"))
                    && f.contains(&field("resources.type", "AWS::S3::Object"))
                    && f.contains(&field("readOnly", "false"))
                    && f.contains(&prefix)
                    && f.len() == 4
            }),
            "bucket-{n} write data events kept: {advanced_now:?}"
        );
    }
    assert_eq!(status(ep, state.path(), MULTI).0, "pass");
    assert_ok(&moat(ep, state.path(), R, &["undo", "--last", "--yes"]));
    assert_eq!(
        block_on(read_selectors(ep)),
        before,
        "basic again, as before"
    );
}

#[test]
fn fix_sets_management_selectors_keeps_data_events_and_undo_restores_them() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    let selectors = vec![
        basic(ReadWriteType::ReadOnly, true, false),
        basic(ReadWriteType::All, false, true),
    ];
    block_on(logging_trail_with_basic(ep, selectors));
    let before = block_on(read_selectors(ep));
    assert_eq!(status(ep, state.path(), MULTI).0, "fail");

    // The preview shows the selectors before and after.
    let o = moat(ep, state.path(), R, &["plan", MULTI]);
    let text = output_text(&o);
    assert!(
        text.contains("PutEventSelectors") || text.contains("event selectors"),
        "{text}"
    );
    assert!(
        text.contains("-") && text.contains("\"ReadOnly\""),
        "{text}"
    );

    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", MULTI]));
    let (basic_now, advanced_now) = block_on(read_selectors(ep));
    assert!(advanced_now.is_empty(), "{advanced_now:?}");
    assert!(
        basic_now
            .iter()
            .any(|s| s.include_management_events() == Some(true)
                && s.read_write_type() == Some(&ReadWriteType::All)
                && s.exclude_management_event_sources().is_empty()),
        "management read+write: {basic_now:?}"
    );
    assert!(
        basic_now
            .iter()
            .any(|s| s.data_resources().iter().any(|d| d == &s3_data_resource())),
        "data events kept: {basic_now:?}"
    );
    assert_eq!(status(ep, state.path(), MULTI).0, "pass");

    assert_ok(&moat(ep, state.path(), R, &["undo", "--last", "--yes"]));
    assert_eq!(
        block_on(read_selectors(ep)),
        before,
        "undo restores the selectors"
    );
    assert_eq!(status(ep, state.path(), MULTI).0, "fail");
}

#[test]
fn fix_of_advanced_selectors_adds_management_and_undo_restores_them() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        seed_logging_trail(ep).await;
        put_advanced(ep, vec![advanced_data_only()]).await;
    });
    let before = block_on(read_selectors(ep));
    assert_eq!(status(ep, state.path(), MULTI).0, "fail");
    assert_ok(&moat(ep, state.path(), R, &["apply", "--yes", MULTI]));
    let (basic_now, advanced_now) = block_on(read_selectors(ep));
    assert!(basic_now.is_empty(), "{basic_now:?}");
    assert!(
        advanced_now.contains(&advanced_data_only()),
        "data selector kept: {advanced_now:?}"
    );
    assert!(
        advanced_now
            .iter()
            .any(|s| s.field_selectors() == [field("eventCategory", "Management")]),
        "management selector: {advanced_now:?}"
    );
    assert_eq!(status(ep, state.path(), MULTI).0, "pass");
    assert_ok(&moat(ep, state.path(), R, &["undo", "--last", "--yes"]));
    assert_eq!(block_on(read_selectors(ep)), before);
}

/// A single-region trail of another region is no shadow in the home
/// region's DescribeTrails: ListTrails names it (taught to moto:
/// aws_behaviours/cloudtrail_list_trails_all_regions.py), so an unvalidated
/// trail in eu-west-1 fails cloudtrail.log-validation for a session in
/// us-east-1, where the only trail moto's DescribeTrails shows is valid.
#[test]
fn a_single_region_trail_of_another_region_is_judged_too() {
    let moto = Moto::start();
    let ep = moto.endpoint.as_str();
    let state = temp_state_dir();
    block_on(async {
        seed_logging_trail(ep).await;
        cloudtrail(ep, "us-east-1")
            .update_trail()
            .name(TRAIL)
            .enable_log_file_validation(true)
            .send()
            .await
            .expect("validation on");
    });
    let (s, i) = status(ep, state.path(), "cloudtrail.log-validation");
    assert_eq!(s, "pass", "{i}");
    block_on(async {
        trail_bucket(ep, "regional-eu-logs", "regional-eu").await;
        cloudtrail(ep, "eu-west-1")
            .create_trail()
            .name("regional-eu")
            .s3_bucket_name("regional-eu-logs")
            .send()
            .await
            .expect("regional trail");
    });
    let (s, i) = status(ep, state.path(), "cloudtrail.log-validation");
    assert_eq!(s, "fail", "{i:#}");
    assert!(i.to_string().contains("regional-eu"), "{i:#}");
}
