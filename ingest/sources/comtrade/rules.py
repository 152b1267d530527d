"""UN Comtrade records -> staged rows: the schema and the one rule set both paths run.

A record reaches the rules as a row of text cells in DuckDB, table `candidates`: `rn` (its
place in the file), `lines` (how many source lines the row stands for) and `c0..c{n-1}`, the
fields in header order, plus `c{n}`, which catches the extra cells of a line that has too many.
The bulk path (bulk.py) gets that table from DuckDB's CSV reader; the API path (api.py) builds
it from the JSON records. Then the SQL built here checks each record, gives the reason of the
first rule it breaks and types the good ones, so both paths stage the same rows and quarantine
with the same reasons. Field names are matched case-insensitively because Comtrade itself is
inconsistent: its dictionary spells `cifValue` / `isnetWgtEstimated`, its records `cifvalue` /
`isNetWgtEstimated`.

Rules (a bad record is quarantined with file, record number and reason; the rest load):
- a file lacking a required field altogether is rejected (FileRejected names the field);
- a field we do not know is ignored and logged once per file (schema drift, see
  `detect_schema_drift`), so a new Comtrade column never stops a run silently or loudly;
- cmdCode must be a numeric HS code, flowCode a Comtrade flow code, classificationCode an HS
  edition, the year within Comtrade's coverage and the month a month (or 52, annual), weights,
  quantities and values non-negative, reporter and partner present, numbers and flags readable.
  The staged suite (expectations/staged/comtrade_records.py) checks the same with the same
  constants, so no row it would stop the run for gets past these rules;
- a line with fewer or more cells than the header is bad whatever it says (a shifted or cut
  line), and blank lines of a text file are no records (a JSON record is one, however empty);
- scope (`HsScope`): a bulk file holds every commodity, and only the codes of the dbt seeds are
  staged (`ingest.reference.hs_codes.codes_in_scope`); the rest is counted as out of scope. An
  API answer holds the codes its request asked for, so every record of it is checked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.contract import FileRejected, ParseResult, QuarantinedRow
from ingest.landing import LandedFile
from ingest.parsing.numbers import MAX_AMOUNT, THOUSANDS_SEPARATED
from ingest.sqlsafe import check_sql_path

logger = logging.getLogger(__name__)

SOURCE_API = "comtrade_api"
SOURCE_BULK = "comtrade_bulk"
DATASET = "comtrade_records"
# Generated demo data is landed with this vintage (and request {"sample": true}); every row
# parsed from it says is_sample = true so it can never pass for reported trade.
SAMPLE_VINTAGE = "sample"

COMTRADE_SCHEMA = pa.schema(
    [
        ("file_id", pa.string()),
        ("record_number", pa.int64()),
        ("source_format", pa.string()),
        ("type_code", pa.string()),
        ("freq_code", pa.string()),
        ("period", pa.string()),
        ("ref_year", pa.int32()),
        ("ref_month", pa.int32()),
        ("reporter_code", pa.int32()),
        ("reporter_iso", pa.string()),
        ("partner_code", pa.int32()),
        ("partner_iso", pa.string()),
        ("partner2_code", pa.int32()),
        ("flow_code", pa.string()),
        ("classification_code", pa.string()),
        ("cmd_code", pa.string()),
        ("customs_code", pa.string()),
        ("mot_code", pa.int32()),
        ("qty_unit_code", pa.int32()),
        ("qty", pa.float64()),
        ("net_wgt_kg", pa.float64()),
        ("gross_wgt_kg", pa.float64()),
        ("cif_value_usd", pa.float64()),
        ("fob_value_usd", pa.float64()),
        ("primary_value_usd", pa.float64()),
        ("is_net_wgt_estimated", pa.bool_()),
        ("is_qty_estimated", pa.bool_()),
        ("is_reported", pa.bool_()),
        ("is_aggregate", pa.bool_()),
        ("is_sample", pa.bool_()),
    ]
)

# Without these a record cannot be placed (who, whom, what, when, which way, how much).
REQUIRED_FIELDS = (
    "typeCode",
    "freqCode",
    "period",
    "reporterCode",
    "partnerCode",
    "flowCode",
    "classificationCode",
    "cmdCode",
    "primaryValue",
)

# Every data item of the API records and of the final bulk files (TradeDataItems reference
# list, plus the spellings the records use). Anything else is schema drift.
KNOWN_FIELDS = frozenset(
    name.lower()
    for name in (
        "datasetCode", "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period",
        "reporterCode", "reporterISO", "reporterDesc", "flowCategory", "flowCode", "flowDesc",
        "partnerCode", "partnerISO", "partnerDesc", "partner2Code", "partner2ISO",
        "partner2Desc", "classificationCode", "classificationSearchCode",
        "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel", "isLeaf",
        "customsCode", "customsDesc", "mosCode", "mosDesc", "motCode", "motDesc",
        "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode",
        "altQtyUnitAbbr", "altQty", "isAltQtyEstimated", "netWgt", "isNetWgtEstimated",
        "grossWgt", "isGrossWgtEstimated", "cifValue", "fobValue", "primaryValue",
        "legacyEstimationFlag", "isReported", "isAggregate",
    )
)

# Comtrade trade-flow codes (its flow reference list).
FLOW_CODES = frozenset(
    {"M", "X", "RM", "RX", "DX", "FM", "MIP", "XIP", "MOP", "XOP", "MIF", "XIF"}
)
ANNUAL_REF_MONTH = 52  # what Comtrade puts in refMonth for annual records
REF_MONTHS = (*range(1, 13), ANNUAL_REF_MONTH)
FIRST_YEAR = 1962  # Comtrade's coverage starts in 1962
HS_EDITION = "H[0-6S]"  # classificationCode: H0 (HS 1992) to H6 (HS 2022), HS as reported


def last_year() -> int:
    """The latest year a record may be for: no trade is reported for a year still to come."""
    return date.today().year

TRUE_VALUES = {"true", "1", "t", "yes", "y"}
FALSE_VALUES = {"false", "0", "f", "no", "n"}

STRING_FIELDS = {
    "type_code": "typeCode",
    "freq_code": "freqCode",
    "reporter_iso": "reporterISO",
    "partner_iso": "partnerISO",
    "classification_code": "classificationCode",
    "customs_code": "customsCode",
}
INT_FIELDS = {
    "partner_code": "partnerCode",
    "partner2_code": "partner2Code",
    "mot_code": "motCode",
    "qty_unit_code": "qtyUnitCode",
}
MEASURES = {  # column -> field; none may be negative
    "qty": "qty",
    "net_wgt_kg": "netWgt",
    "gross_wgt_kg": "grossWgt",
    "cif_value_usd": "cifvalue",
    "fob_value_usd": "fobvalue",
    "primary_value_usd": "primaryValue",
}
FLAGS = {
    "is_net_wgt_estimated": "isNetWgtEstimated",
    "is_qty_estimated": "isQtyEstimated",
    "is_reported": "isReported",
    "is_aggregate": "isAggregate",
}
# The fields a staged row is made from (lower-cased); no other field is read.
FIELDS_READ = frozenset(
    field.lower()
    for field in (
        "reporterCode", "flowCode", "cmdCode", "period", "refYear", "refMonth",
        *STRING_FIELDS.values(), *INT_FIELDS.values(),
        *MEASURES.values(), *FLAGS.values(),
    )
)
_NUMERIC_FIELDS = (
    "reporterCode", *INT_FIELDS.values(), "refYear", "refMonth",
    *MEASURES.values(),
)

_HS_CODE = "[0-9]{2}|[0-9]{4}|[0-9]{6}"  # chapter, heading or subheading
_TRIM = " \t\r\n"
# From this many lines whose cells do not match the header, if they are most of the file,
# the file is rejected as a wrong layout rather than quarantined line by line.
_MISALIGNED_FILE = 100
_DUCKDB_TYPES = {
    pa.string(): "varchar",
    pa.int64(): "bigint",
    pa.int32(): "integer",
    pa.float64(): "double",
    pa.bool_(): "boolean",
}
_PANDAS_DTYPES = {
    pa.string(): "string",
    pa.int64(): "Int64",
    pa.int32(): "Int32",
    pa.float64(): "float64",
    pa.bool_(): "boolean",
}


# --- whole-file checks -------------------------------------------------------------------------


def detect_schema_drift(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Field names (as spelled in the file) that Comtrade's data-item list does not have."""
    seen: dict[str, None] = {}
    for record in records:
        for name in record:
            if name.lower() not in KNOWN_FIELDS:
                seen.setdefault(name, None)
    return list(seen)


