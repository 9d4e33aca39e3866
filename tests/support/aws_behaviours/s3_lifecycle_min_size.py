"""S3 lifecycle: the configuration's default minimum object size for transitions.

AWS (Amazon S3 API Reference, PutBucketLifecycleConfiguration and
GetBucketLifecycleConfiguration; S3 User Guide, "Transitioning objects using
Amazon S3 Lifecycle" and "Examples of S3 Lifecycle configurations"):

- PutBucketLifecycleConfiguration takes the request header
  `x-amz-transition-default-minimum-object-size`, `all_storage_classes_128K`
  (objects under 128 KB never transition) or `varies_by_storage_class`
  (objects under 128 KB may transition to GLACIER and DEEP_ARCHIVE only).
  A write without it gets `all_storage_classes_128K`, the default since
  September 2024: creating, editing or deleting rules of an older
  configuration switches it to that default. Any other value is refused
  (400 InvalidArgument).
- PutBucketLifecycleConfiguration and GetBucketLifecycleConfiguration answer
  with the configuration's value in the same response header.
- DeleteBucketLifecycle removes the configuration, the setting with it.

moto 5.2.1 ignores the request header and always answers
`all_storage_classes_128K`, so a write that asks for
`varies_by_storage_class` reads back as the default. This module keeps the
value per bucket and echoes it as S3 does.
"""

HEADER = "x-amz-transition-default-minimum-object-size"
DEFAULT = "all_storage_classes_128K"
VALUES = (DEFAULT, "varies_by_storage_class")
ATTR = "_aws_transition_default_minimum_object_size"


def _with_header(result, value):
    if isinstance(result, tuple) and len(result) == 3:
        status, headers, body = result
        if 200 <= int(status) < 300:
            headers = dict(headers or {})
            headers[HEADER] = value
        return status, headers, body
    if isinstance(result, (str, bytes)):
        return 200, {HEADER: value}, result
    return result


def patch():
    from moto.s3.exceptions import InvalidArgumentError
    from moto.s3.responses import S3Response

    put = S3Response._bucket_response_put
    get = S3Response.get_bucket_lifecycle
    delete = S3Response.delete_bucket_lifecycle

    def _bucket_response_put(self, request, bucket_name, querystring, *args, **kwargs):
        if "lifecycle" not in (querystring or {}):
            return put(self, request, bucket_name, querystring, *args, **kwargs)
        value = request.headers.get(HEADER) or DEFAULT
        if value not in VALUES:
            raise InvalidArgumentError(
                f"Invalid value for {HEADER}", HEADER, value
            )
        result = put(self, request, bucket_name, querystring, *args, **kwargs)
        if isinstance(result, tuple) and len(result) == 3 and int(result[0]) >= 300:
            return result
        setattr(self.backend.get_bucket(bucket_name), ATTR, value)
        return _with_header(result, value)

    def get_bucket_lifecycle(self, *args, **kwargs):
        result = get(self, *args, **kwargs)
        bucket = self.backend.get_bucket(self.bucket_name)
        return _with_header(result, getattr(bucket, ATTR, DEFAULT))

    def delete_bucket_lifecycle(self, *args, **kwargs):
        result = delete(self, *args, **kwargs)
        bucket = self.backend.get_bucket(self.bucket_name)
        if hasattr(bucket, ATTR):
            delattr(bucket, ATTR)
        return result

    S3Response._bucket_response_put = _bucket_response_put
    S3Response.get_bucket_lifecycle = get_bucket_lifecycle
    S3Response.delete_bucket_lifecycle = delete_bucket_lifecycle
