"""The search box: text through the bigram index plus exact check and the not-yet-indexed
tail; the caller's phone by its keyed digest or last four digits, for the roles that may see
phones only, never in SQL; part of a case number; a category or tag word."""

import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from jiesu.cases import fastinsert, queries, search, workflow
from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import Case, CaseSearch, Category, PhoneSearchKey, Tag
from jiesu.org.access import Reach
from jiesu.org.models import Membership, Role
from tests.conftest import at
from tests.intake.conftest import HEADER, export_row


def found(query, user=None):
    return set(Case.objects.filter(search.matching(query, user)).values_list("pk", flat=True))


def test_tokens_are_bigrams_and_words():
    assert search.tokens("噪音扰民 Wi-Fi 12号楼") == [
        "噪音",
        "音扰",
        "扰民",
        "wi",
        "fi",
        "12",
        "号楼",
    ]
    assert search.tokens("我") == ["我"]
    assert search.document("停水", "小区停水") == "停水 小区 区停"


def test_search_through_the_index_and_the_tail(make_case):
    noise = make_case(title="夜间施工噪音扰民", content="霍营地铁站旁工地夜里12点还在施工")
    water = make_case(title="小区停水", content="龙锦苑东一区从早上开始停水,没有通知")
    # neither is indexed yet: the tail scan finds them
    assert found("噪音") == {noise.pk}
    assert search.index_pending() == 2
    assert CaseSearch.objects.count() == 2
    assert found("噪音") == {noise.pk}
    assert found("停水 通知") == {water.pk}
    assert found("施工 停水") == set()
    # all bigrams present but not as one word: the exact check refuses it
    assert found("音噪") == set()
    late = make_case(title="噪音", content="楼下商铺音响声音太大")
    assert found("噪音") == {noise.pk, late.pk}
    call_command("worker", once=True)
    assert CaseSearch.objects.count() == 3
    assert found("噪音") == {noise.pk, late.pk}


def test_single_characters_and_case_numbers(make_case):
    water = make_case(title="小区停水", content="一直没水", platform_no="2026030212345")
    search.index_pending()
    assert found("水") == {water.pk}
    assert found("2026030212345") == {water.pk}
    assert found("不存在的内容") == set()


def test_deleted_cases_leave_the_index(make_case):
    case = make_case(title="路灯不亮", platform_no="202603027777777")
    search.index_pending()
    Case.objects.filter(pk=case.pk).delete()
    assert CaseSearch.objects.count() == 0
    assert found("路灯") == set()
    assert found("7777777") == set()


# --- phones ------------------------------------------------------------------------


def test_a_number_is_read_as_the_search_compares_it():
    for written in ("13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
                    "8613812345678", "0086-13812345678", "１３８１２３４５６７８",
                    "13812345678,13900001111"):  # fmt: skip
        assert search.phone_digits(written) == "13812345678", written
    assert search.phone_digits("(010)6234-5678") == "01062345678"
    assert search.phone_digits("") == search.phone_digits("无") == ""


@pytest.mark.django_db
def test_the_digest_is_keyed_and_the_tail_is_the_last_four_digits():
    digest, tail = search.phone_keys("138-1234-5678")
    assert (digest, tail) == search.phone_keys("+8613812345678")
    assert tail == "5678" and len(digest) == 64
    # not a plain hash anyone could recompute for every mobile number
    assert digest != hashlib.sha256(b"13812345678").hexdigest()
    key = PhoneSearchKey.objects.get(pk=1).key
    assert len(key) == 64 and int(key, 16) and "13812345678" not in key
    assert search.phone_keys("") == ("", "")
    assert search.phone_keys("12") == (search.phone_keys("12")[0], "")


def test_which_words_are_phone_numbers():
    phones = ["13812345678", "138-1234-5678", "+8613812345678", "010-62345678",
              "01062345678", "(010)62345678", "62345678", "0571-88881234", "010-62345678-123"]  # fmt: skip
    others = ["1234", "123456", "1234567", "2026030212345", "202603021234567", "12345",
              "138123456789", "CP2026030200001", "华龙苑", "5678号", "1381234567a",
              "2026-03-02", "6234567", "1-3812345678"]  # fmt: skip
    assert [w for w in phones if not search.is_phone(w)] == []
    assert [w for w in others if search.is_phone(w)] == []


