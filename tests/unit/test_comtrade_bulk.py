"""The DuckDB path for Comtrade bulk text files: scope, record numbers, broken files, staging.

Lines are built from the first record of the real API response (tests/builders.py), written
under the bulk files' header (the data-item dictionary's spellings).
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
from itertools import pairwise

import pyarrow.parquet as pq
import pytest

from ingest.contract import QUARANTINE_SCHEMA, FileRejected
from ingest.reference.hs_codes import codes_in_scope
from ingest.reference.seeds import SEEDS_DIR
from ingest.sources.comtrade import (
    BULK_PARSER_VERSION,
    COMTRADE_SCHEMA,
    SAMPLE_VINTAGE,
    SOURCE_BULK,
    line_pieces,
    long_lines,
    parse_comtrade_bulk,
    stage_comtrade_bulk,
)
from ingest.sources.comtrade import bulk as comtrade_bulk
from ingest.staging import stage_landed_files
from tests.builders import (
    BULK_HEADER,
    REAL_ANSWER,
    bulk_cells,
    bulk_file,
    bulk_line,
    rare_earth,
    real_record,
)
from tests.conftest import REPO_ROOT, reference_file

# China's 2010 imports from Argentina as Comtrade sent them, made 1,250.5 kg of HS 280530.
CELLS = bulk_cells(rare_earth(real_record(), kg=1250.5))


def line(delimiter: str = ",", **changes) -> str:
    return bulk_line({**CELLS, **{name: str(value) for name, value in changes.items()}}, delimiter)


@pytest.fixture
def land_as() -> dict:
    return {"source": SOURCE_BULK, "name": "bulk.csv"}


def test_scope_is_the_codes_dbt_joins_trade_rows_to():
    with open(SEEDS_DIR / "hs_codes.csv", newline="", encoding="utf-8") as handle:
        hs6 = {row["hs6"] for row in csv.DictReader(handle)}
    with open(SEEDS_DIR / "hs_headings.csv", newline="", encoding="utf-8") as handle:
        headings = {row["heading"] for row in csv.DictReader(handle)}
    assert codes_in_scope() == hs6 | headings
    assert {"280530", "284610", "284690", "850511", "253090", "2846"} <= codes_in_scope()
    assert not {"28", "2805", "8505", "TOTAL"} & codes_in_scope()


@pytest.mark.reference_data
def test_scope_codes_are_in_comtrades_whole_hs_list_and_headings_cover_their_subheadings():
    hs_list = json.loads(reference_file("comtrade-api", "reference_HS.json").read_text("utf-8"))
    entries = {entry["id"]: entry for entry in hs_list["results"]}  # H6 (HS 2022), 8,262 codes
    for code in codes_in_scope():
        assert (entries[code]["aggrLevel"], entries[code]["isLeaf"]) == (
            (6, "1") if len(code) == 6 else (4, "0")), code
    with open(SEEDS_DIR / "hs_headings.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            subheadings = {code for code, entry in entries.items()
                           if entry["parent"] == row["heading"]}
            assert set(row["covers_hs6"].split(";")) == subheadings, row["heading"]


def test_out_of_scope_codes_are_counted_not_quarantined(land):
    lines = [
        line(cmdCode="280530"),  # 1 in scope
        line(cmdCode="010121"),  # 2 horses: another commodity
        line(cmdCode="TOTAL"),  # 3 all commodities
        line(cmdCode="28"),  # 4 chapter of 280530: a sum of mostly other goods, not kept
        line(cmdCode="2805"),  # 5 heading of 280530 with alkali metals and mercury: not kept
        line(cmdCode=" 284690 "),  # 6 in scope once trimmed
        line(cmdCode="28053011"),  # 7 a national line of a kept HS6 line: ours but not HS6
        line(cmdCode="01012100"),  # 8 a national line of another commodity
        line(cmdCode="28O530"),  # 9 letter O for zero: unreadable, so bad whatever it was
        line(cmdCode="850511", flowCode="Q"),  # 10 in scope and bad
        line(cmdCode="010121", flowCode="Q"),  # 11 bad, but out of scope: not checked
        line(cmdCode=""),  # 12 no code at all
        line(cmdCode="2846"),  # 13 rare-earth compounds as a whole heading: kept for dbt
    ]
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert result.rows["record_number"].tolist() == [1, 6, 13]
    assert result.rows["cmd_code"].tolist() == ["280530", "284690", "2846"]
    assert result.out_of_scope == 6  # lines 2, 3, 4, 5, 8, 11
    reasons = {row.row_number: row.reason for row in result.quarantined}
    assert reasons == {
        7: "cmdCode '28053011' is not a numeric HS code (2, 4 or 6 digits)",
        9: "cmdCode '28O530' is not a numeric HS code (2, 4 or 6 digits)",
        10: "unknown flowCode 'Q'",
        12: "cmdCode None is not a numeric HS code (2, 4 or 6 digits)",
    }


def test_rules_and_reasons_match_the_record_parser(land):
    lines = [
        line(netWgt="-5"),
        line(reporterCode=""),
        line(partnerCode="12.5"),
        line(period="2010-01"),
        line(primaryValue="lots"),
        line(isReported="maybe"),
        line(motCode="99999999999"),
        line(netWgt='"1,250.5"', refMonth="", period="201003", freqCode="M"),
    ]
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert [(q.row_number, q.reason) for q in result.quarantined] == [
        (1, "negative netWgt -5"),
        (2, "missing reporterCode"),
        (3, "partnerCode '12.5' is not a whole number"),
        (4, "period '2010-01' is not YYYY or YYYYMM"),
        (5, "primaryValue 'lots' is not a number"),
        (6, "isReported 'maybe' is not true/false"),
        (7, "motCode '99999999999' is out of range"),
    ]
    row = result.rows.iloc[0]
    assert row["record_number"] == 8 and row["net_wgt_kg"] == 1250.5  # thousands separator
    assert row["ref_month"] == 3 and row["ref_year"] == 2010
    assert json.loads(result.quarantined[0].raw)["netWgt"] == "-5"
    assert json.loads(result.quarantined[0].raw)["reporterCode"] == "156"


def test_one_bad_row_among_thousands_keeps_its_record_number(land):
    codes = [*sorted(codes_in_scope()), "010121", "870323", "TOTAL"]
    lines = [line(cmdCode=codes[i % len(codes)], partnerCode=i % 250) for i in range(5000)]
    lines[3216] = line(cmdCode="280530", netWgt="-7.5")  # record 3217
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert [(q.row_number, q.reason) for q in result.quarantined] == [
        (3217, "negative netWgt -7.5")
    ]
    in_scope = [i + 1 for i in range(5000) if codes[i % len(codes)] in codes_in_scope()]
    assert result.rows["record_number"].tolist() == [n for n in in_scope if n != 3217]
    assert result.out_of_scope == 5000 - len(in_scope)
    # record n carries partnerCode (n - 1) % 250: each staged row is the line it claims to be
    assert (result.rows["partner_code"] == (result.rows["record_number"] - 1) % 250).all()


def test_record_numbers_hold_across_duckdb_parallel_buffers(land, monkeypatch):
    # 64 KiB buffers make this ~3 MB file span ~50 of them, read by DuckDB's threads at once.
    monkeypatch.setattr(comtrade_bulk, "CSV_BUFFER_BYTES", 1 << 16)
    lines = [line(cmdCode="280530" if i % 7 == 0 else "870323", qty=i + 1) for i in range(20000)]
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    rows = result.rows
    assert len(rows) == len(range(0, 20000, 7))
    assert (rows["record_number"] == rows["qty"]).all()  # qty holds the line's own number


def test_blank_lines_are_skipped_and_not_counted(land):
    empty_cells = "," * (len(BULK_HEADER) - 1)
    lines = [line(), "", empty_cells, line(netWgt="-1"), "   ", line()]
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert [q.row_number for q in result.quarantined] == [2]
    assert result.rows["record_number"].tolist() == [1, 3]
    assert result.out_of_scope == 0


def test_truncated_last_line_is_quarantined_and_the_rest_load(land):
    text = bulk_file([line(), line(partnerCode=32), line(partnerCode=276)])
    cut = text[: text.rindex(",280530,") + 4]  # the download stopped inside the cmdCode cell
    result = parse_comtrade_bulk(land(cut))
    assert result.rows["record_number"].tolist() == [1, 2]
    [bad] = result.quarantined
    assert bad.row_number == 3
    assert bad.reason == (
        f"fewer than {len(BULK_HEADER)} cells for {len(BULK_HEADER)} header fields: "
        "a shifted or cut line"
    )


def test_line_with_extra_cells_is_quarantined_whatever_its_code(land):
    lines = [line(), line(cmdCode="010121") + ",shifted", line()]
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert [q.row_number for q in result.quarantined] == [2]
    assert result.quarantined[0].reason.startswith(f"more than {len(BULK_HEADER)} cells")
    assert result.rows["record_number"].tolist() == [1, 3]


def long_line_file(size: int = 3 << 20) -> tuple[list[str], str]:
    """300 good lines, record 101 a line of some megabytes (a garbled qtyUnitCode cell)."""
    lines = [line(partnerCode=i) for i in range(300)]
    lines[100] = line(partnerCode=100, qtyUnitCode="9" * size)
    return lines, bulk_file(lines)


def assert_long_line_quarantined(result, lines: list[str]) -> None:
    assert result.rows["record_number"].tolist() == [n for n in range(1, 301) if n != 101]
    assert (result.rows["partner_code"] == result.rows["record_number"] - 1).all()
    [bad] = result.quarantined
    size = len(lines[100])
    assert (bad.row_number, bad.reason) == (101, (
        f"a line of {size:,} bytes, over the 1,048,576 a bulk line may hold "
        "(a Comtrade line is under 1 KB): not read"))
    assert json.loads(bad.raw) == {"line_start": lines[100][:200], "line_bytes": size}


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_line_too_long_to_read_is_quarantined_and_the_rest_of_the_file_loads(land, gzipped):
    lines, text = long_line_file()  # DuckDB refuses a whole file for a line over 2 MB
    content = gzip.compress(text.encode()) if gzipped else text
    result = parse_comtrade_bulk(land(content, name="long.csv.gz" if gzipped else "long.csv"))
    assert_long_line_quarantined(result, lines)


def test_a_line_longer_than_duckdbs_buffer_is_quarantined_too(land, monkeypatch):
    # DuckDB's parallel reader failed a file with a line over its buffer ("not implemented").
    monkeypatch.setattr(comtrade_bulk, "CSV_BUFFER_BYTES", 1 << 20)
    lines, text = long_line_file(size=5 << 20)
    assert_long_line_quarantined(parse_comtrade_bulk(land(text)), lines)


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_line_over_our_limit_but_under_duckdbs_is_set_aside_on_every_path(land, gzipped):
    # 1.5 MB: DuckDB's own limit is 2 MB; ours (1 MiB) holds whichever path reads the file.
    lines, text = long_line_file(size=3 << 19)
    content = gzip.compress(text.encode()) if gzipped else text
    assert_long_line_quarantined(parse_comtrade_bulk(land(content)), lines)


def test_a_file_refused_for_another_reason_is_not_read_again_as_a_stream(land, monkeypatch):
    never_streamed(monkeypatch)
    text = bulk_file([line(), line(flowCode="M\u00e9"), line()])
    with pytest.raises(FileRejected, match=r"is not UTF-8 \(line 3\)"):
        parse_comtrade_bulk(land(text.encode("latin-1")))


def test_a_large_file_with_a_long_line_is_read_as_one_stream_keeping_record_numbers(
        land, in_pieces):
    lines, text = long_line_file()
    assert_long_line_quarantined(parse_comtrade_bulk(land(text)), lines)
    assert in_pieces == []  # the survey found the long line: never cut in pieces


def test_a_line_duckdb_runs_out_of_memory_on_is_quarantined_too(land, monkeypatch):
    # Read by one thread, DuckDB holds a whole line: one of 100 MB runs it out of memory.
    monkeypatch.setenv("REEFLOW_DUCKDB_MEMORY_LIMIT", "64MB")
    lines, text = long_line_file(size=100 << 20)
    content = gzip.compress(text.encode(), compresslevel=1)
    assert_long_line_quarantined(parse_comtrade_bulk(land(content, name="big.csv.gz")), lines)


@pytest.mark.parametrize("read_as", ["whole", "gzip"])
def test_a_long_last_line_is_quarantined_not_lost(land, monkeypatch, read_as):
    # DuckDB 2.0.1's parallel reader drops a last line longer than its buffer without a word.
    monkeypatch.setattr(comtrade_bulk, "CSV_BUFFER_BYTES", 1 << 20)
    lines = [line(partnerCode=i) for i in range(300)] + [line(qtyUnitCode="9" * (3 << 20))]
    text = bulk_file(lines)
    result = parse_comtrade_bulk(land(gzip.compress(text.encode()) if read_as == "gzip" else text,
                                      name=f"last.{read_as}"))
    assert len(result.rows) == 300
    assert [q.row_number for q in result.quarantined] == [301]


def test_staging_writes_the_rest_of_a_file_with_a_long_line(land, tmp_path):
    lines, text = long_line_file()
    result = stage_comtrade_bulk(land(text), tmp_path / "rows.parquet")
    assert result.rows_written == 299
    assert pq.read_table(tmp_path / "rows.parquet").column("record_number").to_pylist() == [
        n for n in range(1, 301) if n != 101]
    assert [(q.row_number, json.loads(q.raw)["line_bytes"]) for q in result.quarantined] == [
        (101, len(lines[100]))]


@pytest.mark.parametrize("quote_at", [5, 200])  # before the long line, and after it
def test_a_quoted_file_with_a_long_line_is_rejected_naming_the_line(land, quote_at):
    # A quoted cell may hold a line break: a line cannot be set aside alone.
    lines, _ = long_line_file()
    lines[quote_at] = line(partnerCode=f'"{quote_at}"')
    with pytest.raises(FileRejected, match=(
            r"long.csv: line 102 is 3,145,87\d bytes, over the 1,048,576 a bulk line may hold, "
            "in a file with quoted cells")):
        parse_comtrade_bulk(land(bulk_file(lines), name="long.csv"))


def never_streamed(monkeypatch) -> None:
    def streamed(*args, **kwargs):
        raise AssertionError("read as a stream with long lines set aside")

    monkeypatch.setattr(long_lines, "copy_without_long_lines", streamed)


def test_a_large_quoted_file_is_read_whole_not_in_pieces(land, in_pieces, monkeypatch):
    never_streamed(monkeypatch)
    lines = [line(partnerCode=i) for i in range(3000)]
    lines[10] = line(partnerCode='"10"')
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    assert (result.rows["partner_code"] == result.rows["record_number"] - 1).all()
    assert len(result.rows) == 3000 and in_pieces == []


def test_a_layout_the_header_does_not_describe_rejects_the_file(land):
    # Data lines with a trailing delimiter the header lacks: every line one cell too many.
    lines = [line(partnerCode=i) + "," for i in range(300)]
    with pytest.raises(FileRejected, match=r"300 of (the first )?300 lines do not have the header.s 33 cells"):
        parse_comtrade_bulk(land(bulk_file(lines)))


def test_wrong_encoding_rejects_the_file_naming_the_line(land):
    text = bulk_file([line(), line(flowCode="M\u00e9"), line()])
    with pytest.raises(FileRejected, match=r"is not UTF-8 \(line 3\)"):
        parse_comtrade_bulk(land(text.encode("latin-1")))


def test_utf16_file_is_rejected(land):
    text = bulk_file([line()], delimiter=",")
    with pytest.raises(FileRejected, match="is not UTF-8"):
        parse_comtrade_bulk(land(text.encode("utf-16")))


def test_empty_file_is_rejected(land):
    with pytest.raises(FileRejected, match="is empty: no header row"):
        parse_comtrade_bulk(land(b""))


def test_header_only_file_gives_no_rows_and_no_quarantine(land):
    result = parse_comtrade_bulk(land("\t".join(BULK_HEADER) + "\n"))
    assert result.rows.empty and result.quarantined == [] and result.out_of_scope == 0
    assert list(result.rows.columns) == COMTRADE_SCHEMA.names


def test_tab_delimited_gzip_with_bom_and_crlf_reads_like_plain_csv(land):
    lines = [line("\t"), line("\t", cmdCode="010121"), line("\t", partnerCode=276)]
    text = "\ufeff" + bulk_file(lines, delimiter="\t").replace("\n", "\r\n")
    gzipped = parse_comtrade_bulk(land(gzip.compress(text.encode()), name="f.txt.gz"))
    plain = parse_comtrade_bulk(land(bulk_file([line(), line(cmdCode="010121"),
                                                          line(partnerCode=276)])))
    assert gzipped.rows["partner_code"].tolist() == [32, 276]
    assert gzipped.out_of_scope == plain.out_of_scope == 1
    same = [name for name in COMTRADE_SCHEMA.names if name != "file_id"]
    assert gzipped.rows[same].equals(plain.rows[same])


def test_truncated_gzip_is_rejected(land):
    lines = [line(partnerCode=i) for i in range(3000)]
    content = gzip.compress(bulk_file(lines).encode())
    with pytest.raises(FileRejected, match="truncated or corrupt gzip"):
        parse_comtrade_bulk(land(content[: len(content) // 2], name="cut.csv.gz"))


def test_unknown_column_is_ignored_and_logged_once(land, caplog):
    text = bulk_file([line() + ",12.5", line() + ",13"]).replace(
        "isAggregate\n", "isAggregate,carbonContentKg\n", 1
    )
    with caplog.at_level(logging.WARNING, logger="ingest.sources.comtrade.rules"):
        result = parse_comtrade_bulk(land(text))
    assert len(result.rows) == 2 and result.quarantined == []
    assert len([r for r in caplog.records if "carbonContentKg" in r.getMessage()]) == 1


def test_missing_required_column_rejects_the_file_naming_it(land):
    header = [name for name in BULK_HEADER if name != "flowCode"]
    text = ",".join(header) + "\n" + ",".join(CELLS[name] for name in header) + "\n"
    with pytest.raises(FileRejected, match=r"lacks required Comtrade field.*flowCode"):
        parse_comtrade_bulk(land(text))


def test_sample_vintage_marks_every_row(land):
    result = parse_comtrade_bulk(land(bulk_file([line()]), vintage=SAMPLE_VINTAGE))
    assert result.rows["is_sample"].tolist() == [True]
    real = parse_comtrade_bulk(land(bulk_file([line(), line()])))
    assert real.rows["is_sample"].tolist() == [False, False]


def test_api_json_dropped_with_bulk_files_takes_the_json_path(land):
    content = REAL_ANSWER.read_bytes()
    result = parse_comtrade_bulk(land(content, name="saved.json"))
    assert len(result.quarantined) == 4  # the real file's TOTAL records, as the API path says


def test_staging_writes_duckdb_parquet_and_quarantine(land, tmp_path):
    lines = [line(), line(cmdCode="010121"), line(netWgt="-3"), line(partnerCode=276)]
    landed = land(bulk_file(lines))
    staged = tmp_path / "staged"

    def stage():
        return stage_landed_files(
            [landed], dataset="comtrade_records", schema=COMTRADE_SCHEMA,
            parse=parse_comtrade_bulk, write=stage_comtrade_bulk,
            parser_version=BULK_PARSER_VERSION, staged_dir=staged,
        )

    report = stage()
    assert (report.rows, report.quarantined, report.out_of_scope) == (2, 1, 1)
    target = staged / "comtrade_records" / f"{landed.file_id}.v{BULK_PARSER_VERSION}.parquet"
    table = pq.read_table(target)
    assert [(f.name, f.type) for f in table.schema] == [(f.name, f.type) for f in COMTRADE_SCHEMA]
    assert table.column("record_number").to_pylist() == [1, 4]
    assert table.column("partner_code").to_pylist() == [32, 276]
    quarantine = pq.read_table(staged / "quarantine" / f"comtrade_records__{landed.file_id}.parquet")
    assert quarantine.schema.equals(QUARANTINE_SCHEMA)
    assert quarantine.column("row_number").to_pylist() == [3]
    assert not list(staged.rglob("*.part"))
    again = stage()
    assert (again.files_parsed, again.files_skipped) == (0, 1)


def test_rejected_file_stages_an_empty_table_and_one_quarantine_row(land, tmp_path):
    landed = land(b"")
    report = stage_landed_files(
        [landed], dataset="comtrade_records", schema=COMTRADE_SCHEMA, parse=parse_comtrade_bulk,
        write=stage_comtrade_bulk, parser_version=BULK_PARSER_VERSION,
        staged_dir=tmp_path / "staged",
    )
    assert (report.rows, report.quarantined) == (0, 1)
    quarantine = pq.read_table(
        tmp_path / "staged" / "quarantine" / f"comtrade_records__{landed.file_id}.parquet"
    )
    assert quarantine.column("reason").to_pylist() == ["file rejected: bulk.csv is empty: no header row"]
    assert not list((tmp_path / "staged").rglob("*.part"))


@pytest.fixture
def in_pieces(monkeypatch) -> list[int]:
    """Read every file as three line-aligned pieces at once, as a large file is read; the
    list it returns says how many pieces each scan was cut into."""
    monkeypatch.setattr(comtrade_bulk, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(comtrade_bulk, "_pieces", lambda: 3)
    cuts: list[int] = []
    bounds = line_pieces.piece_bounds

    def counted(*args, **kwargs):
        result = bounds(*args, **kwargs)
        cuts.append(len(result) if result else 1)
        return result

    monkeypatch.setattr(line_pieces, "piece_bounds", counted)
    return cuts


def test_pieces_end_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(bulk_file([line(partnerCode=i) for i in range(100)]))
    content = path.read_bytes()
    bounds = line_pieces.piece_bounds(path, 3, min_bytes=0)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(content) and len(bounds) == 3
    assert all(end == start for (_, end), (start, _) in pairwise(bounds))
    assert all(content[end - 1:end] == b"\n" for _, end in bounds)
    assert line_pieces.piece_bounds(path, 3, min_bytes=len(content) + 1) is None  # small: whole


def test_a_file_shorter_than_its_pieces_is_an_error_not_a_short_piece(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" * 10)
    with pytest.raises(OSError, match="ends at byte 40, before the 50"), \
            line_pieces.fed_pieces(path, [(0, 50)], tmp_path) as [piece], \
            open(piece.path, "rb") as reader:
        assert len(reader.read()) == 40


def test_a_feeds_error_is_raised_once_the_reader_is_done(tmp_path):
    def cut_short(pipe):
        pipe.write(b"half a file")
        raise OSError("disk gone")

    # The reader saw a clean end, yet the stream was not whole.
    with pytest.raises(OSError, match="disk gone"), \
            line_pieces.fed_fifos([cut_short], tmp_path) as [fifo], open(fifo.path, "rb") as reader:
        assert reader.read() == b"half a file"


def test_a_reader_that_stops_early_is_no_feed_error(tmp_path):
    # Its feed gets a broken pipe: nothing is raised, and nothing hangs.
    def endless(pipe):
        while True:
            pipe.write(b"x" * 65536)

    with line_pieces.fed_fifos([endless], tmp_path) as [fifo], open(fifo.path, "rb") as reader:
        reader.read(10)


def test_record_numbers_are_exact_when_read_in_pieces(land, in_pieces):
    # qty holds each record's own number; blank lines are not records and take none.
    lines = [line(cmdCode="280530" if i % 7 == 0 else "870323", qty=i + 1) for i in range(6000)]
    lines[2999] = line(qty=3000, netWgt="-1")  # record 3000: bad, wherever the cuts fall
    for at in (4000, 2000, 1):
        lines.insert(at, "")
    result = parse_comtrade_bulk(land(bulk_file(lines)))
    expected = [i + 1 for i in range(6000) if i % 7 == 0 and i != 2999]
    assert result.rows["record_number"].tolist() == expected
    assert (result.rows["record_number"] == result.rows["qty"]).all()
    assert [(q.row_number, q.reason) for q in result.quarantined] == [(3000, "negative netWgt -1")]
    assert result.out_of_scope == len([i for i in range(6000) if i % 7 != 0 and i != 2999])
    assert in_pieces == [3]


def test_a_bad_byte_in_a_piece_names_its_line_in_the_file(land, in_pieces):
    lines = [line(partnerCode=i) for i in range(3000)]
    lines[2500] = line(flowCode="M\u00e9")  # file line 2502
    with pytest.raises(FileRejected, match=r"is not UTF-8 \(line 2502\)"):
        parse_comtrade_bulk(land(bulk_file(lines).encode("latin-1")))
    assert in_pieces == [3]  # read in pieces first; the whole file is read again to name the line


@pytest.mark.reference_data
def test_the_embedded_us_imports_are_the_peer_projects_records_one_for_one():
    """ingest/embedded/comtrade/ re-types the reference's 786 supplier rows into the bulk layout:
    every (code, year, partner) with its value, nothing added, weights left empty."""

    def key(code, year, partner):
        return (code, int(year), int(partner))

    with open(reference_file("comtrade-us-imports-rare-earths", "fct_supplier_share_rare_earths.csv"),
              newline="", encoding="utf-8") as handle:
        peer = {key(r["canonical_product_id"], r["year"], r["partner_code"]): float(r["import_value_usd"])
                for r in csv.DictReader(handle)}
    embedded_path = REPO_ROOT / "ingest" / "embedded" / "comtrade" / "us_imports_rare_earths_2018_2025.csv"
    with open(embedded_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    embedded = {key(r["cmdCode"], r["refYear"], r["partnerCode"]): float(r["primaryValue"]) for r in rows}
    assert embedded == peer and len(rows) == len(peer) == 786
    assert {(r["reporterCode"], r["flowCode"], r["netWgt"], r["qty"]) for r in rows} == {("842", "M", "", "")}
