//! The command line: global flags, backend choice and the `scan`, `plan`,
//! `apply`, `undo` and `guide` subcommands. No ratatui here.

mod apply;
mod apply_accounts;
mod config_cmd;
mod guide_cmd;
mod manual;
mod report_cmd;
mod scan;
mod undo;

use crate::aws::client::{AwsBackend, AwsOptions, RoleTarget};
use crate::aws::inventory::{Inventory, PartId};
use crate::checks::{self, ItemDef, ItemResult};
use crate::collect::demo::DemoBackend;
use crate::collect::dryrun::DryRun;
use crate::collect::{Backend, collect_inventory};
use crate::config::Settings;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Harden an AWS account from the terminal.
///
/// Without a subcommand moat opens the interactive session: every checklist
/// item of the hardening guide with the account's live state; `p` previews a
/// fix as a diff, `a` applies it after you confirm, `?` lists the keys.
#[derive(Debug, Parser)]
#[command(name = "moat", version, about, long_about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

const EXAMPLES: &str = "\
Examples:
  moat --demo                         explore the built-in demo account
  moat --profile prod                 interactive session on a profile's account
  moat scan --format json             every item's state, for scripts
  moat scan --compare                 what is new, fixed or unchanged since the last scan
  moat plan account.password-policy   preview a fix as a diff
  moat apply account.stale-access-keys --resource user/bob/key/AKIA…
  moat undo --last                    reverse the last apply (previewed, confirmed)
  moat undo --resolve                 settle journal entries left unknown by a crash
  moat scan --account 111122223333    scan another account through a role assumed there
  moat scan --org --format json       every account of your AWS Organization

Exit codes: 0 nothing fails, 1 an item fails (or an apply did not fully succeed),
2 usage, access or connection error.";

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Use the built-in demo account (no credentials, no network). Changes
    /// persist in the state dir; delete <state>/demo to start afresh.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Preview only: collect for real, send no change (apply prints the calls it would make).
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// AWS profile from ~/.aws/config or ~/.aws/credentials. Without it, as
    /// in the AWS CLI, access keys in the environment come first, then
    /// AWS_PROFILE.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Region(s) to scan: repeat, or separate with commas (default: every
    /// region enabled for the account; the first is the home region).
    #[arg(
        long = "region",
        global = true,
        value_name = "REGION",
        value_delimiter = ','
    )]
    pub regions: Vec<String>,
    /// Send every AWS request to this endpoint (an emulator such as moto).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Config file (default: $MOAT_CONFIG, else moat/config.toml in the
    /// user's config dir; `moat config init` writes a commented one).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Requests in flight at most (shared by every account of --account).
    #[arg(long, global = true, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=512))]
    pub max_concurrency: u32,
    /// Requests in flight at most in any one account of --account/--org, so
    /// that a slow or throttled account cannot take every slot (default:
    /// half of --max-concurrency).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=512))]
    pub max_per_account: Option<u32>,
    /// Work in this account (12 digits) through a role assumed there with
    /// your credentials (sts:AssumeRole); repeat, or separate with commas,
    /// for several accounts in one run (`scan`, `apply` of one item, and the
    /// interactive session's account list; `plan` and `undo` take one).
    #[arg(
        long = "account",
        global = true,
        value_name = "ID",
        value_delimiter = ','
    )]
    pub accounts: Vec<String>,
    /// The role to assume in each account of --account, by name (a path
    /// may lead it: `audit/Moat`). Default: OrganizationAccountAccessRole,
    /// the role AWS Organizations creates in the accounts it creates.
    #[arg(long, global = true, value_name = "NAME")]
    pub role: Option<String>,
    /// The external id the role's trust policy asks for (sts:ExternalId).
    #[arg(long, global = true, value_name = "ID")]
    pub external_id: Option<String>,
    /// Every ACTIVE account of your AWS Organization (organizations:ListAccounts,
    /// with the management account's or a delegated administrator's
    /// credentials), each through --role; with --account, only those.
    #[arg(long, global = true)]
    pub org: bool,
    /// Leave these accounts out (repeat, or separate with commas).
    #[arg(
        long = "exclude-account",
        global = true,
        value_name = "ID",
        value_delimiter = ','
    )]
    pub exclude_accounts: Vec<String>,
    /// Only the K-th of N stable shares of the accounts (e.g. `2/8`), to
    /// split a large organization across runners; `moat report merge`
    /// joins their JSON reports.
    #[arg(long, global = true, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

