from django.contrib import admin

from jiesu.intake.models import ColumnMapping


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Every street's mappings, and those saved before mappings belonged to a street
    (街乡镇 empty: they apply to every street's imports)."""

    list_display = ["header", "field", "platform", "street"]
    list_filter = ["platform", ("street", admin.EmptyFieldListFilter)]
    search_fields = ["header"]
