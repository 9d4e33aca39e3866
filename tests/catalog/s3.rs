//! S3: the account's public access block, buckets and their lifecycle rules.

use super::{ACCOUNT, insert_documented};
use moat::aws::inventory::{
    Acl, Bucket, Encryption, Fetched, Grant, Grantee, Inventory, LifecycleRule, Logging,
    PublicAccessBlock, ResourceRef, VersioningStatus,
};
use moat::aws::ops;
use moat::plan::Op;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One op of every S3 op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    let b = || "bucket".to_string();
    let r = || "us-east-1".to_string();
    vec![
        Op::PutAccountPublicAccessBlock(ops::PutAccountPublicAccessBlock {
            config: PublicAccessBlock::ALL,
        }),
        Op::DeleteAccountPublicAccessBlock(ops::DeleteAccountPublicAccessBlock),
        Op::PutBucketPublicAccessBlock(ops::PutBucketPublicAccessBlock {
            bucket: b(),
            region: r(),
            config: PublicAccessBlock::ALL,
        }),
        Op::DeleteBucketPublicAccessBlock(ops::DeleteBucketPublicAccessBlock {
            bucket: b(),
            region: r(),
        }),
        Op::PutBucketPolicy(ops::PutBucketPolicy {
            bucket: b(),
            region: r(),
            policy: json!({}),
        }),
        Op::DeleteBucketPolicy(ops::DeleteBucketPolicy {
            bucket: b(),
            region: r(),
        }),
        Op::PutBucketAcl(ops::PutBucketAcl {
            bucket: b(),
            region: r(),
            acl: Acl::default(),
        }),
        Op::PutBucketEncryption(ops::PutBucketEncryption {
            bucket: b(),
            region: r(),
            encryption: Encryption {
                algorithm: "AES256".into(),
                kms_key: None,
                bucket_key: None,
            },
        }),
        Op::DeleteBucketEncryption(ops::DeleteBucketEncryption {
            bucket: b(),
            region: r(),
        }),
        Op::PutBucketVersioning(ops::PutBucketVersioning {
            bucket: b(),
            region: r(),
            status: VersioningStatus::Enabled,
            mfa_delete: None,
            mfa: None,
        }),
        Op::CreateBucket(ops::CreateBucket {
            bucket: b(),
            region: r(),
        }),
        Op::DeleteBucket(ops::DeleteBucket {
            bucket: b(),
            region: r(),
        }),
        Op::PutBucketLifecycle(ops::PutBucketLifecycle {
            bucket: "b".into(),
            region: r(),
            rules: vec![],
            transition_default_minimum_object_size: Some("varies_by_storage_class".into()),
        }),
        Op::DeleteBucketLifecycle(ops::DeleteBucketLifecycle {
            bucket: "b".into(),
            region: r(),
        }),
        Op::PutBucketLogging(ops::PutBucketLogging {
            bucket: "b".into(),
            region: r(),
            logging: Some(Logging {
                target_bucket: "logs".into(),
                target_prefix: "b/".into(),
            }),
        }),
    ]
}

/// The position of an S3 op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::PutAccountPublicAccessBlock(_) => 0,
        Op::DeleteAccountPublicAccessBlock(_) => 1,
        Op::PutBucketPublicAccessBlock(_) => 2,
        Op::DeleteBucketPublicAccessBlock(_) => 3,
        Op::PutBucketPolicy(_) => 4,
        Op::DeleteBucketPolicy(_) => 5,
        Op::PutBucketAcl(_) => 6,
        Op::PutBucketEncryption(_) => 7,
        Op::DeleteBucketEncryption(_) => 8,
        Op::PutBucketVersioning(_) => 9,
        Op::CreateBucket(_) => 10,
        Op::DeleteBucket(_) => 11,
        Op::PutBucketLifecycle(_) => 12,
        Op::DeleteBucketLifecycle(_) => 13,
        Op::PutBucketLogging(_) => 14,
        other => unreachable!("not an S3 op: {other:?}"),
    }
}

pub const IRREVERSIBLE: &[(&str, &str)] = &[(
    "delete_bucket",
    "a deleted bucket's name may be taken by anyone; moat only sends it to undo a CreateBucket",
)];

fn public_statement(bucket: &str) -> Value {
    json!({
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*"),
    })
}

fn team_statement(bucket: &str) -> Value {
    json!({
        "Sid": "Team", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
        "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
    })
}

