"""IAM and S3 refuse policy documents whose ARNs name another partition.

AWS is split into partitions (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso*`,
`aws-eusc`); an ARN names its partition in its second field
(AWS General Reference / IAM User Guide, "IAM identifiers" and
"Amazon Resource Names (ARNs)": `arn:partition:service:region:account-id:…`,
"The partition in which the resource is located … Resources in China
Regions: aws-cn; Resources in AWS GovCloud (US) Regions: aws-us-gov").
Credentials of one partition only work there: in the China Regions
GetCallerIdentity answers `arn:aws-cn:…` ("Getting Started with Amazon Web
Services in China", ARNs), and a policy naming a resource of another
partition is refused:
- IAM CreatePolicy / CreatePolicyVersion / Put{User,Group,Role}Policy answer
  `MalformedPolicyDocument` ("Partition "aws" is not valid for resource
  "arn:aws:…"", IAM User Guide, "Troubleshoot IAM policies" and the
  CreatePolicy API reference's MalformedPolicyDocument error).
- S3 PutBucketPolicy answers `MalformedPolicy` ("Policy has invalid
  resource", Amazon S3 API Reference, "Error responses").

moto 5.2.1 already keeps one IAM and one S3 backend per partition (chosen by
the region a request is signed for) and answers GetCallerIdentity with the
partition of that region, but it accepts any ARN in a policy document. This
module makes those calls refuse an ARN of another partition than the one the
request was signed for, as AWS does.
"""

import functools
import inspect
import json


def _values(v):
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)):
        return [x for x in v if isinstance(x, str)]
    return []


def _foreign_resource(document, partition):
    """The first Resource / NotResource ARN of another partition, if any."""
    if isinstance(document, (bytes, bytearray)):
        document = document.decode("utf-8", "replace")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None  # moto's own validation answers for malformed JSON
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict):
            continue
        for key in ("Resource", "NotResource"):
            for arn in _values(statement.get(key)):
                fields = arn.split(":", 2)
                if len(fields) == 3 and fields[0] == "arn" and fields[1] not in ("*", partition):
                    return fields[1], arn
    return None


def _guard(cls, method, param, refuse):
    original = getattr(cls, method)
    signature = inspect.signature(original)

    @functools.wraps(original)
    def guarded(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        found = _foreign_resource(bound.arguments.get(param), self.partition)
        if found:
            refuse(*found)
        return original(self, *args, **kwargs)

    setattr(cls, method, guarded)


def patch():
    from moto.iam.exceptions import MalformedPolicyDocument
    from moto.iam.models import IAMBackend
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    def iam_refuses(partition, arn):
        raise MalformedPolicyDocument(
            f'Partition "{partition}" is not valid for resource "{arn}".'
        )

    def s3_refuses(_partition, _arn):
        raise S3ClientError("MalformedPolicy", "Policy has invalid resource")

    for method, param in (
        ("create_policy", "policy_document"),
        ("create_policy_version", "policy_document"),
        ("put_user_policy", "policy_json"),
        ("put_group_policy", "policy_json"),
        ("put_role_policy", "policy_json"),
    ):
        _guard(IAMBackend, method, param, iam_refuses)
    _guard(S3Backend, "put_bucket_policy", "policy", s3_refuses)
