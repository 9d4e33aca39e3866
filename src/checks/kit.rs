//! What every section's checks build their results from: findings (of a
//! resource, of a region that could not be read, of a resource whose setting
//! could not be read), the visit of per-region data, and the one roll-up of
//! findings into an item's [`Outcome`].

use super::{Ctx, Finding, Outcome, Status};
use crate::aws::inventory::{Fetched, PartError, ResourceRef};
use crate::guide::msg;

/// A finding of `resource`, in `region` when it lives in one.
pub fn finding(resource: String, region: Option<&str>, status: Status, detail: String) -> Finding {
    Finding {
        resource,
        region: region.map(str::to_string),
        status,
        detail,
    }
}

/// `f`, placed in `region`.
pub fn in_region(mut f: Finding, region: &str) -> Finding {
    f.region = Some(region.to_string());
    f
}

/// The `error` finding of a region (named `resource`) whose data could not be
/// read: `table`'s `region_error` message (given `{region}` and `{error}`),
/// or the error itself without a table.
pub fn region_error(resource: String, region: &str, e: &PartError, table: Option<&str>) -> Finding {
    let detail = match table {
        Some(t) => msg(
            t,
            "region_error",
            &[("region", region), ("error", &e.summary())],
        ),
        None => e.summary(),
    };
    finding(resource, Some(region), Status::Error, detail)
}

/// The `error` finding of a resource whose setting could not be read:
/// `table`'s `unreadable` message, given `{error}`.
pub fn unreadable(resource: String, region: Option<&str>, table: &str, e: &PartError) -> Finding {
    finding(
        resource,
        region,
        Status::Error,
        msg(table, "unreadable", &[("error", &e.summary())]),
    )
}

/// Visit every region's data; a region that could not be read adds the
/// finding `failed` makes of it.
pub fn each_region<'a, T: 'a>(
    regions: impl IntoIterator<Item = (&'a String, &'a Fetched<T>)>,
    findings: &mut Vec<Finding>,
    failed: impl Fn(&'a str, &'a PartError) -> Finding,
    mut visit: impl FnMut(&'a str, &'a T, &mut Vec<Finding>),
) {
    for (region, f) in regions {
        match f {
            Fetched::Ready(v) => visit(region, v, findings),
            Fetched::Error(e) => findings.push(failed(region, e)),
        }
    }
}

/// What an item's summary says when it passes or fails.
pub enum Texts<'a> {
    /// The item's own `pass`, `fail` and `error` messages (table `item`),
    /// given `{count}` (failing), `{errors}` (unreadable) and `{total}`.
    Counted { item: &'a str, total: usize },
    /// These texts (`fail` also for `manual`); `error` as [`Unread`] says.
    Given { pass: String, fail: String },
}

/// What the summary of a [`Texts::Given`] item says when it is `error`.
pub enum Unread<'a> {
    /// Which resources could not be read (`outcome.unreadable`).
    Names,
    /// How many: `table`'s `some_unreadable`, given `{count}`.
    Count(&'a str),
    /// Which regions: `table`'s `key`, given `{regions}` (else by name);
    /// with `also_failing`, a failing item's summary says so too.
    Regions {
        table: &'a str,
        key: &'a str,
        also_failing: bool,
    },
    /// The item's own text.
    Text(String),
}

/// The one roll-up of an item's findings into its [`Outcome`].
///
/// The status, in this order: `fail` when a failure is not accepted by the
/// config's exceptions (see [`Rollup::accepting`]); else `error` when a
/// resource could not be read (what was read passing says nothing about it);
/// else `fail` for accepted failures (the exceptions then make the item
/// `accepted`); else `manual` when one needs the user (unless
/// [`Rollup::manual_passes`]); else `pass`.
pub struct Rollup<'a> {
    texts: Texts<'a>,
    unread: Unread<'a>,
    manual_passes: bool,
    manual: Option<String>,
    accepting: Option<(&'a str, &'a Ctx<'a>)>,
    pending: Option<(usize, String)>,
    nothing: Option<String>,
}

impl<'a> Rollup<'a> {
    /// Summaries from the item's own messages, see [`Texts::Counted`].
    pub fn counted(item: &'a str, total: usize) -> Self {
        Self::new(Texts::Counted { item, total })
    }

    /// Summaries from these texts, see [`Texts::Given`].
    pub fn given(pass: String, fail: String) -> Self {
        Self::new(Texts::Given { pass, fail })
    }

    fn new(texts: Texts<'a>) -> Self {
        Self {
            texts,
            unread: Unread::Names,
            manual_passes: false,
            manual: None,
            accepting: None,
            pending: None,
            nothing: None,
        }
    }

    /// What an `error` summary says.
    pub fn unread(mut self, unread: Unread<'a>) -> Self {
        self.unread = unread;
        self
    }

    /// A finding that needs the user leaves the item as the others say.
    pub fn manual_passes(mut self) -> Self {
        self.manual_passes = true;
        self
    }

    /// The summary of a `manual` item.
    pub fn manual(mut self, summary: String) -> Self {
        self.manual = Some(summary);
        self
    }

