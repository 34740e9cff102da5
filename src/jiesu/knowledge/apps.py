from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "jiesu.knowledge"
    label = "knowledge"
    verbose_name = "知识库与派单规则"