def missing_required_fields(field_names: Iterable[str]) -> list[str]:
    present = {name.lower() for name in field_names}
    return [name for name in REQUIRED_FIELDS if name.lower() not in present]


def check_field_names(landed: LandedFile, field_names: Iterable[str]) -> None:
    """Reject a file lacking a required field; log once the fields Comtrade does not list."""
    names = [name for name in field_names if name]
    missing = missing_required_fields(names)
    if missing:
        raise FileRejected(
            f"{landed.original_name} lacks required Comtrade field(s): {', '.join(missing)}"
        )
    drift = detect_schema_drift([dict.fromkeys(names)])
    if drift:
        logger.warning(
            "%s: new Comtrade field(s) ignored: %s", landed.original_name, ", ".join(drift)
        )


def check_alignment(
    landed: LandedFile, misaligned: int, lines: int, width: int, *, first: bool = False
) -> None:
    """Reject a file most of whose lines (of the first `lines` when `first`) do not have the
    header's `width` cells: not a few cut lines but a layout the header does not describe
    (wrong delimiter, a column missing from the header, not a table at all). Millions of
    quarantine rows would say less."""
    if misaligned >= _MISALIGNED_FILE and misaligned > lines / 2:
        raise FileRejected(
            f"{landed.original_name}: {misaligned} of {'the first ' if first else ''}{lines} "
            f"lines do not have the header's {width} cells (wrong delimiter or layout)"
        )


