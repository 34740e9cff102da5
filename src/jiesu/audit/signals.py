"""What the audit log hears: logins, lockouts, reveals and every write to settings and rights."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from jiesu.audit import alerts
from jiesu.audit.chain import plain_json
from jiesu.audit.log import current_request, record
from jiesu.audit.models import Kind
from jiesu.core.announce import security_event

# Settings and rights: every create, change and delete of these is recorded.
WATCHED = (
    "auth.User",
    "auth.Group",
    "org.Unit",
    "org.Membership",
    "assessment.ScoringRule",
    "assessment.ExemptionGround",
    "cases.DeadlinePolicy",
    "knowledge.RoutingRule",
    "intake.ColumnMapping",
    "intake.ValueSynonym",
    "core.CalendarDay",
    "core.OfficialSchedule",
    "core.ApiToken",
    "core.PasswordState",
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
    "otp_static.StaticToken",
)
# Bookkeeping that changes on its own (a login, an API call), not a change of settings.
NOISE = {
    "last_login",
    "last_used_at",
    "updated_at",
    "path",
    "pinyin_initials",
    # a phone code's bookkeeping at every login
    "last_t",
    "drift",
    "throttling_failure_count",
    "throttling_failure_timestamp",
    # a password's age: the change itself is its own event (password_change)
    "changed_at",
}
# Rows made as a side effect of an event recorded on its own (a password's age row).
QUIET_CREATE = {"core.PasswordState"}


def secret(name: str) -> bool:
    """Fields whose value never enters the log: password and token hashes, a phone's key,
    backup codes."""
    return name in ("password", "key", "token") or "hash" in name or "secret" in name


def _values(instance) -> dict:
    return {
        f.attname: f.value_from_object(instance)
        for f in instance._meta.concrete_fields
        if f.attname not in NOISE and not secret(f.attname)
    }


def _before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= NOISE:
        return
    row = sender._base_manager.filter(pk=instance.pk).first()
    if row is not None:
        instance._audit_before = row


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", None)
    if created and sender._meta.label in QUIET_CREATE:
        return
    if created:
        kind = Kind.TOKEN_CREATE if sender._meta.label == "core.ApiToken" else Kind.CONFIG_CREATE
        record(kind, target=instance, fields=plain_json(_values(instance)))
        return
    if before is None:
        return
    if (
        any(f.attname == "password" for f in sender._meta.concrete_fields)
        and before.password != instance.password
    ):
        record(Kind.PASSWORD_CHANGE, target=instance)
    old, new = _values(before), _values(instance)
    changes = {name: [old[name], new[name]] for name in new if old.get(name) != new[name]}
    if changes:
        record(Kind.CONFIG_UPDATE, target=instance, changes=plain_json(changes))


def _deleted(sender, instance, **kwargs):
    record(Kind.CONFIG_DELETE, target=instance, fields=plain_json(_values(instance)))


# m2m through table → (the field's name seen from the instance, forward and reverse)
RELATIONS = (
    ("auth.User", "groups"),
    ("auth.User", "user_permissions"),
    ("auth.Group", "permissions"),
)
_relation_names: dict = {}


def _relation_changed(sender, instance, action, model, pk_set, reverse, **kwargs):
    """A user's groups or permissions, a group's permissions: what was added or removed."""
    relation = _relation_names[sender][1 if reverse else 0]
    if action == "pre_clear":
        # what a clear removes is only known before it
        instance._audit_cleared = [str(o) for o in getattr(instance, relation).all()]
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        names = instance.__dict__.pop("_audit_cleared", [])
    else:
        names = [str(o) for o in model._base_manager.filter(pk__in=pk_set or ())]
    if names:
        record(
            Kind.CONFIG_UPDATE,
            target=instance,
            relation=relation,
            action={"post_add": "添加", "post_remove": "移除", "post_clear": "清空"}[action],
            objects=sorted(names),
        )


def _logged_in(sender, request, user, **kwargs):
    record(Kind.LOGIN, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(Kind.LOGIN_FAILED, request=request, username=username, username_tried=username)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.LOGOUT, request=request, user=user)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    name = str(username or "")[:150]
    record(Kind.LOCKOUT, request=request, username=name, username_tried=name)


def _attempt_deleted(sender, instance, **kwargs):
    """An administrator lifting a lockout in the admin. axes also deletes these rows after
    every successful login; only deletions made from the admin pages are unlocks."""
    request = current_request.get()
    if request is None or not request.path.startswith("/admin/"):
        return
    record(
        Kind.UNLOCK,
        request=request,
        username_unlocked=str(instance.username or "")[:150],
        ip_unlocked=instance.ip_address or "",
        how="管理后台",
    )


def _revealed(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    record(
        Kind.REVEAL,
        user=instance.user,
        target=instance.case,
        field=instance.field,
        channel=instance.channel,
    )
    alerts.check_reveals(instance.user, at=instance.at)


def _security_event(sender, kind, **fields):
    """A security fact core announced (core.announce): one audit row."""
    fields.pop("signal", None)
    record(kind, **fields)


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        uid = f"audit-{label}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    for label, name in RELATIONS:
        field = apps.get_model(label)._meta.get_field(name)
        through = field.remote_field.through
        _relation_names[through] = (name, field.remote_field.get_accessor_name())
        m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"audit-{label}.{name}")
    post_save.connect(_revealed, sender=apps.get_model("core.PiiAccess"), dispatch_uid="audit-pii")
    security_event.connect(_security_event, dispatch_uid="audit-security")
    user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    if apps.is_installed("axes"):
        from axes.signals import user_locked_out

        user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")
        post_delete.connect(
            _attempt_deleted,
            sender=apps.get_model("axes.AccessAttempt"),
            dispatch_uid="audit-unlock",
        )
