//! The typed account model. Every collector fills one [`Part`] of the
//! [`Inventory`]; checks read it; [`Inventory::apply`] predicts the effect of an
//! [`Op`](crate::plan::Op) so the preview is derived from the very ops that apply sends.

pub mod account;
mod apply;
pub mod document;

use serde::{Deserialize, Serialize};

pub use account::*;
pub use document::{ResourceRef, canonical_json};

/// One independently collected piece of the account. Items declare which parts
/// they need; until those have arrived the item is `loading`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartId {
    Identity,
    AccountSummary,
    Iam,
    CredentialReport,
    PasswordPolicy,
    AlternateContacts,
}

impl PartId {
    pub const ALL: &'static [PartId] = &[
        PartId::Identity,
        PartId::AccountSummary,
        PartId::Iam,
        PartId::CredentialReport,
        PartId::PasswordPolicy,
        PartId::AlternateContacts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PartId::Identity => "caller identity",
            PartId::AccountSummary => "account summary",
            PartId::Iam => "IAM users, groups, roles and policies",
            PartId::CredentialReport => "credential report",
            PartId::PasswordPolicy => "password policy",
            PartId::AlternateContacts => "alternate contacts",
        }
    }
}

/// A failed AWS call, a read (a part could not be collected) or a change (an
/// op was refused): the action, the service's error code, one line of message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartError {
    /// The IAM action that failed, e.g. `iam:GetAccountPasswordPolicy`.
    pub action: String,
    /// The service error code (`AccessDenied`, …) when there was one.
    pub code: Option<String>,
    pub message: String,
}

impl PartError {
    pub fn new(
        action: impl Into<String>,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        let message: String = message.into();
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        Self {
            action: action.into(),
            code,
            message,
        }
    }

    /// Whether the service answered with `code`.
    pub fn is_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "AccessDenied"
                    | "AccessDeniedException"
                    | "UnauthorizedOperation"
                    | "AllAccessDisabled"
            )
        )
    }

    /// One line for the UI: names the denied action when it was a permission problem.
    pub fn summary(&self) -> String {
        if self.is_access_denied() {
            format!("access denied: the credentials lack {}", self.action)
        } else {
            match &self.code {
                Some(code) => format!("{} failed: {code}: {}", self.action, self.message),
                None => format!("{} failed: {}", self.action, self.message),
            }
        }
    }
}

impl std::error::Error for PartError {}

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// The collection state of one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Part<T> {
    #[default]
    Loading,
    Ready(T),
    Error(PartError),
}

impl<T> Part<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Part::Ready(v) => Some(v),
            _ => None,
        }
    }
    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Part::Ready(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_loading(&self) -> bool {
        matches!(self, Part::Loading)
    }
    pub fn error(&self) -> Option<&PartError> {
        match self {
            Part::Error(e) => Some(e),
            _ => None,
        }
    }
}

/// The value a collector produces for one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "part", content = "value", rename_all = "snake_case")]
pub enum PartValue {
    Identity(Identity),
    AccountSummary(AccountSummary),
    Iam(Iam),
    CredentialReport(Vec<CredentialReportRow>),
    PasswordPolicy(Option<PasswordPolicy>),
    AlternateContacts(AlternateContacts),
}

impl PartValue {
    pub fn id(&self) -> PartId {
        match self {
            PartValue::Identity(_) => PartId::Identity,
            PartValue::AccountSummary(_) => PartId::AccountSummary,
            PartValue::Iam(_) => PartId::Iam,
            PartValue::CredentialReport(_) => PartId::CredentialReport,
            PartValue::PasswordPolicy(_) => PartId::PasswordPolicy,
            PartValue::AlternateContacts(_) => PartId::AlternateContacts,
        }
    }
}

/// Everything moat knows about the account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub identity: Part<Identity>,
    pub account_summary: Part<AccountSummary>,
    pub iam: Part<Iam>,
    pub credential_report: Part<Vec<CredentialReportRow>>,
    pub password_policy: Part<Option<PasswordPolicy>>,
    pub alternate_contacts: Part<AlternateContacts>,
}

/// Whether a part is loading, ready or failed, without its data.
#[derive(Debug, Clone, PartialEq)]
pub enum PartStatus<'a> {
    Loading,
    Ready,
    Error(&'a PartError),
}

fn status_of<T>(p: &Part<T>) -> PartStatus<'_> {
    match p {
        Part::Loading => PartStatus::Loading,
        Part::Ready(_) => PartStatus::Ready,
        Part::Error(e) => PartStatus::Error(e),
    }
}

impl Inventory {
    pub fn status(&self, id: PartId) -> PartStatus<'_> {
        match id {
            PartId::Identity => status_of(&self.identity),
            PartId::AccountSummary => status_of(&self.account_summary),
            PartId::Iam => status_of(&self.iam),
            PartId::CredentialReport => status_of(&self.credential_report),
            PartId::PasswordPolicy => status_of(&self.password_policy),
            PartId::AlternateContacts => status_of(&self.alternate_contacts),
        }
    }

    /// Store a collected part.
    pub fn set(&mut self, value: PartValue) {
        match value {
            PartValue::Identity(v) => self.identity = Part::Ready(v),
            PartValue::AccountSummary(v) => self.account_summary = Part::Ready(v),
            PartValue::Iam(v) => self.iam = Part::Ready(v),
            PartValue::CredentialReport(v) => self.credential_report = Part::Ready(v),
            PartValue::PasswordPolicy(v) => self.password_policy = Part::Ready(v),
            PartValue::AlternateContacts(v) => self.alternate_contacts = Part::Ready(v),
        }
    }

    /// Record that a part could not be collected.
    pub fn set_error(&mut self, id: PartId, err: PartError) {
        match id {
            PartId::Identity => self.identity = Part::Error(err),
            PartId::AccountSummary => self.account_summary = Part::Error(err),
            PartId::Iam => self.iam = Part::Error(err),
            PartId::CredentialReport => self.credential_report = Part::Error(err),
            PartId::PasswordPolicy => self.password_policy = Part::Error(err),
            PartId::AlternateContacts => self.alternate_contacts = Part::Error(err),
        }
    }

    /// The part's value, when ready (used by the demo backend to answer `collect`).
    pub fn get(&self, id: PartId) -> Option<PartValue> {
        Some(match id {
            PartId::Identity => PartValue::Identity(self.identity.ready()?.clone()),
            PartId::AccountSummary => {
                PartValue::AccountSummary(self.account_summary.ready()?.clone())
            }
            PartId::Iam => PartValue::Iam(self.iam.ready()?.clone()),
            PartId::CredentialReport => {
                PartValue::CredentialReport(self.credential_report.ready()?.clone())
            }
            PartId::PasswordPolicy => {
                PartValue::PasswordPolicy(self.password_policy.ready()?.clone())
            }
            PartId::AlternateContacts => {
                PartValue::AlternateContacts(self.alternate_contacts.ready()?.clone())
            }
        })
    }

    pub fn account_id(&self) -> Option<&str> {
        self.identity.ready().map(|i| i.account.as_str())
    }

    /// Parts done (ready or failed) out of all parts.
    pub fn progress(&self) -> (usize, usize) {
        let done = PartId::ALL
            .iter()
            .filter(|p| !matches!(self.status(**p), PartStatus::Loading))
            .count();
        (done, PartId::ALL.len())
    }
}
