//! EBS's mutating calls (EC2 API), one type each (see [`OpKind`]).
//!
//! CreateSnapshot makes a snapshot whose id AWS gives only in its answer,
//! and the inverse is computed before the op is sent: it names the snapshot
//! by its volume and the unique `Name` tag moat gives it (with
//! `moat:created-by = moat`). The backend looks the id up just before
//! deleting (a read, then the one mutating call).

use crate::aws::inventory::EbsRef;
use crate::aws::inventory::{
    ApplyError, CREATED_BY_TAG, CREATED_BY_VALUE, Fetched, Inventory, ResourceRef, Snapshot,
    SnapshotPermissionChange,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn encryption_resource(region: &str) -> ResourceRef {
    ResourceRef::Ebs(EbsRef::Encryption {
        region: region.to_string(),
    })
}

/// `resource` and `region` of an op on a resource of the region in its
/// `region` field: encryption by default (whose undo sets it back as it
/// was), or the snapshot named by the field `$id`.
macro_rules! on_regional {
    (encryption) => {
        fn resource(&self) -> ResourceRef {
            encryption_resource(&self.region)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }

        fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
            encryption_inverse(before, &self.region)
        }
    };
    (snapshot $id:ident) => {
        fn resource(&self) -> ResourceRef {
            ResourceRef::Ebs(EbsRef::Snapshot {
                region: self.region.clone(),
                id: self.$id.clone(),
            })
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }
    };
}

/// Set encryption by default in `region` as the op does.
fn set_encryption(inv: &mut Inventory, region: &str, enabled: bool) -> Result<(), ApplyError> {
    let on = inv
        .ebs_encryption
        .region_mut("EBS encryption by default", region)?;
    *on = enabled;
    Ok(())
}

/// The setting as it was before: the op that puts it back.
fn encryption_inverse(before: &Inventory, region: &str) -> Option<Vec<Op>> {
    let was_on = *before.ebs_encryption.ready()?.ready(region)?;
    let region = region.to_string();
    Some(vec![if was_on {
        EnableEbsEncryptionByDefault { region }.into()
    } else {
        DisableEbsEncryptionByDefault { region }.into()
    }])
}

/// ec2:EnableEbsEncryptionByDefault in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableEbsEncryptionByDefault {
    pub region: String,
}

impl OpKind for EnableEbsEncryptionByDefault {
    const ACTION: &'static str = "ec2:EnableEbsEncryptionByDefault";

    on_regional!(encryption);

    fn describe(&self) -> String {
        format!("encrypt new EBS volumes by default in {}", self.region)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        set_encryption(inv, &self.region, true)
    }
}

/// ec2:DisableEbsEncryptionByDefault (undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableEbsEncryptionByDefault {
    pub region: String,
}

impl OpKind for DisableEbsEncryptionByDefault {
    const ACTION: &'static str = "ec2:DisableEbsEncryptionByDefault";

    on_regional!(encryption);

    fn describe(&self) -> String {
        format!(
            "stop encrypting new EBS volumes by default in {}",
            self.region
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        set_encryption(inv, &self.region, false)
    }
}

/// ec2:CreateSnapshot of a volume, tagged `Name = name` and
/// `moat:created-by = moat` in the same call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSnapshot {
    pub region: String,
    pub volume_id: String,
    pub name: String,
    pub description: String,
}

impl OpKind for CreateSnapshot {
    const ACTION: &'static str = "ec2:CreateSnapshot";

    on_regional!(snapshot name);

    fn describe(&self) -> String {
        format!(
            "snapshot volume {} in {} (snapshot {})",
            self.volume_id, self.region, self.name
        )
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (volume_id, name) = (&self.volume_id, &self.name);
        let r = inv.ebs.region_mut("EBS volumes", &self.region)?;
        let v = r
            .volume(volume_id)
            .ok_or_else(|| ApplyError::NoSuch(format!("volume {volume_id}")))?;
        let encrypted = v.encrypted;
        if r.snapshots.iter().any(|s| s.is_moat_named(name)) {
            return Err(ApplyError::Exists(format!("snapshot {name}")));
        }
        let mut tags = BTreeMap::new();
        tags.insert("Name".to_string(), name.clone());
        tags.insert(CREATED_BY_TAG.to_string(), CREATED_BY_VALUE.to_string());
        r.snapshots.push(Snapshot {
            // Named by its tag until AWS gives it an id (see `EbsRegion::snapshot`).
            id: name.clone(),
            volume_id: Some(volume_id.clone()),
            description: self.description.clone(),
            encrypted,
            state: "pending".into(),
            start_time: None,
            tags,
            public: Fetched::Ready(false),
        });
        Ok(())
    }

    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        Some(vec![
            DeleteSnapshot {
                region: self.region.clone(),
                volume_id: self.volume_id.clone(),
                name: self.name.clone(),
                // Known once AWS answers: the executor journals it.
                snapshot_id: None,
            }
            .into(),
        ])
    }
}

