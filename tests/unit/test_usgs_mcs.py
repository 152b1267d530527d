
import pytest

from ingest import settings
from ingest.contract import FileRejected
from ingest.landing import land_file
from ingest.sources import usgs_mcs
from ingest.staging import stage_landed_files
from tests.conftest import fixture_file

HEADER = "Source,Country,Type,Prod_t_2023,Prod_t_est_2024,Prod_notes,Reserves_t,Reserves_notes\n"
TYPE = '"Rare earths, mine production, rare-earth-oxide equivalent, metric tons"'


@pytest.fixture
def land_as() -> dict:
    return {"source": "usgs_mcs", "name": "mcs.csv"}


def test_real_release_with_bom_padding_and_blank_lines(tmp_path):
    entry, _ = land_file(fixture_file("usgs-mcs2024-raree", "mcs2024-raree_world.csv"),
                         source="usgs_mcs", landing_dir=tmp_path)
    result = usgs_mcs.parse(entry)
    assert result.quarantined == []
    rows = result.rows
    assert len(rows) == 16 * 2  # 15 countries + world total, two years each
    china = rows[(rows.country_iso3 == "CHN") & (rows.year == 2023)].iloc[0]
    assert china.production_t_reo == 240_000 and china.edition == "MCS2024" and china.is_estimate
    assert china.reserves_t_reo == 44_000_000
    sums = rows[~rows.is_world_total].groupby("year").production_t_reo.sum()
    assert sums.to_dict() == {2022: 296_920, 2023: 353_320}  # README of the release
    burma = rows[rows.country_name == "Burma"]
    assert set(burma.country_iso3) == {"MMR"} and burma.reserves_t_reo.isna().all()  # "NA"


def test_estimate_flag_comes_from_the_column_name(land):
    text = HEADER + f"MCS2025,China,{TYPE},255000,270000,,,\nMCS2025,World total (rounded),{TYPE},376000,390000,,,\n"
    rows = usgs_mcs.parse(land(text)).rows
    china = rows[rows.country_iso3 == "CHN"].set_index("year")
    assert not china.loc[2023, "is_estimate"] and china.loc[2024, "is_estimate"]


