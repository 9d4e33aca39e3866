//! Amazon Route 53: hosted zones and their apex record sets, as moat reads
//! them (the `Route53` part), and their documents.

pub mod ops;
pub(crate) mod sdk;

use crate::aws::inventory::Fetched;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A record set as Route 53 holds it (simple routing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Fully qualified, with the trailing dot.
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub ttl: i64,
    /// As Route 53 holds them: TXT values quoted (`"v=spf1 -all"`).
    pub values: Vec<String>,
}

/// The apex records the route53 items read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApexRecords {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txt: Option<RecordSet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<RecordSet>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// The domain, with the trailing dot.
    pub name: String,
    pub private: bool,
    /// The apex TXT and MX record sets (public zones only; private zones
    /// are not read and hold the default).
    pub records: Fetched<ApexRecords>,
}

impl HostedZone {
    /// The domain without its trailing dot.
    pub fn domain(&self) -> &str {
        self.name.strip_suffix('.').unwrap_or(&self.name)
    }
}

/// The Route 53 part: every hosted zone.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Route53 {
    pub zones: Vec<HostedZone>,
}

impl Route53 {
    pub fn zone(&self, id: &str) -> Option<&HostedZone> {
        self.zones.iter().find(|z| z.id == id)
    }
}

/// `TXT` or `MX`: the record types moat manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordType {
    #[serde(rename = "TXT")]
    Txt,
    #[serde(rename = "MX")]
    Mx,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Txt => "TXT",
            RecordType::Mx => "MX",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "TXT" => Some(RecordType::Txt),
            "MX" => Some(RecordType::Mx),
            _ => None,
        }
    }
}

pub fn record_of(r: &ApexRecords, t: RecordType) -> Option<&RecordSet> {
    match t {
        RecordType::Txt => r.txt.as_ref(),
        RecordType::Mx => r.mx.as_ref(),
    }
}

/// DNS names compare without case and without the trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

pub(crate) fn record_document(r: &RecordSet) -> Value {
    json!({
        "Name": r.name,
        "Type": r.rtype,
        "TTL": r.ttl,
        "ResourceRecords": sorted(&r.values),
    })
}
