"""ListTrails names every trail of the account, whatever its region.

What AWS does:
- CloudTrail API Reference, ListTrails: "Lists trails that are in the
  current account"; each TrailInfo carries the trail's HomeRegion, "the
  Region in which a trail was created". The reference does not say "every
  Region" in words; that ListTrails called in one Region names the
  account's trails of every Region of the partition is the reading the
  HomeRegion field supports and the one the AWS CLI's list-trails shows.
- DescribeTrails, by contrast, answers for "the current Region": its own
  trails and, with IncludeShadowTrails (the default), the shadows of
  multi-region and organization trails. A single-region trail of another
  region is not among them.

What moto 5.2.1 does instead: ListTrails answers what DescribeTrails with
shadow trails answers (the region's own trails and multi-region ones), so
a single-region trail of another region is unseen by both.

Here ListTrails names the account's own trails of every region of the
caller's partition (moto keeps every partition's regions in one backend
map; AWS never lists another partition's trails). Organization trails of
other accounts are left to DescribeTrails, which shows them as shadows
(aws_behaviours/cloudtrail_organization_trails.py): the AWS documentation
does not say whether a member's ListTrails names them.
"""


def patch():
    from moto.cloudtrail import models

    backend = models.CloudTrailBackend

    def list_trails(self):
        found = []
        for regional in models.cloudtrail_backends[self.account_id].values():
            if regional.partition == self.partition:
                found.extend(regional.trails.values())
        return found

    if not hasattr(backend, "list_trails"):
        raise RuntimeError("moto's CloudTrailBackend.list_trails not found (moto 5.2.x)")
    backend.list_trails = list_trails