/// A private bucket in eu-west-1, its owner with full control.
pub fn bucket(name: &str) -> Bucket {
    let mut b = Bucket::new(name, "eu-west-1");
    b.acl = Fetched::Ready(Acl {
        owner_id: "owner-id".into(),
        owner_display_name: None,
        grants: vec![Grant {
            grantee: Grantee::CanonicalUser {
                id: "owner-id".into(),
                display_name: None,
            },
            permission: "FULL_CONTROL".into(),
        }],
    });
    b
}

/// "bare-account": a partial account block, and buckets that are bare,
/// public by ACL, public by policy alone or mixed.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    if scenario != "bare-account" {
        return;
    }
    inv.s3_account_pab = moat::aws::inventory::Part::of(Some(PublicAccessBlock {
        block_public_acls: true,
        ..Default::default()
    }));
    if let Some(s3) = inv.s3.ready_mut() {
        s3.buckets.push(bucket("moat-test-bare"));
        let mut acl = bucket("moat-test-public-acl");
        if let Fetched::Ready(a) = &mut acl.acl {
            a.grants.push(Grant {
                grantee: Grantee::Group {
                    uri: moat::aws::inventory::ALL_USERS.into(),
                },
                permission: "READ".into(),
            });
        }
        s3.buckets.push(acl);
        let mut only = bucket("moat-test-public-only");
        only.policy = Fetched::Ready(Some(json!({
            "Version": "2012-10-17",
            "Statement": [public_statement("moat-test-public-only")],
        })));
        s3.buckets.push(only);
        let mut mixed = bucket("moat-test-mixed");
        mixed.policy = Fetched::Ready(Some(json!({
            "Version": "2012-10-17",
            "Statement": [team_statement("moat-test-mixed"), public_statement("moat-test-mixed")],
        })));
        mixed.public_access_block = Fetched::Ready(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            ..Default::default()
        }));
        s3.buckets.push(mixed);
    }
}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    out.insert(ResourceRef::S3AccountPublicAccessBlock);
    if let Some(s3) = inv.s3.ready() {
        for b in &s3.buckets {
            out.insert(ResourceRef::Bucket {
                name: b.name.clone(),
            });
        }
    }
    let mut add = |r| insert_documented(inv, out, r);
    for b in inv
        .trail_lifecycles
        .ready()
        .into_iter()
        .flat_map(|l| l.keys())
    {
        add(ResourceRef::Lifecycle { bucket: b.clone() });
    }
}

pub fn drift(inv: &mut Inventory, r: &ResourceRef) {
    match r {
        ResourceRef::S3AccountPublicAccessBlock => {
            let p = inv.s3_account_pab.ready_mut().expect("account pab");
            match p {
                Some(p) => p.block_public_acls = !p.block_public_acls,
                None => *p = Some(PublicAccessBlock::default()),
            }
        }
        ResourceRef::Bucket { name } => {
            let s3 = inv.s3.ready_mut().expect("s3");
            match s3.bucket_mut(name) {
                Some(b) => {
                    b.logging = Fetched::Ready(Some(Logging {
                        target_bucket: "drift-logs".into(),
                        target_prefix: "drift/".into(),
                    }))
                }
                None => s3.buckets.push(bucket(name)),
            }
        }
        ResourceRef::Lifecycle { bucket } => drift_lifecycle(inv, bucket),
        other => panic!("{other} is not an S3 resource"),
    }
}

fn drift_lifecycle(inv: &mut Inventory, bucket: &str) {
    let Some(l) = inv.trail_lifecycles.ready_mut() else {
        return;
    };
    let e = l
        .entry(bucket.to_string())
        .or_insert(moat::aws::inventory::BucketLifecycle {
            region: "us-east-1".into(),
            rules: Fetched::Ready(vec![]),
            transition_default_minimum_object_size: None,
        });
    if let Fetched::Ready(rules) = &mut e.rules {
        rules.push(LifecycleRule {
            id: Some("someone-elses".into()),
            status: "Enabled".into(),
            filter: None,
            prefix: Some("x/".into()),
            transitions: vec![],
            expiration: Some(moat::aws::inventory::Expiration {
                days: Some(1),
                date: None,
                expired_object_delete_marker: None,
            }),
            noncurrent_transitions: vec![],
            noncurrent_expiration: None,
            abort_incomplete_multipart_days: None,
        });
    }
}
