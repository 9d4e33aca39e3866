"""S3 bucket policies: a change takes time to propagate.

AWS (Amazon S3 User Guide, "Amazon S3 data consistency model"): reads and
writes of objects are strongly consistent since December 2020, but "bucket
configurations have an eventual consistency model": after a change of a
bucket's configuration (its policy among them), a read made right away may
still return the configuration from before the change, for a short while.
PutBucketPolicy / DeleteBucketPolicy (Amazon S3 API Reference) answer before
every S3 server has the new policy.

moto 5.2.1 serves the new policy from the very next GetBucketPolicy. This
module serves the previous one (or NoSuchBucketPolicy when the bucket had
none) to the first N GetBucketPolicy requests after each PutBucketPolicy or
DeleteBucketPolicy of a bucket tagged `moat-test:stale-policy-reads = N`;
untagged buckets answer at once, as before, so a test chooses to observe the
delay.
"""

TAG = "moat-test:stale-policy-reads"
PREVIOUS = "_aws_previous_policy"
STALE = "_aws_stale_policy_reads"


def _stale_reads(backend, bucket):
    try:
        tags = backend.tagger.list_tags_for_resource(bucket.arn).get("Tags", [])
    except Exception:
        return 0
    for tag in tags:
        if tag.get("Key") == TAG:
            try:
                return max(0, int(tag.get("Value", "0")))
            except ValueError:
                return 0
    return 0


def patch():
    from moto.s3.exceptions import NoSuchBucketPolicy
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    put = S3Backend.put_bucket_policy
    delete = S3Backend.delete_bucket_policy
    get = S3Response.get_bucket_policy

    def remember(backend, bucket_name):
        bucket = backend.get_bucket(bucket_name)
        reads = _stale_reads(backend, bucket)
        if reads:
            setattr(bucket, PREVIOUS, bucket.policy)
            setattr(bucket, STALE, reads)

    def put_bucket_policy(self, bucket_name, policy):
        remember(self, bucket_name)
        return put(self, bucket_name, policy)

    def delete_bucket_policy(self, bucket_name):
        remember(self, bucket_name)
        return delete(self, bucket_name)

    def get_bucket_policy(self):
        bucket = self.backend.get_bucket(self.bucket_name)
        left = getattr(bucket, STALE, 0)
        if left > 0:
            setattr(bucket, STALE, left - 1)
            previous = getattr(bucket, PREVIOUS, None)
            if not previous:
                raise NoSuchBucketPolicy(bucket_name=self.bucket_name)
            return 200, {}, previous
        return get(self)

    S3Backend.put_bucket_policy = put_bucket_policy
    S3Backend.delete_bucket_policy = delete_bucket_policy
    S3Response.get_bucket_policy = get_bucket_policy
