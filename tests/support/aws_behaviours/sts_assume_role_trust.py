"""STS: AssumeRole needs the role to exist and its trust policy to allow the caller.

AWS (STS API Reference, AssumeRole; IAM User Guide, "Cross account resource
access in IAM" and "How to use an external ID when granting access to your
AWS resources to a third party"): the role named by `RoleArn` must exist in
its account, and its trust policy (the role's AssumeRolePolicyDocument) must
allow `sts:AssumeRole` to the caller: a statement with `Effect: Allow`, an
action matching `sts:AssumeRole`, and a `Principal` `AWS` naming the
caller's account (`123456789012` or `arn:aws:iam::123456789012:root`), the
caller's ARN (for a role session, the role's ARN), or `*`. A `Deny` statement that matches wins. When the
allowing statement has a condition on `sts:ExternalId`, the request's
`ExternalId` must match it. Otherwise STS answers HTTP 403 `AccessDenied`,
"User: <caller ARN> is not authorized to perform: sts:AssumeRole on
resource: <role ARN>" -- the same answer for a missing role, a trust policy
that does not name the caller and a wrong external id.

moto 5.2.1 grants any AssumeRole, for roles that do not exist too. This
module refuses as STS does. It evaluates the trust policy only as far as the
tests need: conditions other than `StringEquals`/`StringLike` on
`sts:ExternalId` make a statement not apply (AWS would evaluate them; the
tests use none), and the caller's own identity policies are not checked
(moto does not enforce them).
"""

import fnmatch
import json
import re
from urllib.parse import unquote

ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(.+)$")


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _action_matches(actions):
    return any(fnmatch.fnmatchcase("sts:assumerole", a.lower()) for a in _list(actions))


def _caller_names(caller_account, caller_arn, partition):
    """The principals that name the caller: its account, its ARN, and for a
    role session (`arn:aws:sts::1:assumed-role/NAME/SESSION`) the role's ARN."""
    names = {"*", caller_account, f"arn:{partition}:iam::{caller_account}:root", caller_arn}
    m = re.match(r"^arn:[^:]+:sts::(\d{12}):assumed-role/([^/]+)/", caller_arn)
    if m:
        names.add(f"arn:{partition}:iam::{m.group(1)}:role/{m.group(2)}")
    return names


def _principal_matches(principal, caller_account, caller_arn, partition):
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = _caller_names(caller_account, caller_arn, partition)
    for p in _list(principal.get("AWS")):
        # A role named with its path matches the session of that role.
        if p in names or re.sub(r":role/.*/", ":role/", p) in names:
            return True
    return False


def _condition_holds(condition, external_id):
    if not condition:
        return True
    for operator, pairs in condition.items():
        if operator not in ("StringEquals", "StringLike") or not isinstance(pairs, dict):
            return False
        for key, wanted in pairs.items():
            if key.lower() != "sts:externalid" or external_id is None:
                return False
            if operator == "StringEquals" and external_id not in _list(wanted):
                return False
            if operator == "StringLike" and not any(
                fnmatch.fnmatchcase(external_id, w) for w in _list(wanted)
            ):
                return False
    return True


def trusts(document, caller_account, caller_arn, partition, external_id):
    """Whether the trust policy `document` lets the caller assume the role."""
    policy = document
    if isinstance(document, str):
        try:
            policy = json.loads(document)
        except ValueError:
            try:
                policy = json.loads(unquote(document))
            except ValueError:
                return False
    allowed = False
    for st in _list(policy.get("Statement")):
        if not isinstance(st, dict) or not _action_matches(st.get("Action")):
            continue
        if not _principal_matches(st.get("Principal"), caller_account, caller_arn, partition):
            continue
        applies = _condition_holds(st.get("Condition"), external_id)
        if st.get("Effect") == "Deny" and applies:
            return False
        if st.get("Effect") == "Allow" and applies:
            allowed = True
    return allowed


def patch():
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import sts_backends
    from moto.sts.responses import TokenResponse

    class AccessDenied(STSClientError):
        # STS's model has no AccessDenied shape, so moto answers HTTP 400
        # (AWS: 403); the SDK goes by the code, which is AWS's.
        code = "AccessDenied"

    original = TokenResponse.assume_role

    def assume_role(self):
        role_arn = self._get_param("RoleArn") or ""
        external_id = self._get_param("ExternalId")
        caller_account = self.current_account
        _, caller_arn, _ = sts_backends[caller_account][self.partition].get_caller_identity(
            self.get_access_key(), self.region
        )
        denied = AccessDenied(
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}"
        )
        m = ROLE_ARN.match(role_arn)
        if not m:
            raise denied
        partition, account, path_and_name = m.groups()
        name = path_and_name.rsplit("/", 1)[-1]
        iam = iam_backends[account][partition]
        role = next((r for r in iam.roles.values() if r.name == name), None)
        if role is None:
            raise denied
        path = "/" + path_and_name[: -len(name)] if "/" in path_and_name else "/"
        if (role.path or "/") != path:
            raise denied
        if not trusts(role.assume_role_policy_document, caller_account, caller_arn, partition, external_id):
            raise denied
        return original(self)

    TokenResponse.assume_role = assume_role
