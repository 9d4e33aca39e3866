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

/// How a principal's people sign in, as far as IAM's MFA condition keys
/// see it ("AWS global condition context keys", IAM User Guide:
/// `aws:MultiFactorAuthPresent` is in the request context only for
/// temporary credentials, and is true only when STS itself saw the MFA code:
/// a console sign-in of an IAM user with MFA, or GetSessionToken/AssumeRole
/// with SerialNumber and TokenCode; `aws:MultiFactorAuthAge` is present only
/// when MFA was used that way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// An IAM user signing in to the console with MFA: the key is true.
    IamUserWithMfa,
    /// A role session from SAML federation or IAM Identity Center: the
    /// identity provider's MFA is not seen by STS, so the session has
    /// `aws:MultiFactorAuthPresent` false (absent is assumed possible
    /// too) and no `aws:MultiFactorAuthAge`.
    Federated,
}

/// Does the document take anything away from an administrator who signs in
/// as `sign_in`? IAM's policy evaluation ("Policy evaluation logic", IAM
/// User Guide): an explicit Deny in any identity policy or in the
/// permissions boundary overrides every Allow. A Deny counts unless it
/// denies nothing (`NotAction` or `NotResource` of `*`) or its condition
/// cannot match that sign-in's sessions. For an IAM user who signs in with
/// MFA, a Deny only while MFA is absent or old does not apply. For a
/// federated role it does: only a condition that needs MFA keys such a
/// session never has spares it. A Deny under any other condition (source
/// IP, region, tags…) may apply when it is needed most, so it counts.
pub fn limits_admin(doc: &Value, sign_in: SignIn) -> bool {
    statements(doc)
        .into_iter()
        .any(|s| deny_limits_admin(s, sign_in))
}

fn deny_limits_admin(s: &Value, sign_in: SignIn) -> bool {
    if effect(s) != "Deny" {
        return false;
    }
    let star = |k: &str| as_list(s.get(k)).iter().any(|v| v == "*");
    if star("NotAction") || star("NotResource") {
        return false;
    }
    let Some(Value::Object(cond)) = s.get("Condition") else {
        return true;
    };
    match sign_in {
        SignIn::IamUserWithMfa => !only_without_mfa(cond),
        SignIn::Federated => !cond.iter().any(|(op, body)| match body {
            Value::Object(keys) => keys.iter().any(|(k, v)| never_matches_federated(op, k, v)),
            _ => false,
        }),
    }
}

/// The condition tests only the MFA keys, and only for MFA being absent
/// (`aws:MultiFactorAuthPresent` false) or old (`aws:MultiFactorAuthAge`):
/// a console sign-in with MFA does not meet it.
fn only_without_mfa(cond: &serde_json::Map<String, Value>) -> bool {
    !cond.is_empty()
        && cond.values().all(|body| match body {
            Value::Object(keys) => keys.iter().all(|(k, v)| {
                if k.eq_ignore_ascii_case("aws:MultiFactorAuthAge") {
                    true
                } else if k.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") {
                    let values = bool_values(v);
                    !values.is_empty() && values.iter().all(|x| x.eq_ignore_ascii_case("false"))
                } else {
                    false
                }
            }),
            _ => false,
        })
}

fn bool_values(v: &Value) -> Vec<String> {
    match v {
        Value::Bool(b) => vec![b.to_string()],
        other => as_list(Some(other)),
    }
}

/// Conditions in a block are ANDed: one test that fails for every session
/// of a federated role spares it from the Deny. Such a session has
/// `aws:MultiFactorAuthPresent` false (or, to be safe, absent) and no
/// `aws:MultiFactorAuthAge`. Per "IAM JSON policy elements: Condition
/// operators", a key that is absent matches no operator but `Null` and the
/// `…IfExists` forms; set operators (`ForAllValues:`) and anything else are
/// taken to match.
fn never_matches_federated(op: &str, key: &str, v: &Value) -> bool {
    let op = op.to_ascii_lowercase();
    if op.contains(':') {
        return false;
    }
    let (base, if_exists) = match op.strip_suffix("ifexists") {
        Some(b) => (b, true),
        None => (op.as_str(), false),
    };
    let values = bool_values(v);
    let all =
        |want: &str| !values.is_empty() && values.iter().all(|x| x.eq_ignore_ascii_case(want));
    if key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") {
        // False does not equal true; absent matches only with IfExists.
        base == "bool" && !if_exists && all("true")
    } else if key.eq_ignore_ascii_case("aws:MultiFactorAuthAge") {
        // Absent: a numeric comparison without IfExists does not match, and
        // neither does `Null: false` (the key must exist).
        const NUMERIC: &[&str] = &[
            "numericequals",
            "numericlessthan",
            "numericlessthanequals",
            "numericgreaterthan",
            "numericgreaterthanequals",
        ];
        (NUMERIC.contains(&base) && !if_exists) || (op == "null" && all("false"))
    } else {
        false
    }
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

