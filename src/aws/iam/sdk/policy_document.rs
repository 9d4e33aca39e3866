//! IAM policy documents as the API returns them: URL-encoded JSON (RFC 3986),
//! or plain JSON from some endpoints. Both become a `serde_json::Value`.

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// Decode a policy document: plain JSON is parsed as is, anything else is
/// percent-decoded first.
pub(crate) fn decode_policy_document(raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| format!("not valid JSON: {e}"));
    }
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|e| format!("not valid UTF-8 after URL-decoding: {e}"))?;
    serde_json::from_str(&decoded).map_err(|e| format!("not valid JSON after URL-decoding: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_encoded() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let v = decode_policy_document(raw).expect("decodes");
        assert_eq!(
            v,
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        );
    }

    #[test]
    fn plain_json_with_percent_inside() {
        let raw = r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%25/*"}]}"#;
        let v = decode_policy_document(raw).expect("decodes");
        assert_eq!(v["Statement"][0]["Resource"], "arn:aws:s3:::b/100%25/*");
    }

    #[test]
    fn encoded_spaces_and_plus_kept() {
        let raw = "%7B%22Sid%22%3A%20%22a+b%22%7D";
        assert_eq!(
            decode_policy_document(raw).expect("decodes"),
            json!({"Sid": "a+b"})
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode_policy_document("%7Bnot json").is_err());
        assert!(decode_policy_document("%FF%FE").is_err());
        assert!(decode_policy_document("{").is_err());
    }
}
