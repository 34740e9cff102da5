"""Scoped reads: every model a user lists declares once how its rows are reached, and
`Model.objects.visible_to(reach, action)` is the only way to list them for a user.

This module knows no domain app. The rule itself (which grants reach which rows) lives in
`jiesu.org.access.Reach.restrict`, which reads the model's `scope`; `org` registers the
factory that turns a user into a Reach when a caller passes a user.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

ANY_ROLE = None  # in Scope.roles: every role reaches the row


@dataclass(frozen=True)
class Scope:
    """How a model's rows are reached.

    - `case`: the path to the case the row belongs to ("" for the case itself,
      "case" for a row with a `case` foreign key). The row is reached when its case is.
    - `unit`: the path to the unit the row belongs to ("street", "unit"), when the row
      has no case. The row is reached by a grant on that unit or above it.
    - `roles`: per action, the roles whose grants reach the row (ANY_ROLE: all of them).
    """

    case: str | None = None
    unit: str | None = None
    roles: dict = field(default_factory=lambda: {"view": ANY_ROLE})

    def roles_for(self, action: str):
        if action not in self.roles:
            raise ValueError(f"unknown action {action!r} for this scope")
        return self.roles[action]


_reach_of: Callable | None = None


def register_reach(factory: Callable) -> None:
    """Called by org at start-up: how a user becomes a Reach."""
    global _reach_of
    _reach_of = factory


def reach_of(who):
    """A Reach as given, or the Reach of a user."""
    if hasattr(who, "restrict"):
        return who
    if _reach_of is None:
        raise RuntimeError("no Reach factory registered (is jiesu.org installed?)")
    return _reach_of(who)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, who, action: str = "view"):
        """The rows the user (or Reach) `who` may `action`; nobody with no grant sees any."""
        return reach_of(who).restrict(self, action)


def unscoped(queryset, *, why: str):
    """A read that deliberately ignores the reader's reach (a suggestion counting a
    street's whole history, a system job). `why` says why; grep for `unscoped(`."""
    if not why.strip():
        raise ValueError("an unscoped read must say why")
    return queryset
