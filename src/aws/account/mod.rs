//! AWS Account Management: the account's alternate contacts.

pub mod ops;
pub(crate) mod sdk;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContactType {
    Billing,
    Operations,
    Security,
}

impl ContactType {
    pub const ALL: [ContactType; 3] = [
        ContactType::Billing,
        ContactType::Operations,
        ContactType::Security,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Billing => "BILLING",
            ContactType::Operations => "OPERATIONS",
            ContactType::Security => "SECURITY",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

/// The account's alternate contacts; a missing key means "not set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AlternateContacts {
    pub contacts: BTreeMap<ContactType, Contact>,
}
