//! Settings that tune checks and plans: thresholds, accepted exceptions and
//! the CIDRs offered when tightening. The config file fills them; these are
//! the defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A failing resource the user accepts, with a reason; after `expires` it fails again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    pub item: String,
    pub resource: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// account.password-policy: minimum length.
    pub password_min_length: i32,
    /// account.password-policy: passwords remembered.
    pub password_reuse_prevention: i32,
    /// account.stale-access-keys: an active key unused this many days is stale.
    pub key_unused_days: i64,
    /// account.stale-access-keys: an active key older than this is stale.
    pub key_max_age_days: i64,
    /// ebs.recent-snapshots: a snapshot older than this is not recent.
    pub snapshot_max_age_days: i64,
    /// Failing resources accepted on purpose.
    pub exceptions: Vec<Exception>,
    /// CIDRs offered when tightening an open rule.
    pub cidrs: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_min_length: 14,
            password_reuse_prevention: 24,
            key_unused_days: 45,
            key_max_age_days: 90,
            snapshot_max_age_days: 7,
            exceptions: Vec::new(),
            cidrs: Vec::new(),
        }
    }
}
