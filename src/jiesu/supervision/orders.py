"""督办单: orders from the city or district centre, end to end.

The desk records an order (number, source, cases, demand, answer deadline); the 组长
forwards it to the units concerned (each unit's handlers are told, each open case gets a
督办 on its timeline through the workflow); each unit writes its answer; the desk chases
the missing answers (once per unit per day, by the notification key) and exports the
summary table for the district. Two lists follow cases the district asks about: last
cycle's cases still open, and the cases the city sent straight to the street.

Who does what: the street's desk (组长, 坐席员) records, chases and exports; forwarding
writes a 督办 on each case, which the workflow lets the 组长 do (坐席员 may not 督办); a
unit's handlers answer for their unit.
"""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from jiesu.assessment.rules import period_bounds, period_of
from jiesu.cases import workflow
from jiesu.cases.models import OPEN_STATES, Platform
from jiesu.core.localtime import LOCAL
from jiesu.core.masking import mask_text
from jiesu.core.scoping import unscoped
from jiesu.org.access import DESK_ROLES, Reach
from jiesu.org.models import HANDLER_ROLES, HANDLING_KINDS, Role
from jiesu.supervision.models import (
    Kind,
    OrderAnswer,
    OrderSource,
    OrderStatus,
    SupervisionOrder,
)
from jiesu.supervision.notify import notify

FORWARD_ROLES = frozenset({Role.LEADER})  # the workflow's 督办 on the street's desk
MAX_CASES = 200
MAX_TEXT = 2000
# The worker chases missing answers from this long before the deadline until a week after.
CHASE_BEFORE = dt.timedelta(hours=24)
CHASE_AFTER = dt.timedelta(days=7)
WHY = "the worker chases the missing answers of every street's orders"
SPLIT = re.compile(r"[\s,,、;;]+")


class OrderError(Exception):
    """A refused step; the message is Chinese, for the page."""


class OrderRefused(OrderError):
    """The person may not take this step."""


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOCAL):%Y-%m-%d %H:%M}"


# --- reading -------------------------------------------------------------------------------


def visible(reach):
    """The orders the reach reads (the street's desk and the district's 督办)."""
    return SupervisionOrder.objects.visible_to(reach)


def answers_to_write(reach):
    """The answers the reach's units owe or gave (a handler's list)."""
    return OrderAnswer.objects.visible_to(reach, "answer")


def with_counts(orders):
    """Orders with `answer_count`, `answered_count` and `case_count`."""
    return orders.annotate(
        answer_count=Count("answers", distinct=True),
        answered_count=Count(
            "answers", filter=Q(answers__answered_at__isnull=False), distinct=True
        ),
        case_count=Count("cases", distinct=True),
    )


def may_manage(reach, order_or_street) -> bool:
    """Whether the reach is the desk of the order's street (record, chase, export)."""
    street = getattr(order_or_street, "street", order_or_street)
    return reach.reaches_unit(street, DESK_ROLES)


def may_forward(reach, order) -> bool:
    return reach.reaches_unit(order.street, FORWARD_ROLES)


def streets_for(reach):
    """The streets the reach may record orders for."""
    return reach.units(DESK_ROLES, kinds=["street"])


def units_for(order):
    """The handling units of the order's street (the units an order may go to)."""
    from jiesu.org.models import Unit

    return Unit.objects.filter(
        path__startswith=order.street.path, kind__in=HANDLING_KINDS
    ).order_by("path")


