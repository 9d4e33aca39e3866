//! The account model of CloudTrail and CloudWatch (issue 5): trails, the
//! lifecycle rules of their buckets, the KMS keys moat creates, SNS topics,
//! CloudWatch alarms and CloudWatch Logs metric filters; the resources moat
//! can change ([`AuditRef`], wrapped by `ResourceRef::Audit`) and their
//! documents.
//!
//! Regional data is kept per region ([`Regional`]): one region that cannot
//! be read (an opt-in region answering AuthFailure) leaves the others intact
//! and only its findings become `error`.

use super::apply::ApplyError;
use super::document::NotReady;
use super::{Fetched, Inventory, PartError, PartId};
use crate::guide::msg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;

// ---------------------------------------------------------------------------
// Types

/// A CloudTrail trail (the s3 and vpc sections read its bucket and
/// multi-region flag too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    /// The key prefix the trail writes under (`PREFIX/AWSLogs/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    pub is_multi_region: bool,
    #[serde(default)]
    pub log_file_validation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudwatch_logs_log_group_arn: Option<String>,
    /// GetTrailStatus IsLogging.
    #[serde(default)]
    pub is_logging: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    /// GetTrailStatus failed (e.g. an organization trail seen from a member
    /// account): `is_logging` is then unknown, and only this trail's
    /// findings are `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_error: Option<PartError>,
    /// GetEventSelectors, or the call that failed; `None`: not read (data
    /// saved before moat read selectors), which no check takes as working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_selectors: Option<Fetched<EventSelectors>>,
}

/// A trail's event selectors (GetEventSelectors). AWS keeps either basic or
/// advanced selectors, never both: putting one kind replaces the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EventSelectors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basic: Vec<EventSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedEventSelector>,
}

/// A basic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly` (AWS's default: `All`).
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
    /// Event sources whose management events are not recorded (e.g.
    /// `kms.amazonaws.com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResource {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub values: Vec<String>,
}

/// An advanced event selector: every field selector must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

impl FieldSelector {
    fn only(&self) -> Option<&[String]> {
        let other = [
            &self.starts_with,
            &self.ends_with,
            &self.not_equals,
            &self.not_starts_with,
            &self.not_ends_with,
        ];
        other
            .iter()
            .all(|v| v.is_empty())
            .then_some(self.equals.as_slice())
    }
}

/// Which management events a trail's selectors record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManagementCoverage {
    pub read: bool,
    pub write: bool,
    /// What no selector records although `read`/`write` is set: event
    /// sources (basic `ExcludeManagementEventSources`, advanced `eventSource`
    /// NotEquals) or conditions moat cannot prove cover every source, with
    /// the guide's note when only read or only write events are missed.
    pub excluded: Vec<String>,
}

impl ManagementCoverage {
    /// Every management event, read and write, from every source: what CIS
    /// 4.1 and AWS Config's multi-region-cloudtrail-enabled (Security Hub
    /// CloudTrail.1) require; the latter is non-compliant when any source
    /// is excluded.
    pub fn complete(&self) -> bool {
        self.read && self.write && self.excluded.is_empty()
    }
}

/// Which management events of its kinds one selector leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Restriction {
    /// None: every source.
    Every,
    /// Every source but these.
    Except(Vec<String>),
    /// Only these sources (advanced `eventSource` Equals).
    Only(Vec<String>),
    /// A condition moat does not reason about (described).
    Other(Vec<String>),
}

/// One selector's management events: read, write, and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    read: bool,
    write: bool,
    restriction: Restriction,
}

/// What the selectors covering one kind of management event (read or
/// write) leave out together. Selectors are ORed (an event is logged when
/// any selector matches it), so what is recorded is the union of what each
/// records, and what is left out is what every one of them leaves out.
/// `None`: no selector records this kind at all.
fn left_out<'a>(scopes: impl Iterator<Item = &'a Restriction>) -> Option<Vec<String>> {
    let scopes: Vec<&Restriction> = scopes.collect();
    if scopes.is_empty() {
        return None;
    }
    if scopes.iter().any(|r| **r == Restriction::Every) {
        return Some(vec![]);
    }
    let only: Vec<&String> = scopes
        .iter()
        .filter_map(|r| match r {
            Restriction::Only(v) => Some(v),
            _ => None,
        })
        .flatten()
        .collect();
    let mut excepts = scopes.iter().filter_map(|r| match r {
        Restriction::Except(v) => Some(v),
        _ => None,
    });
    if let Some(first) = excepts.next() {
        let mut common: Vec<String> = first.clone();
        for e in excepts {
            common.retain(|s| e.contains(s));
        }
        // A source some selector records only for itself is recorded.
        common.retain(|s| !only.contains(&s));
        return Some(common);
    }
    // Only selectors limited to some sources, or by conditions moat does not
    // reason about: not provably every source.
    let mut out: Vec<String> = vec![];
    for r in scopes {
        match r {
            Restriction::Only(v) => {
                out.push(msg(COVERAGE, "only_sources", &[("sources", &v.join(", "))]))
            }
            Restriction::Other(d) => out.extend(d.iter().cloned()),
            Restriction::Every | Restriction::Except(_) => {}
        }
    }
    Some(out)
}

/// Where the guide keeps the fragments naming what selectors leave out.
const COVERAGE: &str = "cloudtrail.multi-region-trail";

pub const EVENT_CATEGORY: &str = "eventCategory";
pub const MANAGEMENT: &str = "Management";

impl EventSelectors {
    /// What CreateTrail sets when no selectors are given: every management
    /// event, read and write, no data events.
    pub fn aws_default() -> Self {
        EventSelectors {
            basic: vec![EventSelector::management()],
            advanced: vec![],
        }
    }

    fn scopes(&self) -> Vec<Scope> {
        if !self.advanced.is_empty() {
            return self
                .advanced
                .iter()
                .filter_map(AdvancedEventSelector::management_scope)
                .collect();
        }
        self.basic
            .iter()
            .filter(|s| s.include_management_events)
            .map(|s| {
                let (read, write) = match s.read_write_type.as_str() {
                    "ReadOnly" => (true, false),
                    "WriteOnly" => (false, true),
                    _ => (true, true),
                };
                let restriction = if s.exclude_management_event_sources.is_empty() {
                    Restriction::Every
                } else {
                    Restriction::Except(s.exclude_management_event_sources.clone())
                };
                Scope {
                    read,
                    write,
                    restriction,
                }
            })
            .collect()
    }

