"""Plans for people: plain text, a Markdown checklist, and a Mermaid flowchart.

JSON goes through ``Plan.to_dict`` instead. Every function returns a string;
nothing here prints.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from syncscope import (
    BatchPlan,
    Change,
    CrossOrgPlan,
    CrossPlan,
    Finding,
    OrgPlan,
    OrgStep,
    Plan,
    PlanGroup,
    Step,
    Wording,
    format_number,
)
from syncscope.model import Level, Model, Rule, Value, format_value

from .common import paint
from .render import plural, render_finding, verdict_mark, verdict_tag

__all__ = [
    "batch_markdown",
    "batch_text",
    "change_phrase",
    "cross_markdown",
    "cross_mermaid",
    "cross_org_markdown",
    "cross_org_text",
    "cross_text",
    "markdown",
    "mermaid",
    "org_markdown",
    "org_text",
    "text",
]


def join(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> join(["a", "b", "c"])
    'a, b and c'
    """
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _label(model: Model, name: str, value: Value | None) -> str:
    if value is None:
        return "(unset)"
    return model.variable(name).label_of(value)


def change_phrase(model: Model, changes: Sequence[Change]) -> str:
    """Changes in words an administrator reads: "change A from x to y and B from u to v".

    Examples
    --------
    >>> from syncscope import Change
    >>> from syncscope.model import load_model
    >>> change_phrase(load_model(), [Change("authentication", "impersonation", "server-to-server")])
    'change Authentication from Impersonation to Server to Server Authentication'
    """
    parts = [
        f"{model.variable(c.variable).label} from {_label(model, c.variable, c.before)}"
        f" to {_label(model, c.variable, c.after)}"
        for c in changes
    ]
    return "change " + join(parts)


def _config_line(config: Mapping[str, Value], names: Iterable[str] | None = None) -> str:
    chosen = config if names is None else {n: config[n] for n in names if n in config}
    return ", ".join(f"{k}={format_value(v)}" for k, v in chosen.items()) or "(nothing)"


def _touched(plan: Plan) -> list[str]:
    seen = {c.variable for s in plan.steps for c in s.changes}
    return [n for n in plan.start if n in seen]


def _discouraged(model: Model, config: Mapping[str, Value]) -> list[Rule]:
    if any(n not in config for n in model.names):
        return []
    return [r for r in model.rules if r.level == Level.DISCOURAGED and r.broken(config)]


def _rule_block(rule: Rule, indent: str, config: Mapping[str, Value] | None = None) -> list[str]:
    """A rule with its quotes: those about ``config`` (the setup it is shown for), else all."""
    return textwrap.indent(render_finding(Finding(rule), config), indent).split("\n")


# -- plain text -------------------------------------------------------------------------
def text(plan: Plan, model: Model) -> str:
    """A plan for the terminal: a summary, then each step with the rules that tie it, quoted.

    Examples
    --------
    >>> from syncscope import Plan
    >>> from syncscope.model import load_model
    >>> print(text(Plan(False, {}, {}, reason="the target is unsupported"), load_model()))
    ✗ No plan: the target is unsupported.
    """
    if not plan.feasible:
        return _text_failure(plan, model)
    lines = [
        verdict_mark(Level.SUPPORTED, f"Plan: {plural(len(plan.steps), 'step')}")
        + f", cost {format_number(plan.cost)}"
    ]
    if plan.steps and not plan.monotone:
        lines[0] += " (with a detour: see the steps that borrow a value)"
    touched = _touched(plan)
    lines.append(f"  from: {_config_line(plan.start, touched)} {verdict_tag(plan.start_verdict)}")
    lines.append(f"  to:   {_config_line(plan.end, touched)}")
    if len(plan.target) < len(plan.start):
        lines.append(f"        (asked for {_config_line(plan.target)})")
    if not plan.steps:
        lines.append("  Nothing to change: the start already meets the target.")
    for number, step in enumerate(plan.steps, 1):
        lines.append("")
        lines.extend(_text_step(number, step, model))
    return "\n".join(lines)


