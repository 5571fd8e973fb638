from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "breakwater.ingest"
    label = "ingest"

    def ready(self) -> None:
        # The sync engine hears when a channel is connected, reconnected or resumed.
        from breakwater.ingest import sync  # noqa: F401
