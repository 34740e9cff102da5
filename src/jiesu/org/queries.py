"""Reads about people and units."""

from dataclasses import dataclass

from jiesu.org.models import Membership, Role, Unit


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    path: str
    kind: str


def grants_of(user) -> tuple[Grant, ...]:
    """The (role, unit subtree) pairs a user holds; cached on the user object."""
    cached = getattr(user, "_jiesu_grants", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            cached = ()
        else:
            cached = tuple(
                Grant(m.role, m.unit_id, m.unit.path, m.unit.kind)
                for m in Membership.objects.filter(user=user).select_related("unit")
            )
        user._jiesu_grants = cached
    return cached


def roles_of(user) -> set[str]:
    return {g.role for g in grants_of(user)}


def role_labels(user) -> list[str]:
    return [Role(r).label for r in sorted(roles_of(user))]


def roles_over(user, unit_paths: list[str]) -> set[str]:
    """Roles the user holds on a subtree that contains any of the given unit paths."""
    return {g.role for g in grants_of(user) for p in unit_paths if p and p.startswith(g.path)}


def handling_units():
    return Unit.objects.filter(active=True).exclude(kind__in=["district", "street"])
