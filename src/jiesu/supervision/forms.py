"""The notification preferences form (通知设置)."""

import re

from django import forms
from django.conf import settings

from jiesu.supervision.models import Channel, Kind, Preference

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PreferenceForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="站外通知渠道",
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label="发送站外通知的类型",
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="未勾选的类型只在平台内通知,不发邮件、短信或群消息。",
    )
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱格式不对。"}
    )
    mobile = forms.CharField(label="手机号(接收短信)", required=False, max_length=20)
    quiet_from = forms.TimeField(
        label="免打扰开始",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "时间格式应如 22:00。"},
    )
    quiet_to = forms.TimeField(
        label="免打扰结束",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "时间格式应如 07:00。"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, user, pref: Preference) -> dict:
        return {
            "channels": pref.channels(),
            "kinds": [k for k in Kind.values if k not in (pref.kinds_off or [])],
            "email": user.email,
            "mobile": pref.mobile,
            "quiet_from": pref.quiet_from,
            "quiet_to": pref.quiet_to,
        }

    def clean_mobile(self):
        mobile = re.sub(r"[\s-]", "", self.cleaned_data["mobile"])
        if mobile.startswith("+86"):
            mobile = mobile[3:]
        if mobile and not MOBILE.match(mobile):
            raise forms.ValidationError("手机号应为 11 位数字,如 13812345678。")
        return mobile

    def clean(self):
        data = super().clean()
        channels = data.get("channels") or []
        if Channel.EMAIL in channels and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "选择了电子邮件,请填写电子邮箱。")
        if Channel.SMS in channels and not data.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", "选择了短信,请填写手机号。")
        if Channel.SMS in channels and not settings.JIESU_SMS_URL:
            self.add_error("channels", "本单位尚未配置短信网关,暂不能选择短信。")
        if Channel.WEBHOOK in channels and not settings.JIESU_WEBHOOK_URL:
            self.add_error("channels", "本单位尚未配置企业微信群机器人,暂不能选择群消息。")
        start, end = data.get("quiet_from"), data.get("quiet_to")
        if (start is None) != (end is None) and not self.has_error("quiet_from"):
            self.add_error("quiet_to", "免打扰时段须同时填写开始和结束时间,或都不填。")
        elif start is not None and start == end:
            self.add_error("quiet_to", "免打扰的开始和结束时间不能相同。")
        return data

    def save(self, pref: Preference) -> Preference:
        data = self.cleaned_data
        channels = set(data["channels"])
        pref.email_on = Channel.EMAIL in channels
        pref.sms_on = Channel.SMS in channels
        pref.webhook_on = Channel.WEBHOOK in channels
        pref.kinds_off = [k for k in Kind.values if k not in data["kinds"]]
        pref.mobile = data["mobile"]
        pref.quiet_from, pref.quiet_to = data["quiet_from"], data["quiet_to"]
        pref.save()
        if data["email"] != self.user.email:
            self.user.email = data["email"]
            self.user.save(update_fields=["email"])
        return pref
