"""`Case.objects.visible_to(user)`: the one place where unit scoping lives."""

from django.db import models


def _column_is(column: str, ids: list[int]) -> models.Q:
    # one id as an equality, so an index on (column, time) also gives the order
    return models.Q(**{column: ids[0]}) if len(ids) == 1 else models.Q(**{f"{column}__in": ids})


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
            subtree = Unit.objects.filter(path__startswith=path)
            if kind in (UnitKind.DISTRICT, UnitKind.STREET):
                column = "district_id" if kind == UnitKind.DISTRICT else "street_id"
                ids = list(subtree.filter(kind=kind).values_list("id", flat=True))
                visible |= _column_is(column, ids)
            else:
                units = subtree.values("id")
                co_unit = self.model.co_units.through.objects.filter(
                    case_id=models.OuterRef("pk"), unit_id__in=units
                )
                visible |= models.Q(lead_unit_id__in=units) | models.Exists(co_unit)
        return self.filter(visible)
