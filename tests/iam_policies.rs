//! The least-privilege IAM policies in `assets/iam/` are generated from, and
//! checked against, the SDK calls moat really makes.
//!
//! Against moto, through the counting proxy, on a seeded account where every
//! item that has a plan fails: `moat scan` runs, then `moat apply` for every
//! item with a plan, then `moat undo --last` until the journal has nothing left
//! to undo. Every request is turned into its IAM action (`service:Operation`).
//!
//! - `moat-scan.json` must hold exactly the actions the scan made.
//! - `moat-apply.json` must hold exactly the actions apply and undo made that
//!   the scan policy does not already grant, plus [`NOT_EXERCISED`].
//! - Calls no IAM permission governs ([`NO_PERMISSION_NEEDED`]) are in neither.
//!
//! A failure prints the lines to add to or remove from each file.
//! `MOAT_WRITE_IAM=1 cargo test --test iam_policies` rewrites both files from
//! what the run observed, then checks them as usual.

mod support;

use moat::checks::Fix;
use moat::plan::Op;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::run::applied_batches;
use support::{
    ACCOUNT_ID, ALL_INPUTS, Moto, Proxy, RecordedRequest, block_on, iam_client, moat_cmd,
    output_text as text,
};

/// Calls that need no IAM permission (AWS answers them even under an explicit
/// Deny), so the policies leave them out.
const NO_PERMISSION_NEEDED: &[&str] = &["sts:GetCallerIdentity"];

/// Actions `moat-apply.json` grants although the moto run cannot make the
/// call, each with the reason. Keep this list short: every entry is a call no
/// test proves.
const NOT_EXERCISED: &[(&str, &str)] = &[
    (
        "organizations:EnableAWSServiceAccess",
        "account.central-root-access turns trusted access for IAM on when it is off, and undo cannot turn it off again: the seeded organization has it on, so that every applied batch can be undone",
    ),
    (
        "sns:Unsubscribe",
        "undo removes an e-mail subscription only once its recipient has confirmed it; in this run the subscriptions stay pending, as on AWS, and a pending one has no ARN to unsubscribe",
    ),
    (
        "iam:CreateServiceLinkedRole",
        "GuardDuty's CreateDetector and Inspector's Enable create their service-linked role on first use; moto does not check",
    ),
    (
        "kms:TagResource",
        "CreateKey with Tags (the key's create token) needs it on AWS; moto does not check",
    ),
    (
        "kms:ListKeys",
        "read only when a CreateKey answer was lost, to find the key it made by its tag",
    ),
    (
        "kms:ListResourceTags",
        "read only when a CreateKey answer was lost, to find the key it made by its tag",
    ),
    (
        "logs:CreateLogDelivery",
        "CreateFlowLogs to an S3 bucket needs it on AWS; moto does not check",
    ),
    (
        "logs:DeleteLogDelivery",
        "DeleteFlowLogs (the undo) of a flow log to S3 needs it on AWS; moto does not check",
    ),
    (
        "cloudtrail:PutEventSelectors",
        "the seeded account has no multi-region trail to repair (the fix creates one); tests/trails_moto.rs sends it",
    ),
];

const SCAN_FILE: &str = "assets/iam/moat-scan.json";
const APPLY_FILE: &str = "assets/iam/moat-apply.json";
const SCAN_SID: &str = "MoatScanReadOnly";
const APPLY_SID: &str = "MoatApplyAndUndo";
const REGENERATE: &str = "MOAT_WRITE_IAM=1 cargo test --test iam_policies";