def is_sample_file(landed: LandedFile) -> bool:
    return landed.vintage == SAMPLE_VINTAGE or bool((landed.request or {}).get("sample"))


# --- scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HsScope:
    """Which cmdCodes are staged. `codes` None: every valid HS code (an API answer holds what
    its request asked for); otherwise these codes only (a bulk file holds every commodity)."""

    codes: frozenset[str] | None = None

    def _listed(self) -> str:
        return ", ".join(sql_literal(code) for code in sorted(self.codes or ()))

    def may_matter(self, raw_cmd: str) -> str:
        """SQL: a line a scan must keep. Valid codes of other goods are only counted (the rest
        is classified after trimming, below); in SQL so that DuckDB drops them while reading."""
        if self.codes is None:
            return "true"
        return (f"{raw_cmd} in ({self._listed()})"
                f" or not regexp_full_match(coalesce({raw_cmd}, ''), '{_HS_CODE}|TOTAL')")

    def kinds(self, cmd: str) -> str:
        """SQL `when` clauses classifying a trimmed cmdCode: in_scope, out_of_scope, bad_code."""
        if self.codes is None:
            return f"when regexp_full_match({cmd}, '{_HS_CODE}') then 'in_scope'"
        listed = self._listed()
        # Chapters and headings of the kept lines are sums holding mostly other goods: out of
        # scope, like TOTAL. A national line (7+ digits) of a kept HS6 line is ours but cannot
        # be staged as an HS record: a bad row, not an uncounted one.
        return f"""
            when {cmd} in ({listed}) then 'in_scope'
            when regexp_full_match({cmd}, '{_HS_CODE}') or upper({cmd}) = 'TOTAL'
                then 'out_of_scope'
            when regexp_full_match({cmd}, '[0-9]{{7,}}') and left({cmd}, 6) in ({listed})
                then 'bad_code'
            when regexp_full_match({cmd}, '[0-9]+') then 'out_of_scope'"""


# --- the rules as SQL ---------------------------------------------------------------------------


