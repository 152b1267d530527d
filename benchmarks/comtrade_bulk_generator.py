"""Generated Comtrade bulk data at any scale, for the trade benchmark and its smoke test.

The file has the columns of Comtrade's final bulk files (the data items its TradeDataItems list
marks `isInBulkFileFinal`, in that list's spellings: `cifValue`, `isnetWgtEstimated`, ...) and
real code values: reporters and partners are Comtrade's reporter codes (M49 numbers, 842 for the
USA, 490 for "Other Asia, nes"), commodities are the whole HS2022 tree (TOTAL, chapters,
headings, subheadings), so rare-earth lines are the small share they are in a real year. Every
value is generated; the file is landed as sample data and never passes for reported trade.

DuckDB writes it (seconds for 10 million rows). Each pair of lines is one flow seen from both
sides: the importer's report (CIF) and the exporter's mirror report (FOB, weights a few percent
off), so mirror reconciliation downstream has partners to match. Keys are unique: line pairs
walk a permutation of reporter x partner x commodity. A few in-scope lines are made bad on
purpose (a negative net weight) so quarantine is exercised at scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.reference.hs_codes import codes_in_scope

# Comtrade's own code lists (their origin heads each file): every machine generates the same file.
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

BULK_HEADER = (
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "flowCode", "partnerCode", "partner2Code", "classificationCode", "classificationSearchCode",
    "isOriginalClassification", "cmdCode", "customsCode", "mosCode", "motCode", "qtyUnitCode",
    "qty", "isQtyEstimated", "altQtyUnitCode", "altQty", "isAltQtyEstimated", "netWgt",
    "isnetWgtEstimated", "grossWgt", "isgrossWgtEstimated", "cifValue", "fobValue",
    "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate",
)
YEAR = 2023
# About one rare-earth line in this many gets a negative net weight (chosen by hash).
BAD_ONE_IN = 50
# A large prime: multiplying by it modulo the number of keys walks them in a scattered order.
_KEY_STRIDE = 1_000_000_007


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    rows: int
    size_bytes: int
    rare_earth_rows: int  # lines whose cmdCode staging keeps (the seeds' HS6 lines, 2846)
    bad_rare_earth_rows: int  # of those, lines made bad on purpose (to be quarantined)


def reporter_codes() -> list[int]:
    """Comtrade's reporter codes (its reference list, committed: the same file on every machine)."""
    return [int(code) for code in _reference_lines("comtrade_reporters.txt")]


def commodity_codes() -> list[str]:
    """The HS2022 tree as Comtrade lists it: TOTAL, chapters, headings, subheadings."""
    return _reference_lines("comtrade_hs_codes.txt")