/// `--shard K/N`: the K-th (1-based) of N shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    /// Whether `account` falls in this share: FNV-1a of its id, modulo N,
    /// so an account stays in its share (for the same N) however the
    /// others change.
    pub fn holds(self, account: &str) -> bool {
        let hash = account.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        // The high half: with N a power of two, the low bits alone would do.
        (hash >> 32) % u64::from(self.n) == u64::from(self.k - 1)
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("'{s}' is not K/N with 1 <= K <= N <= 10000 (e.g. 2/8)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n || n > 10_000 {
        return Err(bad());
    }
    Ok(Shard { k, n })
}

/// Whether the flags name accounts to work in (`--account`, `--org`).
pub fn selects_accounts(g: &Global) -> bool {
    !g.accounts.is_empty() || g.org
}

/// The role assumed in each account of `--account` without `--role`.
pub const DEFAULT_ROLE: &str = "OrganizationAccountAccessRole";

/// `account` with the role the flags name (checked by [`role_targets`]).
fn target(g: &Global, account: String) -> RoleTarget {
    RoleTarget {
        account,
        role: g.role.as_deref().unwrap_or(DEFAULT_ROLE).trim().to_string(),
        external_id: g.external_id.clone(),
    }
}

/// The accounts of `--account` with the role to assume in each (none
/// without `--account`); bad ids and names are usage errors.
pub fn role_targets(g: &Global) -> Result<Vec<RoleTarget>, CliError> {
    if !selects_accounts(g) {
        if g.role.is_some()
            || g.external_id.is_some()
            || !g.exclude_accounts.is_empty()
            || g.shard.is_some()
        {
            return Err(CliError::usage(
                "--role, --external-id, --exclude-account and --shard need --account or --org: \
                 the accounts to work in",
            ));
        }
        return Ok(Vec::new());
    }
    if g.demo {
        return Err(CliError::usage(
            "--account and --org work on AWS accounts; the demo account is one account (drop them)",
        ));
    }
    account_ids(&g.exclude_accounts, "--exclude-account")?;
    let role = g.role.as_deref().unwrap_or(DEFAULT_ROLE).trim();
    if !valid_role_name(role) {
        return Err(CliError::usage(format!(
            "--role '{}' is not a role name: give the name (a path may lead it, `audit/Moat`), not an ARN",
            crate::report::sanitize(role)
        )));
    }
    if let Some(id) = &g.external_id
        && !valid_external_id(id)
    {
        return Err(CliError::usage(
            "--external-id must be 2 to 1,224 characters of letters, digits and +=,.@:/-_",
        ));
    }
    Ok(account_ids(&g.accounts, "--account")?
        .into_iter()
        .map(|a| target(g, a))
        .collect())
}

/// The account ids of `flag`, checked (12 digits), each once, in order.
fn account_ids(ids: &[String], flag: &str) -> Result<Vec<String>, CliError> {
    let mut out: Vec<String> = Vec::new();
    for a in ids {
        let a = a.trim();
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CliError::usage(format!(
                "{flag} '{}' is not an AWS account id (12 digits)",
                crate::report::sanitize(a)
            )));
        }
        if !out.iter().any(|o| o == a) {
            out.push(a.to_string());
        }
    }
    Ok(out)
}

/// The accounts to work in, and those of the organization left out, each
/// with the reason (reported with the scan, never dropped silently).
#[derive(Debug, Default)]
pub struct Targets {
    pub accounts: Vec<RoleTarget>,
    pub skipped: Vec<(String, String)>,
}

