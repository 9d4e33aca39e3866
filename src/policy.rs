//! Small, exact helpers over IAM and resource policy documents (statements,
//! actions, conditions, public statements, merging). The full permission
//! analyser comes with the CloudTrail section.

use serde_json::Value;

/// A statement's values as a list, whether the document wrote a string or an array.
pub fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// The statements of a policy document (a single object is one statement).
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    }
}

pub fn effect(stmt: &Value) -> &str {
    stmt.get("Effect").and_then(Value::as_str).unwrap_or("")
}

/// An `Allow` of every action on every resource, with no condition.
pub fn grants_full_admin(doc: &Value) -> bool {
    statements(doc).into_iter().any(|s| {
        effect(s) == "Allow"
            && s.get("Condition").is_none()
            && as_list(s.get("Action")).iter().any(|a| a == "*")
            && as_list(s.get("Resource")).iter().any(|r| r == "*")
    })
}

/// Condition values under `operator` (matched case-insensitively, with or
/// without `IfExists`) for `key` (case-insensitive, as IAM treats keys).
fn condition_values(stmt: &Value, operators: &[&str], key: &str) -> Vec<String> {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return vec![];
    };
    let mut out = vec![];
    for (op, body) in cond {
        let op_l = op.to_ascii_lowercase();
        let op_base = op_l.strip_suffix("ifexists").unwrap_or(&op_l);
        if !operators.iter().any(|o| o.eq_ignore_ascii_case(op_base)) {
            continue;
        }
        if let Value::Object(keys) = body {
            for (k, v) in keys {
                if k.eq_ignore_ascii_case(key) {
                    match v {
                        Value::Bool(b) => out.push(b.to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => out.extend(as_list(Some(other))),
                    }
                }
            }
        }
    }
    out
}

/// Does the document enforce MFA: a Deny when `aws:MultiFactorAuthPresent` is
/// false, or an Allow only while `aws:MultiFactorAuthAge` is below a bound.
pub fn enforces_mfa(doc: &Value) -> bool {
    statements(doc).into_iter().any(|s| match effect(s) {
        "Deny" => condition_values(s, &["Bool"], "aws:MultiFactorAuthPresent")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("false")),
        "Allow" => !condition_values(
            s,
            &["NumericLessThan", "NumericLessThanEquals"],
            "aws:MultiFactorAuthAge",
        )
        .is_empty(),
        _ => false,
    })
}

/// Condition keys that tie a statement to known callers, so that an `Allow` to
/// everyone (`"Principal": "*"`) under one of them is not public. Kept in one
/// place for every resource-policy check (S3 bucket policies first).
pub const RESTRICTING_CONDITION_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalServiceName",
    "aws:userid",
    "aws:username",
];

/// Condition operators that narrow who matches (a positive match on the key).
/// Negated operators (`StringNotEquals`, `NotIpAddress`, …) exclude some
/// callers and still admit the rest of the world.
const NARROWING_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
];

/// Values that match everyone, so do not narrow anything.
fn matches_everyone(v: &str) -> bool {
    matches!(v.trim(), "*" | "0.0.0.0/0" | "::/0" | "arn:aws:*" | "arn:*")
}

/// Does the statement's condition tie it to known callers?
pub fn has_restricting_condition(stmt: &Value) -> bool {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return false;
    };
    cond.iter().any(|(op, body)| {
        // `ForAnyValue:StringEquals` narrows like `StringEquals`; an
        // `…IfExists` operator lets requests without the key through.
        let op = op.rsplit(':').next().unwrap_or(op);
        if op.to_ascii_lowercase().ends_with("ifexists") {
            return false;
        }
        if !NARROWING_OPERATORS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(op))
        {
            return false;
        }
        let Value::Object(keys) = body else {
            return false;
        };
        keys.iter().any(|(k, v)| {
            RESTRICTING_CONDITION_KEYS
                .iter()
                .any(|r| r.eq_ignore_ascii_case(k))
                && {
                    let values = as_list(Some(v));
                    !values.is_empty() && !values.iter().any(|x| matches_everyone(x))
                }
        })
    })
}

/// `"Principal": "*"`, or an `AWS` principal list containing `*`.
pub fn principal_is_everyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("AWS") && as_list(Some(v)).iter().any(|p| p == "*")
        }),
        _ => false,
    }
}

/// An `Allow` to everyone that no condition ties to known callers.
pub fn is_public_statement(stmt: &Value) -> bool {
    effect(stmt) == "Allow"
        && principal_is_everyone(stmt.get("Principal"))
        && !has_restricting_condition(stmt)
}

