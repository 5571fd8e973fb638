from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "breakwater.reports"
    label = "reports"

    def ready(self) -> None:
        # Registers the handlers that keep the response waits (messages.ingested,
        # delivery.updated).
        from breakwater.reports import waits  # noqa: F401
