//! Several items in one go: marks (space, `A`, `U`), the inputs of the
//! marked items asked form after form, and one plan for all of them.
//!
//! A batch plan runs each marked item's builder, in guide order, on the
//! inventory as the previous items' ops leave it (two items may change the
//! same bucket policy), then derives one plan from all the ops on the
//! inventory as it is: one diff per resource, from the real before to the
//! final after. Each step names its item; the journal keeps it per entry.

use super::form::open_form;
use super::planning::{plan_diff_of, sanitize_lines};
use super::{Effect, PlanJob, flash};
use crate::aws::iam::KeyStatus;
use crate::aws::inventory::{Inventory, ResourceRef};
use crate::aws::s3::VersioningStatus;
use crate::checks::{self, Ctx, Fix, ItemDef, Status};
use crate::diff::{DiffLine, LineKind};
use crate::kit::text::sanitize;
use crate::plan::{Draft, Inputs, Op, Plan, PlanError, make_plan};
use crate::tui::keymap::{Action, Context};
use crate::tui::model::*;

/// The item id of a plan over several items (the journal's batch item).
pub const BATCH: &str = "batch";

/// One marked item as the batch job gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchMember {
    pub item: &'static str,
    pub inputs: Inputs,
    /// Marked with the section (`A`): left out when it cannot be undone.
    pub from_section: bool,
}

/// A batch plan and the marked items it does not hold, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub plan: Plan,
    /// Items with steps in the plan, in order.
    pub items: Vec<&'static str>,
    /// (item, why) for each marked item left out.
    pub skipped: Vec<(&'static str, String)>,
    /// (item, call number from 1, why) for each call of the plan whose undo
    /// would not restore the account as it was ([`undo_falls_short`]).
    pub undo_short: Vec<(&'static str, usize, &'static str)>,
}

/// Why a builder's answer leaves the item out of the batch.
fn skip_reason(e: &PlanError) -> String {
    match e {
        PlanError::NothingToDo(_) => "nothing to change".into(),
        PlanError::Guided(_) => "no API can make this change (follow its steps)".into(),
        PlanError::NotReady(_) => e.to_string(),
        PlanError::Input { .. } | PlanError::Invalid(_) => format!("not planned: {e}"),
    }
}

/// Build the batch plan of `members` (in the order given, except that the
/// items turning on S3 Block Public Access come last: see [`compose_with`]).
pub fn compose(inv: &Inventory, ctx: &Ctx, members: &[BatchMember]) -> Result<Composed, PlanError> {
    compose_with(inv, members, |m, cur| {
        let def = checks::item(m.item).ok_or_else(|| PlanError::Invalid("unknown item".into()))?;
        match def.fix {
            Fix::Plan(f) => f(cur, ctx, &m.inputs),
            Fix::Guided => Err(PlanError::Guided(String::new())),
            Fix::None => Err(PlanError::Invalid(
                "a check only: moat has no change to make".into(),
            )),
        }
    })
}

/// Why a marked item is left out: it deactivates the caller's own key.
pub const SIGNING_KEY: &str = "apply it on its own: it deactivates the key moat is signing with";

/// The start of the reason an `A` selection leaves out an item whose undo
/// would not restore the account as it was.
const UNDO_SHORT: &str = "undo cannot fully restore it";

/// Whether `why` (a reason in [`Composed::skipped`]) leaves the item out on
/// purpose (rather than skipping it for having nothing to change).
fn is_left_out(why: &str) -> bool {
    why.starts_with("cannot be undone") || why.starts_with(UNDO_SHORT) || why == SIGNING_KEY
}

/// The caller's own IAM user name, when moat runs as an IAM user.
fn caller_user(inv: &Inventory) -> Option<&str> {
    let id = inv.identity.ready()?;
    let (_, path) = id.arn.split_once(":user/")?;
    path.rsplit('/').next().filter(|n| !n.is_empty())
}

/// Whether `ops` deactivate an access key of the caller: a root key when
/// moat runs as the root user, a key of the caller's IAM user otherwise.
/// Every call after that one is refused (InvalidClientTokenId), and undo
/// cannot run with that key. An unknown caller counts as owning every key.
fn deactivates_signing_key(inv: &Inventory, ops: &[Op]) -> bool {
    let id = inv.identity.ready();
    let me = caller_user(inv);
    ops.iter().any(|op| match op {
        Op::UpdateAccessKey(k) if k.status == KeyStatus::Inactive => match (&k.user, id) {
            (_, None) => true,
            (None, Some(id)) => id.is_root(),
            (Some(user), Some(_)) => me == Some(user.as_str()),
        },
        _ => false,
    })
}

