"""The OpenAPI 3.1 description of the HTTP API, written by hand next to the routes it describes.

Examples
--------
>>> from syncscope.model import load_model
>>> schema = openapi_schema(load_model(), Limits())
>>> schema["openapi"], sorted(schema["paths"])[:3]
('3.1.0', ['/healthz', '/openapi.json', '/v1/batch'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from syncscope.model import Level, Model

from .limits import Limits

__all__ = ["openapi_schema"]

JSON = dict[str, Any]


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: JSON, required: list[str] | None = None, **extra: Any) -> JSON:
    out: JSON = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    out.update(extra)
    return out


def _array(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def _json(schema: JSON, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_STRING = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_VALUE = {"type": ["string", "boolean"], "description": "A canonical value id, or a boolean."}
_INPUT_VALUE = {
    "type": ["string", "boolean", "number"],
    "description": "A value id, label or alias in any case; yes/no/true/false for booleans.",
}


def _schemas(model: Model) -> JSON:
    levels = [level.id for level in Level]
    verdict = {"type": "string", "enum": levels}
    canonical = _obj({}, additionalProperties=_VALUE, description="Variable -> canonical value.")
    source = _obj(
        {
            "document": _STRING,
            "section": _STRING,
            "quote": {**_STRING, "description": "The first of `quotes`."},
            "quotes": {
                **_array(_STRING),
                "minItems": 1,
                "description": "Every verbatim quote, in order: a rule from the table quotes"
                " each row it encodes.",
            },
        },
        ["document", "section", "quote", "quotes"],
    )
    finding = _obj(
        {"rule": _STRING, "level": verdict, "message": _STRING, "source": _ref("Source")},
        ["rule", "level", "message", "source"],
    )
    change = _obj(
        {"variable": _STRING, "from": {"type": ["string", "boolean", "null"]}, "to": _VALUE},
        ["variable", "from", "to"],
    )
    conflict = _obj(
        {
            "settings": _ref("CanonicalConfiguration"),
            "rules": _array(_STRING),
            "reasons": _array(_ref("Finding")),
        },
        description="A minimal set of rules (and the settings they clash with).",
        additionalProperties=True,
    )
    candidate = _obj(
        {
            "configuration": _ref("CanonicalConfiguration"),
            "changes": _array(_ref("Change")),
            "cost": {"type": "number"},
            "verdict": verdict,
        },
        ["configuration", "changes", "cost", "verdict"],
    )
    names = [v.name for v in model.variables]
    return {
        "Configuration": _obj(
            {},
            description="Variable -> value, as the CLI's --config reads it; missing variables "
            f"are open. Variables: {', '.join(names)}.",
            additionalProperties=_INPUT_VALUE,
        ),
        "Configurations": {
            "oneOf": [_ref("Configuration"), _array(_ref("Configuration"))],
            "description": "One configuration, or an array answered in order (a list comes back).",
        },
        "CanonicalConfiguration": canonical,
        "Error": _obj({"error": _STRING}, ["error"], additionalProperties=True),
        "ConfigurationError": _obj(
            {
                "error": _STRING,
                "variable": {"type": ["string", "null"]},
                "value": {"type": ["string", "boolean", "number", "null"]},
                "suggestions": _array(_STRING),
            },
            ["error", "variable", "value", "suggestions"],
            description="An unknown variable or value, with did-you-mean suggestions.",
        ),
        "Source": source,
        "Finding": finding,
        "Change": change,
        "Conflict": conflict,
        "Advice": _obj(
            {"id": _STRING, "message": _STRING, "sources": _array(_ref("Source"))},
            ["id", "message", "sources"],
        ),
        "CheckResult": _obj(
            {
                "verdict": verdict,
                "configuration": _ref("CanonicalConfiguration"),
                "complete": {"type": "boolean"},
                "findings": _array(_ref("Finding")),
                "required": _ref("CanonicalConfiguration"),
                "advice": _array(_ref("Advice")),
                "fix": _array(_ref("Change")),
                "outcomes": _array(_ref("Outcome")),
                "conditions": _array(_ref("Condition")),
            },
            ["verdict", "configuration", "complete", "findings", "required", "advice", "fix"],
        ),
        "Outcome": _obj(
            {"variable": _STRING, "value": _VALUE, "verdict": verdict},
            ["variable", "value", "verdict"],
            description="A partial configuration: one unset setting whose value makes the "
            "verdict worse.",
        ),
        "Condition": _obj(
            {"settings": _ref("CanonicalConfiguration"), "verdict": verdict},
            ["settings", "verdict"],
            description="A partial configuration: a minimal set of unset settings (one or two) "
            "that, with the rest still open, makes the best verdict worse but still valid.",
        ),
        "Counts": _obj(
            {name: {"type": "integer"} for name in [*levels, "valid", "total"]},
            [*levels, "valid", "total"],
        ),
        "Domains": _obj(
            {
                "fixed": _ref("CanonicalConfiguration"),
                "domains": _obj(
                    {},
                    additionalProperties=_obj(
                        {
                            "allowed": _array(_VALUE),
                            "removed": _obj(
                                {},
                                additionalProperties=_array(_STRING),
                                description="Removed value -> the ids of rules that exclude it.",
                            ),
                        },
                        ["allowed", "removed"],
                    ),
                ),
            },
            ["fixed", "domains"],
        ),
        "NoValidConfiguration": _obj(
            {
                "error": _STRING,
                "fixed": _ref("CanonicalConfiguration"),
                "conflict": _ref("Conflict"),
                "causes": _array(_ref("Conflict")),
            },
            ["error", "fixed"],
        ),
        "Weights": {
            "oneOf": [
                {"type": "null"},
                {"const": "uniform"},
                _obj({}, additionalProperties={"type": "number", "minimum": 0}),
            ],
            "description": "null for the cost model's change costs (`GET /v1/model`), "
            '"uniform", or variable -> cost overriding them (never a file name).',
        },
        "NearestRequest": _obj(
            {
                "configuration": _ref("Configurations"),
                "keep": {"oneOf": [_STRING, _array(_STRING)]},
                "weights": _ref("Weights"),
                "top": {"type": "integer", "minimum": 1, "default": 5},
            },
            ["configuration"],
            additionalProperties=False,
        ),
        "Candidate": candidate,
        "NearestResult": _obj(
            {
                "cost": {"type": ["number", "null"]},
                "candidates": _array(_ref("Candidate")),
                "more": {"type": "boolean"},
                "conflict": _ref("Conflict"),
            },
            ["cost", "candidates", "more"],
        ),
        "Explanation": _obj(
            {
                "configuration": _ref("CanonicalConfiguration"),
                "verdict": verdict,
                "valid": {"type": "boolean"},
                "causes": _array(_ref("Conflict")),
                "conflicts": _array(_ref("Conflict")),
                "diagnoses": _array(_array(_STRING)),
                "more": {"type": "boolean"},
                "fixes": _array(_ref("Candidate")),
                "fixes_more": {
                    "type": "boolean",
                    "description": "Other fixes exist beyond those listed.",
                },
                "remedies": _array(_array(_ref("Change"))),
                "outcomes": _array(_ref("Outcome")),
                "conditions": _array(_ref("Condition")),
                "text": _STRING,
            },
            ["configuration", "verdict", "valid", "conflicts", "diagnoses", "more", "text"],
        ),
        "PlanRequest": _obj(
            {
                "from": _ref("Configuration"),
                "to": _ref("Configuration"),
                "keep": {"oneOf": [_STRING, _array(_STRING)]},
                "avoid": _array(
                    {
                        "oneOf": [
                            {"type": "string", "description": "VAR=VALUE"},
                            {
                                "type": "array",
                                "prefixItems": [_STRING, _INPUT_VALUE],
                                "minItems": 2,
                                "maxItems": 2,
                            },
                        ]
                    }
                ),
                "weights": _ref("Weights"),
                "max_step": {"type": ["integer", "null"], "minimum": 1},
            },
            ["from", "to"],
            additionalProperties=False,
        ),
        "Step": _obj(
            {
                "changes": _array(_ref("Change")),
                "configuration": _ref("CanonicalConfiguration"),
                "verdict": verdict,
                "repair": {"type": "boolean"},
                "tied_by": _array(_STRING),
                "cost": {"type": "number"},
            },
            ["changes", "configuration", "verdict", "repair", "tied_by", "cost"],
        ),
        "Plan": _obj(
            {
                "feasible": {"type": "boolean"},
                "cost": {"type": ["number", "null"]},
                "steps": _array(_ref("Step")),
                "start": _ref("CanonicalConfiguration"),
                "start_verdict": verdict,
                "target": _ref("CanonicalConfiguration"),
                "reason": _STRING,
                "suggestions": _array(_ref("Candidate")),
                "blockers": _array({"type": "object"}),
            },
            ["feasible", "cost", "steps", "start", "start_verdict", "target"],
        ),
        "BatchRow": _obj(
            {
                "row": {"type": "integer"},
                "extra": {"type": "object"},
                "verdict": {"type": "string", "enum": [*levels, "error", "not-applicable"]},
                "configuration": {"oneOf": [_ref("CanonicalConfiguration"), {"type": "null"}]},
                "rules": _array(_STRING),
                "messages": _array(_STRING),
                "fix": {"oneOf": [_array(_ref("Change")), {"type": "null"}]},
            },
            ["row", "extra", "verdict", "configuration", "rules", "messages"],
            description="One line of the JSON Lines output, as `syncscope batch --format jsonl`.",
        ),
        "Rule": _obj(
            {
                "id": _STRING,
                "level": verdict,
                "message": _STRING,
                "variables": _array(_STRING),
                "condition": _STRING,
                "source": _ref("Source"),
            },
            ["id", "level", "message", "variables", "condition", "source"],
        ),
        "Vocabulary": _obj(
            {
                "name": _STRING,
                "title": _STRING,
                "digest": _STRING,
                "edition": _STRING,
                "editions": _array(
                    _obj(
                        {
                            "id": _STRING,
                            "title": _STRING,
                            "date": {"type": ["string", "null"]},
                            "default": {"type": "boolean"},
                        },
                        ["id", "title", "date", "default"],
                    )
                ),
                "verdicts": _array(verdict),
                "scopes": _array(
                    _obj(
                        {"id": _STRING, "label": _STRING, "variables": _array(_STRING)},
                        ["id", "label", "variables"],
                    )
                ),
                "variables": _array(_ref("Variable")),
            },
            ["name", "title", "digest", "verdicts", "scopes", "variables"],
            description="`edition` is the edition answered; `editions` are those the server "
            "offers (id, title, date, default), for a picker.",
        ),
        "Variable": _obj(
            {
                "name": _STRING,
                "label": _STRING,
                "description": _STRING,
                "type": {"type": "string", "enum": ["bool", "choice"]},
                "scope": {
                    "type": "string",
                    "description": "Who owns the setting (organisation, profile or mailbox), "
                    "as the cost model says.",
                },
                "group": {
                    "type": "string",
                    "description": "The group of settings (in `scopes`) the page shows it in.",
                },
                "change_weight": {
                    "type": "number",
                    "description": "The same as `cost` (kept for older clients).",
                },
                "cost": {
                    "type": "number",
                    "description": "The cost of any change that `pair_costs` does not price, "
                    "as nearest and plan sum it.",
                },
                "cost_reason": _STRING,
                "changes": _array(_ref("PricedChange")),
                "pair_costs": _obj(
                    {},
                    additionalProperties={"type": "number"},
                    description='"FROM -> TO" -> cost, for every change whose cost is not `cost`.',
                ),
                "advice": _obj(
                    {},
                    additionalProperties=_STRING,
                    description="Value reached -> what to do, in words.",
                ),
                "values": _array(
                    _obj(
                        {"id": _VALUE, "label": _STRING, "aliases": _array(_STRING)},
                        ["id", "label", "aliases"],
                    )
                ),
            },
            [
                "name",
                "label",
                "description",
                "type",
                "scope",
                "group",
                "change_weight",
                "cost",
                "cost_reason",
                "changes",
                "pair_costs",
                "advice",
                "values",
            ],
            description="A variable with its values and its change costs from the one cost "
            "model, as `syncscope vars --format json` gives them.",
        ),
        "PricedChange": _obj(
            {"changes": _STRING, "cost": {"type": "number"}, "reason": _STRING},
            ["changes", "cost", "reason"],
            description="Changes of one variable that cost something other than its `cost`, "
            "in words, with the cost table's reason.",
        ),
        "Health": _obj(
            {
                "status": {"const": "ok"},
                "version": _STRING,
                "model": _STRING,
                "digest": _STRING,
                "editions": _array(_STRING),
                "domains_cache": _obj(
                    {
                        "entries": _COUNT,
                        "size": _COUNT,
                        "hits": _COUNT,
                        "misses": _COUNT,
                    },
                    ["entries", "size", "hits", "misses"],
                    description="The rendered `/v1/domains` answers kept for repeated requests:"
                    " how many, at most how many, and the requests answered from them (hits)"
                    " or by the full application (misses).",
                ),
            },
            ["status", "version", "model", "digest"],
        ),
    }


def _errors(*statuses: int) -> JSON:
    words = {
        400: ("Error", "Malformed JSON, a body of the wrong shape, or a bad query parameter."),
        409: ("NoValidConfiguration", "No valid configuration has the fixed values."),
        413: ("Error", "The body (or the inventory's rows) is over the limit."),
        415: ("Error", "The body's media type is not accepted."),
        422: ("ConfigurationError", "An unknown variable, value or edition (with did-you-mean)."),
        500: ("Error", "An unexpected failure: a one-line error, never a traceback."),
    }
    return {str(s): _json(_ref(words[s][0]), words[s][1]) for s in statuses}


def _post(summary: str, request: JSON, reply: JSON, *extra: int, **more: Any) -> JSON:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {"200": reply, **_errors(400, *extra, 413, 415, 422, 500)},
            **more,
        }
    }


def _get(summary: str, reply: JSON) -> JSON:
    return {"get": {"summary": summary, "responses": {"200": reply, **_errors(500)}}}


def _edition(editions: Sequence[str], default: str) -> JSON:
    return {
        "name": "edition",
        "in": "query",
        "required": False,
        "description": "The edition of the page to answer under (ids from `syncscope "
        "editions`); the server's default when left out. An unknown id is a 422.",
        "schema": {"type": "string", "enum": list(editions), "default": default},
    }


def openapi_schema(model: Model, limits: Limits, editions: Sequence[str] = ()) -> JSON:
    """The OpenAPI 3.1 document for an app serving ``model`` under ``limits``.

    Every ``/v1/`` path takes the ``edition`` query parameter, one of
    ``editions`` (``model``'s own when empty).
    """
    one_or_many = {
        "oneOf": [_ref("CheckResult"), _array(_ref("CheckResult"))],
    }
    batch_reply = {
        "description": "One output row per input row, in input order, streamed: CSV (the "
        "CLI's columns) or JSON Lines (one BatchRow per line).",
        "content": {
            "application/x-ndjson": {"schema": _ref("BatchRow")},
            "text/csv": {"schema": _STRING},
        },
    }
    inventory = {"type": "string", "contentMediaType": "text/csv"}
    paths: JSON = {
        "/healthz": _get(
            "Liveness, with the model's name and digest.", _json(_ref("Health"), "Up.")
        ),
        "/openapi.json": _get("This document.", _json({"type": "object"}, "OpenAPI 3.1.")),
        "/v1/model": _get(
            "The vocabulary: variables, labels, values, aliases and groups.",
            _json(_ref("Vocabulary"), "The model's vocabulary."),
        ),
        "/v1/rules": _get(
            "Every rule, as `syncscope rules --json`.",
            _json(_array(_ref("Rule")), "The rules, with quotes."),
        ),
        "/v1/check": _post(
            "Verdict, findings with quotes, and a fix: `syncscope check --json`.",
            _ref("Configurations"),
            _json(one_or_many, "A result, or a list for an array."),
        ),
        "/v1/explain": _post(
            "Minimal conflicts and diagnoses: `syncscope explain --json`.",
            _ref("Configurations"),
            _json(
                {"oneOf": [_ref("Explanation"), _array(_ref("Explanation"))]},
                "An explanation, or a list for an array.",
            ),
        ),
        "/v1/count": _post(
            "Configurations per verdict matching the fixed values: `list --count --json`.",
            _ref("Configuration"),
            _json(_ref("Counts"), "The counts."),
        ),
        "/v1/domains": _post(
            "What each open variable can still take, and why the rest can't: "
            "`syncscope domains --json`.",
            _ref("Configuration"),
            _json(_ref("Domains"), "The valid domains."),
            409,
        ),
        "/v1/nearest": _post(
            "The `top` cheapest distinct fixes that make a configuration valid, cheapest"
            " first, each with its own cost: `syncscope nearest --json`.",
            _ref("NearestRequest"),
            _json(
                {"oneOf": [_ref("NearestResult"), _array(_ref("NearestResult"))]},
                "The candidates, or a list for an array of configurations.",
            ),
        ),
        "/v1/plan": _post(
            "Safe, ordered migration steps: `syncscope plan --json` (or `--mermaid`).",
            _ref("PlanRequest"),
            {
                "description": "The plan; with format=mermaid, the Mermaid flowchart text "
                "(header x-plan-feasible says whether a plan exists).",
                "content": {
                    "application/json": {"schema": _ref("Plan")},
                    "text/plain": {"schema": _STRING},
                },
            },
            parameters=[
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["json", "mermaid"], "default": "json"},
                }
            ],
        ),
        "/v1/batch": {
            "post": {
                "summary": "Check a whole inventory (CSV or JSON Lines), streamed: "
                "`syncscope batch`. At most "
                f"{limits.max_batch_rows:,} rows and {limits.max_batch_bytes:,} bytes.",
                "parameters": [
                    {
                        "name": "input_format",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["csv", "jsonl", "dataverse"]},
                    },
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "description": "Output: csv for CSV input, else jsonl, by default.",
                        "schema": {"type": "string", "enum": ["csv", "jsonl"]},
                    },
                    {
                        "name": "fix",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "boolean", "default": False},
                    },
                    {
                        "name": "set",
                        "in": "query",
                        "required": False,
                        "description": "Organisation-wide VAR=VALUE (repeatable); a row's own "
                        "value wins.",
                        "schema": _array(_STRING),
                        "style": "form",
                        "explode": True,
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "text/csv": {"schema": inventory},
                        "application/x-ndjson": {
                            "schema": {"type": "string", "contentMediaType": "application/x-ndjson"}
                        },
                    },
                },
                "responses": {"200": batch_reply, **_errors(400, 413, 415, 422, 500)},
            }
        },
    }
    default = model.edition or model.name
    edition = _edition(editions or [default], default)
    for path, methods in paths.items():
        if not path.startswith("/v1/"):
            continue
        for operation in methods.values():
            operation["parameters"] = [edition, *operation.get("parameters", [])]
            operation["responses"].setdefault("422", _errors(422)["422"])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "syncscope",
            "version": "1",
            "summary": "Which Dynamics 365 server-side synchronization setups are supported.",
            "description": (
                f"Answers about the rule set {model.name!r}. Bodies are the CLI's JSON "
                f"contracts. JSON bodies are at most {limits.max_body_bytes:,} bytes and must be "
                "sent as application/json."
            ),
        },
        "paths": paths,
        "components": {"schemas": _schemas(model)},
    }
