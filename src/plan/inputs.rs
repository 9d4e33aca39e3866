//! Inputs some plans need (an e-mail, a phone number, a name…): their specs and
//! validation, shared by the TUI form and `--input NAME=VALUE`.

use super::PlanError;
pub use crate::kit::cidr::parse_cidr;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Free text, 1..=max characters, no control characters.
    Text {
        max: usize,
    },
    Email,
    /// International phone number: `+`, digits, spaces, dashes, dots, parentheses.
    Phone,
    /// An IAM name (users, groups): 1–64 of `A-Za-z0-9+=,.@_-`.
    IamName,
    Int {
        min: i64,
        max: i64,
    },
    /// An MFA device: a virtual device's ARN or a hardware token's serial.
    MfaSerial,
    /// The six-digit code an MFA device shows now. Secret: masked in the
    /// form, never logged or journaled.
    MfaCode,
    /// `AES256` (S3-managed keys) or a KMS key: id, ARN, alias or alias ARN.
    KmsKey,
    /// One or more IPv4/IPv6 CIDR blocks, comma-separated (the CLI also takes
    /// the input repeated). The network address only (no host bits), and
    /// never the whole internet (`0.0.0.0/0`, `::/0`): the value is
    /// normalised to `a/b,c/d`.
    Cidrs,
    /// One of a fixed set of words (e.g. `tighten`, `revoke`; `yes`, `no`).
    Choice {
        options: &'static [&'static str],
    },
    /// An S3 bucket name (3–63 of a-z 0-9 . -, as S3 requires).
    BucketName,
    /// An amount of money in US dollars: a positive number, at most two decimals.
    Amount,
    /// An SPF record value: `v=spf1` and mechanisms/modifiers (RFC 7208 syntax).
    Spf,
}