    /// The management events these selectors record, together (a union:
    /// CloudTrail logs an event when any selector matches it).
    pub fn management(&self) -> ManagementCoverage {
        let scopes = self.scopes();
        let read = left_out(scopes.iter().filter(|s| s.read).map(|s| &s.restriction));
        let write = left_out(scopes.iter().filter(|s| s.write).map(|s| &s.restriction));
        let mut excluded: Vec<String> = vec![];
        match (&read, &write) {
            (Some(r), Some(w)) => {
                for x in r {
                    if w.contains(x) {
                        excluded.push(x.clone());
                    } else {
                        excluded.push(msg(COVERAGE, "read_events_left_out", &[("source", x)]));
                    }
                }
                for x in w.iter().filter(|x| !r.contains(x)) {
                    excluded.push(msg(COVERAGE, "write_events_left_out", &[("source", x)]));
                }
            }
            (Some(v), None) | (None, Some(v)) => excluded.extend(v.iter().cloned()),
            (None, None) => {}
        }
        excluded.sort();
        excluded.dedup();
        ManagementCoverage {
            read: read.is_some(),
            write: write.is_some(),
            excluded,
        }
    }

    /// These selectors, changed as little as possible to record every
    /// management event, read and write; data-event selectors are kept
    /// exactly. Five basic selectors (AWS's maximum) all logging data events
    /// leave no room for a sixth, and widening one would log read data
    /// events too: they become advanced selectors (one for management
    /// events, each data selector translated, see
    /// [`EventSelector::data_as_advanced`]). `None` when a data selector has
    /// no exact advanced translation.
    pub fn with_management(&self) -> Option<Self> {
        if !self.advanced.is_empty() {
            let mut advanced: Vec<AdvancedEventSelector> = vec![];
            let mut name = None;
            for s in &self.advanced {
                if s.management_scope().is_some() {
                    name = name.or_else(|| s.name.clone());
                } else {
                    advanced.push(s.clone());
                }
            }
            let mut management = AdvancedEventSelector::management();
            if name.is_some() {
                management.name = name;
            }
            advanced.insert(0, management);
            return Some(EventSelectors {
                basic: vec![],
                advanced,
            });
        }
        let mut basic = self.basic.clone();
        // Widening a selector that also logs data events to `All` would log
        // read data events too (every GetObject: a cost the user did not
        // ask for). Widen a selector without data resources, or add one.
        match basic
            .iter()
            .position(|s| s.include_management_events && s.data_resources.is_empty())
        {
            Some(i) => {
                basic[i].read_write_type = "All".into();
                basic[i].exclude_management_event_sources.clear();
            }
            None if basic.len() < MAX_BASIC_SELECTORS => {
                basic.insert(0, EventSelector::management())
            }
            None => {
                let mut advanced = vec![AdvancedEventSelector::management()];
                for b in basic.iter().filter(|b| !b.data_resources.is_empty()) {
                    advanced.push(b.data_as_advanced()?);
                }
                return Some(EventSelectors {
                    basic: vec![],
                    advanced,
                });
            }
        }
        Some(EventSelectors {
            basic,
            advanced: vec![],
        })
    }
}

/// AWS takes at most five basic event selectors per trail.
pub const MAX_BASIC_SELECTORS: usize = 5;

impl EventSelector {
    pub fn management() -> Self {
        EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            data_resources: vec![],
            exclude_management_event_sources: vec![],
        }
    }
}

impl EventSelector {
    /// The advanced selector recording the data events this basic selector
    /// records, as the CloudTrail User Guide ("Logging data events")
    /// translates them: eventCategory Data, resources.type, readOnly for a
    /// ReadOnly/WriteOnly type, and resources.ARN StartsWith the values (an
    /// S3 bucket-and-prefix value is a prefix; `arn:PARTITION:s3` alone is
    /// every object, no ARN condition). Only S3 objects: Lambda function and
    /// DynamoDB table values follow other matching rules, so `None`.
    pub fn data_as_advanced(&self) -> Option<AdvancedEventSelector> {
        let mut values: Vec<String> = vec![];
        let mut every = false;
        for d in &self.data_resources {
            if d.kind != "AWS::S3::Object" {
                return None;
            }
            for v in &d.values {
                let mut parts = v.split(':');
                let whole = parts.next() == Some("arn")
                    && parts.next().is_some_and(|p| !p.is_empty())
                    && parts.next() == Some("s3")
                    && parts.next().is_none();
                every |= whole;
                values.push(v.clone());
            }
        }
        if values.is_empty() {
            return None;
        }
        let equals = |field: &str, v: &str| FieldSelector {
            field: field.into(),
            equals: vec![v.into()],
            ..FieldSelector::default()
        };
        let mut field_selectors = vec![
            equals(EVENT_CATEGORY, "Data"),
            equals("resources.type", "AWS::S3::Object"),
        ];
        match self.read_write_type.as_str() {
            "ReadOnly" => field_selectors.push(equals("readOnly", "true")),
            "WriteOnly" => field_selectors.push(equals("readOnly", "false")),
            _ => {}
        }
        if !every {
            field_selectors.push(FieldSelector {
                field: "resources.ARN".into(),
                starts_with: values,
                ..FieldSelector::default()
            });
        }
        Some(AdvancedEventSelector {
            name: Some(format!("S3 data events ({})", self.read_write_type)),
            field_selectors,
        })
    }
}

impl AdvancedEventSelector {
    /// Every management event, read and write.
    pub fn management() -> Self {
        AdvancedEventSelector {
            name: Some("Management events".to_string()),
            field_selectors: vec![FieldSelector {
                field: EVENT_CATEGORY.into(),
                equals: vec![MANAGEMENT.into()],
                ..FieldSelector::default()
            }],
        }
    }

