"""IAM: roles that IAM Identity Center created cannot be modified.

AWS (IAM Identity Center User Guide, "Referencing permission sets in
resource policies, Amazon EKS, and AWS KMS" and "IAM roles created by IAM
Identity Center": the roles live under the path
`/aws-reserved/sso.amazonaws.com/` (optionally followed by a Region), are
named `AWSReservedSSO_<permission set>_<suffix>`, and cannot be modified in
IAM; change the permission set instead. IAM API Reference: such calls fail
with `UnmodifiableEntity`, HTTP 400): AttachRolePolicy, DetachRolePolicy,
PutRolePolicy, DeleteRolePolicy, UpdateAssumeRolePolicy,
PutRolePermissionsBoundary, DeleteRolePermissionsBoundary and DeleteRole
are refused on those roles.

moto 5.2.1 lets any caller change them. This module refuses the calls as
IAM does. Identity Center itself provisions these roles: in tests, a request
signed with the access key id `AKIAIDENTITYCENTER00` stands for the
service and is let through, so a test can seed a role with its policies.
"""

PATH = "/aws-reserved/sso.amazonaws.com/"
SERVICE_KEY = "AKIAIDENTITYCENTER00"
CALLS = (
    "attach_role_policy",
    "detach_role_policy",
    "put_role_policy",
    "delete_role_policy",
    "update_assume_role_policy",
    "put_role_permissions_boundary",
    "delete_role_permissions_boundary",
    "delete_role",
)


def patch():
    from moto.iam.exceptions import IAMException, NotFoundException
    from moto.iam.responses import IamResponse

    class UnmodifiableEntity(IAMException):
        code = "UnmodifiableEntity"

    def reserved(self, role_name):
        try:
            role = self.backend.get_role(role_name)
        except NotFoundException:
            return False
        return (getattr(role, "path", "") or "").startswith(PATH)

    def is_service(self):
        try:
            return self.get_access_key() == SERVICE_KEY
        except Exception:  # unsigned or unparsable: not the service
            return False

    def wrap(name):
        original = getattr(IamResponse, name)

        def call(self, *args, **kwargs):
            role_name = self._get_param("RoleName")
            if role_name and reserved(self, role_name) and not is_service(self):
                raise UnmodifiableEntity(
                    f"Cannot perform the operation on the protected role '{role_name}' "
                    "- this role is only modifiable by AWS"
                )
            return original(self, *args, **kwargs)

        setattr(IamResponse, name, call)

    for name in CALLS:
        wrap(name)
