"""IAM: attachments and group memberships beyond the account's quotas fail.

AWS (IAM User Guide, "IAM and AWS STS quotas"): by default at most 10
managed policies can be attached to an IAM user, role or group (the user and
role quotas can be raised to 20), and a user can be a member of at most 10
groups. GetAccountSummary reports them as AttachedPoliciesPerUserQuota,
AttachedPoliciesPerRoleQuota, AttachedPoliciesPerGroupQuota and
GroupsPerUserQuota. IAM API Reference (AttachUserPolicy, AttachRolePolicy,
AttachGroupPolicy, AddUserToGroup): a request that would exceed one fails
with `LimitExceeded` (HTTP 409), "Cannot exceed quota for PoliciesPerRole:
10" and the like, and changes nothing. Attaching a policy that is already
attached is not a new attachment.

moto 5.2.1 reports the quotas in GetAccountSummary (10 each) but never
enforces them: an eleventh policy or group is accepted. This module refuses
such requests as IAM does, with the quotas moto reports.
"""


def patch():
    from moto.iam.exceptions import LimitExceededException
    from moto.iam.models import IAMBackend

    def check(owner, arn, quota, name):
        if arn in owner.managed_policies:
            return
        if len(owner.managed_policies) >= quota:
            raise LimitExceededException(f"Cannot exceed quota for {name}: {quota}")

    attach_user = IAMBackend.attach_user_policy
    attach_role = IAMBackend.attach_role_policy
    attach_group = IAMBackend.attach_group_policy
    add_to_group = IAMBackend.add_user_to_group

    def attach_user_policy(self, policy_arn, user_name):
        check(
            self.get_user(user_name),
            policy_arn,
            self.account_summary._attached_policies_per_user_quota,
            "PoliciesPerUser",
        )
        return attach_user(self, policy_arn, user_name)

    def attach_role_policy(self, policy_arn, role_name):
        check(
            self.get_role(role_name),
            policy_arn,
            self.account_summary._attached_policies_per_role_quota,
            "PoliciesPerRole",
        )
        return attach_role(self, policy_arn, role_name)

    def attach_group_policy(self, policy_arn, group_name):
        check(
            self.get_group(group_name),
            policy_arn,
            self.account_summary._attached_policies_per_group_quota,
            "PoliciesPerGroup",
        )
        return attach_group(self, policy_arn, group_name)

    def add_user_to_group(self, group_name, user_name):
        user = self.get_user(user_name)
        group = self.get_group(group_name)
        if user not in group.users:
            groups = [g for g in self.groups.values() if user in g.users]
            quota = self.account_summary._groups_per_user_quota
            if len(groups) >= quota:
                raise LimitExceededException(
                    f"Cannot exceed quota for GroupsPerUser: {quota}"
                )
        return add_to_group(self, group_name, user_name)

    IAMBackend.attach_user_policy = attach_user_policy
    IAMBackend.attach_role_policy = attach_role_policy
    IAMBackend.attach_group_policy = attach_group_policy
    IAMBackend.add_user_to_group = add_user_to_group