/// The accounts to work in: those of --account, or with --org the
/// organization's ACTIVE accounts (only those of --account when both are
/// given), less --exclude-account, within --shard. Nothing left is an error
/// (an empty --shard is not: a share of a small organization may be empty).
pub async fn resolve_targets(g: &Global, pilot: &AwsBackend) -> Result<Targets, CliError> {
    let named = role_targets(g)?;
    let exclude = account_ids(&g.exclude_accounts, "--exclude-account")?;
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut accounts = if g.org {
        let org = pilot.organization().await.map_err(|e| {
            let hint = match e.code.as_deref() {
                Some("AccessDeniedException") => {
                    " (the accounts are listed with the management account's or a delegated \
                     administrator's credentials)"
                }
                Some("AWSOrganizationsNotInUseException") => {
                    " (the caller's account is not in an organization)"
                }
                _ => "",
            };
            CliError::usage(format!("--org: {}{hint}", e.summary()))
        })?;
        let (active, resting): (Vec<_>, Vec<_>) =
            org.accounts.into_iter().partition(|a| a.is_active());
        for a in &resting {
            let state = crate::report::sanitize(&a.state);
            skipped.push((
                a.id.clone(),
                format!("not ACTIVE in the organization ({state})"),
            ));
        }
        if let Some(stranger) = named
            .iter()
            .find(|n| !active.iter().any(|a| a.id == n.account))
        {
            let why = if resting.iter().any(|a| a.id == stranger.account) {
                "is not ACTIVE in the organization"
            } else {
                "is not an account of the organization"
            };
            return Err(CliError::usage(format!(
                "--account {} {why}",
                stranger.account
            )));
        }
        let caller = pilot.identity().account.clone();
        let mut listed: Vec<RoleTarget> = Vec::new();
        for a in active {
            if !named.is_empty() && !named.iter().any(|n| n.account == a.id) {
                continue;
            }
            // A delegated administrator has no role to assume in the
            // management account: Organizations creates
            // OrganizationAccountAccessRole in the accounts it creates only.
            if a.id == org.management_account && a.id != caller && g.role.is_none() {
                skipped.push((
                    a.id,
                    format!(
                        "the management account has no {DEFAULT_ROLE}: scan it with its own \
                         credentials, or name a role there with --role"
                    ),
                ));
                continue;
            }
            listed.push(target(g, a.id));
        }
        listed
    } else {
        named
    };
    for x in &exclude {
        if !accounts.iter().any(|t| &t.account == x) {
            eprintln!("moat: --exclude-account {x} is not among the accounts to work in");
        }
    }
    accounts.retain(|t| !exclude.contains(&t.account));
    if let Some(shard) = g.shard {
        accounts.retain(|t| shard.holds(&t.account));
    } else if accounts.is_empty() {
        return Err(CliError::usage(
            "no account left to work in (every account was excluded or left out)",
        ));
    }
    for (id, why) in &skipped {
        eprintln!("moat: left out {id}: {why}");
    }
    Ok(Targets { accounts, skipped })
}

/// An IAM role name, led by an optional path (`audit/Moat`, `/audit/Moat/`):
/// the name 1–64 of `[\w+=,.@-]`, each path part printable ASCII, no
/// empty part.
fn valid_role_name(role: &str) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c);
    let parts: Vec<&str> = role.trim_matches('/').split('/').collect();
    let Some((name, path)) = parts.split_last() else {
        return false;
    };
    !role.starts_with("arn:")
        && (1..=64).contains(&name.len())
        && name.chars().all(name_char)
        && path
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_graphic()))
        && role.len() <= 512
}