@pytest.fixture
def callers(make_case, org):
    """Three cases, hand-made for the phone searches."""

    def make(number, title, content, phone):
        return make_case(platform_no=number, title=title, content=content, caller_phone=phone)

    return {
        "a": make("202603020000011", "楼道堆物", "楼道里堆满杂物", "138-1234-5678"),
        "b": make("202603020000012", "路灯不亮", "小区路灯坏了", "13900005678"),
        "c": make("202603020000013", "井盖缺失", "路口井盖丢了", "010-62341234"),
        "none": make("202603020000014", "噪音扰民", "晚上施工", ""),
    }


def test_the_desk_finds_a_caller_by_the_whole_number_or_its_last_four_digits(callers, people):
    ids = {name: case.pk for name, case in callers.items()}
    for login in ("zuoxi", "zuzhang"):
        user = people[login]
        assert found("13812345678", user) == {ids["a"]}
        assert found("138-1234-5678", user) == {ids["a"]}
        assert found("+86 138 1234 5678", user) == {ids["a"]}  # a number typed with spaces
        assert found("010 6234 1234", user) == {ids["c"]}
        assert found("5678", user) == {ids["a"], ids["b"]}
        assert found("1234", user) == {ids["c"]}
        assert found("010-62341234", user) == {ids["c"]}
        assert found("62341234", user) == set()  # stored with its area code: the tail finds it
        assert found("13800000000", user) == set()
        assert found("5678 楼道", user) == {ids["a"]}
    search.index_pending()
    assert found("13812345678", people["zuoxi"]) == {ids["a"]}


def test_roles_that_may_not_see_phones_find_nobody_by_phone(callers, people):
    for login in ("shenhe", "shuju", "ducha", "admin"):
        user = people[login]
        assert found("13812345678", user) == set(), login
        assert found("5678", user) == set(), login
        assert found("010-62341234", user) == set(), login
    # nor does a search without a user
    assert found("13812345678") == found("5678") == set()
    # nor the phone written into the text (which every page masks)
    noted = callers["none"]
    Case.objects.filter(pk=noted.pk).update(content="来电人另留电话13812345678")
    search.index_pending()
    assert found("13812345678", people["shenhe"]) == set()
    assert found("13812345678", people["zuoxi"]) == {callers["a"].pk}


def test_a_handler_finds_by_phone_the_cases_of_its_unit_only(callers, people, org):
    hly, office = org["hly"], org["office"]
    zuoxi = people["zuoxi"]
    for name, unit in (("a", hly), ("b", office)):
        case = callers[name]
        workflow.sign(case, by=zuoxi, at=at("2026-03-02 09:10"))
        workflow.dispatch(case, by=zuoxi, lead_unit=unit, at=at("2026-03-02 09:20"))
    assert found("13812345678", people["shequ"]) == {callers["a"].pk}
    assert found("5678", people["shequ"]) == {callers["a"].pk}
    assert found("5678", people["keshi"]) == {callers["b"].pk}
    assert found("13812345678", people["keshi"]) == set()
    # a reviewer of the street who also handles for 华龙苑南里社区: phones of that unit's cases
    Membership.objects.create(user=people["shenhe"], unit=hly, role=Role.COMMUNITY_HANDLER)
    people["shenhe"].__dict__.pop("_jiesu_grants", None)
    assert found("5678", people["shenhe"]) == {callers["a"].pk}


def test_no_phone_number_reaches_sql(callers, people):
    user = people["zuoxi"]
    for query in ("13812345678", "138-1234-5678", "+86 138 1234 5678", "010-62341234 井盖"):
        with CaptureQueriesContext(connection) as queries:
            hits = found(query, user)
        assert hits, query
        sql = "\n".join(q["sql"] for q in queries.captured_queries)
        assert "digest" in sql
        for digits in ("13812345678", "12345678", "1381234", "62341234", "0106234"):
            assert digits not in sql, (query, digits)
    # a reviewer's phone search is not looked up at all
    with CaptureQueriesContext(connection) as queries:
        assert found("13812345678", people["shenhe"]) == set()
    assert "1381234" not in "\n".join(q["sql"] for q in queries.captured_queries)


# --- every write of a phone keeps its search keys -----------------------------------