    /// For a selector of management events (`eventCategory` equals
    /// `Management`): which it records. `None` for other selectors.
    fn management_scope(&self) -> Option<Scope> {
        let category = self
            .field_selectors
            .iter()
            .find(|f| f.field == EVENT_CATEGORY)?;
        if !category.only()?.iter().any(|v| v == MANAGEMENT) {
            return None;
        }
        let (mut read, mut write) = (true, true);
        let mut except: Vec<String> = vec![];
        let mut only: Option<Vec<String>> = None;
        let mut other: Vec<String> = vec![];
        for f in &self.field_selectors {
            match f.field.as_str() {
                EVENT_CATEGORY => {}
                "readOnly" => match f.only() {
                    Some(v) if v.iter().all(|x| x == "true") && !v.is_empty() => write = false,
                    Some(v) if v.iter().all(|x| x == "false") && !v.is_empty() => read = false,
                    Some(v) if !v.is_empty() => {}
                    _ => {
                        read = false;
                        write = false;
                    }
                },
                // NotEquals alone: every source but these.
                "eventSource"
                    if f.equals.is_empty()
                        && f.starts_with.is_empty()
                        && f.ends_with.is_empty()
                        && f.not_starts_with.is_empty()
                        && f.not_ends_with.is_empty() =>
                {
                    except.extend(f.not_equals.iter().cloned())
                }
                // Equals alone: only these sources.
                "eventSource" if f.only().is_some_and(|v| !v.is_empty()) => {
                    let v = f.equals.clone();
                    only = Some(match only {
                        // Two Equals conditions must both hold.
                        Some(prev) => prev.into_iter().filter(|x| v.contains(x)).collect(),
                        None => v,
                    });
                }
                field => {
                    let values: Vec<&String> = [
                        &f.equals,
                        &f.starts_with,
                        &f.ends_with,
                        &f.not_equals,
                        &f.not_starts_with,
                        &f.not_ends_with,
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    other.push(if values.is_empty() {
                        field.to_string()
                    } else {
                        format!(
                            "{field} {}",
                            values
                                .iter()
                                .map(|v| v.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                }
            }
        }
        let restriction = if !other.is_empty() {
            if !except.is_empty() {
                other.push(format!("eventSource {}", except.join(", ")));
            }
            if let Some(o) = &only {
                other.push(format!("eventSource {}", o.join(", ")));
            }
            Restriction::Other(other)
        } else if let Some(o) = only {
            let o: Vec<String> = o.into_iter().filter(|x| !except.contains(x)).collect();
            Restriction::Only(o)
        } else if except.is_empty() {
            Restriction::Every
        } else {
            Restriction::Except(except)
        };
        Some(Scope {
            read,
            write,
            restriction,
        })
    }
}

/// Why a trail does not record every management event of its regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrailGap {
    /// Its status or selectors could not be read: it may be working.
    Unreadable(PartError),
    /// Saved before moat read selectors.
    NotRead,
    NotLogging,
    /// Logging, but its selectors leave management events out.
    Management(ManagementCoverage),
}

impl Trail {
    /// THE definition of a working trail, used by every check that asks:
    /// logging, and its event selectors record every management event,
    /// read and write, from every source. `Err` says why not.
    pub fn records_management_events(&self) -> Result<(), TrailGap> {
        if let Some(e) = &self.status_error {
            return Err(TrailGap::Unreadable(e.clone()));
        }
        if !self.is_logging {
            return Err(TrailGap::NotLogging);
        }
        match &self.event_selectors {
            None => Err(TrailGap::NotRead),
            Some(Fetched::Error(e)) => Err(TrailGap::Unreadable(e.clone())),
            Some(Fetched::Ready(s)) => {
                let c = s.management();
                if c.complete() {
                    Ok(())
                } else {
                    Err(TrailGap::Management(c))
                }
            }
        }
    }

    /// A multi-region trail that records every management event (CIS 4.1).
    pub fn is_working_multi_region(&self) -> bool {
        self.is_multi_region && self.records_management_events().is_ok()
    }

    /// The account that owns the trail (from its ARN): an organization
    /// trail seen from a member account belongs to the management account.
    pub fn owner_account(&self) -> Option<&str> {
        let mut parts = self.arn.split(':');
        (parts.next()? == "arn").then_some(())?;
        parts.nth(3).filter(|a| !a.is_empty())
    }
    /// The account of `cloudwatch_logs_log_group_arn` (an organization
    /// trail's log group lives in the management account).
    pub fn log_group_account(&self) -> Option<&str> {
        let arn = self.cloudwatch_logs_log_group_arn.as_deref()?;
        arn.split(':').nth(4).filter(|a| !a.is_empty())
    }
    /// The log group name of `cloudwatch_logs_log_group_arn`
    /// (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`) and its region.
    pub fn log_group(&self) -> Option<(String, String)> {
        let arn = self.cloudwatch_logs_log_group_arn.as_deref()?;
        let mut parts = arn.splitn(7, ':');
        let (_, _, _, region) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let _account = parts.next()?;
        if parts.next()? != "log-group" {
            return None;
        }
        let rest = parts.next()?;
        let name = rest.strip_suffix(":*").unwrap_or(rest);
        (!name.is_empty() && !region.is_empty()).then(|| (region.to_string(), name.to_string()))
    }
}

/// Per-region data: each region read, or the call that failed there.
pub type Regional<T> = BTreeMap<String, Fetched<Vec<T>>>;

/// Where moat creates the group's resources and which regions it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditRegions {
    /// The session's home region (new trails, topics and keys go there).
    pub home: String,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// What a lifecycle rule applies to (`Filter`; empty = the whole bucket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LifecycleFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    /// ISO 8601 date, as S3 gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Expiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentTransition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NoncurrentExpiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i32>,
}

/// One S3 lifecycle rule, with every field S3 has (so a rule moat rewrites
/// is sent back exactly as read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<LifecycleFilter>,
    /// The legacy top-level prefix (rules without a `Filter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_multipart_days: Option<i32>,
}

impl LifecycleRule {
    /// The prefix the rule is limited to ("" = every object), and whether
    /// it has other conditions (tags, sizes) that narrow it further.
    pub fn scope(&self) -> (&str, bool) {
        match &self.filter {
            Some(f) => (
                f.prefix.as_deref().unwrap_or(""),
                !f.tags.is_empty()
                    || f.object_size_greater_than.is_some()
                    || f.object_size_less_than.is_some(),
            ),
            None => (self.prefix.as_deref().unwrap_or(""), false),
        }
    }
}

/// One bucket's lifecycle configuration (no configuration = no rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketLifecycle {
    pub region: String,
    pub rules: Fetched<Vec<LifecycleRule>>,
    /// The configuration's `TransitionDefaultMinimumObjectSize`
    /// (GetBucketLifecycleConfiguration's
    /// `x-amz-transition-default-minimum-object-size` header):
    /// [`MIN_SIZE_128K`] or [`MIN_SIZE_VARIES`]; `None` when the bucket has
    /// no configuration or S3 did not say (S3 then applies [`MIN_SIZE_128K`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_default_minimum_object_size: Option<String>,
}

/// S3's default since September 2024: objects under 128 KB never transition.
pub const MIN_SIZE_128K: &str = "all_storage_classes_128K";
/// Objects under 128 KB may transition to GLACIER and DEEP_ARCHIVE only.
pub const MIN_SIZE_VARIES: &str = "varies_by_storage_class";
/// The size under which S3's default keeps an object from transitioning.
pub const MIN_TRANSITION_BYTES: i64 = 128 * 1024;

impl BucketLifecycle {
    /// The default minimum object size S3 applies to this bucket's rules
    /// (a configuration that does not say gets S3's default).
    pub fn default_minimum_size(&self) -> &str {
        self.transition_default_minimum_object_size
            .as_deref()
            .unwrap_or(MIN_SIZE_128K)
    }
}

/// Lifecycle configurations of the trails' buckets, by bucket name.
pub type BucketLifecycles = BTreeMap<String, BucketLifecycle>;

/// A customer KMS key known by its alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsKey {
    /// `alias/NAME`.
    pub alias: String,
    pub key_id: String,
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub state: String,
    #[serde(default)]
    pub description: String,
    /// The `default` key policy (read for moat's own keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
}

pub const KEY_PENDING_DELETION: &str = "PendingDeletion";