/// Why undo would not bring back what `op` changes as it was in `before`
/// (`None`: undo restores it), though the op model has an inverse. A
/// section selection (`A`) leaves out the items whose plan holds such a
/// call; items marked one by one stay, and the preview names the call.
///
/// - Enabling versioning on a bucket never versioned: S3 can never return a
///   bucket to unversioned, only to Suspended.
/// - Turning MFA Delete on: turning it off again (undo) needs the root
///   user's MFA device and code.
/// - CreateBucket: undo's DeleteBucket fails once anything (logs) has been
///   delivered to the bucket (BucketNotEmpty).
/// - DeleteSecurityGroup: undo recreates the group with a new id, so what
///   named the old id does not find it.
/// - Deactivating an access key: whoever signs with it is refused until the
///   undo, which cannot itself be signed with that key.
pub fn undo_falls_short(op: &Op, before: &Inventory) -> Option<&'static str> {
    match op {
        Op::PutBucketVersioning(v) if v.mfa_delete == Some(true) => {
            let on = before
                .s3
                .ready()
                .and_then(|s3| s3.bucket(&v.bucket))
                .and_then(|b| b.versioning_read())
                .is_some_and(|x| x.mfa_delete);
            (!on).then_some("turning MFA Delete off again needs the root user's MFA device")
        }
        Op::PutBucketVersioning(v) if v.status == VersioningStatus::Enabled => {
            let versioned = before
                .s3
                .ready()
                .and_then(|s3| s3.bucket(&v.bucket))
                .and_then(|b| b.versioning_read())
                .is_some_and(|x| x.status.is_some());
            (!versioned).then_some("S3 can never return a bucket to unversioned, only to Suspended")
        }
        Op::CreateBucket(_) => {
            Some("undo's DeleteBucket fails once logs are delivered to the bucket (BucketNotEmpty)")
        }
        Op::DeleteSecurityGroup(_) => Some("undo recreates the security group with a new id"),
        Op::UpdateAccessKey(k) if k.status == KeyStatus::Inactive => {
            Some("calls signed with the key are refused until undo, which cannot be signed with it")
        }
        _ => None,
    }
}

/// Whether `op` turns on S3 Block Public Access (account or bucket level).
fn blocks_public_access(op: &Op) -> bool {
    matches!(
        op,
        Op::PutAccountPublicAccessBlock(_) | Op::PutBucketPublicAccessBlock(_)
    )
}

