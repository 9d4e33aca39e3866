//! [`ResourceRef`]: a resource moat can change, named the way `scan` prints
//! it and `--resource` takes it. Global resources (IAM, S3, CloudFront,
//! Route 53, the account) are variants of their own; each regional service
//! has an enum of its resources in its folder (`aws::<service>::resource`),
//! which carries the region. Adding a regional service: its enum, a variant
//! here, a line in [`SERVICES`] and in `by_service!`.

use super::{
    CloudTrailRef, CloudWatchRef, ContactType, EbsRef, Ec2Ref, ElbRef, GuardDutyRef, InspectorRef,
    KmsRef, LogsRef, PartId, RdsRef, RecordType, SnsRef, VpcRef,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A resource moat can change, named the way `scan` prints it (`--resource`).
/// The order of the variants is the order resources sort in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ResourceRef {
    /// The account as a whole (root user facts from the account summary).
    Account,
    RootKey {
        key_id: String,
    },
    User {
        name: String,
    },
    AccessKey {
        user: String,
        key_id: String,
    },
    Group {
        name: String,
    },
    /// A customer-managed policy, by name.
    Policy {
        name: String,
    },
    PasswordPolicy,
    AlternateContact(ContactType),
    /// The organization's centralized root access (IAM's trusted access and
    /// its two features).
    OrgRootAccess,
    /// The account's root user credentials, as a root session reads them.
    RootCredentials,
    /// The account-wide S3 public access block.
    S3AccountPublicAccessBlock,
    Bucket {
        name: String,
    },
    Distribution {
        id: String,
    },
    /// A CloudFront origin access control, by name.
    OriginAccessControl {
        name: String,
    },
    Ec2(Ec2Ref),
    Ebs(EbsRef),
    Vpc(VpcRef),
    GuardDuty(GuardDutyRef),
    /// `region/REGION`: a region as a whole, naming the findings of a region
    /// that could not be read. No document (nothing to change).
    Region {
        region: String,
    },
    CloudTrail(CloudTrailRef),
    /// `role/NAME`: an IAM role (its attached policies).
    Role {
        name: String,
    },
    /// `lifecycle/BUCKET`: a bucket's lifecycle rules.
    Lifecycle {
        bucket: String,
    },
    Kms(KmsRef),
    Sns(SnsRef),
    CloudWatch(CloudWatchRef),
    Logs(LogsRef),
    Rds(RdsRef),
    /// `dns/ZONE-ID/TXT`: a Route 53 record set at the zone's apex.
    RecordSet {
        zone: String,
        rtype: RecordType,
    },
    Elb(ElbRef),
    Inspector(InspectorRef),
}

/// Runs `$e` on the service enum of a regional resource (bound to `$r`),
/// `$other` on the rest.
macro_rules! by_service {
    ($value:expr, $r:ident => $e:expr, $rest:ident => $other:expr) => {
        match $value {
            ResourceRef::Ec2($r) => $e,
            ResourceRef::Ebs($r) => $e,
            ResourceRef::Vpc($r) => $e,
            ResourceRef::GuardDuty($r) => $e,
            ResourceRef::CloudTrail($r) => $e,
            ResourceRef::Kms($r) => $e,
            ResourceRef::Sns($r) => $e,
            ResourceRef::CloudWatch($r) => $e,
            ResourceRef::Logs($r) => $e,
            ResourceRef::Rds($r) => $e,
            ResourceRef::Elb($r) => $e,
            ResourceRef::Inspector($r) => $e,
            $rest => $other,
        }
    };
}
pub(super) use by_service;

type Parse = fn(&[&str]) -> Option<ResourceRef>;

