"""`Case.objects.visible_to(user)`: the one place where unit scoping lives."""

from django.db import models


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Cases whose district, street, lead unit or a co-unit lies in a subtree the user
        holds a role on. A user with no role sees nothing.

        A case's lead and co-units always lie inside its street, and its street inside its
        district, so a grant on a district or street is one indexed column test.
        """
        from jiesu.org.models import Unit, UnitKind
        from jiesu.org.queries import grants_of

        visible = models.Q(pk__in=[])
        for path, kind in sorted({(g.path, g.kind) for g in grants_of(user)}):
            subtree = Unit.objects.filter(path__startswith=path).values("id")
            if kind == UnitKind.DISTRICT:
                visible |= models.Q(district_id__in=subtree)
            elif kind == UnitKind.STREET:
                visible |= models.Q(street_id__in=subtree)
            else:
                co_unit = self.model.co_units.through.objects.filter(
                    case_id=models.OuterRef("pk"), unit_id__in=subtree
                )
                visible |= models.Q(lead_unit_id__in=subtree) | models.Exists(co_unit)
        return self.filter(visible)