def test_a_figure_typed_with_the_editions_estimate_mark_is_an_estimate(land):
    text = (HEADER + f"MCS2025,China,{TYPE},e255000,270000,,,\n"
            f"MCS2025,India,{TYPE},2900,2900,,,\n"
            f"MCS2025,Brazil,{TYPE},e,20,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(land(text))
    estimates = result.rows.set_index(["country_iso3", "year"]).is_estimate
    assert estimates[("CHN", 2023)] and not estimates[("IND", 2023)]
    assert result.rows.set_index(["country_iso3", "year"]).production_t_reo[("CHN", 2023)] == 255_000
    [(row, reason)] = [(q.row_number, q.reason) for q in result.quarantined]
    assert row == 4 and "not a tonnage" in reason  # a mark with no figure


def test_embedded_mcs2023_marks_the_2021_figures_it_prints_as_estimates(tmp_path):
    """MCS 2023's table marks 2021 with an e for every country but the United States, China and
    Vietnam, and not the world total (usgs-mcs-editions-rare-earth-intel, is_estimate)."""
    entry, _ = land_file(settings.EMBEDDED_DIR / "usgs_mcs" / "mcs2023-raree_world.csv",
                         source="usgs_mcs", landing_dir=tmp_path)
    rows = usgs_mcs.parse(entry).rows
    marked = set(rows[(rows.year == 2021) & rows.is_estimate].country_iso3)
    assert marked == {"AUS", "BRA", "MMR", "IND", "MDG", "RUS", "THA"}
    assert rows[rows.year == 2022].is_estimate.all()


def test_footnote_fused_into_a_number_is_quarantined(land):
    # The MCS 2025 PDF transcription prints Australia as "1216,000" (note 12 + 16,000).
    text = (HEADER + f'MCS2025,Australia,{TYPE},"1216,000","1213,000",,,\n'
            f"MCS2025,China,{TYPE},255000,270000,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(land(text))
    assert "AUS" not in set(result.rows.country_iso3)
    assert len(result.rows) == 4
    [bad] = result.quarantined
    # "1216,000" is no number with thousands separators (four digits before the comma).
    assert bad.row_number == 2 and "'1216,000' has a comma that is not a thousands separator" in bad.reason


def test_a_country_above_the_world_total_is_quarantined(land):
    # A footnote fused without a comma ("1216000": note 12 + 16,000) reads as a number; only the
    # world total shows it is impossible.
    text = (HEADER + f"MCS2025,Australia,{TYPE},1216000,13000,,,\n"
            f"MCS2025,China,{TYPE},255000,270000,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(land(text))
    assert "AUS" not in set(result.rows.country_iso3) and len(result.rows) == 4
    [bad] = result.quarantined
    assert bad.row_number == 2 and "exceeds the world total" in bad.reason


def release_from_transcription(markdown: str) -> str:
    """The world production table of a PDF-to-text transcription, cell for cell, in the data
    release's CSV layout. Reserves are left out: the world row prints them as ">90,000,000"."""
    lines = [HEADER.replace(",Reserves_t,Reserves_notes", "")]
    for row in markdown.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] and not cells[0].startswith("-"):  # a country row
            lines.append(f'MCS2025,{cells[0]},{TYPE},"{cells[1]}","{cells[2]}",\n')
    return "".join(lines)


def test_real_transcription_with_fused_footnotes(land):
    # MCS 2025 as the `marker` tool printed it: footnote 12 fused into Australia's 16,000 t
    # ("1216,000"), 14 into China's 255,000 t ("14255,000").
    text = fixture_file("usgs-mcs2025-raree-transcription", "mcs2025-rare-earths.marker.md")
    result = usgs_mcs.parse(land(release_from_transcription(text.read_text(encoding="utf-8"))))
    fused = {row.raw.split(",")[1]: row.reason for row in result.quarantined}
    assert set(fused) == {"Australia", "Burma", "China", "Nigeria", "Thailand"}
    # Each of these rows holds a value whose comma cannot be a thousands separator ("1216,000").
    assert all("not a thousands separator" in reason for reason in fused.values())
    rows = result.rows.set_index(["country_name", "year"]).production_t_reo
    assert rows[("World total (rounded)", 2024)] == 390_000 and rows[("Canada", 2023)] == 0
    assert rows[("United States", 2024)] == 45_000 and rows[("India", 2023)] == 2_900
    # Not caught: Madagascar "122,100" (12 + 2,100), Malaysia "12310" (12 + 310) and Vietnam
    # "12300" (12 + 300) are plausible tonnages below the world total and its sum.


def test_unknown_country_and_bad_number_are_quarantined_rest_loads(land):
    text = (HEADER + f"MCS2025,Atlantis,{TYPE},10,20,,,\n"
            f"MCS2025,China,{TYPE},lots,270000,,,\n"
            f"MCS2025,India,{TYPE},2900,2900,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(land(text))
    assert list(result.rows.country_iso3.unique()) == ["IND", "WLD"]
    reasons = {q.row_number: q.reason for q in result.quarantined}
    assert "unknown country 'Atlantis'" in reasons[2]
    assert "not a tonnage" in reasons[3]


def test_wrong_encoding_rejects_the_file_with_its_name(tmp_path, land):
    text = HEADER + f"MCS2025,Côte d'Ivoire,{TYPE},1,2,,,\n"
    entry = land(text.encode("latin-1"))
    with pytest.raises(FileRejected, match=r"mcs\.csv is not UTF-8"):
        usgs_mcs.parse(entry)
    report = stage_landed_files([entry], dataset="usgs_mine_production", schema=usgs_mcs.SCHEMA,
                                parse=usgs_mcs.parse, parser_version=1, staged_dir=tmp_path / "staged")
    assert report.quarantined == 1 and report.rows == 0


def test_not_a_world_table_is_rejected(land):
    with pytest.raises(FileRejected, match="header lacks"):
        usgs_mcs.parse(land("a,b,c\n1,2,3\n"))


def test_every_embedded_edition_parses_cleanly(tmp_path):
    files = sorted(settings.EMBEDDED_DIR.glob("usgs_mcs/*.csv"))
    assert [f.name[:7] for f in files] == [f"mcs{y}" for y in range(2019, 2027)]
    for path in files:
        entry, _ = land_file(path, source="usgs_mcs", landing_dir=tmp_path)
        result = usgs_mcs.parse(entry)
        assert result.quarantined == [], path.name
        assert result.rows.citation.notna().all(), path.name


def test_embedded_editions_keep_usgs_revisions(tmp_path):
    values = {}
    for path in sorted(settings.EMBEDDED_DIR.glob("usgs_mcs/*.csv")):
        entry, _ = land_file(path, source="usgs_mcs", landing_dir=tmp_path)
        for row in usgs_mcs.parse(entry).rows.itertuples():
            values[(row.edition, row.country_iso3, row.year)] = row.production_t_reo
    assert values[("MCS2024", "CHN", 2023)] == 240_000
    assert values[("MCS2025", "CHN", 2023)] == 255_000
    assert values[("MCS2025", "AUS", 2024)] == 13_000
    assert values[("MCS2026", "AUS", 2024)] == 29_000
    assert values[("MCS2025", "NGA", 2024)] == 13_000


def test_a_row_in_another_unit_than_metric_tons_is_quarantined(land):
    # A tester's finding: the Type column was not read, so thousands of tonnes became tonnes.
    text = (HEADER + 'MCS2025,China,"Rare earths, mine production, thousand metric tons",255,270,,,\n'
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(land(text))
    assert set(result.rows.country_iso3) == {"WLD"}
    [bad] = result.quarantined
    assert bad.row_number == 2 and "Type gives the unit 'thousand metric tons', not 'metric tons'" in bad.reason
