//! The demo backend: a realistic, deliberately insecure account from
//! `assets/demo/` (`account.json`: the identity, IAM, S3, CloudFront and
//! trails; one file per AWS service for the rest). Its `apply` is
//! `Inventory::apply`; its state is kept in the state dir so a later
//! `moat --demo` run (and `undo`) sees changes.

use super::{Applied, Backend, Mode, OpError};
use crate::aws::inventory::{Inventory, PartError, PartId, PartValue};
use crate::plan::Op;
use futures::future::BoxFuture;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

pub const DEMO_JSON: &str = include_str!("../../assets/demo/account.json");

/// `assets/demo/<name>.json` with its text.
macro_rules! demo_files {
    ($($name:literal),* $(,)?) => {
        &[$((
            concat!("assets/demo/", $name, ".json"),
            include_str!(concat!("../../assets/demo/", $name, ".json")),
        )),*]
    };
}

/// The rest of the demo account, one file per AWS service (and the session's
/// regions): objects whose keys (inventory fields) are added to the account's.
const DEMO_PARTS: &[(&str, &str)] = demo_files![
    "regions",
    "ec2",
    "ebs",
    "vpc",
    "guardduty",
    "cloudtrail",
    "kms",
    "sns",
    "cloudwatch",
    "logs",
    "rds",
    "route53",
    "elb",
    "inspector",
    "organizations",
];

pub struct DemoBackend {
    inv: Mutex<Inventory>,
    /// Where changes persist; `None` keeps them in memory only.
    file: Option<PathBuf>,
    /// Simulated latency per part, so the UI shows collection as it would live.
    latency: Duration,
}

/// The pristine demo account.
pub fn demo_inventory() -> Result<Inventory, String> {
    let mut account: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(DEMO_JSON).map_err(|e| format!("assets/demo/account.json: {e}"))?;
    for (file, text) in DEMO_PARTS {
        let part: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        for (k, v) in part {
            if account.insert(k.clone(), v).is_some() {
                return Err(format!("{file}: {k} is also in assets/demo/account.json"));
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(account))
        .map_err(|e| format!("assets/demo: {e}"))
}

impl DemoBackend {
    /// In-memory demo account, no latency (tests).
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            inv: Mutex::new(demo_inventory()?),
            file: None,
            latency: Duration::ZERO,
        })
    }

    /// The demo account as changed by earlier sessions, persisted under `state_dir`.
    pub fn persistent(state_dir: &std::path::Path, latency: Duration) -> Result<Self, String> {
        let file = state_dir.join("demo").join("account.json");
        let inv = match std::fs::read_to_string(&file) {
            Ok(s) => {
                let bad = |e: serde_json::Error| {
                    format!(
                        "{}: {e} (delete it to start the demo afresh)",
                        file.display()
                    )
                };
                let mut saved: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&s).map_err(bad)?;
                // Parts added to moat since the file was saved start pristine.
                let pristine = serde_json::to_value(demo_inventory()?).map_err(bad)?;
                if let serde_json::Value::Object(fresh) = pristine {
                    for (k, v) in fresh {
                        saved.entry(k).or_insert(v);
                    }
                }
                serde_json::from_value(serde_json::Value::Object(saved)).map_err(bad)?
            }
            Err(_) => demo_inventory()?,
        };
        Ok(Self {
            inv: Mutex::new(inv),
            file: Some(file),
            latency,
        })
    }

    pub fn with_inventory(inv: Inventory) -> Self {
        Self {
            inv: Mutex::new(inv),
            file: None,
            latency: Duration::ZERO,
        }
    }

    pub fn snapshot(&self) -> Inventory {
        self.inv.lock().map(|i| i.clone()).unwrap_or_default()
    }

    fn save(&self, inv: &Inventory) -> Result<(), String> {
        if let Some(f) = &self.file {
            let data = serde_json::to_vec(inv).map_err(|e| e.to_string())?;
            crate::state::private_write(f, &data).map_err(|e| format!("{}: {e}", f.display()))?;
        }
        Ok(())
    }
}

impl Backend for DemoBackend {
    fn mode(&self) -> Mode {
        Mode::Demo
    }

    fn collect(&self, part: PartId) -> BoxFuture<'_, Result<PartValue, PartError>> {
        Box::pin(async move {
            if !self.latency.is_zero() {
                // Spread parts out a little, deterministically.
                let k = PartId::ALL.iter().position(|p| *p == part).unwrap_or(0) as u32;
                tokio::time::sleep(self.latency * (k + 1)).await;
            }
            let inv = self
                .inv
                .lock()
                .map_err(|_| PartError::new("demo", None, "demo state poisoned"))?;
            inv.get(part).ok_or_else(|| {
                PartError::new(
                    format!("demo:{}", part.label()),
                    None,
                    "not in the demo account",
                )
            })
        })
    }

    fn apply<'a>(&'a self, op: &'a Op) -> BoxFuture<'a, Result<Applied, OpError>> {
        Box::pin(async move {
            let mut inv = self
                .inv
                .lock()
                .map_err(|_| OpError::new(op.action(), None, "demo state poisoned"))?;
            inv.apply(op)
                .map_err(|e| OpError::new(op.action(), None, e.to_string()))?;
            self.save(&inv)
                .map_err(|e| OpError::new(op.action(), None, e))?;
            Ok(Applied::Sent)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_account_parses_and_is_complete() {
        let inv = demo_inventory().expect("demo parses");
        for p in PartId::ALL {
            assert!(inv.get(*p).is_some(), "demo lacks {p:?}");
        }
    }
}
