//! S3's reads: the buckets with their settings, and the account's public
//! access block (S3 Control).
//!
//! Each bucket is read through a client of its own region (the SDK does not
//! follow `PermanentRedirect`). ListBuckets is sent paginated, the form S3
//! answers with each bucket's region, so no GetBucketLocation is needed
//! (it is sent only for a bucket listed without one). Every bucket then
//! costs five requests: public access block, policy, ACL, default
//! encryption and access logging. Versioning (with MFA Delete) is read only
//! for the buckets an item judges it on, once the logging configurations
//! say which they are: the targets of the account's access logs, the
//! buckets of the trails DescribeTrails lists, and the buckets the user
//! declared irreplaceable: a sixth request for those. When that set cannot
//! be known (a bucket's logging or the trails could not be read), every
//! bucket's versioning is read. Elsewhere versioning is "not read"
//! (`Bucket::versioning` is `None`), never "off".
//! Buckets are read concurrently; the backend's semaphore bounds requests in flight.

use crate::aws::client::{AwsBackend, CallError, global_signing_region};
use crate::aws::inventory::{
    Acl, Bucket, Encryption, Fetched, Grant, Grantee, Logging, PublicAccessBlock, S3, Versioning,
    VersioningStatus,
};
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, MfaDeleteStatus, Owner,
    ServerSideEncryptionRule, Type,
};
use serde_json::Value;
use std::collections::BTreeSet;

const LIST_BUCKETS: &str = "s3:ListAllMyBuckets";
/// The largest page ListBuckets serves (`max-buckets` is 1 to 10,000).
const LIST_BUCKETS_PAGE: i32 = 10_000;
const GET_LOCATION: &str = "s3:GetBucketLocation";
const GET_PAB: &str = "s3:GetBucketPublicAccessBlock";
const GET_POLICY: &str = "s3:GetBucketPolicy";
const GET_ACL: &str = "s3:GetBucketAcl";
const GET_ENCRYPTION: &str = "s3:GetEncryptionConfiguration";
const GET_LOGGING: &str = "s3:GetBucketLogging";
const GET_VERSIONING: &str = "s3:GetBucketVersioning";
const GET_ACCOUNT_PAB: &str = "s3:GetAccountPublicAccessBlock";

/// The bucket is gone (deleted between ListBuckets and the read).
const NO_SUCH_BUCKET: &str = "NoSuchBucket";
/// Error codes that mean "this setting is not set", not a failure.
const NO_PAB: &str = "NoSuchPublicAccessBlockConfiguration";
const NO_POLICY: &str = "NoSuchBucketPolicy";
const NO_ENCRYPTION: &str = "ServerSideEncryptionConfigurationNotFoundError";

/// `Ok(None)` when the call failed with `absent` (the setting is not set).
fn absent_as_none<T>(r: Result<T, CallError>, absent: &str) -> Result<Option<T>, CallError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_code(absent) => Ok(None),
        Err(e) => Err(e),
    }
}

fn is_gone<T>(r: &Result<T, CallError>) -> bool {
    matches!(r, Err(e) if e.is_code(NO_SUCH_BUCKET))
}

impl AwsBackend {
    /// The client for account-wide S3 calls (ListBuckets, GetBucketLocation).
    fn s3_global(&self) -> aws_sdk_s3::Client {
        self.s3(global_signing_region(self.region()))
    }

