"""The editions of the page: each version of Microsoft's page, with its rule set and its cover.

The registry is plain data, so two editions load side by side as two ``Model`` values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_EDITION",
    "EDITIONS",
    "Edition",
    "covering",
    "edition_ids",
    "get_edition",
]


@dataclass(frozen=True, slots=True)
class Edition:
    """One version of the page and the rule set that models it."""

    id: str
    """The public id, e.g. ``online-2022-01``."""
    title: str
    """What the page is, in a few words."""
    source: str
    """The stem of the page's file in ``data/sources/`` (repository, ms.date and commit)."""
    repository: str
    """Where the page's Markdown lives: repository and path."""
    commit: str
    """The commit the page was read at."""
    date: str
    """The page's ``ms.date``, as an ISO date."""
    versions: tuple[str, ...]
    """The product versions the edition covers (our reading of "9.x"; docs/interpretations.md)."""
    deployments: tuple[str, ...]
    """The deployments the edition covers."""
    rules: str
    """The rule set, relative to ``data/``."""
    traceability: str
    """The traceability table, relative to ``data/``."""

    @property
    def rules_path(self) -> Path:
        """The installed path of the rule set."""
        return _data(self.rules)

    @property
    def traceability_path(self) -> Path:
        """The installed path of the traceability table."""
        return _data(self.traceability)

    def covers(self, variable: str, value: object) -> bool:
        """Whether the cover admits ``value`` for ``variable`` (only version and deployment vary).

        Examples
        --------
        >>> get_edition("online-2022-01").covers("deployment", "on-premises")
        False
        """
        if variable == "version":
            return value in self.versions
        if variable == "deployment":
            return value in self.deployments
        return True

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "repository": self.repository,
            "commit": self.commit,
            "date": self.date,
            "versions": list(self.versions),
            "deployments": list(self.deployments),
            "default": self.id == DEFAULT_EDITION,
        }


def _data(rel: str) -> Path:
    return Path(str(resources.files("syncscope.model").joinpath("data", *rel.split("/"))))


_CE = "MicrosoftDocs/dynamics-365-customer-engagement"
_PAGE = "supported-email-service-configurations-server-side-synchronization.md"
_BOTH = ("online", "on-premises")

EDITIONS: tuple[Edition, ...] = (
    Edition(
        "pre-9.0",
        "The seed page, for versions before 9.0",
        "seed",
        "docs.microsoft.com (Dynamics 365 before 9.0)",
        "",
        "2017",
        ("8.0", "8.1", "8.2"),
        _BOTH,
        "seed.toml",
        "traceability.toml",
    ),
    Edition(
        "9.x-2018-07",
        "Customer Engagement 9.x admin page, July 2018",
        "v9_ce-admin_2018-07-06_0fa3b35",
        f"{_CE} : ce/admin/{_PAGE}",
        "0fa3b35d7b20a74db178b9e198980f022e4d9270",
        "2018-07-06",
        ("9.0", "9.1"),
        _BOTH,
        "editions/9.x-2018-07.toml",
        "editions/9.x-2018-07.trace.toml",
    ),
    Edition(
        "9.x-2019-06",
        "Customer Engagement 9.x admin page, June 2019",
        "v9_ce-admin_2019-06-03_992530b",
        f"{_CE} : ce/admin/{_PAGE}",
        "992530b6f809e7b6e010134a8d9705f7289394cb",
        "2019-06-03",
        ("9.0", "9.1"),
        _BOTH,
        "editions/9.x-2019-06.toml",
        "editions/9.x-2019-06.trace.toml",
    ),
    Edition(
        "onprem-9.x-2020-05",
        "Customer Engagement (on-premises) 9.x page, May 2020",
        "v9_onprem_2020-05-19_bcee250",
        f"{_CE} : ce/customerengagement/on-premises/admin/{_PAGE}",
        "bcee250ca78f5c2cde07d0bd7a837da7a8e8b4e6",
        "2020-05-19",
        ("9.0", "9.1"),
        ("on-premises",),
        "editions/onprem-9.x-2020-05.toml",
        "editions/onprem-9.x-2020-05.trace.toml",
    ),
    Edition(
        "online-2020-10",
        "Power Platform admin page (customer engagement apps online), October 2020",
        "v9_power-platform_2020-10-09_bb29536",
        f"MicrosoftDocs/power-platform : power-platform/admin/{_PAGE}",
        "bb29536d6da5d97661d02cfcaceccc28c2476d62",
        "2020-10-09",
        ("9.1", "9.2"),
        ("online",),
        "editions/online-2020-10.toml",
        "editions/online-2020-10.trace.toml",
    ),
    Edition(
        "online-2022-01",
        "Power Platform admin page (customer engagement apps online), January 2022",
        "v9_power-platform_2022-01-13_0d5702e",
        f"MicrosoftDocs/power-platform : power-platform/admin/{_PAGE}",
        "0d5702e6f7a122ab124ae7e7042457bb4ec4eae6",
        "2022-01-13",
        ("9.1", "9.2"),
        ("online",),
        "editions/online-2022-01.toml",
        "editions/online-2022-01.trace.toml",
    ),
)
"""Every edition, oldest first (a public contract: exactly these ids)."""

DEFAULT_EDITION = "pre-9.0"
"""The edition used when none is named: the seed, whose answers never change."""


def edition_ids() -> tuple[str, ...]:
    """The edition ids, oldest first.

    Examples
    --------
    >>> edition_ids()[0], len(edition_ids())
    ('pre-9.0', 6)
    """
    return tuple(e.id for e in EDITIONS)


def get_edition(edition_id: object) -> Edition:
    """Return the edition called ``edition_id``, or raise with a did-you-mean.

    Raises
    ------
    ConfigurationError
        For an unknown id, with the closest ids as suggestions.

    Examples
    --------
    >>> get_edition("online-2022-01").versions
    ('9.1', '9.2')
    >>> get_edition("online-2022")
    Traceback (most recent call last):
    ...
    syncscope.errors.ConfigurationError: unknown edition 'online-2022' (one of pre-9.0, \
9.x-2018-07, 9.x-2019-06, onprem-9.x-2020-05, online-2020-10, online-2022-01); did you mean \
'online-2022-01', 'online-2020-10'?
    """
    for edition in EDITIONS:
        if edition.id == edition_id:
            return edition
    key = edition_id.strip().lower() if isinstance(edition_id, str) else ""
    for edition in EDITIONS:
        if edition.id == key:
            return edition
    ids = list(edition_ids())
    close = difflib.get_close_matches(key, ids, n=3, cutoff=0.5)
    raise ConfigurationError(
        f"unknown edition {edition_id!r} (one of {', '.join(ids)})",
        value=edition_id if isinstance(edition_id, str) else None,
        suggestions=close,
    )


def covering(variable: str, value: object) -> tuple[str, ...]:
    """The ids of the editions whose cover admits ``value`` for ``variable``.

    Examples
    --------
    >>> covering("version", "8.2")
    ('pre-9.0',)
    >>> covering("deployment", "on-premises")[-1]
    'onprem-9.x-2020-05'
    """
    return tuple(e.id for e in EDITIONS if e.covers(variable, value))