impl InputKind {
    /// Values the form masks and nothing stores.
    pub fn is_secret(self) -> bool {
        matches!(self, InputKind::MfaCode)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    pub name: &'static str,
    pub kind: InputKind,
    /// Used when the user gives no value; `None` makes the input required.
    pub default: Option<&'static str>,
}

impl InputSpec {
    /// Check (and trim) a value; the error is one line naming what is wrong.
    pub fn validate(&self, raw: &str) -> Result<String, String> {
        let v = raw.trim();
        if v.is_empty() {
            return Err("a value is required".into());
        }
        if v.chars().any(char::is_control) {
            return Err("control characters are not allowed".into());
        }
        // Invisible and bidi characters that hide or reorder text on a
        // terminal (the ones `kit::text::sanitize` escapes).
        if v.chars().any(|c| {
            ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        }) {
            return Err("invisible or bidi control characters are not allowed".into());
        }
        match self.kind {
            InputKind::Text { max } => {
                if v.chars().count() > max {
                    return Err(format!("at most {max} characters"));
                }
            }
            InputKind::Email => {
                let ok = v.len() <= 254
                    && !v.contains(char::is_whitespace)
                    && v.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty()
                            && !domain.contains('@')
                            && domain.contains('.')
                            && !domain.starts_with('.')
                            && !domain.ends_with('.')
                            && !domain.contains("..")
                    });
                if !ok {
                    return Err("not an e-mail address (expected name@example.com)".into());
                }
            }
            InputKind::Phone => {
                let digits = v.chars().filter(char::is_ascii_digit).count();
                let allowed = v
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
                if !allowed || !(6..=20).contains(&digits) || v.rfind('+').is_some_and(|i| i != 0) {
                    return Err("not a phone number (expected e.g. +1 555 0100)".into());
                }
            }
            InputKind::IamName => {
                let ok = v.len() <= 64
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
                if !ok {
                    return Err("1–64 characters of letters, digits and + = , . @ _ -".into());
                }
            }
            InputKind::Int { min, max } => {
                let n: i64 = v.parse().map_err(|_| "not a whole number".to_string())?;
                if n < min || n > max {
                    return Err(format!("must be between {min} and {max}"));
                }
            }
            InputKind::MfaSerial => {
                let ok = (9..=256).contains(&v.len())
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=/:,.@_-".contains(c))
                    && (!v.starts_with("arn:")
                        || (crate::aws::inventory::arn_partition(v).is_some()
                            && v.contains(":mfa/")));
                if !ok {
                    return Err(
                        "not an MFA device (expected arn:aws:iam::123456789012:mfa/NAME or a hardware serial)"
                            .into(),
                    );
                }
            }
            InputKind::MfaCode => {
                if v.len() != 6 || !v.chars().all(|c| c.is_ascii_digit()) {
                    return Err("the code is the six digits the device shows now".into());
                }
            }
            InputKind::KmsKey => {
                let ok = v.len() <= 2048
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ":/_-".contains(c))
                    && (v == "AES256"
                        || v.starts_with("alias/")
                        || (crate::aws::inventory::arn_partition(v).is_some()
                            && v.contains(":kms:"))
                        || (v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4)
                        || (v.starts_with("mrk-") && v.len() > 4));
                if !ok {
                    return Err(
                        "expected AES256, or a KMS key id, key ARN, alias/NAME or alias ARN".into(),
                    );
                }
            }
            InputKind::Cidrs => {
                let mut out = Vec::new();
                for part in v.split(',').map(str::trim) {
                    if part.is_empty() {
                        continue;
                    }
                    let (addr, len) = parse_cidr(part)?;
                    if len == 0 {
                        return Err(format!(
                            "{part} is the whole internet: enter the networks that need access"
                        ));
                    }
                    let c = format!("{addr}/{len}");
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                if out.is_empty() {
                    return Err("enter at least one CIDR block, e.g. 203.0.113.0/24".into());
                }
                if out.len() > 50 {
                    return Err("at most 50 CIDR blocks".into());
                }
                return Ok(out.join(","));
            }
            InputKind::Choice { options } => {
                let lower = v.to_ascii_lowercase();
                return match options.iter().find(|o| **o == lower) {
                    Some(o) => Ok(o.to_string()),
                    None => Err(format!("expected one of: {}", options.join(", "))),
                };
            }
            InputKind::BucketName => {
                if !valid_bucket_name(v) {
                    return Err(
                        "not a bucket name (3–63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)"
                            .into(),
                    );
                }
            }
            InputKind::Amount => {
                let t = v.strip_prefix('$').unwrap_or(v).trim();
                let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
                let ok = !whole.is_empty()
                    && whole.len() <= 9
                    && whole.chars().all(|c| c.is_ascii_digit())
                    && frac.len() <= 2
                    && frac.chars().all(|c| c.is_ascii_digit())
                    && !(t.contains('.') && frac.is_empty());
                let n: f64 = if ok { t.parse().unwrap_or(0.0) } else { 0.0 };
                if !ok || n <= 0.0 {
                    return Err("an amount in US dollars, e.g. 250 or 1200.50".into());
                }
                return Ok(t.to_string());
            }
            InputKind::Spf => validate_spf(v)?,
        }
        Ok(v.to_string())
    }
}

/// An S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens,
/// starting and ending with a letter or digit.
pub fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("..")
}

