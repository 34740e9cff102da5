"""通知设置: each person's channels, kinds, quiet hours and addresses."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiesu.supervision.deliveries import preference_of
from jiesu.supervision.forms import PreferenceForm
from jiesu.supervision.models import Delivery


@login_required
def preferences(request):
    pref = preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST, user=request.user)
        if form.is_valid():
            form.save(pref)
            messages.success(request, "通知设置已保存。")
            return redirect("notification_preferences")
    else:
        form = PreferenceForm(
            initial=PreferenceForm.initial_for(request.user, pref), user=request.user
        )
    recent = (
        Delivery.objects.filter(notification__user=request.user)
        .select_related("notification")
        .order_by("-next_try_at", "-id")[:20]
    )
    return render(
        request,
        "supervision/preferences.html",
        {
            "form": form,
            "recent": recent,
            "sms_ready": bool(settings.JIESU_SMS_URL),
            "webhook_ready": bool(settings.JIESU_WEBHOOK_URL),
        },
    )
