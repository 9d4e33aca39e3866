//! S3: buckets in two regions (every setting moat reads and every op it
//! sends), the account's public access block, ListBuckets pages.

use super::{apply, connect, create_bucket, delete_bucket, endpoint, tag};
use crate::aws::client::AwsBackend;
use crate::aws::inventory::{
    ALL_USERS, Acl, Encryption, Fetched, Grant, Grantee, Logging, PublicAccessBlock, S3,
    Versioning, VersioningStatus,
};
use crate::collect::Backend;
use crate::plan::{MfaToken, Op};
use serde_json::json;

async fn s3_part(b: &AwsBackend) -> S3 {
    part!(b, S3Buckets)
}

async fn account_pab(b: &AwsBackend) -> Option<PublicAccessBlock> {
    part!(b, S3AccountPublicAccessBlock)
}

/// One bucket's versioning as a single-bucket re-read gives it (the S3
/// part reads it only on log, trail and irreplaceable buckets).
async fn versioning(b: &AwsBackend, name: &str, region: &str) -> Option<Fetched<Versioning>> {
    b.read_bucket(name.to_string(), Some(region.to_string()))
        .await
        .unwrap_or_else(|| panic!("bucket {name} re-read"))
        .versioning
}

fn bucket<'a>(s3: &'a S3, name: &str) -> &'a crate::aws::inventory::Bucket {
    s3.bucket(name)
        .unwrap_or_else(|| panic!("bucket {name} collected"))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn s3_buckets_in_two_regions() {
    use aws_sdk_s3::types::{
        BucketCannedAcl, BucketLoggingStatus, BucketVersioningStatus, LoggingEnabled,
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
    };
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let (web, eu, logs) = (
        format!("moat-web-{t}"),
        format!("moat-eu-{t}"),
        format!("moat-logs-{t}"),
    );
    create_bucket(&b, &web, "us-east-1").await;
    create_bucket(&b, &logs, "us-east-1").await;
    create_bucket(&b, &eu, "eu-west-1").await;

    // The log bucket lets S3's log delivery write (S3 checks that).
    b.s3("us-east-1")
        .put_bucket_acl()
        .bucket(&logs)
        .grant_write("uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\"")
        .grant_read_acp("uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\"")
        .send()
        .await
        .expect("log bucket acl");
    // Seed web: public-read ACL, a policy, KMS encryption, logging, versioning, a PAB.
    let c = b.s3("us-east-1");
    c.put_bucket_acl()
        .bucket(&web)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("acl");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{web}/*")}]});
    c.put_bucket_policy()
        .bucket(&web)
        .policy(policy.to_string())
        .send()
        .await
        .expect("policy");
    let kms = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    c.put_bucket_encryption()
        .bucket(&web)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .kms_master_key_id(kms)
                                .build()
                                .expect("default"),
                        )
                        .bucket_key_enabled(true)
                        .build(),
                )
                .build()
                .expect("rules"),
        )
        .send()
        .await
        .expect("encryption");
    c.put_bucket_logging()
        .bucket(&web)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket(&logs)
                        .target_prefix("web/")
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("put logging");
    c.put_bucket_versioning()
        .bucket(&web)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    c.put_public_access_block()
        .bucket(&web)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(false)
                .block_public_policy(true)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .expect("pab");

    // Collect, counting requests: at most 1 + 7 per bucket (moto has no BucketRegion).
    let before = b.requests_sent();
    let s3 = s3_part(&b).await;
    let sent = b.requests_sent() - before;
    let n = s3.buckets.len() as u64;
    assert!(n >= 3, "{n} buckets");
    assert!(sent <= 1 + 7 * n, "{sent} requests for {n} buckets");
    eprintln!("S3 part: {sent} requests for {n} buckets");

    let w = bucket(&s3, &web);
    assert_eq!(w.region, "us-east-1");
    assert_eq!(
        w.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: false,
            block_public_policy: true,
            restrict_public_buckets: false,
        }))
    );
    assert_eq!(w.policy, Fetched::Ready(Some(policy.clone())));
    let acl = w.acl.ready().expect("acl read").clone();
    assert!(!acl.owner_id.is_empty());
    assert!(
        acl.grants.iter().any(|g| g.grantee
            == Grantee::Group {
                uri: ALL_USERS.to_string()
            }
            && g.permission == "READ"),
        "{acl:?}"
    );
    assert!(
        acl.grants.iter().any(
            |g| matches!(&g.grantee, Grantee::CanonicalUser { id, .. } if *id == acl.owner_id)
                && g.permission == "FULL_CONTROL"
        ),
        "{acl:?}"
    );
    assert_eq!(
        w.encryption,
        Fetched::Ready(Some(Encryption {
            algorithm: "aws:kms".into(),
            kms_key: Some(kms.into()),
            bucket_key: Some(true),
        }))
    );
    assert_eq!(
        w.logging,
        Fetched::Ready(Some(Logging {
            target_bucket: logs.clone(),
            target_prefix: "web/".into(),
        }))
    );
    // Not a log bucket: its versioning is not read with the others.
    assert_eq!(w.versioning, None);
    assert_eq!(
        versioning(&b, &web, "us-east-1").await,
        Some(Fetched::Ready(Versioning {
            status: Some(VersioningStatus::Enabled),
            mfa_delete: false,
        }))
    );
    // The target of web's access logs: read with the others.
    assert_eq!(
        bucket(&s3, &logs).versioning,
        Some(Fetched::Ready(Versioning::default()))
    );

    let e = bucket(&s3, &eu);
    assert_eq!(e.region, "eu-west-1");
    assert_eq!(e.public_access_block, Fetched::Ready(None));
    assert_eq!(e.policy, Fetched::Ready(None));
    assert_eq!(e.logging, Fetched::Ready(None));
    assert_eq!(e.versioning, None);
    assert_eq!(
        versioning(&b, &eu, "eu-west-1").await,
        Some(Fetched::Ready(Versioning::default()))
    );
    let eu_acl = e.acl.ready().expect("eu acl").clone();
    assert_eq!(eu_acl.public_grants().count(), 0, "{eu_acl:?}");
    assert!(e.encryption.ready().is_some(), "{:?}", e.encryption);

    // A bucket that does not exist is dropped, not an error.
    assert_eq!(
        b.read_bucket(format!("moat-gone-{t}"), Some("us-east-1".into()))
            .await,
        None
    );
    assert_eq!(b.read_bucket(format!("moat-gone-{t}"), None).await, None);

    // Ops on the us-east-1 bucket.
    let region = "us-east-1".to_string();
    apply(
        &b,
        Op::PutBucketPublicAccessBlock(crate::aws::ops::PutBucketPublicAccessBlock {
            bucket: web.clone(),
            region: region.clone(),
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    let narrowed = json!({"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [format!("arn:aws:s3:::{web}"), format!("arn:aws:s3:::{web}/*")], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    apply(
        &b,
        Op::PutBucketPolicy(crate::aws::ops::PutBucketPolicy {
            bucket: web.clone(),
            region: region.clone(),
            policy: narrowed.clone(),
        }),
    )
    .await;
    let private = Acl {
        owner_id: acl.owner_id.clone(),
        owner_display_name: acl.owner_display_name.clone(),
        grants: vec![Grant {
            grantee: Grantee::CanonicalUser {
                id: acl.owner_id.clone(),
                display_name: None,
            },
            permission: "FULL_CONTROL".into(),
        }],
    };
    apply(
        &b,
        Op::PutBucketAcl(crate::aws::ops::PutBucketAcl {
            bucket: web.clone(),
            region: region.clone(),
            acl: private.clone(),
        }),
    )
    .await;
    let aes = Encryption {
        algorithm: "AES256".into(),
        kms_key: None,
        bucket_key: None,
    };
    apply(
        &b,
        Op::PutBucketEncryption(crate::aws::ops::PutBucketEncryption {
            bucket: web.clone(),
            region: region.clone(),
            encryption: aes.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: web.clone(),
            region: region.clone(),
            status: VersioningStatus::Suspended,
            mfa_delete: None,
            mfa: None,
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let w = bucket(&s3, &web);
    assert_eq!(
        w.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock::ALL))
    );
    assert_eq!(w.policy, Fetched::Ready(Some(narrowed)));
    let read = w.acl.ready().expect("acl");
    assert_eq!(read.public_grants().count(), 0, "{read:?}");
    assert_eq!(read.grants.len(), 1, "{read:?}");
    assert_eq!(read.grants[0].permission, "FULL_CONTROL");
    let aes_read = w.encryption.ready().cloned().flatten().expect("encryption");
    assert_eq!(aes_read.algorithm, "AES256");
    assert_eq!(aes_read.kms_key, None);
    assert_eq!(
        versioning(&b, &web, &region)
            .await
            .and_then(|v| v.ready().and_then(|v| v.status)),
        Some(VersioningStatus::Suspended)
    );

    // MFA Delete: the header is sent (moto ignores it); without a token nothing is sent.
    let mutations = b.mutations_sent();
    let err = b
        .apply(&Op::PutBucketVersioning(
            crate::aws::ops::PutBucketVersioning {
                bucket: web.clone(),
                region: region.clone(),
                status: VersioningStatus::Enabled,
                mfa_delete: Some(true),
                mfa: None,
            },
        ))
        .await
        .expect_err("MFA Delete needs a token");
    assert_eq!(err.action, "s3:PutBucketVersioning");
    assert!(err.message.contains("serial"), "{}", err.message);
    assert_eq!(b.mutations_sent(), mutations);
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: web.clone(),
            region: region.clone(),
            status: VersioningStatus::Enabled,
            mfa_delete: Some(true),
            mfa: Some(MfaToken {
                serial: "arn:aws:iam::123456789012:mfa/root-account-mfa-device".into(),
                code: "123456".into(),
            }),
        }),
    )
    .await;
    assert_eq!(
        versioning(&b, &web, &region)
            .await
            .and_then(|v| v.ready().and_then(|v| v.status)),
        Some(VersioningStatus::Enabled)
    );

    // Deletes.
    apply(
        &b,
        Op::DeleteBucketPublicAccessBlock(crate::aws::ops::DeleteBucketPublicAccessBlock {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::DeleteBucketPolicy(crate::aws::ops::DeleteBucketPolicy {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    apply(
        &b,
        Op::DeleteBucketEncryption(crate::aws::ops::DeleteBucketEncryption {
            bucket: web.clone(),
            region: region.clone(),
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let w = bucket(&s3, &web);
    assert_eq!(w.public_access_block, Fetched::Ready(None));
    assert_eq!(w.policy, Fetched::Ready(None));
    assert_ne!(
        w.encryption,
        Fetched::Ready(Some(aes)),
        "{:?}",
        w.encryption
    );

    // The eu-west-1 bucket through its own region's client.
    let eu_region = "eu-west-1".to_string();
    apply(
        &b,
        Op::PutBucketPublicAccessBlock(crate::aws::ops::PutBucketPublicAccessBlock {
            bucket: eu.clone(),
            region: eu_region.clone(),
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    apply(
        &b,
        Op::PutBucketVersioning(crate::aws::ops::PutBucketVersioning {
            bucket: eu.clone(),
            region: eu_region.clone(),
            status: VersioningStatus::Enabled,
            mfa_delete: None,
            mfa: None,
        }),
    )
    .await;
    let kms_eu = Encryption {
        algorithm: "aws:kms".into(),
        kms_key: Some("alias/moat".into()),
        bucket_key: Some(true),
    };
    apply(
        &b,
        Op::PutBucketEncryption(crate::aws::ops::PutBucketEncryption {
            bucket: eu.clone(),
            region: eu_region.clone(),
            encryption: kms_eu.clone(),
        }),
    )
    .await;
    let s3 = s3_part(&b).await;
    let e = bucket(&s3, &eu);
    assert_eq!(
        e.public_access_block,
        Fetched::Ready(Some(PublicAccessBlock::ALL))
    );
    assert!(
        versioning(&b, &eu, &eu_region)
            .await
            .is_some_and(|v| v.ready().is_some_and(|v| v.enabled()))
    );
    assert_eq!(e.encryption, Fetched::Ready(Some(kms_eu)));

    // A refused op keeps the service code.
    let err = b
        .apply(&Op::DeleteBucketPolicy(
            crate::aws::ops::DeleteBucketPolicy {
                bucket: format!("moat-gone-{t}"),
                region: region.clone(),
            },
        ))
        .await
        .expect_err("no such bucket");
    assert_eq!(err.action, "s3:DeleteBucketPolicy");
    assert_eq!(err.code.as_deref(), Some("NoSuchBucket"));

    delete_bucket(&b, &web, "us-east-1").await;
    delete_bucket(&b, &eu, "eu-west-1").await;
    // moto delivers access logs: empty the log bucket first.
    let listed = c
        .list_objects_v2()
        .bucket(&logs)
        .send()
        .await
        .expect("list logs");
    for o in listed.contents() {
        if let Some(key) = o.key() {
            c.delete_object()
                .bucket(&logs)
                .key(key)
                .send()
                .await
                .expect("delete log object");
        }
    }
    delete_bucket(&b, &logs, "us-east-1").await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn s3_account_public_access_block() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    apply(
        &b,
        Op::DeleteAccountPublicAccessBlock(crate::aws::ops::DeleteAccountPublicAccessBlock),
    )
    .await;
    assert_eq!(account_pab(&b).await, None);
    let partial = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        ..PublicAccessBlock::default()
    };
    apply(
        &b,
        Op::PutAccountPublicAccessBlock(crate::aws::ops::PutAccountPublicAccessBlock {
            config: partial,
        }),
    )
    .await;
    assert_eq!(account_pab(&b).await, Some(partial));
    apply(
        &b,
        Op::PutAccountPublicAccessBlock(crate::aws::ops::PutAccountPublicAccessBlock {
            config: PublicAccessBlock::ALL,
        }),
    )
    .await;
    assert_eq!(account_pab(&b).await, Some(PublicAccessBlock::ALL));
    apply(
        &b,
        Op::DeleteAccountPublicAccessBlock(crate::aws::ops::DeleteAccountPublicAccessBlock),
    )
    .await;
    assert_eq!(account_pab(&b).await, None);
}

/// ListBuckets is paginated (`max-buckets`), so S3 names each bucket's
/// region and no bucket is lost past a page: with pages of two, every
/// bucket still arrives once, with its region (the launcher answers
/// ListBuckets as AWS documents it).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a moto_server: set MOAT_MOTO_ENDPOINT"]
async fn list_buckets_pages_and_names_regions() {
    let Some(endpoint) = endpoint() else { return };
    let b = connect(&endpoint).await;
    let t = tag();
    let names: Vec<(String, &str)> = vec![
        (format!("moat-page-a-{t}"), "us-east-1"),
        (format!("moat-page-b-{t}"), "eu-west-1"),
        (format!("moat-page-c-{t}"), "us-east-1"),
        (format!("moat-page-d-{t}"), "eu-west-1"),
        (format!("moat-page-e-{t}"), "us-east-1"),
    ];
    for (n, r) in &names {
        create_bucket(&b, n, r).await;
    }
    let (small, _) = b.list_buckets_paged(2).await.expect("paged list");
    let (large, owner) = b.list_buckets_paged(10_000).await.expect("one page");
    assert!(owner.is_some());
    let mut sorted = small.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        small.len(),
        "a bucket listed twice: {small:?}"
    );
    assert_eq!(small, large);
    for (n, r) in &names {
        let found = small.iter().find(|(name, _)| name == n);
        assert_eq!(
            found.and_then(|(_, region)| region.as_deref()),
            Some(*r),
            "{n} in {small:?}"
        );
    }
    for (n, r) in &names {
        delete_bucket(&b, n, r).await;
    }
}
