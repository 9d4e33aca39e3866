#!/usr/bin/env python3
"""Compile an OCSF event class into one self-contained JSON Schema (draft 2020-12).

Usage:
    compile_schema.py OCSF_SCHEMA_DIR [--class detection_finding]
                      [--profile cloud ...] [-o OUT.json]

OCSF_SCHEMA_DIR is a checkout or `git archive` extraction of
github.com/ocsf/ocsf-schema at a release tag (this project uses v1.1.0, see
README.md beside this file). Standard library only.

How the OCSF sources are resolved (the same rules as the OCSF compiler and
server):
  * An entity's attributes are its `$include`d files deep-merged in order,
    then its own attributes over them; attributes from an included profile
    (a file with "meta": "profile") are tagged with that profile.
  * `extends` is resolved first and the child deep-merged over the parent
    (events: detection_finding -> finding -> base_event; objects, e.g.
    resource_details -> _resource -> _entity -> object). An entity's
    `constraints` replace its parent's; class `profiles` accumulate.
  * Each attribute is then the dictionary entry with the entity's entry
    deep-merged over it, so enums are the union of the dictionary's and the
    entity's values, with the entity's captions.
  * class_uid is category uid * 1000 + class uid; type_uid's values are
    class_uid * 100 + each activity_id value; observable.type_id's values
    are the `observable` ids declared in the dictionary, objects and events.
  * The datetime profile adds an optional `<name>_dt` (datetime_t) beside
    every timestamp_t attribute.
  * Profiles: the schema is compiled for a fixed set of applied profiles
    (default: cloud). Attributes of a profile outside that set are left out,
    so an event carrying them is rejected as having unknown attributes, as
    the OCSF validator does when metadata.profiles does not name the
    profile. metadata.profiles must name every applied profile and nothing
    else.

What is emitted:
  * Types: string_t and its subtypes -> string (with the dictionary's regex
    as `pattern` and max_len as `maxLength`); integer_t, long_t,
    timestamp_t -> integer (port_t with its range); float_t -> number;
    boolean_t -> boolean; json_t -> anything; the generic `object` type
    (unmapped, ...) -> any JSON object.
  * Objects -> `$defs` entries referenced by `$ref`, so recursive objects
    (process.parent_process, ...) need no depth cap. `is_array` -> array.
  * Enums -> the enum's keys (integers for integer_t); where the entity
    also has the enum's sibling label (severity for severity_id, ...), the
    label must equal the value's caption, except for 99 "Other" where the
    label is free text (the OCSF validator only warns on a mismatch: this is
    stricter).
  * requirement "required" -> `required`; constraints at_least_one ->
    anyOf, just_one -> oneOf.
  * additionalProperties false on the class and on every object that
    defines attributes (unmapped data belongs under `unmapped`).
  * The class constants: class_uid, category_uid, type_uid ==
    class_uid * 100 + activity_id, the class/category/type names when
    present, and metadata.version == the schema version.
"""

import argparse
import json
import os
import sys

JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
OTHER = 99


