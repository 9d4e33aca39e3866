//! Plan builders for the `s3` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline from them.
//!
//! Bucket policies are always edited, never replaced: statements are removed
//! from or merged into the document as read, and every other statement and
//! top-level field is kept.

use crate::aws::inventory::{
    Bucket, Encryption, Fetched, Inventory, PartId, PublicAccessBlock, ResourceRef, S3, Versioning,
    VersioningStatus, bucket_arn,
};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::s3::{
    ACCOUNT_PAB, BUCKET_PAB, CLOUDFRONT_ORIGIN_ACCESS, DEFAULT_ENCRYPTION, DENY_INSECURE_TRANSPORT,
    Exposure, Grant, MFA_DELETE, PUBLIC_ACLS, PUBLIC_POLICIES, VERSIONING, account_block,
    acl_exposure, bucket_resource, denies_insecure_transport, is_public_now, log_buckets, oai_id,
    oai_principal, policy_exposure, s3_origins,
};
use crate::guide::msg;
use crate::plan::build::{done, item_warning, nothing};
use crate::plan::{DistributionEdit, Draft, InputKind, InputSpec, Inputs, MfaToken, Op, PlanError};
use crate::policy;
use serde_json::{Value, json};

/// s3.default-encryption: `AES256` (S3-managed keys) or a KMS key.
pub const ENCRYPTION_INPUTS: &[InputSpec] = &[InputSpec {
    name: "key",
    kind: InputKind::KmsKey,
    default: Some("AES256"),
}];

/// s3.mfa-delete: the root user's MFA device and its current code.
pub const MFA_INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "mfa_serial",
        kind: InputKind::MfaSerial,
        default: None,
    },
    InputSpec {
        name: "mfa_code",
        kind: InputKind::MfaCode,
        default: None,
    },
];

/// The Sid of the statement s3.deny-insecure-transport adds.
pub const DENY_INSECURE_SID: &str = "DenyInsecureTransport";

/// OAC names are at most 64 characters.
const OAC_NAME_MAX: usize = 64;

fn s3(inv: &Inventory) -> Result<&S3, PlanError> {
    inv.s3.ready().ok_or(PlanError::NotReady(PartId::S3Buckets))
}

/// Did the user name this resource with `--resource`?
fn explicit(req: &Inputs, resource: &str) -> bool {
    req.resources.iter().any(|r| r == resource)
}

/// Buckets the plan of a public-access item may change: selected, and not
/// declared public in the config unless the user named it explicitly.
fn selected_public(req: &Inputs, ctx: &Ctx, b: &Bucket) -> bool {
    let r = bucket_resource(&b.name);
    req.wants(&r) && (ctx.settings.public_bucket(&b.name).is_none() || explicit(req, &r))
}

fn selected(req: &Inputs, b: &Bucket) -> bool {
    req.wants(&bucket_resource(&b.name))
}

/// A warning naming the buckets a block will cut off, if any.
fn cut_off_warning(item: &str, mut names: Vec<String>) -> Option<String> {
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| msg(item, "cuts_off", &[("buckets", &names.join(", "))]))
}

// ---------------------------------------------------------------------------
// Public access

pub fn account_public_access_block(
    inv: &Inventory,
    ctx: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    let current = inv
        .s3_account_pab
        .ready()
        .ok_or(PlanError::NotReady(PartId::S3AccountPublicAccessBlock))?;
    if current.is_some_and(|p| p.all_on())
        || !req.wants(&ResourceRef::S3AccountPublicAccessBlock.to_string())
    {
        return Err(nothing());
    }
    let mut warnings: Vec<String> = item_warning(ACCOUNT_PAB);
    // The account block overrides every bucket: name those it will cut off,
    // public now or declared public on purpose.
    let mut names: Vec<String> = ctx
        .settings
        .public_buckets
        .iter()
        .map(|p| p.bucket.clone())
        .collect();
    match inv.s3.ready() {
        Some(s3) => names.extend(
            s3.buckets
                .iter()
                .filter(|b| is_public_now(b, current.as_ref()))
                .map(|b| b.name.clone()),
        ),
        None => warnings.push(msg(ACCOUNT_PAB, "buckets_unknown", &[])),
    }
    warnings.extend(cut_off_warning(ACCOUNT_PAB, names));
    done(
        vec![Op::PutAccountPublicAccessBlock(
            ops::PutAccountPublicAccessBlock {
                config: PublicAccessBlock::ALL,
            },
        )],
        warnings,
    )
}

pub fn bucket_public_access_block(
    inv: &Inventory,
    ctx: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    let s3 = s3(inv)?;
    let account = account_block(inv);
    let targets: Vec<&Bucket> = s3
        .buckets
        .iter()
        .filter(|b| matches!(&b.public_access_block, Fetched::Ready(p) if !p.is_some_and(|p| p.all_on())))
        .filter(|b| selected_public(req, ctx, b))
        .collect();
    let mut warnings: Vec<String> = item_warning(BUCKET_PAB);
    warnings.extend(cut_off_warning(
        BUCKET_PAB,
        targets
            .iter()
            .filter(|b| is_public_now(b, account))
            .map(|b| b.name.clone())
            .collect(),
    ));
    let ops = targets
        .into_iter()
        .map(|b| {
            Op::PutBucketPublicAccessBlock(ops::PutBucketPublicAccessBlock {
                bucket: b.name.clone(),
                region: b.region.clone(),
                config: PublicAccessBlock::ALL,
            })
        })
        .collect();
    done(ops, warnings)
}

