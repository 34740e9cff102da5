import ipaddress

from django import forms

from jiesu.audit.models import Kind
from jiesu.core.fields import DayField


class AuditFilterForm(forms.Form):
    since = DayField(label="起始日期")
    until = DayField(label="截止日期")
    person = forms.CharField(label="用户名", required=False, max_length=150)
    kind = forms.ChoiceField(
        label="事件", required=False, choices=[("", "全部事件"), *Kind.choices]
    )
    ip = forms.CharField(label="来源地址", required=False, max_length=45)

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
