from django.apps import AppConfig


class ComposerConfig(AppConfig):
    name = "breakwater.composer"
    label = "composer"