/// Does the document enforce MFA: a Deny of every action but the MFA set-up
/// calls while `aws:MultiFactorAuthPresent` is false.
pub fn enforces_mfa(doc: &Value) -> bool {
    statements(doc)
        .into_iter()
        .any(denies_all_but_mfa_setup_without_mfa)
}

/// The calls a person needs to sign in and enrol an MFA device (AWS's
/// "allow users to manage their own MFA" policy examples): a Deny may leave
/// these out and still force MFA for everything else.
const MFA_SETUP_ACTIONS: &[&str] = &[
    "iam:changepassword",
    "iam:createvirtualmfadevice",
    "iam:deletevirtualmfadevice",
    "iam:enablemfadevice",
    "iam:getaccountpasswordpolicy",
    "iam:getloginprofile",
    "iam:getmfadevice",
    "iam:getuser",
    "iam:listmfadevices",
    "iam:listusers",
    "iam:listvirtualmfadevices",
    "iam:resyncmfadevice",
    "sts:getsessiontoken",
];

/// A Deny that forces MFA: while `aws:MultiFactorAuthPresent` is false (or,
/// with `BoolIfExists`, absent), it denies every action on every resource,
/// except at most the MFA set-up calls. A Deny scoped to a few actions, or an
/// Allow conditioned on MFA (any other Allow the user has still works
/// without MFA), does not force anything.
fn denies_all_but_mfa_setup_without_mfa(s: &Value) -> bool {
    if effect(s) != "Deny" {
        return false;
    }
    let when_no_mfa = condition_values(s, &["Bool"], "aws:MultiFactorAuthPresent")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("false"));
    // Another condition key could make the Deny skip some requests.
    let only_that_condition = match s.get("Condition") {
        Some(Value::Object(cond)) => cond.values().all(|body| match body {
            Value::Object(keys) => keys
                .keys()
                .all(|k| k.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")),
            _ => false,
        }),
        _ => false,
    };
    let every_resource =
        s.get("NotResource").is_none() && as_list(s.get("Resource")).iter().any(|r| r == "*");
    let every_action = if s.get("NotAction").is_some() {
        s.get("Action").is_none()
            && as_list(s.get("NotAction"))
                .iter()
                .all(|a| MFA_SETUP_ACTIONS.contains(&a.to_ascii_lowercase().as_str()))
    } else {
        as_list(s.get("Action")).iter().any(|a| a == "*")
    };
    when_no_mfa && only_that_condition && every_resource && every_action
}

/// Condition keys that tie a statement to known callers, so that an `Allow` to
/// everyone (`"Principal": "*"`) under one of them is not public. Kept in one
/// place for every resource-policy check (S3 bucket policies first). S3's
/// own list (the meaning of "public" for Block Public Access) plus the
/// organization and principal keys, which with fixed values admit no one
/// outside the organization or the named principals. Not here:
/// `aws:username` (any account can have a user of that name) and
/// `aws:PrincipalServiceName` (a service acts for every customer).
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
    "aws:userid",
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
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
    let v = v.trim();
    // `arn:PARTITION:*` matches every ARN of that partition (aws, aws-cn, …).
    matches!(v, "*" | "arn:*" | "arn:*:*")
        || crate::aws::inventory::strip_arn_prefix(v, "*") == Some("")
        || broad_cidr(v)
}

/// An address block too wide to name known callers: any `/0`, IPv4 wider
/// than /8, IPv6 wider than /32 (`0.0.0.0/1` and `128.0.0.0/1` together
/// are the whole internet).
fn broad_cidr(v: &str) -> bool {
    let Some((addr, len)) = v.split_once('/') else {
        return false;
    };
    let Ok(len) = len.trim().parse::<u8>() else {
        return false;
    };
    match addr.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => len < 8,
        Ok(std::net::IpAddr::V6(_)) => len < 32,
        Err(_) => false,
    }
}