/// One subscription to a topic, as ListSubscriptionsByTopic gives it, with
/// what GetSubscriptionAttributes adds for a confirmed one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub protocol: String,
    pub endpoint: String,
    /// Waiting for the endpoint's owner to confirm (`SubscriptionArn` is
    /// `PendingConfirmation`): nothing is delivered to it yet. E-mail and
    /// HTTP(S) endpoints, and endpoints in other accounts, start so.
    #[serde(default)]
    pub pending: bool,
    /// `FilterPolicy`: only messages it matches are delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<Value>,
    /// `FilterPolicyScope`: `MessageAttributes` (AWS's default) or `MessageBody`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_scope: Option<String>,
    /// For an SQS queue of this account: whether it still exists (`None`:
    /// not looked up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_exists: Option<bool>,
    /// For an SQS queue of this account that exists: who may send to it and
    /// the key that encrypts it (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueAccess>,
    /// Why the subscription's attributes or its endpoint could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

/// What GetQueueAttributes tells of an SQS queue a subscription delivers
/// to: SNS delivers only when the queue policy lets `sns.amazonaws.com`
/// send to it, and the queue's key (if any) lets SNS use it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueAccess {
    /// `Policy` (`None`: the queue has none, so only its own account's
    /// principals may send to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// `KmsMasterKeyId` (SSE-KMS), with what was read of the key (`None`:
    /// not encrypted with KMS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<TopicKey>,
}

/// The KMS key that encrypts a topic or a queue (`KmsMasterKeyId`) and what
/// was read of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicKey {
    /// As the topic names it: key id, key ARN, alias name or alias ARN.
    pub id: String,
    /// `AWS` (an AWS managed key, such as `aws/sns`) or `CUSTOMER` (DescribeKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, … (DescribeKey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The `default` key policy of a customer managed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// Why the key could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

impl TopicKey {
    /// An AWS managed key (`alias/aws/sns`, `alias/aws/sqs`, … by alias or
    /// alias ARN, or as DescribeKey reports it): its key policy lets only
    /// its own service use it, on behalf of the account's principals.
    pub fn is_aws_managed(&self) -> bool {
        let alias = self.id.split(':').next_back().unwrap_or(&self.id);
        alias.starts_with("alias/aws/") || self.manager.as_deref() == Some("AWS")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// Every subscription of the topic, confirmed or pending.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// The key that encrypts it at rest (`None`: not encrypted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<TopicKey>,
}

impl Topic {
    /// Subscriptions that receive what the topic publishes.
    pub fn confirmed(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter().filter(|s| !s.pending)
    }

    /// Subscriptions still waiting for their endpoint to confirm.
    pub fn pending(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter().filter(|s| s.pending)
    }
}

/// An alarm threshold: a number compared bit for bit (thresholds are
/// entered, never computed twice differently).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Threshold(pub f64);

impl Eq for Threshold {}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

/// A CloudWatch metric alarm (one metric, one statistic): what
/// PutMetricAlarm takes and DescribeAlarms gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// `Sum`, `Maximum`, `Average`, … (empty when the alarm uses a
    /// percentile, [`MetricAlarm::extended_statistic`], or metric math).
    pub statistic: String,
    /// A percentile statistic (`p99`, …) used instead of `statistic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    pub period: i32,
    pub evaluation_periods: i32,
    /// `DatapointsToAlarm`: how many of the `evaluation_periods` must breach
    /// (the M of an "M out of N" alarm); unset means all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i32>,
    pub threshold: Threshold,
    /// `GreaterThanThreshold`, `GreaterThanOrEqualToThreshold`, …
    pub comparison_operator: String,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// `ActionsEnabled`: when false the alarm changes state but runs none
    /// of its actions (it notifies nobody).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub actions_enabled: bool,
    /// `missing`, `notBreaching`, `breaching`, `ignore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
    /// The metrics of an alarm on metric math (`Metrics`): it has no single
    /// namespace or metric name (both are empty), and moat does not judge
    /// what its expression would do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub math_metrics: Vec<MathMetric>,
    /// `Unit`: when set, the alarm reads only data points published with
    /// this unit (a unit the metric is not published with leaves it in
    /// INSUFFICIENT_DATA for ever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl MetricAlarm {
    /// The number of breaching periods that puts the alarm in ALARM.
    pub fn datapoints(&self) -> i32 {
        self.datapoints_to_alarm.unwrap_or(self.evaluation_periods)
    }

    /// Whether the alarm watches metric math rather than one metric.
    pub fn is_math(&self) -> bool {
        !self.math_metrics.is_empty()
    }
}

/// One metric read by a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MathMetric {
    pub namespace: String,
    pub metric_name: String,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricFilter {
    pub log_group: String,
    pub name: String,
    pub pattern: String,
    pub metric_namespace: String,
    pub metric_name: String,
    pub metric_value: String,
    /// The metric's dimensions: name → the log field (`$.field`) whose
    /// value names the metric. Each value found is a metric of its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    /// `metricTransformations.unit`: the unit the filter publishes its
    /// metric with (unset: `None`, no unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `metricTransformations.defaultValue`: what the filter publishes for
    /// log events that do not match (unset: nothing, so a period's only
    /// data points are the matching events').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Threshold>,
}

/// The `AWS/Billing` `EstimatedCharges` metrics CloudWatch lists in
/// us-east-1 (ListMetrics), each by its dimensions. None at all: the
/// account publishes no billing metric (billing alerts are not turned on,
/// or a payer account holds the bill), and no billing alarm can fire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillingMetrics {
    #[serde(default)]
    pub metrics: Vec<Vec<Dimension>>,
}

// ---------------------------------------------------------------------------
// Resources

/// A resource of this group, named as `scan` prints it and `--resource` takes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditRef {
    /// A trail in its home region.
    Trail {
        region: String,
        name: String,
    },
    /// An IAM role (its attached policies).
    Role {
        name: String,
    },
    /// A bucket's lifecycle rules.
    Lifecycle {
        bucket: String,
    },
    /// A KMS key by alias (`alias/NAME`).
    KmsKey {
        region: String,
        alias: String,
    },
    Topic {
        region: String,
        name: String,
    },
    Alarm {
        region: String,
        name: String,
    },
    MetricFilter {
        region: String,
        log_group: String,
        name: String,
    },
}

/// `/` and `%` inside one segment of a resource name (log groups and filter
/// names may hold slashes).
fn encode(s: &str) -> String {
    s.replace('%', "%25").replace('/', "%2F")
}

/// The inverse of [`encode`]; `None` for any other `%` sequence, so that
/// every accepted name prints back identically.
fn decode(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("%2F") {
            out.push('/');
        } else if tail.starts_with("%25") {
            out.push('%');
        } else {
            return None;
        }
        rest = &tail[3..];
    }
    out.push_str(rest);
    Some(out)
}

