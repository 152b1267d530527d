"""Customs tariff-line files read through declarative YAML mappings."""

from __future__ import annotations

import textwrap

import pyarrow.parquet as pq
import pytest

from ingest.contract import FileRejected
from ingest.landing import read_manifest
from ingest.sources.customs import (
    CUSTOMS_SCHEMA,
    DATASET,
    available_mappings,
    load_mapping,
    parse_customs_csv,
    parser_for,
)
from ingest.staging import frame_to_table, stage_landed_files
from tests.builders import japan_header, japan_line

JAPAN_LINES = [
    japan_line("2", "284690000", "105", "", "KG", {1: ("0", "12000", "45000"),
                                                   3: ("0", "3000", "9000")}),
    japan_line("2", "284610000", "113", "", "KG", {1: ("0", "500", "2000")}),
    japan_line("2", "280530000", "105", "", "MT", {2: ("0", "2", "7000")}),
    japan_line("2", "850511000", "110", "NO", "KG", {4: ("300", "45", "990")}),
    japan_line("2", "280461000", "105", "", "KG", {1: ("0", "99", "99")}),  # silicon: out
    japan_line("2", "253090000", "105", "", "KG", {1: ("0", "99", "99")}),  # catch-all: out
    japan_line("2", "284690000", "999", "", "KG", {1: ("0", "1", "1")}),  # unknown country
    japan_line("2", "284690000", "105", "", "KG", {1: ("0", "12a", "1")}),  # bad number
    japan_line("1", "284690000", "304", "", "KG", {12: ("0", "100", "500")}),  # export
    japan_line("3", "284690000", "105", "", "KG", {1: ("0", "1", "1")}),  # unknown flow
]


def csv_text(header: list[str], lines: list[list[str]]) -> str:
    return "\n".join(",".join(cells) for cells in [header, *lines]) + "\n"


@pytest.fixture
def land_as() -> dict:
    return {"source": "customs_jpn", "name": "d_imp_2024_28.csv"}


@pytest.fixture(scope="module")
def japan():
    return load_mapping("jpn_customs")


def test_shipped_mappings_load():
    assert "jpn_customs" in available_mappings()
    mapping = load_mapping("jpn_customs")
    assert mapping.line_for("284690123") == ("284690", None)
    assert mapping.line_for("284610000") == ("284610", "Ce")
    assert mapping.line_for("253090000") is None  # never count the catch-all as rare earths


def test_japan_lines_become_monthly_rows_in_kg_and_yen(japan, land):
    landed = land(csv_text(japan_header(), JAPAN_LINES).encode())
    result = parse_customs_csv(landed, japan)
    rows = result.rows.set_index(["national_code", "period", "flow_code"])

    oxides_jan = rows.loc[("284690000", "202401", "M")]
    assert oxides_jan["partner_iso3"] == "CHN" and oxides_jan["partner_code_national"] == "105"
    assert oxides_jan["quantity_kg"] == 12000.0
    assert oxides_jan["value_national"] == 45_000_000.0  # thousands of yen -> yen
    assert oxides_jan["currency"] == "JPY" and oxides_jan["reporter_iso3"] == "JPN"
    assert oxides_jan["hs6"] == "284690" and oxides_jan["element_symbol"] is None
    assert oxides_jan["record_number"] == 2  # line 2 of the file (header is line 1)
    assert rows.loc[("284690000", "202403", "M")]["quantity_kg"] == 3000.0
    assert rows.loc[("284610000", "202401", "M")]["element_symbol"] == "Ce"
    assert rows.loc[("284610000", "202401", "M")]["partner_iso3"] == "MYS"
    assert rows.loc[("280530000", "202402", "M")]["quantity_kg"] == 2000.0  # 2 MT
    magnets = rows.loc[("850511000", "202404", "M")]
    assert magnets["quantity_kg"] == 45.0  # the KG column, not the 300 pieces ("NO")
    assert magnets["partner_iso3"] == "VNM"
    assert rows.loc[("284690000", "202412", "X")]["partner_iso3"] == "USA"
    assert len(result.rows) == 6  # all-zero months and out-of-scope lines give no rows
    assert result.rows["value_usd"].isna().all()
    assert frame_to_table(result.rows, CUSTOMS_SCHEMA).schema == CUSTOMS_SCHEMA