/// Condition values as strings (numbers and booleans written as JSON does).
fn values_of(v: &Value) -> Vec<String> {
    let one = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        x => one(x).into_iter().collect(),
    }
}

/// Whether a value of condition key `key` under operator `op` (lower case,
/// without set prefix) still names known callers. S3 counts only fixed
/// values: no wildcard and no policy variable (`${aws:userid}` compares a
/// key with itself and matches everyone). Under the pattern operators
/// (`StringLike`, `ArnLike`, `ArnEquals`, which also takes wildcards) a
/// wildcard that leaves the account or organization open matches callers
/// nobody listed: `arn:aws:cloudfront::*:distribution/*` is every
/// distribution of every account, `1111*` every account starting so. An
/// ARN whose partition, service and account are fixed stays within that
/// account (for `StringLike`, whose `*` also spans `:`, the region must be
/// fixed too); an organization path with a fixed organization id stays in
/// it; `aws:userid` `AROLEID:*` is one role's sessions.
fn pinned(op: &str, key: &str, value: &str) -> bool {
    if value.contains("${") {
        return false;
    }
    let wild = |s: &str| s.contains('*') || s.contains('?');
    if !wild(value) {
        return true;
    }
    let arn_op = op.starts_with("arn");
    if !(arn_op || op.ends_with("like")) {
        // A literal `*` under StringEquals matches only itself.
        return true;
    }
    if let Some(rest) = value.strip_prefix("arn:") {
        // partition:service:region:account:resource
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return parts.len() == 5
            && !wild(parts[0])
            && !wild(parts[1])
            && (arn_op || !wild(parts[2]))
            && !wild(parts[3])
            && !parts[3].is_empty();
    }
    let key = key.to_ascii_lowercase();
    if key.ends_with("orgpaths") {
        return value
            .split('/')
            .next()
            .is_some_and(|org| !org.is_empty() && !wild(org));
    }
    if key == "aws:userid" {
        return value
            .split_once(':')
            .is_some_and(|(id, _)| !id.is_empty() && !wild(id));
    }
    false
}

