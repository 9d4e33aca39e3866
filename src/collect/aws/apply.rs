//! One SDK call per [`Op`].

use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::plan::Op;

/// Generates [`AwsBackend::apply_op`] from the op registry.
macro_rules! send_op {
    ({}; $( $variant:ident($ty:ty), )*) => {
        impl AwsBackend {
            /// Send `op`: its SDK request, under the backend's bound and retries.
            /// Each op's future is boxed: an SDK request's future is large, and
            /// the enum of every op's future would be as large as the largest.
            pub(super) async fn apply_op(&self, op: &Op) -> Result<Outcome, CallError> {
                match op {
                    $( Op::$variant(o) => Box::pin(o.send(self)).await, )*
                }
            }
        }
    };
}
crate::aws::op::for_each_op!(send_op, {});
