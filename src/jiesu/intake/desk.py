"""The desks that take cases in: the streets where a user is 坐席员 or 组长."""

from jiesu.org.access import DESK_ROLES
from jiesu.org.models import UnitKind

_STREET = (UnitKind.STREET,)


def desk_streets(reach):
    """The streets the user works the desk for (a desk role granted on the street), by path."""
    return reach.units(DESK_ROLES, kinds=_STREET, granted_kinds=_STREET)


def desk_street(reach):
    """The street whose cases this desk imports: the first of `desk_streets`, or None."""
    return reach.home(DESK_ROLES, kinds=_STREET)
