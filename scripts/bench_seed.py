#!/usr/bin/env python3
"""Seed a large account into moto for scripts/bench.sh.

    python3 scripts/bench_seed.py ENDPOINT [--users N]

Creates (defaults): 200 IAM users each with one access key (every tenth with a
second one), 30 customer-managed policies (a third of them with 3 versions),
20 groups with an inline policy and 2 managed policies each, every user in one
or two groups, every fourth user with a managed policy attached directly and
every fifth with an inline policy, 10 users with console passwords (3 of them
with a virtual MFA device), a weak password policy, and two of the three
alternate contacts. Prints one line of JSON with the counts.

Everything runs on a thread pool (moto answers one request per thread).
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

ACCOUNT = "123456789012"  # moto's default account id


def doc(actions, resource="*"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
        }
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--policies", type=int, default=30)
    ap.add_argument("--console-users", type=int, default=10)
    ap.add_argument("--buckets", type=int, default=1000)
    ap.add_argument("--distributions", type=int, default=10)
    ap.add_argument("--workers", type=int, default=16)
    a = ap.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    cfg = Config(retries={"max_attempts": 3}, max_pool_connections=a.workers * 2)
    iam = boto3.client("iam", endpoint_url=a.endpoint, region_name="us-east-1", config=cfg)
    account = boto3.client(
        "account", endpoint_url=a.endpoint, region_name="us-east-1", config=cfg
    )
    t0 = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=a.workers)

    def run_all(fn, items):
        # list() re-raises the first exception from a worker.
        return list(pool.map(fn, items))

    users = [f"bench-user-{i:03d}" for i in range(a.users)]
    groups = [f"bench-group-{i:02d}" for i in range(a.groups)]
    pol_names = [f"bench-policy-{i:02d}" for i in range(a.policies)]
    pol_arns = [f"arn:aws:iam::{ACCOUNT}:policy/{n}" for n in pol_names]
    services = ["s3", "ec2", "logs", "sqs", "sns", "dynamodb", "lambda", "kms"]

    # 1. Policies (a third get two more versions), groups, users.
    def make_policy(i):
        n = pol_names[i]
        svc = services[i % len(services)]
        iam.create_policy(PolicyName=n, PolicyDocument=doc([f"{svc}:Get*", f"{svc}:List*"]))
        if i % 3 == 0:
            for v in (2, 3):
                iam.create_policy_version(
                    PolicyArn=pol_arns[i],
                    PolicyDocument=doc([f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*{v}"]),
                    SetAsDefault=True,
                )

    run_all(make_policy, range(a.policies))
    run_all(lambda g: iam.create_group(GroupName=g), groups)
    run_all(lambda u: iam.create_user(UserName=u, Tags=[{"Key": "team", "Value": "bench"}]), users)

    # 2. Group policies: one inline, two managed each.
    def group_policies(j):
        g = groups[j]
        iam.put_group_policy(
            GroupName=g, PolicyName=f"{g}-inline", PolicyDocument=doc(["iam:GetUser", "sts:GetCallerIdentity"])
        )
        for k in (0, 1):
            iam.attach_group_policy(GroupName=g, PolicyArn=pol_arns[(j * 2 + k) % a.policies])

    run_all(group_policies, range(a.groups))

    # 3. Per user: access key(s), group membership, attached/inline policies.
    def user_setup(i):
        u = users[i]
        iam.create_access_key(UserName=u)
        if i % 10 == 0:
            iam.create_access_key(UserName=u)
        iam.add_user_to_group(GroupName=groups[i % a.groups], UserName=u)
        if i % 2 == 0:
            iam.add_user_to_group(GroupName=groups[(i + 7) % a.groups], UserName=u)
        if i % 4 == 0:
            iam.attach_user_policy(UserName=u, PolicyArn=pol_arns[(i // 4) % a.policies])
        if i % 5 == 0:
            iam.put_user_policy(UserName=u, PolicyName=f"{u}-inline", PolicyDocument=doc(["s3:ListBucket"]))

    run_all(user_setup, range(a.users))

    # 4. Console users (3 with a virtual MFA device).
    def console(i):
        u = users[i]
        iam.create_login_profile(UserName=u, Password="Bench-Passw0rd!", PasswordResetRequired=False)
        if i < 3:
            arn = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{u}-mfa")["VirtualMFADevice"][
                "SerialNumber"
            ]
            iam.enable_mfa_device(UserName=u, SerialNumber=arn, AuthenticationCode1="123456", AuthenticationCode2="654321")

    run_all(console, range(min(a.console_users, a.users)))

    # 5. Account-wide settings: a weak password policy, two alternate contacts.
    iam.update_account_password_policy(
        MinimumPasswordLength=8,
        RequireSymbols=False,
        RequireNumbers=True,
        RequireUppercaseCharacters=False,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
    )
    contacts = 0
    for kind in ("BILLING", "OPERATIONS"):
        try:
            account.put_alternate_contact(
                AlternateContactType=kind,
                Name=f"Bench {kind.title()}",
                Title="Owner",
                EmailAddress=f"{kind.lower()}@example.com",
                PhoneNumber="+1 555 0100",
            )
            contacts += 1
        except Exception as e:  # older moto without the Account API
            print(f"bench_seed: alternate contact {kind}: {e}", file=sys.stderr)
    # 6. S3: buckets over two regions with mixed ACLs, policies, encryption,
    #    public access blocks and access logging; a few CloudFront
    #    distributions in front of some of them.
    regions = ["us-east-1", "eu-west-1"]
    s3 = {r: boto3.client("s3", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}
    log_buckets = {r: f"bench-logs-{r}" for r in regions}
    for r, b in log_buckets.items():
        kw = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
        s3[r].create_bucket(Bucket=b, **kw)
        s3[r].put_bucket_acl(Bucket=b, ACL="log-delivery-write")
    buckets = [f"bench-bucket-{i:04d}" for i in range(a.buckets)]

    def bucket_setup(i):
        b = buckets[i]
        r = regions[i % 2]
        c = s3[r]
        kw = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
        c.create_bucket(Bucket=b, **kw)
        if i % 7 == 0:
            c.put_bucket_acl(Bucket=b, ACL="public-read")
        if i % 4 == 0:
            public = i % 8 == 0
            statement = {
                "Sid": "Read",
                "Effect": "Allow",
                "Principal": "*" if public else {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{b}/*",
            }
            c.put_bucket_policy(Bucket=b, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        if i % 2 == 0:
            c.put_bucket_encryption(
                Bucket=b,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )
        if i % 3 == 0:
            c.put_public_access_block(
                Bucket=b,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        if i % 10 == 0:
            c.put_bucket_logging(
                Bucket=b,
                BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": log_buckets[r], "TargetPrefix": f"{b}/"}},
            )

    run_all(bucket_setup, range(a.buckets))
    cf = boto3.client("cloudfront", region_name="us-east-1", endpoint_url=a.endpoint, config=cfg)

    def distribution(i):
        b = buckets[(i * 2) % max(a.buckets, 1)] if a.buckets else "example-origin"
        cf.create_distribution(
            DistributionConfig={
                "CallerReference": f"bench-{i}",
                "Comment": f"bench {i}",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {"Id": "s3", "DomainName": f"{b}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "s3",
                    "ViewerProtocolPolicy": "allow-all" if i % 2 else "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            }
        )

    run_all(distribution, range(a.distributions))
    pool.shutdown()

    keys = a.users + len(range(0, a.users, 10))
    versions = a.policies + 2 * len(range(0, a.policies, 3))
    print(
        json.dumps(
            {
                "users": a.users,
                "access_keys": keys,
                "groups": a.groups,
                "customer_policies": a.policies,
                "customer_policy_versions": versions,
                "console_users": min(a.console_users, a.users),
                "alternate_contacts": contacts,
                "buckets": a.buckets + len(log_buckets),
                "distributions": a.distributions,
                "seconds": round(time.monotonic() - t0, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
