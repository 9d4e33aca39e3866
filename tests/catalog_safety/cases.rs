//! The scenarios (the demo account and variants of it, seeded by each
//! service), every plan any item makes on them, and the documents and
//! evaluations the loops compare.

use crate::catalog::{self, SCENARIOS, all_resources, with_ctx};
use moat::aws::inventory::{Inventory, ResourceRef, canonical_json};
use moat::checks::{Fix, ItemResult, evaluate, items};
use moat::collect::demo::demo_inventory;
use moat::plan::{InputKind, Inputs, MfaToken, Plan, PlanError, make_plan};
use std::collections::BTreeSet;
use std::path::Path;

pub const MFA_SERIAL: &str = "arn:aws:iam::111122223333:mfa/root-account-mfa-device";
pub const MFA_CODE: &str = "493817";

/// Every scenario, each service's seeding applied.
fn scenarios() -> Vec<(&'static str, Inventory)> {
    let demo = demo_inventory().expect("demo");
    SCENARIOS
        .iter()
        .map(|&name| {
            let mut inv = demo.clone();
            catalog::seed(name, &mut inv);
            (name, inv)
        })
        .collect()
}

/// A valid value for every input an item asks for without a default.
fn inputs_for(def: &moat::checks::ItemDef) -> Inputs {
    let mut i = Inputs::default();
    for spec in def.inputs {
        if spec.default.is_some() {
            continue;
        }
        let v = match spec.kind {
            InputKind::Text { .. } => "Sam Example".to_string(),
            InputKind::Email => "security@example.com".to_string(),
            InputKind::Phone => "+1 206 555 0100".to_string(),
            InputKind::IamName => "moat-test".to_string(),
            InputKind::Int { min, .. } => min.to_string(),
            InputKind::MfaSerial => MFA_SERIAL.to_string(),
            InputKind::MfaCode => MFA_CODE.to_string(),
            InputKind::KmsKey => "AES256".to_string(),
            InputKind::Cidrs => "10.0.0.0/8,2001:db8::/32".to_string(),
            InputKind::Choice { options } => options[0].to_string(),
            InputKind::BucketName => "moat-catalog-logs".to_string(),
            InputKind::Amount => "250".to_string(),
            InputKind::Spf => "v=spf1 -all".to_string(),
        };
        i = i.with(spec.name, &v);
    }
    i
}

pub struct Case {
    pub scenario: &'static str,
    pub item: &'static str,
    pub inv: Inventory,
    pub plan: Plan,
}

impl Case {
    pub fn label(&self) -> String {
        format!("{} on {}", self.item, self.scenario)
    }
}

/// Every plan any item makes on any scenario.
pub fn cases() -> Vec<Case> {
    let mut out = vec![];
    let mut planned: BTreeSet<&str> = BTreeSet::new();
    for (scenario, inv) in scenarios() {
        for def in items() {
            let Fix::Plan(f) = def.fix else { continue };
            let inputs = inputs_for(def);
            inputs.check_names(def.inputs).expect("input names");
            let draft = match with_ctx(|ctx| f(&inv, ctx, &inputs)) {
                Ok(d) => d,
                Err(PlanError::NothingToDo(_) | PlanError::Guided(_)) => continue,
                Err(e) => panic!("{} on {scenario}: {e}", def.id),
            };
            let plan = make_plan(&inv, def.id, draft)
                .unwrap_or_else(|e| panic!("{} on {scenario}: {e}", def.id));
            planned.insert(def.id);
            out.push(Case {
                scenario,
                item: def.id,
                inv: inv.clone(),
                plan,
            });
        }
    }
    let never: Vec<&str> = items()
        .iter()
        .filter(|d| matches!(d.fix, Fix::Plan(_)))
        .map(|d| d.id)
        .filter(|id| !planned.contains(id))
        .collect();
    assert!(
        never.is_empty(),
        "items with a plan that no scenario exercises (add a scenario): {never:?}"
    );
    out
}

/// Resources whose documents differ between `a` and `b`, with both texts.
pub fn doc_diff(a: &Inventory, b: &Inventory) -> Vec<(ResourceRef, String, String)> {
    let mut refs = all_resources(a);
    refs.extend(all_resources(b));
    refs.into_iter()
        .filter_map(|r| {
            let x = a.document(&r).expect("document a");
            let y = b.document(&r).expect("document b");
            (x != y).then(|| (r, canonical_json(x.as_ref()), canonical_json(y.as_ref())))
        })
        .collect()
}

pub fn assert_same_docs(a: &Inventory, b: &Inventory, what: &str) {
    assert_same_docs_except(a, b, &BTreeSet::new(), what);
}

/// [`assert_same_docs`], except for resources an undo keeps on purpose.
pub fn assert_same_docs_except(
    a: &Inventory,
    b: &Inventory,
    kept: &BTreeSet<ResourceRef>,
    what: &str,
) {
    let d: Vec<_> = doc_diff(a, b)
        .into_iter()
        .filter(|(r, ..)| !kept.contains(r))
        .collect();
    assert!(
        d.is_empty(),
        "{what}: documents differ:\n{}",
        d.iter()
            .map(|(r, x, y)| format!("== {r}\n-- expected\n{x}-- actual\n{y}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every item's status and its findings' resources and statuses. (Details
/// may differ after undo where S3 cannot go back: a never-versioned bucket
/// comes back "suspended", which behaves the same and renders the same.)
pub fn evaluations(inv: &Inventory) -> Vec<String> {
    with_ctx(|ctx| {
        items()
            .iter()
            .map(|d| evaluate(d, inv, ctx))
            .map(|r: ItemResult| {
                let f: Vec<String> = r
                    .findings
                    .iter()
                    .map(|f| format!("{} {:?} {}", f.resource, f.region, f.status.as_str()))
                    .collect();
                format!("{}: {} [{}]", r.id, r.status.as_str(), f.join(", "))
            })
            .collect()
    })
}

pub fn mfa() -> MfaToken {
    MfaToken {
        serial: MFA_SERIAL.into(),
        code: MFA_CODE.into(),
    }
}

pub fn journal_dir_is_empty(dir: &Path) -> bool {
    !dir.join("journal").exists()
}
