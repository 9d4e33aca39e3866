//! Route 53: the TXT and MX record sets at a hosted zone's apex.

use super::insert_documented;
use moat::aws::inventory::{
    ApexRecords, Fetched, HostedZone, Inventory, RecordSet, RecordType, ResourceRef,
};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

fn record(name: &str, rtype: &str, values: &[&str]) -> RecordSet {
    RecordSet {
        name: name.into(),
        rtype: rtype.into(),
        ttl: 300,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// One op of every Route 53 op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    vec![
        Op::UpsertRecordSet(ops::UpsertRecordSet {
            zone: "Z1".into(),
            record: record("example.com.", "TXT", &["\"v=spf1 -all\""]),
        }),
        Op::DeleteRecordSet(ops::DeleteRecordSet {
            zone: "Z1".into(),
            record: record("example.com.", "MX", &["0 ."]),
        }),
    ]
}

/// The position of a Route 53 op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::UpsertRecordSet(_) => 0,
        Op::DeleteRecordSet(_) => 1,
        other => unreachable!("not a Route 53 op: {other:?}"),
    }
}

/// A record set is put back as the journal keeps it.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// The demo's zone has no TXT or MX records: the SPF and MX plans create
/// record sets that undo deletes.
pub fn seed(_scenario: &str, _inv: &mut Inventory) {}

pub fn resources(inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    let mut add = |r| insert_documented(inv, out, r);
    if let Some(r53) = inv.route53.ready() {
        for z in &r53.zones {
            for rtype in [RecordType::Txt, RecordType::Mx] {
                add(ResourceRef::RecordSet {
                    zone: z.id.clone(),
                    rtype,
                });
            }
        }
    }
}

pub fn drift(inv: &mut Inventory, zone: &str, rtype: &RecordType) {
    let Some(r53) = inv.route53.ready_mut() else {
        return;
    };
    if r53.zone(zone).is_none() {
        r53.zones.push(HostedZone {
            id: zone.to_string(),
            name: "drift.example.".into(),
            private: false,
            records: Fetched::Ready(ApexRecords::default()),
        });
    }
    let Some(z) = r53.zones.iter_mut().find(|z| z.id == zone) else {
        return;
    };
    let name = z.name.clone();
    let Fetched::Ready(records) = &mut z.records else {
        return;
    };
    let (slot, value) = match rtype {
        RecordType::Txt => (&mut records.txt, "\"drift-verification=1\""),
        RecordType::Mx => (&mut records.mx, "20 mx.drift.example."),
    };
    match slot {
        Some(s) => s.values.push(value.into()),
        None => *slot = Some(record(&name, rtype.as_str(), &[value])),
    }
}
