from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "breakwater.feedback"
    label = "feedback"
