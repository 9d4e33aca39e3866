//! Account Management's mutating calls, one type each (see [`OpKind`]).

use crate::aws::inventory::{
    AlternateContacts, ApplyError, Contact, ContactType, Inventory, ResourceRef,
};
use crate::aws::op::{Op, OpKind};
use serde::{Deserialize, Serialize};

/// The alternate contact of this type as it was (`None`: there was none), or
/// `None` when the contacts were not read.
fn contact_before(before: &Inventory, contact_type: ContactType) -> Option<Vec<Op>> {
    Some(
        match before
            .alternate_contacts
            .ready()?
            .contacts
            .get(&contact_type)
        {
            Some(prev) => vec![
                PutAlternateContact {
                    contact_type,
                    contact: prev.clone(),
                }
                .into(),
            ],
            None => vec![DeleteAlternateContact { contact_type }.into()],
        },
    )
}

fn contacts_mut(inv: &mut Inventory) -> Result<&mut AlternateContacts, ApplyError> {
    inv.alternate_contacts
        .ready_mut()
        .ok_or(ApplyError::NotReady("alternate contacts"))
}

/// `set the security alternate contact`, for a description.
fn contact_text(verb: &str, contact_type: ContactType) -> String {
    format!(
        "{verb} the {} alternate contact",
        contact_type.as_str().to_lowercase()
    )
}

/// account:PutAlternateContact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutAlternateContact {
    pub contact_type: ContactType,
    pub contact: Contact,
}

impl OpKind for PutAlternateContact {
    const ACTION: &'static str = "account:PutAlternateContact";

    fn resource(&self) -> ResourceRef {
        ResourceRef::AlternateContact(self.contact_type)
    }

    fn describe(&self) -> String {
        contact_text("set", self.contact_type)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let c = contacts_mut(inv)?;
        c.contacts.insert(self.contact_type, self.contact.clone());
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        contact_before(before, self.contact_type)
    }
}

/// account:DeleteAlternateContact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteAlternateContact {
    pub contact_type: ContactType,
}

impl OpKind for DeleteAlternateContact {
    const ACTION: &'static str = "account:DeleteAlternateContact";

    fn resource(&self) -> ResourceRef {
        ResourceRef::AlternateContact(self.contact_type)
    }

    fn describe(&self) -> String {
        contact_text("remove", self.contact_type)
    }

    fn predict(&self, inv: &mut Inventory) -> Result<(), ApplyError> {
        let c = contacts_mut(inv)?;
        if c.contacts.remove(&self.contact_type).is_none() {
            return Err(ApplyError::NoSuch(format!(
                "{} alternate contact",
                self.contact_type.as_str()
            )));
        }
        Ok(())
    }

    fn inverse(&self, before: &Inventory) -> Option<Vec<Op>> {
        contact_before(before, self.contact_type)
    }
}
