#!/usr/bin/env python3
"""Seed an AWS Organization into moto for scripts/bench_org.sh.

    python3 scripts/bench_org_seed.py ENDPOINT --members N
        [--regions us-east-1,eu-west-1] [--workers N]

As moto's default account (123456789012, credentials "testing"), the
management account: creates the organization (FeatureSet ALL) and N member
accounts with organizations:CreateAccount. moto makes the
OrganizationAccountAccessRole in each member, trusting the management
account (arn:aws:iam::123456789012:root), as AWS does.

Then seeds every member lightly, acting as that member (moto's
`x-moto-account-id` header on each request, added by a botocore
before-sign hook):
- 3 IAM users (ci-deploy, alice, bob); ci-deploy has an access key;
- 2 S3 buckets, `bench-org-<id>-app` in the first region (encrypted,
  public access blocked) and `bench-org-<id>-logs` in the second (or the
  first when only one is given; neither setting);
- one EC2 security group per region in the default VPC, `bench-org-ssh`,
  with SSH (22/tcp) open to 0.0.0.0/0.
The management account itself gets nothing beyond the organization.

Last, one request without the header (sts:GetCallerIdentity as the
management account): moto finds the account of such a request by looking
its access key up in every account's IAM backend of every partition, and
makes each backend it has not made yet, with AWS's ~1,500 managed policies
(MOTO_IAM_LOAD_MANAGED_POLICIES=true, as the launcher sets): about a second
and 35 MB per new account, once. That happens here rather than in the
benchmark's first scan (every request moat sends comes without the header).

Prints one line of JSON: the member ids, the counts and the seconds taken
(per phase). The members are seeded in parallel on a thread pool (moto
answers one request per thread); no randomness but moto's account ids.
"""

import argparse
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

MANAGEMENT = "123456789012"  # moto's default account id
USERS = ("ci-deploy", "alice", "bob")
WORLD4 = "0.0.0.0/0"

# The account the current thread acts as.
_acting = threading.local()


def _as_member(request, **_):
    """botocore before-sign hook: send the request as the thread's account
    (the management account's requests carry its id too, which spares moto
    the account lookup described above until the end)."""
    account = getattr(_acting, "account", None)
    if account:
        request.headers["x-moto-account-id"] = account


def client(service, region, endpoint, cfg):
    c = boto3.client(service, region_name=region, endpoint_url=endpoint, config=cfg)
    c.meta.events.register("before-sign.*.*", _as_member)
    return c


def main():
    ap = argparse.ArgumentParser(description="Seed an AWS Organization into moto (see the module docstring).")
    ap.add_argument("endpoint")
    ap.add_argument("--members", type=int, required=True, help="member accounts to create")
    ap.add_argument("--regions", default="us-east-1,eu-west-1", help="comma-separated (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=16)
    a = ap.parse_args()
    regions = [r.strip() for r in a.regions.split(",") if r.strip()]
    if not regions:
        ap.error("--regions: at least one region")
    if a.members < 0:
        ap.error("--members: 0 or more")

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    cfg = Config(retries={"max_attempts": 3}, max_pool_connections=a.workers * 2)
    t0 = time.monotonic()
    phases = {}

    # 1. The organization and its members, as the management account.
    org = client("organizations", "us-east-1", a.endpoint, cfg)
    _acting.account = MANAGEMENT
    org.create_organization(FeatureSet="ALL")
    pool = ThreadPoolExecutor(max_workers=a.workers)

    def create_account(i):
        _acting.account = MANAGEMENT
        status = org.create_account(AccountName=f"bench-member-{i:03d}", Email=f"bench-member-{i:03d}@example.com")[
            "CreateAccountStatus"
        ]
        if status.get("State") != "SUCCEEDED" or not status.get("AccountId"):
            raise SystemExit(f"bench_org_seed: CreateAccount {i}: {status}")
        return status["AccountId"]

    # One at a time: moto makes each new account's backends as it goes, and
    # the members join in the order of their names.
    members = [create_account(i) for i in range(a.members)]
    listed = [
        acct
        for page in org.get_paginator("list_accounts").paginate()
        for acct in page["Accounts"]
    ]
    active = {x["Id"] for x in listed if x.get("Status") == "ACTIVE"}
    missing = [m for m in members if m not in active]
    if missing or MANAGEMENT not in active:
        raise SystemExit(f"bench_org_seed: not ACTIVE in ListAccounts: {missing or [MANAGEMENT]}")
    phases["organization"] = round(time.monotonic() - t0, 2)

    # 2. Each member, as that member.
    iam = client("iam", "us-east-1", a.endpoint, cfg)
    s3 = {r: client("s3", r, a.endpoint, cfg) for r in regions}
    ec2 = {r: client("ec2", r, a.endpoint, cfg) for r in regions}
    bucket_regions = [regions[0], regions[1 % len(regions)]]

    def seed_member(account):
        _acting.account = account
        try:
            role = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]["Arn"]
            if f"::{account}:" not in role:
                raise SystemExit(f"bench_org_seed: {account}: the header did not reach moto ({role})")
            for u in USERS:
                iam.create_user(UserName=u, Tags=[{"Key": "team", "Value": "bench-org"}])
            iam.create_access_key(UserName=USERS[0])
            for k, (suffix, r) in enumerate(zip(("app", "logs"), bucket_regions)):
                b = f"bench-org-{account}-{suffix}"
                kw = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
                s3[r].create_bucket(Bucket=b, **kw)
                if k == 0:
                    s3[r].put_bucket_encryption(
                        Bucket=b,
                        ServerSideEncryptionConfiguration={
                            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                        },
                    )
                    s3[r].put_public_access_block(
                        Bucket=b,
                        PublicAccessBlockConfiguration={
                            "BlockPublicAcls": True,
                            "IgnorePublicAcls": True,
                            "BlockPublicPolicy": True,
                            "RestrictPublicBuckets": True,
                        },
                    )
            for r in regions:
                group = ec2[r].create_security_group(GroupName="bench-org-ssh", Description="bench: SSH from anywhere")
                ec2[r].authorize_security_group_ingress(
                    GroupId=group["GroupId"],
                    IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": WORLD4}]}],
                )
        finally:
            _acting.account = None

    list(pool.map(seed_member, members))  # list() re-raises a worker's exception
    pool.shutdown()
    phases["members"] = round(time.monotonic() - t0 - sum(phases.values()), 2)

    # 3. moto's account lookup, made once for every account (docstring).
    _acting.account = None
    caller = client("sts", "us-east-1", a.endpoint, cfg).get_caller_identity()["Account"]
    if caller != MANAGEMENT:
        raise SystemExit(f"bench_org_seed: the caller is {caller}, not the management account {MANAGEMENT}")
    phases["moto_account_lookup"] = round(time.monotonic() - t0 - sum(phases.values()), 2)

    print(
        json.dumps(
            {
                "management_account": MANAGEMENT,
                "members": len(members),
                "member_ids": members,
                "accounts_active": len(active),
                "regions": regions,
                "per_member": {
                    "users": len(USERS),
                    "access_keys": 1,
                    "buckets": len(bucket_regions),
                    "security_groups_ssh_open": len(regions),
                },
                "users": len(USERS) * len(members),
                "buckets": len(bucket_regions) * len(members),
                "security_groups": len(regions) * len(members),
                "seconds": round(time.monotonic() - t0, 2),
                "phase_seconds": phases,
            }
        )
    )


if __name__ == "__main__":
    main()
