"""Suite-wide checks: a configured server that does not answer stops the run, loudly.

Every test suite runs on SQLite and on PostgreSQL; a CI job that set ``DATABASE_URL`` (or
``REDIS_URL``) but cannot reach it must fail, never quietly test something else or skip.
"""

from __future__ import annotations

import os

import pytest

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")


def _check_postgres(url: str) -> str | None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    try:
        # The maintenance database: the named one may not exist yet (the test one never does).
        psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
        return f"DATABASE_URL points to PostgreSQL at {where}, which does not answer: {exc}"
    return None


def _check_redis(url: str) -> str | None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"REDIS_URL is set, but Redis there does not answer: {exc}"
    finally:
        client.close()
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(POSTGRES_SCHEMES):
        problems.append(_check_postgres(database_url))
    if os.environ.get("REDIS_URL"):
        problems.append(_check_redis(os.environ["REDIS_URL"]))
    problems = [p for p in problems if p]
    if problems:
        pytest.exit("\n".join(problems), returncode=3)
