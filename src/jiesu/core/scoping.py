"""`Case.objects.visible_to(user)`: the one place where unit scoping lives."""

from django.db import models


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Cases whose district, street, lead unit or a co-unit lies in a subtree the user
        holds a role on. A user with no role sees nothing."""
        from jiesu.org.models import Unit
        from jiesu.org.queries import grants_of

        paths = sorted({g.path for g in grants_of(user)})
        if not paths:
            return self.none()
        unit_filter = models.Q()
        for path in paths:
            unit_filter |= models.Q(path__startswith=path)
        units = Unit.objects.filter(unit_filter).values("id")
        co_unit = self.model.co_units.through.objects.filter(
            case_id=models.OuterRef("pk"), unit_id__in=units
        )
        return self.filter(
            models.Q(street_id__in=units)
            | models.Q(district_id__in=units)
            | models.Q(lead_unit_id__in=units)
            | models.Exists(co_unit)
        )