    pub(crate) async fn collect_s3(&self) -> Result<S3, CallError> {
        let settings = async {
            let (listed, owner_id) = self.list_buckets().await?;
            let read = self
                .join_bounded(
                    listed
                        .into_iter()
                        .map(|(name, region)| self.read_bucket_settings(name, region)),
                )
                .await;
            Ok::<_, CallError>((read, owner_id))
        };
        // The trails are asked for at once, while the other parts of a scan
        // read them, so that S3 shares their read (see `describe_trails`).
        let (settings, trail_buckets) = futures::join!(settings, self.trail_bucket_names());
        let (read, owner_id) = settings?;
        let mut buckets: Vec<Bucket> = read.into_iter().flatten().collect();
        let judged = versioning_judged(&buckets, trail_buckets.ok(), self.irreplaceable_buckets());
        let versioning = self
            .join_bounded(buckets.iter().map(|b| async {
                match &judged {
                    // Already known (the location failure).
                    _ if b.versioning.is_some() => None,
                    Some(names) if !names.contains(b.name.as_str()) => None,
                    _ => Some(self.bucket_versioning(&b.name, &b.region).await),
                }
            }))
            .await;
        let mut kept = Vec::with_capacity(buckets.len());
        for (mut b, v) in buckets.drain(..).zip(versioning) {
            match v {
                // Deleted since it was listed.
                Some(r) if is_gone(&r) => continue,
                Some(r) => b.versioning = Some(r.into()),
                None => {}
            }
            kept.push(b);
        }
        kept.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(S3 {
            buckets: kept,
            owner_id,
        })
    }

