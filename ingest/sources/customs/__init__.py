"""National customs tariff-line files (source kinds `customs_<country>`), one YAML mapping per
layout: mapping.py reads and checks the mappings (mappings/*.yml), parser.py reads a file with
one. Another country needs a YAML file, not code. Import from here."""

from ingest.sources.customs.mapping import (
    MAPPINGS_DIR,
    PARSER_VERSION,
    CustomsMapping,
    available_mappings,
    load_mapping,
)
from ingest.sources.customs.parser import CUSTOMS_SCHEMA, DATASET, parse_customs_csv, parser_for

__all__ = [
    "CUSTOMS_SCHEMA",
    "DATASET",
    "MAPPINGS_DIR",
    "PARSER_VERSION",
    "CustomsMapping",
    "available_mappings",
    "load_mapping",
    "parse_customs_csv",
    "parser_for",
]