def _text_step(number: int, step: Step, model: Model) -> list[str]:
    kind = " (repair)" if step.repair else ""
    head = (
        paint(f"Step {number}{kind}", "heading")
        + f" {verdict_tag(step.verdict)}, cost {format_number(step.cost)}:"
    )
    lines = [head, f"  {change_phrase(model, step.changes)}"]
    lines.append("    " + "; ".join(str(c) for c in step.changes))
    if step.borrowed:
        lines.append(f"  borrows {_borrowed(model, step)}: {step.detour}")
    if step.repair and step.tied_by:
        lines.append("  it repairs the start, which breaks:")
    elif step.tied_by:
        lines.append("  together, because any part alone breaks:")
    for rule in step.tied_by:
        lines.extend(_rule_block(rule, "    ", step.configuration))
    for rule in _discouraged(model, step.configuration):
        lines.append("  note: the setup after this step is discouraged:")
        lines.extend(_rule_block(rule, "    ", step.configuration))
    return lines


def _text_failure(plan: Plan, model: Model) -> str:
    lines = [verdict_mark(Level.UNSUPPORTED, "No plan") + f": {plan.reason}."]
    if plan.suggestions:
        lines.append("  the nearest valid targets:")
        for rank, cand in enumerate(plan.suggestions, 1):
            changes = "; ".join(str(c) for c in cand.changes) or "(no change)"
            lines.append(
                f"  {rank}. {verdict_tag(cand.verdict)} {changes} (cost {format_number(cand.cost)})"
            )
    if plan.blockers:
        lines.append("  steps the best plan without the cap takes that change too much at once:")
        for step in plan.blockers:
            lines.append(f"  - {change_phrase(model, step.changes)}")
            for rule in step.tied_by:
                lines.extend(_rule_block(rule, "      "))
    return "\n".join(lines)


def _borrowed(model: Model, step: Step) -> str:
    return join(
        [
            f"{model.variable(c.variable).label} {_label(model, c.variable, c.after)}"
            for c in step.borrowed
        ]
    )


# -- Markdown ------------------------------------------------------------------------------
def markdown(plan: Plan, model: Model, *, title: str | None = "Migration plan") -> str:
    """A Markdown checklist, one line a step, for an administrator to tick off.

    Examples
    --------
    >>> from types import MappingProxyType
    >>> from syncscope import Change, Plan, Step
    >>> from syncscope.model import Level, load_model
    >>> model = load_model()
    >>> step = Step((Change("autodiscover", False, True),),
    ...             MappingProxyType({}), Level.SUPPORTED, 1.0)
    >>> print(markdown(Plan(True, {}, {}, (step,), 1.0), model, title=None))
    - [ ] Step 1: change Auto Discover Server Location from No to Yes (cost 1)
    """
    lines: list[str] = []
    if title:
        lines.append(f"## {title}")
        lines.append("")
    if not plan.feasible:
        lines.append(f"No plan: {plan.reason}.")
        for cand in plan.suggestions:
            lines.append(
                f"- nearest valid target: {'; '.join(str(c) for c in cand.changes)}"
                f" (cost {format_number(cand.cost)}, {cand.verdict.id})"
            )
        return "\n".join(lines)
    if title:
        touched = _touched(plan)
        lines.append(
            f"{plural(len(plan.steps), 'step')}, total change cost {format_number(plan.cost)}. From"
            f" `{_config_line(plan.start, touched)}` to `{_config_line(plan.end, touched)}`;"
            " every step lands on a valid configuration."
        )
        lines.append("")
    if not plan.steps:
        lines.append("- [x] Nothing to change: the start already meets the target.")
    wording = Wording.of(model)
    for number, step in enumerate(plan.steps, 1):
        lines.append(_markdown_step(number, step, model, wording))
    return "\n".join(lines)


def _markdown_step(number: int, step: Step, model: Model, wording: Wording) -> str:
    kind = " (repair)" if step.repair else ""
    line = f"- [ ] Step {number}{kind}: {change_phrase(model, step.changes)}"
    notes = [f"cost {format_number(step.cost)}"]
    if step.borrowed:
        notes.append(f"borrows {_borrowed(model, step)}: {step.detour}")
    if step.tied_by:
        cited = "; ".join(wording.cite(r, step.configuration) for r in step.tied_by)
        notes.append(("fixes: " if step.repair else "together, because ") + cited)
    discouraged = _discouraged(model, step.configuration)
    if discouraged:
        notes.append(
            "discouraged: " + "; ".join(wording.cite(r, step.configuration) for r in discouraged)
        )
    return f"{line} ({' — '.join(notes)})"