class RecordSql:
    """The SQL of the rule set for one header (field names in cell order)."""

    def __init__(self, header: Sequence[str], scope: HsScope, *, blank_lines: bool = True) -> None:
        self.header = tuple(header)
        self.scope = scope
        # A text file's blank lines are no records; a JSON record is one however empty.
        self.blank_lines = blank_lines
        self.width = len(self.header)
        # Lower-cased field -> column; a repeated name keeps its last column.
        self.column = {name.lower(): f"c{i}" for i, name in enumerate(self.header)}
        # Only the columns a staged row needs are read (DuckDB then skips building the others,
        # a fifth of a bulk scan), plus the last one, which is NULL on a short line.
        wanted = {self.column[field] for field in FIELDS_READ if field in self.column}
        self.read = [f"c{i}" for i in range(self.width) if f"c{i}" in wanted]
        if f"c{self.width - 1}" not in wanted:
            self.read.append(f"c{self.width - 1}")
        self.read_names = [self.header[int(c[1:])] for c in self.read]
        self.last = f"c{self.width - 1}"
        self.overflow = f"c{self.width}"

    def raw_cmd(self) -> str:
        """The untrimmed cmdCode cell, for the scan's filter."""
        return self.column["cmdcode"]

    def _value(self, field: str) -> str:
        column = self.column.get(field.lower())
        return f"h{column[1:]}" if column else "cast(null as varchar)"

    def check_sql(self) -> str:
        """`checked`: every kept row of `candidates`, trimmed, classified, numbered, with the
        reason of the first rule it breaks (NULL when it breaks none)."""
        trimmed = ", ".join(
            f"nullif(trim({c}, {sql_literal(_TRIM)}), '') as h{c[1:]}" for c in self.read
        )
        all_cells = ", ".join([*(f"h{c[1:]}" for c in self.read), "overflow"])
        cells = ", ".join(f"h{c[1:]}" for c in self.read)
        blank = f"coalesce({all_cells}) is null" if self.blank_lines else "false"
        # A comma only as a thousands separator: '12,5' is not read as 125 (it is not a number).
        numbers = ", ".join(
            f"try_cast(case when not contains({self._value(field)}, ',') "
            f"or regexp_full_match({self._value(field)}, '{THOUSANDS_SEPARATED}') "
            f"then replace({self._value(field)}, ',', '') end as double) as d_{field.lower()}"
            for field in _NUMERIC_FIELDS
        )
        return f"""
        create table checked as
        with kept as (
            select rn, {trimmed},
                   nullif(trim({self.overflow}, {sql_literal(_TRIM)}), '') as overflow,
                   {self.last} is null or {self.overflow} is not null as misaligned,
                   {self.overflow} is not null as too_many
            from candidates where rn is not null
        ),
        classified as (
            -- the fields reeflow reads, as text: what an analyst needs to fix the line
            select *, [{cells}] as cells,
                   case
                       when {blank} then 'blank'
                       when misaligned then 'misaligned'
                       {self.scope.kinds(self._value("cmdCode"))}
                       else 'bad_code'
                   end as kind
            from kept
        ),
        numbered as (
            -- blank lines are no records and take no number (sum, not count(*) filter: DuckDB
            -- computes a filtered window aggregate row by row, minutes for a million lines)
            select *, rn - sum((kind = 'blank')::integer) over (order by rn) as record_number,
                   {numbers}
            from classified
        )
        select *,
               case when kind in ('misaligned', 'bad_code', 'in_scope') then {self._reason()} end
                   as reason
        from numbered
        """

    def _reason(self) -> str:
        """The first rule a record breaks (cmdCode first: it decides the scope)."""
        width = self.width
        rules: list[tuple[str, str]] = [
            (
                "misaligned",
                (
                    f"case when too_many then 'more' else 'fewer' end"
                    f" || ' than {width} cells for {width} header fields: a shifted or cut line'"
                ),
            ),
            (
                "kind = 'bad_code'",
                (
                    f"'cmdCode ' || {_repr(self._value('cmdCode'))}"
                    " || ' is not a numeric HS code (2, 4 or 6 digits)'"
                ),
            ),
        ]
        rules += self._integer_rules("reporterCode")
        rules.append((f"{self._value('reporterCode')} is null", "'missing reporterCode'"))
        for field in INT_FIELDS.values():
            rules += self._integer_rules(field)
        rules.append((f"{self._value('partnerCode')} is null", "'missing partnerCode'"))
        flow = self._value("flowCode")
        flows = ", ".join(sql_literal(code) for code in sorted(FLOW_CODES))
        rules.append(
            (f"{flow} is null or upper({flow}) not in ({flows})",
             f"'unknown flowCode ' || {_repr(flow)}")
        )
        period = self._value("period")
        rules.append(
            (f"not regexp_full_match(coalesce({period}, ''), '[0-9]{{4}}([0-9]{{2}})?')",
             f"'period ' || {_repr(period)} || ' is not YYYY or YYYYMM'")
        )
        rules += self._integer_rules("refYear") + self._integer_rules("refMonth")
        year, month = self._ref_year(), self._ref_month()
        rules.append(
            (f"{year} not between {FIRST_YEAR} and {last_year()}",
             f"'year ' || {year} || ' is outside Comtrade''s {FIRST_YEAR}-{last_year()}'")
        )
        rules.append(
            (f"{month} not in ({', '.join(map(str, REF_MONTHS))})",
             f"'refMonth ' || {month} || ' is not a month (1-12) or {ANNUAL_REF_MONTH} (annual)'")
        )
        edition = self._value("classificationCode")
        rules.append(
            (f"not regexp_full_match({edition}, '{HS_EDITION}')",
             f"'classificationCode ' || {_repr(edition)} || ' is not an HS edition (H0-H6, HS)'")
        )
        for field in MEASURES.values():
            rules += self._number_rules(field)
            number = f"d_{field.lower()}"
            rules.append((f"{number} < 0", f"'negative {field} ' || printf('%g', {number})"))
        for field in FLAGS.values():
            value = self._value(field)
            rules.append(
                (f"{value} is not null and lower({value}) not in ({_TRUE_SQL}, {_FALSE_SQL})",
                 f"'{field} ' || {_repr(value)} || ' is not true/false'")
            )
        whens = "\n".join(f"when {condition} then {message}" for condition, message in rules)
        return f"case {whens} end"

    def _number_rules(self, field: str) -> list[tuple[str, str]]:
        value, number = self._value(field), f"d_{field.lower()}"
        return [
            (f"{value} is not null and {number} is null",
             f"'{field} ' || {_repr(value)} || ' is not a number'"),
            # DuckDB reads 'nan', 'inf' and '1e308' as doubles (ingest/parsing/numbers.py).
            (f"not isfinite({number})", f"'{field} ' || {_repr(value)} || ' is not a finite number'"),
            (f"abs({number}) > {MAX_AMOUNT:g}",
             f"'{field} ' || {_repr(value)} || ' is beyond {MAX_AMOUNT:g}: not a plausible figure'"),
        ]

    def _integer_rules(self, field: str) -> list[tuple[str, str]]:
        value, number = self._value(field), f"d_{field.lower()}"
        return [
            *self._number_rules(field),
            (f"{number} <> trunc({number})",
             f"'{field} ' || {_repr(value)} || ' is not a whole number'"),
            (f"{number} is not null and try_cast({number} as integer) is null",
             f"'{field} ' || {_repr(value)} || ' is out of range'"),
        ]

    @staticmethod
    def _integer(field: str) -> str:
        return f"try_cast(d_{field.lower()} as integer)"

    def _ref_year(self) -> str:
        """The record's year: refYear, else the period's first four digits."""
        period = self._value("period")
        return f"coalesce(nullif({self._integer('refYear')}, 0), try_cast(left({period}, 4) as integer))"

    def _ref_month(self) -> str:
        """refMonth, else the period's month, else annual."""
        period = self._value("period")
        return (f"coalesce({self._integer('refMonth')}, case when length({period}) = 6 "
                f"then try_cast(right({period}, 2) as integer) else {ANNUAL_REF_MONTH} end)")

    def typed_sql(self, landed: LandedFile, source_format: str) -> str:
        """The staged rows (COMTRADE_SCHEMA) of the records that broke no rule."""
        sample = "true" if is_sample_file(landed) else "false"
        period = self._value("period")

        def flag(field: str) -> str:
            value = self._value(field)
            return (f"case when lower({value}) in ({_TRUE_SQL}) then true "
                    f"when lower({value}) in ({_FALSE_SQL}) then false end")

        columns = {
            "file_id": sql_literal(landed.file_id),
            "record_number": "record_number",
            "source_format": sql_literal(source_format),
            **{column: self._value(field) for column, field in STRING_FIELDS.items()},
            "period": period,
            "ref_year": self._ref_year(),
            "ref_month": self._ref_month(),
            "reporter_code": self._integer("reporterCode"),
            **{column: self._integer(field) for column, field in INT_FIELDS.items()},
            "flow_code": f"upper({self._value('flowCode')})",
            "cmd_code": self._value("cmdCode"),
            **{column: f"d_{field.lower()}" for column, field in MEASURES.items()},
            **{column: flag(field) for column, field in FLAGS.items()},
            "is_sample": sample,
        }
        select = ",\n".join(
            f"cast({columns[field.name]} as {_DUCKDB_TYPES[field.type]}) as {field.name}"
            for field in COMTRADE_SCHEMA
        )
        return (f"select {select}\nfrom checked where kind = 'in_scope' and reason is null "
                "order by record_number")


