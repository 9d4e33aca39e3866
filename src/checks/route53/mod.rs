//! The `route53` section: SPF and MX records of public hosted zones, and who
//! may change any zone's records (with the IAM policy analyser of
//! [`crate::access`], as cloudtrail.api-protected).

pub mod fix;

use super::regions::{outcome, res};
use super::{Ctx, Finding, Fix, ItemDef, Outcome, Status};
use crate::aws::inventory::{
    Fetched, HostedZone, Inventory, PartId, RecordSet, RecordType, ResourceRef,
};
use crate::guide::msg;
use crate::plan::{InputKind, InputSpec};

pub const SPF_RECORDS: &str = "route53.spf-records";
pub const MX_RECORDS: &str = "route53.mx-records";
pub const CHANGE_ACCESS: &str = "route53.change-access";

/// The call that changes a zone's records.
pub const CHANGE_ACTION: &str = "route53:ChangeResourceRecordSets";

/// "no" first: the answer that lets moat write a record by itself.
const YES_NO: InputKind = InputKind::Choice {
    options: &["no", "yes"],
};

pub const SENDS_MAIL: InputSpec = InputSpec {
    name: "sends_mail",
    kind: YES_NO,
    default: None,
};
/// The SPF record for a domain that sends mail. The default (no server may
/// send) is refused when the user says the domain sends mail.
pub const SPF: InputSpec = InputSpec {
    name: "spf",
    kind: InputKind::Spf,
    default: Some(NO_MAIL_SPF),
};
pub const RECEIVES_MAIL: InputSpec = InputSpec {
    name: "receives_mail",
    kind: YES_NO,
    default: None,
};

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: SPF_RECORDS,
        section: "route53",
        needs: &[PartId::Route53],
        cis: &[],
        security_hub: &[],
        check: spf_records,
        fix: Fix::Plan(fix::route53_spf),
        inputs: &[SENDS_MAIL, SPF],
    },
    ItemDef {
        id: MX_RECORDS,
        section: "route53",
        needs: &[PartId::Route53],
        cis: &[],
        security_hub: &[],
        check: mx_records,
        fix: Fix::Plan(fix::route53_mx),
        inputs: &[RECEIVES_MAIL],
    },
    ItemDef {
        id: CHANGE_ACCESS,
        section: "route53",
        needs: &[PartId::Iam, PartId::Route53],
        cis: &[],
        security_hub: &[],
        check: change_access,
        // Who should hold the right is the account's decision: the steps
        // say how to take it away; the live state decides.
        fix: Fix::Guided,
        inputs: &[],
    },
];

/// A non-administrator who may change records, with the zones.
#[derive(Debug, Clone)]
pub struct RecordChanger {
    pub principal: crate::access::Principal,
    /// The zones' domains, in the order of the zone list.
    pub zones: Vec<String>,
}

/// Every user, group and role other than an administrator (and AWS's
/// service-linked roles) that may call [`CHANGE_ACTION`] on a hosted zone.
/// A user who may only through a group is covered by the group's entry.
pub fn record_changers(inv: &Inventory) -> Vec<RecordChanger> {
    use crate::access::{PrincipalKind, is_admin, is_service_linked, who_can};
    let (Some(iam), Some(r53)) = (inv.iam.ready(), inv.route53.ready()) else {
        return vec![];
    };
    let mut out: Vec<RecordChanger> = vec![];
    for z in &r53.zones {
        let arn = format!("arn:{}:route53:::hostedzone/{}", inv.partition(), z.id);
        for p in who_can(iam, &[CHANGE_ACTION], &arn) {
            if (p.kind == PrincipalKind::User && !p.direct)
                || is_service_linked(iam, p.kind, &p.name)
                || is_admin(iam, p.kind, &p.name)
            {
                continue;
            }
            let domain = z.domain().to_string();
            match out
                .iter_mut()
                .find(|c| c.principal.kind == p.kind && c.principal.name == p.name)
            {
                Some(c) => {
                    if !c.zones.contains(&domain) {
                        c.zones.push(domain);
                    }
                    c.principal.absorb(p);
                }
                None => out.push(RecordChanger {
                    principal: p,
                    zones: vec![domain],
                }),
            }
        }
    }
    out.sort_by(|a, b| {
        (a.principal.kind, &a.principal.name).cmp(&(b.principal.kind, &b.principal.name))
    });
    out
}