/// The ops of the members that made it into the batch, before the plan.
struct Drafted {
    ops: Vec<Op>,
    /// The item of each op.
    owners: Vec<&'static str>,
    warnings: Vec<String>,
    items: Vec<&'static str>,
    skipped: Vec<(&'static str, String)>,
    /// (item, call number in the batch, why) for each call whose undo
    /// would not restore the account as it was.
    undo_short: Vec<(&'static str, usize, &'static str)>,
}

/// [`compose`] with each member's draft from `draft`, given the inventory
/// as the members before it leave it.
///
/// Two passes: the members in the order given, then, when some of them
/// turn on S3 Block Public Access, again with those moved to the end (in
/// their order). With the block on first, later builders would take a
/// public statement as neutralised and keep it, writing a policy AWS
/// refuses under BlockPublicPolicy; and undo, in reverse order, would
/// restore public policies before lifting the block.
fn compose_with(
    inv: &Inventory,
    members: &[BatchMember],
    mut draft: impl FnMut(&BatchMember, &Inventory) -> Result<Draft, PlanError>,
) -> Result<Composed, PlanError> {
    let mut d = draft_all(inv, members, &mut draft);
    let late: Vec<&str> = d
        .items
        .iter()
        .copied()
        .filter(|id| {
            d.ops
                .iter()
                .zip(&d.owners)
                .any(|(op, o)| o == id && blocks_public_access(op))
        })
        .collect();
    if !late.is_empty() {
        let (mut order, last): (Vec<BatchMember>, Vec<BatchMember>) = members
            .iter()
            .cloned()
            .partition(|m| !late.contains(&m.item));
        order.extend(last);
        if order != members {
            d = draft_all(inv, &order, &mut draft);
        }
    }
    finish(inv, d)
}

/// One pass of [`compose_with`]: each member's draft on the inventory as
/// the members before it leave it.
fn draft_all(
    inv: &Inventory,
    members: &[BatchMember],
    draft: &mut impl FnMut(&BatchMember, &Inventory) -> Result<Draft, PlanError>,
) -> Drafted {
    let mut cur = inv.clone();
    let mut d = Drafted {
        ops: vec![],
        owners: vec![],
        warnings: vec![],
        items: vec![],
        skipped: vec![],
        undo_short: vec![],
    };
    for m in members {
        let id = m.item;
        let draft = match draft(m, &cur) {
            Ok(x) if x.ops.is_empty() => {
                d_skip(
                    &mut d,
                    id,
                    skip_reason(&PlanError::NothingToDo(String::new())),
                );
                continue;
            }
            Ok(x) => x,
            Err(e) => {
                d_skip(&mut d, id, skip_reason(&e));
                continue;
            }
        };
        // Deactivating the key moat signs with stops every later call.
        if members.len() > 1 && deactivates_signing_key(inv, &draft.ops) {
            d_skip(&mut d, id, SIGNING_KEY.to_string());
            continue;
        }
        // The item's ops on the inventory as the items before it leave it.
        let mut next = cur.clone();
        let mut reversible = true;
        let mut short = vec![];
        let mut failed = None;
        for (i, op) in draft.ops.iter().enumerate() {
            reversible &= op.inverse(&next).is_some();
            if let Some(why) = undo_falls_short(op, &next) {
                short.push((id, d.ops.len() + i + 1, why));
            }
            if let Err(e) = next.apply(op) {
                failed = Some(format!("not planned: {}: {e}", op.describe()));
                break;
            }
        }
        if let Some(why) = failed {
            d_skip(&mut d, id, why);
            continue;
        }
        if m.from_section && !reversible {
            d_skip(
                &mut d,
                id,
                "cannot be undone; apply it on its own".to_string(),
            );
            continue;
        }
        if m.from_section
            && let Some((_, _, why)) = short.first()
        {
            d_skip(
                &mut d,
                id,
                format!("{UNDO_SHORT} ({why}); apply it on its own"),
            );
            continue;
        }
        cur = next;
        d.undo_short.extend(short);
        d.owners.extend(std::iter::repeat_n(id, draft.ops.len()));
        d.ops.extend(draft.ops);
        d.warnings
            .extend(draft.warnings.into_iter().map(|w| format!("{id}: {w}")));
        d.items.push(id);
    }
    d
}

fn d_skip(d: &mut Drafted, id: &'static str, why: String) {
    d.skipped.push((id, why));
}

/// The plan of a pass: one [`make_plan`] over all its ops, each step
/// naming its item.
fn finish(inv: &Inventory, d: Drafted) -> Result<Composed, PlanError> {
    if d.ops.is_empty() {
        let why: Vec<String> = d
            .skipped
            .iter()
            .map(|(id, why)| format!("{id} — {why}"))
            .collect();
        return Err(PlanError::NothingToDo(why.join("; ")));
    }
    let mut plan = make_plan(
        inv,
        BATCH,
        Draft {
            ops: d.ops,
            warnings: d.warnings,
        },
    )?;
    for (step, item) in plan.steps.iter_mut().zip(d.owners) {
        step.item = Some(item.to_string());
    }
    Ok(Composed {
        plan,
        items: d.items,
        skipped: d.skipped,
        undo_short: d.undo_short,
    })
}

/// Run a batch job: compose the plan and render its preview.
pub(super) fn run(job: &PlanJob) -> Result<Box<PreviewState>, PlanError> {
    let ctx = Ctx {
        now: job.now,
        settings: &job.settings,
        done: &job.done,
    };
    let c = compose(&job.inventory, &ctx, &job.batch)?;
    Ok(Box::new(preview(c)))
}

/// The item of the first step that touches `r`, and the others that do.
fn touched_by(plan: &Plan, r: &ResourceRef) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for s in &plan.steps {
        let touches = s.op.resource() == *r || s.op.also_touches().contains(r);
        if let Some(item) = &s.item
            && touches
            && !out.contains(item)
        {
            out.push(item.clone());
        }
    }
    out
}

fn line(kind: LineKind, text: String) -> DiffLine {
    DiffLine { kind, text }
}

/// The preview of a batch: per item (id — title), its calls, then the diff
/// of each resource it is the first to touch; a resource other items touch
/// too says which.
pub fn preview(c: Composed) -> PreviewState {
    let plan = c.plan;
    let mut lines = vec![];
    let owners: Vec<Vec<String>> = plan
        .resources
        .iter()
        .map(|rc| touched_by(&plan, &rc.resource))
        .collect();
    let mut n = 0;
    for id in &c.items {
        lines.push(line(
            LineKind::Header,
            format!("▸ {id} — {}", crate::guide::guide().title(id)),
        ));
        for s in plan.steps.iter().filter(|s| s.item.as_deref() == Some(id)) {
            n += 1;
            let undo = if s.inverse.is_some() {
                ""
            } else {
                "  NOT reversible"
            };
            lines.push(line(
                LineKind::Context,
                format!(
                    "  {n}. {}  {}  {}{undo}",
                    s.op.action(),
                    s.op.resource(),
                    s.op.region().unwrap_or("global")
                ),
            ));
        }
        for (rc, who) in plan.resources.iter().zip(&owners) {
            if who.first().map(String::as_str) != Some(id) {
                continue;
            }
            lines.push(line(LineKind::Context, String::new()));
            if who.len() > 1 {
                lines.push(line(
                    LineKind::Hunk,
                    format!(
                        "  {} is also changed by {} (one diff, all the changes)",
                        rc.resource,
                        who[1..].join(", ")
                    ),
                ));
            }
            lines.extend(plan_diff_of(std::slice::from_ref(rc)));
        }
        lines.push(line(LineKind::Context, String::new()));
    }
    let batch = BatchView {
        items: c.items.iter().map(|s| s.to_string()).collect(),
        skipped: c
            .skipped
            .iter()
            .map(|(id, why)| {
                let lead = if is_left_out(why) {
                    "left out"
                } else {
                    "skipped"
                };
                sanitize(&format!("{lead}: {id} — {why}"))
            })
            .collect(),
        undo_short: c
            .undo_short
            .iter()
            .map(|(id, n, why)| {
                let call = plan
                    .steps
                    .get(n.saturating_sub(1))
                    .map(|s| format!("{} {}", s.op.action(), s.op.resource()))
                    .unwrap_or_default();
                sanitize(&format!(
                    "undo cannot fully restore call {n} ({call}) of {id}: {why}"
                ))
            })
            .collect(),
    };
    PreviewState {
        item: BATCH.to_string(),
        lines: sanitize_lines(lines),
        ops: OpRow::rows(&plan),
        warnings: plan.warnings.iter().map(|w| sanitize(w)).collect(),
        plan,
        scroll: 0,
        batch: Some(batch),
    }
}

