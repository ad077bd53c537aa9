"""syncscope: is this Dynamics 365 server-side synchronization setup supported?

The public API. Every function takes user spellings (aliases, labels, yes/no)
and the built-in seed model unless ``model=`` says otherwise, and returns a
frozen result with ``to_dict()``. Heavy parts load on first use.

Examples
--------
>>> import syncscope
>>> syncscope.check({"deployment": "online", "email_system": "Gmail"}).verdict.id
'supported'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from syncscope.errors import (
    ConfigurationError,
    InputError,
    ModelError,
    SyncscopeError,
    UnreadableInput,
    UnwritableOutput,
)
from syncscope.model import Level, Model, load_model

if TYPE_CHECKING:
    from syncscope.api.batch import check_batch
    from syncscope.api.check import check, verdict
    from syncscope.api.compare import Against, Diff, RuleChange, check_against, diff
    from syncscope.api.costs import ChangeCosts, PricedChange, change_costs, describe_variable
    from syncscope.api.plan import plan, plan_graph, plan_inventory, plan_organisation_inventory
    from syncscope.api.repair import explain, nearest
    from syncscope.api.space import (
        VALID,
        configurations,
        count,
        domains,
        export_lines,
        parse_verdicts,
        table,
    )
    from syncscope.errors import NoSolution
    from syncscope.solver.explain.conflicts import Conflict
    from syncscope.solver.explain.diagnoses import Explanation
    from syncscope.solver.explain.wording import Wording
    from syncscope.solver.plan.batch import BatchPlan, PlanGroup, Skipped
    from syncscope.solver.plan.cross import CrossOrgPlan, CrossPlan, Upgrade
    from syncscope.solver.plan.org import OrgAction, OrgPlan, OrgStep, Unplannable
    from syncscope.solver.plan.results import Plan, Step
    from syncscope.solver.queries.check import CheckResult
    from syncscope.solver.queries.counting import Counts
    from syncscope.solver.queries.domains import Domain, Domains, Removal
    from syncscope.solver.queries.matrix import ANY, Cube, Matrix
    from syncscope.solver.repair.nearest import Candidate, NearestResult
    from syncscope.solver.results import Change, Finding, format_number

    __version__: str

_LAZY = {
    "NoSolution": "syncscope.errors",
    # questions
    "check": "syncscope.api.check",
    "verdict": "syncscope.api.check",
    "count": "syncscope.api.space",
    "domains": "syncscope.api.space",
    "configurations": "syncscope.api.space",
    "export_lines": "syncscope.api.space",
    "table": "syncscope.api.space",
    "parse_verdicts": "syncscope.api.space",
    "VALID": "syncscope.api.space",
    "nearest": "syncscope.api.repair",
    "explain": "syncscope.api.repair",
    "plan": "syncscope.api.plan",
    "plan_graph": "syncscope.api.plan",
    "plan_inventory": "syncscope.api.plan",
    "plan_organisation_inventory": "syncscope.api.plan",
    "check_batch": "syncscope.api.batch",
    "change_costs": "syncscope.api.costs",
    "ChangeCosts": "syncscope.api.costs",
    "describe_variable": "syncscope.api.costs",
    "PricedChange": "syncscope.api.costs",
    "diff": "syncscope.api.compare",
    "check_against": "syncscope.api.compare",
    "Against": "syncscope.api.compare",
    "Diff": "syncscope.api.compare",
    "RuleChange": "syncscope.api.compare",
    # result types
    "ANY": "syncscope.solver.queries.matrix",
    "BatchPlan": "syncscope.solver.plan.batch",
    "CrossOrgPlan": "syncscope.solver.plan.cross",
    "CrossPlan": "syncscope.solver.plan.cross",
    "Upgrade": "syncscope.solver.plan.cross",
    "Candidate": "syncscope.solver.repair.nearest",
    "Change": "syncscope.solver.results",
    "CheckResult": "syncscope.solver.queries.check",
    "Conflict": "syncscope.solver.explain.conflicts",
    "Counts": "syncscope.solver.queries.counting",
    "Cube": "syncscope.solver.queries.matrix",
    "Domain": "syncscope.solver.queries.domains",
    "Domains": "syncscope.solver.queries.domains",
    "Explanation": "syncscope.solver.explain.diagnoses",
    "Finding": "syncscope.solver.results",
    "format_number": "syncscope.solver.results",
    "Matrix": "syncscope.solver.queries.matrix",
    "NearestResult": "syncscope.solver.repair.nearest",
    "OrgAction": "syncscope.solver.plan.org",
    "OrgPlan": "syncscope.solver.plan.org",
    "OrgStep": "syncscope.solver.plan.org",
    "Unplannable": "syncscope.solver.plan.org",
    "Plan": "syncscope.solver.plan.results",
    "PlanGroup": "syncscope.solver.plan.batch",
    "Removal": "syncscope.solver.queries.domains",
    "Skipped": "syncscope.solver.plan.batch",
    "Step": "syncscope.solver.plan.results",
    "Wording": "syncscope.solver.explain.wording",
}
"""Public name -> the module that defines it, imported on first use."""

__all__ = [
    "ANY",
    "VALID",
    "Against",
    "BatchPlan",
    "Candidate",
    "Change",
    "ChangeCosts",
    "CheckResult",
    "ConfigurationError",
    "Conflict",
    "Counts",
    "CrossOrgPlan",
    "CrossPlan",
    "Cube",
    "Diff",
    "Domain",
    "Domains",
    "Explanation",
    "Finding",
    "InputError",
    "Level",
    "Matrix",
    "Model",
    "ModelError",
    "NearestResult",
    "NoSolution",
    "OrgAction",
    "OrgPlan",
    "OrgStep",
    "Plan",
    "PlanGroup",
    "PricedChange",
    "Removal",
    "RuleChange",
    "Skipped",
    "Step",
    "SyncscopeError",
    "Unplannable",
    "UnreadableInput",
    "UnwritableOutput",
    "Upgrade",
    "Wording",
    "__version__",
    "change_costs",
    "check",
    "check_against",
    "check_batch",
    "configurations",
    "count",
    "describe_variable",
    "diff",
    "domains",
    "explain",
    "export_lines",
    "format_number",
    "load_model",
    "nearest",
    "parse_verdicts",
    "plan",
    "plan_graph",
    "plan_inventory",
    "plan_organisation_inventory",
    "table",
    "verdict",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value: Any = version("syncscope")
    else:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'syncscope' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