# -- Mermaid -------------------------------------------------------------------------------
_STYLES = (
    "  classDef origin fill:#fff8c5,stroke:#9a6700,color:#3b2300",
    "  classDef broken fill:#ffebe9,stroke:#cf222e,color:#3d0a0a",
    "  classDef planned fill:#ddf4ff,stroke:#0969da,color:#0a3069",
    "  classDef alt fill:#f6f8fa,stroke:#d0d7de,color:#8c959f,stroke-dasharray:4 3",
)
_UNSAFE = re.compile(r'["<>\[\]{}|#;`]')


def _quote(text: str) -> str:
    """Text safe inside a quoted Mermaid label (``<br/>`` is added by the caller)."""
    return _UNSAFE.sub(lambda m: f"#{ord(m.group())};", text)


def mermaid(graph: Any, model: Model, *, alternatives: int = 3) -> str:
    """A Mermaid flowchart of a plan's graph: the plan, with the alternatives at each step faint.

    ``graph`` comes from :func:`syncscope.plan_graph`. Each step's node shows
    the settings it sets; the dotted grey nodes are other configurations the
    same step could reach on a plan just as short (at most ``alternatives`` a
    step, then a count).

    Examples
    --------
    >>> import networkx as nx
    >>> from syncscope import Plan
    >>> from syncscope.model import load_model
    >>> graph = nx.DiGraph(plan=Plan(False, {}, {}, reason="no way"))
    >>> print(mermaid(graph, load_model()))
    flowchart LR
      N0["No plan: no way"]
    """
    plan: Plan = graph.graph["plan"]
    out = ["flowchart LR"]
    if not plan.feasible:
        out.append(f'  N0["{_quote("No plan: " + (plan.reason or ""))}"]')
        return "\n".join(out)
    path = _plan_path(graph)
    touched = _touched(plan)
    nodes: list[str] = []
    edges: list[str] = []
    faint: list[int] = []
    start_class = "origin" if plan.start_verdict.valid else "broken"
    start_lines = [f"Start ({plan.start_verdict.id})"] + [
        f"{model.variable(n).label}: {_label(model, n, plan.start[n])}" for n in touched
    ]
    nodes.append(f'  S0["{"<br/>".join(_quote(x) for x in start_lines)}"]:::{start_class}')
    for i, step in enumerate(plan.steps, 1):
        lines = [f"Step {i}{' (repair)' if step.repair else ''}", *_set_lines(model, step.changes)]
        nodes.append(f'  S{i}["{"<br/>".join(_quote(x) for x in lines)}"]:::planned')
        ids = ", ".join(step_rule.id for step_rule in step.tied_by)
        label = f"cost {format_number(step.cost)}" + (f" · {ids}" if ids else "")
        edges.append(f'  S{i - 1} -->|"{_quote(label)}"| S{i}')
    for i, node in enumerate(path[:-1]):
        others = sorted(
            (v for v in graph.successors(node) if v != path[i + 1]),
            key=lambda v: (graph.edges[node, v]["cost"], v),
        )
        for j, other in enumerate(others[:alternatives], 1):
            data = graph.edges[node, other]
            lines = ["or", *_set_lines(model, data["changes"])]
            nodes.append(f'  A{i}_{j}["{"<br/>".join(_quote(x) for x in lines)}"]:::alt')
            faint.append(len(edges))
            edges.append(f'  S{i} -.->|"cost {format_number(data["cost"])}"| A{i}_{j}')
        if len(others) > alternatives:
            more = len(others) - alternatives
            nodes.append(f'  M{i}["… {more} more"]:::alt')
            faint.append(len(edges))
            edges.append(f"  S{i} -.-> M{i}")
    out.extend(_STYLES)
    out.extend(nodes)
    out.extend(edges)
    if faint:
        out.append(f"  linkStyle {','.join(map(str, faint))} stroke:#d0d7de,color:#8c959f")
    return "\n".join(out)


def _plan_path(graph: Any) -> list[Any]:
    """The plan's nodes, from the start, following the edges marked ``on_plan``."""
    node = graph.graph["start"]
    path = [node]
    while True:
        nxt = [v for v in graph.successors(node) if graph.edges[node, v]["on_plan"]]
        if not nxt:
            return path
        node = nxt[0]
        path.append(node)


def _set_lines(model: Model, changes: Sequence[Change]) -> list[str]:
    return [
        f"{model.variable(c.variable).label}: {_label(model, c.variable, c.after)}" for c in changes
    ]


