"""Routing rules: which unit usually handles a category of problem in a community."""

from django.conf import settings
from django.db import models

from jiesu.core.scoping import ANY_ROLE, Scope, ScopedQuerySet
from jiesu.org.models import Role


class RoutingRule(models.Model):
    """类别 × 社区 → 承办单位. A rule without a community applies to every community."""

    category = models.ForeignKey(
        "cases.Category",
        verbose_name="问题分类",
        on_delete=models.CASCADE,
        help_text="选上级分类时,对其下所有分类生效",
    )
    community = models.ForeignKey(
        "org.Unit",
        verbose_name="社区/村",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="留空表示所有社区/村",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name="承办单位", on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # reached by a grant on its handling unit or above; kept by the 组长
    scope = Scope(unit="unit", roles={"view": ANY_ROLE, "edit": frozenset({Role.LEADER})})

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["category__path", "community__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "community"],
                name="routing_rule_unique",
                nulls_distinct=False,
                violation_error_message="该分类和社区/村已有一条派单规则,请直接修改那一条。",
            )
        ]

    def __str__(self) -> str:
        where = self.community.name if self.community else "所有社区/村"
        return f"{self.category} · {where} → {self.unit}"