impl AuditRef {
    /// Examples for the "unknown resource" message.
    pub const EXAMPLES: &'static [&'static str] = &[
        "trail/REGION/NAME",
        "role/NAME",
        "lifecycle/BUCKET",
        "kms/REGION/alias/NAME",
        "sns/REGION/TOPIC",
        "alarm/REGION/NAME",
        "metric-filter/REGION/LOG-GROUP/NAME",
    ];

    /// Parse a resource name split on `/`; `None` when it is not one of this group's.
    pub fn parse(parts: &[&str]) -> Option<Self> {
        let s = |x: &&str| x.to_string();
        Some(match parts {
            ["trail", region, name] => AuditRef::Trail {
                region: s(region),
                name: s(name),
            },
            ["role", name] => AuditRef::Role { name: s(name) },
            ["lifecycle", bucket] => AuditRef::Lifecycle { bucket: s(bucket) },
            ["kms", region, "alias", rest @ ..] if !rest.is_empty() => AuditRef::KmsKey {
                region: s(region),
                alias: format!("alias/{}", rest.join("/")),
            },
            ["sns", region, name] => AuditRef::Topic {
                region: s(region),
                name: s(name),
            },
            ["alarm", region, rest @ ..] if !rest.is_empty() => AuditRef::Alarm {
                region: s(region),
                name: rest.join("/"),
            },
            ["metric-filter", region, group, name] => AuditRef::MetricFilter {
                region: s(region),
                log_group: decode(group).filter(|g| !g.is_empty())?,
                name: decode(name).filter(|n| !n.is_empty())?,
            },
            _ => return None,
        })
    }

    /// The inventory parts the document is rendered from.
    pub fn parts(&self) -> &'static [PartId] {
        match self {
            AuditRef::Trail { .. } => &[PartId::Trails, PartId::KmsKeys],
            AuditRef::Role { .. } => &[PartId::Iam],
            AuditRef::Lifecycle { .. } => &[PartId::TrailBucketLifecycles],
            AuditRef::KmsKey { .. } => &[PartId::KmsKeys],
            AuditRef::Topic { .. } => &[PartId::SnsTopics],
            AuditRef::Alarm { .. } => &[PartId::MetricAlarms],
            AuditRef::MetricFilter { .. } => &[PartId::MetricFilters],
        }
    }

    /// The region the resource lives in (`None` for global resources).
    pub fn region(&self) -> Option<&str> {
        match self {
            AuditRef::Trail { region, .. }
            | AuditRef::KmsKey { region, .. }
            | AuditRef::Topic { region, .. }
            | AuditRef::Alarm { region, .. }
            | AuditRef::MetricFilter { region, .. } => Some(region),
            AuditRef::Role { .. } | AuditRef::Lifecycle { .. } => None,
        }
    }

    /// The document (`None`: the resource does not exist). The parts are ready.
    pub(super) fn document(&self, inv: &Inventory) -> Result<Option<Value>, NotReady> {
        Ok(match self {
            AuditRef::Trail { region, name } => inv
                .trails
                .ready()
                .and_then(|ts| ts.iter().find(|t| t.name == *name && t.home_region == *region))
                .map(|t| trail_document(inv, t)),
            AuditRef::Role { name } => inv
                .iam
                .ready()
                .and_then(|i| i.roles.iter().find(|r| r.name == *name))
                .map(|r| {
                    let mut attached = r.attached_policies.clone();
                    attached.sort();
                    let mut inline: Vec<&str> =
                        r.inline_policies.iter().map(|p| p.name.as_str()).collect();
                    inline.sort();
                    json!({"RoleName": r.name, "AttachedPolicies": attached, "InlinePolicies": inline})
                }),
            AuditRef::Lifecycle { bucket } => inv
                .trail_lifecycles
                .ready()
                .and_then(|l| l.get(bucket))
                .map(|l| {
                    let rules = match &l.rules {
                        Fetched::Ready(r) => {
                            let mut r: Vec<Value> = r
                                .iter()
                                .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
                                .collect();
                            r.sort_by_key(|x| x["id"].as_str().unwrap_or_default().to_string());
                            Value::Array(r)
                        }
                        Fetched::Error(e) => json!({"Unreadable": e.summary()}),
                    };
                    let mut doc = json!({"Bucket": bucket, "Rules": rules});
                    // A configuration always has a minimum size setting (S3's
                    // default when it did not say); no configuration has none.
                    if l.rules.ready().is_some_and(|r| !r.is_empty()) {
                        doc["TransitionDefaultMinimumObjectSize"] = json!(l.default_minimum_size());
                    }
                    doc
                }),
            AuditRef::KmsKey { region, alias } => kms_key(inv, region, alias)
                .filter(|k| k.state != KEY_PENDING_DELETION)
                .map(|k| {
                    json!({
                        "Alias": k.alias,
                        "Description": k.description,
                        "KeyState": k.state,
                        "KeyPolicy": k.policy,
                    })
                }),
            AuditRef::Topic { region, name } => topic(inv, region, name).map(|t| {
                let mut subs: Vec<Value> = t
                    .subscriptions
                    .iter()
                    .map(|s| json!({"Protocol": s.protocol, "Endpoint": s.endpoint}))
                    .collect();
                subs.sort_by_key(|s| s.to_string());
                subs.dedup();
                json!({"TopicArn": t.arn, "Policy": t.policy, "Subscriptions": subs})
            }),
            AuditRef::Alarm { region, name } => regional(&inv.metric_alarms, region)
                .and_then(|a| a.iter().find(|a| a.name == *name))
                .map(alarm_document),
            AuditRef::MetricFilter {
                region,
                log_group,
                name,
            } => regional(&inv.metric_filters, region)
                .and_then(|f| {
                    f.iter()
                        .find(|f| f.log_group == *log_group && f.name == *name)
                })
                .map(|f| {
                    let mut doc = json!({
                        "LogGroupName": f.log_group,
                        "FilterName": f.name,
                        "FilterPattern": f.pattern,
                        "MetricNamespace": f.metric_namespace,
                        "MetricName": f.metric_name,
                        "MetricValue": f.metric_value,
                    });
                    if let Some(u) = &f.unit
                        && let Some(m) = doc.as_object_mut()
                    {
                        m.insert("Unit".into(), json!(u));
                    }
                    if let Some(d) = &f.default_value
                        && let Some(m) = doc.as_object_mut()
                    {
                        m.insert("DefaultValue".into(), json!(d.0));
                    }
                    if !f.dimensions.is_empty()
                        && let Some(m) = doc.as_object_mut()
                    {
                        let dims: Map<String, Value> = f
                            .dimensions
                            .iter()
                            .map(|d| (d.name.clone(), json!(d.value)))
                            .collect();
                        m.insert("Dimensions".into(), Value::Object(dims));
                    }
                    doc
                }),
        })
    }
}

impl fmt::Display for AuditRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditRef::Trail { region, name } => write!(f, "trail/{region}/{name}"),
            AuditRef::Role { name } => write!(f, "role/{name}"),
            AuditRef::Lifecycle { bucket } => write!(f, "lifecycle/{bucket}"),
            AuditRef::KmsKey { region, alias } => write!(f, "kms/{region}/{alias}"),
            AuditRef::Topic { region, name } => write!(f, "sns/{region}/{name}"),
            AuditRef::Alarm { region, name } => write!(f, "alarm/{region}/{name}"),
            AuditRef::MetricFilter {
                region,
                log_group,
                name,
            } => write!(
                f,
                "metric-filter/{region}/{}/{}",
                encode(log_group),
                encode(name)
            ),
        }
    }
}

