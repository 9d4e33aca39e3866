//! Small shared helpers every layer may use; they import nothing of moat.

pub mod json;
pub mod text;
