//! The IAM credential report: generate, poll until complete, download, parse.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::CredentialReportRow;
use aws_sdk_iam::types::ReportStateType;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// How long to wait for AWS to produce the report.
const REPORT_WAIT: Duration = Duration::from_secs(20);
const FIRST_POLL: Duration = Duration::from_millis(300);
const MAX_POLL: Duration = Duration::from_secs(2);

impl AwsBackend {
    pub(crate) async fn credential_report(&self) -> Result<Vec<CredentialReportRow>, CallError> {
        let deadline = Instant::now() + REPORT_WAIT;
        let mut pause = FIRST_POLL;
        let not_ready = |action: &str| {
            CallError::new(
                action,
                None,
                format!(
                    "the credential report was not ready after {} s; try again shortly",
                    REPORT_WAIT.as_secs()
                ),
            )
        };
        loop {
            let out = self
                .send(
                    "iam:GenerateCredentialReport",
                    self.iam().generate_credential_report().send(),
                )
                .await?;
            if out.state() == Some(&ReportStateType::Complete) {
                break;
            }
            if Instant::now() + pause > deadline {
                return Err(not_ready("iam:GenerateCredentialReport"));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
        let out = loop {
            match self
                .send(
                    "iam:GetCredentialReport",
                    self.iam().get_credential_report().send(),
                )
                .await
            {
                Ok(out) => break out,
                // Generation can lag behind the COMPLETE state for a moment.
                Err(e) if e.is_code("ReportInProgress") && Instant::now() + pause <= deadline => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_POLL);
                }
                Err(e) if e.is_code("ReportInProgress") => {
                    return Err(not_ready("iam:GetCredentialReport"));
                }
                Err(e) => return Err(e),
            }
        };
        let Some(content) = out.content() else {
            return Err(CallError::new(
                "iam:GetCredentialReport",
                None,
                "the report had no content",
            ));
        };
        let text = String::from_utf8_lossy(content.as_ref());
        parse_credential_report(&text).map_err(|m| {
            CallError::new(
                "iam:GetCredentialReport",
                None,
                format!("unreadable report: {m}"),
            )
        })
    }
}

/// Parse the report CSV. Columns are found by header name; the values
/// `N/A`, `not_supported` and `no_information` read as absent (or false).
pub(crate) fn parse_credential_report(csv: &str) -> Result<Vec<CredentialReportRow>, String> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns: HashMap<String, usize> = split_csv_line(header)
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name.trim().trim_start_matches('\u{feff}').to_string(), i))
        .collect();
    let col = |name: &str| columns.get(name).copied();
    let required =
        |name: &str| col(name).ok_or_else(|| format!("the header lacks the '{name}' column"));
    let (user, arn, password_enabled, mfa_active) = (
        required("user")?,
        required("arn")?,
        required("password_enabled")?,
        required("mfa_active")?,
    );
    let (password_last_used, password_last_changed, created, key1, key2) = (
        col("password_last_used"),
        col("password_last_changed"),
        col("user_creation_time"),
        col("access_key_1_active"),
        col("access_key_2_active"),
    );

    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        let fields = split_csv_line(line);
        let field = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .and_then(present)
        };
        let Some(user_name) = field(Some(user)) else {
            return Err(format!("row {} has no user name", n + 2));
        };
        rows.push(CredentialReportRow {
            user: user_name.to_string(),
            arn: field(Some(arn)).unwrap_or_default().to_string(),
            password_enabled: flag(field(Some(password_enabled))),
            password_last_used: field(password_last_used).and_then(timestamp),
            password_last_changed: field(password_last_changed).and_then(timestamp),
            user_creation_time: field(created).and_then(timestamp),
            mfa_active: flag(field(Some(mfa_active))),
            access_key_1_active: flag(field(key1)),
            access_key_2_active: flag(field(key2)),
        });
    }
    Ok(rows)
}

/// `None` for the report's "no value" markers.
fn present(s: &str) -> Option<&str> {
    match s {
        "" | "N/A" | "not_supported" | "no_information" => None,
        s => Some(s),
    }
}

fn flag(s: Option<&str>) -> bool {
    s.is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Split one CSV line, honouring double quotes (`""` inside quotes is a quote).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2015-01-01T00:00:00+00:00,not_supported,2024-05-01T10:11:12+00:00,not_supported,not_supported,false,true,2015-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,true,no_information,2020-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::123456789012:user/bob,2020-01-01T00:00:00Z,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

    #[test]
    fn parses_rows_by_header() {
        let rows = parse_credential_report(REPORT).expect("parses");
        assert_eq!(rows.len(), 3);
        let root = &rows[0];
        assert!(root.is_root());
        assert!(!root.password_enabled, "not_supported reads as false");
        assert_eq!(
            root.password_last_used,
            Utc.with_ymd_and_hms(2024, 5, 1, 10, 11, 12).single()
        );
        assert!(root.access_key_1_active);
        assert!(!root.mfa_active);
        let alice = &rows[1];
        assert_eq!(alice.user, "alice");
        assert_eq!(alice.arn, "arn:aws:iam::123456789012:user/alice");
        assert!(alice.password_enabled && alice.mfa_active);
        assert_eq!(
            alice.password_last_used, None,
            "no_information reads as None"
        );
        assert_eq!(
            alice.password_last_changed,
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single()
        );
        assert_eq!(
            alice.user_creation_time,
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single()
        );
        assert_eq!(
            root.password_last_changed, None,
            "not_supported reads as None"
        );
        assert_eq!(rows[2].password_last_changed, None, "N/A reads as None");
        assert!(!alice.access_key_1_active && alice.access_key_2_active);
        assert!(!rows[2].password_enabled);
    }

    #[test]
    fn column_order_does_not_matter() {
        let csv = "mfa_active,password_enabled,arn,user\r\ntrue,true,arn:x,carol\r\n";
        let rows = parse_credential_report(csv).expect("parses");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].user, "carol");
        assert!(rows[0].mfa_active && rows[0].password_enabled);
        assert!(
            !rows[0].access_key_1_active,
            "missing optional column reads as false"
        );
    }

    #[test]
    fn missing_required_column_is_an_error() {
        assert!(parse_credential_report("user,arn\nalice,arn:x\n").is_err());
        assert_eq!(parse_credential_report("").expect("empty is fine"), vec![]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(
            split_csv_line(r#"a,"b,c","d""e",,f"#),
            vec!["a", "b,c", "d\"e", "", "f"]
        );
    }
}