/// Space: mark or unmark the selected item.
pub(super) fn toggle_mark(m: &mut Model) {
    let Some((def, _)) = m.current() else { return };
    match def.fix {
        Fix::None => flash(
            m,
            Level::Info,
            "this item is a check only: moat has no change to make for it, so it cannot be marked",
        ),
        Fix::Guided => flash(
            m,
            Level::Info,
            "no API can make this change (follow the steps in the detail pane), so it cannot be marked",
        ),
        Fix::Plan(_) => {
            if m.marks.remove(def.id).is_none() {
                m.marks.insert(def.id.to_string(), MarkKind::One);
            }
        }
    }
}

/// `A`: mark every listed failing item of the section that has a plan;
/// when they all are, unmark them.
pub(super) fn mark_section(m: &mut Model) {
    let ids: Vec<&'static str> = m
        .current_items()
        .into_iter()
        .filter(|(g, d)| {
            matches!(d.fix, Fix::Plan(_))
                && m.results.get(*g).is_some_and(|r| r.status == Status::Fail)
        })
        .map(|(_, d)| d.id)
        .collect();
    if ids.is_empty() {
        flash(
            m,
            Level::Info,
            "no listed item of this section fails with a change moat can make",
        );
        return;
    }
    if ids.iter().all(|id| m.marks.contains_key(*id)) {
        for id in &ids {
            m.marks.remove(*id);
        }
        flash(
            m,
            Level::Info,
            format!("unmarked {} item(s) of this section", ids.len()),
        );
        return;
    }
    for id in &ids {
        m.marks.entry(id.to_string()).or_insert(MarkKind::Section);
    }
    let key = m.keymap.key(Context::Main, Action::Preview);
    flash(
        m,
        Level::Info,
        format!(
            "marked the {} failing item(s) of this section; {key} previews them as one plan (a change undo cannot fully reverse is left out)",
            ids.len()
        ),
    );
}

/// `U`: clear every mark.
pub(super) fn clear_marks(m: &mut Model) {
    if m.marks.is_empty() {
        flash(m, Level::Info, "no item is marked");
        return;
    }
    let n = m.marks.len();
    m.marks.clear();
    flash(m, Level::Info, format!("cleared {n} mark(s)"));
}

/// The marked items in guide order.
fn marked(m: &Model) -> Vec<&'static ItemDef> {
    checks::items()
        .iter()
        .filter(|d| m.marks.contains_key(d.id))
        .collect()
}

/// `p` / `a` with marks: ask for the inputs not given yet, form after form,
/// then plan the batch.
pub(super) fn start_batch(m: &mut Model, confirm: bool) -> Vec<Effect> {
    // Every marked item whose inputs are not given yet asks for them. (One
    // item's `p` first runs its plan builder to see whether there is
    // anything to change; over several items on a large account that would
    // hold the UI for a noticeable time, and a marked item fails anyway.)
    let forms: Vec<&'static str> = marked(m)
        .into_iter()
        .filter(|def| matches!(def.fix, Fix::Plan(_)))
        .filter(|def| !def.inputs.is_empty() && !m.inputs.contains_key(def.id))
        .map(|def| def.id)
        .collect();
    m.batch_pending = Some(BatchPending { confirm, forms });
    next_form(m)
}

/// Open the next form of the pending batch, or plan it when none is left.
pub(super) fn next_form(m: &mut Model) -> Vec<Effect> {
    let Some(p) = m.batch_pending.as_mut() else {
        return vec![];
    };
    if p.forms.is_empty() {
        let confirm = p.confirm;
        m.batch_pending = None;
        return plan_batch(m, confirm);
    }
    let id = p.forms.remove(0);
    match checks::item(id) {
        Some(def) => open_form(m, def, None),
        None => return next_form(m),
    }
    vec![]
}

