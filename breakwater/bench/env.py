"""Isolation: every benchmark runs in a child process against a fresh temporary data dir."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Set in the child only; names the temporary data dir the child was started with.
DIR_VAR = "BREAKWATER_BENCH_DIR"
# Kept for post-mortems (the databases stay on disk) when set to 1.
KEEP_VAR = "BREAKWATER_BENCH_KEEP"
# Passed through to the child: the benchmark's own switches.
PASS_THROUGH = (KEEP_VAR, "BREAKWATER_BENCH_PROFILE")
# Nothing of the user's configuration may leak into a benchmark: no PostgreSQL, no Redis,
# no secret key or batch size of theirs. Everything else (PATH, locale, ...) passes.
STRIPPED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def inside() -> bool:
    """True in the child: Django is configured against the bench's own temporary data dir."""
    from django.conf import settings

    bench_dir = os.environ.get(DIR_VAR)
    return bool(
        bench_dir
        and Path(bench_dir).resolve() == Path(settings.DATA_DIR)
        and "DATABASE_URL" not in os.environ
        and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    )


def child_env(data_dir: Path) -> dict[str, str]:
    """The environment of the bench child (and of the web server it starts)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in STRIPPED and (not k.startswith("BREAKWATER_") or k in PASS_THROUGH)
    }
    env.update(
        BREAKWATER_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="breakwater.settings",
        BREAKWATER_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env[DIR_VAR] = str(data_dir)
    return env


def child_argv(args: argparse.Namespace) -> list[str]:
    argv = [args.which]
    for name in ("items", "messages", "samples", "topics", "posts"):
        value = getattr(args, name, None)
        if value is not None:
            argv += [f"--{name}", str(value)]
    return argv


def run_isolated(args: argparse.Namespace) -> int:
    """Run the benchmark in a child process with a fresh data dir; remove the dir afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"breakwater-bench-{args.which}-")).resolve()
    keep = os.environ.get(KEEP_VAR) == "1"
    try:
        return subprocess.call(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "breakwater.bench", *child_argv(args)], env=child_env(data_dir)
        )
    except KeyboardInterrupt:
        return 130
    finally:
        if keep:
            print(f"bench data kept in {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
