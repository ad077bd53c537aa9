"""The HTTP API reference (docs/api-http.md), written from the OpenAPI schema.

``python -m syncscope.serve.reference docs/api-http.md`` rewrites the page; a test keeps it fresh.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .limits import Limits
from .openapi import openapi_schema

__all__ = ["default_schema", "reference", "type_text"]

JSON = Mapping[str, Any]
_REF = "#/components/schemas/"


def default_schema() -> dict[str, Any]:
    """The schema of ``syncscope serve`` with its defaults: the default edition, every edition.

    Examples
    --------
    >>> default_schema()["paths"]["/v1/domains"]["post"]["parameters"][0]["name"]
    'edition'
    """
    import syncscope
    from syncscope.model.editions import edition_ids

    return openapi_schema(syncscope.load_model(), Limits(), edition_ids())


def _anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def _code(value: object) -> str:
    if isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "null"}[value]
    else:
        text = str(value)
    return f"`{text}`"


def type_text(schema: JSON) -> str:
    """A schema as a short phrase, with links to the named schemas.

    Examples
    --------
    >>> type_text({"type": "array", "items": {"$ref": "#/components/schemas/Change"}})
    'array of [Change](#schema-change)'
    >>> type_text({"type": ["string", "null"]})
    'string or null'
    >>> type_text({"type": "string", "enum": ["json", "mermaid"]})
    'one of `json`, `mermaid`'
    >>> type_text({"type": "object", "properties": {}, "additionalProperties": {"type": "number"}})
    'object of name: number'
    """
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(_REF)
        return f"[{name}](#{_anchor(name)})"
    if "const" in schema:
        return _code(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(_code(v) for v in schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(type_text(s) for s in schema[key])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_text(schema.get('items', {}))}"
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, Mapping) and not schema.get("properties"):
        return f"object of name: {type_text(extra)}"
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if "contentMediaType" in schema:
        return f"{kind} ({schema['contentMediaType']})"
    return str(kind)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _operation(path: str, method: str, op: JSON) -> list[str]:
    lines = [f"### {method.upper()} {path}", "", _cell(op.get("summary", "")), ""]
    parameters: Sequence[JSON] = op.get("parameters", [])
    if parameters:
        lines += ["| query parameter | type | default | meaning |", "|---|---|---|---|"]
        for p in parameters:
            schema = p.get("schema", {})
            default = _code(schema["default"]) if "default" in schema else ""
            lines.append(
                f"| `{p['name']}` | {_cell(type_text(schema))} | {default} "
                f"| {_cell(p.get('description', ''))} |"
            )
        lines.append("")
    body = op.get("requestBody")
    if body:
        kinds = [
            f"{type_text(media.get('schema', {}))} as `{name}`"
            for name, media in body.get("content", {}).items()
        ]
        lines += ["Body: " + "; or ".join(kinds) + ".", ""]
    lines += ["| status | meaning | body |", "|---|---|---|"]
    for status, reply in sorted(op.get("responses", {}).items()):
        content = reply.get("content", {})
        kinds = [f"{type_text(m.get('schema', {}))} (`{n}`)" for n, m in content.items()]
        lines.append(f"| {status} | {_cell(reply.get('description', ''))} | {'; '.join(kinds)} |")
    return [*lines, ""]


def _schema_section(name: str, schema: JSON) -> list[str]:
    lines = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    properties: Mapping[str, JSON] = schema.get("properties") or {}
    if properties:
        required = set(schema.get("required", []))
        lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
        for field, sub in properties.items():
            lines.append(
                f"| `{field}` | {_cell(type_text(sub))} | {'yes' if field in required else ''} "
                f"| {_cell(sub.get('description', ''))} |"
            )
    else:
        lines.append(f"Type: {type_text(schema)}.")
    return [*lines, ""]


def reference(schema: JSON) -> str:
    """The reference page, in Markdown: every operation, then every named schema.

    Examples
    --------
    >>> text = reference(default_schema())
    >>> text.splitlines()[0]
    '# HTTP API reference'
    >>> "### POST /v1/domains" in text and "### Domains {#schema-domains}" in text
    True
    """
    info = schema["info"]
    lines = [
        "# HTTP API reference",
        "",
        "<!-- Generated from the OpenAPI schema by `python -m syncscope.serve.reference "
        "docs/api-http.md`; do not edit. -->",
        "",
        f"{_cell(info.get('summary', ''))} {_cell(info.get('description', ''))}",
        "",
        "`GET /openapi.json` serves the same schema (OpenAPI "
        f"{schema['openapi']}). [Configure in the browser](serve.md) explains the server, "
        "its limits and its security.",
        "",
        "## Operations",
        "",
    ]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            lines += _operation(path, method, op)
    lines += ["## Schemas", ""]
    for name, sub in schema["components"]["schemas"].items():
        lines += _schema_section(name, sub)
    return "\n".join(lines).rstrip("\n") + "\n"


def _main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m syncscope.serve.reference OUT.md\n")
        return 2
    Path(argv[0]).write_text(reference(default_schema()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
