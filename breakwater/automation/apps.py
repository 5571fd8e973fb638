from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "breakwater.automation"
    label = "automation"
