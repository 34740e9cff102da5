import datetime as dt
import ipaddress

from django import forms

from jiesu.audit.models import Kind

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class AuditFilterForm(forms.Form):
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput({"type": "date"})
    )
    person = forms.CharField(label="用户名", required=False, max_length=150)
    kind = forms.ChoiceField(
        label="事件", required=False, choices=[("", "全部事件"), *Kind.choices]
    )
    ip = forms.CharField(label="来源地址", required=False, max_length=45)

    def _day(self, name):
        day = self.cleaned_data.get(name)
        if day and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError("日期须在 2000 年至 2099 年之间。")
        return day

    def clean_since(self):
        return self._day("since")

    def clean_until(self):
        return self._day("until")

    def clean_person(self):
        return self.cleaned_data["person"].strip()

    def clean_ip(self):
        text = self.cleaned_data["ip"].strip()
        if not text:
            return ""
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            raise forms.ValidationError("请输入完整的 IP 地址,如 10.1.2.3。") from None

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