# --- running the rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordCounts:
    data_lines: int  # blank lines not counted
    out_of_scope: int
    quarantined: int
    staged: int


# raw text of a bad record from its place in the file and its cells (read fields, as text)
RawText = Callable[[int, list[str | None]], str]


class CheckedRecords:
    """The rules run over `candidates` in one DuckDB connection: counts, good rows, quarantine."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, sql: RecordSql, landed: LandedFile,
        source_format: str,
    ) -> None:
        self.con, self.sql, self.landed, self.source_format = con, sql, landed, source_format
        self.con.execute(sql.check_sql())
        data_lines, out_of_scope, quarantined, staged, misaligned = self.con.execute(
            """
            select
                (select coalesce(sum(lines), 0) from candidates) - count(*) filter (kind = 'blank'),
                (select coalesce(sum(lines), 0) from candidates where rn is null)
                    + count(*) filter (kind = 'out_of_scope'),
                count(*) filter (reason is not null),
                count(*) filter (kind = 'in_scope' and reason is null),
                count(*) filter (kind = 'misaligned')
            from checked
            """
        ).fetchall()[0]
        check_alignment(landed, misaligned, data_lines, sql.width)
        self.counts = RecordCounts(data_lines, out_of_scope, quarantined, staged)
        logger.info(
            "%s: %d records, %d staged, %d quarantined, %d out of scope (not rare-earth lines)",
            landed.original_name, data_lines, staged, quarantined, out_of_scope,
        )

    def good_rows(self) -> pd.DataFrame:
        table = self.con.sql(self.sql.typed_sql(self.landed, self.source_format)).to_arrow_table()
        return frame_from_table(table)

    def copy_good_rows(self, target: Path) -> None:
        rows = self.sql.typed_sql(self.landed, self.source_format)
        self.con.execute(f"copy ({rows}) to '{check_sql_path(target)}' (format parquet)")

    def quarantined(self, raw: RawText | None = None) -> list[QuarantinedRow]:
        rows = self.con.execute(
            "select rn, record_number, reason, cells from checked where reason is not null "
            "order by record_number"
        ).fetchall()
        raw = raw or self.cells_as_json
        return [QuarantinedRow.of(self.landed, record_number, reason, raw(rn, cells))
                for rn, record_number, reason, cells in rows]

    def cells_as_json(self, rn: int, cells: list[str | None]) -> str:
        """A bad record's raw text: the fields reeflow reads, by name."""
        return json.dumps(dict(zip(self.sql.read_names, cells, strict=True)), ensure_ascii=False)

    def result(self, rows: pd.DataFrame | None, raw: RawText | None = None) -> ParseResult:
        """rows None: the good rows were written to Parquet by `copy_good_rows`."""
        return ParseResult(
            rows=rows,
            quarantined=self.quarantined(raw),
            out_of_scope=self.counts.out_of_scope,
            rows_written=None if rows is not None else self.counts.staged,
        )


def frame_from_table(table: pa.Table) -> pd.DataFrame:
    """Staged rows as a DataFrame with nullable dtypes that convert losslessly to the schema."""
    frame = table.select(COMTRADE_SCHEMA.names).to_pandas()
    return frame.astype({field.name: _PANDAS_DTYPES[field.type] for field in COMTRADE_SCHEMA})


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal (for names and codes from reeflow's own tables)."""
    return "'" + text.replace("'", "''") + "'"


def _repr(value_sql: str) -> str:
    """SQL for Python's repr of a stripped text value: 'text' or None."""
    return f"coalesce('''' || {value_sql} || '''', 'None')"


_TRUE_SQL = ", ".join(sql_literal(value) for value in sorted(TRUE_VALUES))
_FALSE_SQL = ", ".join(sql_literal(value) for value in sorted(FALSE_VALUES))
