"""Who may see or do what, where: one `Reach` per request (`request.reach`), `Reach(user)`
in commands and workers.

A user's reach is the set of grants (role × unit subtree) in force now. Everything that
asks "which rows may this person see", "which units may they work for", "which roles do
they hold on this case" or, inversely, "who holds this role on this unit" asks it here:

    reach.cases(action)          the cases (the only way to read cases for a user)
    Model.objects.visible_to(reach, action)
                                 rows of any model declaring a `scope` (core.scoping)
    reach.units(roles, kinds)    the units in the subtrees the user holds those roles on
    reach.roles_on(case)         the roles the user holds on one case
    Reach.who(role, unit)        the people holding a role on a unit (notifications, rosters)

A grant may carry a validity period (a roster shift, a temporary cover): outside it the
grant reaches nothing. `org` imports no other domain app; models are reached through the
app registry and their declared `scope`.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jiesu.core.scoping import ANY_ROLE
from jiesu.org.models import HANDLER_ROLES, Membership, Role, Unit, UnitKind

DESK_ROLES = frozenset({Role.LEADER, Role.OPERATOR})
TOP_KINDS = (UnitKind.DISTRICT, UnitKind.STREET)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str
    kind: str
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None

    def in_force(self, at: dt.datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_to is None or at < self.valid_to
        )


def in_force_q(at: dt.datetime, prefix: str = "") -> Q:
    """Memberships in force at `at`, as a filter (prefix: the path to the membership)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": at})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": at})
    )


