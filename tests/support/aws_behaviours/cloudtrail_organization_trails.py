"""Organization trails as a member account sees them.

What AWS does:
- CloudTrail User Guide, "Creating a trail for an organization": the trail
  is created in every account of the organization; "users with CloudTrail
  permissions in member accounts can see this trail" (DescribeTrails lists
  it, with the management account's ARN and home region), but "users in
  member accounts do not have sufficient permissions to delete the
  organization trail, turn logging on or off, change what types of events
  are logged, or otherwise alter the organization trail in any way". AWS
  Organizations User Guide, "AWS CloudTrail and AWS Organizations": member
  accounts "can see the organization trail, but can't modify or delete it".
- CloudTrail API Reference, GetTrailStatus, Name: "If the trail is an
  organization trail and you are a member account in the organization in
  Organizations, you must provide the full ARN of that trail, and not just
  the name." A member reads the status by ARN; by name its own account
  has no such trail: TrailNotFoundException ("the trail with the given
  name is not found").
- GetEventSelectors has no such note, and a member cannot read an
  organization trail's selectors: by ARN CloudTrail answers
  CloudTrailARNInvalidException "AccountID in ARN is wrong, you can only
  access resources with AccountID <member>" (reported from member accounts
  in turbot/steampipe-plugin-aws#577, whose fix skips the call for a trail
  of another account; the same answer to ListTags in
  cloudquery/cq-provider-aws#405); a Cloud Custodian maintainer on its
  event-selectors filter: get_event_selectors(TrailName=arn) "will fail
  for an organization trail from a different account"
  (cloud-custodian/cloud-custodian#6394). By name: TrailNotFoundException.
- A change from a member account named by the trail's name finds no trail
  of that name in the member's account: TrailNotFoundException (StartLogging
  by name from another account of the organization,
  aws-cloudformation/cloudformation-coverage-roadmap#1932). Named by ARN,
  UpdateTrail, PutEventSelectors, StartLogging, StopLogging and DeleteTrail
  list NotOrganizationMasterAccountException, "thrown when the Amazon Web
  Services account making the request to create or update an organization
  trail ... is not the management account".

What moto 5.2.1 does instead: each account sees only its own trails.

Here every account sees the organization trails of the other accounts
(moto holds no organization membership for them); GetTrailStatus answers
for them by ARN, GetEventSelectors answers CloudTrailARNInvalidException
by ARN, and both answer TrailNotFoundException by name; the calls that
change a trail answer TrailNotFoundException when they name one by name,
NotOrganizationMasterAccountException by ARN.
"""


def _foreign_org_trails(models, account_id):
    for other, regions in models.cloudtrail_backends.items():
        if other == account_id:
            continue
        for backend in regions.values():
            for trail in backend.trails.values():
                if trail.is_org_trail:
                    yield trail


def patch():
    from moto.cloudtrail import models
    from moto.cloudtrail.exceptions import TrailNotFoundException
    from moto.core.exceptions import JsonRESTError

    class CloudTrailARNInvalidException(JsonRESTError):
        code = 400

        def __init__(self, account_id):
            super().__init__(
                "CloudTrailARNInvalidException",
                "AccountID in ARN is wrong, you can only access resources "
                f"with AccountID {account_id}.",
            )

    class NotOrganizationMasterAccountException(JsonRESTError):
        code = 400

        def __init__(self):
            super().__init__(
                "NotOrganizationMasterAccountException",
                "This operation must be called from the management account "
                "or a delegated administrator of the organization.",
            )

    def foreign(backend, name_or_arn):
        """The other account's organization trail `name_or_arn` names, and
        whether it was named by ARN; None when it names none (or a trail of
        this account)."""
        if name_or_arn in backend.trails:
            return None
        for trail in _foreign_org_trails(models, backend.account_id):
            if trail.arn == name_or_arn:
                return trail, True
        for trail in _foreign_org_trails(models, backend.account_id):
            if trail.trail_name == name_or_arn:
                return trail, False
        return None

    original_describe = models.CloudTrailBackend.describe_trails

    def describe_trails(self, include_shadow_trails):
        trails = list(original_describe(self, include_shadow_trails))
        for trail in _foreign_org_trails(models, self.account_id):
            if include_shadow_trails and trail.is_multi_region or (
                trail.region_name == self.region_name
            ):
                trails.append(trail)
        return trails

    models.CloudTrailBackend.describe_trails = describe_trails

    original_status = models.CloudTrailBackend.get_trail_status

    def get_trail_status(self, name):
        found = foreign(self, name)
        if found is not None:
            trail, by_arn = found
            if not by_arn:
                raise TrailNotFoundException(account_id=self.account_id, name=name)
            return trail.status
        return original_status(self, name)

    models.CloudTrailBackend.get_trail_status = get_trail_status

    original_selectors = models.CloudTrailBackend.get_event_selectors

    def get_event_selectors(self, trail_name):
        found = foreign(self, trail_name)
        if found is not None:
            _, by_arn = found
            if not by_arn:
                raise TrailNotFoundException(account_id=self.account_id, name=trail_name)
            raise CloudTrailARNInvalidException(self.account_id)
        return original_selectors(self, trail_name)

    models.CloudTrailBackend.get_event_selectors = get_event_selectors

    def refuse(method, key):
        original = getattr(models.CloudTrailBackend, method)

        def guarded(self, *args, **kwargs):
            name = kwargs.get(key, args[0] if args else None)
            found = foreign(self, name) if name is not None else None
            if found is not None:
                _, by_arn = found
                if not by_arn:
                    raise TrailNotFoundException(account_id=self.account_id, name=name)
                raise NotOrganizationMasterAccountException()
            return original(self, *args, **kwargs)

        setattr(models.CloudTrailBackend, method, guarded)

    for method, key in [
        ("update_trail", "name"),
        ("put_event_selectors", "trail_name"),
        ("start_logging", "name"),
        ("stop_logging", "name"),
        ("delete_trail", "name"),
    ]:
        refuse(method, key)
