"""IAM and STS: centralized root access for member accounts of an organization.

What AWS does:
- The features (IAM User Guide, "Centrally manage root access for member
  accounts", "Centralize root access for member accounts"; IAM API
  Reference, ListOrganizationsFeatures, EnableOrganizationsRootCredentials-
  Management, EnableOrganizationsRootSessions, DisableOrganizationsRoot-
  CredentialsManagement, DisableOrganizationsRootSessions): an organization
  turns on `RootCredentialsManagement` and `RootSessions`; every call
  answers `OrganizationId` and `EnabledFeatures`. Errors (HTTP 400, codes as
  the service model names them; the API Reference prints them without
  "Exception"): OrganizationNotFoundException (no organization),
  OrganizationNotInAllFeaturesModeException, ServiceAccessNotEnabledException
  (trusted access for IAM, organizations:EnableAWSServiceAccess
  `iam.amazonaws.com`, is off), AccountNotManagementOrDelegatedAdministrator-
  Exception (all five calls) and CallerIsNotManagementAccountException (the
  Enable calls only). Their order is not documented: here in that order, so
  a member account that is not the delegated administrator for IAM gets
  AccountNotManagementOrDelegatedAdministratorException from all five, the
  delegated administrator CallerIsNotManagementAccountException from the
  Enable calls, and may make the Disable calls (which list no
  CallerIsNotManagementAccount). Organizations User Guide, "AWS Identity and
  Access Management and AWS Organizations": IAM takes trusted access and a
  delegated administrator (service principal `iam.amazonaws.com`).
- sts:AssumeRoot (STS API Reference, AssumeRoot; IAM User Guide, "Perform a
  privileged task on an AWS Organizations member account"): the management
  account or the delegated administrator for IAM gets short-term
  credentials of a member account's root user (`TargetPrincipal`: account
  id or `arn:PARTITION:iam::ACCOUNT:root`), scoped by `TaskPolicyArn`
  `{arn}`, one of `arn:PARTITION:iam::aws:policy/root-task/`
  IAMAuditRootUserCredentials, IAMCreateRootUserPassword,
  IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy,
  for `DurationSeconds` 0..900, default 900 ("If you specify a value higher
  than this setting, the operation fails"). It answers `Credentials`
  (AccessKeyId, SecretAccessKey, SessionToken, Expiration); `SourceIdentity`
  only echoes one the caller's own session carries (never here). The API
  Reference lists no error for the refusals; chosen: HTTP 403 `AccessDenied`
  "User: CALLER_ARN is not authorized to perform: sts:AssumeRoot on
  resource: arn:PARTITION:iam::TARGET:root because REASON" (STS's other
  authorization failures' shape) when the caller's account is in no
  organization, is neither the management account nor the delegated
  administrator for IAM, when trusted access for IAM or `RootSessions` is
  off -- for the three IAM task policies `RootCredentialsManagement` too
  (once on, "the management account and the delegated administrator for
  IAM can manage root user credentials"; that the sessions need it is this
  module's reading) -- when the target is the management account or not an
  ACTIVE account of the caller's organization, and from a root session. A
  malformed TargetPrincipal, a duration outside 0..900 or a task policy
  that is not one of the five in the caller's partition: HTTP 400
  `ValidationError` (chosen, STS common errors).
- In the session (IAM User Guide, "Track privileged tasks in AWS
  CloudTrail"): the caller is the member's root user; GetCallerIdentity
  answers UserId ACCOUNT, Account ACCOUNT, Arn `arn:PARTITION:iam::ACCOUNT:root`
  (a root user's identity; the AssumeRoot pages show no example). The task
  policy is a session policy (the AWS managed policy documents, v1 of
  2024-11-06, as moto's aws_managed_policies.py copies them: "Deny NotAction
  [its actions] on *" and "Deny [its iam actions] NotResource
  arn:aws:iam::*:root"). Its actions -- IAMAuditRootUserCredentials: GetUser,
  GetLoginProfile, ListAccessKeys, ListSigningCertificates, ListMFADevices,
  GetAccessKeyLastUsed, GetAccountSummary; IAMCreateRootUserPassword:
  CreateLoginProfile, GetLoginProfile (no GetUser); IAMDeleteRootUserCredentials:
  the audit's without GetAccountSummary, and DeleteLoginProfile,
  DeleteAccessKey, DeleteSigningCertificate, DeactivateMFADevice,
  DeleteVirtualMFADevice; S3UnlockBucketPolicy / SQSUnlockQueuePolicy: no
  IAM action. Any other IAM or STS action (GetCallerIdentity is always
  allowed), or one on an IAM user (`UserName`, a user's key): HTTP 403
  `AccessDenied` "User: arn:PARTITION:iam::ACCOUNT:root is not authorized to
  perform: iam:ACTION on resource: RESOURCE with an explicit deny in a
  session policy" (IAM User Guide, "Access denied error messages"). Without
  `UserName` the calls act on the root user (IAM API Reference,
  Get/Create/DeleteLoginProfile, DeactivateMFADevice: "When you make this
  request with root user credentials, you must use an AssumeRoot session
  to omit the user name"; CreateLoginProfile's Password "must be omitted"
  there -- given, 400 ValidationError, chosen). Missing login profile, key,
  certificate or MFA device: 404 `NoSuchEntity`; a second login profile: 409
  `EntityAlreadyExists`; deleting a virtual MFA device still assigned: 409
  `DeleteConflict`; an expired session: 403 `ExpiredToken`. The root user's
  entries name no `UserName` (not documented for root; chosen); GetUser
  answers UserId, Arn, CreateDate and PasswordLastUsed.
- GetAccountSummary (IAM API Reference): AccountAccessKeysPresent,
  AccountMFAEnabled and AccountSigningCertificatesPresent are 1 when the
  root user has one. The credential report (IAM User Guide, "Generate
  credential reports for your AWS account") has a first row
  `<root_account>`, arn `...:root`, password_enabled and
  password_last_changed `not_supported`.

What moto 5.2.1 does instead: no AssumeRoot and none of the five IAM calls
(not implemented); organizations refuses `iam.amazonaws.com` for trusted
access and as a delegated administrator; no root user (no credentials,
GetAccountSummary's root fields always 0, no `<root_account>` row).

Here: the features are kept per organization id; AssumeRoot makes a
temporary key in the member's IAM and remembers its task policy and
expiry, and requests signed with it are the member's (over an
`x-moto-account-id` header too); the member's root credentials are kept by
this module and set only by this test hook (AWS has no API to add them):

    POST /moat-test/root-credentials        (any Host; JSON body)
      {"account": "222222222222",               required, 12 digits
       "login_profile": true,                   optional, default false
       "password_last_used": "2024-05-01T10:11:12Z",           optional
       "access_keys": [{"id": "AKIA...", "status": "Active"}],  <= 2, ids of 16-128
       "signing_certificates": [{"id": "...", "status": "Inactive"}],  <= 2, ids of 24-128
       "mfa_devices": ["arn:aws:iam::222222222222:mfa/root-account-mfa-device",
                       "GAHT12345678"]}      virtual (ARN) or hardware serials
      (ids of letters, digits, "_"; "status" defaults to "Active")
      replaces that account's root credentials and answers 200 with them
      as GET does; a malformed body: 400 {"error": "..."}; another method:
      405.
    GET /moat-test/root-credentials?account=222222222222
      200 {"account": "222222222222", "login_profile": false,
           "password_last_used": null, "access_keys": [{"id", "status"}],
           "signing_certificates": [{"id", "status"}], "mfa_devices": [...]}
      (all empty when never seeded).

GetAccountSummary's root fields and the `<root_account>` row are this
store's for an account seeded or opened by a root session; other accounts
keep moto's answers. Not taught: S3, SQS and every other service in a root
session (moto serves them unscoped and as the member), the STS global
endpoint refusal, SCPs, the root user's own (seeded) keys signing requests
and their last use, GetCallerIdentity refusing an expired session.
"""

