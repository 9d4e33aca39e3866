//! Account: the alternate contacts.

use moat::aws::inventory::{Contact, ContactType, Inventory, ResourceRef};
use moat::aws::ops;
use moat::plan::Op;
use std::collections::BTreeSet;

pub fn contact(name: &str) -> Contact {
    Contact {
        name: name.into(),
        title: "Security lead".into(),
        email: "security@example.com".into(),
        phone: "+1 206 555 0100".into(),
    }
}

/// One op of every Account op type, in the order of [`sample_index`].
pub fn samples() -> Vec<Op> {
    vec![
        Op::PutAlternateContact(ops::PutAlternateContact {
            contact_type: ContactType::Security,
            contact: contact("c"),
        }),
        Op::DeleteAlternateContact(ops::DeleteAlternateContact {
            contact_type: ContactType::Security,
        }),
    ]
}

/// The position of an Account op's type in [`samples`].
pub fn sample_index(op: &Op) -> usize {
    match op {
        Op::PutAlternateContact(_) => 0,
        Op::DeleteAlternateContact(_) => 1,
        other => unreachable!("not an Account op: {other:?}"),
    }
}

/// A deleted contact is put back from what the journal keeps.
pub const IRREVERSIBLE: &[(&str, &str)] = &[];

/// "bare-account": no alternate contacts.
pub fn seed(scenario: &str, inv: &mut Inventory) {
    if scenario == "bare-account"
        && let Some(c) = inv.alternate_contacts.ready_mut()
    {
        c.contacts.clear();
    }
}

pub fn resources(_inv: &Inventory, out: &mut BTreeSet<ResourceRef>) {
    for t in ContactType::ALL {
        out.insert(ResourceRef::AlternateContact(t));
    }
}

pub fn drift(inv: &mut Inventory, t: &ContactType) {
    let c = inv.alternate_contacts.ready_mut().expect("contacts");
    match c.contacts.get_mut(t) {
        Some(c) => c.name.push_str(" (drift)"),
        None => {
            c.contacts.insert(*t, contact("Someone Else"));
        }
    }
}
