"""Scores at district scale on PostgreSQL: one period's scores for every unit, and the live
estimate with its risk list, over 2,000,000 cases.

    python bench/scores.py                   # throw-away PostgreSQL, 2,000,000 cases
    python bench/scores.py --cases 200000    # a smaller district
    python bench/scores.py --keep            # leave the server and its data for a rerun
    python bench/scores.py --url URL         # reuse a database kept with --keep (no build)
    python bench/scores.py --url URL --src DIR/src --set jit=off
                                             # measure a candidate change or setting

The server is started like scripts/test.sh does it (initdb into a temporary folder, loopback,
a free port, fsync off) and stopped and removed at the end unless --keep is given. One
district (昌平区) with 20 streets and 25 handling units each is made through the ORM; the
cases are made by one `INSERT … SELECT … FROM generate_series` per chunk (no timeline: the
scores read the case row only), with a few exemption and appeal applications.

Each figure is the median of several runs after a warm-up, with the baseline measured in the
same run: the period's cases loaded into Python and counted there. The baseline's numbers
must equal those of `scores()` and `estimate()`, or the run stops.

Then the two reads built on the scores: the drill-down (`cases_behind()`: the count and the
first page of 50 newest cases behind one number, as /assessment/cases/ pages them, without
the user's visible_to) for the busiest street's row of the district and the busiest unit's
row of that street, against the parent's period loaded into Python and filtered with
`queries.case_counts` (counts and pages must be equal); and `period_effect()` of the district
and of the busiest street, next to what two more `scores()` would cost.

    python bench/scores.py --url URL --only before-after [--before REV]

Before and after (issue 12): `scores()` of the district and of every unit as the code at
REV computes it (its queries.py, on the indexes it had: the plain (street or district, date)
indexes) against the current code on the current indexes, alternated on the same database.
Each side runs in a transaction that drops the other side's indexes and is rolled back, so
the planner sees only its own; the results must be equal.
"""

import argparse
import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from pgserver import Postgres
from timing import timed

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ZoneInfo("Asia/Shanghai")
CHUNK = 250_000
# The end of the data and the `now` of the live estimate: late in period 2026-11
# (2026-10-19 → 2026-11-18 24:00), so the period holds nearly all of its cases.
NOW = dt.datetime(2026, 11, 15, 10, 0, tzinfo=LOCAL)
PAST_PERIOD = "2026-10"