/// The items of one region of a regional part, when read.
pub fn regional<'a, T>(p: &'a super::Part<Regional<T>>, region: &str) -> Option<&'a Vec<T>> {
    p.ready()?.get(region)?.ready()
}

/// The error of one region of a regional part, if that region failed.
pub fn regional_error<'a, T>(
    p: &'a super::Part<Regional<T>>,
    region: &str,
) -> Option<&'a PartError> {
    p.ready()?.get(region)?.error()
}

pub fn kms_key<'a>(inv: &'a Inventory, region: &str, alias: &str) -> Option<&'a KmsKey> {
    regional(&inv.kms_keys, region)?
        .iter()
        .find(|k| k.alias == alias)
}

pub fn topic<'a>(inv: &'a Inventory, region: &str, name: &str) -> Option<&'a Topic> {
    regional(&inv.sns_topics, region)?
        .iter()
        .find(|t| t.name == name)
}

/// How a trail's key reads in its document: an alias moat knows, else as given.
fn key_label(inv: &Inventory, key: &str) -> String {
    if key.starts_with("alias/") {
        return key.to_string();
    }
    // An alias ARN (`arn:aws:kms:REGION:ACCOUNT:alias/NAME`) names the alias.
    if let Some(i) = key.find(":alias/") {
        return key[i + 1..].to_string();
    }
    let id = key.rsplit('/').next().unwrap_or(key);
    inv.kms_keys
        .ready()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|f| f.ready())
        .flatten()
        .find(|k| k.arn == key || k.key_id == id)
        .map(|k| k.alias.clone())
        .unwrap_or_else(|| key.to_string())
}

fn trail_document(inv: &Inventory, t: &Trail) -> Value {
    let mut doc = json!({
        "Name": t.name,
        "HomeRegion": t.home_region,
        "S3BucketName": t.s3_bucket,
        "IsMultiRegionTrail": t.is_multi_region,
        "LogFileValidationEnabled": t.log_file_validation,
        "KmsKeyId": t.kms_key_id.as_deref().map(|k| key_label(inv, k)),
        "SnsTopicARN": t.sns_topic_arn,
        "CloudWatchLogsLogGroupArn": t.cloudwatch_logs_log_group_arn,
        "IsLogging": match &t.status_error {
            None => json!(t.is_logging),
            Some(e) => json!({"Unreadable": e.summary()}),
        },
    });
    if let Some(m) = doc.as_object_mut() {
        match &t.event_selectors {
            None => {}
            Some(Fetched::Error(e)) => {
                m.insert("EventSelectors".into(), json!({"Unreadable": e.summary()}));
            }
            Some(Fetched::Ready(s)) => {
                if let Value::Object(sel) = selectors_document(s) {
                    m.extend(sel);
                }
            }
        }
    }
    doc
}

/// Event selectors as GetEventSelectors names them.
pub fn selectors_document(s: &EventSelectors) -> Value {
    let strings = |v: &[String]| json!(v);
    if !s.advanced.is_empty() {
        let selectors: Vec<Value> = s
            .advanced
            .iter()
            .map(|a| {
                let fields: Vec<Value> = a
                    .field_selectors
                    .iter()
                    .map(|f| {
                        let mut m = Map::new();
                        m.insert("Field".into(), json!(f.field));
                        for (k, v) in [
                            ("Equals", &f.equals),
                            ("StartsWith", &f.starts_with),
                            ("EndsWith", &f.ends_with),
                            ("NotEquals", &f.not_equals),
                            ("NotStartsWith", &f.not_starts_with),
                            ("NotEndsWith", &f.not_ends_with),
                        ] {
                            if !v.is_empty() {
                                m.insert(k.into(), strings(v));
                            }
                        }
                        Value::Object(m)
                    })
                    .collect();
                json!({"Name": a.name, "FieldSelectors": fields})
            })
            .collect();
        return json!({"AdvancedEventSelectors": selectors});
    }
    let selectors: Vec<Value> = s
        .basic
        .iter()
        .map(|b| {
            json!({
                "ReadWriteType": b.read_write_type,
                "IncludeManagementEvents": b.include_management_events,
                "DataResources": b.data_resources.iter().map(|d| json!({"Type": d.kind, "Values": d.values})).collect::<Vec<_>>(),
                "ExcludeManagementEventSources": strings(&b.exclude_management_event_sources),
            })
        })
        .collect();
    json!({ "EventSelectors": selectors })
}

fn alarm_document(a: &MetricAlarm) -> Value {
    let mut dims: Vec<Value> = a
        .dimensions
        .iter()
        .map(|d| json!({"Name": d.name, "Value": d.value}))
        .collect();
    dims.sort_by_key(|d| d.to_string());
    let mut actions = a.alarm_actions.clone();
    actions.sort();
    let mut m = Map::new();
    m.insert("AlarmName".into(), json!(a.name));
    m.insert("AlarmDescription".into(), json!(a.description));
    m.insert("Namespace".into(), json!(a.namespace));
    m.insert("MetricName".into(), json!(a.metric_name));
    m.insert("Dimensions".into(), Value::Array(dims));
    m.insert("Statistic".into(), json!(a.statistic));
    if let Some(x) = &a.extended_statistic {
        m.insert("ExtendedStatistic".into(), json!(x));
    }
    m.insert("Period".into(), json!(a.period));
    m.insert("EvaluationPeriods".into(), json!(a.evaluation_periods));
    if let Some(n) = a.datapoints_to_alarm {
        m.insert("DatapointsToAlarm".into(), json!(n));
    }
    m.insert("Threshold".into(), json!(a.threshold.0));
    m.insert("ComparisonOperator".into(), json!(a.comparison_operator));
    m.insert("AlarmActions".into(), json!(actions));
    m.insert("ActionsEnabled".into(), json!(a.actions_enabled));
    if a.is_math() {
        let metrics: Vec<Value> = a
            .math_metrics
            .iter()
            .map(|x| json!({"Namespace": x.namespace, "MetricName": x.metric_name}))
            .collect();
        m.insert("Metrics".into(), Value::Array(metrics));
    }
    m.insert("TreatMissingData".into(), json!(a.treat_missing_data));
    if let Some(u) = &a.unit {
        m.insert("Unit".into(), json!(u));
    }
    Value::Object(m)
}

// ---------------------------------------------------------------------------
// Predicted effects (helpers of the ops)

fn ready<'a, T>(p: &'a mut super::Part<T>, what: &'static str) -> Result<&'a mut T, ApplyError> {
    p.ready_mut().ok_or(ApplyError::NotReady(what))
}

/// One region's list, which must have been read.
pub(crate) fn region_mut<'a, T>(
    p: &'a mut super::Part<Regional<T>>,
    what: &'static str,
    region: &str,
) -> Result<&'a mut Vec<T>, ApplyError> {
    let m = ready(p, what)?;
    match m
        .entry(region.to_string())
        .or_insert(Fetched::Ready(vec![]))
    {
        Fetched::Ready(v) => Ok(v),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the {what} of {region} could not be read ({})",
            e.summary()
        ))),
    }
}

