"""The one HTTP seam: every outbound call goes through here, so tests patch one place."""

from typing import Any

import httpx

from breakwater.connectors.base import ConnectorError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def post_json(url: str, body: Any, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST JSON; map the answer to a dict or a ``ConnectorError`` carrying the network's text."""
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT)
    except httpx.TimeoutException as exc:
        # The request may have arrived: the caller must check before sending again.
        raise ConnectorError(f"timed out: {exc}", retry_after=5) from exc
    except httpx.HTTPError as exc:
        raise ConnectorError(f"network error: {exc}", retry_after=5) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise ConnectorError(
            f"HTTP {response.status_code}: {response.text[:500]}",
            retry_after=_retry_after(response) or 30,
        )
    if response.status_code >= 400:
        raise ConnectorError(f"HTTP {response.status_code}: {response.text[:500]}", permanent=True)
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
