"""UN Comtrade API v1 client: throttled, retried, bounded, and careful with the subscription key.

The key travels only in the `Ocp-Apim-Subscription-Key` header (the API-management header the
comtradr client uses), never in a URL, a log line, an error message or the landing manifest; a
key holding spaces or control characters is refused before any request (it could forge headers).
Without a key the client uses the public preview endpoint, which answers at most 500 records.

Retries are urllib3's `Retry`, mounted on the session's HTTPAdapter: it retries connection
errors and 429 / 5xx answers, honours Retry-After (seconds or an HTTP date; Azure API
management's "Try again in N seconds" in the body too) and backs off exponentially. Each call
has one Retry budget: what the transport cannot see spends the same budget, in `get` - an answer
cut off mid-body (the connection closed), a body that is not the API's JSON (truncated, nested
too deeply to parse, a field given twice), a partial answer (its `count` is not the number of
records in its `data`), an error raised by the session itself. A wait longer than MAX_WAIT_S is a
quota problem, not a pause: refused at once.

Bounds: each read waits at most `timeout_s`, and the answer must be complete within
`deadline_s` of the request (checked as the body arrives: a server sending a byte now and then
cannot hold a call for hours) and no larger than `max_body_bytes`. Either is a one-line
ComtradeError, not retried (a retry would wait as long again); what landed before stays.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError, InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from ingest.sources.comtrade import json_stream

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://comtradeapi.un.org"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# Record caps per call (DOMAIN.md section 3): a response of exactly the cap is truncated.
PREVIEW_RECORD_CAP = 500
DATA_RECORD_CAP = 250_000
# A Retry-After longer than this is a quota problem, not a pause: fail instead of hanging.
MAX_WAIT_S = 900.0
# A full answer at DATA_RECORD_CAP is about 300 MB of JSON (1.0-1.2 kB a record with
# descriptions, measured on the recorded answer); more is not an answer to a reeflow request.
MAX_BODY_BYTES = 400 << 20
# One request, from sending it to the last byte of the answer: 400 MB at about 1 MB/s.
DEADLINE_S = 600.0
_RETRY_STATUSES = frozenset({429, *range(500, 600)})
_TRY_AGAIN = re.compile(rb"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
# Printable ASCII without spaces (Azure keys are 32 hex digits; mirrors may use others).
_KEY_SHAPE = re.compile(r"[\x21-\x7e]{1,256}")
_PIECE_BYTES = 1 << 20
_MESSAGE_BYTES = 4096


class ComtradeError(RuntimeError):
    """A Comtrade request failed for good; the message names the request, never the key.

    `transient`: the same request may well succeed later (retries spent on 429 / 5xx / network
    errors, a server too slow or asking for a long wait), as opposed to a refused key, an API
    error or an answer over the size limit, which asking again will not change. A scheduler
    retries the first kind after a pause (orchestration/defs/ingest/comtrade.py).
    """

    # Set by fetch_to_landing: what was done before the failure (a FetchReport).
    report = None

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class ComtradeResponse:
    body: bytes  # the bytes as received, to be landed unchanged
    record_count: int
    endpoint: str  # path of the call, e.g. /data/v1/get/C/A/HS
    params: dict[str, str]


class ComtradeClient:
    """GET /data/v1/get/{type}/{freq}/{cl} (with a key) or /public/v1/preview/... (without).

    Not thread-safe: a call sets its retry budget on the client's adapter.
    """

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
        deadline_s: float | None = None,
        max_body_bytes: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = base_url or os.environ.get("COMTRADE_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = base.rstrip("/")
        key = api_key if api_key is not None else os.environ.get("COMTRADE_API_KEY", "")
        self._api_key = key.strip() or None  # a key read from a file ends with a line break
        if self._api_key is not None and not _KEY_SHAPE.fullmatch(self._api_key):
            self._api_key = None
            raise ComtradeError(
                "COMTRADE_API_KEY is not a subscription key: it holds spaces, line breaks or "
                "other control characters, or is too long (the key itself is not shown)"
            )
        self.min_interval_s = min_interval_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s if deadline_s is not None else DEADLINE_S
        self.max_body_bytes = max_body_bytes if max_body_bytes is not None else MAX_BODY_BYTES
        self._sleep = sleep
        self._clock = clock
        self._last_call: float | None = None
        self._session = session or requests.Session()
        self._adapter = HTTPAdapter()
        for scheme in ("http://", "https://"):
            self._session.mount(scheme, self._adapter)

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
        """One call, retried on 429 / 5xx / network errors / a cut-off or unreadable body."""
        endpoint = self.endpoint(type_code, freq_code, cl_code)
        query = {name: str(value) for name, value in params.items() if value is not None}
        # Ask for the whole cap: without maxRecords the API may apply a smaller default.
        query.setdefault("maxRecords", str(self.record_cap))
        call = _Call(self, endpoint, query)
        retry = _Backoff(
            total=self.max_retries,
            backoff_factor=self.backoff_s,
            status_forcelist=_RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,  # the last 429/5xx comes back, and is reported below
            call=call,
        )
        while True:
            self._throttle()
            try:
                return call.attempt(retry)
            except _TryAgain as failure:
                try:
                    retry = failure.retry.increment("GET", endpoint, error=failure)
                except MaxRetryError:
                    raise call.gave_up(str(failure)) from None
                retry.sleep()

    def _throttle(self) -> None:
        now = self._clock()
        if self._last_call is not None:
            remaining = self.min_interval_s - (now - self._last_call)
            if remaining > 0:
                self._sleep(remaining)
                now = self._clock()
        self._last_call = now

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


class _TryAgain(Exception):
    """An attempt failed in a way worth another (its message is the problem, never the key)."""

    def __init__(self, problem: str, retry: Retry) -> None:
        super().__init__(problem)
        self.retry = retry  # the call's budget as this attempt left it


class _Call:
    """One `get`: the request, how it is described in messages, and one attempt at it."""

    def __init__(self, client: ComtradeClient, endpoint: str, query: dict[str, str]) -> None:
        self.client, self.endpoint, self.query = client, endpoint, query
        self.described = f"GET {endpoint}?{urlencode(query)}"

    def gave_up(self, problem: str) -> ComtradeError:
        attempts = self.client.max_retries + 1
        return ComtradeError(f"{self.described}: gave up after {attempts} attempts; last: {problem}",
                             transient=True)

    def attempt(self, retry: Retry) -> ComtradeResponse:
        client = self.client
        client._adapter.max_retries = retry  # what is left of this call's budget
        deadline = client._clock() + client.deadline_s
        headers = {KEY_HEADER: client._api_key} if client._api_key else {}
        try:
            response = client._session.get(
                client.base_url + self.endpoint, params=self.query, headers=headers,
                timeout=(client.timeout_s, min(client.timeout_s, client.deadline_s)),
                stream=True,
                # Not followed: the key header would travel to wherever a redirect points.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            problem = f"{type(exc).__name__}: {client._redact(str(exc))}"
            if exc.args and isinstance(exc.args[0], MaxRetryError):
                raise self.gave_up(problem) from None  # the transport spent the budget
            raise _TryAgain(problem, retry) from None
        with response:
            retry = getattr(response.raw, "retries", None) or retry
            status = response.status_code
            if status in _RETRY_STATUSES:  # only back once the transport spent the budget
                raise self.gave_up(_status_problem(status))
            if status != 200:
                raise ComtradeError(f"{self.described}: HTTP {status}: {self._message(response)}")
            body = self._body(response, deadline, retry)
        return ComtradeResponse(body, self._records_held(body, retry), self.endpoint, self.query)

    def _records_held(self, body: bytes, retry: Retry) -> int:
        """The number of records of a whole answer; _TryAgain when the body is not one,
        ComtradeError when the API answered with an error. Counted a record at a time, as staging
        reads them: json.loads of a 400 MB answer would hold several times its size."""
        try:
            return sum(1 for _ in json_stream.answer_records(io.BytesIO(body)))
        except json_stream.ApiError as exc:
            raise ComtradeError(f"{self.described}: API error: {self.client._redact(str(exc.error))}") from None
        except json_stream.PartialAnswer as exc:
            # At the record cap the answer is cut by the API itself: fetch_to_landing splits
            # it and never lands it, whatever its count says of the records left out.
            if exc.held >= self.client.record_cap and exc.said > exc.held:
                return exc.held
            raise _TryAgain(f"partial answer: {exc}", retry) from None
        except json_stream.NestedTooDeep:
            raise _TryAgain("JSON nested too deeply to read", retry) from None
        except json_stream.DuplicateField as exc:
            raise _TryAgain(f"not one answer: {exc}", retry) from None
        except json_stream.NoDataList:
            raise _TryAgain("truncated or invalid JSON body: no data list", retry) from None
        except json_stream.BadCount as exc:
            raise _TryAgain(f"not a whole answer: {exc}", retry) from None
        except json_stream.AnswerError:
            raise _TryAgain("truncated or invalid JSON body", retry) from None

    def _body(self, response: requests.Response, deadline: float, retry: Retry) -> bytes:
        """The answer's bytes, within the deadline and the size limit."""
        client, limit = self.client, self.client.max_body_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(f"{int(declared)} bytes")
        body = bytearray()
        try:
            # read1 returns what has arrived (one socket read), so the clock is checked
            # between reads however slowly the server sends.
            while piece := response.raw.read1(_PIECE_BYTES, decode_content=True):
                body += piece
                if len(body) > limit:
                    raise self._too_large(f"more than {limit} bytes")
                if client._clock() > deadline:
                    raise ComtradeError(
                        f"{self.described}: no complete answer within {client.deadline_s:g} s "
                        f"({len(body)} bytes so far): the server is sending too slowly",
                        transient=True,
                    )
        except (HTTPError, requests.RequestException, OSError) as exc:
            # The connection closed or failed mid-body (requests calls it ChunkedEncodingError).
            problem = f"answer cut off after {len(body)} bytes ({type(exc).__name__})"
            raise _TryAgain(problem, retry) from None
        return bytes(body)

    def _too_large(self, size: str) -> ComtradeError:
        return ComtradeError(
            f"{self.described}: the answer is {size}, over the {self.client.max_body_bytes} "
            "byte limit; ask for less per call (fewer reporters, codes or periods)"
        )

    def _message(self, response: requests.Response) -> str:
        text = response.raw.read(_MESSAGE_BYTES, decode_content=True).decode("utf-8", "replace")
        try:
            payload = json.loads(text)
            message = payload.get("message") or payload.get("error") or payload
        except (ValueError, AttributeError):
            message = text[:200]
        return self.client._redact(" ".join(str(message).split()))


