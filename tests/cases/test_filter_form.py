"""The case list's filter selects, written in Python for speed, render like Django's own."""

from jiesu.cases.forms import CaseFilterForm
from jiesu.cases.models import Category


def test_selects_keep_the_choice_and_escape_names(db):
    odd = Category.objects.create(name="<b>违建</b>")
    form = CaseFilterForm({"category": str(odd.pk), "state": "closed"})
    assert form.is_valid()
    category = str(form["category"])
    assert category.startswith('<select id="id_category" name="category">')
    assert '<option value="">全部分类</option>' in category
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;违建&lt;/b&gt;</option>' in category
    assert "<b>" not in category
    state = str(form["state"])
    assert '<option value="closed" selected>已办结</option>' in state
    assert state.count(" selected") == 1
    assert " selected" not in str(CaseFilterForm()["state"])
