//! The SDK requests of this service's ops.
