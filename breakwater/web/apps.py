from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "breakwater.web"
    label = "web"
