from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "breakwater.inbox"
    label = "inbox"

    def ready(self) -> None:
        # Registers the inbox's event handlers (delivery.updated -> reply state).
        from breakwater.inbox import actions  # noqa: F401
