#!/usr/bin/env python3
"""A counting HTTP proxy in front of moto, for scripts/bench.sh.

    python3 scripts/bench_proxy.py serve UPSTREAM_PORT LOG
        Listens on 127.0.0.1 (a free port), forwards every request to
        127.0.0.1:UPSTREAM_PORT unchanged, and appends one JSON line per
        request to LOG: {"service", "op", "params"}. Prints "READY <port>"
        once listening. SIGTERM/SIGINT exit at once.
    python3 scripts/bench_proxy.py report LOG [--users N] [--security-groups N]
            [--rds N] [--json]
        Prints the request tables of one run (or its summary as JSON). The
        counts are the seeded ones (scripts/bench_seed.py), for the "per
        resource" figures: all EC2 requests / security groups, all RDS
        requests / DB instances.

service is the SigV4 credential scope's service (Authorization header, or
X-Amz-Credential for a presigned URL): ec2, rds, iam, sts, s3, cloudtrail,
monitoring (CloudWatch), logs, kms, sns, route53, elasticloadbalancing, ...
op is the operation's name, from
- the Action= form field for the query protocols (EC2, RDS, IAM, STS, SNS,
  ELB, ...), in the body or the query string;
- the X-Amz-Target header for the JSON protocols (CloudTrail, CloudWatch Logs,
  KMS, WAFv2, Config, ...: "CloudTrail_20131101.DescribeTrails" counts as
  DescribeTrails);
- the path /service/<Service>/operation/<Op> for Smithy RPC v2 CBOR
  (CloudWatch in the Rust SDK);
- the method and path for the REST protocols (S3, S3 Control, CloudFront,
  Route 53, Account, GuardDuty, Inspector2, Lambda, ...), matched against
  botocore's model of the service (its http method and requestUri per
  operation; the most specific match wins). Without botocore, or when no
  operation matches, op is "METHOD /path" with resource ids replaced by {id}
  (S3: "METHOD ?subresource" or "METHOD /BUCKET"). S3 requests are path-style
  (/BUCKET/KEY?sub); S3 Control's (/v20180820/...) are counted under s3 with
  op "<Op> (s3control)".
params keeps what names a resource: the form or JSON fields in
RESOURCE_PARAMS (GroupId.1 counts as GroupId; several are joined with ","),
the path's labels among them, and the bucket of an S3 request.
"""

import collections
import http.client
import http.server
import json
import os
import re
import signal
import socketserver
import statistics
import sys
import threading
import urllib.parse

RESOURCE_PARAMS = (
    "UserName",
    "GroupName",
    "RoleName",
    "PolicyArn",
    "VersionId",
    "AccessKeyId",
    "AlternateContactType",
    "GroupId",
    "InstanceId",
    "ImageId",
    "SnapshotId",
    "VolumeId",
    "DBInstanceIdentifier",
    "DBClusterIdentifier",
    "TrailName",
    "KeyId",
    "DetectorId",
    "Bucket",
)
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
QUERY_SCOPE = re.compile(r"^[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request$")
CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([^/]+)$")
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "content-length"}

# SigV4 signing name -> botocore model, where they differ (else the same name).
REST_MODELS = {"access-analyzer": "accessanalyzer", "elasticfilesystem": "efs", "es": "opensearch"}
_ROUTES = {}
_ROUTES_LOCK = threading.Lock()


def _routes(model_name):
    """[(method, path regex, required query {key: value or None}, required
    headers, specificity, op)] of a REST service from botocore's model; []
    without botocore or the model."""
    with _ROUTES_LOCK:
        if model_name in _ROUTES:
            return _ROUTES[model_name]
        routes = []
        try:
            import botocore.session

            model = botocore.session.get_session().get_service_model(model_name)
            if model.protocol in ("rest-json", "rest-xml"):
                for name in model.operation_names:
                    om = model.operation_model(name)
                    h = om.http
                    # PutObject and CopyObject share PUT /{Bucket}/{Key+}: CopyObject
                    # requires x-amz-copy-source.
                    shape = om.input_shape
                    headers = [
                        shape.members[m].serialization.get("name", m).lower()
                        for m in (shape.required_members if shape else [])
                        if shape.members[m].serialization.get("location") == "header"
                    ]
                    path, _, query = h.get("requestUri", "/").partition("?")
                    required = {}
                    for kv in filter(None, query.split("&")):
                        k, _, v = kv.partition("=")
                        if k != "x-id":  # a hint some SDKs send; used directly below
                            required[k] = v or None
                    regex, literal = "", 0
                    for part in re.split(r"(\{[^}]+\})", path):
                        if part.startswith("{"):
                            label = part[1:-1]
                            greedy = label.endswith("+")
                            label = re.sub(r"\W", "_", label.rstrip("+"))
                            regex += f"(?P<{label}>{'.+' if greedy else '[^/]+'})"
                        else:
                            regex += re.escape(part)
                            literal += len(part)
                    rank = (len(required) + len(headers), literal)
                    routes.append((h.get("method", "GET"), re.compile(f"^{regex.rstrip('/')}/?$"), required, headers, rank, name))
        except Exception:  # no botocore, or no such model: fall back to the path
            routes = []
        _ROUTES[model_name] = routes
        return routes


