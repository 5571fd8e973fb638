"""The time the scheduler goes by.

Normally the system clock. ``BREAKWATER_CLOCK_FILE`` names a file holding an ISO instant
that is read on every call instead: tests move time for a real worker process with it (a
post due at 06:00 UTC is sent when the file says 06:00, not when the machine does).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from django.utils import timezone


def now() -> datetime:
    path = os.environ.get("BREAKWATER_CLOCK_FILE")
    if path:
        try:
            with open(path) as f:
                moment = datetime.fromisoformat(f.read().strip())
        except (OSError, ValueError):
            return timezone.now()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return timezone.now()