def _all_grants(user) -> tuple[Grant, ...]:
    """Every grant the user has, in force or not; cached on the user object."""
    cached = getattr(user, "_jiesu_grants", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
            cached = ()
        else:
            cached = tuple(
                Grant(m.role, m.unit_id, m.unit.path, m.unit.kind, m.valid_from, m.valid_to)
                for m in Membership.objects.filter(user=user)
                .select_related("unit")
                .order_by("unit__path", "role", "pk")
            )
        user._jiesu_grants = cached
    return cached


def forget(user) -> None:
    """Drop the grants cached on a user object (after its memberships changed)."""
    user.__dict__.pop("_jiesu_grants", None)


def _column_is(column: str, ids: list[int]) -> Q:
    # one id as an equality, so an index on (column, time) also gives the order
    return Q(**{column: ids[0]}) if len(ids) == 1 else Q(**{f"{column}__in": ids})


class Reach:
    """What one user reaches at one moment (now, unless `at` is given)."""

    def __init__(self, user, *, at: dt.datetime | None = None):
        self.user = user
        self.at = at or timezone.now()

    def __repr__(self) -> str:
        return f"<Reach {getattr(self.user, 'username', None)!r} at {self.at:%Y-%m-%d %H:%M}>"

    # --- the grants -------------------------------------------------------------------

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        """The grants in force at this reach's moment, ordered by unit path."""
        return tuple(g for g in _all_grants(self.user) if g.in_force(self.at))

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def holds(self, *roles, kinds=None) -> bool:
        """Whether the user holds any of the roles (on a unit of one of the kinds)."""
        return any(g.role in roles and (kinds is None or g.kind in kinds) for g in self.grants)

    def _grants(self, roles=ANY_ROLE, kinds=None) -> list[Grant]:
        return [
            g
            for g in self.grants
            if (roles is ANY_ROLE or g.role in roles) and (kinds is None or g.kind in kinds)
        ]

    def paths(self, roles=ANY_ROLE, kinds=None) -> list[str]:
        """The unit paths of the user's grants (of those roles, on units of those kinds)."""
        return sorted({g.path for g in self._grants(roles, kinds)})

    # --- units ------------------------------------------------------------------------

    def units(self, roles=ANY_ROLE, kinds=None, *, granted_kinds=None):
        """The units in the subtrees where the user holds one of `roles` (all roles when
        not given), of the given `kinds`; `granted_kinds` limits the grants themselves to
        units of those kinds (a desk on a street, not on a district). Ordered by path."""
        within = Q(pk__in=[])
        for path in self.paths(roles, granted_kinds):
            within |= Q(path__startswith=path)
        qs = Unit.objects.filter(within)
        if kinds is not None:
            qs = qs.filter(kind__in=list(kinds))
        return qs.order_by("path")

    def reaches_unit(self, unit, roles=ANY_ROLE) -> bool:
        """Whether the unit lies in a subtree the user holds one of `roles` on."""
        return any(unit.path.startswith(p) for p in self.paths(roles))

    def home(self, roles=ANY_ROLE, kinds=None):
        """The first unit the user is granted (of those roles and kinds), or None: the
        default a page opens on."""
        grants = self._grants(roles, kinds)
        return Unit.objects.filter(pk=grants[0].unit_id).first() if grants else None

    # --- roles on one case ------------------------------------------------------------

    def roles_on(self, case, *, co_units: bool = False) -> set[str]:
        """Roles the user holds on this case: desk and office-wide roles over its district,
        street or lead unit; handler roles over its lead unit (and its co-units where the
        action lets co-units act)."""
        desk_paths = [u.path for u in (case.district, case.street, case.lead_unit) if u]
        handler_paths = [case.lead_unit.path] if case.lead_unit_id else []
        if co_units:
            handler_paths += [u.path for u in _co_units_of(case)]
        roles = set()
        for grant in self.grants:
            paths = handler_paths if grant.role in HANDLER_ROLES else desk_paths
            if any(p.startswith(grant.path) for p in paths):
                roles.add(grant.role)
        return roles

    # --- rows of scoped models ----------------------------------------------------------

    def cases(self, action: str = "view"):
        """The cases this user may `action`: the only way to read cases for a user."""
        return apps.get_model("cases", "Case").objects.visible_to(self, action)

    def restrict(self, queryset, action: str = "view"):
        """`queryset` narrowed to the rows this user may `action`, by the model's `scope`."""
        scope = queryset.model.scope
        roles = scope.roles_for(action)
        grants = self._grants(roles)
        if scope.case == "":
            return queryset.filter(self._case_condition(grants))
        if scope.case is not None:
            # a row of a case: one key lookup of its case per row, so a few rows (applications,
            # reveals, one case's timeline) never start from a street's million cases
            case_model = apps.get_model("cases", "Case")
            reached = case_model.objects.filter(
                self._case_condition(grants), pk=OuterRef(f"{scope.case}_id")
            )
            return queryset.filter(Exists(reached))
        within = Q(pk__in=[])
        for path in sorted({g.path for g in grants}):
            within |= Q(**{f"{scope.unit}__path__startswith": path})
        return queryset.filter(within)

    def _case_condition(self, grants: list[Grant]) -> Q:
        """Cases whose district, street, lead unit or a co-unit lies in a subtree of the
        grants. A case's lead and co-units always lie inside its street, and its street
        inside its district, so a grant on a district or street is one indexed column test.
        """
        case_model = apps.get_model("cases", "Case")
        visible = Q(pk__in=[])
        for path, kind in sorted({(g.path, g.kind) for g in grants}):
            subtree = Unit.objects.filter(path__startswith=path)
            if kind in TOP_KINDS:
                column = "district_id" if kind == UnitKind.DISTRICT else "street_id"
                ids = list(subtree.filter(kind=kind).values_list("id", flat=True))
                visible |= _column_is(column, ids)
            else:
                units = subtree.values("id")
                co_unit = case_model.co_units.through.objects.filter(
                    case_id=OuterRef("pk"), unit_id__in=units
                )
                visible |= Q(lead_unit_id__in=units) | Exists(co_unit)
        return visible

    # --- the inverse: who holds a role here -------------------------------------------

    @staticmethod
    def who(role: str, unit, *, at: dt.datetime | None = None) -> models.QuerySet:
        """The active people holding `role` on `unit` or a unit above it, at `at` (now)."""
        at = at or timezone.now()
        above = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/" and i]
        held = Membership.objects.filter(
            in_force_q(at), user=OuterRef("pk"), role=role, unit__path__in=above
        )
        return get_user_model().objects.filter(Exists(held), is_active=True).order_by("username")


def _co_units_of(case) -> list:
    cached = getattr(case, "_jiesu_co_units", None)
    if cached is None:
        cached = list(case.co_units.all()) if case.pk else []
        case._jiesu_co_units = cached
    return cached


def reach_of(user) -> Reach:
    """The Reach of a user now (used when a caller passes a user instead of a Reach)."""
    return Reach(user)
