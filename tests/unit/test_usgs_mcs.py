from pathlib import Path

import pytest

from ingest import settings
from ingest.contract import FileRejected
from ingest.landing import land_bytes, land_file
from ingest.sources import usgs_mcs
from ingest.staging import stage_landed_files
from tests.conftest import reference_file

HEADER = "Source,Country,Type,Prod_t_2023,Prod_t_est_2024,Prod_notes,Reserves_t,Reserves_notes\n"
TYPE = '"Rare earths, mine production, rare-earth-oxide equivalent, metric tons"'


def _land(tmp_path: Path, text: str, encoding: str = "utf-8"):
    entry, _ = land_bytes(text.encode(encoding), source="usgs_mcs", name="mcs.csv",
                          landing_dir=tmp_path / "landing")
    return entry


def test_real_release_with_bom_padding_and_blank_lines(tmp_path):
    entry, _ = land_file(reference_file("usgs-mcs2024-raree", "mcs2024-raree_world.csv"),
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


def test_estimate_flag_comes_from_the_column_name(tmp_path):
    text = HEADER + f"MCS2025,China,{TYPE},255000,270000,,,\nMCS2025,World total (rounded),{TYPE},376000,390000,,,\n"
    rows = usgs_mcs.parse(_land(tmp_path, text)).rows
    china = rows[rows.country_iso3 == "CHN"].set_index("year")
    assert not china.loc[2023, "is_estimate"] and china.loc[2024, "is_estimate"]


def test_footnote_fused_into_a_number_is_quarantined(tmp_path):
    # The MCS 2025 PDF transcription prints Australia as "1216,000" (note 12 + 16,000).
    text = (HEADER + f'MCS2025,Australia,{TYPE},"1216,000","1213,000",,,\n'
            f"MCS2025,China,{TYPE},255000,270000,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(_land(tmp_path, text))
    assert "AUS" not in set(result.rows.country_iso3)
    assert len(result.rows) == 4
    [bad] = result.quarantined
    assert bad.row_number == 2 and "exceeds the world total" in bad.reason


def test_unknown_country_and_bad_number_are_quarantined_rest_loads(tmp_path):
    text = (HEADER + f"MCS2025,Atlantis,{TYPE},10,20,,,\n"
            f"MCS2025,China,{TYPE},lots,270000,,,\n"
            f"MCS2025,India,{TYPE},2900,2900,,,\n"
            f"MCS2025,World total (rounded),{TYPE},376000,390000,,,\n")
    result = usgs_mcs.parse(_land(tmp_path, text))
    assert list(result.rows.country_iso3.unique()) == ["IND", "WLD"]
    reasons = {q.row_number: q.reason for q in result.quarantined}
    assert "unknown country 'Atlantis'" in reasons[2]
    assert "not a tonnage" in reasons[3]


def test_wrong_encoding_rejects_the_file_with_its_name(tmp_path):
    text = HEADER + f"MCS2025,Côte d'Ivoire,{TYPE},1,2,,,\n"
    entry = _land(tmp_path, text, encoding="latin-1")
    with pytest.raises(FileRejected, match="mcs.csv is not UTF-8"):
        usgs_mcs.parse(entry)
    report = stage_landed_files([entry], dataset="usgs_mine_production", schema=usgs_mcs.SCHEMA,
                                parse=usgs_mcs.parse, parser_version=1, staged_dir=tmp_path / "staged")
    assert report.quarantined == 1 and report.rows == 0


def test_not_a_world_table_is_rejected(tmp_path):
    with pytest.raises(FileRejected, match="header lacks"):
        usgs_mcs.parse(_land(tmp_path, "a,b,c\n1,2,3\n"))


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
