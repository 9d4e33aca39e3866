"""IAM: roles AWS Control Tower sets up cannot be changed in an enrolled account.

AWS (AWS Control Tower Controls Reference, mandatory control
AWS-GR_IAM_ROLE_CHANGE_PROHIBITED, "Disallow changes to AWS IAM roles set up
by AWS Control Tower and AWS CloudFormation"): a service control policy
denies iam:AttachRolePolicy, iam:DetachRolePolicy, iam:PutRolePolicy,
iam:DeleteRolePolicy, iam:PutRolePermissionsBoundary,
iam:DeleteRolePermissionsBoundary, iam:UpdateAssumeRolePolicy,
iam:UpdateRole, iam:UpdateRoleDescription and iam:DeleteRole on the roles
`aws-controltower-*`, `*AWSControlTower*` and `stacksets-exec-*` to every
principal but Control Tower's own `AWSControlTowerExecution` role. IAM
answers such a request with `AccessDenied` (HTTP 403, "... with an explicit
deny in a service control policy").

moto 5.2.1 has no service control policies in IAM evaluation: any caller
changes those roles. This module refuses the calls as the SCP does. Control
Tower itself provisions these roles: in tests, a request signed with the
access key id `AKIACONTROLTOWER0000` stands for its execution role and is let
through, so a test can seed a role with its policies.
"""

import fnmatch

PATTERNS = ("aws-controltower-*", "*AWSControlTower*", "stacksets-exec-*")
SERVICE_KEY = "AKIACONTROLTOWER0000"
CALLS = (
    "attach_role_policy",
    "detach_role_policy",
    "put_role_policy",
    "delete_role_policy",
    "put_role_permissions_boundary",
    "delete_role_permissions_boundary",
    "update_assume_role_policy",
    "update_role",
    "update_role_description",
    "delete_role",
)


def patch():
    from moto.iam.exceptions import IAMException
    from moto.iam.responses import IamResponse

    class AccessDenied(IAMException):
        code = "AccessDenied"

    def protected(role_name):
        return any(fnmatch.fnmatchcase(role_name, p) for p in PATTERNS)

    def is_service(self):
        try:
            return self.get_access_key() == SERVICE_KEY
        except Exception:  # unsigned or unparsable: not the service
            return False

    def wrap(name):
        original = getattr(IamResponse, name)

        def call(self, *args, **kwargs):
            role_name = self._get_param("RoleName")
            if role_name and protected(role_name) and not is_service(self):
                raise AccessDenied(
                    f"User is not authorized to perform: iam:{self._get_action()} on "
                    f"resource: role {role_name} with an explicit deny in a service "
                    "control policy"
                )
            return original(self, *args, **kwargs)

        setattr(IamResponse, name, call)

    for name in CALLS:
        if hasattr(IamResponse, name):
            wrap(name)
