//! The blast radius of a bucket policy, ACL or public access block change:
//! the distributions serving the bucket, the readers that would lose read.

use super::{Note, T};
use crate::aws::inventory::{
    ALL_USERS, AUTHENTICATED_USERS, Acl, Bucket, Fetched, Grantee, Inventory, PublicAccessBlock,
};
use crate::aws::ops::{self, TrailEdit};
use crate::guide::msg;
use crate::policy::{
    as_list, effect, has_restricting_condition, principal_is_everyone, statements,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn bucket_note(before: &Inventory, after: &Inventory, bucket: &str) -> Note {
    let distributions = before.cloudfront.ready().map(|cf| {
        cf.distributions
            .iter()
            .filter_map(|d| {
                let o = d.origins.iter().find(|o| {
                    o.s3_bucket() == Some(bucket) || website_bucket(&o.domain_name) == Some(bucket)
                })?;
                let via = if website_bucket(&o.domain_name).is_some() {
                    msg(T, "via_website", &[])
                } else if o.oac_id.is_some() {
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
    // Grants are compared by who and under which condition, not by their
    // words: two grants worded alike are two readers.
    let losing = match (readers(before, bucket), readers(after, bucket)) {
        (Some(b), Some(a)) => {
            let lost: BTreeSet<String> = b
                .iter()
                .filter(|(id, _)| !a.contains_key(*id))
                .map(|(_, label)| label.clone())
                .collect();
            Some(lost.into_iter().collect())
        }
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

/// UpdateTrail to a KMS key the trail does not use yet: the readers of its
/// log bucket will need kms:Decrypt on that key.
pub(super) fn kms_trail_note(inv: &Inventory, op: &ops::UpdateTrail) -> Option<Note> {
    let key = op.edits.iter().find_map(|e| match e {
        TrailEdit::KmsKey { key: Some(k) } => Some(k.clone()),
        _ => None,
    })?;
    let trail = inv.trails.ready()?.iter().find(|t| t.name == op.name)?;
    if trail.kms_key_id.as_deref() == Some(key.as_str()) {
        return None;
    }
    let bucket = trail.s3_bucket.clone()?;
    let readers = readers(inv, &bucket).map(|r| r.into_values().collect::<BTreeSet<_>>());
    Some(Note::KmsReaders {
        readers: readers.map(|r| r.into_iter().collect()),
        bucket,
        key: Some(key),
        trail: Some(op.name.clone()),
    })
}

/// PutBucketEncryption with SSE-KMS where the bucket did not use that key:
/// the readers of new objects will need kms:Decrypt on it.
pub(super) fn kms_bucket_note(inv: &Inventory, op: &ops::PutBucketEncryption) -> Option<Note> {
    let e = &op.encryption;
    if !e.algorithm.starts_with("aws:kms") {
        return None;
    }
    let was = inv
        .s3
        .ready()
        .and_then(|s| s.bucket(&op.bucket))
        .and_then(|b| b.encryption.ready())
        .and_then(Option::as_ref);
    if was.is_some_and(|w| w.algorithm.starts_with("aws:kms") && w.kms_key == e.kms_key) {
        return None;
    }
    // A bucket the plan creates has no readers yet.
    if inv
        .s3
        .ready()
        .is_some_and(|s| s.bucket(&op.bucket).is_none())
    {
        return None;
    }
    let readers = readers(inv, &op.bucket).map(|r| r.into_values().collect::<BTreeSet<_>>());
    Some(Note::KmsReaders {
        bucket: op.bucket.clone(),
        key: e.kms_key.clone(),
        trail: None,
        readers: readers.map(|r| r.into_iter().collect()),
    })
}

/// The bucket a custom origin on an S3 website endpoint serves:
/// `BUCKET.s3-website-REGION.amazonaws.com` (the older dash form),
/// `BUCKET.s3-website.REGION.amazonaws.com` (the dot form), also with
/// `dualstack.` before the region and under `.amazonaws.com.cn`. Such an
/// origin reads the bucket as the public does.
fn website_bucket(domain: &str) -> Option<&str> {
    let d = domain.trim_end_matches('.');
    let d = d
        .strip_suffix(".amazonaws.com")
        .or_else(|| d.strip_suffix(".amazonaws.com.cn"))?;
    let idx = d.rfind(".s3-website")?;
    let (bucket, endpoint) = (&d[..idx], &d[idx + ".s3-website".len()..]);
    let region = endpoint
        .strip_prefix('-')
        .or_else(|| endpoint.strip_prefix(".dualstack."))
        .or_else(|| endpoint.strip_prefix('.'))?;
    let is_region = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (is_region && !bucket.is_empty()).then_some(bucket)
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
/// the public access blocks in force, by identity (principal and
/// condition) with their words; `None` when a piece is unreadable.
pub fn readers(inv: &Inventory, bucket: &str) -> Option<BTreeMap<String, String>> {
    let b: &Bucket = inv.s3.ready()?.bucket(bucket)?;
    let own = inv.account_id().unwrap_or_default();
    let bucket_pab = match &b.public_access_block {
        Fetched::Ready(p) => *p,
        Fetched::Error(_) => return None,
    };
    // An account block that was not read is not taken for "off".
    let account_pab = inv.s3_account_pab.ready()?.as_ref();
    let pab = merge(bucket_pab.as_ref(), account_pab);
    let mut out = BTreeMap::new();
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
                out.insert(g.identity, g.label);
            }
        }
        Fetched::Ready(None) => {}
        Fetched::Error(_) => return None,
    }
    match &b.acl {
        Fetched::Ready(acl) => {
            for l in acl_readers(acl, pab.ignore_public_acls) {
                out.insert(format!("acl|{l}"), msg(T, "by_acl", &[("who", &l)]));
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
    /// The principal and the statement's condition: what makes two grants
    /// the same reader.
    identity: String,
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
        let condition = s.get("Condition").filter(|c| !is_empty(c));
        let cond_id = condition.map(Value::to_string).unwrap_or_default();
        let p = s.get("Principal");
        if principal_is_everyone(p) {
            let key = if conditional {
                "principal_public_condition"
            } else {
                "principal_public"
            };
            out.push(PolicyGrant {
                identity: format!("*|{cond_id}"),
                label: with_condition(msg(T, key, &[]), condition.filter(|_| conditional)),
                public: !conditional,
                service: false,
                account: None,
            });
            continue;
        }
        let Some(Value::Object(m)) = p else { continue };
        for (kind, v) in m {
            for id in as_list(Some(v)) {
                let mut g = principal(kind, &id);
                g.identity = format!("{}|{id}|{cond_id}", kind.to_ascii_lowercase());
                g.label = with_condition(g.label, condition);
                out.push(g);
            }
        }
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// A grant's words with the condition it is under, if any: two grants to
/// one principal under different conditions (one per distribution) read
/// apart.
fn with_condition(who: String, condition: Option<&Value>) -> String {
    let Some(Value::Object(ops)) = condition else {
        return who;
    };
    let mut parts = vec![];
    for (op, body) in ops {
        let Value::Object(keys) = body else { continue };
        for (k, v) in keys {
            let values = as_list(Some(v)).join(", ");
            parts.push(format!("{op} {k} {values}"));
        }
    }
    if parts.is_empty() {
        return who;
    }
    msg(
        T,
        "principal_condition",
        &[("who", &who), ("condition", &parts.join("; "))],
    )
}

/// One principal of a policy, in words.
fn principal(kind: &str, id: &str) -> PolicyGrant {
    let grant = |label: String, account: Option<String>, service: bool| PolicyGrant {
        identity: String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{Encryption, PublicAccessBlock};
    use crate::aws::ops;
    use crate::plan::Op;
    use crate::plan::blast::radius;
    use crate::plan::blast::testkit::*;
    use serde_json::json;

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
    fn two_grants_worded_alike_are_two_readers() {
        let oac = |dist: &str| {
            json!({"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*",
                "Condition": {"StringEquals": {"AWS:SourceArn":
                    format!("arn:aws:cloudfront::111122223333:distribution/{dist}")}}})
        };
        let cf = || json!({"distributions": [], "origin_access_controls": []});
        let inv = buckets(
            bucket("site", json!({"Statement": [oac("E1"), oac("E2")]})),
            cf(),
        );
        // Keep E1's statement: E2's distribution loses read.
        let n = one(
            &inv,
            &[put_policy("site", json!({"Statement": [oac("E1")]}))],
        );
        let (_, losing) = bucket_lists(&n);
        assert_eq!(
            losing,
            &some(&[
                "service cloudfront.amazonaws.com, when StringEquals AWS:SourceArn \
                arn:aws:cloudfront::111122223333:distribution/E2"
            ])
        );
        // The same principal with and without a condition: dropping the
        // unconditioned grant is a loss.
        let account = |cond: Option<Value>| {
            let mut s = json!({"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"});
            if let Some(c) = cond {
                s["Condition"] = c;
            }
            s
        };
        let vpce = json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}});
        let inv = buckets(
            bucket(
                "site",
                json!({"Statement": [account(None), account(Some(vpce.clone()))]}),
            ),
            cf(),
        );
        let n = one(
            &inv,
            &[put_policy(
                "site",
                json!({"Statement": [account(Some(vpce))]}),
            )],
        );
        let (_, losing) = bucket_lists(&n);
        assert_eq!(losing, &some(&["account 444455556666"]));
    }

    #[test]
    fn a_website_endpoint_origin_serves_its_bucket() {
        for d in [
            "site.example.com.s3-website-us-east-1.amazonaws.com",
            "site.example.com.s3-website.eu-west-1.amazonaws.com",
            "site.example.com.s3-website.dualstack.eu-west-1.amazonaws.com",
            "site.example.com.s3-website.cn-north-1.amazonaws.com.cn",
        ] {
            assert_eq!(website_bucket(d), Some("site.example.com"), "{d}");
        }
        for d in [
            "site.s3.us-east-1.amazonaws.com",
            "s3-website-us-east-1.amazonaws.com",
            "site.s3-website-.amazonaws.com",
            "site.s3-website-us-east-1.example.com",
        ] {
            assert_eq!(website_bucket(d), None, "{d}");
        }
        let mut dist = distribution("E9", "site", None);
        dist["origins"][0]["domain_name"] = json!("site.s3-website.us-east-1.amazonaws.com");
        dist["origins"][0]["s3_oai"] = Value::Null;
        let inv = buckets(
            bucket("site", Value::Null),
            json!({"distributions": [dist], "origin_access_controls": []}),
        );
        let n = one(&inv, &[put_policy("site", json!({"Statement": []}))]);
        let (distributions, _) = bucket_lists(&n);
        let d = distributions.clone().expect("read");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].starts_with("E9 (e9.cloudfront.net, S3 website endpoint"),
            "{d:?}"
        );
    }

    #[test]
    fn kms_encryption_names_the_readers_that_need_the_key() {
        let doc = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:role/siem"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}]});
        let mut inv = buckets(
            bucket("logs", doc),
            json!({"distributions": [], "origin_access_controls": []}),
        );
        inv.trails = serde_json::from_value(json!({"state": "ready", "value": [
            {"name": "org", "arn": "arn:trail/org", "home_region": R, "s3_bucket": "logs",
             "is_multi_region": true, "is_logging": true}
        ]}))
        .expect("trails");
        let trail = Op::UpdateTrail(ops::UpdateTrail {
            name: "org".into(),
            region: R.into(),
            edits: vec![ops::TrailEdit::KmsKey {
                key: Some("alias/moat-cloudtrail".into()),
            }],
        });
        let n = one(&inv, &[trail]);
        assert_eq!(
            n,
            Note::KmsReaders {
                bucket: "logs".into(),
                key: Some("alias/moat-cloudtrail".into()),
                trail: Some("org".into()),
                readers: some(&["role siem of account 444455556666"]),
            }
        );
        assert!(n.lines()[0].contains("kms:Decrypt"), "{n:?}");
        // SSE-KMS with the AWS managed key: the readers, and why they cannot
        // be given the key.
        let enc = |algorithm: &str| {
            Op::PutBucketEncryption(ops::PutBucketEncryption {
                bucket: "logs".into(),
                region: R.into(),
                encryption: Encryption {
                    algorithm: algorithm.into(),
                    kms_key: None,
                    bucket_key: None,
                },
            })
        };
        let n = one(&inv, &[enc("aws:kms")]);
        let lines = n.lines();
        assert!(
            lines[1].contains("role siem of account 444455556666"),
            "{lines:?}"
        );
        assert!(lines[2].contains("cannot be changed"), "{lines:?}");
        // SSE-S3 needs no key permission.
        assert!(notes(&inv, &[enc("AES256")]).is_empty());
    }
}
