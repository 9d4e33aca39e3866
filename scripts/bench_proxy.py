#!/usr/bin/env python3
"""A counting HTTP proxy in front of moto, for scripts/bench.sh.

    python3 scripts/bench_proxy.py serve UPSTREAM_PORT LOG
        Listens on 127.0.0.1 (a free port), forwards every request to
        127.0.0.1:UPSTREAM_PORT unchanged, and appends one JSON line per
        request to LOG: {"service", "op", "params"}. Prints "READY <port>"
        once listening. SIGTERM/SIGINT exit at once.
    python3 scripts/bench_proxy.py report LOG [--users N] [--json]
        Prints the request tables of one run (or its summary as JSON).

service is the SigV4 credential scope's service (Authorization header);
op is the form's Action= for query protocols (IAM, STS) and the REST path
for the others (Account: /getAlternateContact). params keeps the form fields
that name a resource (UserName, GroupName, PolicyArn, VersionId, ...), and
for path-style S3 the bucket (op is then "METHOD ?subresource").
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

RESOURCE_PARAMS = ("UserName", "GroupName", "RoleName", "PolicyArn", "VersionId", "AccessKeyId", "AlternateContactType")
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "content-length"}


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
            m = SCOPE.search(self.headers.get("Authorization", ""))
            service = m.group(1) if m else "?"
            path = urllib.parse.urlsplit(self.path)
            form = {}
            if b"Action=" in body:
                form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            elif "Action=" in path.query:
                form = dict(urllib.parse.parse_qsl(path.query))
            op = form.get("Action") or path.path
            params = {k: form[k] for k in RESOURCE_PARAMS if k in form}
            target = self.headers.get("X-Amz-Target")
            if target:
                op = target.rsplit(".", 1)[-1]
            if service == "cloudfront":
                op = re.sub(r"/(distribution|origin-access-control)/[A-Za-z0-9]+", r"/\1/{id}", op)
                op = f"{self.command} {op}"
            if service == "s3" and not path.path.startswith("/v20180820/"):
                # Path-style S3: /BUCKET[/KEY]?SUBRESOURCE
                bucket = path.path.lstrip("/").split("/", 1)[0]
                sub = urllib.parse.parse_qs(path.query, keep_blank_values=True)
                if not bucket:
                    op = f"{self.command} / (ListBuckets)"
                else:
                    op = f"{self.command} {'?' + ','.join(sorted(sub)) if sub else '/BUCKET'}"
                if bucket:
                    params["Bucket"] = bucket
            if not form and body[:1] == b"{":
                try:
                    j = json.loads(body)
                    params = {k: j[k] for k in RESOURCE_PARAMS if k in j}
                except ValueError:
                    pass
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


def summarize(log_path, users):
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
    p = s["policy_versions"]
    print(
        f"\nGetPolicyVersion: {p['GetPolicyVersion']} requests for {p['distinct']} distinct versions, "
        f"{p['fetched_more_than_once']} fetched more than once"
    )


def main(argv):
    if len(argv) == 4 and argv[1] == "serve":
        serve(int(argv[2]), argv[3])
    elif len(argv) >= 3 and argv[1] == "report":
        users = int(argv[argv.index("--users") + 1]) if "--users" in argv else 0
        s = summarize(argv[2], users)
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
