//! Route 53's SDK calls: the client, the reads of the `Route53` part and the
//! requests each op sends.

use super::ops::{DeleteRecordSet, UpsertRecordSet};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{
    ApexRecords, Fetched, HostedZone, RecordSet, RecordType, Route53, same_name,
};
use crate::aws::op::OpKind;

impl AwsBackend {
    pub(crate) async fn collect_route53(&self) -> Result<Route53, CallError> {
        let r53 = self.route53();
        let pages = r53.list_hosted_zones().into_paginator().send();
        let pages = self
            .send("route53:ListHostedZones", pages.try_collect())
            .await?;
        let mut listed = vec![];
        for z in pages.iter().flat_map(|page| page.hosted_zones()) {
            let id = z.id().trim_start_matches("/hostedzone/").to_string();
            let private = z.config().is_some_and(|c| c.private_zone());
            listed.push((id, z.name().to_string(), private));
        }
        let zones = self
            .join_bounded(listed.into_iter().map(|(id, name, private)| {
                let r53 = r53.clone();
                async move {
                    let records = if private {
                        // Private zones are not visible to mail servers: not read.
                        Fetched::Ready(ApexRecords::default())
                    } else {
                        Fetched::from(self.apex_records(&r53, &id, &name).await)
                    };
                    HostedZone {
                        id,
                        name,
                        private,
                        records,
                    }
                }
            }))
            .await;
        let mut zones = zones;
        zones.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(Route53 { zones })
    }

    /// The apex MX and TXT record sets: Route 53 lists a name's types in
    /// order (… MX, NAPTR, NS, PTR, SOA, SPF, SRV, TXT), so listing from the
    /// apex's MX and stopping at the next name reads both without walking
    /// the whole zone.
    async fn apex_records(
        &self,
        r53: &aws_sdk_route53::Client,
        zone: &str,
        apex: &str,
    ) -> Result<ApexRecords, CallError> {
        use aws_sdk_route53::types::RrType;
        let mut out = ApexRecords::default();
        let mut start: Option<(String, RrType, Option<String>)> =
            Some((apex.to_string(), RrType::Mx, None));
        let mut pages = 0;
        // By hand: the SDK has no paginator for ListResourceRecordSets.
        while let Some((name, rtype, ident)) = start.take() {
            pages += 1;
            let request = r53
                .list_resource_record_sets()
                .hosted_zone_id(zone)
                .start_record_name(&name)
                .start_record_type(rtype)
                .set_start_record_identifier(ident)
                .max_items(100);
            let page = self
                .send("route53:ListResourceRecordSets", request.send())
                .await?;
            let mut past_apex = false;
            for r in page.resource_record_sets() {
                if !same_name(r.name(), apex) {
                    past_apex = true;
                    break;
                }
                // Simple routing only: weighted or latency sets are not ours.
                if r.set_identifier().is_some() {
                    continue;
                }
                let t = match r.r#type() {
                    RrType::Txt => RecordType::Txt,
                    RrType::Mx => RecordType::Mx,
                    _ => continue,
                };
                let set = RecordSet {
                    name: r.name().to_string(),
                    rtype: t.as_str().to_string(),
                    ttl: r.ttl().unwrap_or(0),
                    values: r
                        .resource_records()
                        .iter()
                        .map(|v| v.value().to_string())
                        .collect(),
                };
                match t {
                    RecordType::Txt => out.txt = Some(set),
                    RecordType::Mx => out.mx = Some(set),
                }
            }
            if past_apex || !page.is_truncated() || pages >= 20 {
                break;
            }
            if let (Some(n), Some(t)) = (page.next_record_name(), page.next_record_type()) {
                if !same_name(n, apex) {
                    break;
                }
                start = Some((
                    n.to_string(),
                    t.clone(),
                    page.next_record_identifier().map(str::to_string),
                ));
            }
        }
        Ok(out)
    }
}

impl SendOp for UpsertRecordSet {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        change_record_set(aws, Self::ACTION, &self.zone, &self.record, true).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteRecordSet {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        change_record_set(aws, Self::ACTION, &self.zone, &self.record, false).await?;
        Ok(Outcome::default())
    }
}

async fn change_record_set(
    aws: &AwsBackend,
    action: &str,
    zone: &str,
    record: &RecordSet,
    upsert: bool,
) -> Result<(), CallError> {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let bad = |e: aws_sdk_route53::error::BuildError| {
        CallError::new(action, None, format!("the change could not be built: {e}"))
    };
    let values = record
        .values
        .iter()
        .map(|v| ResourceRecord::builder().value(v).build().map_err(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let set = ResourceRecordSet::builder()
        .name(&record.name)
        .r#type(RrType::from(record.rtype.as_str()))
        .ttl(record.ttl)
        .set_resource_records(Some(values))
        .build()
        .map_err(bad)?;
    let change = Change::builder()
        // UPSERT, never CREATE: it replaces the whole set, and some
        // emulators duplicate a set on CREATE.
        .action(if upsert {
            ChangeAction::Upsert
        } else {
            ChangeAction::Delete
        })
        .resource_record_set(set)
        .build()
        .map_err(bad)?;
    let batch = ChangeBatch::builder()
        .comment("moat")
        .changes(change)
        .build()
        .map_err(bad)?;
    let request = aws
        .route53()
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch);
    aws.send_write(action, request.send()).await?;
    Ok(())
}