def resolve_numbers(reach, text: str, street) -> tuple[list, list[str]]:
    """The cases the typed platform numbers name, among those the reach sees on the street,
    and the numbers found nowhere there."""
    numbers = list(dict.fromkeys(n for n in SPLIT.split(text or "") if n))
    if len(numbers) > MAX_CASES:
        raise OrderError(f"一张督办单最多 {MAX_CASES} 件工单。")
    found = {c.platform_no: c for c in reach.cases().filter(platform_no__in=numbers, street=street)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


# --- the steps -----------------------------------------------------------------------------


def record(
    *, number, source, received_at, demand, answer_due_at, street, cases, by, now=None
) -> SupervisionOrder:
    """Record an order; refused with a Chinese message when something is wrong."""
    now = now or timezone.now()
    number, demand = (number or "").strip(), (demand or "").strip()
    if not may_manage(Reach(by, at=now), street):
        raise OrderRefused("只有本街道的组长或坐席员可以登记督办单。")
    if not number:
        raise OrderError("请填写督办单号。")
    if source not in OrderSource.values:
        raise OrderError("请选择督办来源(市级或区级)。")
    if not demand:
        raise OrderError("请填写督办要求。")
    if len(demand) > MAX_TEXT:
        raise OrderError(f"督办要求不能超过 {MAX_TEXT} 字。")
    if answer_due_at <= received_at:
        raise OrderError("答复时限须晚于收到时间。")
    if not cases:
        raise OrderError("请填写至少一个督办工单编号。")
    if any(c.street_id != street.pk for c in cases):
        raise OrderError("督办工单须属于本街道。")
    try:
        with transaction.atomic():
            order = SupervisionOrder.objects.create(
                number=number,
                source=source,
                received_at=received_at,
                demand=demand,
                answer_due_at=answer_due_at,
                street=street,
                created_by=by,
                created_at=now,
            )
            order.cases.set(cases)
    except IntegrityError:
        raise OrderError(f"{OrderSource(source).label}督办单 {number} 已登记过。") from None
    return order


def _handlers(unit, at) -> list:
    people = {}
    for role in HANDLER_ROLES:
        for user in Reach.who(role, unit, at=at):
            people[user.pk] = user
    return list(people.values())


def _numbers(order) -> str:
    return "、".join(order.cases.order_by("platform_no").values_list("platform_no", flat=True))


def forward(order, units, *, by, now=None) -> dict:
    """Send the order to `units` (more may be added later): an empty answer per unit, its
    handlers told; on the first forwarding each open case gets a 督办 on its timeline.
    Returns the units added, the cases supervised and those left (not open)."""
    now = now or timezone.now()
    if not may_forward(Reach(by, at=now), order):
        raise OrderRefused("只有本街道的组长可以转办督办单(工单督办须由组长记录)。")
    allowed = set(units_for(order).values_list("pk", flat=True))
    units = list(dict.fromkeys(units))
    if not units:
        raise OrderError("请选择至少一个承办单位。")
    if any(u.pk not in allowed for u in units):
        raise OrderError("承办单位须是本街道的科室、社区、村或企业。")
    note = f"{order.get_source_display()}督办单 {order.number}:{order.demand}"[:MAX_TEXT]
    supervised, left = [], []
    with transaction.atomic():
        order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
        have = set(order.answers.values_list("unit_id", flat=True))
        added = [u for u in units if u.pk not in have]
        OrderAnswer.objects.bulk_create(
            [OrderAnswer(order=order, unit=u, forwarded_at=now) for u in added]
        )
        if order.forwarded_at is None:
            for case in order.cases.order_by("platform_no"):
                if case.state in OPEN_STATES:
                    workflow.supervise(case, by=by, note=note, at=now)
                    supervised.append(case.platform_no)
                else:
                    left.append(case.platform_no)
            order.forwarded_at = now
        if added:
            order.status = OrderStatus.FORWARDED
        order.save(update_fields=["forwarded_at", "status"])
        text = (
            f"{order.get_source_display()}督办单 {order.number} 已转本单位,"
            f"请于 {_local(order.answer_due_at)} 前在平台答复。涉及工单:{_numbers(order)}"
        )
        for unit in added:
            notify(
                Kind.ORDER,
                _handlers(unit, now),
                text=text,
                key=f"order:{order.pk}:{unit.pk}",
                at=now,
            )
    return {"added": added, "supervised": supervised, "left": left}


def answer(row: OrderAnswer, *, text: str, by, now=None) -> OrderAnswer:
    """The unit's answer (may be amended; the first answer's time counts for on time)."""
    now = now or timezone.now()
    text = (text or "").strip()
    reach = Reach(by, at=now)
    if not answers_to_write(reach).filter(pk=row.pk).exists():
        raise OrderRefused("只有该承办单位的承办人可以答复。")
    if not text:
        raise OrderError("请填写答复内容。")
    if len(text) > MAX_TEXT:
        raise OrderError(f"答复内容不能超过 {MAX_TEXT} 字。")
    with transaction.atomic():
        row = OrderAnswer.objects.select_for_update().select_related("order").get(pk=row.pk)
        first = row.answered_at is None
        row.text, row.answered_by = text, by
        row.answered_at = row.answered_at or now
        row.save(update_fields=["text", "answered_by", "answered_at"])
        order = row.order
        if not order.answers.filter(answered_at=None).exists():
            order.status = OrderStatus.ANSWERED
            order.save(update_fields=["status"])
    if first and order.created_by is not None:
        notify(
            Kind.ORDER,
            [order.created_by],
            text=f"{order.get_source_display()}督办单 {order.number}:{row.unit.name}已答复。",
            key=f"order_answer:{row.pk}",
            at=now,
        )
    return row


def chase(order, *, now=None, by=None) -> int:
    """催报: tell the handlers of each unit that has not answered; once per unit per (Beijing)
    day, whoever or whatever chases. `by`, when given, must be the street's desk. Returns
    how many units were told now."""
    now = now or timezone.now()
    if by is not None and not may_manage(Reach(by, at=now), order):
        raise OrderRefused("只有本街道的组长或坐席员可以催报。")
    day = now.astimezone(LOCAL).date()
    late = now > order.answer_due_at
    text = (
        f"{order.get_source_display()}督办单 {order.number} "
        + ("已超过答复时限" if late else f"请于 {_local(order.answer_due_at)} 前答复")
        + ",本单位尚未答复,请尽快在平台答复。"
    )
    told = 0
    for row in order.answers.filter(answered_at=None).select_related("unit"):
        key = f"order_chase:{order.pk}:{row.unit_id}:{day:%Y%m%d}"
        if notify(Kind.ORDER_CHASE, _handlers(row.unit, now), text=text, key=key, at=now):
            told += 1
    return told


def chase_answers(now=None) -> int:
    """The worker's pass: chase the orders whose answers are missing from CHASE_BEFORE the
    deadline until CHASE_AFTER it; returns the units told."""
    now = now or timezone.now()
    missing = OrderAnswer.objects.filter(order=OuterRef("pk"), answered_at=None)
    due = unscoped(SupervisionOrder.objects, why=WHY).filter(
        Exists(missing),
        answer_due_at__lte=now + CHASE_BEFORE,
        answer_due_at__gt=now - CHASE_AFTER,
    )
    return sum(chase(order, now=now) for order in due)


def answers_due(orders, until):
    """The answers still missing of `orders` (the reader's) due by `until`, soonest first:
    what a shift hands over (交接班: 督办答复到期)."""
    return (
        OrderAnswer.objects.filter(
            order__in=orders, answered_at=None, order__answer_due_at__lte=until
        )
        .select_related("order", "unit")
        .order_by("order__answer_due_at", "unit__path")
    )


# --- the summary table ---------------------------------------------------------------------

SUMMARY_HEADERS = [
    "督办单号",
    "来源",
    "收到时间",
    "答复时限",
    "督办要求",
    "涉及工单",
    "承办单位",
    "答复内容",
    "答复时间",
    "是否按时",
    "督办单状态",
]


def timeliness(row: OrderAnswer, now) -> str:
    if row.answered_at is None:
        return "超时未答复" if now > row.order.answer_due_at else "未答复"
    return "超时答复" if row.late else "按时答复"


def summary_rows(order, now=None) -> list[list]:
    """One row per unit concerned (one row with no unit before the order is forwarded);
    free text masked (phone, identity-card and bank-card numbers)."""
    now = now or timezone.now()
    head = [
        order.number,
        order.get_source_display(),
        _local(order.received_at),
        _local(order.answer_due_at),
        mask_text(order.demand),
        "、".join(sorted(c.platform_no for c in order.cases.all())),
    ]
    answers = sorted(order.answers.all(), key=lambda row: row.unit.path)
    for row in answers:
        row.order = order
    if not answers:
        return [[*head, "", "", "", "未转办", order.get_status_display()]]
    return [
        [
            *head,
            row.unit.name,
            mask_text(row.text),
            _local(row.answered_at) if row.answered_at else "",
            timeliness(row, now),
            order.get_status_display(),
        ]
        for row in answers
    ]


def summary_workbook(orders, now=None) -> tuple[Workbook, int]:
    """The summary table of the orders (督办汇总表) and its row count."""
    now = now or timezone.now()
    book = Workbook()
    sheet = book.active
    sheet.title = "督办汇总"
    sheet.append(SUMMARY_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    if hasattr(orders, "prefetch_related"):
        orders = orders.prefetch_related("cases", "answers__unit")
    for order in orders:
        for row in summary_rows(order, now):
            sheet.append(row)
            count += 1
    for letter, width in zip(
        "ABCDEFGHIJK", (16, 6, 17, 17, 40, 30, 18, 50, 17, 10, 10), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    return book, count


def mark_summarized(order, now=None) -> None:
    """The first export of an order's summary is kept (报送 in time or not)."""
    SupervisionOrder.objects.filter(pk=order.pk, summarized_at=None).update(
        summarized_at=now or timezone.now()
    )


# --- the two lists -------------------------------------------------------------------------


def previous_period(now) -> str:
    """The assessment period before the one `now` falls in."""
    start, _ = period_bounds(period_of(now))
    return period_of(start - dt.timedelta(microseconds=1))


def carried_over(cases, now=None):
    """上期未办结: of `cases` (the reach's), those received in the previous assessment
    period and still open now."""
    now = now or timezone.now()
    start, end = period_bounds(previous_period(now))
    return cases.filter(received_at__gte=start, received_at__lt=end, state__in=OPEN_STATES)


def sent_direct(cases, period: str):
    """直派街道: of `cases`, those the city centre sent straight to the street (platform 市级;
    the district's own cases come on the 区级 platform), received in `period`."""
    start, end = period_bounds(period)
    return cases.filter(platform=Platform.CITY, received_at__gte=start, received_at__lt=end)
