from django.apps import AppConfig
from django.db.models.signals import post_save


class FeedbackConfig(AppConfig):
    name = "breakwater.feedback"
    label = "feedback"

    def ready(self) -> None:
        from breakwater.core.models import Workspace

        post_save.connect(
            _starter_categories, sender=Workspace, dispatch_uid="feedback-starter-categories"
        )


def _starter_categories(
    sender: object, instance: object, created: bool, raw: bool = False, **kwargs: object
) -> None:
    """Every new workspace starts with the starter set of feedback categories."""
    if created and not raw:
        from breakwater.feedback.actions import do_create_starter_categories

        do_create_starter_categories(instance)  # type: ignore[arg-type]