import datetime
import json
import re
import threading
from urllib.parse import parse_qs

HOOK_PATH = "/moat-test/root-credentials"
IAM_PRINCIPAL = "iam.amazonaws.com"
MAX_DURATION = 900

_AUDIT = {
    "GetUser", "GetLoginProfile", "ListAccessKeys", "ListSigningCertificates",
    "ListMFADevices", "GetAccessKeyLastUsed",
}
# Task policy -> (IAM actions it leaves allowed, and of those the ones not
# bound to the root user resource).
TASKS = {
    "IAMAuditRootUserCredentials": (_AUDIT | {"GetAccountSummary"}, {"GetAccountSummary"}),
    "IAMCreateRootUserPassword": ({"CreateLoginProfile", "GetLoginProfile"}, set()),
    "IAMDeleteRootUserCredentials": (
        _AUDIT | {"DeleteLoginProfile", "DeleteAccessKey", "DeleteSigningCertificate",
                  "DeactivateMFADevice", "DeleteVirtualMFADevice"},
        set(),
    ),
    "S3UnlockBucketPolicy": (set(), set()),
    "SQSUnlockQueuePolicy": (set(), set()),
}
CREDENTIAL_TASKS = {"IAMAuditRootUserCredentials", "IAMCreateRootUserPassword",
                    "IAMDeleteRootUserCredentials"}
