from jiesu.insights.duplicates import possible_duplicates, similarity
from tests.conftest import at


def test_similarity_of_bigrams():
    assert similarity("小区停水", "小区停水") == 1.0
    assert similarity("小区停水", "路灯不亮") == 0.0


def test_same_caller_other_platform_similar_text_within_a_week(people, make_case):
    city = make_case(title="华龙苑南里东门占道经营", received_at=at("2026-03-02 09:00"))
    district = make_case(
        platform="district", title="华龙苑南里东门占道经营严重", received_at=at("2026-03-05 10:00")
    )
    make_case(
        platform="district", title="华龙苑南里东门占道经营", received_at=at("2026-03-12 10:00")
    )
    make_case(platform="district", title="华龙苑南里东门占道经营", caller_phone="13900000000")
    make_case(
        platform="district",
        title="供暖不热",
        content="家里暖气不热,室温只有十五度",
        received_at=at("2026-03-03 10:00"),
    )
    found = possible_duplicates(people["zuoxi"], city)
    assert [c.pk for c, _ in found] == [district.pk]


def test_case_page_links_the_possible_duplicate(client, people, make_case):
    city = make_case(title="华龙苑南里东门占道经营")
    district = make_case(platform="district", title="华龙苑南里东门占道经营")
    client.force_login(people["zuoxi"])
    page = client.get(f"/cases/{city.pk}/").content.decode()
    assert f'data-duplicate="{district.pk}"' in page and "可能重复" in page
