//! Small shared helpers every layer may use; they import nothing of moat.

pub mod cidr;
pub mod json;
pub mod text;