pub fn public_policies(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let s3 = s3(inv)?;
    let account = account_block(inv);
    let mut ops = vec![];
    for b in &s3.buckets {
        if !matches!(policy_exposure(b, account), Exposure::Public(_))
            || !selected_public(req, ctx, b)
        {
            continue;
        }
        let Fetched::Ready(Some(doc)) = &b.policy else {
            continue;
        };
        ops.push(
            match policy::without_statements(doc, policy::is_public_statement) {
                Some(policy) => Op::PutBucketPolicy(ops::PutBucketPolicy {
                    bucket: b.name.clone(),
                    region: b.region.clone(),
                    policy,
                }),
                None => Op::DeleteBucketPolicy(ops::DeleteBucketPolicy {
                    bucket: b.name.clone(),
                    region: b.region.clone(),
                }),
            },
        );
    }
    done(ops, item_warning(PUBLIC_POLICIES))
}

pub fn public_acls(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let s3 = s3(inv)?;
    let account = account_block(inv);
    let mut ops = vec![];
    for b in &s3.buckets {
        if !matches!(acl_exposure(b, account), Exposure::Public(_)) || !selected_public(req, ctx, b)
        {
            continue;
        }
        let Fetched::Ready(acl) = &b.acl else {
            continue;
        };
        let mut acl = acl.clone();
        acl.grants.retain(|g| !g.grantee.is_public());
        ops.push(Op::PutBucketAcl(ops::PutBucketAcl {
            bucket: b.name.clone(),
            region: b.region.clone(),
            acl,
        }));
    }
    done(ops, item_warning(PUBLIC_ACLS))
}

// ---------------------------------------------------------------------------
// Encryption and transport

pub fn default_encryption(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let s3 = s3(inv)?;
    let targets: Vec<&Bucket> = s3
        .buckets
        .iter()
        .filter(|b| matches!(b.encryption, Fetched::Ready(None)))
        .filter(|b| selected(req, b))
        .collect();
    if targets.is_empty() {
        return Err(nothing());
    }
    let key = req.get(&ENCRYPTION_INPUTS[0])?;
    let mut warnings = vec![];
    let encryption = if key == "AES256" {
        Encryption {
            algorithm: "AES256".into(),
            kms_key: None,
            bucket_key: None,
        }
    } else {
        warnings.push(msg(DEFAULT_ENCRYPTION, "kms_warning", &[("key", &key)]));
        // An S3 Bucket Key cuts KMS requests (and their cost) for new objects.
        Encryption {
            algorithm: "aws:kms".into(),
            kms_key: Some(key),
            bucket_key: Some(true),
        }
    };
    let ops = targets
        .into_iter()
        .map(|b| {
            Op::PutBucketEncryption(ops::PutBucketEncryption {
                bucket: b.name.clone(),
                region: b.region.clone(),
                encryption: encryption.clone(),
            })
        })
        .collect();
    done(ops, warnings)
}

/// The statement that refuses every request made over plain HTTP.
pub fn deny_insecure_statement(bucket_arn: &str) -> Value {
    json!({
        "Sid": DENY_INSECURE_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    })
}

pub fn deny_insecure_transport(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let s3 = s3(inv)?;
    let mut ops = vec![];
    for b in s3.buckets.iter().filter(|b| selected(req, b)) {
        let Fetched::Ready(current) = &b.policy else {
            continue;
        };
        let arn = b.arn(inv.partition());
        if current.as_ref().is_some_and(|d| {
            policy::statements(d)
                .into_iter()
                .any(|s| denies_insecure_transport(s, &arn))
        }) {
            continue;
        }
        ops.push(Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: b.name.clone(),
            region: b.region.clone(),
            policy: policy::with_statement(current.as_ref(), deny_insecure_statement(&arn)),
        }));
    }
    done(ops, item_warning(DENY_INSECURE_TRANSPORT))
}

// ---------------------------------------------------------------------------
// Versioning and MFA Delete

/// The selected log buckets whose versioning, as read, `lacks` something.
fn log_buckets_lacking<'a>(
    inv: &'a Inventory,
    ctx: &Ctx,
    req: &Inputs,
    lacks: impl Fn(&Versioning) -> bool,
) -> Result<Vec<&'a Bucket>, PlanError> {
    s3(inv)?;
    inv.trails
        .ready()
        .ok_or(PlanError::NotReady(PartId::Trails))?;
    Ok(log_buckets(inv, ctx)
        .into_iter()
        .map(|(b, _)| b)
        .filter(|b| b.versioning_read().is_some_and(&lacks))
        .filter(|b| selected(req, b))
        .collect())
}

/// Versioning on, with MFA Delete when an MFA token is given.
fn enable_versioning(b: &Bucket, mfa: Option<MfaToken>) -> Op {
    Op::PutBucketVersioning(ops::PutBucketVersioning {
        bucket: b.name.clone(),
        region: b.region.clone(),
        status: VersioningStatus::Enabled,
        mfa_delete: mfa.is_some().then_some(true),
        mfa,
    })
}

pub fn versioning(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let lacking = log_buckets_lacking(inv, ctx, req, |v| !v.enabled())?;
    // Suspended with MFA Delete still on: S3 refuses any change of the
    // versioning state without the root user's MFA code, which is
    // s3.mfa-delete's change (it turns versioning back on too).
    let (needs_mfa, plain): (Vec<&Bucket>, Vec<&Bucket>) = lacking
        .into_iter()
        .partition(|b| b.versioning_read().is_some_and(|v| v.mfa_delete));
    let mut warnings = item_warning(VERSIONING);
    if !needs_mfa.is_empty() {
        let names: Vec<&str> = needs_mfa.iter().map(|b| b.name.as_str()).collect();
        let why = msg(VERSIONING, "needs_mfa", &[("buckets", &names.join(", "))]);
        if plain.is_empty() {
            return Err(PlanError::Guided(why));
        }
        warnings.push(why);
    }
    let ops = plain
        .into_iter()
        .map(|b| enable_versioning(b, None))
        .collect();
    done(ops, warnings)
}

