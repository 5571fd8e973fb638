"""The worker process: background tasks, inbound drain, delivery retries, sentiment, channel
sync, heartbeat.

Each loop runs in its own thread; ``breakwater run`` starts the same loops inside the web
process, ``breakwater worker`` runs them alone (as many processes as you like).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _loop(stop: threading.Event, step: Callable[[], bool], idle_seconds: float) -> None:
    """Call ``step`` until stopped; sleep only when it found nothing to do."""
    while not stop.is_set():
        close_old_connections()
        try:
            busy = step()
        except Exception:
            log.exception("worker step failed; continuing")
            busy = False
        if not busy:
            stop.wait(idle_seconds)
    close_old_connections()


def _drain_step() -> bool:
    from breakwater.ingest.queue import drain_once

    return drain_once() > 0


def _sync_step() -> bool:
    """Poll every channel whose turn has come (and reconcile the ones that are due)."""
    from breakwater.ingest.sync import sync_once

    return sync_once() > 0


def _streams_step_factory(stop: threading.Event) -> Callable[[], bool]:
    """Keep one stream open per streaming channel; one that ended is opened again after a
    pause that doubles while it keeps ending quickly (at most 5 minutes)."""
    running: dict[int, threading.Thread] = {}
    started: dict[int, float] = {}
    not_before: dict[int, float] = {}
    pause: dict[int, float] = {}

    def follow(channel_id: int) -> None:
        from breakwater.ingest.sync import stream_channel

        close_old_connections()
        try:
            stream_channel(channel_id, stop)
        except Exception:
            log.exception("stream of channel %s crashed", channel_id)
        finally:
            close_old_connections()

    def step() -> bool:
        from breakwater.ingest.sync import streaming_channels

        now = time.monotonic()
        for channel_id in streaming_channels():
            thread = running.get(channel_id)
            if thread is not None and thread.is_alive():
                continue
            if thread is not None:  # it ended: wait longer if it ended soon after starting
                lasted = now - started[channel_id]
                pause[channel_id] = 1.0 if lasted > 60 else min(pause.get(channel_id, 1.0) * 2, 300.0)
                not_before[channel_id] = now + pause[channel_id]
                running.pop(channel_id)
            if now < not_before.get(channel_id, 0.0):
                continue
            running[channel_id] = threading.Thread(
                target=follow, args=(channel_id,), name=f"stream-{channel_id}", daemon=True
            )
            running[channel_id].start()
            started[channel_id] = now
        return False

    return step


def _sentiment_step() -> bool:
    """Sentiment of newly stored inbound messages, in batches: ingest never waits for it."""
    from breakwater.ingest.enrich import fill_sentiment

    return fill_sentiment() > 0


def _listening_step() -> bool:
    """Poll the listening sources whose turn has come, check topics for spikes, send alerts."""
    from breakwater.listening import alerts, sources

    busy = sources.poll_due() > 0
    alerts.check_spikes()
    return alerts.deliver_due() > 0 or busy


def _housekeeping_step_factory() -> Callable[[], bool]:
    last_beat = 0.0

    def step() -> bool:
        nonlocal last_beat
        from breakwater.core.actions import do_heartbeat
        from breakwater.outbox.actions import claim_due_deliveries
        from breakwater.outbox.tasks import deliver

        if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            do_heartbeat(worker_name())
            last_beat = time.monotonic()
        for delivery_id in claim_due_deliveries():
            deliver.enqueue(delivery_id)
        from breakwater.feedback.actions import claim_due_forwards
        from breakwater.feedback.tasks import send_forward

        for forward_id in claim_due_forwards():
            send_forward.enqueue(forward_id)
        from breakwater.reports.actions import claim_due_runs
        from breakwater.reports.tasks import send_report

        for run_id in claim_due_runs():
            send_report.enqueue(run_id)
        from breakwater.publishing.actions import publish_due
        from breakwater.publishing.digest import send_weekly_digests

        publish_due()
        send_weekly_digests(throttle=True)
        return False

    return step


def _tasks_thread(stop: threading.Event) -> threading.Thread:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=0.5, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=worker_name()[:64], excluded_queue_names=[],
    )

    def run() -> None:
        thread = threading.Thread(target=worker.run, name="tasks-inner", daemon=True)
        thread.start()
        stop.wait()
        worker.running = False

    return threading.Thread(target=run, name="tasks", daemon=True)


def start(stop: threading.Event) -> list[threading.Thread]:
    """Start the worker loops as daemon threads; set ``stop`` to end them."""
    from breakwater.ingest.enrich import warm_up_in_background

    warm_up_in_background()
    threads = [
        threading.Thread(target=_loop, args=(stop, _drain_step, 0.5), name="drain", daemon=True),
        threading.Thread(
            target=_loop, args=(stop, _housekeeping_step_factory(), 2.0), name="housekeeping",
            daemon=True,
        ),
        threading.Thread(
            target=_loop, args=(stop, _sentiment_step, 1.0), name="sentiment", daemon=True
        ),
        threading.Thread(target=_loop, args=(stop, _sync_step, 1.0), name="sync", daemon=True),
        threading.Thread(target=_loop, args=(stop, _listening_step, 5.0), name="listening",
                         daemon=True),
        threading.Thread(
            target=_loop, args=(stop, _streams_step_factory(stop), 5.0), name="streams", daemon=True
        ),
        _tasks_thread(stop),
    ]
    for thread in threads:
        thread.start()
    log.info("worker %s started: drain, housekeeping, sentiment, sync, streams, tasks", worker_name())
    return threads


def run_forever() -> None:
    import signal

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    start(stop)
    while not stop.is_set():
        stop.wait(1)
    log.info("worker %s stopping", worker_name())
