//! The blast radius of a plan: what else its changes reach, read from the
//! inventory the plan was built on (never a new AWS call).
//!
//! - a security group change names the network interfaces, instances, load
//!   balancers and DB instances that use the group (or says none do);
//! - a bucket policy, ACL or public access block change names the
//!   CloudFront distributions that serve the bucket and the principals the
//!   bucket grants read today that would lose it;
//! - retiring a KMS key says how to find its last use (moat does not read it);
//! - creating a KMS key, a trail or an alarm names its monthly cost, "about".
//!
//! [`radius`] computes the notes from the inventories before and after the
//! ops; [`Note::lines`] words them from `assets/guide/blast.messages.toml`,
//! the same words in `moat plan` and the TUI preview.

use super::Op;
use crate::aws::inventory::{
    ALL_USERS, AUTHENTICATED_USERS, Acl, Bucket, Fetched, Grantee, Inventory, PartId,
    PublicAccessBlock, SgKey,
};
use crate::guide::msg;
use crate::policy::{
    as_list, effect, has_restricting_condition, principal_is_everyone, statements,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// The messages table of this module.
const T: &str = "blast";

/// Names listed per kind before "and N more".
const SHOWN: usize = 8;

/// One thing a plan's changes reach beyond the resources its diff shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// A security group the plan changes, and what uses it. A list is
    /// `None` when its part (or the group's region) was not read.
    SecurityGroup {
        group: SgKey,
        deleted: bool,
        interfaces: Option<Vec<String>>,
        instances: Option<Vec<String>>,
        load_balancers: Option<Vec<String>>,
        db_instances: Option<Vec<String>>,
    },
    /// A bucket whose policy, ACL or public access block the plan changes.
    Bucket {
        bucket: String,
        /// Distributions with an origin on this bucket (`None`: CloudFront
        /// was not read).
        distributions: Option<Vec<String>>,
        /// Principals the bucket grants read today that lose it (`None`: the
        /// policy or ACL could not be read).
        losing: Option<Vec<String>>,
        /// Why `losing` may miss readers (a message key of the `blast`
        /// table): the change is one moat does not fully judge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unjudged: Option<String>,
    },
    /// A KMS key the plan retires: where to look for its last use.
    KeyRetired {
        region: String,
        alias: String,
        arn: Option<String>,
    },
    /// A customer managed KMS key the plan creates.
    KeyCost { region: String, alias: String },
    /// A trail the plan creates; `other`: a trail that already delivers
    /// management events there (`None` when trails were not read, empty
    /// when none does).
    TrailCost {
        name: String,
        other: Option<Vec<String>>,
    },
    /// An alarm the plan creates.
    AlarmCost {
        region: String,
        name: String,
        high_resolution: bool,
    },
}

/// The parts the notes read besides those of the items whose plans they
/// follow: `parts` with them added (a command collects these up front, so
/// the preview never asks AWS).
pub fn parts(parts: &[PartId]) -> Vec<PartId> {
    let mut out = parts.to_vec();
    if parts.contains(&PartId::Ec2Network) {
        out.extend([PartId::Ec2Instances, PartId::Elb, PartId::Rds]);
    }
    if parts.contains(&PartId::S3Buckets) {
        out.extend([PartId::CloudFront, PartId::S3AccountPublicAccessBlock]);
    }
    out.sort();
    out.dedup();
    out
}

