//! The `cloudfront` section: HTTPS to viewers, TLS versions, web ACLs.

pub mod fix;

use super::{Ctx, Finding, Fix, ItemDef, Outcome};
use crate::aws::inventory::{CloudFront, Distribution, Inventory, PartId, ResourceRef};
use crate::guide::msg;

pub const HTTPS_ONLY: &str = "cloudfront.https-only";
pub const TLS_VERSION: &str = "cloudfront.tls-version";
pub const WAF: &str = "cloudfront.waf";

pub const ITEMS: &[ItemDef] = &[
    ItemDef {
        id: HTTPS_ONLY,
        section: "cloudfront",
        needs: &[PartId::CloudFront],
        cis: &[],
        security_hub: &["CloudFront.3"],
        check: https_only,
        fix: Fix::Plan(fix::https_only),
        inputs: &[],
    },
    ItemDef {
        id: TLS_VERSION,
        section: "cloudfront",
        needs: &[PartId::CloudFront],
        cis: &[],
        security_hub: &["CloudFront.8", "CloudFront.15"],
        check: tls_version,
        fix: Fix::Plan(fix::tls_version),
        inputs: &[],
    },
    ItemDef {
        id: WAF,
        section: "cloudfront",
        needs: &[PartId::CloudFront],
        cis: &[],
        security_hub: &["CloudFront.6"],
        check: waf,
        // Guided, but the live state decides (the item needs a part).
        fix: Fix::Guided,
        inputs: &[],
    },
];

/// The viewer protocol policy that lets viewers use plain HTTP.
pub const ALLOW_ALL: &str = "allow-all";
/// What the fix sets on such behaviors.
pub const REDIRECT_TO_HTTPS: &str = "redirect-to-https";
/// The SSL support method that needs no dedicated IP addresses.
pub const SNI_ONLY: &str = "sni-only";

/// CloudFront's viewer security policies, oldest first. The single place
/// their order is known.
pub const TLS_POLICIES: &[&str] = &[
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
];

/// The oldest policy that passes, and what the fix sets when one is older.
pub const MIN_TLS_POLICY: &str = "TLSv1.2_2021";

fn tls_rank(policy: &str) -> Option<usize> {
    TLS_POLICIES.iter().position(|p| *p == policy)
}

/// Is `policy` TLSv1.2_2021 or newer? Names the table does not know yet are
/// judged by their form: any `TLSv1.3…`, or a `TLSv1.2_YEAR…` from 2021 on.
pub fn tls_policy_is_current(policy: &str) -> bool {
    match (tls_rank(policy), tls_rank(MIN_TLS_POLICY)) {
        (Some(r), Some(min)) => r >= min,
        _ => {
            policy.starts_with("TLSv1.3")
                || policy
                    .strip_prefix("TLSv1.2_")
                    .and_then(|rest| rest.get(..4))
                    .and_then(|y| y.parse::<u32>().ok())
                    .is_some_and(|year| year >= 2021)
        }
    }
}

fn resource(d: &Distribution) -> String {
    ResourceRef::Distribution { id: d.id.clone() }.to_string()
}

/// How findings name a distribution: its first alternate domain name, else
/// its `*.cloudfront.net` name.
pub fn label(d: &Distribution) -> &str {
    d.aliases
        .first()
        .map(String::as_str)
        .unwrap_or(d.domain_name.as_str())
}

/// Does this viewer protocol policy let viewers use plain HTTP?
pub fn is_allow_all(policy: &str) -> bool {
    policy == ALLOW_ALL
}

/// The behaviors of `d` that let viewers use plain HTTP.
pub fn http_behaviors(
    d: &Distribution,
) -> impl Iterator<Item = &crate::aws::inventory::CacheBehavior> {
    d.behaviors
        .iter()
        .filter(|b| is_allow_all(&b.viewer_protocol_policy))
}