/// Does the statement's condition tie it to known callers?
pub fn has_restricting_condition(stmt: &Value) -> bool {
    let Some(Value::Object(cond)) = stmt.get("Condition") else {
        return false;
    };
    cond.iter().any(|(op, body)| {
        let lower = op.to_ascii_lowercase();
        // `ForAllValues:` is true when the request has no value for the key
        // at all (an anonymous request carries no aws:SourceAccount).
        if lower.starts_with("forallvalues:") {
            return false;
        }
        // `ForAnyValue:StringEquals` narrows like `StringEquals`; an
        // `…IfExists` operator lets requests without the key through.
        let op = lower.rsplit(':').next().unwrap_or(&lower);
        if op.ends_with("ifexists") {
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
                    let values = values_of(v);
                    !values.is_empty()
                        && !values
                            .iter()
                            .any(|x| matches_everyone(x) || !pinned(op, k, x))
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
mod partition_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_arn_wildcard_of_any_partition_narrows_nothing() {
        for everyone in ["arn:aws:*", "arn:aws-cn:*", "arn:aws-us-gov:*", "arn:*"] {
            let stmt = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Condition": {"ArnLike": {"aws:SourceArn": everyone}}});
            assert!(!has_restricting_condition(&stmt), "{everyone}");
        }
        let one = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws-cn:cloudfront::111122223333:distribution/E1"}}});
        assert!(has_restricting_condition(&one));
    }
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
    fn denies_that_cut_admin_rights() {
        let deny = |extra: Value| {
            let mut s = json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*"});
            if let (Value::Object(m), Value::Object(e)) = (&mut s, extra) {
                m.extend(e);
            }
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, s]})
        };
        use SignIn::{Federated, IamUserWithMfa};
        let cond = |c: Value| deny(json!({"Condition": c}));
        for who in [IamUserWithMfa, Federated] {
            assert!(limits_admin(&deny(json!({})), who));
            assert!(limits_admin(
                &cond(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
                who
            ));
            let nothing =
                json!({"Statement": {"Effect": "Deny", "NotAction": "*", "Resource": "*"}});
            assert!(!limits_admin(&nothing, who));
            let admin = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
            assert!(!limits_admin(&admin, who));
        }
        // An IAM user who signs in to the console with MFA: a Deny only while
        // MFA is absent or old leaves them everything; one while MFA is
        // present applies.
        for c in [
            json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": false}}),
            json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
            json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}),
        ] {
            assert!(!limits_admin(&cond(c.clone()), IamUserWithMfa), "{c}");
        }
        assert!(limits_admin(
            &cond(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            IamUserWithMfa
        ));
        // A SAML or Identity Center session: STS did not see the identity
        // provider's MFA, so the key is false (Bool matches) or absent
        // (BoolIfExists matches): both Denies apply. MultiFactorAuthAge is
        // absent: a comparison without IfExists never matches, with IfExists
        // (or Null: true) it always does.
        for (c, applies) in [
            (
                json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
                true,
            ),
            (
                json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
                true,
            ),
            (
                json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                false,
            ),
            (
                json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
                true,
            ),
            (
                json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}),
                false,
            ),
            (
                json!({"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}),
                true,
            ),
            (json!({"Null": {"aws:MultiFactorAuthAge": "true"}}), true),
            (json!({"Null": {"aws:MultiFactorAuthAge": "false"}}), false),
            (
                json!({"ForAllValues:NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}),
                true,
            ),
            // ANDed with a key that never matches: the Deny never applies.
            (
                json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": "60"}}),
                false,
            ),
        ] {
            assert_eq!(limits_admin(&cond(c.clone()), Federated), applies, "{c}");
        }
    }

    #[test]
    fn mfa_enforcement_detection() {
        let deny = json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:EnableMFADevice"], "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(enforces_mfa(&deny));
        let deny_bool = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"AWS:MultiFactorAuthPresent": false}}}]});
        assert!(enforces_mfa(&deny_bool));
        // An Allow conditioned on MFA enforces nothing: any other Allow the
        // user holds works without MFA.
        let age = json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}}]});
        assert!(!enforces_mfa(&age));
        // A Deny scoped to a few actions leaves the console open without MFA.
        let narrow = json!({"Statement": [{"Effect": "Deny", "Action": "ec2:TerminateInstances",
            "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(!enforces_mfa(&narrow));
        // Exempting a whole service is not an MFA set-up exemption.
        let exempt_iam = json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:*"],
            "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(!enforces_mfa(&exempt_iam));
        // Scoped to some resources, or skipped under another condition.
        let some_resources = json!({"Statement": [{"Effect": "Deny", "Action": "*",
            "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]});
        assert!(!enforces_mfa(&some_resources));
        let other_condition = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"},
                          "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]});
        assert!(!enforces_mfa(&other_condition));
        // moat's own policy enforces it.
        let own: Value = serde_json::from_str(include_str!("../assets/policies/require-mfa.json"))
            .expect("require-mfa.json");
        assert!(enforces_mfa(&own));
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
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2/r-ab12/*"]}}),
            json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ops-*"}}),
            // One role's sessions (S3: aws:userid outside "AROLEID:*").
            json!({"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}),
            // ArnLike matches segment by segment: a wild region stays in the account.
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:111122223333:*"}}),
            // Keys S3 counts, and numbers written as numbers.
            json!({"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}),
            json!({"StringEquals": {"aws:SourceAccount": 111122223333u64}}),
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
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
            // Wildcards that leave the account or organization open.
            json!({"StringLike": {"aws:SourceArn": "arn:aws:cloudfront::*:distribution/*"}}),
            json!({"ArnLike": {"aws:SourceArn": "arn:*:cloudfront::111122223333:distribution/*"}}),
            json!({"StringLike": {"aws:SourceAccount": "1111*"}}),
            json!({"StringLike": {"aws:SourceVpce": "vpce-*"}}),
            json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}),
            json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-*/*"]}}),
            // ArnEquals takes wildcards as ArnLike does.
            json!({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::*:distribution/*"}}),
            json!({"ForAnyValue:ArnEquals": {"aws:SourceArn": "arn:aws:s3:::*"}}),
            // A policy variable compares a key with itself.
            json!({"StringEquals": {"aws:userid": "${aws:userid}"}}),
            json!({"StringLike": {"aws:SourceAccount": "${aws:SourceAccount}"}}),
            // ForAllValues is true without the key (an anonymous request).
            json!({"ForAllValues:StringEquals": {"aws:SourceAccount": "111122223333"}}),
            // Keys anyone can satisfy.
            json!({"StringEquals": {"aws:username": "alice"}}),
            json!({"StringEquals": {"aws:PrincipalServiceName": "cloudfront.amazonaws.com"}}),
            // The whole internet in two halves, or any /0.
            json!({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}),
            json!({"IpAddress": {"aws:SourceIp": "1.2.3.4/0"}}),
            json!({"IpAddress": {"aws:SourceIp": "::0/0"}}),
            json!({"IpAddress": {"aws:SourceIp": "2001::/16"}}),
            // StringLike's `*` spans `:`: a wild region swallows the account.
            json!({"StringLike": {"aws:SourceArn": "arn:aws:logs:*:111122223333:*"}}),
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

/// Property tests: every public helper on arbitrary JSON and on mutated real
/// policies (those of the demo account). Cases per property:
/// `PROPTEST_CASES` (256 by default). To fuzz for a few minutes:
/// `PROPTEST_CASES=10000 cargo test --lib fuzz_ -- --test-threads 2` (about 4 to
/// 5 minutes on two cores; raise it to fuzz longer).
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use crate::aws::inventory::document::fuzz_tests::config;
    use proptest::prelude::*;
    use serde_json::{Map, json};

    /// Words policies are made of, so that generated documents reach past
    /// the first `match`.
    const WORDS: &[&str] = &[
        "Version",
        "2012-10-17",
        "Statement",
        "Sid",
        "Effect",
        "Allow",
        "Deny",
        "allow",
        "Principal",
        "NotPrincipal",
        "AWS",
        "aws",
        "Service",
        "*",
        " * ",
        "Action",
        "NotAction",
        "Resource",
        "Condition",
        "Bool",
        "BoolIfExists",
        "StringEquals",
        "stringequals",
        "StringLike",
        "StringEqualsIfExists",
        "ForAnyValue:StringEquals",
        "ForAllValues:ArnLike",
        "IpAddress",
        "NotIpAddress",
        "NumericLessThan",
        "NumericLessThanEquals",
        "aws:SourceArn",
        "AWS:SOURCEACCOUNT",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:SecureTransport",
        "false",
        "true",
        "0.0.0.0/0",
        "::/0",
        "arn:aws:*",
        "arn:aws:iam::111122223333:root",
        "s3:GetObject",
        "",
        ":",
        "IfExists",
    ];

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(WORDS).prop_map(str::to_string),
            1 => any::<String>(),
            1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202e}a-z:*]{0,8}",
        ]
    }

    /// Arbitrary JSON: nested objects and arrays, policy words for keys and
    /// strings.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            word().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((word(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// Something shaped like a statement, with arbitrary parts.
    fn statement() -> impl Strategy<Value = Value> {
        let field = |k: &'static str| {
            prop_oneof![
                Just(None),
                json_value().prop_map(Some),
                word().prop_map(|w| Some(Value::String(w))),
            ]
            .prop_map(move |v| (k, v))
        };
        (
            field("Sid"),
            field("Effect"),
            field("Principal"),
            field("Action"),
            field("Resource"),
            field("Condition"),
        )
            .prop_map(|(a, b, c, d, e, f)| {
                let mut m = Map::new();
                for (k, v) in [a, b, c, d, e, f] {
                    if let Some(v) = v {
                        m.insert(k.to_string(), v);
                    }
                }
                Value::Object(m)
            })
    }

    /// Every policy document in the demo account, plus a few of our own.
    fn real_policies() -> Vec<Value> {
        fn walk(v: &Value, out: &mut Vec<Value>) {
            match v {
                Value::Object(m) => {
                    if m.contains_key("Statement") {
                        out.push(v.clone());
                    }
                    m.values().for_each(|x| walk(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut out = vec![];
        if let Ok(demo) = serde_json::from_str::<Value>(crate::collect::demo::DEMO_JSON) {
            walk(&demo, &mut out);
        }
        out.push(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "Cf", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}},
            {"Effect": "Deny", "NotAction": ["iam:EnableMFADevice"], "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
            {"Effect": "Allow", "Action": "*", "Resource": "*"}
        ]}));
        out
    }

    /// Replace the `n`th node (pre-order, modulo the count) with `new`.
    fn replace_node(v: &mut Value, n: usize, new: Value) {
        fn count(v: &Value) -> usize {
            1 + match v {
                Value::Object(m) => m.values().map(count).sum(),
                Value::Array(a) => a.iter().map(count).sum(),
                _ => 0,
            }
        }
        fn go(v: &mut Value, n: &mut usize, new: &mut Option<Value>) {
            if *n == 0 {
                if let Some(x) = new.take() {
                    *v = x;
                }
                return;
            }
            *n -= 1;
            let children: Vec<&mut Value> = match v {
                Value::Object(m) => m.values_mut().collect(),
                Value::Array(a) => a.iter_mut().collect(),
                _ => vec![],
            };
            for c in children {
                if new.is_none() {
                    return;
                }
                go(c, n, new);
            }
        }
        let mut n = n % count(v);
        go(v, &mut n, &mut Some(new));
    }

    /// A real policy with a few nodes replaced by arbitrary JSON.
    fn mutated_policy() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(real_policies()),
            prop::collection::vec((any::<usize>(), json_value()), 1..4),
        )
            .prop_map(|(mut doc, edits)| {
                for (n, new) in edits {
                    replace_node(&mut doc, n, new);
                }
                doc
            })
    }

    fn document() -> impl Strategy<Value = Value> {
        prop_oneof![
            json_value(),
            mutated_policy(),
            prop::collection::vec(statement(), 0..5)
                .prop_map(|s| json!({"Version": "2012-10-17", "Statement": s})),
            statement().prop_map(|s| json!({"Statement": s})),
        ]
    }

    /// Every public function on `doc` (and on each of its statements).
    fn exercise(doc: &Value, stmt: &Value) -> Result<(), TestCaseError> {
        let _ = as_list(Some(doc));
        let _ = as_list(doc.get("Action"));
        let _ = grants_full_admin(doc);
        let _ = enforces_mfa(doc);
        let _ = limits_admin(doc, SignIn::IamUserWithMfa);
        let _ = limits_admin(doc, SignIn::Federated);
        let stmts = statements(doc);
        for s in &stmts {
            let _ = effect(s);
            let _ = has_restricting_condition(s);
            let everyone = principal_is_everyone(s.get("Principal"));
            if is_public_statement(s) {
                prop_assert!(effect(s) == "Allow" && everyone);
                prop_assert!(!has_restricting_condition(s));
            }
        }
        // Removing nothing keeps every statement; removing everything
        // leaves no document.
        match without_statements(doc, |_| false) {
            None => prop_assert!(stmts.is_empty()),
            Some(kept) => {
                if doc.is_object() {
                    prop_assert_eq!(statements(&kept), stmts.clone());
                }
            }
        }
        prop_assert_eq!(without_statements(doc, |_| true), None);
        if let Some(rest) = without_statements(doc, is_public_statement)
            && rest.is_object()
        {
            prop_assert!(!statements(&rest).into_iter().any(is_public_statement));
        }
        // Merging a statement: it is in the result, once more or in place,
        // and merging it again changes nothing when it has a Sid.
        let merged = with_statement(Some(doc), stmt.clone());
        let after = statements(&merged);
        prop_assert!(after.contains(&stmt));
        let n = stmts.len();
        prop_assert!(after.len() == n || after.len() == n + 1);
        if stmt.get("Sid").and_then(Value::as_str).is_some() {
            prop_assert_eq!(with_statement(Some(&merged), stmt.clone()), merged.clone());
        } else {
            prop_assert_eq!(after.len(), n + 1);
        }
        let fresh = with_statement(None, stmt.clone());
        prop_assert_eq!(statements(&fresh), vec![stmt]);
        Ok(())
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn fuzz_policy_arbitrary_json(doc in json_value(), stmt in json_value()) {
            exercise(&doc, &stmt)?;
        }

        #[test]
        fn fuzz_policy_documents(doc in document(), stmt in statement()) {
            exercise(&doc, &stmt)?;
        }

        #[test]
        fn fuzz_policy_mutated_real_policies(doc in mutated_policy(), stmt in statement()) {
            exercise(&doc, &stmt)?;
            // Re-serialised text reads back the same (what the diff shows).
            let text = serde_json::to_string(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(grants_full_admin(&back), grants_full_admin(&doc));
            prop_assert_eq!(enforces_mfa(&back), enforces_mfa(&doc));
        }
    }

    #[test]
    fn fuzz_policy_has_real_policies() {
        assert!(real_policies().len() > 3);
    }
}
