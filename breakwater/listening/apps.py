from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "breakwater.listening"
    label = "listening"

    def ready(self) -> None:
        # Registers the handler that matches inbox items against the workspace's topics.
        from breakwater.listening import inbox  # noqa: F401
