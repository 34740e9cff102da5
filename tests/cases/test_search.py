"""Free-text search: bigram index plus exact check, and the not-yet-indexed tail."""

from django.core.management import call_command

from jiesu.cases import search
from jiesu.cases.models import Case, CaseSearch


def found(query):
    return set(Case.objects.filter(search.matching(query)).values_list("pk", flat=True))


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
    case = make_case(title="路灯不亮")
    search.index_pending()
    Case.objects.filter(pk=case.pk).delete()
    assert CaseSearch.objects.count() == 0
    assert found("路灯") == set()