/// sts:AssumeRole's ExternalId: 2–1,224 of `[\w+=,.@:/-]`.
fn valid_external_id(id: &str) -> bool {
    (2..=1224).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the account and print each item's state.
    Scan(ScanArgs),
    /// Preview the changes that would fix items, as unified diffs (sends nothing).
    Plan(PlanArgs),
    /// Apply the fixes for items, after showing each plan and asking.
    Apply(ApplyArgs),
    /// Reverse changes moat made, from its journal (previewed and confirmed).
    Undo(UndoArgs),
    /// Print the hardening guide, offline.
    Guide(GuideArgs),
    /// Write or locate the config file.
    Config(ConfigArgs),
    /// Print a shell completion script (e.g. `moat completions bash > /etc/bash_completion.d/moat`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `moat man | man -l -`.
    Man,
    /// Work with saved reports, offline.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub action: ReportAction,
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Join the JSON reports of several runs (`scan --format json`, e.g. one
    /// per --shard) into one `{"accounts": [...], "errors": [...]}` document.
    Merge {
        /// The reports, in the order their accounts are listed.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the merged report to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Write a commented default config file (refuses to overwrite without --force).
    Init {
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print where the config file is read from.
    Path,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// The JSON contract (`{"account", "identity", "items": [...]}`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// A report to attach to a ticket.
    Markdown,
    /// One row per finding.
    Csv,
    /// OCSF 1.1.0 Detection Findings (JSON array), for Amazon Security Lake
    /// and other OCSF consumers.
    Ocsf,
}

/// A compliance framework to scan and report by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Framework {
    /// CIS AWS Foundations Benchmark v6.0.0.
    #[value(name = "cis-6.0")]
    Cis6,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Only these sections (repeatable), e.g. `account`.
    #[arg(long = "section", value_name = "SECTION")]
    pub sections: Vec<String>,
    /// Only these items (repeatable), e.g. `account.root-mfa`.
    #[arg(long = "item", value_name = "ID")]
    pub items: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the items mapped to this framework, reported by control.
    #[arg(long, value_enum)]
    pub framework: Option<Framework>,
    /// Mark each finding new, fixed or unchanged since an earlier scan:
    /// `last` (the default) is this account's newest saved scan, FILE one of
    /// the files moat saves per scan in <state>/scans/<account>/. Every scan
    /// is saved there (the last 20 per account). A new failing finding on an
    /// item moat fixed is called out as failing again.
    #[arg(
        long,
        value_name = "FILE|last",
        num_args = 0..=1,
        default_missing_value = "last"
    )]
    pub compare: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Item ids (see `moat guide` or `moat scan`).
    #[arg(required = true, value_name = "ID")]
    pub items: Vec<String>,
    /// Only fix these resources, as `scan` prints them (repeatable).
    #[arg(long = "resource", value_name = "R")]
    pub resources: Vec<String>,
    /// Input an item needs, e.g. `--input email=sec@example.com` (repeatable;
    /// each item's inputs are listed by `moat guide`).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Do not ask; apply every plan (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// With --yes, for a change that cannot be undone and locks people out
    /// (removing a member account's root credentials): the account id, typed
    /// again. Without it such a plan is not applied.
    #[arg(long, value_name = "ACCOUNT_ID", requires = "yes")]
    pub confirm_account: Option<String>,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Journal entries or batches to reverse (without any: list the journal).
    #[arg(value_name = "ENTRY", conflicts_with = "last")]
    pub entries: Vec<String>,
    /// Reverse the most recent apply.
    #[arg(long)]
    pub last: bool,
    /// Settle entries whose outcome is unknown (moat stopped, or lost the
    /// answer, while sending them): re-read each resource and record the entry
    /// applied when its change is in place, failed when it is not. Changes
    /// nothing in the account. With ENTRY…, only those entries or batches.
    #[arg(long, conflicts_with = "last")]
    pub resolve: bool,
    /// Do not ask.
    #[arg(long)]
    pub yes: bool,
    /// Only for undoing an S3 MFA Delete change, which AWS accepts only with
    /// the root user's MFA: `--input mfa_serial=ARN --input mfa_code=123456`.
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GuideArgs {
    /// A section id (e.g. `account`); all sections without one.
    pub section: Option<String>,
}

/// A failure the CLI reports as one line, with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        Self {
            code: 2,
            message: e.to_string(),
        }
    }
}

