//! Resources as documents: the text a preview diffs, the value a drift check
//! compares. A document holds only the state moat manages (no timestamps or
//! usage data), so that a re-read matches the prediction when nothing else changed.

use super::resource::by_service;
use super::{
    Bucket, CloudFront, Distribution, Fetched, Grantee, Inventory, PartId, PartStatus,
    PublicAccessBlock, ResourceRef, record_of,
};
use serde_json::{Map, Value, json};

/// A document could not be rendered because a part it needs is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady(pub PartId);

fn need(inv: &Inventory, id: PartId) -> Result<(), NotReady> {
    match inv.status(id) {
        PartStatus::Ready => Ok(()),
        _ => Err(NotReady(id)),
    }
}

impl Inventory {
    /// The resource's document, `None` when it does not exist.
    pub fn document(&self, r: &ResourceRef) -> Result<Option<Value>, NotReady> {
        for p in r.parts() {
            need(self, *p)?;
        }
        let iam = self.iam.ready();
        let global = by_service!(r, s => return s.document(self), global => global);
        Ok(match global {
            ResourceRef::Account => self.account_summary.ready().map(|s| {
                json!({
                    "AccountMFAEnabled": s.account_mfa_enabled,
                    "AccountAccessKeysPresent": s.account_access_keys_present,
                })
            }),
            ResourceRef::RootKey { key_id } => iam
                .and_then(|i| i.root_keys.iter().find(|k| &k.id == key_id))
                .map(|k| json!({"User": "root", "AccessKeyId": k.id, "Status": k.status.as_str()})),
            ResourceRef::AccessKey { user, key_id } => iam
                .and_then(|i| i.user(user))
                .and_then(|u| u.access_keys.iter().find(|k| &k.id == key_id))
                .map(|k| json!({"User": user, "AccessKeyId": k.id, "Status": k.status.as_str()})),
            ResourceRef::User { name } => iam.and_then(|i| i.user(name)).map(|u| {
                let mut groups = u.groups.clone();
                groups.sort();
                let mut attached = u.attached_policies.clone();
                attached.sort();
                let mut inline: Vec<&str> =
                    u.inline_policies.iter().map(|p| p.name.as_str()).collect();
                inline.sort();
                let mut keys: Vec<Value> = u
                    .access_keys
                    .iter()
                    .map(|k| json!({"AccessKeyId": k.id, "Status": k.status.as_str()}))
                    .collect();
                keys.sort_by_key(|k| k["AccessKeyId"].as_str().unwrap_or_default().to_string());
                let mut mfa = u.mfa_devices.clone();
                mfa.sort();
                json!({
                    "UserName": u.name,
                    "Groups": groups,
                    "AttachedPolicies": attached,
                    "InlinePolicies": inline,
                    "AccessKeys": keys,
                    "MFADevices": mfa,
                })
            }),
            ResourceRef::Group { name } => {
                iam.and_then(|i| i.group(name).map(|g| (i, g)))
                    .map(|(i, g)| {
                        let mut attached = g.attached_policies.clone();
                        attached.sort();
                        let mut inline: Vec<&str> =
                            g.inline_policies.iter().map(|p| p.name.as_str()).collect();
                        inline.sort();
                        let mut members: Vec<&str> =
                            i.members(&g.name).map(|u| u.name.as_str()).collect();
                        members.sort();
                        json!({
                            "GroupName": g.name,
                            "AttachedPolicies": attached,
                            "InlinePolicies": inline,
                            "Members": members,
                        })
                    })
            }
            ResourceRef::Role { name } => iam
                .and_then(|i| i.roles.iter().find(|r| r.name == *name))
                .map(|r| {
                    let mut attached = r.attached_policies.clone();
                    attached.sort();
                    let mut inline: Vec<&str> =
                        r.inline_policies.iter().map(|p| p.name.as_str()).collect();
                    inline.sort();
                    json!({"RoleName": r.name, "AttachedPolicies": attached, "InlinePolicies": inline})
                }),
            ResourceRef::Lifecycle { bucket } => self
                .trail_lifecycles
                .ready()
                .and_then(|l| l.get(bucket))
                .map(|l| crate::aws::s3::lifecycle::lifecycle_document(bucket, l)),
            ResourceRef::RecordSet { zone, rtype } => self
                .route53
                .ready()
                .and_then(|r| r.zone(zone))
                .and_then(|z| match &z.records {
                    Fetched::Ready(r) => {
                        record_of(r, *rtype).map(crate::aws::route53::record_document)
                    }
                    Fetched::Error(e) => Some(json!({ "Unreadable": e.summary() })),
                }),
            // Findings of a region that could not be read: nothing to change.
            ResourceRef::Region { .. } => None,
            ResourceRef::Policy { name } => iam.and_then(|i| i.policy_by_name(name)).map(|p| {
                json!({
                    "PolicyName": p.name,
                    "Arn": p.arn,
                    "Document": p.document,
                })
            }),
            ResourceRef::PasswordPolicy => self
                .password_policy
                .ready()
                .and_then(|p| p.as_ref())
                .map(|p| {
                    json!({
                        "MinimumPasswordLength": p.minimum_password_length,
                        "RequireSymbols": p.require_symbols,
                        "RequireNumbers": p.require_numbers,
                        "RequireUppercaseCharacters": p.require_uppercase_characters,
                        "RequireLowercaseCharacters": p.require_lowercase_characters,
                        "AllowUsersToChangePassword": p.allow_users_to_change_password,
                        "MaxPasswordAge": p.max_password_age,
                        "PasswordReusePrevention": p.password_reuse_prevention,
                        "HardExpiry": p.hard_expiry,
                    })
                }),
            ResourceRef::OrgRootAccess => self
                .root_access
                .ready()
                .and_then(|r| r.organization.as_ref())
                .and_then(|o| o.features.as_ref().ok())
                .map(|f| f.document()),
            ResourceRef::RootCredentials => self
                .root_access
                .ready()
                .and_then(|r| r.organization.as_ref())
                .and_then(|o| o.credentials())
                .map(|c| c.document()),
            ResourceRef::AlternateContact(t) => self
                .alternate_contacts
                .ready()
                .and_then(|c| c.contacts.get(t))
                .map(|c| {
                    json!({
                        "AlternateContactType": t.as_str(),
                        "Name": c.name,
                        "Title": c.title,
                        "EmailAddress": c.email,
                        "PhoneNumber": c.phone,
                    })
                }),
            ResourceRef::S3AccountPublicAccessBlock => self
                .s3_account_pab
                .ready()
                .and_then(|p| p.as_ref())
                .map(pab_document),
            ResourceRef::Bucket { name } => self
                .s3
                .ready()
                .and_then(|s| s.bucket(name))
                .map(bucket_document),
            ResourceRef::Distribution { id } => self
                .cloudfront
                .ready()
                .and_then(|cf| cf.distribution(id).map(|d| distribution_document(cf, d))),
            ResourceRef::OriginAccessControl { name } => self
                .cloudfront
                .ready()
                .and_then(|cf| cf.oac_by_name(name))
                .map(|o| {
                    json!({
                        "Name": o.name,
                        "Description": o.description,
                        "OriginAccessControlOriginType": o.origin_type,
                        "SigningBehavior": o.signing_behavior,
                        "SigningProtocol": o.signing_protocol,
                    })
                }),
            // The regional services' documents, rendered above.
            _ => None,
        })
    }
}

