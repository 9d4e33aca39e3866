"""EC2 DescribeSnapshots: honour `OwnerIds` and `RestorableByUserIds`.

AWS (Amazon EC2 API Reference, DescribeSnapshots):
- "OwnerIds — Scopes the results to snapshots with the specified owners.
  You can specify a combination of AWS account IDs, `self`, and `amazon`."
- "RestorableByUserIds — The IDs of the AWS accounts that can create
  volumes from the snapshot." (`all` = public snapshots).
- "If you specify one or more snapshot owners using the OwnerIds option,
  only snapshots from the specified owners and for which you have access
  are returned." Without OwnerIds, the results include every snapshot you
  may restore, public snapshots of every account included: a filter on
  `owner-id` alone makes AWS search all of them first ("Describing
  snapshots without OwnerIds can be slow", EBS User Guide).

moto 5.2.1 ignores both parameters (it returns every snapshot of the
account). This module applies them to moto's answer.
"""


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def patch():
    from moto.core.responses import ActionResult
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore

    def describe_snapshots(self):
        filters = self._filters_from_querystring()
        snapshot_ids = self._get_param("SnapshotIds", [])
        owners = _as_list(self._get_param("OwnerIds", []))
        restorable = _as_list(self._get_param("RestorableByUserIds", []))
        snapshots = self.ec2_backend.describe_snapshots(
            snapshot_ids=snapshot_ids, filters=filters
        )
        account = self.ec2_backend.account_id
        if owners:
            wanted = {account if o == "self" else o for o in owners}
            snapshots = [
                s
                for s in snapshots
                if s.owner_id in wanted
                or ("amazon" in wanted and getattr(s, "owner_alias", None) == "amazon")
            ]
        if restorable:
            def may_restore(s):
                if "all" in restorable and "all" in s.create_volume_permission_groups:
                    return True
                ids = set(restorable) - {"all"}
                ids = {account if i == "self" else i for i in ids}
                return bool(ids & s.create_volume_permission_userids) or (
                    s.owner_id in ids
                )

            snapshots = [s for s in snapshots if may_restore(s)]
        return ActionResult({"Snapshots": snapshots})

    ElasticBlockStore.describe_snapshots = describe_snapshots
