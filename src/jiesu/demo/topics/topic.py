"""A leaf of the demo category tree and how its cases read."""

from dataclasses import dataclass

# Placeholders a topic's texts may use (filled by jiesu.demo.texts):
# {c} estate (华龙苑南里), {spot} place in it (东门), {b} building (12号楼), {u} entrance (3),
# {road} a nearby road, {station} a metro station, {when} a recurring time of day,
# {time} a one-off moment, {shop} a kind of shop.


@dataclass(frozen=True)
class Topic:
    """A leaf of the category tree and how its cases read and are handled."""

    path: tuple[str, str, str]
    units: tuple[str, ...]  # lead unit candidates, first is likeliest; "社区": the case's own
    says: tuple[tuple[str, ...], ...]  # each: one or more titles, then what the caller says
    actions: tuple[str, ...]
    requests: tuple[tuple[str, int], ...] = (("complaint", 8), ("help", 2))
    urgencies: tuple[tuple[str, int], ...] = (("ordinary", 1),)
    tags: tuple[str, ...] = ()
    weight: int = 10
    months: tuple[int, ...] = ()  # in season only; empty: all year
    answer: str = ""  # the desk's own answer, for consultations it closes itself
    recurring: bool = True  # "has lasted a week" makes sense
    group: bool = False  # may arrive as a 群体性诉求
