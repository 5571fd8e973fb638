from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "breakwater.outbox"
    label = "outbox"