FEATURES = ("RootCredentialsManagement", "RootSessions")
# The calls that name a user (none: the caller, here the root user).
USER_SCOPED = {
    "GetUser", "GetLoginProfile", "CreateLoginProfile", "DeleteLoginProfile", "ListAccessKeys",
    "DeleteAccessKey", "ListSigningCertificates", "DeleteSigningCertificate", "ListMFADevices",
    "DeactivateMFADevice",
}
CERTIFICATE_BODY = "-----BEGIN CERTIFICATE-----\nMOAT\n-----END CERTIFICATE-----\n"

_lock = threading.Lock()
_features = {}  # organization id -> set of FEATURES
_sessions = {}  # temporary access key id -> session dict
_roots = {}  # account id -> root credentials dict


def _now():
    from moto.core.utils import utcnow

    return utcnow()


def _fmt(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _org_backend(account, partition):
    """The organizations backend of the management account of `account`'s
    organization, or None."""
    from moto.organizations.models import organizations_backends

    own = organizations_backends[account][partition]
    if own.org is not None:
        return own
    owner = organizations_backends.master_accounts.get(account)
    if owner:
        mgmt = organizations_backends[owner[0]][owner[1]]
        if mgmt.org is not None:
            return mgmt
    return None


def _is_delegated_admin(mgmt, account):
    return any(a.account.id == account and IAM_PRINCIPAL in a.services for a in mgmt.admins)


def _trusted(mgmt):
    return any(s.get("ServicePrincipal") == IAM_PRINCIPAL for s in mgmt.services)


def _enabled(mgmt):
    return [f for f in FEATURES if f in _features.get(mgmt.org.id, set())]


def _root(account):
    return _roots.get(account) or {
        "login_profile": None, "password_last_used": None, "access_keys": [],
        "signing_certificates": [], "mfa_devices": [], "detached_mfa": [],
        "created": _now(),
    }


def _store_doc(account):
    r = _root(account)
    plu = r["password_last_used"]
    return {
        "account": account,
        "login_profile": r["login_profile"] is not None,
        "password_last_used": _fmt(plu).replace("+00:00", "Z") if plu else None,
        "access_keys": [{"id": k["id"], "status": k["status"]} for k in r["access_keys"]],
        "signing_certificates": [
            {"id": c["id"], "status": c["status"]} for c in r["signing_certificates"]
        ],
        "mfa_devices": [d["serial"] for d in r["mfa_devices"]],
    }


def _seed(doc):
    """Replace an account's root credentials from the hook's JSON body."""
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    account = doc.get("account")
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        raise ValueError("account must be a 12-digit account id")
    now = _now()

    def creds(name, id_pattern):
        items = doc.get(name) or []
        if not isinstance(items, list) or len(items) > 2:
            raise ValueError(f"{name} must be a list of at most 2")
        out = []
        for item in items:
            if not isinstance(item, dict) or not re.fullmatch(id_pattern, str(item.get("id", ""))):
                raise ValueError(f"{name}: each needs an id matching {id_pattern}")
            status = item.get("status", "Active")
            if status not in ("Active", "Inactive"):
                raise ValueError(f"{name}: status must be Active or Inactive")
            out.append({"id": str(item["id"]), "status": status, "date": now})
        return out

    serials = doc.get("mfa_devices") or []
    if not isinstance(serials, list) or not all(
        isinstance(s, str) and re.fullmatch(r"[\w+=/:,.@-]{9,256}", s) for s in serials
    ):
        raise ValueError("mfa_devices must be a list of serial numbers (or virtual device ARNs)")
    plu = doc.get("password_last_used")
    if plu is not None:
        plu = datetime.datetime.fromisoformat(str(plu).replace("Z", "+00:00"))
        plu = plu.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    record = {
        "login_profile": {"created": now} if doc.get("login_profile") else None,
        "password_last_used": plu,
        "access_keys": creds("access_keys", r"\w{16,128}"),
        "signing_certificates": creds("signing_certificates", r"\w{24,128}"),
        "mfa_devices": [{"serial": s, "enabled": now} for s in serials],
        "detached_mfa": [],
        "created": _roots.get(account, {}).get("created", now),
    }
    with _lock:
        _roots[account] = record
    return account


def _hook(environ, start_response):
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            account = _seed(json.loads(raw or b"null"))
            status, body = "200 OK", _store_doc(account)
        elif method == "GET":
            account = (parse_qs(environ.get("QUERY_STRING", "")).get("account") or [""])[0]
            if not re.fullmatch(r"\d{12}", account):
                raise ValueError("account must be a 12-digit account id")
            status, body = "200 OK", _store_doc(account)
        else:
            status, body = "405 Method Not Allowed", {"error": "use GET or POST"}
    except ValueError as err:  # json.JSONDecodeError and bad dates too
        status, body = "400 Bad Request", {"error": str(err)}
    data = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(status, headers)
    return [data]


def _answer(response, result, status=None):
    """Serialize `result` (a dict or a ServiceException) as moto would,
    with `status` instead of the model's HTTP status when given."""
    from moto.core.responses import ActionResult

    code, headers, body = response.serialized(ActionResult(result))
    code = status or code
    headers["status"] = str(code)
    headers, body = response._enrich_response(headers, body)
    return code, headers, body


def _session(response):
    try:
        return _sessions.get(response.get_access_key())
    except Exception:  # unsigned or unparsable: not a root session
        return None


def patch():
    from moto.core.responses import ActionResult, BaseResponse
    from moto.iam.exceptions import IAMException
    from moto.iam.models import AccountSummary, IAMBackend, iam_backends
    from moto.iam.responses import IamResponse
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.organizations.models import FakeDelegatedAdministrator, FakeServiceAccess
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend, sts_backends
    from moto.sts.responses import TokenResponse
    from moto.sts.utils import random_session_token

    for services in (
        FakeServiceAccess.TRUSTED_SERVICES,
        FakeDelegatedAdministrator.SUPPORTED_SERVICES,
    ):
        if IAM_PRINCIPAL not in services:
            services.append(IAM_PRINCIPAL)

    def iam_error(code, message):
        return type(code, (IAMException,), {"code": code})(message)

    def sts_error(code, message):
        return type(code, (STSClientError,), {"code": code})(message)

    expired = "The security token included in the request is expired"

    def session_denied(s, action, resource):
        on = f" on resource: {resource}" if resource else ""
        return (
            f"User: arn:{s['partition']}:iam::{s['account']}:root is not authorized to "
            f"perform: {action}{on} with an explicit deny in a session policy"
        )

    # --- requests signed with a root session's key are the member's ---
    original_account = BaseResponse.get_current_account

    def get_current_account(self):
        s = _session(self)
        return s["account"] if s else original_account(self)

    BaseResponse.get_current_account = get_current_account

    original_identity = STSBackend.get_caller_identity

    def get_caller_identity(self, access_key_id, region):
        s = _sessions.get(access_key_id)
        if s:
            arn = f"arn:{s['partition']}:iam::{s['account']}:root"
            return s["account"], arn, s["account"]
        return original_identity(self, access_key_id, region)

    STSBackend.get_caller_identity = get_caller_identity

    # --- the test hook ---
    original_call = DomainDispatcherApplication.__call__

    def dispatch(self, environ, start_response):
        if environ.get("PATH_INFO") == HOOK_PATH:
            return _hook(environ, start_response)
        return original_call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = dispatch

    # --- IAM: the organization's features ---
    rejected = "The request was rejected because "

    def features(self, action):
        caller = self.current_account
        mgmt = _org_backend(caller, self.partition)
        if mgmt is None:
            raise iam_error(
                "OrganizationNotFoundException",
                rejected + "no organization is associated with your account.",
            )
        if mgmt.org.feature_set != "ALL":
            raise iam_error(
                "OrganizationNotInAllFeaturesModeException",
                rejected + "your organization does not have All features enabled.",
            )
        if not _trusted(mgmt):
            raise iam_error(
                "ServiceAccessNotEnabledException",
                rejected + "trusted access is not enabled for IAM in AWS Organizations.",
            )
        is_mgmt = caller == mgmt.org.master_account_id
        if not is_mgmt and not _is_delegated_admin(mgmt, caller):
            raise iam_error(
                "AccountNotManagementOrDelegatedAdministratorException",
                rejected + "the account making the request is not the management account "
                "or delegated administrator account for centralized root access.",
            )
        if action.startswith("Enable") and not is_mgmt:
            raise iam_error(
                "CallerIsNotManagementAccountException",
                rejected + "the account making the request is not the management account "
                "for the organization.",
            )
        feature = next((f for f in FEATURES if action.endswith(f)), None)
        with _lock:
            enabled = _features.setdefault(mgmt.org.id, set())
            if action.startswith("Enable"):
                enabled.add(feature)
            elif action.startswith("Disable"):
                enabled.discard(feature)
        return ActionResult({"OrganizationId": mgmt.org.id, "EnabledFeatures": _enabled(mgmt)})

    for action in (
        "ListOrganizationsFeatures",
        "EnableOrganizationsRootCredentialsManagement",
        "EnableOrganizationsRootSessions",
        "DisableOrganizationsRootCredentialsManagement",
        "DisableOrganizationsRootSessions",
    ):
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
        setattr(IamResponse, name, (lambda a: lambda self: features(self, a))(action))

    # --- STS: AssumeRoot ---
    def invalid(self, message):
        return _answer(self, sts_error("ValidationError", message))

    def assume_root(self):
        partition = self.partition
        target = self._get_param("TargetPrincipal") or ""
        m = re.fullmatch(r"(\d{12})|arn:[\w-]+:iam::(\d{12}):root", target)
        if not m:
            return invalid(self, (
                f"1 validation error detected: Value '{target}' at 'targetPrincipal' failed "
                "to satisfy constraint: Member must be an account id or "
                "arn:PARTITION:iam::ACCOUNT:root"
            ))
        target = m.group(1) or m.group(2)
        duration = self._get_param("DurationSeconds")
        duration = MAX_DURATION if duration is None else int(duration)
        if not 0 <= duration <= MAX_DURATION:
            bound = "less than or equal to 900" if duration > 0 else "greater than or equal to 0"
            return invalid(self, (
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' "
                f"failed to satisfy constraint: Member must have value {bound}"
            ))
        policy_arn = (self._get_param("TaskPolicyArn") or {}).get("arn") or ""
        prefix = f"arn:{partition}:iam::aws:policy/root-task/"
        task = next((t for t in TASKS if policy_arn == prefix + t), None)
        if task is None:
            return invalid(self, (
                f"TaskPolicyArn '{policy_arn}' is not one of the AWS managed policies "
                f"{prefix}{{{','.join(TASKS)}}}"
            ))

        caller = self.current_account
        _, caller_arn, _ = sts_backends[caller][partition].get_caller_identity(
            self.get_access_key(), self.region
        )

        def denied(reason):
            return _answer(self, sts_error("AccessDenied", (
                f"User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: "
                f"arn:{partition}:iam::{target}:root because {reason}"
            )), 403)

        mgmt = _org_backend(caller, partition)
        if mgmt is None:
            return denied("the caller's account is not in an organization")
        if caller != mgmt.org.master_account_id and not _is_delegated_admin(mgmt, caller):
            return denied(
                "the caller is neither the management account nor the delegated "
                "administrator for IAM"
            )
        if not _trusted(mgmt):
            return denied("trusted access for IAM is not enabled in AWS Organizations")
        enabled = _enabled(mgmt)
        if "RootSessions" not in enabled:
            return denied("root sessions are not enabled for the organization")
        if task in CREDENTIAL_TASKS and "RootCredentialsManagement" not in enabled:
            return denied("root credentials management is not enabled for the organization")
        if target == mgmt.org.master_account_id:
            return denied("the target is the organization's management account")
        if not any(a.id == target and a.status == "ACTIVE" for a in mgmt.accounts):
            return denied("the target is not a member account of the caller's organization")

        key = iam_backends[target][partition].create_temp_access_key()
        expiration = _now() + datetime.timedelta(seconds=duration)
        with _lock:
            _sessions[key.access_key_id] = {
                "account": target,
                "partition": partition,
                "task": task,
                "expiration": expiration,
            }
        return ActionResult({"Credentials": {
            "AccessKeyId": key.access_key_id,
            "SecretAccessKey": key.secret_access_key,
            "SessionToken": random_session_token(),
            "Expiration": expiration,
        }})

    TokenResponse.assume_root = assume_root

    original_sts_call = TokenResponse.call_action

    def sts_call_action(self):
        s = _session(self)
        if s is None or self._get_action() == "GetCallerIdentity":
            return original_sts_call(self)
        if _now() >= s["expiration"]:
            return _answer(self, sts_error("ExpiredToken", expired), 403)
        message = session_denied(s, f"sts:{self._get_action()}", None)
        return _answer(self, sts_error("AccessDenied", message), 403)

    TokenResponse.call_action = sts_call_action

    # --- IAM in a root session: the root user's credentials ---
    def find(items, field, value, what):
        item = next((i for i in items if i[field] == value), None)
        if item is None:
            raise iam_error("NoSuchEntity", f"The {what} with id {value} cannot be found.")
        return item

    def root_user_call(self, s, action):
        """Answer `action` on the session account's root user (None: moto
        answers an account-wide action, or the task policy refuses it)."""
        account, partition = s["account"], s["partition"]
        with _lock:
            r = _roots.setdefault(account, _root(account))
            missing_profile = f"Login Profile for the root user of account {account}"
            if action == "GetUser":
                user = {
                    "UserId": account,
                    "Arn": f"arn:{partition}:iam::{account}:root",
                    "CreateDate": r["created"],
                }
                if r["password_last_used"]:
                    user["PasswordLastUsed"] = r["password_last_used"]
                return {"User": user}
            if action in ("GetLoginProfile", "DeleteLoginProfile"):
                if r["login_profile"] is None:
                    raise iam_error("NoSuchEntity", missing_profile + " cannot be found.")
                if action == "DeleteLoginProfile":
                    r["login_profile"] = None
                    return {}
                return {"LoginProfile": {"CreateDate": r["login_profile"]["created"]}}
            if action == "CreateLoginProfile":
                if self._get_param("Password") is not None:
                    raise iam_error(
                        "ValidationError", "Password must be omitted in an AssumeRoot session."
                    )
                if r["login_profile"] is not None:
                    raise iam_error("EntityAlreadyExists", missing_profile + " already exists.")
                r["login_profile"] = {"created": _now()}
                return {"LoginProfile": {"CreateDate": r["login_profile"]["created"]}}
            if action == "ListAccessKeys":
                return {"IsTruncated": False, "AccessKeyMetadata": [
                    {"AccessKeyId": k["id"], "Status": k["status"], "CreateDate": k["date"]}
                    for k in r["access_keys"]
                ]}
            if action == "ListSigningCertificates":
                return {"IsTruncated": False, "Certificates": [
                    {
                        "CertificateId": c["id"],
                        "Status": c["status"],
                        "UploadDate": c["date"],
                        "CertificateBody": CERTIFICATE_BODY,
                    }
                    for c in r["signing_certificates"]
                ]}
            if action == "ListMFADevices":
                return {"IsTruncated": False, "MFADevices": [
                    {"SerialNumber": d["serial"], "EnableDate": d["enabled"]}
                    for d in r["mfa_devices"]
                ]}
            if action == "GetAccessKeyLastUsed":
                key_id = self._get_param("AccessKeyId")
                if not any(k["id"] == key_id for k in r["access_keys"]):
                    return None  # another user's key
                return {"AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
            if action == "DeleteAccessKey":
                key_id = self._get_param("AccessKeyId")
                r["access_keys"].remove(find(r["access_keys"], "id", key_id, "Access Key"))
                return {}
            if action == "DeleteSigningCertificate":
                cert_id = self._get_param("CertificateId")
                certs = r["signing_certificates"]
                certs.remove(find(certs, "id", cert_id, "Certificate"))
                return {}
            if action == "DeactivateMFADevice":
                serial = self._get_param("SerialNumber")
                device = next((d for d in r["mfa_devices"] if d["serial"] == serial), None)
                if device is None:
                    raise iam_error(
                        "NoSuchEntity", f"MFA Device with serial number {serial} does not exist."
                    )
                r["mfa_devices"].remove(device)
                if ":mfa/" in serial:
                    r["detached_mfa"].append(serial)  # a virtual device outlives it
                return {}
            if action == "DeleteVirtualMFADevice":
                serial = self._get_param("SerialNumber")
                if any(d["serial"] == serial for d in r["mfa_devices"]):
                    raise iam_error("DeleteConflict", "MFA Device is still in use.")
                if serial in r["detached_mfa"]:
                    r["detached_mfa"].remove(serial)
                    return {}
        return None

    original_iam_call = IamResponse.call_action

    def iam_call_action(self):
        s = _session(self)
        if s is None:
            return original_iam_call(self)
        action = self._get_action()
        partition, account = s["partition"], s["account"]
        if _now() >= s["expiration"]:
            return _answer(self, iam_error("ExpiredToken", expired), 403)
        allowed, anywhere = TASKS[s["task"]]
        # The resource the task policy's "NotResource arn:aws:iam::*:root" sees.
        user = self._get_param("UserName")
        resource = f"arn:{partition}:iam::{account}:root"
        if user:
            resource = f"arn:{partition}:iam::{account}:user/{user}"
        elif action not in USER_SCOPED:
            resource = self._get_param("SerialNumber") or "*"
            owner = iam_backends[account][partition].get_user_from_access_key_id(
                self._get_param("AccessKeyId") or ""
            )
            if owner is not None:
                resource = owner.arn
        result = None
        if action in allowed and not user:
            try:
                result = root_user_call(self, s, action)
            except IAMException as err:
                return _answer(self, err)
            if result is None and action in anywhere:
                return original_iam_call(self)
        if result is None:
            message = session_denied(s, f"iam:{action}", resource)
            return _answer(self, iam_error("AccessDenied", message), 403)
        return _answer(self, result)

    IamResponse.call_action = iam_call_action

    # --- the root user in GetAccountSummary and the credential report ---
    original_summary = AccountSummary.summary_map.fget

    def summary_map(self):
        summary = original_summary(self)
        r = _roots.get(self._iam_backend.account_id)
        if r is not None:
            summary["AccountAccessKeysPresent"] = int(bool(r["access_keys"]))
            summary["AccountMFAEnabled"] = int(bool(r["mfa_devices"]))
            summary["AccountSigningCertificatesPresent"] = int(bool(r["signing_certificates"]))
        return summary

    AccountSummary.summary_map = property(summary_map)

    original_report = IAMBackend.get_credential_report

    def get_credential_report(self):
        report = original_report(self)
        r = _roots.get(self.account_id)
        if r is None:
            return report
        if r["login_profile"] is None:
            password_last_used = "N/A"
        elif r["password_last_used"]:
            password_last_used = _fmt(r["password_last_used"])
        else:
            password_last_used = "no_information"
        fields = [
            "<root_account>",
            f"arn:{self.partition}:iam::{self.account_id}:root",
            _fmt(r["created"]),
            "not_supported",
            password_last_used,
            "not_supported",
            "not_supported",
            "true" if r["mfa_devices"] else "false",
        ]
        for k in (r["access_keys"] + [None, None])[:2]:
            active = "true" if k and k["status"] == "Active" else "false"
            fields += [active, _fmt(k["date"]) if k else "N/A", "N/A", "N/A", "N/A"]
        for c in (r["signing_certificates"] + [None, None])[:2]:
            active = "true" if c and c["status"] == "Active" else "false"
            fields += [active, _fmt(c["date"]) if c else "N/A"]
        header, _, rows = report.partition("\n")
        return f"{header}\n{','.join(fields)}\n{rows}"

    IAMBackend.get_credential_report = get_credential_report
