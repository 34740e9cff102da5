"""The dashboard page (数据看板), its panel refreshed by HTMX, its 大屏 mode, and where "/"
takes each user."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from jiesu.assessment.queries import DATE_LABELS
from jiesu.dashboard import queries
from jiesu.dashboard.queries import Figure
from jiesu.reports.exports import percent_text, score_text

LAMP_COLOURS = {"red": "#d0302f", "yellow": "#e6a700", "green": "#2e9d4f"}


@login_required
def landing(request):
    """组长, 数据专员, 区级督办 and the administrator start on the dashboard, the desk and
    the handlers on the case list and their queues."""
    return redirect("dashboard" if queries.lands_here(request.reach) else "case_list")


@login_required
def dashboard_page(request):
    screen = request.GET.get("screen") == "1"
    return render(
        request,
        "dashboard/screen.html" if screen else "dashboard/page.html",
        {**_panel(request, screen), "poll_seconds": settings.JIESU_POLL_SECONDS},
    )


@login_required
def dashboard_panel(request):
    """The figures and charts alone, for the page's HTMX poll."""
    screen = request.GET.get("screen") == "1"
    return render(request, "dashboard/_panel.html", _panel(request, screen))


def _link(figure: Figure) -> dict:
    return {
        "label": figure.label,
        "count": figure.count,
        "key": figure.key,
        "url": f"{reverse('case_list')}?{urlencode(figure.params)}",
    }


def _chart(kind: str, labels: list, *series) -> dict:
    """What dashboard.js draws: labels, and series of values each with its list link."""
    return {"kind": kind, "labels": labels, "series": list(series)}


def _series(name: str, figures: list[Figure], colour: str | list) -> dict:
    links = [_link(f) for f in figures]
    return {
        "name": name,
        "values": [f["count"] for f in links],
        "urls": [f["url"] for f in links],
        "colour": colour,
    }


def _scores(found: dict | None) -> dict | None:
    if found is None:
        return None
    row = found["row"]
    query = urlencode({"unit": found["unit"].pk, "period": found["period"]})
    return {
        "unit": found["unit"].name,
        "period": found["period"],
        "url": f"{reverse('assessment')}?{query}",
        "rates": [
            ("响应率", _shown(percent_text, row["response_rate"])),
            ("解决率", _shown(percent_text, row["resolution_rate"])),
            ("满意率", _shown(percent_text, row["satisfaction_rate"])),
        ],
        "score": _shown(score_text, row["score"]),
        "rank": row["rank"],
        "ranked": found["ranked"],
    }


def _shown(text, value) -> str:
    return "—" if value is None else text(value)


def _panel(request, screen: bool) -> dict:
    data = queries.dashboard(request.reach, timezone.now())
    today, opened, period = data["today"], data["open"], data["period"]
    trends = {}
    for days, span in data["trend"].items():
        labels = [f.label for f in span["received"]]
        trends[days] = {
            "received_total": _link(span["received_total"]),
            "closed_total": _link(span["closed_total"]),
            "chart_id": f"chart-trend-{days}",
            "chart": _chart(
                "line" if days > 7 else "bar",
                labels,
                _series("受理", span["received"], "#3b6fd8"),
                _series("办结", span["closed"], "#2e9d5b"),
            ),
        }
    lamps = opened["lamps"]
    return {
        "screen": screen,
        "now": data["now"],
        "today_total": _link(today["total"]),
        "platforms": [_link(f) for f in today["platforms"]],
        "channels": [_link(f) for f in today["channels"] if f.count],
        "channel_chart": _chart(
            "bar",
            [f.label for f in today["channels"]],
            _series("今日受理", today["channels"], "#3b6fd8"),
        ),
        "lamps": [_link(f) for f in lamps],
        "lamp_chart": _chart(
            "bar",
            [f.label for f in lamps],
            _series("在办工单", lamps, [LAMP_COLOURS[f.key] for f in lamps]),
        ),
        "states": [_link(f) for f in opened["states"]],
        "state_chart": _chart(
            "bar",
            [f.label for f in opened["states"]],
            _series("在办工单", opened["states"], "#6b5bd6"),
        ),
        "trends": trends,
        "period": period,
        "period_last_day": period["end"] - dt.timedelta(days=1),
        "basis": DATE_LABELS,
        "category_chart": _chart(
            "hbar",
            [f.label for f in period["categories"]],
            _series("受理", period["categories"], "#3b6fd8"),
        ),
        "community_chart": _chart(
            "hbar",
            [f.label for f in period["communities"]],
            _series("受理", period["communities"], "#c46a1a"),
        ),
        "categories": [_link(f) for f in period["categories"]],
        "communities": [_link(f) for f in period["communities"]],
        "scores": _scores(data["scores"]),
        "units": [
            {"unit": u["unit"], "red": _link(u["red"]), "yellow": _link(u["yellow"])}
            for u in data["units"]
        ],
    }