/// Plan the marked items as one batch, off the UI task.
fn plan_batch(m: &mut Model, confirm: bool) -> Vec<Effect> {
    let batch: Vec<BatchMember> = marked(m)
        .into_iter()
        .map(|d| BatchMember {
            item: d.id,
            inputs: m.inputs.get(d.id).cloned().unwrap_or_default(),
            from_section: m.marks.get(d.id) == Some(&MarkKind::Section),
        })
        .collect();
    if batch.is_empty() {
        return vec![];
    }
    m.plan_seq += 1;
    let seq = m.plan_seq;
    m.planning_confirm = confirm;
    m.overlay = Some(Overlay::Planning(PlanningState {
        seq,
        item: BATCH.to_string(),
    }));
    vec![Effect::Plan(Box::new(PlanJob {
        seq,
        item: BATCH,
        inputs: Inputs::default(),
        inventory: m.inventory.clone(),
        now: m.now,
        settings: m.settings.clone(),
        done: m.progress.done.clone(),
        batch,
    }))]
}

/// The batch plan arrived (the planning dialog was still open for it).
pub(super) fn on_planned(m: &mut Model, result: Result<Box<PreviewState>, PlanError>) {
    match result {
        Ok(preview) => {
            m.overlay = Some(if m.planning_confirm {
                // The confirmation names what the plan leaves out, as the
                // preview (not shown) would have.
                let mut c = super::planning::confirm_state(m, preview.plan.clone(), None);
                c.batch = preview.batch.clone();
                Overlay::Confirm(Box::new(c))
            } else {
                Overlay::Preview(*preview)
            });
        }
        Err(PlanError::NothingToDo(why)) => flash(
            m,
            Level::Info,
            format!("nothing to change in the marked items: {}", sanitize(&why)),
        ),
        Err(e) => flash(
            m,
            Level::Error,
            format!("cannot plan the marked items: {}", sanitize(&e.to_string())),
        ),
    }
}

