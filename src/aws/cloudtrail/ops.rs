//! CloudTrail's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    ApplyError, CloudTrailRef, EventSelectors, Fetched, Inventory, ResourceRef, Trail, trail_arn,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// One change UpdateTrail makes to a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum TrailEdit {
    LogFileValidation {
        enabled: bool,
    },
    /// A KMS key (id, ARN or `alias/NAME`); `None` turns SSE-KMS off.
    KmsKey {
        key: Option<String>,
    },
    /// An SNS topic by name or ARN; `None` stops notifications.
    SnsTopic {
        topic: Option<String>,
    },
}

fn trail_ref(region: &str, name: &str) -> ResourceRef {
    ResourceRef::CloudTrail(CloudTrailRef::Trail {
        region: region.to_string(),
        name: name.to_string(),
    })
}

fn trails(inv: &mut Inventory) -> Result<&mut Vec<Trail>, ApplyError> {
    inv.trails
        .ready_mut()
        .ok_or(ApplyError::NotReady("CloudTrail"))
}

fn trail_mut<'a>(
    inv: &'a mut Inventory,
    region: &str,
    name: &str,
) -> Result<&'a mut Trail, ApplyError> {
    trails(inv)?
        .iter_mut()
        .find(|t| t.name == name && t.home_region == region)
        .ok_or_else(|| ApplyError::NoSuch(format!("trail {name}")))
}

/// The trail as it was before, when read.
fn trail_before<'a>(before: &'a Inventory, region: &str, name: &str) -> Option<&'a Trail> {
    before
        .trails
        .ready()?
        .iter()
        .find(|t| t.name == *name && t.home_region == *region)
}

/// cloudtrail:CreateTrail in the trail's home region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTrail {
    pub name: String,
    pub region: String,
    pub bucket: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
}

impl OpKind for CreateTrail {
    const ACTION: &'static str = "cloudtrail:CreateTrail";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!(
            "create {}trail {} in {} logging to bucket {}",
            if self.multi_region {
                "multi-region "
            } else {
                ""
            },
            self.name,
            self.region,
            self.bucket
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (account, partition) = (
            inv.account_id().unwrap_or("000000000000").to_string(),
            inv.partition().to_string(),
        );
        let CreateTrail {
            name,
            region,
            bucket,
            multi_region,
            log_file_validation,
        } = self;
        let trails = trails(inv)?;
        if trails
            .iter()
            .any(|t| t.name == *name && t.home_region == *region)
        {
            return Err(ApplyError::Exists(format!("trail {name}")));
        }
        trails.push(Trail {
            name: name.clone(),
            arn: trail_arn(&partition, region, &account, name),
            home_region: region.clone(),
            s3_bucket: Some(bucket.clone()),
            s3_key_prefix: None,
            is_multi_region: *multi_region,
            log_file_validation: *log_file_validation,
            kms_key_id: None,
            cloudwatch_logs_log_group_arn: None,
            // A new trail does not log until StartLogging.
            is_logging: false,
            sns_topic_arn: None,
            status_error: None,
            // CreateTrail without selectors: every management event.
            event_selectors: Some(Fetched::Ready(EventSelectors::aws_default())),
        });
        trails.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteTrail {
                name: self.name.clone(),
                region: self.region.clone(),
            }
            .into(),
        ])
    }
}

/// cloudtrail:DeleteTrail (undo of CreateTrail only: a deleted trail's
/// settings are kept in the op's inverse, but its logs stay in S3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteTrail {
    pub name: String,
    pub region: String,
}

impl OpKind for DeleteTrail {
    const ACTION: &'static str = "cloudtrail:DeleteTrail";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("delete trail {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let DeleteTrail { name, region } = self;
        let trails = trails(inv)?;
        let before = trails.len();
        trails.retain(|t| !(t.name == *name && t.home_region == *region));
        if trails.len() == before {
            return Err(ApplyError::NoSuch(format!("trail {name}")));
        }
        Ok(())
    }

    /// A deleted trail's event selectors, tags and delivery history are
    /// gone: moat only deletes trails it created, to undo CreateTrail.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}

