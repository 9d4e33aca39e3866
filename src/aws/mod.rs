//! The account as AWS describes it, one folder per service: each holds the
//! service's mutating calls (its `ops`, one type per call) and the SDK code
//! that reads and writes it (`sdk`).
//!
//! Names come from AWS: the folder is the service's SDK crate name, an op type
//! is the API action it sends.

pub mod iam;

/// Every op type, by its API action name (`ops::CreateUser`).
pub mod ops {
    pub use super::iam::ops::*;
}