# (name, share of the district's cases in per cent): the big estates of 回龙观 and 天通苑
# make their streets the busiest here.
STREETS = (
    ("回龙观街道", 12),
    ("天通苑北街道", 10),
    ("天通苑南街道", 9),
    ("霍营街道", 7),
    ("龙泽园街道", 7),
    ("东小口镇", 7),
    ("北七家镇", 6),
    ("沙河镇", 6),
    ("城北街道", 5),
    ("城南街道", 5),
    ("史各庄街道", 4),
    ("南口镇", 3),
    ("马池口镇", 3),
    ("小汤山镇", 3),
    ("南邵镇", 3),
    ("阳坊镇", 2),
    ("崔村镇", 2),
    ("百善镇", 2),
    ("兴寿镇", 2),
    ("十三陵镇", 2),
)
OFFICES = (
    "城市管理办公室",
    "社区建设办公室",
    "平安建设办公室",
    "民生保障办公室",
    "物业管理办公室",
    "综合行政执法队",
    "市场监管所",
    "社区服务中心",
)
COMMUNITIES = 17  # per street, after the 8 offices: 25 handling units
TOPICS = (
    ("噪音扰民", "夜间施工噪音很大,影响休息"),
    ("停水", "小区突然停水,没有提前通知"),
    ("暖气不热", "家中暖气温度不达标,室温只有十五度左右"),
    ("占道经营", "路边商贩占道经营,影响通行"),
    ("垃圾清运", "小区垃圾桶满溢,多日无人清运"),
    ("路灯不亮", "小区门口路灯损坏,晚上出行不便"),
    ("违章建筑", "楼下住户私搭乱建,占用公共绿地"),
    ("物业服务", "物业公司不作为,电梯经常故障"),
    ("停车管理", "小区车辆乱停乱放,消防通道被占"),
    ("燃气", "楼道内有燃气异味,担心安全"),
    ("拖欠工资", "公司拖欠工资三个月未发"),
    ("群租房", "楼内有群租房,人员进出复杂"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def setup_django(url: str, var: Path, src: Path, pg_settings: list[str]) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JIESU_VAR_DIR"] = str(var)
    os.environ["JIESU_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    sys.path.insert(0, str(src))
    import django
    from django.conf import settings

    django.setup()
    if pg_settings:  # for this process's connections only, as libpq options
        options = " ".join(f"-c {setting}" for setting in pg_settings)
        settings.DATABASES["default"].setdefault("OPTIONS", {})["options"] = options
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------- the data


@contextlib.contextmanager
def district_database(url, var: Path, *, src: Path, settings=(), keep=False, cases=None):
    """This script's district on PostgreSQL: the database at `url`, or one on a throw-away
    server (left running with `keep`); Django set up on it and, with `cases`, the district
    built when the database is empty. Yields the database URL."""
    server = None
    if not url:
        server = Postgres()
        server.start()
        url = server.url
    try:
        setup_django(url, var, src, list(settings))
        if cases:
            from jiesu.cases.models import Case

            if not Case.objects.exists():
                build_cases(cases, 36, 1, *build_units())
        yield url
    finally:
        if server and keep:
            print(f"\n保留数据库:--url {url}\n停止:{' '.join(server.stop_command('immediate'))}")
            print(f"删除:rm -rf {server.dir}")
        elif server:
            server.stop("immediate")


def build_units():
    """昌平区 → 20 streets → 8 offices and 17 communities (村 in the towns) each."""
    from jiesu.cases.models import Category
    from jiesu.org.models import Unit, UnitKind

    district = Unit.objects.create(name="昌平区", kind=UnitKind.DISTRICT, code="110114")
    streets, units = [], []
    for number, (name, _) in enumerate(STREETS, start=1):
        street = Unit.objects.create(
            name=name, kind=UnitKind.STREET, code=f"110114{number:03d}", parent=district
        )
        streets.append(street)
        base = name.removesuffix("街道").removesuffix("镇")
        town = name.endswith("镇")
        row = [Unit.objects.create(name=o, kind=UnitKind.OFFICE, parent=street) for o in OFFICES]
        for n in range(1, COMMUNITIES + 1):
            kind = UnitKind.VILLAGE if town else UnitKind.COMMUNITY
            label = f"{base}{n}村" if town else f"{base}第{n}社区"
            row.append(Unit.objects.create(name=label, kind=kind, parent=street))
        units.append(row)
    categories = [Category.objects.create(name=title) for title, _ in TOPICS]
    return district, streets, units, categories


# The columns of one case, computed in layers: each layer is a subquery fenced with OFFSET 0,
# so a value used by many columns is computed once per row, not inlined into each of them.
CASE_COLUMNS = """(
    platform, platform_no, channel, request_type, urgency, category_id, title, content,
    caller_name, caller_phone, caller_account, address, location, company_name,
    district_id, street_id, community_id, lead_unit_id, received_at,
    limit_hours, limit_days, platform_due_at, sign_due_at, return_due_at, dispatch_due_at,
    due_at, original_due_at, unit_due_at, current_stage_start, current_due_at, current_warn_at,
    lamp, due_unscheduled, state, version, signed_at, returned_at, dispatched_at,
    contacted_at, replied_at, closed_at, special, dispatch_approved, extension_requested_until,
    reply, evaluation_type, callback_at, awaiting_callback_at, callback_valid,
    callback_contacted, callback_solved, callback_satisfaction, first_callback, precallback,
    created_at, updated_at, caller_phone_digest, caller_phone_tail, source_labels
)
"""
CASE_DRAWS = """
SELECT
    i, to_timestamp(%(t0)s + (i - random()) * %(step)s) AS recv,
    (%(pick)s::int[])[1 + floor(random() * %(npick)s)::int] AS s,
    1 + floor(power(random(), 1.5) * %(nunits)s)::int AS u,
    1 + floor(random() * %(ncomm)s)::int AS cm,
    1 + floor(random() * %(ntopics)s)::int AS tp,
    random() AS r_lead, random() AS r_urg, random() AS r_eval, random() AS r_chan,
    random() AS r_req, random() AS r_plat, random() AS r_dur, random() AS r_state,
    random() AS r_cb, random() AS r_cbt, random() AS r_valid, random() AS r_cont,
    random() AS r_out, random() AS r_same, random() AS r_any, random() AS r_sat,
    random() AS r_phone, random() AS r_spec, random() AS r_step
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
"""
CASE_LAYERS = (
    # where: street, lead unit and community; what kind of case
    """
(%(streets)s::bigint[])[s] AS street_id, (%(street_names)s::text[])[s] AS street_name,
CASE WHEN r_lead < 0.04 OR r_state < 0.01 THEN NULL
     ELSE (%(units)s::bigint[])[s][u] END AS lead,
(%(unit_names)s::text[])[s][u] AS lead_name,
CASE WHEN u > %(noffices)s THEN (%(units)s::bigint[])[s][u]
     ELSE (%(units)s::bigint[])[s][%(noffices)s + cm] END AS community_id,
CASE WHEN u > %(noffices)s THEN (%(unit_names)s::text[])[s][u]
     ELSE (%(unit_names)s::text[])[s][%(noffices)s + cm] END AS comm_name,
CASE WHEN r_urg < 0.03 THEN 'emergency' WHEN r_urg < 0.15 THEN 'utility'
     WHEN r_urg < 0.92 THEN 'ordinary' ELSE 'complex' END AS urgency,
CASE WHEN r_eval < 0.85 THEN 'full' WHEN r_eval < 0.93 THEN 'response'
     ELSE 'none' END AS evaluation_type,
CASE WHEN r_out < 0.8 THEN 'solved' WHEN r_out < 0.9 THEN 'partly'
     ELSE 'unsolved' END AS outcome
""",
    # the time limit; the solved result the callback will give
    """
CASE urgency WHEN 'emergency' THEN interval '2 hours'
             WHEN 'utility' THEN interval '24 hours'
             WHEN 'ordinary' THEN interval '7 days'
             ELSE interval '15 days' END AS lim,
CASE WHEN r_same < 0.85 THEN outcome
     ELSE (ARRAY['solved', 'partly', 'unsolved'])[1 + floor(r_any * 3)::int]
END AS solved
""",
    # how long handling takes; the satisfaction shares for that solved result
    """
CASE WHEN lead IS NULL THEN interval '10 minutes' + interval '2 hours' * r_dur
     ELSE greatest(interval '40 minutes', lim * (0.1 + 1.0 * power(r_dur, 1.5)))
END AS dur,
CASE solved WHEN 'solved' THEN ARRAY[0.85, 0.96, 0.99]
            WHEN 'partly' THEN ARRAY[0.30, 0.75, 0.97]
            ELSE ARRAY[0.08, 0.30, 0.95] END AS sat
""",
    # how far handling has got by NOW
    """
extract(epoch FROM %(now)s - recv) / extract(epoch FROM dur) AS progress
""",
    # the state at NOW
    """
CASE WHEN r_state < 0.01 THEN 'returned'
     WHEN r_state < 0.02 AND lead IS NOT NULL THEN 'shelved'
     WHEN progress >= 1 THEN 'closed'
     WHEN lead IS NULL THEN 'received'
     WHEN progress < 0.03 THEN 'received'
     WHEN progress < 0.08 THEN 'accepted'
     WHEN progress < 0.85 THEN 'dispatched'
     ELSE 'replied' END AS state
""",
    # the steps taken by NOW
    """
CASE WHEN state NOT IN ('received', 'returned')
     THEN recv + interval '3 minutes' + interval '15 minutes' * r_step END AS signed,
CASE WHEN lead IS NOT NULL AND state NOT IN ('received', 'accepted')
     THEN recv + interval '20 minutes' + interval '15 minutes' * r_step
END AS dispatched,
CASE WHEN state = 'closed' THEN recv + dur END AS closed
""",
    # reply, the callback's time, the clock of the current stage
    """
CASE WHEN lead IS NOT NULL AND state = 'closed'
     THEN recv + dur - interval '20 minutes'
     WHEN state = 'replied' THEN recv + dur * 0.85 END AS replied,
greatest(closed, recv + lim) + interval '2 hours' + interval '70 hours' * r_cbt
    AS callback_at,
CASE state WHEN 'received' THEN recv WHEN 'accepted' THEN signed
           WHEN 'dispatched' THEN recv WHEN 'replied' THEN recv END AS clock_start,
CASE state WHEN 'received' THEN recv + interval '30 minutes'
           WHEN 'accepted' THEN signed + interval '60 minutes'
           WHEN 'dispatched' THEN recv + lim WHEN 'replied' THEN recv + lim
END AS clock_due
""",
    # called back by NOW (nine in ten cases are)
    """
closed IS NOT NULL AND r_cb < 0.9 AND callback_at <= %(now)s AS called
""",
)
CASE_VALUES = """
CASE WHEN r_plat < 0.8 THEN 'city' ELSE 'district' END,
CASE WHEN r_plat < 0.8 THEN '' ELSE 'CP' END
    || to_char(recv AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || lpad(i::text, 8, '0'),
CASE WHEN r_chan < 0.72 THEN 'phone' WHEN r_chan < 0.84 THEN 'web'
     WHEN r_chan < 0.90 THEN 'manual' WHEN r_chan < 0.94 THEN '96181'
     WHEN r_chan < 0.97 THEN 'gov_website' WHEN r_chan < 0.99 THEN 'leader_board'
     ELSE 'opinion' END,
CASE WHEN r_req < 0.40 THEN 'complaint' WHEN r_req < 0.65 THEN 'help'
     WHEN r_req < 0.80 THEN 'consult' WHEN r_req < 0.88 THEN 'report'
     WHEN r_req < 0.95 THEN 'suggestion' WHEN r_req < 0.97 THEN 'praise'
     ELSE 'other' END,
urgency, (%(categories)s::bigint[])[tp], (%(titles)s::text[])[tp],
street_name || comm_name || (1 + (i %% 30)) || '号楼居民反映:' || (%(details)s::text[])[tp]
    || '。诉求人希望相关部门尽快到现场核实处理,并及时回复处理结果。',
substr(%(surnames)s::text, (1 + i %% 20)::int, 1) || CASE WHEN i %% 2 = 0 THEN '先生' ELSE '女士' END,
'1' || (ARRAY['3', '5', '7', '8', '9'])[1 + (i %% 5)]
    || lpad(floor(r_phone * 1e9)::bigint::text, 9, '0'),
CASE WHEN r_chan >= 0.72 AND r_chan < 0.84 THEN 'wx' || floor(r_phone * 1e8)::bigint
     ELSE '' END,
street_name || comm_name || (1 + (i %% 30)) || '号楼', comm_name, '',
%(district)s, street_id, community_id, lead, recv,
CASE WHEN urgency IN ('emergency', 'utility') THEN extract(epoch FROM lim)::int / 3600 END,
CASE WHEN urgency IN ('ordinary', 'complex') THEN extract(epoch FROM lim)::int / 86400 END,
recv + lim, recv + interval '30 minutes', recv + interval '2 hours',
signed + interval '60 minutes', recv + lim, recv + lim,
CASE WHEN dispatched IS NOT NULL THEN recv + lim END,
clock_start, clock_due, clock_start + (clock_due - clock_start) * 0.75,
CASE WHEN clock_due IS NULL THEN 'none' WHEN %(now)s > clock_due THEN 'red'
     WHEN %(now)s >= clock_start + (clock_due - clock_start) * 0.75 THEN 'yellow'
     ELSE 'green' END,
false, state,
CASE state WHEN 'received' THEN 1 WHEN 'accepted' THEN 2 WHEN 'returned' THEN 2
     WHEN 'dispatched' THEN 4 WHEN 'replied' THEN 5 WHEN 'shelved' THEN 5
     ELSE CASE WHEN lead IS NULL THEN 3 ELSE 6 END + called::int END,
signed, CASE WHEN state = 'returned' THEN recv + interval '40 minutes' END, dispatched,
CASE WHEN dispatched IS NOT NULL AND (state <> 'dispatched' OR progress > 0.3)
     THEN dispatched + (dur - (dispatched - recv)) * 0.2 END,
replied, closed,
CASE WHEN r_spec < 0.005 THEN '群体性诉求' ELSE '' END, r_spec < 0.005, NULL,
CASE WHEN lead IS NULL AND closed IS NOT NULL
     THEN jsonb_build_object('result', '已向诉求人解释相关政策。', 'unit', '接诉中心直接办结')
     WHEN replied IS NOT NULL THEN jsonb_build_object(
         'contact_at', to_char(dispatched + (dur - (dispatched - recv)) * 0.2,
                               'YYYY-MM-DD"T"HH24:MI:SSOF'),
         'contact_way', '电话', 'facts', '经核实,诉求人反映情况属实。',
         'actions', '已协调相关部门到现场处理。', 'result', '问题已处理完毕。',
         'citizen_response', '诉求人表示认可。', 'unit', lead_name)
     ELSE '{}'::jsonb END,
evaluation_type, CASE WHEN called THEN callback_at END,
CASE WHEN closed IS NOT NULL AND NOT called AND evaluation_type <> 'none' THEN closed END,
CASE WHEN called THEN r_valid < 0.95 END,
CASE WHEN called THEN r_cont < 0.97 END,
CASE WHEN called THEN solved ELSE '' END,
CASE WHEN NOT called THEN ''
     WHEN r_sat < sat[1] THEN 'satisfied' WHEN r_sat < sat[2] THEN 'basic'
     WHEN r_sat < sat[3] THEN 'unsatisfied' ELSE 'unrated' END,
CASE WHEN called THEN jsonb_build_object(
    'callback_valid', r_valid < 0.95, 'callback_contacted', r_cont < 0.97,
    'callback_solved', solved, 'at', to_char(callback_at, 'YYYY-MM-DD"T"HH24:MI:SSOF'))
     ELSE '{}'::jsonb END,
'{}'::jsonb,
recv,
CASE WHEN called THEN callback_at
     ELSE coalesce(closed, replied, dispatched, signed, recv) END,
'', '', '{}'::jsonb
"""


def cases_sql() -> str:
    sql = CASE_DRAWS
    for n, layer in enumerate(CASE_LAYERS):
        sql = f"SELECT *,\n{layer}\nFROM (\n{sql}\nOFFSET 0\n) AS layer{n}"
    return f"INSERT INTO cases_case {CASE_COLUMNS}SELECT\n{CASE_VALUES}\nFROM (\n{sql}\nOFFSET 0\n) AS c"


APPLICATIONS_SQL = """
INSERT INTO assessment_application (
    kind, explanation, state, period, deadline, created_at, submitted_at, outcome_at, history,
    case_id, created_by_id, ground_id
)
SELECT kind, '诉求人反映事项不属于本单位职责范围,已提供职责依据和情况说明。', state, period,
       period_end - interval '3 days', closed_at + interval '1 day',
       CASE WHEN state <> 'draft' THEN closed_at + interval '2 days' END,
       CASE WHEN state IN ('passed', 'refused') THEN closed_at + interval '10 days' END,
       '[]'::jsonb, id, %(user)s, (%(grounds)s::bigint[])[1 + floor(r_ground * %(ngrounds)s)::int]
FROM (
    SELECT id, closed_at, random() AS r_ground,
           CASE WHEN r < 0.012 THEN 'exemption' ELSE 'appeal' END AS kind,
           CASE WHEN r < 0.008 THEN 'passed' WHEN r < 0.011 THEN 'refused'
                WHEN r < 0.012 THEN 'submitted' WHEN r < 0.0135 THEN 'passed'
                ELSE 'refused' END AS state,
           to_char(date_trunc('month', received_at AT TIME ZONE 'Asia/Shanghai')
                   + CASE WHEN extract(day FROM received_at AT TIME ZONE 'Asia/Shanghai') >= 19
                          THEN interval '1 month' ELSE interval '0' END, 'YYYY-MM') AS period,
           (date_trunc('month', received_at AT TIME ZONE 'Asia/Shanghai')
                + CASE WHEN extract(day FROM received_at AT TIME ZONE 'Asia/Shanghai') >= 19
                       THEN interval '1 month 18 days' ELSE interval '18 days' END)
                AT TIME ZONE 'Asia/Shanghai' AS period_end
    FROM (SELECT *, random() AS r FROM cases_case OFFSET 0) AS c
    WHERE closed_at IS NOT NULL AND evaluation_type <> 'none' AND r < 0.015
) AS a
"""


def build_cases(count: int, months: int, seed: int, district, streets, units, categories):
    """`count` cases over `months` months up to NOW, in the order they arrived."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from jiesu.assessment.models import ExemptionGround

    start = NOW - dt.timedelta(days=round(months * 365.25 / 12))
    pick = [n for n, (_, share) in enumerate(STREETS, start=1) for _ in range(share)]
    params = {
        "t0": start.timestamp(),
        "step": (NOW - start).total_seconds() / count,
        "now": NOW,
        "pick": pick,
        "npick": len(pick),
        "nunits": len(units[0]),
        "noffices": len(OFFICES),
        "ncomm": COMMUNITIES,
        "ntopics": len(TOPICS),
        "district": district.pk,
        "streets": [s.pk for s in streets],
        "street_names": [s.name for s in streets],
        "units": [[u.pk for u in row] for row in units],
        "unit_names": [[u.name for u in row] for row in units],
        "categories": [c.pk for c in categories],
        "titles": [t for t, _ in TOPICS],
        "details": [d for _, d in TOPICS],
        "surnames": SURNAMES,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            cursor.execute("SET LOCAL jit = off")  # compiling the generator alone takes 25 s
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            insert = cases_sql()
            for n, lo in enumerate(range(1, count + 1, CHUNK)):
                cursor.execute("SELECT setseed(%s)", [(seed * 1000 + n) % 2000 / 1000 - 1])
                cursor.execute(insert, dict(params, lo=lo, hi=min(lo + CHUNK - 1, count)))
                print(f"  {min(lo + CHUNK - 1, count):,} 件", flush=True)
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _, definition in indexes:
                cursor.execute(definition)
        user = User.objects.create_user("bench-tichu")
        grounds = list(ExemptionGround.objects.values_list("pk", flat=True))
        cursor.execute("SELECT setseed(0.5)")
        cursor.execute(
            APPLICATIONS_SQL, {"user": user.pk, "grounds": grounds, "ngrounds": len(grounds)}
        )
        cursor.execute("ANALYZE")


# ---------------------------------------------------------------------------- the baseline

FLAGS = (
    "received",
    "closed",
    "valid",
    "valid_full",
    "contacted",
    "solved",
    "partly_solved",
    "satisfied",
    "basically_satisfied",
)


def flags(rule, exempt: set, pk, evaluation, closed_at, valid, contacted, solved, satisfaction):
    """The case's contribution to each count of queries.COUNTS, as 0/1."""
    counted = evaluation != "none" and pk not in exempt
    response = ("full", "response") if rule.response_only_counts else ("full",)
    is_valid = counted and valid is True and evaluation in response
    full = counted and valid is True and evaluation == "full"
    return tuple(
        int(flag)
        for flag in (
            1,
            False,  # 办结量 goes by 办结时间: counted apart, see baseline_scores
            is_valid,
            full,
            is_valid and contacted is True,
            full and solved == "solved",
            full and solved == "partly",
            full and satisfaction == "satisfied",
            full and satisfaction == "basic",
        )
    )


def add(totals: dict, key, row) -> None:
    counts = totals.get(key)
    if counts is None:
        totals[key] = list(row)
    else:
        for n, value in enumerate(row):
            counts[n] += value


def exempted_ids(start, end, **scope) -> set:
    """Cases of the period taken out of the assessment: a passed exemption or appeal."""
    from jiesu.assessment.models import Application, ApplicationState

    return set(
        Application.objects.filter(
            state=ApplicationState.PASSED,
            case__received_at__gte=start,
            case__received_at__lt=end,
            **{f"case__{k}": v for k, v in scope.items()},
        ).values_list("case_id", flat=True)
    )


def baseline_scores(period: str, district) -> dict:
    """Every unit's counts, rates and score of the period, counted in Python: {parent id:
    {"rows": {child id: row}, "pooled": row}} for the district and each of its streets."""
    from jiesu.assessment import rules
    from jiesu.assessment.queries import ScoreRow, rate_and_score
    from jiesu.cases.models import Case
    from jiesu.org.models import Unit, UnitKind

    start, end = rules.period_bounds(period)
    rule = rules.rule_for(period)
    units = list(
        Unit.objects.filter(path__startswith=district.path).values_list(
            "pk", "path", "kind", "parent_id"
        )
    )
    streets = {pk: path for pk, path, kind, parent in units if parent == district.pk}
    children = defaultdict(list)  # street id → [(child id, path)]
    for pk, path, _, parent in units:
        if parent in streets:
            children[parent].append((pk, path))
    child_of = {}  # unit id → the child of its street whose subtree holds it
    for pk, path, kind, _ in units:
        if kind not in (UnitKind.DISTRICT, UnitKind.STREET):
            for street_pk, street_path in streets.items():
                if path.startswith(street_path):
                    child_of[pk] = next(c for c, p in children[street_pk] if path.startswith(p))
    exempt = exempted_ids(start, end, district=district)
    cases = Case.objects.filter(
        district=district, received_at__gte=start, received_at__lt=end
    ).values_list(
        "pk",
        "street_id",
        "lead_unit_id",
        "evaluation_type",
        "closed_at",
        "callback_valid",
        "callback_contacted",
        "callback_solved",
        "callback_satisfaction",
    )
    district_rows, district_pooled = {}, {}
    street_rows, street_pooled = defaultdict(dict), {}

    def count(street, lead, row) -> None:
        add(district_pooled, None, row)
        if street in streets:
            add(district_rows, street, row)
            add(street_pooled, street, row)
            if lead in child_of:
                add(street_rows[street], child_of[lead], row)

    for pk, street, lead, *rest in cases:
        count(street, lead, flags(rule, exempt, pk, *rest))
    # 办结量: the district's cases closed in the period, whenever they were received
    closed = [0, 1] + [0] * 7
    for street, lead in Case.objects.filter(
        district=district, closed_at__gte=start, closed_at__lt=end
    ).values_list("street_id", "lead_unit_id"):
        count(street, lead, closed)

    def scored(counts) -> dict:
        row = rate_and_score(
            ScoreRow(unit={}, **dict(zip(FLAGS, counts or [0] * 9, strict=True))), rule
        )
        out = row.as_dict()
        del out["unit"], out["rank"]
        return out

    result = {
        district.pk: {
            "rows": {s: scored(district_rows.get(s)) for s in streets},
            "pooled": scored(district_pooled.get(None)),
        }
    }
    for s in streets:
        result[s] = {
            "rows": {c: scored(street_rows[s].get(c)) for c, _ in children[s]},
            "pooled": scored(street_pooled.get(s)),
        }
    return result


def comparable(result: dict) -> dict:
    """The shape of baseline_scores() from one scores() result."""

    def strip(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in ("unit", "rank")}

    return {
        "rows": {r["unit"]["id"]: strip(r) for r in result["rows"]},
        "pooled": strip(result["pooled"]),
    }


def baseline_estimate(street, now) -> dict:
    """The street's cases of the period as model objects, counted and ranked in Python."""
    from jiesu.assessment import rules
    from jiesu.assessment.estimate import OPEN, Risk, worst
    from jiesu.assessment.queries import ScoreRow, exact_score
    from jiesu.cases.models import Case

    period = rules.period_of(now)
    start, end = rules.period_bounds(period)
    rule = rules.rule_for(period)
    exempt = exempted_ids(start, end, street=street)
    cases = list(
        Case.objects.filter(street=street, received_at__gte=start, received_at__lt=end)
        .select_related("lead_unit", "category")
        .order_by()
    )
    totals = [0] * 9
    for c in cases:
        row = flags(
            rule,
            exempt,
            c.pk,
            c.evaluation_type,
            c.closed_at,
            c.callback_valid,
            c.callback_contacted,
            c.callback_solved,
            c.callback_satisfaction,
        )
        for n, value in enumerate(row):
            totals[n] += value
    # 办结量 by 办结时间 (it moves no rate, so no loss)
    totals[1] = Case.objects.filter(street=street, closed_at__gte=start, closed_at__lt=end).count()
    pooled = ScoreRow(unit={}, **dict(zip(FLAGS, totals, strict=True)))
    base = exact_score(pooled, rule)
    risks = []
    for c in cases:
        waiting = c.state in OPEN or c.awaiting_callback_at is not None
        if waiting and c.evaluation_type != "none" and c.pk not in exempt:
            bad = exact_score(worst(pooled, c), rule)
            if base is not None and bad is not None:
                risks.append(Risk(c, float(base - bad)))

    # as estimate(): the loss to two decimals, then the nearest due time, then the earliest
    def order(r):
        loss = Decimal(repr(r.loss)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        due = r.case.due_at
        return (-loss, due is None, due or r.case.received_at, r.case.received_at, r.case.pk)

    risks.sort(key=order)
    return {"pooled": pooled, "risk": risks[:50], "at_risk": len(risks)}


# ---------------------------------------------------------------------------- drill-down

DRILL_NAMES = ("received", "valid", "lost_satisfaction")
PAGE = 50  # cases per page of /assessment/cases/


def drill_page(period: str, parent, child, name: str) -> tuple[int, list[int]]:
    """What the drill-down page reads, as the Paginator does it: the count, then the first
    page newest first (without visible_to and the live lamp: the bench has no users)."""
    from jiesu.assessment.queries import cases_behind
    from jiesu.cases.models import Case
    from jiesu.cases.queries import NEWEST_FIRST

    cases = (
        Case.objects.filter(cases_behind(period, parent, child, name))
        .select_related("category", "lead_unit", "community")
        .order_by(*NEWEST_FIRST)
    )
    return cases.count(), [c.pk for c in cases[:PAGE]]


def baseline_drill(period: str, parent, child, name: str) -> tuple[int, list[int]]:
    """The same count and page from the parent's period loaded into Python: each case's
    counts by queries.case_counts, the child by street or by the lead unit's subtree, sorted
    newest first there; then the page's 50 cases fetched as objects."""
    from jiesu.assessment import rules
    from jiesu.assessment.queries import COUNTS, case_counts, drill_counts
    from jiesu.cases.models import Case
    from jiesu.org.models import Unit, UnitKind

    start, end = rules.period_bounds(period)
    rule = rules.rule_for(period)
    scope = {"district": parent} if parent.kind == UnitKind.DISTRICT else {"street": parent}
    if parent.kind == UnitKind.DISTRICT:
        column, keys = "street_id", {child.pk}
    else:
        column = "lead_unit_id"
        keys = set(Unit.objects.filter(path__startswith=child.path).values_list("pk", flat=True))
    exempt = exempted_ids(start, end, **scope)
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end, **scope).values_list(
        "pk",
        "received_at",
        column,
        "evaluation_type",
        "callback_valid",
        "callback_contacted",
        "callback_solved",
        "callback_satisfaction",
        "closed_at",
    )
    hits = []
    for pk, received_at, key, *values, closed_at in cases:
        if key in keys:
            flags = case_counts(rule, *values, closed_at is not None, pk in exempt)
            if drill_counts(dict(zip(COUNTS, flags, strict=True)))[name]:
                hits.append((received_at, pk))
    hits.sort(reverse=True)
    page = [pk for _, pk in hits[:PAGE]]
    objects = Case.objects.select_related("category", "lead_unit", "community").in_bulk(page)
    return len(hits), [objects[pk].pk for pk in page]


# ---------------------------------------------------------------------------- before, after

# The indexes scores() read before issue 12 (the same keys, without INCLUDE): made under
# these names for the comparison, dropped at its end.
PLAIN_INDEXES = {
    "bench_plain_street_received": "(street_id, received_at)",
    "bench_plain_district_received": "(district_id, received_at)",
    "bench_plain_street_closed": "(street_id, closed_at)",
    "bench_plain_district_closed": "(district_id, closed_at)",
}
# what the current code added for the scores
COVERING_INDEXES = (
    "case_street_received",
    "case_district_received",
    "case_street_closed",
    "case_district_closed",
    "application_state_case",
)


def old_queries(rev: str):
    """assessment/queries.py as it was at REV, loaded as a module of its own."""
    import importlib.util
    import subprocess

    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:src/jiesu/assessment/queries.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="jiesu-scores-before-"))
    try:
        path = folder / "queries_before.py"
        path.write_text(text)
        spec = importlib.util.spec_from_file_location("queries_before", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return module


def before_after(rev: str, district, streets, runs: int = 7) -> None:
    """Median ms of scores() for the district and for every unit, before (REV's code on the
    plain indexes) and after (this code on its indexes), alternated; the results equal."""
    import statistics

    from django.db import connection, transaction

    from jiesu.assessment import queries

    before = old_queries(rev)
    with connection.cursor() as cursor:
        for name, columns in PLAIN_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {columns}")
        cursor.execute("ANALYZE cases_case")

    def timed_without(dropped, fn) -> float:
        with transaction.atomic(), connection.cursor() as cursor:
            for name in dropped:
                cursor.execute(f"DROP INDEX {name}")
            started = time.perf_counter()
            fn()
            ms = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        return ms

    units = [district, *streets]
    sides = {
        "before": (COVERING_INDEXES, before.scores),
        "after": (tuple(PLAIN_INDEXES), queries.scores),
    }
    for period in (PAST_PERIOD, "2026-11"):
        results = {side: [fn(period, u) for u in units] for side, (_, fn) in sides.items()}
        assert results["before"] == results["after"], f"{period}:前后结果不一致"
    figures = {}
    loads = []
    for _ in range(runs + 1):  # the first round warms up
        for side, (dropped, fn) in sides.items():
            one = timed_without(dropped, lambda fn=fn: fn(PAST_PERIOD, district))
            every = timed_without(dropped, lambda fn=fn: [fn(PAST_PERIOD, u) for u in units])
            figures.setdefault(side, []).append((one, every))
        loads.append(os.getloadavg()[0])
    with connection.cursor() as cursor:
        for name in PLAIN_INDEXES:
            cursor.execute(f"DROP INDEX {name}")
    print(
        f"\n(e) 改前(代码 {rev},普通索引)与改后(当前代码,覆盖索引),交替 {runs} 轮取中位数,"
        f"周期 {PAST_PERIOD};1 分钟负载 {min(loads):.1f}–{max(loads):.1f}({os.cpu_count()} 核)"
    )
    print("\n| 计算 | 改前 ms | 改后 ms | 改前 / 改后 |\n|---|---:|---:|---:|")
    for n, label in enumerate((f"scores(周期, {district.name})", f"全部单位({len(units)} 次)")):
        old = statistics.median(f[n] for f in figures["before"][1:])
        new = statistics.median(f[n] for f in figures["after"][1:])
        print(f"| {label} | {old:.0f} | {new:.0f} | {old / new:.1f}× |")
    for side in sides:
        rounds = ", ".join(f"{a:.0f}/{b:.0f}" for a, b in figures[side][1:])
        print(f"{side} 每轮(区/全部):{rounds}")


# ---------------------------------------------------------------------------- the run


def run(args) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    import jiesu
    from jiesu.assessment import rules
    from jiesu.assessment.effect import period_effect
    from jiesu.assessment.estimate import estimate
    from jiesu.assessment.queries import ScoreRow, cases_behind, drill_counts, scores
    from jiesu.cases.models import Case
    from jiesu.org.models import Unit, UnitKind

    if not Case.objects.exists():
        started = time.perf_counter()
        units = build_units()
        print(f"单位:{Unit.objects.count()} 个(ORM),{time.perf_counter() - started:.1f} 秒")
        started = time.perf_counter()
        build_cases(args.cases, args.months, args.seed, *units)
        print(f"工单:SQL 生成、建索引、ANALYZE 共 {time.perf_counter() - started:.0f} 秒")
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    streets = list(Unit.objects.filter(parent=district).order_by("pk"))
    now = NOW
    live = rules.period_of(now)
    start, end = rules.period_bounds(PAST_PERIOD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))")
        size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT current_setting('server_version'), current_setting('jit'), "
            "current_setting('random_page_cost'), current_setting('shared_buffers'), "
            "current_setting('work_mem')"
        )
        server_version, *values = cursor.fetchone()
        names = ("jit", "random_page_cost", "shared_buffers", "work_mem")
        config = ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
    period_cases = Case.objects.filter(
        district=district, received_at__gte=start, received_at__lt=end
    )
    busiest = (
        Case.objects.filter(received_at__gte=rules.period_bounds(live)[0], received_at__lt=now)
        .values("street_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    street = Unit.objects.get(pk=busiest["street_id"])
    print(f"PostgreSQL {server_version}({config});cases_case 连索引 {size}")
    if args.only == "before-after":
        return before_after(args.before, district, streets)
    print(f"代码:{Path(jiesu.__file__).parent}")
    print(
        f"数据:{Case.objects.count():,} 件工单;{len(streets)} 个街乡镇,"
        f"{Unit.objects.filter(parent__in=streets).count()} 个承办单位;"
        f"周期 {PAST_PERIOD} 全区 {period_cases.count():,} 件"
    )

    # (a) one period's scores for every unit: the district's streets, and each street's units
    def all_scores() -> dict:
        out = {district.pk: comparable(scores(PAST_PERIOD, district))}
        for s in streets:
            out[s.pk] = comparable(scores(PAST_PERIOD, s))
        return out

    assert all_scores() == baseline_scores(PAST_PERIOD, district), "基线与 scores() 不一致"
    load = os.getloadavg()[0]
    sql_ms = timed(all_scores)
    district_ms = timed(lambda: scores(PAST_PERIOD, district))
    street_ms = timed(lambda: [scores(PAST_PERIOD, s) for s in streets])
    base_ms = timed(lambda: baseline_scores(PAST_PERIOD, district), runs=3)

    # (b) the live estimate of the busiest street, with its risk list
    def live_estimate():
        result = estimate(street, now=now)
        return result, [(r.case.pk, round(r.loss, 9)) for r in result["risk"]]

    result, risk = live_estimate()
    slow = baseline_estimate(street, now)
    assert result["at_risk"] == slow["at_risk"], "基线与 estimate() 的待定工单数不一致"
    assert risk == [(r.case.pk, round(r.loss, 9)) for r in slow["risk"]], "风险清单不一致"
    counts = {k: result["scores"]["pooled"][k] for k in FLAGS}
    assert ScoreRow(unit={}, **counts).as_dict() == slow["pooled"].as_dict()
    live_ms = timed(live_estimate)
    live_base_ms = timed(lambda: baseline_estimate(street, now), runs=3)
    load = max(load, os.getloadavg()[0])

    # (c) the cases behind a number: the busiest street's row of the district, and the
    # busiest unit's row of that street
    street_result = scores(PAST_PERIOD, street)
    top = max(street_result["rows"], key=lambda r: (r["received"], -r["unit"]["id"]))
    unit = Unit.objects.get(pk=top["unit"]["id"])
    district_result = scores(PAST_PERIOD, district)
    drills = []
    for parent, child, table in (
        (district, street, district_result),
        (street, unit, street_result),
    ):
        row = next(r for r in table["rows"] if r["unit"]["id"] == child.pk)
        for name in DRILL_NAMES:
            count, page = drill_page(PAST_PERIOD, parent, child, name)
            assert count == drill_counts(row)[name], f"{name}:下钻件数与考核页不一致"
            assert (count, page) == baseline_drill(PAST_PERIOD, parent, child, name), (
                f"{name}:基线与 cases_behind() 不一致"
            )
            sql = timed(partial(drill_page, PAST_PERIOD, parent, child, name))
            base = timed(partial(baseline_drill, PAST_PERIOD, parent, child, name), runs=3)
            drills.append((parent, child, name, count, sql, base))
            if sql > 1000:
                where = cases_behind(PAST_PERIOD, parent, child, name)
                cases = Case.objects.filter(where).order_by("-received_at", "-id")
                print(f"\n慢:{parent.name} → {child.name} · {name}")
                print(cases.explain(analyze=True, buffers=True))
                print(cases[:PAGE].explain(analyze=True, buffers=True))
    load = max(load, os.getloadavg()[0])

    # (d) the effect of exemptions and appeals, on a scores() result already computed
    def scores_twice(parent) -> None:
        """The naive effect: the table before and if-passed computed like the one shown."""
        scores(PAST_PERIOD, parent)
        scores(PAST_PERIOD, parent)

    effects = []
    for parent, table in ((district, district_result), (street, street_result)):
        effect = period_effect(table, parent)
        assert effect is not None, "周期内没有剔除或申诉申请"
        effect_ms = timed(partial(period_effect, table, parent))
        once_ms = timed(partial(scores, PAST_PERIOD, parent))
        twice_ms = timed(partial(scores_twice, parent))
        effects.append((parent, effect, effect_ms, once_ms, twice_ms))
    load = max(load, os.getloadavg()[0])
    street_cases = Case.objects.filter(
        street=street, received_at__gte=rules.period_bounds(live)[0], received_at__lt=now
    ).count()

    def queries(fn) -> str:
        """How many SQL queries `fn` runs (of them on cases_case)."""
        with CaptureQueriesContext(connection) as captured:
            fn()
        on_cases = sum('"cases_case"' in q["sql"] for q in captured.captured_queries)
        return f"{len(captured)} ({on_cases})"

    print(f"\n(a) 周期 {PAST_PERIOD},{len(streets) + 1} 次 scores():区的街乡镇 + 每个街乡镇的单位")
    print("\n| 计算 | SQL 查询(其中工单表) | ms |\n|---|---:|---:|")
    print(
        f"| scores(周期, 昌平区) | {queries(lambda: scores(PAST_PERIOD, district))} | {district_ms:.0f} |"
    )
    each = queries(lambda: [scores(PAST_PERIOD, s) for s in streets])
    print(f"| scores(周期, 街乡镇) × {len(streets)} | {each} | {street_ms:.0f} |")
    print(f"| **全部单位(目标 < 2,000 ms)** | {queries(all_scores)} | **{sql_ms:.0f}** |")
    base_queries = queries(lambda: baseline_scores(PAST_PERIOD, district))
    print(f"| 基线:载入周期工单,Python 计数 | {base_queries} | {base_ms:.0f} |")
    print(f"| 基线 / jiesu | | {base_ms / sql_ms:.2f}× |")
    print(
        f"\n(b) estimate({street.name}, now={now:%Y-%m-%d %H:%M}),周期 {live}:"
        f"{street_cases:,} 件,待定 {result['at_risk']:,} 件,清单前 {len(risk)} 件"
    )
    print("\n| 计算 | SQL 查询(其中工单表) | ms |\n|---|---:|---:|")
    print(f"| **estimate(目标 < 5,000 ms)** | {queries(live_estimate)} | **{live_ms:.0f}** |")
    base_queries = queries(lambda: baseline_estimate(street, now))
    print(f"| 基线:载入街乡镇周期工单对象,Python 计数排序 | {base_queries} | {live_base_ms:.0f} |")
    print(f"| 基线 / jiesu | | {live_base_ms / live_ms:.2f}× |")
    print(
        f"\n(c) 下钻,周期 {PAST_PERIOD}:件数 + 第一页 {PAGE} 件(最新在前,"
        "不含 visible_to);基线:载入上级单位的周期工单,Python 按 case_counts 筛选排序"
    )
    print("\n| 上级 → 行 | 数字 | 件数 | cases_behind ms | 基线 ms | 基线 / jiesu |")
    print("|---|---|---:|---:|---:|---:|")
    for parent, child, name, count, sql, base in drills:
        print(
            f"| {parent.name} → {child.name} | {name} | {count:,} | {sql:.0f} | {base:.0f} "
            f"| {base / sql:.1f}× |"
        )
        if name == DRILL_NAMES[0]:
            queries_run = queries(partial(drill_page, PAST_PERIOD, parent, child, name))
            print(f"|  | (SQL 查询:{queries_run}) | | | | |")
    print(f"\n(d) period_effect(scores(周期 {PAST_PERIOD}, 上级), 上级),只计 period_effect")
    print(
        "\n| 上级 | 已通过 | 办理中 | 变化的行 | SQL 查询(其中工单表) | ms | scores() ms | scores() × 2 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for parent, effect, effect_ms, once_ms, twice_ms in effects:
        table = district_result if parent == district else street_result
        print(
            f"| {parent.name} | {effect['passed']:,} | {effect['under_way']:,} "
            f"| {len(effect['rows']) - 1} | {queries(partial(period_effect, table, parent))} "
            f"| {effect_ms:.1f} | {once_ms:.0f} | {twice_ms:.0f} |"
        )
    verdict = "达标" if sql_ms < 2000 and live_ms < 5000 else "未达标"
    print(
        f"\n目标(2 秒 / 5 秒):{verdict}。测量时 1 分钟平均负载最高 {load:.1f}({os.cpu_count()} 核)"
    )
    before_after(args.before, district, streets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the server running")
    parser.add_argument("--url", help="DATABASE_URL of a database kept with --keep")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="measure the jiesu package in SRC"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the connection, e.g. jit=off (repeatable)",
    )
    parser.add_argument("--only", choices=["before-after"], help="run only this comparison")
    parser.add_argument(
        "--before", default="4c4061d", help="the commit whose scores() is 'before' (issue 12)"
    )
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="jiesu-scores-"))
    try:
        with district_database(args.url, var, src=args.src, settings=args.set, keep=args.keep):
            run(args)
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
