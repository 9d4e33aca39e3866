//! moat: harden an AWS account from the terminal. Collect → inventory → check →
//! plan → preview → apply (after confirmation) → verify.

pub mod access;
pub mod aws;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod diff;
pub mod execute;
pub mod guide;
pub mod inventory;
pub mod journal;
pub mod kit;
pub mod plan;
pub mod policy;
pub mod report;
pub mod state;
pub mod tui;
