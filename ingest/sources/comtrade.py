"""UN Comtrade: the API client, the chunked fetch into landing, and the record parsers.

The pieces live in three small modules; import from here.
- comtrade_client: `ComtradeClient` (throttle, retries, key in a header only), `ComtradeError`
- comtrade_fetch: `fetch_to_landing` (plan, resume, re-split truncated answers), `FetchReport`
- comtrade_records: `COMTRADE_SCHEMA`, the record rules, `parse_comtrade_json`,
  `detect_schema_drift`
- comtrade_bulk: `parse_comtrade_bulk`, `stage_comtrade_bulk` (bulk text files through DuckDB,
  rare-earth lines only)
"""

from ingest.sources.comtrade_bulk import (
    BULK_PARSER_VERSION,
    parse_comtrade_bulk,
    stage_comtrade_bulk,
)
from ingest.sources.comtrade_client import (
    DATA_RECORD_CAP,
    DEFAULT_BASE_URL,
    KEY_HEADER,
    PREVIEW_RECORD_CAP,
    ComtradeClient,
    ComtradeError,
    ComtradeResponse,
)
from ingest.sources.comtrade_fetch import (
    Chunk,
    FetchReport,
    fetch_to_landing,
    land_sample_response,
    plan_chunks,
)
from ingest.sources.comtrade_records import (
    COMTRADE_SCHEMA,
    DATASET,
    FLOW_CODES,
    PARSER_VERSION,
    REQUIRED_FIELDS,
    SAMPLE_VINTAGE,
    SOURCE_API,
    SOURCE_BULK,
    detect_schema_drift,
    is_sample_file,
    missing_required_fields,
    parse_comtrade_json,
)

__all__ = [
    "BULK_PARSER_VERSION",
    "COMTRADE_SCHEMA",
    "DATASET",
    "DATA_RECORD_CAP",
    "DEFAULT_BASE_URL",
    "FLOW_CODES",
    "KEY_HEADER",
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
]
