//! [`Fetched`]: one setting of a resource read by a request of its own, so it
//! can fail on its own without hiding the resource's other settings.

use super::PartError;
use serde::{Deserialize, Serialize};

/// One per-resource setting: read, or the call that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Fetched<T> {
    Ready(T),
    Error(PartError),
}

impl<T> Fetched<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Fetched::Ready(v) => Some(v),
            Fetched::Error(_) => None,
        }
    }
    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Fetched::Ready(v) => Some(v),
            Fetched::Error(_) => None,
        }
    }
    pub fn error(&self) -> Option<&PartError> {
        match self {
            Fetched::Ready(_) => None,
            Fetched::Error(e) => Some(e),
        }
    }
}

impl<T> From<Result<T, PartError>> for Fetched<T> {
    fn from(r: Result<T, PartError>) -> Self {
        match r {
            Ok(v) => Fetched::Ready(v),
            Err(e) => Fetched::Error(e),
        }
    }
}
