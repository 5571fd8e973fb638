"""The one HTTP seam: every outbound call goes through here, so errors map in one place.

What a failure means for a delivery:
* no connection (refused, DNS, connect timeout): nothing reached the network, send again;
* a timeout or a dropped connection after the request went out: the network may have it
  (``outcome_unknown``), so the outbox asks before sending again;
* 429 and 5xx: retried, not before the network's ``Retry-After``;
* other 4xx: permanent, with the network's own text.
"""

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from breakwater.connectors.base import ConnectorError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRY_AFTER_DEFAULT = 30.0


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from ``Retry-After``: a number of seconds or an HTTP date."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def raise_for_status(response: httpx.Response) -> None:
    """Map an error answer to a ``ConnectorError`` carrying the network's own text."""
    if response.status_code < 400:
        return
    text = response.text[:500]
    if response.status_code == 429 or response.status_code >= 500:
        raise ConnectorError(f"HTTP {response.status_code}: {text}",
                             retry_after=retry_after(response) or RETRY_AFTER_DEFAULT)
    raise ConnectorError(f"HTTP {response.status_code}: {text}", permanent=True,
                         reauth=response.status_code in (401, 403))


def _answer(response: httpx.Response) -> dict[str, Any]:
    raise_for_status(response)
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request; connection problems become ``ConnectorError``s (see the module doc)."""
    kwargs.setdefault("timeout", TIMEOUT)
    try:
        return httpx.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
        raise ConnectorError(f"could not connect: {exc}", retry_after=5) from exc
    except httpx.TimeoutException as exc:
        raise ConnectorError(f"no answer in time: {exc}", retry_after=5,
                             outcome_unknown=True) from exc
    except httpx.HTTPError as exc:
        raise ConnectorError(f"network error: {exc}", retry_after=5, outcome_unknown=True) from exc


def get(url: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET; an error status raises, anything else (200, 304...) is the caller's to read."""
    response = request("GET", url, headers=headers, follow_redirects=True)
    raise_for_status(response)
    return response


def post(url: str, content: bytes, *, headers: dict[str, str] | None = None,
         timeout: httpx.Timeout | None = None) -> dict[str, Any]:
    """POST a body; map the answer to a dict or a ``ConnectorError`` carrying the network's text."""
    return _answer(request("POST", url, content=content, headers=headers, timeout=timeout or TIMEOUT))


def encode_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def post_json(url: str, body: Any, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return post(url, encode_json(body), headers={"Content-Type": "application/json", **(headers or {})})
