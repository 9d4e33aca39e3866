//! Apply a confirmed plan: account pin and drift check, journal, send, verify.
//! Shared by the CLI and the TUI; the backend decides whether anything is sent.

use crate::aws::client::Outcome;
use crate::aws::inventory::document::NOT_READ;
use crate::aws::inventory::{Inventory, ResourceRef, canonical_json};
use crate::collect::{Applied, Backend, OpError, collect_inventory};
use crate::journal::{Amended, DoneDetail, Journal, JournalError};
use crate::plan::{Op, Plan, ResourceChange};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

mod undo;
pub use undo::{
    Resolution, UndoDone, UndoError, UndoRunError, batch_entries, entry_buckets, mark_undone,
    plan_undo, plan_undo_with, resolve_unknown, run_undo, select_entries, undo_parts, undo_plan,
    unknown_reason,
};

#[derive(Debug, Error)]
pub enum ExecError {
    #[error(
        "the plan was made for account {plan} but the credentials now point at account {live}; nothing was sent"
    )]
    AccountMismatch { plan: String, live: String },
    #[error(
        "{resource} changed since the plan was made; nothing was sent. Plan again to see the current state."
    )]
    Drift {
        resource: ResourceRef,
        planned: String,
        live: String,
    },
    #[error("could not re-read the account before applying: {0}")]
    Collect(String),
    #[error(
        "this change cannot be undone and is applied only once account id {0} is typed to confirm it; nothing was sent"
    )]
    NotConfirmed(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A resource whose state after apply differs from the preview.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub resource: ResourceRef,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExecReport {
    /// Ops handled, in order (index into the plan's steps).
    pub applied: Vec<(usize, Applied)>,
    /// The op that failed, if one did (later ops were not sent).
    pub failed: Option<(usize, OpError)>,
    /// Ops applied with a warning (AWS applied only part of them): index
    /// into the plan's steps, and what was not applied.
    pub warnings: Vec<(usize, String)>,
    /// Differences between the preview and the re-read account.
    pub mismatches: Vec<Mismatch>,
    pub batch: Option<String>,
    pub dry_run: bool,
    /// The account as re-read after sending (the plan's parts and the item's),
    /// so callers can re-check the item without reading it again. `None` when
    /// nothing was sent.
    pub reread: Option<Box<Inventory>>,
}

impl ExecReport {
    pub fn ok(&self) -> bool {
        self.failed.is_none() && self.mismatches.is_empty()
    }
}

/// Progress while applying, for a UI.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Checking,
    Sending { index: usize, total: usize },
    Verifying,
}

/// Re-read the plan's parts and refuse on another account or a drifted resource.
/// The caller is asked again (not the identity read at start-up): in a long
/// session SSO or `credential_process` may now resolve to another account.
pub async fn preflight(backend: &Arc<dyn Backend>, plan: &Plan) -> Result<Inventory, ExecError> {
    let caller = backend
        .caller()
        .await
        .map_err(|e| ExecError::Collect(e.summary()))?;
    if caller.account != plan.account {
        return Err(ExecError::AccountMismatch {
            plan: plan.account.clone(),
            live: caller.account,
        });
    }
    let mut inv = collect_inventory(backend.clone(), &plan.parts()).await;
    read_versioning(backend.as_ref(), &mut inv, &plan_buckets(plan)).await;
    for p in plan.parts() {
        if let crate::aws::inventory::PartStatus::Error(e) = inv.status(p) {
            return Err(ExecError::Collect(e.summary()));
        }
    }
    let live = inv.account_id().unwrap_or_default().to_string();
    if live != plan.account {
        return Err(ExecError::AccountMismatch {
            plan: plan.account.clone(),
            live,
        });
    }
    for rc in &plan.resources {
        let now = inv
            .document(&rc.resource)
            .map_err(|e| ExecError::Collect(e.0.label().to_string()))?;
        // A setting the plan was built without (not read) is not compared:
        // no op of the plan can depend on it (none can be predicted on it).
        let now = unread_as_planned(rc.before.as_ref(), now, |_| false);
        if now != rc.before {
            return Err(ExecError::Drift {
                resource: rc.resource.clone(),
                planned: rc.before_text(),
                live: canonical_json(now.as_ref()),
            });
        }
    }
    Ok(inv)
}

/// Apply `plan` (already confirmed). With a dry-run backend nothing is sent,
/// nothing is journaled and nothing is verified.
pub async fn execute(
    backend: Arc<dyn Backend>,
    plan: &Plan,
    journal: &Journal,
    progress: impl FnMut(ExecEvent),
) -> Result<ExecReport, ExecError> {
    execute_confirmed(backend, plan, journal, None, progress).await
}

