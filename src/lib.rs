//! moat: harden an AWS account from the terminal. Collect → inventory → check →
//! plan → preview → apply (after confirmation) → verify.
//!
//! The modules, from the top of the house down (an import only points down;
//! `tests/layers.rs` enforces it, ARCHITECTURE.md explains it):
//!
//! - entry: [`cli`] (subcommands), [`tui`] (the interactive session: pure
//!   `update`, effects on tokio, views, key bindings);
//! - orchestration: [`execute`] (drift check, account pin, apply, verify,
//!   undo), [`journal`], [`collect`] (the `Backend`s: AWS, demo, dry-run),
//!   [`config`], [`report`], [`history`] (saved scans to compare with);
//! - domain: [`checks`] (one folder per guide section: its items, checks and
//!   plan builders), [`plan`] (plans, inputs, inverses), [`access`] and
//!   [`policy`] (the IAM policy analysers), [`diff`], [`aws`] (one folder per
//!   AWS service: its inventory types, one type per mutating call, its SDK
//!   code; and what they share: the account model [`aws::inventory`], the op
//!   registry [`aws::op`], the AWS client [`aws::client`]), [`guide`] (every
//!   sentence about an item);
//! - kits: [`kit`] (text sanitising, canonical JSON, CIDR parsing), [`state`].
//!
//! Adding a mutating call: one type in `aws/<service>/ops.rs` implementing
//! [`aws::op::OpKind`], its SDK request in `aws/<service>/sdk.rs`, one line in
//! `for_each_op!` (`src/aws/op.rs`), one sample in `tests/catalog/`.
//! Adding a regional service: its folder under `aws/` (`mod.rs`, `ops.rs`,
//! `sdk.rs`, `read.rs`, `resource.rs`), its per-region data in
//! [`aws::inventory::ByRegion`], one variant of
//! [`aws::inventory::ResourceRef`], one line in `parts!`, in `SERVICES` and in
//! `aws/client/services.rs`.

pub mod access;
pub mod aws;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod diff;
pub mod execute;
pub mod guide;
pub mod history;
pub mod journal;
pub mod kit;
pub mod plan;
pub mod policy;
pub mod report;
pub mod state;
pub mod tui;