/// RFC 7208 syntax of an SPF record: `v=spf1`, then mechanisms (with an
/// optional qualifier) and modifiers, separated by single spaces.
fn validate_spf(v: &str) -> Result<(), String> {
    if v.len() > 450 {
        return Err("an SPF record longer than 450 characters cannot be looked up reliably".into());
    }
    let mut terms = v.split(' ');
    if terms.next() != Some("v=spf1") {
        return Err("an SPF record starts with v=spf1".into());
    }
    let mut all_seen = false;
    for t in terms {
        if t.is_empty() {
            return Err("terms are separated by single spaces".into());
        }
        if all_seen {
            return Err(format!("'{t}' comes after 'all', which ends the record"));
        }
        let body = t.strip_prefix(['+', '-', '~', '?']).unwrap_or(t);
        let (name, arg) = match body.find([':', '=', '/']) {
            Some(i) => (&body[..i], Some(&body[i..])),
            None => (body, None),
        };
        let name = name.to_ascii_lowercase();
        let ok = match name.as_str() {
            "all" => {
                all_seen = true;
                arg.is_none()
            }
            "include" | "exists" => arg.is_some_and(|a| a.starts_with(':') && a.len() > 1),
            "a" | "mx" | "ptr" => arg.is_none_or(|a| a.len() > 1),
            "ip4" => arg.and_then(|a| a.strip_prefix(':')).is_some_and(|a| {
                let (ip, len) = a.split_once('/').unwrap_or((a, "32"));
                ip.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 32)
            }),
            "ip6" => arg.and_then(|a| a.strip_prefix(':')).is_some_and(|a| {
                let (ip, len) = a.split_once('/').unwrap_or((a, "128"));
                ip.parse::<std::net::Ipv6Addr>().is_ok()
                    && len.parse::<u8>().is_ok_and(|l| l <= 128)
            }),
            "redirect" | "exp" => {
                t == body && arg.is_some_and(|a| a.starts_with('=') && a.len() > 1)
            }
            _ => false,
        };
        if !ok {
            return Err(format!(
                "'{t}' is not an SPF term (mechanisms: all, include:, a, mx, ip4:, ip6:, exists:; modifiers: redirect=, exp=)"
            ));
        }
    }
    Ok(())
}

/// What the user asked for: input values and, optionally, which failing
/// resources to fix (empty = all of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub values: BTreeMap<String, String>,
    pub resources: Vec<String>,
}

