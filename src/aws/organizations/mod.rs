//! AWS Organizations: the accounts of the caller's organization (`--org`).

pub(crate) mod sdk;

/// One account of the organization, as organizations:ListAccounts lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    /// The 12-digit id.
    pub id: String,
    /// The account's name (for the report and the account list).
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `PENDING_ACTIVATION`,
    /// `CLOSED`: AWS's `State` (its older `Status` when `State` is absent).
    pub state: String,
}

impl OrgAccount {
    /// Whether moat can work in it: only `ACTIVE` accounts answer.
    pub fn is_active(&self) -> bool {
        self.state == "ACTIVE"
    }
}

/// The organization as its management account (or a delegated
/// administrator) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// The management account's id.
    pub management_account: String,
    /// Every account, in the order AWS lists them.
    pub accounts: Vec<OrgAccount>,
}
