from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "breakwater.sla"
    label = "sla"

    def ready(self) -> None:
        # Registers the ingest and conversation event handlers that keep due times.
        from breakwater.sla import due  # noqa: F401