# -- across editions -------------------------------------------------------------------------
def _either_label(models: Sequence[Model], name: str, value: Value | None) -> str:
    """A value's label from the first of ``models`` that covers it (the upgrade step's
    changes go from a value of one edition to a value of the other)."""
    for model in models:
        if name in model.names:
            try:
                return _label(model, name, value)
            except KeyError:
                continue
    return "(unset)" if value is None else format_value(value)


def _upgrade_phrase(before: Model, after: Model, changes: Sequence[Change]) -> str:
    models = (after, before)
    parts = [
        f"{after.variable(c.variable).label} from {_either_label(models, c.variable, c.before)}"
        f" to {_either_label(models, c.variable, c.after)}"
        for c in changes
    ]
    return "change " + join(parts) if parts else "change no setting"


def _upgrade_lines(plan: CrossPlan, before: Model, after: Model) -> tuple[str, list[str]]:
    """The upgrade in a line (what changes edition) and its notes (dropped and set settings)."""
    upgrade = plan.upgrade
    assert upgrade is not None
    head = f"upgrade from {upgrade.from_edition} to {upgrade.to_edition}"
    notes = []
    if upgrade.dropped:
        notes.append(
            f"{upgrade.to_edition} has no "
            + join([before.variable(n).label for n in upgrade.dropped])
            + ": dropped"
        )
    if upgrade.introduced:
        notes.append(
            "set, new in "
            + upgrade.to_edition
            + ": "
            + join(
                [
                    f"{after.variable(n).label} {_label(after, n, v)}"
                    for n, v in upgrade.introduced.items()
                ]
            )
        )
    return head, notes


def _step_model(plan: CrossPlan, index: int, before: Model, after: Model) -> Model:
    return before if plan.editions[index] == plan.edition else after


def cross_text(plan: CrossPlan, before: Model, after: Model) -> str:
    """A plan across editions for the terminal; the upgrade step is marked ``⇪ UPGRADE``.

    Examples
    --------
    >>> from syncscope import CrossPlan
    >>> from syncscope.model import load_model
    >>> print(cross_text(CrossPlan(False, "pre-9.0", "online-2022-01", {}, {},
    ...     reason="the target is unsupported under online-2022-01"), load_model(), load_model()))
    ✗ No plan from pre-9.0 to online-2022-01: the target is unsupported under online-2022-01.
    """
    if not plan.feasible:
        failed = Plan(
            False, plan.start, plan.target, reason=plan.reason, suggestions=plan.suggestions
        )
        return _text_failure(failed, after).replace(
            "No plan", f"No plan from {plan.edition} to {plan.to_edition}", 1
        )
    lines = [
        verdict_mark(Level.SUPPORTED, f"Plan: {plural(len(plan.steps), 'step')}")
        + f", cost {format_number(plan.cost)}, from {plan.edition} to {plan.to_edition}"
        + f" (the upgrade is step {(plan.upgrade_step or 0) + 1})"
    ]
    if not plan.monotone:
        lines[0] += " (with a detour: see the steps that borrow a value)"
    seen = {c.variable for s in plan.steps for c in s.changes}
    lines.append(
        f"  from: {_config_line(plan.start, [n for n in plan.start if n in seen])}"
        f" {verdict_tag(plan.start_verdict, f' under {plan.edition}')}"
    )
    lines.append(f"  to:   {_config_line(plan.end, [n for n in plan.end if n in seen])}")
    for i, step in enumerate(plan.steps):
        lines.append("")
        model = _step_model(plan, i, before, after)
        if i == plan.upgrade_step:
            lines.extend(_upgrade_text(plan, i, before, after))
            continue
        block = _text_step(i + 1, step, model)
        block[0] = block[0].removesuffix(":") + f", under {plan.editions[i]}:"
        lines.extend(block)
    return "\n".join(lines)


def _upgrade_text(plan: CrossPlan, i: int, before: Model, after: Model) -> list[str]:
    step = plan.steps[i]
    head, notes = _upgrade_lines(plan, before, after)
    lines = [
        paint(f"Step {i + 1} ⇪ UPGRADE", "heading")
        + f" {verdict_tag(step.verdict)}, cost {format_number(step.cost)}: {head}",
        f"  {_upgrade_phrase(before, after, step.changes)}",
    ]
    if step.changes:
        lines.append("    " + "; ".join(str(c) for c in step.changes))
    lines.extend(f"  {note}" for note in notes)
    if step.borrowed:
        lines.append(f"  borrows {_borrowed(after, step)}: {step.detour}")
    if step.tied_by:
        lines.append("  also changed at the upgrade, because without it the setup breaks:")
    for rule in step.tied_by:
        lines.extend(_rule_block(rule, "    "))
    return lines