def rest_operation(model_name, method, path, query, headers):
    """(op, path labels) of a REST request, or (None, {}). headers: lower-case names."""
    if "x-id" in query:
        return query["x-id"][0], {}
    best = None
    for m, regex, required, needed, rank, name in _routes(model_name):
        if m != method:
            continue
        match = regex.match(path)
        if not match or any(k not in query or (v is not None and v not in query[k]) for k, v in required.items()):
            continue
        if any(k not in headers for k in needed):
            continue
        if best is None or rank > best[0]:
            best = (rank, name, match.groupdict())
    return (best[1], best[2]) if best else (None, {})


ID_AFTER = re.compile(
    r"/(distribution|origin-access-control|hostedzone|healthcheck|change|delegationset|detector|filter|"
    r"functions|trafficpolicy|trafficpolicyinstance|publishingDestination|ipset|threatintelset)/([^/?]+)"
)
ID_LIKE = re.compile(r"/(arn(:|%3A)[^/]+|[A-Za-z]*[0-9][A-Za-z0-9_-]{7,})(?=/|$)")
DATE = re.compile(r"^/(\d{4}-\d{2}-\d{2}|v\d{8})(?=/|$)")  # API versions in paths


def normalize_path(path):
    """A REST path with its resource ids replaced by {id} (the fallback op)."""
    path = ID_AFTER.sub(r"/\1/{id}", path)
    head = DATE.match(path)
    head = head.group(0) if head else ""
    return head + ID_LIKE.sub("/{id}", path[len(head):])


def classify(method, raw_path, headers, body):
    """(service, op, params) of one request."""
    h = {k.lower(): v for k, v in headers.items()}
    url = urllib.parse.urlsplit(raw_path)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    m = SCOPE.search(h.get("authorization", ""))
    if not m and "X-Amz-Credential" in query:
        m = QUERY_SCOPE.search(query["X-Amz-Credential"][0])
    service = m.group(1) if m else "?"

    form = {}
    ctype = h.get("content-type", "")
    if "x-www-form-urlencoded" in ctype or (body[:1] not in (b"{", b"<", b"") and b"Action=" in body):
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if "Action" not in form and "Action" in query:
        form = {k: v[0] for k, v in query.items()}
    params = {}
    for k, v in form.items():
        base = re.sub(r"\.\d+$", "", k)
        if base in RESOURCE_PARAMS:
            params[base] = f"{params[base]},{v}" if base in params else v
    if body[:1] == b"{":
        try:
            j = json.loads(body)
            params.update({k: j[k] for k in RESOURCE_PARAMS if isinstance(j, dict) and isinstance(j.get(k), str)})
        except ValueError:
            pass

    target = h.get("x-amz-target")
    cbor = CBOR_PATH.match(url.path)
    if form.get("Action"):
        op = form["Action"]
    elif target:
        op = target.rsplit(".", 1)[-1]
    elif cbor:
        op = cbor.group(1)
    elif service == "s3" and url.path.startswith("/v20180820/"):
        name, _ = rest_operation("s3control", method, url.path, query, h)
        op = f"{name or method + ' ' + normalize_path(url.path)} (s3control)"
    elif service == "s3":
        # Path-style S3: /BUCKET[/KEY]?SUBRESOURCE
        bucket = urllib.parse.unquote(url.path.lstrip("/").split("/", 1)[0])
        op, _ = rest_operation("s3", method, url.path, query, h)
        if op is None:
            if not bucket:
                op = f"{method} / (ListBuckets)"
            else:
                op = f"{method} {'?' + ','.join(sorted(query)) if query else '/BUCKET'}"
        if bucket:
            params["Bucket"] = bucket
    else:
        op, labels = rest_operation(REST_MODELS.get(service, service), method, url.path, query, h)
        if op is None:
            op = f"{method} {normalize_path(url.path)}"
        params.update({k: urllib.parse.unquote(v) for k, v in labels.items() if k in RESOURCE_PARAMS})
    return service, op, params