def test_unreadable_lines_are_quarantined_with_line_and_reason(japan, land):
    landed = land(csv_text(japan_header(), JAPAN_LINES).encode())
    quarantined = {row.row_number: row.reason for row in parse_customs_csv(landed, japan)
                   .quarantined}
    assert quarantined == {
        8: "partner code '999' is not in the jpn_customs country table",
        9: "'12a' is not a number",
        11: "flow '3' is not in the jpn_customs flow codes",
    }


def test_a_weight_in_a_unit_the_mapping_cannot_convert_is_quarantined_not_dropped(japan, land):
    # A tester's finding: 'KT' gave a row without a weight and no word of why.
    lines = [japan_line("2", "284690000", "105", "", "KT", {1: ("0", "5", "100")}),
             japan_line("2", "850511000", "110", "NO", "KG", {4: ("300", "45", "990")})]
    result = parse_customs_csv(land(csv_text(japan_header(), lines).encode()), japan)
    assert [(row.row_number, row.reason) for row in result.quarantined] == [
        (2, "quantity unit 'KT' is not one the jpn_customs table converts to kg (KG, MT, GR)")]
    assert result.rows["quantity_kg"].tolist() == [45.0]  # pieces beside kilograms: the kilograms


def test_older_shift_jis_download_with_apl_for_april(japan, land):
    header = [*japan_header(april="Apl"), "品名"]  # a Japanese-language column, ignored
    lines = [[*JAPAN_LINES[3], "永久磁石"]]
    landed = land(csv_text(header, lines).encode("cp932"))
    rows = parse_customs_csv(landed, japan).rows
    assert rows["period"].tolist() == ["202404"] and rows["quantity_kg"].tolist() == [45.0]


def test_missing_column_rejects_the_file_naming_it(japan, land):
    header = [name for name in japan_header() if name != "Value-Dec"]
    lines = [cells[:-1] for cells in JAPAN_LINES[:1]]
    with pytest.raises(FileRejected, match="Value-Dec"):
        parse_customs_csv(land(csv_text(header, lines).encode()), japan)


def test_staging_writes_rows_and_quarantine(tmp_path, japan, land):
    land(csv_text(japan_header(), JAPAN_LINES).encode())
    report = stage_landed_files(read_manifest(tmp_path / "landing", japan.source), dataset=DATASET,
                                schema=CUSTOMS_SCHEMA, parse=parser_for(japan),
                                parser_version=japan.parser_version, staged_dir=tmp_path / "staged")
    assert (report.files_parsed, report.rows, report.quarantined) == (1, 6, 3)
    staged = pq.read_table(tmp_path / "staged" / DATASET)
    assert staged.schema == CUSTOMS_SCHEMA
    assert sum(staged.column("quantity_kg").to_pylist()) == 12000 + 3000 + 500 + 2000 + 45 + 100


ANOTHER_COUNTRY = textwrap.dedent("""\
    # A second layout, added with this file only: one line per month, decimal commas,
    # 8-digit codes that split rare-earth metals by element.
    name: test_long_layout
    version: 3
    source: customs_test
    reporter_iso3: DEU
    file: {encodings: [utf-8-sig], delimiter: ";", strip_characters: " "}
    numbers: {thousands_separator: ".", decimal_separator: ",", blank_means_zero: false}
    layout: long
    columns: {flow: FLOW, period: PERIOD, national_code: PRODUCT, partner: PARTNER}
    quantities:
      - {column: QUANTITY_TONNES, unit: T}
    value: {column: VALUE_EUR, currency: EUR}
    value_usd: {column: VALUE_USD}
    flow_codes: {"1": M, "2": X}
    units_to_kg: {T: 1000}
    national_codes:
      "280530": {hs6: "280530", element: null}
      "28053011": {hs6: "280530", element: Nd}
      "28053012": {hs6: "280530", element: Dy}
    countries: {CN: CHN, EE: EST}
    """)


