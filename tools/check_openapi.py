#!/usr/bin/env python3
"""Sanity checks for openapi/openapi.json (standard library only).

Checks that the document parses, that every operation has a unique
operationId, summary, tags, security and responses, that every $ref
resolves, that path templates and path parameters agree, that error
responses are problem documents, that request bodies forbid unknown
fields and, when docs/api-paths.md is present, that the operations are
exactly the ones its table lists. Prints (method, path, operationId) for
every operation. Exit status 0 when everything holds, 1 otherwise.

Usage: tools/check_openapi.py [openapi.json [api-paths.md]]
"""
import json
import os
import re
import sys

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def resolve(doc, ref):
    """Follow a local JSON pointer ("#/a/b"); raise KeyError if it dangles."""
    if not ref.startswith("#"):
        raise KeyError("non-local $ref %r" % ref)
    node = doc
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(ref)
    return node


def walk_refs(node, where, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out.append((where, v))
            else:
                walk_refs(v, where + "/" + k.replace("~", "~0").replace("/", "~1"), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(v, "%s/%d" % (where, i), out)


def deref(doc, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 32:
        node = resolve(doc, node["$ref"])
        seen += 1
    return node


def expected_ops(md_path):
    """(METHOD, path, operationId) rows from the api-paths.md table."""
    rows = set()
    with open(md_path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[1].upper() in [m.upper() for m in METHODS] \
                    and cells[2].startswith("/"):
                rows.add((cells[1].upper(), cells[2], cells[0]))
    return rows


def main(argv):
    spec_path = argv[1] if len(argv) > 1 else os.path.join(ROOT, "openapi", "openapi.json")
    md_path = argv[2] if len(argv) > 2 else os.path.join(ROOT, "docs", "api-paths.md")
    errors = []

    with open(spec_path, encoding="utf-8") as f:
        doc = json.load(f)

    if not str(doc.get("openapi", "")).startswith("3.1."):
        errors.append("openapi version is %r, want 3.1.x" % doc.get("openapi"))
    for key in ("info", "paths", "components"):
        if key not in doc:
            errors.append("missing top-level %r" % key)

    # Every $ref resolves.
    refs = []
    walk_refs(doc, "#", refs)
    for where, ref in refs:
        try:
            resolve(doc, ref)
        except (KeyError, ValueError, IndexError):
            errors.append("%s: $ref %s does not resolve" % (where, ref))

    schemes = doc.get("components", {}).get("securitySchemes", {})
    ops = []
    seen_ids = {}
    for path, item in doc.get("paths", {}).items():
        template_params = set(re.findall(r"\{([^}]+)\}", path))
        path_level = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            o = item[method]
            where = "%s %s" % (method.upper(), path)
            opid = o.get("operationId")
            ops.append((method.upper(), path, opid))
            if not opid:
                errors.append("%s: no operationId" % where)
            elif opid in seen_ids:
                errors.append("%s: operationId %r also used by %s" % (where, opid, seen_ids[opid]))
            else:
                seen_ids[opid] = where
            for key in ("summary", "tags", "security", "responses"):
                if key not in o:
                    errors.append("%s: no %r" % (where, key))
            for req in o.get("security", []) or []:
                for name in req:
                    if name not in schemes:
                        errors.append("%s: unknown security scheme %r" % (where, name))

            # Path parameters match the template.
            params = [deref(doc, p) for p in path_level + o.get("parameters", [])]
            declared = {p.get("name") for p in params if p.get("in") == "path"}
            if declared != template_params:
                errors.append("%s: path parameters %s, template has %s"
                              % (where, sorted(declared), sorted(template_params)))
            for p in params:
                if p.get("in") == "path" and p.get("required") is not True:
                    errors.append("%s: path parameter %r not required" % (where, p.get("name")))

            # Responses: a success, and problem documents for errors.
            responses = o.get("responses", {})
            if not any(str(c).startswith("2") for c in responses):
                errors.append("%s: no 2xx response" % where)
            for code, resp in responses.items():
                resp = deref(doc, resp)
                if "description" not in resp:
                    errors.append("%s %s: response has no description" % (where, code))
                if str(code)[0] in "45" or code == "default":
                    content = resp.get("content", {})
                    schema = content.get("application/problem+json", {}).get("schema", {})
                    if schema.get("$ref") != "#/components/schemas/Problem":
                        errors.append("%s %s: not an application/problem+json Problem" % (where, code))

            # Request bodies are closed JSON objects.
            rb = o.get("requestBody")
            if rb is not None:
                rb = deref(doc, rb)
                content = rb.get("content", {})
                if list(content) != ["application/json"]:
                    errors.append("%s: request body media types %s" % (where, list(content)))
                schema = deref(doc, content.get("application/json", {}).get("schema", {}))
                if schema.get("additionalProperties") is not False:
                    errors.append("%s: request schema lacks additionalProperties: false" % where)

    # The operations are exactly those in docs/api-paths.md.
    if os.path.exists(md_path):
        want = expected_ops(md_path)
        have = set(ops)
        for row in sorted(want - have):
            errors.append("missing operation from %s: %s %s %s" % ((os.path.basename(md_path),) + row))
        for row in sorted(have - want):
            errors.append("operation not in %s: %s %s %s" % ((os.path.basename(md_path),) + row))

    for method, path, opid in ops:
        print("%-7s %-45s %s" % (method, path, opid))
    print("%d operations, %d $refs" % (len(ops), len(refs)))
    for e in errors:
        print("error: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