pub type CliResult = Result<u8, CliError>;

/// Everything a subcommand needs.
pub struct Session {
    pub backend: Arc<dyn Backend>,
    pub state_dir: PathBuf,
    pub settings: Settings,
}

/// Load the config file `--config`, `MOAT_CONFIG` or the user's config dir
/// holds (the defaults when there is none); an error is one line, exit 2.
pub fn load_config(g: &Global) -> Result<crate::config::Loaded, CliError> {
    let loaded = crate::config::load(g.config.as_deref(), crate::tui::keymap::check_tables)?;
    match &loaded.path {
        Some(p) => tracing::info!("config: {}", p.display()),
        None => tracing::info!("config: none, the defaults"),
    }
    Ok(loaded)
}

/// Build the backend the flags ask for (`settings`: what the reads depend
/// on, the buckets whose versioning is read for instance).
pub async fn backend(
    g: &Global,
    settings: &Settings,
    interactive: bool,
) -> Result<Arc<dyn Backend>, CliError> {
    let named = role_targets(g)?;
    let state_dir = crate::state::state_dir();
    if g.demo {
        let latency = if interactive {
            Duration::from_millis(120)
        } else {
            Duration::ZERO
        };
        let demo = DemoBackend::persistent(&state_dir, latency).map_err(CliError::usage)?;
        return Ok(if g.dry_run {
            Arc::new(DryRun::new(demo))
        } else {
            Arc::new(demo)
        });
    }
    if named.len() > 1 {
        return Err(several_accounts());
    }
    let pilot = connect(g, settings).await?;
    if !selects_accounts(g) {
        return Ok(wrap(g, pilot));
    }
    let targets = resolve_targets(g, &pilot).await?.accounts;
    Ok(wrap(g, only_account(g, pilot, &targets).await?))
}

fn several_accounts() -> CliError {
    CliError::usage(
        "plan and undo work in one account at a time: name one with --account \
         (apply takes several, for one item)",
    )
}

/// The backend of the one account of `targets`: the caller's own (`pilot`
/// itself) or the role assumed there.
async fn only_account(
    g: &Global,
    pilot: AwsBackend,
    targets: &[RoleTarget],
) -> Result<AwsBackend, CliError> {
    match targets {
        [t] if own_credentials(g, &pilot, t) => Ok(pilot),
        [t] => pilot
            .assume(t)
            .await
            .map_err(|e| CliError::usage(e.to_string())),
        [] => Err(CliError::usage("no account left to work in")),
        _ => Err(several_accounts()),
    }
}

/// Whether `t` is the caller's own account, worked in with the caller's
/// own credentials: without --role there is no role to assume there
/// (Organizations creates none in the management account).
pub fn own_credentials(g: &Global, pilot: &AwsBackend, t: &RoleTarget) -> bool {
    g.role.is_none() && t.account == pilot.identity().account
}

/// The backend of `t`'s account: the role assumed there, or the caller's
/// own credentials in the caller's own account (see [`own_credentials`]).
pub async fn open_account(
    g: &Global,
    pilot: &AwsBackend,
    t: &RoleTarget,
) -> Result<AwsBackend, crate::aws::client::AwsInitError> {
    if own_credentials(g, pilot, t) {
        Ok(pilot.same_account())
    } else {
        pilot.assume(t).await
    }
}

/// The accounts of an interactive session: one, or several to open from
/// the account list.
pub enum SessionAccounts {
    One(Arc<dyn Backend>),
    Several(Vec<(String, crate::tui::accounts::Opening)>),
}

