"""Reads about people and units. Who reaches what is org.access; this keeps the old
names working while callers move to `request.reach` / `Reach(user)`."""

from jiesu.org.access import Grant, Reach

__all__ = ["Grant", "grants_of", "roles_of", "roles_over"]


def grants_of(user) -> tuple[Grant, ...]:
    """The grants a user holds now. Outside org use `Reach(user).grants`."""
    return Reach(user).grants


def roles_of(user) -> set[str]:
    return set(Reach(user).roles)


def roles_over(user, unit_paths: list[str]) -> set[str]:
    """Roles the user holds on a subtree that contains any of the given unit paths."""
    return {g.role for g in Reach(user).grants for p in unit_paths if p and p.startswith(g.path)}
