#!/usr/bin/env python3
"""Start moto's server for moat's integration tests.

    python3 tests/support/moto_launcher.py PORT

- Binds 127.0.0.1:PORT only (never 0.0.0.0). PORT 0 lets the OS choose.
- Prints exactly one line to stdout once the socket is listening:
      READY <port> <pid>
  and nothing else afterwards (logs go to stderr).
- Exit codes: 3 = moto (or its server extra) is not installed, 4 = the port
  could not be bound (e.g. taken by someone else: pick another and retry),
  5 = the moto version is not one this launcher knows how to patch.
- SIGTERM / SIGINT exit immediately (moto_server's own handler can take
  seconds); the server also exits by itself when its parent process dies, so
  a killed test run leaves nothing behind (and deletes the log file named by
  MOAT_TEST_MOTO_LOG, if any).
- If MOAT_TEST_PIDDIR is set, writes its pid there as an empty file named
  after the pid (removed on a clean exit) so scripts/test.sh can reap
  strays.

Patches applied to moto 5.2.x before serving:
- S3 GetBucketVersioning: moto answers with root element
  <GetBucketVersioningResponse>; real S3 (and the AWS SDKs' parsers) use
  <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">.
- Smithy RPC v2 CBOR (the protocol the Rust SDK uses for CloudWatch): moto
  5.2 parses only the JSON and query protocols, so a CBOR request
  (POST /service/<Service>/operation/<Operation>, header smithy-protocol:
  rpc-v2-cbor) is translated to the service's JSON protocol (X-Amz-Target)
  before moto sees it, and moto's JSON answer back to CBOR, field types
  (timestamps, blobs, numbers) taken from botocore's service model.
- S3 ListBuckets: moto names a fixed made-up Owner id; real S3 names the
  account's canonical user, the owner every bucket ACL names.
"""

import logging
import os
import re
import signal
import sys
import threading
import time

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"

# Environment moto reads at import time: set before importing it.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def log(msg):
    sys.stderr.write(f"moto_launcher[{os.getpid()}]: {msg}\n")
    sys.stderr.flush()


_PIDFILE = None


def _remove_pidfile():
    if _PIDFILE:
        try:
            os.unlink(_PIDFILE)
        except OSError:
            pass


def _exit_now(code):
    _remove_pidfile()
    sys.stderr.flush()
    os._exit(code)


def _on_signal(signum, _frame):
    _exit_now(0)


def _watch_parent(parent_pid):
    # Reparenting (to init or a subreaper) means the test process is gone.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            # Nobody will read the log of a test process that was killed.
            orphan_log = os.environ.get("MOAT_TEST_MOTO_LOG")
            if orphan_log:
                try:
                    os.unlink(orphan_log)
                except OSError:
                    pass
            _exit_now(0)


_VERSIONING_OPEN = re.compile(rb"<GetBucketVersioningResponse\b[^>]*?(/?)>")
_VERSIONING_CLOSE = re.compile(rb"</GetBucketVersioningResponse\s*>")


def fix_versioning_body(body):
    """Rename moto's GetBucketVersioningResponse root to VersioningConfiguration."""
    is_str = isinstance(body, str)
    raw = body.encode("utf-8") if is_str else body
    if not isinstance(raw, (bytes, bytearray)):
        return body
    root = f'<VersioningConfiguration xmlns="{S3_NS}"'.encode()
    raw = _VERSIONING_OPEN.sub(lambda m: root + m.group(1) + b">", raw)
    raw = _VERSIONING_CLOSE.sub(b"</VersioningConfiguration>", raw)
    return raw.decode("utf-8") if is_str else bytes(raw)