/// The IAM action prefix for a SigV4 signing name. Only services moat calls
/// are listed: a new one must be added here after checking that its action
/// names are its operation names (S3's are not always: see [`s3_action`]).
fn action_prefix(signing_name: &str) -> Option<&'static str> {
    match signing_name {
        "iam" => Some("iam"),
        "sts" => Some("sts"),
        "account" => Some("account"),
        "cloudfront" => Some("cloudfront"),
        "cloudtrail" => Some("cloudtrail"),
        "ec2" => Some("ec2"),
        "guardduty" => Some("guardduty"),
        "monitoring" => Some("cloudwatch"),
        "logs" => Some("logs"),
        "sns" => Some("sns"),
        "sqs" => Some("sqs"),
        "kms" => Some("kms"),
        "rds" => Some("rds"),
        "route53" => Some("route53"),
        "elasticloadbalancing" => Some("elasticloadbalancing"),
        "inspector2" => Some("inspector2"),
        "wafv2" => Some("wafv2"),
        "organizations" => Some("organizations"),
        _ => None,
    }
}

/// S3 and S3 Control operations whose IAM action has another name (a delete
/// needs the put permission; the account's public access block is a
/// separate action from a bucket's). S3 Control is told apart by its path.
fn s3_action(r: &RecordedRequest) -> Option<String> {
    let account = r.target.starts_with("/v20180820/");
    let action = match (account, r.operation.as_str()) {
        (true, "GetPublicAccessBlock") => "GetAccountPublicAccessBlock",
        (true, "PutPublicAccessBlock" | "DeletePublicAccessBlock") => "PutAccountPublicAccessBlock",
        (true, _) => return None,
        (false, "ListBuckets") => "ListAllMyBuckets",
        (false, "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        (false, "PutPublicAccessBlock" | "DeletePublicAccessBlock") => "PutBucketPublicAccessBlock",
        (false, "GetBucketEncryption") => "GetEncryptionConfiguration",
        (false, "PutBucketEncryption" | "DeleteBucketEncryption") => "PutEncryptionConfiguration",
        (false, "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        (
            false,
            "PutBucketLifecycleConfiguration"
            | "DeleteBucketLifecycleConfiguration"
            | "DeleteBucketLifecycle",
        ) => "PutLifecycleConfiguration",
        (
            false,
            op @ ("GetBucketLocation"
            | "GetBucketPolicy"
            | "PutBucketPolicy"
            | "DeleteBucketPolicy"
            | "GetBucketAcl"
            | "PutBucketAcl"
            | "GetBucketLogging"
            | "PutBucketLogging"
            | "GetBucketVersioning"
            | "PutBucketVersioning"
            | "CreateBucket"
            | "DeleteBucket"),
        ) => op,
        _ => return None,
    };
    Some(format!("s3:{action}"))
}

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The IAM actions of recorded requests; panics naming any request that
/// cannot be turned into one.
fn actions(requests: &[RecordedRequest]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for r in requests {
        if r.service.as_deref() == Some("s3") {
            match s3_action(r) {
                Some(a) => {
                    out.insert(a);
                }
                None => {
                    unknown.insert(format!(
                        "S3 operation {:?} ({} {}): add it to s3_action()",
                        r.operation, r.method, r.target
                    ));
                }
            }
            continue;
        }
        let prefix = r.service.as_deref().and_then(action_prefix);
        let named =
            !r.operation.is_empty() && r.operation.chars().all(|c| c.is_ascii_alphanumeric());
        match prefix {
            Some(p) if named => {
                out.insert(format!("{p}:{}", r.operation));
            }
            _ => {
                unknown.insert(format!(
                    "signing name {:?}, operation {:?} ({} {})",
                    r.service, r.operation, r.method, r.target
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "requests whose IAM action is unknown; map their signing name in \
         action_prefix() (tests/iam_policies.rs):\n  {}",
        unknown.into_iter().collect::<Vec<_>>().join("\n  ")
    );
    out
}

/// A policy document as the files hold it.
fn render(sid: &str, actions: &BTreeSet<String>) -> String {
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("render policy");
    text.push('\n');
    text
}

/// The Action list of a policy file, after checking the file's shape.
fn read_policy(rel: &str, sid: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path(rel))
        .unwrap_or_else(|e| panic!("read {rel}: {e} (create it with {REGENERATE})"));
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"));
    assert_eq!(doc["Version"], "2012-10-17", "{rel}: Version");
    let statements = doc["Statement"]
        .as_array()
        .unwrap_or_else(|| panic!("{rel}: Statement must be a list"));
    assert_eq!(statements.len(), 1, "{rel}: exactly one statement");
    let s = &statements[0];
    assert_eq!(s["Sid"], sid, "{rel}: Sid");
    assert_eq!(s["Effect"], "Allow", "{rel}: Effect");
    assert_eq!(s["Resource"], "*", "{rel}: Resource");
    let list: Vec<String> = s["Action"]
        .as_array()
        .unwrap_or_else(|| panic!("{rel}: Action must be a list"))
        .iter()
        .map(|a| {
            a.as_str()
                .unwrap_or_else(|| panic!("{rel}: {a} is not a string"))
                .to_string()
        })
        .collect();
    for a in &list {
        let well_formed = a.split_once(':').is_some_and(|(svc, op)| {
            !svc.is_empty()
                && svc
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && op.starts_with(|c: char| c.is_ascii_uppercase())
                && op.chars().all(|c| c.is_ascii_alphanumeric())
        });
        assert!(
            well_formed,
            "{rel}: {a:?} is not service:Action (no wildcards)"
        );
    }
    let set: BTreeSet<String> = list.iter().cloned().collect();
    let sorted: Vec<String> = set.iter().cloned().collect();
    assert_eq!(
        list, sorted,
        "{rel}: the Action list must be sorted (byte order) and without duplicates"
    );
    set
}

/// `None` when `actual == expected`, else what to add and remove.
fn difference(
    rel: &str,
    actual: &BTreeSet<String>,
    expected: &BTreeSet<String>,
    why: &str,
) -> Option<String> {
    let add: Vec<&String> = expected.difference(actual).collect();
    let remove: Vec<&String> = actual.difference(expected).collect();
    if add.is_empty() && remove.is_empty() {
        return None;
    }
    let mut msg = format!("{rel} does not match {why}.\n");
    if !add.is_empty() {
        msg.push_str("  Add to its \"Action\" list:\n");
        for a in add {
            msg.push_str(&format!("      \"{a}\",\n"));
        }
    }
    if !remove.is_empty() {
        msg.push_str("  Remove from its \"Action\" list:\n");
        for a in remove {
            msg.push_str(&format!("      \"{a}\",\n"));
        }
    }
    Some(msg)
}

/// An account where every item that has a plan fails: no password policy (so
/// undo deletes the one apply creates), no alternate contacts, a console user
/// without MFA, a user whose access key is stale once `MOAT_NOW` is 200 days
/// ahead, and a single administrator (through the AWS-managed
/// AdministratorAccess, which the scan reads with GetPolicy/GetPolicyVersion).
async fn seed_failing_account(ep: &str) {
    let iam = iam_client(ep).await;
    support::seed_iam::console_user(&iam, "dana").await;
    iam.create_user()
        .user_name("backup-sync")
        .send()
        .await
        .expect("user");
    iam.create_access_key()
        .user_name("backup-sync")
        .send()
        .await
        .expect("access key");
    iam.create_user()
        .user_name("ops")
        .send()
        .await
        .expect("user");
    iam.attach_user_policy()
        .user_name("ops")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach admin");
    support::seed_failing_s3_and_cloudfront(ep).await;
    support::seed_failing_sections(ep).await;
    // The management account of an organization with trusted access for IAM
    // but neither centralized root access feature: apply turns both on,
    // undo off (turning trusted access on is not undone, see NOT_EXERCISED).
    support::seed_org::organization(ep, 0).await;
    let org = support::test_client!(aws_sdk_organizations, ep);
    org.enable_aws_service_access()
        .service_principal("iam.amazonaws.com")
        .send()
        .await
        .expect("trusted access for IAM");
}

/// Applied on its own: moto drops the origin access control from the
/// distribution, so the distribution differs from the preview after apply
/// and only the other two steps of the batch can be undone.
const ORIGIN_ACCESS: &str = "s3.cloudfront-origin-access";

/// A second, non-default version of the policy moat created, so that undo's
/// DeletePolicy must first delete it (iam:DeletePolicyVersion). The default
/// version, which moat compares for drift, is unchanged.
async fn add_policy_version(ep: &str, name: &str) {
    let iam = iam_client(ep).await;
    let arn = format!("arn:aws:iam::{ACCOUNT_ID}:policy/{name}");
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    });
    iam.create_policy_version()
        .policy_arn(&arn)
        .policy_document(doc.to_string())
        .set_as_default(false)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create a version of {arn}: {e:?}"));
}

#[test]
fn policies_grant_exactly_the_calls_moat_makes() {
    let started = std::time::Instant::now();
    let moto = Moto::start();
    block_on(seed_failing_account(&moto.endpoint));
    let proxy = Proxy::start(moto.port);
    let state = support::temp_state_dir();
    let ep = proxy.endpoint.as_str();
    let later = (chrono::Utc::now() + chrono::Duration::days(200)).to_rfc3339();
    let moat = |args: &[&str]| {
        moat_cmd(ep, state.path())
            .env("MOAT_NOW", &later)
            .args(args)
            .output()
            .expect("run moat")
    };

    // (a) A scan of every item.
    let scan_started = std::time::Instant::now();
    let scan = moat(&["scan", "--format", "json"]);
    assert_eq!(scan.status.code(), Some(1), "{}", text(&scan));
    let report: Value = serde_json::from_slice(&scan.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}\n{}", text(&scan)));
    let errors: Vec<&Value> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["status"] == "error")
        .collect();
    assert!(errors.is_empty(), "every read succeeded: {errors:?}");
    let scan_requests = proxy.requests();
    let scan_seen = actions(&scan_requests);
    let scan_time = scan_started.elapsed();
    proxy.clear();
    let apply_started = std::time::Instant::now();

    // (b) The origin-access plan: three steps; moto drops the distribution's
    // origin access control, so the distribution differs after apply (exit
    // 1) and only the OAC and the bucket policy steps can be undone.
    let o = moat(&["apply", ORIGIN_ACCESS, "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("cloudfront:CreateOriginAccessControl"),
        "{}",
        text(&o)
    );
    let origin_batch = applied_batches(state.path())
        .pop()
        .expect("the origin-access batch");
    let o = moat(&[
        "undo",
        &format!("{origin_batch}.1"),
        &format!("{origin_batch}.2"),
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // (c) Apply every other item that has a plan, then undo every batch. The
    // public access blocks go last: applied first, they would make the
    // public policy and ACL items pass before their own calls were made.
    let mut planned: Vec<&str> = moat::checks::items()
        .iter()
        .filter(|d| matches!(d.fix, Fix::Plan(_)) && d.id != ORIGIN_ACCESS)
        .map(|d| d.id)
        .collect();
    planned.sort_by_key(|id| id.ends_with("public-access-block"));
    let mut apply = vec!["apply", "--yes"];
    apply.extend(&planned);
    apply.extend(ALL_INPUTS);
    let o = moat(&apply);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // One batch per item that changed something (console-users-mfa creates the
    // MFA policy and group, which leaves mfa-policy nothing to do).
    let batches: Vec<String> = applied_batches(state.path())
        .into_iter()
        .filter(|b| *b != origin_batch)
        .collect();
    assert!(batches.len() >= 4, "{batches:?}\n{}", text(&o));

    block_on(add_policy_version(&moto.endpoint, "RequireMFA"));
    // Newest first, by id: `undo --last` after an undo would undo the undo.
    // A log bucket moat created has received logs by now: S3 refuses to
    // delete a bucket that holds objects, and undo says so (the logs are kept).
    let mut kept = vec![];
    for batch in batches.iter().rev() {
        let o = moat(&["undo", batch, "--yes"]);
        if o.status.code() == Some(1) && text(&o).contains("BucketNotEmpty") {
            kept.push(batch.clone());
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let left: Vec<String> = applied_batches(state.path())
        .into_iter()
        .filter(|b| batches.contains(b) && !kept.contains(b))
        .collect();
    assert!(left.is_empty(), "every batch was undone: {left:?}");
    let apply_requests = proxy.requests();
    let apply_seen = actions(&apply_requests);
    eprintln!(
        "moto up in {:.1?}; scan: {} requests in {:.1?}; apply and {} undos: {} requests in \
         {:.1?}; total {:.1?}",
        moto.startup,
        scan_requests.len(),
        scan_time,
        batches.len(),
        apply_requests.len(),
        apply_started.elapsed(),
        started.elapsed()
    );

    // What each file must hold.
    let free: BTreeSet<String> = NO_PERMISSION_NEEDED.iter().map(|a| a.to_string()).collect();
    let want_scan: BTreeSet<String> = scan_seen.difference(&free).cloned().collect();
    let mut want_apply: BTreeSet<String> = apply_seen
        .difference(&free)
        .filter(|a| !want_scan.contains(*a))
        .cloned()
        .collect();
    for (action, why) in NOT_EXERCISED {
        assert!(
            !apply_seen.contains(*action),
            "{action} is now exercised by the test: remove it from NOT_EXERCISED \
             in tests/iam_policies.rs (it was there because: {why})"
        );
        want_apply.insert(action.to_string());
    }

    if std::env::var_os("MOAT_WRITE_IAM").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path("assets/iam")).expect("mkdir assets/iam");
        std::fs::write(path(SCAN_FILE), render(SCAN_SID, &want_scan)).expect("write");
        std::fs::write(path(APPLY_FILE), render(APPLY_SID, &want_apply)).expect("write");
        eprintln!("wrote {SCAN_FILE} and {APPLY_FILE}");
    }

    let problems: Vec<String> = [
        difference(
            SCAN_FILE,
            &read_policy(SCAN_FILE, SCAN_SID),
            &want_scan,
            "the calls `moat scan` made",
        ),
        difference(
            APPLY_FILE,
            &read_policy(APPLY_FILE, APPLY_SID),
            &want_apply,
            "the calls `moat apply` and `moat undo` made beyond the scan policy \
             (plus NOT_EXERCISED in tests/iam_policies.rs)",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        problems.is_empty(),
        "{}Or regenerate both files: {REGENERATE}\n",
        problems.join("")
    );
}

/// Cheap, without moto: the files are well-formed, do not overlap, the scan
/// policy grants no change, and every action an [`Op`] can send is granted.
#[test]
fn apply_policy_grants_every_op_and_scan_policy_none() {
    let scan = read_policy(SCAN_FILE, SCAN_SID);
    let apply = read_policy(APPLY_FILE, APPLY_SID);
    let both: Vec<&String> = scan.intersection(&apply).collect();
    assert!(
        both.is_empty(),
        "{APPLY_FILE} adds to {SCAN_FILE}; remove from {APPLY_FILE}: {both:?}"
    );
    for a in NO_PERMISSION_NEEDED {
        assert!(
            !scan.contains(*a) && !apply.contains(*a),
            "{a} needs no permission; remove it from the policies"
        );
    }
    let ops: BTreeSet<String> = Op::all_actions().iter().map(|a| a.to_string()).collect();
    let writes: Vec<&String> = scan.intersection(&ops).collect();
    assert!(
        writes.is_empty(),
        "{SCAN_FILE} is read-only; move these to {APPLY_FILE}: {writes:?}"
    );
    let with_ops: BTreeSet<String> = apply.union(&ops).cloned().collect();
    if let Some(msg) = difference(
        APPLY_FILE,
        &apply,
        &with_ops,
        "Op::all_actions() (the op registry in src/plan/op.rs)",
    ) {
        panic!("{msg}Or regenerate both files: {REGENERATE}\n");
    }
}