    /// Failures the config accepts for `item` rank below unreadable resources.
    pub fn accepting(mut self, item: &'a str, ctx: &'a Ctx<'a>) -> Self {
        self.accepting = Some((item, ctx));
        self
    }

    /// When all failures (`waiting` of them) only wait on someone, the
    /// failing summary is `summary`.
    pub fn pending(mut self, waiting: usize, summary: String) -> Self {
        self.pending = Some((waiting, summary));
        self
    }

    /// A passing item with nothing to check (a [`Texts::Counted`] total of
    /// 0) says `summary` and has no findings.
    pub fn nothing(mut self, summary: String) -> Self {
        self.nothing = Some(summary);
        self
    }

    pub fn outcome(self, findings: Vec<Finding>) -> Outcome {
        let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
        let (fails, errors) = (count(Status::Fail), count(Status::Error));
        let open = match self.accepting {
            Some((item, ctx)) => findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .filter(|f| !accepted(item, &f.resource, ctx))
                .count(),
            None => fails,
        };
        let status = if open > 0 {
            Status::Fail
        } else if errors > 0 {
            Status::Error
        } else if fails > 0 {
            Status::Fail
        } else if !self.manual_passes && count(Status::Manual) > 0 {
            Status::Manual
        } else {
            Status::Pass
        };
        let total = match self.texts {
            Texts::Counted { total, .. } => total,
            Texts::Given { .. } => 0,
        };
        if let (Status::Pass, Some(s), Texts::Counted { .. }, 0) =
            (status, &self.nothing, &self.texts, total)
        {
            return Outcome::pass(s.clone());
        }
        let regions: Vec<&str> = findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .filter_map(|f| f.region.as_deref())
            .collect();
        let mut summary = match (&self.texts, status) {
            (Texts::Counted { item, total }, _) => {
                let key = match status {
                    Status::Fail => "fail",
                    Status::Error => "error",
                    _ => "pass",
                };
                let (count, errors, total) =
                    (fails.to_string(), errors.to_string(), total.to_string());
                msg(
                    item,
                    key,
                    &[("count", &count), ("errors", &errors), ("total", &total)],
                )
            }
            (Texts::Given { pass, .. }, Status::Pass) => pass.clone(),
            (Texts::Given { .. }, Status::Error) => match &self.unread {
                Unread::Names => unreadable_summary(&findings),
                Unread::Count(table) => {
                    msg(table, "some_unreadable", &[("count", &errors.to_string())])
                }
                Unread::Regions { table, key, .. } if !regions.is_empty() => {
                    msg(table, key, &[("regions", &regions.join(", "))])
                }
                Unread::Regions { .. } => unreadable_summary(&findings),
                Unread::Text(s) => s.clone(),
            },
            (Texts::Given { fail, .. }, Status::Manual) => {
                self.manual.clone().unwrap_or_else(|| fail.clone())
            }
            (Texts::Given { fail, .. }, _) => fail.clone(),
        };
        if let (Status::Fail, Some((waiting, pending))) = (status, &self.pending)
            && fails == *waiting
        {
            summary = pending.clone();
        }
        if let Unread::Regions {
            table,
            key,
            also_failing: true,
        } = self.unread
            && status != Status::Error
            && !regions.is_empty()
        {
            let note = msg(table, key, &[("regions", &regions.join(", "))]);
            summary = format!("{summary} {note}");
        }
        Outcome {
            status,
            summary,
            findings,
        }
    }
}

/// Is a failing finding on `resource` accepted by a current exception (an
/// `[[exception]]` or `[[public_bucket]]` that has not expired)?
pub fn accepted(item: &str, resource: &str, ctx: &Ctx) -> bool {
    ctx.settings
        .exception_for(item, resource)
        .is_some_and(|e| e.expires.is_none_or(|d| d >= ctx.now.date_naive()))
}

/// The summary of an item that is `error` because of its findings: how many
/// resources could not be read, and which.
pub fn unreadable_summary(findings: &[Finding]) -> String {
    let mut names: Vec<&str> = findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .map(|f| f.resource.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    msg(
        "outcome",
        "unreadable",
        &[
            ("count", &names.len().to_string()),
            ("resources", &names.join(", ")),
        ],
    )
}

/// An item that does not apply to this account.
pub fn not_applicable(summary: String) -> Outcome {
    Outcome {
        status: Status::NotApplicable,
        summary,
        findings: vec![],
    }
}

/// An item no API can check: `pass` once the user marked it done (and
/// when), else a `manual` finding on the account.
pub fn guided_only(id: &str, ctx: &Ctx) -> Outcome {
    match ctx.done.get(id) {
        Some(when) => Outcome::pass(msg(
            "guided",
            "marked_done",
            &[("date", &when.format("%Y-%m-%d").to_string())],
        )),
        None => Outcome::from_findings(
            vec![Finding::manual(
                ResourceRef::Account.to_string(),
                msg("guided", "finding", &[]),
            )],
            String::new(),
            msg("guided", "manual", &[]),
        ),
    }
}
