"""Organization trails as a member account sees them.

What AWS does (CloudTrail User Guide, "Creating a trail for an
organization"): a trail created in the management account with
IsOrganizationTrail=true is replicated into every member account. A member
sees it in DescribeTrails (IsOrganizationTrail true, the management
account's ARN and home region) but may not view or change its settings:
GetTrailStatus and GetEventSelectors on its ARN from a member account fail
(TrailNotFoundException "Unknown trail: <arn> for the user: <member>", as
reported for organization trails seen from members).

What moto 5.2.1 does instead: each account sees only its own trails, and
GetTrailStatus answers for any trail DescribeTrails lists.

Here every account sees the organization trails of the other accounts
(moto holds no organization membership for them), and the status and
selector calls from another account answer TrailNotFoundException.
"""


def patch():
    from moto.cloudtrail import models
    from moto.cloudtrail.exceptions import TrailNotFoundException

    original_describe = models.CloudTrailBackend.describe_trails

    def describe_trails(self, include_shadow_trails):
        trails = list(original_describe(self, include_shadow_trails))
        for account_id, regions in models.cloudtrail_backends.items():
            if account_id == self.account_id:
                continue
            for backend in regions.values():
                for trail in backend.trails.values():
                    if not trail.is_org_trail:
                        continue
                    if include_shadow_trails and trail.is_multi_region or (
                        trail.region_name == self.region_name
                    ):
                        trails.append(trail)
        return trails

    models.CloudTrailBackend.describe_trails = describe_trails

    original_status = models.CloudTrailBackend.get_trail_status

    def get_trail_status(self, name):
        for account_id, regions in models.cloudtrail_backends.items():
            if account_id == self.account_id:
                continue
            for backend in regions.values():
                for trail in backend.trails.values():
                    if trail.is_org_trail and trail.arn == name:
                        raise TrailNotFoundException(account_id=self.account_id, name=name)
        return original_status(self, name)

    models.CloudTrailBackend.get_trail_status = get_trail_status
