from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "breakwater.core"
    label = "core"