def _reference_lines(name: str) -> list[str]:
    lines = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _lines_sql(
    rows: int, reporters: list[int], codes: list[str], rare_earth: frozenset[str], bad_one_in: int
) -> str:
    n_reporters, n_codes = len(reporters), len(codes)
    keys = n_reporters * n_reporters * n_codes
    if rows > 2 * keys:
        raise ValueError(f"at most {2 * keys} unique lines with these reference lists")
    # Inline list literals keep the lines in order (no join) and cost nothing at this size.
    is_rare_earth = "[" + ", ".join("true" if c in rare_earth else "false" for c in codes) + "]"
    codes = "[" + ", ".join(f"'{c}'" for c in codes) + "]"
    reporters = "[" + ", ".join(str(r) for r in reporters) + "]"
    return f"""
    with lines as (
        select range as line, range // 2 as pair, range % 2 as side,
               (range // 2) * {_KEY_STRIDE} % {keys} as key
        from range({rows})
    ),
    decoded as (
        select line, pair, side,
               key % {n_codes} as cmd_idx,
               key // {n_codes} % {n_reporters} as a_idx,
               key // {n_codes} // {n_reporters} as b_idx,
               -- log-uniform trade value 1e3..1e9 USD, price 0.5..100 USD/kg, per flow
               exp(ln(1e3) + (hash(pair, 'v') % 1000000) / 1e6 * ln(1e6)) as value,
               0.5 + (hash(pair, 'p') % 1000) / 10.0 as usd_per_kg,
               -- the two sides disagree by up to +-5 percent, as mirror reports do
               0.95 + (hash(line, 'm') % 1000) / 10000.0 as mirror_noise,
               hash(line, 'w') % 20 = 0 as weight_missing
        from lines
    ),
    picked as (
        select *, {codes}[cmd_idx + 1] as cmd_code, {is_rare_earth}[cmd_idx + 1] as is_rare_earth,
               {reporters}[a_idx + 1] as a_code, {reporters}[b_idx + 1] as b_code
        from decoded
    ),
    flows as (
        select d.line, d.side, d.cmd_code, d.is_rare_earth,
               case when d.a_code = d.b_code then d.a_code
                    when d.side = 0 then d.a_code else d.b_code end as reporter_code,
               case when d.a_code = d.b_code then 0
                    when d.side = 0 then d.b_code else d.a_code end as partner_code,
               case when d.side = 0 then 'M' else 'X' end as flow_code,
               case when d.side = 0 then d.value else d.value * 0.96 * d.mirror_noise end as value,
               case when d.weight_missing then null
                    else round(d.value / d.usd_per_kg * (case when d.side = 0 then 1 else d.mirror_noise end), 1)
               end as net_wgt,
               d.is_rare_earth and hash(d.line, 'bad') % {bad_one_in} = 0 and not d.weight_missing as is_bad
        from picked as d
    )
    select * from flows
    """


def _bulk_select(flows_sql: str, year: int) -> str:
    net_wgt = "case when is_bad then -net_wgt else net_wgt end"
    return f"""
    select
        'C' as typeCode, 'A' as freqCode, {year}0101 as refPeriodId, {year} as refYear,
        52 as refMonth, '{year}' as period, reporter_code as reporterCode, flow_code as flowCode,
        partner_code as partnerCode, 0 as partner2Code, 'H6' as classificationCode,
        'HS' as classificationSearchCode, 'True' as isOriginalClassification,
        cmd_code as cmdCode, 'C00' as customsCode, 0 as mosCode, 0 as motCode,
        case when net_wgt is null then -1 else 8 end as qtyUnitCode,
        {net_wgt} as qty, 'False' as isQtyEstimated, -1 as altQtyUnitCode, null as altQty,
        'False' as isAltQtyEstimated, {net_wgt} as netWgt, 'False' as isnetWgtEstimated,
        null as grossWgt, 'False' as isgrossWgtEstimated,
        case when flow_code = 'M' then round(value, 2) end as cifValue,
        case when flow_code = 'X' then round(value, 2) end as fobValue,
        round(value, 2) as primaryValue, 0 as legacyEstimationFlag, 'True' as isReported,
        'False' as isAggregate
    from ({flows_sql})
    """


def generate(
    path: Path, rows: int, *, delimiter: str = ",", bad_one_in: int = BAD_ONE_IN, year: int = YEAR
) -> GeneratedFile:
    """Write `rows` lines of Comtrade bulk CSV to `path` and count what a parser should find.
    Another `year` gives the same lines dated that year (benchmarks/trade_years.py)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # one landed before is a read-only hard link: write a new file
    reporters = reporter_codes()
    codes = commodity_codes()
    flows_sql = _lines_sql(rows, reporters, codes, codes_in_scope(), bad_one_in)
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        con.execute(
            f"copy ({_bulk_select(flows_sql, int(year))}) to '{path}' "
            f"(format csv, header true, delimiter '{delimiter}')"
        )
        rare_earth_rows, bad = con.execute(
            f"select count(*) filter (is_rare_earth), count(*) filter (is_bad) from ({flows_sql})"
        ).fetchall()[0]
    return GeneratedFile(
        path=path,
        rows=rows,
        size_bytes=path.stat().st_size,
        rare_earth_rows=rare_earth_rows,
        bad_rare_earth_rows=bad,
    )
