//! Applying and undoing as AWS answers, against moto taught the behaviour:
//!
//! - a security group revoke AWS matches only in part (default VPC:
//!   `Return=true` with `UnknownIpPermissions`) journals the rules it really
//!   revoked, and undo re-authorizes exactly those;
//! - a bucket policy written twice in one batch waits for moat's own first
//!   write to propagate (S3 bucket configuration is eventually consistent)
//!   instead of refusing the second write or reporting a difference;
//! - a snapshot or KMS key moat creates is journaled by the id AWS gave it,
//!   and the snapshot's undo deletes exactly that snapshot;
//! - a revoke whose unknown rules AWS spells otherwise, followed by a stale
//!   read of the group, journals only the rules the group stopped showing;
//! - a KMS key's scheduled deletion names the key by its journaled id;
//! - CreateFlowLogs sends one client token on every attempt.

mod support;

use moat::aws::inventory::{Ec2Ref, PartId, ResourceRef, SgKey, SgRule, SgSource};
use moat::collect::Backend;
use moat::execute::{ExecReport, execute};
use moat::journal::{Entry, EntryState, Journal};
use moat::plan::{Draft, Op, Plan, ResourceChange, Step, make_plan};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use support::backend::{connect_once, set_test_env};
use support::proxy::{FaultKind, Rule};
use support::run::{apply_losing_answer, moat_retrying, undo_ok, undo_retrying};
use support::seed_ebs;
use support::seed_ebs::ec2_client;
use support::seed_ebs::instance_root_volume;
use support::{ACCOUNT_ID, Moto, Proxy, block_on, output_text, s3_client, temp_state_dir};
use support::{seed_cloudtrail, seed_cloudwatch};

const US: &str = "us-east-1";

async fn connect(ep: &str) -> Arc<dyn Backend> {
    Arc::new(connect_once(ep, &[US]).await)
}

fn entries(state: &Path, action: &str) -> Vec<Entry> {
    Journal::open(state, ACCOUNT_ID)
        .entries()
        .expect("journal")
        .into_iter()
        .filter(|e| e.op.action() == action)
        .collect()
}

// -- a revoke AWS matches in part

/// Executes a plan of `ec2.default-security-group` made when `group` held
/// `planned`: it revokes them all (its undo would authorize them all again)
/// and previews the group as read now, less `modelled`.
async fn execute_revoke(
    ep: &str,
    state: &Path,
    group: &SgKey,
    planned: Vec<SgRule>,
    modelled: Vec<SgRule>,
) -> ExecReport {
    let b = connect(ep).await;
    let inv =
        moat::collect::collect_inventory(b.clone(), &[PartId::Identity, PartId::Ec2Network]).await;
    let resource = ResourceRef::Ec2(Ec2Ref::SecurityGroup(group.clone()));
    let before = inv.document(&resource).expect("group read");
    let mut after_inv = inv.clone();
    after_inv
        .apply(&Op::RevokeSecurityGroupIngress(
            moat::aws::ops::RevokeSecurityGroupIngress {
                group: group.clone(),
                rules: modelled,
            },
        ))
        .expect("model");
    let plan = Plan {
        item: "ec2.default-security-group".into(),
        account: ACCOUNT_ID.into(),
        steps: vec![Step {
            op: Op::RevokeSecurityGroupIngress(moat::aws::ops::RevokeSecurityGroupIngress {
                group: group.clone(),
                rules: planned.clone(),
            }),
            inverse: Some(vec![Op::AuthorizeSecurityGroupIngress(
                moat::aws::ops::AuthorizeSecurityGroupIngress {
                    group: group.clone(),
                    rules: planned,
                },
            )]),
            item: None,
        }],
        resources: vec![ResourceChange {
            resource: resource.clone(),
            before,
            after: after_inv.document(&resource).expect("after"),
        }],
        warnings: vec![],
        blast: vec![],
    };
    let journal = Journal::open(state, ACCOUNT_ID);
    execute(b, &plan, &journal, |_| {}).await.expect("applies")
}

fn tcp(port: i32, cidr: &str) -> SgRule {
    SgRule {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        source: SgSource::Ipv4(cidr.into()),
        description: None,
    }
}

