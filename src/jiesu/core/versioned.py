"""Effective-dated settings: a table of rows, each in force from its `effective_from` day
until the next row's (time limits, scoring rules).

`in_force_on(Model, day)` is the row in force on a day, or `Model.before_any()` (the
built-in defaults) on a day before the first row. A model's rows are read once per process
and kept until a row of it is saved or deleted here (signals, again when the transaction
commits) or REFRESH_SECONDS have passed, so a change made in another process arrives too.
"""

import bisect
import datetime as dt
import time
from functools import cached_property

from django.db import models, transaction
from django.db.models.signals import class_prepared, post_delete, post_save

from jiesu.core.caching import REFRESH_SECONDS


class EffectiveDated(models.Model):
    """A settings row in force from `effective_from` until the next row's day."""

    effective_from = models.DateField("生效日期", unique=True)

    class Meta:
        abstract = True
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"自{self.effective_from}起"

    @classmethod
    def before_any(cls):
        """The row in force before the first one: the field defaults."""
        return cls(effective_from=dt.date.min)


class History:
    """A model's rows, oldest first, and the one in force on a day."""

    def __init__(self, model, rows):
        self.model = model
        self.rows = tuple(sorted(rows, key=lambda r: r.effective_from))
        self.dates = [r.effective_from for r in self.rows]

    def on(self, day: dt.date):
        i = bisect.bisect_right(self.dates, day)
        return self.rows[i - 1] if i else self.default

    @cached_property
    def default(self):
        return self.model.before_any()


_loaded: dict[type, tuple[float, History]] = {}


def history(model) -> History:
    """The model's rows, read at most once per REFRESH_SECONDS and after every change.
    The same object comes back until then, so callers may key their own derived caches
    on it."""
    now = time.monotonic()
    held = _loaded.get(model)
    if held is None or now - held[0] > REFRESH_SECONDS:
        held = (now, History(model, model.objects.order_by("effective_from")))
        _loaded[model] = held
    return held[1]


def in_force_on(model, day: dt.date):
    """The row of `model` in force on `day`; `model.before_any()` before the first row."""
    return history(model).on(day)


def clear(model=None) -> None:
    """Forget the cached rows of `model` (of every model when None)."""
    if model is None:
        _loaded.clear()
    else:
        _loaded.pop(model, None)


def _changed(sender, **kwargs) -> None:
    clear(sender)
    # a reader between the save and the commit may have cached the rows as they were
    transaction.on_commit(lambda: clear(sender))


def _watch(sender, **kwargs) -> None:
    if issubclass(sender, EffectiveDated) and not sender._meta.abstract:
        uid = f"jiesu-versioned-{sender._meta.label_lower}"
        post_save.connect(_changed, sender=sender, dispatch_uid=uid)
        post_delete.connect(_changed, sender=sender, dispatch_uid=uid)


class_prepared.connect(_watch, dispatch_uid="jiesu-versioned")