def patch_moto():
    from moto.s3.responses import S3Response

    original = getattr(S3Response, "get_bucket_versioning", None)
    if original is None:
        log(
            "moto's S3Response.get_bucket_versioning not found: this launcher "
            "supports moto 5.2.x"
        )
        _exit_now(5)

    def get_bucket_versioning(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if isinstance(result, tuple) and len(result) == 3:
            status, headers, body = result
            return status, headers, fix_versioning_body(body)
        if isinstance(result, (str, bytes)):
            return fix_versioning_body(result)
        return result

    S3Response.get_bucket_versioning = get_bucket_versioning

    # ListBuckets names a made-up owner; real S3 names the account's
    # canonical user, the same id every bucket ACL names as owner.
    from moto.s3.models import OWNER

    original_list = getattr(S3Response, "all_buckets", None)
    if original_list is not None:

        def all_buckets(self, *args, **kwargs):
            result = original_list(self, *args, **kwargs)
            fake, real = "bcaf1ffd86f41161ca5fb16fd081034f", OWNER

            def fix(body):
                if isinstance(body, str):
                    return body.replace(fake, real)
                if isinstance(body, (bytes, bytearray)):
                    return bytes(body).replace(fake.encode(), real.encode())
                return body

            if isinstance(result, tuple) and len(result) == 3:
                status, headers, body = result
                return status, headers, fix(body)
            return fix(result)

        S3Response.all_buckets = all_buckets


def load_aws_behaviours():
    """Teach moto the AWS behaviours it lacks or gets wrong.

    Each module in `aws_behaviours/` (beside this file) is one behaviour,
    with a docstring citing the AWS documentation it follows, and a
    `patch()` function that monkey-patches moto (or wraps its responses)
    before the server starts. Modules are applied in name order; a module
    whose patch fails stops the launcher (exit 5), so a test never runs
    against an emulator that only half follows AWS.
    """
    import importlib.util

    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws_behaviours")
    if not os.path.isdir(folder):
        return
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        path = os.path.join(folder, name)
        spec = importlib.util.spec_from_file_location(f"aws_behaviours.{name[:-3]}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            module.patch()
        except Exception as err:  # a half-taught emulator would hide AWS behaviour
            log(f"aws_behaviours/{name}: {err!r}")
            _exit_now(5)


# ---------------------------------------------------------------------------
# Smithy RPC v2 CBOR <-> JSON protocol

import base64
import io
import json
import struct


class _Tag:
    def __init__(self, tag, value):
        self.tag = tag
        self.value = value


def cbor_decode(data):
    pos = [0]

    def byte():
        b = data[pos[0]]
        pos[0] += 1
        return b

    def take(n):
        out = data[pos[0]:pos[0] + n]
        pos[0] += n
        return out

    def arg(info):
        if info < 24:
            return info
        if info == 24:
            return byte()
        if info == 25:
            return struct.unpack(">H", take(2))[0]
        if info == 26:
            return struct.unpack(">I", take(4))[0]
        if info == 27:
            return struct.unpack(">Q", take(8))[0]
        if info == 31:
            return None
        raise ValueError("bad CBOR length")

    BREAK = object()

    def item():
        ib = byte()
        major, info = ib >> 5, ib & 31
        if major == 7:
            if info == 20:
                return False
            if info == 21:
                return True
            if info in (22, 23):
                return None
            if info == 25:
                return struct.unpack(">e", take(2))[0]
            if info == 26:
                return struct.unpack(">f", take(4))[0]
            if info == 27:
                return struct.unpack(">d", take(8))[0]
            if info == 31:
                return BREAK
            return None
        n = arg(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while True:
                    x = item()
                    if x is BREAK:
                        break
                    parts.append(x)
                raw = b"".join(p if isinstance(p, bytes) else p.encode() for p in parts)
            else:
                raw = bytes(take(n))
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            out = []
            while n is None or len(out) < n:
                x = item()
                if x is BREAK:
                    break
                out.append(x)
            return out
        if major == 5:
            out = {}
            count = 0
            while n is None or count < n:
                k = item()
                if k is BREAK:
                    break
                out[k] = item()
                count += 1
            return out
        if major == 6:
            return _Tag(n, item())
        raise ValueError("bad CBOR")

    return item() if data else {}


def cbor_encode(v):
    def head(major, n):
        if n < 24:
            return bytes([(major << 5) | n])
        if n < 256:
            return bytes([(major << 5) | 24, n])
        if n < 65536:
            return bytes([(major << 5) | 25]) + struct.pack(">H", n)
        if n < 2 ** 32:
            return bytes([(major << 5) | 26]) + struct.pack(">I", n)
        return bytes([(major << 5) | 27]) + struct.pack(">Q", n)

    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, _Tag):
        return head(6, v.tag) + cbor_encode(v.value)
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(v, (list, tuple)):
        return head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(
            cbor_encode(k) + cbor_encode(x) for k, x in v.items()
        )
    raise TypeError(f"cannot encode {type(v)}")


def _epoch(v):
    if isinstance(v, (int, float)):
        return float(v)
    from datetime import datetime

    return datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()


def cbor_to_json(v, shape):
    """A decoded CBOR request value as the JSON protocol writes it."""
    if isinstance(v, _Tag):
        v = v.value
    if shape is None or v is None:
        return v
    t = shape.type_name
    if t == "structure" and isinstance(v, dict):
        return {k: cbor_to_json(x, shape.members.get(k)) for k, x in v.items()}
    if t == "list" and isinstance(v, list):
        return [cbor_to_json(x, shape.member) for x in v]
    if t == "map" and isinstance(v, dict):
        return {k: cbor_to_json(x, shape.value) for k, x in v.items()}
    if t == "blob" and isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if t == "timestamp":
        return _epoch(v)
    return v


def json_to_cbor(v, shape):
    """A JSON-protocol answer value as RPC v2 CBOR wants it."""
    if shape is None or v is None:
        return v
    t = shape.type_name
    if t == "structure" and isinstance(v, dict):
        return {
            k: json_to_cbor(x, shape.members[k])
            for k, x in v.items()
            if k in shape.members and x is not None
        }
    if t == "list" and isinstance(v, list):
        return [json_to_cbor(x, shape.member) for x in v]
    if t == "map" and isinstance(v, dict):
        return {k: json_to_cbor(x, shape.value) for k, x in v.items()}
    if t == "timestamp":
        return _Tag(1, _epoch(v))
    if t == "blob":
        return base64.b64decode(v) if isinstance(v, str) else v
    if t in ("double", "float"):
        return float(v)
    if t in ("integer", "long"):
        return int(v)
    return v


_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")


def cbor_shim(app):
    import botocore.session

    session = botocore.session.get_session()
    models = {}

    def model_for(target_prefix):
        if not models:
            for name in ("cloudwatch",):
                m = session.get_service_model(name)
                models[m.metadata.get("targetPrefix")] = m
        return models.get(target_prefix)

    def wrapped(environ, start_response):
        m = _CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if not m or environ.get("HTTP_SMITHY_PROTOCOL", "") != "rpc-v2-cbor":
            return app(environ, start_response)
        service, op = m.groups()
        model = model_for(service)
        if model is None:
            return app(environ, start_response)
        opm = model.operation_model(op)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request = cbor_to_json(cbor_decode(raw), opm.input_shape) if raw else {}
        body = json.dumps(request or {}).encode()
        env = dict(environ)
        env.pop("HTTP_SMITHY_PROTOCOL", None)
        env["PATH_INFO"] = "/"
        env["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        env["HTTP_X_AMZ_TARGET"] = f"{service}.{op}"
        env["CONTENT_LENGTH"] = str(len(body))
        env["wsgi.input"] = io.BytesIO(body)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"] = status
            seen["headers"] = headers
            return lambda _data: None

        answer = b"".join(app(env, capture))
        status = seen.get("status", "500 Internal Server Error")
        try:
            parsed = json.loads(answer) if answer.strip() else {}
        except ValueError:
            parsed = {"__type": "InternalFailure", "message": answer.decode("utf-8", "replace")}
        if int(status.split()[0]) >= 400:
            code = parsed.get("__type") or dict(seen.get("headers", [])).get(
                "x-amzn-ErrorType", "InternalFailure"
            )
            out = {"__type": str(code).split("#")[-1].split(":")[0]}
            message = parsed.get("message") or parsed.get("Message")
            if message:
                out["message"] = message
        else:
            out = json_to_cbor(parsed, opm.output_shape) if opm.output_shape else {}
        data = cbor_encode(out or {})
        start_response(
            status,
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("Content-Length", str(len(data))),
            ],
        )
        return [data]

    return wrapped


def main(argv):
    global _PIDFILE
    if len(argv) != 2 or not argv[1].isdigit():
        sys.stderr.write("usage: moto_launcher.py PORT\n")
        return 2
    port = int(argv[1])
    parent_pid = os.getppid()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    try:
        import moto
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            create_backend_app,
        )
        from werkzeug.serving import make_server
    except ImportError as err:
        log(
            f"moto is not installed for {sys.executable} ({err}); "
            'install it with: python3 -m pip install "moto[server]==5.2.1"'
        )
        return 3

    if not str(getattr(moto, "__version__", "")).startswith("5.2."):
        log(f"warning: moto {moto.__version__} found; tested with 5.2.x")

    patch_moto()
    load_aws_behaviours()

    # Importing moto's EC2 models takes seconds (up to 10 on a loaded
    # machine) and moto does it on the first EC2 request, holding up every
    # request served meanwhile: any scan that covers EC2, EBS or VPC items
    # then sees other services time out. Import it now, in the background,
    # while the test seeds its data.
    def _preload():
        try:
            import moto.ec2.models  # noqa: F401
            import moto.ec2.responses  # noqa: F401
            import moto.guardduty.models  # noqa: F401
        except Exception as err:  # only a head start: the request path imports it anyway
            log(f"preloading moto's EC2 models failed: {err}")

    threading.Thread(target=_preload, daemon=True).start()

    if os.environ.get("MOAT_TEST_MOTO_VERBOSE") != "1":
        # One log line per request is noise in the log file and costs time.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = cbor_shim(DomainDispatcherApplication(create_backend_app))
    try:
        # threaded=True: one thread per connection and HTTP/1.1 keep-alive,
        # exactly like `moto_server` (run_simple(..., threaded=True)).
        server = make_server("127.0.0.1", port, app, threaded=True)
    except OSError as err:
        log(f"cannot bind 127.0.0.1:{port}: {err}")
        return 4
    except SystemExit:
        # werkzeug reports "address already in use" by exiting.
        log(f"cannot bind 127.0.0.1:{port}: address in use")
        return 4

    port = server.server_port
    # moto builds some URLs (e.g. presigned, SQS queue URLs) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    piddir = os.environ.get("MOAT_TEST_PIDDIR")
    if piddir and os.path.isdir(piddir):
        _PIDFILE = os.path.join(piddir, str(os.getpid()))
        try:
            with open(_PIDFILE, "w"):
                pass
        except OSError:
            _PIDFILE = None

    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()

    sys.stdout.write(f"READY {port} {os.getpid()}\n")
    sys.stdout.flush()
    # Nothing else may go to stdout: the test harness stops reading it.
    sys.stdout = sys.stderr

    try:
        server.serve_forever()
    finally:
        _remove_pidfile()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