def cross_markdown(plan: CrossPlan, before: Model, after: Model) -> str:
    """A plan across editions as a Markdown checklist; the upgrade step is in bold.

    Examples
    --------
    >>> from syncscope import CrossPlan
    >>> from syncscope.model import load_model
    >>> print(cross_markdown(CrossPlan(False, "pre-9.0", "online-2022-01", {}, {},
    ...     reason="no way"), load_model(), load_model()))
    ## Migration plan from pre-9.0 to online-2022-01
    <BLANKLINE>
    No plan: no way.
    """
    lines = [f"## Migration plan from {plan.edition} to {plan.to_edition}", ""]
    if not plan.feasible:
        lines.append(f"No plan: {plan.reason}.")
        for cand in plan.suggestions:
            lines.append(
                f"- nearest valid target under {plan.to_edition}:"
                f" {'; '.join(str(c) for c in cand.changes)}"
                f" (cost {format_number(cand.cost)}, {cand.verdict.id})"
            )
        return "\n".join(lines)
    lines.append(
        f"{plural(len(plan.steps), 'step')}, total change cost {format_number(plan.cost)}; the"
        f" upgrade is step {(plan.upgrade_step or 0) + 1}. Every step before it is valid under"
        f" {plan.edition}, it and every step after it under {plan.to_edition}."
    )
    lines.append("")
    wording_of = {id(before): Wording.of(before), id(after): Wording.of(after)}
    for i, step in enumerate(plan.steps):
        model = _step_model(plan, i, before, after)
        if i != plan.upgrade_step:
            lines.append(
                _markdown_step(i + 1, step, model, wording_of[id(model)])
                + f" _({plan.editions[i]})_"
            )
            continue
        head, notes = _upgrade_lines(plan, before, after)
        if step.tied_by:
            notes.append(
                "together, because "
                + "; ".join(wording_of[id(after)].cite(r) for r in step.tied_by)
            )
        notes.insert(0, f"cost {format_number(step.cost)}")
        lines.append(
            f"- [ ] **Step {i + 1} ⇪ {head}**: {_upgrade_phrase(before, after, step.changes)}"
            f" ({' — '.join(notes)})"
        )
    return "\n".join(lines)


def cross_mermaid(plan: CrossPlan, before: Model, after: Model) -> str:
    """A Mermaid flowchart of a plan across editions: one subgraph per edition, the upgrade
    step the edge (thick, labelled ``⇪ upgrade``) between them.

    Examples
    --------
    >>> from syncscope import CrossPlan
    >>> from syncscope.model import load_model
    >>> print(cross_mermaid(CrossPlan(False, "pre-9.0", "online-2022-01", {}, {},
    ...     reason="no way"), load_model(), load_model()))
    flowchart LR
      N0["No plan: no way"]
    """
    out = ["flowchart LR"]
    if not plan.feasible:
        out.append(f'  N0["{_quote("No plan: " + (plan.reason or ""))}"]')
        return "\n".join(out)
    at = plan.upgrade_step or 0
    models = (after, before)
    out.extend(_STYLES[:3])
    out.append("  classDef upgrade fill:#fbefff,stroke:#8250df,color:#3e1f79")
    start_lines = [f"Start ({plan.start_verdict.id})"]
    nodes = {0: f'    S0["{"<br/>".join(_quote(x) for x in start_lines)}"]:::origin'}
    for i, step in enumerate(plan.steps, 1):
        title = f"Step {i}" + (" ⇪ upgrade" if i - 1 == at else "")
        lines = [title] + [
            f"{after.variable(c.variable).label if c.variable in after.names else c.variable}:"
            f" {_either_label(models, c.variable, c.after)}"
            for c in step.changes
        ]
        kind = "upgrade" if i - 1 == at else "planned"
        nodes[i] = f'    S{i}["{"<br/>".join(_quote(x) for x in lines)}"]:::{kind}'
    for name, members in (
        (plan.edition, range(0, at + 1)),
        (plan.to_edition, range(at + 1, len(plan.steps) + 1)),
    ):
        out.append(f'  subgraph E{len(out)}["{_quote(name)}"]')
        out.extend(nodes[k] for k in members)
        out.append("  end")
    for i, step in enumerate(plan.steps, 1):
        label = f"cost {format_number(step.cost)}"
        arrow = "==>" if i - 1 == at else "-->"
        if i - 1 == at:
            label = f"⇪ upgrade {plan.edition} → {plan.to_edition} · " + label
        out.append(f'  S{i - 1} {arrow}|"{_quote(label)}"| S{i}')
    return "\n".join(out)