pub fn mfa_delete(inv: &Inventory, ctx: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    // Suspended versioning with MFA Delete still on is fixed too (see the check).
    let targets = log_buckets_lacking(inv, ctx, req, |v| !(v.enabled() && v.mfa_delete))?;
    if targets.is_empty() {
        return Err(nothing());
    }
    let identity = inv
        .identity
        .ready()
        .ok_or(PlanError::NotReady(PartId::Identity))?;
    if !identity.is_root() {
        return Err(PlanError::Guided(msg(MFA_DELETE, "not_root", &[])));
    }
    let token = MfaToken {
        serial: req.get(&MFA_INPUTS[0])?,
        code: req.get(&MFA_INPUTS[1])?,
    };
    let mut warnings: Vec<String> = item_warning(MFA_DELETE);
    if targets.len() > 1 {
        warnings.push(msg(
            MFA_DELETE,
            "one_code",
            &[("count", &targets.len().to_string())],
        ));
    }
    let ops = targets
        .into_iter()
        .map(|b| enable_versioning(b, Some(token.clone())))
        .collect();
    done(ops, warnings)
}

// ---------------------------------------------------------------------------
// CloudFront origin access

/// The OAC moat creates for a bucket: `moat-<bucket>`, cut to 64 characters.
pub fn oac_name(bucket: &str) -> String {
    format!("moat-{bucket}")
        .chars()
        .take(OAC_NAME_MAX)
        .collect()
}

