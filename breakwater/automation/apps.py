from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "breakwater.automation"
    label = "automation"

    def ready(self) -> None:
        # Registers the rules' event handlers (messages.ingested, conversations.changed).
        from breakwater.automation import engine  # noqa: F401
