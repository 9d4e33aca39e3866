//! Names a request: its SigV4 signing service and region, its AWS
//! operation, whether it mutates, its query-protocol form fields.

use super::super::http;

/// What `classify` derives from a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub service: Option<String>,
    pub operation: String,
    pub mutating: bool,
}

/// The form fields of a query-protocol request body (empty for others).
pub(super) fn form_params(headers: &[(String, String)], body: &[u8]) -> Vec<(String, String)> {
    let form = header(headers, "content-type")
        .map(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if form || body.starts_with(b"Action=") {
        http::parse_form(&String::from_utf8_lossy(body))
    } else {
        Vec::new()
    }
}

/// Operation-name prefixes that change state (matched case-insensitively
/// on the bare operation name). The first line is the agreed list; the
/// second adds unambiguous mutators of services moat may touch later.
const MUTATING_PREFIXES: &[&str] = &[
    "Create",
    "Update",
    "Put",
    "Delete",
    "Attach",
    "Detach",
    "Add",
    "Remove",
    "Enable",
    "Disable",
    "Start",
    "Stop",
    "Modify",
    "Tag",
    "Untag",
    "Upload",
    "Set",
    "Change",
    "Deactivate",
    "Revoke",
    "Authorize",
    "Associate",
    "Disassociate",
    // Additions:
    "Reset",
    "Terminate",
    "Run",
    "Import",
    "Register",
    "Deregister",
    "Replace",
    "Restore",
    "Copy",
    "Cancel",
    "Accept",
    "Reject",
    "Allocate",
    "Release",
    "Assign",
    "Unassign",
    "Reboot",
    "Abort",
    "Complete",
    "Activate",
];

/// Read operations that look like mutators.
const READ_EXCEPTIONS: &[&str] = &["GenerateCredentialReport"];

/// Whether a bare operation name (`PutAlternateContact`,
/// `putAlternateContact`) is mutating.
pub fn is_mutating_operation(operation: &str) -> bool {
    if READ_EXCEPTIONS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(operation))
    {
        return false;
    }
    let lower = operation.to_ascii_lowercase();
    MUTATING_PREFIXES
        .iter()
        .any(|p| lower.starts_with(&p.to_ascii_lowercase()))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The SigV4 signing name (`iam`, `s3` …) from `Authorization` or a
/// presigned `X-Amz-Credential` query parameter.
fn signing_service(headers: &[(String, String)], query: &[(String, String)]) -> Option<String> {
    let credential = header(headers, "authorization")
        .and_then(|auth| {
            let start = auth.find("Credential=")? + "Credential=".len();
            let rest = &auth[start..];
            Some(rest.split([',', ' ']).next().unwrap_or(rest).to_string())
        })
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Credential"))
                .map(|(_, v)| v.clone())
        })?;
    // AKID/date/region/service/aws4_request (SigV4a omits the region).
    let parts: Vec<&str> = credential.split('/').collect();
    let n = parts.len();
    (n >= 4 && parts[n - 1] == "aws4_request").then(|| parts[n - 2].to_string())
}

/// The SigV4 signing region from `Authorization` (`AKID/date/region/service/aws4_request`).
pub(super) fn signing_region(headers: &[(String, String)]) -> Option<String> {
    let auth = header(headers, "authorization")?;
    let start = auth.find("Credential=")? + "Credential=".len();
    let rest = &auth[start..];
    let credential = rest.split([',', ' ']).next().unwrap_or(rest);
    let parts: Vec<&str> = credential.split('/').collect();
    (parts.len() == 5 && parts[4] == "aws4_request").then(|| parts[2].to_string())
}

