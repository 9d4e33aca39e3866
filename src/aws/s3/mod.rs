//! Amazon S3: buckets and their settings, and the account's public access block (S3 Control).

pub mod ops;
pub(crate) mod sdk;

pub mod lifecycle;
