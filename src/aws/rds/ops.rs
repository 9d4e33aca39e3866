//! The mutating calls of this service, one type each (see [`crate::plan::OpKind`]).
