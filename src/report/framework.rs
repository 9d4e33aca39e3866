//! Compliance frameworks a scan can be limited to and reported by: today the
//! CIS AWS Foundations Benchmark v6.0.0, whose control ids each catalog item
//! carries (`ItemDef::cis`, from CATALOG.md).

use crate::checks::{self, ItemDef, ItemResult, Status};
use std::cmp::Ordering;

/// A framework a scan reports by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    /// CIS AWS Foundations Benchmark v6.0.0.
    Cis6,
}

impl Framework {
    /// The id `--framework` takes and reports print.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Cis6 => "cis-6.0",
        }
    }

    /// The framework's full name.
    pub fn title(self) -> &'static str {
        match self {
            Framework::Cis6 => "CIS AWS Foundations Benchmark v6.0.0",
        }
    }

    /// Name of the SARIF taxonomy of the framework's controls.
    pub fn taxonomy(self) -> &'static str {
        match self {
            Framework::Cis6 => "CIS AWS Foundations Benchmark",
        }
    }

    /// The benchmark's version, for the SARIF taxonomy.
    pub fn version(self) -> &'static str {
        match self {
            Framework::Cis6 => "6.0.0",
        }
    }

    /// The controls an item is mapped to.
    pub fn controls_of(self, def: &ItemDef) -> &'static [&'static str] {
        match self {
            Framework::Cis6 => def.cis,
        }
    }

    /// Whether an item is mapped to at least one control.
    pub fn covers(self, def: &ItemDef) -> bool {
        !self.controls_of(def).is_empty()
    }
}

/// A control and the scanned items mapped to it.
#[derive(Debug, Clone)]
pub struct Control<'a> {
    pub id: &'static str,
    /// In scan order.
    pub items: Vec<&'a ItemResult>,
    /// See [`rollup`].
    pub status: Status,
}

/// The controls the scanned items map to, sorted by control id numerically
/// (`2.3` before `2.10`). An item mapped to several controls appears under each.
pub fn controls(fw: Framework, items: &[ItemResult]) -> Vec<Control<'_>> {
    let mut out: Vec<Control> = vec![];
    for r in items {
        let Some(def) = checks::item(&r.id) else {
            continue;
        };
        for id in fw.controls_of(def) {
            match out.iter_mut().find(|c| c.id == *id) {
                Some(c) => c.items.push(r),
                None => out.push(Control {
                    id,
                    items: vec![r],
                    status: Status::Pass,
                }),
            }
        }
    }
    for c in &mut out {
        c.status = rollup(c.items.iter().map(|i| i.status));
    }
    out.sort_by(|a, b| cmp_control_ids(a.id, b.id));
    out
}

/// A control's status from its items': it passes when all its items pass
/// (items that do not apply are left out; all of them not applying makes the
/// control not applicable). Otherwise, as for an item's findings: `fail` when
/// an item fails (a control fails when one evaluated resource does, whatever
/// could not be read elsewhere), else `error`, then loading, manual, accepted.
pub fn rollup(statuses: impl IntoIterator<Item = Status>) -> Status {
    fn rank(s: Status) -> u8 {
        match s {
            Status::NotApplicable => 0,
            Status::Pass => 1,
            Status::Accepted => 2,
            Status::Manual => 3,
            Status::Loading => 4,
            Status::Error => 5,
            Status::Fail => 6,
        }
    }
    statuses
        .into_iter()
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::NotApplicable)
}

/// Order control ids by their dot-separated parts, numerically where both
/// parts are numbers (`2.3` < `2.10` < `3.1.4`), as text otherwise.
pub fn cmp_control_ids(a: &str, b: &str) -> Ordering {
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.trim().parse::<u64>(), y.trim().parse::<u64>()) {
                    (Ok(nx), Ok(ny)) => nx.cmp(&ny),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_sort_numerically() {
        let mut ids = vec!["2.10", "3.1.4", "2.3", "10.1", "2.2", "2.13", "2", "2.x"];
        ids.sort_by(|a, b| cmp_control_ids(a, b));
        assert_eq!(
            ids,
            ["2", "2.2", "2.3", "2.10", "2.13", "2.x", "3.1.4", "10.1"]
        );
        assert_eq!(cmp_control_ids("2.3", "2.3"), Ordering::Equal);
    }

    #[test]
    fn a_control_passes_only_when_all_its_items_pass() {
        use Status::*;
        assert_eq!(rollup([Pass, Pass]), Pass);
        assert_eq!(rollup([Pass, Fail]), Fail);
        assert_eq!(rollup([Pass, Manual]), Manual);
        assert_eq!(rollup([Accepted, Pass]), Accepted);
        assert_eq!(rollup([Fail, Error]), Fail);
        assert_eq!(rollup([Error, Fail]), Fail);
        assert_eq!(rollup([Pass, Error, Manual]), Error);
        assert_eq!(rollup([Loading, Error]), Error);
        assert_eq!(rollup([Pass, NotApplicable]), Pass);
        assert_eq!(rollup([NotApplicable]), NotApplicable);
        assert_eq!(rollup([]), NotApplicable);
    }

    fn result(id: &str, status: Status) -> ItemResult {
        crate::report::test_item(id, status, vec![])
    }

    #[test]
    fn controls_group_items_and_sort() {
        let items = vec![
            result("account.stale-access-keys", Status::Pass),
            result("account.root-mfa", Status::Fail),
            result("account.root-access-keys", Status::Pass),
            result("account.backup-admin", Status::Fail),
        ];
        let cs = controls(Framework::Cis6, &items);
        let ids: Vec<&str> = cs.iter().map(|c| c.id).collect();
        assert_eq!(ids, ["2.3", "2.4", "2.5", "2.11", "2.13"]);
        assert_eq!(cs[0].status, Status::Pass);
        assert_eq!(cs[1].status, Status::Fail);
        assert_eq!(cs[1].items[0].id, "account.root-mfa");
        assert!(
            cs.iter()
                .all(|c| c.items.iter().all(|i| i.id != "account.backup-admin"))
        );
    }
}