def serve(upstream_port, log_path):
    log = open(log_path, "a", buffering=1)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _forward(self):
            body = self._body()
            service, op, params = classify(self.command, self.path, self.headers, body)
            with lock:
                log.write(json.dumps({"service": service, "op": op, "params": params}) + "\n")

            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=300)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            finally:
                conn.close()
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        request_queue_size = 256

    srv = Server(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    print(f"READY {srv.server_port}", flush=True)
    srv.serve_forever()


def per_resource(rows, service, param, seeded):
    """Requests of one service against a seeded count of its resources."""
    total = sum(1 for r in rows if r["service"] == service)
    named = collections.Counter(
        v for r in rows if r["service"] == service and param in r["params"] for v in r["params"][param].split(",")
    )
    return {
        "seeded": seeded,
        "requests": total,
        "requests_naming_one": sum(1 for r in rows if r["service"] == service and param in r["params"]),
        "distinct_named": len(named),
        "requests_per_resource": round(total / seeded, 2) if seeded else None,
    }


def summarize(log_path, users, security_groups=None, db_instances=None):
    rows = [json.loads(line) for line in open(log_path) if line.strip()]
    per_service = collections.Counter(r["service"] for r in rows)
    per_op = collections.Counter((r["service"], r["op"]) for r in rows)
    per_user = collections.Counter(r["params"]["UserName"] for r in rows if "UserName" in r["params"])
    versions = collections.Counter(
        (r["params"].get("PolicyArn"), r["params"].get("VersionId")) for r in rows if r["op"] == "GetPolicyVersion"
    )
    counts = [per_user.get(f"bench-user-{i:03d}", 0) for i in range(users)] if users else list(per_user.values())
    per_bucket = collections.Counter(r["params"]["Bucket"] for r in rows if "Bucket" in r["params"])
    s3_total = per_service.get("s3", 0)
    b_counts = list(per_bucket.values())
    return {
        "total": len(rows),
        "per_bucket": {
            "buckets": len(per_bucket),
            "requests_naming_a_bucket": sum(b_counts),
            "min": min(b_counts, default=0),
            "median": statistics.median(b_counts) if b_counts else 0,
            "max": max(b_counts, default=0),
            "s3_requests_per_bucket": round(s3_total / len(per_bucket), 2) if per_bucket else None,
        },
        "per_service": dict(per_service.most_common()),
        "per_operation": {f"{s} {o}": n for (s, o), n in per_op.most_common()},
        "per_user": {
            "users": users,
            "requests_naming_a_user": sum(per_user.values()),
            "min": min(counts, default=0),
            "median": statistics.median(counts) if counts else 0,
            "max": max(counts, default=0),
            "total_per_user": round(len(rows) / users, 2) if users else None,
        },
        "per_security_group": per_resource(rows, "ec2", "GroupId", security_groups),
        "per_db_instance": per_resource(rows, "rds", "DBInstanceIdentifier", db_instances),
        "policy_versions": {
            "GetPolicyVersion": sum(versions.values()),
            "distinct": len(versions),
            "fetched_more_than_once": sum(1 for n in versions.values() if n > 1),
        },
    }


def print_report(s):
    print(f"requests sent: {s['total']}")
    print("\n| service | requests |\n|---|---:|")
    for k, n in s["per_service"].items():
        print(f"| {k} | {n} |")
    print("\n| service operation | requests |\n|---|---:|")
    for k, n in s["per_operation"].items():
        print(f"| {k} | {n} |")
    u = s["per_user"]
    print("\n| per IAM user | |\n|---|---:|")
    print(f"| users | {u['users']} |")
    print(f"| requests naming a user (UserName=) | {u['requests_naming_a_user']} |")
    print(f"| per user: min / median / max | {u['min']} / {u['median']} / {u['max']} |")
    print(f"| all requests / users | {u['total_per_user']} |")
    b = s["per_bucket"]
    print("\n| per S3 bucket | |\n|---|---:|")
    print(f"| buckets | {b['buckets']} |")
    print(f"| requests naming a bucket | {b['requests_naming_a_bucket']} |")
    print(f"| per bucket: min / median / max | {b['min']} / {b['median']} / {b['max']} |")
    print(f"| all S3 requests / buckets | {b['s3_requests_per_bucket']} |")
    for key, title, service, param in (
        ("per_security_group", "per EC2 security group", "EC2", "GroupId"),
        ("per_db_instance", "per RDS DB instance", "RDS", "DBInstanceIdentifier"),
    ):
        r = s[key]
        seeded = "n/a" if r["seeded"] is None else r["seeded"]
        per = "n/a" if r["requests_per_resource"] is None else r["requests_per_resource"]
        print(f"\n| {title} | |\n|---|---:|")
        print(f"| seeded | {seeded} |")
        print(f"| {service} requests | {r['requests']} |")
        print(f"| requests naming one ({param}=) | {r['requests_naming_one']} ({r['distinct_named']} distinct) |")
        print(f"| all {service} requests / seeded | {per} |")
    p = s["policy_versions"]
    print(
        f"\nGetPolicyVersion: {p['GetPolicyVersion']} requests for {p['distinct']} distinct versions, "
        f"{p['fetched_more_than_once']} fetched more than once"
    )


def main(argv):
    if argv[1:2] in (["-h"], ["--help"]):
        print(__doc__)
    elif len(argv) == 4 and argv[1] == "serve":
        serve(int(argv[2]), argv[3])
    elif len(argv) >= 3 and argv[1] == "report":

        def opt(name):
            return int(argv[argv.index(name) + 1]) if name in argv else None

        s = summarize(argv[2], opt("--users") or 0, opt("--security-groups"), opt("--rds"))
        if "--json" in argv:
            print(json.dumps(s))
        else:
            print_report(s)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