/// [`execute`] for a plan that asks for the account id typed
/// ([`Plan::typed_confirmation`]): `typed` is what the person typed. A plan
/// that asks for it is refused, with nothing sent, unless `typed` matches
/// (a dry run sends nothing and needs none).
pub async fn execute_confirmed(
    backend: Arc<dyn Backend>,
    plan: &Plan,
    journal: &Journal,
    typed: Option<&str>,
    mut progress: impl FnMut(ExecEvent),
) -> Result<ExecReport, ExecError> {
    if let Some(want) = plan.typed_confirmation()
        && !backend.mode().is_dry_run()
        && typed.map(str::trim) != Some(want)
    {
        return Err(ExecError::NotConfirmed(want.to_string()));
    }
    progress(ExecEvent::Checking);
    // The account as the plan's ops leave it, step by step: what a write
    // that replaces a whole document expects to find just before it is sent.
    let mut expected = preflight(&backend, plan).await?;
    let dry_run = backend.mode().is_dry_run();
    let batch = if dry_run {
        None
    } else {
        Some(journal.begin_batch(plan)?)
    };
    let mut report = ExecReport {
        applied: vec![],
        failed: None,
        warnings: vec![],
        mismatches: vec![],
        batch: batch.clone(),
        dry_run,
        reread: None,
    };
    let total = plan.steps.len();
    // Per bucket, the policy it held before moat's own write in this batch:
    // until that write reaches every S3 server, a read may still show it.
    let mut superseded: HashMap<String, Option<Value>> = HashMap::new();
    for (i, step) in plan.steps.iter().enumerate() {
        progress(ExecEvent::Sending { index: i, total });
        // Minutes may have passed since the preflight read (a large plan):
        // a bucket policy is re-read right before it is replaced.
        let checked =
            recheck_before_write(backend.as_ref(), &expected, &step.op, &superseded).await;
        let entry = match &batch {
            Some(b) => {
                Some(journal.begin_item(b, i + 1, &step.op, &step.inverse, step.item.as_deref())?)
            }
            None => None,
        };
        let prior = match checked {
            Ok(prior) => prior,
            Err(err) => {
                if let Some(e) = &entry {
                    journal.failed(e, &err.to_string())?;
                }
                report.failed = Some((i, err));
                break;
            }
        };
        match backend.apply_outcome(&step.op).await {
            Ok((a, outcome)) => {
                // What the account really did: the journal holds that (the
                // rules really revoked, the id of what was created), so undo
                // reverses exactly it.
                let (done, inverse) = amended(step, &outcome);
                if let Some(e) = &entry {
                    let changed = done != step.op || inverse != step.inverse;
                    journal.done_with(
                        e,
                        DoneDetail {
                            amended: changed.then(|| Amended {
                                op: done.clone(),
                                inverse: inverse.clone(),
                            }),
                            created: outcome.created.clone(),
                            warning: outcome.warning.clone(),
                        },
                    )?;
                }
                if let Some(w) = outcome.warning {
                    report.warnings.push((i, w));
                }
                // A recorded (dry-run) op changed nothing. An op the model
                // cannot take only makes later re-checks of that resource
                // compare with an older state, and refuse.
                if a == Applied::Sent {
                    if let Err(e) = expected.apply(&done) {
                        tracing::debug!("expected state after {}: {e}", done.action());
                    }
                    if let (Some((bucket, region)), Some(prior)) = (policy_write(&done), prior) {
                        let wrote = expected
                            .s3
                            .ready()
                            .and_then(|s| s.bucket(bucket))
                            .and_then(|b| b.policy.ready())
                            .cloned();
                        if wrote.as_ref() != Some(&prior) {
                            superseded.insert(bucket.to_string(), prior.clone());
                        }
                        // S3 may store a policy in another form than it was
                        // sent (an account id principal becomes its root
                        // ARN): when the plan writes this policy again,
                        // expect what S3 holds once moat's write has
                        // propagated, not the model of it.
                        if wrote.as_ref() != Some(&prior)
                            && plan.steps[i + 1..].iter().any(|later| {
                                policy_write(&later.op).is_some_and(|(b, _)| b == bucket)
                            })
                            && let Some(now) =
                                settled_policy(backend.as_ref(), bucket, region, &prior).await
                            && let Some(b) =
                                expected.s3.ready_mut().and_then(|s| s.bucket_mut(bucket))
                        {
                            b.policy = crate::aws::inventory::Fetched::Ready(now);
                        }
                    }
                }
                report.applied.push((i, a));
            }
            Err(err) => {
                // A change that may have been applied stays `unknown` in the
                // journal (a re-scan tells); only a refused one is `failed`.
                if let Some(e) = &entry
                    && !err.outcome_unknown
                {
                    journal.failed(e, &err.to_string())?;
                }
                report.failed = Some((i, err));
                break;
            }
        }
    }
    if !dry_run && !report.applied.is_empty() {
        progress(ExecEvent::Verifying);
        let mut parts = plan.parts();
        // Every item the plan fixes is re-checked: its own item, or in a
        // batch the item of each step.
        let items = std::iter::once(plan.item.as_str())
            .chain(plan.steps.iter().filter_map(|s| s.item.as_deref()));
        for def in items.filter_map(crate::checks::item) {
            parts.extend(def.needs.iter().copied());
        }
        parts.sort();
        parts.dedup();
        let buckets = plan_buckets(plan);
        let mut inv = collect_inventory(backend.clone(), &parts).await;
        read_versioning(backend.as_ref(), &mut inv, &buckets).await;
        if report.failed.is_none() {
            report.mismatches = verify(&inv, plan);
            // Bucket configuration is eventually consistent: a read right
            // after the write may not show it yet. Read again for a short,
            // bounded time before calling it a difference.
            let mut waits = PROPAGATION_WAITS.iter();
            while !report.mismatches.is_empty()
                && report
                    .mismatches
                    .iter()
                    .all(|m| matches!(m.resource, ResourceRef::Bucket { .. }))
                && let Some(wait) = waits.next()
            {
                tokio::time::sleep(*wait).await;
                inv = collect_inventory(backend.clone(), &parts).await;
                read_versioning(backend.as_ref(), &mut inv, &buckets).await;
                report.mismatches = verify(&inv, plan);
            }
        }
        report.reread = Some(Box::new(inv));
    }
    Ok(report)
}