/// The op that puts a trail's logging back as it was `before`.
fn logging_as_before(before: &Inventory, region: &str, name: &str) -> Option<Vec<Op>> {
    let t = trail_before(before, region, name)?;
    let (name, region) = (name.to_string(), region.to_string());
    Some(vec![if t.is_logging {
        StartLogging { name, region }.into()
    } else {
        StopLogging { name, region }.into()
    }])
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartLogging {
    pub name: String,
    pub region: String,
}

impl OpKind for StartLogging {
    const ACTION: &'static str = "cloudtrail:StartLogging";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("start logging on trail {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        trail_mut(inv, &self.region, &self.name)?.is_logging = true;
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        logging_as_before(before, &self.region, &self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopLogging {
    pub name: String,
    pub region: String,
}

impl OpKind for StopLogging {
    const ACTION: &'static str = "cloudtrail:StopLogging";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        format!("stop logging on trail {}", self.name)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        trail_mut(inv, &self.region, &self.name)?.is_logging = false;
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        logging_as_before(before, &self.region, &self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateTrail {
    pub name: String,
    pub region: String,
    pub edits: Vec<TrailEdit>,
}

impl OpKind for UpdateTrail {
    const ACTION: &'static str = "cloudtrail:UpdateTrail";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let what: Vec<String> = self
            .edits
            .iter()
            .map(|e| match e {
                TrailEdit::LogFileValidation { enabled: true } => {
                    "log file validation on".to_string()
                }
                TrailEdit::LogFileValidation { enabled: false } => {
                    "log file validation off".to_string()
                }
                TrailEdit::KmsKey { key: Some(k) } => format!("encrypt with KMS key {k}"),
                TrailEdit::KmsKey { key: None } => "no KMS encryption".to_string(),
                TrailEdit::SnsTopic { topic: Some(t) } => format!("notify SNS topic {t}"),
                TrailEdit::SnsTopic { topic: None } => "no SNS notifications".to_string(),
            })
            .collect();
        format!("update trail {} ({})", self.name, what.join("; "))
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (account, partition) = (
            inv.account_id().unwrap_or("000000000000").to_string(),
            inv.partition().to_string(),
        );
        let region = &self.region;
        let t = trail_mut(inv, region, &self.name)?;
        for e in &self.edits {
            match e {
                TrailEdit::LogFileValidation { enabled } => t.log_file_validation = *enabled,
                TrailEdit::KmsKey { key } => t.kms_key_id = key.clone(),
                TrailEdit::SnsTopic { topic } => {
                    t.sns_topic_arn = topic.as_ref().map(|x| {
                        if x.starts_with("arn:") {
                            x.clone()
                        } else {
                            format!("arn:{partition}:sns:{region}:{account}:{x}")
                        }
                    })
                }
            }
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let t = trail_before(before, &self.region, &self.name)?;
        let back = self
            .edits
            .iter()
            .map(|e| match e {
                TrailEdit::LogFileValidation { .. } => TrailEdit::LogFileValidation {
                    enabled: t.log_file_validation,
                },
                TrailEdit::KmsKey { .. } => TrailEdit::KmsKey {
                    key: t.kms_key_id.clone(),
                },
                TrailEdit::SnsTopic { .. } => TrailEdit::SnsTopic {
                    topic: t.sns_topic_arn.clone(),
                },
            })
            .collect();
        Some(vec![
            UpdateTrail {
                name: self.name.clone(),
                region: self.region.clone(),
                edits: back,
            }
            .into(),
        ])
    }
}

/// cloudtrail:PutEventSelectors with the trail's whole selector set:
/// the advanced selectors when there are any, else the basic ones (AWS
/// keeps one kind only; sending one replaces the other).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutEventSelectors {
    pub name: String,
    pub region: String,
    pub selectors: EventSelectors,
}

impl OpKind for PutEventSelectors {
    const ACTION: &'static str = "cloudtrail:PutEventSelectors";

    fn resource(&self) -> ResourceRef {
        trail_ref(&self.region, &self.name)
    }

    fn region(&self) -> Option<&str> {
        Some(&self.region)
    }

    fn describe(&self) -> String {
        let selectors = &self.selectors;
        let c = selectors.management();
        let management = match (c.read, c.write) {
            (true, true) if c.excluded.is_empty() => "every management event",
            (true, true) => "management events (some sources excluded)",
            (true, false) => "read-only management events",
            (false, true) => "write-only management events",
            (false, false) => "no management events",
        };
        let kind = if selectors.advanced.is_empty() {
            format!("{} basic selector(s)", selectors.basic.len())
        } else {
            format!("{} advanced selector(s)", selectors.advanced.len())
        };
        format!(
            "set the event selectors of trail {}: {kind}, {management}",
            self.name
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        trail_mut(inv, &self.region, &self.name)?.event_selectors =
            Some(Fetched::Ready(self.selectors.clone()));
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let t = trail_before(before, &self.region, &self.name)?;
        Some(vec![
            PutEventSelectors {
                name: self.name.clone(),
                region: self.region.clone(),
                selectors: t.event_selectors.as_ref()?.ready()?.clone(),
            }
            .into(),
        ])
    }
}
