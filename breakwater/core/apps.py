from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


def _connectors_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "BREAKWATER_CONNECTORS":
        from breakwater.connectors.base import forget_registry

        forget_registry()


class CoreConfig(AppConfig):
    name = "breakwater.core"
    label = "core"

    def ready(self) -> None:
        setting_changed.connect(_connectors_changed)
