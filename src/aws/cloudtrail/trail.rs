//! A CloudTrail trail as moat models it: its settings, status and event
//! selectors, and which management events they record.

use crate::aws::inventory::{Fetched, PartError};
use crate::guide::msg;
use serde::{Deserialize, Serialize};

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
