//! Amazon SQS: the queues SNS topics deliver to.

pub mod queue;
pub(crate) mod read;
pub(crate) mod sdk;
