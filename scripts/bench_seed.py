#!/usr/bin/env python3
"""Seed a large account into moto for scripts/bench.sh.

    python3 scripts/bench_seed.py ENDPOINT [--users N] [--buckets N]
        [--security-groups N] [--instances N] [--rds N] [--trails N]
        [--regions us-east-1,eu-west-1,...] [--s3-regions us-east-1,...] [--workers N]

Creates (defaults): 200 IAM users each with one access key (every tenth with a
second one), 30 customer-managed policies (a third of them with 3 versions),
20 groups with an inline policy and 2 managed policies each, every user in one
or two groups, every fourth user with a managed policy attached directly and
every fifth with an inline policy, 10 users with console passwords (3 of them
with a virtual MFA device), a weak password policy, and two of the three
alternate contacts.

S3 and CloudFront: 1,000 buckets over --s3-regions (default us-east-1 and eu-west-1; mixed ACLs,
policies, encryption, public access blocks, access logging) plus one access-log
bucket per region, and 10 CloudFront distributions in front of some of them.

EC2, RDS and CloudTrail over --regions (default us-east-1, eu-west-1,
ap-southeast-2, us-west-2; resource i goes to region i mod 4):
- 500 security groups in the default VPCs. The k-th group of each region, by
  k mod 10: 0 SSH and HTTPS open to 0.0.0.0/0, 1 RDP open to 0.0.0.0/0, 2 SSH
  and RDP open to ::/0, 3-5 private CIDRs only (10/8, 172.16/12, 192.168/16),
  6-7 a rule naming another seeded group, 8 HTTP/HTTPS open to the world, 9 no
  inbound rule. Every 7th (i mod 7 = 3) is a "launch-wizard-N" group with the
  console's placeholder description, every 3rd has a Purpose tag. The default
  group of the 1st region gets SSH from 0.0.0.0/0, the one of the 3rd region
  HTTPS from 10.0.0.0/8.
- one private AMI registered per region (the instances' image), 100 instances
  (4 in 5 in one or two seeded groups, the rest in the default group; every 3rd
  requires IMDSv2, every 25th has the metadata endpoint off, the rest allow
  IMDSv1), 6 AMIs created from instances (3 public), 8 extra EBS volumes (one
  encrypted and one not per region), 4 snapshots of them (2 public).
- 50 RDS DB instances over the first two regions: every 5th publicly
  accessible, every 3rd (i mod 3 = 2) unencrypted, every 7th without backups,
  half in one of the seeded groups (VpcSecurityGroupIds).
- 20 CloudTrail trails, each with its own S3 bucket (beyond the buckets above):
  trail 0 multi-region in the 1st region, the rest single-region; every 3rd
  with log file validation; every 5th (i mod 5 = 4) not logging.

Prints one line of JSON with the counts. Everything runs on a thread pool
(moto answers one request per thread) and in a fixed order of phases: no
randomness, the same account every run (moto picks the resource ids).
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
EC2_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"


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
    ap.add_argument("--security-groups", type=int, default=500)
    ap.add_argument("--instances", type=int, default=100)
    ap.add_argument("--rds", type=int, default=50, help="RDS DB instances (over the first two regions)")
    ap.add_argument("--trails", type=int, default=20)
    ap.add_argument(
        "--regions",
        default=",".join(EC2_REGIONS),
        help="comma-separated regions for EC2, RDS and CloudTrail (default: %(default)s)",
    )
    ap.add_argument(
        "--s3-regions",
        default="us-east-1,eu-west-1",
        help="comma-separated regions the buckets are spread over (default: %(default)s)",
    )
    ap.add_argument("--workers", type=int, default=16)
    a = ap.parse_args()
    a.regions = [r.strip() for r in a.regions.split(",") if r.strip()]
    if not a.regions:
        ap.error("--regions: at least one region")

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
    phases = {"iam": round(time.monotonic() - t0, 2)}
    # 6. S3: buckets over two regions with mixed ACLs, policies, encryption,
    #    public access blocks and access logging; a few CloudFront
    #    distributions in front of some of them.
    regions = [r.strip() for r in a.s3_regions.split(",") if r.strip()] or ["us-east-1"]
    s3 = {r: boto3.client("s3", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}
    log_buckets = {r: f"bench-logs-{r}" for r in regions}
    for r, b in log_buckets.items():
        kw = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
        s3[r].create_bucket(Bucket=b, **kw)
        s3[r].put_bucket_acl(Bucket=b, ACL="log-delivery-write")
    buckets = [f"bench-bucket-{i:04d}" for i in range(a.buckets)]

    def bucket_setup(i):
        b = buckets[i]
        r = regions[i % len(regions)]
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

    phases["s3_cloudfront"] = round(time.monotonic() - t0 - sum(phases.values()), 2)
    ec2_counts = seed_ec2(a, cfg, run_all)
    phases["ec2"] = round(time.monotonic() - t0 - sum(phases.values()), 2)
    rds_counts = seed_rds(a, cfg, run_all, ec2_counts.pop("_groups"))
    phases["rds"] = round(time.monotonic() - t0 - sum(phases.values()), 2)
    trail_counts = seed_trails(a, cfg, run_all)
    phases["cloudtrail"] = round(time.monotonic() - t0 - sum(phases.values()), 2)
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
                "buckets": a.buckets + len(log_buckets) + trail_counts["trail_buckets"],
                "distributions": a.distributions,
                "regions": a.regions,
                **ec2_counts,
                **rds_counts,
                **{k: v for k, v in trail_counts.items() if k != "trail_buckets"},
                "seconds": round(time.monotonic() - t0, 2),
                "phase_seconds": phases,
            }
        )
    )


def tcp(port, cidrs4=(), cidrs6=(), groups=(), to_port=None, proto="tcp"):
    """One IpPermissions entry."""
    p = {"IpProtocol": proto}
    if proto != "-1":
        p.update(FromPort=port, ToPort=port if to_port is None else to_port)
    if cidrs4:
        p["IpRanges"] = [{"CidrIp": c} for c in cidrs4]
    if cidrs6:
        p["Ipv6Ranges"] = [{"CidrIpv6": c} for c in cidrs6]
    if groups:
        p["UserIdGroupPairs"] = [{"GroupId": g, "Description": "from a sibling tier"} for g in groups]
    return p


SG_KINDS = {  # (i // regions) mod 10 -> (kind, purpose)
    0: ("ssh-open", "bastion"),
    1: ("rdp-open", "windows jump host"),
    2: ("admin-open-v6", "ipv6 admin"),
    3: ("private-ssh", "internal admin"),
    4: ("private-db", "database tier"),
    5: ("private-app", "app tier"),
    6: ("group-ref-db", "database tier"),
    7: ("group-ref-all", "app tier"),
    8: ("web-open", "public web"),
    9: ("no-ingress", "egress only"),
}
OPEN_ADMIN = {"ssh-open", "rdp-open", "admin-open-v6"}


def sg_kind(i, nreg):
    """Group i is the (i // nreg)-th of its region: every region gets every kind."""
    return SG_KINDS[(i // nreg) % 10]


def same_region_group(i, k, n, nreg):
    """Index of a seeded group in the region of index i (i mod nreg), picked by k."""
    per_region = len(range(i % nreg, n, nreg))
    if per_region == 0:
        return None
    return i % nreg + nreg * (k % per_region)


def seed_ec2(a, cfg, run_all):
    """Security groups, AMIs, instances, volumes and snapshots over a.regions."""
    regions, nreg, n = a.regions, len(a.regions), a.security_groups
    ec2 = {r: boto3.client("ec2", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}

    # 1. Per region: the default VPC's default group, and a private AMI for
    #    the instances (moto starts without any: MOTO_EC2_LOAD_DEFAULT_AMIS=false).
    def region_setup(r):
        c = ec2[r]
        default = c.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
        image = c.register_image(
            Name=f"bench-base-{r}",
            Description="bench base image",
            Architecture="x86_64",
            RootDeviceName="/dev/xvda",
            VirtualizationType="hvm",
        )["ImageId"]
        return default["SecurityGroups"][0]["GroupId"], image

    per_region = dict(zip(regions, run_all(region_setup, regions)))

    # 2. Security groups (created first, so the rules can name each other).
    def sg_name(i):
        return f"launch-wizard-{i}" if i % 7 == 3 else f"bench-sg-{i:03d}"

    def make_sg(i):
        r = regions[i % nreg]
        kind, purpose = sg_kind(i, nreg)
        if i % 7 == 3:  # what the console's launch wizard writes
            desc = f"launch-wizard-{i} created 2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00.000+00:00"
        else:
            desc = f"bench {purpose} ({kind}) {i:03d}"
        kw = {}
        if i % 3 == 0:
            kw["TagSpecifications"] = [
                {"ResourceType": "security-group", "Tags": [{"Key": "Purpose", "Value": purpose}]}
            ]
        return ec2[r].create_security_group(GroupName=sg_name(i), Description=desc, **kw)["GroupId"]

    groups = run_all(make_sg, range(n))

    PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

    def sg_rules(i):
        kind = sg_kind(i, nreg)[0]
        other = same_region_group(i, i // nreg + 1, n, nreg)  # the next group of the region
        other = groups[other] if other is not None and other != i else None
        perms = {
            "ssh-open": [tcp(22, [WORLD4]), tcp(443, [WORLD4])],
            "rdp-open": [tcp(3389, [WORLD4])],
            "admin-open-v6": [tcp(22, cidrs6=[WORLD6]), tcp(3389, cidrs6=[WORLD6])],
            "private-ssh": [tcp(22, [PRIVATE[0]])],
            "private-db": [tcp(5432, [PRIVATE[1]]), tcp(443, [PRIVATE[2]])],
            "private-app": [tcp(8080, ["10.20.0.0/16"], to_port=8090)],
            "group-ref-db": [tcp(5432, groups=[other])] if other else [tcp(5432, [PRIVATE[0]])],
            "group-ref-all": ([tcp(0, groups=[other], proto="-1")] if other else []) + [tcp(22, [PRIVATE[0]])],
            "web-open": [tcp(80, [WORLD4], cidrs6=[WORLD6]), tcp(443, [WORLD4], cidrs6=[WORLD6])],
            "no-ingress": [],
        }[kind]
        if perms:
            ec2[regions[i % nreg]].authorize_security_group_ingress(GroupId=groups[i], IpPermissions=perms)

    run_all(sg_rules, range(n))

    # 3. A rule on some default groups (the 1st and 3rd region).
    default_rules = {0: tcp(22, [WORLD4]), 2: tcp(443, ["10.0.0.0/8"])}
    for k, perm in default_rules.items():
        if k < nreg:
            r = regions[k]
            ec2[r].authorize_security_group_ingress(GroupId=per_region[r][0], IpPermissions=[perm])

    # 4. Instances: 4 in 5 in seeded groups of their region (i mod 5 = 1 in
    #    two), the rest in the default group; every 3rd requires IMDSv2, every
    #    25th has the metadata endpoint off, the others allow IMDSv1.
    def metadata(i):
        if i % 25 == 24:
            return {"HttpEndpoint": "disabled", "HttpTokens": "optional"}
        return {"HttpEndpoint": "enabled", "HttpTokens": "required" if i % 3 == 0 else "optional"}

    def instance(i):
        r = regions[i % nreg]
        kw = {}
        sgs = [same_region_group(i, i // nreg * 3, n, nreg), same_region_group(i, i // nreg * 3 + 1, n, nreg)]
        if i % 5 != 4 and sgs[0] is not None:
            kw["SecurityGroupIds"] = [groups[g] for g in sorted(set(sgs if i % 5 == 1 else sgs[:1]))]
        out = ec2[r].run_instances(
            ImageId=per_region[r][1],
            MinCount=1,
            MaxCount=1,
            InstanceType=("t3.micro", "t3.small", "m5.large")[i % 3],
            MetadataOptions=metadata(i),
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"bench-i-{i:03d}"}]}],
            **kw,
        )
        return out["Instances"][0]["InstanceId"]

    instances = run_all(instance, range(a.instances))

    # 5. AMIs from the first instances (every other one public), extra EBS
    #    volumes (one encrypted and one not per region), snapshots of the
    #    first four (the first two public).
    n_amis = min(6, a.instances)

    def ami(k):
        c = ec2[regions[k % nreg]]
        image = c.create_image(InstanceId=instances[k], Name=f"bench-ami-{k}", Description=f"bench image {k}")["ImageId"]
        if k % 2 == 0:
            c.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})

    run_all(ami, range(n_amis))
    n_volumes, n_snapshots, n_public_snapshots = 8, 4, 2

    def volume(k):
        r = regions[k % nreg]
        c = ec2[r]
        v = c.create_volume(
            AvailabilityZone=f"{r}a",
            Size=8 + k,
            VolumeType="gp3",
            Encrypted=(k + k // nreg) % 2 == 0,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"bench-vol-{k}"}]}],
        )["VolumeId"]
        if k < n_snapshots:
            snap = c.create_snapshot(VolumeId=v, Description=f"bench snapshot {k}")["SnapshotId"]
            if k < n_public_snapshots:
                # moto ignores the CreateVolumePermission={Add: ...} form.
                c.modify_snapshot_attribute(
                    SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
                )

    run_all(volume, range(n_volumes))

    kinds = [sg_kind(i, nreg)[0] for i in range(n)]
    return {
        "security_groups": n,
        "security_groups_admin_open_to_world": sum(k in OPEN_ADMIN for k in kinds),
        "security_groups_referencing_a_group": sum(k.startswith("group-ref") for k in kinds),
        "security_groups_launch_wizard": sum(1 for i in range(n) if i % 7 == 3),
        "security_groups_with_purpose_tag": len(range(0, n, 3)),
        "default_groups_with_a_rule": sum(1 for k in default_rules if k < nreg),
        "instances": a.instances,
        "instances_imdsv1": sum(1 for i in range(a.instances) if metadata(i) == {"HttpEndpoint": "enabled", "HttpTokens": "optional"}),
        "amis": nreg + n_amis,
        "public_amis": len(range(0, n_amis, 2)),
        "extra_volumes": n_volumes,
        "snapshots": n_snapshots,
        "public_snapshots": n_public_snapshots,
        "_groups": groups,
    }


def seed_rds(a, cfg, run_all, groups):
    """DB instances over the first two regions."""
    regions = a.regions[:2]
    nreg, n = len(a.regions), len(groups)
    rds = {r: boto3.client("rds", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}
    # moto knows no default version for mariadb (KeyError): name one for all.
    engines = [("postgres", "16.3", 5432), ("mysql", "8.0.35", 3306), ("mariadb", "10.11.6", 3306)]

    def db(i):
        ri = i % len(regions)
        engine, version, port = engines[i % len(engines)]
        kw = {}
        g = same_region_group(ri, i, n, nreg)  # a seeded group of region ri
        if (i // 2) % 2 == 0 and g is not None:
            kw["VpcSecurityGroupIds"] = [groups[g]]
        rds[regions[ri]].create_db_instance(
            DBInstanceIdentifier=f"bench-db-{i:02d}",
            DBInstanceClass="db.t3.micro",
            Engine=engine,
            EngineVersion=version,
            Port=port,
            MasterUsername="benchadmin",
            MasterUserPassword="Bench-Passw0rd",
            AllocatedStorage=20,
            PubliclyAccessible=i % 5 == 0,
            StorageEncrypted=i % 3 != 2,
            BackupRetentionPeriod=0 if i % 7 == 0 else 7,
            Tags=[{"Key": "team", "Value": "bench"}],
            **kw,
        )
        return "VpcSecurityGroupIds" in kw

    in_groups = run_all(db, range(a.rds))
    return {
        "db_instances": a.rds,
        "db_public": len(range(0, a.rds, 5)),
        "db_unencrypted": len(range(2, a.rds, 3)),
        "db_without_backups": len(range(0, a.rds, 7)),
        "db_in_seeded_groups": sum(in_groups),
    }


def seed_trails(a, cfg, run_all):
    """Trails, each with its own bucket in the trail's home region."""
    regions, nreg = a.regions, len(a.regions)
    s3 = {r: boto3.client("s3", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}
    ct = {r: boto3.client("cloudtrail", region_name=r, endpoint_url=a.endpoint, config=cfg) for r in regions}

    def trail(i):
        r = regions[i % nreg]
        name, bucket = f"bench-trail-{i:02d}", f"bench-trail-{i:02d}-{r}"
        kw = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
        s3[r].create_bucket(Bucket=bucket, **kw)
        svc = {"Service": "cloudtrail.amazonaws.com"}
        s3[r].put_bucket_policy(
            Bucket=bucket,
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "AclCheck", "Effect": "Allow", "Principal": svc, "Action": "s3:GetBucketAcl",
                         "Resource": f"arn:aws:s3:::{bucket}"},
                        {"Sid": "Write", "Effect": "Allow", "Principal": svc, "Action": "s3:PutObject",
                         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
                         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
                    ],
                }
            ),
        )
        ct[r].create_trail(
            Name=name,
            S3BucketName=bucket,
            IsMultiRegionTrail=i == 0,
            IncludeGlobalServiceEvents=i == 0,
            EnableLogFileValidation=i % 3 == 0,
        )
        if i % 5 != 4:
            ct[r].start_logging(Name=name)

    run_all(trail, range(a.trails))
    return {
        "trails": a.trails,
        "trails_multi_region": min(a.trails, 1),
        "trails_log_file_validation": len(range(0, a.trails, 3)),
        "trails_logging": a.trails - len(range(4, a.trails, 5)),
        "trail_buckets": a.trails,
    }


if __name__ == "__main__":
    main()
