from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "breakwater.sla"
    label = "sla"
