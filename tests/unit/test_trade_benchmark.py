"""The trade benchmark's generator and pipeline steps at a small size, so the script cannot rot.

Timings are not asserted (the machine is shared); what the steps find is.
"""

from __future__ import annotations

import duckdb

from benchmarks import trade_scale
from benchmarks.comtrade_bulk_generator import BULK_HEADER, REFERENCE_DIR, commodity_codes, generate, reporter_codes
from ingest.reference.hs_codes import codes_in_scope
from tests.conftest import REPO_ROOT

ROWS = 20_000


def test_generated_year_runs_through_landing_and_ingest(reeflow_env):
    workdir = reeflow_env
    # One rare-earth line in four made bad, so quarantine is exercised at this small size.
    generated = generate(trade_scale.csv_path(workdir, ROWS), ROWS, bad_one_in=4)
    assert generated.rare_earth_rows > 0 and generated.bad_rare_earth_rows > 0

    landed = trade_scale.step_land(workdir, ROWS)()
    ingest = trade_scale.step_ingest(workdir, ROWS)()
    raw = trade_scale.step_raw_duckdb(workdir, ROWS)()

    assert landed["new"]
    assert ingest["staged"] == generated.rare_earth_rows - generated.bad_rare_earth_rows
    assert ingest["quarantined"] == generated.bad_rare_earth_rows
    assert ingest["out_of_scope"] == ROWS - generated.rare_earth_rows
    assert raw["records"] == generated.rare_earth_rows


def test_generated_file_looks_like_a_comtrade_bulk_file(tmp_path):
    path = tmp_path / "bulk.csv"
    generate(path, ROWS)
    with open(path, encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n").split(",") == list(BULK_HEADER)
    con = duckdb.connect()
    lines, keys, flows, periods, codes = con.execute(
        f"""
        select count(*),
               count(distinct (reporterCode, partnerCode, flowCode, cmdCode)),
               list(distinct flowCode order by flowCode), list(distinct period),
               count(distinct cmdCode)
        from read_csv('{path}', all_varchar = true)
        """
    ).fetchall()[0]
    assert lines == ROWS and keys == ROWS  # one line per flow and commodity, as Comtrade
    assert flows == ["M", "X"] and periods == ["2023"]
    assert codes > 1000  # many commodities, of which the rare-earth lines are a few
    in_scope = con.execute(
        f"select count(*) from read_csv('{path}', all_varchar = true) "
        f"where cmdCode in ({', '.join(repr(code) for code in sorted(codes_in_scope()))})"
    ).fetchall()[0][0]
    assert 0 < in_scope < ROWS * 0.01


def test_the_generator_reads_comtrades_code_lists_from_the_clone():
    """The same file is generated on every machine: the lists are committed, not read from
    whatever lies beside the repository."""
    assert REFERENCE_DIR.is_relative_to(REPO_ROOT)
    codes = commodity_codes()
    assert len(codes) == 8262 and codes[0] == "TOTAL" and codes_in_scope() <= set(codes)
    reporters = reporter_codes()
    assert len(reporters) == 253 and {156, 490, 842} <= set(reporters)