fn pab_document(p: &PublicAccessBlock) -> Value {
    json!({
        "BlockPublicAcls": p.block_public_acls,
        "IgnorePublicAcls": p.ignore_public_acls,
        "BlockPublicPolicy": p.block_public_policy,
        "RestrictPublicBuckets": p.restrict_public_buckets,
    })
}

/// A setting that could not be read renders as the error, so a plan never
/// pretends to know it.
/// A setting's place in a document when it was not read: a bucket's
/// versioning, read only where an item judges it (see `aws::s3`).
pub const NOT_READ: &str = "NotRead";

fn fetched<T>(f: &Fetched<T>, render: impl FnOnce(&T) -> Value) -> Value {
    match f {
        Fetched::Ready(v) => render(v),
        Fetched::Error(e) => json!({ "Unreadable": e.summary() }),
    }
}

fn bucket_document(b: &Bucket) -> Value {
    json!({
        "Bucket": b.name,
        "Region": b.region,
        "PublicAccessBlock": fetched(&b.public_access_block, |p| p.as_ref().map(pab_document).unwrap_or(Value::Null)),
        "Policy": fetched(&b.policy, |p| p.clone().unwrap_or(Value::Null)),
        "Acl": fetched(&b.acl, |a| {
            let grants: Vec<Value> = a
                .grants
                .iter()
                .map(|g| {
                    let grantee = match &g.grantee {
                        Grantee::CanonicalUser { id, .. } => json!({"CanonicalUser": id}),
                        Grantee::Group { uri } => json!({"Group": uri}),
                        Grantee::Email { address } => json!({"EmailAddress": address}),
                    };
                    json!({"Grantee": grantee, "Permission": g.permission})
                })
                .collect();
            json!({"Owner": a.owner_id, "Grants": grants})
        }),
        "DefaultEncryption": fetched(&b.encryption, |e| match e {
            None => Value::Null,
            Some(e) => {
                let mut m = Map::new();
                m.insert("SSEAlgorithm".into(), json!(e.algorithm));
                if let Some(k) = &e.kms_key {
                    m.insert("KMSMasterKeyID".into(), json!(k));
                }
                // Off and unset are the same (S3 reports either for SSE-S3).
                if e.bucket_key == Some(true) {
                    m.insert("BucketKeyEnabled".into(), json!(true));
                }
                Value::Object(m)
            }
        }),
        "Logging": fetched(&b.logging, |l| match l {
            None => Value::Null,
            Some(l) => json!({"TargetBucket": l.target_bucket, "TargetPrefix": l.target_prefix}),
        }),
        // Never enabled and suspended behave alike for new objects, and S3
        // cannot go back from one to the other: both read "Off", so undoing
        // "Enabled" (to Suspended) gives back the same document.
        "Versioning": match &b.versioning {
            Some(f) => fetched(f, |v| json!({
                "Status": if v.enabled() { "Enabled" } else { "Off" },
                "MFADelete": if v.mfa_delete { "Enabled" } else { "Disabled" },
            })),
            // Read only where an item judges it (see `aws::s3`).
            None => json!(NOT_READ),
        },
    })
}