    /// The buckets the trails DescribeTrails lists deliver to.
    async fn trail_bucket_names(&self) -> Result<Vec<String>, CallError> {
        let out = self.describe_trails().await?;
        Ok(out
            .iter()
            .filter_map(|t| t.s3_bucket_name())
            .filter(|b| !b.trim().is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Every bucket's name, with its region when ListBuckets gives it, and
    /// the owner's canonical id.
    async fn list_buckets(
        &self,
    ) -> Result<(Vec<(String, Option<String>)>, Option<String>), CallError> {
        self.list_buckets_paged(LIST_BUCKETS_PAGE).await
    }

    /// ListBuckets, paged by `page` buckets. A paginated request (one with
    /// `max-buckets`) is what S3 answers with each bucket's `BucketRegion`
    /// (an unpaginated one has none, which would cost a GetBucketLocation
    /// per bucket), and the only kind S3 accepts from accounts whose bucket
    /// quota is above 10,000.
    pub(crate) async fn list_buckets_paged(
        &self,
        page: i32,
    ) -> Result<(Vec<(String, Option<String>)>, Option<String>), CallError> {
        let client = self.s3_global();
        let mut out = Vec::new();
        let mut owner: Option<String> = None;
        let request = client.list_buckets().max_buckets(page);
        let pages = request.into_paginator().send().try_collect();
        for page in self.send(LIST_BUCKETS, pages).await? {
            if owner.is_none() {
                owner = page
                    .owner()
                    .and_then(|o| o.id())
                    .filter(|id| !id.is_empty())
                    .map(str::to_string);
            }
            for b in page.buckets() {
                if let Some(name) = b.name().filter(|n| !n.is_empty()) {
                    let region = b
                        .bucket_region()
                        .filter(|r| !r.is_empty())
                        .map(str::to_string);
                    out.push((name.to_string(), region));
                }
            }
        }
        Ok((out, owner))
    }

    /// GetBucketLocation as a region name (`None`/empty → us-east-1, `EU` → eu-west-1).
    async fn bucket_location(&self, name: &str) -> Result<String, CallError> {
        let client = self.s3_global();
        let out = self
            .send(
                GET_LOCATION,
                client.get_bucket_location().bucket(name).send(),
            )
            .await?;
        Ok(location_region(out.location_constraint()))
    }

    /// One bucket's settings, versioning included; `None` when the bucket
    /// no longer exists.
    pub(crate) async fn read_bucket(&self, name: String, region: Option<String>) -> Option<Bucket> {
        let mut b = self.read_bucket_settings(name, region).await?;
        if b.versioning.is_none() {
            let v = self.bucket_versioning(&b.name, &b.region).await;
            if is_gone(&v) {
                return None;
            }
            b.versioning = Some(v.into());
        }
        Some(b)
    }

    /// One GetBucketVersioning in the bucket's region, for a bucket whose
    /// versioning the S3 scan did not read.
    pub(crate) async fn reread_bucket_versioning(
        &self,
        bucket: &str,
        region: &str,
    ) -> Result<Versioning, CallError> {
        self.bucket_versioning(bucket, region).await
    }

    /// GetBucketVersioning in the bucket's region.
    async fn bucket_versioning(&self, name: &str, region: &str) -> Result<Versioning, CallError> {
        let c = self.s3(region);
        let out = self
            .send(
                GET_VERSIONING,
                c.get_bucket_versioning().bucket(name).send(),
            )
            .await?;
        Ok(Versioning {
            status: match out.status() {
                Some(BucketVersioningStatus::Enabled) => Some(VersioningStatus::Enabled),
                Some(BucketVersioningStatus::Suspended) => Some(VersioningStatus::Suspended),
                _ => None,
            },
            mfa_delete: matches!(out.mfa_delete(), Some(MfaDeleteStatus::Enabled)),
        })
    }

    /// One bucket's settings but versioning (`None`: not read); `None` when
    /// the bucket no longer exists.
    async fn read_bucket_settings(&self, name: String, region: Option<String>) -> Option<Bucket> {
        let region = match region {
            Some(r) => r,
            None => match self.bucket_location(&name).await {
                Ok(r) => r,
                Err(e) if e.is_code(NO_SUCH_BUCKET) => return None,
                Err(e) => {
                    // Without its region no setting can be read reliably: report
                    // the location failure on each of them.
                    let region = global_signing_region(self.region()).to_string();
                    return Some(Bucket {
                        public_access_block: Fetched::Error(e.clone()),
                        policy: Fetched::Error(e.clone()),
                        acl: Fetched::Error(e.clone()),
                        encryption: Fetched::Error(e.clone()),
                        logging: Fetched::Error(e.clone()),
                        versioning: Some(Fetched::Error(e)),
                        ..Bucket::new(&name, &region)
                    });
                }
            },
        };
        let c = self.s3(&region);
        let n = name.as_str();
        let (pab, policy, acl, encryption, logging) = futures::join!(
            self.send(GET_PAB, c.get_public_access_block().bucket(n).send()),
            self.send(GET_POLICY, c.get_bucket_policy().bucket(n).send()),
            self.send(GET_ACL, c.get_bucket_acl().bucket(n).send()),
            self.send(GET_ENCRYPTION, c.get_bucket_encryption().bucket(n).send()),
            self.send(GET_LOGGING, c.get_bucket_logging().bucket(n).send()),
        );
        if is_gone(&pab)
            || is_gone(&policy)
            || is_gone(&acl)
            || is_gone(&encryption)
            || is_gone(&logging)
        {
            return None;
        }
        let public_access_block = absent_as_none(pab, NO_PAB).map(|o| {
            o.map(|out| {
                out.public_access_block_configuration()
                    .map(pab_flags)
                    .unwrap_or_default()
            })
        });
        let policy = absent_as_none(policy, NO_POLICY).and_then(|o| match o {
            Some(out) => policy_from(out.policy()),
            None => Ok(None),
        });
        let acl = acl.map(|out| acl_from(out.owner(), out.grants()));
        let encryption = absent_as_none(encryption, NO_ENCRYPTION).map(|o| {
            o.and_then(|out| {
                out.server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .and_then(encryption_from)
            })
        });
        let logging = logging.map(|out| {
            out.logging_enabled().map(|l| Logging {
                target_bucket: l.target_bucket().to_string(),
                target_prefix: l.target_prefix().to_string(),
            })
        });
        Some(Bucket {
            name,
            region,
            public_access_block: public_access_block.into(),
            policy: policy.into(),
            acl: acl.into(),
            encryption: encryption.into(),
            logging: logging.into(),
            versioning: None,
        })
    }

    /// One GetBucketPolicy in the bucket's region (`None`: no policy). Without
    /// the region, the bucket is located first.
    pub(crate) async fn reread_bucket_policy(
        &self,
        bucket: &str,
        region: Option<&str>,
    ) -> Result<Option<serde_json::Value>, CallError> {
        const ACTION: &str = "s3:GetBucketPolicy";
        let Some(region) = region else {
            let read = self.read_bucket_settings(bucket.to_string(), None).await;
            return match read {
                Some(b) => match b.policy {
                    Fetched::Ready(p) => Ok(p),
                    Fetched::Error(e) => Err(e),
                },
                None => Err(CallError::new(
                    ACTION,
                    Some("NoSuchBucket".to_string()),
                    format!("the bucket {bucket} does not exist"),
                )),
            };
        };
        let client = self.s3(region);
        let out = match self
            .send(ACTION, client.get_bucket_policy().bucket(bucket).send())
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_code("NoSuchBucketPolicy") => return Ok(None),
            Err(e) => return Err(e),
        };
        match out.policy().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
                CallError::new(
                    ACTION,
                    None,
                    format!("the bucket policy is not valid JSON: {e}"),
                )
            }),
        }
    }

    pub(crate) async fn collect_account_pab(&self) -> Result<Option<PublicAccessBlock>, CallError> {
        let request = self
            .s3control()
            .get_public_access_block()
            .account_id(&self.identity().account);
        let out = absent_as_none(self.send(GET_ACCOUNT_PAB, request.send()).await, NO_PAB)?;
        Ok(out.map(|o| {
            let c = o.public_access_block_configuration();
            PublicAccessBlock {
                block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                restrict_public_buckets: c
                    .and_then(|c| c.restrict_public_buckets())
                    .unwrap_or(false),
            }
        }))
    }
}

