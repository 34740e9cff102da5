"""The search box at a million cases: each kind of query a desk types, timed as the list page
runs it (count plus the first 50, newest first), with baselines measured in the same run.

    python bench/bench_search.py --var DIR          # DIR holds jiesu.sqlite3 built by `jiesu demo`
    python bench/bench_search.py --cases 20000      # builds a fresh demo database first
    python bench/bench_search.py --postgres --cases 100000   # the same on a throw-away PostgreSQL
    python bench/bench_search.py --database-url postgres://…   # a database built before

The database is migrated first (timing the phone-digest backfill and the number index when
they are new) and the text index brought up to date. Each figure is the median of 5 runs
after a warm-up (baselines: 3). Baselines: the list page without a search; the search before
this change (text, whole case numbers); and the plain SQL each kind of query would need
without an index for it (the phone by its plaintext: indexed, but the number is in the SQL).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent


def build(env: dict, cases: int) -> None:
    jiesu = [sys.executable, "-m", "jiesu.cli"]
    subprocess.run([*jiesu, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*jiesu, "demo", "--cases", str(cases), "--months", "36"], env=env, check=True)


def old_matching(query: str):
    """The search before issue 10: title and content through the bigram index, or a whole
    case number; no phones, number parts, categories or tags."""
    from django.db.models import Q
    from django.db.models.expressions import RawSQL

    from jiesu.cases import search
    from jiesu.cases.models import Platform

    words = query.split()
    wanted = search._contains_all(words) | Q(platform_no__in=words)
    terms = list(dict.fromkeys(t for w in words for t in search.tokens(w)))
    sql, params = search._text_sql(terms)
    marks = ", ".join(["%s"] * len(words))
    platforms = ", ".join(["%s"] * len(Platform.values))
    sql += (
        " UNION ALL SELECT id FROM cases_case WHERE id > %s UNION ALL SELECT id FROM cases_case"
        f" WHERE platform IN ({platforms}) AND platform_no IN ({marks})"
    )
    params += [search.indexed_up_to(), *Platform.values, *words]
    return Q(pk__in=RawSQL(sql, params)) & wanted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="folder with a demo jiesu.sqlite3")
    parser.add_argument("--cases", type=int, default=20000, help="cases to build without --var")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--database-url", help="a database already built (DATABASE_URL)")
    args = parser.parse_args()
    var = args.var or Path(tempfile.mkdtemp(prefix="jiesu-search-"))
    env = dict(os.environ, JIESU_VAR_DIR=str(var), JIESU_DEMO_PASSWORD="bench-only")
    server = None
    if args.postgres:
        sys.path.insert(0, str(ROOT / "bench"))
        from pgserver import Postgres

        server = Postgres()
        server.start()
        env["DATABASE_URL"] = server.url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    try:
        if not (args.var or args.database_url) or args.postgres:
            build(env, args.cases)
        os.environ.update(env)
        run()
    finally:
        if server:
            server.stop()


def run() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiesu.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q
    from django.test import Client

    from jiesu.cases import queries, search
    from jiesu.cases.models import Case, CaseEvent, Category, Tag

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate(含新迁移:电话摘要回填、工单编号索引):{time.perf_counter() - start:.1f} 秒")
    start = time.perf_counter()
    indexed = search.index_pending()
    print(f"检索索引:新建 {indexed:,} 件,用时 {time.perf_counter() - start:.1f} 秒")
    total, events = Case.objects.count(), CaseEvent.objects.count()
    print(f"数据:{total:,} 件工单,{events:,} 条流转记录,{connection.vendor}")

    operator, reviewer = User.objects.get(username="zuoxi"), User.objects.get(username="shenhe")
    visible = Case.objects.visible_to(operator)
    # the cases the queries look for: an old one and one from the middle of the street's
    old = visible.exclude(caller_phone="").order_by("pk").first()
    new = visible.filter(pk__gte=total // 2).exclude(caller_phone="").order_by("pk").first()
    phone = old.caller_phone
    dashed = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}" if len(phone) == 11 else phone
    leaf = Category.objects.filter(level=3).order_by("pk").first()
    middle = Category.objects.filter(level=2).order_by("pk").first()
    tag = Tag.objects.order_by("pk").first()
    number_part = new.platform_no[-6:]
    middle_part = old.platform_no[6:12]

    def page(condition, user=operator):
        """A list of the cases the user sees: count, then the first 50 newest first."""
        qs = Case.objects.visible_to(user).filter(condition).order_by(*queries.NEWEST_FIRST)
        return qs.count(), list(qs.values_list("pk", flat=True)[:50])

    def search_page(query, user=operator):
        """What the list page runs for a search (queries.case_list)."""
        f = queries.CaseFilter(q=query)
        qs = queries.case_list(user, f, ordering=queries.NEWEST_FIRST)
        return qs.count(), list(qs.values_list("pk", flat=True)[:50])

    tag_like = lambda word: Exists(  # noqa: E731
        Case.tags.through.objects.filter(case_id=OuterRef("pk"), tag__name__contains=word)
    )
    kinds = [
        ("完整电话", phone, Q(caller_phone=phone)),
        ("完整电话(带连字符)", dashed, Q(caller_phone=phone)),
        ("电话后 4 位", phone[-4:], Q(caller_phone__endswith=phone[-4:])),
        ("工单编号后 6 位", number_part, Q(platform_no__contains=number_part)),
        ("工单编号中间 6 位", middle_part, Q(platform_no__contains=middle_part)),
        ("完整工单编号", new.platform_no, Q(platform_no=new.platform_no)),
        ("三级分类名", leaf.name, Q(category__full_name__contains=leaf.name)),
        ("二级分类名", middle.name, Q(category__full_name__contains=middle.name)),
        ("标签", tag.name, tag_like(tag.name)),
        ("正文词", "噪音", search._contains_all(["噪音"])),
        ("两个词", "华龙苑 垃圾", search._contains_all(["华龙苑", "垃圾"])),
        ("分类 + 电话后 4 位", f"{leaf.name} {phone[-4:]}", None),
    ]
    base_count, _ = page(Q())
    base_ms = timed(lambda: page(Q()))
    print(f"\n基线:列表页不检索(坐席员可见 {base_count:,} 件,最新在前,计数 + 前 50 件)"
          f":{base_ms:.0f} ms")  # fmt: skip
    print(
        "\n| 检索 | 输入 | 命中 | 检索 (ms) | 旧检索 命中 | 旧检索 (ms) | 基线:无索引的 SQL (ms) |"
        "\n|---|---|---:|---:|---:|---:|---:|"
    )
    for label, query, plain in kinds:
        hits, _ = search_page(query)
        fast = timed(lambda q=query: search_page(q))
        old_hits, _ = page(old_matching(query))
        old_ms = timed(lambda q=query: page(old_matching(q)), runs=3)
        plain_ms = f"{timed(lambda p=plain: page(p), runs=3):.0f}" if plain is not None else "—"
        shown = query if "电话" not in label else "(" + label + ")"
        print(f"| {label} | {shown} | {hits:,} | {fast:.0f} | {old_hits:,} | {old_ms:.0f} "
              f"| {plain_ms} |")  # fmt: skip
    hits, _ = search_page(phone, reviewer)
    ms = timed(lambda: search_page(phone, reviewer))
    print(f"\n审核员检索完整电话:命中 {hits},{ms:.0f} ms(该角色不能按电话检索)")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(operator)
    print("\n| 页面(坐席员) | ms |\n|---|---:|")
    for label, query in (("列表页,不检索", ""), ("完整电话", phone), ("编号后 6 位", number_part),
                         ("三级分类名", leaf.name), ("标签", tag.name)):  # fmt: skip
        params = {"q": query} if query else {}
        assert client.get("/cases/", params).status_code == 200
        print(f"| {label} | {timed(lambda p=params: client.get('/cases/', p)):.0f} |")


if __name__ == "__main__":
    main()
