"""Test settings: only overrides."""

import os

from breakwater.settings import *  # noqa: F403
from breakwater.settings import DATABASES, DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The broadcaster stays in-process unless a test asks for Redis explicitly.
BREAKWATER_EVENTS_REDIS = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that subprocesses (worker, live server) see the same database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{worker}.sqlite3")}
