"""EC2 RevokeSecurityGroupIngress / RevokeSecurityGroupEgress: rules that
match nothing.

AWS (Amazon EC2 API Reference, RevokeSecurityGroupIngress and
RevokeSecurityGroupEgress):

- "[Default VPC] If the values you specify do not match the existing rule's
  values, no error is returned, and the output describes the security group
  rules that were not revoked." The answer is `Return=true` with
  `UnknownIpPermissions` listing the permissions that matched no rule; the
  permissions of the same request that did match are revoked.
- "[Nondefault VPC] If the values you specify do not match the existing
  rule's values, an InvalidPermission.NotFound client error is returned, and
  no rules are revoked."

moto 5.2.1 answers InvalidPermission.NotFound in every VPC, and only after
revoking the permissions that came before the unmatched one in the request.
This module answers a group of a default VPC as AWS does (revoke what
matches, list the rest in UnknownIpPermissions), and keeps a request in
another VPC all-or-nothing.
"""


def patch():
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import InvalidPermissionNotFoundError
    from moto.ec2.responses.security_groups import SecurityGroups

    def revoke(direction):
        def handler(self):
            self.error_on_dryrun()
            backend = self.ec2_backend
            revoke_one = getattr(backend, f"revoke_security_group_{direction}")
            requested = list(self._process_rules_from_querystring())
            permissions = self._get_param("IpPermissions", []) or []
            name_or_id = requested[0]["group_name_or_id"] if requested else None
            group = None
            if name_or_id:
                try:
                    group = backend.get_security_group_by_name_or_id(name_or_id, None)
                except Exception:
                    group = None
            attr = "ingress_rules" if direction == "ingress" else "egress_rules"
            vpc = backend.vpcs.get(group.vpc_id) if group is not None and group.vpc_id else None
            default_vpc = bool(vpc is not None and getattr(vpc, "is_default", False))
            saved = list(getattr(group, attr)) if group is not None else None
            unknown = []
            for index, args in enumerate(requested):
                del args["sgrule_tags"]
                try:
                    revoke_one(**args)
                except InvalidPermissionNotFoundError:
                    if not default_vpc:
                        if group is not None:
                            setattr(group, attr, saved)
                        raise
                    if index < len(permissions):
                        unknown.append(permissions[index])
            result = {"Return": True}
            if unknown:
                result["UnknownIpPermissions"] = unknown
            return ActionResult(result)

        return handler

    SecurityGroups.revoke_security_group_ingress = revoke("ingress")
    SecurityGroups.revoke_security_group_egress = revoke("egress")