def test_another_country_needs_only_a_yaml(tmp_path, land):
    mapping_file = tmp_path / "test_long_layout.yml"
    mapping_file.write_text(ANOTHER_COUNTRY, encoding="utf-8")
    mapping = load_mapping(mapping_file)
    assert mapping.parser_version == 3003
    content = textwrap.dedent("""\
        FLOW;PERIOD;PRODUCT;PARTNER;QUANTITY_TONNES;VALUE_EUR;VALUE_USD
        1;2023-05;28053011;CN;1,5;120.000,50;130000
        1;2023-05;28053012;CN;0,25;400.000;
        1;2023-06;28053019;EE;2;10.000;11000
        2;2023-06;85051110;CN;9;9;9
        """).encode()
    landed = land(content, "de.csv", source="customs_test")
    result = parse_customs_csv(landed, mapping)
    assert result.quarantined == []
    rows = result.rows
    assert rows["element_symbol"].tolist() == ["Nd", "Dy", None]
    assert rows["quantity_kg"].tolist() == [1500.0, 250.0, 2000.0]
    assert rows["value_national"].tolist() == [120000.5, 400000.0, 10000.0]
    assert rows["period"].tolist() == ["202305", "202305", "202306"]
    assert rows["value_usd"].tolist()[0] == 130000.0 and rows["value_usd"].isna().tolist()[1]
    assert set(rows["reporter_iso3"]) == {"DEU"} and set(rows["currency"]) == {"EUR"}


def test_a_separator_that_does_not_group_thousands_is_quarantined(tmp_path, land):
    """In a file whose thousands separator is '.', '12.5' is a decimal point typed by mistake:
    read as 125 it would stage ten times the figure."""
    mapping_file = tmp_path / "test_long_layout.yml"
    mapping_file.write_text(ANOTHER_COUNTRY, encoding="utf-8")
    content = textwrap.dedent("""\
        FLOW;PERIOD;PRODUCT;PARTNER;QUANTITY_TONNES;VALUE_EUR;VALUE_USD
        1;2023-05;28053011;CN;1,5;12.5;
        1;2023-05;28053012;CN;2;1.250,5;
        """).encode()
    result = parse_customs_csv(land(content, "de.csv", source="customs_test"), load_mapping(mapping_file))
    assert result.rows["value_national"].tolist() == [1250.5]
    assert len(result.quarantined) == 1
    assert "'12.5' has a '.' that is not a thousands separator" in result.quarantined[0].reason


def test_a_line_with_a_cell_of_megabytes_is_quarantined_and_the_others_read(tmp_path, land):
    mapping_file = tmp_path / "test_long_layout.yml"
    mapping_file.write_text(ANOTHER_COUNTRY, encoding="utf-8")
    content = textwrap.dedent("""\
        FLOW;PERIOD;PRODUCT;PARTNER;QUANTITY_TONNES;VALUE_EUR;VALUE_USD
        1;2023-05;28053011;CN;1,5;120.000,50;130000
        1;2023-05;28053012;{garbled};0,25;400.000;
        1;2023-06;28053019;EE;2;10.000;11000
        """).format(garbled="CN" + "x" * 500_000).encode()
    result = parse_customs_csv(land(content, "de.csv", source="customs_test"), load_mapping(mapping_file))
    assert result.rows["quantity_kg"].tolist() == [1500.0, 2000.0]
    [bad] = result.quarantined
    assert (bad.row_number, bad.reason) == (3, "a cell of 500,002 characters, over the 131,072 a "
                                               "cell may hold (a typed figure or name is under 1 KB): "
                                               "row not read")


def test_invalid_mapping_fails_at_load_naming_it(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text(ANOTHER_COUNTRY.replace("element: Dy", "element: Xx"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yml.*Xx"):
        load_mapping(bad)
