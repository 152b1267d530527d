"""Country reference built from country_converter (a maintained classification), not typed by hand.

Also resolves the names sources print ("Burma", "Russia", "World total (rounded)") to ISO3.
Aggregates that are not countries get reserved codes so they never pass for a country.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pyarrow as pa

from ingest.staging import ensure_dataset, frame_to_table, write_parquet_atomic

DATASET = "countries"  # the staged folder (dbt source `reference.countries`)
# Reserved non-country codes (ISO 3166 leaves the X** range to users). Comtrade's 490 "Other
# Asia, nes" is Taiwan (TWN), a country here.
AGGREGATES = {
    "WLD": "World",
    "OTH": "Other countries (not itemized by the source)",
}
# Codes the warehouse derives and no source may use: the first origin origin tracing cannot
# place (imports from unreported partners, exporters with no recorded output, output beyond its
# recorded feed). In dim_countries, never accepted in landed data.
DERIVED_CODES = {
    "XXX": "Unknown first origin (not traceable from the recorded flows)",
}
_AGGREGATE_NAMES = {
    "world": "WLD",
    "world total": "WLD",
    "world total (rounded)": "WLD",
    "world (rounded)": "WLD",
    "other": "OTH",
    "other countries": "OTH",
    "rest of world": "OTH",
    "other asia, nes": "TWN",
}
GROUPINGS = ("EU27", "OECD", "G7", "G20", "BRIC")

COUNTRY_SCHEMA = pa.schema(
    [
        ("iso3", pa.string()),
        ("iso2", pa.string()),
        ("m49_code", pa.int32()),
        ("name", pa.string()),
        ("official_name", pa.string()),
        ("continent", pa.string()),
        ("un_region", pa.string()),
        ("is_aggregate", pa.bool_()),
        *[(f"is_{group.lower()}", pa.bool_()) for group in GROUPINGS],
        ("classification_source", pa.string()),
    ]
)


@lru_cache(maxsize=1)
def _converter():
    import country_converter  # slow to import (reads its table); only when needed

    return country_converter.CountryConverter()


def country_table() -> pd.DataFrame:
    """One row per country plus the reserved aggregates, with group memberships."""
    import country_converter

    data = _converter().data
    table = pd.DataFrame(
        {
            "iso3": data["ISO3"],
            # country_converter keeps match patterns for two codes ("^GB$|^UK$"): the ISO one
            # comes first.
            "iso2": data["ISO2"].str.extract(r"([A-Z]{2})", expand=False),
            "m49_code": pd.to_numeric(data["UNcode"], errors="coerce").astype("Int32"),
            "name": data["name_short"],
            "official_name": data["name_official"],
            "continent": data["continent"],
            "un_region": data["UNregion"],
            "is_aggregate": False,
        }
    )
    for group in GROUPINGS:
        members = set(data.loc[data[group].notna(), "ISO3"])
        table[f"is_{group.lower()}"] = table["iso3"].isin(members)
    reserved = {**AGGREGATES, **DERIVED_CODES}
    aggregates = pd.DataFrame(
        {
            "iso3": list(reserved),
            "name": list(reserved.values()),
            "m49_code": pd.array([0, None, None], dtype="Int32"),
            "is_aggregate": True,
            **{f"is_{group.lower()}": False for group in GROUPINGS},
        }
    )
    table = pd.concat([table, aggregates], ignore_index=True)
    table["classification_source"] = f"country_converter {country_converter.__version__}"
    return table.drop_duplicates("iso3").sort_values("iso3").reset_index(drop=True)


@lru_cache(maxsize=4096)
def resolve_country(name: str) -> str | None:
    """ISO3 for a country name as a source prints it, a reserved aggregate code, or None."""
    cleaned = " ".join(name.replace("\u00a0", " ").split()).strip()
    if not cleaned:
        return None
    aggregate = _AGGREGATE_NAMES.get(cleaned.lower())
    if aggregate:
        return aggregate
    if cleaned.lower().startswith("world"):
        return "WLD"
    converter = _converter()
    result = converter.convert(cleaned, to="ISO3", not_found=None)
    # country_converter hands back the input itself when nothing matches: accept real codes only.
    return result if isinstance(result, str) and result in _iso3_codes() else None


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    return frozenset(_converter().data["ISO3"])


def stage_countries(staged_dir=None) -> int:
    """Write the country reference as staged Parquet (dbt source `reference.countries`)."""
    table = country_table()
    folder = ensure_dataset(DATASET, COUNTRY_SCHEMA, staged_dir)
    write_parquet_atomic(frame_to_table(table, COUNTRY_SCHEMA), folder / "countries.parquet")
    return len(table)