def _org_phrase(
    org: CrossOrgPlan, index: int, before: Model, after: Model, changes: Sequence[Change]
) -> str:
    if index == org.upgrade_step:
        return _upgrade_phrase(before, after, changes)
    return change_phrase(before if index < (org.upgrade_step or 0) else after, changes)


def cross_org_text(org: CrossOrgPlan, before: Model, after: Model) -> str:
    """An organisation plan across editions for the terminal; the upgrade step is marked.

    Examples
    --------
    >>> from syncscope import CrossOrgPlan, OrgPlan
    >>> from syncscope.model import load_model
    >>> plan = CrossOrgPlan("pre-9.0", "online-2022-01", OrgPlan({}, {}, (), (), (), 0), None)
    >>> print(cross_org_text(plan, load_model(), load_model(edition="online-2022-01")))
    ✓ Organisation plan for 0 mailboxes from pre-9.0 to online-2022-01: 0 steps
      0 planned, 0 named as impossible, 0 rows skipped; organisation settings at the end: (nothing).
    """
    plan = org.plan
    level = Level.SUPPORTED if plan.complete else Level.UNSUPPORTED
    lines = [
        verdict_mark(level, f"Organisation plan for {_mailboxes(plan.mailboxes)}")
        + f" from {org.edition} to {org.to_edition}: {plural(len(plan.steps), 'step')}",
        *("  " + x for x in _org_head(plan)),
    ]
    for number, (step, edition) in enumerate(zip(plan.steps, org.editions(), strict=True), 1):
        lines.append("")
        lines.append(
            paint(f"Step {number}", "heading")
            + f" ({_KIND[step.kind]}), under {edition}: {_mailboxes(step.mailboxes)}"
        )
        for action in step.actions:
            lines.append(
                f"  - {_org_phrase(org, number - 1, before, after, action.changes)}"
                f" — {_mailboxes(len(action.rows))}, cost {format_number(action.cost)} each"
            )
    if plan.unplannable:
        lines.append("")
        lines.append("Mailboxes the plan cannot take along:")
        for u in plan.unplannable:
            lines.append(f"  {_mailboxes(len(u.rows))} ({_ids(u.ids, 5)}): {u.reason}")
    if plan.skipped:
        lines.append("")
        lines.append(f"Skipped rows ({len(plan.skipped)}):")
        for skip in plan.skipped:
            lines.append(f"  row {skip.row} [{skip.status}]: {skip.error}")
    lines += _completed(plan, markdown=False)
    return "\n".join(lines)


def cross_org_markdown(org: CrossOrgPlan, before: Model, after: Model) -> str:
    """An organisation plan across editions as a Markdown checklist; the upgrade in bold."""
    plan = org.plan
    lines = [
        f"# Organisation plan for {_mailboxes(plan.mailboxes)} from {org.edition} to"
        f" {org.to_edition}",
        "",
        f"Target: `{_config_line(plan.target)}`. " + _org_head(plan)[0],
    ]
    for number, (step, edition) in enumerate(zip(plan.steps, org.editions(), strict=True), 1):
        head = f"Step {number}: {_KIND[step.kind]} ({_mailboxes(step.mailboxes)}, {edition})"
        lines += ["", f"## **{head}**" if step.kind == "upgrade" else f"## {head}", ""]
        for action in step.actions:
            lines.append(
                f"- [ ] {_org_phrase(org, number - 1, before, after, action.changes)}"
                f" ({_mailboxes(len(action.rows))}: {_ids(action.ids, 20)})"
            )
    if plan.unplannable:
        lines += ["", "## Mailboxes the plan cannot take along", ""]
        for u in plan.unplannable:
            lines.append(f"- {_mailboxes(len(u.rows))} ({_ids(u.ids, 20)}): {u.reason}")
    if plan.skipped:
        lines += ["", "## Skipped rows", ""]
        for skip in plan.skipped:
            lines.append(f"- row {skip.row} ({skip.status}): {skip.error}")
    lines += _completed(plan, markdown=True)
    return "\n".join(lines)


