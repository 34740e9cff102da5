from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jiesu.org"
    label = "org"
    verbose_name = "组织与人员"

    def ready(self):
        from jiesu.core.scoping import register_reach
        from jiesu.org.access import reach_of

        register_reach(reach_of)