fn change_access(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(r53) = inv.route53.ready() else {
        return Outcome::pass(String::new());
    };
    if r53.zones.is_empty() {
        return Outcome::pass(msg(CHANGE_ACCESS, "none", &[]));
    }
    let total = r53.zones.len();
    let findings: Vec<Finding> = record_changers(inv)
        .into_iter()
        .map(|c| {
            let zones = if c.zones.len() == total && total > 1 {
                msg(
                    CHANGE_ACCESS,
                    "every_zone",
                    &[("count", &total.to_string())],
                )
            } else {
                c.zones.join(", ")
            };
            let key = if c.principal.conditional {
                "may_conditionally"
            } else {
                "may"
            };
            Finding::fail(
                super::cloudtrail::principal_resource(&c.principal),
                msg(
                    CHANGE_ACCESS,
                    key,
                    &[("zones", &zones), ("via", &c.principal.via.join("; "))],
                ),
            )
        })
        .collect();
    let count = findings.len().to_string();
    Outcome::from_findings(
        findings,
        msg(CHANGE_ACCESS, "pass", &[("count", &total.to_string())]),
        msg(CHANGE_ACCESS, "fail", &[("count", &count)]),
    )
}

/// The SPF record of a domain from which no server may send mail.
pub const NO_MAIL_SPF: &str = "v=spf1 -all";
/// The null MX of RFC 7505: the domain accepts no mail.
pub const NULL_MX: &str = "0 .";
/// The TTL of a record set moat creates.
pub const NEW_RECORD_TTL: i64 = 300;

/// The text of a TXT value as Route 53 holds it: one or more quoted
/// strings (`"a" "b"`), joined; an unquoted value is taken as it is.
pub fn txt_text(value: &str) -> String {
    let v = value.trim();
    if !v.starts_with('"') {
        return v.to_string();
    }
    let mut out = String::new();
    let mut chars = v.chars();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if in_quotes => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            c if in_quotes => out.push(c),
            _ => {}
        }
    }
    out
}

/// A TXT value for Route 53: quoted, in strings of at most 255 characters.
pub fn quote_txt(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(255)
        .map(|c| {
            let s: String = c.iter().collect();
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Is this TXT text an SPF record (`v=spf1` alone or followed by a space)?
pub fn is_spf(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    lower == "v=spf1" || lower.starts_with("v=spf1 ")
}

/// The SPF records among a TXT record set's values.
pub fn spf_texts(txt: Option<&RecordSet>) -> Vec<String> {
    txt.map(|r| {
        r.values
            .iter()
            .map(|v| txt_text(v))
            .filter(|t| is_spf(t))
            .collect()
    })
    .unwrap_or_default()
}

/// Why a zone fails route53.spf-records (`None`: it passes).
pub fn spf_problem(z: &HostedZone, txt: Option<&RecordSet>) -> Option<String> {
    let spf = spf_texts(txt);
    let name = z.domain();
    match spf.as_slice() {
        [] => Some(msg(SPF_RECORDS, "missing", &[("name", name)])),
        [one] => {
            let passes_all = one
                .split_whitespace()
                .any(|t| t.eq_ignore_ascii_case("+all") || t.eq_ignore_ascii_case("all"));
            passes_all.then(|| msg(SPF_RECORDS, "pass_all", &[("name", name), ("spf", one)]))
        }
        many => Some(msg(
            SPF_RECORDS,
            "several",
            &[("name", name), ("count", &many.len().to_string())],
        )),
    }
}

pub fn record_resource(z: &HostedZone, rtype: RecordType) -> String {
    res(ResourceRef::RecordSet {
        zone: z.id.clone(),
        rtype,
    })
}

fn public_zones(inv: &Inventory) -> Option<Vec<&HostedZone>> {
    Some(
        inv.route53
            .ready()?
            .zones
            .iter()
            .filter(|z| !z.private)
            .collect(),
    )
}

fn unreadable(z: &HostedZone, rtype: RecordType, e: &crate::aws::inventory::PartError) -> Finding {
    Finding {
        resource: record_resource(z, rtype),
        region: None,
        status: Status::Error,
        detail: msg(
            super::regions::TABLE,
            "records_unreadable",
            &[("name", z.domain()), ("error", &e.summary())],
        ),
    }
}

fn spf_records(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(zones) = public_zones(inv) else {
        return Outcome::pass(String::new());
    };
    if zones.is_empty() {
        return Outcome::pass(msg(SPF_RECORDS, "none", &[]));
    }
    let findings: Vec<Finding> = zones
        .iter()
        .filter_map(|z| match &z.records {
            Fetched::Error(e) => Some(unreadable(z, RecordType::Txt, e)),
            Fetched::Ready(r) => spf_problem(z, r.txt.as_ref())
                .map(|d| Finding::fail(record_resource(z, RecordType::Txt), d)),
        })
        .collect();
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(SPF_RECORDS, "pass", &[("count", &zones.len().to_string())]),
        msg(SPF_RECORDS, "fail", &[("count", &bad.to_string())]),
    )
}

/// Whether an MX record set is the null MX (the domain receives no mail).
pub fn is_null_mx(r: &RecordSet) -> bool {
    r.values.len() == 1 && {
        let mut parts = r.values[0].split_whitespace();
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some("0"), Some("."), None)
        )
    }
}

