"""Health endpoints for load balancers and for people."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from breakwater.analysis.sentiment import model_problem
from breakwater.core.models import WorkerHeartbeat


def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers."""
    return JsonResponse({"status": "ok"})


def _checks() -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        return {"database": f"unreachable: {exc}"}
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    checks["migrations"] = (
        "ok" if not unapplied else f"{len(unapplied)} unapplied: run `breakwater manage migrate`"
    )
    horizon = timezone.now() - timedelta(seconds=settings.BREAKWATER_WORKER_STALE_SECONDS)
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if last is None:
        checks["worker"] = "never seen: start `breakwater worker` (or `breakwater run`)"
    elif last < horizon:
        checks["worker"] = f"last seen {last.isoformat()}: is `breakwater worker` running?"
    else:
        checks["worker"] = "ok"
    checks["sentiment"] = model_problem(settings.BREAKWATER_SENTIMENT_MODEL) or "ok"
    return checks


def readyz(request: HttpRequest) -> JsonResponse:
    """Database reachable, migrations applied, a worker seen recently, sentiment model usable."""
    checks = _checks()
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                        status=200 if ok else 503)