def test_the_keys_follow_the_phone_on_every_path(callers, people, org):
    case = callers["a"]
    stored = Case.objects.get(pk=case.pk)
    assert (stored.caller_phone_digest, stored.caller_phone_tail) == search.phone_keys(
        "13812345678"
    )
    assert Case.objects.get(pk=callers["none"].pk).caller_phone_digest == ""
    # a platform update (the import's path): the workflow derives the keys itself
    workflow.platform_update(case, changes={"caller_phone": "13700002222"})
    assert found("13700002222", people["zuoxi"]) == {case.pk}
    assert found("13812345678", people["zuoxi"]) == set()
    assert found("2222", people["zuoxi"]) == {case.pk}
    assert "digest" not in str(case.events.last().payload)  # the keys stay off the diff
    # save() with update_fields naming the phone
    case.refresh_from_db()
    case.caller_phone = "13600003333"
    case.save(update_fields=["caller_phone"])
    assert found("3333", people["zuoxi"]) == {case.pk}
    assert search.phone_fields({"title": "x"}) == {}


def test_bulk_written_cases_carry_the_keys(org, people):
    recorder = fastinsert.BulkRecorder(fastinsert.next_case_pk())
    with workflow.recording(recorder):
        case = workflow.receive(
            platform="city",
            platform_no="202603020099999",
            request_type="complaint",
            title="停车难",
            content="小区停车位不够",
            caller_phone="13655556666",
            district=org["district"],
            street=org["street"],
            received_at=at("2026-03-02 09:00"),
        )
    fastinsert.write(recorder.take())  # as the demo and the import write new cases
    assert found("13655556666", people["zuoxi"]) == {case.pk}
    assert found("6666", people["zuoxi"]) == {case.pk}


def test_an_import_fills_and_updates_the_keys(org, people, tmp_path):
    from jiesu.intake.importer import import_file

    def export(phone):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER)
        sheet.append(export_row(1, **{"来电人电话/账号": phone}))
        path = tmp_path / f"{phone}.xlsx"
        book.save(path)
        return path

    user = people["zuoxi"]
    import_file(export("13811112222"), platform="city", street=org["street"], user=user)
    case = Case.objects.get(platform_no="20260302000001")
    assert found("13811112222", user) == {case.pk}
    import_file(export("13833334444"), platform="city", street=org["street"], user=user)
    assert found("13833334444", user) == {case.pk}
    assert found("13811112222", user) == set()
    assert found("4444", user) == {case.pk}


def test_the_migration_fills_cases_that_have_no_keys(callers, people):
    Case.objects.update(caller_phone_digest="", caller_phone_tail="")
    assert found("13812345678", people["zuoxi"]) == set()
    migration = importlib.import_module("jiesu.cases.migrations.0013_phone_digests")
    migration.fill(None, SimpleNamespace(connection=connection))
    assert found("13812345678", people["zuoxi"]) == {callers["a"].pk}
    assert found("1234", people["zuoxi"]) == {callers["c"].pk}
    assert Case.objects.get(pk=callers["none"].pk).caller_phone_digest == ""


def test_a_missing_key_is_made_again(callers, people):
    """A flushed test database has no key row: the first digest makes one (by the database)."""
    PhoneSearchKey.objects.all().delete()
    search._keys.clear()
    try:
        assert found("13812345678", people["zuoxi"]) == set()  # digests of the old key
        assert PhoneSearchKey.objects.filter(pk=1).exists()
    finally:
        search._keys.clear()  # the new key goes with this test's transaction


# --- case numbers, categories, tags ------------------------------------------------


@pytest.fixture
def numbered(make_case, categories):
    tags = {name: Tag.objects.create(name=name) for name in ("老旧小区", "每月一题")}
    cases = {
        "stalls": make_case(
            platform_no="202603021234567",
            title="商贩摆摊",
            content="东门晚上有人摆摊",
            category=categories["stalls"],
            caller_phone="13800001111",
        ),
        "garbage": make_case(
            platform_no="202603029876543",
            title="垃圾满溢",
            content="垃圾桶两天没清",
            category=categories["garbage"],
            caller_phone="13800002222",
        ),
        "district": make_case(
            platform="district",
            platform_no="CP202603021234999",
            title="楼道灯坏",
            content="三号楼楼道灯不亮",
            caller_phone="13800003333",
            tags=[tags["老旧小区"]],
        ),
        "other": make_case(
            platform_no="202604150000001",
            title="噪音扰民",
            content="楼上每天晚上很吵",
            caller_phone="13800004444",
            tags=[tags["每月一题"]],
        ),
    }
    return {name: case.pk for name, case in cases.items()}


