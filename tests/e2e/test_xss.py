"""Stored XSS: a citizen's text that looks like HTML stays text everywhere, revealed or not.

Every personal and free-text field carries a payload that, if it ever ran, would call
`x(<field>)`. The pages are opened, every personal field is revealed (the path the probe
used to steal phone numbers), and nothing may have run. A second line of defence is checked
apart: the Content-Security-Policy stops an inline handler even when markup gets in.
"""

import datetime as dt

import pytest

from jiesu.cases import workflow
from jiesu.cases.models import Category, Tag
from tests.conftest import at
from tests.e2e.conftest import csp_reports, login

pytestmark = pytest.mark.e2e

INIT = "window.__xss = []; window.x = function (f) { window.__xss.push(f); };"


def payload(code: str, kind: str = "img") -> str:
    if kind == "svg":
        return f"<svg onload=x('{code}')>"
    if kind == "script":
        return f"<script>x('{code}')</script>"
    return f"<img src=/nothing onerror=x('{code}')>"


@pytest.fixture
def poisoned(make_case, people, org):
    category = Category.objects.create(name=payload("cat"))
    case = make_case(
        title="占道经营" + payload("title"),
        content=payload("content", "script") + payload("content2"),
        caller_name=payload("name"),
        caller_phone=payload("ph", "svg"),
        caller_account=payload("account"),
        address="华龙苑" + payload("address") + payload("addr2", "script"),
        location=payload("location"),
        company_name=payload("company"),
        category=category,
        tags=[Tag.objects.create(name=payload("tag", "svg"))],
        received_at=at("2026-03-02 09:00"),
    )
    t = case.received_at
    workflow.sign(case, by=people["zuoxi"], at=t + dt.timedelta(minutes=5))
    workflow.note(
        case, by=people["zuoxi"], text=payload("note", "script"), at=t + dt.timedelta(minutes=6)
    )
    workflow.dispatch(
        case, by=people["zuoxi"], lead_unit=org["hly"], at=t + dt.timedelta(minutes=20)
    )
    workflow.urge(case, by=people["zuoxi"], note=payload("urge"), at=t + dt.timedelta(minutes=30))
    workflow.reply(
        case,
        by=people["shequ"],
        contact_at=t + dt.timedelta(hours=1),
        contact_way=payload("way"),
        facts=payload("facts"),
        actions=payload("actions", "script"),
        result=payload("result"),
        citizen_response=payload("response"),
        at=t + dt.timedelta(hours=2),
    )
    return case


def test_no_payload_runs_anywhere_and_reveals_stay_text(page, poisoned, output_dir):
    violations = csp_reports(page)
    page.add_init_script(INIT)
    login(page, "zuoxi")

    row = page.locator("[data-case-row]").first
    assert "占道经营<img" in row.inner_text()  # shown as the citizen wrote it, as text
    page.goto(f"/cases/?q={poisoned.platform_no}")
    page.goto(f"/cases/{poisoned.pk}/")
    for field, raw in (
        ("caller_name", poisoned.caller_name),
        ("caller_phone", poisoned.caller_phone),
        ("caller_account", poisoned.caller_account),
        ("address", poisoned.address),
    ):
        page.locator(f'[data-reveal="{field}"]').click()
        page.wait_for_function(
            "([f, raw]) => document.querySelector(`[data-pii=${f}]`).textContent.trim() === raw",
            arg=[field, raw],
        )
        # as text: no element was made of it
        assert (
            page.locator(
                f"[data-pii={field}] img, [data-pii={field}] svg, [data-pii={field}] script"
            ).count()
            == 0
        )
    page.wait_for_timeout(300)  # an <img onerror> fires as soon as its load fails
    page.screenshot(path=output_dir / "poisoned-case.png", full_page=True)
    assert page.evaluate("window.__xss") == []
    # jiesu's own pages need nothing the policy forbids
    assert [text for _, text in violations] == []

    # The policy is there and would stop an inline handler that got into the page anyway.
    response = page.goto(f"/cases/{poisoned.pk}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', \"<img src=/nothing onerror=x('csp')>\")"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") == []
    assert any("Content Security Policy" in text for _, text in violations)


def test_reveal_answers_escaped_text(client, poisoned, people):
    client.force_login(people["zuoxi"])
    response = client.post(f"/cases/{poisoned.pk}/reveal/address/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<img" not in body and "<script" not in body
    assert "&lt;img src=/nothing onerror=x(&#x27;address&#x27;)&gt;" in body
    assert "script-src 'self'" in response["Content-Security-Policy"]
