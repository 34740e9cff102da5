"""A case's future as a list of moves (workflow action, actor, minutes after arrival).

Plans are drawn from the seed alone; jiesu.demo.build plays them through the workflow
functions and stops at "now", so recent cases are left in whatever state they had reached.
"""

import random
from dataclasses import dataclass, field

from jiesu.cases.workflow import TRANSITIONS
from jiesu.demo import texts
from jiesu.demo.office import Office
from jiesu.demo.topics import Topic

HOUR = 60.0
DAY = 24 * HOUR
LIMIT = {"emergency": 2 * HOUR, "utility": DAY, "ordinary": 7 * DAY, "complex": 15 * DAY}
SUPERVISION_NODES = (2 * HOUR, DAY, 7 * DAY)
# Done by units, reviewers and the leader in office hours; the desk itself is on duty 24 hours.
OFFICE_HOURS = frozenset(
    {
        "contact",
        "extend",
        "approve_extension",
        "reply",
        "approve",
        "reject",
        "shelve",
        "unshelve",
        "note",
    }
)
SATISFACTION = {  # 满意, 基本满意, 不满意, 未评价, by how far the problem was solved
    "solved": (85, 11, 3, 1),
    "partly": (30, 45, 22, 3),
    "unsolved": (8, 22, 65, 5),
}


@dataclass(slots=True)
class Move:
    at: float  # minutes after arrival
    action: str
    by: object
    kwargs: dict = field(default_factory=dict)


@dataclass
class Draft:
    """What the generator knows about a case before it is played."""

    topic: Topic
    request: str
    urgency: str
    community: object
    special: bool
    ctx: dict
    where: str


def states(moves: list[Move]) -> list[str]:
    """The state after each move, from the transition table."""
    state, out = "received", []
    for move in moves:
        state = TRANSITIONS[move.action].target or state
        out.append(state)
    return out


