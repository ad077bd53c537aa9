"""Hostile input for the fuzz suite: what a careless script or a hostile user might send."""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import strategies as st
from syncscope.model import load_model

MODEL = load_model()
NAMES = list(MODEL.names)
VALUES = [str(spec.id) for var in MODEL.variables for spec in var.values]

EXAMPLES = int(os.environ.get("SYNCSCOPE_FUZZ_EXAMPLES", "60"))
"""Examples per fuzz test: small in ``make test``, 5,000 a test in ``make fuzz``."""

surrogates = st.sampled_from(["\ud800", "\udcff", "\udfff", "a\ud83db", "\ud83d\ude00"])
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(VALUES),
    st.sampled_from(NAMES),
    st.builds(lambda a, b: a + b, st.sampled_from(VALUES), surrogates),
    surrogates,
    st.sampled_from(["", " ", "yes", "NO", "1", "0", "null", "NaN", "true", "Gmail", "gmial"]),
)
huge_ints = st.integers(min_value=300, max_value=6000).map(lambda n: 10**n - 1)
printable_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-320, 5e-324, 1e308, float("nan"), float("inf"), -0.0]),
    texts,
)
"""Scalars that ``json.dumps`` can write (a huge integer can't be, so texts carry those)."""
scalars = st.one_of(printable_scalars, huge_ints)


def _nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)
        ),
        max_leaves=12,
    )


json_values = _nested(scalars)
printable_values = _nested(printable_scalars)
configs = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), scalars, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(NAMES), texts, huge_ints), json_values, max_size=8),
)
"""Mappings as the API takes them: mostly real names, with hostile values."""
printable_configs = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), texts), printable_values, max_size=8
)


def _deep(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def _raw_json(value: Any) -> str:
    # json.dumps writes NaN and Infinity, which strict JSON readers must refuse.
    return json.dumps(value, ensure_ascii=False)


json_documents = st.one_of(
    printable_configs.map(_raw_json),
    printable_values.map(_raw_json),
    st.integers(min_value=1_000, max_value=200_000).map(_deep),
    st.integers(min_value=1_000, max_value=20_000).map(lambda d: '{"a":' * d + "1" + "}" * d),
    st.integers(min_value=300, max_value=6000).map(lambda n: '{"ports": ' + '9' * n + '}'),
    st.sampled_from(
        [
            '{"email_system": "\\ud800"}',
            '{"\\udcff": 1}',
            '{"ports": NaN}',
            '{"ports": Infinity}',
            '{"ports": 1e999}',
            '{"deployment": "online", "deployment": "online"}',
            "[1, 2",
            "",
            "\ufeff{}",
            '"\\ud800"',
        ]
    ),
    st.text(max_size=60),
)
"""Whole JSON texts: mostly parseable, often hostile."""

weights_documents = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), printable_scalars, max_size=3).map(_raw_json),
    st.sampled_from(
        [
            '{"ports": 1e-320}',
            '{"ports": %s}' % ("9" * 400),
            '{"ports": NaN}',
            '{"ports": -1}',
            '{"ports": 0.0000001}',
            '{"weights": {"ports": 1e308}}',
        ]
    ),
)
"""JSON weights files."""

toml_weights = st.one_of(
    st.sampled_from(
        [
            "ports = nan",
            "ports = inf",
            "ports = 1e-320",
            "ports = " + "9" * 400,
            "x = " + _deep(10_000),
            "ports = 1\nports = 2",
            "[weights]\nports = 'x'",
        ]
    ),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"ports = {n}"),
)
"""TOML weights files."""

set_arguments = st.one_of(
    st.builds(lambda n, v: f"{n}={v}", st.sampled_from(NAMES), texts),
    st.builds(lambda n, v: f"{n}={v}", texts, texts),
    texts,
)
"""``--set`` arguments, many of them malformed."""



_cells = st.one_of(st.sampled_from([*VALUES, "", "yes", "no"]), texts)
_GMAIL = {  # docs/examples/gmail-online.json: a valid mailbox to start hostile rows from
    "deployment": "online", "version": "8.2", "email_system": "gmail",
    "incoming_protocol": "pop3", "outgoing_protocol": "smtp",
    "sync_appointments_contacts_tasks": "no", "authentication": "user-or-queue-credentials",
    "autodiscover": "yes", "profile_type": "pop3-smtp", "ports": "default",
    "same_tenant": "yes", "fips_mode": "no", "mfa": "no", "customer_key": "no",
    "outlook_on_the_web": "no", "outlook_manual_tracking": "no",
    "mass_email_campaigns": "no", "custom_email_provider": "no",
    "mixed_outlook_act_sync": "no",
}  # fmt: skip


@st.composite
def inventories(draw: st.DrawFn) -> str:
    """A small CSV inventory: a valid mailbox's cells, some columns dropped (partial rows),
    some cells emptied or replaced by hostile text, any of the three delimiters."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    forced = st.sets(st.sampled_from(["incoming_protocol", "outgoing_protocol"]))  # pop3, smtp
    dropped = draw(st.one_of(forced, st.sets(st.sampled_from(NAMES), max_size=len(NAMES))))
    columns = [n for n in NAMES if n not in dropped]
    lines = [sep.join(["mailbox", *columns])]
    for i in range(1, draw(st.integers(1, 3)) + 1):
        cells = [_GMAIL[n] for n in columns]
        if columns:  # a few cells emptied or replaced by hostile text
            spoilt = st.integers(0, len(columns) - 1)
            for at, text in draw(st.dictionaries(spoilt, _cells, max_size=2)).items():
                cells[at] = text
        lines.append(sep.join([f"m{i}", *cells]))
    return "\n".join(lines) + "\n"


reading_options = st.tuples(
    st.sampled_from([[], ["--delimiter", "comma"], ["--delimiter", "semicolon"],
                     ["--delimiter", "tab"]]),
    st.sampled_from([[], ["--require-complete"]]),
    st.sampled_from([[], ["--per-group"]]),
).map(lambda parts: [arg for part in parts for arg in part])  # fmt: skip
"""The options of ``plan --batch`` that say how the inventory is read, in any combination."""
