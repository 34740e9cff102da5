from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jiesu.core import twofactor
from jiesu.core.models import ApiToken, CalendarDay, OfficialSchedule, PasswordState, PiiAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records jiesu writes itself (reveal log, audit log, backups): anyone with access may
    look, nobody may add, change or delete one here, the superuser included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CalendarAdmin(admin.ModelAdmin):
    """Saving or deleting a row recomputes the due times of the open cases in its year
    (core.signals); the administrator is told how many changed."""

    def _tell(self, request, *objs):
        n = sum(getattr(obj, "rescheduled", 0) for obj in objs)
        if n:
            self.message_user(request, f"已按新的节假日安排重新计算 {n} 件未办结工单的办结时限。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._tell(request, obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._tell(request, obj)

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        with transaction.atomic():
            for obj in objs:  # one by one, to count what each recomputed
                obj.delete()
        self._tell(request, *objs)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(OfficialSchedule)
class OfficialScheduleAdmin(CalendarAdmin):
    """A year beyond the built-in calendar counts as officially scheduled only once marked
    here, after all its days are entered under 节假日与调休."""

    list_display = ["year", "notice", "notice_date", "days_entered", "marked_by", "marked_at"]
    fields = ["year", "notice", "notice_date", "marked_by", "marked_at"]
    readonly_fields = ["marked_by", "marked_at"]

    @admin.display(description="已录入天数")
    def days_entered(self, obj) -> int:
        return CalendarDay.objects.filter(date__year=obj.year).count()

    def save_model(self, request, obj, form, change):
        obj.marked_by = request.user
        obj.marked_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(PiiAccess)
class PiiAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "field", "channel"]
    list_filter = ["field", "channel"]
    actions = None

    def get_queryset(self, request):
        """The reveals of the cases the reader reaches, as everywhere: a superuser with no
        grant sees none (the admin site is for configuration, not for reading cases)."""
        return super().get_queryset(request).visible_to(request.reach)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:  # one save each, so the audit log sees every revocation
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        self.message_user(request, f"已吊销 {len(tokens)} 个令牌。")


@admin.register(PasswordState)
class PasswordStateAdmin(admin.ModelAdmin):
    list_display = ["user", "changed_at", "must_change"]
    list_editable = ["must_change"]
    list_filter = ["must_change"]
    search_fields = ["user__username", "user__first_name"]
    readonly_fields = ["changed_at"]
    autocomplete_fields = ["user"]


def _login_through_jiesu(request, extra_context=None):
    """The admin's own login form asks for no code: everyone logs in at /login/."""
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


admin.site.login = _login_through_jiesu


@admin.action(description="重置动态口令")
def reset_two_factor(modeladmin, request, queryset):
    """A lost phone: remove the user's devices; they enrol again at their next login."""
    users = list(queryset)
    for user in users:
        twofactor.reset(user, request=request)
    names = "、".join(u.get_username() for u in users[:10])
    modeladmin.message_user(
        request, f"已重置 {len(users)} 人的动态口令({names}),下次登录时须重新绑定手机。"
    )


@admin.display(description="动态口令", boolean=True)
def two_factor_enrolled(user) -> bool:
    return twofactor.enrolled(user)


User = get_user_model()
_user_admin = type(admin.site._registry[User])
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(_user_admin):
    actions = [*(_user_admin.actions or []), reset_two_factor]
    list_display = [*_user_admin.list_display, two_factor_enrolled]
