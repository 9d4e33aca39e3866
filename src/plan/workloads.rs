//! Plan builders of the rds, route53, elb and other sections. Each chooses
//! ops only; `make_plan` derives the preview, inverses and drift baseline.
//! Regions or resources that could not be read are never planned.

use super::{Draft, Inputs, Op, PlanError};
use crate::aws::ops;
use crate::checks::Ctx;
use crate::checks::elb::{
    HTTPS_LISTENERS, SECURITY_GROUPS, TLS_POLICY, classic_resource, listener_resource,
    open_lb_rules, outdated_listeners, plain_http_listeners, replacement_policy,
};
use crate::checks::other::{INSPECTOR, inspector_resource};
use crate::checks::rds::{
    APPLY_AT, APPLY_NOW, OPEN_SECURITY_GROUPS, PUBLIC_INSTANCES, PUBLIC_SNAPSHOTS,
    instance_resource, open_db_rules, snapshot_resource,
};
use crate::checks::route53::{
    MX_RECORDS, NEW_RECORD_TTL, NO_MAIL_SPF, NULL_MX, RECEIVES_MAIL, SENDS_MAIL, SPF, SPF_RECORDS,
    is_spf, quote_txt, record_resource, spf_problem, txt_text,
};
use crate::guide::msg;
use crate::inventory::{
    Fetched, HostedZone, INSPECTOR_SCANS, Inventory, ListenerAction, PUBLIC, PartId, RecordSet,
    RecordType,
};

fn nothing() -> PlanError {
    PlanError::NothingToDo(msg("plan", "nothing", &[]))
}

/// The item's confirmation warning, from its guide text.
fn item_warning(id: &str) -> Vec<String> {
    crate::guide::guide()
        .item(id)
        .and_then(|t| t.warning.clone())
        .into_iter()
        .collect()
}

fn draft(id: &str, ops: Vec<Op>) -> Result<Draft, PlanError> {
    if ops.is_empty() {
        return Err(nothing());
    }
    Ok(Draft {
        ops,
        warnings: item_warning(id),
    })
}

// ---------------------------------------------------------------------------
// Security groups of RDS instances and load balancers

/// The selected rules: a rule's finding, or its group (`sg/…`) to take all
/// of that group's.
fn selected_rules(
    rules: Vec<crate::checks::ec2::UsedRule>,
    req: &Inputs,
) -> Vec<crate::inventory::SgRuleRef> {
    rules
        .into_iter()
        .filter(|u| {
            req.wants(&u.resource())
                || req
                    .resources
                    .iter()
                    .any(|x| *x == crate::checks::ec2::group_resource(&u.region, u.group))
        })
        .map(|u| u.rule_ref)
        .collect()
}

/// rds.open-security-groups: tighten or revoke each selected open rule of a
/// DB instance's group, as ec2.open-admin-ports does.
pub fn rds_open_security_groups(
    inv: &Inventory,
    _: &Ctx,
    req: &Inputs,
) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let net = inv
        .ec2_network
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Network))?;
    let targets = selected_rules(open_db_rules(&rds.regions, net), req);
    super::ec2::tighten_each(
        inv,
        &targets,
        req,
        OPEN_SECURITY_GROUPS,
        super::ec2::TIGHTEN_INPUTS,
    )
}

/// elb.security-groups: tighten or revoke each selected rule that opens a
/// load balancer's group beyond its listener ports.
pub fn elb_security_groups(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let net = inv
        .ec2_network
        .ready()
        .ok_or(PlanError::NotReady(PartId::Ec2Network))?;
    let targets = selected_rules(open_lb_rules(&elb.regions, net), req);
    super::ec2::tighten_each(
        inv,
        &targets,
        req,
        SECURITY_GROUPS,
        super::ec2::REVOKE_FIRST_INPUTS,
    )
}

// ---------------------------------------------------------------------------
// rds

