"""Plan an organisation's move to Dynamics 365 (online) with Exchange Online, mailbox by mailbox.

The inventory (``inventory.csv`` next to this script) lists an on-premises
organisation's mailboxes: some on Exchange Server 2010, which the page doesn't
support at all, some on Gmail. The target (``target-online.json``) names only
what the organisation wants in the end: Dynamics 365 (online), the December
2016 update, and Exchange Online. The planner fills in the rest.

The script reads every row through ``syncscope.check`` (so any spelling the
model accepts works, and a typo is reported with a did-you-mean), plans each
distinct configuration once with ``syncscope.plan``, and prints a Markdown
checklist per group of mailboxes that share a plan. With ``plan_graph`` and
networkx it also counts how many plans are equally short.

Run it with the project's interpreter, from the project folder:
``.venv/bin/python docs/examples/migrate.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import networkx as nx

import syncscope
from syncscope.api.plan import Plan

HERE = Path(__file__).resolve().parent


def markdown_checklist(plan: Plan, model: syncscope.Model) -> str:
    """One Markdown checkbox a step, in the labels the page uses, with the rules that tie it."""
    lines = []
    for number, step in enumerate(plan.steps, start=1):
        changes = " and ".join(
            f"{model.variable(c.variable).label} from"
            f" {model.variable(c.variable).label_of(c.before)}"
            f" to {model.variable(c.variable).label_of(c.after)}"
            for c in step.changes
        )
        kind = " (repair)" if step.repair else ""
        why = ", ".join(rule.id for rule in step.tied_by)
        reason = f"; {'fixes' if step.repair else 'together, because of'} {why}" if why else ""
        lines.append(f"- [ ] Step {number}{kind}: change {changes} (cost {step.cost:g}{reason})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", type=Path, default=HERE / "inventory.csv")
    parser.add_argument("--target", type=Path, default=HERE / "target-online.json")
    parser.add_argument("--out", type=Path, help="also write the checklists to this Markdown file")
    args = parser.parse_args(argv)

    model = syncscope.load_model()
    target = json.loads(args.target.read_text(encoding="utf-8"))

    # Read every mailbox; keep the bad rows to report them, never drop them.
    groups: dict[tuple[object, ...], list[str]] = {}
    configs: dict[tuple[object, ...], dict[str, object]] = {}
    problems: list[str] = []
    with args.inventory.open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=1):
            mailbox = row.pop("mailbox")
            try:
                result = syncscope.check(row, model=model)
            except syncscope.ConfigurationError as exc:
                problems.append(f"row {number} ({mailbox}): {exc}")
                continue
            key = tuple(result.configuration.values())
            configs[key] = dict(result.configuration)
            groups.setdefault(key, []).append(mailbox)

    total = sum(len(m) for m in groups.values()) + len(problems)
    print(f"Inventory: {total} mailboxes, {total - len(problems)} readable, {len(problems)} not")
    for problem in problems:
        print(f"  skipped {problem}")
    print(f"Target: {', '.join(f'{k}={v}' for k, v in target.items())}")

    sections = []
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[1][0]))
    for number, (key, mailboxes) in enumerate(ordered, start=1):
        plan = syncscope.plan(configs[key], target, model=model)
        graph = syncscope.plan_graph(configs[key], target, model=model)
        ends = graph.graph["ends"]
        plans = sum(
            1 for end in ends for _ in nx.all_shortest_paths(graph, graph.graph["start"], end)
        )
        print()
        noun = "mailbox" if len(mailboxes) == 1 else "mailboxes"
        print(f"Group {number}: {len(mailboxes)} {noun} ({', '.join(mailboxes)})")
        if not plan.feasible:
            print(f"  no plan: {plan.reason}")
            continue
        print(
            f"  today: {plan.start_verdict.id}; {len(plan.steps)} steps, change cost"
            f" {plan.cost:g}; {plans} equally short {'plan' if plans == 1 else 'plans'}"
        )
        checklist = markdown_checklist(plan, model)
        print("\n".join("  " + line for line in checklist.splitlines()))
        sections.append(
            f"## Group {number}: {len(mailboxes)} {noun}\n\n{', '.join(mailboxes)}\n\n{checklist}\n"
        )

    if args.out:
        args.out.write_text("# Migration checklists\n\n" + "\n".join(sections), encoding="utf-8")
        print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
