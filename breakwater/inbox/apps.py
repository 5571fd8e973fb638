import logging
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

log = logging.getLogger(__name__)


def _repair_search_index(using: str = "default", **kwargs: Any) -> None:
    from breakwater.inbox import search

    if search.ensure_sqlite_index(connections[using]):
        log.info("full-text search triggers were missing after migrate: restored, index rebuilt")


class InboxConfig(AppConfig):
    name = "breakwater.inbox"
    label = "inbox"

    def ready(self) -> None:
        # Registers the inbox's event handlers (delivery.updated -> reply state).
        from breakwater.inbox import actions  # noqa: F401

        post_migrate.connect(_repair_search_index, sender=self)