class _Backoff(Retry):
    """urllib3's Retry, waiting on the client's clock, saying why in the log, and refusing a
    wait beyond MAX_WAIT_S."""

    def __init__(self, *args, call: _Call, server_wait: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        self.server_wait = server_wait  # what the last answer asked for, if it did

    def new(self, **kwargs) -> _Backoff:
        kwargs.setdefault("call", self.call)
        return super().new(**kwargs)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None) -> _Backoff:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        # Read now: urllib3 discards the body of a retried answer before it sleeps.
        retry.server_wait = self._server_wait(response) if response is not None else None
        return retry

    def _server_wait(self, response) -> float | None:
        header = response.headers.get("Retry-After")
        if header:
            try:
                return self.parse_retry_after(header)
            except InvalidHeader:
                pass
        if response.status != 429:
            return None
        # Azure API management also says it in the body: "Try again in 26 seconds."
        match = _TRY_AGAIN.search(response.read(_MESSAGE_BYTES, decode_content=True) or b"")
        return float(match.group(1)) if match else None

    def get_backoff_time(self) -> float:
        # urllib3 does not wait before the first retry; here every retry waits, doubling.
        return self.backoff_factor * 2 ** (len(self.history) - 1) if self.history else 0.0

    def sleep(self, response=None) -> None:
        wait = self.server_wait if self.server_wait is not None else self.get_backoff_time()
        problem = _history_problem(self.history[-1], self.call.client._redact)
        if wait > MAX_WAIT_S:
            raise ComtradeError(
                f"{self.call.described}: {problem}; server asks to wait {wait:.0f} s", transient=True
            )
        attempt = len(self.history)
        logger.warning(
            "%s: %s; retry %d of %d in %.1f s",
            self.call.described, problem, attempt, attempt + self.total, wait,
        )
        self.call.client._sleep(wait)


def _status_problem(status: int) -> str:
    return "HTTP 429 rate limit" if status == 429 else f"HTTP {status}"


def _history_problem(last, redact: Callable[[str], str]) -> str:
    """What went wrong in one failed attempt (a urllib3 RequestHistory entry)."""
    if last.status:
        return _status_problem(last.status)
    if isinstance(last.error, _TryAgain):
        return str(last.error)
    return f"{type(last.error).__name__}: {redact(str(last.error))}"
