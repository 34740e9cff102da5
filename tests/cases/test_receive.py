import pytest

from jiesu.cases.errors import InvalidInput
from jiesu.cases.models import Case, State


def test_receive_writes_the_case_and_its_first_event(make_case):
    case = make_case(platform_no="20260302000123")
    assert case.state == State.RECEIVED
    assert list(case.events.values_list("action", "to_state")) == [("receive", "received")]


def test_a_duplicate_platform_number_is_refused_in_chinese(make_case):
    make_case(platform_no="20260302000123")
    with pytest.raises(InvalidInput) as err:
        make_case(platform_no="20260302000123")
    assert "已存在" in err.value.message
    assert Case.objects.count() == 1
    # the same number on the other platform is a different case
    make_case(platform_no="20260302000123", platform="district")
    assert Case.objects.count() == 2


def test_title_and_content_are_required(make_case):
    with pytest.raises(InvalidInput) as err:
        make_case(title="  ")
    assert err.value.message == "请填写标题。"
    assert Case.objects.count() == 0
