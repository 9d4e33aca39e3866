#!/usr/bin/env python3
"""Validate a JSON array of OCSF events against a compiled JSON Schema.

Usage:
    validate.py [EVENTS.json | -] [--schema SCHEMA.json]

EVENTS.json holds a JSON array of events (the output of
`moat scan --format ocsf`); without it, or with `-`, the array is read from
standard input. The schema defaults to detection_finding.schema.json beside
this file.

Prints one line per error: the event's index, the JSON path in the event, and
the message. Exit status: 0 when every event is valid, 1 when any is not, 2
when the input or the schema cannot be read (unreadable file, invalid JSON,
not an array).

Needs only the Python standard library and the `jsonschema` package (4.x).
"""

import argparse
import json
import os
import sys

DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "detection_finding.schema.json")


def fail(message):
    print(f"validate.py: {message}", file=sys.stderr)
    return 2


def leaf_errors(error):
    """The innermost errors of an anyOf/oneOf failure are usually the useful
    ones; keep the outer one too when it carries an explanatory $comment."""
    if not error.context:
        return [error]
    out = []
    for sub in error.context:
        out.extend(leaf_errors(sub))
    return out


def describe(error):
    path = error.json_path
    message = error.message
    comment = error.schema.get("$comment") if isinstance(error.schema, dict) else None
    if comment:
        message = f"{message} [{comment}]"
    return path, message


def main(argv=None):
    parser = argparse.ArgumentParser(description="Validate a JSON array of OCSF events.")
    parser.add_argument("events", nargs="?", default="-", help="file with a JSON array of events (default: stdin)")
    parser.add_argument("--schema", default=DEFAULT_SCHEMA, help="compiled JSON Schema (default: %(default)s)")
    parser.add_argument("--max-errors", type=int, default=50, help="errors printed per event (default: %(default)s)")
    args = parser.parse_args(argv)

    try:
        import jsonschema
    except ImportError:
        return fail("the jsonschema package is not installed")

    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        return fail(f"cannot read schema {args.schema}: {e}")

    try:
        if args.events == "-":
            text = sys.stdin.read()
            source = "<stdin>"
        else:
            with open(args.events, encoding="utf-8") as f:
                text = f.read()
            source = args.events
        events = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return fail(f"cannot read events: {e}")
    if not isinstance(events, list):
        return fail(f"{source}: expected a JSON array of events, got {type(events).__name__}")

    validator_class = jsonschema.validators.validator_for(schema)
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        return fail(f"{args.schema} is not a valid JSON Schema: {e.message}")
    validator = validator_class(schema)

    invalid = 0
    for index, event in enumerate(events):
        lines = []
        for error in validator.iter_errors(event):
            if error.validator in ("anyOf", "oneOf") and error.schema.get("$comment"):
                # An OCSF constraint (at_least_one / just_one): one line says it.
                lines.append(describe(error))
                continue
            for leaf in leaf_errors(error):
                lines.append(describe(leaf))
        if lines:
            invalid += 1
            lines = sorted(set(lines))
            for path, message in lines[: args.max_errors]:
                print(f"event {index}: {path}: {message}")
            if len(lines) > args.max_errors:
                print(f"event {index}: ... {len(lines) - args.max_errors} more errors")

    total = len(events)
    if invalid:
        print(f"{invalid} of {total} events invalid", file=sys.stderr)
        return 1
    print(f"{total} events valid", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
