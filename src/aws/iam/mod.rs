//! AWS Identity and Access Management: users, groups, roles, policies and
//! access keys.

pub mod ops;
pub(crate) mod sdk;

#[cfg(test)]
mod tests {
    use super::ops::{AttachGroupPolicy, DeletePasswordPolicy};
    use crate::plan::Op;

    /// Plans and journals name an op by its `"op"` tag, fields in order; a
    /// unit op is the tag alone.
    #[test]
    fn ops_keep_their_json() {
        let cases = [
            (
                Op::from(DeletePasswordPolicy),
                r#"{"op":"delete_password_policy"}"#,
            ),
            (
                Op::from(AttachGroupPolicy {
                    group: "g".into(),
                    policy_arn: "arn:aws:iam::aws:policy/P".into(),
                }),
                r#"{"op":"attach_group_policy","group":"g","policy_arn":"arn:aws:iam::aws:policy/P"}"#,
            ),
        ];
        for (op, json) in cases {
            assert_eq!(serde_json::to_string(&op).expect("serializes"), json);
            assert_eq!(serde_json::from_str::<Op>(json).expect("parses"), op);
        }
    }
}