/// ec2:DeleteSnapshot of the snapshot of `volume_id` that moat created
/// with the `Name` tag `name` (undo of CreateSnapshot): exactly
/// `snapshot_id`, the id AWS gave it, once the journal knows it; found by
/// its tags in journals of earlier versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteSnapshot {
    pub region: String,
    pub volume_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

impl OpKind for DeleteSnapshot {
    const ACTION: &'static str = "ec2:DeleteSnapshot";

    on_regional!(snapshot name);

    fn describe(&self) -> String {
        let (region, volume_id, name) = (&self.region, &self.volume_id, &self.name);
        match &self.snapshot_id {
            Some(id) => format!("delete snapshot {id} ({name}) of volume {volume_id} in {region}"),
            None => format!("delete snapshot {name} of volume {volume_id} in {region}"),
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let (volume_id, name, snapshot_id) = (&self.volume_id, &self.name, &self.snapshot_id);
        let r = inv.ebs.region_mut("EBS volumes", &self.region)?;
        let before = r.snapshots.len();
        // By its id when the journal knows it (a snapshot the model
        // made is named by its tag until AWS gives it an id).
        r.snapshots.retain(|s| {
            let ours = s.is_moat_named(name) && s.volume_id.as_ref() == Some(volume_id);
            let this = match snapshot_id {
                Some(id) => s.id == *id || (ours && s.id == *name),
                None => ours,
            };
            !this
        });
        if r.snapshots.len() == before {
            return Err(ApplyError::NoSuch(format!(
                "snapshot {name} of {volume_id} made by moat"
            )));
        }
        Ok(())
    }

    /// A snapshot holds the volume's data as it was then: a new one would
    /// not be the same. moat only deletes to undo a CreateSnapshot.
    fn inverse(&self, _before: &Inventory) -> Option<Vec<Op>> {
        None
    }
}

/// ec2:ModifySnapshotAttribute createVolumePermission: add or remove the
/// group `all` (the Attribute/OperationType/GroupNames form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifySnapshotCreateVolumePermission {
    pub region: String,
    pub snapshot_id: String,
    pub change: SnapshotPermissionChange,
}

impl OpKind for ModifySnapshotCreateVolumePermission {
    const ACTION: &'static str = "ec2:ModifySnapshotAttribute";

    on_regional!(snapshot snapshot_id);

    fn describe(&self) -> String {
        let (region, snapshot_id) = (&self.region, &self.snapshot_id);
        match self.change {
            SnapshotPermissionChange::Remove => {
                format!("make snapshot {snapshot_id} in {region} private")
            }
            SnapshotPermissionChange::Add => {
                format!("make snapshot {snapshot_id} in {region} public again")
            }
        }
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let snapshot_id = &self.snapshot_id;
        let r = inv.ebs.region_mut("EBS volumes", &self.region)?;
        let i = r
            .snapshot_index(snapshot_id)
            .ok_or_else(|| ApplyError::NoSuch(format!("snapshot {snapshot_id}")))?;
        let s = &mut r.snapshots[i];
        if let Fetched::Error(e) = &s.public {
            return Err(ApplyError::Conflict(format!(
                "the permissions of snapshot {snapshot_id} could not be read ({})",
                e.summary()
            )));
        }
        s.public = Fetched::Ready(self.change == SnapshotPermissionChange::Add);
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        let r = before.ebs.ready()?.ready(&self.region)?;
        let was_public = *r.snapshot(&self.snapshot_id)?.public.ready()?;
        Some(vec![
            ModifySnapshotCreateVolumePermission {
                region: self.region.clone(),
                snapshot_id: self.snapshot_id.clone(),
                change: if was_public {
                    SnapshotPermissionChange::Add
                } else {
                    SnapshotPermissionChange::Remove
                },
            }
            .into(),
        ])
    }
}