/// The buckets whose versioning some item judges: the targets of the
/// buckets' access logs, the trails' buckets (`trails`: `None` when they
/// could not be read) and the irreplaceable ones. `None`: every bucket, as
/// the set cannot be known (the trails or a bucket's logging could not be
/// read: any bucket may be a log bucket).
fn versioning_judged(
    buckets: &[Bucket],
    trails: Option<Vec<String>>,
    irreplaceable: &[String],
) -> Option<BTreeSet<String>> {
    let mut names: BTreeSet<String> = trails?.into_iter().collect();
    for b in buckets {
        match &b.logging {
            Fetched::Error(_) => return None,
            Fetched::Ready(Some(l)) => {
                names.insert(l.target_bucket.clone());
            }
            Fetched::Ready(None) => {}
        }
    }
    names.extend(irreplaceable.iter().cloned());
    Some(names)
}

/// A region name from GetBucketLocation's constraint.
fn location_region(c: Option<&BucketLocationConstraint>) -> String {
    match c.map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    }
}

fn pab_flags(c: &aws_sdk_s3::types::PublicAccessBlockConfiguration) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: c.block_public_acls().unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
        block_public_policy: c.block_public_policy().unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
    }
}

/// The policy document, parsed; an empty answer is no policy.
fn policy_from(raw: Option<&str>) -> Result<Option<Value>, CallError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => serde_json::from_str(text).map(Some).map_err(|e| {
            CallError::new(
                GET_POLICY,
                None,
                format!("the bucket policy is not valid JSON: {e}"),
            )
        }),
    }
}

fn acl_from(owner: Option<&Owner>, grants: &[aws_sdk_s3::types::Grant]) -> Acl {
    Acl {
        owner_id: owner.and_then(|o| o.id()).unwrap_or_default().to_string(),
        owner_display_name: owner
            .and_then(|o| o.display_name())
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        grants: grants
            .iter()
            .filter_map(|g| {
                Some(Grant {
                    grantee: grantee_from(g.grantee()?)?,
                    permission: g.permission()?.as_str().to_string(),
                })
            })
            .collect(),
    }
}

fn grantee_from(g: &aws_sdk_s3::types::Grantee) -> Option<Grantee> {
    let non_empty = |s: Option<&str>| s.filter(|v| !v.is_empty()).map(str::to_string);
    let user = || {
        Some(Grantee::CanonicalUser {
            id: non_empty(g.id())?,
            display_name: non_empty(g.display_name()),
        })
    };
    let group = || non_empty(g.uri()).map(|uri| Grantee::Group { uri });
    let email = || non_empty(g.email_address()).map(|address| Grantee::Email { address });
    match g.r#type() {
        Type::CanonicalUser => user(),
        Type::Group => group(),
        Type::AmazonCustomerByEmail => email(),
        _ => user().or_else(group).or_else(email),
    }
}

