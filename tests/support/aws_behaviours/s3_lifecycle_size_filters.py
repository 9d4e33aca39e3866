"""S3 lifecycle: object size conditions in a rule's filter.

AWS (Amazon S3 API Reference, LifecycleRuleFilter and
LifecycleRuleAndOperator; S3 User Guide, "Examples of S3 Lifecycle
configurations", "Allowing objects smaller than 128 KB to be transitioned"):
a rule's `Filter` (or its `And`) may hold `ObjectSizeGreaterThan` and
`ObjectSizeLessThan`, in bytes; S3 keeps them and
GetBucketLifecycleConfiguration returns them where they were written. A
size filter on a rule takes precedence over the configuration's default
minimum object size for transitions.

moto 5.2.1 drops both conditions when it stores a rule and never returns
them, so a rule written with a size filter reads back without it. This
module keeps them per rule and puts them back into the answer, in the same
element (`Filter` or `Filter/And`) they were sent in.
"""

import xml.etree.ElementTree as ET

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
SIZES = ("ObjectSizeGreaterThan", "ObjectSizeLessThan")
ATTR = "_aws_filter_sizes"


def _sizes(rule):
    """(in_and, {name: value}) of a rule as parsed from the request."""
    f = rule.get("Filter") or {}
    if not isinstance(f, dict):
        return False, {}
    a = f.get("And")
    if isinstance(a, dict):
        return True, {k: str(a[k]) for k in SIZES if a.get(k) is not None}
    return False, {k: str(f[k]) for k in SIZES if f.get(k) is not None}


def _add_sizes(body, rules):
    is_str = isinstance(body, str)
    raw = body.encode("utf-8") if is_str else body
    if not isinstance(raw, (bytes, bytearray)) or not raw:
        return body
    ET.register_namespace("", S3_NS)
    root = ET.fromstring(raw)
    ns = f"{{{S3_NS}}}" if root.tag.startswith("{") else ""
    changed = False
    for el, rule in zip(root.findall(f"{ns}Rule"), rules):
        in_and, sizes = getattr(rule, ATTR, (False, {}))
        if not sizes:
            continue
        f = el.find(f"{ns}Filter")
        if f is None:
            f = ET.SubElement(el, f"{ns}Filter")
        target = f
        if in_and:
            target = f.find(f"{ns}And")
            if target is None:
                target = ET.SubElement(f, f"{ns}And")
        for name, value in sizes.items():
            ET.SubElement(target, f"{ns}{name}").text = value
        changed = True
    if not changed:
        return body
    out = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out.decode("utf-8") if is_str else out


def patch():
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    set_lifecycle = FakeBucket.set_lifecycle
    get = S3Response.get_bucket_lifecycle

    def patched_set_lifecycle(self, rules, *args, **kwargs):
        result = set_lifecycle(self, rules, *args, **kwargs)
        for stored, sent in zip(self.rules, rules):
            setattr(stored, ATTR, _sizes(sent))
        return result

    def get_bucket_lifecycle(self, *args, **kwargs):
        result = get(self, *args, **kwargs)
        rules = self.backend.get_bucket(self.bucket_name).rules
        if isinstance(result, tuple) and len(result) == 3:
            status, headers, body = result
            if 200 <= int(status) < 300:
                body = _add_sizes(body, rules)
            return status, headers, body
        if isinstance(result, (str, bytes)):
            return _add_sizes(result, rules)
        return result

    FakeBucket.set_lifecycle = patched_set_lifecycle
    S3Response.get_bucket_lifecycle = get_bucket_lifecycle
