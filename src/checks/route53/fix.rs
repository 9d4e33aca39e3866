//! Plan builders of the `route53` section. Each chooses ops only; `make_plan`
//! derives the preview, inverses and drift baseline. Regions or resources
//! that could not be read are never planned.

use crate::aws::inventory::{Fetched, HostedZone, Inventory, PartId, RecordSet, RecordType};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::route53::{
    MX_RECORDS, NEW_RECORD_TTL, NO_MAIL_SPF, NULL_MX, RECEIVES_MAIL, SENDS_MAIL, SPF, SPF_RECORDS,
    is_spf, quote_txt, record_resource, spf_problem, txt_text,
};
use crate::guide::msg;
use crate::plan::build::{check_given, draft, nothing};
use crate::plan::{Draft, Inputs, Op, PlanError};

fn public_zones(inv: &Inventory) -> Result<Vec<&HostedZone>, PlanError> {
    Ok(inv
        .route53
        .ready()
        .ok_or(PlanError::NotReady(PartId::Route53))?
        .zones
        .iter()
        .filter(|z| !z.private)
        .collect())
}

/// The TXT record set with `spf` as its only SPF value: every other value
/// (verification tokens, DKIM keys published at the apex…) is kept, and so
/// is the TTL. Route 53 holds a name's TXT values as one set, so the UPSERT
/// carries them all.
pub fn merged_txt(z: &HostedZone, existing: Option<&RecordSet>, spf: &str) -> RecordSet {
    let mut values: Vec<String> = existing
        .map(|r| {
            r.values
                .iter()
                .filter(|v| !is_spf(&txt_text(v)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    values.push(quote_txt(spf));
    RecordSet {
        name: z.name.clone(),
        rtype: RecordType::Txt.as_str().into(),
        ttl: existing.map(|r| r.ttl).unwrap_or(NEW_RECORD_TTL),
        values,
    }
}

/// UPSERT each failing zone's apex TXT record set with the SPF record: `v=spf1
/// -all` for a domain that sends no mail, else the record the user gives.
pub fn route53_spf(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    check_given(req, &[SENDS_MAIL, SPF])?;
    let targets: Vec<(&HostedZone, Option<&RecordSet>)> = public_zones(inv)?
        .into_iter()
        .filter(|z| req.wants(&record_resource(z, RecordType::Txt)))
        .filter_map(|z| match &z.records {
            Fetched::Ready(r) => spf_problem(z, r.txt.as_ref())
                .is_some()
                .then_some((z, r.txt.as_ref())),
            Fetched::Error(_) => None,
        })
        .collect();
    if targets.is_empty() {
        return Err(nothing());
    }
    let sends = req.get(&SENDS_MAIL)? == "yes";
    let spf = if sends {
        let spf = req.get(&SPF)?;
        // A record that lets no server send would stop the domain's own mail.
        if spf == NO_MAIL_SPF {
            return Err(PlanError::Input {
                name: SPF.name.into(),
                message: msg(SPF_RECORDS, "need_senders", &[]),
            });
        }
        spf
    } else {
        NO_MAIL_SPF.to_string()
    };
    let ops = targets
        .into_iter()
        .map(|(z, txt)| {
            Op::UpsertRecordSet(ops::UpsertRecordSet {
                zone: z.id.clone(),
                record: merged_txt(z, txt, &spf),
            })
        })
        .collect();
    let mut d = draft(SPF_RECORDS, ops)?;
    if sends {
        d.warnings
            .push(msg(SPF_RECORDS, "sends_warning", &[("spf", &spf)]));
    }
    Ok(d)
}

/// UPSERT a null MX on failing zones whose domain receives no mail; a domain
/// that does is guided (moat cannot know its mail servers).
pub fn route53_mx(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    check_given(req, &[RECEIVES_MAIL])?;
    let targets: Vec<&HostedZone> = public_zones(inv)?
        .into_iter()
        .filter(|z| req.wants(&record_resource(z, RecordType::Mx)))
        .filter(|z| {
            matches!(&z.records, Fetched::Ready(r) if r.mx.as_ref().is_none_or(|m| m.values.is_empty()))
        })
        .collect();
    if targets.is_empty() {
        return Err(nothing());
    }
    if req.get(&RECEIVES_MAIL)? == "yes" {
        let names: Vec<&str> = targets.iter().map(|z| z.domain()).collect();
        return Err(PlanError::Guided(msg(
            MX_RECORDS,
            "receives_guided",
            &[("names", &names.join(", "))],
        )));
    }
    let ops = targets
        .into_iter()
        .map(|z| {
            Op::UpsertRecordSet(ops::UpsertRecordSet {
                zone: z.id.clone(),
                record: RecordSet {
                    name: z.name.clone(),
                    rtype: RecordType::Mx.as_str().into(),
                    ttl: NEW_RECORD_TTL,
                    values: vec![NULL_MX.into()],
                },
            })
        })
        .collect();
    draft(MX_RECORDS, ops)
}