/// The buckets `ops` act on (their own resource or one they also touch).
pub(crate) fn buckets_of<'a>(ops: impl IntoIterator<Item = &'a Op>) -> Vec<String> {
    let mut out: Vec<String> = ops
        .into_iter()
        .flat_map(|op| std::iter::once(op.resource()).chain(op.also_touches()))
        .filter_map(|r| match r {
            ResourceRef::Bucket { name } => Some(name),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The buckets a plan acts on: its steps' ops, their inverses and the
/// resources it previews.
fn plan_buckets(plan: &Plan) -> Vec<String> {
    let ops = plan
        .steps
        .iter()
        .flat_map(|s| std::iter::once(&s.op).chain(s.inverse.iter().flatten()));
    let mut out = buckets_of(ops);
    out.extend(plan.resources.iter().filter_map(|rc| match &rc.resource {
        ResourceRef::Bucket { name } => Some(name.clone()),
        _ => None,
    }));
    out.sort();
    out.dedup();
    out
}

/// Read the versioning of each bucket of `buckets` that `inv` holds without
/// it. The S3 scan reads versioning only on the buckets an item judges it
/// on; a bucket that a plan or a journal entry acts on may no longer be one
/// of them (its trail deleted, the logging to it removed), yet apply and
/// undo compare, verify and reverse its versioning.
pub async fn read_versioning(backend: &dyn Backend, inv: &mut Inventory, buckets: &[String]) {
    let Some(s3) = inv.s3.ready_mut() else {
        return;
    };
    for b in s3
        .buckets
        .iter_mut()
        .filter(|b| b.versioning.is_none() && buckets.contains(&b.name))
    {
        b.versioning = Some(backend.bucket_versioning(&b.name, &b.region).await.into());
    }
}

/// How long to wait between reads of a bucket's configuration that does
/// not show moat's own write yet (S3 bucket configuration is eventually
/// consistent): about 8 s in all, then the read counts.
const PROPAGATION_WAITS: [Duration; 5] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// The op as the account applied it, and its inverse narrowed to match:
/// a revoke AWS matched in part is undone by re-authorizing only the rules
/// it revoked; a snapshot delete (or a KMS key's scheduled deletion) names
/// the id AWS gave what was created.
fn amended(step: &crate::plan::Step, outcome: &Outcome) -> (Op, Option<Vec<Op>>) {
    let done = outcome.applied.clone().unwrap_or_else(|| step.op.clone());
    let kept = match (&outcome.applied, &done) {
        (
            Some(_),
            Op::RevokeSecurityGroupIngress(crate::aws::ops::RevokeSecurityGroupIngress {
                rules,
                ..
            })
            | Op::RevokeSecurityGroupEgress(crate::aws::ops::RevokeSecurityGroupEgress {
                rules, ..
            }),
        ) => Some(rules.clone()),
        _ => None,
    };
    let narrow = |rules: Vec<crate::aws::inventory::SgRule>,
                  kept: &[crate::aws::inventory::SgRule]| {
        let rules: Vec<_> = rules
            .into_iter()
            .filter(|r| kept.iter().any(|k| k.same_permission(r)))
            .collect();
        (!rules.is_empty()).then_some(rules)
    };
    let inverse = step.inverse.clone().map(|ops| {
        ops.into_iter()
            .filter_map(|o| match (o, &kept, &outcome.created) {
                (
                    Op::AuthorizeSecurityGroupIngress(
                        crate::aws::ops::AuthorizeSecurityGroupIngress { group, rules },
                    ),
                    Some(kept),
                    _,
                ) => narrow(rules, kept).map(|rules| {
                    Op::AuthorizeSecurityGroupIngress(
                        crate::aws::ops::AuthorizeSecurityGroupIngress { group, rules },
                    )
                }),
                (
                    Op::AuthorizeSecurityGroupEgress(
                        crate::aws::ops::AuthorizeSecurityGroupEgress { group, rules },
                    ),
                    Some(kept),
                    _,
                ) => narrow(rules, kept).map(|rules| {
                    Op::AuthorizeSecurityGroupEgress(
                        crate::aws::ops::AuthorizeSecurityGroupEgress { group, rules },
                    )
                }),
                (
                    Op::DeleteSnapshot(crate::aws::ops::DeleteSnapshot {
                        region,
                        volume_id,
                        name,
                        snapshot_id: None,
                    }),
                    _,
                    Some(id),
                ) => Some(Op::DeleteSnapshot(crate::aws::ops::DeleteSnapshot {
                    region,
                    volume_id,
                    name,
                    snapshot_id: Some(id.clone()),
                })),
                (
                    Op::ScheduleKmsKeyDeletion(crate::aws::ops::ScheduleKmsKeyDeletion {
                        region,
                        alias,
                        pending_days,
                        key_id: None,
                    }),
                    _,
                    Some(id),
                ) => Some(Op::ScheduleKmsKeyDeletion(
                    crate::aws::ops::ScheduleKmsKeyDeletion {
                        region,
                        alias,
                        pending_days,
                        key_id: Some(id.clone()),
                    },
                )),
                (o, _, _) => Some(o),
            })
            .collect()
    });
    (done, inverse)
}

/// A bucket's policy once moat's own write has propagated: read until it
/// no longer shows `prior` (what the bucket held before that write), for
/// a short bounded time. `None`: it could not be read, or still shows
/// `prior` (the re-check before the next write waits again).
async fn settled_policy(
    backend: &dyn Backend,
    bucket: &str,
    region: Option<&str>,
    prior: &Option<Value>,
) -> Option<Option<Value>> {
    let mut waits = PROPAGATION_WAITS.iter();
    loop {
        match backend.bucket_policy(bucket, region).await {
            Ok(now) if now != *prior => return Some(now),
            Ok(_) => tokio::time::sleep(*waits.next()?).await,
            Err(e) => {
                tracing::debug!("re-reading the policy of {bucket}: {}", e.summary());
                return None;
            }
        }
    }
}

/// The bucket (and its region, when known) whose whole policy `op` replaces.
fn policy_write(op: &crate::plan::Op) -> Option<(&str, Option<&str>)> {
    use crate::plan::Op;
    match op {
        Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy { bucket, region, .. })
        | Op::DeleteBucketPolicy(crate::aws::ops::DeleteBucketPolicy { bucket, region }) => {
            Some((bucket, Some(region.as_str()).filter(|r| !r.is_empty())))
        }
        _ => None,
    }
}

/// Re-read what `op` is about to replace when it replaces a whole document
/// another actor may have edited since the preflight read (a bucket policy),
/// and refuse the op when that document is no longer what `expected` (the
/// preflight read with the plan's earlier ops applied: for a bucket moat
/// already wrote in this batch, what it wrote) says. A read that still
/// shows what moat's own earlier write replaced (`superseded`: S3 bucket
/// configuration is eventually consistent) is read again, for a short
/// bounded time. `Ok(Some(live))`: send it, the bucket holds `live`;
/// `Ok(None)`: send it, nothing to re-check.
async fn recheck_before_write(
    backend: &dyn Backend,
    expected: &Inventory,
    op: &crate::plan::Op,
    superseded: &HashMap<String, Option<Value>>,
) -> Result<Option<Option<Value>>, OpError> {
    let Some((bucket, region)) = policy_write(op) else {
        return Ok(None);
    };
    let Some(planned) = expected
        .s3
        .ready()
        .and_then(|s3| s3.bucket(bucket))
        .and_then(|b| b.policy.ready())
    else {
        return Ok(None);
    };
    let refuse = |message: String| Err(OpError::new(op.action(), None, message));
    let mut waits = PROPAGATION_WAITS.iter();
    loop {
        match backend.bucket_policy(bucket, region).await {
            Ok(live) if live == *planned => return Ok(Some(live)),
            Ok(live) if superseded.get(bucket) == Some(&live) => match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => {
                    return refuse(crate::guide::msg(
                        "exec",
                        "policy_superseded",
                        &[("bucket", bucket)],
                    ));
                }
            },
            Ok(_) => {
                return refuse(crate::guide::msg(
                    "exec",
                    "policy_changed",
                    &[("bucket", bucket)],
                ));
            }
            Err(e) => {
                return refuse(crate::guide::msg(
                    "exec",
                    "policy_unreadable",
                    &[("bucket", bucket), ("error", &e.summary())],
                ));
            }
        }
    }
}

/// `now`, with the top-level fields that `planned` has as not read copied
/// from `planned`, and so the fields `now` has as not read where
/// `either_side(field)`: a setting read on one side only is not compared.
fn unread_as_planned(
    planned: Option<&Value>,
    mut now: Option<Value>,
    either_side: impl Fn(&str) -> bool,
) -> Option<Value> {
    let (Some(Value::Object(planned)), Some(Value::Object(live))) = (planned, now.as_mut()) else {
        return now;
    };
    let unread = |v: &Value| v.as_str() == Some(NOT_READ);
    for (field, value) in planned {
        let live_unread = live.get(field).is_some_and(unread);
        if unread(value) || (live_unread && either_side(field)) {
            live.insert(field.clone(), value.clone());
        }
    }
    now
}

/// `now`, made comparable with the state a plan left a resource in
/// (`rc.after`): a setting read on one side only (a bucket that became, or
/// stopped being, a log bucket through the plan) is not compared, unless
/// the plan changed it on a resource that existed before (a bucket it
/// creates has the setting as S3 makes it, which the re-read may not read).
pub(crate) fn comparable_with_after(rc: &ResourceChange, now: Option<Value>) -> Option<Value> {
    let changed = |field: &str| match &rc.before {
        Some(before) => before.get(field) != rc.after.as_ref().and_then(|a| a.get(field)),
        None => false,
    };
    unread_as_planned(rc.after.as_ref(), now, |field| !changed(field))
}

/// Compare every resource the plan touched, as re-read in `inv`, with the preview.
pub fn verify(inv: &Inventory, plan: &Plan) -> Vec<Mismatch> {
    plan.resources
        .iter()
        .filter_map(|rc| {
            let now = comparable_with_after(rc, inv.document(&rc.resource).ok().flatten());
            (now != rc.after).then(|| Mismatch {
                resource: rc.resource.clone(),
                expected: rc.after_text(),
                actual: canonical_json(now.as_ref()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::PartId;
    use crate::aws::inventory::{Identity, PartError, PartValue, PasswordPolicy};
    use crate::journal::{Entry, EntryState};
    use crate::plan::Op;

    fn policy(len: i32) -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: len,
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            password_reuse_prevention: Some(24),
            ..PasswordPolicy::default()
        }
    }

    /// An empty plan of `item`, to open a batch with.
    fn plan_of(item: &str) -> Plan {
        Plan {
            item: item.into(),
            account: "111122223333".into(),
            steps: vec![],
            resources: vec![],
            warnings: vec![],
            blast: vec![],
        }
    }

    /// The report of an undo that sent `applied` and stopped at the step
    /// `failed` (refused), if any.
    fn undo_report(applied: Vec<(usize, Applied)>, failed: Option<usize>) -> ExecReport {
        ExecReport {
            applied,
            failed: failed.map(|i| {
                (
                    i,
                    OpError::new("iam:DeleteAccountPasswordPolicy", None, "boom"),
                )
            }),
            warnings: vec![],
            mismatches: vec![],
            batch: Some("undo-batch".into()),
            dry_run: false,
            reread: None,
        }
    }

    /// The journal's entries' states, oldest first.
    fn states(j: &Journal) -> Vec<EntryState> {
        j.entries()
            .expect("entries")
            .iter()
            .map(|e| e.state)
            .collect()
    }

    /// A journal of a password policy change, then a KMS key created by an
    /// earlier version (journaled with ScheduleKeyDeletion as its undo).
    fn journal_with_an_old_key(dir: &std::path::Path) -> (Journal, Vec<Entry>) {
        let j = Journal::open(dir, "111122223333");
        let b = j
            .begin_batch(&plan_of("cloudtrail.encrypted"))
            .expect("batch");
        let password =
            Op::UpdatePasswordPolicy(crate::aws::ops::UpdatePasswordPolicy { policy: policy(15) });
        let delete = Some(vec![Op::DeletePasswordPolicy(
            crate::aws::ops::DeletePasswordPolicy,
        )]);
        let e = j.begin(&b, 1, &password, &delete).expect("begin");
        j.done(&e).expect("done");
        let key = Op::CreateKmsKey(crate::aws::ops::CreateKmsKey {
            region: "us-east-1".into(),
            alias: "alias/moat-cloudtrail".into(),
            description: "d".into(),
            policy: serde_json::json!({}),
        });
        let old_inverse = Some(vec![Op::ScheduleKmsKeyDeletion(
            crate::aws::ops::ScheduleKmsKeyDeletion {
                region: "us-east-1".into(),
                alias: "alias/moat-cloudtrail".into(),
                pending_days: 30,
                key_id: None,
            },
        )]);
        let e = j.begin(&b, 2, &key, &old_inverse).expect("begin");
        j.done(&e).expect("done");
        let entries = j.entries().expect("entries");
        (j, entries)
    }

    fn account(p: Option<PasswordPolicy>) -> Inventory {
        let mut inv = Inventory::default();
        inv.set(PartValue::Identity(Identity {
            account: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:user/admin".into(),
            user_id: "AIDA".into(),
        }));
        inv.set(PartValue::PasswordPolicy(p));
        inv
    }

    fn journal_with_two_entries(dir: &std::path::Path) -> (Journal, Vec<Entry>) {
        let j = Journal::open(dir, "111122223333");
        let b = j
            .begin_batch(&plan_of("account.password-policy"))
            .expect("batch");
        for n in 1..=2 {
            let op = Op::UpdatePasswordPolicy(crate::aws::ops::UpdatePasswordPolicy {
                policy: policy(14 + n as i32),
            });
            let inverse = Some(vec![Op::DeletePasswordPolicy(
                crate::aws::ops::DeletePasswordPolicy,
            )]);
            let e = j.begin(&b, n, &op, &inverse).expect("begin");
            j.done(&e).expect("done");
        }
        let entries = j.entries().expect("entries");
        (j, entries)
    }

    /// A bucket's versioning read on one side only: not compared before
    /// apply when the plan was built without it, nor after when the plan
    /// does not change it; compared when the plan changes it.
    #[test]
    fn versioning_read_on_one_side_only() {
        use crate::aws::inventory::{Bucket, S3, Versioning, VersioningStatus};
        let docs = |versioning: Option<Versioning>, policy: Option<Value>| {
            let mut inv = Inventory::default();
            let mut b = Bucket::new("logs", "us-east-1");
            b.versioning = versioning.map(crate::aws::inventory::Fetched::Ready);
            b.policy = crate::aws::inventory::Fetched::Ready(policy);
            inv.set(PartValue::S3Buckets(S3 {
                buckets: vec![b],
                owner_id: None,
            }));
            inv
        };
        let bucket = ResourceRef::Bucket {
            name: "logs".into(),
        };
        let doc = |inv: &Inventory| inv.document(&bucket).expect("document");
        let policy = serde_json::json!({"Version": "2012-10-17"});
        let off = Versioning::default();
        let on = Versioning {
            status: Some(VersioningStatus::Enabled),
            mfa_delete: false,
        };
        let plan = |before: &Inventory, after: &Inventory| Plan {
            resources: vec![ResourceChange {
                resource: bucket.clone(),
                before: doc(before),
                after: doc(after),
            }],
            ..plan_of("cloudtrail.bucket-access-logging")
        };
        // Planned without versioning; re-read with it (now a log bucket).
        let p = plan(&docs(None, None), &docs(None, Some(policy.clone())));
        assert!(verify(&docs(Some(off), Some(policy.clone())), &p).is_empty());
        // ... but the policy is still compared.
        assert_eq!(verify(&docs(Some(off), None), &p).len(), 1);
        // Before apply, the same: the plan did not rely on it.
        let live = doc(&docs(Some(on), None));
        assert_eq!(
            unread_as_planned(p.resources[0].before.as_ref(), live, |_| false),
            p.resources[0].before
        );
        // Planned with versioning; re-read without it (no longer a log bucket).
        let p = plan(
            &docs(Some(off), Some(policy.clone())),
            &docs(Some(off), None),
        );
        assert!(verify(&docs(None, None), &p).is_empty());
        // Before apply that is drift: the plan was built on it.
        let live = doc(&docs(None, Some(policy.clone())));
        assert_ne!(
            unread_as_planned(p.resources[0].before.as_ref(), live, |_| false),
            p.resources[0].before
        );
        // The plan changes versioning: the re-read must show it.
        let p = plan(&docs(Some(off), None), &docs(Some(on), None));
        assert_eq!(verify(&docs(None, None), &p).len(), 1);
        assert!(verify(&docs(Some(on), None), &p).is_empty());
        // A bucket the plan creates (versioning as S3 makes it), which
        // the re-read does not judge: not compared, the rest is.
        let mut created = plan(&docs(None, None), &docs(Some(off), Some(policy.clone())));
        created.resources[0].before = None;
        assert!(verify(&docs(None, Some(policy.clone())), &created).is_empty());
        assert_eq!(verify(&docs(None, None), &created).len(), 1);
    }

    #[test]
    fn unknown_entry_resolves_from_the_live_resource() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, _) = journal_with_two_entries(d.path());
        let mut entry = j.entries().expect("entries").remove(0);
        entry.state = EntryState::Unknown;
        let Op::UpdatePasswordPolicy(crate::aws::ops::UpdatePasswordPolicy { policy: sent }) =
            entry.op.clone()
        else {
            panic!("op")
        };
        // The change is there: applied.
        assert_eq!(
            resolve_unknown(&account(Some(sent.clone())), &entry),
            Resolution::Applied
        );
        // It is not: failed.
        assert!(matches!(
            resolve_unknown(&account(Some(policy(8))), &entry),
            Resolution::NotApplied(_)
        ));
        assert!(matches!(
            resolve_unknown(&account(None), &entry),
            Resolution::NotApplied(_)
        ));
        // The resource cannot be read: it stays unknown.
        let mut unreadable = account(None);
        unreadable.set_error(
            PartId::PasswordPolicy,
            PartError::new(
                "iam:GetAccountPasswordPolicy",
                Some("AccessDenied".into()),
                "denied",
            ),
        );
        match resolve_unknown(&unreadable, &entry) {
            Resolution::Unreadable(why) => {
                assert!(why.contains("iam:GetAccountPasswordPolicy"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        // A delete whose entity is gone is in place.
        let mut delete = entry.clone();
        delete.op = Op::DeletePasswordPolicy(crate::aws::ops::DeletePasswordPolicy);
        assert_eq!(
            resolve_unknown(&account(None), &delete),
            Resolution::Applied
        );
    }

    /// An undo that stopped part-way records the entries it did reverse, so
    /// the journal tells the truth and a second undo does not redo them.
    #[test]
    fn partly_failed_undo_marks_the_entries_it_reversed() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, entries) = journal_with_two_entries(d.path());
        // The undo plan reverses the newest entry first: its one step went
        // through, the older entry's step failed.
        let report = undo_report(vec![(0, Applied::Sent)], Some(1));
        let undone = mark_undone(&j, &entries, &report).expect("mark");
        assert_eq!(undone, vec![entries[1].entry.clone()]);
        assert_eq!(states(&j), vec![EntryState::Applied, EntryState::Undone]);
        // A second undo selects only the entry still applied.
        let again = select_entries(&j.entries().expect("entries"), true, &[]).expect("select");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].entry, entries[0].entry);
        // A complete undo marks every entry.
        let d = tempfile::tempdir().expect("tempdir");
        let (j, entries) = journal_with_two_entries(d.path());
        let report = ExecReport {
            applied: vec![(0, Applied::Sent), (1, Applied::Sent)],
            failed: None,
            ..report
        };
        assert_eq!(mark_undone(&j, &entries, &report).expect("mark").len(), 2);
        // A dry run marks none.
        let d = tempfile::tempdir().expect("tempdir");
        let (j, entries) = journal_with_two_entries(d.path());
        let report = ExecReport {
            batch: None,
            dry_run: true,
            ..report
        };
        assert!(mark_undone(&j, &entries, &report).expect("mark").is_empty());
    }

    /// `mark_undone` counts the steps undo really sends for each entry, not
    /// the inverse the journal holds: a KMS key created by an earlier
    /// version was journaled with ScheduleKeyDeletion as its undo, which
    /// undo no longer sends (the key stays). An undo whose first real step
    /// failed marks the key's entry undone (it needed no step) and not the
    /// entry whose step failed; one whose step went through marks both.
    #[test]
    fn partly_failed_undo_counts_the_steps_it_really_sent() {
        let d = tempfile::tempdir().expect("tempdir");
        let (j, entries) = journal_with_an_old_key(d.path());
        // Undo reverses the key's entry first (it sends nothing), then the
        // password policy's: step 0, which failed.
        let failed = undo_report(vec![], Some(0));
        let undone = mark_undone(&j, &entries, &failed).expect("mark");
        assert_eq!(undone, vec![entries[1].entry.clone()]);
        assert_eq!(states(&j), vec![EntryState::Applied, EntryState::Undone]);
        // The one real step went through: both are undone.
        let d = tempfile::tempdir().expect("tempdir");
        let (j2, entries) = journal_with_an_old_key(d.path());
        let sent = ExecReport {
            applied: vec![(0, Applied::Sent)],
            failed: None,
            ..failed
        };
        assert_eq!(mark_undone(&j2, &entries, &sent).expect("mark").len(), 2);
    }

    fn sg_rule(port: i32, cidr: &str, description: Option<&str>) -> crate::aws::inventory::SgRule {
        crate::aws::inventory::SgRule {
            protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            source: crate::aws::inventory::SgSource::Ipv4(cidr.into()),
            description: description.map(str::to_string),
        }
    }

    /// A revoke AWS matched in part is journaled as the rules it revoked,
    /// and its undo re-authorizes exactly those (with their descriptions).
    #[test]
    fn a_partly_applied_revoke_is_undone_by_exactly_the_rules_revoked() {
        use crate::plan::Step;
        let group = crate::aws::inventory::SgKey {
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            group_name: "default".into(),
        };
        let step = Step {
            op: Op::RevokeSecurityGroupIngress(crate::aws::ops::RevokeSecurityGroupIngress {
                group: group.clone(),
                rules: vec![
                    sg_rule(22, "0.0.0.0/0", None),
                    sg_rule(443, "10.0.0.0/8", None),
                ],
            }),
            inverse: Some(vec![Op::AuthorizeSecurityGroupIngress(
                crate::aws::ops::AuthorizeSecurityGroupIngress {
                    group: group.clone(),
                    rules: vec![
                        sg_rule(22, "0.0.0.0/0", Some("ssh")),
                        sg_rule(443, "10.0.0.0/8", Some("web")),
                    ],
                },
            )]),
            item: None,
        };
        let outcome = Outcome {
            applied: Some(Op::RevokeSecurityGroupIngress(
                crate::aws::ops::RevokeSecurityGroupIngress {
                    group: group.clone(),
                    rules: vec![sg_rule(443, "10.0.0.0/8", None)],
                },
            )),
            created: None,
            warning: Some("w".into()),
        };
        let (done, inverse) = amended(&step, &outcome);
        assert_eq!(Some(&done), outcome.applied.as_ref());
        assert_eq!(
            inverse,
            Some(vec![Op::AuthorizeSecurityGroupIngress(
                crate::aws::ops::AuthorizeSecurityGroupIngress {
                    group,
                    rules: vec![sg_rule(443, "10.0.0.0/8", Some("web"))],
                }
            )])
        );
        // Applied whole: nothing changes.
        assert_eq!(
            amended(&step, &Outcome::default()),
            (step.op.clone(), step.inverse.clone())
        );
    }

    /// A snapshot's undo names the id AWS gave it, once known.
    #[test]
    fn a_created_snapshot_is_undone_by_its_id() {
        use crate::plan::Step;
        let delete = |snapshot_id: Option<&str>| {
            Op::DeleteSnapshot(crate::aws::ops::DeleteSnapshot {
                region: "us-east-1".into(),
                volume_id: "vol-1".into(),
                name: "moat-vol-1-20261129-120000".into(),
                snapshot_id: snapshot_id.map(str::to_string),
            })
        };
        let step = Step {
            op: Op::CreateSnapshot(crate::aws::ops::CreateSnapshot {
                region: "us-east-1".into(),
                volume_id: "vol-1".into(),
                name: "moat-vol-1-20261129-120000".into(),
                description: "d".into(),
            }),
            inverse: Some(vec![delete(None)]),
            item: None,
        };
        let outcome = Outcome {
            created: Some("snap-0123".into()),
            ..Outcome::default()
        };
        assert_eq!(
            amended(&step, &outcome),
            (step.op.clone(), Some(vec![delete(Some("snap-0123"))]))
        );
    }

    /// The refusals of a bucket policy write are the guide's sentences
    /// (assets/guide/exec.messages.toml), not the code's.
    #[test]
    fn policy_refusals_come_from_the_guide() {
        for key in ["policy_superseded", "policy_changed", "policy_unreadable"] {
            let t = crate::guide::guide().template("exec", key);
            assert!(
                t.is_some_and(|t| t.contains("{bucket}")),
                "exec.{key}: {t:?}"
            );
        }
    }

    /// A KMS key's scheduled deletion in a journaled inverse names the key
    /// by the id AWS gave it, not by its alias (which can be moved).
    #[test]
    fn a_created_kms_key_s_deletion_names_its_id() {
        use crate::plan::Step;
        let delete = |key_id: Option<&str>| {
            Op::ScheduleKmsKeyDeletion(crate::aws::ops::ScheduleKmsKeyDeletion {
                region: "us-east-1".into(),
                alias: "alias/moat-cloudtrail".into(),
                pending_days: 30,
                key_id: key_id.map(str::to_string),
            })
        };
        let step = Step {
            op: Op::CreateKmsKey(crate::aws::ops::CreateKmsKey {
                region: "us-east-1".into(),
                alias: "alias/moat-cloudtrail".into(),
                description: "d".into(),
                policy: serde_json::json!({}),
            }),
            inverse: Some(vec![delete(None)]),
            item: None,
        };
        let outcome = Outcome {
            created: Some("1234abcd-12ab-34cd-56ef-1234567890ab".into()),
            ..Outcome::default()
        };
        assert_eq!(
            amended(&step, &outcome),
            (
                step.op.clone(),
                Some(vec![delete(Some("1234abcd-12ab-34cd-56ef-1234567890ab"))])
            )
        );
    }

    /// A backend that stores a bucket policy in another form than it was
    /// sent, as S3 does (an account id principal comes back as its root ARN).
    struct Normalizing(crate::collect::demo::DemoBackend);

    impl Backend for Normalizing {
        fn mode(&self) -> crate::collect::Mode {
            self.0.mode()
        }
        fn collect(
            &self,
            part: PartId,
        ) -> futures::future::BoxFuture<'_, Result<PartValue, PartError>> {
            self.0.collect(part)
        }
        fn apply<'a>(
            &'a self,
            op: &'a Op,
        ) -> futures::future::BoxFuture<'a, Result<Applied, OpError>> {
            Box::pin(async move {
                let a = self.0.apply(op).await?;
                if let Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                    bucket,
                    region,
                    policy,
                }) = op
                {
                    let stored = serde_json::from_str(&policy.to_string().replace(
                        "\"AWS\":\"111122223333\"",
                        "\"AWS\":\"arn:aws:iam::111122223333:root\"",
                    ))
                    .map_err(|e| OpError::new("test", None, e.to_string()))?;
                    self.0
                        .apply(&Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                            bucket: bucket.clone(),
                            region: region.clone(),
                            policy: stored,
                        }))
                        .await?;
                }
                Ok(a)
            })
        }
    }

    fn bucket_account() -> Inventory {
        let mut inv = account(None);
        inv.set(PartValue::S3Buckets(crate::aws::inventory::S3 {
            buckets: vec![crate::aws::inventory::Bucket::new("logs", "us-east-1")],
            owner_id: None,
        }));
        inv
    }

    /// Plans `ops` on `inv`, then applies them through the backend `wrap`
    /// makes of `inv`, with a journal in `dir`.
    async fn plan_and_execute(
        inv: Inventory,
        ops: Vec<Op>,
        wrap: impl FnOnce(Inventory) -> Arc<dyn Backend>,
        dir: &std::path::Path,
    ) -> ExecReport {
        let draft = crate::plan::Draft {
            ops,
            warnings: vec![],
        };
        let plan = crate::plan::make_plan(&inv, "test", draft).expect("plan");
        let journal = Journal::open(dir, "111122223333");
        execute(wrap(inv), &plan, &journal, |_| {})
            .await
            .expect("applies without drift")
    }

    fn grant(sid: &str) -> serde_json::Value {
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": sid,
            "Effect": "Allow", "Principal": {"AWS": "111122223333"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}]})
    }

    /// Two writes of one bucket's policy in a plan: the second expects what
    /// S3 stored after the first (re-read), not moat's model of it.
    #[tokio::test]
    async fn second_policy_write_of_a_bucket_expects_what_s3_stored() {
        let d = tempfile::tempdir().expect("tempdir");
        let inv = bucket_account();
        let ops = ["First", "Second"]
            .into_iter()
            .map(|sid| {
                Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
                    bucket: "logs".into(),
                    region: "us-east-1".into(),
                    policy: grant(sid),
                })
            })
            .collect();
        let backend = |inv| -> Arc<dyn Backend> {
            Arc::new(Normalizing(
                crate::collect::demo::DemoBackend::with_inventory(inv),
            ))
        };
        let report = plan_and_execute(inv, ops, backend, d.path()).await;
        assert_eq!(report.failed, None, "{report:?}");
        assert_eq!(report.applied.len(), 2);
    }

    /// A backend whose S3 scan reads no bucket's versioning (no item judges
    /// it there any more); one bucket's versioning is read on request.
    struct Unjudged(crate::collect::demo::DemoBackend);

    impl Backend for Unjudged {
        fn mode(&self) -> crate::collect::Mode {
            self.0.mode()
        }
        fn collect(
            &self,
            part: PartId,
        ) -> futures::future::BoxFuture<'_, Result<PartValue, PartError>> {
            Box::pin(async move {
                let mut v = self.0.collect(part).await?;
                if let PartValue::S3Buckets(s3) = &mut v {
                    for b in &mut s3.buckets {
                        b.versioning = None;
                    }
                }
                Ok(v)
            })
        }
        fn bucket_versioning<'a>(
            &'a self,
            bucket: &'a str,
            region: &'a str,
        ) -> futures::future::BoxFuture<'a, Result<crate::aws::inventory::Versioning, PartError>>
        {
            self.0.bucket_versioning(bucket, region)
        }
        fn apply<'a>(
            &'a self,
            op: &'a Op,
        ) -> futures::future::BoxFuture<'a, Result<Applied, OpError>> {
            self.0.apply(op)
        }
    }

    /// A plan built while the bucket's versioning was read is neither
    /// refused as drift nor left unverified when the re-read skips it.
    #[tokio::test]
    async fn versioning_the_scan_no_longer_reads_is_read_for_the_plan() {
        let d = tempfile::tempdir().expect("tempdir");
        let inv = bucket_account();
        let op = Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: "logs".into(),
            region: "us-east-1".into(),
            status: crate::aws::inventory::VersioningStatus::Enabled,
            mfa_delete: None,
            mfa: None,
        });
        let backend = |inv| -> Arc<dyn Backend> {
            Arc::new(Unjudged(crate::collect::demo::DemoBackend::with_inventory(
                inv,
            )))
        };
        let report = plan_and_execute(inv, vec![op], backend, d.path()).await;
        assert_eq!(report.failed, None, "{report:?}");
        assert_eq!(report.mismatches, vec![], "{report:?}");
        let reread = report.reread.expect("re-read");
        let b = reread
            .s3
            .ready()
            .and_then(|s| s.bucket("logs"))
            .expect("bucket");
        assert_eq!(
            b.versioning_read().and_then(|v| v.status),
            Some(crate::aws::inventory::VersioningStatus::Enabled)
        );
    }

    /// A plan that asks for the account id typed is sent by no caller that
    /// does not pass the id: nothing is sent, nothing journaled.
    #[tokio::test]
    async fn a_plan_that_asks_for_the_account_id_is_refused_without_it() {
        use crate::collect::demo::{DemoBackend, demo_inventory};
        let inv = demo_inventory().expect("demo");
        let def = crate::checks::item("account.central-root-access").expect("item");
        let crate::checks::Fix::Plan(f) = def.fix else {
            panic!("a plan")
        };
        let settings = crate::config::Settings::default();
        let done = std::collections::BTreeMap::new();
        let ctx = crate::checks::Ctx {
            now: crate::state::now(),
            settings: &settings,
            done: &done,
        };
        let plan = f(&inv, &ctx, &crate::plan::Inputs::default())
            .and_then(|d| crate::plan::make_plan(&inv, def.id, d))
            .expect("plan");
        let want = plan
            .typed_confirmation()
            .expect("asks for the id")
            .to_string();
        let demo = Arc::new(DemoBackend::with_inventory(inv.clone()));
        let backend: Arc<dyn Backend> = demo.clone();
        let dir = tempfile::tempdir().expect("temp dir");
        let journal = Journal::open(dir.path(), &plan.account);
        for typed in [None, Some("444455556666")] {
            let r = execute_confirmed(backend.clone(), &plan, &journal, typed, |_| {}).await;
            assert!(
                matches!(r, Err(ExecError::NotConfirmed(ref id)) if *id == want),
                "{typed:?}"
            );
        }
        assert!(matches!(
            execute(backend.clone(), &plan, &journal, |_| {}).await,
            Err(ExecError::NotConfirmed(_))
        ));
        assert_eq!(demo.snapshot(), inv, "nothing was sent");
        assert!(journal.entries().expect("journal").is_empty());
        let sent = execute_confirmed(backend, &plan, &journal, Some(&want), |_| {})
            .await
            .expect("applied");
        assert!(sent.ok());
        assert_ne!(demo.snapshot(), inv);
    }
}