fn distribution_document(cf: &CloudFront, d: &Distribution) -> Value {
    let origins: Vec<Value> = d
        .origins
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("Id".into(), json!(o.id));
            m.insert("DomainName".into(), json!(o.domain_name));
            if let Some(oai) = &o.s3_oai {
                m.insert("S3OriginAccessIdentity".into(), json!(oai));
            }
            // OACs by name: a new one has no id until it is created.
            let oac = o
                .oac_id
                .as_deref()
                .map(|id| cf.oac_by_id(id).map(|x| x.name.as_str()).unwrap_or(id));
            m.insert("OriginAccessControl".into(), json!(oac));
            Value::Object(m)
        })
        .collect();
    let behaviors: Vec<Value> = d
        .behaviors
        .iter()
        .map(|b| {
            json!({
                "PathPattern": b.label(),
                "TargetOriginId": b.target_origin_id,
                "ViewerProtocolPolicy": b.viewer_protocol_policy,
            })
        })
        .collect();
    let c = &d.viewer_certificate;
    json!({
        "Id": d.id,
        "DomainName": d.domain_name,
        "Aliases": d.aliases,
        "Enabled": d.enabled,
        "Origins": origins,
        "CacheBehaviors": behaviors,
        "ViewerCertificate": {
            "CloudFrontDefaultCertificate": c.cloudfront_default,
            "ACMCertificateArn": c.acm_certificate_arn,
            "IAMCertificateId": c.iam_certificate_id,
            "SSLSupportMethod": c.ssl_support_method,
            "MinimumProtocolVersion": c.minimum_protocol_version,
        },
        "WebACLId": d.web_acl_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::ContactType;

    #[test]
    fn resource_names_round_trip() {
        for s in [
            "account",
            "root/key/AKIAROOT",
            "user/alice",
            "user/alice/key/AKIA1",
            "group/Admins",
            "policy/RequireMFA",
            "password-policy",
            "contact/SECURITY",
            "s3/public-access-block",
            "bucket/my.bucket-1",
            "distribution/E2ABC",
            "oac/moat-assets",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert_eq!(r.to_string(), s);
        }
        assert!("user/".parse::<ResourceRef>().is_err());
        assert!("bucket/".parse::<ResourceRef>().is_err());
        assert!("bucket/a/b".parse::<ResourceRef>().is_err());
        assert_eq!(
            "contact/billing".parse::<ResourceRef>(),
            Ok(ResourceRef::AlternateContact(ContactType::Billing))
        );
    }
}

/// Property tests of resource names: parsing never panics and whatever it
/// accepts prints back to a name that parses to the same resource. Cases:
/// `PROPTEST_CASES` (256 by default). To fuzz for a few minutes:
/// `PROPTEST_CASES=10000 cargo test --lib fuzz_ -- --test-threads 2` (about 4 to
/// 5 minutes on two cores; raise it to fuzz longer).
#[cfg(test)]
pub(crate) mod fuzz_tests {
    use super::*;
    use crate::aws::inventory::ContactType;
    use proptest::prelude::*;

    /// The property tests' settings: a shrunk failure is reported, not
    /// written next to the source.
    pub(crate) fn config() -> ProptestConfig {
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                "account", "password-policy", "root", "key", "user", "group", "policy", "s3",
                "public-access-block", "bucket", "distribution", "oac", "contact", "SECURITY",
                "billing", "Operations", "", " ", "alice", "AKIA1", "..", "\u{1b}[2J", "\u{202e}",
            ])
            .prop_map(str::to_string),
            1 => any::<String>(),
            1 => "[\\x00-\\x1f\\u{80}-\\u{9f}a-z/ ]{0,6}",
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::collection::vec(segment(), 0..6).prop_map(|s| s.join("/")),
        ]
    }

    /// The string forms agree up to the case of a contact type.
    fn same_name(given: &str, shown: &str) -> bool {
        given == shown || (given.starts_with("contact/") && given.eq_ignore_ascii_case(shown))
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn fuzz_resource_ref_round_trips(s in name()) {
            match s.parse::<ResourceRef>() {
                Ok(r) => {
                    let shown = r.to_string();
                    prop_assert!(same_name(&s, &shown), "{:?} shown as {:?}", s, shown);
                    prop_assert_eq!(shown.parse::<ResourceRef>(), Ok(r.clone()));
                    // Serde goes through the same names.
                    let json = serde_json::to_string(&r).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let back: ResourceRef = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(back, r.clone());
                    let _ = r.parts();
                }
                Err(e) => {
                    prop_assert!(e.contains("is not a resource name moat knows"), "{}", e);
                    // Refused by serde too.
                    let json = serde_json::to_string(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert!(serde_json::from_str::<ResourceRef>(&json).is_err());
                }
            }
        }

        /// Every resource moat can name, with arbitrary names in it.
        #[test]
        fn fuzz_resource_ref_display_parses(
            a in "[^/]{1,12}",
            b in "[^/]{1,12}",
            pick in 0usize..12,
            contact in prop::sample::select(ContactType::ALL.to_vec()),
        ) {
            let r = match pick {
                0 => ResourceRef::Account,
                1 => ResourceRef::RootKey { key_id: a },
                2 => ResourceRef::User { name: a },
                3 => ResourceRef::AccessKey { user: a, key_id: b },
                4 => ResourceRef::Group { name: a },
                5 => ResourceRef::Policy { name: a },
                6 => ResourceRef::PasswordPolicy,
                7 => ResourceRef::AlternateContact(contact),
                8 => ResourceRef::S3AccountPublicAccessBlock,
                9 => ResourceRef::Bucket { name: a },
                10 => ResourceRef::Distribution { id: a },
                _ => ResourceRef::OriginAccessControl { name: a },
            };
            prop_assert_eq!(r.to_string().parse::<ResourceRef>(), Ok(r));
        }
    }
}