/// The interactive session's account(s), as the flags ask.
pub async fn session_accounts(
    g: &Global,
    settings: &Settings,
) -> Result<SessionAccounts, CliError> {
    let named = role_targets(g)?;
    if !selects_accounts(g) || (named.len() == 1 && !g.org) {
        return backend(g, settings, true).await.map(SessionAccounts::One);
    }
    let pilot = connect(g, settings).await?;
    let targets = resolve_targets(g, &pilot).await?.accounts;
    if targets.len() <= 1 {
        let aws = only_account(g, pilot, &targets).await?;
        return Ok(SessionAccounts::One(wrap(g, aws)));
    }
    let (g, pilot) = (Arc::new(g.clone()), Arc::new(pilot));
    Ok(SessionAccounts::Several(
        targets
            .into_iter()
            .map(|t| {
                let (g, pilot) = (g.clone(), pilot.clone());
                let id = t.account.clone();
                let opening: crate::tui::accounts::Opening = Box::pin(async move {
                    open_account(&g, &pilot, &t)
                        .await
                        .map(|aws| wrap(&g, aws))
                        .map_err(|e| e.to_string())
                });
                (id, opening)
            })
            .collect(),
    ))
}

/// The bound on requests in flight of each account: `--max-per-account`,
/// else half of `--max-concurrency` when the run works in several accounts
/// (one account alone gets all of it).
fn per_account_bound(g: &Global) -> Result<Option<usize>, CliError> {
    if let Some(n) = g.max_per_account {
        if n > g.max_concurrency {
            return Err(CliError::usage(format!(
                "--max-per-account {n} is more than --max-concurrency {}",
                g.max_concurrency
            )));
        }
        return Ok(Some(n as usize));
    }
    let several = g.org || role_targets(g)?.len() > 1;
    Ok(several.then(|| (g.max_concurrency as usize).div_ceil(2)))
}

/// The live backend of the caller's own credentials.
pub async fn connect(g: &Global, settings: &Settings) -> Result<AwsBackend, CliError> {
    let max_attempts = std::env::var("MOAT_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok());
    let opts = AwsOptions {
        profile: g.profile.clone(),
        regions: g.regions.clone(),
        endpoint_url: g.endpoint_url.clone(),
        max_concurrency: g.max_concurrency as usize,
        max_per_account: per_account_bound(g)?,
        max_attempts,
        irreplaceable_buckets: settings.irreplaceable_buckets.clone(),
    };
    AwsBackend::connect(opts)
        .await
        .map_err(|e| CliError::usage(e.to_string()))
}

/// `aws` as the backend the flags ask for (a dry run wraps it).
pub fn wrap(g: &Global, aws: AwsBackend) -> Arc<dyn Backend> {
    if g.dry_run {
        Arc::new(DryRun::new(aws))
    } else {
        Arc::new(aws)
    }
}

/// Resolve item ids; an unknown id is an error suggesting the closest.
pub fn resolve_items(ids: &[String]) -> Result<Vec<&'static ItemDef>, CliError> {
    let mut out: Vec<&'static ItemDef> = vec![];
    for id in ids {
        match checks::item(id) {
            Some(d) => {
                if !out.iter().any(|o| o.id == d.id) {
                    out.push(d)
                }
            }
            None => {
                let hint = checks::closest_item(id)
                    .map(|c| format!("; did you mean {c}?"))
                    .unwrap_or_default();
                return Err(CliError::usage(format!(
                    "unknown item '{id}'{hint} (`moat guide` lists them)"
                )));
            }
        }
    }
    Ok(out)
}

/// Resolve a section id; unknown is an error listing the known ones.
pub fn resolve_section(id: &str) -> Result<&'static str, CliError> {
    let known = checks::sections();
    known.iter().copied().find(|s| *s == id).ok_or_else(|| {
        let hint = known
            .iter()
            .map(|s| (strsim::jaro_winkler(id, s), *s))
            .filter(|(score, _)| *score > 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| format!("; did you mean {s}?"))
            .unwrap_or_default();
        CliError::usage(format!(
            "unknown section '{id}'{hint} (sections: {})",
            known.join(", ")
        ))
    })
}