# -- many mailboxes --------------------------------------------------------------------------
def _mailboxes(count: int) -> str:
    return plural(count, "mailbox", "mailboxes")


def _rows_text(group: PlanGroup, limit: int = 8) -> str:
    names = [next(iter(e.values()), "") if e else "" for e in group.extras[:limit]]
    shown = [
        f"{r}" + (f" ({n})" if n else "") for r, n in zip(group.rows[:limit], names, strict=False)
    ]
    more = len(group.rows) - len(shown)
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")


def batch_text(batch: BatchPlan, model: Model) -> str:
    """A summary of an inventory's plans: how many mailboxes share each plan, and its steps."""
    lines = [
        f"Plans for {_mailboxes(batch.mailboxes)} to {_config_line(batch.target)}:",
        f"{batch.planned} planned in {plural(len(batch.groups), 'group')} by plan;"
        f" {batch.unplannable} without a plan; {plural(len(batch.skipped), 'row')} skipped.",
    ]
    for number, group in enumerate(batch.groups, 1):
        plan = group.plan
        lines.append("")
        if plan.feasible:
            head = f"{plural(len(plan.steps), 'step')}, cost {format_number(plan.cost)}"
        else:
            head = f"no plan: {plan.reason}"
        lines.append(f"[{number}] {_mailboxes(len(group.rows))} — {head}")
        lines.append(f"    rows: {_rows_text(group)}")
        start = _config_line(plan.start, _touched(plan) or None)
        lines.append(f"    start: {start} {verdict_tag(plan.start_verdict)}")
        for i, step in enumerate(plan.steps, 1):
            kind = " (repair)" if step.repair else ""
            verb = "fixes" if step.repair else "tied by"
            ties = f" — {verb} {', '.join(r.id for r in step.tied_by)}" if step.tied_by else ""
            lines.append(f"    {i}.{kind} {change_phrase(model, step.changes)}{ties}")
    if batch.skipped:
        lines.append("")
        lines.append(f"Skipped rows ({len(batch.skipped)}):")
        for skip in batch.skipped:
            lines.append(f"  row {skip.row} [{skip.status}]: {skip.error}")
    lines += _completed(batch, markdown=False)
    return "\n".join(lines)


def batch_markdown(batch: BatchPlan, model: Model) -> str:
    """The inventory's plans as Markdown: a checklist per group of mailboxes that share a plan."""
    lines = [
        f"# Migration plans for {_mailboxes(batch.mailboxes)}",
        "",
        f"Target: `{_config_line(batch.target)}`. {batch.planned} planned in"
        f" {plural(len(batch.groups), 'group')}; {batch.unplannable} without a plan;"
        f" {plural(len(batch.skipped), 'row')} skipped.",
    ]
    for number, group in enumerate(batch.groups, 1):
        lines.append("")
        lines.append(f"## Group {number}: {_mailboxes(len(group.rows))}")
        lines.append("")
        lines.append(f"Rows: {_rows_text(group, 20)}.")
        lines.append("")
        lines.append(markdown(group.plan, model, title=None))
    if batch.skipped:
        lines.append("")
        lines.append("## Skipped rows")
        lines.append("")
        for skip in batch.skipped:
            lines.append(f"- row {skip.row} ({skip.status}): {skip.error}")
    lines += _completed(batch, markdown=True)
    return "\n".join(lines)


def _completed(result: BatchPlan | OrgPlan, markdown: bool) -> list[str]:
    """The rows that left settings unknown, with the values they were planned with.

    Examples
    --------
    >>> from syncscope import OrgPlan
    >>> from syncscope.solver.plan.batch import Completed
    >>> org = OrgPlan({}, {}, (), (), (), 1, (Completed(3, {"id": "ann"}, {"mfa": False}),))
    >>> print("\\n".join(_completed(org, markdown=False)))
    <BLANKLINE>
    Completed rows (1), with the values every valid completion has:
      row 3 (ann): mfa=false
    """
    if not result.completed:
        return []
    title = f"Completed rows ({len(result.completed)}), with the values every valid completion has"
    lines = ["", f"## {title}", ""] if markdown else ["", f"{title}:"]
    for c in result.completed:
        name = next(iter(c.extra.values()), "")
        where = f"row {c.row}" + (f" ({name})" if name else "")
        lines.append(f"{'- ' if markdown else '  '}{where}: {_config_line(c.values)}")
    return lines


