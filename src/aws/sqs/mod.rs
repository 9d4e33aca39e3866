//! Amazon SQS: the queues SNS topics deliver to.

pub mod ops;
pub(crate) mod sdk;
