"""The case list's filter selects, written in Python for speed, render like Django's own."""

from jiesu.cases.filters import CaseFilter
from jiesu.cases.models import Case, Category


def form(data=None):
    return CaseFilter(data, Case.objects.none()).form


def test_selects_keep_the_choice_and_escape_names(db):
    odd = Category.objects.create(name="<b>违建</b>")
    bound = form({"category": str(odd.pk), "state": "closed"})
    assert bound.is_valid()
    category = str(bound["category"])
    assert category.startswith('<select id="id_category" name="category">')
    assert '<option value="">全部分类</option>' in category
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;违建&lt;/b&gt;</option>' in category
    assert "<b>" not in category
    state = str(bound["state"])
    assert '<option value="closed" selected>已办结</option>' in state
    assert state.count(" selected") == 1
    assert " selected" not in str(form()["state"])
