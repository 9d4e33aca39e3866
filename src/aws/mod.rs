//! The account as AWS describes it, one folder per service: each holds the
//! service's mutating calls (its `ops`, one type per call) and the SDK code
//! that reads and writes it (`sdk`).
//!
//! Names come from AWS: the folder is the service's SDK crate name, an op type
//! is the API action it sends.

pub mod account;
pub mod client;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod ebs;
pub mod ec2;
pub mod elb;
pub mod guardduty;
pub mod iam;
pub mod inspector;
pub mod inventory;
pub mod kms;
pub mod logs;
pub mod op;
pub mod organizations;
pub mod rds;
pub mod route53;
pub mod s3;
pub mod sns;
pub mod sqs;
pub mod sts;
pub mod vpc;
pub mod waf;

/// Every op type, by its API action name (`ops::CreateUser`).
pub mod ops {
    pub use super::account::ops::*;
    pub use super::cloudfront::ops::*;
    pub use super::cloudtrail::ops::*;
    pub use super::cloudwatch::ops::*;
    pub use super::ebs::ops::*;
    pub use super::ec2::ops::*;
    pub use super::elb::ops::*;
    pub use super::guardduty::ops::*;
    pub use super::iam::ops::*;
    pub use super::inspector::ops::*;
    pub use super::kms::ops::*;
    pub use super::logs::ops::*;
    pub use super::rds::ops::*;
    pub use super::route53::ops::*;
    pub use super::s3::ops::*;
    pub use super::sns::ops::*;
    pub use super::vpc::ops::*;
}
