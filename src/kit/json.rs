//! Canonical JSON: the text form of a resource's document that previews diff
//! and drift checks compare.

use serde_json::{Map, Value};

/// Sort every object's keys recursively, so equal documents print equally.
pub fn canonicalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canonicalize(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(canonicalize).collect()),
        other => other.clone(),
    }
}

/// Canonical JSON text: sorted keys, pretty-printed, trailing newline.
/// `None` (the resource does not exist) renders as the empty text.
pub fn canonical_json(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(v) => {
            let mut s = serde_json::to_string_pretty(&canonicalize(v)).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys() {
        let v = json!({"b": 1, "a": {"d": 2, "c": 3}});
        assert_eq!(
            canonical_json(Some(&v)),
            "{\n  \"a\": {\n    \"c\": 3,\n    \"d\": 2\n  },\n  \"b\": 1\n}\n"
        );
        assert_eq!(canonical_json(None), "");
    }
}