def load_json(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return json.load(f)


def deep_merge(base, over):
    """Return base with over merged into it: dicts merge key by key, any
    other value in over replaces the one in base."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for key, value in over.items():
        out[key] = deep_merge(base[key], value) if key in base else value
    return out


class Repo:
    def __init__(self, root):
        self.root = root
        dictionary = load_json(root, "dictionary.json")
        self.dict_attrs = dictionary["attributes"]
        self.types = dictionary["types"]["attributes"]
        self.version = load_json(root, "version.json")["version"]
        self.categories = load_json(root, "categories.json")["attributes"]
        self.objects = self._index("objects")
        self.events = self._index("events")
        self._resolved = {}

    def _index(self, folder):
        index = {}
        top = os.path.join(self.root, folder)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for filename in sorted(filenames):
                if filename.endswith(".json"):
                    rel = os.path.relpath(os.path.join(dirpath, filename), self.root)
                    data = load_json(self.root, rel)
                    index[data["name"]] = data
        return index

    # -- resolution -------------------------------------------------------

    def _expand(self, attributes):
        """Attributes with their $include files merged under them."""
        merged = {}
        for rel in attributes.get("$include", []):
            included = load_json(self.root, rel)
            inc_attrs = self._expand(included.get("attributes", {}))
            if included.get("meta") == "profile":
                inc_attrs = {
                    name: dict(attr, profile=attr.get("profile", included["name"]))
                    for name, attr in inc_attrs.items()
                }
            merged = deep_merge(merged, inc_attrs)
        own = {k: v for k, v in attributes.items() if k != "$include"}
        return deep_merge(merged, own)

    def resolve(self, kind, name):
        """{attributes, constraints, profiles, raw} for an event or object,
        with extends and includes resolved (dictionary not yet applied)."""
        key = (kind, name)
        if key in self._resolved:
            return self._resolved[key]
        table = self.events if kind == "event" else self.objects
        if name not in table:
            raise SystemExit(f"unknown {kind} {name!r}")
        raw = table[name]
        attrs = self._expand(raw.get("attributes", {}))
        constraints = raw.get("constraints")
        profiles = list(raw.get("profiles", []))
        if raw.get("extends"):
            parent = self.resolve(kind, raw["extends"])
            attrs = deep_merge(parent["attributes"], attrs)
            if constraints is None:
                constraints = parent["constraints"]
            profiles = parent["profiles"] + [p for p in profiles if p not in parent["profiles"]]
        resolved = {
            "attributes": attrs,
            "constraints": constraints or {},
            "profiles": profiles,
            "raw": raw,
        }
        self._resolved[key] = resolved
        return resolved

    def finish_attributes(self, attrs, where):
        """Apply the dictionary and the datetime profile."""
        out = {}
        for name, attr in attrs.items():
            if name not in self.dict_attrs:
                raise SystemExit(f"{where}: attribute {name!r} is not in the dictionary")
            full = deep_merge(self.dict_attrs[name], attr)
            full.setdefault("requirement", "optional")
            out[name] = full
        for name, attr in list(out.items()):
            dt_name = name + "_dt"
            if attr["type"] == "timestamp_t" and dt_name not in out:
                out[dt_name] = {
                    "caption": attr.get("caption", name) + " (datetime)",
                    "type": "datetime_t",
                    "is_array": attr.get("is_array", False),
                    "requirement": "optional",
                    "profile": "datetime",
                }
        return out

    def class_model(self, name):
        resolved = self.resolve("event", name)
        raw = resolved["raw"]
        category = self.categories[raw["category"]]
        class_uid = category["uid"] * 1000 + raw["uid"]
        attrs = self.finish_attributes(resolved["attributes"], f"class {name}")
        attrs["class_uid"]["enum"] = {str(class_uid): {"caption": raw["caption"]}}
        attrs["category_uid"]["enum"] = {str(category["uid"]): {"caption": category["caption"]}}
        attrs["type_uid"]["enum"] = {
            str(class_uid * 100 + int(k)): {"caption": f"{raw['caption']}: {v['caption']}"}
            for k, v in attrs["activity_id"]["enum"].items()
        }
        return {
            "name": name,
            "caption": raw["caption"],
            "description": raw.get("description", ""),
            "uid": class_uid,
            "category_uid": category["uid"],
            "attributes": attrs,
            "constraints": resolved["constraints"],
            "profiles": resolved["profiles"],
        }

    def observable_types(self):
        """observable.type_id's values: every `observable` id the dictionary
        (attributes and types), the objects and the events declare."""
        found = {}
        for name, attr in self.dict_attrs.items():
            if "observable" in attr:
                found.setdefault(str(attr["observable"]), {"caption": attr.get("caption", name)})
        for name, spec in self.types.items():
            if "observable" in spec:
                found.setdefault(str(spec["observable"]), {"caption": spec.get("caption", name)})
        for table in (self.objects, self.events):
            for name in sorted(table):
                raw = table[name]
                if "observable" in raw:
                    found.setdefault(str(raw["observable"]), {"caption": raw.get("caption", name)})
                for attr_name, attr in raw.get("attributes", {}).items():
                    if isinstance(attr, dict) and "observable" in attr:
                        found.setdefault(
                            str(attr["observable"]),
                            {"caption": f"{raw.get('caption', name)}: {attr_name}"},
                        )
        return found

    def object_model(self, name):
        resolved = self.resolve("object", name)
        raw = resolved["raw"]
        attrs = self.finish_attributes(resolved["attributes"], f"object {name}")
        if name == "observable":
            attrs["type_id"]["enum"] = deep_merge(self.observable_types(), attrs["type_id"]["enum"])
        return {
            "name": name,
            "caption": raw.get("caption", name),
            "attributes": attrs,
            "constraints": resolved["constraints"],
        }


# -- JSON Schema emission ---------------------------------------------------


class Emitter:
    def __init__(self, repo, applied_profiles):
        self.repo = repo
        self.applied = set(applied_profiles)
        self.defs = {}
        self.pending = []

    def keep(self, attr):
        return attr.get("profile") is None or attr["profile"] in self.applied

    def primitive(self, type_name):
        types = self.repo.types
        spec = types[type_name]
        base = spec.get("type", type_name)
        schema = {}
        if base in ("string_t",):
            schema["type"] = "string"
        elif base in ("integer_t", "long_t"):
            schema["type"] = "integer"
        elif base == "float_t":
            schema["type"] = "number"
        elif base == "boolean_t":
            schema["type"] = "boolean"
        elif base == "json_t":
            pass
        else:
            raise SystemExit(f"type {type_name!r} has unknown base {base!r}")
        if "regex" in spec:
            schema["pattern"] = spec["regex"]
        max_len = spec.get("max_len", types.get(base, {}).get("max_len"))
        if max_len is not None:
            schema["maxLength"] = max_len
        if "range" in spec:
            schema["minimum"], schema["maximum"] = spec["range"]
        if type_name != base:
            schema["$comment"] = f"OCSF {type_name}"
        return schema

    def value_schema(self, attr):
        type_name = attr["type"]
        if type_name in self.repo.types:
            schema = self.primitive(type_name)
            if "enum" in attr:
                keys = list(attr["enum"].keys())
                if schema.get("type") == "integer":
                    values = sorted(int(k) for k in keys)
                else:
                    values = sorted(keys)
                schema["enum"] = values
            return schema
        if type_name in self.repo.objects:
            model = self.repo.object_model(type_name)
            if not any(self.keep(a) for a in model["attributes"].values()):
                return {"type": "object", "$comment": f"OCSF object {type_name}: any attributes"}
            if type_name not in self.defs and type_name not in self.pending:
                self.pending.append(type_name)
            return {"$ref": f"#/$defs/{type_name}"}
        raise SystemExit(f"unknown type {type_name!r}")

    def attribute_schema(self, attr):
        schema = self.value_schema(attr)
        if attr.get("is_array"):
            schema = {"type": "array", "items": schema}
        out = {"title": attr.get("caption", "")}
        out.update(schema)
        if "@deprecated" in attr:
            out["deprecated"] = True
        return out

    def entity_schema(self, model, title):
        attrs = {n: a for n, a in model["attributes"].items() if self.keep(a)}
        props = {name: self.attribute_schema(attrs[name]) for name in sorted(attrs)}
        required = sorted(n for n, a in attrs.items() if a["requirement"] == "required")
        schema = {"title": title, "type": "object", "properties": props}
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        all_of = []
        constraints = model.get("constraints") or {}
        at_least_one = [n for n in constraints.get("at_least_one", []) if n in attrs]
        if at_least_one:
            all_of.append({
                "$comment": "OCSF constraint at_least_one: " + ", ".join(at_least_one),
                "anyOf": [{"required": [n]} for n in at_least_one],
            })
        just_one = [n for n in constraints.get("just_one", []) if n in attrs]
        if just_one:
            all_of.append({
                "$comment": "OCSF constraint just_one: " + ", ".join(just_one),
                "oneOf": [
                    {"required": [n], "not": {"anyOf": [{"required": [o]} for o in just_one if o != n] or [False]}}
                    for n in just_one
                ],
            })
        for name in sorted(attrs):
            attr = attrs[name]
            sibling = attr.get("sibling")
            if "enum" not in attr or attr.get("is_array") or sibling not in attrs:
                continue
            for key, item in sorted(attr["enum"].items(), key=lambda kv: kv[0]):
                if key == str(OTHER) or "caption" not in item:
                    continue
                value = int(key) if props[name].get("type") == "integer" else key
                all_of.append({
                    "if": {"properties": {name: {"const": value}}, "required": [name]},
                    "then": {"properties": {sibling: {
                        "const": item["caption"],
                        "$comment": f"OCSF enum sibling: {sibling} is the caption of {name} {key}",
                    }}},
                })
        if all_of:
            schema["allOf"] = all_of
        return schema

    def drain(self):
        while self.pending:
            name = self.pending.pop(0)
            if name in self.defs:
                continue
            model = self.repo.object_model(name)
            self.defs[name] = None  # placeholder against re-entry
            self.defs[name] = self.entity_schema(model, f"{model['caption']} ({name})")

    def class_schema(self, class_name):
        model = self.repo.class_model(class_name)
        unknown = self.applied - set(model["profiles"])
        if unknown:
            raise SystemExit(f"class {class_name} has no profile(s) {sorted(unknown)}; it has {model['profiles']}")
        schema = self.entity_schema(model, model["caption"])
        props = schema["properties"]
        all_of = schema.setdefault("allOf", [])

        # Class constants.
        for name, value in (("class_uid", model["uid"]), ("category_uid", model["category_uid"])):
            props[name].pop("enum", None)
            props[name]["const"] = value
        for activity in props["activity_id"]["enum"]:
            all_of.append({
                "if": {"properties": {"activity_id": {"const": activity}}, "required": ["activity_id"]},
                "then": {"properties": {"type_uid": {
                    "const": model["uid"] * 100 + activity,
                    "$comment": "OCSF: type_uid = class_uid * 100 + activity_id",
                }}},
            })
        # class_name / category_name are checked as enum siblings above.

        # metadata: this schema's version and the applied profiles.
        profile_check = {
            "type": "array",
            "items": {"enum": sorted(self.applied)},
            "allOf": [{"contains": {"const": p}} for p in sorted(self.applied)],
            "$comment": "metadata.profiles names exactly the profiles this schema was compiled for",
        }
        meta_extra = {"properties": {"version": {"const": self.repo.version}}}
        if self.applied:
            meta_extra["properties"]["profiles"] = profile_check
            meta_extra["required"] = ["profiles"]
        else:
            meta_extra["properties"]["profiles"] = {"type": "array", "maxItems": 0}
        props["metadata"] = {
            "title": props["metadata"]["title"],
            "allOf": [{"$ref": props["metadata"]["$ref"]}, meta_extra],
        }

        self.drain()
        out = {
            "$schema": JSON_SCHEMA_DRAFT,
            "$id": f"urn:ocsf:{self.repo.version}:class:{class_name}",
            "title": f"OCSF {self.repo.version} {model['caption']} ({model['uid']})",
            "description": (
                f"Generated by tests/support/ocsf/compile_schema.py from ocsf-schema {self.repo.version}, "
                f"class {class_name}, profiles applied: {', '.join(sorted(self.applied)) or 'none'}. "
                "Do not edit by hand."
            ),
        }
        out.update(schema)
        out["$defs"] = {name: self.defs[name] for name in sorted(self.defs)}
        return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema_dir", help="ocsf-schema tree at a release tag")
    parser.add_argument("--class", dest="class_name", default="detection_finding")
    parser.add_argument(
        "--profile", action="append", dest="profiles",
        help="a profile the events apply (repeatable; default: cloud)",
    )
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    args = parser.parse_args(argv)

    repo = Repo(args.schema_dir)
    profiles = args.profiles if args.profiles is not None else ["cloud"]
    schema = Emitter(repo, profiles).class_schema(args.class_name)
    text = json.dumps(schema, indent=1, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
