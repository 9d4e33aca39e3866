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

Two more AWS behaviours, each chosen by a tag on the group (untagged groups
answer as above):

- The API reference warns of UnknownIpPermissions: "In some cases,
  unknownIpPermissionSet might be in a different format from the request
  parameter." A group tagged `moat-test:respell-unknown = true` answers its
  unknown permissions in another spelling of the same rule: the protocol
  by number, an IPv4 range with host bits set, an IPv6 range written out
  in full and in capitals (each names the same addresses as the request).
- "Eventual consistency in the Amazon EC2 API" (Amazon EC2 Developer Guide):
  the result of a command "might not be immediately visible to all
  subsequent commands"; AWS recommends describing a resource again, with
  backoff, to confirm its state. A group tagged
  `moat-test:stale-group-reads = N` is described as it was before a revoke
  to the first N DescribeSecurityGroups requests that return it after the
  revoke. moto 5.2.1 shows every change at once.
"""

import copy
import ipaddress

RESPELL_TAG = "moat-test:respell-unknown"
STALE_TAG = "moat-test:stale-group-reads"
STALE = "_aws_stale_group_reads"
BEFORE = "_aws_group_before_revoke"
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}


def _tag(backend, group, key):
    try:
        return backend.tags.get(group.id, {}).get(key)
    except Exception:
        return None


def _respell_cidr(cidr):
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return cidr
    if net.version == 4:
        if net.prefixlen == 32:
            return cidr
        return f"{ipaddress.ip_address(int(net.network_address) | 1)}/{net.prefixlen}"
    return f"{net.network_address.exploded.upper()}/{net.prefixlen}"


def _respell(permission):
    out = copy.deepcopy(permission)
    protocol = str(out.get("IpProtocol", "")).lower()
    if protocol in PROTOCOL_NUMBERS:
        out["IpProtocol"] = PROTOCOL_NUMBERS[protocol]
    for r in out.get("IpRanges", []) or []:
        if "CidrIp" in r:
            r["CidrIp"] = _respell_cidr(r["CidrIp"])
    for r in out.get("Ipv6Ranges", []) or []:
        if "CidrIpv6" in r:
            r["CidrIpv6"] = _respell_cidr(r["CidrIpv6"])
    return out


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
            if group is not None and _tag(backend, group, RESPELL_TAG) == "true":
                unknown = [_respell(p) for p in unknown]
            if group is not None:
                try:
                    stale = max(0, int(_tag(backend, group, STALE_TAG) or "0"))
                except ValueError:
                    stale = 0
                if stale:
                    before = getattr(group, BEFORE, None) or {}
                    before[attr] = saved
                    setattr(group, BEFORE, before)
                    setattr(group, STALE, stale)
            result = {"Return": True}
            if unknown:
                result["UnknownIpPermissions"] = unknown
            return ActionResult(result)

        return handler

    describe = SecurityGroups.describe_security_groups

    def describe_security_groups(self):
        answer = describe(self)
        groups = getattr(answer, "result", None)
        if not isinstance(groups, dict) or "SecurityGroups" not in groups:
            return answer
        shown = []
        for group in groups["SecurityGroups"]:
            left = getattr(group, STALE, 0)
            before = getattr(group, BEFORE, None)
            if left > 0 and before:
                setattr(group, STALE, left - 1)
                if left - 1 == 0:
                    setattr(group, BEFORE, None)
                old = copy.copy(group)
                for attr, rules in before.items():
                    setattr(old, attr, list(rules))
                shown.append(old)
            else:
                shown.append(group)
        groups["SecurityGroups"] = shown
        return answer

    SecurityGroups.revoke_security_group_ingress = revoke("ingress")
    SecurityGroups.revoke_security_group_egress = revoke("egress")
    SecurityGroups.describe_security_groups = describe_security_groups
