"""Test settings: only overrides."""

import os

from breakwater.settings import *  # noqa: F403
from breakwater.settings import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The broadcaster stays in-process unless a test asks for Redis explicitly.
BREAKWATER_EVENTS_REDIS = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that subprocesses (worker, live server) see the same database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{worker}.sqlite3")}

# A process a test starts (a worker in a fault test) is pointed at that test's database,
# which pytest-django named (test_<name> on PostgreSQL, the TEST NAME file on SQLite).
if os.environ.get("BREAKWATER_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BREAKWATER_TEST_DB_NAME"]