/// The default VPC's id in us-east-1.
async fn default_vpc(ep: &str) -> String {
    let ec2 = ec2_client(ep, US).await;
    let vpcs = ec2.describe_vpcs().send().await.expect("vpcs");
    vpcs.vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .expect("a default VPC")
        .to_string()
}

/// The ingress rules of group `name` of the default VPC, as (port, cidr).
async fn ingress(ep: &str, vpc: &str, name: &str) -> Vec<(i32, String)> {
    let ec2 = ec2_client(ep, US).await;
    let filter = |k: &str, v: &str| {
        aws_sdk_ec2::types::Filter::builder()
            .name(k)
            .values(v)
            .build()
    };
    let out = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", vpc))
        .filters(filter("group-name", name))
        .send()
        .await
        .expect("group");
    let mut rules: Vec<(i32, String)> = out.security_groups()[0]
        .ip_permissions()
        .iter()
        .flat_map(|p| {
            let port = p.from_port().unwrap_or(-1);
            p.ip_ranges()
                .iter()
                .filter_map(move |r| r.cidr_ip().map(|c| (port, c.to_string())))
        })
        .collect();
    rules.sort();
    rules
}

/// In a default VPC, AWS revokes the rules of a request that match and
/// lists the others in `UnknownIpPermissions` (`Return=true`). Here one of
/// the two rules moat revokes was removed by someone else after the plan:
/// the entry is journaled applied with the one rule really revoked and a
/// warning naming the other, and undo re-authorizes exactly the rule moat
/// revoked (not the one it never removed).
#[test]
fn a_revoke_aws_matched_in_part_journals_and_undoes_the_rules_it_revoked() {
    // The plan was made when the group also allowed 443 from 10/8:
    // it revokes both, and its undo would put both back.
    let (warning, e) = revoke_matched_in_part(
        "partly",
        &[],
        vec![tcp(22, "0.0.0.0/0"), tcp(443, "10.0.0.0/8")],
        (22, "0.0.0.0/0"),
    );
    assert!(
        warning.contains("443") && warning.contains("10.0.0.0/8"),
        "the warning names the rule AWS did not match: {warning}"
    );
    assert!(
        e.warning
            .as_deref()
            .is_some_and(|w| w.contains("10.0.0.0/8"))
    );
}

/// Group `name` in the default VPC allows `held` (tcp port, IPv4 range) and
/// has `tags`. moat executes a plan made when the group held `planned`: it
/// revokes them all, AWS revokes `held`. The report has one warning, the
/// group is left without rules, the journal holds the revoke of `held`
/// with its inverse, and undo puts back `held` and nothing else. The
/// warning and the journal entry.
fn revoke_matched_in_part(
    name: &str,
    tags: &[(&str, &str)],
    planned: Vec<SgRule>,
    held: (i32, &str),
) -> (String, Entry) {
    set_test_env();
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.clone();
    let vpc = block_on(default_vpc(&ep));
    let group = SgKey {
        region: US.into(),
        vpc_id: vpc.clone(),
        group_name: name.into(),
    };
    block_on(group_with(&ep, &vpc, name, &[held], tags));
    let revoked = vec![tcp(held.0, held.1)];
    let report = block_on(execute_revoke(
        &ep,
        state.path(),
        &group,
        planned,
        revoked.clone(),
    ));
    assert_eq!(report.failed, None, "{report:?}");
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    assert!(block_on(ingress(&ep, &vpc, name)).is_empty());
    let journaled = entries(state.path(), "ec2:RevokeSecurityGroupIngress");
    assert_eq!(journaled.len(), 1);
    let e = &journaled[0];
    assert_eq!(e.state, EntryState::Applied);
    assert_eq!(
        e.op,
        Op::RevokeSecurityGroupIngress(moat::aws::ops::RevokeSecurityGroupIngress {
            group: group.clone(),
            rules: revoked.clone(),
        }),
        "the journal holds the rule AWS really revoked"
    );
    assert_eq!(
        e.inverse,
        Some(vec![Op::AuthorizeSecurityGroupIngress(
            moat::aws::ops::AuthorizeSecurityGroupIngress {
                group,
                rules: revoked,
            }
        )])
    );
    undo_ok(&ep, state.path(), &["--region", US]);
    assert_eq!(
        block_on(ingress(&ep, &vpc, name)),
        vec![(held.0, held.1.to_string())],
        "undo puts back the rule moat revoked, and not the one it never removed"
    );
    (report.warnings[0].1.clone(), e.clone())
}