/// ModifyDBInstance PubliclyAccessible=false. RDS applies that setting at
/// once whatever ApplyImmediately says, so ApplyImmediately only decides
/// what happens to the modifications an instance has queued for its
/// maintenance window: `apply_at=maintenance-window` (the default) leaves
/// them queued, `apply_at=now` applies them with this change. The preview
/// names them either way.
pub fn rds_public_instances(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    check_given(req, &[APPLY_AT])?;
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let now = req.get(&APPLY_AT)? == APPLY_NOW;
    let mut ops = vec![];
    let mut pending = vec![];
    for (region, r) in &rds.regions {
        let Fetched::Ready(r) = r else { continue };
        for i in r.instances.iter().filter(|i| i.publicly_accessible) {
            if req.wants(&instance_resource(region, i)) {
                if !i.pending.is_empty() {
                    pending.push((i.id.clone(), i.pending_changes().join(", ")));
                }
                ops.push(Op::ModifyDbInstancePublicAccess(
                    ops::ModifyDbInstancePublicAccess {
                        region: region.clone(),
                        instance: i.id.clone(),
                        publicly_accessible: false,
                        apply_immediately: now,
                    },
                ));
            }
        }
    }
    let mut d = draft(PUBLIC_INSTANCES, ops)?;
    let key = if now { "pending_now" } else { "pending_kept" };
    for (name, changes) in pending {
        d.warnings.push(msg(
            PUBLIC_INSTANCES,
            key,
            &[("name", &name), ("changes", &changes)],
        ));
    }
    Ok(d)
}

/// Remove `all` from the restore attribute of public manual snapshots
/// (other accounts it is shared with keep their access).
pub fn rds_public_snapshots(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let rds = inv.rds.ready().ok_or(PlanError::NotReady(PartId::Rds))?;
    let mut ops = vec![];
    for (region, r) in &rds.regions {
        let Fetched::Ready(r) = r else { continue };
        for s in r.snapshots.iter().filter(|s| s.is_public()) {
            if req.wants(&snapshot_resource(region, s, false)) {
                ops.push(Op::ModifyDbSnapshotRestore(ops::ModifyDbSnapshotRestore {
                    region: region.clone(),
                    snapshot: s.id.clone(),
                    add: vec![],
                    remove: vec![PUBLIC.to_string()],
                }));
            }
        }
        for s in r.cluster_snapshots.iter().filter(|s| s.is_public()) {
            if req.wants(&snapshot_resource(region, s, true)) {
                ops.push(Op::ModifyDbClusterSnapshotRestore(
                    ops::ModifyDbClusterSnapshotRestore {
                        region: region.clone(),
                        snapshot: s.id.clone(),
                        add: vec![],
                        remove: vec![PUBLIC.to_string()],
                    },
                ));
            }
        }
    }
    draft(PUBLIC_SNAPSHOTS, ops)
}

// ---------------------------------------------------------------------------
// route53

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

