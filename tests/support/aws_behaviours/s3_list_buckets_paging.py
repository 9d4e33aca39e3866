"""S3 ListBuckets: pages, and names each bucket's region, as AWS does.

AWS (Amazon S3 API Reference, ListBuckets):
- "If you specify the bucket-region, prefix, or continuation-token query
  parameters without using max-buckets to set the maximum number of buckets
  returned in the response, Amazon S3 applies a default page size of 10,000
  and provides a continuation token if there are more buckets."
- `Bucket.BucketRegion`: "If the request contains at least one valid
  parameter, it is included in the response." A request without any
  parameter gets no BucketRegion (the caller then needs GetBucketLocation).
- "We strongly recommend using only paginated ListBuckets requests.
  Unpaginated ListBuckets requests are only supported for Amazon Web
  Services accounts set to the default general purpose bucket quota of
  10,000."
- Buckets are listed in name order; `ContinuationToken` is opaque; `Prefix`
  is echoed when it was sent.

moto 5.2.1 never returns BucketRegion or ContinuationToken, and cuts the
list at max-buckets (the rest cannot be reached). This module answers
ListBuckets from moto's buckets the way AWS does.
"""

import base64

PAGE_DEFAULT = 10000
PAGE_MAX = 10000


def _token(name):
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after(token):
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except Exception:
        return None


def patch():
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import InvalidArgumentError
    from moto.s3.models import OWNER
    from moto.s3.responses import S3Response

    def all_buckets(self):
        self.data["Action"] = "ListAllMyBuckets"
        self._authenticate_and_authorize_s3_action()
        prefix = self._get_param("prefix")
        region = self._get_param("bucket-region")
        token = self._get_param("continuation-token")
        max_buckets = self._get_param("max-buckets")
        paged = any(v is not None for v in (prefix, region, token, max_buckets))

        buckets = sorted(self.backend.buckets.values(), key=lambda b: b.name)
        if prefix:
            buckets = [b for b in buckets if b.name.startswith(prefix)]
        if region:
            buckets = [b for b in buckets if b.region_name == region]
        result = {
            "Owner": {"ID": OWNER, "DisplayName": "webfile"},
        }
        if paged:
            page = PAGE_DEFAULT
            if max_buckets is not None:
                try:
                    page = int(max_buckets)
                except ValueError:
                    raise InvalidArgumentError(
                        "Provided max-buckets not an integer or within integer range",
                        "max-buckets",
                        max_buckets,
                    )
                if page < 1 or page > PAGE_MAX:
                    raise InvalidArgumentError(
                        "Argument max-buckets must be an integer between 1 and 10000",
                        "max-buckets",
                        max_buckets,
                    )
            if token is not None:
                start = _after(token)
                if start is None:
                    raise InvalidArgumentError(
                        "The continuation token provided is incorrect",
                        "continuation-token",
                        token,
                    )
                buckets = [b for b in buckets if b.name > start]
            rest = buckets[page:]
            buckets = buckets[:page]
            if rest and buckets:
                result["ContinuationToken"] = _token(buckets[-1].name)
            if prefix is not None:
                result["Prefix"] = prefix
        result["Buckets"] = [
            dict(
                Name=b.name,
                CreationDate=b.creation_date_ISO8601,
                **({"BucketRegion": b.region_name} if paged else {}),
            )
            for b in buckets
        ]
        self.data["Action"] = "ListBuckets"
        return self.serialized(ActionResult(result))

    S3Response.all_buckets = all_buckets
