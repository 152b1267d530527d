"""UN Comtrade (source kinds `comtrade_api` and `comtrade_bulk`, one staged dataset). Import
from here; each module does one job:
- client: `ComtradeClient` (throttle, urllib3 retries, deadline, size limit, key in a header
  only), `ComtradeError`
- fetch: `fetch_to_landing` (plan, resume, re-split truncated answers), `FetchReport`
- codes: ISO3 -> Comtrade country codes for requests
- rules: `COMTRADE_SCHEMA` and the one rule set (SQL) both parsers run, the HS scope
- api: `parse_comtrade_json`, `stage_comtrade_json` (API answers, streamed by json_stream)
- bulk: `parse_comtrade_bulk`, `stage_comtrade_bulk` (bulk text files through DuckDB,
  rare-earth lines only); line_pieces reads a large file as pieces at once
"""

from ingest.sources.comtrade.api import PARSER_VERSION, parse_comtrade_json, stage_comtrade_json
from ingest.sources.comtrade.bulk import (
    BULK_PARSER_VERSION,
    MAX_BULK_BYTES,
    parse_comtrade_bulk,
    stage_comtrade_bulk,
)
from ingest.sources.comtrade.client import (
    DATA_RECORD_CAP,
    DEFAULT_BASE_URL,
    KEY_HEADER,
    MAX_BODY_BYTES,
    PREVIEW_RECORD_CAP,
    ComtradeClient,
    ComtradeError,
    ComtradeResponse,
)
from ingest.sources.comtrade.fetch import (
    Chunk,
    FetchReport,
    fetch_to_landing,
    land_sample_response,
    plan_chunks,
)
from ingest.sources.comtrade.rules import (
    COMTRADE_SCHEMA,
    DATASET,
    FLOW_CODES,
    REQUIRED_FIELDS,
    SAMPLE_VINTAGE,
    SOURCE_API,
    SOURCE_BULK,
    detect_schema_drift,
    is_sample_file,
    missing_required_fields,
)

__all__ = [
    "BULK_PARSER_VERSION",
    "COMTRADE_SCHEMA",
    "DATASET",
    "DATA_RECORD_CAP",
    "DEFAULT_BASE_URL",
    "FLOW_CODES",
    "KEY_HEADER",
    "MAX_BODY_BYTES",
    "MAX_BULK_BYTES",
    "PARSER_VERSION",
    "PREVIEW_RECORD_CAP",
    "REQUIRED_FIELDS",
    "SAMPLE_VINTAGE",
    "SOURCE_API",
    "SOURCE_BULK",
    "Chunk",
    "ComtradeClient",
    "ComtradeError",
    "ComtradeResponse",
    "FetchReport",
    "detect_schema_drift",
    "fetch_to_landing",
    "is_sample_file",
    "land_sample_response",
    "missing_required_fields",
    "parse_comtrade_bulk",
    "parse_comtrade_json",
    "plan_chunks",
    "stage_comtrade_bulk",
    "stage_comtrade_json",
]