fn mx_records(inv: &Inventory, _: &Ctx) -> Outcome {
    let Some(zones) = public_zones(inv) else {
        return Outcome::pass(String::new());
    };
    if zones.is_empty() {
        return Outcome::pass(msg(MX_RECORDS, "none", &[]));
    }
    let findings: Vec<Finding> = zones
        .iter()
        .filter_map(|z| match &z.records {
            Fetched::Error(e) => Some(unreadable(z, RecordType::Mx, e)),
            Fetched::Ready(r) if r.mx.as_ref().is_none_or(|m| m.values.is_empty()) => {
                Some(Finding::fail(
                    record_resource(z, RecordType::Mx),
                    msg(MX_RECORDS, "missing", &[("name", z.domain())]),
                ))
            }
            Fetched::Ready(_) => None,
        })
        .collect();
    let bad = findings.iter().filter(|f| f.status == Status::Fail).count();
    outcome(
        findings,
        msg(MX_RECORDS, "pass", &[("count", &zones.len().to_string())]),
        msg(MX_RECORDS, "fail", &[("count", &bad.to_string())]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::ApexRecords;
    use crate::aws::ops;
    use crate::checks::testkit::midnight as now;
    use crate::checks::testkit::*;
    use crate::plan::{Inputs, Op, PlanError};

    fn upserts(plan: &crate::plan::Plan) -> Vec<(String, RecordSet)> {
        plan.ops()
            .filter_map(|o| match o {
                Op::UpsertRecordSet(ops::UpsertRecordSet { zone, record }) => {
                    Some((zone.clone(), record.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn txt_values_parse_and_quote() {
        assert_eq!(txt_text("\"v=spf1 -all\""), "v=spf1 -all");
        assert_eq!(
            txt_text("\"v=spf1 \" \"include:a.example -all\""),
            "v=spf1 include:a.example -all"
        );
        assert_eq!(txt_text("\"say \\\"hi\\\"\""), "say \"hi\"");
        assert_eq!(txt_text("plain"), "plain");
        assert_eq!(quote_txt("v=spf1 -all"), "\"v=spf1 -all\"");
        let long = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(30));
        let q = quote_txt(&long);
        assert!(q.contains("\" \""), "{q}");
        assert_eq!(txt_text(&q), long);
        assert!(is_spf("v=spf1 -all") && is_spf("V=SPF1") && !is_spf("v=spf10"));
    }

    #[test]
    fn spf_check_names_missing_several_and_pass_all() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, SPF_RECORDS);
        assert_eq!(r.status, Status::Fail);
        // The private zone is not checked; the mail domain passes.
        let names: Vec<&str> = r.findings.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, vec!["dns/Z1EXAMPLECOM/TXT"]);
        let mut z = zone("Z9", "x.example.", false);
        z.records = Fetched::Ready(ApexRecords {
            txt: Some(txt("x.example.", &["\"v=spf1 -all\"", "\"v=spf1 +all\""])),
            mx: None,
        });
        assert!(
            spf_problem(&z, z.records.ready().and_then(|r| r.txt.as_ref()))
                .is_some_and(|p| p.contains('2'))
        );
        z.records = Fetched::Ready(ApexRecords {
            txt: Some(txt("x.example.", &["\"v=spf1 include:x +all\""])),
            mx: None,
        });
        assert!(
            spf_problem(&z, z.records.ready().and_then(|r| r.txt.as_ref()))
                .is_some_and(|p| p.contains("+all"))
        );
    }

    #[test]
    fn spf_plan_for_a_domain_without_mail_keeps_the_verification_token() {
        let t = T::at(now());
        let inv = inventory();
        // The answer is required.
        assert!(matches!(
            t.plan(&inv, SPF_RECORDS, &Inputs::default()),
            Err(PlanError::Input { name, .. }) if name == "sends_mail"
        ));
        let req = Inputs::default().with("sends_mail", "no");
        let plan = t.plan(&inv, SPF_RECORDS, &req).expect("plan");
        let ups = upserts(&plan);
        assert_eq!(ups.len(), 1);
        assert_eq!(ups[0].0, "Z1EXAMPLECOM");
        let mut values = ups[0].1.values.clone();
        values.sort();
        assert_eq!(
            values,
            vec!["\"google-site-verification=abc123\"", "\"v=spf1 -all\""]
        );
        assert_eq!(ups[0].1.ttl, 3600, "the existing TTL is kept");
        // The preview is the record set, before and after.
        let rc = &plan.resources[0];
        assert!(rc.before_text().contains("google-site-verification"));
        assert!(rc.after_text().contains("v=spf1 -all"));
        let after = t.fix(&inv, SPF_RECORDS, &req);
        assert_eq!(t.status(&after, SPF_RECORDS), Status::Pass);
    }

    #[test]
    fn spf_plan_for_a_sending_domain_takes_the_users_record() {
        let t = T::at(now());
        let inv = inventory();
        let yes = Inputs::default().with("sends_mail", "yes");
        // "-all" alone would stop the domain's own mail.
        assert!(matches!(
            t.plan(&inv, SPF_RECORDS, &yes),
            Err(PlanError::Input { name, .. }) if name == "spf"
        ));
        let bad = yes.clone().with("spf", "v=spf1 include:");
        assert!(matches!(
            t.plan(&inv, SPF_RECORDS, &bad),
            Err(PlanError::Input { name, .. }) if name == "spf"
        ));
        let req = yes.with("spf", "v=spf1 include:_spf.google.com ~all");
        let plan = t.plan(&inv, SPF_RECORDS, &req).expect("plan");
        let ups = upserts(&plan);
        assert!(
            ups[0]
                .1
                .values
                .contains(&"\"v=spf1 include:_spf.google.com ~all\"".to_string())
        );
        assert!(
            ups[0]
                .1
                .values
                .contains(&"\"google-site-verification=abc123\"".to_string())
        );
        t.fix(&inv, SPF_RECORDS, &req);
    }

    #[test]
    fn spf_plan_creates_a_missing_txt_set_and_undo_deletes_it() {
        let t = T::at(now());
        let mut inv = inventory();
        zone_mut(&mut inv, "Z1EXAMPLECOM").records = Fetched::Ready(ApexRecords::default());
        let req = Inputs::default().with("sends_mail", "no");
        let plan = t.plan(&inv, SPF_RECORDS, &req).expect("plan");
        assert_eq!(plan.resources[0].before, None);
        let ups = upserts(&plan);
        assert_eq!(ups[0].1.values, vec!["\"v=spf1 -all\""]);
        assert_eq!(ups[0].1.ttl, NEW_RECORD_TTL);
        match plan.steps[0].inverse.as_deref() {
            Some([Op::DeleteRecordSet(ops::DeleteRecordSet { record, .. })]) => {
                assert_eq!(record.values, vec!["\"v=spf1 -all\""]);
                assert_eq!(record.name, "example.com.");
            }
            other => panic!("{other:?}"),
        }
        t.fix(&inv, SPF_RECORDS, &req);
    }

    #[test]
    fn mx_plan_sets_a_null_mx_or_guides() {
        let t = T::at(now());
        let inv = inventory();
        let r = t.eval(&inv, MX_RECORDS);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(r.findings[0].resource, "dns/Z1EXAMPLECOM/MX");
        let req = Inputs::default().with("receives_mail", "no");
        let plan = t.plan(&inv, MX_RECORDS, &req).expect("plan");
        let ups = upserts(&plan);
        assert_eq!(ups.len(), 1);
        assert_eq!(ups[0].1.rtype, "MX");
        assert_eq!(ups[0].1.values, vec![NULL_MX]);
        assert!(is_null_mx(&ups[0].1));
        let after = t.fix(&inv, MX_RECORDS, &req);
        assert_eq!(t.status(&after, MX_RECORDS), Status::Pass);
        let yes = Inputs::default().with("receives_mail", "yes");
        match t.plan(&inv, MX_RECORDS, &yes) {
            Err(PlanError::Guided(m)) => assert!(m.contains("example.com"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn change_access_lists_non_admins_with_their_zones() {
        use crate::aws::inventory::{InlinePolicy, User};
        use serde_json::json;
        let t = T::at(now());
        let mut inv = crate::collect::demo::demo_inventory().expect("demo inventory");
        let r = t.eval(&inv, CHANGE_ACCESS);
        assert_eq!(r.status, Status::Fail);
        let names = |r: &crate::checks::ItemResult| -> Vec<String> {
            r.findings.iter().map(|f| f.resource.clone()).collect()
        };
        // PowerUserAccess grants route53:* on every zone; the administrators
        // and the developers' group members (covered by the group) are not listed.
        assert_eq!(
            names(&r),
            vec!["group/Developers", "role/CorpSSO-Developers"]
        );
        assert!(r.findings[0].detail.contains("every hosted zone (4)"));
        assert!(r.findings[0].detail.contains("PowerUserAccess"));

        let iam = inv.iam.ready_mut().expect("iam");
        // A user scoped to one zone: only that zone is named.
        iam.users.push(User {
            name: "external-dns".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/external-dns"),
            created: None,
            access_keys: vec![],
            mfa_devices: vec![],
            groups: vec![],
            attached_policies: vec![],
            inline_policies: vec![InlinePolicy {
                name: "dns".into(),
                document: json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow",
                    "Action": "route53:Change*",
                    "Resource": "arn:aws:route53:::hostedzone/Z0EXAMPLECORPAPP"}]}),
            }],
            permissions_boundary: None,
            unreadable: None,
        });
        // A Deny on the role takes it off the list.
        let role = iam
            .roles
            .iter_mut()
            .find(|r| r.name == "CorpSSO-Developers")
            .expect("role");
        role.inline_policies.push(InlinePolicy {
            name: "no-dns".into(),
            document: json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Action": "route53:*", "Resource": "*"}]}),
        });
        let r = t.eval(&inv, CHANGE_ACCESS);
        assert_eq!(names(&r), vec!["user/external-dns", "group/Developers"]);
        assert_eq!(
            r.findings[0].detail,
            msg(
                CHANGE_ACCESS,
                "may",
                &[("zones", "example-corp.app"), ("via", "inline dns")]
            )
        );
        // Guided: steps, no plan.
        assert!(
            crate::checks::item(CHANGE_ACCESS)
                .expect("item")
                .has_steps()
        );

        // No zones: nothing to protect.
        inv.route53.ready_mut().expect("route53").zones.clear();
        let r = t.eval(&inv, CHANGE_ACCESS);
        assert_eq!(r.status, Status::Pass);
        assert_eq!(r.summary, msg(CHANGE_ACCESS, "none", &[]));
    }
}