impl Inputs {
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_string(), value.to_string());
        self
    }

    /// Is `resource` among those selected?
    pub fn wants(&self, resource: &str) -> bool {
        self.resources.is_empty() || self.resources.iter().any(|r| r == resource)
    }

    /// The validated value of `spec` (or its default).
    pub fn get(&self, spec: &InputSpec) -> Result<String, PlanError> {
        match (self.values.get(spec.name), spec.default) {
            (Some(v), _) => spec.validate(v).map_err(|message| PlanError::Input {
                name: spec.name.to_string(),
                message,
            }),
            (None, Some(d)) => Ok(d.to_string()),
            (None, None) => Err(PlanError::Input {
                name: spec.name.to_string(),
                message: "missing (give it with --input NAME=VALUE)".into(),
            }),
        }
    }

    /// Reject inputs the item does not take.
    pub fn check_names(&self, specs: &[InputSpec]) -> Result<(), PlanError> {
        for name in self.values.keys() {
            if !specs.iter().any(|s| s.name == name) {
                let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                let message = if known.is_empty() {
                    "this item takes no input".to_string()
                } else {
                    format!("unknown input; this item takes {}", known.join(", "))
                };
                return Err(PlanError::Input {
                    name: name.clone(),
                    message,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: InputKind) -> InputSpec {
        InputSpec {
            name: "x",
            kind,
            default: None,
        }
    }

    #[test]
    fn email_validation() {
        let s = spec(InputKind::Email);
        assert_eq!(
            s.validate(" sec@example.com "),
            Ok("sec@example.com".into())
        );
        for bad in [
            "",
            "sec",
            "sec@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@@example.com",
            "a@example..com",
        ] {
            assert!(s.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_validation() {
        let s = spec(InputKind::Phone);
        assert!(s.validate("+1 555 0100").is_ok());
        assert!(s.validate("+44 (20) 7946-0958").is_ok());
        for bad in ["12", "call me", "+1 555 0100 +2", "555\u{1b}[2J0100"] {
            assert!(s.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn int_and_name_validation() {
        let s = spec(InputKind::Int { min: 1, max: 10 });
        assert!(s.validate("3").is_ok());
        assert!(s.validate("0").is_err());
        assert!(s.validate("x").is_err());
        let n = spec(InputKind::IamName);
        assert!(n.validate("break-glass-admin").is_ok());
        assert!(n.validate("bad name").is_err());
    }

    #[test]
    fn cidr_choice_bucket_amount_spf_validation() {
        let c = spec(InputKind::Cidrs);
        assert_eq!(
            c.validate(" 10.0.0.0/8, 2001:db8::/32 ,10.0.0.0/8"),
            Ok("10.0.0.0/8,2001:db8::/32".to_string())
        );
        assert_eq!(c.validate("203.0.113.7/32"), Ok("203.0.113.7/32".into()));
        for bad in [
            "0.0.0.0/0",
            "::/0",
            "10.0.0.1/8",
            "10.0.0.0",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.0/8x",
            "banana",
            ",",
            "10.0.0.0/-1",
        ] {
            assert!(c.validate(bad).is_err(), "{bad}");
        }
        assert!(
            c.validate("10.0.0.1/8")
                .unwrap_err()
                .contains("did you mean 10.0.0.0/8")
        );
        let ch = spec(InputKind::Choice {
            options: &["tighten", "revoke"],
        });
        assert_eq!(ch.validate("Revoke"), Ok("revoke".into()));
        assert!(ch.validate("delete").is_err());
        let b = spec(InputKind::BucketName);
        assert!(b.validate("moat-trail-logs-123").is_ok());
        assert!(b.validate("Bad_Name").is_err());
        let a = spec(InputKind::Amount);
        assert_eq!(a.validate("$250"), Ok("250".into()));
        assert_eq!(a.validate("1200.50"), Ok("1200.50".into()));
        for bad in ["0", "-5", "1.234", "12.", "abc", "1e9", "0.00"] {
            assert!(a.validate(bad).is_err(), "{bad}");
        }
        let spf = spec(InputKind::Spf);
        for ok in [
            "v=spf1 -all",
            "v=spf1 include:_spf.google.com ~all",
            "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 mx a:mail.example.com -all",
            "v=spf1 redirect=_spf.example.com",
        ] {
            assert!(spf.validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "spf1 -all",
            "v=spf1  -all",
            "v=spf1 -all mx",
            "v=spf1 include",
            "v=spf1 ip4:300.1.1.1",
            "v=spf1 foo:bar",
        ] {
            assert!(spf.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mfa_and_kms_validation() {
        let serial = spec(InputKind::MfaSerial);
        assert!(
            serial
                .validate("arn:aws:iam::123456789012:mfa/root-account-mfa-device")
                .is_ok()
        );
        assert!(serial.validate("GAHT12345678").is_ok());
        assert!(serial.validate("arn:aws:s3:::bucket").is_err());
        assert!(serial.validate("short").is_err());
        let code = spec(InputKind::MfaCode);
        assert!(code.validate("123456").is_ok());
        for bad in ["12345", "1234567", "12a456", "12 456"] {
            assert!(code.validate(bad).is_err(), "{bad}");
        }
        assert!(InputKind::MfaCode.is_secret() && !InputKind::MfaSerial.is_secret());
        let kms = spec(InputKind::KmsKey);
        for ok in [
            "AES256",
            "alias/s3-logs",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert!(kms.validate(ok).is_ok(), "{ok}");
        }
        for bad in ["aes", "alias/with space", "arn:aws:s3:::x"] {
            assert!(kms.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_and_unknown_inputs_name_the_input() {
        let specs = [InputSpec {
            name: "email",
            kind: InputKind::Email,
            default: None,
        }];
        let i = Inputs::default();
        assert!(matches!(i.get(&specs[0]), Err(PlanError::Input { name, .. }) if name == "email"));
        let i = Inputs::default().with("emial", "x");
        assert!(
            matches!(i.check_names(&specs), Err(PlanError::Input { name, .. }) if name == "emial")
        );
    }
}

/// Property tests of input validation: no value panics a validator, and no
/// accepted value holds a control character (or a bidi/zero-width format
/// character that reorders or hides text on a terminal). Cases:
/// `PROPTEST_CASES` (256 by default). To fuzz for a few minutes:
/// `PROPTEST_CASES=10000 cargo test --lib fuzz_ -- --test-threads 2` (about 4 to
/// 5 minutes on two cores; raise it to fuzz longer).
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: &[InputKind] = &[
        InputKind::Text { max: 64 },
        InputKind::Text { max: 1 },
        InputKind::Email,
        InputKind::Phone,
        InputKind::IamName,
        InputKind::Int { min: 1, max: 3650 },
        InputKind::Int {
            min: i64::MIN,
            max: i64::MAX,
        },
        InputKind::MfaSerial,
        InputKind::MfaCode,
        InputKind::KmsKey,
        InputKind::Cidrs,
        InputKind::Choice {
            options: &["yes", "no"],
        },
        InputKind::BucketName,
        InputKind::Amount,
        InputKind::Spf,
    ];

    /// Characters that must never be accepted: C0, DEL, C1, bidi controls
    /// and zero-width characters.
    fn forbidden(c: char) -> bool {
        c.is_control()
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    }

    fn input_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(
                "abcAZ019 +-.()@_=,:/alias-arnawsmfakms".chars().collect::<Vec<_>>()
            ),
            1 => any::<char>(),
            2 => prop::sample::select(vec![
                '\u{0}', '\u{7}', '\u{8}', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1b}',
                '\u{7f}', '\u{85}', '\u{9b}', '\u{a0}', '\u{200b}', '\u{200e}', '\u{202e}',
                '\u{2066}', '\u{2028}', '\u{feff}', '\u{3000}',
            ]),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::collection::vec(input_char(), 0..40).prop_map(|c| c.into_iter().collect()),
            // Valid values with something hostile inside.
            (
                prop::sample::select(vec![
                    "sec@example.com",
                    "+1 555 0100",
                    "break-glass-admin",
                    "42",
                    "arn:aws:iam::123456789012:mfa/root",
                    "123456",
                    "AES256",
                    "alias/s3-logs",
                    "Priya Raman",
                ]),
                any::<prop::sample::Index>(),
                input_char(),
            )
                .prop_map(|(v, at, c)| {
                    let mut chars: Vec<char> = v.chars().collect();
                    chars.insert(at.index(chars.len() + 1), c);
                    chars.into_iter().collect()
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fuzz_inputs_never_accept_control_characters(
            v in value(),
            kind in prop::sample::select(KINDS),
        ) {
            let spec = InputSpec { name: "x", kind, default: None };
            match spec.validate(&v) {
                Ok(ok) => {
                    prop_assert!(!ok.chars().any(forbidden), "{:?} accepted {:?}", kind, ok);
                    prop_assert_eq!(ok.as_str(), v.trim());
                    if let InputKind::Text { max } = kind {
                        prop_assert!(ok.chars().count() <= max);
                    }
                    // Valid once, valid again: validation is idempotent.
                    prop_assert_eq!(spec.validate(&ok), Ok(ok.clone()));
                }
                Err(e) => prop_assert!(!e.is_empty() && !e.contains('\n'), "{:?}", e),
            }
            // Through `Inputs` too.
            let inputs = Inputs::default().with("x", &v);
            if let Ok(ok) = inputs.get(&spec) {
                prop_assert!(!ok.chars().any(forbidden));
            }
        }
    }

    /// Found by fuzzing: free text took bidi overrides and zero-width spaces.
    #[test]
    fn fuzz_found_text_refuses_bidi_and_zero_width() {
        let s = InputSpec {
            name: "name",
            kind: InputKind::Text { max: 64 },
            default: None,
        };
        for bad in ["Priya \u{202e}nameR", "\u{200b}sec", "a\u{2066}b"] {
            assert!(s.validate(bad).is_err(), "{bad:?}");
        }
        assert_eq!(s.validate("Priya Raman"), Ok("Priya Raman".into()));
    }
}