/// The distinct items of a plan's steps, in order.
pub fn step_items(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for s in &plan.steps {
        if let Some(i) = &s.item
            && !out.contains(i)
        {
            out.push(i.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::demo::demo_inventory;
    use crate::config::Settings;
    use std::collections::BTreeMap;

    fn now() -> chrono::DateTime<chrono::Utc> {
        "2026-11-29T00:00:00Z".parse().expect("fixed time")
    }

    fn members(ids: &[&'static str], from_section: bool) -> Vec<BatchMember> {
        ids.iter()
            .map(|id| BatchMember {
                item: id,
                inputs: Inputs::default(),
                from_section,
            })
            .collect()
    }

    fn composed(inv: &Inventory, ids: &[&'static str], from_section: bool) -> Composed {
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: now(),
            settings: &settings,
            done: &done,
        };
        compose(inv, &ctx, &members(ids, from_section)).expect("a batch plan")
    }

    /// The demo's items whose fix is a plan that takes no input and has
    /// something to change, with their plan alone.
    fn plannable(inv: &Inventory) -> Vec<(&'static str, Plan)> {
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: now(),
            settings: &settings,
            done: &done,
        };
        checks::items()
            .iter()
            .filter(|d| d.inputs.is_empty())
            .filter_map(|d| {
                let Fix::Plan(f) = d.fix else { return None };
                let plan = f(inv, &ctx, &Inputs::default())
                    .and_then(|dr| make_plan(inv, d.id, dr))
                    .ok()?;
                Some((d.id, plan))
            })
            .collect()
    }

    #[test]
    fn two_items_on_one_bucket_policy_make_one_diff_with_both_changes() {
        let inv = demo_inventory().expect("demo");
        let ids = ["s3.public-policies", "s3.deny-insecure-transport"];
        let c = composed(&inv, &ids, false);
        assert_eq!(c.items, ids);
        assert!(c.skipped.is_empty(), "{:?}", c.skipped);
        // One diff per resource.
        let mut names: Vec<String> = c
            .plan
            .resources
            .iter()
            .map(|r| r.resource.to_string())
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a resource diffed twice");
        // A bucket both items change: its after holds both changes, from
        // the real before.
        let shared = c
            .plan
            .resources
            .iter()
            .find(|rc| touched_by(&c.plan, &rc.resource).len() == 2)
            .expect("a bucket policy both items change")
            .clone();
        assert_eq!(shared.before, inv.document(&shared.resource).expect("doc"));
        let alone = |id: &str| {
            let p = plannable(&inv)
                .into_iter()
                .find(|(i, _)| *i == id)
                .expect("planned alone")
                .1;
            p.resources
                .into_iter()
                .find(|r| r.resource == shared.resource)
                .expect("the shared bucket")
                .after
        };
        assert_ne!(
            shared.after,
            alone(ids[0]),
            "the second item's change is missing"
        );
        assert_ne!(
            shared.after,
            alone(ids[1]),
            "the first item's change is missing"
        );
        assert!(shared.after_text().contains("aws:SecureTransport"));
        // Every step names its item, in the items' order.
        let owners: Vec<&str> = c
            .plan
            .steps
            .iter()
            .map(|s| s.item.as_deref().expect("tagged"))
            .collect();
        let first_second = owners.iter().position(|o| *o == ids[1]).expect("second");
        assert!(owners[..first_second].iter().all(|o| *o == ids[0]));
        assert!(owners[first_second..].iter().all(|o| *o == ids[1]));
        assert_eq!(c.plan.item, BATCH);
        // The preview groups by item: the shared bucket's diff once, under
        // the first item, with a note naming the second.
        let p = preview(c);
        let text: Vec<&str> = p.lines.iter().map(|l| l.text.as_str()).collect();
        let name = shared.resource.to_string();
        let heads = text
            .iter()
            .filter(|t| t.starts_with("--- ") && t.contains(&name))
            .count();
        assert_eq!(heads, 1, "{text:#?}");
        let h0 = text
            .iter()
            .position(|t| t.starts_with(&format!("▸ {}", ids[0])));
        let h1 = text
            .iter()
            .position(|t| t.starts_with(&format!("▸ {}", ids[1])));
        let diff = text
            .iter()
            .position(|t| t.starts_with("--- ") && t.contains(&name));
        assert!(h0 < diff && diff < h1, "{text:#?}");
        assert!(
            text.iter()
                .any(|t| t.contains(&format!("also changed by {}", ids[1]))),
            "{text:#?}"
        );
    }

    /// No item of the guide plans a change undo cannot reverse today (the
    /// deletes are only undo's): a stand-in item that creates a user and deletes it shows
    /// what a section selection does with one.
    #[test]
    fn a_section_selection_leaves_out_what_cannot_be_undone() {
        let inv = demo_inventory().expect("demo");
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: now(),
            settings: &settings,
            done: &done,
        };
        let irreversible = "test.delete-a-user";
        let reversible = "account.password-policy";
        let run = |from_section| {
            let ms: Vec<BatchMember> = [reversible, irreversible]
                .into_iter()
                .map(|item| BatchMember {
                    item,
                    inputs: Inputs::default(),
                    from_section,
                })
                .collect();
            compose_with(&inv, &ms, |m, cur| {
                if m.item == irreversible {
                    return Ok(Draft {
                        ops: vec![
                            crate::plan::Op::CreateUser(crate::aws::ops::CreateUser {
                                name: "temp".into(),
                            }),
                            crate::plan::Op::DeleteUser(crate::aws::ops::DeleteUser {
                                name: "temp".into(),
                            }),
                        ],
                        warnings: vec![],
                    });
                }
                let Some(Fix::Plan(f)) = checks::item(m.item).map(|d| d.fix) else {
                    panic!("{} has a plan", m.item)
                };
                f(cur, &ctx, &m.inputs)
            })
            .expect("a batch plan")
        };
        let by_section = run(true);
        assert_eq!(by_section.items, [reversible]);
        assert_eq!(
            by_section.skipped,
            [(
                irreversible,
                "cannot be undone; apply it on its own".to_string()
            )]
        );
        assert!(by_section.plan.is_reversible());
        let p = preview(by_section);
        assert_eq!(
            p.batch.expect("a batch").skipped,
            [format!(
                "left out: {irreversible} — cannot be undone; apply it on its own"
            )]
        );
        // Marked one by one, it stays (the confirmation says NOT reversible).
        let one_by_one = run(false);
        assert_eq!(one_by_one.items, [reversible, irreversible]);
        assert!(!one_by_one.plan.is_reversible());
        assert!(
            preview(one_by_one)
                .lines
                .iter()
                .any(|l| l.text.ends_with("NOT reversible"))
        );
    }

    #[test]
    fn items_with_nothing_to_change_or_no_api_are_named_as_skipped() {
        let inv = demo_inventory().expect("demo");
        let all = plannable(&inv);
        let (fix, _) = all.first().expect("a fix");
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: now(),
            settings: &settings,
            done: &done,
        };
        // A plan item that has nothing to change on the demo account.
        let passing = checks::items()
            .iter()
            .find(|d| match d.fix {
                Fix::Plan(f) => matches!(
                    f(&inv, &ctx, &Inputs::default()),
                    Err(PlanError::NothingToDo(_))
                ),
                _ => false,
            })
            .expect("a passing plan item")
            .id;
        let guided = checks::items()
            .iter()
            .find(|d| matches!(d.fix, Fix::Guided))
            .expect("a guided item")
            .id;
        let c = composed(&inv, &[passing, fix, guided], false);
        assert_eq!(c.items, [*fix]);
        let named: Vec<&str> = c.skipped.iter().map(|(id, _)| *id).collect();
        assert_eq!(named, [passing, guided]);
        assert_eq!(c.skipped[0].1, "nothing to change");
        let p = preview(c);
        let skipped = p.batch.expect("a batch").skipped;
        assert_eq!(
            skipped[0],
            format!("skipped: {passing} — nothing to change")
        );
        // Nothing left: an error naming each item.
        let err =
            compose(&inv, &ctx, &members(&[passing, guided], false)).expect_err("nothing to plan");
        let PlanError::NothingToDo(why) = err else {
            panic!("{err:?}")
        };
        assert!(why.contains(passing) && why.contains(guided), "{why}");
    }

    /// Execute is plan-generic: a batch whose one resource changed since
    /// the preview is refused whole, before anything is sent or journaled.
    #[tokio::test]
    async fn drift_of_one_resource_refuses_the_whole_batch() {
        use crate::collect::demo::DemoBackend;
        use crate::execute::{ExecError, execute};
        let inv = demo_inventory().expect("demo");
        let ids = ["account.password-policy", "s3.public-policies"];
        let c = composed(&inv, &ids, false);
        // Someone else removed one bucket's policy after the preview.
        let bucket_op = c
            .plan
            .steps
            .iter()
            .find(|s| s.item.as_deref() == Some(ids[1]))
            .expect("a bucket step")
            .op
            .clone();
        let mut live = inv.clone();
        live.apply(&bucket_op).expect("the other change");
        let backend = std::sync::Arc::new(DemoBackend::with_inventory(live));
        let dir = tempfile::tempdir().expect("tempdir");
        let account = inv.account_id().expect("account").to_string();
        let journal = crate::journal::Journal::open(dir.path(), &account);
        let r = execute(backend.clone(), &c.plan, &journal, |_| {}).await;
        assert!(
            matches!(&r, Err(ExecError::Drift { resource, .. }) if *resource == bucket_op.resource()),
            "{r:?}"
        );
        assert!(journal.entries().expect("journal").is_empty());
        // The other item's resource was not touched.
        let password = c
            .plan
            .steps
            .iter()
            .find(|s| s.item.as_deref() == Some(ids[0]))
            .expect("a password step")
            .op
            .resource();
        assert_eq!(
            backend.snapshot().document(&password).expect("doc"),
            inv.document(&password).expect("doc")
        );
    }

    /// The demo with the caller's own IAM user (`ops-admin`) or the root
    /// user holding an active access key.
    fn with_caller_key(root: bool) -> Inventory {
        use crate::aws::iam::AccessKey;
        use crate::aws::inventory::{Identity, Part};
        let mut inv = demo_inventory().expect("demo");
        let key = AccessKey {
            id: "AKIACALLERKEY0000001".into(),
            status: KeyStatus::Active,
            created: now() - chrono::Duration::days(900),
            last_used: Some(now()),
            last_used_service: None,
        };
        if root {
            inv.identity = Part::of(Identity {
                account: "111122223333".into(),
                arn: "arn:aws:iam::111122223333:root".into(),
                user_id: "111122223333".into(),
            });
        }
        if let Some(iam) = inv.iam.ready_mut() {
            if root {
                iam.root_keys = vec![key];
            } else if let Some(u) = iam.users.iter_mut().find(|u| u.name == "ops-admin") {
                u.access_keys = vec![key];
            }
        }
        inv
    }

    #[test]
    fn the_root_keys_item_is_left_out_of_a_batch_and_planned_alone() {
        let inv = with_caller_key(true);
        let ids = ["account.root-access-keys", "account.password-policy"];
        let c = composed(&inv, &ids, false);
        assert_eq!(c.items, [ids[1]]);
        assert_eq!(c.skipped, [(ids[0], SIGNING_KEY.to_string())]);
        assert!(
            c.plan
                .steps
                .iter()
                .all(|s| !matches!(s.op, Op::UpdateAccessKey(_)))
        );
        let p = preview(c);
        assert_eq!(
            p.batch.expect("a batch").skipped,
            [format!("left out: {} — {SIGNING_KEY}", ids[0])]
        );
        // Alone, it is planned as the item on its own is.
        let alone = composed(&inv, &ids[..1], false);
        assert_eq!(alone.items, [ids[0]]);
        assert!(alone.skipped.is_empty());
        assert_eq!(alone.plan.steps.len(), 1);
    }

    /// A change that deactivates a key of the caller's IAM user (as an
    /// item's builder could) is left out of a batch too; another user's
    /// key is not the caller's.
    #[test]
    fn deactivating_a_key_of_the_caller_user_is_left_out_of_a_batch() {
        let inv = with_caller_key(false);
        let settings = Settings::default();
        let done = BTreeMap::new();
        let ctx = Ctx {
            now: now(),
            settings: &settings,
            done: &done,
        };
        let keys = "test.deactivate-a-key";
        let run = |user: &str, ids: &[&'static str]| {
            let ms = members(ids, false);
            compose_with(&inv, &ms, |m, cur| {
                if m.item == keys {
                    return Ok(Draft {
                        ops: vec![Op::UpdateAccessKey(crate::aws::iam::ops::UpdateAccessKey {
                            user: Some(user.to_string()),
                            key_id: "AKIACALLERKEY0000001".into(),
                            status: KeyStatus::Inactive,
                        })],
                        warnings: vec![],
                    });
                }
                let Some(Fix::Plan(f)) = checks::item(m.item).map(|d| d.fix) else {
                    panic!("{} has a plan", m.item)
                };
                f(cur, &ctx, &m.inputs)
            })
        };
        let c = run("ops-admin", &[keys, "account.password-policy"]).expect("a plan");
        assert_eq!(c.items, ["account.password-policy"]);
        assert_eq!(c.skipped, [(keys, SIGNING_KEY.to_string())]);
        let alone = run("ops-admin", &[keys]).expect("a plan");
        assert_eq!(alone.items, [keys]);
        // Someone else's key (the step fails to apply on the demo, where
        // dana has no such key, but not for being the caller's).
        let other = run("dana", &[keys, "account.password-policy"]).expect("a plan");
        assert!(
            other.skipped.iter().all(|(_, why)| why != SIGNING_KEY),
            "{:?}",
            other.skipped
        );
    }

    /// The marked ids in guide order (as the TUI hands them to compose).
    fn in_guide_order(ids: &[&'static str]) -> Vec<&'static str> {
        checks::items()
            .iter()
            .map(|d| d.id)
            .filter(|id| ids.contains(id))
            .collect()
    }

    #[test]
    fn block_public_access_comes_after_every_bucket_policy_write() {
        let inv = demo_inventory().expect("demo");
        let is_block = |op: &Op| {
            matches!(
                op,
                Op::PutAccountPublicAccessBlock(_) | Op::PutBucketPublicAccessBlock(_)
            )
        };
        for ids in [
            &[
                "s3.account-public-access-block",
                "s3.deny-insecure-transport",
            ][..],
            &[
                "s3.account-public-access-block",
                "s3.public-policies",
                "s3.deny-insecure-transport",
            ][..],
        ] {
            let ids = in_guide_order(ids);
            assert_eq!(ids[0], "s3.account-public-access-block", "guide order");
            let c = composed(&inv, &ids, false);
            assert!(c.skipped.is_empty(), "{:?}", c.skipped);
            let steps = &c.plan.steps;
            let first_block = steps
                .iter()
                .position(|s| is_block(&s.op))
                .expect("a block step");
            let last_policy = steps
                .iter()
                .rposition(|s| matches!(s.op, Op::PutBucketPolicy(_)))
                .expect("a policy step");
            assert!(last_policy < first_block, "{:#?}", c.plan.steps);
            assert_eq!(c.items.last(), Some(&"s3.account-public-access-block"));
            // With s3.public-policies, the website bucket's public
            // statement is gone from the policy written.
            let mut after = inv.clone();
            for s in steps {
                after.apply(&s.op).expect("applies");
            }
            let policy = format!(
                "{:?}",
                after
                    .s3
                    .ready()
                    .and_then(|s3| s3.bucket("example-corp-www"))
                    .map(|b| &b.policy)
                    .expect("the website bucket")
            );
            assert_eq!(
                policy.contains("PublicReadGetObject"),
                !ids.contains(&"s3.public-policies"),
                "{policy}"
            );
        }
    }

    #[test]
    fn a_section_selection_leaves_out_what_undo_cannot_fully_restore() {
        let inv = demo_inventory().expect("demo");
        let ids = ["account.password-policy", "s3.versioning"];
        let c = composed(&inv, &ids, true);
        assert_eq!(c.items, [ids[0]]);
        assert_eq!(c.skipped.len(), 1);
        assert_eq!(c.skipped[0].0, ids[1]);
        assert!(
            c.skipped[0].1.starts_with(UNDO_SHORT) && c.skipped[0].1.contains("unversioned"),
            "{:?}",
            c.skipped
        );
        assert!(preview(c).batch.expect("a batch").skipped[0].starts_with("left out: "));
        // Marked one by one it stays, and the preview names the calls.
        let c = composed(&inv, &ids, false);
        assert_eq!(c.items, ids);
        assert!(!c.undo_short.is_empty());
        assert!(c.undo_short.iter().all(|(id, n, _)| {
            *id == ids[1] && matches!(c.plan.steps[n - 1].op, Op::PutBucketVersioning(_))
        }));
        let b = preview(c).batch.expect("a batch");
        assert!(
            b.undo_short[0].contains("s3:PutBucketVersioning"),
            "{:?}",
            b.undo_short
        );
    }

    #[test]
    fn undo_falls_short_of_creating_a_bucket_or_deactivating_a_key() {
        let inv = demo_inventory().expect("demo");
        let create = Op::CreateBucket(crate::aws::s3::ops::CreateBucket {
            bucket: "new-logs".into(),
            region: "us-east-1".into(),
        });
        assert!(create.inverse(&inv).is_some());
        assert!(undo_falls_short(&create, &inv).is_some());
        let key = |status| {
            Op::UpdateAccessKey(crate::aws::iam::ops::UpdateAccessKey {
                user: Some("dana".into()),
                key_id: "AKIA0000000000000001".into(),
                status,
            })
        };
        assert!(undo_falls_short(&key(KeyStatus::Inactive), &inv).is_some());
        assert!(undo_falls_short(&key(KeyStatus::Active), &inv).is_none());
    }
}
