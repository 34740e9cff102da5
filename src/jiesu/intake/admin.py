from django.contrib import admin

from jiesu.intake.models import ColumnMapping, ValueSynonym


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Every street's mappings, and those saved before mappings belonged to a street
    (街乡镇 empty: they apply to every street's imports)."""

    list_display = ["header", "field", "platform", "street"]
    list_filter = ["platform", ("street", admin.EmptyFieldListFilter)]
    search_fields = ["header"]


@admin.register(ValueSynonym)
class ValueSynonymAdmin(admin.ModelAdmin):
    """Every street's value mappings (值映射); the 组长 keeps them on the mappings page."""

    list_display = ["label", "field", "value", "street", "created_by", "created_at"]
    list_filter = ["field", "street"]
    search_fields = ["label"]