/// The document without the statements `remove` selects; `None` when no
/// statement remains (the policy should then be deleted, not left empty).
/// Every other statement and top-level field is kept as it was.
pub fn without_statements(doc: &Value, remove: impl Fn(&Value) -> bool) -> Option<Value> {
    let kept: Vec<Value> = statements(doc)
        .into_iter()
        .filter(|s| !remove(s))
        .cloned()
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut out = doc.clone();
    if let Value::Object(m) = &mut out {
        m.insert("Statement".into(), Value::Array(kept));
    }
    Some(out)
}

/// The document with `stmt` merged in: it replaces the statement with the same
/// `Sid`, or is appended; every other statement is kept. Without a document,
/// a new one is started.
pub fn with_statement(doc: Option<&Value>, stmt: Value) -> Value {
    let sid = stmt.get("Sid").and_then(Value::as_str).map(str::to_string);
    let mut list: Vec<Value> = doc
        .map(|d| statements(d).into_iter().cloned().collect())
        .unwrap_or_default();
    match sid.as_deref().and_then(|sid| {
        list.iter()
            .position(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
    }) {
        Some(i) => list[i] = stmt,
        None => list.push(stmt),
    }
    let mut out = match doc {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => serde_json::json!({"Version": "2012-10-17"}),
    };
    if let Value::Object(m) = &mut out {
        m.insert("Statement".into(), Value::Array(list));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn full_admin_detection() {
        assert!(grants_full_admin(
            &json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        ));
        assert!(grants_full_admin(
            &json!({"Statement": {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}})
        ));
        assert!(!grants_full_admin(
            &json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        ));
        assert!(!grants_full_admin(
            &json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
        ));
        assert!(!grants_full_admin(
            &json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
        ));
    }

    #[test]
    fn mfa_enforcement_detection() {
        let deny = json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:EnableMFADevice"], "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(enforces_mfa(&deny));
        let deny_bool = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"AWS:MultiFactorAuthPresent": false}}}]});
        assert!(enforces_mfa(&deny_bool));
        let age = json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}}]});
        assert!(enforces_mfa(&age));
        // The 2015 guide's typo'd key enforces nothing.
        let typo = json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws = MultiFactorAuthAge": "300"}}}]});
        assert!(!enforces_mfa(&typo));
        let allow_present = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
        assert!(!enforces_mfa(&allow_present));
    }

    #[test]
    fn public_statements() {
        let public = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
        assert!(is_public_statement(&public));
        let aws_star = json!({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}, "Action": "s3:*", "Resource": "*"});
        assert!(is_public_statement(&aws_star));
        let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"});
        assert!(!is_public_statement(&deny));
        let account = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"});
        assert!(!is_public_statement(&account));
        let service = json!({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"});
        assert!(!is_public_statement(&service));
    }

    #[test]
    fn restricting_conditions() {
        let with = |cond: serde_json::Value| json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": cond});
        // Tied to known callers: not public.
        for cond in [
            json!({"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}),
            json!({"ArnLike": {"AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}}),
            json!({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            json!({"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}),
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}),
            json!({"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"]}}),
        ] {
            assert!(!is_public_statement(&with(cond.clone())), "{cond}");
        }
        // Still open to the world.
        for cond in [
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
            json!({"StringLike": {"aws:SourceArn": "*"}}),
            json!({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}),
            json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
            json!({"StringEquals": {"s3:prefix": "public/"}}),
            json!({"StringEquals": {"aws:SourceAccount": []}}),
        ] {
            assert!(is_public_statement(&with(cond.clone())), "{cond}");
        }
    }

    #[test]
    fn removing_statements_keeps_the_rest_or_deletes() {
        let doc = json!({"Version": "2012-10-17", "Id": "p1", "Statement": [
            {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": "Team", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/t"}, "Action": "s3:*", "Resource": "*"}
        ]});
        let out = without_statements(&doc, is_public_statement).expect("one statement remains");
        assert_eq!(out["Id"], "p1");
        assert_eq!(statements(&out).len(), 1);
        assert_eq!(statements(&out)[0]["Sid"], "Team");
        let only_public = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}});
        assert_eq!(without_statements(&only_public, is_public_statement), None);
    }

    #[test]
    fn merging_a_statement_by_sid() {
        let deny = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let fresh = with_statement(None, deny.clone());
        assert_eq!(fresh["Version"], "2012-10-17");
        assert_eq!(statements(&fresh).len(), 1);
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Team", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", "Resource": "*"}]});
        let merged = with_statement(Some(&doc), deny.clone());
        assert_eq!(statements(&merged).len(), 2);
        assert_eq!(statements(&merged)[0]["Sid"], "Team");
        // Merging again replaces, never duplicates.
        let again = with_statement(Some(&merged), deny);
        assert_eq!(again, merged);
    }
}
