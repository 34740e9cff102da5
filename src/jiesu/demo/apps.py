from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiesu.demo"
    label = "demo"