/// Collect `parts`, showing progress on stderr when it is a terminal.
pub async fn collect(backend: &Arc<dyn Backend>, parts: &[PartId]) -> Inventory {
    let tty = std::io::stderr().is_terminal();
    if !tty {
        return collect_inventory(backend.clone(), parts).await;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let b = backend.clone();
    let p = parts.to_vec();
    let task = tokio::spawn(async move { crate::collect::collect_parts(b, &p, tx).await });
    let mut inv = Inventory::default();
    let total = parts.len();
    let mut done = 0;
    while let Some((id, r)) = rx.recv().await {
        done += 1;
        match r {
            Ok(v) => inv.set(v),
            Err(e) => inv.set_error(id, e),
        }
        let filled = done * 20 / total.max(1);
        eprint!(
            "\r\x1b[2Kcollecting [{}{}] {done}/{total} {}",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            id.label()
        );
    }
    eprint!("\r\x1b[2K");
    let _ = task.await;
    inv
}

/// Evaluate items against an inventory with the account's saved progress.
pub fn evaluate(items: &[&ItemDef], inv: &Inventory, s: &Session) -> Vec<ItemResult> {
    checks::evaluate_saved(items, inv, &s.settings, &s.state_dir)
}

/// The account id, or the identity part's error as a CLI error.
pub fn account_of(inv: &Inventory) -> Result<String, CliError> {
    match inv.account_id() {
        Some(a) => Ok(a.to_string()),
        None => Err(CliError::usage(
            inv.identity
                .error()
                .map(|e| e.summary())
                .unwrap_or_else(|| "could not read the caller identity".into()),
        )),
    }
}

/// Ask a yes/no question on the terminal; default no.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    use std::io::Write;
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

pub fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Run a subcommand.
pub async fn run(cli: Cli) -> CliResult {
    let Some(cmd) = cli.command else {
        return Err(CliError::usage("no subcommand"));
    };
    match &cmd {
        Command::Guide(a) => return guide_cmd::run(a),
        Command::Config(a) => return config_cmd::run(&cli.global, a),
        Command::Completions(a) => return manual::completions(a.shell),
        Command::Man => return manual::man(),
        Command::Report(a) => return report_cmd::run(a),
        _ => {}
    }
    // Validate the config and the ids before touching the account.
    let config = load_config(&cli.global)?;
    match &cmd {
        Command::Scan(a) => {
            for s in &a.sections {
                resolve_section(s)?;
            }
            resolve_items(&a.items)?;
        }
        Command::Plan(a) | Command::Apply(ApplyArgs { plan: a, .. }) => {
            apply::validate_inputs(&resolve_items(&a.items)?, &a.inputs)?;
        }
        _ => {}
    }
    // With --account, a scan reports by account (one or several), apply
    // applies one item in each account named; plan and undo work in one
    // (`backend` refuses several).
    role_targets(&cli.global)?;
    match &cmd {
        Command::Scan(a) if selects_accounts(&cli.global) => {
            return scan::run_accounts(&cli.global, config.settings, a).await;
        }
        _ if cli.global.org
            || cli.global.shard.is_some()
            || !cli.global.exclude_accounts.is_empty() =>
        {
            return Err(CliError::usage(
                "--org, --shard and --exclude-account are for scan and the interactive session: \
                 plan, apply and undo work in the accounts --account names",
            ));
        }
        Command::Apply(a) if !cli.global.demo && role_targets(&cli.global)?.len() > 1 => {
            return apply_accounts::apply_accounts(&cli.global, config.settings, a).await;
        }
        _ => {}
    }
    let session = Session {
        backend: backend(&cli.global, &config.settings, false).await?,
        state_dir: crate::state::state_dir(),
        settings: config.settings,
    };
    match cmd {
        Command::Scan(a) => scan::run(&session, &a).await,
        Command::Plan(a) => apply::plan(&session, &a).await,
        Command::Apply(a) => apply::apply(&session, &a).await,
        Command::Undo(a) => undo::run(&session, &a).await,
        Command::Guide(_)
        | Command::Config(_)
        | Command::Completions(_)
        | Command::Man
        | Command::Report(_) => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(args: &[&str]) -> Global {
        let mut all = vec!["moat"];
        all.extend(args);
        Cli::try_parse_from(all).expect("parses").global
    }

    #[test]
    fn accounts_are_checked_and_kept_once_in_order() {
        let t = role_targets(&global(&[
            "--account",
            "222233334444,111122223333",
            "--account",
            "222233334444",
        ]))
        .expect("valid");
        let ids: Vec<&str> = t.iter().map(|t| t.account.as_str()).collect();
        assert_eq!(ids, ["222233334444", "111122223333"]);
        assert!(
            t.iter()
                .all(|t| t.role == DEFAULT_ROLE && t.external_id.is_none())
        );
        for bad in [
            vec!["--account", "12345"],
            vec!["--account", "1234567890123"],
            vec!["--account", "12345678901a"],
            vec![
                "--account",
                "111122223333",
                "--role",
                "arn:aws:iam::111122223333:role/x",
            ],
            vec!["--account", "111122223333", "--role", "has space"],
            vec!["--account", "111122223333", "--role", "a//b"],
            vec!["--account", "111122223333", "--role", "/"],
            vec!["--account", "111122223333", "--external-id", "x"],
            vec!["--role", "Auditor"],
            vec!["--external-id", "abc"],
        ] {
            assert!(role_targets(&global(&bad)).is_err(), "{bad:?}");
        }
        let t = role_targets(&global(&[
            "--account",
            "111122223333",
            "--role",
            "audit/Moat",
            "--external-id",
            "ab:c/d",
        ]))
        .expect("a path and an external id");
        assert_eq!(t[0].role, "audit/Moat");
        let led = role_targets(&global(&[
            "--account",
            "111122223333",
            "--role",
            "/audit/Moat/",
        ]));
        assert!(led.is_ok(), "a leading and trailing slash");
        assert_eq!(t[0].external_id.as_deref(), Some("ab:c/d"));
    }

    #[test]
    fn shards_split_the_accounts_stably_and_wholly() {
        assert_eq!(parse_shard("2/8"), Ok(Shard { k: 2, n: 8 }));
        for bad in ["0/2", "3/2", "1/0", "a/b", "2", "1/10001", "-1/2"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let accounts: Vec<String> = (0..400)
            .map(|i| format!("{:012}", 100_000_000_000u64 + i * 7919))
            .collect();
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { k, n: 4 }).collect();
        for a in &accounts {
            let holders = shards.iter().filter(|s| s.holds(a)).count();
            assert_eq!(holders, 1, "{a} is in exactly one share");
        }
        for s in &shards {
            let n = accounts.iter().filter(|a| s.holds(a)).count();
            assert!((60..=140).contains(&n), "{s:?} holds {n} of 400");
        }
        // The share depends on the id alone.
        assert_eq!(
            Shard { k: 1, n: 3 }.holds("111122223333"),
            Shard { k: 1, n: 3 }.holds("111122223333")
        );
    }

    #[test]
    fn org_flags_need_accounts_to_work_in() {
        for bad in [
            vec!["--exclude-account", "111122223333"],
            vec!["--shard", "1/2"],
            vec!["--org", "--exclude-account", "1"],
            vec!["--demo", "--org"],
        ] {
            assert!(role_targets(&global(&bad)).is_err(), "{bad:?}");
        }
        let org = global(&[
            "--org",
            "--role",
            "Audit",
            "--exclude-account",
            "111122223333",
        ]);
        assert!(selects_accounts(&org));
        assert!(role_targets(&org).is_ok_and(|t| t.is_empty()));
    }
}