/// The names that are not simple `KIND/NAME` forms, in the order they are
/// tried and listed in the "unknown resource" message: each with its
/// examples and its parser (the parts are non-empty).
const SERVICES: &[(&[&str], Parse)] = &[
    (Ec2Ref::EXAMPLES, |p| Ec2Ref::parse(p).map(ResourceRef::Ec2)),
    (EbsRef::EXAMPLES, |p| EbsRef::parse(p).map(ResourceRef::Ebs)),
    (VpcRef::EXAMPLES, |p| VpcRef::parse(p).map(ResourceRef::Vpc)),
    (GuardDutyRef::EXAMPLES, |p| {
        GuardDutyRef::parse(p).map(ResourceRef::GuardDuty)
    }),
    (&["region/REGION"], |p| match p {
        ["region", region] => Some(ResourceRef::Region {
            region: region.to_string(),
        }),
        _ => None,
    }),
    (CloudTrailRef::EXAMPLES, |p| {
        CloudTrailRef::parse(p).map(ResourceRef::CloudTrail)
    }),
    (&["role/NAME"], |p| match p {
        ["role", name] => Some(ResourceRef::Role {
            name: name.to_string(),
        }),
        _ => None,
    }),
    (&["lifecycle/BUCKET"], |p| match p {
        ["lifecycle", bucket] => Some(ResourceRef::Lifecycle {
            bucket: bucket.to_string(),
        }),
        _ => None,
    }),
    (KmsRef::EXAMPLES, |p| KmsRef::parse(p).map(ResourceRef::Kms)),
    (SnsRef::EXAMPLES, |p| SnsRef::parse(p).map(ResourceRef::Sns)),
    (CloudWatchRef::EXAMPLES, |p| {
        CloudWatchRef::parse(p).map(ResourceRef::CloudWatch)
    }),
    (LogsRef::EXAMPLES, |p| {
        LogsRef::parse(p).map(ResourceRef::Logs)
    }),
    (RdsRef::EXAMPLES, |p| RdsRef::parse(p).map(ResourceRef::Rds)),
    (&["dns/ZONE-ID/TXT", "dns/ZONE-ID/MX"], |p| match p {
        ["dns", zone, t] => Some(ResourceRef::RecordSet {
            zone: zone.to_string(),
            rtype: RecordType::parse(t)?,
        }),
        _ => None,
    }),
    (ElbRef::EXAMPLES, |p| ElbRef::parse(p).map(ResourceRef::Elb)),
    (InspectorRef::EXAMPLES, |p| {
        InspectorRef::parse(p).map(ResourceRef::Inspector)
    }),
];

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        by_service!(self, r => r.fmt(f), other => match other {
            ResourceRef::Account => f.write_str("account"),
            ResourceRef::RootKey { key_id } => write!(f, "root/key/{key_id}"),
            ResourceRef::User { name } => write!(f, "user/{name}"),
            ResourceRef::AccessKey { user, key_id } => write!(f, "user/{user}/key/{key_id}"),
            ResourceRef::Group { name } => write!(f, "group/{name}"),
            ResourceRef::Policy { name } => write!(f, "policy/{name}"),
            ResourceRef::PasswordPolicy => f.write_str("password-policy"),
            ResourceRef::AlternateContact(t) => write!(f, "contact/{}", t.as_str()),
            ResourceRef::OrgRootAccess => f.write_str("org/root-access"),
            ResourceRef::RootCredentials => f.write_str("root/credentials"),
            ResourceRef::S3AccountPublicAccessBlock => f.write_str("s3/public-access-block"),
            ResourceRef::Bucket { name } => write!(f, "bucket/{name}"),
            ResourceRef::Distribution { id } => write!(f, "distribution/{id}"),
            ResourceRef::OriginAccessControl { name } => write!(f, "oac/{name}"),
            ResourceRef::Region { region } => write!(f, "region/{region}"),
            ResourceRef::Role { name } => write!(f, "role/{name}"),
            ResourceRef::Lifecycle { bucket } => write!(f, "lifecycle/{bucket}"),
            ResourceRef::RecordSet { zone, rtype } => write!(f, "dns/{zone}/{}", rtype.as_str()),
            // The regional services, printed above.
            _ => Ok(()),
        })
    }
}

