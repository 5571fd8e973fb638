from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "breakwater.ingest"
    label = "ingest"
