//! Route 53's mutating calls, one type each (see [`OpKind`]).

use super::sorted;
use crate::aws::inventory::{
    ApexRecords, ApplyError, Fetched, Inventory, RecordSet, RecordType, ResourceRef, record_of,
    same_name,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// route53:ChangeResourceRecordSets UPSERT of an apex record set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertRecordSet {
    pub zone: String,
    pub record: RecordSet,
}

impl OpKind for UpsertRecordSet {
    const ACTION: &'static str = "route53:ChangeResourceRecordSets";

    fn resource(&self) -> ResourceRef {
        record_set_ref(&self.zone, &self.record)
    }

    fn describe(&self) -> String {
        let record = &self.record;
        format!(
            "set the {} record of {} to {}",
            record.rtype,
            record.name,
            record.values.join(" | ")
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (zone, record) = (&self.zone, &self.record);
        let zone_name = zone_name(inv, zone)?;
        let r = zone_records(inv, zone)?;
        if record.values.is_empty() {
            return Err(ApplyError::Conflict(format!(
                "a {} record set needs at least one value",
                record.rtype
            )));
        }
        let mut rec = record.clone();
        rec.name = zone_name.clone();
        *slot(r, &zone_name, record)? = Some(rec);
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        record_inverse(before, &self.zone, &self.record, true)
    }
}

/// route53:ChangeResourceRecordSets DELETE of an apex record set, given
/// exactly as it is (undo of an UPSERT that created it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRecordSet {
    pub zone: String,
    pub record: RecordSet,
}

impl OpKind for DeleteRecordSet {
    const ACTION: &'static str = "route53:ChangeResourceRecordSets";

    fn resource(&self) -> ResourceRef {
        record_set_ref(&self.zone, &self.record)
    }

    fn describe(&self) -> String {
        let record = &self.record;
        format!("delete the {} record of {}", record.rtype, record.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (zone, record) = (&self.zone, &self.record);
        let zone_name = zone_name(inv, zone)?;
        let r = zone_records(inv, zone)?;
        let s = slot(r, &zone_name, record)?;
        // Route 53 deletes only a record set given exactly as it is.
        match s {
            Some(cur) if cur.ttl == record.ttl && sorted(&cur.values) == sorted(&record.values) => {
                *s = None
            }
            Some(_) => {
                return Err(ApplyError::Conflict(format!(
                    "the {} record set of {zone_name} differs from the one to delete",
                    record.rtype
                )));
            }
            None => {
                return Err(ApplyError::NoSuch(format!(
                    "{} record set of {zone_name}",
                    record.rtype
                )));
            }
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        record_inverse(before, &self.zone, &self.record, false)
    }
}

fn record_set_ref(zone: &str, record: &RecordSet) -> ResourceRef {
    ResourceRef::RecordSet {
        zone: zone.to_string(),
        // An op of another type is refused by `Inventory::apply`.
        rtype: RecordType::parse(&record.rtype).unwrap_or(RecordType::Txt),
    }
}

/// The undo of an UPSERT (`upsert`) or DELETE of `record`: the record set
/// before, put back.
fn record_inverse(
    before: &Inventory,
    zone: &str,
    record: &RecordSet,
    upsert: bool,
) -> Option<Vec<Op>> {
    let z = before.route53.ready()?.zone(zone)?;
    let rtype = RecordType::parse(&record.rtype)?;
    let prev = record_of(z.records.ready()?, rtype).cloned();
    Some(match (upsert, prev) {
        (_, Some(prev)) => vec![
            UpsertRecordSet {
                zone: zone.to_string(),
                record: prev,
            }
            .into(),
        ],
        // Created by the UPSERT: delete exactly what it set.
        (true, None) => {
            let mut r = record.clone();
            r.name = z.name.clone();
            vec![
                DeleteRecordSet {
                    zone: zone.to_string(),
                    record: r,
                }
                .into(),
            ]
        }
        // Deleting what does not exist fails; nothing to restore.
        _ => return None,
    })
}

fn zone_records<'a>(inv: &'a mut Inventory, zone: &str) -> Result<&'a mut ApexRecords, ApplyError> {
    let z = inv
        .route53
        .ready_mut()
        .ok_or(ApplyError::NotReady("Route 53"))?
        .zones
        .iter_mut()
        .find(|z| z.id == zone)
        .ok_or_else(|| ApplyError::NoSuch(format!("hosted zone {zone}")))?;
    let name = z.name.clone();
    match &mut z.records {
        Fetched::Ready(r) => Ok(r),
        Fetched::Error(e) => Err(ApplyError::Conflict(format!(
            "the records of {name} could not be read ({})",
            e.summary()
        ))),
    }
}

/// Which apex record slot a record set goes in (`None`: not one moat manages).
fn slot<'a>(
    r: &'a mut ApexRecords,
    zone_name: &str,
    rec: &RecordSet,
) -> Result<&'a mut Option<RecordSet>, ApplyError> {
    if !same_name(&rec.name, zone_name) {
        return Err(ApplyError::Conflict(format!(
            "{} is not the apex of {zone_name}",
            rec.name
        )));
    }
    match RecordType::parse(&rec.rtype) {
        Some(RecordType::Txt) => Ok(&mut r.txt),
        Some(RecordType::Mx) => Ok(&mut r.mx),
        None => Err(ApplyError::Conflict(format!(
            "moat does not manage {} records",
            rec.rtype
        ))),
    }
}

fn zone_name(inv: &Inventory, zone: &str) -> Result<String, ApplyError> {
    inv.route53
        .ready()
        .ok_or(ApplyError::NotReady("Route 53"))?
        .zone(zone)
        .map(|z| z.name.clone())
        .ok_or_else(|| ApplyError::NoSuch(format!("hosted zone {zone}")))
}
