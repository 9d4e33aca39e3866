//! S3 collectors (buckets, account public access block) and S3 ops.
//!
//! Each bucket is read through a client of its own region (the SDK does not
//! follow `PermanentRedirect`), with at most six requests: public access block,
//! policy, ACL, default encryption, access logging and versioning (plus
//! GetBucketLocation when ListBuckets did not say where the bucket lives).
//! Buckets are read concurrently; the backend's semaphore bounds requests in flight.

use super::AwsBackend;
use super::error::CallError;
use super::global_signing_region;
use crate::inventory::{
    Acl, Bucket, Encryption, Fetched, Grant, Grantee, Logging, PublicAccessBlock, S3, Versioning,
    VersioningStatus,
};
use crate::plan::{MfaToken, Op};
use aws_sdk_s3::config::{Region, RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::types::{
    AccessControlPolicy, BucketLocationConstraint, BucketVersioningStatus, MfaDelete,
    MfaDeleteStatus, Owner, Permission, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Type, VersioningConfiguration,
};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use futures::future::{BoxFuture, join_all};
use serde_json::Value;
use std::net::IpAddr;
use tracing::Dispatch;
use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;

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
    /// The S3 client for `region`, built on first use (the retry partition
    /// of S3 in that region; the backend's timeouts).
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut clients = self
            .s3_clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        clients
            .entry(region.to_string())
            .or_insert_with(|| {
                let mut config = aws_sdk_s3::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string()))
                    .retry_partition(self.retry_partition_for("s3", region));
                if self.endpoint.is_some() {
                    // Emulators: path-style addressing, checksums only where required.
                    config = config
                        .force_path_style(true)
                        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                        .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
                }
                aws_sdk_s3::Client::from_conf(config.build())
            })
            .clone()
    }

    /// The client for account-wide S3 calls (ListBuckets, GetBucketLocation).
    fn s3_global(&self) -> aws_sdk_s3::Client {
        self.s3(global_signing_region(&self.region))
    }

    pub(super) async fn collect_s3(&self) -> Result<S3, CallError> {
        let (listed, owner_id) = self.list_buckets().await?;
        let read = join_all(
            listed
                .into_iter()
                .map(|(name, region)| self.read_bucket(name, region)),
        )
        .await;
        let mut buckets: Vec<Bucket> = read.into_iter().flatten().collect();
        buckets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(S3 { buckets, owner_id })
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
    pub(super) async fn list_buckets_paged(
        &self,
        page: i32,
    ) -> Result<(Vec<(String, Option<String>)>, Option<String>), CallError> {
        let client = self.s3_global();
        let mut out = Vec::new();
        let mut owner: Option<String> = None;
        let mut token: Option<String> = None;
        loop {
            let request = client
                .list_buckets()
                .max_buckets(page)
                .set_continuation_token(token.clone());
            let page = self.send(LIST_BUCKETS, request.send()).await?;
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
            match page.continuation_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
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

    /// One bucket's settings; `None` when the bucket no longer exists.
    pub(super) async fn read_bucket(&self, name: String, region: Option<String>) -> Option<Bucket> {
        let region = match region {
            Some(r) => r,
            None => match self.bucket_location(&name).await {
                Ok(r) => r,
                Err(e) if e.is_code(NO_SUCH_BUCKET) => return None,
                Err(e) => {
                    // Without its region no setting can be read reliably: report
                    // the location failure on each of them.
                    let region = global_signing_region(&self.region).to_string();
                    return Some(Bucket {
                        public_access_block: Fetched::Error(e.clone()),
                        policy: Fetched::Error(e.clone()),
                        acl: Fetched::Error(e.clone()),
                        encryption: Fetched::Error(e.clone()),
                        logging: Fetched::Error(e.clone()),
                        versioning: Fetched::Error(e),
                        ..Bucket::new(&name, &region)
                    });
                }
            },
        };
        let c = self.s3(&region);
        let n = name.as_str();
        let (pab, policy, acl, encryption, logging, versioning) = futures::join!(
            self.send(GET_PAB, c.get_public_access_block().bucket(n).send()),
            self.send(GET_POLICY, c.get_bucket_policy().bucket(n).send()),
            self.send(GET_ACL, c.get_bucket_acl().bucket(n).send()),
            self.send(GET_ENCRYPTION, c.get_bucket_encryption().bucket(n).send()),
            self.send(GET_LOGGING, c.get_bucket_logging().bucket(n).send()),
            self.send(GET_VERSIONING, c.get_bucket_versioning().bucket(n).send()),
        );
        if is_gone(&pab)
            || is_gone(&policy)
            || is_gone(&acl)
            || is_gone(&encryption)
            || is_gone(&logging)
            || is_gone(&versioning)
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
        let versioning = versioning.map(|out| Versioning {
            status: match out.status() {
                Some(BucketVersioningStatus::Enabled) => Some(VersioningStatus::Enabled),
                Some(BucketVersioningStatus::Suspended) => Some(VersioningStatus::Suspended),
                _ => None,
            },
            mfa_delete: matches!(out.mfa_delete(), Some(MfaDeleteStatus::Enabled)),
        });
        Some(Bucket {
            name,
            region,
            public_access_block: public_access_block.into(),
            policy: policy.into(),
            acl: acl.into(),
            encryption: encryption.into(),
            logging: logging.into(),
            versioning: versioning.into(),
        })
    }

    pub(super) async fn collect_account_pab(&self) -> Result<Option<PublicAccessBlock>, CallError> {
        let request = self
            .s3control
            .get_public_access_block()
            .account_id(&self.identity.account);
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

    /// One S3 op. Each arm is its own boxed future: the SDK's futures are
    /// large in debug builds, and one state machine holding every arm's would
    /// make each poll's stack frame the sum of them all.
    pub(super) fn apply_s3<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<(), CallError>> {
        let action = op.action();
        match op {
            Op::PutAccountPublicAccessBlock { config } => Box::pin(async move {
                let c = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(config.block_public_acls)
                    .ignore_public_acls(config.ignore_public_acls)
                    .block_public_policy(config.block_public_policy)
                    .restrict_public_buckets(config.restrict_public_buckets)
                    .build();
                let request = self
                    .s3control
                    .put_public_access_block()
                    .account_id(&self.identity.account)
                    .public_access_block_configuration(c);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::DeleteAccountPublicAccessBlock => Box::pin(async move {
                let request = self
                    .s3control
                    .delete_public_access_block()
                    .account_id(&self.identity.account);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::PutBucketPublicAccessBlock {
                bucket,
                region,
                config,
            } => Box::pin(async move {
                let c = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(config.block_public_acls)
                    .ignore_public_acls(config.ignore_public_acls)
                    .block_public_policy(config.block_public_policy)
                    .restrict_public_buckets(config.restrict_public_buckets)
                    .build();
                let request = self
                    .s3(region)
                    .put_public_access_block()
                    .bucket(bucket)
                    .public_access_block_configuration(c);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::DeleteBucketPublicAccessBlock { bucket, region } => Box::pin(async move {
                let request = self.s3(region).delete_public_access_block().bucket(bucket);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::PutBucketPolicy {
                bucket,
                region,
                policy,
            } => Box::pin(async move {
                let document = serde_json::to_string(policy).map_err(|e| {
                    CallError::new(
                        action,
                        None,
                        format!("the bucket policy could not be serialized: {e}"),
                    )
                })?;
                let request = self
                    .s3(region)
                    .put_bucket_policy()
                    .bucket(bucket)
                    .policy(document);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::DeleteBucketPolicy { bucket, region } => Box::pin(async move {
                let request = self.s3(region).delete_bucket_policy().bucket(bucket);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::PutBucketAcl {
                bucket,
                region,
                acl,
            } => Box::pin(async move {
                let policy = access_control_policy(acl)
                    .map_err(|m| CallError::new(action, None, format!("bad ACL: {m}")))?;
                let request = self
                    .s3(region)
                    .put_bucket_acl()
                    .bucket(bucket)
                    .access_control_policy(policy);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::PutBucketEncryption {
                bucket,
                region,
                encryption,
            } => Box::pin(async move {
                let config = encryption_configuration(encryption).map_err(|m| {
                    CallError::new(action, None, format!("bad encryption setting: {m}"))
                })?;
                let request = self
                    .s3(region)
                    .put_bucket_encryption()
                    .bucket(bucket)
                    .server_side_encryption_configuration(config);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::DeleteBucketEncryption { bucket, region } => Box::pin(async move {
                let request = self.s3(region).delete_bucket_encryption().bucket(bucket);
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::PutBucketVersioning {
                bucket,
                region,
                status,
                mfa_delete,
                mfa,
            } => Box::pin(async move {
                let header = mfa_header(action, *mfa_delete, mfa.as_ref())?;
                let config = VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::from(status.as_str()))
                    .set_mfa_delete(mfa_delete.map(|on| {
                        if on {
                            MfaDelete::Enabled
                        } else {
                            MfaDelete::Disabled
                        }
                    }))
                    .build();
                // The SDK's own trace events (the request, the canonical request
                // it signs) would show the x-amz-mfa header: a request carrying
                // one is sent with no subscriber listening.
                let dispatch = if header.is_some() {
                    Dispatch::new(NoSubscriber::default())
                } else {
                    tracing::dispatcher::get_default(Dispatch::clone)
                };
                let request = self
                    .s3(region)
                    .put_bucket_versioning()
                    .bucket(bucket)
                    .versioning_configuration(config)
                    .set_mfa(header);
                self.send_write(action, request.send().with_subscriber(dispatch))
                    .await?;
                Ok(())
            }),
            Op::CreateBucket { bucket, region } => Box::pin(async move {
                let mut request = self
                    .s3(region)
                    .create_bucket()
                    .bucket(bucket)
                    .object_ownership(aws_sdk_s3::types::ObjectOwnership::BucketOwnerEnforced);
                // us-east-1 is the one region that takes no location constraint.
                if region != "us-east-1" {
                    request = request.create_bucket_configuration(
                        aws_sdk_s3::types::CreateBucketConfiguration::builder()
                            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                                region.as_str(),
                            ))
                            .build(),
                    );
                }
                self.send_write(action, request.send()).await?;
                Ok(())
            }),
            Op::DeleteBucket { bucket, region } => Box::pin(async move {
                let request = self.s3(region).delete_bucket().bucket(bucket);
                match self.send_write(action, request.send()).await {
                    // A log bucket moat created has since received logs:
                    // they are kept, and so is the bucket.
                    Err(mut e) if e.code.as_deref() == Some("BucketNotEmpty") => {
                        e.message = crate::guide::msg("plan", "bucket_kept", &[("bucket", bucket)]);
                        Err(e)
                    }
                    r => r.map(|_| ()),
                }
            }),
            _ => Box::pin(async move {
                Err(CallError::new(
                    action,
                    None,
                    "not an S3 operation (internal routing error)",
                ))
            }),
        }
    }
}

/// The `x-amz-mfa` header for PutBucketVersioning: required when MFA Delete
/// changes. The token itself is never put in an error or a log line.
fn mfa_header(
    action: &str,
    mfa_delete: Option<bool>,
    mfa: Option<&MfaToken>,
) -> Result<Option<String>, CallError> {
    match (mfa_delete, mfa) {
        (Some(_), None) => Err(CallError::new(
            action,
            None,
            "changing MFA Delete needs the root user's MFA device serial number and its current code",
        )),
        (Some(_), Some(t)) if t.serial.trim().is_empty() || t.code.trim().is_empty() => {
            Err(CallError::new(
                action,
                None,
                "changing MFA Delete needs both the MFA device serial number and its current code",
            ))
        }
        (_, Some(t)) => Ok(Some(t.header())),
        (None, None) => Ok(None),
    }
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

/// The ACL as PutBucketAcl's AccessControlPolicy.
fn access_control_policy(acl: &Acl) -> Result<AccessControlPolicy, String> {
    let mut grants = Vec::with_capacity(acl.grants.len());
    for g in &acl.grants {
        let grantee = match &g.grantee {
            Grantee::CanonicalUser { id, display_name } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::CanonicalUser)
                .id(id)
                .set_display_name(display_name.clone()),
            Grantee::Group { uri } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::Group)
                .uri(uri),
            Grantee::Email { address } => aws_sdk_s3::types::Grantee::builder()
                .r#type(Type::AmazonCustomerByEmail)
                .email_address(address),
        }
        .build()
        .map_err(|e| e.to_string())?;
        grants.push(
            aws_sdk_s3::types::Grant::builder()
                .grantee(grantee)
                .permission(Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    let owner = Owner::builder()
        .id(&acl.owner_id)
        .set_display_name(acl.owner_display_name.clone())
        .build();
    Ok(AccessControlPolicy::builder()
        .owner(owner)
        .set_grants(Some(grants))
        .build())
}

fn encryption_configuration(e: &Encryption) -> Result<ServerSideEncryptionConfiguration, String> {
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(e.algorithm.as_str()))
        .set_kms_master_key_id(e.kms_key.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(default)
        .set_bucket_key_enabled(e.bucket_key)
        .build();
    ServerSideEncryptionConfiguration::builder()
        .rules(rule)
        .build()
        .map_err(|e| e.to_string())
}

/// For `--endpoint-url` only: an HTTP client that connects every host name to
/// the endpoint's address. S3 Control prefixes `{AccountId}.` to the endpoint
/// host, a name that does not resolve; an emulator routes on the path.
pub(super) fn endpoint_http_client(endpoint: &str) -> SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let resolver = EndpointHostResolver {
        host: endpoint_host(endpoint),
    };
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .build_with_resolver(resolver)
}

/// Resolves any name to the addresses of one host.
#[derive(Debug, Clone)]
struct EndpointHostResolver {
    host: String,
}

impl ResolveDns for EndpointHostResolver {
    fn resolve_dns<'a>(&'a self, _name: &'a str) -> DnsFuture<'a> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return DnsFuture::ready(Ok(vec![ip]));
        }
        DnsFuture::new(async move {
            let addrs = tokio::net::lookup_host((self.host.as_str(), 0))
                .await
                .map_err(ResolveDnsError::new)?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// The host of a URL: `http://user@[::1]:4566/x` → `::1`, `http://moto:5000` → `moto`.
fn endpoint_host(url: &str) -> String {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default().to_string();
    }
    authority.split(':').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_hosts() {
        assert_eq!(endpoint_host("http://127.0.0.1:5000"), "127.0.0.1");
        assert_eq!(endpoint_host("http://localhost:4566/"), "localhost");
        assert_eq!(endpoint_host("https://user:pw@moto.test/path"), "moto.test");
        assert_eq!(endpoint_host("http://[::1]:5000"), "::1");
        assert_eq!(endpoint_host("127.0.0.1:9"), "127.0.0.1");
    }

    #[tokio::test]
    async fn resolver_maps_every_name_to_the_endpoint() {
        let r = EndpointHostResolver {
            host: "127.0.0.1".into(),
        };
        let ips = r
            .resolve_dns("123456789012.127.0.0.1")
            .await
            .expect("an IP endpoint always resolves");
        assert_eq!(ips, vec!["127.0.0.1".parse::<IpAddr>().expect("ip")]);
    }

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

    #[test]
    fn mfa_delete_needs_a_token() {
        let e = mfa_header("s3:PutBucketVersioning", Some(true), None).expect_err("no token given");
        assert!(e.message.contains("serial"), "{}", e.message);
        let token = MfaToken {
            serial: "arn:aws:iam::123456789012:mfa/root".into(),
            code: "123456".into(),
        };
        assert_eq!(
            mfa_header("s3:PutBucketVersioning", Some(true), Some(&token)),
            Ok(Some(
                "arn:aws:iam::123456789012:mfa/root 123456".to_string()
            ))
        );
        let blank = MfaToken {
            serial: "SERIAL-42".into(),
            code: " ".into(),
        };
        let e = mfa_header("s3:PutBucketVersioning", Some(false), Some(&blank))
            .expect_err("blank code");
        assert!(!e.to_string().contains("SERIAL-42"), "{e}");
        assert_eq!(mfa_header("s3:PutBucketVersioning", None, None), Ok(None));
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
                        uri: crate::inventory::ALL_USERS.into(),
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
