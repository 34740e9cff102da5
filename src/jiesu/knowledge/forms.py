from django import forms

from jiesu.cases.labels import category_label
from jiesu.cases.models import Category
from jiesu.knowledge.models import RoutingRule
from jiesu.org.models import HANDLING_KINDS, Unit, UnitKind


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "community", "unit", "note"]

    def __init__(self, *args, street: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        inside = Unit.objects.filter(path__startswith=street.path, active=True)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["community"].queryset = inside.filter(
            kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE]
        )
        self.fields["community"].empty_label = "所有社区/村"
        self.fields["unit"].queryset = inside.filter(kind__in=HANDLING_KINDS)
        self.fields["category"].label_from_instance = category_label