impl From<ResourceRef> for String {
    fn from(r: ResourceRef) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for ResourceRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for ResourceRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            let mut examples = vec![
                "user/alice",
                "user/alice/key/AKIA…",
                "group/Admins",
                "policy/RequireMFA",
                "password-policy",
                "contact/SECURITY",
                "account",
                "org/root-access",
                "root/credentials",
                "bucket/NAME",
                "s3/public-access-block",
                "distribution/ID",
                "oac/NAME",
            ];
            for (e, _) in SERVICES {
                examples.extend_from_slice(e);
            }
            format!(
                "'{s}' is not a resource name moat knows (examples: {})",
                examples.join(", ")
            )
        };
        let parts: Vec<&str> = s.split('/').collect();
        if parts.iter().all(|p| !p.is_empty())
            && let Some(r) = SERVICES.iter().find_map(|(_, parse)| parse(&parts))
        {
            return Ok(r);
        }
        let nonempty = |p: &str| {
            if p.is_empty() {
                Err(bad())
            } else {
                Ok(p.to_string())
            }
        };
        match parts.as_slice() {
            ["account"] => Ok(ResourceRef::Account),
            ["password-policy"] => Ok(ResourceRef::PasswordPolicy),
            ["org", "root-access"] => Ok(ResourceRef::OrgRootAccess),
            ["root", "credentials"] => Ok(ResourceRef::RootCredentials),
            ["root", "key", id] => Ok(ResourceRef::RootKey {
                key_id: nonempty(id)?,
            }),
            ["user", name] => Ok(ResourceRef::User {
                name: nonempty(name)?,
            }),
            ["user", name, "key", id] => Ok(ResourceRef::AccessKey {
                user: nonempty(name)?,
                key_id: nonempty(id)?,
            }),
            ["group", name] => Ok(ResourceRef::Group {
                name: nonempty(name)?,
            }),
            ["policy", name] => Ok(ResourceRef::Policy {
                name: nonempty(name)?,
            }),
            ["s3", "public-access-block"] => Ok(ResourceRef::S3AccountPublicAccessBlock),
            ["bucket", name] => Ok(ResourceRef::Bucket {
                name: nonempty(name)?,
            }),
            ["distribution", id] => Ok(ResourceRef::Distribution { id: nonempty(id)? }),
            ["oac", name] => Ok(ResourceRef::OriginAccessControl {
                name: nonempty(name)?,
            }),
            ["contact", t] => ContactType::parse(t)
                .map(ResourceRef::AlternateContact)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl ResourceRef {
    /// The inventory parts this resource's document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        by_service!(self, r => r.parts(), other => match other {
            ResourceRef::Account => &[PartId::AccountSummary],
            ResourceRef::RootKey { .. }
            | ResourceRef::User { .. }
            | ResourceRef::AccessKey { .. }
            | ResourceRef::Group { .. }
            | ResourceRef::Policy { .. }
            | ResourceRef::Role { .. } => &[PartId::Iam],
            ResourceRef::PasswordPolicy => &[PartId::PasswordPolicy],
            ResourceRef::AlternateContact(_) => &[PartId::AlternateContacts],
            ResourceRef::OrgRootAccess | ResourceRef::RootCredentials => &[PartId::RootAccess],
            ResourceRef::S3AccountPublicAccessBlock => &[PartId::S3AccountPublicAccessBlock],
            ResourceRef::Bucket { .. } => &[PartId::S3Buckets],
            ResourceRef::Lifecycle { .. } => &[PartId::TrailBucketLifecycles],
            // A distribution's document names its OACs, so it needs the OAC list too.
            ResourceRef::Distribution { .. } | ResourceRef::OriginAccessControl { .. } => {
                &[PartId::CloudFront]
            }
            ResourceRef::RecordSet { .. } => &[PartId::Route53],
            _ => &[],
        })
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        by_service!(self, r => r.region(), other => match other {
            ResourceRef::Region { region } => Some(region),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every regional name parses into its service's enum and prints back.
    #[test]
    fn regional_names_round_trip() {
        let service = |r: &ResourceRef| -> &'static str {
            by_service!(r, _s => "service", _other => "global")
        };
        for s in [
            "ebs-encryption/us-east-1",
            "volume/eu-west-1/vol-0abc",
            "snapshot/us-east-1/snap-1",
            "snapshot/us-east-1/moat-vol-1-20261129-120000",
            "vpc/us-east-1/vpc-1",
            "guardduty/ap-south-1",
            "trail/eu-west-1/management-events",
            "kms/eu-west-1/alias/moat-cloudtrail",
            "kms/eu-west-1/alias/team/key",
            "sns/us-east-1/moat-billing-alarms",
            "alarm/us-east-1/moat-billing-usual",
            "alarm/us-east-1/a/b",
            "metric-filter/eu-west-1/CloudTrail%2FDefaultLogGroup/moat-cis-root-usage",
            "metric-filter/eu-west-1/%2Faws%2Fcloudtrail/100%25",
            "db/eu-west-1/orders-db",
            "db-snapshot/us-east-1/orders-2026-01",
            "db-cluster-snapshot/us-east-1/aurora-snap",
            "lb/us-east-1/web",
            "listener/us-east-1/web/80",
            "classic-lb/eu-west-1/legacy",
            "inspector/us-east-1",
            "rds/us-east-1",
            "elb/ap-south-1",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert_eq!(service(&r), "service", "{s}");
            assert!(r.region().is_some(), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for s in [
            "region/eu-central-1",
            "role/ci-deploy",
            "lifecycle/example-corp-cloudtrail",
            "dns/Z0123456789ABC/TXT",
            "dns/Z0123456789ABC/MX",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert_eq!(service(&r), "global", "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "volume/us-east-1",
            "guardduty/",
            "vpc/a/b/c",
            "metric-filter/r/a%2fb/x",
            "metric-filter/r/a%41/x",
            "kms/r/alias",
            "trail/r",
            "dns/Z1/A",
            "listener/us-east-1/web/080",
            "listener/us-east-1/web/x",
            "db/us-east-1",
        ] {
            assert!(bad.parse::<ResourceRef>().is_err(), "{bad}");
        }
        let r: ResourceRef = "metric-filter/r/%2Faws%2Fct/n".parse().expect("parse");
        assert_eq!(
            r,
            ResourceRef::Logs(LogsRef::MetricFilter {
                region: "r".into(),
                log_group: "/aws/ct".into(),
                name: "n".into()
            })
        );
    }
}
