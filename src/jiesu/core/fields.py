"""Form fields for what people type into filters, with jiesu's limits (core.params)."""

from django import forms

from jiesu.core import params


class DayField(forms.DateField):
    """A day between 2000-01-01 and 2099-12-31; optional unless asked."""

    def __init__(self, *, label, required=False, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(label=label, required=required, **kwargs)

    def validate(self, value):
        super().validate(value)
        if not params.date_in_range(value):
            raise forms.ValidationError(params.DATE_RANGE_MESSAGE)
