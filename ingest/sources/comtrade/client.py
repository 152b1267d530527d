"""UN Comtrade API v1 client: throttled, retrying, and careful with the subscription key.

The key travels only in the `Ocp-Apim-Subscription-Key` header (the API-management header the
comtradr client uses), never in a URL, a log line, an error message or the landing manifest.
Without a key the client uses the public preview endpoint, which answers at most 500 records.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import requests

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://comtradeapi.un.org"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# Record caps per call (DOMAIN.md section 3): a response of exactly the cap is truncated.
PREVIEW_RECORD_CAP = 500
DATA_RECORD_CAP = 250_000
# A Retry-After longer than this is a quota problem, not a pause: fail instead of hanging.
MAX_WAIT_S = 900.0
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


class ComtradeError(RuntimeError):
    """A Comtrade request failed for good; the message names the request, never the key."""

    # Set by fetch_to_landing: what was done before the failure (a FetchReport).
    report = None


@dataclass(frozen=True)
class ComtradeResponse:
    body: bytes  # the bytes as received, to be landed unchanged
    record_count: int
    endpoint: str  # path of the call, e.g. /data/v1/get/C/A/HS
    params: dict[str, str]


class ComtradeClient:
    """GET /data/v1/get/{type}/{freq}/{cl} (with a key) or /public/v1/preview/... (without)."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        session: requests.Session | None = None,
        min_interval_s: float = 1.0,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 60,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = base_url or os.environ.get("COMTRADE_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = base.rstrip("/")
        key = api_key if api_key is not None else os.environ.get("COMTRADE_API_KEY", "")
        self._api_key = key.strip() or None
        self._session = session or requests.Session()
        self.min_interval_s = min_interval_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self._sleep = sleep
        self._clock = clock
        self._last_call: float | None = None

    def __repr__(self) -> str:  # never show the key, even in a debugger or a traceback
        return f"ComtradeClient({self.base_url!r}, key={'set' if self._api_key else 'none'})"

    @property
    def uses_preview(self) -> bool:
        return self._api_key is None

    @property
    def record_cap(self) -> int:
        return PREVIEW_RECORD_CAP if self.uses_preview else DATA_RECORD_CAP

    def endpoint(self, type_code: str, freq_code: str, cl_code: str) -> str:
        prefix = "/public/v1/preview" if self.uses_preview else "/data/v1/get"
        return f"{prefix}/{type_code}/{freq_code}/{cl_code}"

    def get(
        self, type_code: str, freq_code: str, cl_code: str, params: Mapping[str, str]
    ) -> ComtradeResponse:
        """One call, retried on 429 / 5xx / network errors / a cut-off body."""
        endpoint = self.endpoint(type_code, freq_code, cl_code)
        query = {name: str(value) for name, value in params.items() if value is not None}
        # Ask for the whole cap: without maxRecords the API may apply a smaller default.
        query.setdefault("maxRecords", str(self.record_cap))
        described = f"GET {endpoint}?{urlencode(query)}"
        headers = {KEY_HEADER: self._api_key} if self._api_key else {}
        problem = "no attempt made"
        for attempt in range(self.max_retries + 1):
            self._throttle()
            wait = self.backoff_s * 2**attempt
            try:
                response = self._session.get(
                    self.base_url + endpoint, params=query, headers=headers, timeout=self.timeout_s
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"{type(exc).__name__}: {self._redact(str(exc))}"
            else:
                status = response.status_code
                if status == 429:
                    problem = "HTTP 429 rate limit"
                    wait = self._retry_after(response) or wait
                elif status >= 500:
                    problem = f"HTTP {status}"
                elif status != 200:
                    raise ComtradeError(
                        f"{described}: HTTP {status}: {self._server_message(response)}"
                    )
                else:
                    result = self._read_body(response, endpoint, query, described)
                    if result is not None:
                        return result
                    problem = "truncated or invalid JSON body"
            if attempt == self.max_retries:
                break
            if wait > MAX_WAIT_S:
                raise ComtradeError(f"{described}: {problem}; server asks to wait {wait:.0f} s")
            logger.warning(
                "%s: %s; retry %d of %d in %.1f s",
                described, problem, attempt + 1, self.max_retries, wait,
            )
            self._sleep(wait)
        raise ComtradeError(
            f"{described}: gave up after {self.max_retries + 1} attempts; last: {problem}"
        )

    def _read_body(
        self, response: requests.Response, endpoint: str, query: dict[str, str], described: str
    ) -> ComtradeResponse | None:
        body = response.content
        try:
            payload = json.loads(body)
        except ValueError:
            return None  # cut off in transit: worth another attempt
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return None
        if payload.get("error"):
            raise ComtradeError(f"{described}: API error: {self._redact(str(payload['error']))}")
        return ComtradeResponse(body, len(payload["data"]), endpoint, query)

    def _throttle(self) -> None:
        now = self._clock()
        if self._last_call is not None:
            remaining = self.min_interval_s - (now - self._last_call)
            if remaining > 0:
                self._sleep(remaining)
                now = self._clock()
        self._last_call = now

    def _retry_after(self, response: requests.Response) -> float | None:
        header = response.headers.get("Retry-After", "").strip()
        if header:
            try:
                return max(0.0, float(header))
            except ValueError:
                pass
            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
        # Azure API management also says it in the body: "Try again in 26 seconds."
        match = _TRY_AGAIN.search(response.text or "")
        return float(match.group(1)) if match else None

    def _server_message(self, response: requests.Response) -> str:
        try:
            payload = response.json()
            message = payload.get("message") or payload.get("error") or payload
        except ValueError:
            message = response.text[:200]
        return self._redact(str(message))

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text
