from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "breakwater.publishing"
    label = "publishing"

    def ready(self) -> None:
        # Registers the handlers that follow deliveries and approvals of posts.
        from breakwater.publishing import actions  # noqa: F401