pub fn trail_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:cloudtrail:{region}:{account}:trail/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A selector that also logs data events keeps its read/write type: the
    /// fix adds a management selector instead of turning on read data
    /// events (every GetObject) for the trail.
    #[test]
    fn with_management_never_widens_data_events() {
        let data_write = EventSelector {
            read_write_type: "WriteOnly".into(),
            include_management_events: true,
            data_resources: vec![DataResource {
                kind: "AWS::S3::Object".into(),
                values: vec!["arn:aws:s3".into()],
            }],
            exclude_management_event_sources: vec![],
        };
        let sels = EventSelectors {
            basic: vec![data_write.clone()],
            advanced: vec![],
        };
        assert!(!sels.management().complete());
        let fixed = sels.with_management().expect("fixable");
        assert!(fixed.management().complete(), "{fixed:?}");
        assert!(fixed.basic.contains(&data_write), "{fixed:?}");
        assert!(
            fixed
                .basic
                .iter()
                .filter(|s| !s.data_resources.is_empty())
                .all(|s| s.read_write_type == "WriteOnly"),
            "{fixed:?}"
        );
    }
    fn mgmt(rw: &str, exclude: &[&str]) -> EventSelector {
        EventSelector {
            read_write_type: rw.into(),
            include_management_events: true,
            data_resources: vec![],
            exclude_management_event_sources: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn data(rw: &str, bucket: &str) -> EventSelector {
        EventSelector {
            read_write_type: rw.into(),
            include_management_events: false,
            data_resources: vec![DataResource {
                kind: "AWS::S3::Object".into(),
                values: vec![format!("arn:aws:s3:::{bucket}/")],
            }],
            exclude_management_event_sources: vec![],
        }
    }

    fn basic(list: Vec<EventSelector>) -> EventSelectors {
        EventSelectors {
            basic: list,
            advanced: vec![],
        }
    }

    fn adv_mgmt(extra: Vec<FieldSelector>) -> AdvancedEventSelector {
        let mut field_selectors = vec![FieldSelector {
            field: EVENT_CATEGORY.into(),
            equals: vec![MANAGEMENT.into()],
            ..FieldSelector::default()
        }];
        field_selectors.extend(extra);
        AdvancedEventSelector {
            name: None,
            field_selectors,
        }
    }

    fn source_not(v: &[&str]) -> FieldSelector {
        FieldSelector {
            field: "eventSource".into(),
            not_equals: v.iter().map(|s| s.to_string()).collect(),
            ..FieldSelector::default()
        }
    }

    fn read_only(v: &str) -> FieldSelector {
        FieldSelector {
            field: "readOnly".into(),
            equals: vec![v.into()],
            ..FieldSelector::default()
        }
    }

    fn advanced(list: Vec<AdvancedEventSelector>) -> EventSelectors {
        EventSelectors {
            basic: vec![],
            advanced: list,
        }
    }

    /// Selectors are ORed: an exclusion in one selector does not remove
    /// what another selector records (CloudTrail API Reference,
    /// PutEventSelectors: "if the event matches any event selector, the
    /// trail processes and logs the event").
    #[test]
    fn exclusions_of_one_selector_do_not_cancel_another() {
        // Basic: a complete selector beside one that excludes KMS.
        let s = basic(vec![mgmt("All", &[]), mgmt("All", &["kms.amazonaws.com"])]);
        assert!(s.management().complete(), "{:?}", s.management());
        // Two selectors excluding different sources: each source is
        // recorded by the other selector.
        let s = basic(vec![
            mgmt("All", &["kms.amazonaws.com"]),
            mgmt("All", &["rdsdata.amazonaws.com"]),
        ]);
        assert!(s.management().complete(), "{:?}", s.management());
        // Both exclude KMS: it is left out.
        let s = basic(vec![
            mgmt("All", &["kms.amazonaws.com", "rdsdata.amazonaws.com"]),
            mgmt("All", &["kms.amazonaws.com"]),
        ]);
        assert_eq!(s.management().excluded, vec!["kms.amazonaws.com"]);
        // Read from a complete selector, write only from one without KMS:
        // KMS write events are left out.
        let s = basic(vec![
            mgmt("ReadOnly", &[]),
            mgmt("WriteOnly", &["kms.amazonaws.com"]),
        ]);
        let c = s.management();
        assert!(c.read && c.write && !c.complete(), "{c:?}");
        assert_eq!(c.excluded, vec!["kms.amazonaws.com (write events)"]);
        // ...and an All selector without exclusions covers them.
        let s = basic(vec![
            mgmt("WriteOnly", &["kms.amazonaws.com"]),
            mgmt("All", &[]),
        ]);
        assert!(s.management().complete());

        // Advanced: a complete management selector beside one that leaves
        // KMS out.
        let s = advanced(vec![
            adv_mgmt(vec![]),
            adv_mgmt(vec![source_not(&["kms.amazonaws.com"])]),
        ]);
        assert!(s.management().complete(), "{:?}", s.management());
        let s = advanced(vec![
            adv_mgmt(vec![source_not(&["kms.amazonaws.com"])]),
            adv_mgmt(vec![source_not(&["rdsdata.amazonaws.com"])]),
        ]);
        assert!(s.management().complete(), "{:?}", s.management());
        // Only KMS, beside every source but KMS: every source.
        let s = advanced(vec![
            adv_mgmt(vec![source_not(&["kms.amazonaws.com"])]),
            adv_mgmt(vec![FieldSelector {
                field: "eventSource".into(),
                equals: vec!["kms.amazonaws.com".into()],
                ..FieldSelector::default()
            }]),
        ]);
        assert!(s.management().complete(), "{:?}", s.management());
        // Read events without KMS, write events in full: KMS reads missed.
        let s = advanced(vec![
            adv_mgmt(vec![read_only("true"), source_not(&["kms.amazonaws.com"])]),
            adv_mgmt(vec![read_only("false")]),
        ]);
        let c = s.management();
        assert!(!c.complete(), "{c:?}");
        assert_eq!(c.excluded, vec!["kms.amazonaws.com (read events)"]);
        // Read-only in full plus all events without KMS: complete.
        let s = advanced(vec![
            adv_mgmt(vec![read_only("true")]),
            adv_mgmt(vec![source_not(&["kms.amazonaws.com"])]),
            adv_mgmt(vec![
                read_only("false"),
                source_not(&["rdsdata.amazonaws.com"]),
            ]),
        ]);
        assert!(s.management().complete(), "{:?}", s.management());
        // Only one source: never complete.
        let s = advanced(vec![adv_mgmt(vec![FieldSelector {
            field: "eventSource".into(),
            equals: vec!["iam.amazonaws.com".into()],
            ..FieldSelector::default()
        }])]);
        assert!(!s.management().complete());
    }

    /// What the selectors leave out is named in the guide's words, not in
    /// sentences built in code.
    #[test]
    fn what_selectors_leave_out_is_named_from_the_guide() {
        let only_iam = advanced(vec![adv_mgmt(vec![FieldSelector {
            field: "eventSource".into(),
            equals: vec!["iam.amazonaws.com".into()],
            ..FieldSelector::default()
        }])]);
        assert_eq!(
            only_iam.management().excluded,
            vec![msg(
                COVERAGE,
                "only_sources",
                &[("sources", "iam.amazonaws.com")]
            )]
        );
        let s = basic(vec![
            mgmt("ReadOnly", &[]),
            mgmt("WriteOnly", &["kms.amazonaws.com"]),
        ]);
        assert_eq!(
            s.management().excluded,
            vec![msg(
                COVERAGE,
                "write_events_left_out",
                &[("source", "kms.amazonaws.com")]
            )]
        );
        for key in [
            "only_sources",
            "read_events_left_out",
            "write_events_left_out",
        ] {
            assert!(
                crate::guide::guide().template(COVERAGE, key).is_some(),
                "{key}"
            );
        }
    }

    /// Five basic selectors that all log data events: the fix neither adds a
    /// sixth (AWS refuses it) nor widens one (read data events, at a cost):
    /// it moves the trail to advanced selectors.
    #[test]
    fn five_data_selectors_cannot_take_management_events() {
        let full = basic(vec![
            data("WriteOnly", "a"),
            data("WriteOnly", "b"),
            data("WriteOnly", "c"),
            data("WriteOnly", "d"),
            data("WriteOnly", "e"),
        ]);
        // Advanced: one management selector, and each data selector as
        // its exact translation.
        let fixed = full.with_management().expect("converted");
        assert!(fixed.basic.is_empty(), "{fixed:?}");
        assert!(fixed.management().complete(), "{fixed:?}");
        assert_eq!(fixed.advanced.len(), 6, "{fixed:?}");
        assert_eq!(
            fixed.advanced[1].field_selectors,
            vec![
                FieldSelector {
                    field: EVENT_CATEGORY.into(),
                    equals: vec!["Data".into()],
                    ..FieldSelector::default()
                },
                FieldSelector {
                    field: "resources.type".into(),
                    equals: vec!["AWS::S3::Object".into()],
                    ..FieldSelector::default()
                },
                FieldSelector {
                    field: "readOnly".into(),
                    equals: vec!["false".into()],
                    ..FieldSelector::default()
                },
                FieldSelector {
                    field: "resources.ARN".into(),
                    starts_with: vec!["arn:aws:s3:::a/".into()],
                    ..FieldSelector::default()
                },
            ]
        );
        // Every object of every bucket: no ARN condition.
        let mut all = full.clone();
        all.basic[0].data_resources[0].values = vec!["arn:aws:s3".into()];
        all.basic[0].read_write_type = "All".into();
        let fixed = all.with_management().expect("converted");
        assert_eq!(fixed.advanced[1].field_selectors.len(), 2, "{fixed:?}");
        // A Lambda selector has no exact translation here: no plan.
        let mut lambda = full.clone();
        lambda.basic[4].data_resources[0] = DataResource {
            kind: "AWS::Lambda::Function".into(),
            values: vec!["arn:aws:lambda:us-east-1:111122223333:function:f".into()],
        };
        assert_eq!(lambda.with_management(), None);
        // Four: a management selector is added, the others kept.
        let mut four = full.clone();
        four.basic.pop();
        let fixed = four.with_management().expect("room for one more");
        assert_eq!(fixed.basic.len(), 5);
        assert!(fixed.management().complete());
        assert!(four.basic.iter().all(|s| fixed.basic.contains(s)));
        // Five with a management selector among them: that one is widened.
        let mut five = four.clone();
        five.basic.push(mgmt("ReadOnly", &["kms.amazonaws.com"]));
        let fixed = five.with_management().expect("widened");
        assert_eq!(fixed.basic.len(), 5);
        assert!(fixed.management().complete());
        assert_eq!(&fixed.basic[..4], &four.basic[..]);
    }

    /// Only the widened selector changes: another management selector keeps
    /// its exclusions (it excludes nothing the widened one records).
    #[test]
    fn the_fix_changes_one_selector_only() {
        let mut data_kms = data("WriteOnly", "a");
        data_kms.include_management_events = true;
        data_kms.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let s = basic(vec![data_kms.clone(), mgmt("ReadOnly", &[])]);
        let fixed = s.with_management().expect("fixable");
        assert_eq!(fixed.basic[0], data_kms, "{fixed:?}");
        assert_eq!(fixed.basic[1], mgmt("All", &[]));
    }

    use crate::inventory::ResourceRef;

    #[test]
    fn names_round_trip() {
        for s in [
            "trail/eu-west-1/management-events",
            "role/ci-deploy",
            "lifecycle/example-corp-cloudtrail",
            "kms/eu-west-1/alias/moat-cloudtrail",
            "kms/eu-west-1/alias/team/key",
            "sns/us-east-1/moat-billing-alarms",
            "alarm/us-east-1/moat-billing-usual",
            "alarm/us-east-1/a/b",
            "metric-filter/eu-west-1/CloudTrail%2FDefaultLogGroup/moat-cis-root-usage",
            "metric-filter/eu-west-1/%2Faws%2Fcloudtrail/100%25",
        ] {
            let r: ResourceRef = s.parse().expect(s);
            assert!(matches!(r, ResourceRef::Audit(_)), "{s}");
            assert_eq!(r.to_string(), s);
        }
        for bad in [
            "metric-filter/r/a%2fb/x",
            "metric-filter/r/a%41/x",
            "kms/r/alias",
            "trail/r",
        ] {
            assert!(bad.parse::<ResourceRef>().is_err(), "{bad}");
        }
        let r: ResourceRef = "metric-filter/r/%2Faws%2Fct/n".parse().expect("parse");
        assert_eq!(
            r,
            ResourceRef::Audit(AuditRef::MetricFilter {
                region: "r".into(),
                log_group: "/aws/ct".into(),
                name: "n".into()
            })
        );
    }

    #[test]
    fn log_group_from_arn() {
        let mut t = Trail {
            name: "t".into(),
            arn: String::new(),
            home_region: "eu-west-1".into(),
            s3_bucket: None,
            s3_key_prefix: None,
            is_multi_region: true,
            log_file_validation: true,
            kms_key_id: None,
            cloudwatch_logs_log_group_arn: Some(
                "arn:aws:logs:eu-west-1:111122223333:log-group:CloudTrail/Default:*".into(),
            ),
            is_logging: true,
            sns_topic_arn: None,
            status_error: None,
            event_selectors: None,
        };
        assert_eq!(
            t.log_group(),
            Some(("eu-west-1".into(), "CloudTrail/Default".into()))
        );
        t.cloudwatch_logs_log_group_arn = Some("arn:aws:logs:us-east-1:1:log-group:/aws/x".into());
        assert_eq!(t.log_group(), Some(("us-east-1".into(), "/aws/x".into())));
        t.cloudwatch_logs_log_group_arn = Some("nonsense".into());
        assert_eq!(t.log_group(), None);
    }
}