/// The notes for `ops`, with `before` the inventory the plan was built on
/// and `after` the same with every op applied.
pub fn radius<'a>(
    before: &Inventory,
    after: &Inventory,
    ops: impl IntoIterator<Item = &'a Op>,
) -> Vec<Note> {
    let mut notes: Vec<Note> = vec![];
    let mut groups: Vec<(SgKey, bool)> = vec![];
    let mut buckets: Vec<String> = vec![];
    let mut account_pab = false;
    for op in ops {
        match op {
            Op::AuthorizeSecurityGroupIngress(o) => push_group(&mut groups, &o.group, false),
            Op::RevokeSecurityGroupIngress(o) => push_group(&mut groups, &o.group, false),
            Op::AuthorizeSecurityGroupEgress(o) => push_group(&mut groups, &o.group, false),
            Op::RevokeSecurityGroupEgress(o) => push_group(&mut groups, &o.group, false),
            Op::DeleteSecurityGroup(o) => push_group(&mut groups, &o.group, true),
            Op::PutBucketPolicy(o) => push_unique(&mut buckets, &o.bucket),
            Op::DeleteBucketPolicy(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutBucketAcl(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutBucketPublicAccessBlock(o) => push_unique(&mut buckets, &o.bucket),
            Op::DeleteBucketPublicAccessBlock(o) => push_unique(&mut buckets, &o.bucket),
            Op::PutAccountPublicAccessBlock(_) | Op::DeleteAccountPublicAccessBlock(_) => {
                account_pab = true
            }
            Op::ScheduleKmsKeyDeletion(o) => notes.push(Note::KeyRetired {
                region: o.region.clone(),
                alias: o.alias.clone(),
                arn: crate::aws::inventory::kms_key(before, &o.region, &o.alias)
                    .map(|k| k.arn.clone()),
            }),
            Op::CreateKmsKey(o) => notes.push(Note::KeyCost {
                region: o.region.clone(),
                alias: o.alias.clone(),
            }),
            Op::CreateTrail(o) => notes.push(Note::TrailCost {
                name: o.name.clone(),
                other: other_trails(before, &o.name, &o.region, o.multi_region),
            }),
            Op::PutMetricAlarm(o) => {
                let exists = before
                    .metric_alarms
                    .region_items(&o.region)
                    .iter()
                    .any(|a| a.name == o.alarm.name);
                if !exists {
                    notes.push(Note::AlarmCost {
                        region: o.region.clone(),
                        name: o.alarm.name.clone(),
                        high_resolution: o.alarm.period < 60,
                    });
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<Note> = groups
        .into_iter()
        .map(|(g, deleted)| group_note(before, g, deleted))
        .collect();
    for b in &buckets {
        // A bucket the plan creates has no readers and no distribution yet.
        if before.s3.ready().is_some_and(|s| s.bucket(b).is_none()) {
            continue;
        }
        out.push(bucket_note(before, after, b));
    }
    if account_pab {
        // The account's block reaches every bucket: name those it changes.
        let names: Vec<String> = before
            .s3
            .ready()
            .map(|s| s.buckets.iter().map(|b| b.name.clone()).collect())
            .unwrap_or_default();
        for b in names.iter().filter(|b| !buckets.contains(b)) {
            let n = bucket_note(before, after, b);
            // Those where someone loses read, and those moat cannot judge.
            if !matches!(&n, Note::Bucket { losing: Some(l), .. } if l.is_empty()) {
                out.push(n);
            }
        }
    }
    out.extend(notes);
    out
}

fn sorted(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = names.collect();
    v.sort();
    v
}

fn push_group(groups: &mut Vec<(SgKey, bool)>, g: &SgKey, deleted: bool) {
    match groups.iter_mut().find(|(k, _)| k == g) {
        Some((_, d)) => *d |= deleted,
        None => groups.push((g.clone(), deleted)),
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

// ---------------------------------------------------------------------------
// Security groups

fn group_note(inv: &Inventory, group: SgKey, deleted: bool) -> Note {
    let net = inv.ec2_network.region(&group.region);
    let id = net
        .and_then(|n| n.group(&group.vpc_id, &group.group_name))
        .map(|g| g.id.clone());
    let Some(id) = id else {
        // The region, or the group, was not read: nothing is known.
        return Note::SecurityGroup {
            group,
            deleted,
            interfaces: None,
            instances: None,
            load_balancers: None,
            db_instances: None,
        };
    };
    let enis: Vec<&crate::aws::inventory::NetworkInterface> = net
        .map(|n| {
            n.network_interfaces
                .iter()
                .filter(|e| e.groups.contains(&id))
                .collect()
        })
        .unwrap_or_default();
    let interfaces = enis
        .iter()
        .map(|e| {
            if e.description.is_empty() {
                e.id.clone()
            } else {
                format!("{} ({})", e.id, e.description)
            }
        })
        .collect();
    let mut instance_ids: Vec<&str> = enis
        .iter()
        .filter_map(|e| e.instance_id.as_deref())
        .collect();
    instance_ids.sort_unstable();
    instance_ids.dedup();
    let known = inv.ec2_instances.region(&group.region);
    let instances = instance_ids
        .iter()
        .map(|i| {
            known
                .and_then(|k| k.instances.iter().find(|x| x.id == *i))
                .map(|x| x.label())
                .unwrap_or_else(|| i.to_string())
        })
        .collect();
    // A region the part does not cover, or where it failed, was not read.
    let load_balancers = inv.elb.region(&group.region).map(|r| {
        sorted(
            r.load_balancers
                .iter()
                .filter(|l| l.security_groups.contains(&id))
                .map(|l| format!("{} ({})", l.name, l.kind))
                .chain(
                    r.classic
                        .iter()
                        .filter(|c| c.security_groups.contains(&id))
                        .map(|c| format!("{} (classic)", c.name)),
                ),
        )
    });
    let db_instances = inv.rds.region(&group.region).map(|r| {
        sorted(
            r.instances
                .iter()
                .filter(|d| d.vpc_security_groups.contains(&id))
                .map(|d| format!("{} ({})", d.id, d.engine)),
        )
    });
    Note::SecurityGroup {
        group,
        deleted,
        interfaces: Some(interfaces),
        instances: Some(instances),
        load_balancers,
        db_instances,
    }
}

// ---------------------------------------------------------------------------
// Buckets

fn bucket_note(before: &Inventory, after: &Inventory, bucket: &str) -> Note {
    let distributions = before.cloudfront.ready().map(|cf| {
        cf.distributions
            .iter()
            .filter_map(|d| {
                let o = d.origins.iter().find(|o| o.s3_bucket() == Some(bucket))?;
                let via = if o.oac_id.is_some() {
                    msg(T, "via_oac", &[])
                } else if o.has_oai() {
                    msg(T, "via_oai", &[])
                } else {
                    msg(T, "via_public", &[])
                };
                Some(format!("{} ({}, {via})", d.id, d.domain_name))
            })
            .collect()
    });
    let losing = match (readers(before, bucket), readers(after, bucket)) {
        (Some(b), Some(a)) => Some(b.difference(&a).cloned().collect()),
        _ => None,
    };
    let unjudged = losing.as_ref().and(unjudged(before, after, bucket));
    Note::Bucket {
        bucket: bucket.to_string(),
        distributions,
        losing,
        unjudged: unjudged.map(str::to_string),
    }
}

/// Why moat cannot tell who loses read through this change (a message key),
/// or `None` when the readers it counts are all there is to it: statements
/// it does not evaluate (NotPrincipal, NotAction, NotResource), a Deny the
/// change adds (it stops requests moat cannot count, such as plain-HTTP ones
/// from the website endpoint or a CloudFront behaviour that allows HTTP), or
/// a change of IgnorePublicAcls (object ACLs are not read).
fn unjudged(before: &Inventory, after: &Inventory, bucket: &str) -> Option<&'static str> {
    let policy = |inv: &Inventory| -> Option<Value> {
        let b = inv.s3.ready()?.bucket(bucket)?;
        match &b.policy {
            Fetched::Ready(Some(doc)) => Some(doc.clone()),
            _ => None,
        }
    };
    let (p0, p1) = (policy(before), policy(after));
    let negated = |doc: &Option<Value>| {
        doc.as_ref().is_some_and(|d| {
            statements(d).iter().any(|s| {
                effect(s) == "Allow"
                    && ["NotPrincipal", "NotAction", "NotResource"]
                        .iter()
                        .any(|k| s.get(*k).is_some())
            })
        })
    };
    if negated(&p0) || negated(&p1) {
        return Some("why_negated");
    }
    let denies = |doc: &Option<Value>| -> Vec<Value> {
        doc.as_ref()
            .map(|d| {
                statements(d)
                    .into_iter()
                    .filter(|s| effect(s) == "Deny")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let before_denies = denies(&p0);
    if denies(&p1).iter().any(|d| !before_denies.contains(d)) {
        return Some("why_deny");
    }
    if pab(before, bucket).map(|p| p.ignore_public_acls)
        != pab(after, bucket).map(|p| p.ignore_public_acls)
    {
        return Some("why_object_acls");
    }
    None
}

/// The public access block in force on a bucket (its own and the
/// account's), when both were read.
fn pab(inv: &Inventory, bucket: &str) -> Option<PublicAccessBlock> {
    let b = inv.s3.ready()?.bucket(bucket)?;
    let own = match &b.public_access_block {
        Fetched::Ready(p) => *p,
        Fetched::Error(_) => return None,
    };
    let account = inv.s3_account_pab.ready()?.as_ref();
    Some(merge(own.as_ref(), account))
}

/// Who the bucket lets read its objects (policy) or list them (ACL), with
/// the public access blocks in force; `None` when a piece is unreadable.
pub fn readers(inv: &Inventory, bucket: &str) -> Option<BTreeSet<String>> {
    let b: &Bucket = inv.s3.ready()?.bucket(bucket)?;
    let own = inv.account_id().unwrap_or_default();
    let bucket_pab = match &b.public_access_block {
        Fetched::Ready(p) => *p,
        Fetched::Error(_) => return None,
    };
    // An account block that was not read is not taken for "off".
    let account_pab = inv.s3_account_pab.ready()?.as_ref();
    let pab = merge(bucket_pab.as_ref(), account_pab);
    let mut out = BTreeSet::new();
    match &b.policy {
        Fetched::Ready(Some(doc)) => {
            let grants = policy_readers(doc, bucket);
            // AWS judges the whole policy public, not only its read
            // statements: a public ListBucket makes RestrictPublicBuckets
            // cut another account's GetObject too.
            let public = grants.iter().any(|g| g.public) || policy_is_public(doc);
            for g in grants {
                // RestrictPublicBuckets: a bucket with a public policy only
                // serves AWS services and the owner account.
                if pab.restrict_public_buckets
                    && public
                    && !(g.service || g.account.as_deref() == Some(own))
                {
                    continue;
                }
                out.insert(g.label);
            }
        }
        Fetched::Ready(None) => {}
        Fetched::Error(_) => return None,
    }
    match &b.acl {
        Fetched::Ready(acl) => {
            for l in acl_readers(acl, pab.ignore_public_acls) {
                out.insert(msg(T, "by_acl", &[("who", &l)]));
            }
        }
        Fetched::Error(_) => return None,
    }
    Some(out)
}

fn merge(a: Option<&PublicAccessBlock>, b: Option<&PublicAccessBlock>) -> PublicAccessBlock {
    let off = PublicAccessBlock {
        block_public_acls: false,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    };
    let (a, b) = (a.unwrap_or(&off), b.unwrap_or(&off));
    PublicAccessBlock {
        block_public_acls: a.block_public_acls || b.block_public_acls,
        ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
        block_public_policy: a.block_public_policy || b.block_public_policy,
        restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
    }
}

/// Does any Allow statement of the policy admit everyone, whatever its
/// action, with no condition that narrows it?
fn policy_is_public(doc: &Value) -> bool {
    statements(doc).iter().any(|s| {
        effect(s) == "Allow"
            && principal_is_everyone(s.get("Principal"))
            && !has_restricting_condition(s)
    })
}

struct PolicyGrant {
    label: String,
    public: bool,
    service: bool,
    account: Option<String>,
}

/// Does a statement's action list cover s3:GetObject?
fn reads_objects(stmt: &Value) -> bool {
    as_list(stmt.get("Action"))
        .iter()
        .any(|a| crate::access::glob(a, "s3:GetObject", true))
}

/// Does a statement's resource list cover the bucket's objects (all, or a
/// prefix of them)?
fn on_objects(stmt: &Value, bucket: &str) -> bool {
    as_list(stmt.get("Resource")).iter().any(|r| {
        if r == "*" {
            return true;
        }
        // arn:PARTITION:s3:::BUCKET/KEY, any partition.
        let mut it = r.splitn(6, ':');
        let (Some(_), Some(_), Some(svc), Some(_), Some(_), Some(rest)) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        ) else {
            return false;
        };
        let (b, key) = rest.split_once('/').unwrap_or((rest, ""));
        crate::access::glob(svc, "s3", true)
            && crate::access::glob(b, bucket, false)
            && (!key.is_empty() || b.ends_with('*'))
    })
}

fn policy_readers(doc: &Value, bucket: &str) -> Vec<PolicyGrant> {
    let mut out = vec![];
    for s in statements(doc) {
        if effect(s) != "Allow" || !reads_objects(s) || !on_objects(s, bucket) {
            continue;
        }
        let conditional = has_restricting_condition(s);
        let p = s.get("Principal");
        if principal_is_everyone(p) {
            let key = if conditional {
                "principal_public_condition"
            } else {
                "principal_public"
            };
            out.push(PolicyGrant {
                label: msg(T, key, &[]),
                public: !conditional,
                service: false,
                account: None,
            });
            continue;
        }
        let Some(Value::Object(m)) = p else { continue };
        for (kind, v) in m {
            for id in as_list(Some(v)) {
                out.push(principal(kind, &id));
            }
        }
    }
    out
}

/// One principal of a policy, in words.
fn principal(kind: &str, id: &str) -> PolicyGrant {
    let grant = |label: String, account: Option<String>, service: bool| PolicyGrant {
        label,
        public: false,
        service,
        account,
    };
    match kind.to_ascii_lowercase().as_str() {
        "aws" => {
            if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) {
                return grant(
                    msg(T, "principal_account", &[("account", id)]),
                    Some(id.to_string()),
                    false,
                );
            }
            // arn:PARTITION:iam::ACCOUNT:root | role/NAME | user/NAME
            let parts: Vec<&str> = id.splitn(6, ':').collect();
            match parts.as_slice() {
                [_, _, "iam", _, "cloudfront", rest] => grant(
                    msg(
                        T,
                        "principal_oai",
                        &[("oai", rest.rsplit(' ').next().unwrap_or(rest))],
                    ),
                    None,
                    true,
                ),
                [_, _, "iam", _, acct, "root"] => grant(
                    msg(T, "principal_account", &[("account", acct)]),
                    Some(acct.to_string()),
                    false,
                ),
                [_, _, "iam", _, acct, rest] => {
                    let (what, name) = rest.split_once('/').unwrap_or(("principal", rest));
                    let name = name.rsplit('/').next().unwrap_or(name);
                    grant(
                        msg(
                            T,
                            "principal_iam",
                            &[("what", what), ("name", name), ("account", acct)],
                        ),
                        Some(acct.to_string()),
                        false,
                    )
                }
                _ => grant(msg(T, "principal_other", &[("id", id)]), None, false),
            }
        }
        "service" => grant(msg(T, "principal_service", &[("service", id)]), None, true),
        "canonicaluser" => grant(msg(T, "principal_canonical", &[("id", id)]), None, false),
        "federated" => grant(msg(T, "principal_federated", &[("id", id)]), None, false),
        _ => grant(msg(T, "principal_other", &[("id", id)]), None, false),
    }
}

/// ACL grantees that may read (list) the bucket, the owner aside.
fn acl_readers(acl: &Acl, ignore_public: bool) -> Vec<String> {
    acl.grants
        .iter()
        .filter(|g| g.permission == "READ" || g.permission == "FULL_CONTROL")
        .filter_map(|g| match &g.grantee {
            Grantee::Group { uri } if uri == ALL_USERS => {
                (!ignore_public).then(|| msg(T, "principal_public", &[]))
            }
            Grantee::Group { uri } if uri == AUTHENTICATED_USERS => {
                (!ignore_public).then(|| msg(T, "principal_any_account", &[]))
            }
            Grantee::Group { uri } => Some(msg(T, "principal_other", &[("id", uri)])),
            Grantee::CanonicalUser { id, .. } if *id == acl.owner_id => None,
            Grantee::CanonicalUser { .. } => {
                Some(msg(T, "principal_canonical", &[("id", &g.grantee.label())]))
            }
            Grantee::Email { address } => Some(msg(T, "principal_other", &[("id", address)])),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Trails

/// Trails other than `name` that already deliver management events where
/// the new trail will (`region`, or every region for a multi-region one).
fn other_trails(inv: &Inventory, name: &str, region: &str, multi: bool) -> Option<Vec<String>> {
    let trails = inv.trails.ready()?;
    Some(
        trails
            .iter()
            .filter(|t| t.name != name && (multi || t.is_multi_region || t.home_region == region))
            .map(|t| t.name.clone())
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// Words

fn list(names: &Option<Vec<String>>) -> String {
    match names {
        None => msg(T, "not_read", &[]),
        Some(v) if v.is_empty() => msg(T, "none", &[]),
        Some(v) if v.len() > SHOWN => {
            let more = (v.len() - SHOWN).to_string();
            format!(
                "{} {}",
                v[..SHOWN].join(", "),
                msg(T, "more", &[("count", &more)])
            )
        }
        Some(v) => v.join(", "),
    }
}

impl Note {
    /// The note in words: a first line, and the lines under it.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Note::SecurityGroup {
                group,
                deleted,
                interfaces,
                instances,
                load_balancers,
                db_instances,
            } => {
                let g = group.to_string();
                let lists = [interfaces, instances, load_balancers, db_instances];
                if lists.iter().all(|l| matches!(l, Some(v) if v.is_empty())) {
                    let key = if *deleted {
                        "group_unused_deleted"
                    } else {
                        "group_unused"
                    };
                    return vec![msg(T, key, &[("group", &g)])];
                }
                let key = if *deleted { "group_deleted" } else { "group" };
                vec![
                    msg(T, key, &[("group", &g)]),
                    msg(T, "interfaces", &[("list", &list(interfaces))]),
                    msg(T, "instances", &[("list", &list(instances))]),
                    msg(T, "load_balancers", &[("list", &list(load_balancers))]),
                    msg(T, "db_instances", &[("list", &list(db_instances))]),
                ]
            }
            Note::Bucket {
                bucket,
                distributions,
                losing,
                unjudged,
            } => {
                let why = unjudged.as_deref().map(|k| msg(T, k, &[]));
                let mut out = vec![
                    msg(T, "bucket", &[("bucket", bucket)]),
                    msg(T, "distributions", &[("list", &list(distributions))]),
                ];
                match (losing, why) {
                    (None, _) => out.push(msg(T, "losing_unknown", &[])),
                    (Some(v), Some(why)) if v.is_empty() => {
                        out.push(msg(T, "losing_unjudged", &[("why", &why)]))
                    }
                    (Some(v), None) if v.is_empty() => out.push(msg(T, "losing_none", &[])),
                    (Some(_), why) => {
                        out.push(msg(T, "losing", &[("list", &list(losing))]));
                        out.extend(why.map(|w| msg(T, "losing_more", &[("why", &w)])));
                    }
                }
                out
            }
            Note::KeyRetired { region, alias, arn } => {
                let id = arn.clone().unwrap_or_else(|| alias.clone());
                vec![
                    msg(T, "key_retired", &[("alias", alias), ("region", region)]),
                    msg(T, "key_lookup", &[("key", &id), ("region", region)]),
                ]
            }
            Note::KeyCost { region, alias } => {
                vec![msg(T, "key_cost", &[("alias", alias), ("region", region)])]
            }
            Note::TrailCost { name, other } => vec![match other {
                None => msg(T, "trail_cost_unknown", &[("trail", name)]),
                Some(v) if v.is_empty() => msg(T, "trail_cost_first", &[("trail", name)]),
                Some(v) => msg(
                    T,
                    "trail_cost_copy",
                    &[("trail", name), ("others", &v.join(", "))],
                ),
            }],
            Note::AlarmCost {
                region,
                name,
                high_resolution,
            } => {
                let key = if *high_resolution {
                    "alarm_cost_high"
                } else {
                    "alarm_cost"
                };
                vec![msg(T, key, &[("alarm", name), ("region", region)])]
            }
        }
    }
}

/// The heading above the notes.
pub fn heading() -> String {
    msg(T, "heading", &[])
}

/// The line under every cost note: where the prices come from.
pub fn prices_note(notes: &[Note]) -> Option<String> {
    notes
        .iter()
        .any(|n| {
            matches!(
                n,
                Note::KeyCost { .. } | Note::TrailCost { .. } | Note::AlarmCost { .. }
            )
        })
        .then(|| msg(T, "prices", &[]))
}

/// Every note in words, in order: each note's first line, then its other
/// lines; the prices' date last when a cost is named.
pub fn text(notes: &[Note]) -> Vec<(bool, String)> {
    let mut out = vec![];
    for n in notes {
        for (i, l) in n.lines().into_iter().enumerate() {
            out.push((i == 0, l));
        }
    }
    if let Some(p) = prices_note(notes) {
        out.push((true, p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::Part;
    use crate::aws::ops;
    use serde_json::json;

    const R: &str = "us-east-1";
    const VPC: &str = "vpc-1";

    /// The account, with the given parts in their saved (demo) form.
    fn inventory(parts: Value) -> Inventory {
        // Every other part as a default inventory has it (loading).
        let mut v = serde_json::to_value(Inventory::default()).expect("default");
        let identity = json!({
            "identity": {"state": "ready", "value": {
                "account": "111122223333",
                "arn": "arn:aws:iam::111122223333:user/ops",
                "user_id": "AIDA"
            }}
        });
        if let (Value::Object(m), Value::Object(i), Value::Object(p)) = (&mut v, identity, parts) {
            m.extend(i);
            m.extend(p);
        }
        serde_json::from_value(v).expect("inventory")
    }

    fn ready(value: Value) -> Value {
        json!({"state": "ready", "value": value})
    }

    fn regional(value: Value) -> Value {
        ready(json!({"regions": {R: ready(value)}}))
    }

    fn group(id: &str, name: &str) -> Value {
        json!({"id": id, "name": name, "vpc_id": VPC, "ingress": [
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "source": {"ipv4": "0.0.0.0/0"}}
        ]})
    }

    /// Groups `web` (sg-1), `alb` (sg-2), `db` (sg-3) and `spare` (sg-4):
    /// web on instance web-1's interface, alb on an ALB and a classic load
    /// balancer, db on a DB instance, spare on nothing.
    fn network() -> Inventory {
        inventory(json!({
            "ec2_network": regional(json!({
                "security_groups": [
                    group("sg-1", "web"), group("sg-2", "alb"),
                    group("sg-3", "db"), group("sg-4", "spare")
                ],
                "network_interfaces": [
                    {"id": "eni-1", "description": "web-1 primary", "groups": ["sg-1"],
                     "instance_id": "i-1"},
                    {"id": "eni-2", "description": "ELB app/shop/1", "groups": ["sg-2"]}
                ]
            })),
            "ec2_instances": regional(json!({"instances": [
                {"id": "i-1", "name": "web-1", "image_id": "ami-1", "state": "running",
                 "http_tokens": "required", "http_endpoint": "enabled"}
            ]})),
            "elb": regional(json!({
                "load_balancers": [{"name": "shop", "arn": "arn:lb/shop", "type": "application",
                    "scheme": "internet-facing", "security_groups": ["sg-2"], "listeners": []}],
                "classic": [{"name": "old-shop", "scheme": "internet-facing",
                    "security_groups": ["sg-2"], "listeners": []}]
            })),
            "rds": regional(json!({"instances": [
                {"id": "orders", "engine": "postgres", "publicly_accessible": false,
                 "storage_encrypted": true, "vpc_security_groups": ["sg-3"]}
            ]}))
        }))
    }

    fn key(name: &str) -> SgKey {
        SgKey {
            region: R.into(),
            vpc_id: VPC.into(),
            group_name: name.into(),
        }
    }

    fn revoke(name: &str) -> Op {
        Op::RevokeSecurityGroupIngress(ops::RevokeSecurityGroupIngress {
            group: key(name),
            rules: vec![],
        })
    }

    /// The notes of `ops` on `inv`, with the ops applied for "after".
    fn notes(inv: &Inventory, ops: &[Op]) -> Vec<Note> {
        let mut after = inv.clone();
        for op in ops {
            after.apply(op).expect("applies");
        }
        radius(inv, &after, ops)
    }

    fn one(inv: &Inventory, ops: &[Op]) -> Note {
        let n = notes(inv, ops);
        assert_eq!(n.len(), 1, "{n:?}");
        n.into_iter().next().expect("one note")
    }

    fn users(n: &Note) -> [Option<Vec<String>>; 4] {
        let Note::SecurityGroup {
            interfaces,
            instances,
            load_balancers,
            db_instances,
            ..
        } = n
        else {
            panic!("{n:?}")
        };
        [
            interfaces.clone(),
            instances.clone(),
            load_balancers.clone(),
            db_instances.clone(),
        ]
    }

    fn some(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn a_group_on_an_instance_names_its_interface_and_the_instance() {
        let n = one(&network(), &[revoke("web")]);
        assert_eq!(
            users(&n),
            [
                some(&["eni-1 (web-1 primary)"]),
                some(&["web-1 (i-1)"]),
                some(&[]),
                some(&[]),
            ]
        );
        let text = n.lines().join("\n");
        assert!(text.contains("web in vpc-1 (us-east-1)"), "{text}");
        assert!(text.contains("instances: web-1 (i-1)"), "{text}");
        assert!(text.contains("load balancers: none"), "{text}");
    }

    #[test]
    fn a_group_on_load_balancers_names_both_kinds() {
        let n = one(&network(), &[revoke("alb")]);
        assert_eq!(
            users(&n)[2],
            some(&["old-shop (classic)", "shop (application)"])
        );
        // The load balancer's own interface, but no instance.
        assert_eq!(users(&n)[1], some(&[]));
    }

    #[test]
    fn a_group_on_a_db_instance_names_it() {
        let n = one(&network(), &[revoke("db")]);
        assert_eq!(users(&n)[3], some(&["orders (postgres)"]));
        assert!(
            n.lines()
                .join("\n")
                .contains("DB instances: orders (postgres)")
        );
    }

    #[test]
    fn an_unused_group_says_so_and_several_ops_on_one_group_make_one_note() {
        let del = Op::DeleteSecurityGroup(ops::DeleteSecurityGroup {
            group: key("spare"),
        });
        let n = notes(&network(), &[revoke("spare"), del]);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(matches!(n[0], Note::SecurityGroup { deleted: true, .. }));
        let lines = n[0].lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("uses it now"), "{lines:?}");
        assert!(lines[0].contains("deleted"), "{lines:?}");
    }

    #[test]
    fn parts_not_read_are_not_reported_as_none() {
        let mut inv = network();
        inv.elb = Part::Loading;
        inv.rds = Part::Loading;
        let n = one(&inv, &[revoke("db")]);
        assert_eq!(users(&n)[2], None);
        assert_eq!(users(&n)[3], None);
        let text = n.lines().join("\n");
        assert!(text.contains("load balancers: not read"), "{text}");
        assert!(!text.contains("uses it now"), "{text}");
        // A group moat never read: nothing known at all.
        let n = radius(&inv, &inv, &[revoke("elsewhere")]);
        assert_eq!(users(&n[0]), [None, None, None, None]);
    }

    fn bucket(name: &str, policy: Value) -> Value {
        json!({
            "name": name, "region": R,
            "public_access_block": ready(Value::Null),
            "policy": ready(policy),
            "acl": ready(json!({"owner_id": "owner", "grants": [
                {"grantee": {"type": "canonical_user", "id": "owner"}, "permission": "FULL_CONTROL"}
            ]})),
            "encryption": ready(Value::Null),
            "logging": ready(Value::Null),
            "versioning": ready(json!({}))
        })
    }

    fn buckets(b: Value, cloudfront: Value) -> Inventory {
        inventory(json!({
            "s3": ready(json!({"buckets": [b]})),
            "s3_account_pab": ready(Value::Null),
            "cloudfront": ready(cloudfront)
        }))
    }

    fn distribution(id: &str, bucket: &str, oac: Option<&str>) -> Value {
        json!({
            "id": id, "arn": format!("arn:aws:cloudfront::111122223333:distribution/{id}"),
            "domain_name": format!("{}.cloudfront.net", id.to_lowercase()),
            "enabled": true,
            "origins": [{"id": "o1", "domain_name": format!("{bucket}.s3.us-east-1.amazonaws.com"),
                         "s3_oai": "", "oac_id": oac}],
            "behaviors": [],
            "viewer_certificate": {"cloudfront_default": true}
        })
    }

    #[test]
    fn a_bucket_behind_cloudfront_names_the_distribution_and_the_public_losing_read() {
        let public = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}]});
        let inv = buckets(
            bucket("assets", public),
            json!({"distributions": [
                distribution("E1", "assets", None),
                distribution("E2", "other", Some("oac-1"))
            ], "origin_access_controls": []}),
        );
        let op = Op::PutBucketPublicAccessBlock(ops::PutBucketPublicAccessBlock {
            bucket: "assets".into(),
            region: R.into(),
            config: PublicAccessBlock::ALL,
        });
        let n = one(&inv, &[op]);
        let (distributions, losing) = bucket_lists(&n);
        let d = distributions.clone().expect("read");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].starts_with("E1 (e1.cloudfront.net, no OAC or OAI"),
            "{d:?}"
        );
        assert_eq!(losing, &some(&["everyone (public)"]));
        let text = n.lines().join("\n");
        assert!(
            text.contains("would lose read access: everyone (public)"),
            "{text}"
        );
    }

    /// A bucket note's distributions and readers losing read.
    fn bucket_lists(n: &Note) -> (&Option<Vec<String>>, &Option<Vec<String>>) {
        match n {
            Note::Bucket {
                distributions,
                losing,
                ..
            } => (distributions, losing),
            _ => panic!("not a bucket note: {n:?}"),
        }
    }

    fn put_policy(bucket: &str, policy: Value) -> Op {
        Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: bucket.into(),
            region: R.into(),
            policy,
        })
    }

    fn unjudged_of(n: &Note) -> Option<&str> {
        match n {
            Note::Bucket { unjudged, .. } => unjudged.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn changes_moat_does_not_judge_are_said_so_not_nobody() {
        let cf = || json!({"distributions": [], "origin_access_controls": []});
        // An added Deny (deny insecure transport) stops plain-HTTP readers.
        let allow = json!({"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"});
        let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::site", "arn:aws:s3:::site/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let inv = buckets(bucket("site", json!({"Statement": [allow.clone()]})), cf());
        let n = one(
            &inv,
            &[put_policy(
                "site",
                json!({"Statement": [allow.clone(), deny]}),
            )],
        );
        assert_eq!(unjudged_of(&n), Some("why_deny"), "{n:?}");
        assert!(n.lines().join("\n").contains("not judged"), "{n:?}");
        // NotPrincipal in an Allow grants more than moat reads.
        let odd = json!({"Statement": [{"Effect": "Allow",
            "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]});
        let inv = buckets(bucket("site", odd), cf());
        let op = Op::PutBucketPublicAccessBlock(ops::PutBucketPublicAccessBlock {
            bucket: "site".into(),
            region: R.into(),
            config: PublicAccessBlock::ALL,
        });
        assert_eq!(
            unjudged_of(&one(&inv, std::slice::from_ref(&op))),
            Some("why_negated")
        );
        // IgnorePublicAcls turning on cuts object ACLs moat does not read.
        let inv = buckets(bucket("site", Value::Null), cf());
        assert_eq!(unjudged_of(&one(&inv, &[op])), Some("why_object_acls"));
    }

    #[test]
    fn a_public_list_statement_makes_restrict_public_buckets_cut_another_account() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::data"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}
        ]});
        let inv = buckets(
            bucket("data", doc),
            json!({"distributions": [], "origin_access_controls": []}),
        );
        let op = Op::PutBucketPublicAccessBlock(ops::PutBucketPublicAccessBlock {
            bucket: "data".into(),
            region: R.into(),
            config: PublicAccessBlock {
                block_public_acls: false,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: true,
            },
        });
        let Note::Bucket { losing, .. } = one(&inv, &[op]) else {
            panic!("a bucket note")
        };
        assert_eq!(losing, some(&["account 444455556666"]));
    }

    #[test]
    fn a_bucket_the_plan_creates_gets_no_note() {
        let inv = buckets(
            bucket("assets", Value::Null),
            json!({"distributions": [], "origin_access_controls": []}),
        );
        let op = Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: "new-logs".into(),
            region: R.into(),
            policy: json!({"Statement": []}),
        });
        assert!(radius(&inv, &inv, [&op]).is_empty());
        // A bucket of an S3 part that was not read still gets its note.
        let unread = inventory(json!({}));
        assert_eq!(radius(&unread, &unread, [&op]).len(), 1);
    }

    #[test]
    fn a_policy_granting_another_account_names_who_loses_read() {
        let doc = json!({"Statement": [
            {"Sid": "Partner", "Effect": "Allow",
             "Principal": {"AWS": ["444455556666", "arn:aws:iam::777788889999:role/reader"]},
             "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::data/*"},
            {"Sid": "Service", "Effect": "Allow",
             "Principal": {"Service": "cloudfront.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
            {"Sid": "Write", "Effect": "Allow", "Principal": {"AWS": "111111111111"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}
        ]});
        let inv = buckets(
            bucket("data", doc.clone()),
            json!({"distributions": [], "origin_access_controls": []}),
        );
        // Keep the service statement only.
        let kept = json!({"Statement": [doc["Statement"][1].clone()]});
        let op = Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: "data".into(),
            region: R.into(),
            policy: kept,
        });
        let n = one(&inv, &[op]);
        let (distributions, losing) = bucket_lists(&n);
        assert_eq!(distributions, &some(&[]));
        assert_eq!(
            losing,
            &some(&[
                "account 444455556666",
                "role reader of account 777788889999"
            ])
        );
        // Deleting the whole policy takes the service's read too; the
        // writer never read.
        let op = Op::DeleteBucketPolicy(ops::DeleteBucketPolicy {
            bucket: "data".into(),
            region: R.into(),
        });
        let Note::Bucket { losing, .. } = one(&inv, &[op]) else {
            panic!()
        };
        assert_eq!(
            losing,
            some(&[
                "account 444455556666",
                "role reader of account 777788889999",
                "service cloudfront.amazonaws.com"
            ])
        );
    }

    #[test]
    fn an_unreadable_policy_makes_the_losers_unknown() {
        let mut b = bucket("data", Value::Null);
        b["policy"] = json!({"state": "error", "value": {"action": "s3:GetBucketPolicy",
            "code": "AccessDenied", "message": "no"}});
        let inv = buckets(
            b,
            json!({"distributions": [], "origin_access_controls": []}),
        );
        assert_eq!(readers(&inv, "data"), None);
        let n = radius(
            &inv,
            &inv,
            &[Op::DeleteBucketPolicy(ops::DeleteBucketPolicy {
                bucket: "data".into(),
                region: R.into(),
            })],
        );
        assert!(matches!(&n[0], Note::Bucket { losing: None, .. }), "{n:?}");
        assert!(n[0].lines().join("\n").contains("unknown"));
    }

    #[test]
    fn creations_name_their_cost_and_the_prices_date() {
        let inv = inventory(json!({
            "trails": ready(json!([{"name": "org", "arn": "arn:trail/org",
                "home_region": "eu-west-1", "is_multi_region": true,
                "log_file_validation": true, "is_logging": true}])),
            "metric_alarms": regional(json!([]))
        }));
        let trail = Op::CreateTrail(ops::CreateTrail {
            name: "moat".into(),
            region: R.into(),
            bucket: "logs".into(),
            multi_region: true,
            log_file_validation: true,
        });
        let n = radius(&inv, &inv, &[trail]);
        assert_eq!(
            n,
            vec![Note::TrailCost {
                name: "moat".into(),
                other: some(&["org"])
            }]
        );
        assert!(n[0].lines()[0].contains("about $2.00 per 100,000"));
        let key = Op::CreateKmsKey(ops::CreateKmsKey {
            region: R.into(),
            alias: "alias/moat-trail".into(),
            description: String::new(),
            policy: json!({}),
        });
        let n = radius(&inv, &inv, &[key]);
        assert!(n[0].lines()[0].contains("about $1.00 a month"), "{n:?}");
        let text: Vec<String> = text(&n).into_iter().map(|(_, l)| l).collect();
        assert!(
            text.last().is_some_and(|l| l.contains("2026-12-03")),
            "{text:?}"
        );
    }

    #[test]
    fn a_retired_key_points_to_its_last_use_without_inventing_one() {
        let inv = inventory(json!({"kms_keys": regional(json!([
            {"alias": "alias/moat-x", "key_id": "k1",
             "arn": "arn:aws:kms:us-east-1:111122223333:key/k1", "state": "Enabled"}
        ]))}));
        let op = Op::ScheduleKmsKeyDeletion(ops::ScheduleKmsKeyDeletion {
            region: R.into(),
            alias: "alias/moat-x".into(),
            pending_days: 30,
            key_id: None,
        });
        let n = radius(&inv, &inv, &[op]);
        let lines = n[0].lines();
        assert!(lines[1].contains("lookup-events"), "{lines:?}");
        assert!(
            lines[1].contains("AttributeValue=arn:aws:kms:us-east-1:111122223333:key/k1"),
            "{lines:?}"
        );
        assert!(lines[1].contains("get-key-last-usage"), "{lines:?}");
    }

    #[test]
    fn every_message_of_the_table_is_written() {
        for n in [
            "heading",
            "not_read",
            "none",
            "more",
            "group",
            "group_deleted",
            "group_unused",
            "group_unused_deleted",
            "interfaces",
            "instances",
            "load_balancers",
            "db_instances",
            "bucket",
            "distributions",
            "via_oac",
            "via_oai",
            "via_public",
            "losing",
            "losing_none",
            "losing_unknown",
            "losing_unjudged",
            "losing_more",
            "why_negated",
            "why_deny",
            "why_object_acls",
            "principal_public",
            "principal_public_condition",
            "principal_any_account",
            "principal_account",
            "principal_iam",
            "principal_oai",
            "principal_service",
            "principal_canonical",
            "principal_federated",
            "principal_other",
            "by_acl",
            "key_retired",
            "key_lookup",
            "key_cost",
            "trail_cost_first",
            "trail_cost_copy",
            "trail_cost_unknown",
            "alarm_cost",
            "alarm_cost_high",
            "prices",
        ] {
            assert!(crate::guide::guide().template(T, n).is_some(), "blast.{n}");
        }
    }
}