fn encryption_from(rule: &ServerSideEncryptionRule) -> Option<Encryption> {
    let d = rule.apply_server_side_encryption_by_default()?;
    Some(Encryption {
        algorithm: d.sse_algorithm().as_str().to_string(),
        kms_key: d
            .kms_master_key_id()
            .filter(|k| !k.is_empty())
            .map(str::to_string),
        bucket_key: rule.bucket_key_enabled(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::s3::sdk::{access_control_policy, encryption_configuration};

    #[test]
    fn locations() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(
            location_region(Some(&BucketLocationConstraint::from(""))),
            "us-east-1"
        );
        assert_eq!(
            location_region(Some(&BucketLocationConstraint::Eu)),
            "eu-west-1"
        );
        assert_eq!(
            location_region(Some(&BucketLocationConstraint::from("ap-south-1"))),
            "ap-south-1"
        );
    }

    fn logging_to(name: &str, target: &str) -> Bucket {
        Bucket {
            logging: Fetched::Ready(Some(Logging {
                target_bucket: target.into(),
                target_prefix: "p/".into(),
            })),
            ..Bucket::new(name, "us-east-1")
        }
    }

    #[test]
    fn versioning_is_judged_on_log_trail_and_irreplaceable_buckets() {
        let buckets = [
            logging_to("site", "logs"),
            // Another account's target is named too; it is simply not listed.
            logging_to("api", "elsewhere-logs"),
            Bucket::new("logs", "us-east-1"),
            Bucket::new("data", "us-east-1"),
            Bucket::new("cloudtrail", "us-east-1"),
            Bucket::new("precious", "eu-west-1"),
        ];
        let judged = versioning_judged(
            &buckets,
            Some(vec!["cloudtrail".into()]),
            &["precious".to_string()],
        )
        .expect("known");
        let names: Vec<&str> = judged.iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["cloudtrail", "elsewhere-logs", "logs", "precious"],
            "not site, api or data"
        );
    }

    #[test]
    fn versioning_is_read_everywhere_when_the_log_buckets_cannot_be_known() {
        let buckets = [logging_to("site", "logs"), Bucket::new("data", "us-east-1")];
        // The trails could not be read: any bucket may be a trail's.
        assert_eq!(versioning_judged(&buckets, None, &[]), None);
        // One bucket's logging could not be read: any bucket may be its target.
        let mut denied = Bucket::new("secret", "us-east-1");
        denied.logging = Fetched::Error(CallError::new(
            GET_LOGGING,
            Some("AccessDenied".into()),
            "denied".to_string(),
        ));
        let buckets = [logging_to("site", "logs"), denied];
        assert_eq!(versioning_judged(&buckets, Some(vec![]), &[]), None);
    }

    #[test]
    fn policy_parsing() {
        assert_eq!(policy_from(None), Ok(None));
        assert_eq!(policy_from(Some("  ")), Ok(None));
        assert_eq!(
            policy_from(Some(r#"{"Version":"2012-10-17"}"#)),
            Ok(Some(serde_json::json!({"Version": "2012-10-17"})))
        );
        let e = policy_from(Some("{not json")).expect_err("invalid");
        assert_eq!(e.action, GET_POLICY);
    }

    #[test]
    fn acl_round_trip() {
        let acl = Acl {
            owner_id: "owner".into(),
            owner_display_name: Some("me".into()),
            grants: vec![
                Grant {
                    grantee: Grantee::CanonicalUser {
                        id: "owner".into(),
                        display_name: None,
                    },
                    permission: "FULL_CONTROL".into(),
                },
                Grant {
                    grantee: Grantee::Group {
                        uri: crate::aws::inventory::ALL_USERS.into(),
                    },
                    permission: "READ".into(),
                },
                Grant {
                    grantee: Grantee::Email {
                        address: "a@example.com".into(),
                    },
                    permission: "WRITE".into(),
                },
            ],
        };
        let policy = access_control_policy(&acl).expect("builds");
        assert_eq!(acl_from(policy.owner(), policy.grants()), acl);
    }

    #[test]
    fn encryption_round_trip() {
        let e = Encryption {
            algorithm: "aws:kms".into(),
            kms_key: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
            bucket_key: Some(true),
        };
        let c = encryption_configuration(&e).expect("builds");
        assert_eq!(c.rules().first().and_then(encryption_from), Some(e));
    }
}