/// The statement letting one distribution (through its OAC) read the bucket.
pub fn cloudfront_read_statement(bucket_arn: &str, distribution_id: &str, arn: &str) -> Value {
    let sid: String = distribution_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    json!({
        "Sid": format!("AllowCloudFrontRead{sid}"),
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": format!("{bucket_arn}/*"),
        "Condition": {"StringEquals": {"AWS:SourceArn": arn}},
    })
}

/// The statement letting a legacy OAI read the bucket.
pub fn oai_read_statement(partition: &str, bucket_arn: &str, oai: &str) -> Value {
    let sid: String = oai.chars().filter(char::is_ascii_alphanumeric).collect();
    json!({
        "Sid": format!("AllowCloudFrontOAIRead{sid}"),
        "Effect": "Allow",
        "Principal": {"AWS": oai_principal(partition, oai)},
        "Action": "s3:GetObject",
        "Resource": format!("{bucket_arn}/*"),
    })
}

pub fn cloudfront_origin_access(
    inv: &Inventory,
    _: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    const ID: &str = CLOUDFRONT_ORIGIN_ACCESS;
    let cf = inv
        .cloudfront
        .ready()
        .ok_or(PlanError::NotReady(PartId::CloudFront))?;
    s3(inv)?;
    let mut create: Vec<Op> = vec![];
    // Per distribution, in order: its etag and the origin edits.
    let mut updates: Vec<(String, Option<String>, Vec<DistributionEdit>)> = vec![];
    // Per bucket, in order: the policy as edited so far.
    let mut policies: Vec<(&Bucket, Value)> = vec![];
    let mut warnings: Vec<String> = vec![];
    let partition = inv.partition();
    for o in s3_origins(inv) {
        let failing = !o.access || matches!(o.grant, Grant::Missing);
        let d = o.distribution;
        let resource = ResourceRef::Distribution { id: d.id.clone() }.to_string();
        if !failing || !req.wants(&resource) {
            continue;
        }
        let args = [
            ("origin", o.origin.id.as_str()),
            ("bucket", o.bucket_name),
            ("distribution", d.id.as_str()),
        ];
        // The statement the bucket needs: for the OAI when the origin keeps
        // one, else for the distribution's OAC.
        let statement = |bucket_arn: &str| match (o.access, oai_id(o.origin)) {
            (true, Some(oai)) if o.origin.oac_id.is_none() => {
                oai_read_statement(partition, bucket_arn, oai)
            }
            _ => cloudfront_read_statement(bucket_arn, &d.id, &d.arn),
        };
        if !o.access {
            let name = oac_name(o.bucket_name);
            let planned = create.iter().any(
                |op| matches!(op, Op::CreateOriginAccessControl(ops::CreateOriginAccessControl { name: n, .. }) if *n == name),
            );
            if cf.oac_by_name(&name).is_none() && !planned {
                create.push(Op::CreateOriginAccessControl(
                    ops::CreateOriginAccessControl {
                        description: msg(ID, "oac_description", &[("bucket", o.bucket_name)]),
                        name: name.clone(),
                    },
                ));
            }
            let edit = DistributionEdit::OriginAccessControl {
                origin_id: o.origin.id.clone(),
                oac: Some(name),
            };
            match updates.iter_mut().find(|(id, ..)| *id == d.id) {
                Some((_, _, edits)) => edits.push(edit),
                None => updates.push((d.id.clone(), d.etag.clone(), vec![edit])),
            }
        }
        match (o.bucket, &o.grant) {
            (Some(b), Grant::Missing) => {
                let stmt = statement(&b.arn(partition));
                match policies.iter_mut().find(|(x, _)| x.name == b.name) {
                    Some((_, p)) => *p = policy::with_statement(Some(p), stmt),
                    None => {
                        let current = b.policy.ready().and_then(|p| p.as_ref());
                        policies.push((b, policy::with_statement(current, stmt)));
                    }
                }
            }
            (_, Grant::Foreign) => {
                let stmt = statement(&bucket_arn(partition, o.bucket_name));
                let text = serde_json::to_string(&stmt).unwrap_or_default();
                warnings.push(msg(
                    ID,
                    "foreign_bucket",
                    &[args[0], args[1], args[2], ("statement", &text)],
                ));
            }
            (_, Grant::Unreadable(e)) => {
                warnings.push(msg(
                    ID,
                    "policy_unreadable",
                    &[args[1], ("error", &e.summary())],
                ));
            }
            _ => {}
        }
    }
    // The bucket grants read before the distribution starts signing its
    // requests, so the origin never answers 403 in between.
    let mut ops = create;
    ops.extend(policies.into_iter().map(|(b, policy)| {
        Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: b.name.clone(),
            region: b.region.clone(),
            policy,
        })
    }));
    ops.extend(updates.into_iter().map(|(id, etag, edits)| {
        Op::UpdateDistribution(ops::UpdateDistribution { id, etag, edits })
    }));
    if !ops.is_empty() {
        warnings.splice(0..0, item_warning(ID));
    }
    done(ops, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{ALL_USERS, AUTHENTICATED_USERS, PartValue, Versioning};
    use crate::checks::Status;
    use crate::checks::s3::testkit::*;
    use crate::checks::s3::{PRESIGNED_DOWNLOADS, PUBLIC_POLICIES as POLICIES};

    fn only(resource: &str) -> Inputs {
        Inputs {
            resources: vec![resource.to_string()],
            ..Inputs::default()
        }
    }

    fn nothing_to_do(r: Result<crate::plan::Plan, PlanError>) -> bool {
        matches!(r, Err(PlanError::NothingToDo(_)))
    }

    /// The bucket's policy after a fix.
    fn policy_of(inv: &Inventory, bucket: &str) -> Value {
        get_bucket(inv, bucket)
            .policy
            .ready()
            .cloned()
            .flatten()
            .unwrap_or_else(|| panic!("{bucket}: no policy"))
    }

    /// The bucket's default encryption after a fix.
    fn encryption_of(inv: &Inventory, bucket: &str) -> Encryption {
        get_bucket(inv, bucket)
            .encryption
            .ready()
            .cloned()
            .flatten()
            .unwrap_or_else(|| panic!("{bucket}: no encryption"))
    }

    /// The plan's warning that mentions `text`.
    fn warning<'a>(plan: &'a crate::plan::Plan, text: &str) -> &'a str {
        plan.warnings
            .iter()
            .find(|w| w.contains(text))
            .unwrap_or_else(|| panic!("no warning with {text}: {:?}", plan.warnings))
    }

    fn public_acl(mut b: Bucket) -> Bucket {
        if let Fetched::Ready(a) = &mut b.acl {
            a.grants.push(group_grant(ALL_USERS, "READ"));
            a.grants.push(group_grant(AUTHENTICATED_USERS, "WRITE"));
            a.grants.push(group_grant(
                "http://acs.amazonaws.com/groups/s3/LogDelivery",
                "WRITE",
            ));
        }
        b
    }

    #[test]
    fn account_block_warns_about_every_public_bucket() {
        let t = T::at(now()).public("declared-site").public("site");
        let open = with_policy(bucket("open"), vec![public_read("open")]);
        let acl = public_acl(bucket("acl"));
        // Public on paper but neutralised by its own block: not cut off now.
        let mut neutral = with_policy(bucket("neutral"), vec![public_read("neutral")]);
        neutral.public_access_block = Fetched::Ready(Some(PublicAccessBlock::ALL));
        let inv = inventory(vec![
            open,
            acl,
            neutral,
            bucket("private"),
            with_policy(bucket("site"), vec![public_read("site")]),
        ]);
        let (plan, after) = t.fix_passing(&inv, ACCOUNT_PAB, &Inputs::default());
        assert_eq!(
            plan.ops().collect::<Vec<_>>(),
            vec![&Op::PutAccountPublicAccessBlock(
                ops::PutAccountPublicAccessBlock {
                    config: PublicAccessBlock::ALL
                }
            )]
        );
        let cut = warning(&plan, "no longer be reachable");
        assert!(
            cut.contains("acl, declared-site, open, site"),
            "every public and declared bucket, sorted: {cut}"
        );
        assert!(
            !cut.contains("neutral") && !cut.contains("private"),
            "{cut}"
        );
        assert!(plan.warnings.len() >= 2, "the guide warning too");
        // The account block now neutralises the public buckets.
        assert_eq!(
            T::at(now()).status(&after, crate::checks::s3::PUBLIC_POLICIES),
            Status::Pass
        );
        assert!(nothing_to_do(t.plan(
            &after,
            ACCOUNT_PAB,
            &Inputs::default()
        )));
        // A partial block is completed; undo restores it exactly (checked by fix).
        let mut partial = inv.clone();
        partial.set(PartValue::S3AccountPublicAccessBlock(Some(
            PublicAccessBlock {
                block_public_acls: true,
                ..Default::default()
            },
        )));
        let (plan, _) = t.fix_passing(&partial, ACCOUNT_PAB, &Inputs::default());
        assert!(matches!(
            plan.steps[0].inverse.as_deref(),
            Some([Op::PutAccountPublicAccessBlock(
                ops::PutAccountPublicAccessBlock { .. }
            )])
        ));
        // With no block before, undo deletes it.
        let plan = t.plan(&inv, ACCOUNT_PAB, &Inputs::default()).expect("plan");
        assert_eq!(
            plan.steps[0].inverse,
            Some(vec![Op::DeleteAccountPublicAccessBlock(
                ops::DeleteAccountPublicAccessBlock
            )])
        );
    }

    #[test]
    fn bucket_block_skips_declared_public_buckets_unless_selected() {
        let t = T::at(now()).public("site");
        let site = with_policy(bucket("site"), vec![public_read("site")]);
        let mut unreadable = bucket("locked");
        unreadable.public_access_block = Fetched::Error(denied("s3:GetBucketPublicAccessBlock"));
        let inv = inventory(vec![
            bucket("a"),
            site,
            good_bucket("good"),
            unreadable,
            with_policy(bucket("b"), vec![public_read("b")]),
        ]);
        let plan = t.plan(&inv, BUCKET_PAB, &Inputs::default()).expect("plan");
        let touched: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
        assert_eq!(touched, vec!["bucket/a", "bucket/b"]);
        assert!(plan.ops().all(|o| o.region() == Some(REGION)));
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("anonymous") && w.contains(": b.")),
            "{:?}",
            plan.warnings
        );
        // Named explicitly, the declared public bucket is blocked too.
        let plan = t
            .plan(&inv, BUCKET_PAB, &only("bucket/site"))
            .expect("plan");
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(plan.steps[0].op.resource().to_string(), "bucket/site");
        // The fix makes every selected bucket pass; undo removes the blocks again.
        let inv = inventory(vec![bucket("a"), bucket("b")]);
        let (plan, _) = t.fix_passing(&inv, BUCKET_PAB, &Inputs::default());
        assert!(plan.steps.iter().all(|s| matches!(
            s.inverse.as_deref(),
            Some([Op::DeleteBucketPublicAccessBlock(
                ops::DeleteBucketPublicAccessBlock { .. }
            )])
        )));
    }

    #[test]
    fn public_statements_are_removed_and_the_rest_kept() {
        let t = T::at(now());
        let mixed = with_policy(
            bucket("mixed"),
            vec![team_access("mixed"), public_read("mixed")],
        );
        let only_public = with_policy(bucket("pub"), vec![public_read("pub")]);
        let inv = inventory(vec![mixed.clone(), only_public]);
        let (plan, after) = t.fix_passing(&inv, POLICIES, &Inputs::default());
        assert!(matches!(
            plan.steps[0].op,
            Op::PutBucketPolicy(ops::PutBucketPolicy { ref bucket, .. }) if bucket == "mixed"
        ));
        assert!(matches!(
            plan.steps[1].op,
            Op::DeleteBucketPolicy(ops::DeleteBucketPolicy { ref bucket, .. }) if bucket == "pub"
        ));
        let kept = policy_of(&after, "mixed");
        assert_eq!(
            kept,
            json!({"Version": "2012-10-17", "Statement": [team_access("mixed")]})
        );
        assert_eq!(get_bucket(&after, "pub").policy, Fetched::Ready(None));
        // The preview is the policy diff.
        let rc = &plan.resources[0];
        assert!(rc.before_text().contains("PublicRead"));
        assert!(!rc.after_text().contains("PublicRead") && rc.after_text().contains("Team"));
        // Declared public: left alone unless selected.
        let t = T::at(now()).public("pub").public("mixed");
        assert!(nothing_to_do(t.plan(&inv, POLICIES, &Inputs::default())));
        assert_eq!(
            t.plan(&inv, POLICIES, &only("bucket/pub"))
                .expect("plan")
                .steps
                .len(),
            1
        );
        // Neutralised statements are not failing, so not planned.
        let mut neutral = mixed;
        neutral.public_access_block = Fetched::Ready(Some(PublicAccessBlock::ALL));
        assert!(nothing_to_do(T::at(now()).plan(
            &inventory(vec![neutral]),
            POLICIES,
            &Inputs::default()
        )));
    }

    #[test]
    fn public_grants_are_removed_and_the_rest_kept() {
        let t = T::at(now());
        let inv = inventory(vec![public_acl(bucket("acl")), bucket("private")]);
        let (plan, after) = t.fix_passing(&inv, PUBLIC_ACLS, &Inputs::default());
        assert_eq!(plan.steps.len(), 1);
        let acl = get_bucket(&after, "acl").acl.ready().cloned().expect("acl");
        assert_eq!(acl.owner_id, OWNER);
        let labels: Vec<String> = acl
            .grants
            .iter()
            .map(|g| format!("{} {}", g.grantee.label(), g.permission))
            .collect();
        assert_eq!(
            labels,
            vec![format!("{OWNER} FULL_CONTROL"), "LogDelivery WRITE".into()]
        );
        assert!(plan.steps[0].inverse.is_some());
    }

    #[test]
    fn default_encryption_with_aes256_or_a_kms_key() {
        let t = T::at(now());
        let inv = inventory(vec![bucket("a"), good_bucket("good")]);
        let (plan, after) = t.fix_passing(&inv, DEFAULT_ENCRYPTION, &Inputs::default());
        assert_eq!(plan.steps.len(), 1);
        assert!(plan.warnings.is_empty());
        let e = encryption_of(&after, "a");
        assert_eq!((e.algorithm.as_str(), e.kms_key), ("AES256", None));
        assert!(matches!(
            plan.steps[0].inverse.as_deref(),
            Some([Op::DeleteBucketEncryption(
                ops::DeleteBucketEncryption { .. }
            )])
        ));
        let kms = Inputs::default().with("key", "alias/s3-data");
        let (plan, after) = t.fix_passing(&inv, DEFAULT_ENCRYPTION, &kms);
        let e = encryption_of(&after, "a");
        assert_eq!(e.algorithm, "aws:kms");
        assert_eq!(e.kms_key.as_deref(), Some("alias/s3-data"));
        assert_eq!(e.bucket_key, Some(true));
        assert!(plan.warnings.iter().any(|w| w.contains("alias/s3-data")));
        let bad = Inputs::default().with("key", "my key");
        assert!(matches!(
            t.plan(&inv, DEFAULT_ENCRYPTION, &bad),
            Err(PlanError::Input { name, .. }) if name == "key"
        ));
    }

    #[test]
    fn deny_insecure_transport_is_merged_into_the_policy() {
        let t = T::at(now());
        let inv = inventory(vec![
            with_policy(bucket("team"), vec![team_access("team")]),
            bucket("bare"),
            good_bucket("good"),
        ]);
        let (plan, after) = t.fix_passing(&inv, DENY_INSECURE_TRANSPORT, &Inputs::default());
        assert_eq!(plan.steps.len(), 2);
        let team = policy_of(&after, "team");
        assert_eq!(
            team,
            json!({"Version": "2012-10-17", "Statement": [
                team_access("team"),
                deny_insecure_statement("arn:aws:s3:::team")
            ]})
        );
        assert_eq!(
            deny_insecure_statement("arn:aws:s3:::team")["Resource"],
            json!(["arn:aws:s3:::team", "arn:aws:s3:::team/*"])
        );
        let bare = policy_of(&after, "bare");
        assert_eq!(policy::statements(&bare).len(), 1);
        // Undo: the previous policy back, or none.
        assert!(matches!(
            plan.steps[1].inverse.as_deref(),
            Some([Op::DeleteBucketPolicy(ops::DeleteBucketPolicy { .. })])
        ));
        assert!(plan.warnings.iter().any(|w| w.contains("HTTP")));
        // Selection.
        let plan = t
            .plan(&inv, DENY_INSECURE_TRANSPORT, &only("bucket/bare"))
            .expect("plan");
        assert_eq!(plan.steps.len(), 1);
        assert!(nothing_to_do(t.plan(
            &after,
            DENY_INSECURE_TRANSPORT,
            &Inputs::default()
        )));
    }

    #[test]
    fn versioning_on_log_buckets() {
        let (t, inv) = log_inventory();
        let plan = t.plan(&inv, VERSIONING, &Inputs::default()).expect("plan");
        let touched: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
        assert_eq!(
            touched,
            vec!["bucket/trail-logs", "bucket/access-logs", "bucket/precious"]
        );
        assert!(plan.ops().all(|o| matches!(
            o,
            Op::PutBucketVersioning(ops::PutBucketVersioning {
                status: VersioningStatus::Enabled,
                mfa_delete: None,
                mfa: None,
                ..
            })
        )));
        // A never-versioned bucket can only go back to Suspended.
        assert!(matches!(
            plan.steps[0].inverse.as_deref(),
            Some([Op::PutBucketVersioning(ops::PutBucketVersioning {
                status: VersioningStatus::Suspended,
                ..
            })])
        ));
        // From Suspended, the fix and its undo round-trip exactly.
        let suspended = log_buckets_versioning(&inv, VersioningStatus::Suspended);
        let (_, after) = t.fix_passing(&suspended, VERSIONING, &Inputs::default());
        assert!(nothing_to_do(t.plan(
            &after,
            VERSIONING,
            &Inputs::default()
        )));
        let plan = t
            .plan(&inv, VERSIONING, &only("bucket/precious"))
            .expect("plan");
        assert_eq!(plan.steps.len(), 1);
    }

    /// The inventory with versioning `status` (MFA Delete off) on every log
    /// bucket of [`log_inventory`].
    fn log_buckets_versioning(inv: &Inventory, status: VersioningStatus) -> Inventory {
        log_buckets_with(inv, status, false)
    }

    /// The three log and irreplaceable buckets with this versioning.
    fn log_buckets_with(inv: &Inventory, status: VersioningStatus, mfa_delete: bool) -> Inventory {
        let mut out = inv.clone();
        for name in ["trail-logs", "access-logs", "precious"] {
            let mut b = get_bucket(inv, name).clone();
            b.versioning = Some(Fetched::Ready(Versioning {
                status: Some(status),
                mfa_delete,
            }));
            set_bucket(&mut out, b);
        }
        out
    }

    fn mfa_inputs() -> Inputs {
        Inputs::default()
            .with("mfa_serial", "arn:aws:iam::111122223333:mfa/root-device")
            .with("mfa_code", "493817")
    }

    fn as_root(mut inv: Inventory) -> Inventory {
        inv.set(PartValue::Identity(identity(true)));
        inv
    }

    #[test]
    fn mfa_delete_needs_root_and_never_keeps_the_code() {
        let (t, inv) = log_inventory();
        // Not root: guided, whatever the inputs.
        assert!(matches!(
            t.plan(&inv, MFA_DELETE, &mfa_inputs()),
            Err(PlanError::Guided(m)) if m.contains("root")
        ));
        let root = as_root(inv.clone());
        assert!(matches!(
            t.plan(&root, MFA_DELETE, &Inputs::default()),
            Err(PlanError::Input { name, .. }) if name == "mfa_serial"
        ));
        assert!(matches!(
            t.plan(&root, MFA_DELETE, &Inputs::default().with("mfa_serial", "GAHT12345678")),
            Err(PlanError::Input { name, .. }) if name == "mfa_code"
        ));
        // Start from versioning on without MFA Delete, so undo is exact.
        let enabled = log_buckets_versioning(&root, VersioningStatus::Enabled);
        let (plan, after) = t.fix_passing(&enabled, MFA_DELETE, &mfa_inputs());
        assert_eq!(plan.steps.len(), 3);
        for op in plan.ops() {
            let Op::PutBucketVersioning(ops::PutBucketVersioning {
                status,
                mfa_delete,
                mfa,
                ..
            }) = op
            else {
                panic!("{op:?}")
            };
            assert_eq!(*status, VersioningStatus::Enabled);
            assert_eq!(*mfa_delete, Some(true));
            let token = mfa.as_ref().expect("token in the op");
            assert_eq!(token.code, "493817");
            assert!(op.needs_mfa());
        }
        // Undo turns MFA Delete off again and asks for a fresh code.
        assert!(plan.steps.iter().all(|s| matches!(
            s.inverse.as_deref(),
            Some([Op::PutBucketVersioning(ops::PutBucketVersioning {
                mfa_delete: Some(false),
                mfa: None,
                ..
            })])
        )));
        // Neither the serialised plan nor any message holds the code.
        let json = serde_json::to_string(&plan).expect("json");
        assert!(
            !json.contains("493817") && !json.contains("root-device"),
            "{json}"
        );
        assert!(!format!("{plan:?}").contains("493817"));
        assert!(plan.warnings.iter().all(|w| !w.contains("493817")));
        assert!(plan.warnings.iter().any(|w| w.contains("3 buckets")));
        assert!(nothing_to_do(t.plan(&after, MFA_DELETE, &mfa_inputs())));
        // Nothing to do comes before the root check.
        let done = {
            let mut d = after.clone();
            d.set(PartValue::Identity(identity(false)));
            d
        };
        assert!(nothing_to_do(t.plan(&done, MFA_DELETE, &mfa_inputs())));
    }

    /// Versioning suspended with MFA Delete left on: s3.mfa-delete turns
    /// versioning back on (undo suspends it again, MFA Delete untouched);
    /// s3.versioning leaves it to s3.mfa-delete, since S3 refuses the change
    /// without the root user's code.
    #[test]
    fn suspended_with_mfa_delete_is_fixed_by_mfa_delete_only() {
        let (t, inv) = log_inventory();
        let mut root = log_buckets_with(&as_root(inv), VersioningStatus::Suspended, true);
        assert!(matches!(
            t.plan(&root, VERSIONING, &Inputs::default()),
            Err(PlanError::Guided(m)) if m.contains("s3.mfa-delete") && m.contains("precious")
        ));
        let (plan, _) = t.fix_passing(&root, MFA_DELETE, &mfa_inputs());
        assert_eq!(plan.steps.len(), 3);
        assert!(plan.steps.iter().all(|s| matches!(
            s.inverse.as_deref(),
            Some([Op::PutBucketVersioning(ops::PutBucketVersioning {
                status: VersioningStatus::Suspended,
                mfa_delete: Some(true),
                ..
            })])
        )));
        // One of them plain suspended: s3.versioning fixes that one and
        // names the others.
        let mut b = get_bucket(&root, "precious").clone();
        b.versioning = Some(Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Suspended),
            mfa_delete: false,
        }));
        set_bucket(&mut root, b);
        let plan = t.plan(&root, VERSIONING, &Inputs::default()).expect("plan");
        assert_eq!(plan.steps.len(), 1);
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("trail-logs") && w.contains("access-logs")),
            "{:?}",
            plan.warnings
        );
    }

    fn site_inventory(
        buckets: Vec<Bucket>,
        distributions: Vec<crate::aws::inventory::Distribution>,
    ) -> Inventory {
        let mut inv = inventory(buckets);
        inv.set(PartValue::CloudFront(crate::aws::inventory::CloudFront {
            distributions,
            origin_access_controls: vec![],
        }));
        inv
    }

    #[test]
    fn cloudfront_origin_access_plan_creates_grants_then_switches() {
        let t = T::at(now());
        let inv = site_inventory(
            vec![
                with_policy(bucket("site"), vec![team_access("site")]),
                bucket("media"),
            ],
            vec![
                distribution(
                    "E1",
                    vec![origin("s3site", "site"), origin("s3media", "media")],
                ),
                distribution("E2", vec![origin("s3site", "site")]),
            ],
        );
        let (plan, after) = t.fix_passing(&inv, CLOUDFRONT_ORIGIN_ACCESS, &Inputs::default());
        let ops: Vec<(&str, String)> = plan
            .ops()
            .map(|o| (o.action(), o.resource().to_string()))
            .collect();
        assert_eq!(
            ops,
            vec![
                (
                    "cloudfront:CreateOriginAccessControl",
                    "oac/moat-site".to_string()
                ),
                (
                    "cloudfront:CreateOriginAccessControl",
                    "oac/moat-media".to_string()
                ),
                ("s3:PutBucketPolicy", "bucket/site".to_string()),
                ("s3:PutBucketPolicy", "bucket/media".to_string()),
                (
                    "cloudfront:UpdateDistribution",
                    "distribution/E1".to_string()
                ),
                (
                    "cloudfront:UpdateDistribution",
                    "distribution/E2".to_string()
                ),
            ]
        );
        // One diff per resource.
        assert_eq!(plan.resources.len(), 6);
        let Op::UpdateDistribution(ops::UpdateDistribution { etag, edits, .. }) = &plan.steps[4].op
        else {
            panic!()
        };
        assert_eq!(etag.as_deref(), Some("ETAGE1"));
        assert_eq!(
            edits,
            &vec![
                DistributionEdit::OriginAccessControl {
                    origin_id: "s3site".into(),
                    oac: Some("moat-site".into())
                },
                DistributionEdit::OriginAccessControl {
                    origin_id: "s3media".into(),
                    oac: Some("moat-media".into())
                },
            ]
        );
        // The shared bucket keeps its statement and grants each distribution.
        let site = policy_of(&after, "site");
        let sids: Vec<&str> = policy::statements(&site)
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(
            sids,
            vec!["Team", "AllowCloudFrontReadE1", "AllowCloudFrontReadE2"]
        );
        let stmt = &policy::statements(&site)[1];
        assert_eq!(stmt["Action"], "s3:GetObject");
        assert_eq!(stmt["Resource"], "arn:aws:s3:::site/*");
        assert_eq!(
            stmt["Condition"]["StringEquals"]["AWS:SourceArn"],
            format!("arn:aws:cloudfront::{ACCOUNT}:distribution/E1")
        );
        assert!(!policy::is_public_statement(stmt));
        assert!(plan.warnings.iter().any(|w| w.contains("403")));
        assert!(nothing_to_do(t.plan(
            &after,
            CLOUDFRONT_ORIGIN_ACCESS,
            &Inputs::default()
        )));
        // Selecting one distribution plans only its changes.
        let plan = t
            .plan(&inv, CLOUDFRONT_ORIGIN_ACCESS, &only("distribution/E2"))
            .expect("plan");
        assert_eq!(plan.steps.len(), 3);
    }

    #[test]
    fn cloudfront_plan_reuses_oacs_keeps_oais_and_warns_for_foreign_buckets() {
        let t = T::at(now());
        // An OAC of moat's name exists: reused, not created.
        let mut inv = site_inventory(
            vec![bucket("site")],
            vec![distribution("E1", vec![origin("o", "site")])],
        );
        if let Some(cf) = inv.cloudfront.ready_mut() {
            cf.origin_access_controls
                .push(crate::aws::inventory::OriginAccessControl {
                    id: "EOAC".into(),
                    name: oac_name("site"),
                    description: String::new(),
                    origin_type: "s3".into(),
                    signing_behavior: "always".into(),
                    signing_protocol: "sigv4".into(),
                });
        }
        let (plan, _) = t.fix_passing(&inv, CLOUDFRONT_ORIGIN_ACCESS, &Inputs::default());
        assert!(plan.ops().all(|o| !matches!(
            o,
            Op::CreateOriginAccessControl(ops::CreateOriginAccessControl { .. })
        )));
        // A legacy OAI without a grant: the OAI gets one, the origin is not switched.
        let mut oai = origin("o", "site");
        oai.s3_oai = Some("origin-access-identity/cloudfront/EOAI1".into());
        let inv = site_inventory(vec![bucket("site")], vec![distribution("E1", vec![oai])]);
        let (plan, after) = t.fix_passing(&inv, CLOUDFRONT_ORIGIN_ACCESS, &Inputs::default());
        assert_eq!(plan.steps.len(), 1);
        let p = policy_of(&after, "site");
        assert_eq!(
            policy::statements(&p)[0]["Principal"]["AWS"],
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOAI1"
        );
        // The bucket is in another account: switch, warn with the statement, skip the policy.
        let inv = site_inventory(
            vec![],
            vec![distribution("E1", vec![origin("o", "elsewhere")])],
        );
        let plan = t
            .plan(&inv, CLOUDFRONT_ORIGIN_ACCESS, &Inputs::default())
            .expect("plan");
        let actions: Vec<&str> = plan.ops().map(|o| o.action()).collect();
        assert_eq!(
            actions,
            vec![
                "cloudfront:CreateOriginAccessControl",
                "cloudfront:UpdateDistribution"
            ]
        );
        let w = warning(&plan, "elsewhere");
        assert!(
            w.contains("AllowCloudFrontReadE1") && w.contains("arn:aws:s3:::elsewhere/*"),
            "{w}"
        );
        // An unreadable policy is not overwritten either.
        let mut u = bucket("site");
        u.policy = Fetched::Error(denied("s3:GetBucketPolicy"));
        let inv = site_inventory(vec![u], vec![distribution("E1", vec![origin("o", "site")])]);
        let plan = t
            .plan(&inv, CLOUDFRONT_ORIGIN_ACCESS, &Inputs::default())
            .expect("plan");
        assert!(
            plan.ops()
                .all(|o| !matches!(o, Op::PutBucketPolicy(ops::PutBucketPolicy { .. })))
        );
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("s3:GetBucketPolicy"))
        );
    }

    #[test]
    fn oac_names_fit_in_64_characters() {
        let long = "b".repeat(63);
        let name = oac_name(&long);
        assert_eq!(name.len(), 64);
        assert!(name.starts_with("moat-bbb"));
        assert_eq!(oac_name("site"), "moat-site");
    }

    #[test]
    fn presigned_downloads_has_no_plan() {
        let def = crate::checks::item(PRESIGNED_DOWNLOADS).expect("item");
        assert!(matches!(def.fix, crate::checks::Fix::Guided));
        assert!(def.can_mark_done() && def.has_steps());
    }

    #[test]
    fn every_plan_message_exists_and_passing_accounts_have_nothing_to_do() {
        let t = T::at(now()).public("bad");
        let inputs = mfa_inputs();
        for inv in edge_inventories() {
            for root in [false, true] {
                let inv = if root && inv.identity.ready().is_some() {
                    as_root(inv.clone())
                } else {
                    inv.clone()
                };
                for def in crate::checks::s3::ITEMS {
                    let crate::checks::Fix::Plan(f) = def.fix else {
                        continue;
                    };
                    let texts: Vec<String> = match f(&inv, &t.ctx(), &inputs) {
                        Ok(d) => d.warnings,
                        Err(e) => vec![e.to_string()],
                    };
                    for s in texts {
                        assert!(
                            !s.contains(&format!("{}: ", def.id)) && !s.contains("plan: "),
                            "{}: {s}",
                            def.id
                        );
                    }
                }
            }
        }
        // The all-good inventory: every item passes and no plan has work.
        let good = &edge_inventories()[5];
        let root = as_root(good.clone());
        for def in crate::checks::s3::ITEMS {
            let crate::checks::Fix::Plan(f) = def.fix else {
                continue;
            };
            assert!(
                matches!(
                    t.status(&root, def.id),
                    Status::Pass | Status::NotApplicable
                ),
                "{}",
                def.id
            );
            assert!(
                matches!(f(&root, &t.ctx(), &inputs), Err(PlanError::NothingToDo(_))),
                "{}",
                def.id
            );
        }
    }
}