@pytest.mark.parametrize("indexed", [False, True])
def test_part_of_a_case_number(numbered, people, indexed):
    if indexed:
        assert search.index_pending() == 4
    ids = numbered
    shenhe = people["shenhe"]
    assert found("234567", shenhe) == {ids["stalls"]}  # the last six digits
    assert found("0302987", shenhe) == {ids["garbage"]}  # a middle part
    assert found("1234", shenhe) == {ids["stalls"], ids["district"]}
    assert found("cp2026", shenhe) == found("CP20260302", shenhe) == {ids["district"]}
    assert found("CP202603021234999", shenhe) == {ids["district"]}
    assert found("20260302", shenhe) == {ids["stalls"], ids["garbage"], ids["district"]}
    assert found("0415", shenhe) == {ids["other"]}
    assert found("5555555", shenhe) == set()
    assert found("1234 垃圾", shenhe) == set()
    assert found("0302 垃圾", shenhe) == {ids["garbage"]}
    # eight digits that are a day read as part of a case number (and, for the desk, a phone)
    assert found("20260302", people["zuoxi"]) == {ids["stalls"], ids["garbage"], ids["district"]}


def test_category_and_tag_words(numbered, people):
    ids = numbered
    user = people["shenhe"]
    assert found("占道经营", user) == {ids["stalls"]}  # no text says it: the category does
    assert found("市容环卫", user) == {ids["stalls"], ids["garbage"]}  # the path's middle level
    assert found("城乡建设", user) == {ids["stalls"], ids["garbage"]}
    assert found("垃圾", user) == {ids["garbage"]}  # category and text
    assert found("老旧", user) == {ids["district"]}
    assert found("每月一题", user) == {ids["other"]}
    assert found("小区", user) == {ids["district"]}  # the tag 老旧小区
    assert found("市容环卫 9876", user) == {ids["garbage"]}
    search.index_pending()
    assert found("市容环卫 摆摊", user) == {ids["stalls"]}
    # a renamed category is found by its new name
    Category.objects.filter(pk=Case.objects.get(pk=ids["garbage"]).category_id).update(
        name="生活垃圾清运", full_name="城乡建设->市容环卫->生活垃圾清运"
    )
    assert found("生活垃圾", user) == {ids["garbage"]}


def test_four_digits_find_numbers_and_for_the_desk_phones(numbered, people):
    ids = numbered
    assert found("1111", people["shenhe"]) == set()
    assert found("1111", people["zuoxi"]) == {ids["stalls"]}
    # 0001 is in one case number and ends no phone; 4444 ends one phone only
    assert found("0001", people["zuoxi"]) == {ids["other"]}
    assert found("4444", people["zuoxi"]) == {ids["other"]}


def test_few_matches_are_listed_from_the_matches(numbered, people):
    """A query with few matches says so; the list is then drawn from them, the same cases."""
    user = people["zuoxi"]
    assert search.find("13800002222", user).few
    assert search.find("0302987", user).few
    assert not search.find("", user).few
    for query in ("13800002222", "0302 垃圾", "市容环卫", "楼道灯"):
        found_by_filter = CaseFilter({"q": query}, Reach(user).cases(), user=user)
        listed = queries.case_list(found_by_filter.qs)
        assert {c.pk for c in listed} == found(query, user), query
        assert all(hasattr(c, "live_lamp") for c in listed)


def test_the_list_page_searches_as_the_user(numbered, people, client):
    client.force_login(people["zuoxi"])
    page = client.get("/cases/", {"q": "138 0000 2222"})
    assert page.status_code == 200
    assert [c.pk for c in page.context["page"].object_list] == [numbered["garbage"]]
    assert "来电电话" in page.content.decode()  # the box says what it finds
    client.force_login(people["shenhe"])
    page = client.get("/cases/", {"q": "13800002222"})
    assert list(page.context["page"].object_list) == []