/// Create group `name` in VPC `vpc` with ingress `rules` (tcp port, IPv4
/// range) and `tags`.
async fn group_with(ep: &str, vpc: &str, name: &str, rules: &[(i32, &str)], tags: &[(&str, &str)]) {
    let ec2 = ec2_client(ep, US).await;
    let id = ec2
        .create_security_group()
        .group_name(name)
        .description("revoked by moat")
        .vpc_id(vpc)
        .send()
        .await
        .expect("group")
        .group_id()
        .expect("id")
        .to_string();
    for (port, cidr) in rules {
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(*port)
                    .to_port(*port)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip(*cidr)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("rule");
    }
    if tags.is_empty() {
        return;
    }
    let mut req = ec2.create_tags().resources(&id);
    for (k, v) in tags {
        req = req.tags(aws_sdk_ec2::types::Tag::builder().key(*k).value(*v).build());
    }
    req.send().await.expect("tags");
}

/// AWS may answer `UnknownIpPermissions` "in a different format from the
/// request parameter" (API reference), and EC2 is eventually consistent (a
/// read right after the revoke may still show the group as it was). The
/// plan revokes 22 from 0.0.0.0/0 (removed by someone else since) and 3389
/// from 10.0.0.0/8. AWS revokes 3389, lists 22 as unknown in another
/// spelling, and the first read after the revoke is stale. Only 3389 is
/// journaled as revoked, and undo puts back 3389 and never opens 22.
#[test]
fn a_revoke_answered_in_another_spelling_journals_what_the_group_stopped_showing() {
    revoke_answered_in_another_spelling("1");
}

/// Every read moat makes after the revoke is stale (the group still shows
/// 3389): AWS's answer is authoritative, so 3389 is still journaled as
/// revoked (the warning says the group still showed it), and undo puts it
/// back rather than leaving a rule AWS did remove unrestorable.
#[test]
fn a_revoke_whose_rereads_all_lag_still_journals_what_aws_revoked() {
    let warning = revoke_answered_in_another_spelling("5");
    assert!(
        warning.contains("tcp 3389 from 10.0.0.0/8") && warning.contains("still showed"),
        "the warning names the rule a lagging read still showed: {warning}"
    );
}

fn revoke_answered_in_another_spelling(stale_reads: &str) -> String {
    let (warning, _) = revoke_matched_in_part(
        "respelled",
        &[
            ("moat-test:respell-unknown", "true"),
            ("moat-test:stale-group-reads", stale_reads),
        ],
        vec![tcp(22, "0.0.0.0/0"), tcp(3389, "10.0.0.0/8")],
        (3389, "10.0.0.0/8"),
    );
    assert!(
        warning.contains("tcp 22 from 0.0.0.0/0"),
        "the warning names the rule that was not revoked: {warning}"
    );
    warning
}

// -- bucket policy propagation