class Planner:
    """Draws the moves of one case: who does what, and when."""

    def __init__(self, rng: random.Random, office: Office):
        self.rng, self.office = rng, office
        users = office.users
        self.desk = (users["zuoxi"], users["zuoxi2"], users["zuzhang"])
        self.callers = (users["zuoxi"], users["zuoxi2"], users["shuju"])

    def plan(self, draft: Draft, fate: str | None = None, clock: float | None = None) -> list[Move]:
        """The moves of a case that arrived at `clock` minutes past midnight (None: unknown)."""
        self.draft, self.moves, self.clock = draft, [], clock
        self.round_the_clock = clock is None or draft.urgency in ("emergency", "utility")
        self.op = self.rng.choices(self.desk, (45, 45, 10))[0]
        fate = fate or self._fate()
        getattr(self, f"_{fate}")()
        self.moves.sort(key=lambda m: m.at)
        return self.moves

    def _fate(self) -> str:
        request, urgency = self.draft.request, self.draft.urgency
        if request == "praise":
            return "desk"
        if request == "consult":
            return self.rng.choices(("desk", "handle", "returned"), (65, 33, 2))[0]
        shelvable = urgency in ("ordinary", "complex")
        weights = (3, 1, 4, 1.2 if shelvable else 0, 90.8)
        return self.rng.choices(("returned", "disputed", "desk", "shelved", "handle"), weights)[0]

    def _add(self, at, action, by, **kwargs) -> float:
        """Add a move, moved into working hours for whom the desk's 24-hour duty is not."""
        if action == "callback":
            at = self._within(at, 8 * HOUR, 21 * HOUR)
        elif action in OFFICE_HOURS and not self.round_the_clock:
            at = self._within(at, 8.5 * HOUR, 18 * HOUR)
        self.moves.append(Move(at, action, by, kwargs))
        return at

    def _within(self, at: float, opens: float, closes: float) -> float:
        """`at`, or a little after the next opening time if it falls outside the hours."""
        if self.clock is None:
            return at
        minute = (self.clock + at) % DAY
        if opens <= minute < closes:
            return at
        return at + (opens - minute) % DAY + self.rng.uniform(0, 4 * HOUR)

    def _text(self, kind, **values) -> str:
        return texts.reason(self.rng, kind, **values)

    # --- fates -------------------------------------------------------------------

    def _returned(self):
        u = self.rng.uniform
        t = self._sign() if self.rng.random() < 0.5 else 0.0
        self._add(t + u(10, 100), "return", self.op, reason=self._text("return"))

    def _desk(self):
        t = self._sign()
        answer = self.draft.topic.answer or texts.DESK_ANSWER
        t = self._add(t + self.rng.uniform(5, 60), "close", self.op, answer=answer)
        if self.rng.random() < 0.6:
            self._callback(t, "solved")

    def _disputed(self):
        u = self.rng.uniform
        t = self._dispatch(self._sign())
        t = self._add(t + u(60, 600), "note", self._handler(), text=self._text("dispute_note"))
        self._add(t + u(30, 240), "dispute", self.op, reason=self._text("dispute"))

    def _handle(self):
        dispatched = self._dispatch(self._sign())
        outcome = self._outcome()
        t = self._work(dispatched, dispatched, outcome)
        t = self._callback(t, outcome)
        if t is not None and self._reopens():
            self._reopen(t)

    def _shelved(self):
        u, rng = self.rng.uniform, self.rng
        dispatched = self._dispatch(self._sign())
        t = self._contact(dispatched)
        shelved = self._add(
            t + u(3 * DAY, 12 * DAY),
            "shelve",
            self.office.users["zuzhang"],
            reason=self._text("shelve"),
        )
        self._urges(dispatched, shelved)
        t = shelved
        for _ in range(rng.randint(2, 10)):
            t = self._add(
                t + u(27 * DAY, 33 * DAY), "note", self._handler(), text=self._text("progress")
            )
        if rng.random() < 0.5:
            t = self._add(
                t + u(DAY, 5 * DAY),
                "unshelve",
                self.office.users["zuzhang"],
                reason=self._text("unshelve"),
            )
            outcome = self._outcome()
            t = self._reply(t + u(2 * DAY, 20 * DAY), outcome)
            self._callback(self._review(t), outcome)

    # --- steps -------------------------------------------------------------------

    def _sign(self) -> float:
        r, u = self.rng.random(), self.rng.uniform
        delay = u(1, 15) if r < 0.8 else u(15, 30) if r < 0.95 else u(30, 120)
        return self._add(delay, "sign", self.op)

    def _dispatch(self, t: float) -> float:
        rng, u = self.rng, self.rng.uniform
        if self.draft.special:
            t = self._add(
                t + u(5, 40),
                "approve_dispatch",
                self.office.users["zuzhang"],
                note=self._text("approve_dispatch"),
            )
        r = rng.random()
        t += u(3, 30) if r < 0.8 else u(30, 60) if r < 0.95 else u(60, 240)
        self.lead, co_units = self._units()
        t = self._add(
            t,
            "dispatch",
            self.op,
            lead_unit=self.lead,
            co_units=co_units,
            note=self._text("dispatch"),
        )
        if rng.random() < 0.04:
            previous = self.lead
            self.lead, co_units = self._units(exclude=previous)
            if self.lead is not previous:
                t = self._add(
                    t + u(30, 480),
                    "redispatch",
                    self.op,
                    lead_unit=self.lead,
                    co_units=co_units,
                    reason=self._text("redispatch", unit=self.lead.name),
                )
        return t

    def _units(self, exclude=None):
        """A lead unit from the topic's candidates (the first is likeliest) and maybe a co-unit."""
        rng = self.rng
        names = self.draft.topic.units
        candidates = [self._unit(n) for n in names]
        candidates = [c for c in candidates if c is not exclude] or candidates
        weights = [6] + [4] * (len(candidates) - 1)
        lead = rng.choices(candidates, weights)[0]
        others = [c for c in candidates if c is not lead]
        share = 0.5 if self.draft.special else 0.2
        co_units = [rng.choice(others)] if others and rng.random() < share else []
        return lead, co_units

    def _unit(self, name: str):
        return self.draft.community if name == "社区" else self.office.units[name]

    def _handler(self):
        return self.office.handlers[self.lead.pk]

    def _contact(self, t: float) -> float:
        u = self.rng.uniform
        urgency = self.draft.urgency
        if urgency == "emergency":
            t += u(5, 40)
        elif urgency == "utility":
            t += u(20, 240)
        else:
            t += self.rng.triangular(30, DAY, 2 * HOUR)
        if not self.round_the_clock:
            t = self._within(t, 8.5 * HOUR, 18 * HOUR)
        self.contacted = t - self.rng.uniform(0, 5)
        return self._add(
            t,
            "contact",
            self._handler(),
            contact_at=self.contacted,
            way=self.rng.choice(("电话", "电话", "上门")),
            summary=self._text("contact"),
        )

    def _work(self, since: float, dispatched: float, outcome: str, *, again=False) -> float:
        """Contact, chase, maybe extend, reply and review; returns when the case closes."""
        rng, u = self.rng, self.rng.uniform
        t = self._contact(since)
        urgency, limit = self.draft.urgency, LIMIT[self.draft.urgency]
        late = rng.random() < 0.07
        if again:
            reply = t + u(4 * HOUR, 4 * DAY)
        elif urgency == "emergency":
            reply = t + (u(120, 300) if late else u(20, 70))
        elif urgency == "utility":
            reply = t + (u(DAY, 2.5 * DAY) if late else u(2 * HOUR, 20 * HOUR))
        else:
            reply = u(limit, limit * 1.7) if late else t + u(DAY, limit * 0.85)
        reply = max(reply, t + HOUR)
        extended = not again and urgency in ("ordinary", "complex") and rng.random() < 0.05
        if extended:
            reply = self._extend(t, reply, limit)
        self._urges(dispatched, reply)
        chased = max(limit, t) + u(0, 2 * HOUR)
        if not (again or extended) and chased < reply and rng.random() < 0.7:
            self._add(chased, "urge", self.op, note=self._text("late"))
        if rng.random() < 0.015:
            self._add(
                u(t, reply), "supervise", self.office.users["ducha"], note=self._text("supervise")
            )
        return self._review(self._reply(reply, outcome))

    def _extend(self, t: float, reply: float, limit: float) -> float:
        """申请延期 and the leader's decision; returns when the reply may come."""
        u = self.rng.uniform
        asked = t + u(HOUR, max(2 * HOUR, (reply - t) * 0.3))
        extra = self.rng.randint(3, 10)
        asked = self._add(
            asked, "extend", self._handler(), until=extra, reason=self._text("extend")
        )
        leader = self.office.users["zuzhang"]
        if self.rng.random() < 0.85:
            decided = self._add(
                asked + u(HOUR, 8 * HOUR), "approve_extension", leader, approved=True
            )
            return max(reply, decided + HOUR, limit + u(0.5 * DAY, (extra - 0.5) * DAY))
        decided = self._add(
            asked + u(HOUR, 8 * HOUR),
            "approve_extension",
            leader,
            approved=False,
            note=self._text("refuse_extension"),
        )
        return max(reply, decided + HOUR)

    def _urges(self, dispatched: float, until: float) -> None:
        for node in SUPERVISION_NODES:
            at = dispatched + node + self.rng.uniform(0, 60)
            if at < until - 10 and self.rng.random() < 0.35:
                self._add(at, "urge", self.op, note=self._text("urge"))

    def _reply(self, t: float, outcome: str) -> float:
        d = self.draft
        parts = texts.reply_parts(self.rng, d.topic, d.ctx, d.where, outcome)
        return self._add(t, "reply", self._handler(), contact_at=self.contacted, **parts)

    def _review(self, t: float) -> float:
        rng, u = self.rng, self.rng.uniform
        reviewer = rng.choices(
            (self.office.users["shenhe"], self.office.users["zuzhang"]), (85, 15)
        )[0]
        if rng.random() < 0.06:
            t = self._add(t + u(30, 600), "reject", reviewer, reason=self._text("reject"))
            t = self._reply(t + u(2 * HOUR, 2 * DAY), "solved")
        delay = u(20, 240) if rng.random() < 0.7 else u(4 * HOUR, DAY)
        return self._add(t + delay, "approve", reviewer, note=self._text("approve"))

    def _outcome(self) -> str:
        return self.rng.choices(("solved", "partly", "unsolved"), (80, 10, 10))[0]

    def _callback(self, closed: float, outcome: str) -> float | None:
        """The centre's callback once the limit has run out; None if it never calls."""
        rng = self.rng
        if rng.random() >= 0.9:
            return None
        at = max(closed, LIMIT[self.draft.urgency]) + rng.uniform(2 * HOUR, 3 * DAY)
        solved = outcome if rng.random() < 0.85 else rng.choice(("solved", "partly", "unsolved"))
        satisfaction = rng.choices(
            ("satisfied", "basic", "unsatisfied", "unrated"), SATISFACTION[solved]
        )[0]
        self.last_callback = (solved, satisfaction)
        return self._add(
            at,
            "callback",
            rng.choice(self.callers),
            valid=rng.random() < 0.95,
            contacted=rng.random() < 0.97,
            solved=solved,
            satisfaction=satisfaction,
        )

    def _reopens(self) -> bool:
        solved, satisfaction = self.last_callback
        unhappy = solved == "unsolved" or satisfaction == "unsatisfied"
        return unhappy and self.rng.random() < 0.4

    def _reopen(self, t: float) -> None:
        t = self._add(t + self.rng.uniform(30, 360), "reopen", self.op, reason=self._text("reopen"))
        outcome = self.rng.choices(("solved", "partly", "unsolved"), (70, 20, 10))[0]
        t = self._work(t, t, outcome, again=True)
        self._callback(t, outcome)
