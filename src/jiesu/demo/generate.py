"""Draws the demo cases from a seed: arrival, place, topic, caller, words and plan."""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from jiesu.cases.deadlines import LOCAL
from jiesu.demo import texts
from jiesu.demo.office import Office
from jiesu.demo.plans import Draft, Move, Planner, states
from jiesu.demo.topics import TOPICS

# Calls by hour of day (Beijing time): quiet at night, busiest mid-morning.
HOURLY = (
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.5,
    3,
    5,
    6,
    6,
    5.5,
    4.5,
    5,
    5.5,
    5.5,
    5,
    4.5,
    4,
    4,
    3.5,
    3,
    2,
    1.5,
)
HOURLY_CUM = list(accumulate(HOURLY))
# The newest cases are pinned to these states, so that even a small demo shows every queue.
TAIL = (
    "received",
    "accepted",
    "dispatched",
    "replied",
    "shelved",
    "received",
    "accepted",
    "replied",
)
TAIL_FATES = {"shelved": "shelved"}
CHANNELS = (
    ("phone", 72),
    ("web", 12),
    ("manual", 6),
    ("96181", 4),
    ("gov_website", 3),
    ("leader_board", 2),
    ("opinion", 1),
)
EVALUATION = (("full", 85), ("response", 8), ("none", 7))
OLD_ESTATES = ("霍营小区社区", "华龙苑南里社区", "华龙苑北里社区", "华龙苑中里社区", "蓝天园社区")


@dataclass
class Script:
    """A case ready to be received, and what will happen to it."""

    fields: dict
    tags: list
    moves: list[Move]


def _pairs(choices):
    return [c for c, _ in choices], [w for _, w in choices]


TOPIC_WEIGHTS = {
    month: list(accumulate(t.weight if not t.months or month in t.months else 0 for t in TOPICS))
    for month in range(1, 13)
}
CHUNK = 5000


def arrivals(rng: random.Random, count: int, months: int, now: dt.datetime) -> list[int]:
    """Arrival times (epoch seconds), sorted, weighted by hour of day."""
    end = now.timestamp()
    start = end - months * 30.44 * 86400
    first = dt.datetime.fromtimestamp(start, LOCAL).replace(hour=0, minute=0, second=0)
    first_day, days = first.timestamp(), int((end - first.timestamp()) // 86400) + 1
    hours = range(24)
    out = []
    while len(out) < count:
        hour = rng.choices(hours, cum_weights=HOURLY_CUM)[0]
        at = first_day + rng.randrange(days) * 86400 + hour * 3600 + rng.randrange(3600)
        if start <= at <= end:
            out.append(int(at))
    out.sort()
    return out


class Generator:
    """`count` cases over the last `months` months, in chunks each drawn from its own seed,
    so that chunks can be played in any process and still give the same cases."""

    def __init__(
        self,
        office: Office,
        *,
        count: int,
        months: int,
        seed: int,
        now: dt.datetime,
        chunk_size: int = CHUNK,
    ):
        self.office, self.now, self.seed, self.chunk_size = office, now, seed, chunk_size
        tail = TAIL[: min(len(TAIL), count // 10)]
        self.slots = [*arrivals(random.Random(seed), count - len(tail), months, now), *tail]
        self.chunks = -(-count // chunk_size)

    def chunk(self, index: int) -> Iterator[Script]:
        draw = Drawer(random.Random(f"{self.seed}:{index}"), self.office, self.now)
        first = index * self.chunk_size
        for number, slot in enumerate(self.slots[first : first + self.chunk_size], start=first + 1):
            yield draw.pinned(number, slot) if isinstance(slot, str) else draw.arrived(number, slot)

    def scripts(self) -> Iterator[Script]:
        for index in range(self.chunks):
            yield from self.chunk(index)


class Drawer:
    """Draws cases one after another from one random stream."""

    def __init__(self, rng: random.Random, office: Office, now: dt.datetime):
        self.rng, self.office, self.now = rng, office, now
        self.planner = Planner(rng, office)
        self.channels, self.evaluation = _pairs(CHANNELS), _pairs(EVALUATION)

    def arrived(self, number: int, at: int) -> Script:
        received_at = dt.datetime.fromtimestamp(at, LOCAL)
        draft = self.draft(received_at.month)
        clock = received_at.hour * 60 + received_at.minute + received_at.second / 60
        return self.script(number, received_at, draft, self.planner.plan(draft, clock=clock))

    def pinned(self, number: int, target: str) -> Script:
        """A case received just long enough ago to stand in `target` now."""
        draft = self.draft(self.now.astimezone(LOCAL).month)
        moves = self.planner.plan(draft, TAIL_FATES.get(target, "handle"))
        received_at = self.now - dt.timedelta(minutes=self.age(moves, target))
        return self.script(number, received_at.replace(microsecond=0), draft, moves)

    def age(self, moves: list[Move], target: str) -> float:
        """Minutes since arrival at which the case stands in `target`, between two moves."""
        times = [0.0] + [m.at for m in moves] + [moves[-1].at + 24 * 60 if moves else 60.0]
        for i, state in enumerate(["received", *states(moves)]):
            if state == target:
                return times[i] + self.rng.uniform(0.2, 0.8) * (times[i + 1] - times[i])
        return self.rng.uniform(0, 60)

    def draft(self, month: int) -> Draft:
        rng = self.rng
        topic = rng.choices(TOPICS, cum_weights=TOPIC_WEIGHTS[month])[0]
        community = rng.choice(self.office.communities)
        ctx = texts.context(rng, community.name)
        place = f"{ctx['c']}{ctx['spot']}" if rng.random() < 0.7 else ctx["road"]
        return Draft(
            topic=topic,
            request=rng.choices(*_pairs(topic.requests))[0],
            urgency=rng.choices(*_pairs(topic.urgencies))[0],
            community=community,
            special=topic.group and rng.random() < 0.08,
            ctx=ctx,
            where=place,
        )

    def script(self, number: int, received_at: dt.datetime, draft: Draft, moves) -> Script:
        rng, office = self.rng, self.office
        channel = rng.choices(*self.channels)[0]
        web = channel in ("web", "gov_website", "leader_board", "opinion")
        title, content = texts.complaint(
            rng, draft.topic, draft.ctx, request=draft.request, web=web, group=draft.special
        )
        city = rng.random() < 0.6
        day = received_at.astimezone(LOCAL).strftime("%Y%m%d")
        fields = dict(
            texts.caller(rng, draft.ctx),
            platform="city" if city else "district",
            platform_no=f"{day}{number:07d}" if city else f"CP{day}{number:07d}",
            channel=channel,
            request_type=draft.request,
            urgency=draft.urgency,
            category=office.categories[draft.topic.path],
            title=title,
            content=content,
            caller_account=f"wx{rng.randrange(10**10):010d}" if web else "",
            location=draft.where,
            district=office.district,
            street=office.street,
            community=draft.community,
            received_at=received_at,
            evaluation_type=rng.choices(*self.evaluation)[0],
            special="群体性诉求" if draft.special else "",
        )
        tags = [office.tags[name] for name in draft.topic.tags if rng.random() < 0.8]
        old = draft.community.name in OLD_ESTATES and "老旧小区" not in draft.topic.tags
        if old and rng.random() < 0.15:
            tags.append(office.tags["老旧小区"])
        return Script(fields, tags, moves)
