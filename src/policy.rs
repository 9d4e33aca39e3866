//! Small, exact helpers over IAM policy documents (statements, actions,
//! conditions). The full permission analyser comes with the CloudTrail section.

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
}
