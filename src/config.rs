//! Settings that tune checks and plans. (The TOML config file comes later; these
//! are its defaults.)

use serde::{Deserialize, Serialize};

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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_min_length: 14,
            password_reuse_prevention: 24,
            key_unused_days: 45,
            key_max_age_days: 90,
        }
    }
}