/// Why a distribution fails `cloudfront.tls-version` (empty: it passes or
/// uses CloudFront's own certificate).
pub fn tls_problems(d: &Distribution) -> Vec<String> {
    let c = &d.viewer_certificate;
    if !c.is_custom() {
        return vec![];
    }
    let mut out = vec![];
    match c.ssl_support_method.as_deref() {
        Some(SNI_ONLY) => {}
        Some(m) => out.push(msg(TLS_VERSION, "not_sni", &[("method", m)])),
        None => out.push(msg(TLS_VERSION, "no_method", &[])),
    }
    match c.minimum_protocol_version.as_deref() {
        Some(v) if tls_policy_is_current(v) => {}
        Some(v) => out.push(msg(
            TLS_VERSION,
            "old_version",
            &[("version", v), ("min", MIN_TLS_POLICY)],
        )),
        None => out.push(msg(TLS_VERSION, "no_version", &[("min", MIN_TLS_POLICY)])),
    }
    out
}

/// The web ACL, when one is set (CloudFront reports none as an empty string).
fn web_acl(d: &Distribution) -> Option<&str> {
    d.web_acl_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An AWS WAF (v2) web ACL is named by its ARN; a WAF Classic one by a bare id.
pub fn is_classic_web_acl(id: &str) -> bool {
    !id.starts_with("arn:")
}

fn cloudfront(inv: &Inventory) -> Option<&CloudFront> {
    inv.cloudfront.ready()
}

/// The outcome for an account without distributions.
fn no_distributions(item: &str) -> Outcome {
    Outcome::pass(msg(item, "none", &[]))
}

/// The distributions and the failing finding `check` makes of each (`None`:
/// it passes); else the outcome: nothing read yet, or no distribution.
fn check_each<'a>(
    inv: &'a Inventory,
    item: &str,
    check: impl FnMut(&'a Distribution) -> Option<Finding>,
) -> Result<(&'a CloudFront, Vec<Finding>), Outcome> {
    let Some(cf) = cloudfront(inv) else {
        return Err(Outcome::pass(String::new()));
    };
    if cf.distributions.is_empty() {
        return Err(no_distributions(item));
    }
    Ok((cf, cf.distributions.iter().filter_map(check).collect()))
}

/// `item`'s `pass` (given `{count}`: every distribution) or `fail` (given
/// `{count}`: the failing ones) outcome.
fn counted(item: &str, cf: &CloudFront, findings: Vec<Finding>) -> Outcome {
    let total = cf.distributions.len().to_string();
    let bad = findings.len().to_string();
    Outcome::from_findings(
        findings,
        msg(item, "pass", &[("count", &total)]),
        msg(item, "fail", &[("count", &bad)]),
    )
}

fn https_only(inv: &Inventory, _: &Ctx) -> Outcome {
    let (cf, findings) = match check_each(inv, HTTPS_ONLY, |d| {
        let behaviors: Vec<&str> = http_behaviors(d).map(|b| b.label()).collect();
        (!behaviors.is_empty()).then(|| {
            Finding::fail(
                resource(d),
                msg(
                    HTTPS_ONLY,
                    "finding",
                    &[("name", label(d)), ("behaviors", &behaviors.join(", "))],
                ),
            )
        })
    }) {
        Ok(r) => r,
        Err(o) => return o,
    };
    counted(HTTPS_ONLY, cf, findings)
}

fn tls_version(inv: &Inventory, _: &Ctx) -> Outcome {
    let (cf, findings) = match check_each(inv, TLS_VERSION, |d| {
        let problems = tls_problems(d);
        (!problems.is_empty()).then(|| {
            let detail = match problems.as_slice() {
                [first, second, ..] => msg(
                    TLS_VERSION,
                    "finding_both",
                    &[("name", label(d)), ("first", first), ("second", second)],
                ),
                [only] => msg(
                    TLS_VERSION,
                    "finding",
                    &[("name", label(d)), ("problem", only)],
                ),
                [] => String::new(),
            };
            Finding::fail(resource(d), detail)
        })
    }) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let custom = cf
        .distributions
        .iter()
        .filter(|d| d.viewer_certificate.is_custom())
        .count();
    let default = cf.distributions.len() - custom;
    let (custom_s, default_s, bad) = (
        custom.to_string(),
        default.to_string(),
        findings.len().to_string(),
    );
    let args = [
        ("count", custom_s.as_str()),
        ("default", default_s.as_str()),
        ("min", MIN_TLS_POLICY),
    ];
    let pass = match (custom, default) {
        (0, _) => msg(TLS_VERSION, "only_default", &[("count", &default_s)]),
        (_, 0) => msg(TLS_VERSION, "pass", &args),
        _ => msg(TLS_VERSION, "pass_with_default", &args),
    };
    Outcome::from_findings(
        findings,
        pass,
        msg(
            TLS_VERSION,
            "fail",
            &[("count", &bad), ("min", MIN_TLS_POLICY)],
        ),
    )
}

fn waf(inv: &Inventory, _: &Ctx) -> Outcome {
    let (cf, findings) = match check_each(inv, WAF, |d| {
        let detail = match web_acl(d) {
            None => msg(WAF, "no_acl", &[("name", label(d))]),
            Some(id) if is_classic_web_acl(id) => {
                msg(WAF, "classic", &[("name", label(d)), ("acl", id)])
            }
            Some(_) => return None,
        };
        Some(Finding::fail(resource(d), detail))
    }) {
        Ok(r) => r,
        Err(o) => return o,
    };
    counted(WAF, cf, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::inventory::{
        CacheBehavior, Identity, Origin, Part, PartError, ViewerCertificate,
    };
    use crate::checks::testkit::{T, midnight as now, site_oac};
    use crate::checks::{Status, item};
    use crate::plan::{DistributionEdit, Inputs, Op, PlanError};

    fn behavior(path: Option<&str>, policy: &str) -> CacheBehavior {
        CacheBehavior {
            path_pattern: path.map(str::to_string),
            target_origin_id: "origin-1".into(),
            viewer_protocol_policy: policy.into(),
        }
    }

    fn custom_cert(method: Option<&str>, version: Option<&str>) -> ViewerCertificate {
        ViewerCertificate {
            cloudfront_default: false,
            acm_certificate_arn: Some(
                "arn:aws:acm:us-east-1:111122223333:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
                    .into(),
            ),
            iam_certificate_id: None,
            ssl_support_method: method.map(str::to_string),
            minimum_protocol_version: version.map(str::to_string),
        }
    }

    fn default_cert() -> ViewerCertificate {
        ViewerCertificate {
            cloudfront_default: true,
            minimum_protocol_version: Some("TLSv1".into()),
            ..ViewerCertificate::default()
        }
    }

    fn distribution(id: &str, behaviors: Vec<CacheBehavior>) -> Distribution {
        Distribution {
            id: id.into(),
            arn: format!("arn:aws:cloudfront::111122223333:distribution/{id}"),
            domain_name: format!("d{}.cloudfront.net", id.to_lowercase()),
            etag: Some(format!("ETAG{id}")),
            enabled: true,
            comment: String::new(),
            aliases: vec![],
            origins: vec![Origin {
                id: "origin-1".into(),
                domain_name: "site.s3.us-east-1.amazonaws.com".into(),
                s3_oai: Some(String::new()),
                oac_id: None,
            }],
            behaviors,
            viewer_certificate: default_cert(),
            web_acl_id: Some(
                "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/a1b2c3d4-5678-90ab-cdef-111111111111"
                    .into(),
            ),
        }
    }

    fn inventory(dists: Vec<Distribution>) -> Inventory {
        let mut inv = Inventory {
            identity: Part::of(Identity {
                account: "111122223333".into(),
                arn: "arn:aws:iam::111122223333:user/ops-admin".into(),
                user_id: "AIDAEXAMPLE".into(),
            }),
            ..Inventory::default()
        };
        inv.cloudfront = Part::of(CloudFront {
            distributions: dists,
            origin_access_controls: vec![site_oac("E3OACEXAMPLE01")],
        });
        inv
    }

    fn mixed() -> Distribution {
        distribution(
            "E1MIXED",
            vec![
                behavior(None, "allow-all"),
                behavior(Some("/api/*"), "https-only"),
                behavior(Some("/static/*"), "allow-all"),
                behavior(Some("/img/*"), "redirect-to-https"),
            ],
        )
    }

    /// The lines of two texts that differ (same line count expected).
    fn changed_lines(before: &str, after: &str) -> Vec<(String, String)> {
        let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
        assert_eq!(b.len(), a.len(), "{before}\n---\n{after}");
        b.iter()
            .zip(a.iter())
            .filter(|(x, y)| x != y)
            .map(|(x, y)| (x.to_string(), y.to_string()))
            .collect()
    }

    #[test]
    fn tls_policy_order() {
        // The table is in release order and the threshold sits in it.
        let min = tls_rank(MIN_TLS_POLICY).expect("threshold is in the table");
        for (i, p) in TLS_POLICIES.iter().enumerate() {
            assert_eq!(tls_policy_is_current(p), i >= min, "{p}");
        }
        for good in [
            "TLSv1.2_2021",
            "TLSv1.2_2025",
            "TLSv1.3_2025",
            "TLSv1.3_2027",
            "TLSv1.2_2026",
        ] {
            assert!(tls_policy_is_current(good), "{good}");
        }
        // Newest first, then names cut short.
        for old in [
            "TLSv1.2_2019",
            "TLSv1.2_2018",
            "TLSv1.1_2016",
            "TLSv1_2016",
            "TLSv1",
            "SSLv3",
            "TLSv1.2_20",
            "",
        ] {
            assert!(!tls_policy_is_current(old), "{old}");
        }
        assert!(
            tls_rank("TLSv1.2_2018") < tls_rank("TLSv1.2_2019")
                && tls_rank("TLSv1.2_2021") < tls_rank("TLSv1.2_2025")
                && tls_rank("TLSv1.2_2025") < tls_rank("TLSv1.3_2025")
        );
    }

    #[test]
    fn no_distributions_pass_and_say_so() {
        let t = T::at(now()).exact_undo();
        let inv = inventory(vec![]);
        for def in ITEMS {
            let r = t.eval(&inv, def.id);
            assert_eq!(r.status, Status::Pass, "{}", def.id);
            assert_eq!(r.summary, msg(def.id, "none", &[]));
            assert!(
                r.summary.contains("no CloudFront distributions"),
                "{}",
                r.summary
            );
            if let Fix::Plan(_) = def.fix {
                assert!(matches!(
                    t.plan(&inv, def.id, &Inputs::default()),
                    Err(PlanError::NothingToDo(_))
                ));
            }
        }
    }

    #[test]
    fn loading_and_error() {
        let t = T::at(now()).exact_undo();
        let mut inv = inventory(vec![]);
        inv.cloudfront = Part::Loading;
        assert_eq!(t.status(&inv, HTTPS_ONLY), Status::Loading);
        inv.set_error(
            PartId::CloudFront,
            PartError::new(
                "cloudfront:ListDistributions",
                Some("AccessDenied".into()),
                "no",
            ),
        );
        let r = t.eval(&inv, WAF);
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("cloudfront:ListDistributions"));
    }

    #[test]
    fn https_only_names_the_http_behaviors() {
        let t = T::at(now()).exact_undo();
        let good = distribution(
            "E2GOOD",
            vec![
                behavior(None, "redirect-to-https"),
                behavior(Some("/x/*"), "https-only"),
            ],
        );
        let inv = inventory(vec![good.clone()]);
        assert_eq!(t.status(&inv, HTTPS_ONLY), Status::Pass);
        let inv = inventory(vec![mixed(), good]);
        let r = t.eval(&inv, HTTPS_ONLY);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(t.resources(&inv, HTTPS_ONLY), vec!["distribution/E1MIXED"]);
        let detail = &r.findings[0].detail;
        assert!(
            detail.contains("(default)") && detail.contains("/static/*"),
            "{detail}"
        );
        assert!(!detail.contains("/api/*") && !detail.contains("/img/*"));
    }

    #[test]
    fn https_only_plan_edits_only_failing_behaviors() {
        let t = T::at(now()).exact_undo();
        let inv = inventory(vec![mixed()]);
        let plan = t.plan(&inv, HTTPS_ONLY, &Inputs::default()).expect("plan");
        let ops: Vec<&Op> = plan.ops().collect();
        assert_eq!(
            ops,
            vec![&Op::UpdateDistribution(
                crate::aws::ops::UpdateDistribution {
                    id: "E1MIXED".into(),
                    etag: Some("ETAGE1MIXED".into()),
                    edits: vec![
                        DistributionEdit::ViewerProtocolPolicy {
                            path_pattern: None,
                            policy: "redirect-to-https".into(),
                        },
                        DistributionEdit::ViewerProtocolPolicy {
                            path_pattern: Some("/static/*".into()),
                            policy: "redirect-to-https".into(),
                        },
                    ],
                }
            )]
        );
        assert!(!plan.warnings.is_empty());
        assert!(plan.is_reversible());
        // The preview changes exactly the two policy lines.
        let rc = &plan.resources[0];
        let changed = changed_lines(&rc.before_text(), &rc.after_text());
        assert_eq!(changed.len(), 2, "{changed:?}");
        for (b, a) in &changed {
            assert!(b.contains("\"ViewerProtocolPolicy\": \"allow-all\""), "{b}");
            assert!(
                a.contains("\"ViewerProtocolPolicy\": \"redirect-to-https\""),
                "{a}"
            );
        }
        let after = t.fix(&inv, HTTPS_ONLY, &Inputs::default());
        assert_eq!(t.status(&after, HTTPS_ONLY), Status::Pass);
        // The other behaviors kept their own policy.
        let d = after
            .cloudfront
            .ready()
            .and_then(|cf| cf.distribution("E1MIXED"))
            .expect("d");
        let policies: Vec<&str> = d
            .behaviors
            .iter()
            .map(|b| b.viewer_protocol_policy.as_str())
            .collect();
        assert_eq!(
            policies,
            vec![
                "redirect-to-https",
                "https-only",
                "redirect-to-https",
                "redirect-to-https"
            ]
        );
        assert!(matches!(
            t.plan(&after, HTTPS_ONLY, &Inputs::default()),
            Err(PlanError::NothingToDo(_))
        ));
    }

    #[test]
    fn plans_honour_the_resource_selection() {
        let t = T::at(now()).exact_undo();
        let mut other = mixed();
        other.id = "E9OTHER".into();
        other.viewer_certificate = custom_cert(Some("vip"), Some("TLSv1"));
        let mut first = mixed();
        first.viewer_certificate = custom_cert(Some("vip"), Some("TLSv1"));
        let inv = inventory(vec![first, other]);
        for id in [HTTPS_ONLY, TLS_VERSION] {
            let all = t.plan(&inv, id, &Inputs::default()).expect("plan");
            assert_eq!(all.steps.len(), 2, "{id}");
            let one = Inputs {
                resources: vec!["distribution/E9OTHER".into()],
                ..Inputs::default()
            };
            let plan = t.plan(&inv, id, &one).expect("plan");
            let touched: Vec<String> = plan.ops().map(|o| o.resource().to_string()).collect();
            assert_eq!(touched, vec!["distribution/E9OTHER"], "{id}");
            let none = Inputs {
                resources: vec!["distribution/ENOSUCH".into()],
                ..Inputs::default()
            };
            assert!(matches!(
                t.plan(&inv, id, &none),
                Err(PlanError::NothingToDo(_))
            ));
        }
    }

    #[test]
    fn tls_version_checks_only_custom_certificates() {
        let t = T::at(now()).exact_undo();
        let on_default = distribution("E1DEFAULT", vec![behavior(None, "redirect-to-https")]);
        let inv = inventory(vec![on_default.clone()]);
        let r = t.eval(&inv, TLS_VERSION);
        assert_eq!(r.status, Status::Pass);
        assert!(r.summary.contains("cloudfront.net"), "{}", r.summary);
        let mut good = on_default.clone();
        good.id = "E2GOOD".into();
        good.viewer_certificate = custom_cert(Some("sni-only"), Some("TLSv1.2_2021"));
        let mut newest = good.clone();
        newest.id = "E3NEW".into();
        newest.viewer_certificate = custom_cert(Some("sni-only"), Some("TLSv1.3_2025"));
        let inv = inventory(vec![on_default.clone(), good.clone(), newest.clone()]);
        let r = t.eval(&inv, TLS_VERSION);
        assert_eq!(r.status, Status::Pass);
        assert!(
            r.summary.contains('2') && r.summary.contains("cloudfront.net"),
            "{}",
            r.summary
        );
        let inv = inventory(vec![good.clone()]);
        assert!(!t.eval(&inv, TLS_VERSION).summary.contains("cloudfront.net"));
        let cases = [
            (Some("vip"), Some("TLSv1.2_2021"), "vip"),
            (Some("static-ip"), Some("TLSv1.2_2021"), "static-ip"),
            (Some("sni-only"), Some("TLSv1_2016"), "TLSv1_2016"),
            (Some("sni-only"), Some("TLSv1.2_2019"), "TLSv1.2_2019"),
            (Some("sni-only"), None, MIN_TLS_POLICY),
            (None, Some("TLSv1.2_2021"), "sni-only"),
        ];
        for (method, version, mention) in cases {
            let mut bad = good.clone();
            bad.id = "E4BAD".into();
            bad.viewer_certificate = custom_cert(method, version);
            let inv = inventory(vec![on_default.clone(), bad]);
            let r = t.eval(&inv, TLS_VERSION);
            assert_eq!(r.status, Status::Fail, "{method:?} {version:?}");
            assert_eq!(r.findings.len(), 1);
            assert_eq!(r.findings[0].resource, "distribution/E4BAD");
            assert!(
                r.findings[0].detail.contains(mention),
                "{}",
                r.findings[0].detail
            );
        }
    }

    #[test]
    fn tls_plan_sets_sni_and_never_lowers_the_policy() {
        let t = T::at(now()).exact_undo();
        let mut old = mixed();
        old.viewer_certificate = custom_cert(Some("vip"), Some("TLSv1_2016"));
        let mut new_vip = mixed();
        new_vip.id = "E5NEWVIP".into();
        new_vip.viewer_certificate = custom_cert(Some("vip"), Some("TLSv1.3_2025"));
        let mut sni_old = mixed();
        sni_old.id = "E6SNIOLD".into();
        sni_old.viewer_certificate = custom_cert(Some("sni-only"), Some("TLSv1.1_2016"));
        let on_default = distribution("E7DEFAULT", vec![behavior(None, "allow-all")]);
        let inv = inventory(vec![old, new_vip, sni_old, on_default]);
        let plan = t.plan(&inv, TLS_VERSION, &Inputs::default()).expect("plan");
        let edits: Vec<(String, Option<String>, Option<String>)> = plan
            .ops()
            .filter_map(|o| match o {
                Op::UpdateDistribution(crate::aws::ops::UpdateDistribution {
                    id, edits, ..
                }) => match edits.as_slice() {
                    [
                        DistributionEdit::ViewerTls {
                            ssl_support_method,
                            minimum_protocol_version,
                        },
                    ] => Some((
                        id.clone(),
                        ssl_support_method.clone(),
                        minimum_protocol_version.clone(),
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let sni = Some("sni-only".to_string());
        assert_eq!(
            edits,
            vec![
                ("E1MIXED".into(), sni.clone(), Some("TLSv1.2_2021".into())),
                ("E5NEWVIP".into(), sni.clone(), Some("TLSv1.3_2025".into())),
                ("E6SNIOLD".into(), sni, Some("TLSv1.2_2021".into())),
            ]
        );
        // Dedicated IPs are given up: the plan says what that changes.
        assert!(
            plan.warnings
                .contains(&msg(TLS_VERSION, "vip_warning", &[])),
            "{:?}",
            plan.warnings
        );
        // The preview changes only the TLS lines.
        for rc in &plan.resources {
            for (b, a) in changed_lines(&rc.before_text(), &rc.after_text()) {
                assert!(
                    (b.contains("\"SSLSupportMethod\"") && a.contains("\"SSLSupportMethod\""))
                        || (b.contains("\"MinimumProtocolVersion\"")
                            && a.contains("\"MinimumProtocolVersion\"")),
                    "{b} -> {a}"
                );
            }
        }
        let after = t.fix(&inv, TLS_VERSION, &Inputs::default());
        assert_eq!(t.status(&after, TLS_VERSION), Status::Pass);
        // Without dedicated IPs there is no charge to warn about.
        let mut sni_only = mixed();
        sni_only.viewer_certificate = custom_cert(Some("sni-only"), Some("TLSv1"));
        let plan = t
            .plan(&inventory(vec![sni_only]), TLS_VERSION, &Inputs::default())
            .expect("plan");
        assert!(
            !plan
                .warnings
                .contains(&msg(TLS_VERSION, "vip_warning", &[]))
        );
        assert!(!plan.warnings.is_empty());
    }

    #[test]
    fn waf_needs_a_current_web_acl() {
        let t = T::at(now()).exact_undo();
        let with_acl = distribution("E1ACL", vec![behavior(None, "https-only")]);
        let inv = inventory(vec![with_acl.clone()]);
        assert_eq!(t.status(&inv, WAF), Status::Pass);
        let mut none = with_acl.clone();
        none.id = "E2NONE".into();
        none.web_acl_id = None;
        let mut empty = with_acl.clone();
        empty.id = "E3EMPTY".into();
        empty.web_acl_id = Some(String::new());
        let mut classic = with_acl.clone();
        classic.id = "E4CLASSIC".into();
        classic.web_acl_id = Some("a1b2c3d4-5678-90ab-cdef-222222222222".into());
        let inv = inventory(vec![with_acl, none, empty, classic]);
        let r = t.eval(&inv, WAF);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            t.resources(&inv, WAF),
            vec![
                "distribution/E2NONE",
                "distribution/E3EMPTY",
                "distribution/E4CLASSIC"
            ]
        );
        assert!(
            r.findings[2].detail.contains("Classic"),
            "{}",
            r.findings[2].detail
        );
        // Guided, yet the live state decides: marking it done changes nothing.
        let def = item(WAF).expect("item");
        assert!(def.has_steps() && !def.can_mark_done());
        let mut marked = T::at(now()).exact_undo();
        marked.done.insert(WAF.into(), now());
        assert_eq!(marked.status(&inv, WAF), Status::Fail);
    }

    #[test]
    fn every_message_key_used_exists() {
        // Render every check and plan of the section on edge inventories: no
        // text may be the fallback `msg` gives for a missing key.
        let t = T::at(now()).exact_undo();
        let mut vip = mixed();
        vip.viewer_certificate = custom_cert(Some("vip"), Some("SSLv3"));
        let mut unset = mixed();
        unset.id = "E8UNSET".into();
        unset.viewer_certificate = custom_cert(None, None);
        let mut classic = mixed();
        classic.id = "E9CLASSIC".into();
        classic.web_acl_id = Some("classic-id".into());
        let mut no_acl = mixed();
        no_acl.id = "E0NOACL".into();
        no_acl.web_acl_id = None;
        let mut good = distribution("E2GOOD", vec![behavior(None, "https-only")]);
        good.viewer_certificate = custom_cert(Some("sni-only"), Some("TLSv1.2_2025"));
        let on_default = distribution("E3DEFAULT", vec![behavior(None, "https-only")]);
        let invs = [
            Inventory::default(),
            inventory(vec![]),
            inventory(vec![on_default.clone()]),
            inventory(vec![good.clone()]),
            inventory(vec![good, on_default]),
            inventory(vec![vip, unset, classic, no_acl]),
            crate::collect::demo::demo_inventory().expect("demo"),
        ];
        let fallback = |s: &str| {
            ["plan", "guided", HTTPS_ONLY, TLS_VERSION, WAF]
                .iter()
                .any(|k| s.contains(&format!("{k}: ")))
        };
        for inv in &invs {
            for def in ITEMS {
                let r = t.eval(inv, def.id);
                assert!(!fallback(&r.summary), "{}", r.summary);
                for f in &r.findings {
                    assert!(!fallback(&f.detail), "{}", f.detail);
                }
                if let Fix::Plan(p) = def.fix {
                    match p(inv, &t.ctx(), &Inputs::default()) {
                        Ok(d) => {
                            for w in d.warnings {
                                assert!(!fallback(&w), "{w}");
                            }
                        }
                        Err(e) => assert!(!fallback(&e.to_string()), "{e}"),
                    }
                }
            }
        }
    }

    #[test]
    fn demo_account_exercises_the_section() {
        let t = T::at(now()).exact_undo();
        let inv = crate::collect::demo::demo_inventory().expect("demo");
        for def in ITEMS {
            assert_eq!(t.status(&inv, def.id), Status::Fail, "{}", def.id);
        }
        for id in [HTTPS_ONLY, TLS_VERSION] {
            let after = t.fix(&inv, id, &Inputs::default());
            assert_eq!(t.status(&after, id), Status::Pass, "{id}");
        }
    }
}