/// A value the user gave is checked even when there turns out to be nothing
/// to change (a missing one is asked for only when it is needed).
fn check_given(req: &Inputs, specs: &[super::InputSpec]) -> Result<(), PlanError> {
    for spec in specs {
        if req.values.contains_key(spec.name) {
            req.get(spec)?;
        }
    }
    Ok(())
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

// ---------------------------------------------------------------------------
// elb

/// Redirect plain HTTP to HTTPS on internet-facing ALBs: the default
/// actions, and every rule that serves content over HTTP (ModifyRule keeps
/// its conditions and replaces its actions with the same redirect, so undo
/// can put the old actions back). Classic Load Balancers cannot redirect, so
/// they are named in a warning (or the answer is "guided" when they are all
/// that fails).
pub fn elb_https_listeners(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let mut ops = vec![];
    let mut classic = vec![];
    let mut kept = vec![];
    for (region, r) in &elb.regions {
        let Fetched::Ready(r) = r else { continue };
        for lb in &r.load_balancers {
            for p in plain_http_listeners(lb) {
                let l = p.listener;
                if !req.wants(&listener_resource(region, lb, l)) {
                    continue;
                }
                // Undo must be able to send the old actions back as they were.
                let restorable = (!p.default
                    || l.default_actions.iter().all(ListenerAction::is_restorable))
                    && p.rules.iter().all(|r| {
                        !r.actions.is_empty() && r.actions.iter().all(ListenerAction::is_restorable)
                    });
                if !restorable {
                    kept.push(format!("{}:{}", lb.name, l.port));
                    continue;
                }
                if p.default {
                    ops.push(Op::ModifyListenerDefaultActions(
                        ops::ModifyListenerDefaultActions {
                            region: region.clone(),
                            load_balancer: lb.name.clone(),
                            port: l.port,
                            listener_arn: l.arn.clone(),
                            actions: vec![ListenerAction::redirect_to_https()],
                        },
                    ));
                }
                for rule in &p.rules {
                    ops.push(Op::ModifyRuleActions(ops::ModifyRuleActions {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                        rule_arn: rule.arn.clone(),
                        priority: rule.priority.clone(),
                        actions: vec![ListenerAction::redirect_to_https()],
                    }));
                }
            }
        }
        for c in r
            .classic
            .iter()
            .filter(|c| c.is_internet_facing() && c.listeners.iter().any(|l| l.protocol == "HTTP"))
        {
            if req.wants(&classic_resource(region, c)) {
                classic.push(c.name.clone());
            }
        }
    }
    if ops.is_empty() {
        if !classic.is_empty() {
            return Err(PlanError::Guided(msg(
                HTTPS_LISTENERS,
                "classic_guided",
                &[("names", &classic.join(", "))],
            )));
        }
        if !kept.is_empty() {
            return Err(PlanError::Guided(msg(
                HTTPS_LISTENERS,
                "unsupported_guided",
                &[("names", &kept.join(", "))],
            )));
        }
        return Err(nothing());
    }
    let mut d = draft(HTTPS_LISTENERS, ops)?;
    if !classic.is_empty() {
        d.warnings.push(msg(
            HTTPS_LISTENERS,
            "classic_left",
            &[("names", &classic.join(", "))],
        ));
    }
    if !kept.is_empty() {
        d.warnings.push(msg(
            HTTPS_LISTENERS,
            "unsupported_left",
            &[("names", &kept.join(", "))],
        ));
    }
    Ok(d)
}

/// ModifyListener SslPolicy on HTTPS/TLS listeners with an outdated policy.
pub fn elb_tls_policy(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let elb = inv.elb.ready().ok_or(PlanError::NotReady(PartId::Elb))?;
    let mut ops = vec![];
    let mut classic = vec![];
    for (region, r) in &elb.regions {
        let Fetched::Ready(r) = r else { continue };
        for lb in &r.load_balancers {
            for l in outdated_listeners(lb) {
                if req.wants(&listener_resource(region, lb, l)) {
                    ops.push(Op::ModifyListenerSslPolicy(ops::ModifyListenerSslPolicy {
                        region: region.clone(),
                        load_balancer: lb.name.clone(),
                        port: l.port,
                        listener_arn: l.arn.clone(),
                        ssl_policy: replacement_policy(l.ssl_policy.as_deref()).to_string(),
                    }));
                }
            }
        }
        for c in &r.classic {
            let bad = c.listeners.iter().any(|l| {
                l.is_tls()
                    && !l
                        .security_policy
                        .as_deref()
                        .is_some_and(|p| crate::checks::elb::CLASSIC_TLS12_POLICIES.contains(&p))
            });
            if bad && req.wants(&classic_resource(region, c)) {
                classic.push(c.name.clone());
            }
        }
    }
    if ops.is_empty() {
        if !classic.is_empty() {
            return Err(PlanError::Guided(msg(
                TLS_POLICY,
                "classic_guided",
                &[("names", &classic.join(", "))],
            )));
        }
        return Err(nothing());
    }
    let mut d = draft(TLS_POLICY, ops)?;
    if !classic.is_empty() {
        d.warnings.push(msg(
            TLS_POLICY,
            "classic_left",
            &[("names", &classic.join(", "))],
        ));
    }
    Ok(d)
}

// ---------------------------------------------------------------------------
// other

/// Enable Inspector's EC2 and ECR scans where they are off, per region.
pub fn other_inspector(inv: &Inventory, _: &Ctx, req: &Inputs) -> Result<Draft, PlanError> {
    let account = inv
        .account_id()
        .ok_or(PlanError::NotReady(PartId::Identity))?
        .to_string();
    let part = inv
        .inspector
        .ready()
        .ok_or(PlanError::NotReady(PartId::Inspector))?;
    let mut ops = vec![];
    for (region, s) in &part.regions {
        let Fetched::Ready(s) = s else { continue };
        let off: Vec<String> = INSPECTOR_SCANS
            .iter()
            .filter(|t| !s.is_on(t))
            .map(|t| t.to_string())
            .collect();
        if !off.is_empty() && req.wants(&inspector_resource(region)) {
            ops.push(Op::EnableInspector(ops::EnableInspector {
                region: region.clone(),
                account: account.clone(),
                resource_types: off,
            }));
        }
    }
    draft(INSPECTOR, ops)
}
