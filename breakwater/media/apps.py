from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "breakwater.media"
    label = "media"
    verbose_name = "Media library"
