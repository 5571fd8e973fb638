from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "breakwater.reports"
    label = "reports"