fn statement(sid: &str) -> Value {
    json!({"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::exec-propagation", "arn:aws:s3:::exec-propagation/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
}

/// S3 bucket configuration is eventually consistent: right after a
/// PutBucketPolicy, reads may still show the previous policy (the emulator
/// serves it to the next two reads of this bucket). A plan that writes the
/// bucket's policy twice must neither refuse its own second write (the
/// re-read before it shows what moat's first write replaced) nor report a
/// difference after it (the verify read shows the first write).
#[test]
fn a_policy_written_twice_waits_for_moat_s_own_write_to_propagate() {
    set_test_env();
    let moto = Moto::start();
    let state = temp_state_dir();
    let ep = moto.endpoint.clone();
    let bucket = "exec-propagation";
    let first = json!({"Version": "2012-10-17", "Statement": [statement("First")]});
    let second = json!({"Version": "2012-10-17",
        "Statement": [statement("First"), statement("Second")]});
    let report = block_on(async {
        let s3 = s3_client(&ep, US).await;
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("bucket");
        s3.put_bucket_tagging()
            .bucket(bucket)
            .tagging(
                aws_sdk_s3::types::Tagging::builder()
                    .tag_set(
                        aws_sdk_s3::types::Tag::builder()
                            .key("moat-test:stale-policy-reads")
                            .value("2")
                            .build()
                            .expect("tag"),
                    )
                    .build()
                    .expect("tagging"),
            )
            .send()
            .await
            .expect("tag the bucket");
        let b = connect(&ep).await;
        let inv =
            moat::collect::collect_inventory(b.clone(), &[PartId::Identity, PartId::S3Buckets])
                .await;
        let ops = [first.clone(), second.clone()]
            .into_iter()
            .map(|policy| {
                Op::PutBucketPolicy(moat::aws::ops::PutBucketPolicy {
                    bucket: bucket.into(),
                    region: US.into(),
                    policy,
                })
            })
            .collect();
        let plan = make_plan(
            &inv,
            "s3.deny-insecure-transport",
            Draft {
                ops,
                warnings: vec![],
            },
        )
        .expect("plan");
        let journal = Journal::open(state.path(), ACCOUNT_ID);
        execute(b, &plan, &journal, |_| {}).await.expect("applies")
    });
    assert_eq!(report.failed, None, "{report:?}");
    assert_eq!(report.applied.len(), 2);
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    let stored = block_on(async {
        let s3 = s3_client(&ep, US).await;
        let p = s3
            .get_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .expect("policy");
        serde_json::from_str::<Value>(p.policy().expect("text")).expect("json")
    });
    assert_eq!(stored, second);
}

// -- ids of what moat creates

/// The snapshots tagged `moat:created-by = moat`: (id, Name, description).
async fn moat_snapshots(ep: &str) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = seed_ebs::moat_snapshots(ep)
        .await
        .iter()
        .map(|s| {
            let name = s
                .tags()
                .iter()
                .find(|t| t.key() == Some("Name"))
                .and_then(|t| t.value())
                .unwrap_or_default();
            (
                s.snapshot_id().unwrap_or_default().to_string(),
                name.to_string(),
                s.description().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The snapshot's answer is lost (moat finds it by its tags): the journal
/// names it by the id AWS gave it. Another snapshot of the same volume then
/// gets the same tags; undo deletes exactly the one moat made.
#[test]
fn a_created_snapshot_is_journaled_and_undone_by_its_id() {
    let moto = Moto::start();
    let ep = moto.endpoint.clone();
    let volume = block_on(instance_root_volume(&ep));
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    seed_ebs::snapshot_losing_answer(&proxy, state.path(), &volume);
    assert_eq!(proxy.fault_count(FaultKind::ForwardThenDrop), 1);
    let made = block_on(moat_snapshots(&ep));
    assert_eq!(made.len(), 1, "{made:?}");
    let (id, name, description) = made[0].clone();
    let journaled = entries(state.path(), "ec2:CreateSnapshot");
    assert_eq!(journaled.len(), 1);
    assert_eq!(journaled[0].state, EntryState::Applied);
    assert_eq!(journaled[0].created.as_deref(), Some(id.as_str()));
    assert_eq!(
        journaled[0].inverse,
        Some(vec![Op::DeleteSnapshot(moat::aws::ops::DeleteSnapshot {
            region: US.into(),
            volume_id: volume.clone(),
            name: name.clone(),
            snapshot_id: Some(id.clone()),
        })])
    );
    // Someone copies moat's tags onto another snapshot of the volume.
    let decoys: Vec<String> = block_on(async {
        let ec2 = ec2_client(&ep, US).await;
        let mut out = vec![];
        for _ in 0..3 {
            let tags = aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::Snapshot)
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("Name")
                        .value(&name)
                        .build(),
                )
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("moat:created-by")
                        .value("moat")
                        .build(),
                )
                .build();
            let s = ec2
                .create_snapshot()
                .volume_id(&volume)
                .description(&description)
                .tag_specifications(tags)
                .send()
                .await
                .expect("decoy");
            out.push(s.snapshot_id().expect("id").to_string());
        }
        out
    });
    undo_retrying(&proxy.endpoint, state.path(), &["--region", US]);
    let left: Vec<String> = block_on(moat_snapshots(&ep))
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert!(!left.contains(&id), "moat's snapshot is deleted: {left:?}");
    let mut decoys = decoys;
    decoys.sort();
    assert_eq!(left, decoys, "the snapshots moat did not make stay");
}

/// The KMS key moat creates is journaled by its key id (the alias can be
/// moved to another key later), also when CreateKey's answer was lost.
#[test]
fn a_created_kms_key_is_journaled_by_its_id() {
    let moto = Moto::start();
    let ep = moto.endpoint.clone();
    block_on(async {
        seed_cloudtrail::seed_failing(&ep).await;
        seed_cloudwatch::seed_failing(&ep).await;
    });
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    apply_losing_answer(
        &proxy,
        state.path(),
        "CreateKey",
        &["--region", US, "apply", "cloudtrail.encrypted", "--yes"],
    );
    let aliased = block_on(seed_cloudtrail::moat_trail_key(&ep)).map(|m| m.key_id().to_string());
    let journaled = entries(state.path(), "kms:CreateKey");
    assert_eq!(journaled.len(), 1);
    assert_eq!(journaled[0].state, EntryState::Applied);
    assert!(aliased.is_some());
    assert_eq!(
        journaled[0].created, aliased,
        "the journal names the key by id"
    );
}

/// A journal of an earlier version undid a KMS key moat created by
/// scheduling its deletion. The op names the key by the id the journal
/// holds: the alias, moved to another key since, does not decide which key
/// is deleted.
#[test]
fn a_key_s_scheduled_deletion_names_the_journaled_key_not_the_alias() {
    set_test_env();
    let moto = Moto::start();
    let ep = moto.endpoint.clone();
    let alias = "alias/moat-cloudtrail";
    let (made, other) = block_on(async {
        let kms = seed_cloudtrail::kms(&ep, US);
        let new_key = || async {
            kms.create_key()
                .send()
                .await
                .expect("key")
                .key_metadata()
                .map(|m| m.key_id().to_string())
                .expect("key id")
        };
        let made = new_key().await;
        kms.create_alias()
            .alias_name(alias)
            .target_key_id(&made)
            .send()
            .await
            .expect("alias");
        let other = new_key().await;
        kms.update_alias()
            .alias_name(alias)
            .target_key_id(&other)
            .send()
            .await
            .expect("alias moved");
        (made, other)
    });
    let state_of = |id: &str| {
        block_on(async {
            seed_cloudtrail::kms(&ep, US)
                .describe_key()
                .key_id(id)
                .send()
                .await
                .expect("key")
                .key_metadata()
                .and_then(|m| m.key_state().cloned())
        })
    };
    block_on(async {
        let b = connect(&ep).await;
        b.apply(&Op::ScheduleKmsKeyDeletion(
            moat::aws::ops::ScheduleKmsKeyDeletion {
                region: US.into(),
                alias: alias.into(),
                pending_days: 7,
                key_id: Some(made.clone()),
            },
        ))
        .await
        .expect("scheduled")
    });
    assert_eq!(
        state_of(&made),
        Some(aws_sdk_kms::types::KeyState::PendingDeletion),
        "the key moat created is scheduled for deletion"
    );
    assert_eq!(
        state_of(&other),
        Some(aws_sdk_kms::types::KeyState::Enabled),
        "the key the alias names now is left alone"
    );
}

// -- CreateFlowLogs client token

/// CreateFlowLogs is idempotent only through its client token: the first
/// attempt is answered 503 and the SDK sends it again, with the same token.
#[test]
fn create_flow_logs_sends_the_same_client_token_on_every_attempt() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port);
    let state = temp_state_dir();
    proxy.rule(
        Rule::new(FaultKind::Status503)
            .operation("CreateFlowLogs")
            .times(1),
    );
    let o = moat_retrying(
        &proxy.endpoint,
        state.path(),
        &["--region", US, "apply", "vpc.flow-logs", "--yes"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", output_text(&o));
    let sent: Vec<Vec<(String, String)>> = proxy
        .requests()
        .into_iter()
        .filter(|r| {
            r.params
                .iter()
                .any(|(k, v)| k == "Action" && v == "CreateFlowLogs")
        })
        .map(|r| r.params)
        .collect();
    // One VPC in us-east-1 (the default one): two attempts of one request.
    assert_eq!(sent.len(), 2, "{:?}", proxy.operations());
    let tokens: Vec<Option<String>> = sent
        .iter()
        .map(|p| {
            p.iter()
                .find(|(k, _)| k == "ClientToken")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert!(tokens[0].is_some(), "a client token is sent: {sent:?}");
    assert_eq!(tokens[0], tokens[1], "the retry sends the same token");
}