/// Names the AWS operation of a request and decides whether it mutates.
///
/// - AWS query protocol (IAM, STS, EC2): the `Action` form field.
/// - JSON protocols: the part of `X-Amz-Target` after the last `.`.
/// - Smithy RPC v2 CBOR: `/service/<Service>/operation/<Operation>`.
/// - REST: S3 and S3 Control from method, path and sub-resource; verb paths
///   such as the account service's `POST /putAlternateContact` become
///   `PutAlternateContact`; anything else is `"METHOD /path"`, mutating
///   unless GET/HEAD/OPTIONS.
pub fn classify(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Classified {
    let (path, query_str) = target.split_once('?').unwrap_or((target, ""));
    let query = http::parse_form(query_str);
    let service = signing_service(headers, &query);
    let named = |operation: String| Classified {
        service: service.clone(),
        mutating: is_mutating_operation(&operation),
        operation,
    };

    if let Some(t) = header(headers, "x-amz-target") {
        let op = t.rsplit('.').next().unwrap_or(t).trim();
        if !op.is_empty() {
            return named(op.to_string());
        }
    }
    if let Some((_, action)) = form_params(headers, body)
        .into_iter()
        .find(|(k, _)| k == "Action")
    {
        return named(action);
    }
    if let Some((_, action)) = query.iter().find(|(k, _)| k == "Action") {
        return named(action.clone());
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let ["service", _, "operation", op] = segments.as_slice() {
        return named(op.to_string());
    }
    if let Some(op) = rest_operation(service.as_deref(), method, path, &query, headers) {
        return named(op);
    }
    Classified {
        service,
        operation: format!("{method} {path}"),
        mutating: !matches!(
            method.to_ascii_uppercase().as_str(),
            "GET" | "HEAD" | "OPTIONS"
        ),
    }
}

/// REST paths named by a table: (signing name, method, path, operation).
const REST_TABLE: &[(&str, &str, &str, &str)] = &[
    (
        "inspector2",
        "POST",
        "/status/batch/get",
        "BatchGetAccountStatus",
    ),
    ("inspector2", "POST", "/enable", "Enable"),
    ("inspector2", "POST", "/disable", "Disable"),
    // GuardDuty: REST JSON.
    ("guardduty", "POST", "/detector", "CreateDetector"),
    ("guardduty", "GET", "/detector", "ListDetectors"),
];

fn rest_operation(
    service: Option<&str>,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> Option<String> {
    let method = method.to_ascii_uppercase();
    if let Some(&(_, _, _, op)) = REST_TABLE
        .iter()
        .find(|(s, m, p, _)| Some(*s) == service && *m == method && *p == path)
    {
        return Some(op.to_string());
    }
    // S3 Control signs as "s3" too; it is recognised by its path.
    if let Some(rest) = path.strip_prefix("/v20180820/") {
        let verb = http_verb(&method)?;
        return match rest.trim_end_matches('/') {
            "configuration/publicAccessBlock" => Some(format!("{verb}PublicAccessBlock")),
            _ => None,
        };
    }
    if service == Some("s3") {
        return s3_operation(&method, path, query, headers);
    }
    if service == Some("cloudfront") {
        return cloudfront_operation(&method, path);
    }
    // REST services whose paths hold ids (one `if service == Some(..)` each, in its block):
    // GuardDuty.
    if service == Some("guardduty") {
        // `/detector/{id}`: GET reads, POST updates, DELETE deletes.
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        return match (method.as_str(), segments.as_slice()) {
            ("GET", ["detector", _]) => Some("GetDetector".into()),
            ("POST", ["detector", _]) => Some("UpdateDetector".into()),
            ("DELETE", ["detector", _]) => Some("DeleteDetector".into()),
            _ => None,
        };
    }

    // Route 53.
    if service == Some("route53") {
        // `/2013-04-01/<resource>[/<id>[/rrset]]`; ids are in the path.
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let op = match (method.as_str(), segments.as_slice()) {
            ("GET", [_, "hostedzone"]) => "ListHostedZones",
            ("POST", [_, "hostedzone"]) => "CreateHostedZone",
            ("GET", [_, "hostedzonecount"]) => "GetHostedZoneCount",
            ("GET", [_, "hostedzone", _]) => "GetHostedZone",
            ("DELETE", [_, "hostedzone", _]) => "DeleteHostedZone",
            ("GET", [_, "hostedzone", _, "rrset"]) => "ListResourceRecordSets",
            ("POST", [_, "hostedzone", _, "rrset"]) => "ChangeResourceRecordSets",
            ("GET", [_, "change", _]) => "GetChange",
            ("GET", [_, "hostedzonesbyname"]) => "ListHostedZonesByName",
            _ => return None,
        };
        return Some(op.to_string());
    }

    // Verb-named single-segment paths (account: POST /getAlternateContact).
    let segment = path.strip_prefix('/')?;
    let is_verb_path = method == "POST"
        && segment.len() > 1
        && segment.starts_with(|c: char| c.is_ascii_lowercase())
        && segment.chars().all(|c| c.is_ascii_alphanumeric())
        && segment.chars().any(|c| c.is_ascii_uppercase());
    if is_verb_path && service != Some("s3") {
        let mut op = segment.to_string();
        op[..1].make_ascii_uppercase();
        return Some(op);
    }
    None
}

/// CloudFront's REST paths: `/2020-05-31/<resource>[/<id>[/config]]`.
fn cloudfront_operation(method: &str, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (resource, rest) = match segments.as_slice() {
        [_version, resource, rest @ ..] => (*resource, rest),
        _ => return None,
    };
    let name = match resource {
        "distribution" => "Distribution",
        "origin-access-control" => "OriginAccessControl",
        "origin-access-identity" => "CloudFrontOriginAccessIdentity",
        _ => return None,
    };
    let op = match (method, rest) {
        ("GET", []) => format!("List{name}s"),
        ("POST", []) => format!("Create{name}"),
        ("GET", [_id]) => format!("Get{name}"),
        ("DELETE", [_id]) => format!("Delete{name}"),
        ("GET", [_id, "config"]) => format!("Get{name}Config"),
        ("PUT", [_id, "config"]) => format!("Update{name}"),
        _ => return None,
    };
    Some(op)
}

fn http_verb(method: &str) -> Option<&'static str> {
    Some(match method {
        "GET" => "Get",
        "PUT" => "Put",
        "DELETE" => "Delete",
        "HEAD" => "Head",
        _ => return None,
    })
}

/// Bucket sub-resources: query key → operation suffix after Get/Put/Delete.
const S3_BUCKET_SUBRESOURCES: &[(&str, &str)] = &[
    ("versioning", "BucketVersioning"),
    ("policyStatus", "BucketPolicyStatus"),
    ("policy", "BucketPolicy"),
    ("acl", "BucketAcl"),
    ("publicAccessBlock", "PublicAccessBlock"),
    ("encryption", "BucketEncryption"),
    ("logging", "BucketLogging"),
    ("lifecycle", "BucketLifecycleConfiguration"),
    ("tagging", "BucketTagging"),
    ("ownershipControls", "BucketOwnershipControls"),
    ("location", "BucketLocation"),
    ("website", "BucketWebsite"),
    ("cors", "BucketCors"),
    ("notification", "BucketNotificationConfiguration"),
    ("replication", "BucketReplication"),
    ("object-lock", "ObjectLockConfiguration"),
    ("accelerate", "BucketAccelerateConfiguration"),
    ("requestPayment", "BucketRequestPayment"),
    (
        "intelligent-tiering",
        "BucketIntelligentTieringConfiguration",
    ),
    ("inventory", "BucketInventoryConfiguration"),
    ("metrics", "BucketMetricsConfiguration"),
    ("analytics", "BucketAnalyticsConfiguration"),
];

/// Object sub-resources: query key → operation suffix.
const S3_OBJECT_SUBRESOURCES: &[(&str, &str)] = &[
    ("acl", "ObjectAcl"),
    ("tagging", "ObjectTagging"),
    ("retention", "ObjectRetention"),
    ("legal-hold", "ObjectLegalHold"),
    ("attributes", "ObjectAttributes"),
];

fn s3_operation(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> Option<String> {
    let has = |key: &str| query.iter().any(|(k, _)| k == key);
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (b, k),
        None => (trimmed, ""),
    };
    let copy = header(headers, "x-amz-copy-source").is_some();
    let op = if bucket.is_empty() {
        match method {
            "GET" => "ListBuckets".to_string(),
            _ => return None,
        }
    } else if key.is_empty() {
        if method == "GET" && has("uploads") {
            "ListMultipartUploads".to_string()
        } else if method == "GET" && has("versions") {
            "ListObjectVersions".to_string()
        } else if method == "POST" && has("delete") {
            "DeleteObjects".to_string()
        } else if let Some((_, name)) = S3_BUCKET_SUBRESOURCES.iter().find(|(k, _)| has(k)) {
            format!("{}{name}", http_verb(method)?)
        } else {
            match method {
                "GET" if query.iter().any(|(k, v)| k == "list-type" && v == "2") => {
                    "ListObjectsV2".to_string()
                }
                "GET" => "ListObjects".to_string(),
                "PUT" => "CreateBucket".to_string(),
                "DELETE" => "DeleteBucket".to_string(),
                "HEAD" => "HeadBucket".to_string(),
                _ => return None,
            }
        }
    } else if has("uploadId") {
        match method {
            "PUT" if copy => "UploadPartCopy",
            "PUT" => "UploadPart",
            "POST" => "CompleteMultipartUpload",
            "DELETE" => "AbortMultipartUpload",
            "GET" => "ListParts",
            _ => return None,
        }
        .to_string()
    } else if method == "POST" && has("uploads") {
        "CreateMultipartUpload".to_string()
    } else if method == "POST" && has("restore") {
        "RestoreObject".to_string()
    } else if let Some((_, name)) = S3_OBJECT_SUBRESOURCES.iter().find(|(k, _)| has(k)) {
        format!("{}{name}", http_verb(method)?)
    } else {
        match method {
            "GET" => "GetObject",
            "PUT" if copy => "CopyObject",
            "PUT" => "PutObject",
            "DELETE" => "DeleteObject",
            "HEAD" => "HeadObject",
            _ => return None,
        }
        .to_string()
    };
    Some(op)
}