# -- one plan for the organisation ------------------------------------------------------------
_KIND = {
    "repair": "repair",
    "organisation": "organisation-wide, for everyone at once",
    "mailboxes": "profiles and mailboxes",
    "upgrade": "⇪ the upgrade, organisation-wide, for everyone at once",
}


def _ids(ids: Sequence[str], limit: int) -> str:
    shown = ", ".join(ids[:limit])
    more = len(ids) - limit
    return shown + (f", and {more} more" if more > 0 else "")


def _org_head(org: OrgPlan) -> list[str]:
    unplannable = sum(len(u.rows) for u in org.unplannable)
    return [
        f"{org.planned} planned, {unplannable} named as impossible,"
        f" {plural(len(org.skipped), 'row')} skipped; organisation settings at the end:"
        f" {_config_line(org.organisation)}."
    ]


def org_text(org: OrgPlan, model: Model) -> str:
    """One organisation plan for the terminal: each step with its changes and mailbox counts.

    Examples
    --------
    >>> from syncscope import OrgPlan
    >>> from syncscope.model import load_model
    >>> print(org_text(OrgPlan({}, {}, (), (), (), 0), load_model()))
    ✓ Organisation plan for 0 mailboxes: 0 steps
      0 planned, 0 named as impossible, 0 rows skipped; organisation settings at the end: (nothing).
    """
    level = Level.SUPPORTED if org.complete else Level.UNSUPPORTED
    lines = [
        verdict_mark(level, f"Organisation plan for {_mailboxes(org.mailboxes)}:")
        + f" {plural(len(org.steps), 'step')}",
        *("  " + x for x in _org_head(org)),
    ]
    for number, step in enumerate(org.steps, 1):
        lines.append("")
        lines.extend(_org_step_text(number, step, model))
    if org.unplannable:
        lines.append("")
        lines.append("Mailboxes the plan cannot take along:")
        for u in org.unplannable:
            lines.append(f"  {_mailboxes(len(u.rows))} ({_ids(u.ids, 5)}): {u.reason}")
    if org.skipped:
        lines.append("")
        lines.append(f"Skipped rows ({len(org.skipped)}):")
        for skip in org.skipped:
            lines.append(f"  row {skip.row} [{skip.status}]: {skip.error}")
    lines += _completed(org, markdown=False)
    return "\n".join(lines)


def _org_step_text(number: int, step: OrgStep, model: Model) -> list[str]:
    kind = _KIND[step.kind]
    lines = [paint(f"Step {number}", "heading") + f" ({kind}): {_mailboxes(step.mailboxes)}"]
    for action in step.actions:
        lines.append(
            f"  - {change_phrase(model, action.changes)}"
            f" — {_mailboxes(len(action.rows))}, cost {format_number(action.cost)} each"
        )
    return lines


def org_markdown(org: OrgPlan, model: Model) -> str:
    """One organisation plan as a Markdown checklist, with the mailboxes each step touches."""
    lines = [
        f"# Organisation plan for {_mailboxes(org.mailboxes)}",
        "",
        f"Target: `{_config_line(org.target)}`. " + _org_head(org)[0],
    ]
    for number, step in enumerate(org.steps, 1):
        lines.append("")
        lines.append(f"## Step {number}: {_KIND[step.kind]} ({_mailboxes(step.mailboxes)})")
        lines.append("")
        for action in step.actions:
            lines.append(
                f"- [ ] {change_phrase(model, action.changes)}"
                f" ({_mailboxes(len(action.rows))}: {_ids(action.ids, 20)})"
            )
    if org.unplannable:
        lines += ["", "## Mailboxes the plan cannot take along", ""]
        for u in org.unplannable:
            lines.append(f"- {_mailboxes(len(u.rows))} ({_ids(u.ids, 20)}): {u.reason}")
    if org.skipped:
        lines += ["", "## Skipped rows", ""]
        for skip in org.skipped:
            lines.append(f"- row {skip.row} ({skip.status}): {skip.error}")
    lines += _completed(org, markdown=True)
    return "\n".join(lines)
