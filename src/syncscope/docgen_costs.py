"""The cost model's section of docs/repair.md, generated from ``model/data/costs.toml``.

``python -m syncscope.docgen_costs`` rewrites the section between its markers;
a test fails when the document is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from syncscope.model import Model, Variable, format_value, load_model
from syncscope.model.costs import SCOPES, costs_for

__all__ = ["END", "START", "costs_section", "refresh", "repair_doc_path"]

START = (
    "<!-- costs:start (generated from model/data/costs.toml by syncscope.docgen_costs;"
    " a test keeps it fresh) -->"
)
END = "<!-- costs:end -->"


def _number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def costs_section(model: Model | None = None) -> str:
    """The cost model as Markdown: every variable's scope, default and priced changes, with reasons.

    Examples
    --------
    >>> text = costs_section()
    >>> "| `fips_mode` | organisation | 150 |" in text
    True
    >>> "exchange-2013 → exchange-2013-sp1" in text
    True
    """
    model = model if model is not None else load_model()
    table = costs_for(model)
    order = {scope: i for i, scope in enumerate(SCOPES)}

    def base(var: Variable) -> float:
        entry = table.get(var.name)
        return float(var.change_weight if entry is None or entry.cost is None else entry.cost)

    ranked = sorted(
        enumerate(model.variables),
        key=lambda iv: (order[table.scope(iv[1].name)], -base(iv[1]), iv[0]),
    )
    lines = [
        "| variable | scope | cost | why |",
        "|---|---|---:|---|",
    ]
    for _, var in ranked:
        entry = table.get(var.name)
        reason = entry.reason if entry is not None else var.weight_reason
        lines.append(
            f"| `{var.name}` | {table.scope(var.name)} | {_number(base(var))} | {_cell(reason)} |"
        )
    pairs = [
        (var.name, change)
        for _, var in ranked
        if (entry := table.get(var.name)) is not None
        for change in entry.changes
        if change.pairs()
    ]
    if pairs:
        lines += [
            "",
            "Changes whose cost depends on the values (a listed change wins over a line or a"
            " group):",
            "",
            "| variable | changes | cost | why |",
            "|---|---|---:|---|",
        ]
        for name, change in pairs:
            lines.append(
                f"| `{name}` | {_cell(change.describe())} | {_number(float(change.cost))}"
                f" | {_cell(change.reason)} |"
            )
    advice = [
        (var.name, value, text)
        for _, var in ranked
        if (entry := table.get(var.name)) is not None
        for value, text in entry.advice.items()
    ]
    if advice:
        lines += [
            "",
            "A fix that moves a policy reads as advice:",
            "",
            "| variable | to | advice |",
            "|---|---|---|",
        ]
        for name, value, text in advice:
            lines.append(f"| `{name}` | `{format_value(value)}` | {_cell(text)} |")
    return "\n".join(lines)


def repair_doc_path() -> Path:
    """docs/repair.md of the source tree."""
    return Path(__file__).resolve().parents[2] / "docs" / "repair.md"


def refresh(text: str, model: Model | None = None) -> str:
    """``text`` with the section between the markers regenerated.

    Examples
    --------
    >>> doc = f"intro\\n{START}\\nold\\n{END}\\nrest\\n"
    >>> refresh(doc).startswith("intro\\n" + START + "\\n| variable | scope |")
    True
    """
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{costs_section(model)}\n{END}{tail}"


if __name__ == "__main__":  # pragma: no cover - a maintenance entry point
    path = repair_doc_path()
    path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
